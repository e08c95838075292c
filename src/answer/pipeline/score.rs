//! Stage 3, score: features of each unit against the question, a learned
//! ranking and a learned decision whether the best unit answers.
//!
//! Both models are logistic: the ranker's weights score each unit (trained
//! as a softmax over a question's units), the answerability model turns the
//! best unit's features and its lead over the next into the probability that
//! it answers. The weights live in `model/answerability.json`, fitted by
//! `scripts/fit_answerability.py` on the training stories of
//! `tests/stories/train` from features `dossier eval --features` writes.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;

use super::analyse::{Question, Term};
use super::units::Unit;
use crate::answer::kinds::{self, Kind, Named};
use crate::language::{Vector, cosine, language};

/// Names of the unit features, in order: the columns of the weights.
pub const FEATURES: [&str; 19] = [
    "bias",
    "semantic",
    "soft_coverage",
    "exact_coverage",
    "entity_coverage",
    "no_entity",
    "kind_found",
    "kind_missing",
    "is_fact",
    "semantic_gap",
    "coverage_gap",
    "strong_coverage",
    "idf_coverage",
    "paragraph_coverage",
    "unknown_share",
    "lead",
    "weakest_term",
    "pool_coverage",
    "pool_weakest",
];

/// Terms weighing less than this are left out of the weakest-term features:
/// common words ("got", "new") need no match of their own.
const WEAK_TERM_WEIGHT: f32 = 0.3;

/// A word of a unit this close (cosine) to a question word counts as a
/// strong match: near-synonyms ("wages", "salary") pass, mere topical
/// neighbours mostly do not. Set by looking at neighbour lists of the
/// vectors, not fitted.
const STRONG_MATCH: f32 = 0.6;

/// Whether a unit's story (as far as the pool shows it) matches each of
/// the question's weighty words closely: exactly, or as a near-synonym.
pub fn story_covers(f: &Features) -> bool {
    f[18] >= STRONG_MATCH
}

/// Whether a unit is near enough a declined question to offer as related:
/// it holds one of the question's words, as it is or as a near-synonym.
/// Topical neighbours alone ("capital of peru" against a paragraph on
/// Russia's president) are not offered.
pub fn relates(f: &Features) -> bool {
    f[11] > 0.0
}

/// Whether a unit holds any of the question's words as they are (by stem
/// or an editor's synonym; an entity it names; the speaker's words in its
/// context).
pub fn holds_exactly(f: &Features) -> bool {
    f[3] > 0.0
}

/// Names of the answerability features: the best unit's, then these.
pub const DECISION_EXTRA: [&str; 3] = ["rank_score", "rank_margin", "question_weight"];

pub type Features = [f32; FEATURES.len()];

#[derive(Debug, Deserialize)]
struct Weights {
    features: Vec<String>,
    rank: Vec<f32>,
    decide: Vec<f32>,
    threshold: f32,
}

/// The fitted model.
pub struct Model {
    rank: Vec<f32>,
    decide: Vec<f32>,
    pub threshold: f32,
}

static WEIGHTS: &str = include_str!("../../../model/answerability.json");

pub fn model() -> &'static Model {
    static MODEL: LazyLock<Model> = LazyLock::new(|| {
        let w: Weights = serde_json::from_str(WEIGHTS)
            .expect("model/answerability.json holds the fitted weights");
        let names: Vec<&str> = FEATURES.iter().chain(&DECISION_EXTRA).copied().collect();
        assert_eq!(
            w.features, names,
            "answerability.json was fitted on these features"
        );
        assert_eq!(w.rank.len(), FEATURES.len());
        assert_eq!(w.decide.len(), names.len());
        Model {
            rank: w.rank,
            decide: w.decide,
            threshold: w.threshold,
        }
    });
    &MODEL
}

impl Model {
    pub fn rank(&self, f: &Features) -> f32 {
        dot(&self.rank, f)
    }

    /// Probability that the best unit answers the question.
    pub fn answers(&self, decision: &[f32]) -> f32 {
        let z = dot(&self.decide, decision);
        1.0 / (1.0 + (-z).exp())
    }
}

