//! The cards of a story (the facts of one topic, as its front matter
//! declares them), the card of one entity or one fact, and the source
//! paragraphs themselves. A card never shows two stories: without a story
//! named, it shows the newest story that has it.

use super::pipeline::units::{Origin, Unit};
use super::{Card, CardItem, Engine, Passage, RequestError, StoryRef};
use crate::content::{CardSpec, Fact};
use crate::text;

/// Coverage a fact's title must reach to select it by name.
const ITEM_MATCH: f32 = 0.5;
/// Most statements on one entity's card.
const ENTITY_ITEMS: usize = 12;

impl Engine {
    /// The card of `topic` of `story`, or of the newest story that has one.
    pub fn card(&self, topic: &str, story: Option<&str>) -> Result<Card, RequestError> {
        let topic = topic.trim();
        let (a, spec) = self.card_spec(topic, story)?;
        let description = spec
            .entity
            .as_deref()
            .and_then(|key| self.entity_index(key))
            .and_then(|e| self.catalog.entities[e].description.clone());
        let items = self
            .story_facts(a)
            .filter(|f| f.topic == spec.topic)
            .map(|f| self.card_item(f))
            .collect::<Result<_, _>>()?;
        Ok(Card {
            title: spec.title.clone(),
            story: self.story_ref(a),
            description,
            items,
        })
    }

    /// The cards a story offers (topic and title), or those of every
    /// story, each once, newest story first.
    pub fn cards(&self, story: Option<&str>) -> Result<Vec<CardSpec>, RequestError> {
        let scope = self.story_scope(story)?;
        let mut out: Vec<CardSpec> = Vec::new();
        for &a in self.stories_in(&scope) {
            for spec in &self.catalog.articles[a].cards {
                if !out.iter().any(|c| c.topic == spec.topic) {
                    out.push(spec.clone());
                }
            }
        }
        Ok(out)
    }

    /// Without a name, the card of `topic`; with one, the card of the
    /// entity it names: every fact of its story about it.
    pub fn entity_card(
        &self,
        topic: &str,
        name: Option<&str>,
        story: Option<&str>,
    ) -> Result<Card, RequestError> {
        let Some(name) = name.filter(|n| !n.trim().is_empty()) else {
            return self.card(topic, story);
        };
        let scope = self.story_scope(story)?;
        let about = |f: &Fact, key: &str| {
            f.about.iter().any(|k| k == key) || f.speaker.as_deref() == Some(key)
        };
        let (e, a) = self
            .resolve_entity_with(name, scope, |e, a| {
                let key = self.catalog.entities[e].key();
                self.story_facts(a).any(|f| about(f, &key))
            })
            .ok_or_else(|| {
                let keys = self
                    .scope_facts(&scope)
                    .flat_map(|f| f.about.iter().chain(&f.speaker));
                self.not_found(name, scope, self.entity_names(keys))
            })?;
        let entity = &self.catalog.entities[e];
        let key = entity.key();
        let order = |f: &Fact| {
            let cards = &self.catalog.articles[a].cards;
            let at = cards.iter().position(|c| c.topic == f.topic);
            (f.topic.as_str() != topic, at.unwrap_or(cards.len()))
        };
        let mut facts: Vec<&Fact> = self.story_facts(a).filter(|f| about(f, &key)).collect();
        facts.sort_by_key(|f| order(f));
        Ok(Card {
            title: entity.name.clone(),
            story: self.story_ref(a),
            description: entity.description.clone(),
            items: facts
                .into_iter()
                .take(ENTITY_ITEMS)
                .map(|f| self.card_item(f))
                .collect::<Result<_, _>>()?,
        })
    }

