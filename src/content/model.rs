//! The content model: what editors write, once loaded and validated.
//!
//! Everything here is plain data. A [`Corpus`] only exists when every check in
//! [`super::check`] passed, so code downstream may rely on its invariants:
//! ids are unique, every reference resolves, and every quote stands verbatim in
//! the paragraph it cites.

use serde::{Deserialize, Serialize};

/// Everything dossier knows: articles, entities, facts and the lexicon.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Corpus {
    pub articles: Vec<Article>,
    pub entities: Vec<Entity>,
    pub facts: Vec<Fact>,
    pub lexicon: Lexicon,
}

impl Corpus {
    pub fn entity(&self, id: &str) -> Option<&Entity> {
        self.entities.iter().find(|e| e.id == id)
    }

    pub fn paragraph_count(&self) -> usize {
        self.articles.iter().map(|a| a.paragraphs.len()).sum()
    }
}

/// One source article: metadata from its front matter and its paragraphs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Article {
    /// Stable slug used in citations.
    pub id: String,
    pub title: String,
    /// Date of the event, `YYYY-MM-DD`.
    pub date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The blank-line-separated blocks of the body; paragraph `n` is at `n - 1`.
    pub paragraphs: Vec<String>,
}

impl Article {
    /// Paragraph `number` (counted from 1), if it exists.
    pub fn paragraph(&self, number: u32) -> Option<&str> {
        let index = usize::try_from(number).ok()?.checked_sub(1)?;
        self.paragraphs.get(index).map(String::as_str)
    }
}

/// A person, country, place or thing the facts are about.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entity {
    pub id: String,
    pub name: String,
    pub kind: String,
    /// Other names and spellings people use, matched as whole words.
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl Entity {
    /// The name followed by every alias.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// What a fact is about, as shown by the bot's cards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Topic {
    Parties,
    Corridor,
    Terms,
    Context,
    Quotes,
}

impl Topic {
    pub const ALL: [Topic; 5] = [
        Topic::Parties,
        Topic::Corridor,
        Topic::Terms,
        Topic::Context,
        Topic::Quotes,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Parties => "parties",
            Topic::Corridor => "corridor",
            Topic::Terms => "terms",
            Topic::Context => "context",
            Topic::Quotes => "quotes",
        }
    }

    pub fn parse(name: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

impl std::fmt::Display for Topic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of question a fact answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Intent {
    Who,
    What,
    Where,
    When,
    Why,
    How,
}

impl Intent {
    pub const ALL: [Intent; 6] = [
        Intent::Who,
        Intent::What,
        Intent::Where,
        Intent::When,
        Intent::Why,
        Intent::How,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Who => "who",
            Intent::What => "what",
            Intent::Where => "where",
            Intent::When => "when",
            Intent::Why => "why",
            Intent::How => "how",
        }
    }

    pub fn parse(name: &str) -> Option<Intent> {
        Intent::ALL.into_iter().find(|i| i.as_str() == name)
    }
}

/// One statement an editor wrote, backed by verbatim citations.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fact {
    pub id: String,
    pub topic: Topic,
    /// Short title for cards and autocomplete.
    pub title: String,
    /// Ids of the entities the fact is about.
    pub about: Vec<String>,
    /// The one-sentence statement.
    pub text: String,
    /// Extra words people use when asking about this fact.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Question intents the fact answers.
    #[serde(default)]
    pub answers: Vec<Intent>,
    /// For quotes: the entity id of who said it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    /// Supporting passages, most relevant first; never empty.
    pub cites: Vec<Cite>,
}

/// A passage quoted verbatim from one paragraph of an article.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cite {
    pub article: String,
    pub paragraph: u32,
    pub quote: String,
}

/// Groups of words that mean the same thing in questions about the stories,
/// so "sway" finds "influence" and "brokered" finds "facilitated".
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Lexicon {
    pub groups: Vec<Vec<String>>,
    /// Words too general in questions about these stories to tell one
    /// passage from another ("country", "leaders"): they weigh little.
    #[serde(default)]
    pub generic: Vec<String>,
}
