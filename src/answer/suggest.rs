//! Autocomplete: entity names, aliases and fact titles that fit what a
//! person has typed so far, forgiving typos.

use super::{Engine, Suggestion};
use crate::content::Topic;
use crate::text;

/// What is being completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuggestKind {
    /// Entities the parties facts are about.
    Party,
    /// Terms of the deal.
    Term,
    /// People who are quoted.
    Speaker,
    /// Articles by id and title.
    Article,
    /// Anything worth searching: entity names, aliases and fact titles.
    Query,
}

/// Labels and values are cut to this many characters (Discord's limit).
const MAX_LEN: usize = 100;

struct Option_ {
    /// Names the option can be found by; the first is the label.
    names: Vec<String>,
    value: String,
}

impl Engine {
    /// Up to `limit` suggestions for `typed`, best first.
    pub fn suggest(&self, kind: SuggestKind, typed: &str, limit: usize) -> Vec<Suggestion> {
        let typed = &typed[..text::floor_char_boundary(typed, 200)];
        let needle = text::folded_words(typed).join(" ");
        let mut scored: Vec<(u32, usize, Suggestion)> = Vec::new();
        for (order, opt) in self.options(kind).into_iter().enumerate() {
            let best = opt
                .names
                .iter()
                .enumerate()
                .filter_map(|(i, n)| match_score(&needle, n).map(|s| (s, i)))
                .max_by_key(|(s, i)| (*s, std::cmp::Reverse(*i)));
            let Some((score, via)) = best else { continue };
            let label = if via == 0 || needle.is_empty() {
                opt.names[0].clone()
            } else {
                format!("{} ({})", opt.names[0], opt.names[via])
            };
            let s = Suggestion {
                label: cut(&label),
                value: cut(&opt.value),
            };
            if !scored.iter().any(|(_, _, x)| x.value == s.value) {
                scored.push((score, order, s));
            }
        }
        scored.sort_by_key(|(score, order, _)| (std::cmp::Reverse(*score), *order));
        scored.into_iter().take(limit).map(|(_, _, s)| s).collect()
    }

    fn options(&self, kind: SuggestKind) -> Vec<Option_> {
        let c = &self.catalog;
        let entity_option = |id: &str| {
            c.entity(id).map(|e| Option_ {
                names: e.names().map(str::to_string).collect(),
                value: e.name.clone(),
            })
        };
        let mut ids: Vec<&str> = Vec::new();
        match kind {
            SuggestKind::Party => {
                // The countries and people the parties facts are about.
                for f in c.facts.iter().filter(|f| f.topic == Topic::Parties) {
                    ids.extend(f.about.iter().map(String::as_str).filter(|id| {
                        c.entity(id).is_some_and(|e| {
                            matches!(e.kind.as_str(), "country" | "person" | "organization")
                        })
                    }));
                }
            }
            SuggestKind::Speaker => {
                ids.extend(c.facts.iter().filter_map(|f| f.speaker.as_deref()));
            }
            SuggestKind::Term => {
                return c
                    .facts
                    .iter()
                    .filter(|f| f.topic == Topic::Terms)
                    .map(|f| Option_ {
                        names: std::iter::once(f.title.clone())
                            .chain(f.keywords.iter().cloned())
                            .collect(),
                        value: f.id.clone(),
                    })
                    .collect();
            }
            SuggestKind::Article => {
                return c
                    .articles
                    .iter()
                    .map(|a| Option_ {
                        names: vec![format!("{} ({})", a.title, a.date), a.id.clone()],
                        value: a.id.clone(),
                    })
                    .collect();
            }
            SuggestKind::Query => {
                let mut out: Vec<Option_> = c
                    .entities
                    .iter()
                    .map(|e| Option_ {
                        names: e.names().map(str::to_string).collect(),
                        value: e.name.clone(),
                    })
                    .collect();
                out.extend(c.facts.iter().map(|f| Option_ {
                    names: vec![f.title.clone()],
                    value: f.title.clone(),
                }));
                return out;
            }
        }
        let mut seen = Vec::new();
        ids.retain(|id| {
            let new = !seen.contains(id);
            seen.push(id);
            new
        });
        ids.into_iter().filter_map(entity_option).collect()
    }
}

/// How well `name` fits what was typed (`needle`, folded): a prefix of the
/// whole name beats a prefix of one of its words, which beats a substring,
/// which beats a near miss. `None` when it does not fit at all.
fn match_score(needle: &str, name: &str) -> Option<u32> {
    if needle.is_empty() {
        return Some(1);
    }
    let hay = text::folded_words(name).join(" ");
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
        if near(&hay) || hay.split(' ').any(near) {
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
        assert_eq!(match_score("nakh", "Nakhchivan"), Some(5));
        assert_eq!(match_score("route", "Trump Route"), Some(4));
        assert_eq!(match_score("chiv", "Nakhchivan"), Some(3));
        assert_eq!(match_score("nakhcv", "Nakhchivan"), Some(2));
        assert_eq!(match_score("zzz", "Nakhchivan"), None);
    }

    #[test]
    fn cut_respects_the_limit() {
        let long = "é".repeat(150);
        assert_eq!(cut(&long).chars().count(), MAX_LEN);
    }
}