fn dot(w: &[f32], f: &[f32]) -> f32 {
    w.iter().zip(f).map(|(a, b)| a * b).sum()
}

/// The features of the best unit for the answerability model.
pub fn decision(best: &Features, score: f32, next: Option<f32>, q: &Question) -> Vec<f32> {
    let mut out = best.to_vec();
    out.push(score);
    out.push(next.map_or(1.0, |n| (score - n).min(1.0)));
    out.push(question_weight(q));
    out
}

/// How much the question says, for the decision: log(1 + its words' weight).
pub fn question_weight(q: &Question) -> f32 {
    (1.0 + q.weight()).ln()
}

/// Word vectors of the units' words: those of the engine's own units,
/// computed when it opened, and the others computed once per question.
pub struct WordVectors<'a> {
    shared: &'a HashMap<String, Vector>,
    local: HashMap<String, Option<Vector>>,
}

impl<'a> WordVectors<'a> {
    pub fn new(shared: &'a HashMap<String, Vector>) -> WordVectors<'a> {
        WordVectors {
            shared,
            local: HashMap::new(),
        }
    }

    fn get(&mut self, folded: &str) -> Option<&Vector> {
        if let Some(v) = self.shared.get(folded) {
            return Some(v);
        }
        if !self.local.contains_key(folded) {
            let v = language().word_vector(folded);
            self.local.insert(folded.to_string(), v);
        }
        self.local.get(folded).and_then(Option::as_ref)
    }
}

/// The vectors of every content word of `units`, for [`WordVectors`].
pub fn unit_word_vectors(units: &[Unit]) -> HashMap<String, Vector> {
    let lang = language();
    let mut out = HashMap::new();
    for w in units.iter().flat_map(|u| &u.words) {
        if !out.contains_key(&w.folded)
            && lang.weight(&w.folded) > 0.0
            && let Some(v) = lang.word_vector(&w.folded)
        {
            out.insert(w.folded.clone(), v);
        }
    }
    out
}

/// How one story's documents (its article's paragraphs and the facts
/// citing it first) use each of the question's terms.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryTerms {
    /// ln(documents / documents holding the term), 0 for a term it never
    /// uses.
    pub idf: Vec<f32>,
    /// Whether any of its documents holds the term.
    pub holds: Vec<bool>,
}

impl StoryTerms {
    /// From the story's document count and each term's document frequency.
    pub fn new(docs: u32, freqs: &[u32]) -> StoryTerms {
        let idf = |df: u32| {
            if df == 0 {
                0.0
            } else {
                (docs as f32 / df as f32).ln().max(0.0)
            }
        };
        StoryTerms {
            idf: freqs.iter().map(|&df| idf(df)).collect(),
            holds: freqs.iter().map(|&df| df > 0).collect(),
        }
    }
}

/// Features of every unit, gaps and pool features filled in against the
/// whole pool; each unit's rare and unknown words are its story's
/// (`stories`, by article).
pub fn features(
    q: &Question,
    units: &[&Unit],
    stories: &HashMap<usize, StoryTerms>,
    vectors: &mut WordVectors<'_>,
) -> Vec<Features> {
    let (mut out, matches): (Vec<Features>, Vec<Vec<f32>>) = units
        .iter()
        .map(|u| unit_features(q, u, &stories[&u.article], vectors))
        .unzip();
    let best = |i: usize| out.iter().map(|f| f[i]).fold(0.0f32, f32::max);
    let (sem, cover) = (best(1), best(2));
    let pools = story_pools(q, units, &matches, stories);
    for (f, u) in out.iter_mut().zip(units) {
        f[9] = f[1] - sem;
        f[10] = f[2] - cover;
        (f[17], f[18]) = pools[&u.article];
    }
    out
}

