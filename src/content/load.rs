//! Reading a content directory: articles (Markdown with TOML front matter),
//! `entities.toml`, `facts/*.toml` and the optional `lexicon.toml`.
//!
//! Loading never stops at the first problem: it collects every one it can
//! find so an editor fixes them all in one pass.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::diagnostic::{Diagnostic, Diagnostics, Lines};
use super::model::{
    Article, CardSpec, Cite, Corpus, Entity, Fact, Intent, Lexicon, Topic, is_slug,
};
use super::{ContentError, files};
use crate::text;

/// Where each kind of content file lives inside a content directory.
pub const ARTICLES_DIR: &str = "articles";
pub const FACTS_DIR: &str = "facts";
pub const ENTITIES_FILE: &str = "entities.toml";
pub const LEXICON_FILE: &str = "lexicon.toml";

/// Loads and validates the content directory `dir`.
pub fn load(dir: &Path) -> Result<Corpus, ContentError> {
    if !dir.is_dir() {
        return Err(ContentError::Missing(dir.to_path_buf()));
    }
    let mut diags = Diagnostics::default();
    let mut corpus = Corpus::default();
    let card_refs = load_articles(dir, &mut corpus, &mut diags)?;

    let entities_path = dir.join(ENTITIES_FILE);
    let mut shared_names = ScopedNames {
        shared: None,
        own: Names::new(),
    };
    if let Some(source) = files::read_optional(&entities_path, &mut diags)? {
        corpus.entities =
            parse_entities_file(&entities_path, &source, &mut shared_names, &mut diags);
    }
    let lexicon_path = dir.join(LEXICON_FILE);
    if let Some(source) = files::read_optional(&lexicon_path, &mut diags)? {
        corpus.lexicon = parse_lexicon(&lexicon_path, &source, &mut diags);
    }

    let known = Known {
        articles: corpus
            .articles
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.clone(), i))
            .collect(),
        shared: corpus.entities.iter().map(|e| e.id.clone()).collect(),
        shared_names: shared_names.own,
    };
    let (facts, story_entities) = load_facts(dir, &corpus, &known, &mut diags)?;
    corpus.facts = facts;
    corpus.entities.extend(story_entities);
    resolve_cards(&mut corpus, card_refs, &mut diags);

    if diags.is_empty() {
        Ok(corpus)
    } else {
        Err(ContentError::Invalid(diags))
    }
}

/// Reads `articles/*.md` into `corpus` (files read and parsed in parallel;
/// checks across files after, in file order, so the report is the same on
/// any machine). Returns the cards' entity references, resolved once the
/// entities are known.
fn load_articles(
    dir: &Path,
    corpus: &mut Corpus,
    diags: &mut Diagnostics,
) -> Result<Vec<(usize, PathBuf, CardRef)>, ContentError> {
    let paths = files::regular(files::listed(&dir.join(ARTICLES_DIR), "md")?, diags);
    let parsed = par_map(&paths, |path| {
        let mut local = Diagnostics::default();
        let article = files::read(path).map(|source| parse_article(path, &source, &mut local));
        (article, local)
    });
    let mut first_paths: HashMap<String, PathBuf> = HashMap::new();
    let mut card_refs = Vec::new();
    for (path, (article, local)) in paths.iter().zip(parsed) {
        diags.0.extend(local.0);
        let Some((article, refs)) = article? else {
            continue;
        };
        if let Some(first) = first_paths.get(&article.id) {
            diags.push(
                Diagnostic::new(path, format!("duplicate article id `{}`", article.id))
                    .at_line(2)
                    .note(format!("first used in {}:2", first.display()))
                    .help("give each article its own `id` in its front matter"),
            );
            continue;
        }
        first_paths.insert(article.id.clone(), path.clone());
        let index = corpus.articles.len();
        card_refs.extend(refs.into_iter().map(|r| (index, path.clone(), r)));
        corpus.articles.push(article);
    }
    if corpus.articles.is_empty() && diags.is_empty() {
        diags.push(
            Diagnostic::new(&dir.join(ARTICLES_DIR), "no articles found").help(
                "add an article as articles/SLUG.md with TOML front matter between `+++` lines",
            ),
        );
    }
    Ok(card_refs)
}

