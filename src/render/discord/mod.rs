//! Rendering answers as Discord messages: embeds with the answer, cited
//! passages as quotes with their paragraph numbers and article titles, and a
//! footer naming the source.
//!
//! The types here are plain data; `crate::discord` turns them into serenity
//! builders. Everything a person typed or an article says is escaped before
//! it is put into markdown, and [`limits::fit`] runs last on every message.

pub mod limits;

use serde::Serialize;

use crate::answer::{
    Answer, Card, Citation, Collection, Hit, HitKind, Overview, Passage, SearchResults, Snippet,
    StorySummary,
};

/// Embed colours: answered, declined, error.
pub const COLOR_ANSWER: u32 = 0x2F6FB0;
pub const COLOR_DECLINED: u32 = 0x7A8694;
pub const COLOR_ERROR: u32 = 0xB3261E;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub content: Option<String>,
    pub embeds: Vec<Embed>,
    /// Only the person who asked sees it (errors).
    pub ephemeral: bool,
    /// Rows of buttons or a select menu under the message.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Vec<Component>>,
}

/// A button or select menu; its id carries what a click needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Component {
    Button {
        id: String,
        label: String,
        emoji: Option<char>,
        disabled: bool,
    },
    Select {
        id: String,
        placeholder: String,
        options: Vec<Choice>,
    },
}

/// One option of a select menu.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    pub label: String,
    pub value: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Embed {
    pub title: String,
    pub url: Option<String>,
    pub description: String,
    pub fields: Vec<Field>,
    pub footer: Option<String>,
    pub author: Option<String>,
    pub color: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    pub name: String,
    pub value: String,
    pub inline: bool,
}

impl Embed {
    fn new(title: impl Into<String>, color: u32) -> Embed {
        Embed {
            title: title.into(),
            url: None,
            description: String::new(),
            fields: Vec::new(),
            footer: None,
            author: None,
            color,
        }
    }
}

fn message(embed: Embed) -> Message {
    let mut m = Message {
        content: None,
        embeds: vec![embed],
        ephemeral: false,
        components: Vec::new(),
    };
    limits::fit(&mut m);
    m
}

/// Escapes Discord markdown and defuses mentions in text from users or
/// sources, so it shows exactly as written and pings no one.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut line_start = true;
    for c in text.chars() {
        match c {
            '\\' | '*' | '_' | '~' | '`' | '|' | '<' | '>' | '[' | ']' | '(' | ')' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '-' | '+' if line_start => {
                out.push('\\');
                out.push(c);
            }
            '@' => {
                // "@everyone", "@here" and "@name" show but never mention.
                out.push('@');
                out.push('\u{200B}');
            }
            _ => out.push(c),
        }
        line_start = c == '\n' || (line_start && c.is_whitespace());
    }
    out
}

/// A snippet with its matched words in bold, everything else escaped.
pub fn marked(s: &Snippet) -> String {
    let mut out = String::new();
    let mut at = 0;
    for &(start, end) in &s.matches {
        if start < at
            || end > s.text.len()
            || !s.text.is_char_boundary(start)
            || !s.text.is_char_boundary(end)
        {
            continue;
        }
        out.push_str(&escape(&s.text[at..start]));
        out.push_str("**");
        out.push_str(&escape(&s.text[start..end]));
        out.push_str("**");
        at = end;
    }
    out.push_str(&escape(&s.text[at..]));
    out
}

/// A Markdown link to `url` showing `label` (already escaped). Parentheses
/// in the address are percent-encoded: the first `)` would end the link.
fn link(label: &str, url: &str) -> String {
    format!("[{label}]({})", url.replace('(', "%28").replace(')', "%29"))
}

