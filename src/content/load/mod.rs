//! Reading a content directory: articles (Markdown with TOML front matter),
//! `entities.toml`, `facts/*.toml` and the optional `lexicon.toml`.
//!
//! Loading never stops at the first problem: it collects every one it can
//! find so an editor fixes them all in one pass. A problem that hides what
//! depends on it (an article or `entities.toml` that does not load) is
//! reported once, with one line for what was left unchecked, not again at
//! every fact that refers to it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::diagnostic::{Diagnostic, Diagnostics};
use super::model::{Corpus, Entity, Fact};
use super::{ContentError, files};

mod articles;
mod entities;
mod facts;
mod lexicon;

use articles::{CardRef, ParsedArticle, parse_article, resolve_cards};
use entities::{Names, ScopedNames, parse_entities_file};
use facts::{Known, parse_facts_file};
use lexicon::parse_lexicon;

pub use articles::split_paragraphs;

/// Where each kind of content file lives inside a content directory.
pub const ARTICLES_DIR: &str = "articles";
pub const FACTS_DIR: &str = "facts";
pub const ENTITIES_FILE: &str = "entities.toml";
pub const LEXICON_FILE: &str = "lexicon.toml";

/// Whether content directory `dir` holds an article whose id `known` knows:
/// by its file's name (an article is usually filed under its id), else by
/// the id its front matter gives, files read only until one is known.
/// `None` when `dir` holds no article (or no articles directory).
pub fn holds_any_of(dir: &Path, known: impl Fn(&str) -> bool) -> Option<bool> {
    let mut diags = Diagnostics::default();
    let paths = files::regular(
        files::listed(&dir.join(ARTICLES_DIR), "md").ok()?,
        &mut diags,
    );
    if paths.is_empty() {
        return None;
    }
    let by_name = paths.iter().any(|p| known(file_stem(p)));
    let by_id = || {
        paths.iter().any(|p| {
            let source = files::read(p).ok();
            source
                .and_then(|s| articles::front_matter_id(p, &s))
                .is_some_and(|id| known(&id))
        })
    };
    Some(by_name || by_id())
}

/// Loads and validates the content directory `dir`.
pub fn load(dir: &Path) -> Result<Corpus, ContentError> {
    if !dir.is_dir() {
        return Err(ContentError::Missing(dir.to_path_buf()));
    }
    let mut diags = Diagnostics::default();
    let mut corpus = Corpus::default();
    let (card_refs, unloaded) = load_articles(dir, &mut corpus, &mut diags)?;

    let entities_path = dir.join(ENTITIES_FILE);
    let mut shared_names = ScopedNames {
        shared: None,
        own: Names::new(),
    };
    let shared = load_shared_entities(&entities_path, &mut shared_names, &mut diags)?;
    let shared_failed = shared.is_none();
    corpus.entities = shared.unwrap_or_default();
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
        unloaded,
        shared_failed,
    };
    let facts = load_facts(dir, &corpus, &known, &mut diags)?;
    corpus.facts = facts.facts;
    corpus.entities.extend(facts.entities);
    let unchecked =
        facts.unchecked_entities + resolve_cards(&mut corpus, card_refs, shared_failed, &mut diags);
    if unchecked > 0 {
        diags.push(unchecked_entities(&entities_path, unchecked));
    }

    if diags.is_empty() {
        Ok(corpus)
    } else {
        Err(ContentError::Invalid(diags))
    }
}

/// Says once that `count` entity ids were not looked up because
/// `entities.toml`, which may define them, did not load.
fn unchecked_entities(path: &Path, count: usize) -> Diagnostic {
    Diagnostic::new(
        path,
        format!("{count} entity reference(s) in facts and cards were not checked: {ENTITIES_FILE} did not load"),
    )
    .help(format!("fix {ENTITIES_FILE} (its problem is listed above), then check again"))
}

/// Cards' entity references, each with its article's index and file:
/// resolved once the entities are known.
type CardRefs = Vec<(usize, PathBuf, CardRef)>;

