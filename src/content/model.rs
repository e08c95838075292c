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
    pub fn paragraph_count(&self) -> usize {
        self.articles.iter().map(|a| a.paragraphs.len()).sum()
    }

    /// Adds another story's corpus to this one, as one index serves many
    /// stories. A one-article corpus's shared entities become its story's
    /// own first ([`Corpus::own_shared_entities`]), so two stories'
    /// entities with the same id stay apart; articles and facts must not
    /// clash (they do not when each story has its own article id).
    pub fn absorb(&mut self, mut other: Corpus) {
        other.own_shared_entities();
        self.articles.append(&mut other.articles);
        self.entities.append(&mut other.entities);
        self.facts.append(&mut other.facts);
        self.lexicon.groups.append(&mut other.lexicon.groups);
        self.lexicon.generic.append(&mut other.lexicon.generic);
    }

    /// Makes the shared entities of a one-article corpus that story's own,
    /// and points its facts at them by their new keys.
    pub fn own_shared_entities(&mut self) {
        let [article] = self.articles.as_slice() else {
            return;
        };
        let story = article.id.clone();
        let mut keys = std::collections::HashMap::new();
        for e in self.entities.iter_mut().filter(|e| e.story.is_none()) {
            let shared = e.key();
            e.story = Some(story.clone());
            keys.insert(shared, e.key());
        }
        let rekey = |key: &mut String| {
            if let Some(own) = keys.get(key) {
                key.clone_from(own);
            }
        };
        for f in &mut self.facts {
            f.about.iter_mut().for_each(rekey);
            f.speaker.iter_mut().for_each(rekey);
        }
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
    /// The story's cards, in the order they are offered.
    #[serde(default)]
    pub cards: Vec<CardSpec>,
}

impl Article {
    /// Paragraph `number` (counted from 1), if it exists.
    pub fn paragraph(&self, number: u32) -> Option<&str> {
        let index = usize::try_from(number).ok()?.checked_sub(1)?;
        self.paragraphs.get(index).map(String::as_str)
    }
}

/// A person, country, place or thing the facts are about. Shared entities
/// (`entities.toml`) serve every story; a story's own entities (`[[entity]]`
/// in its facts file) belong to it alone, so two stories may each have a
/// "Transport Ministry".
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entity {
    /// Unique among the shared entities and those of its story.
    pub id: String,
    /// The story (article id) the entity belongs to; `None` when shared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub story: Option<String>,
    pub name: String,
    pub kind: String,
    /// Other names and spellings people use, matched as whole words.
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl Entity {
    /// The id that names this entity across stories: `STORY/ID` for a
    /// story's own entity, `ID` for a shared one.
    pub fn key(&self) -> String {
        match &self.story {
            Some(story) => format!("{story}/{}", self.id),
            None => self.id.clone(),
        }
    }

    /// Whether facts of `story` may refer to this entity.
    pub fn serves(&self, story: &str) -> bool {
        self.story.as_deref().is_none_or(|s| s == story)
    }

    /// The name followed by every alias.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// What a fact is about: a lowercase slug an editor chooses ("parties",
/// "terms", "demands"). A story's cards are made of the facts of one topic.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Topic(String);

impl Topic {
    /// The topic of direct quotes: its facts name their speaker.
    pub const QUOTES: &'static str = "quotes";

    /// Longest topic name: a topic is a value in Discord's menus and
    /// button ids, which hold 100 characters with what goes around it.
    pub const MAX_LEN: usize = 64;

    /// A topic from its name, if the name is a slug of at most
    /// [`Topic::MAX_LEN`] characters.
    pub fn parse(name: &str) -> Option<Topic> {
        (is_slug(name) && name.len() <= Topic::MAX_LEN).then(|| Topic(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The topic's name as a heading: "parties" → "Parties".
    pub fn heading(&self) -> String {
        let words = self.0.replace(['-', '_'], " ");
        let mut chars = words.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default()
    }
}

impl std::fmt::Display for Topic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `id` is a slug: lowercase ASCII letters, digits, `-` and `_`.
pub fn is_slug(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// A card a story shows: the facts of one topic under a title, declared
/// in the article's front matter as `[[card]]` (or, when none is declared,
/// one for each topic the story's facts use).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardSpec {
    pub topic: Topic,
    pub title: String,
    /// Key of the entity the card is about ([`Entity::key`]): its
    /// description heads the card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
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
    /// Unique within its story.
    pub id: String,
    /// The story (article id) the fact belongs to: every cite quotes it.
    pub story: String,
    pub topic: Topic,
    /// Short title for cards and autocomplete.
    pub title: String,
    /// Keys ([`Entity::key`]) of the entities the fact is about.
    pub about: Vec<String>,
    /// The one-sentence statement.
    pub text: String,
    /// Extra words people use when asking about this fact.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Question intents the fact answers.
    #[serde(default)]
    pub answers: Vec<Intent>,
    /// For quotes: the key of the entity who said it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    /// Supporting passages, most relevant first; never empty.
    pub cites: Vec<Cite>,
}

impl Fact {
    /// The id that names this fact across stories: `STORY/ID`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.story, self.id)
    }

    /// Gives back the spare room of its lists. A list read from JSON or
    /// TOML grows as it is read: one cite or one entity takes room for
    /// four, a third of a fact's memory when an index is opened.
    pub fn shrink_to_fit(&mut self) {
        self.about.shrink_to_fit();
        self.keywords.shrink_to_fit();
        self.answers.shrink_to_fit();
        self.cites.shrink_to_fit();
    }
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_story_s_shared_entities_become_its_own_and_its_facts_follow() {
        let dir = tempfile::tempdir().unwrap();
        let story = dir.path();
        std::fs::create_dir_all(story.join("articles")).unwrap();
        std::fs::create_dir_all(story.join("facts")).unwrap();
        std::fs::write(
            story.join("articles/quenby-vote.md"),
            "+++\nid = \"quenby-vote\"\ntitle = \"Council votes\"\ndate = 2026-03-02\npublisher = \"Wire desk\"\n+++\n\nThe Quenby council voted to close the bridge.\n",
        )
        .unwrap();
        std::fs::write(
            story.join("entities.toml"),
            "[[entity]]\nid = \"council\"\nname = \"Quenby council\"\nkind = \"organization\"\n",
        )
        .unwrap();
        std::fs::write(
            story.join("facts/quenby-vote.toml"),
            "[[fact]]\nid = \"vote\"\ntopic = \"terms\"\ntitle = \"The vote\"\nabout = [\"council\"]\nspeaker = \"council\"\ntext = \"The council voted to close the bridge.\"\n\n[[fact.cite]]\narticle = \"quenby-vote\"\nparagraph = 1\nquote = \"The Quenby council voted to close the bridge.\"\n",
        )
        .unwrap();
        let mut all = crate::content::Corpus::default();
        all.absorb(crate::content::load(story).unwrap());
        let key = all.entities[0].key();
        assert_eq!(key, "quenby-vote/council");
        assert_eq!(all.facts[0].about, std::slice::from_ref(&key));
        assert_eq!(all.facts[0].speaker.as_deref(), Some(key.as_str()));
        assert_eq!(all.articles.len(), 1);
    }
}
