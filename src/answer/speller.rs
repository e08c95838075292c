//! Spelling correction against the corpus vocabulary.
//!
//! A word the corpus does not know is replaced by the closest known word
//! within an edit distance that grows with its length (none up to three
//! letters, one up to five, two beyond), so "nakhchivn" finds "nakhchivan"
//! and "agremnt" finds "agreement". Candidates share the first letter, which
//! keeps the search to a small bucket of the vocabulary and keeps "cost"
//! from turning into "lost".

use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct Speller {
    known: HashMap<String, u32>,
    /// Words of four letters or more by first letter, each with its length
    /// in characters and its count, sorted by length (then word), so a
    /// correction reads only the words of a length within reach.
    buckets: HashMap<char, Vec<(usize, String, u32)>>,
}

impl Speller {
    pub fn new(words: impl IntoIterator<Item = (String, u32)>) -> Speller {
        let mut known: HashMap<String, u32> = HashMap::new();
        for (w, n) in words {
            *known.entry(w).or_default() += n;
        }
        let mut buckets: HashMap<char, Vec<(usize, String, u32)>> = HashMap::new();
        for (w, n) in &known {
            if let Some(c) = w.chars().next()
                && w.len() >= 4
            {
                let len = w.chars().count();
                buckets.entry(c).or_default().push((len, w.clone(), *n));
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

    /// The known words of four letters or more that start with `prefix`
    /// and whose length in characters is within `lengths`.
    pub fn starting_with<'a>(
        &'a self,
        prefix: &'a str,
        lengths: std::ops::RangeInclusive<usize>,
    ) -> impl Iterator<Item = &'a str> + 'a {
        let bucket = prefix
            .chars()
            .next()
            .and_then(|c| self.buckets.get(&c))
            .map_or(&[][..], Vec::as_slice);
        let from = bucket.partition_point(|(len, ..)| len < lengths.start());
        let to = bucket.partition_point(|(len, ..)| len <= lengths.end());
        bucket[from..to.max(from)]
            .iter()
            .map(|(_, w, _)| w.as_str())
            .filter(move |w| w.starts_with(prefix))
    }

    /// The closest known word to an unknown `word`, if one is close enough.
    pub fn correct(&self, word: &str) -> Option<&str> {
        self.correction(word).map(|(w, _)| w)
    }

    /// [`Speller::correct`] with the edit distance of the correction.
    pub fn correction(&self, word: &str) -> Option<(&str, usize)> {
        let len = word.chars().count();
        let max = max_distance(len);
        if max == 0 || self.knows(word) || word.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        let first = word.chars().next()?;
        let bucket = self.buckets.get(&first)?;
        let from = bucket.partition_point(|(clen, ..)| *clen + max < len);
        let mut best: Option<(usize, u32, &str)> = None;
        for (clen, candidate, count) in &bucket[from..] {
            if *clen > len + max {
                break;
            }
            let d = strsim::osa_distance(word, candidate);
            if d > max {
                continue;
            }
            // Nearest first, then the most used, then the first in
            // alphabetical order.
            let better = match best {
                None => true,
                Some((bd, bc, bw)) => {
                    d < bd
                        || (d == bd && (*count > bc || (*count == bc && candidate.as_str() < bw)))
                }
            };
            if better {
                best = Some((d, *count, candidate));
            }
        }
        best.map(|(d, _, w)| (w, d))
    }
}

fn max_distance(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=5 => 1,
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
                "agreement",
            ]
            .map(|w| (w.to_string(), 1)),
        )
    }

    #[test]
    fn lists_known_words_by_their_start() {
        let s = speller();
        let mut found: Vec<&str> = s.starting_with("arme", 4..=20).collect();
        found.sort_unstable();
        assert_eq!(found, ["armenian"]);
        assert_eq!(
            s.starting_with("azer", 10..=10).collect::<Vec<_>>(),
            ["azerbaijan"]
        );
        // Lengths outside the range, or no word with the start.
        assert_eq!(s.starting_with("azer", 4..=9).count(), 0);
        assert_eq!(s.starting_with("xylo", 4..=20).count(), 0);
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
        assert_eq!(s.correct("agremnt"), Some("agreement"));
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