/// A citation as an embed field: the paragraph and article in its name, the
/// quote as a block quote, and a link to the article when it has one.
fn citation_field(c: &Citation) -> Field {
    let prefix = format!("¶{} · ", c.paragraph);
    let title_budget = limits::FIELD_NAME.saturating_sub(prefix.chars().count());
    let name = format!("{prefix}{}", cut_escaped(&c.title, title_budget));
    let link = match &c.url {
        Some(url) => format!(
            "\n{}",
            link(
                &format!("{} ¶{}", escape(&limits::cut(&c.title, 80)), c.paragraph),
                url
            )
        ),
        None => String::new(),
    };
    let budget = limits::FIELD_VALUE
        .saturating_sub(2)
        .saturating_sub(link.chars().count());
    Field {
        name,
        value: format!("> {}{link}", cut_escaped(&c.quote, budget)),
        inline: false,
    }
}

/// `text` escaped and cut so the escaped form fits `max` characters.
fn cut_escaped(text: &str, max: usize) -> String {
    let mut budget = max;
    loop {
        let escaped = escape(&limits::cut(text, budget));
        if escaped.chars().count() <= max || budget == 0 {
            return escaped;
        }
        budget = budget
            .saturating_sub(escaped.chars().count() - max)
            .min(budget - 1);
    }
}

/// "Source: Title (date)" for the articles cited; without citations, the
/// collection they come from.
fn source_footer(citations: &[Citation], collection: &Collection) -> String {
    let mut titles: Vec<String> = Vec::new();
    for c in citations {
        let t = format!("{} ({})", c.title, c.date);
        if !titles.contains(&t) {
            titles.push(t);
        }
    }
    match (titles.len(), &collection.newest) {
        (0, Some(newest)) if collection.articles == 1 => {
            format!("Source: {} ({})", newest.title, newest.date)
        }
        (0, Some(newest)) => format!(
            "Sources: {} articles, the newest {} ({})",
            collection.articles, newest.title, newest.date
        ),
        (0, None) => "No sources indexed".to_string(),
        (1, _) => format!("Source: {}", titles[0]),
        _ => format!("Sources: {}", titles.join("; ")),
    }
}

/// The single article cited, when it has a url, for the embed's title link.
fn single_url(citations: &[Citation]) -> Option<String> {
    let first = citations.first()?;
    citations
        .iter()
        .all(|c| c.article == first.article)
        .then(|| first.url.clone())
        .flatten()
}

/// The reply to `/ask`.
pub fn answer(a: &Answer, collection: &Collection) -> Message {
    let color = if a.answered {
        COLOR_ANSWER
    } else {
        COLOR_DECLINED
    };
    let mut e = Embed::new(escape(&limits::cut(a.question.trim(), 200)), color);
    e.url = single_url(&a.citations);
    let mut description = escape(&a.answer);
    if a.declined_without_leads() {
        description.push_str(" Try /help to see what the sources cover.");
    }
    if !a.corrections.is_empty() {
        let read: Vec<String> = a
            .corrections
            .iter()
            .map(|(typed, read)| format!("“{}” as “{}”", escape(typed), escape(read)))
            .collect();
        description.push_str(&format!("\n\n*Read {}.*", read.join(", ")));
    }
    if !a.also.is_empty() {
        let also: Vec<String> = a
            .also
            .iter()
            .map(|id| format!("`{}`", limits::cut(id, 100)))
            .collect();
        description.push_str(&format!(
            "\n\n*Also covered by {}: ask again with `story:` to hear it.*",
            also.join(", ")
        ));
    }
    e.description = limits::cut(&description, limits::DESCRIPTION);
    e.fields = a.citations.iter().map(citation_field).collect();
    e.footer = Some(source_footer(&a.citations, collection));
    message(e)
}

