//! Articles: Markdown files with TOML front matter between `+++` lines,
//! their paragraphs and the cards they declare.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::{ENTITIES_FILE, toml_diagnostic};
use crate::content::diagnostic::{Diagnostic, Diagnostics};
use crate::content::model::{Article, CardSpec, Corpus, Entity, Topic, is_slug};
use crate::text;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    id: Spanned<String>,
    title: Spanned<String>,
    date: Spanned<toml::Value>,
    publisher: Option<String>,
    url: Option<Spanned<String>>,
    #[serde(default)]
    card: Vec<RawCard>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCard {
    topic: Spanned<String>,
    title: Spanned<String>,
    entity: Option<Spanned<String>>,
}

/// A card's entity as written, resolved once every entity is known.
pub(super) struct CardRef {
    card: usize,
    id: String,
    line: usize,
}

const FENCE: &str = "+++";

/// Where an article's parts lie in its file (byte offsets).
struct Layout {
    /// The front matter's TOML, between the `+++` lines.
    front: std::ops::Range<usize>,
    /// The text after the closing `+++` line.
    body_start: usize,
}

/// Finds the front matter between the opening and closing `+++` lines.
fn layout(path: &Path, source: &str, diags: &mut Diagnostics) -> Option<Layout> {
    let trimmed = source.strip_prefix('\u{feff}').unwrap_or(source);
    let bom = source.len() - trimmed.len();
    let mut lines = trimmed.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != FENCE {
        diags.push(
            Diagnostic::new(path, "missing front matter")
                .at_line(1)
                .help("start the file with a `+++` line, then id, title and date in TOML, then another `+++` line"),
        );
        return None;
    }
    let start = bom + first.len();
    let mut offset = start;
    for line in lines {
        if line.trim_end() == FENCE {
            return Some(Layout {
                front: start..offset,
                body_start: offset + line.len(),
            });
        }
        offset += line.len();
    }
    diags.push(
        Diagnostic::new(path, "front matter is not closed")
            .at_line(1)
            .help("end the front matter with a line holding only `+++`"),
    );
    None
}

/// The article of one file; when it does not load, the id its front matter
/// gives, if it could be read (facts cite an article by it).
pub(super) fn parse_article(
    path: &Path,
    source: &str,
    diags: &mut Diagnostics,
) -> Result<ParsedArticle, Option<String>> {
    let Layout { front, body_start } = layout(path, source, diags).ok_or(None)?;
    let fm_start = front.start;
    let fm: FrontMatter = match toml::from_str(&source[front.clone()]) {
        Ok(fm) => fm,
        Err(err) => {
            diags.push(toml_diagnostic(path, source, fm_start, &err));
            return Err(id_line_alone(&source[front]));
        }
    };
    let (id, date, mut ok) = check_front_matter(path, source, fm_start, &fm, diags);
    let (cards, refs) = parse_cards(path, source, fm_start, fm.card, diags);
    let body = &source[body_start..];
    let paragraphs = split_paragraphs(body);
    ok &= paragraphs_fit(path, source, body_start, &paragraphs, diags);
    if paragraphs.is_empty() {
        diags.push(
            Diagnostic::new(path, "the article has no text")
                .at(source, body_start)
                .help("put the article text after the closing `+++`, paragraphs separated by blank lines"),
        );
        ok = false;
    }
    let article = Article {
        id,
        title: fm.title.into_inner(),
        date,
        publisher: fm.publisher,
        url: fm.url.map(Spanned::into_inner),
        paragraphs,
        cards,
    };
    if !ok {
        return Err(Some(article.id).filter(|id| !id.is_empty()));
    }
    Ok(ParsedArticle {
        article,
        refs,
        id_line: crate::content::diagnostic::line_column(source, fm_start + fm.id.span().start).0,
    })
}

/// The id the front matter of an article's `source` gives on its own line,
/// without checking the rest.
pub(super) fn front_matter_id(path: &Path, source: &str) -> Option<String> {
    let layout = layout(path, source, &mut Diagnostics::default())?;
    id_line_alone(&source[layout.front])
}

