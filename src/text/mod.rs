//! Text analysis shared by the index and the answer engine.
//!
//! One analyzer turns text into terms everywhere: words split on anything that
//! is not a letter or digit, lowercased, folded to ASCII where a folding exists
//! ("Naxçıvan" → "naxcivan") and stemmed with the English Snowball stemmer.
//! Indexing and querying must agree on it, so it lives here and nowhere else.

use tantivy::tokenizer::{SimpleTokenizer, TextAnalyzer, TokenStream};

pub mod chat;
mod fold;
mod stem_cache;

use fold::FoldingTokenizer;
use stem_cache::CachedStemmer;

/// Name under which [`stemming_analyzer`] is registered in the tantivy index.
pub const STEMMED: &str = "dossier_en";
/// Name under which [`folding_analyzer`] is registered in the tantivy index.
pub const FOLDED: &str = "dossier_fold";

/// Words longer than this are dropped: they are never real words and only
/// slow fuzzy matching down.
const MAX_WORD_LEN: usize = 40;

/// The analyzer of full-text fields: split, lowercase, fold, stem.
pub fn stemming_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(FoldingTokenizer::default())
        .filter(CachedStemmer)
        .build()
}

/// The analyzer of words as written: split, lowercase, fold (no stemming).
pub fn folding_analyzer() -> TextAnalyzer {
    TextAnalyzer::from(FoldingTokenizer::default())
}

/// One word of a text: its folded form, its stem and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Lowercased, ASCII-folded form.
    pub folded: String,
    /// English stem of `folded`.
    pub stem: String,
    /// Byte offsets of the word in the original text.
    pub start: usize,
    pub end: usize,
}

thread_local! {
    // Analyzers are cheap to run but not to build: one of each per thread.
    static FOLDING: std::cell::RefCell<TextAnalyzer> = std::cell::RefCell::new(folding_analyzer());
    static STEMMING: std::cell::RefCell<TextAnalyzer> = std::cell::RefCell::new(stemming_analyzer());
    static STEMMER: std::cell::RefCell<TextAnalyzer> = std::cell::RefCell::new(
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(CachedStemmer)
            .build(),
    );
}

/// Runs `analyzer` over `text`, calling `each` with every token.
fn for_each_token(
    analyzer: &'static std::thread::LocalKey<std::cell::RefCell<TextAnalyzer>>,
    text: &str,
    mut each: impl FnMut(&tantivy::tokenizer::Token),
) {
    analyzer.with(|a| {
        let mut a = a.borrow_mut();
        let mut stream = a.token_stream(text);
        while let Some(token) = stream.next() {
            each(token);
        }
    });
}

/// Splits `text` into words with their stems and byte offsets.
pub fn words(text: &str) -> Vec<Word> {
    let mut out = spans(text);
    for w in &mut out {
        w.stem = stem(&w.folded);
    }
    out
}

/// [`words`] without stems, for when only the folded forms and offsets
/// matter (finding names): much cheaper on long texts.
pub fn spans(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    spans_into(text, &mut out);
    out
}

/// [`spans`] into `out`, reusing its words' buffers: for many texts in a
/// row, as indexing reads them.
pub fn spans_into(text: &str, out: &mut Vec<Word>) {
    let mut n = 0;
    for_each_token(&FOLDING, text, |token| {
        if let Some(w) = out.get_mut(n) {
            w.folded.clear();
            w.folded.push_str(&token.text);
            w.start = token.offset_from;
            w.end = token.offset_to;
        } else {
            out.push(Word {
                folded: token.text.clone(),
                stem: String::new(),
                start: token.offset_from,
                end: token.offset_to,
            });
        }
        n += 1;
    });
    out.truncate(n);
}

/// The stem of one already folded word.
pub fn stem(folded_word: &str) -> String {
    let mut out = None;
    for_each_token(&STEMMER, folded_word, |token| {
        if out.is_none() {
            out = Some(token.text.clone());
        }
    });
    out.unwrap_or_else(|| folded_word.to_string())
}

/// The stems of `text`, in order.
pub fn stems(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_token(&STEMMING, text, |token| out.push(token.text.clone()));
    out
}

/// The folded words of `text`, in order (no stemming).
pub fn folded_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_token(&FOLDING, text, |token| out.push(token.text.clone()));
    out
}