/// The reply to `/search`.
pub fn search(r: &SearchResults, collection: &Collection) -> Message {
    let mut e = Embed::new(
        format!("Search: {}", escape(&limits::cut(r.query.trim(), 150))),
        COLOR_ANSWER,
    );
    if r.hits.is_empty() {
        e.color = COLOR_DECLINED;
        e.description = "Nothing in the sources matches that. Try other words, or /help to see what they cover.".to_string();
    }
    let mut lines: Vec<String> = Vec::new();
    let mut used = 0;
    let mut story = "";
    for (i, h) in r.hits.iter().enumerate() {
        // Hits come grouped by story: each group under its story's title.
        let heading = if h.article == story {
            String::new()
        } else {
            format!("__{}__\n", escape(&limits::cut(&h.title, 200)))
        };
        story = &h.article;
        let line = format!("{heading}**{}.** {}", i + 1, hit_line(h));
        // Whole lines only: a hit is never cut in the middle of its markup.
        let len = line.chars().count() + 2;
        if used + len > limits::DESCRIPTION - 100 {
            break;
        }
        used += len;
        lines.push(line);
    }
    if !lines.is_empty() {
        e.description = lines.join("\n\n");
    }
    if !r.corrections.is_empty() {
        let read: Vec<String> = r
            .corrections
            .iter()
            .map(|(typed, read)| format!("“{}” as “{}”", escape(typed), escape(read)))
            .collect();
        e.description
            .push_str(&format!("\n\n*Read {}.*", read.join(", ")));
    }
    e.footer = Some(format!(
        "{} · /source shows a paragraph in full",
        source_footer(&[], collection)
    ));
    message(e)
}

/// One search hit: its kind (and a fact's topic), paragraph and snippet
/// with the matched words marked.
fn hit_line(h: &Hit) -> String {
    // A passage is a paragraph of its article, whatever topic led to it.
    let (kind, topic) = match h.kind {
        HitKind::Fact => (
            "fact",
            h.topic
                .as_ref()
                .map(|t| format!(" · {t}"))
                .unwrap_or_default(),
        ),
        HitKind::Passage => ("passage", String::new()),
    };
    let snippet = Snippet {
        text: limits::cut(&h.snippet.text, 300),
        matches: h.snippet.matches.clone(),
    };
    format!("`{kind}{topic}` ¶{} — {}", h.paragraph, marked(&snippet))
}

/// The reply to `/stories`: one line a story, newest first; `list` starts
/// at position `first` (from 0) of `total` stories.
pub fn stories(list: &[StorySummary], first: usize, total: usize) -> Message {
    let mut e = Embed::new("Stories".to_string(), COLOR_ANSWER);
    let budget = limits::DESCRIPTION - 100;
    let mut lines: Vec<String> = list.iter().map(|s| story_line(s, None)).collect();
    // Links only in the room the plain lines leave, in order.
    let mut used: usize = lines.iter().map(|l| l.chars().count() + 1).sum();
    for (line, s) in lines.iter_mut().zip(list) {
        let Some(url) = &s.article.url else { continue };
        let linked = story_line(s, Some(url));
        let extra = linked.chars().count().saturating_sub(line.chars().count());
        if used + extra <= budget {
            used += extra;
            *line = linked;
        }
    }
    // Plain lines of a page always fit; a longer list is cut, and says so.
    let mut shown = 0;
    let mut length = 0;
    for line in &lines {
        if length + line.chars().count() + 1 > budget {
            break;
        }
        length += line.chars().count() + 1;
        shown += 1;
    }
    if shown < lines.len() {
        let more = lines.len() - shown;
        lines.truncate(shown);
        lines.push(format!("…and {more} more"));
    }
    e.description = if lines.is_empty() {
        "No stories yet.".to_string()
    } else {
        lines.join("\n")
    };
    let place = if shown < total {
        format!("{}–{} of {total} · ", first + 1, first + shown)
    } else {
        String::new()
    };
    e.footer = Some(format!(
        "{place}Ask about one with /ask story:, or read its briefing with /brief"
    ));
    message(e)
}

/// One story's line in `/stories`, its title linked to `url` if given.
fn story_line(s: &StorySummary, url: Option<&str>) -> String {
    let a = &s.article;
    let title = escape(&limits::cut(&a.title, 200));
    let title = match url {
        Some(url) => link(&title, url),
        None => format!("**{title}**"),
    };
    format!(
        "{title} · {} · {} paragraphs, {} facts · `{}`",
        a.date,
        a.paragraphs,
        s.facts,
        limits::cut(&a.id, 100)
    )
}

