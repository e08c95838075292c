//! Discord's size limits, enforced in one place.
//!
//! Text cut to fit ends with "…" and is cut between words, never inside one;
//! markup (links, quote prefixes, bold) is kept whole because it is added
//! around text that was cut first. A message over the 6000-character budget
//! loses its last fields first, then description text.

use super::{Embed, Field, Message};

pub const CONTENT: usize = 2000;
pub const EMBEDS: usize = 10;
pub const TITLE: usize = 256;
pub const DESCRIPTION: usize = 4096;
pub const FIELDS: usize = 25;
pub const FIELD_NAME: usize = 256;
pub const FIELD_VALUE: usize = 1024;
pub const FOOTER: usize = 2048;
pub const AUTHOR: usize = 256;
/// Characters summed over every embed of one message.
pub const TOTAL: usize = 6000;
/// Command and option descriptions; choice names and values.
pub const DESCRIPTION_SHORT: usize = 100;
pub const CHOICES: usize = 25;
pub const CHOICE_NAME: usize = 100;
pub const OPTIONS: usize = 25;

pub const ELLIPSIS: char = '…';

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// `text` cut to at most `max` characters at a word boundary, with "…"
/// appended when anything was cut.
pub fn cut(text: &str, max: usize) -> String {
    if chars(text) <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    // Room for the ellipsis.
    let keep: String = text.chars().take(max - 1).collect();
    let next = text.chars().nth(max - 1);
    let at_boundary = next.is_some_and(char::is_whitespace);
    let head = if at_boundary {
        keep.as_str()
    } else {
        match keep.rfind(char::is_whitespace) {
            Some(i) => &keep[..i],
            // One long word: cut it rather than show nothing.
            None => keep.as_str(),
        }
    };
    let mut out = head.trim_end().to_string();
    // Never leave a dangling escape backslash.
    while out.ends_with('\\') && !out.ends_with("\\\\") {
        out.pop();
    }
    out.push(ELLIPSIS);
    out
}

/// Characters of one embed that count towards [`TOTAL`].
pub fn embed_len(e: &Embed) -> usize {
    chars(&e.title)
        + chars(&e.description)
        + e.footer.as_deref().map_or(0, chars)
        + e.author.as_deref().map_or(0, chars)
        + e.fields
            .iter()
            .map(|f| chars(&f.name) + chars(&f.value))
            .sum::<usize>()
}

/// Characters of a message's embeds, summed.
pub fn message_len(m: &Message) -> usize {
    m.embeds.iter().map(embed_len).sum()
}

/// Brings a message within every limit.
pub fn fit(m: &mut Message) {
    if let Some(content) = &mut m.content {
        *content = cut(content, CONTENT);
    }
    m.embeds.truncate(EMBEDS);
    for e in &mut m.embeds {
        fit_embed(e);
    }
    let mut over = message_len(m).saturating_sub(TOTAL);
    // Drop trailing fields, last embed first, noting how many were left out.
    for e in m.embeds.iter_mut().rev() {
        let mut dropped = 0;
        while over > 0 && !e.fields.is_empty() {
            let f = e.fields.pop().unwrap_or_else(|| unreachable!());
            dropped += 1;
            over = over.saturating_sub(chars(&f.name) + chars(&f.value));
        }
        if dropped > 0 {
            let note = Field {
                name: "More".to_string(),
                value: format!("{dropped} more not shown: narrow the question or use /search."),
                inline: false,
            };
            over += chars(&note.name) + chars(&note.value);
            if e.fields.len() < FIELDS {
                e.fields.push(note);
            }
        }
        if over == 0 {
            break;
        }
    }
    // Then shorten descriptions.
    for e in m.embeds.iter_mut().rev() {
        if over == 0 {
            break;
        }
        let len = chars(&e.description);
        let target = len.saturating_sub(over + 1);
        let before = len;
        e.description = cut(&e.description, target);
        over = over.saturating_sub(before - chars(&e.description));
    }
}

fn fit_embed(e: &mut Embed) {
    e.title = cut(&e.title, TITLE);
    e.description = cut(&e.description, DESCRIPTION);
    if let Some(f) = &mut e.footer {
        *f = cut(f, FOOTER);
    }
    if let Some(a) = &mut e.author {
        *a = cut(a, AUTHOR);
    }
    if e.fields.len() > FIELDS {
        let extra = e.fields.len() - (FIELDS - 1);
        e.fields.truncate(FIELDS - 1);
        e.fields.push(Field {
            name: "More".to_string(),
            value: format!("{extra} more not shown."),
            inline: false,
        });
    }
    for f in &mut e.fields {
        f.name = cut(&f.name, FIELD_NAME);
        f.value = cut(&f.value, FIELD_VALUE);
    }
}

