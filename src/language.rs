//! General knowledge of English, shared by every story: word vectors, word
//! frequencies and function words.
//!
//! Nothing here is about a particular story. The data is built by
//! `scripts/make_model_data.py` from registry packages and compiled into the
//! binary, so nothing is downloaded at build or run time:
//!
//! - `model/vectors.safetensors`: static token vectors distilled from
//!   all-MiniLM-L6-v2 (model2vec method, 256 dimensions), one row per
//!   WordPiece token of `model/tokenizer.json`, each row 8-bit integers
//!   (`embeddings`) times its own scale (`scales`);
//! - `model/english.tsv`: the 50,000 most frequent English words with their
//!   frequency (wordfreq): which words are English (spelling is corrected
//!   only outside them and the corpus) and how much each word weighs;
//! - function words: the NLTK English stopword list (the `stop-words` crate),
//!   and `model/chat.tsv`, written for dossier: how chat spells function
//!   words ("wat", "u"), and words that frame a chat message or address the
//!   bot rather than name a topic ("lol", "hey", "tell", "please");
//! - `model/shorthand.tsv`, written for dossier: how chat and headlines
//!   shorten content words ("ppl" for "people", "ceo" for "chief
//!   executive");
//! - `model/names.tsv`: English words that are names ("australia",
//!   "everest"), the entries the en_US and en_GB Hunspell dictionaries
//!   write with a capital and do not accept in lower case
//!   (`scripts/make_names.py`, from the npm packages dictionary-en and
//!   dictionary-en-gb, read with spylls).
//! - `model/countries.tsv`: the one-word forms of each country's name, its
//!   alternative spellings and its people ("netherlands", "holland",
//!   "dutch"; `scripts/make_countries.py`, from the npm package
//!   world-countries, ODbL).
//!
//! A text's vector is the weighted mean of its words' vectors, a word's
//! vector the mean of its WordPiece tokens' rows; weights follow the SIF
//! scheme (Arora et al., 2017): `a / (a + p(word))`.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::hash::BuildHasher;
use std::sync::{LazyLock, Mutex, MutexGuard, PoisonError};

use tokenizers::Model;

use crate::text;

/// Width of the vectors.
pub const DIMS: usize = 256;

/// The SIF smoothing constant `a`: model2vec's default (1e-4). A word with
/// frequency `a` weighs one half; "the" (5e-2) about 0.002; a word outside
/// the English list 1.
const SIF_A: f32 = 1e-4;

static VECTORS: &[u8] = include_bytes!("../model/vectors.safetensors");
static TOKENIZER: &[u8] = include_bytes!("../model/tokenizer.json");
static ENGLISH: &str = include_str!("../model/english.tsv");
static CHAT: &str = include_str!("../model/chat.tsv");
static SHORTHAND: &str = include_str!("../model/shorthand.tsv");
static NAMES: &str = include_str!("../model/names.tsv");
static COUNTRIES: &str = include_str!("../model/countries.tsv");

/// Word vectors kept (about 1 KB each): the words of recent questions and
/// candidates, which repeat. One cache serves every thread, so memory does
/// not grow with the threads answering (4 MB each when it was per thread).
/// At 10,000 articles 2,048 words answered as fast as 4,096 with 4 MB less
/// memory; 1,024 cost about 0.1 ms a question (BENCHMARKS.md, "Memory
/// given back at once, no huge pages, 8-bit vectors").
const WORD_CACHE: usize = 2048;
/// The cache is split by word into this many parts, each with its own lock,
/// so threads looking up words seldom wait on each other.
const WORD_CACHE_SHARDS: usize = 16;

/// A dense vector, unit length unless it is all zeros.
pub type Vector = Vec<f32>;

/// The loaded language data; one per process (see [`language`]).
pub struct Language {
    /// Byte offset of row 0 in [`VECTORS`] (I8, [`DIMS`] bytes a row).
    rows_at: usize,
    /// Byte offset of row 0's scale in [`VECTORS`] (F32, little-endian).
    scales_at: usize,
    rows: usize,
    wordpiece: tokenizers::models::ModelWrapper,
    frequency: HashMap<&'static str, f32>,
    stopwords: HashSet<&'static str>,
    /// Chat words ([`CHAT`]): the function word each stands for, `None`
    /// for one that only frames a message.
    chat: HashMap<&'static str, Option<&'static str>>,
    /// Shortenings of content words ([`SHORTHAND`]): the words each stands
    /// for, separated by spaces, and whether it is a unit after a number.
    shorthand: HashMap<&'static str, (&'static str, bool)>,
    /// English words that are names ([`NAMES`]): "australia", "dublin".
    names: HashSet<&'static str>,
    /// Each form of a country's name ([`COUNTRIES`]) with the other forms
    /// of its countries.
    countries: HashMap<&'static str, Vec<&'static str>>,
    word_cache: WordCache,
}