/// The id of a front matter whose TOML does not parse, read from its own
/// line (`id = "…"` before any table), so facts citing the article are
/// not each reported as citing an unknown one.
fn id_line_alone(front: &str) -> Option<String> {
    front
        .lines()
        .take_while(|line| !line.trim_start().starts_with('['))
        .filter(|line| line.trim_start().starts_with("id"))
        .find_map(|line| {
            let table: toml::Table = toml::from_str(line).ok()?;
            let id = table.get("id")?.as_str()?.trim();
            (!id.is_empty()).then(|| id.to_string())
        })
}

/// An article as read from its file, with what is checked across files.
pub(super) struct ParsedArticle {
    pub(super) article: Article,
    /// Its cards' entity references, resolved once entities are known.
    pub(super) refs: Vec<CardRef>,
    /// The line of its `id`.
    pub(super) id_line: usize,
}

/// Checks the front matter's id, title, date and url: the id and the date as
/// text, and whether every check passed.
fn check_front_matter(
    path: &Path,
    source: &str,
    fm_start: usize,
    fm: &FrontMatter,
    diags: &mut Diagnostics,
) -> (String, String, bool) {
    let mut ok = true;
    let id = fm.id.get_ref().clone();
    if !is_slug(&id) {
        diags.push(
            Diagnostic::new(path, format!("article id `{id}` is not a slug"))
                .at(source, fm_start + fm.id.span().start)
                .help("use lowercase letters, digits and dashes, for example `peace-deal-2025`"),
        );
        ok = false;
    }
    if fm.title.get_ref().trim().is_empty() {
        diags.push(
            Diagnostic::new(path, "`title` is empty")
                .at(source, fm_start + fm.title.span().start)
                .help("give the article its headline"),
        );
        ok = false;
    }
    let date = match fm.date.get_ref() {
        toml::Value::Datetime(d) if d.date.is_some() && d.time.is_none() => d.to_string(),
        toml::Value::String(s) if is_iso_date(s) => s.clone(),
        _ => {
            diags.push(
                Diagnostic::new(path, "`date` must be a calendar date")
                    .at(source, fm_start + fm.date.span().start)
                    .help("write the date of the event as YYYY-MM-DD, for example `date = 2025-08-08`"),
            );
            ok = false;
            String::new()
        }
    };
    if let Some(url) = &fm.url
        && let Some(problem) = url_problem(url.get_ref())
    {
        diags.push(
            Diagnostic::new(path, problem)
                .at(source, fm_start + url.span().start)
                .help("give the full address of the article, starting with https://"),
        );
        ok = false;
    }
    (id, date, ok)
}

/// Longest article address accepted: what Discord accepts in an embed's link.
const MAX_URL: usize = 2048;

/// Why `url` cannot be an article's address, if it cannot.
fn url_problem(url: &str) -> Option<String> {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Some("`url` must be an http(s) address".to_string());
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("`url` must not contain spaces (write a space as %20)".to_string());
    }
    (url.len() > MAX_URL).then(|| format!("`url` is longer than {MAX_URL} characters"))
}

