//! Warnings about content that is valid but will answer badly: aliases that
//! repeat their entity's name, aliases that are common English words (they
//! will match text about anything once more stories arrive), entities no fact
//! is about.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

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
    let mut sources: HashMap<Option<&str>, Source> = HashMap::new();
    let mut out = Vec::new();
    for e in &corpus.entities {
        let src = sources
            .entry(e.story.as_deref())
            .or_insert_with(|| Source::of(dir, e));
        let (path, source) = (&src.path, &src.text);
        let name = text::folded_words(&e.name);
        let aliases = src
            .written
            .entity
            .iter()
            .find(|w| w.id == e.id)
            .map_or(&e.aliases, |w| &w.aliases);
        for alias in aliases {
            let at = line_of(source, &format!("\"{alias}\""));
            if text::folded_words(alias) == name {
                out.push(
                    Diagnostic::new(path, format!("alias `{alias}` of `{}` is its name", e.id))
                        .at_line(at)
                        .help("remove it: names already match in any case and accent")
                        .warning(),
                );
            } else if is_common_word(alias) {
                out.push(
                    Diagnostic::new(
                        path,
                        format!("alias `{alias}` of `{}` is a common English word", e.id),
                    )
                    .at_line(at)
                    .note("it will match text that is not about this entity")
                    .help("use a name or a longer phrase")
                    .warning(),
                );
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

/// One lowercase word of the English word list: not a name.
fn is_common_word(alias: &str) -> bool {
    let words = text::folded_words(alias);
    words.len() == 1 && !alias.chars().any(char::is_uppercase) && language().is_english(&words[0])
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
        assert!(is_common_word("strike"));
        assert!(is_common_word("ministry"));
        assert!(!is_common_word("Kremlin"));
        assert!(!is_common_word("Transport Ministry"));
        assert!(!is_common_word("nakhchivan"));
    }
}