/// A card: the reply to `/parties`, `/corridor`, `/terms`, `/quote`,
/// `/brief` and a card picked from a menu.
pub fn card(c: &Card, collection: &Collection) -> Message {
    let mut e = Embed::new(escape(&c.title), COLOR_ANSWER);
    e.author = Some(limits::cut(&c.story.title, limits::AUTHOR));
    e.description = c.description.as_deref().map(escape).unwrap_or_default();
    let mut cited: Vec<Citation> = Vec::new();
    for item in &c.items {
        let quotes: Vec<String> = item
            .citations
            .iter()
            .take(2)
            .map(|q| format!("> {} — ¶{}", cut_escaped(&q.quote, 300), q.paragraph))
            .collect();
        let speaker = item
            .speaker
            .as_deref()
            .map(|s| format!("{}: ", escape(s)))
            .unwrap_or_default();
        let body = format!("{speaker}{}", escape(&item.text));
        let tail = format!("\n{}", quotes.join("\n"));
        let budget = limits::FIELD_VALUE.saturating_sub(tail.chars().count());
        e.fields.push(Field {
            name: cut_escaped(&item.heading, limits::FIELD_NAME),
            value: format!("{}{tail}", limits::cut(&body, budget)),
            inline: false,
        });
        cited.extend(item.citations.iter().cloned());
    }
    e.url = single_url(&cited);
    e.footer = Some(source_footer(&cited, collection));
    message(e)
}

/// The reply to `/source`: a paragraph in full.
pub fn passage(p: &Passage) -> Message {
    let mut e = Embed::new(
        format!(
            "¶{} of {} · {}",
            p.paragraph,
            p.paragraphs,
            escape(&p.title)
        ),
        COLOR_ANSWER,
    );
    e.url = p.url.clone();
    e.description = escape(&p.text);
    e.footer = Some(format!("Source: {} ({})", p.title, p.date));
    message(e)
}

/// Characters of a paragraph shown around a cited quote (escaping may
/// double them, within the description limit); a longer
/// paragraph is cut to a window around it, between words.
const CITED_WINDOW: usize = 1800;

/// A cited paragraph in full, only for the person who clicked, with the
/// quoted bytes `span` in bold. `changed`: the content changed since the
/// answer, so this is the paragraph as it reads now, unmarked.
pub fn cited(p: &Passage, span: Option<(usize, usize)>, changed: bool) -> Message {
    let mut m = passage(p);
    let text = &p.text;
    let valid = span.filter(|&(s, e)| {
        s < e && e <= text.len() && text.is_char_boundary(s) && text.is_char_boundary(e)
    });
    let mut description = match valid {
        Some((s, e)) => {
            let (from, to) = window(text, s, e);
            let lead = if from > 0 { "… " } else { "" };
            let tail = if to < text.len() { " …" } else { "" };
            format!(
                "{lead}{}**{}**{}{tail}",
                escape(&text[from..s]),
                escape(&text[s..e]),
                escape(&text[e..to])
            )
        }
        None => m.embeds[0].description.clone(),
    };
    if changed {
        description = format!(
            "*The content has changed since this answer was given; this is the paragraph as it reads now.*\n\n{description}"
        );
    }
    m.embeds[0].description = description;
    limits::fit(&mut m);
    m.ephemeral = true;
    m
}

/// Byte range of `text` around `[start, end)` within [`CITED_WINDOW`]
/// characters, widened to word boundaries.
fn window(text: &str, start: usize, end: usize) -> (usize, usize) {
    if text.chars().count() <= CITED_WINDOW {
        return (0, text.len());
    }
    let quote = text[start..end].chars().count();
    let room = CITED_WINDOW.saturating_sub(quote) / 2;
    let before: Vec<(usize, char)> = text[..start].char_indices().collect();
    let mut from = before.len().checked_sub(room).map_or(0, |i| before[i].0);
    while from > 0 && !text[..from].ends_with(char::is_whitespace) && from < start {
        from += text[from..].chars().next().map_or(1, char::len_utf8);
    }
    let mut to = text[end..]
        .char_indices()
        .nth(room)
        .map_or(text.len(), |(i, _)| end + i);
    while to < text.len() && to > end && !text[to..].starts_with(char::is_whitespace) {
        to -= text[..to].chars().next_back().map_or(1, char::len_utf8);
    }
    (from.min(start), to.max(end))
}