/// The `[[card]]` tables of a front matter starting at `offset` in `source`.
fn parse_cards(
    path: &Path,
    source: &str,
    offset: usize,
    raw: Vec<RawCard>,
    diags: &mut Diagnostics,
) -> (Vec<CardSpec>, Vec<CardRef>) {
    let mut cards: Vec<CardSpec> = Vec::new();
    let mut refs = Vec::new();
    for card in raw {
        let at = offset + card.topic.span().start;
        let Some(topic) = Topic::parse(card.topic.get_ref()) else {
            diags.push(
                Diagnostic::new(
                    path,
                    format!("card topic `{}` is not a slug", card.topic.get_ref()),
                )
                .at(source, at)
                .help(format!(
                    "use the lowercase topic its facts have, for example `parties` (at most {} characters)",
                    Topic::MAX_LEN
                )),
            );
            continue;
        };
        if cards.iter().any(|c| c.topic == topic) {
            diags.push(
                Diagnostic::new(path, format!("card `{topic}` is declared twice"))
                    .at(source, at)
                    .help("declare each card once"),
            );
            continue;
        }
        if card.title.get_ref().trim().is_empty() {
            diags.push(
                Diagnostic::new(path, format!("card `{topic}` has an empty title"))
                    .at(source, offset + card.title.span().start)
                    .help(
                        "give the card the heading it is shown under, for example \"The parties\"",
                    ),
            );
            continue;
        }
        if let Some(entity) = card.entity {
            refs.push(CardRef {
                card: cards.len(),
                line: crate::content::diagnostic::line_column(source, offset + entity.span().start)
                    .0,
                id: entity.into_inner(),
            });
        }
        cards.push(CardSpec {
            topic,
            title: card.title.into_inner(),
            entity: None,
        });
    }
    (cards, refs)
}

/// Resolves the entities cards name, and gives a story that declares no
/// card one for each topic its facts use, in the order they first appear.
/// While `entities.toml` did not load (`shared_failed`), an entity not
/// found is not reported but counted, and the count returned.
pub(super) fn resolve_cards(
    corpus: &mut Corpus,
    refs: Vec<(usize, PathBuf, CardRef)>,
    shared_failed: bool,
    diags: &mut Diagnostics,
) -> usize {
    let mut unchecked = 0;
    for (article, path, r) in refs {
        let story = corpus.articles[article].id.clone();
        match visible_entity(&corpus.entities, &story, &r.id) {
            Some(key) => corpus.articles[article].cards[r.card].entity = Some(key),
            None if shared_failed => unchecked += 1,
            None => diags.push(
                Diagnostic::new(&path, format!("unknown entity `{}`", r.id))
                    .at_line(r.line)
                    .help(format!(
                        "define it in {ENTITIES_FILE} or in facts/{story}.toml, or fix the spelling"
                    )),
            ),
        }
    }
    let position: HashMap<&str, usize> = corpus
        .articles
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    let mut topics: Vec<Vec<&Topic>> = vec![Vec::new(); corpus.articles.len()];
    for fact in &corpus.facts {
        if let Some(&a) = position.get(fact.story.as_str())
            && !topics[a].contains(&&fact.topic)
        {
            topics[a].push(&fact.topic);
        }
    }
    let defaults: Vec<Vec<CardSpec>> = topics
        .into_iter()
        .map(|list| {
            list.into_iter()
                .map(|topic| CardSpec {
                    title: topic.heading(),
                    topic: topic.clone(),
                    entity: None,
                })
                .collect()
        })
        .collect();
    for (article, cards) in corpus.articles.iter_mut().zip(defaults) {
        if article.cards.is_empty() {
            article.cards = cards;
        }
    }
    unchecked
}

/// The key of the entity `id` as facts of `story` see it: the story's own
/// entity first, then a shared one.
fn visible_entity(entities: &[Entity], story: &str, id: &str) -> Option<String> {
    entities
        .iter()
        .find(|e| e.id == id && e.story.as_deref() == Some(story))
        .or_else(|| entities.iter().find(|e| e.id == id && e.story.is_none()))
        .map(Entity::key)
}

/// Longest paragraph accepted, in bytes (about 2,500 words; the shipped
/// article's longest is about 500). Answering reads, scores and quotes a
/// paragraph whole, so this bounds the work and memory of every question.
pub const MAX_PARAGRAPH_BYTES: usize = 16 * 1024;