/// Recent words' vectors ([`Language::word_vector`]), in shards by word.
#[derive(Default)]
struct WordCache {
    shards: [Mutex<HashMap<String, Option<Vector>>>; WORD_CACHE_SHARDS],
}

impl WordCache {
    fn shard(&self, folded: &str) -> &Mutex<HashMap<String, Option<Vector>>> {
        let hash = rustc_hash::FxBuildHasher.hash_one(folded);
        &self.shards[(hash as usize) % WORD_CACHE_SHARDS]
    }
}

/// A shard's map. A thread that panicked while holding it can only have
/// left it with a word more or less: it is used as it is.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The lines of a data file, its comments and blank lines left out.
fn data_lines(data: &'static str) -> impl Iterator<Item = &'static str> {
    data.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
}

/// The names of [`NAMES`], one a line after its comments.
fn name_lines() -> impl Iterator<Item = &'static str> {
    data_lines(NAMES)
}

/// [`COUNTRIES`]: each form with the others of its line, of every line it
/// is on.
fn countries() -> HashMap<&'static str, Vec<&'static str>> {
    let mut out: HashMap<&'static str, Vec<&'static str>> = HashMap::default();
    for line in data_lines(COUNTRIES) {
        let forms: Vec<&'static str> = line.split('\t').collect();
        for &form in &forms {
            let others = out.entry(form).or_default();
            others.extend(forms.iter().filter(|&&f| f != form));
        }
    }
    out
}

/// The process-wide language data, loaded on first use.
pub fn language() -> &'static Language {
    static LANGUAGE: LazyLock<Language> = LazyLock::new(Language::load);
    &LANGUAGE
}

impl Language {
    fn load() -> Language {
        // The data is compiled in and checked by tests: a failure here is a
        // broken build, not something a user can cause.
        let tensors = safetensors::SafeTensors::deserialize(VECTORS)
            .expect("model/vectors.safetensors is a valid safetensors file");
        let tensor = |name: &str, dtype: safetensors::Dtype| {
            let view = tensors
                .tensor(name)
                .unwrap_or_else(|_| panic!("model/vectors.safetensors holds `{name}`"));
            assert_eq!(view.dtype(), dtype, "`{name}` is {dtype:?}");
            view
        };
        let embeddings = tensor("embeddings", safetensors::Dtype::I8);
        let scales = tensor("scales", safetensors::Dtype::F32);
        assert_eq!(
            embeddings.shape()[1],
            DIMS,
            "vectors have {DIMS} dimensions"
        );
        let rows = embeddings.shape()[0];
        assert_eq!(scales.shape(), [rows], "one scale a row");
        let at = |data: &[u8]| data.as_ptr() as usize - VECTORS.as_ptr() as usize;
        let (rows_at, scales_at) = (at(embeddings.data()), at(scales.data()));
        let tokenizer = tokenizers::Tokenizer::from_bytes(TOKENIZER)
            .expect("model/tokenizer.json is a valid tokenizer");
        Language {
            rows_at,
            scales_at,
            rows,
            wordpiece: tokenizer.get_model().clone(),
            frequency: english_frequencies(),
            stopwords: stop_words::get("en").iter().copied().collect(),
            chat: chat_words(),
            shorthand: shorthand(),
            names: name_lines().collect(),
            countries: countries(),
            word_cache: WordCache::default(),
        }
    }

    /// Whether `folded` is a function word ("the", "of", "which"), also as
    /// chat writes contractions without the apostrophe ("whats", "dont").
    pub fn is_stopword(&self, folded: &str) -> bool {
        if self.stopwords.contains(folded) || self.chat.contains_key(folded) {
            return true;
        }
        let contracted = |suffix: &str| {
            folded
                .strip_suffix(suffix)
                .is_some_and(|base| base.len() > 1 && self.stopwords.contains(base))
        };
        // "cant", "wont": only after an n, so "met" and "bet" stay words.
        let cannot = folded.ends_with("nt") && folded.len() > 3 && contracted("t");
        contracted("s") || contracted("nt") || cannot
    }

