//! The answer engine: cited answers, search, cards and suggestions composed
//! from one opened index generation.
//!
//! An [`Engine`] is immutable and cheap to share; [`Live`] swaps in a new one
//! when a reindex publishes a new generation. Every quote the engine returns
//! is checked against the stored paragraph before it leaves.

mod analyze;
mod ask;
mod cards;
pub mod eval;
mod live;
mod retrieve;
mod search;
mod speller;
mod suggest;
mod types;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Searcher, TantivyDocument, Term};

pub use live::Live;
pub use suggest::SuggestKind;
pub use types::*;

use crate::content::{Cite, EntityMatcher};
use crate::index::{self, ArticleMeta, Catalog, Fields, IndexError, Snapshot};
use crate::text;

/// Why a request could not be served: always the person's to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("there is no article `{0}`")]
    UnknownArticle(String),
    #[error("paragraph {paragraph} does not exist: `{article}` has paragraphs 1 to {count}")]
    NoSuchParagraph {
        article: String,
        paragraph: u32,
        count: u32,
    },
    #[error("nothing matches `{0}`")]
    NotFound(String),
}

/// Precomputed per fact: the stems and entities it covers.
///
/// Compact on purpose: an index of many articles holds many facts.
struct FactProfile {
    /// (stem id, weight), sorted by id: how strongly the fact says each stem:
    /// 1 in its statement, title, quotes and entity names;
    /// [`KEYWORD_WEIGHT`] in its keywords.
    stems: Vec<(u32, f32)>,
    /// Entities it is about or mentions, sorted.
    entities: Vec<u32>,
    /// Entities the descriptions of those name (Aliyev's names Azerbaijan),
    /// sorted: a fact about Aliyev partly answers about "the Azerbaijani
    /// leader".
    related: Vec<u32>,
    /// People the fact reports speaking, sorted.
    speakers: Vec<u32>,
}

/// How much a fact about a related entity covers a question naming this one.
const RELATED_CREDIT: f32 = 0.8;

impl FactProfile {
    /// How fully the fact covers entity `e`: 1, [`RELATED_CREDIT`] or 0.
    fn entity(&self, e: usize) -> f32 {
        let e = e as u32;
        if self.entities.binary_search(&e).is_ok() {
            1.0
        } else if self.related.binary_search(&e).is_ok() {
            RELATED_CREDIT
        } else {
            0.0
        }
    }

    fn strength(&self, stem: u32) -> f32 {
        self.stems
            .binary_search_by_key(&stem, |(s, _)| *s)
            .map_or(0.0, |i| self.stems[i].1)
    }
}

/// A fact's keywords are paraphrases an editor added; they count for a
/// little less than the fact's own words.
const KEYWORD_WEIGHT: f32 = 0.8;

/// Honorifics and titles shared by many names; they do not identify anyone.
const TITLES: &[&str] = &[
    "chancellor",
    "dr",
    "federation",
    "king",
    "minister",
    "mr",
    "mrs",
    "ms",
    "president",
    "prime",
    "republic",
    "sir",
];

/// Beginnings of words that report speech, so a text with one reports what
/// someone said. Matched on words as written: the stem of "stated" is that
/// of "States".
const SPEECH_WORDS: &[&str] = &[
    "announc", "called", "calling", "claim", "comment", "commend", "declar", "describ", "emphas",
    "hail", "insist", "label", "noted", "noting", "prais", "remark", "said", "say", "stated",
    "stating", "stress", "told", "urg", "warn",
];

/// Whether `text` reports someone speaking.
fn reports_speech(text: &str) -> bool {
    text::folded_words(text)
        .iter()
        .any(|w| SPEECH_WORDS.iter().any(|v| w.starts_with(v)))
}