/// Reads `facts/*.toml` (in parallel, checked across files in file order):
/// the facts, and the entities the files declare for their stories.
fn load_facts(
    dir: &Path,
    corpus: &Corpus,
    known: &Known,
    diags: &mut Diagnostics,
) -> Result<(Vec<Fact>, Vec<Entity>), ContentError> {
    let paths = files::regular(files::listed(&dir.join(FACTS_DIR), "toml")?, diags);
    let parsed = par_map(&paths, |path| {
        let mut local = Diagnostics::default();
        let file = files::read(path)
            .map(|source| parse_facts_file(path, &source, corpus, known, &mut local));
        (file, local)
    });
    let mut fact_lines: HashMap<String, (PathBuf, usize)> = HashMap::new();
    let (mut facts, mut story_entities) = (Vec::new(), Vec::new());
    for (path, (file, local)) in paths.iter().zip(parsed) {
        diags.0.extend(local.0);
        let file = file?;
        story_entities.extend(file.entities);
        for (fact, line) in file.facts {
            if let Some((first, first_line)) = fact_lines.get(&fact.key()) {
                diags.push(
                    Diagnostic::new(
                        path,
                        format!("duplicate fact id `{}` in story `{}`", fact.id, fact.story),
                    )
                    .at_line(line)
                    .note(format!("first used at {}:{first_line}", first.display()))
                    .help("give each fact of a story its own id"),
                );
                continue;
            }
            fact_lines.insert(fact.key(), (path.clone(), line));
            facts.push(fact);
        }
    }
    Ok((facts, story_entities))
}

/// `f` over `items` on as many threads as there are cores, in order.
fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let f = &f;
        let workers: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// Turns a TOML parse error into a diagnostic at the place it points to.
fn toml_diagnostic(path: &Path, source: &str, offset: usize, err: &toml::de::Error) -> Diagnostic {
    let start = err.span().map_or(0, |s| s.start) + offset;
    Diagnostic::new(path, format!("invalid TOML: {}", err.message().trim_end()))
        .at(source, start)
        .help("see the content format in README.md")
}

// ---------------------------------------------------------------------------
// Articles

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    id: Spanned<String>,
    title: String,
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
    title: String,
    entity: Option<Spanned<String>>,
}

/// A card's entity as written, resolved once every entity is known.
struct CardRef {
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

fn parse_article(
    path: &Path,
    source: &str,
    diags: &mut Diagnostics,
) -> Option<(Article, Vec<CardRef>)> {
    let Layout { front, body_start } = layout(path, source, diags)?;
    let fm_start = front.start;
    let fm: FrontMatter = match toml::from_str(&source[front]) {
        Ok(fm) => fm,
        Err(err) => {
            diags.push(toml_diagnostic(path, source, fm_start, &err));
            return None;
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
        title: fm.title,
        date,
        publisher: fm.publisher,
        url: fm.url.map(Spanned::into_inner),
        paragraphs,
        cards,
    };
    ok.then_some((article, refs))
}

/// Checks the front matter's id, date and url: the id and the date as
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
        && !(url.get_ref().starts_with("https://") || url.get_ref().starts_with("http://"))
    {
        diags.push(
            Diagnostic::new(path, "`url` must be an http(s) address")
                .at(source, fm_start + url.span().start)
                .help("give the full address of the article, starting with https://"),
        );
        ok = false;
    }
    (id, date, ok)
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
                .help("use the lowercase topic its facts have, for example `parties`"),
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
        if let Some(entity) = card.entity {
            refs.push(CardRef {
                card: cards.len(),
                line: super::diagnostic::line_column(source, offset + entity.span().start).0,
                id: entity.into_inner(),
            });
        }
        cards.push(CardSpec {
            topic,
            title: card.title,
            entity: None,
        });
    }
    (cards, refs)
}

