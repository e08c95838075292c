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
    /// Unique within its story.
    pub id: String,
    pub story: String,
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
    /// When it is not answered: the passages nearest the question, each
    /// verbatim from its paragraph, for the reader to judge. Never an
    /// answer; most related first, one per paragraph.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub leads: Vec<Citation>,
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

impl Answer {
    /// Declined with nothing related to offer: the reader is best pointed
    /// to what the sources cover (a renderer says how, in its own terms).
    pub fn declined_without_leads(&self) -> bool {
        !self.answered && self.related.is_empty()
    }
}

/// A story the index holds, for `/stories`.
#[derive(Debug, Clone, Serialize)]
pub struct StorySummary {
    #[serde(flatten)]
    pub article: ArticleSummary,
    pub facts: usize,
    /// Topics of the story's cards, in order.
    pub cards: Vec<String>,
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
    /// The story (article id) and its title.
    pub article: String,
    pub title: String,
    pub paragraph: u32,
    /// Topic of the fact, or the topic searched for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// The fact's key, `STORY/ID`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fact: Option<String>,
    pub score: f32,
    pub snippet: Snippet,
}

/// Orders hits so each story's hits are together, stories in the order
/// of their first hit, hits within a story in their order.
pub fn group_by_story(hits: &mut [Hit]) {
    let mut first: Vec<&str> = Vec::new();
    for h in hits.iter() {
        if !first.contains(&h.article.as_str()) {
            first.push(&h.article);
        }
    }
    let rank: std::collections::HashMap<String, usize> = first
        .into_iter()
        .enumerate()
        .map(|(i, a)| (a.to_string(), i))
        .collect();
    hits.sort_by_key(|h| rank[&h.article]);
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
    pub topic: Option<String>,
    pub hits: Vec<Hit>,
    pub corrections: Vec<(String, String)>,
}

/// A story named by id and title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoryRef {
    pub id: String,
    pub title: String,
}

/// A structured card of one story: the facts of a topic, those about one
/// entity, or the briefing.
#[derive(Debug, Clone, Serialize)]
pub struct Card {
    pub title: String,
    /// The story the card shows (never more than one).
    pub story: StoryRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub items: Vec<CardItem>,
}

/// One statement of a card with its citations.
#[derive(Debug, Clone, Serialize)]
pub struct CardItem {
    /// The fact's key, `STORY/ID`.
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
