//! `facts/*.toml`: each fact's fields, its story and entities, and its
//! citations checked verbatim against the paragraphs they name.

use std::cell::Cell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::entities::{Names, RawEntity, Scope, ScopedNames, check_entities};
use super::{ARTICLES_DIR, ENTITIES_FILE, toml_diagnostic};
use crate::content::diagnostic::{Diagnostic, Diagnostics, Lines};
use crate::content::model::{Cite, Corpus, Entity, Fact, Intent, Topic, is_slug};
use crate::text;

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
    title: Spanned<String>,
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
pub(super) struct Known {
    pub(super) articles: HashMap<String, usize>,
    /// Ids of the shared entities.
    pub(super) shared: HashSet<String>,
    pub(super) shared_names: Names,
    /// Ids of the articles that did not load (from their front matter, or
    /// their file names when it could not be read). Their facts are
    /// not checked: every cite would be reported again, for one mistake.
    pub(super) unloaded: HashSet<String>,
    /// Whether `entities.toml` did not load, so an entity not found may
    /// well be defined there.
    pub(super) shared_failed: bool,
}

/// What one facts file holds once checked.
#[derive(Default)]
pub(super) struct FactsOfFile {
    /// The story's own entities (facts files named after an article).
    pub(super) entities: Vec<Entity>,
    pub(super) facts: Vec<(Fact, usize)>,
    /// Entity references not found while `entities.toml` did not load:
    /// not reported one by one.
    pub(super) unchecked_entities: usize,
}

/// Reads `facts/SLUG.toml`: the facts and own entities of story SLUG.
/// A file named after no article may hold facts (each belongs to the
/// article it cites) but no entities. A file of an article that did not
/// load is not checked, and says so once.
pub(super) fn parse_facts_file(
    path: &Path,
    source: &str,
    corpus: &Corpus,
    known: &Known,
    diags: &mut Diagnostics,
) -> FactsOfFile {
    let stem = super::file_stem(path);
    if known.unloaded.contains(stem) {
        diags.push(
            Diagnostic::new(
                path,
                format!("the facts of `{stem}` were not checked: its article did not load"),
            )
            .help(format!(
                "fix the article `{stem}` in {ARTICLES_DIR}/ (its problems are listed above), then check again"
            )),
        );
        return FactsOfFile::default();
    }
    let file: FactsFile = match toml::from_str(source) {
        Ok(f) => f,
        Err(err) => {
            diags.push(toml_diagnostic(path, source, 0, &err));
            return FactsOfFile::default();
        }
    };
    let story = known.articles.contains_key(stem).then_some(stem);
    let entities = story_entities(path, source, story, file.entity, known, diags);
    let lines = Lines::of(source);
    let cx = FactContext {
        path,
        source,
        lines: &lines,
        corpus,
        known,
        story,
        own: &entities,
        unchecked_entities: Cell::new(0),
    };
    let facts = check_facts(&cx, file.fact, diags);
    let unchecked_entities = cx.unchecked_entities.get();
    FactsOfFile {
        entities,
        facts,
        unchecked_entities,
    }
}

/// The file's facts, checked, but for those citing an article that did not
/// load: they are left unchecked, said once for the file.
fn check_facts(
    cx: &FactContext,
    raws: Vec<Spanned<RawFact>>,
    diags: &mut Diagnostics,
) -> Vec<(Fact, usize)> {
    let mut facts = Vec::new();
    let (mut skipped, mut unloaded) = (0, BTreeSet::new());
    for raw in raws {
        let cited = raw
            .get_ref()
            .cite
            .iter()
            .map(|c| c.get_ref().article.get_ref());
        let gone: Vec<&String> = cited.filter(|a| cx.known.unloaded.contains(*a)).collect();
        if gone.is_empty() {
            facts.extend(parse_fact(cx, raw, diags));
        } else {
            skipped += 1;
            unloaded.extend(gone.into_iter().map(|a| format!("`{a}`")));
        }
    }
    if skipped > 0 {
        let articles: Vec<String> = unloaded.into_iter().collect();
        diags.push(
            Diagnostic::new(
                cx.path,
                format!(
                    "{skipped} fact(s) were not checked: they cite an article that did not load"
                ),
            )
            .help(format!(
                "fix the article(s) {} in {ARTICLES_DIR}/ (their problems are listed above), then check again",
                articles.join(", ")
            )),
        );
    }
    facts
}

/// The story's own entities, checked; entities in a file named after no
/// article are reported.
fn story_entities(
    path: &Path,
    source: &str,
    story: Option<&str>,
    raws: Vec<Spanned<RawEntity>>,
    known: &Known,
    diags: &mut Diagnostics,
) -> Vec<Entity> {
    match (story, raws.first()) {
        (Some(story), _) => {
            let scope = Scope {
                story: Some(story),
                shared: &known.shared,
            };
            let mut names = ScopedNames {
                shared: Some(&known.shared_names),
                own: Names::new(),
            };
            check_entities(path, source, raws, &scope, &mut names, diags)
        }
        (None, Some(first)) => {
            let stem = super::file_stem(path);
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
    }
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
    /// Entity references not found while `entities.toml` did not load.
    unchecked_entities: Cell<usize>,
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
        title: raw.title.into_inner(),
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
            .help(format!(
                "use a lowercase word such as `parties`, `terms` or `quotes` (at most {} characters)",
                Topic::MAX_LEN
            )),
        );
    }
    if raw.title.get_ref().trim().is_empty() {
        diags.push(
            Diagnostic::new(path, format!("fact `{id}` has an empty title"))
                .at(source, raw.title.span().start)
                .help("give the fact a short heading, for example \"Price agreed\""),
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
    if key.is_none() && cx.known.shared_failed {
        // It may be one of entities.toml's: one note says so for them all.
        cx.unchecked_entities.set(cx.unchecked_entities.get() + 1);
    } else if key.is_none() {
        let help = if story.is_empty() {
            // No story: the fact's cites name no article, as reported.
            format!("define it in {ENTITIES_FILE}, or fix the spelling")
        } else {
            format!(
                "define it in {ENTITIES_FILE} or under [[entity]] in facts/{story}.toml, or fix the spelling"
            )
        };
        diags.push(
            Diagnostic::new(cx.path, format!("unknown entity `{}`", e.get_ref()))
                .at(cx.source, e.span().start)
                .note(nearest_entity_note(e.get_ref(), cx, story))
                .help(help),
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
        let diag = Diagnostic::new(
            path,
            format!("quote not found verbatim in paragraph {number} of `{article_id}`"),
        )
        .at(source, raw.quote.span().start);
        diags.push(not_verbatim(diag, article, quote, paragraph));
        return None;
    }
    Some(Cite {
        article: article_id.clone(),
        paragraph: number as u32,
        quote: quote.clone(),
    })
}

/// What to do about a quote the cited paragraph (`cited`) does not hold:
/// cite the paragraph that holds it word for word, or copy the words as
/// they stand (the nearest text shown).
fn not_verbatim(
    diag: Diagnostic,
    article: &crate::content::Article,
    quote: &str,
    cited: &str,
) -> Diagnostic {
    let elsewhere = article.paragraphs.iter().position(|p| p.contains(quote));
    match elsewhere.map(|i| i + 1) {
        Some(n) => diag
            .note(format!("the quote stands verbatim in paragraph {n}"))
            .help(format!("cite paragraph = {n}")),
        None => diag
            .note(format!(
                "nearest text in that paragraph: \"{}\"",
                text::nearest_window(quote, cited)
            ))
            .help("copy the words exactly as they stand, quotation marks, dashes and spacing included"),
    }
}
