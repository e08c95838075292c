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
use crate::index::KIND_FACT;
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
/// Ranking penalty for a fact written to answer other kinds of question.
const INTENT_MISMATCH: f32 = 0.8;
/// Coverage kept by a fact that does not answer a "when" or "where"
/// question: the time or place asked for is not what it states.
const PLACE_TIME_MISMATCH: f32 = 0.55;
/// Coverage kept by a text without a number when an amount is asked for.
const NO_QUANTITY: f32 = 0.5;
/// Coverage kept by a text that does not report the person asked about
/// speaking, when the question asks what they said.
const NOT_SPOKEN: f32 = 0.5;
/// Passages read and scored per question; facts are cheaper and come first.
const MAX_PASSAGES: usize = 10;
/// Weight of a common English word, known or not; a topical word weighs
/// its inverse document frequency, typically 1 to 4.
const LIGHT_WEIGHT: f32 = 0.3;

impl Engine {
    /// How much a concept matters: the inverse document frequency of its
    /// rarest term, and the most for a concept the sources never mention.
    pub(super) fn concept_weight(&self, c: &Concept) -> f32 {
        let n = self.searcher.num_docs() as f32;
        if c.light {
            return LIGHT_WEIGHT;
        }
        if !c.known {
            return (1.0 + n).ln();
        }
        let df = match c.entity {
            Some(e) => self
                .searcher
                .doc_freq(&Term::from_field_text(
                    self.fields.entity,
                    &self.catalog.entities[e].id,
                ))
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
                    should.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(q), w * alt * boost)),
                    ));
                }
            }
            if let Some(e) = c.entity {
                let q = term_query(Term::from_field_text(
                    f.entity,
                    &self.catalog.entities[e].id,
                ));
                should.push((Occur::Should, Box::new(BoostQuery::new(q, w))));
            }
        }
        if should.is_empty() {
            return Vec::new();
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(BooleanQuery::new(should)))];
        if let Some(topic) = filter.topic {
            clauses.push((
                Occur::Must,
                term_query(Term::from_field_text(f.topic, topic.as_str())),
            ));
        }
        if filter.facts_only {
            clauses.push((
                Occur::Must,
                term_query(Term::from_field_text(f.kind, KIND_FACT)),
            ));
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
        // People (or countries, speaking through their leaders) whose words
        // the question asks for.
        let asked_speakers: HashSet<usize> = if a.wants_quote {
            a.concepts
                .iter()
                .filter_map(|c| c.entity)
                .filter(|&e| {
                    matches!(
                        self.catalog.entities[e].kind.as_str(),
                        "person" | "country" | "organization"
                    )
                })
                .collect()
        } else {
            HashSet::new()
        };
        let mut out = Vec::with_capacity(top.len());
        let mut passages = 0;
        for (bm25, address) in top {
            // Facts are known from a fast field without reading the stored
            // document; only passages need their text read.
            let fact_ord = self
                .fact_columns
                .get(address.segment_ord as usize)
                .and_then(|column| column.first(address.doc_id));
            let (source, covered, body, topics) = match fact_ord {
                Some(ord) => {
                    let ord = ord as usize;
                    let (Some(profile), Some(fact)) =
                        (self.facts.get(ord), self.catalog.facts.get(ord))
                    else {
                        continue;
                    };
                    let strength =
                        |t: &str| self.stem_ids.get(t).map_or(0.0, |&id| profile.strength(id));
                    let has_entity = |e: usize| profile.entity(e);
                    let mut covered = covered_weight(a, &weights, &strength, &has_entity);
                    if !asked_speakers.is_empty()
                        && !asked_speakers
                            .iter()
                            .any(|&p| profile.speakers.binary_search(&(p as u32)).is_ok())
                    {
                        covered *= NOT_SPOKEN;
                    }
                    (
                        Source::Fact(ord),
                        covered,
                        fact.text.clone(),
                        vec![fact.topic],
                    )
                }
                None => {
                    passages += 1;
                    if passages > MAX_PASSAGES {
                        continue;
                    }
                    let Ok(doc) = self.searcher.doc::<TantivyDocument>(address) else {
                        continue;
                    };
                    let text_of = |field| {
                        doc.get_first(field)
                            .and_then(|v| v.as_str().map(str::to_string))
                    };
                    let body = text_of(f.body).unwrap_or_default();
                    let article = text_of(f.article).unwrap_or_default();
                    let paragraph = doc
                        .get_first(f.paragraph)
                        .and_then(|v| v.as_u64())
                        .unwrap_or(0) as u32;
                    let topics: Vec<Topic> = doc
                        .get_all(f.topic)
                        .filter_map(|v| v.as_str().and_then(Topic::parse))
                        .collect();
                    let stems: HashSet<String> = text::stems(&body).into_iter().collect();
                    let entities: HashSet<usize> = doc
                        .get_all(f.entity)
                        .filter_map(|v| v.as_str().and_then(|id| self.entity_index(id)))
                        .collect();
                    let strength = |t: &str| if stems.contains(t) { 1.0 } else { 0.0 };
                    let has_entity = |e: usize| if entities.contains(&e) { 1.0 } else { 0.0 };
                    let mut covered = covered_weight(a, &weights, &strength, &has_entity);
                    if !asked_speakers.is_empty() && !super::reports_speech(&body) {
                        covered *= NOT_SPOKEN;
                    }
                    (
                        Source::Passage { article, paragraph },
                        covered,
                        body,
                        topics,
                    )
                }
            };
            let mut coverage = if total_weight > 0.0 {
                covered / total_weight
            } else {
                0.0
            };
            let mut factor = 1.0;
            match &source {
                Source::Fact(ord) => {
                    let fact = &self.catalog.facts[*ord];
                    if let Some(intent) = a.intent {
                        if fact.answers.contains(&intent) {
                            factor *= INTENT_BONUS;
                        } else if !fact.answers.is_empty() {
                            factor *= INTENT_MISMATCH;
                            if matches!(intent, Intent::When | Intent::Where) {
                                coverage *= PLACE_TIME_MISMATCH;
                            }
                        }
                    }
                    if a.wants_quote && fact.topic == Topic::Quotes {
                        factor *= INTENT_BONUS;
                    }
                }
                Source::Passage { .. } => {
                    factor *= PASSAGE_FACTOR;
                    if a.intent == Some(Intent::When) && !mentions_time(&body) {
                        coverage *= PLACE_TIME_MISMATCH;
                    }
                }
            }
            if a.quantity.is_some_and(|q| !q.stated_in(&body)) {
                coverage *= NO_QUANTITY;
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
    strength: &dyn Fn(&str) -> f32,
    has_entity: &dyn Fn(usize) -> f32,
) -> f32 {
    a.concepts
        .iter()
        .zip(weights)
        .map(|(c, w)| {
            if !c.known {
                return 0.0;
            }
            if let Some(e) = c.entity {
                return *w * c.credit * has_entity(e);
            }
            let best = c
                .terms
                .iter()
                .map(|(t, alt)| alt * strength(t))
                .fold(0.0f32, f32::max);
            w * best * c.credit
        })
        .sum()
}

/// Whether a text says when something happened.
fn mentions_time(body: &str) -> bool {
    const TIME_WORDS: &[&str] = &[
        "ago",
        "april",
        "august",
        "december",
        "february",
        "friday",
        "january",
        "july",
        "june",
        "march",
        "may",
        "monday",
        "month",
        "months",
        "november",
        "october",
        "saturday",
        "september",
        "sunday",
        "thursday",
        "today",
        "tomorrow",
        "tuesday",
        "wednesday",
        "week",
        "weeks",
        "year",
        "years",
        "yesterday",
    ];
    text::folded_words(body).iter().any(|w| {
        (w.len() == 4 && w.chars().all(|c| c.is_ascii_digit())) || TIME_WORDS.contains(&w.as_str())
    })
}