/// Resolves the entities cards name, and gives a story that declares no
/// card one for each topic its facts use, in the order they first appear.
fn resolve_cards(
    corpus: &mut Corpus,
    refs: Vec<(usize, PathBuf, CardRef)>,
    diags: &mut Diagnostics,
) {
    for (article, path, r) in refs {
        let story = corpus.articles[article].id.clone();
        match visible_entity(&corpus.entities, &story, &r.id) {
            Some(key) => corpus.articles[article].cards[r.card].entity = Some(key),
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
    // Paragraphs are trimmed copies, in order: their first bytes, looked
    // for from where the previous one started, locate them.
    let mut cursor = body_start;
    for (i, p) in paragraphs.iter().enumerate() {
        let head = &p[..text::floor_char_boundary(p, 64)];
        let at = source[cursor..].find(head).map_or(cursor, |o| cursor + o);
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

fn is_iso_date(s: &str) -> bool {
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

// ---------------------------------------------------------------------------
// Entities

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntitiesFile {
    #[serde(default)]
    entity: Vec<Spanned<RawEntity>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntity {
    id: Spanned<String>,
    name: String,
    kind: String,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    description: Option<String>,
}

/// Folded name → (entity id, where it is defined), so two entities in one
/// scope never claim one name.
type Names = HashMap<Vec<String>, (String, String)>;

/// The names taken in one scope: those of the shared entities (borrowed,
/// when the scope is a story) and those defined in the scope itself.
struct ScopedNames<'a> {
    shared: Option<&'a Names>,
    own: Names,
}

impl ScopedNames<'_> {
    fn get(&self, key: &[String]) -> Option<&(String, String)> {
        self.own
            .get(key)
            .or_else(|| self.shared.and_then(|s| s.get(key)))
    }
}

fn parse_entities_file(
    path: &Path,
    source: &str,
    names: &mut ScopedNames,
    diags: &mut Diagnostics,
) -> Vec<Entity> {
    let file: EntitiesFile = match toml::from_str(source) {
        Ok(f) => f,
        Err(err) => {
            diags.push(toml_diagnostic(path, source, 0, &err));
            return Vec::new();
        }
    };
    let scope = Scope {
        story: None,
        shared: &HashSet::new(),
    };
    check_entities(path, source, file.entity, &scope, names, diags)
}

/// Where entities are defined: shared (`story` is `None`) or a story's own,
/// whose ids must not hide a shared entity's.
struct Scope<'a> {
    story: Option<&'a str>,
    shared: &'a HashSet<String>,
}

/// Validated entities; `names` holds the names already taken in scope.
fn check_entities(
    path: &Path,
    source: &str,
    raws: Vec<Spanned<RawEntity>>,
    scope: &Scope,
    names: &mut ScopedNames,
    diags: &mut Diagnostics,
) -> Vec<Entity> {
    let mut out = Vec::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    let lines = Lines::of(source);
    for raw in raws {
        let raw = raw.into_inner();
        let id = raw.id.get_ref().clone();
        let here = raw.id.span().start;
        let line = lines.line(here);
        if !is_slug(&id) {
            diags.push(
                Diagnostic::new(path, format!("entity id `{id}` is not a slug"))
                    .at(source, here)
                    .help("use lowercase letters, digits and dashes"),
            );
            continue;
        }
        if let Some(first) = ids.get(&id) {
            diags.push(
                Diagnostic::new(path, format!("duplicate entity id `{id}`"))
                    .at(source, here)
                    .note(format!("first defined at line {first}"))
                    .help("give each entity its own id, or merge the two"),
            );
            continue;
        }
        if scope.shared.contains(&id) {
            diags.push(
                Diagnostic::new(path, format!("entity id `{id}` is already a shared entity"))
                    .at(source, here)
                    .note(format!("`{id}` is defined in {ENTITIES_FILE}"))
                    .help("refer to the shared entity instead, or give this one another id"),
            );
            continue;
        }
        ids.insert(id.clone(), line);
        let aliases = check_names(
            path,
            source,
            &id,
            Named {
                name: &raw.name,
                at: here,
                line,
            },
            raw.aliases,
            names,
            diags,
        );
        out.push(Entity {
            id,
            story: scope.story.map(str::to_string),
            name: raw.name,
            kind: raw.kind,
            aliases,
            description: raw.description,
        });
    }
    out
}

/// An entity's name, its byte offset and its line in the file.
struct Named<'a> {
    name: &'a str,
    at: usize,
    line: usize,
}

/// The aliases of entity `id` worth keeping; a name another entity in
/// scope already has is reported.
fn check_names(
    path: &Path,
    source: &str,
    id: &str,
    name: Named<'_>,
    aliases: Vec<Spanned<String>>,
    names: &mut ScopedNames,
    diags: &mut Diagnostics,
) -> Vec<String> {
    let line = name.line;
    let all =
        std::iter::once((name.name.to_string(), name.at)).chain(aliases.into_iter().map(|a| {
            let at = a.span().start;
            (a.into_inner(), at)
        }));
    let mut kept = Vec::new();
    for (i, (name, at)) in all.enumerate() {
        let key = text::folded_words(&name);
        if key.is_empty() {
            diags.push(
                Diagnostic::new(
                    path,
                    format!("alias `{name}` of `{id}` has no letters or digits"),
                )
                .at(source, at)
                .help("remove it"),
            );
            continue;
        }
        match names.get(&key) {
            Some((other, _)) if other == id => continue,
            Some((other, place)) => {
                diags.push(
                    Diagnostic::new(path, format!("`{name}` names both `{other}` and `{id}`"))
                        .at(source, at)
                        .note(format!("`{other}` is defined at {place}"))
                        .help("an alias must name one entity: remove it from one of them"),
                );
                continue;
            }
            None => {
                let place = format!("{}:{line}", path.display());
                names.own.insert(key, (id.to_string(), place));
            }
        }
        if i > 0 {
            kept.push(name);
        }
    }
    kept
}

// ---------------------------------------------------------------------------
// Lexicon

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LexiconFile {
    #[serde(default)]
    synonyms: Vec<Spanned<Vec<String>>>,
    #[serde(default)]
    generic: Vec<String>,
}

fn parse_lexicon(path: &Path, source: &str, diags: &mut Diagnostics) -> Lexicon {
    let file: LexiconFile = match toml::from_str(source) {
        Ok(f) => f,
        Err(err) => {
            diags.push(toml_diagnostic(path, source, 0, &err));
            return Lexicon::default();
        }
    };
    let mut groups = Vec::new();
    for group in file.synonyms {
        let at = group.span().start;
        let words = group.into_inner();
        if words.len() < 2 {
            diags.push(
                Diagnostic::new(path, "a synonym group needs at least two words")
                    .at(source, at)
                    .help("list words that mean the same, for example [\"broker\", \"mediate\"]"),
            );
            continue;
        }
        groups.push(words);
    }
    Lexicon {
        groups,
        generic: file.generic,
    }
}

// ---------------------------------------------------------------------------
// Facts

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FactsFile {
    #[serde(default)]
    entity: Vec<Spanned<RawEntity>>,
    #[serde(default)]
    fact: Vec<Spanned<RawFact>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFact {
    id: Spanned<String>,
    topic: Spanned<String>,
    title: String,
    #[serde(default)]
    about: Vec<Spanned<String>>,
    text: String,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    answers: Vec<Spanned<String>>,
    speaker: Option<Spanned<String>>,
    #[serde(default)]
    cite: Vec<Spanned<RawCite>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCite {
    article: Spanned<String>,
    paragraph: Spanned<i64>,
    quote: Spanned<String>,
}

/// Ids facts may refer to, for quick look-ups.
struct Known {
    articles: HashMap<String, usize>,
    /// Ids of the shared entities.
    shared: HashSet<String>,
    shared_names: Names,
}

/// What one facts file holds once checked.
struct FactsOfFile {
    /// The story's own entities (facts files named after an article).
    entities: Vec<Entity>,
    facts: Vec<(Fact, usize)>,
}

/// Reads `facts/SLUG.toml`: the facts and own entities of story SLUG.
/// A file named after no article may hold facts (each belongs to the
/// article it cites) but no entities.
fn parse_facts_file(
    path: &Path,
    source: &str,
    corpus: &Corpus,
    known: &Known,
    diags: &mut Diagnostics,
) -> FactsOfFile {
    let file: FactsFile = match toml::from_str(source) {
        Ok(f) => f,
        Err(err) => {
            diags.push(toml_diagnostic(path, source, 0, &err));
            return FactsOfFile {
                entities: Vec::new(),
                facts: Vec::new(),
            };
        }
    };
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let story = known.articles.contains_key(stem).then_some(stem);
    let entities = match (story, file.entity.first()) {
        (Some(story), _) => {
            let scope = Scope {
                story: Some(story),
                shared: &known.shared,
            };
            let mut names = ScopedNames {
                shared: Some(&known.shared_names),
                own: Names::new(),
            };
            check_entities(path, source, file.entity, &scope, &mut names, diags)
        }
        (None, Some(first)) => {
            diags.push(
                Diagnostic::new(path, format!("there is no article `{stem}` for these entities"))
                    .at(source, first.span().start)
                    .help(format!(
                        "name the facts file after its article's id, or define shared entities in {ENTITIES_FILE}"
                    )),
            );
            Vec::new()
        }
        (None, None) => Vec::new(),
    };
    let lines = Lines::of(source);
    let facts = file
        .fact
        .into_iter()
        .filter_map(|raw| {
            let cx = FactContext {
                path,
                source,
                lines: &lines,
                corpus,
                known,
                story,
                own: &entities,
            };
            parse_fact(&cx, raw, diags)
        })
        .collect();
    FactsOfFile { entities, facts }
}

/// What checking one fact needs to know.
struct FactContext<'a> {
    path: &'a Path,
    source: &'a str,
    lines: &'a Lines,
    corpus: &'a Corpus,
    known: &'a Known,
    /// The story of the file, when it is named after an article.
    story: Option<&'a str>,
    /// That story's own entities.
    own: &'a [Entity],
}

impl FactContext<'_> {
    /// The key of entity `id` as seen from `story`, if it exists.
    fn entity_key(&self, story: &str, id: &str) -> Option<String> {
        if let Some(e) = self.own.iter().find(|e| e.id == id && e.serves(story)) {
            return Some(e.key());
        }
        self.known.shared.contains(id).then(|| id.to_string())
    }
}

fn parse_fact(
    cx: &FactContext,
    raw: Spanned<RawFact>,
    diags: &mut Diagnostics,
) -> Option<(Fact, usize)> {
    let fact_at = raw.span().start;
    let raw = raw.into_inner();
    let before = diags.len();
    let id = raw.id.get_ref().clone();
    let line = cx.lines.line(raw.id.span().start);
    let (topic, answers) = check_fact_fields(cx, &raw, fact_at, diags);
    let mut cites = Vec::new();
    for cite in raw.cite {
        let checked = check_cite(
            cx.path,
            cx.source,
            cite.into_inner(),
            cx.corpus,
            cx.known,
            diags,
        );
        cites.extend(checked);
    }
    let story = fact_story(cx, &id, &cites, fact_at, diags);
    let mut resolve = |e: &Spanned<String>| resolve_entity(cx, &story, e, diags);
    let about: Vec<Option<String>> = raw.about.iter().map(&mut resolve).collect();
    let speaker = raw.speaker.as_ref().and_then(&mut resolve);
    if diags.len() != before {
        return None;
    }
    let fact = Fact {
        id,
        story,
        topic: topic?,
        title: raw.title,
        about: about.into_iter().flatten().collect(),
        text: raw.text,
        keywords: raw.keywords,
        answers,
        speaker,
        cites,
    };
    Some((fact, line))
}

/// Checks a fact's id, topic, intents, text, speaker and that it cites
/// something; returns its topic and intents where valid.
fn check_fact_fields(
    cx: &FactContext,
    raw: &RawFact,
    fact_at: usize,
    diags: &mut Diagnostics,
) -> (Option<Topic>, Vec<Intent>) {
    let (path, source) = (cx.path, cx.source);
    let id = raw.id.get_ref();
    if !is_slug(id) {
        diags.push(
            Diagnostic::new(path, format!("fact id `{id}` is not a slug"))
                .at(source, raw.id.span().start)
                .help("use lowercase letters, digits and dashes, for example `terms-price`"),
        );
    }
    let topic = Topic::parse(raw.topic.get_ref());
    if topic.is_none() {
        diags.push(
            Diagnostic::new(
                path,
                format!("topic `{}` is not a slug", raw.topic.get_ref()),
            )
            .at(source, raw.topic.span().start)
            .help("use a lowercase word such as `parties`, `terms` or `quotes`"),
        );
    }
    let mut answers = Vec::new();
    for a in &raw.answers {
        match Intent::parse(a.get_ref()) {
            Some(i) => answers.push(i),
            None => diags.push(
                Diagnostic::new(path, format!("unknown question intent `{}`", a.get_ref()))
                    .at(source, a.span().start)
                    .help(format!(
                        "use some of: {}",
                        Intent::ALL.map(Intent::as_str).join(", ")
                    )),
            ),
        }
    }
    let mut missing = |what: String, help: &str| {
        diags.push(Diagnostic::new(path, what).at(source, fact_at).help(help));
    };
    if raw.text.trim().is_empty() {
        missing(
            format!("fact `{id}` has an empty `text`"),
            "state the fact in one sentence",
        );
    }
    if raw.cite.is_empty() {
        missing(
            format!("fact `{id}` cites nothing"),
            "add a [[fact.cite]] with article, paragraph and a verbatim quote",
        );
    }
    if topic.as_ref().is_some_and(|t| t.as_str() == Topic::QUOTES) && raw.speaker.is_none() {
        missing(
            format!("quote `{id}` has no speaker"),
            "add `speaker = \"ENTITY-ID\"` naming who said it",
        );
    }
    (topic, answers)
}

/// The fact's story: the file's, or the article its first cite quotes.
/// Every cite must quote that story.
fn fact_story(
    cx: &FactContext,
    id: &str,
    cites: &[Cite],
    fact_at: usize,
    diags: &mut Diagnostics,
) -> String {
    let story = cx
        .story
        .map(str::to_string)
        .or_else(|| cites.first().map(|c| c.article.clone()))
        .unwrap_or_default();
    if let Some(other) = cites.iter().find(|c| c.article != story) {
        diags.push(
            Diagnostic::new(
                cx.path,
                format!(
                    "fact `{id}` of story `{story}` cites another story, `{}`",
                    other.article
                ),
            )
            .at(cx.source, fact_at)
            .help("a fact cites only its own story's article: split it into one fact per story"),
        );
    }
    story
}

/// The key of the entity a fact of `story` names, or a diagnostic.
fn resolve_entity(
    cx: &FactContext,
    story: &str,
    e: &Spanned<String>,
    diags: &mut Diagnostics,
) -> Option<String> {
    let key = cx.entity_key(story, e.get_ref());
    if key.is_none() {
        diags.push(
            Diagnostic::new(cx.path, format!("unknown entity `{}`", e.get_ref()))
                .at(cx.source, e.span().start)
                .note(nearest_entity_note(e.get_ref(), cx, story))
                .help(format!(
                    "define it in {ENTITIES_FILE} or under [[entity]] in facts/{story}.toml, or fix the spelling"
                )),
        );
    }
    key
}

fn nearest_entity_note(id: &str, cx: &FactContext, story: &str) -> String {
    let visible: Vec<&str> = cx
        .own
        .iter()
        .filter(|e| e.serves(story))
        .map(|e| e.id.as_str())
        .chain(cx.known.shared.iter().map(String::as_str))
        .collect();
    let best = visible
        .iter()
        .map(|e| (strsim::levenshtein(id, e), *e))
        .min();
    match best {
        Some((d, near)) if d <= 3 => format!("did you mean `{near}`?"),
        _ => {
            let mut sorted = visible;
            sorted.sort_unstable();
            format!("known entities: {}", sorted.join(", "))
        }
    }
}

fn check_cite(
    path: &Path,
    source: &str,
    raw: RawCite,
    corpus: &Corpus,
    known: &Known,
    diags: &mut Diagnostics,
) -> Option<Cite> {
    let article_id = raw.article.get_ref();
    let Some(article) = known.articles.get(article_id).map(|&i| &corpus.articles[i]) else {
        let known: Vec<_> = corpus.articles.iter().map(|a| a.id.as_str()).collect();
        diags.push(
            Diagnostic::new(path, format!("unknown article `{article_id}`"))
                .at(source, raw.article.span().start)
                .note(format!("known articles: {}", known.join(", ")))
                .help("cite an article by the `id` in its front matter"),
        );
        return None;
    };
    let number = *raw.paragraph.get_ref();
    let count = article.paragraphs.len();
    let Some(paragraph) = u32::try_from(number)
        .ok()
        .and_then(|n| article.paragraph(n))
    else {
        diags.push(
            Diagnostic::new(
                path,
                format!("paragraph {number} is out of range: `{article_id}` has {count} paragraphs"),
            )
            .at(source, raw.paragraph.span().start)
            .help(format!("paragraphs are numbered from 1 to {count}, in the order of the blank-line-separated blocks")),
        );
        return None;
    };
    let quote = raw.quote.get_ref();
    if quote.trim().is_empty() {
        diags.push(
            Diagnostic::new(path, "empty quote")
                .at(source, raw.quote.span().start)
                .help("copy the supporting words from the paragraph"),
        );
        return None;
    }
    if !paragraph.contains(quote.as_str()) {
        let nearest = text::nearest_window(quote, paragraph);
        diags.push(
            Diagnostic::new(
                path,
                format!("quote not found verbatim in paragraph {number} of `{article_id}`"),
            )
            .at(source, raw.quote.span().start)
            .note(format!("nearest text in that paragraph: \"{nearest}\""))
            .help("copy the words exactly as they stand, quotation marks, dashes and spacing included"),
        );
        return None;
    }
    Some(Cite {
        article: article_id.clone(),
        paragraph: number as u32,
        quote: quote.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_are_blank_line_separated_blocks() {
        let body = "\nFirst line\nstill first.\n\n  \nSecond.\n\n\nThird.\n";
        assert_eq!(
            split_paragraphs(body),
            ["First line\nstill first.", "Second.", "Third."]
        );
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