/// The reply to `/help`.
pub fn help(o: &Overview, collection: &Collection, commands: &[(&str, &str)]) -> Message {
    let mut e = Embed::new("dossier: briefings with sources", COLOR_ANSWER);
    let articles: Vec<String> = o
        .articles
        .iter()
        .map(|a| match &a.url {
            Some(url) => format!(
                "• {} ({}, {} paragraphs)",
                link(&escape(&a.title), url),
                a.date,
                a.paragraphs
            ),
            None => format!(
                "• {} ({}, {} paragraphs)",
                escape(&a.title),
                a.date,
                a.paragraphs
            ),
        })
        .collect();
    e.description = format!(
        "I answer questions about these stories, quoting the source word for word:\n{}\n\n{} facts about {} people, countries and places; indexed <t:{}:R>.",
        articles.join("\n"),
        o.facts,
        o.entities,
        o.indexed_at
    );
    let list: Vec<String> = commands
        .iter()
        .map(|(name, what)| format!("`/{name}` — {what}"))
        .collect();
    e.fields.push(Field {
        name: "Commands".to_string(),
        value: list.join("\n"),
        inline: false,
    });
    e.fields.push(Field {
        name: "Reading a citation".to_string(),
        value: "Each answer quotes the passages it rests on. `¶4` is the fourth paragraph of the article named beside it; the quote is copied from it word for word. Use `/source paragraph:4` to read the whole paragraph. When the sources do not cover a question, I say so, and the menu under the reply opens the paragraphs nearest it for you to judge. A question that names no story follows the last answer in its channel; add `story:` to ask about another.".to_string(),
        inline: false,
    });
    e.footer = Some(source_footer(&[], collection));
    message(e)
}

/// A short note only the person who clicked sees.
pub fn notice(text: &str) -> Message {
    let mut e = Embed::new("Thank you", COLOR_ANSWER);
    e.description = text.to_string();
    let mut m = message(e);
    m.ephemeral = true;
    m
}

/// What a public deferral shows for the moment between its "thinking…"
/// and a private reply sent to the person who asked.
pub fn sent_privately() -> Message {
    Message {
        content: Some("The reply went privately to the person who asked.".to_string()),
        embeds: Vec::new(),
        ephemeral: false,
        components: Vec::new(),
    }
}

