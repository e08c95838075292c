//! Autocomplete: entity names, aliases, fact titles, stories and cards
//! that fit what a person has typed so far, forgiving typos.

use std::collections::{HashMap, HashSet};

use super::{Engine, Suggestion};
use crate::index::Catalog;
use crate::text;

/// What is being completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuggestKind<'a> {
    /// Entities the facts of one topic are about; the value is the
    /// entity's key.
    Entity(&'a str),
    /// The facts of one topic; the value is the fact's key.
    Fact(&'a str),
    /// People who are quoted; the value is the entity's key.
    Speaker,
    /// Articles (stories) by id and title, newest first.
    Article,
    /// The cards stories declare; the value is the card's topic.
    Card,
    /// The topics facts have.
    Topic,
    /// Anything worth searching: entity names, aliases and fact titles.
    Query,
}

/// Labels and values are cut to this many characters (Discord's limit).
const MAX_LEN: usize = 100;
/// Options scanned for substrings and near misses once prefixes run out;
/// the first ones are the entities, the most asked for. Bounded so a
/// keystroke stays well under a millisecond with many fact titles.
const SCAN_LIMIT: usize = 600;

/// One thing that can be suggested.
struct Item {
    /// Names it can be found by, as shown; the first is the label.
    names: Vec<String>,
    /// The same names folded (lowercase, ASCII, single spaces).
    folded: Vec<String>,
    /// What to fill in, when not the first name.
    value: Option<String>,
}

impl Item {
    fn value(&self) -> &str {
        self.value.as_deref().unwrap_or(&self.names[0])
    }
}

/// Where a key starts: an item, one of its names, a byte offset in it.
type Key = (u32, u16, u16);

/// The options of one kind, with sorted keys for prefix look-ups. Keys
/// point into the folded names instead of copying them: an index of many
/// articles has many fact titles.
#[derive(Default)]
struct Options {
    items: Vec<Item>,
    /// Whole names, sorted: whole-name prefixes.
    names: Vec<Key>,
    /// Every word after the first of every name, sorted: word prefixes.
    words: Vec<Key>,
}

impl Options {
    fn new(items: Vec<Item>) -> Options {
        let mut names = Vec::new();
        let mut words = Vec::new();
        for (i, item) in items.iter().enumerate() {
            for (n, folded) in item.folded.iter().enumerate() {
                names.push((i as u32, n as u16, 0));
                let starts = folded.match_indices(' ').map(|(at, _)| at + 1);
                words.extend(
                    starts
                        .filter(|&at| at <= usize::from(u16::MAX))
                        .map(|at| (i as u32, n as u16, at as u16)),
                );
            }
        }
        let mut options = Options {
            items,
            names: Vec::new(),
            words: Vec::new(),
        };
        names.sort_by(|a, b| options.key(*a).cmp(options.key(*b)));
        words.sort_by(|a, b| options.key(*a).cmp(options.key(*b)));
        options.names = names;
        options.words = words;
        options
    }

    fn key(&self, (item, name, at): Key) -> &str {
        &self.items[item as usize].folded[usize::from(name)][usize::from(at)..]
    }

    /// Keys of `keys` whose text starts with `prefix`.
    fn prefixed<'a>(&self, keys: &'a [Key], prefix: &str) -> &'a [Key] {
        let from = keys.partition_point(|k| self.key(*k) < prefix);
        let len = keys[from..].partition_point(|k| self.key(*k).starts_with(prefix));
        &keys[from..from + len]
    }
}

/// Every kind's options, built once per engine.
pub(super) struct Suggester {
    /// By topic.
    entity: HashMap<String, Options>,
    facts: HashMap<String, Options>,
    speaker: Options,
    article: Options,
    card: Options,
    topic: Options,
    query: Options,
    none: Options,
}

