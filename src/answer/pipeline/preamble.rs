//! Chatter before the question: "ok so i was at work all day, where did the
//! crash happen" asks where the crash happened.
//!
//! A message of several clauses (split at `, ; ! ?`, line breaks, and `.`
//! or `:` before a space, but not the `.` of an initialism such as "U.S."
//! unless a question word follows) whose question starts after the first
//! clause has a preamble: the words of the clauses before it. A clause
//! starts a question when it ends with "?", or when its first word, after
//! chat's framing words ("lol", "ok") and discourse markers ("so",
//! "anyway"), is a question word ("what", "how") or an auxiliary verb that
//! opens a yes/no question ("did", "is"); "who" or "which" open a question
//! only in a clause that ends the message or ends with "?", since after a
//! comma they mostly open a relative clause ("the mayor, who resigned, …").
//! The preamble's words are dropped, except names of entities: "brandt
//! background? what did he do" still asks about Brandt.

use crate::answer::kinds;
use crate::content::EntityMatcher;
use crate::language::language;
use crate::text::Word;

/// Question words. General English.
pub(super) const QUESTION_WORDS: &[&str] = &[
    "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "whats", "whos",
    "hows", "wheres", "whens", "whys",
];

/// Besides the auxiliaries ([`kinds::AUXILIARIES`]), words that open a
/// yes/no question: more auxiliaries, their negations, and "any" ("any
/// news"). General English.
const ALSO_OPENING: &[&str] = &[
    "shall", "may", "might", "isnt", "arent", "wasnt", "didnt", "doesnt", "dont", "cant", "wont",
    "any",
];

/// Whether a word opens a question.
fn opens(folded: &str) -> bool {
    QUESTION_WORDS.contains(&folded)
        || kinds::AUXILIARIES.contains(&folded)
        || ALSO_OPENING.contains(&folded)
}

/// Openers that also open relative clauses. General English.
const RELATIVE: &[&str] = &["who", "whom", "whose", "which"];

/// Discourse markers that may come before a question's first word ("so
/// what", "and when", "anyway are they"). General English.
const MARKERS: &[&str] = &[
    "so", "and", "but", "then", "also", "anyway", "now", "just", "well",
];

/// A clause of the message: its words `[first, last)` and whether it ends
/// with a question mark.
struct Clause {
    first: usize,
    last: usize,
    asks: bool,
}

/// `words` (of `text`) without the preamble, and how many names of the
/// preamble come before the question's own words; `None` when the message
/// has none.
pub fn without_preamble(
    text: &str,
    words: &[Word],
    matcher: &EntityMatcher,
) -> Option<(Vec<Word>, usize)> {
    let start = question_start(words, &clauses(text, words))?;
    let mut named = vec![false; words.len()];
    for m in matcher.find(text, words) {
        named[m.first..m.last].fill(true);
    }
    let names = named[..start].iter().filter(|&&n| n).count();
    let kept = words
        .iter()
        .enumerate()
        .filter(|&(i, _)| i >= start || named[i])
        .map(|(_, w)| w.clone());
    Some((kept.collect(), names))
}

/// The clauses of the message, in order.
fn clauses(text: &str, words: &[Word]) -> Vec<Clause> {
    let mut out: Vec<Clause> = Vec::new();
    let mut first = 0;
    for i in 1..=words.len() {
        // The text after word i - 1 up to word i (to the end after the
        // last). Words spelled out from one shortening share their offsets:
        // the range is then empty or backwards, and `get` gives nothing.
        let end = words.get(i).map_or(text.len(), |w| w.start);
        let between = text.get(words[i - 1].end..end).unwrap_or("");
        // "U.S. do they" goes on; "at 4 a.m. when is" is two sentences.
        let initialism = ends_initialism(text, &words[i - 1])
            && !words
                .get(i)
                .is_some_and(|w| QUESTION_WORDS.contains(&w.folded.as_str()));
        if i == words.len() || ends_clause(between, initialism) {
            out.push(Clause {
                first,
                last: i,
                asks: between.contains('?'),
            });
            first = i;
        }
    }
    out
}

/// Whether the text between two words ends a clause. After an
/// initialism's last letter a full stop does not.
fn ends_clause(between: &str, after_initialism: bool) -> bool {
    let mut chars = between.chars().peekable();
    while let Some(c) = chars.next() {
        // At the end of `between` the next word follows at once.
        let before_space = chars.peek().is_some_and(|n| n.is_whitespace());
        match c {
            ',' | ';' | '!' | '?' | '\n' => return true,
            // "2.5" and "10:30" go on, as does "U.S. and".
            '.' if before_space && !after_initialism => return true,
            ':' if before_space => return true,
            _ => {}
        }
    }
    false
}

/// Whether `word` is the last letter of an initialism: one letter after a
/// full stop ("U.S.", "a.m."; not "3.2").
fn ends_initialism(text: &str, word: &Word) -> bool {
    let letter = text[word.start..word.end].chars().all(char::is_alphabetic);
    word.end - word.start == 1 && letter && text[..word.start].ends_with('.')
}

/// The first word of the question, when the question starts in a later
/// clause than the first.
fn question_start(words: &[Word], clauses: &[Clause]) -> Option<usize> {
    let lang = language();
    let last = clauses.len().saturating_sub(1);
    let position = clauses.iter().enumerate().position(|(n, c)| {
        let opener = words[c.first..c.last]
            .iter()
            .map(|w| w.folded.as_str())
            .find(|w| !(MARKERS.contains(w) || lang.frames_chat(w)));
        let opens =
            opener.is_some_and(|w| opens(w) && (!RELATIVE.contains(&w) || c.asks || n == last));
        c.asks || opens
    })?;
    (position > 0).then(|| clauses[position].first)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first word of the question after a preamble, as typed.
    fn start(message: &str) -> Option<String> {
        let words = crate::text::words(message);
        question_start(&words, &clauses(message, &words)).map(|i| words[i].folded.clone())
    }

    #[test]
    fn the_question_starts_after_the_chatter() {
        assert_eq!(
            start("ok so i missed it, where was it").as_deref(),
            Some("where")
        );
        assert_eq!(
            start("lol. anyway did they sign").as_deref(),
            Some("anyway")
        );
        // "who" after a comma opens a relative clause, unless it asks.
        assert_eq!(
            start("the mayor, who resigned, what did he say").as_deref(),
            Some("what")
        );
        assert_eq!(start("the mayor, who resigned?").as_deref(), Some("who"));
        assert_eq!(start("i was away, who won").as_deref(), Some("who"));
        // A first clause that asks is the question.
        assert_eq!(start("ferry cancelled? why"), None);
        assert_eq!(start("who won, and by how much"), None);
        assert_eq!(start("no question here, just words"), None);
        assert_eq!(start(""), None);
    }

    #[test]
    fn dots_and_colons_inside_words_end_no_clause() {
        let message = "we met at 10:30 near the office, 2.5 km away";
        let words = crate::text::words(message);
        assert_eq!(clauses(message, &words).len(), 2);
        assert_eq!(
            clauses("yes. no: maybe", &crate::text::words("yes. no: maybe")).len(),
            3
        );
        // An initialism's full stop ends no clause, unless a question word
        // follows it; a number's does.
        assert_eq!(start("in the U.S. do they have this"), None);
        assert_eq!(
            start("the talks ended at 4 a.m. when is the next round").as_deref(),
            Some("when")
        );
        assert_eq!(
            start("inflation hit 3.2. why did it rise").as_deref(),
            Some("why")
        );
        assert_eq!(start("i saw it. when is the vote").as_deref(), Some("when"));
    }
}