    /// Without a name, the card of `topic`; with one, the fact of that
    /// topic it names: by key (`STORY/ID`), by id, or by its title.
    pub fn fact_card(
        &self,
        topic: &str,
        name: Option<&str>,
        story: Option<&str>,
    ) -> Result<Card, RequestError> {
        let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) else {
            return self.card(topic, story);
        };
        let scope = self.story_scope(story)?;
        let in_scope = |f: &Fact| {
            f.topic.as_str() == topic && scope.is_none_or(|a| self.story_of(f) == Some(a))
        };
        let by_key = self.catalog.facts.iter().position(|f| {
            let by_key = name.split_once('/') == Some((f.story.as_str(), f.id.as_str()));
            in_scope(f) && (by_key || f.id == name)
        });
        let fact = match by_key {
            Some(i) => Some(i),
            None => self.best_fact(name, in_scope)?,
        }
        .ok_or_else(|| {
            let titles = self
                .scope_facts(&scope)
                .filter(|f| in_scope(f))
                .map(|f| f.title.clone());
            RequestError::NotFound {
                name: name.to_string(),
                named: None,
                known: distinct(titles),
            }
        })?;
        let fact = &self.catalog.facts[fact];
        let a = self.story_of(fact).unwrap_or(0);
        Ok(Card {
            title: fact.title.clone(),
            story: self.story_ref(a),
            description: None,
            items: vec![self.card_item(fact)?],
        })
    }

    /// Without a speaker, the card of `topic`; with one, that speaker's
    /// quotes in one story.
    pub fn speaker_card(
        &self,
        topic: &str,
        speaker: Option<&str>,
        story: Option<&str>,
    ) -> Result<Card, RequestError> {
        let Some(name) = speaker.filter(|n| !n.trim().is_empty()) else {
            return self.card(topic, story);
        };
        let scope = self.story_scope(story)?;
        let (e, a) = self
            .resolve_entity_with(name, scope, |e, a| {
                let key = self.catalog.entities[e].key();
                self.story_facts(a)
                    .any(|f| f.speaker.as_deref() == Some(&key))
            })
            .ok_or_else(|| {
                let speakers = self.scope_facts(&scope).filter_map(|f| f.speaker.as_ref());
                self.not_found(name, scope, self.entity_names(speakers))
            })?;
        let entity = &self.catalog.entities[e];
        let key = entity.key();
        Ok(Card {
            title: format!("Quotes of {}", entity.name),
            story: self.story_ref(a),
            description: None,
            items: self
                .story_facts(a)
                .filter(|f| f.speaker.as_deref() == Some(&key))
                .map(|f| self.card_item(f))
                .collect::<Result<_, _>>()?,
        })
    }

    /// Paragraph `paragraph` of an article, or all its paragraphs. Without
    /// an article id, the most recent article.
    pub fn source(
        &self,
        article: Option<&str>,
        paragraph: Option<u32>,
    ) -> Result<Vec<Passage>, RequestError> {
        let a = self.story_or_newest(article)?;
        let meta = &self.catalog.articles[a];
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
        let mut passages = Vec::new();
        for n in numbers {
            if let Some(text) = self.paragraph_text(&meta.id, n)? {
                passages.push(Passage {
                    article: meta.id.clone(),
                    title: meta.title.clone(),
                    date: meta.date.clone(),
                    url: meta.url.clone(),
                    paragraph: n,
                    paragraphs: meta.paragraphs,
                    text,
                });
            }
        }
        Ok(passages)
    }

    /// The story to show a card of `topic` from, and the card's spec.
    fn card_spec(
        &self,
        topic: &str,
        story: Option<&str>,
    ) -> Result<(usize, &CardSpec), RequestError> {
        let scope = self.story_scope(story)?;
        let found = self.stories_in(&scope).iter().find_map(|&a| {
            let cards = &self.catalog.articles[a].cards;
            cards
                .iter()
                .find(|c| c.topic.as_str() == topic)
                .map(|c| (a, c))
        });
        found.ok_or_else(|| RequestError::NoCard {
            card: topic.to_string(),
            story: scope.map(|a| self.story_ref(a)),
            cards: self
                .cards(story)
                .unwrap_or_default()
                .into_iter()
                .map(|c| c.topic.to_string())
                .collect(),
        })
    }

    /// The facts of story `a`, in content order.
    pub(super) fn story_facts(&self, a: usize) -> impl Iterator<Item = &Fact> {
        self.story_facts[a].iter().map(|&i| &self.catalog.facts[i])
    }

    /// The facts of the story in scope, or of every story, newest first.
    pub(super) fn scope_facts<'a>(
        &'a self,
        scope: &'a Option<usize>,
    ) -> impl Iterator<Item = &'a Fact> + 'a {
        self.stories_in(scope)
            .iter()
            .flat_map(|&a| self.story_facts(a))
    }

    /// The names of the entities of `keys`, each once, in order.
    fn entity_names<'a>(&self, keys: impl Iterator<Item = &'a String>) -> Vec<String> {
        distinct(
            keys.filter_map(|k| self.entity_index(k))
                .map(|e| self.catalog.entities[e].name.clone()),
        )
    }

    /// Nothing of a card's entities matches `name`: says which entity it
    /// names, if the sources have one, and which would match.
    fn not_found(&self, name: &str, scope: Option<usize>, known: Vec<String>) -> RequestError {
        let named = self
            .resolve_entity_with(name, scope, |_, _| true)
            .map(|(e, _)| self.catalog.entities[e].name.clone())
            .filter(|n| !known.contains(n));
        RequestError::NotFound {
            name: name.to_string(),
            named,
            known,
        }
    }

    /// Position of a fact's story.
    pub(super) fn story_of(&self, f: &Fact) -> Option<usize> {
        self.articles.get(&f.story).copied()
    }

    pub(super) fn story_ref(&self, a: usize) -> StoryRef {
        let meta = &self.catalog.articles[a];
        StoryRef {
            id: meta.id.clone(),
            title: meta.title.clone(),
        }
    }

    /// The story in scope, or every story newest first (ties by id).
    fn stories_in<'a>(&'a self, scope: &'a Option<usize>) -> &'a [usize] {
        match scope {
            Some(a) => std::slice::from_ref(a),
            None => &self.by_date,
        }
    }

    /// The story named by id or title, or the newest story.
    pub(super) fn story_or_newest(&self, story: Option<&str>) -> Result<usize, RequestError> {
        match self.story_scope(story)? {
            Some(a) => Ok(a),
            None => self
                .by_date
                .first()
                .copied()
                .ok_or_else(|| RequestError::UnknownArticle(String::new())),
        }
    }

    pub(super) fn card_item(&self, fact: &Fact) -> Result<CardItem, RequestError> {
        Ok(CardItem {
            fact: fact.key(),
            heading: fact.title.clone(),
            text: fact.text.clone(),
            speaker: fact
                .speaker
                .as_ref()
                .and_then(|key| self.entity_index(key))
                .map(|e| self.catalog.entities[e].name.clone()),
            citations: self.citations(&fact.cites)?,
        })
    }

    /// The entity a name refers to and the story to read it in: within
    /// `scope`, or the newest story for which `fits` holds. Namesakes of
    /// different stories are told apart by the story.
    fn resolve_entity_with(
        &self,
        name: &str,
        scope: Option<usize>,
        fits: impl Fn(usize, usize) -> bool,
    ) -> Option<(usize, usize)> {
        let candidates = self.entity_candidates(name);
        self.stories_in(&scope).iter().find_map(|&a| {
            let id = &self.catalog.articles[a].id;
            // A story's own entity before a shared one of the same name.
            let mut serving: Vec<usize> = candidates
                .iter()
                .copied()
                .filter(|&e| self.catalog.entities[e].serves(id))
                .collect();
            serving.sort_by_key(|&e| self.catalog.entities[e].story.is_none());
            serving.into_iter().find(|&e| fits(e, a)).map(|e| (e, a))
        })
    }

    /// Every entity `name` may mean: by key, by name or alias (with its
    /// namesakes in other stories, typos forgiven), or by the closest name.
    fn entity_candidates(&self, name: &str) -> Vec<usize> {
        let name = name.trim();
        if let Some(i) = self.entity_index(name) {
            return vec![i];
        }
        let by_id: Vec<usize> = (0..self.catalog.entities.len())
            .filter(|&e| self.catalog.entities[e].id == name)
            .collect();
        if !by_id.is_empty() {
            return by_id;
        }
        let class = self
            .analyse(name)
            .entities
            .first()
            .copied()
            .or_else(|| self.closest_entity(name));
        class
            .map(|c| self.matcher.members(self.matcher.class(c)).collect())
            .unwrap_or_default()
    }

    /// The entity whose name is within a typo or two of `name`.
    fn closest_entity(&self, name: &str) -> Option<usize> {
        let folded = text::folded_words(name).join(" ");
        if folded.len() <= 3 {
            return None;
        }
        let allowed = if folded.len() >= 8 { 2 } else { 1 };
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
            .filter(|(d, _)| *d <= allowed)
            .min()
            .map(|(_, i)| i)
    }

    /// The fact for which `keep` holds that best matches `name`, if one
    /// holds at least [`ITEM_MATCH`] of its words (softly).
    fn best_fact(
        &self,
        name: &str,
        keep: impl Fn(&Fact) -> bool,
    ) -> Result<Option<usize>, RequestError> {
        let q = self.analyse(name);
        let units: Vec<Unit> = (0..self.catalog.facts.len())
            .filter(|&i| keep(&self.catalog.facts[i]))
            .filter_map(|i| self.fact_unit(i))
            .collect();
        let refs: Vec<&Unit> = units.iter().collect();
        let Some(best) = self.score(&q, &refs)?.into_iter().next() else {
            return Ok(None);
        };
        Ok(match refs[best.unit].origin {
            Origin::Fact(i) if best.features[2] >= ITEM_MATCH => Some(i),
            _ => None,
        })
    }
}

/// Names a card lists when nothing matched, at most this many.
const KNOWN: usize = 10;

/// The first [`KNOWN`] distinct items, in order.
fn distinct(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
            if out.len() == KNOWN {
                break;
            }
        }
    }
    out
}