/// An error only the person who asked sees.
pub fn error(text: &str) -> Message {
    let mut e = Embed::new("Sorry", COLOR_ERROR);
    e.description = text.to_string();
    let mut m = message(e);
    m.ephemeral = true;
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_defuses_markdown_and_mentions() {
        assert_eq!(escape("**bold** _x_"), "\\*\\*bold\\*\\* \\_x\\_");
        assert_eq!(
            escape("<@123> <@&456>"),
            "\\<@\u{200B}123\\> \\<@\u{200B}&456\\>"
        );
        assert_eq!(escape("@everyone"), "@\u{200B}everyone");
        assert_eq!(
            escape("[x](https://evil.example)"),
            "\\[x\\]\\(https://evil.example\\)"
        );
        assert_eq!(
            escape("- item\nNagorno-Karabakh"),
            "\\- item\nNagorno-Karabakh"
        );
        assert!(!escape("@here").contains("@here"));
    }

    #[test]
    fn marked_escapes_around_bold_matches() {
        let s = Snippet {
            text: "a *corridor* link".into(),
            matches: vec![(3, 11)],
        };
        assert_eq!(marked(&s), "a \\***corridor**\\* link");
    }

    fn paragraph(text: String) -> Passage {
        Passage {
            article: "a".into(),
            title: "Title".into(),
            date: "2025-08-08".into(),
            url: None,
            paragraph: 4,
            paragraphs: 9,
            text,
        }
    }

    #[test]
    fn a_cited_paragraph_bolds_the_quote_even_deep_in_a_long_paragraph() {
        let text = format!(
            "{} the quoted words {}",
            "before ".repeat(900),
            "after ".repeat(900)
        );
        let start = text.find("the quoted").unwrap();
        let m = cited(&paragraph(text), Some((start, start + 16)), false);
        let d = &m.embeds[0].description;
        assert!(m.ephemeral);
        assert!(d.contains("**the quoted words**"), "{d}");
        assert!(d.starts_with("… before") && d.ends_with("after …"), "{d}");
        assert!(d.chars().count() <= limits::DESCRIPTION);
    }

    #[test]
    fn a_changed_paragraph_is_shown_unmarked_with_a_note() {
        let m = cited(&paragraph("Now it says something else.".into()), None, true);
        let d = &m.embeds[0].description;
        assert!(
            d.contains("content has changed") && !d.contains("**"),
            "{d}"
        );
        // A span that does not fit the text is ignored, not a panic.
        let m = cited(&paragraph("é".into()), Some((1, 40)), false);
        assert!(!m.embeds[0].description.contains("**"));
    }

    #[test]
    fn links_survive_parentheses_and_overlong_addresses() {
        let mut c = Citation {
            article: "a".into(),
            paragraph: 2,
            quote: "a short quote".into(),
            title: "Title".into(),
            date: "2025-08-08".into(),
            url: Some("https://example.com/Talks_(2025)".into()),
        };
        let f = citation_field(&c);
        assert!(
            f.value.ends_with("(https://example.com/Talks_%282025%29)"),
            "{}",
            f.value
        );
        // An address longer than a field leaves no room for the quote, and
        // is no reason to fail.
        c.url = Some(format!("https://example.com/{}", "a".repeat(1500)));
        let f = citation_field(&c);
        assert!(f.value.starts_with("> "));
    }

    #[test]
    fn an_article_title_in_a_field_name_is_escaped_and_fits() {
        let mut c = Citation {
            article: "a".into(),
            paragraph: 3,
            quote: "a quote".into(),
            title: "Talks_resume *again* <@1>".into(),
            date: "2025-08-08".into(),
            url: None,
        };
        let f = citation_field(&c);
        assert_eq!(f.name, "¶3 · Talks\\_resume \\*again\\* \\<@\u{200B}1\\>");
        c.title = "_".repeat(400);
        let f = citation_field(&c);
        assert!(f.name.chars().count() <= limits::FIELD_NAME, "{}", f.name);
        assert!(
            f.name.ends_with("\\_") || f.name.ends_with('…'),
            "{}",
            f.name
        );
    }

    #[test]
    fn a_page_of_stories_shows_every_story_whatever_their_addresses() {
        let list: Vec<StorySummary> = (0..10)
            .map(|i| StorySummary {
                article: crate::answer::ArticleSummary {
                    id: format!("story-{i}"),
                    title: format!("Story {i}"),
                    date: "2025-08-08".into(),
                    url: Some(format!("https://example.com/{}", "a".repeat(600))),
                    paragraphs: 5,
                },
                facts: 3,
                cards: Vec::new(),
            })
            .collect();
        let m = stories(&list, 10, 25);
        let d = &m.embeds[0].description;
        assert!(d.chars().count() <= limits::DESCRIPTION);
        for i in 0..10 {
            assert!(
                d.contains(&format!("`story-{i}`")),
                "story {i} missing: {d}"
            );
        }
        assert!(d.contains("](https://example.com/"), "no link kept: {d}");
        let footer = m.embeds[0].footer.as_deref().unwrap();
        assert!(footer.starts_with("11–20 of 25"), "{footer}");
    }

    #[test]
    fn long_quotes_are_cut_inside_the_quote_and_keep_their_link() {
        let c = Citation {
            article: "a".into(),
            paragraph: 4,
            quote: "word ".repeat(400),
            title: "Title".into(),
            date: "2025-08-08".into(),
            url: Some("https://example.com/a".into()),
        };
        let f = citation_field(&c);
        assert!(f.value.chars().count() <= limits::FIELD_VALUE);
        assert!(f.value.starts_with("> word"));
        assert!(f.value.ends_with("[Title ¶4](https://example.com/a)"));
        assert!(f.value.contains('…'));
    }
}