impl Suggester {
    pub(super) fn new(c: &Catalog, by_date: &[usize]) -> Suggester {
        let titles: HashMap<&str, &str> = c
            .articles
            .iter()
            .map(|a| (a.id.as_str(), a.title.as_str()))
            .collect();
        // A name two stories' entities share is labelled with the story.
        let mut named: HashMap<Vec<String>, usize> = HashMap::new();
        for e in &c.entities {
            *named.entry(text::folded_words(&e.name)).or_default() += 1;
        }
        let by_key: HashMap<String, &crate::content::Entity> =
            c.entities.iter().map(|e| (e.key(), e)).collect();
        let entity_items = |keys: Vec<&str>| -> Vec<Item> {
            let mut seen = HashSet::new();
            keys.into_iter()
                .filter(|key| seen.insert(*key))
                .filter_map(|key| by_key.get(key).copied())
                .map(|e| {
                    let mut names: Vec<String> = e.names().map(str::to_string).collect();
                    let story = e.story.as_deref().and_then(|s| titles.get(s));
                    if let Some(story) = story.filter(|_| named[&text::folded_words(&e.name)] > 1) {
                        names.insert(0, format!("{} ({story})", e.name));
                    }
                    item(names, e.key())
                })
                .collect()
        };
        let mut about: HashMap<String, Vec<&str>> = HashMap::new();
        for f in &c.facts {
            let keys = about.entry(f.topic.to_string()).or_default();
            keys.extend(f.about.iter().map(String::as_str));
        }
        let speaker = c
            .facts
            .iter()
            .filter_map(|f| f.speaker.as_deref())
            .collect();
        let mut facts: HashMap<String, Vec<Item>> = HashMap::new();
        for f in &c.facts {
            let names = std::iter::once(f.title.clone())
                .chain(f.keywords.iter().cloned())
                .collect();
            let items = facts.entry(f.topic.to_string()).or_default();
            items.push(item(names, f.key()));
        }
        let article = by_date
            .iter()
            .map(|&i| {
                let a = &c.articles[i];
                item(
                    vec![format!("{} ({})", a.title, a.date), a.id.clone()],
                    a.id.clone(),
                )
            })
            .collect();
        let mut card: Vec<Item> = Vec::new();
        let mut cards_seen = HashSet::new();
        for spec in by_date.iter().flat_map(|&i| &c.articles[i].cards) {
            if cards_seen.insert(spec.topic.as_str()) {
                card.push(item(
                    vec![spec.title.clone(), spec.topic.to_string()],
                    spec.topic.to_string(),
                ));
            }
        }
        let mut topics: Vec<&str> = c.facts.iter().map(|f| f.topic.as_str()).collect();
        topics.sort_unstable();
        topics.dedup();
        let topic = topics
            .into_iter()
            .map(|t| item(vec![t.to_string()], t.to_string()))
            .collect();
        let mut query: Vec<Item> = c
            .entities
            .iter()
            .map(|e| item(e.names().map(str::to_string).collect(), e.name.clone()))
            .collect();
        query.extend(
            c.facts
                .iter()
                .map(|f| item(vec![f.title.clone()], f.title.clone())),
        );
        Suggester {
            entity: about
                .into_iter()
                .map(|(topic, keys)| (topic, Options::new(entity_items(keys))))
                .collect(),
            facts: facts
                .into_iter()
                .map(|(topic, items)| (topic, Options::new(items)))
                .collect(),
            speaker: Options::new(entity_items(speaker)),
            article: Options::new(article),
            card: Options::new(card),
            topic: Options::new(topic),
            query: Options::new(query),
            none: Options::default(),
        }
    }

    fn options(&self, kind: SuggestKind) -> &Options {
        match kind {
            SuggestKind::Entity(topic) => self.entity.get(topic).unwrap_or(&self.none),
            SuggestKind::Fact(topic) => self.facts.get(topic).unwrap_or(&self.none),
            SuggestKind::Speaker => &self.speaker,
            SuggestKind::Article => &self.article,
            SuggestKind::Card => &self.card,
            SuggestKind::Topic => &self.topic,
            SuggestKind::Query => &self.query,
        }
    }
}

fn item(names: Vec<String>, value: String) -> Item {
    let folded = names
        .iter()
        .map(|n| text::folded_words(n).join(" "))
        .collect();
    let value = (value != names[0]).then_some(value);
    Item {
        names,
        folded,
        value,
    }
}

