//! Finding and scoring the facts and passages that match an analysed question.
//!
//! tantivy's BM25 finds candidates; each is then scored by *coverage*: the
//! share of the question's concepts it matches, each concept weighted by how
//! rare it is (a word nothing in the sources mentions weighs the most). A
//! candidate that matches "Armenia" but not "population" covers little of
//! "What is the population of Armenia?", which is how the engine knows to
//! abstain instead of citing something loosely related.

use std::collections::HashSet;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use super::analyze::{Analysis, Concept};
use super::{Engine, term_query};
use crate::content::{Intent, Topic};
use crate::index::{KIND_FACT, KIND_PASSAGE};
use crate::text;

/// Where a candidate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Fact(usize),
    Passage { article: String, paragraph: u32 },
}

#[derive(Debug, Clone)]
pub struct Candidate {
    pub source: Source,
    pub bm25: f32,
    /// Weighted share of the question's concepts matched, in [0, 1].
    pub coverage: f32,
    /// Final ranking score.
    pub score: f32,
    /// Passage text or fact statement.
    pub body: String,
    pub topics: Vec<Topic>,
}

/// Restricts what is retrieved.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter {
    pub topic: Option<Topic>,
    pub facts_only: bool,
}

/// Weight of a match in the `extra` field (titles, keywords, names) relative
/// to the statement or passage itself.
const EXTRA_BOOST: f32 = 0.7;
/// Passages rank below facts that match as well: facts are the edited answer.
const PASSAGE_FACTOR: f32 = 0.75;
/// Bonus for a fact written to answer the question's kind (who, when...).
const INTENT_BONUS: f32 = 1.4;

impl Engine {
    /// How much a concept matters: the inverse document frequency of its
    /// rarest term, and the most for a concept the sources never mention.
    pub(super) fn concept_weight(&self, c: &Concept) -> f32 {
        let n = self.searcher.num_docs() as f32;
        if !c.known {
            return (1.0 + n).ln();
        }
        let df = match c.entity {
            Some(e) => self
                .searcher
                .doc_freq(&Term::from_field_text(self.fields.entity, &self.catalog.entities[e].id))
                .unwrap_or(0),
            None => c
                .terms
                .iter()
                .map(|(t, _)| self.doc_freq(t))
                .filter(|&d| d > 0)
                .min()
                .unwrap_or(0),
        };
        (1.0 + n / (1.0 + df as f32)).ln()
    }

