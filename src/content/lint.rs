//! Warnings about content that is valid but will answer badly: aliases that
//! repeat their entity's name, aliases that are common English words (they
//! will match text about anything once more stories arrive), entities no fact
//! is about.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::matcher::matches_only_in_capitals;
use super::{Corpus, Diagnostic, ENTITIES_FILE, Entity, FACTS_DIR};
use crate::language::language;
use crate::text;

/// Entities as written, aliases and all (the loader drops an alias that
/// repeats the name).
#[derive(serde::Deserialize, Default)]
struct Written {
    #[serde(default)]
    entity: Vec<WrittenEntity>,
}

#[derive(serde::Deserialize)]
struct WrittenEntity {
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
}

/// The file an entity is defined in, its text, and its entities as written.
struct Source {
    path: PathBuf,
    text: String,
    written: Written,
}

impl Source {
    fn of(dir: &Path, e: &Entity) -> Source {
        let path = match &e.story {
            Some(story) => dir.join(FACTS_DIR).join(format!("{story}.toml")),
            None => dir.join(ENTITIES_FILE),
        };
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let written = toml::from_str(&text).unwrap_or_default();
        Source {
            path,
            text,
            written,
        }
    }
}

/// Warnings for a corpus loaded from `dir`.
pub fn lint(dir: &Path, corpus: &Corpus) -> Vec<Diagnostic> {
    let lower_case = lower_case_words(corpus);
    let mut sources: HashMap<Option<&str>, Source> = HashMap::new();
    let mut out = Vec::new();
    for e in &corpus.entities {
        let src = sources
            .entry(e.story.as_deref())
            .or_insert_with(|| Source::of(dir, e));
        let (path, source) = (&src.path, &src.text);
        let aliases = src
            .written
            .entity
            .iter()
            .find(|w| w.id == e.id)
            .map_or(&e.aliases, |w| &w.aliases);
        for alias in aliases {
            if let Some(warning) = alias_warning(path, e, alias, &lower_case) {
                let at = line_of(source, &format!("\"{alias}\""));
                out.push(warning.at_line(at).warning());
            }
        }
        let key = e.key();
        let about = corpus
            .facts
            .iter()
            .any(|f| f.about.contains(&key) || f.speaker.as_deref() == Some(&key));
        if !about && !corpus.facts.is_empty() {
            out.push(
                Diagnostic::new(path, format!("no fact is about `{}`", e.id))
                    .at_line(line_of(source, &format!("\"{}\"", e.id)))
                    .help("add it to a fact's `about`, or remove the entity")
                    .warning(),
            );
        }
    }
    out
}

/// What is wrong with `alias` of `e`, if anything: it repeats the name, or
/// it is a common word.
fn alias_warning(
    path: &Path,
    e: &Entity,
    alias: &str,
    lower_case: &HashSet<String>,
) -> Option<Diagnostic> {
    if text::folded_words(alias) == text::folded_words(&e.name) {
        let message = format!("alias `{alias}` of `{}` is its name", e.id);
        return Some(
            Diagnostic::new(path, message)
                .help("remove it: names already match in any case and accent"),
        );
    }
    if !is_common_word(alias, lower_case) {
        return None;
    }
    let mut note = "it will match text that is not about this entity".to_string();
    if alias.chars().any(char::is_uppercase) {
        note = format!(
            "aliases match in any case, and the articles write `{}` as a word: {note}",
            alias.to_lowercase()
        );
    }
    let message = format!("alias `{alias}` of `{}` is a common English word", e.id);
    Some(
        Diagnostic::new(path, message)
            .note(note)
            .help("use a name or a longer phrase"),
    )
}

/// Whether `alias` is one common English word: aliases match in any case
/// (short acronyms such as "US" aside), so it matches that word wherever
/// a text uses it. The word list is in lower case and holds names too
/// ("bush" and "brown" as well as "mayor"), so a capitalised alias counts
/// only when the articles also write it in lower case (`lower_case`):
/// there it is a word, not a name.
fn is_common_word(alias: &str, lower_case: &HashSet<String>) -> bool {
    let words = text::folded_words(alias);
    let [word] = words.as_slice() else {
        return false;
    };
    let capitalised = alias.chars().any(char::is_uppercase);
    language().is_english(word)
        && !matches_only_in_capitals(alias)
        && (!capitalised || lower_case.contains(word))
}

/// The words (folded) that the articles write in lower case somewhere.
fn lower_case_words(corpus: &Corpus) -> HashSet<String> {
    let mut out = HashSet::new();
    for paragraph in corpus.articles.iter().flat_map(|a| &a.paragraphs) {
        for w in text::spans(paragraph) {
            if !paragraph[w.start..w.end].chars().any(char::is_uppercase) {
                out.insert(w.folded);
            }
        }
    }
    out
}

/// 1-based line of the first occurrence of `needle`, 0 if absent.
fn line_of(source: &str, needle: &str) -> usize {
    source
        .find(needle)
        .map_or(0, |at| source[..at].matches('\n').count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercase_english_words_are_common_but_names_are_not() {
        let none = HashSet::new();
        assert!(is_common_word("strike", &none));
        assert!(is_common_word("ministry", &none));
        assert!(!is_common_word("Southbay", &none));
        assert!(!is_common_word("Transport Ministry", &none));
        assert!(!is_common_word("northport", &none));
    }

    /// The word list is in lower case and holds "bush" and "brown" as it
    /// holds "mayor": only the articles tell a name from a word.
    #[test]
    fn a_capitalised_word_is_common_when_the_articles_write_it_in_lower_case() {
        let article = |paragraphs: &[&str]| crate::content::Article {
            id: "a".into(),
            title: "A".into(),
            date: "2026-03-14".into(),
            publisher: None,
            url: None,
            paragraphs: paragraphs.iter().map(|p| p.to_string()).collect(),
            cards: Vec::new(),
        };
        let corpus = Corpus {
            articles: vec![article(&[
                "Mayor Ada Brown met Bush and Vell in Southbay.",
                "The mayor's office told us the ministry had not replied.",
            ])],
            ..Corpus::default()
        };
        let lower_case = lower_case_words(&corpus);
        assert!(is_common_word("Mayor", &lower_case));
        assert!(is_common_word("MAYOR", &lower_case));
        // "US" matches only in capitals, never the "us" the articles use.
        for name in ["Brown", "Bush", "Vell", "Southbay", "US"] {
            assert!(!is_common_word(name, &lower_case), "{name}");
        }
        // Names the word list holds as words: the articles tell them apart.
        assert!(language().is_english("brown") && language().is_english("bush"));
        assert!(is_common_word("brown", &lower_case));
        // A lowercase alias is a word whatever the articles say.
        assert!(is_common_word("bridge", &lower_case));
    }
}