impl Engine {
    /// Up to `limit` suggestions for `typed`, best first: whole names that
    /// start with it, then names with a word that does, then names that
    /// contain it, then near misses; ties in the options' order.
    pub fn suggest(&self, kind: SuggestKind, typed: &str, limit: usize) -> Vec<Suggestion> {
        let options = self.suggester.options(kind);
        let typed = &typed[..text::floor_char_boundary(typed, 200)];
        let needle = text::folded_words(typed).join(" ");
        let mut chosen: Vec<(u32, u16)> = Vec::new();
        let mut taken = vec![false; options.items.len()];
        let mut take = |hits: &mut Vec<(u32, u16)>, chosen: &mut Vec<(u32, u16)>| {
            hits.sort_unstable();
            for &(i, n) in hits.iter() {
                if chosen.len() == limit {
                    break;
                }
                if !std::mem::replace(&mut taken[i as usize], true) {
                    chosen.push((i, n));
                }
            }
        };
        if needle.is_empty() {
            let mut all: Vec<(u32, u16)> =
                (0..options.items.len() as u32).map(|i| (i, 0)).collect();
            take(&mut all, &mut chosen);
        } else {
            for keys in [&options.names, &options.words] {
                let mut hits: Vec<(u32, u16)> = options
                    .prefixed(keys, &needle)
                    .iter()
                    .map(|(i, n, _)| (*i, *n))
                    .collect();
                take(&mut hits, &mut chosen);
            }
            if chosen.len() < limit && needle.chars().count() >= 3 {
                // One pass over the first options: substrings, then near misses.
                let mut contained = Vec::new();
                let mut near = Vec::new();
                for (i, item) in options.items.iter().take(SCAN_LIMIT).enumerate() {
                    if let Some(n) = item.folded.iter().position(|f| f.contains(needle.as_str())) {
                        contained.push((i as u32, n as u16));
                    } else if let Some(n) = item
                        .folded
                        .iter()
                        .position(|f| match_score(&needle, f) == Some(2))
                    {
                        near.push((i as u32, n as u16));
                    }
                }
                take(&mut contained, &mut chosen);
                take(&mut near, &mut chosen);
            }
        }
        chosen
            .into_iter()
            .map(|(i, n)| {
                let item = &options.items[i as usize];
                let n = n as usize;
                let label = if n == 0 || needle.is_empty() {
                    item.names[0].clone()
                } else {
                    format!("{} ({})", item.names[0], item.names[n])
                };
                Suggestion {
                    label: cut(&label),
                    value: cut(item.value()),
                }
            })
            .collect()
    }
}

impl Engine {
    /// The cards to suggest for `typed`: those of `story` when it names a
    /// story (so no card it lacks is offered), else any story's.
    pub fn suggest_cards(&self, story: Option<&str>, typed: &str, limit: usize) -> Vec<Suggestion> {
        let Ok(Some(a)) = self.story_scope(story) else {
            return self.suggest(SuggestKind::Card, typed, limit);
        };
        let needle = text::folded_words(&typed[..text::floor_char_boundary(typed, 200)]).join(" ");
        self.catalog.articles[a]
            .cards
            .iter()
            .filter(|c| {
                let title = text::folded_words(&c.title).join(" ");
                title.contains(&needle) || c.topic.as_str().contains(&needle)
            })
            .take(limit)
            .map(|c| Suggestion {
                label: cut(&c.title),
                value: c.topic.to_string(),
            })
            .collect()
    }
}

/// How well `name` fits what was typed (`needle`, folded): a prefix of the
/// whole name beats a prefix of one of its words, which beats a substring,
/// which beats a near miss. `None` when it does not fit at all.
fn match_score(needle: &str, hay: &str) -> Option<u32> {
    if needle.is_empty() {
        return Some(1);
    }
    if hay.starts_with(needle) {
        return Some(5);
    }
    if hay.split(' ').any(|w| w.starts_with(needle)) {
        return Some(4);
    }
    if hay.contains(needle) {
        return Some(3);
    }
    let n = needle.chars().count();
    if n >= 3 {
        let allowed = if n >= 6 { 2 } else { 1 };
        let near = |w: &str| {
            let prefix: String = w.chars().take(n).collect();
            strsim::osa_distance(needle, &prefix) <= allowed
        };
        if near(hay) || hay.split(' ').any(near) {
            return Some(2);
        }
    }
    None
}

fn cut(s: &str) -> String {
    if s.chars().count() <= MAX_LEN {
        return s.to_string();
    }
    let mut out: String = s.chars().take(MAX_LEN - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_beat_substrings_beat_typos() {
        assert_eq!(match_score("nakh", "nakhchivan"), Some(5));
        assert_eq!(match_score("route", "trump route"), Some(4));
        assert_eq!(match_score("chiv", "nakhchivan"), Some(3));
        assert_eq!(match_score("nakhcv", "nakhchivan"), Some(2));
        assert_eq!(match_score("zzz", "nakhchivan"), None);
    }

    #[test]
    fn cut_respects_the_limit() {
        let long = "é".repeat(150);
        assert_eq!(cut(&long).chars().count(), MAX_LEN);
    }
}