/// Reads `articles/*.md` into `corpus` (files read and parsed in parallel;
/// checks across files after, in file order, so the report is the same on
/// any machine). Returns the cards' entity references, and the ids (file
/// names) of the articles that did not load.
fn load_articles(
    dir: &Path,
    corpus: &mut Corpus,
    diags: &mut Diagnostics,
) -> Result<(CardRefs, HashSet<String>), ContentError> {
    let paths = files::regular(files::listed(&dir.join(ARTICLES_DIR), "md")?, diags);
    let parsed = par_map(&paths, |path| {
        let mut local = Diagnostics::default();
        let article = files::read(path).map(|source| parse_article(path, &source, &mut local));
        (article, local)
    });
    let mut first_paths: HashMap<String, (PathBuf, usize)> = HashMap::new();
    let (mut card_refs, mut unloaded) = (Vec::new(), HashSet::new());
    for (path, (parsed, local)) in paths.iter().zip(parsed) {
        diags.0.extend(local.0);
        let ParsedArticle {
            article,
            refs,
            id_line,
        } = match parsed? {
            Ok(parsed) => parsed,
            Err(id) => {
                // Facts cite it by the id its front matter gives, if that
                // could be read, and by convention by the file's name.
                unloaded.extend(id);
                unloaded.insert(file_stem(path).to_string());
                continue;
            }
        };
        if let Some((first, first_line)) = first_paths.get(&article.id) {
            diags.push(
                Diagnostic::new(path, format!("duplicate article id `{}`", article.id))
                    .at_line(id_line)
                    .note(format!("first used in {}:{first_line}", first.display()))
                    .help("give each article its own `id` in its front matter"),
            );
            continue;
        }
        first_paths.insert(article.id.clone(), (path.clone(), id_line));
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
    // An article of that id loaded from another file: facts can cite it.
    unloaded.retain(|id| !first_paths.contains_key(id));
    Ok((card_refs, unloaded))
}

/// The shared entities of `entities.toml` (none when it is absent), or
/// `None` when it is there but did not load (not a regular file, or not
/// valid TOML).
fn load_shared_entities(
    path: &Path,
    names: &mut ScopedNames,
    diags: &mut Diagnostics,
) -> Result<Option<Vec<Entity>>, ContentError> {
    let before = diags.len();
    let source = files::read_optional(path, diags)?;
    if diags.len() > before {
        return Ok(None);
    }
    Ok(match source {
        Some(source) => parse_entities_file(path, &source, names, diags),
        None => Some(Vec::new()),
    })
}

/// What the facts files hold together.
struct LoadedFacts {
    facts: Vec<Fact>,
    /// The entities the files declare for their stories.
    entities: Vec<Entity>,
    /// Entity references not checked because `entities.toml` did not load.
    unchecked_entities: usize,
}

/// Reads `facts/*.toml` (in parallel, checked across files in file order).
fn load_facts(
    dir: &Path,
    corpus: &Corpus,
    known: &Known,
    diags: &mut Diagnostics,
) -> Result<LoadedFacts, ContentError> {
    let paths = files::regular(files::listed(&dir.join(FACTS_DIR), "toml")?, diags);
    let parsed = par_map(&paths, |path| {
        let mut local = Diagnostics::default();
        let file = files::read(path)
            .map(|source| parse_facts_file(path, &source, corpus, known, &mut local));
        (file, local)
    });
    let mut fact_lines: HashMap<String, (PathBuf, usize)> = HashMap::new();
    let mut out = LoadedFacts {
        facts: Vec::new(),
        entities: Vec::new(),
        unchecked_entities: 0,
    };
    for (path, (file, local)) in paths.iter().zip(parsed) {
        diags.0.extend(local.0);
        let file = file?;
        out.entities.extend(file.entities);
        out.unchecked_entities += file.unchecked_entities;
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
            out.facts.push(fact);
        }
    }
    Ok(out)
}

/// A file's name without its extension: an article's id and its facts
/// file's name, by the project's convention ("" when it is not UTF-8).
fn file_stem(path: &Path) -> &str {
    path.file_stem().and_then(|s| s.to_str()).unwrap_or("")
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
