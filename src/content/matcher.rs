//! Finding entity mentions in text by their names and aliases.
//!
//! Names match as whole word sequences after folding ("Naxçıvan" matches
//! "naxcivan"), longest first. Short all-capital aliases such as "US" match
//! only when written in capitals, so the pronoun "us" never names a country.
//!
//! Entities of different stories may share a name (two stories' "Transport
//! Ministry"). Entities that share any name form one class, and a mention
//! names the class: which of its members is meant depends on the story
//! being read, which the caller knows.

use rustc_hash::FxHashMap as HashMap;

use super::model::Entity;
use crate::text::Word;

/// One entity mention: which entity and which words of the text name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mention {
    /// Index of the entity in the slice the matcher was built from.
    pub entity: usize,
    /// Range of word indices `[first, last)`.
    pub first: usize,
    pub last: usize,
}

#[derive(Debug, Clone)]
struct Pattern {
    words: Vec<String>,
    entity: usize,
    /// The original spelling must match too (short acronyms).
    exact: Option<String>,
}

/// Whether `name` is a short acronym ("US"), which matches only as
/// written, not in any case as other names do.
pub fn matches_only_in_capitals(name: &str) -> bool {
    name.len() <= 3 && name.chars().all(|c| c.is_ascii_uppercase())
}

/// Matches entity names and aliases in word sequences.
#[derive(Debug, Clone, Default)]
pub struct EntityMatcher {
    by_first_word: HashMap<String, Vec<Pattern>>,
    /// Per entity: the smallest index of the entities sharing a name with
    /// it (itself when it shares none).
    class: Vec<usize>,
}

impl EntityMatcher {
    pub fn new(entities: &[Entity]) -> EntityMatcher {
        let mut by_first_word: HashMap<String, Vec<Pattern>> = HashMap::default();
        for (entity, e) in entities.iter().enumerate() {
            for name in e.names() {
                let words = crate::text::folded_words(name);
                let Some(first) = words.first().cloned() else {
                    continue;
                };
                by_first_word.entry(first).or_default().push(Pattern {
                    exact: matches_only_in_capitals(name).then(|| name.to_string()),
                    words,
                    entity,
                });
            }
        }
        let mut class: Vec<usize> = (0..entities.len()).collect();
        for patterns in by_first_word.values_mut() {
            patterns.sort_by_key(|p| std::cmp::Reverse(p.words.len()));
            for (i, a) in patterns.iter().enumerate() {
                for b in &patterns[i + 1..] {
                    if a.words == b.words && a.entity != b.entity {
                        join(&mut class, a.entity, b.entity);
                    }
                }
            }
        }
        for e in 0..class.len() {
            class[e] = root(&class, e);
        }
        EntityMatcher {
            by_first_word,
            class,
        }
    }

    /// The class of entity `e`: the smallest index of the entities that
    /// share a name with it.
    pub fn class(&self, e: usize) -> usize {
        self.class.get(e).copied().unwrap_or(e)
    }

    /// The entities of class `class`, in index order.
    pub fn members(&self, class: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.class.len()).filter(move |&e| self.class[e] == class)
    }

    /// Mentions in `words` (taken from `source`), left to right, not overlapping.
    pub fn find(&self, source: &str, words: &[Word]) -> Vec<Mention> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let found = self
                .by_first_word
                .get(&words[i].folded)
                .and_then(|patterns| {
                    patterns.iter().find(|p| {
                        let end = i + p.words.len();
                        end <= words.len()
                            && words[i..end]
                                .iter()
                                .zip(&p.words)
                                .all(|(w, pw)| w.folded == *pw)
                            && p.exact.as_deref().is_none_or(|exact| {
                                source.get(words[i].start..words[i].end) == Some(exact)
                            })
                    })
                });
            match found {
                Some(p) => {
                    out.push(Mention {
                        entity: self.class(p.entity),
                        first: i,
                        last: i + p.words.len(),
                    });
                    i += p.words.len();
                }
                None => i += 1,
            }
        }
        out
    }

    /// Classes of the entities mentioned in `text`, deduplicated.
    pub fn entities_in(&self, text: &str) -> Vec<usize> {
        let words = crate::text::spans(text);
        let mut ids: Vec<usize> = self.find(text, &words).iter().map(|m| m.entity).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

fn root(class: &[usize], mut e: usize) -> usize {
    while class[e] != e {
        e = class[e];
    }
    e
}

/// Merges the classes of `a` and `b` under the smaller root.
fn join(class: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (root(class, a), root(class, b));
    let (low, high) = (ra.min(rb), ra.max(rb));
    class[high] = low;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(id: &str, name: &str, aliases: &[&str]) -> Entity {
        Entity {
            id: id.into(),
            story: None,
            name: name.into(),
            kind: "country".into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            description: None,
        }
    }

    #[test]
    fn longest_alias_wins_and_acronyms_need_capitals() {
        let entities = [
            entity("us", "United States", &["US", "America"]),
            entity(
                "tripp",
                "Trump Route for International Peace and Prosperity",
                &["TRIPP"],
            ),
            entity("trump", "Donald Trump", &["Trump"]),
        ];
        let m = EntityMatcher::new(&entities);
        assert_eq!(
            m.entities_in("the Trump Route for International Peace and Prosperity"),
            [1]
        );
        assert_eq!(m.entities_in("what did trump tell us"), [2]);
        assert_eq!(m.entities_in("what did the US do"), [0]);
        assert_eq!(m.entities_in("tripp"), [1]);
    }

    #[test]
    fn namesakes_of_different_stories_form_one_class() {
        let mut a = entity("ministry", "Transport Ministry", &["ministry of transport"]);
        a.story = Some("strike".into());
        let mut b = entity("ministry", "Ministry of Transport", &["transport ministry"]);
        b.story = Some("floods".into());
        let entities = [entity("x", "Other", &[]), a, b];
        let m = EntityMatcher::new(&entities);
        assert_eq!(m.class(2), 1);
        assert_eq!(m.members(1).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(m.entities_in("the transport ministry said"), [1]);
        assert_eq!(m.entities_in("the Ministry of Transport said"), [1]);
        assert_eq!(m.entities_in("Other"), [0]);
    }
}
