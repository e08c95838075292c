//! The structured cards: parties, corridor, terms, quotes, and the source
//! paragraphs themselves.

use super::pipeline::units::{Origin, Unit};
use super::{Card, CardItem, Engine, Passage, RequestError};
use crate::content::{Fact, Topic};
use crate::text;

/// Coverage a term's name must reach to select one term.
const TERM_MATCH: f32 = 0.5;

impl Engine {
    /// All parties and their roles, or one party's card.
    pub fn parties(&self, name: Option<&str>) -> Result<Card, RequestError> {
        let Some(name) = name.filter(|n| !n.trim().is_empty()) else {
            return Ok(self.topic_card(Topic::Parties, "The parties", None));
        };
        let e = self
            .resolve_entity(name)
            .ok_or_else(|| RequestError::NotFound(name.to_string()))?;
        let entity = &self.catalog.entities[e];
        let mut facts: Vec<&Fact> = self
            .catalog
            .facts
            .iter()
            .filter(|f| f.about.contains(&entity.id) || f.speaker.as_ref() == Some(&entity.id))
            .collect();
        facts.sort_by_key(|f| (f.topic != Topic::Parties, f.topic));
        if facts.is_empty() {
            return Err(RequestError::NotFound(name.to_string()));
        }
        Ok(Card {
            title: entity.name.clone(),
            description: entity.description.clone(),
            items: facts
                .into_iter()
                .take(12)
                .map(|f| self.card_item(f))
                .collect(),
        })
    }

    /// The corridor card.
    pub fn corridor(&self) -> Card {
        let description = self
            .catalog
            .facts
            .iter()
            .find(|f| f.topic == Topic::Corridor)
            .and_then(|f| f.about.first())
            .and_then(|id| self.catalog.entity(id))
            .and_then(|e| e.description.clone());
        self.topic_card(Topic::Corridor, "The corridor", description)
    }

    /// The deal's terms, or the one term that best matches `name`.
    pub fn terms(&self, name: Option<&str>) -> Result<Card, RequestError> {
        let Some(name) = name.filter(|n| !n.trim().is_empty()) else {
            return Ok(self.topic_card(Topic::Terms, "The terms of the deal", None));
        };
        let fact = self
            .catalog
            .facts
            .iter()
            .position(|f| f.topic == Topic::Terms && f.id == name.trim())
            .or_else(|| self.best_fact_of(Topic::Terms, name))
            .ok_or_else(|| RequestError::NotFound(name.to_string()))?;
        let fact = &self.catalog.facts[fact];
        Ok(Card {
            title: fact.title.clone(),
            description: None,
            items: vec![self.card_item(fact)],
        })
    }

    /// Every direct quote, or those of one speaker.
    pub fn quotes(&self, speaker: Option<&str>) -> Result<Card, RequestError> {
        let Some(name) = speaker.filter(|n| !n.trim().is_empty()) else {
            return Ok(self.topic_card(Topic::Quotes, "Quotes", None));
        };
        let e = self
            .resolve_entity(name)
            .ok_or_else(|| RequestError::NotFound(name.to_string()))?;
        let entity = &self.catalog.entities[e];
        let items: Vec<CardItem> = self
            .catalog
            .facts
            .iter()
            .filter(|f| f.topic == Topic::Quotes && f.speaker.as_ref() == Some(&entity.id))
            .map(|f| self.card_item(f))
            .collect();
        if items.is_empty() {
            return Err(RequestError::NotFound(name.to_string()));
        }
        Ok(Card {
            title: format!("Quotes of {}", entity.name),
            description: None,
            items,
        })
    }

    /// Paragraph `paragraph` of an article, or all its paragraphs. Without
    /// an article id, the most recent article.
    pub fn source(
        &self,
        article: Option<&str>,
        paragraph: Option<u32>,
    ) -> Result<Vec<Passage>, RequestError> {
        let meta = match article.map(str::trim).filter(|a| !a.is_empty()) {
            Some(id) => self
                .article(id)
                .or_else(|| {
                    let folded = text::folded_words(id).join(" ");
                    self.catalog
                        .articles
                        .iter()
                        .find(|a| text::folded_words(&a.title).join(" ") == folded)
                })
                .ok_or_else(|| RequestError::UnknownArticle(id.to_string()))?,
            None => self
                .collection
                .newest
                .as_ref()
                .and_then(|n| self.article(&n.id))
                .ok_or_else(|| RequestError::UnknownArticle(String::new()))?,
        };
        let numbers: Vec<u32> = match paragraph {
            Some(n) if n >= 1 && n <= meta.paragraphs => vec![n],
            Some(n) => {
                return Err(RequestError::NoSuchParagraph {
                    article: meta.id.clone(),
                    paragraph: n,
                    count: meta.paragraphs,
                });
            }
            None => (1..=meta.paragraphs).collect(),
        };
        Ok(numbers
            .into_iter()
            .filter_map(|n| {
                Some(Passage {
                    article: meta.id.clone(),
                    title: meta.title.clone(),
                    date: meta.date.clone(),
                    url: meta.url.clone(),
                    paragraph: n,
                    paragraphs: meta.paragraphs,
                    text: self.paragraph_text(&meta.id, n)?,
                })
            })
            .collect())
    }

    fn topic_card(&self, topic: Topic, title: &str, description: Option<String>) -> Card {
        Card {
            title: title.to_string(),
            description,
            items: self
                .catalog
                .facts
                .iter()
                .filter(|f| f.topic == topic)
                .map(|f| self.card_item(f))
                .collect(),
        }
    }

    pub(super) fn card_item(&self, fact: &Fact) -> CardItem {
        CardItem {
            fact: fact.id.clone(),
            heading: fact.title.clone(),
            text: fact.text.clone(),
            speaker: fact
                .speaker
                .as_ref()
                .and_then(|id| self.catalog.entity(id))
                .map(|e| e.name.clone()),
            citations: self.citations(&fact.cites),
        }
    }

    /// The entity a name refers to: by id, by name or alias (typos
    /// forgiven), or by the closest name.
    pub fn resolve_entity(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        if let Some(i) = self.entity_index(name) {
            return Some(i);
        }
        if let Some(&e) = self.analyse(name).entities.first() {
            return Some(e);
        }
        let folded = text::folded_words(name).join(" ");
        if folded.is_empty() {
            return None;
        }
        self.catalog
            .entities
            .iter()
            .enumerate()
            .flat_map(|(i, e)| e.names().map(move |n| (i, n)))
            .map(|(i, n)| {
                (
                    strsim::osa_distance(&folded, &text::folded_words(n).join(" ")),
                    i,
                )
            })
            .filter(|(d, _)| *d <= if folded.len() >= 8 { 2 } else { 1 } && folded.len() > 3)
            .min()
            .map(|(_, i)| i)
    }

    /// The fact of `topic` that best matches `name`, if one holds at least
    /// [`TERM_MATCH`] of its words (softly).
    fn best_fact_of(&self, topic: Topic, name: &str) -> Option<usize> {
        let q = self.analyse(name);
        let units: Vec<Unit> = (0..self.catalog.facts.len())
            .filter(|&i| self.catalog.facts[i].topic == topic)
            .filter_map(|i| self.fact_unit(i))
            .collect();
        let refs: Vec<&Unit> = units.iter().collect();
        let best = self.score(&q, &refs).into_iter().next()?;
        match refs[best.unit].origin {
            Origin::Fact(i) if best.features[2] >= TERM_MATCH => Some(i),
            _ => None,
        }
    }
}
