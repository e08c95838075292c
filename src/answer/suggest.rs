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

/// A piece of [`Options::text`]: byte offsets.
type Span = (u32, u32);

/// One thing that can be suggested: names in [`Options::text`].
struct Item {
    /// Its first name in `shown` and `folded`; the first is the label.
    first: u32,
    /// How many names it has.
    count: u16,
    /// What to fill in, when not the first name.
    value: Option<Span>,
}

/// Where a key starts: an item, one of its names, a byte offset in it.
type Key = (u32, u16, u16);

/// The options of one kind, with sorted keys for prefix look-ups. Every
/// name, folded name and value is a span of one string, and keys point
/// into the folded names: an index of many articles has many fact titles,
/// and a string apiece would cost more than the text.
#[derive(Default)]
struct Options {
    text: String,
    /// Per name: as shown.
    shown: Vec<Span>,
    /// Per name: folded (lowercase, ASCII, single spaces).
    folded: Vec<Span>,
    items: Vec<Item>,
    /// Whole names, sorted: whole-name prefixes.
    names: Vec<Key>,
    /// Every word after the first of every name, sorted: word prefixes.
    words: Vec<Key>,
}

impl Options {
    /// Adds an option found by `names` (the first is its label) that fills
    /// in `value`. Options past 4 GiB of names are left out.
    fn push<'a>(&mut self, names: impl IntoIterator<Item = &'a str>, value: &str) {
        let Ok(first) = u32::try_from(self.shown.len()) else {
            return;
        };
        let mut count = 0u16;
        let mut label_is_value = false;
        for name in names.into_iter().take(usize::from(u16::MAX)) {
            let folded = text::folded_words(name).join(" ");
            let (Some(shown), Some(folded)) = (self.add(name), self.add(&folded)) else {
                break;
            };
            label_is_value |= count == 0 && name == value;
            self.shown.push(shown);
            self.folded.push(folded);
            count += 1;
        }
        let value = match label_is_value {
            true => None,
            false => self.add(value),
        };
        if count > 0 && (label_is_value || value.is_some()) {
            self.items.push(Item {
                first,
                count,
                value,
            });
        }
    }

    fn add(&mut self, s: &str) -> Option<Span> {
        let start = u32::try_from(self.text.len()).ok()?;
        let end = u32::try_from(self.text.len() + s.len()).ok()?;
        self.text.push_str(s);
        Some((start, end))
    }

    /// Sorts the keys once every option is in.
    fn finish(mut self) -> Options {
        let mut names = Vec::new();
        let mut words = Vec::new();
        for (i, item) in self.items.iter().enumerate() {
            for n in 0..item.count {
                names.push((i as u32, n, 0));
                let starts = self
                    .folded_name(i, n)
                    .match_indices(' ')
                    .map(|(at, _)| at + 1);
                words.extend(
                    starts
                        .filter(|&at| at <= usize::from(u16::MAX))
                        .map(|at| (i as u32, n, at as u16)),
                );
            }
        }
        names.sort_by(|a, b| self.key(*a).cmp(self.key(*b)));
        words.sort_by(|a, b| self.key(*a).cmp(self.key(*b)));
        self.names = names;
        self.words = words;
        self.text.shrink_to_fit();
        self.shown.shrink_to_fit();
        self.folded.shrink_to_fit();
        self.items.shrink_to_fit();
        self
    }

    fn span(&self, (start, end): Span) -> &str {
        &self.text[start as usize..end as usize]
    }

    /// Name `n` of item `i`, folded.
    fn folded_name(&self, i: usize, n: u16) -> &str {
        let at = self.items[i].first as usize + usize::from(n);
        self.span(self.folded[at])
    }

    /// Name `n` of item `i`, as shown.
    fn shown_name(&self, i: usize, n: u16) -> &str {
        let at = self.items[i].first as usize + usize::from(n);
        self.span(self.shown[at])
    }

    fn value(&self, i: usize) -> &str {
        match self.items[i].value {
            Some(span) => self.span(span),
            None => self.shown_name(i, 0),
        }
    }

    fn key(&self, (item, name, at): Key) -> &str {
        &self.folded_name(item as usize, name)[usize::from(at)..]
    }

    /// One pass over the first `SCAN_LIMIT` items: those with a name
    /// containing `needle`, then those with a name one edit away from it
    /// (each with the name that matched).
    fn scan(&self, needle: &str) -> (Vec<Match>, Vec<Match>) {
        let mut contained = Vec::new();
        let mut near = Vec::new();
        for (i, item) in self.items.iter().take(SCAN_LIMIT).enumerate() {
            let folded = |n: &u16| self.folded_name(i, *n);
            let mut names = 0..item.count;
            if let Some(n) = names.clone().find(|n| folded(n).contains(needle)) {
                contained.push((i as u32, n));
            } else if let Some(n) = names.find(|n| match_score(needle, folded(n)) == Some(2)) {
                near.push((i as u32, n));
            }
        }
        (contained, near)
    }

    /// Item `i` as a suggestion, labelled with the name `n` that matched
    /// when it is not the first.
    fn suggestion(&self, i: usize, n: u16) -> Suggestion {
        let first = self.shown_name(i, 0);
        let label = if n == 0 {
            first.to_string()
        } else {
            format!("{first} ({})", self.shown_name(i, n))
        };
        Suggestion {
            label: cut(&label),
            value: cut(self.value(i)),
        }
    }

    /// Keys of `keys` whose text starts with `prefix`.
    fn prefixed<'a>(&self, keys: &'a [Key], prefix: &str) -> &'a [Key] {
        let from = keys.partition_point(|k| self.key(*k) < prefix);
        let len = keys[from..].partition_point(|k| self.key(*k).starts_with(prefix));
        &keys[from..from + len]
    }
}