/// How well anything of a unit's story (the article it cites first)
/// matches each of the question's terms: the weighted coverage and the
/// weakest term, per story of the pool. A word any of the story's
/// documents holds is matched exactly, scored or not (a large index scores
/// only a few of them); others take the best near-synonym among the
/// story's scored units. Words found in different stories
/// do not add up to a question the sources seem to cover, and the figure
/// does not grow with the number of stories indexed.
fn story_pools(
    q: &Question,
    units: &[&Unit],
    matches: &[Vec<f32>],
    stories: &HashMap<usize, StoryTerms>,
) -> HashMap<usize, (f32, f32)> {
    let mut best: HashMap<usize, Vec<f32>> = HashMap::new();
    for (u, m) in units.iter().zip(matches) {
        let pool = best.entry(u.article).or_insert_with(|| {
            let held = &stories[&u.article].holds;
            held.iter().map(|&h| if h { 1.0 } else { 0.0 }).collect()
        });
        for (p, x) in pool.iter_mut().zip(m) {
            *p = p.max(*x);
        }
    }
    best.into_iter()
        .map(|(article, pool)| (article, (weighted(q, &pool), weakest(q, &pool))))
        .collect()
}

/// Weighted mean of per-term matches.
fn weighted(q: &Question, matches: &[f32]) -> f32 {
    let total = q.weight().max(1e-6);
    q.terms
        .iter()
        .zip(matches)
        .map(|(t, m)| t.weight * m)
        .sum::<f32>()
        / total
}

/// The lowest match among the terms that carry weight; among all terms
/// when none does ("whats 2+2"), and 1 when the question has no terms.
fn weakest(q: &Question, matches: &[f32]) -> f32 {
    let heavy = |t: &Term| t.weight >= WEAK_TERM_WEIGHT;
    let any_heavy = q.terms.iter().any(heavy);
    q.terms
        .iter()
        .zip(matches)
        .filter(|(t, _)| !any_heavy || heavy(t))
        .map(|(_, m)| *m)
        .fold(1.0, f32::min)
}

/// How a unit covers the question's terms: sums of the weights of the
/// terms matched each way, and each term's match (1 exact, else the
/// nearest word's cosine).
#[derive(Default)]
struct Coverage {
    soft: f32,
    exact: f32,
    strong: f32,
    /// Exact matches weighted by weight × IDF.
    idf: f32,
    /// Terms in the unit's context (its paragraph, the entities' descriptions).
    context: f32,
    /// Terms the unit's story never uses.
    unknown: f32,
    matches: Vec<f32>,
}

fn coverage(q: &Question, u: &Unit, story: &StoryTerms, vectors: &mut WordVectors<'_>) -> Coverage {
    let mut c = Coverage {
        matches: Vec::with_capacity(q.terms.len()),
        ..Coverage::default()
    };
    for (i, t) in q.terms.iter().enumerate() {
        let named = t.entity.is_some_and(|e| u.entities.contains(&e));
        let holds = |stems: &std::collections::HashSet<String>| {
            stems.contains(&t.stem) || t.alternatives.iter().any(|a| stems.contains(a))
        };
        // A word of a name the question gives counts as known: names are
        // matched as entities, not as words.
        if !story.holds[i] && t.entity.is_none() {
            c.unknown += t.weight;
        }
        if named || holds(&u.context) {
            c.context += t.weight;
        }
        // Whose words are asked for may be named anywhere in the context.
        if named || holds(&u.stems) || (t.speaker && holds(&u.context)) {
            c.exact += t.weight;
            c.soft += t.weight;
            c.strong += t.weight;
            c.idf += t.weight * story.idf[i];
            c.matches.push(1.0);
        } else if let Some(tv) = &t.vector {
            let near = nearest(tv, u, vectors);
            c.matches.push(near);
            c.soft += t.weight * near;
            if near >= STRONG_MATCH {
                c.strong += t.weight;
            }
        } else {
            c.matches.push(0.0);
        }
    }
    c
}

/// Whether a unit is a quote of someone other than the one the question
/// names: not what they said.
pub fn quotes_someone_else(q: &Question, u: &Unit) -> bool {
    u.speaker
        .is_some_and(|s| !q.entities.is_empty() && !q.entities.contains(&s))
}