/// Whether every paragraph is within [`MAX_PARAGRAPH_BYTES`]; each that is
/// not is reported at its first line.
fn paragraphs_fit(
    path: &Path,
    source: &str,
    body_start: usize,
    paragraphs: &[String],
    diags: &mut Diagnostics,
) -> bool {
    if paragraphs.iter().all(|p| p.len() <= MAX_PARAGRAPH_BYTES) {
        return true;
    }
    let mut ok = true;
    // Paragraphs are trimmed copies, in order: the start of their first
    // line, looked for from where the previous one started, locates them
    // (a line, since the copy joins lines with "\n" whatever the file used).
    let mut cursor = body_start;
    for (i, p) in paragraphs.iter().enumerate() {
        let first_line = p.lines().next().unwrap_or_default();
        let head = &first_line[..text::floor_char_boundary(first_line, 64)];
        let at = line_starting_with(source, cursor, head).unwrap_or(cursor);
        cursor = at + head.len();
        if p.len() <= MAX_PARAGRAPH_BYTES {
            continue;
        }
        diags.push(
            Diagnostic::new(
                path,
                format!(
                    "paragraph {} is {} bytes long, over the limit of {MAX_PARAGRAPH_BYTES} bytes",
                    i + 1,
                    p.len()
                ),
            )
            .at(source, at)
            .help("split it into shorter paragraphs with blank lines"),
        );
        ok = false;
    }
    ok
}

/// Where, from `from` on, a line starts with `head` (after its
/// indentation): a short first line ("Yes.") may also stand inside an
/// earlier line. One pass over the lines.
fn line_starting_with(source: &str, from: usize, head: &str) -> Option<usize> {
    let mut offset = from;
    let mut at_line_start = from == 0 || source[..from].ends_with('\n');
    for line in source[from..].split_inclusive('\n') {
        let trimmed = line.trim_start();
        if at_line_start && trimmed.starts_with(head) {
            return Some(offset + line.len() - trimmed.len());
        }
        offset += line.len();
        at_line_start = true;
    }
    None
}

pub(super) fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// The blank-line-separated blocks of `body`, each trimmed of surrounding
/// white space; lines inside a block keep their line breaks.
pub fn split_paragraphs(body: &str) -> Vec<String> {
    let mut paragraphs = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in body.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                paragraphs.push(current.join("\n").trim().to_string());
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current.join("\n").trim().to_string());
    }
    paragraphs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::model::is_slug;

    #[test]
    fn a_paragraph_is_found_where_a_line_starts_with_it() {
        let source = "He said Yes. to that\r\n\r\n  Yes.\r\nMore\r\n";
        let at = line_starting_with(source, 0, "Yes.").unwrap();
        assert_eq!(&source[at..at + 6], "Yes.\r\n");
        assert_eq!(source[..at].matches('\n').count(), 2);
        // From inside a line, that line's rest is not a line start.
        assert_eq!(line_starting_with(source, 3, "said"), None);
    }

    #[test]
    fn paragraphs_are_blank_line_separated_blocks() {
        let body = "\nFirst line\nstill first.\n\n  \nSecond.\n\n\nThird.\n";
        assert_eq!(
            split_paragraphs(body),
            ["First line\nstill first.", "Second.", "Third."]
        );
    }

    #[test]
    fn the_id_of_a_front_matter_that_does_not_parse_is_read_from_its_line() {
        let broken = "id = \"bridge-vote\"\ntitle = \"Vote\"\ndate = 2026-14-03\n";
        assert_eq!(id_line_alone(broken).as_deref(), Some("bridge-vote"));
        // Only a top-level id, spelt as TOML, and not an empty one.
        assert_eq!(id_line_alone("[[card]]\nid = \"x\"\n"), None);
        assert_eq!(id_line_alone("id = bridge-vote\n"), None);
        assert_eq!(id_line_alone("id = \" \"\n"), None);
        assert_eq!(id_line_alone("idea = \"x\"\n"), None);
    }

    #[test]
    fn iso_dates_only() {
        assert!(is_iso_date("2025-08-08"));
        assert!(!is_iso_date("8 August 2025"));
        assert!(!is_iso_date("2025/08/08"));
    }

    #[test]
    fn slugs_are_lowercase_words_and_dashes() {
        assert!(is_slug("peace-deal-2025"));
        assert!(!is_slug("Peace Deal"));
        assert!(!is_slug(""));
    }
}