/// Answers questions from one index generation.
pub struct Engine {
    catalog: Catalog,
    fields: Fields,
    searcher: Searcher,
    speller: speller::Speller,
    matcher: EntityMatcher,
    synonyms: HashMap<String, Vec<String>>,
    entity_stems: Vec<Vec<String>>,
    entity_ids: HashMap<String, usize>,
    facts: Vec<FactProfile>,
    /// Ids of the stems in fact profiles.
    stem_ids: HashMap<String, u32>,
    generic: HashSet<String>,
    articles: HashMap<String, usize>,
    collection: Collection,
    suggester: suggest::Suggester,
    /// Per segment: the `fact` fast field (a fact's position in the catalog).
    fact_columns: Vec<tantivy::columnar::Column<u64>>,
    /// Every stem of the vocabulary, sorted, for prefix look-ups.
    stems: Vec<String>,
    phrases: Vec<(Vec<String>, Vec<String>)>,
}

/// A stem is extended only by stems at most this many bytes longer.
const MAX_EXTENSION: usize = 5;
/// Shortest stem that is extended.
const MIN_EXTENDED: usize = 4;

impl Engine {
    /// Opens the current generation of the index in `index_dir`.
    pub fn open(index_dir: &Path) -> Result<Engine, IndexError> {
        Engine::from_snapshot(index::open(index_dir)?)
    }

