//! Plain-text rendering for the terminal.

use std::fmt::Write;

use crate::answer::{
    Answer, Card, Citation, Overview, Passage, SearchResults, Snippet, StorySummary,
};
use crate::content::CardSpec;

pub fn answer(a: &Answer) -> String {
    let mut out = String::new();
    for (typed, read) in &a.corrections {
        let _ = writeln!(out, "(read “{typed}” as “{read}”)");
    }
    let _ = writeln!(out, "{}", a.answer);
    if a.declined_without_leads() {
        let _ = writeln!(out, "(`dossier stories` lists what the sources cover)");
    }
    if !a.citations.is_empty() {
        out.push('\n');
        citations(&mut out, &a.citations);
    }
    if !a.answered && !a.leads.is_empty() {
        let _ = writeln!(out, "\nNearest passages, to read (not an answer):");
        for c in &a.leads {
            let _ = writeln!(out, "  · {}", quoted(&c.quote));
            let _ = writeln!(out, "      — {}, ¶{} ({})", c.title, c.paragraph, c.article);
        }
    }
    if !a.also.is_empty() {
        let _ = writeln!(
            out,
            "\n(also covered by {}: ask again with --story to hear it)",
            a.also.join(", ")
        );
    }
    out
}

/// One line per story, newest first.
pub fn stories(list: &[StorySummary]) -> String {
    let mut out = String::new();
    for s in list {
        let a = &s.article;
        let _ = writeln!(
            out,
            "{}  {}  ({} paragraphs, {} facts)  [{}]",
            a.date, a.title, a.paragraphs, s.facts, a.id
        );
        if !s.cards.is_empty() {
            let _ = writeln!(out, "            cards: {}", s.cards.join(", "));
        }
    }
    if list.is_empty() {
        out.push_str(
            "No stories yet: add an article under content/articles and run `dossier reindex`.\n",
        );
    }
    out
}

fn citations(out: &mut String, cites: &[Citation]) {
    for (i, c) in cites.iter().enumerate() {
        let _ = writeln!(out, "  [{}] {}", i + 1, quoted(&c.quote));
        let _ = writeln!(out, "      — {}, ¶{} ({})", c.title, c.paragraph, c.article);
    }
}

/// `**bold**` around the matched words.
pub fn marked(s: &Snippet) -> String {
    let mut out = String::with_capacity(s.text.len() + 8 * s.matches.len());
    let mut at = 0;
    for &(start, end) in &s.matches {
        if start < at || end > s.text.len() {
            continue;
        }
        out.push_str(&s.text[at..start]);
        out.push_str("**");
        out.push_str(&s.text[start..end]);
        out.push_str("**");
        at = end;
    }
    out.push_str(&s.text[at..]);
    out
}

pub fn search(r: &SearchResults) -> String {
    let mut out = String::new();
    for (typed, read) in &r.corrections {
        let _ = writeln!(out, "(read “{typed}” as “{read}”)");
    }
    if r.query.trim().is_empty() {
        let _ = writeln!(out, "Nothing to search for: give one or more words.");
        return out;
    }
    if r.hits.is_empty() {
        let _ = writeln!(out, "No matches for “{}”.", r.query);
        return out;
    }
    let mut story = "";
    for (i, h) in r.hits.iter().enumerate() {
        if h.article != story {
            story = &h.article;
            let _ = writeln!(
                out,
                "{}{} [{}]",
                if i > 0 { "\n" } else { "" },
                h.title,
                h.article
            );
        }
        // A passage is a paragraph of its article, whatever topic led to it.
        let (kind, topic) = match h.kind {
            crate::answer::HitKind::Fact => (
                "fact",
                h.topic
                    .as_ref()
                    .map(|t| format!(" · {t}"))
                    .unwrap_or_default(),
            ),
            crate::answer::HitKind::Passage => ("passage", String::new()),
        };
        let _ = writeln!(
            out,
            "{}. [{kind}{topic}] ¶{} (score {:.3})",
            i + 1,
            h.paragraph,
            h.score
        );
        let _ = writeln!(out, "   {}", marked(&h.snippet));
    }
    out
}

pub fn card(c: &Card) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", c.title);
    let _ = writeln!(out, "{}", "=".repeat(c.title.chars().count()));
    let _ = writeln!(out, "{} [{}]", c.story.title, c.story.id);
    if let Some(d) = &c.description {
        let _ = writeln!(out, "{d}");
    }
    for item in &c.items {
        let _ = writeln!(out, "\n{}", item.heading);
        let _ = writeln!(out, "{}", item.text);
        citations(&mut out, &item.citations);
    }
    out
}

/// The cards there are (of `story`, if one is named): topic and title, one
/// a line.
pub fn cards(list: &[CardSpec], story: Option<&str>) -> String {
    let mut out = String::new();
    for c in list {
        let _ = writeln!(out, "{:<12} {}", c.topic.as_str(), c.title);
    }
    if list.is_empty() {
        match story {
            Some(story) => {
                let _ = writeln!(
                    out,
                    "No cards: `{story}` has no facts yet (cards are made of a story's facts; it is answered from its article)."
                );
            }
            None => out.push_str("No cards: no story has facts yet.\n"),
        }
    }
    out
}

pub fn passages(ps: &[Passage]) -> String {
    let mut out = String::new();
    if let Some(first) = ps.first() {
        let _ = writeln!(out, "{} ({})", first.title, first.date);
        if let Some(url) = &first.url {
            let _ = writeln!(out, "{url}");
        }
    }
    for p in ps {
        let _ = writeln!(out, "\n¶{} of {}\n{}", p.paragraph, p.paragraphs, p.text);
    }
    out
}

pub fn overview(o: &Overview) -> String {
    let mut out = String::new();
    for a in &o.articles {
        let _ = writeln!(
            out,
            "{} ({}, {} paragraphs) [{}]",
            a.title, a.date, a.paragraphs, a.id
        );
    }
    let _ = writeln!(
        out,
        "{} paragraphs, {} facts, {} entities; indexed {}",
        o.paragraphs,
        o.facts,
        o.entities,
        crate::render::text::timestamp(o.indexed_at)
    );
    out
}

/// An RFC 3339 UTC timestamp from seconds since the Unix epoch.
pub fn timestamp(secs: u64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
    humantime::format_rfc3339_seconds(t).to_string()
}

/// `text` in quotation marks, unless it already opens or closes with one
/// (a quote of direct speech), so marks are never doubled.
fn quoted(text: &str) -> String {
    const MARKS: &[char] = &['"', '“', '”', '‘', '’', '\'', '«', '»'];
    if text.starts_with(MARKS) || text.ends_with(MARKS) {
        text.to_string()
    } else {
        format!("“{text}”")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marked_bolds_each_match() {
        let s = Snippet {
            text: "the corridor links Nakhchivan".into(),
            matches: vec![(4, 12), (19, 29)],
        };
        assert_eq!(marked(&s), "the **corridor** links **Nakhchivan**");
    }

    #[test]
    fn quotes_of_speech_keep_their_own_marks() {
        assert_eq!(
            quoted("“We have lost many years,”"),
            "“We have lost many years,”"
        );
        assert_eq!(quoted("a new corridor"), "“a new corridor”");
    }
}
