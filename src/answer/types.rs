//! What the engine returns. These types are the JSON contract of the CLI's
//! `--json` output and what the renderers turn into text or Discord embeds.

use serde::Serialize;

use crate::content::Topic;

/// A passage quoted verbatim from one paragraph of an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Citation {
    pub article: String,
    pub paragraph: u32,
    pub quote: String,
    /// Title of the article, for display.
    pub title: String,
    /// Date of the article's event.
    pub date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The articles an index holds, in brief: for footers that name the source.
#[derive(Debug, Clone, Serialize)]
pub struct Collection {
    pub articles: usize,
    /// The article with the latest date.
    pub newest: Option<ArticleSummary>,
}

/// A fact an answer was composed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FactRef {
    pub id: String,
    pub topic: Topic,
    pub title: String,
    pub text: String,
}

/// The answer to a question, or an honest abstention.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub question: String,
    /// False when the sources do not answer the question.
    pub answered: bool,
    /// The composed answer, or a plain statement that the sources do not say.
    pub answer: String,
    /// Most relevant first; every quote stands verbatim in its paragraph.
    pub citations: Vec<Citation>,
    pub facts: Vec<FactRef>,
    /// Question intent detected: who, what, where, when, why, how.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intent: Option<&'static str>,
    /// Spelling corrections applied: [as typed, as read].
    pub corrections: Vec<(String, String)>,
    /// Topics close to the question, offered when it is not answered.
    pub related: Vec<String>,
    /// Words of the question nothing in the sources mentions.
    pub unknown_words: Vec<String>,
    /// The story (article id) the answer comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub story: Option<String>,
    /// Other stories that answer the question nearly as well (article
    /// ids); ask again naming one to hear its answer.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<String>,
}

/// A story the index holds, for `/stories`.
#[derive(Debug, Clone, Serialize)]
pub struct StorySummary {
    pub id: String,
    pub title: String,
    pub date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub paragraphs: u32,
    pub facts: usize,
}

/// Whether a search hit is a fact or a passage of an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HitKind {
    Fact,
    Passage,
}

/// One search hit with its snippet.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub kind: HitKind,
    pub article: String,
    pub paragraph: u32,
    /// Topic of the fact, or the first topic of the facts citing the passage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<Topic>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fact: Option<String>,
    pub score: f32,
    pub snippet: Snippet,
}

/// A piece of text with the matched words marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    pub text: String,
    /// Byte ranges `[start, end)` of the matched words in `text`.
    pub matches: Vec<(usize, usize)>,
}

/// Results of a search.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub query: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<Topic>,
    pub hits: Vec<Hit>,
    pub corrections: Vec<(String, String)>,
}

/// A structured card: parties, corridor, terms, quotes.
#[derive(Debug, Clone, Serialize)]
pub struct Card {
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub items: Vec<CardItem>,
}

/// One statement of a card with its citations.
#[derive(Debug, Clone, Serialize)]
pub struct CardItem {
    pub fact: String,
    pub heading: String,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    pub citations: Vec<Citation>,
}

/// One paragraph of an article, shown in full so a reader can check a citation.
#[derive(Debug, Clone, Serialize)]
pub struct Passage {
    pub article: String,
    pub title: String,
    pub date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub paragraph: u32,
    pub paragraphs: u32,
    pub text: String,
}

/// What the index covers, for help screens.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub articles: Vec<ArticleSummary>,
    pub paragraphs: usize,
    pub facts: usize,
    pub entities: usize,
    /// Seconds since the Unix epoch.
    pub indexed_at: u64,
    pub generation: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ArticleSummary {
    pub id: String,
    pub title: String,
    pub date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub paragraphs: u32,
}

/// An autocomplete suggestion: what to show and what to fill in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub label: String,
    pub value: String,
}
