//! The catalog: what the answer engine needs besides the tantivy index
//! (article metadata, entities, facts, lexicon, vocabulary), written as JSON
//! into each index generation so a running bot never reads content/.

use serde::{Deserialize, Serialize};

use crate::content::{Article, CardSpec, Entity, Fact, Lexicon};

pub const CATALOG_FILE: &str = "catalog.json";
/// The manifest alone, so a generation's version and counts can be read
/// without loading the catalog.
pub const MANIFEST_FILE: &str = "manifest.json";

/// When and from what an index generation was built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub schema_version: u32,
    pub generation: u64,
    /// [`crate::content::fingerprint`] of the content it was built from.
    pub content_fingerprint: String,
    /// Seconds since the Unix epoch.
    pub built_at: u64,
    pub build_millis: u64,
    pub articles: usize,
    pub paragraphs: usize,
    pub facts: usize,
    pub entities: usize,
    /// Bytes of article text indexed.
    pub text_bytes: u64,
}

/// An article without its text (the text lives in the tantivy index).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArticleMeta {
    pub id: String,
    pub title: String,
    pub date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub paragraphs: u32,
    /// The story's cards, in the order they are offered.
    #[serde(default)]
    pub cards: Vec<CardSpec>,
}

impl From<&Article> for ArticleMeta {
    fn from(a: &Article) -> ArticleMeta {
        ArticleMeta {
            id: a.id.clone(),
            title: a.title.clone(),
            date: a.date.clone(),
            publisher: a.publisher.clone(),
            url: a.url.clone(),
            paragraphs: u32::try_from(a.paragraphs.len()).unwrap_or(u32::MAX),
            cards: a.cards.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Catalog {
    pub manifest: Manifest,
    pub articles: Vec<ArticleMeta>,
    pub entities: Vec<Entity>,
    pub facts: Vec<Fact>,
    pub lexicon: Lexicon,
    /// Every folded word of the corpus with the number of documents holding it.
    pub vocabulary: Vec<(String, u32)>,
}

/// A [`Catalog`] that borrows what the corpus already holds, to be written
/// without copying it (it serializes to the same JSON).
#[derive(Serialize)]
pub struct CatalogRef<'a> {
    pub manifest: &'a Manifest,
    pub articles: Vec<ArticleMeta>,
    pub entities: &'a [Entity],
    pub facts: &'a [Fact],
    pub lexicon: &'a Lexicon,
    pub vocabulary: Vec<(String, u32)>,
}
