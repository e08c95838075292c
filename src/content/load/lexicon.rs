//! The optional `lexicon.toml`: an editor's own groups of words that
//! mean the same.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::toml_diagnostic;
use crate::content::diagnostic::{Diagnostic, Diagnostics};
use crate::content::model::Lexicon;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LexiconFile {
    #[serde(default)]
    synonyms: Vec<Spanned<Vec<String>>>,
    #[serde(default)]
    generic: Vec<String>,
}

pub(super) fn parse_lexicon(path: &Path, source: &str, diags: &mut Diagnostics) -> Lexicon {
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
