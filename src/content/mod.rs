//! Content: articles, entities, facts and the lexicon, as editors write them
//! in a content directory, loaded and validated into a [`Corpus`].
//!
//! Layout of a content directory:
//!
//! ```text
//! articles/SLUG.md      one article: TOML front matter between `+++` lines, then the text
//! entities.toml         [[entity]] tables: id, name, kind, aliases, description
//! facts/*.toml          [[fact]] tables, each with one or more [[fact.cite]]
//! lexicon.toml          optional: synonyms = [["broker", "mediate"], ...]
//! ```
//!
//! Only these files are read; subdirectories are not (see [`files`]).

mod diagnostic;
pub mod draft;
mod files;
mod lint;
mod load;
mod matcher;
mod model;

use std::path::PathBuf;

pub use diagnostic::{Diagnostic, Diagnostics, line_column};
pub use files::fingerprint;
pub use lint::lint;
pub use load::{
    ARTICLES_DIR, ENTITIES_FILE, FACTS_DIR, LEXICON_FILE, holds_any_of, load, split_paragraphs,
};
pub use matcher::{EntityMatcher, Mention};
pub use model::{Article, CardSpec, Cite, Corpus, Entity, Fact, Intent, Lexicon, Topic, is_slug};

/// Why content could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    #[error("content directory {} does not exist", .0.display())]
    Missing(PathBuf),
    #[error("could not read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(Diagnostics),
}
