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

impl Catalog {
    /// Gives back the spare room its lists were read with (see
    /// [`Fact::shrink_to_fit`]); the catalog is read once and kept while
    /// the index serves.
    pub fn shrink_to_fit(&mut self) {
        for fact in &mut self.facts {
            fact.shrink_to_fit();
        }
        self.facts.shrink_to_fit();
        for article in &mut self.articles {
            article.cards.shrink_to_fit();
        }
        self.articles.shrink_to_fit();
        for entity in &mut self.entities {
            entity.aliases.shrink_to_fit();
        }
        self.entities.shrink_to_fit();
        self.vocabulary.shrink_to_fit();
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A catalog as `reindex` writes it: one fact with one subject and one
    /// cite, one article with one card, one entity with one alias.
    const CATALOG: &str = r#"{
        "manifest": {"schema_version": 1, "generation": 1, "content_fingerprint": "x",
                     "built_at": 0, "build_millis": 0, "articles": 1, "paragraphs": 1,
                     "facts": 1, "entities": 1, "text_bytes": 10},
        "articles": [{"id": "a", "title": "A", "date": "2026-01-01", "paragraphs": 1,
                      "cards": [{"topic": "terms", "title": "Terms"}]}],
        "entities": [{"id": "e", "name": "Ada Vell", "kind": "person", "aliases": ["Vell"]}],
        "facts": [{"id": "f", "story": "a", "topic": "terms", "title": "T", "about": ["e"],
                   "text": "It ends.", "keywords": ["end"], "answers": ["what"],
                   "cites": [{"article": "a", "paragraph": 1, "quote": "It ends"}]}],
        "lexicon": {"groups": []},
        "vocabulary": [["ends", 1]]
    }"#;

    #[test]
    fn a_catalog_read_from_json_keeps_no_spare_room_once_shrunk() {
        let mut catalog: Catalog = serde_json::from_str(CATALOG).unwrap();
        let fact = &catalog.facts[0];
        assert!(
            fact.cites.capacity() > fact.cites.len(),
            "serde_json reads lists with room to grow"
        );
        catalog.shrink_to_fit();
        let fact = &catalog.facts[0];
        for (capacity, len) in [
            (fact.about.capacity(), fact.about.len()),
            (fact.keywords.capacity(), fact.keywords.len()),
            (fact.answers.capacity(), fact.answers.len()),
            (fact.cites.capacity(), fact.cites.len()),
            (catalog.facts.capacity(), catalog.facts.len()),
            (catalog.articles[0].cards.capacity(), 1),
            (catalog.articles.capacity(), catalog.articles.len()),
            (catalog.entities[0].aliases.capacity(), 1),
            (catalog.entities.capacity(), catalog.entities.len()),
            (catalog.vocabulary.capacity(), catalog.vocabulary.len()),
        ] {
            assert_eq!(capacity, len);
        }
    }
}