    pub fn from_snapshot(snapshot: Snapshot) -> Result<Engine, IndexError> {
        let Snapshot {
            mut catalog,
            reader,
            fields,
            ..
        } = snapshot;
        // Deserialized vectors keep spare capacity; with many facts it adds up.
        catalog.facts.shrink_to_fit();
        for fact in &mut catalog.facts {
            fact.about.shrink_to_fit();
            fact.keywords.shrink_to_fit();
            fact.answers.shrink_to_fit();
            fact.cites.shrink_to_fit();
        }
        catalog.articles.shrink_to_fit();
        catalog.entities.shrink_to_fit();
        let searcher = reader.searcher();
        let fact_columns = searcher
            .segment_readers()
            .iter()
            .map(|segment| segment.fast_fields().u64("fact"))
            .collect::<Result<Vec<_>, _>>()?;
        let matcher = EntityMatcher::new(&catalog.entities);
        let synonyms = analyze::synonym_map(&catalog.lexicon.groups);
        let lexicon_words = catalog
            .lexicon
            .groups
            .iter()
            .flatten()
            .flat_map(|w| text::folded_words(w))
            .map(|w| (w, 0));
        let speller =
            speller::Speller::new(catalog.vocabulary.iter().cloned().chain(lexicon_words));
        let entity_stems = catalog
            .entities
            .iter()
            .map(|e| {
                let mut stems: Vec<String> = e
                    .names()
                    .flat_map(text::folded_words)
                    .filter(|w| {
                        w.len() > 1
                            && !text::is_stopword(w)
                            && !text::is_light(w)
                            && !TITLES.contains(&w.as_str())
                    })
                    .map(|w| text::stem(&w))
                    .collect();
                stems.sort();
                stems.dedup();
                stems
            })
            .collect();
        let entity_ids: HashMap<String, usize> = catalog
            .entities
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        let index_of = |id: &String| entity_ids.get(id).copied();
        let mut stem_ids: HashMap<String, u32> = HashMap::new();
        let mut intern = |s: String| -> u32 {
            let next = stem_ids.len() as u32;
            *stem_ids.entry(s).or_insert(next)
        };
        let name_stems: Vec<Vec<u32>> = catalog
            .entities
            .iter()
            .map(|e| e.names().flat_map(text::stems).map(&mut intern).collect())
            .collect();
        let described: Vec<Vec<u32>> = catalog
            .entities
            .iter()
            .map(|e| {
                let description = e.description.as_deref().unwrap_or("");
                matcher
                    .entities_in(description)
                    .into_iter()
                    .map(|i| i as u32)
                    .collect()
            })
            .collect();
        let facts = catalog
            .facts
            .iter()
            .map(|fact| {
                let mut stems: Vec<(u32, f32)> = Vec::new();
                let mut entities: Vec<u32> = Vec::new();
                let keywords = fact
                    .keywords
                    .iter()
                    .map(String::as_str)
                    .chain([fact.topic.as_str()]);
                let own = [fact.text.as_str(), fact.title.as_str()]
                    .into_iter()
                    .chain(fact.cites.iter().map(|c| c.quote.as_str()));
                for (texts, weight) in [
                    (keywords.collect::<Vec<_>>(), KEYWORD_WEIGHT),
                    (own.collect(), 1.0),
                ] {
                    for t in texts {
                        stems.extend(text::stems(t).into_iter().map(|s| (intern(s), weight)));
                        entities.extend(matcher.entities_in(t).into_iter().map(|e| e as u32));
                    }
                }
                for i in fact
                    .about
                    .iter()
                    .chain(fact.speaker.iter())
                    .filter_map(index_of)
                {
                    entities.push(i as u32);
                    stems.extend(name_stems[i].iter().map(|&s| (s, 1.0)));
                }
                // One entry per stem, with its strongest weight.
                stems.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
                stems.dedup_by_key(|(s, _)| *s);
                stems.shrink_to_fit();
                entities.sort_unstable();
                entities.dedup();
                let mut related: Vec<u32> = fact
                    .about
                    .iter()
                    .filter_map(index_of)
                    .flat_map(|i| described[i].iter().copied())
                    .filter(|e| entities.binary_search(e).is_err())
                    .collect();
                related.sort_unstable();
                related.dedup();
                let reports_speech = reports_speech(&fact.text);
                let mut speakers: Vec<u32> = fact
                    .speaker
                    .iter()
                    .filter_map(index_of)
                    .map(|i| i as u32)
                    .collect();
                if reports_speech {
                    speakers.extend(fact.about.iter().filter_map(index_of).map(|i| i as u32));
                }
                speakers.sort_unstable();
                speakers.dedup();
                FactProfile {
                    stems,
                    entities,
                    related,
                    speakers,
                }
            })
            .collect();
        let generic = catalog
            .lexicon
            .generic
            .iter()
            .flat_map(|w| text::folded_words(w))
            .collect();
        let mut stems: Vec<String> = catalog
            .vocabulary
            .iter()
            .map(|(w, _)| text::stem(w))
            .collect();
        stems.sort();
        stems.dedup();
        let phrases = analyze::phrase_map(&catalog.lexicon.groups);
        let articles = catalog
            .articles
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.clone(), i))
            .collect();
        let collection = Collection {
            articles: catalog.articles.len(),
            newest: catalog
                .articles
                .iter()
                .max_by(|a, b| a.date.cmp(&b.date))
                .map(summary),
        };
        let suggester = suggest::Suggester::new(&catalog);
        // Read into the speller and the stem list; not needed again.
        catalog.vocabulary = Vec::new();
        stem_ids.shrink_to_fit();
        Ok(Engine {
            stem_ids,
            suggester,
            fact_columns,
            articles,
            collection,
            phrases,
            generic,
            stems,
            catalog,
            fields,
            searcher,
            speller,
            matcher,
            synonyms,
            entity_stems,
            entity_ids,
            facts,
        })
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The articles in brief, for footers.
    pub fn collection(&self) -> &Collection {
        &self.collection
    }

    /// An article's metadata by id.
    pub fn article(&self, id: &str) -> Option<&ArticleMeta> {
        self.articles.get(id).map(|&i| &self.catalog.articles[i])
    }

    /// What the index covers.
    pub fn overview(&self) -> Overview {
        let m = &self.catalog.manifest;
        Overview {
            articles: self.catalog.articles.iter().map(summary).collect(),
            paragraphs: m.paragraphs,
            facts: m.facts,
            entities: m.entities,
            indexed_at: m.built_at,
            generation: m.generation,
        }
    }

    /// The stored text of paragraph `number` of `article`.
    pub fn paragraph_text(&self, article: &str, number: u32) -> Option<String> {
        let f = &self.fields;
        let query = BooleanQuery::new(vec![
            (
                Occur::Must,
                term_query(Term::from_field_text(f.kind, index::KIND_PASSAGE)),
            ),
            (
                Occur::Must,
                term_query(Term::from_field_text(f.article, article)),
            ),
            (
                Occur::Must,
                term_query(Term::from_field_u64(f.paragraph, u64::from(number))),
            ),
        ]);
        let top = self
            .searcher
            .search(&query, &TopDocs::with_limit(1).order_by_score())
            .ok()?;
        let (_, address) = top.first()?;
        let doc: TantivyDocument = self.searcher.doc(*address).ok()?;
        doc.get_first(f.body)
            .and_then(|v| v.as_str().map(str::to_string))
    }

    /// Turns cites into citations, keeping only quotes found verbatim in the
    /// stored paragraph. Content checks make a mismatch impossible; this is
    /// the last line of defence, so a mismatch is logged, never shown.
    fn citations<'a>(&self, cites: impl IntoIterator<Item = &'a Cite>) -> Vec<Citation> {
        let mut out: Vec<Citation> = Vec::new();
        // Each paragraph is read once, however many quotes it backs.
        let mut read: HashMap<(&str, u32), Option<String>> = HashMap::new();
        for cite in cites {
            if out.iter().any(|c| {
                c.article == cite.article && c.paragraph == cite.paragraph && c.quote == cite.quote
            }) {
                continue;
            }
            let paragraph = read
                .entry((cite.article.as_str(), cite.paragraph))
                .or_insert_with(|| self.paragraph_text(&cite.article, cite.paragraph));
            let verbatim = paragraph
                .as_deref()
                .is_some_and(|p| p.contains(cite.quote.as_str()));
            if !verbatim {
                tracing::error!(
                    article = %cite.article,
                    paragraph = cite.paragraph,
                    "quote not found verbatim in its paragraph; citation withheld"
                );
                continue;
            }
            out.push(self.citation(&cite.article, cite.paragraph, cite.quote.clone()));
        }
        out
    }

    fn citation(&self, article: &str, paragraph: u32, quote: String) -> Citation {
        let meta = self.article(article);
        Citation {
            article: article.to_string(),
            paragraph,
            quote,
            title: meta.map(|a| a.title.clone()).unwrap_or_default(),
            date: meta.map(|a| a.date.clone()).unwrap_or_default(),
            url: meta.and_then(|a| a.url.clone()),
        }
    }

    fn fact_ref(&self, ord: usize) -> FactRef {
        let f = &self.catalog.facts[ord];
        FactRef {
            id: f.id.clone(),
            topic: f.topic,
            title: f.title.clone(),
            text: f.text.clone(),
        }
    }

    /// Whether a stem occurs in any searchable text.
    fn has_stem(&self, stem: &str) -> bool {
        self.doc_freq(stem) > 0
    }

    fn doc_freq(&self, stem: &str) -> u64 {
        let f = &self.fields;
        [f.body, f.extra]
            .into_iter()
            .map(|field| {
                self.searcher
                    .doc_freq(&Term::from_field_text(field, stem))
                    .unwrap_or(0)
            })
            .sum()
    }

    /// Up to three known stems that extend `stem` by a few letters.
    fn extensions(&self, stem: &str) -> Vec<String> {
        if stem.len() < MIN_EXTENDED {
            return Vec::new();
        }
        let from = self.stems.partition_point(|s| s.as_str() < stem);
        self.stems[from..]
            .iter()
            .take_while(|s| s.starts_with(stem))
            .filter(|s| s.len() > stem.len() && s.len() <= stem.len() + MAX_EXTENSION)
            .take(3)
            .cloned()
            .collect()
    }

    fn analyze(&self, question: &str) -> analyze::Analysis {
        let has_stem = |s: &str| self.has_stem(s);
        let extensions = |s: &str| self.extensions(s);
        analyze::analyze(
            question,
            &analyze::Lexicon {
                speller: &self.speller,
                matcher: &self.matcher,
                synonyms: &self.synonyms,
                has_stem: &has_stem,
                entity_stems: &self.entity_stems,
                generic: &self.generic,
                extensions: &extensions,
                phrases: &self.phrases,
            },
        )
    }

    fn entity_index(&self, id: &str) -> Option<usize> {
        self.entity_ids.get(id).copied()
    }
}

fn summary(a: &ArticleMeta) -> ArticleSummary {
    ArticleSummary {
        id: a.id.clone(),
        title: a.title.clone(),
        date: a.date.clone(),
        url: a.url.clone(),
        paragraphs: a.paragraphs,
    }
}

fn term_query(term: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(term, IndexRecordOption::Basic))
}

#[cfg(test)]
mod tests;
