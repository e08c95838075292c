//! Spelling correction against the corpus vocabulary.
//!
//! A word the corpus does not know is replaced by the closest known word
//! within an edit distance that grows with its length (none up to four
//! letters, one up to eight, two beyond), so "nakhchivn" finds "nakhchivan"
//! while "cost" never turns into "lost". Candidates share the first letter,
//! which keeps the search to a small bucket of the vocabulary.

use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct Speller {
    known: HashMap<String, u32>,
    buckets: HashMap<char, Vec<(String, u32)>>,
}

impl Speller {
    pub fn new(words: impl IntoIterator<Item = (String, u32)>) -> Speller {
        let mut known: HashMap<String, u32> = HashMap::new();
        for (w, n) in words {
            *known.entry(w).or_default() += n;
        }
        let mut buckets: HashMap<char, Vec<(String, u32)>> = HashMap::new();
        for (w, n) in &known {
            if let Some(c) = w.chars().next()
                && w.len() >= 4
            {
                buckets.entry(c).or_default().push((w.clone(), *n));
            }
        }
        for b in buckets.values_mut() {
            b.sort();
        }
        Speller { known, buckets }
    }

    pub fn knows(&self, word: &str) -> bool {
        self.known.contains_key(word)
    }

    /// The closest known word to an unknown `word`, if one is close enough.
    pub fn correct(&self, word: &str) -> Option<&str> {
        let len = word.chars().count();
        let max = max_distance(len);
        // Four letters allow one missing or extra letter ("fery", "putn"),
        // never a changed one: "cost" is not a typo of "lost".
        let short = len == 4;
        let max = if short { 1 } else { max };
        if max == 0 || self.knows(word) || word.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        let first = word.chars().next()?;
        let bucket = self.buckets.get(&first)?;
        let mut best: Option<(usize, u32, &str)> = None;
        for (candidate, count) in bucket {
            let clen = candidate.chars().count();
            if clen.abs_diff(len) > max || (short && clen == len) {
                continue;
            }
            let d = strsim::osa_distance(word, candidate);
            if d > max {
                continue;
            }
            let better = match best {
                None => true,
                Some((bd, bc, _)) => d < bd || (d == bd && *count > bc),
            };
            if better {
                best = Some((d, *count, candidate));
            }
        }
        best.map(|(_, _, w)| w)
    }
}

fn max_distance(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=8 => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn speller() -> Speller {
        Speller::new(
            [
                "minister",
                "nakhchivan",
                "lost",
                "armenian",
                "azerbaijan",
                "influence",
            ]
            .map(|w| (w.to_string(), 1)),
        )
    }

    #[test]
    fn corrects_typos_by_length() {
        let s = speller();
        assert_eq!(s.correct("minster"), Some("minister"));
        assert_eq!(s.correct("nakhchivn"), Some("nakhchivan"));
        assert_eq!(s.correct("azerbajan"), Some("azerbaijan"));
        assert_eq!(s.correct("armenain"), Some("armenian"));
        assert_eq!(s.correct("lst"), None);
        assert_eq!(s.correct("losst"), Some("lost"));
    }

    #[test]
    fn short_and_unrelated_words_stay_unknown() {
        let s = speller();
        assert_eq!(s.correct("cost"), None);
        assert_eq!(s.correct("los"), None, "three letters are never corrected");
        assert_eq!(s.correct("population"), None);
        assert_eq!(s.correct("minister"), None, "known words are not corrected");
    }
}
