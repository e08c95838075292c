//! The tantivy schema: one document per passage (a paragraph of an article)
//! and one per fact, told apart by `kind`.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::text;

/// Bumped whenever the schema or the catalog changes shape; an index built
/// with another version is rebuilt from scratch.
pub const SCHEMA_VERSION: u32 = 6;

pub const KIND_PASSAGE: &str = "passage";
pub const KIND_FACT: &str = "fact";

/// The fields of the schema, resolved once.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// `passage` or `fact`.
    pub kind: Field,
    /// Article id (passages; facts carry their first citation's article).
    pub article: Field,
    /// Paragraph number (passages; facts carry their first citation's).
    pub paragraph: Field,
    /// Position of the fact in the catalog (facts only).
    pub fact: Field,
    /// Topic of a fact, or the topics of the facts citing a passage.
    pub topic: Field,
    /// Entity ids a fact is about or a passage mentions.
    pub entity: Field,
    /// Passage text: stemmed, stored.
    pub body: Field,
    /// Fact statement: stemmed. Kept apart from `body` so a search of
    /// either kind is a plain union of terms, which tantivy prunes.
    pub fact_body: Field,
    /// `ARTICLE/PARAGRAPH` of a passage: reads one paragraph with one term.
    pub passage: Field,
    /// Position of a passage's article in the catalog (fast field only).
    pub article_ord: Field,
    /// Fact title, keywords and the names of its entities: stemmed.
    pub extra: Field,
}

impl Fields {
    pub fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        Ok(Fields {
            kind: schema.get_field("kind")?,
            article: schema.get_field("article")?,
            paragraph: schema.get_field("paragraph")?,
            fact: schema.get_field("fact")?,
            topic: schema.get_field("topic")?,
            entity: schema.get_field("entity")?,
            body: schema.get_field("body")?,
            fact_body: schema.get_field("fact_body")?,
            passage: schema.get_field("passage")?,
            article_ord: schema.get_field("article_ord")?,
            extra: schema.get_field("extra")?,
        })
    }
}

pub fn schema() -> Schema {
    // Term frequencies for BM25, no positions: nothing searches phrases, and
    // positions would double the work of indexing.
    let stemmed = TextFieldIndexing::default()
        .set_tokenizer(text::STEMMED)
        .set_index_option(IndexRecordOption::WithFreqs);
    let mut b = Schema::builder();
    // Stored: only what a paragraph is read back for (its article, number
    // and text); the rest is searched or read from fast fields.
    b.add_text_field("kind", STRING);
    b.add_text_field("article", STRING | STORED);
    b.add_u64_field("paragraph", INDEXED | STORED | FAST);
    b.add_u64_field("fact", FAST);
    b.add_text_field("topic", STRING);
    b.add_text_field("entity", STRING);
    b.add_text_field("passage", STRING);
    b.add_u64_field("article_ord", FAST);
    b.add_text_field(
        "body",
        TextOptions::default()
            .set_indexing_options(stemmed.clone())
            .set_stored(),
    );
    b.add_text_field(
        "fact_body",
        TextOptions::default().set_indexing_options(stemmed.clone()),
    );
    b.add_text_field(
        "extra",
        TextOptions::default().set_indexing_options(stemmed),
    );
    b.build()
}

/// The `passage` term of paragraph `paragraph` of `article`.
pub fn passage_key(article: &str, paragraph: u32) -> String {
    format!("{article}/{paragraph}")
}

/// Registers dossier's analyzers with an index, created or opened.
pub fn register_tokenizers(index: &tantivy::Index) {
    index
        .tokenizers()
        .register(text::STEMMED, text::stemming_analyzer());
    index
        .tokenizers()
        .register(text::FOLDED, text::folding_analyzer());
}