    /// Whether `folded` is an English word that is a name, written with a
    /// capital ("australia", "everest", "sunday"); not a word that is a
    /// name too ("bill", "china").
    pub fn is_name(&self, folded: &str) -> bool {
        self.names.contains(folded)
    }

    /// The other forms of the country `folded` names, or of its people
    /// ("dutch" → "holland", "netherlands"); none for a word
    /// that is no form of a country's name.
    pub fn country_forms(&self, folded: &str) -> &[&'static str] {
        self.countries.get(folded).map_or(&[], Vec::as_slice)
    }

    /// Every name of [`Language::is_name`], sorted (as
    /// `scripts/make_names.py` writes them).
    pub fn names(&self) -> Vec<&'static str> {
        name_lines().collect()
    }

    /// The function word a chat spelling stands for ("wat" → "what"), if
    /// `folded` is one.
    pub fn chat_standard(&self, folded: &str) -> Option<&'static str> {
        self.chat.get(folded).copied().flatten()
    }

    /// Whether `folded` only frames a chat message ("lol", "ok", "hey").
    pub fn frames_chat(&self, folded: &str) -> bool {
        matches!(self.chat.get(folded), Some(None))
    }

    /// The words a shortening of content words stands for ("ppl" →
    /// "people", "ceo" → "chief executive"), if `folded` is one; `None`
    /// for one that is a unit `after_number` ("5 pm").
    pub fn shorthand(
        &self,
        folded: &str,
        after_number: bool,
    ) -> Option<impl Iterator<Item = &'static str> + use<>> {
        self.shorthand
            .get(folded)
            .filter(|(_, unit)| !(after_number && *unit))
            .map(|(words, _)| words.split(' ').filter(|w| !w.is_empty()))
    }

    /// The function word one edit away from `folded` ("waht" → "what",
    /// "hwo" → "how"), for a word neither English nor the sources know:
    /// typos of question words are common in chat. The candidate starts
    /// with the same letter; between several, the most frequent wins.
    pub fn function_word_near(&self, folded: &str) -> Option<&'static str> {
        let first = folded.chars().next()?;
        if folded.chars().count() < 3 || self.is_stopword(folded) {
            return None;
        }
        let mut best: Option<(f32, &'static str)> = None;
        for &candidate in &self.stopwords {
            if candidate.len() < 3
                || !candidate.starts_with(first)
                || strsim::osa_distance(folded, candidate) != 1
            {
                continue;
            }
            let f = self.frequency(candidate);
            if best.is_none_or(|(bf, bw)| f > bf || (f == bf && candidate < bw)) {
                best = Some((f, candidate));
            }
        }
        best.map(|(_, w)| w)
    }

    /// Whether `folded` is a common English word (in the word list).
    pub fn is_english(&self, folded: &str) -> bool {
        self.frequency.contains_key(folded)
    }

    /// Share of English text that is `folded`; 0 outside the word list.
    pub fn frequency(&self, folded: &str) -> f32 {
        self.frequency.get(folded).copied().unwrap_or(0.0)
    }

    /// How much a word says about what a text is about, in (0, 1]: function
    /// words nothing, rare words nearly 1.
    pub fn weight(&self, folded: &str) -> f32 {
        if self.is_stopword(folded) {
            return 0.0;
        }
        SIF_A / (SIF_A + self.frequency(folded))
    }

    /// The word's vector (unit length), or `None` for a word the tokenizer
    /// cannot read. The most recent words' vectors are kept.
    pub fn word_vector(&self, folded: &str) -> Option<Vector> {
        let shard = self.word_cache.shard(folded);
        if let Some(hit) = lock(shard).get(folded) {
            return hit.clone();
        }
        let v = self.compute_word_vector(folded);
        let mut cached = lock(shard);
        if cached.len() >= WORD_CACHE / WORD_CACHE_SHARDS {
            cached.clear();
        }
        cached.insert(folded.to_string(), v.clone());
        v
    }

    fn compute_word_vector(&self, folded: &str) -> Option<Vector> {
        let mut sum = vec![0.0f32; DIMS];
        // A whole word in the vocabulary is one row (WordPiece would find
        // the same); the model's own map answers it without tokenizing.
        if let Some(id) = self.wordpiece.token_to_id(folded) {
            self.add_row(&mut sum, id, 1.0);
        } else {
            let tokens = self.wordpiece.tokenize(folded).ok()?;
            if tokens.iter().any(|t| t.value == "[UNK]") || tokens.is_empty() {
                return None;
            }
            for t in &tokens {
                self.add_row(&mut sum, t.id, 1.0);
            }
        }
        Some(normalized(sum))
    }

    /// The weighted mean of the vectors of the words of `text`, unit length
    /// (all zeros when no word carries weight).
    pub fn text_vector(&self, text: &str) -> Vector {
        let words: Vec<String> = text::spans(text).into_iter().map(|w| w.folded).collect();
        self.words_vector(words.iter().map(String::as_str))
    }

    /// [`Language::text_vector`] of words already folded.
    pub fn words_vector<'a>(&self, words: impl IntoIterator<Item = &'a str>) -> Vector {
        let mut sum = vec![0.0f32; DIMS];
        for word in words {
            let weight = self.weight(word);
            if weight <= 0.0 {
                continue;
            }
            if let Some(v) = self.word_vector(word) {
                for (s, x) in sum.iter_mut().zip(&v) {
                    *s += weight * x;
                }
            }
        }
        normalized(sum)
    }

    fn add_row(&self, sum: &mut [f32], id: u32, weight: f32) {
        let id = id as usize;
        if id >= self.rows {
            return;
        }
        let at = self.scales_at + id * 4;
        let scale = f32::from_le_bytes([
            VECTORS[at],
            VECTORS[at + 1],
            VECTORS[at + 2],
            VECTORS[at + 3],
        ]);
        let start = self.rows_at + id * DIMS;
        let row = &VECTORS[start..start + DIMS];
        let weight = weight * scale;
        for (s, &q) in sum.iter_mut().zip(row) {
            *s += weight * f32::from(q.cast_signed());
        }
    }
}