/// Whether the unit holds the kind of answer asked for: (found, missing),
/// both 0 when the question asks for no kind.
fn kind_features(q: &Question, u: &Unit, matches: &[f32]) -> (f32, f32) {
    // The thing to name, where the unit does not mention it even by a
    // near-synonym: the unit cannot name it.
    let focus_absent = !q.focus.is_empty()
        && q.terms
            .iter()
            .zip(matches)
            .filter(|(t, _)| q.focus.contains(&t.stem))
            .all(|(_, m)| *m < STRONG_MATCH);
    let asked_words: Vec<String> = q.words.iter().map(|w| w.folded.clone()).collect();
    let names = u.names_besides(&q.entities, &asked_words);
    let other_speaker = quotes_someone_else(q, u);
    let found = |yes: bool| if yes { (1.0, 0.0) } else { (0.0, 1.0) };
    let holds = |k: Kind| kinds::holds(k, &u.text, &u.words, names, &asked_words);
    match q.kind {
        Some(Kind::Speech) if other_speaker => found(false),
        // A name next to the thing asked for ("which river", "who is the
        // prosecutor"), when the unit mentions it.
        Some(k @ (Kind::Name | Kind::Agent)) if !q.focus.is_empty() => {
            match kinds::names_near(&u.text, &u.words, &q.focus, &asked_words) {
                Named::NoFocus => found(!focus_absent && holds(k)),
                near => found(near == Named::Named),
            }
        }
        Some(k) => found(holds(k)),
        // "What river does it cross" may ask for a name: a unit naming the
        // river is one, one that does not may still answer.
        None if !q.focus.is_empty() => {
            match kinds::names_near(&u.text, &u.words, &q.focus, &asked_words) {
                Named::Named => (1.0, 0.0),
                Named::NoFocus if focus_absent => (0.0, 1.0),
                _ => (0.0, 0.0),
            }
        }
        None => (0.0, 0.0),
    }
}

/// A unit's features, and how well it matches each term (1 exact, else the
/// nearest word's cosine).
fn unit_features(
    q: &Question,
    u: &Unit,
    story: &StoryTerms,
    vectors: &mut WordVectors<'_>,
) -> (Features, Vec<f32>) {
    let total = q.weight().max(1e-6);
    let idf_total: f32 = q
        .terms
        .iter()
        .zip(&story.idf)
        .map(|(t, idf)| t.weight * idf)
        .sum();
    let c = coverage(q, u, story, vectors);
    let asked = q.entities.len();
    let entity_coverage = if asked == 0 {
        0.0
    } else {
        q.entities.iter().filter(|e| u.entities.contains(e)).count() as f32 / asked as f32
    };
    let (found, missing) = kind_features(q, u, &c.matches);
    let features = [
        1.0,
        cosine(&q.vector, &u.vector),
        c.soft / total,
        c.exact / total,
        entity_coverage,
        if asked == 0 { 1.0 } else { 0.0 },
        found,
        missing,
        if u.is_fact() { 1.0 } else { 0.0 },
        0.0,
        0.0,
        c.strong / total,
        idf_share(&c, idf_total, total),
        c.context / total,
        c.unknown / total,
        if u.paragraph == 1 { 1.0 } else { 0.0 },
        weakest(q, &c.matches),
        0.0,
        0.0,
    ];
    (features, c.matches)
}

/// Exact matches weighted by weight × IDF, as a share. Where no word of the
/// question tells the story's documents apart (every IDF is 0: a single
/// document, words every document uses, or words it never uses), the plain
/// exact share stands in, so a one-paragraph source is not read as
/// matching nothing.
fn idf_share(c: &Coverage, idf_total: f32, total: f32) -> f32 {
    if idf_total > 1e-6 {
        c.idf / idf_total
    } else {
        c.exact / total
    }
}

/// The closest a word of the unit comes to a question word (cosine, ≥ 0).
fn nearest(term: &Vector, u: &Unit, vectors: &mut WordVectors<'_>) -> f32 {
    let lang = language();
    u.words
        .iter()
        .filter(|w| lang.weight(&w.folded) > 0.0)
        .filter_map(|w| vectors.get(&w.folded).map(|v| cosine(term, v)))
        .fold(0.0, f32::max)
}
