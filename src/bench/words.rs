//! A small deterministic PRNG and the vocabulary of the synthetic corpus:
//! English function words, real news words and generated content words,
//! sampled with Zipf-like frequencies.

use std::collections::HashSet;

/// splitmix64: tiny, fast and good enough to make text; fixed seeds make
/// every corpus reproducible.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    /// A uniform number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// A uniform float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Samples indices `0..n` with probability proportional to `1 / (rank + 1)^s`.
pub struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    pub fn new(n: usize, s: f64) -> Zipf {
        let mut total = 0.0;
        let cumulative = (0..n)
            .map(|r| {
                total += 1.0 / ((r + 1) as f64).powf(s);
                total
            })
            .collect();
        Zipf { cumulative }
    }

    pub fn sample(&self, rng: &mut Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let u = rng.unit() * total;
        self.cumulative
            .partition_point(|&c| c <= u)
            .min(self.cumulative.len() - 1)
    }
}

/// Function words, most frequent first.
pub const FUNCTION: &[&str] = &[
    "the", "of", "and", "to", "a", "in", "that", "is", "was", "for", "on", "with", "as", "by",
    "at", "from", "it", "its", "their", "be", "has", "have", "had", "this", "which", "are", "were",
    "an", "but", "not", "will", "after", "over", "about", "into", "than", "more", "would", "also",
    "who", "they", "been", "when", "while", "before", "under", "between", "against", "during",
    "could", "should", "some", "most", "other", "such", "those", "these", "both", "each", "since",
];

/// Real words of news stories; they take the most frequent content ranks.
pub const NEWS: &str = "\
    government minister president talks agreement border trade election officials said \
    security economy region military forces leaders country people report week year month \
    policy plan deal support parliament vote power energy prices market bank budget taxes \
    court ruling law police protest crisis conflict peace ceasefire troops attack aid relief \
    refugees health hospital schools workers union strike companies investment exports imports \
    tariffs sanctions envoy summit negotiations treaty corridor pipeline railway port airport \
    bridge highway water drought flood storm climate emissions farmers harvest wheat oil gas \
    coal electricity grid nuclear reactor mining copper shipping fleet navy missile drone \
    defence alliance partners neighbours capital province district village city residents \
    families children students teachers doctors nurses judges lawyers journalists reporters \
    newspaper television statement interview announced warned promised signed rejected \
    approved criticised welcomed denied confirmed expected agreed accused demanded launched \
    opened closed reached raised cut increased reduced built planned delayed historic major \
    new former senior local national foreign regional economic political public private \
    international military diplomatic urgent long early late recent annual rising falling \
    record first second last final several many dozens hundreds thousands millions percent \
    billion million spokesman spokeswoman committee commission council agency ministry office \
    campaign opposition coalition party candidate voters polls reform pension inflation growth \
    debt loan fund donors observers monitors inspectors mission delegation visit meeting \
    ceremony speech decision proposal dispute claims evidence inquiry investigation charges \
    trial verdict prison release hostages exchange prisoners talks mediators guarantees \
    withdrawal deployment";

const ONSETS: &[&str] = &[
    "b", "br", "c", "ch", "d", "dr", "f", "g", "gr", "h", "k", "l", "m", "n", "p", "pr", "r", "s",
    "sh", "st", "t", "tr", "v", "w", "z",
];
const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ea", "ou", "y"];
const CODAS: &[&str] = &["", "", "n", "r", "l", "s", "t", "m", "nd", "st", "rk", "ng"];

/// A pronounceable made-up word of `syllables` syllables.
pub fn made_up(rng: &mut Rng, syllables: usize) -> String {
    let mut w = String::new();
    for i in 0..syllables {
        w.push_str(ONSETS[rng.below(ONSETS.len())]);
        w.push_str(VOWELS[rng.below(VOWELS.len())]);
        if i + 1 == syllables || rng.chance(0.3) {
            w.push_str(CODAS[rng.below(CODAS.len())]);
        }
    }
    w
}

/// Content words, most frequent first: the news words, then `extra`
/// generated words, all distinct from each other and the function words.
pub fn content_words(rng: &mut Rng, extra: usize) -> Vec<String> {
    let mut seen: HashSet<String> = FUNCTION.iter().map(|s| s.to_string()).collect();
    let news = NEWS.split_whitespace().count();
    let mut out = Vec::with_capacity(news + extra);
    for w in NEWS.split_whitespace() {
        if seen.insert(w.to_string()) {
            out.push(w.to_string());
        }
    }
    while out.len() < news + extra {
        let syllables = rng.range(2, 3);
        let w = made_up(rng, syllables);
        if w.len() >= 4 && seen.insert(w.clone()) {
            out.push(w);
        }
    }
    out
}

/// `word` with its first letter in upper case.
pub fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