    pub(super) fn retrieve(&self, a: &Analysis, filter: Filter, limit: usize) -> Vec<Candidate> {
        let f = &self.fields;
        let weights: Vec<f32> = a.concepts.iter().map(|c| self.concept_weight(c)).collect();
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (c, &w) in a.concepts.iter().zip(&weights) {
            if !c.known {
                continue;
            }
            for (term, alt) in &c.terms {
                for (field, boost) in [(f.body, 1.0), (f.extra, EXTRA_BOOST)] {
                    let q = TermQuery::new(
                        Term::from_field_text(field, term),
                        IndexRecordOption::WithFreqs,
                    );
                    should.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), w * alt * boost))));
                }
            }
            if let Some(e) = c.entity {
                let q = term_query(Term::from_field_text(f.entity, &self.catalog.entities[e].id));
                should.push((Occur::Should, Box::new(BoostQuery::new(q, w))));
            }
        }
        if should.is_empty() {
            return Vec::new();
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(BooleanQuery::new(should)))];
        if let Some(topic) = filter.topic {
            clauses.push((Occur::Must, term_query(Term::from_field_text(f.topic, topic.as_str()))));
        }
        if filter.facts_only {
            clauses.push((Occur::Must, term_query(Term::from_field_text(f.kind, KIND_FACT))));
        }
        let query = BooleanQuery::new(clauses);
        let top = match self
            .searcher
            .search(&query, &TopDocs::with_limit(limit.max(1)).order_by_score())
        {
            Ok(top) => top,
            Err(e) => {
                tracing::error!("search failed: {e}");
                return Vec::new();
            }
        };
        let total_weight: f32 = weights.iter().sum();
        let mut out = Vec::with_capacity(top.len());
        for (bm25, address) in top {
            let Ok(doc) = self.searcher.doc::<TantivyDocument>(address) else {
                continue;
            };
            let body = doc
                .get_first(f.body)
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let topics: Vec<Topic> = doc
                .get_all(f.topic)
                .filter_map(|v| v.as_str().and_then(Topic::parse))
                .collect();
            let kind = doc.get_first(f.kind).and_then(|v| v.as_str().map(str::to_string));
            let (source, covered) = if kind.as_deref() == Some(KIND_PASSAGE) {
                let article = doc
                    .get_first(f.article)
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                let paragraph = doc.get_first(f.paragraph).and_then(|v| v.as_u64()).unwrap_or(0) as u32;
                let stems: HashSet<String> = text::stems(&body).into_iter().collect();
                let entities: HashSet<usize> = doc
                    .get_all(f.entity)
                    .filter_map(|v| v.as_str().and_then(|id| self.entity_index(id)))
                    .collect();
                let covered = covered_weight(a, &weights, &stems, &entities);
                (Source::Passage { article, paragraph }, covered)
            } else {
                let Some(ord) = doc.get_first(f.fact).and_then(|v| v.as_u64()) else {
                    continue;
                };
                let ord = ord as usize;
                let Some(profile) = self.facts.get(ord) else {
                    continue;
                };
                let covered = covered_weight(a, &weights, &profile.stems, &profile.entities);
                (Source::Fact(ord), covered)
            };
            let mut coverage = if total_weight > 0.0 { covered / total_weight } else { 0.0 };
            let mut factor = 1.0;
            match &source {
                Source::Fact(ord) => {
                    let fact = &self.catalog.facts[*ord];
                    if a.intent.is_some_and(|i| fact.answers.contains(&i)) {
                        factor *= INTENT_BONUS;
                    }
                    if a.wants_quote && fact.topic == Topic::Quotes {
                        factor *= INTENT_BONUS;
                    }
                    if matches!(a.intent, Some(Intent::When | Intent::Where))
                        && !a.intent.is_some_and(|i| fact.answers.contains(&i))
                    {
                        coverage *= 0.85;
                    }
                }
                Source::Passage { .. } => factor *= PASSAGE_FACTOR,
            }
            if a.quantity && !mentions_quantity(&body) {
                coverage *= 0.6;
            }
            out.push(Candidate {
                score: bm25 * coverage * coverage * factor,
                source,
                bm25,
                coverage,
                body,
                topics,
            });
        }
        out.sort_by(|x, y| y.score.total_cmp(&x.score));
        out
    }
}

/// Sum of the weights of the concepts a document matches.
fn covered_weight(
    a: &Analysis,
    weights: &[f32],
    stems: &HashSet<String>,
    entities: &HashSet<usize>,
) -> f32 {
    a.concepts
        .iter()
        .zip(weights)
        .map(|(c, w)| {
            if !c.known {
                return 0.0;
            }
            if let Some(e) = c.entity {
                return if entities.contains(&e) { *w } else { 0.0 };
            }
            let best = c
                .terms
                .iter()
                .filter(|(t, _)| stems.contains(t))
                .map(|(_, alt)| *alt)
                .fold(0.0f32, f32::max);
            w * best
        })
        .sum()
}

/// Whether a text states a number or an amount of time.
fn mentions_quantity(body: &str) -> bool {
    const NUMBER_WORDS: &[&str] = &[
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "dozen",
        "hundred", "hundreds", "thousand", "thousands", "million", "millions", "billion", "many",
        "several", "months", "years", "weeks", "days", "decades",
    ];
    text::folded_words(body)
        .iter()
        .any(|w| w.chars().all(|c| c.is_ascii_digit()) || NUMBER_WORDS.contains(&w.as_str()))
}