/// Whether a command or option name is valid for Discord: 1 to 32 letters,
/// digits, `-`, `_` or `'` (Devanagari and Thai marks included), lowercase.
pub fn is_valid_name(name: &str) -> bool {
    let n = chars(name);
    (1..=32).contains(&n)
        && name.chars().all(|c| {
            c.is_alphabetic()
                || c.is_numeric()
                || matches!(c, '-' | '_' | '\'')
                || ('\u{0900}'..='\u{097F}').contains(&c)
                || ('\u{0E00}'..='\u{0E7F}').contains(&c)
        })
        && name.to_lowercase() == name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn embed(description: &str, fields: usize, value: &str) -> Embed {
        Embed {
            title: "t".into(),
            url: None,
            description: description.into(),
            fields: (0..fields)
                .map(|i| Field {
                    name: format!("f{i}"),
                    value: value.into(),
                    inline: false,
                })
                .collect(),
            footer: Some("footer".into()),
            author: None,
            color: 0,
        }
    }

    #[test]
    fn cut_keeps_short_text_and_marks_cut_text() {
        assert_eq!(cut("short", 10), "short");
        assert_eq!(cut("exactly ten", 11), "exactly ten");
        assert_eq!(
            cut("the corridor links Nakhchivan", 20),
            "the corridor links…"
        );
        assert!(cut(&"word ".repeat(100), 50).chars().count() <= 50);
    }

    #[test]
    fn cut_never_splits_a_word() {
        let text = "alpha beta gamma delta";
        for max in 2..text.len() {
            let c = cut(text, max);
            assert!(c.chars().count() <= max, "{c:?} over {max}");
            let words: Vec<&str> = c.trim_end_matches('…').split(' ').collect();
            for w in words.iter().filter(|w| !w.is_empty()) {
                assert!(
                    text.split(' ').any(|t| t == *w) || words.len() == 1,
                    "{w:?} cut in {c:?}"
                );
            }
        }
    }

    #[test]
    fn cut_drops_a_dangling_escape() {
        assert_eq!(cut("abc \\*def", 6), "abc…");
        assert_eq!(cut("abcd\\*", 6), "abcd\\*");
    }

    /// A message with one embed whose `part` is `n` characters long.
    fn with(part: &str, n: usize) -> Message {
        let text = "x".repeat(n);
        let mut e = embed("", 0, "");
        e.footer = None;
        match part {
            "title" => e.title = text,
            "description" => e.description = text,
            "footer" => e.footer = Some(text),
            "author" => e.author = Some(text),
            "field name" => e.fields.push(Field {
                name: text,
                value: "v".into(),
                inline: false,
            }),
            "field value" => e.fields.push(Field {
                name: "n".into(),
                value: text,
                inline: false,
            }),
            _ => unreachable!(),
        }
        Message {
            content: None,
            embeds: vec![e],
            ephemeral: false,
            components: Vec::new(),
        }
    }

    fn part(m: &Message, part: &str) -> String {
        let e = &m.embeds[0];
        match part {
            "title" => e.title.clone(),
            "description" => e.description.clone(),
            "footer" => e.footer.clone().unwrap(),
            "author" => e.author.clone().unwrap(),
            "field name" => e.fields[0].name.clone(),
            "field value" => e.fields[0].value.clone(),
            _ => unreachable!(),
        }
    }

    #[test]
    fn each_limit_holds_at_its_edge() {
        for (name, limit) in [
            ("title", TITLE),
            ("description", DESCRIPTION),
            ("footer", FOOTER),
            ("author", AUTHOR),
            ("field name", FIELD_NAME),
            ("field value", FIELD_VALUE),
        ] {
            let mut at = with(name, limit);
            fit(&mut at);
            assert_eq!(
                part(&at, name),
                "x".repeat(limit),
                "{name} at its limit was changed"
            );
            let mut over = with(name, limit + 1);
            fit(&mut over);
            let cut = part(&over, name);
            assert_eq!(chars(&cut), limit, "{name} over its limit");
            assert!(cut.ends_with(ELLIPSIS), "{name} cut without a mark");
        }
        let mut m = Message {
            content: Some("c".repeat(CONTENT + 1)),
            embeds: vec![],
            ephemeral: false,
            components: Vec::new(),
        };
        fit(&mut m);
        assert_eq!(chars(m.content.as_ref().unwrap()), CONTENT);
    }

    #[test]
    fn text_at_the_limit_is_left_alone() {
        let mut m = Message {
            content: Some("c".repeat(CONTENT)),
            embeds: vec![embed(&"d".repeat(100), 1, "v")],
            ephemeral: false,
            components: Vec::new(),
        };
        let before = m.clone();
        fit(&mut m);
        assert_eq!(m, before);
    }

    #[test]
    fn too_many_fields_and_embeds_are_trimmed() {
        let mut m = Message {
            content: None,
            embeds: (0..12).map(|_| embed("d", 30, "v")).collect(),
            ephemeral: false,
            components: Vec::new(),
        };
        fit(&mut m);
        assert_eq!(m.embeds.len(), EMBEDS);
        assert!(m.embeds.iter().all(|e| e.fields.len() <= FIELDS));
        assert_eq!(m.embeds[0].fields.last().unwrap().name, "More");
    }

    #[test]
    fn the_total_budget_drops_fields_then_shortens_text() {
        let mut m = Message {
            content: None,
            embeds: vec![embed(&"word ".repeat(800), 20, &"v".repeat(900))],
            ephemeral: false,
            components: Vec::new(),
        };
        fit(&mut m);
        assert!(message_len(&m) <= TOTAL, "{}", message_len(&m));
        assert_eq!(m.embeds[0].fields.last().unwrap().name, "More");
        let mut one = Message {
            content: None,
            embeds: (0..2).map(|_| embed(&"word ".repeat(800), 0, "")).collect(),
            ephemeral: false,
            components: Vec::new(),
        };
        fit(&mut one);
        assert!(message_len(&one) <= TOTAL);
        assert!(one.embeds[1].description.ends_with(ELLIPSIS));
    }

    #[test]
    fn names_follow_discords_pattern() {
        for ok in ["ask", "search", "top-10", "don't", "न्यूज़", "ข่าว", "a_b"]
        {
            assert!(is_valid_name(ok), "{ok}");
        }
        for bad in [
            "",
            "Ask",
            "two words",
            "x".repeat(33).as_str(),
            "ask!",
            "ask/",
        ] {
            assert!(!is_valid_name(bad), "{bad}");
        }
    }
}