/// Cosine similarity of two unit vectors.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn normalized(mut v: Vector) -> Vector {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        for x in &mut v {
            *x /= norm;
        }
    }
    v
}

fn english_frequencies() -> HashMap<&'static str, f32> {
    ENGLISH
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (word, freq) = l.split_once('\t')?;
            Some((word, freq.parse().ok()?))
        })
        .collect()
}

/// The (word, rest) pairs of a tab-separated data file, comments skipped.
fn tab_separated(data: &'static str) -> impl Iterator<Item = (&'static str, &'static str)> {
    data.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
}

/// [`SHORTHAND`]'s lines: a third column "unit" marks a shortening that
/// is a unit after a number.
fn shorthand() -> HashMap<&'static str, (&'static str, bool)> {
    tab_separated(SHORTHAND)
        .map(|(word, rest)| match rest.split_once('\t') {
            Some((words, note)) => (word, (words, note == "unit")),
            None => (word, (rest, false)),
        })
        .collect()
}

fn chat_words() -> HashMap<&'static str, Option<&'static str>> {
    tab_separated(CHAT)
        .map(|(word, standard)| (word, (standard != "-").then_some(standard)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn related_words_are_closer_than_unrelated_ones() {
        let l = language();
        let v = |w: &str| l.word_vector(w).unwrap();
        assert!(cosine(&v("salary"), &v("wages")) > cosine(&v("salary"), &v("river")));
        assert!(cosine(&v("killed"), &v("died")) > cosine(&v("killed"), &v("bridge")));
    }

    #[test]
    fn function_words_weigh_nothing_and_rare_words_nearly_one() {
        let l = language();
        assert_eq!(l.weight("the"), 0.0);
        assert!(l.weight("said") < l.weight("corridor"));
        assert!(l.weight("zzyzxq") > 0.99);
    }

    #[test]
    fn contractions_typed_without_apostrophes_are_function_words() {
        let l = language();
        for w in ["whats", "whos", "dont", "isnt", "wasnt"] {
            assert!(l.is_stopword(w), "{w}");
        }
        assert!(!l.is_stopword("ships"));
        assert!(!l.is_stopword("hints"));
        assert!(l.is_stopword("cant"));
        assert!(!l.is_stopword("met"));
        assert!(!l.is_stopword("ant"));
    }

    #[test]
    fn chat_words_weigh_nothing_and_spellings_name_their_function_word() {
        let l = language();
        for w in ["lol", "pls", "u", "wat", "tell"] {
            assert_eq!(l.weight(w), 0.0, "{w}");
        }
        assert_eq!(l.chat_standard("wat"), Some("what"));
        assert_eq!(l.chat_standard("hw"), Some("how"));
        assert_eq!(l.chat_standard("lol"), None);
        assert_eq!(l.chat_standard("harbour"), None);
        // Every standard form is itself a function word, not by being in
        // the chat list.
        for (form, standard) in &l.chat {
            if let Some(s) = standard {
                assert!(!l.chat.contains_key(s) && l.is_stopword(s), "{form} → {s}");
            }
        }
    }

    #[test]
    fn shorthand_stands_for_content_words() {
        let l = language();
        let full = |w: &str, n| l.shorthand(w, n).map(|f| f.collect::<Vec<_>>());
        assert_eq!(full("ppl", false), Some(vec!["people"]));
        assert_eq!(full("ppl", true), Some(vec!["people"]));
        assert_eq!(full("ceo", false), Some(vec!["chief", "executive"]));
        assert_eq!(full("people", false), None);
        // "pm" after a number is the time of day.
        assert_eq!(full("pm", false), Some(vec!["prime", "minister"]));
        assert_eq!(full("pm", true), None);
        for (short, (words, _)) in &l.shorthand {
            // A shortening is not read as a function word too, and what
            // it stands for says something.
            assert!(!l.chat.contains_key(short), "{short}");
            assert!(
                words
                    .split(' ')
                    .all(|w| l.weight(w) > 0.0 && l.word_vector(w).is_some()),
                "{short} → {words}"
            );
        }
    }

    #[test]
    fn names_are_words_only_written_with_a_capital() {
        let l = language();
        for name in ["australia", "everest", "dublin", "sunday", "italian"] {
            assert!(l.is_name(name), "{name}");
        }
        // Words that are names too, abbreviations, and plurals of words
        // that are surnames as well ("Banks").
        for word in ["bill", "china", "march", "ceo", "banks", "jobs", "capital"] {
            assert!(!l.is_name(word), "{word}");
        }
        // The list, in order and without repeats, is the names.
        let all = l.names();
        assert!(all.windows(2).all(|p| p[0] < p[1]));
        assert!(all.len() > 8000 && all.iter().all(|n| l.is_name(n)));
    }

    #[test]
    fn a_country_name_has_the_other_forms_of_its_line() {
        let l = language();
        let forms = |w: &str| {
            let mut f = l.country_forms(w).to_vec();
            f.sort_unstable();
            f
        };
        assert_eq!(forms("dutch"), ["holland", "netherlands"]);
        assert_eq!(forms("netherlands"), ["dutch", "holland"]);
        assert!(forms("denmark").contains(&"danish"));
        assert!(forms("swiss").contains(&"switzerland"));
        // An alternative spelling that is a common English word is left
        // out ("island", Iceland's own name for itself), and a word naming
        // no country has no forms.
        assert!(!forms("iceland").contains(&"island"));
        assert!(forms("harbour").is_empty());
        assert!(forms("").is_empty());
    }

    #[test]
    fn typos_of_function_words_find_them() {
        let l = language();
        assert_eq!(l.function_word_near("waht"), Some("what"));
        assert_eq!(l.function_word_near("hwo"), Some("how"));
        assert_eq!(l.function_word_near("becuase"), Some("because"));
        assert_eq!(l.function_word_near("what"), None);
        assert_eq!(l.function_word_near("harbour"), None);
        assert_eq!(l.function_word_near("wh"), None);
    }

    #[test]
    fn the_shared_cache_gives_every_thread_the_computed_vectors() {
        let l = language();
        let words: Vec<String> = (0..3 * WORD_CACHE).map(|i| format!("word{i}")).collect();
        std::thread::scope(|s| {
            for t in 0..4 {
                let words = &words;
                s.spawn(move || {
                    // Each thread walks the words from its own start, past
                    // the cache's size, so entries are added and evicted
                    // while the others read.
                    for w in words
                        .iter()
                        .cycle()
                        .skip(t * WORD_CACHE / 2)
                        .take(words.len())
                    {
                        assert_eq!(l.word_vector(w), l.compute_word_vector(w), "{w}");
                    }
                });
            }
        });
    }

    #[test]
    fn words_split_into_pieces_still_get_vectors() {
        let l = language();
        assert!(l.word_vector("dockworkers").is_some());
        assert!(l.is_english("house"));
        assert!(!l.is_english("nakhchivan"));
    }

    #[test]
    fn text_vectors_are_unit_length_and_paraphrases_are_close() {
        let l = language();
        let a = l.text_vector("The strike ended after eleven days");
        let b = l.text_vector("how long did the walkout last");
        let c = l.text_vector("the vaccine trial enrolled patients");
        assert!((cosine(&a, &a) - 1.0).abs() < 1e-4);
        assert!(cosine(&a, &b) > cosine(&b, &c));
    }
}
