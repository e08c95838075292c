//! Finding entity mentions in text by their names and aliases.
//!
//! Names match as whole word sequences after folding ("Naxçıvan" matches
//! "naxcivan"), longest first. Short all-capital aliases such as "US" match
//! only when written in capitals, so the pronoun "us" never names a country.

use std::collections::HashMap;

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

/// Matches entity names and aliases in word sequences.
#[derive(Debug, Clone, Default)]
pub struct EntityMatcher {
    by_first_word: HashMap<String, Vec<Pattern>>,
}

impl EntityMatcher {
    pub fn new(entities: &[Entity]) -> EntityMatcher {
        let mut by_first_word: HashMap<String, Vec<Pattern>> = HashMap::new();
        for (entity, e) in entities.iter().enumerate() {
            for name in e.names() {
                let words = crate::text::folded_words(name);
                let Some(first) = words.first().cloned() else {
                    continue;
                };
                let is_acronym = words.len() == 1
                    && name.len() <= 3
                    && name.chars().all(|c| c.is_ascii_uppercase());
                by_first_word.entry(first).or_default().push(Pattern {
                    words,
                    entity,
                    exact: is_acronym.then(|| name.to_string()),
                });
            }
        }
        for patterns in by_first_word.values_mut() {
            patterns.sort_by_key(|p| std::cmp::Reverse(p.words.len()));
        }
        EntityMatcher { by_first_word }
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
                        entity: p.entity,
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

    /// Ids (as indices) of the entities mentioned in `text`, deduplicated.
    pub fn entities_in(&self, text: &str) -> Vec<usize> {
        let words = crate::text::spans(text);
        let mut ids: Vec<usize> = self.find(text, &words).iter().map(|m| m.entity).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(id: &str, name: &str, aliases: &[&str]) -> Entity {
        Entity {
            id: id.into(),
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
}