/// An item (its position) and which of its names matched.
type Match = (u32, u16);

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
        let labels = EntityLabels::new(c);
        let mut about: HashMap<&str, Vec<&str>> = HashMap::new();
        for f in &c.facts {
            let keys = about.entry(f.topic.as_str()).or_default();
            keys.extend(f.about.iter().map(String::as_str));
        }
        let speakers = c.facts.iter().filter_map(|f| f.speaker.as_deref());
        Suggester {
            entity: about
                .into_iter()
                .map(|(topic, keys)| (topic.to_string(), labels.options(keys)))
                .collect(),
            facts: fact_options(c),
            speaker: labels.options(speakers),
            article: article_options(c, by_date),
            card: card_options(c, by_date),
            topic: topic_options(c),
            query: query_options(c),
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

/// What entity options are labelled with: a name two stories' entities
/// share is shown with its story's title.
struct EntityLabels<'c> {
    titles: HashMap<&'c str, &'c str>,
    /// Entities by folded name: how many share it.
    named: HashMap<Vec<String>, usize>,
    by_key: HashMap<String, &'c crate::content::Entity>,
}

impl<'c> EntityLabels<'c> {
    fn new(c: &'c Catalog) -> EntityLabels<'c> {
        let mut named: HashMap<Vec<String>, usize> = HashMap::new();
        for e in &c.entities {
            *named.entry(text::folded_words(&e.name)).or_default() += 1;
        }
        EntityLabels {
            titles: c
                .articles
                .iter()
                .map(|a| (a.id.as_str(), a.title.as_str()))
                .collect(),
            named,
            by_key: c.entities.iter().map(|e| (e.key(), e)).collect(),
        }
    }

    /// Options for the entities of `keys`, in order, each once.
    fn options<'k>(&self, keys: impl IntoIterator<Item = &'k str>) -> Options {
        let mut options = Options::default();
        let mut seen = HashSet::new();
        let entities = keys
            .into_iter()
            .filter(|key| seen.insert(*key))
            .filter_map(|key| self.by_key.get(key).copied());
        for e in entities {
            let story = e.story.as_deref().and_then(|s| self.titles.get(s));
            let label = story
                .filter(|_| self.named[&text::folded_words(&e.name)] > 1)
                .map(|story| format!("{} ({story})", e.name));
            options.push(label.as_deref().into_iter().chain(e.names()), &e.key());
        }
        options.finish()
    }
}

/// Facts by topic, under their titles and keywords.
fn fact_options(c: &Catalog) -> HashMap<String, Options> {
    let mut facts: HashMap<&str, Options> = HashMap::new();
    for f in &c.facts {
        let names = std::iter::once(&f.title).chain(&f.keywords);
        let options = facts.entry(f.topic.as_str()).or_default();
        options.push(names.map(String::as_str), &f.key());
    }
    facts
        .into_iter()
        .map(|(topic, options)| (topic.to_string(), options.finish()))
        .collect()
}

/// Articles, newest first, under their title and date or their id.
fn article_options(c: &Catalog, by_date: &[usize]) -> Options {
    let mut article = Options::default();
    for a in by_date.iter().map(|&i| &c.articles[i]) {
        let label = format!("{} ({})", a.title, a.date);
        article.push([label.as_str(), &a.id], &a.id);
    }
    article.finish()
}

/// Cards of the newest article declaring each topic.
fn card_options(c: &Catalog, by_date: &[usize]) -> Options {
    let mut card = Options::default();
    let mut seen = HashSet::new();
    for spec in by_date.iter().flat_map(|&i| &c.articles[i].cards) {
        if seen.insert(spec.topic.as_str()) {
            card.push(
                [spec.title.as_str(), spec.topic.as_str()],
                spec.topic.as_str(),
            );
        }
    }
    card.finish()
}

/// The facts' topics, sorted.
fn topic_options(c: &Catalog) -> Options {
    let mut topics: Vec<&str> = c.facts.iter().map(|f| f.topic.as_str()).collect();
    topics.sort_unstable();
    topics.dedup();
    let mut topic = Options::default();
    for t in topics {
        topic.push([t], t);
    }
    topic.finish()
}

/// What a search may be about: entities' names, then facts' titles.
fn query_options(c: &Catalog) -> Options {
    let mut query = Options::default();
    for e in &c.entities {
        query.push(e.names(), &e.name);
    }
    for f in &c.facts {
        query.push([f.title.as_str()], &f.title);
    }
    query.finish()
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
                let (mut contained, mut near) = options.scan(&needle);
                take(&mut contained, &mut chosen);
                take(&mut near, &mut chosen);
            }
        }
        chosen
            .into_iter()
            .map(|(i, n)| options.suggestion(i as usize, if needle.is_empty() { 0 } else { n }))
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
    fn options_keep_names_folded_names_and_values_apart() {
        let mut o = Options::default();
        o.push(["Harbour Bridge (North)", "HB"], "bridge");
        o.push(["Ada Vell"], "Ada Vell");
        let o = o.finish();
        assert_eq!(o.shown_name(0, 1), "HB");
        assert_eq!(o.folded_name(0, 0), "harbour bridge north");
        assert_eq!((o.value(0), o.value(1)), ("bridge", "Ada Vell"));
        assert!(
            o.items[1].value.is_none(),
            "a value equal to the label is not stored twice"
        );
        assert_eq!(o.prefixed(&o.words, "vel"), &[(1, 0, 4)]);
        assert_eq!(o.prefixed(&o.names, "h"), &[(0, 0, 0), (0, 1, 0)]);
    }

    #[test]
    fn cut_respects_the_limit() {
        let long = "é".repeat(150);
        assert_eq!(cut(&long).chars().count(), MAX_LEN);
    }
}