/// Byte index of the largest char boundary not above `max` in `text`.
pub fn floor_char_boundary(text: &str, max: usize) -> usize {
    if max >= text.len() {
        return text.len();
    }
    let mut i = max;
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The largest index of at most `max` bytes that does not fall inside a
/// word of `text`: where a cut leaves whole words only. A first word longer
/// than `max` is cut at a character boundary, so something remains.
pub fn floor_word_boundary(text: &str, max: usize) -> usize {
    let end = floor_char_boundary(text, max);
    if end == text.len() || text[end..].starts_with(char::is_whitespace) {
        return end;
    }
    match text[..end].rfind(char::is_whitespace) {
        Some(i) if !text[..i].trim().is_empty() => i,
        _ => end,
    }
}

/// The run of `haystack`, as many words long as `needle`, that shares the
/// most words with it. Shows the nearest text to a quote that was not found
/// verbatim.
pub fn nearest_window<'a>(needle: &str, haystack: &'a str) -> &'a str {
    let needle_words = folded_words(needle);
    let hay = words(haystack);
    if hay.is_empty() {
        return haystack;
    }
    let span = needle_words.len().clamp(1, hay.len());
    let mut best = (0usize, 0usize);
    for start in 0..=hay.len() - span {
        let window = &hay[start..start + span];
        let shared = window
            .iter()
            .filter(|w| needle_words.contains(&w.folded))
            .count();
        if shared > best.1 {
            best = (start, shared);
        }
    }
    let from = hay[best.0].start;
    let to = hay[best.0 + span - 1].end;
    &haystack[from..to]
}

/// Splits a paragraph into sentences: each ends at `.`, `!` or `?` (and any
/// closing quote) followed by white space. Byte ranges, trimmed.
pub fn sentence_ranges(paragraph: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = paragraph.char_indices().collect();
    let push = |from: usize, to: usize, out: &mut Vec<(usize, usize)>| {
        let s = &paragraph[from..to];
        let lead = s.len() - s.trim_start().len();
        let trail = s.len() - s.trim_end().len();
        if from + lead < to - trail {
            out.push((from + lead, to - trail));
        }
    };
    let mut i = 0;
    while i < chars.len() {
        if matches!(chars[i].1, '.' | '!' | '?') {
            let mut j = i + 1;
            while j < chars.len() && matches!(chars[j].1, '"' | '”' | '’' | '\'' | ')') {
                j += 1;
            }
            if j == chars.len() || chars[j].1.is_whitespace() {
                let end = chars.get(j).map_or(paragraph.len(), |(b, _)| *b);
                push(start, end, &mut out);
                start = end;
                i = j;
                continue;
            }
        }
        i += 1;
    }
    push(start, paragraph.len(), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_fold_diacritics_and_keep_offsets() {
        let text = "Naxçıvan, Nagorno-Karabakh";
        let ws = words(text);
        let folded: Vec<_> = ws.iter().map(|w| w.folded.as_str()).collect();
        assert_eq!(folded, ["naxcivan", "nagorno", "karabakh"]);
        assert_eq!(&text[ws[0].start..ws[0].end], "Naxçıvan");
        assert_eq!(&text[ws[2].start..ws[2].end], "Karabakh");
    }

    #[test]
    fn stems_merge_plurals_and_inflections() {
        assert_eq!(stems("hostilities"), stems("hostility"));
        assert_eq!(stems("routes"), stems("route"));
        assert_eq!(stem("negotiations"), stem("negotiation"));
    }

    #[test]
    fn nearest_window_finds_the_closest_run() {
        let para = "Trump stated that both leaders committed to ending all hostilities forever.";
        assert_eq!(
            nearest_window("ending every hostilities forever", para),
            "ending all hostilities forever"
        );
    }

    #[test]
    fn floor_word_boundary_never_splits_a_word() {
        let s = "where is armenia";
        assert_eq!(&s[..floor_word_boundary(s, 12)], "where is");
        assert_eq!(&s[..floor_word_boundary(s, 8)], "where is");
        assert_eq!(&s[..floor_word_boundary(s, 100)], s);
        assert_eq!(
            &s[..floor_word_boundary(s, 3)],
            "whe",
            "one long word is cut"
        );
        assert_eq!(&"é"[..floor_word_boundary("é", 1)], "");
    }

    #[test]
    fn sentences_are_verbatim_trimmed_slices() {
        let p = "He said “It is done.” Then he left! Did he? Yes";
        let got: Vec<&str> = sentence_ranges(p)
            .into_iter()
            .map(|(a, b)| &p[a..b])
            .collect();
        assert_eq!(
            got,
            ["He said “It is done.”", "Then he left!", "Did he?", "Yes"]
        );
    }

    #[test]
    fn floor_char_boundary_never_splits_a_char() {
        let s = "aé";
        assert_eq!(floor_char_boundary(s, 2), 1);
        assert_eq!(floor_char_boundary(s, 10), 3);
    }
}
