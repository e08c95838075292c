//! The answer engine: cited answers, search, cards and suggestions composed
//! from one opened index generation.
//!
//! An [`Engine`] is immutable and cheap to share; [`Live`] swaps in a new one
//! when a reindex publishes a new generation. Every quote the engine returns
//! is checked against the stored paragraph before it leaves.

pub(crate) mod bm25;
mod brief;
mod cards;
pub mod eval;
mod frequency;
pub mod kinds;
mod live;
pub mod pipeline;
mod search;
mod speller;
mod suggest;
mod types;

use std::collections::HashMap;
use std::path::Path;

use tantivy::collector::TopDocs;
use tantivy::columnar::Column;
use tantivy::query::{Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Searcher, TantivyDocument, Term};

pub use live::Live;
pub use suggest::SuggestKind;
pub use types::*;

use crate::content::{Cite, EntityMatcher};
use crate::index::{self, ArticleMeta, Catalog, Fields, IndexError, Snapshot};

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
    /// Nothing a card lists matches `name`.
    #[error("{}", not_found(name, named.as_deref(), known))]
    NotFound {
        name: String,
        /// The entity `name` names, when the sources have it but the card
        /// has nothing of it (someone never quoted, for the quotes).
        named: Option<String>,
        /// What the card does list, for the person to pick from (a few).
        known: Vec<String>,
    },
    /// The index could not be searched: an internal failure, never
    /// reported as "the sources do not say".
    #[error("the index could not be searched: {0}")]
    Index(String),
    /// No story, or not the one named, has a card of this topic.
    #[error("{}", no_card(card, story.as_ref(), cards))]
    NoCard {
        card: String,
        /// The story asked for, if one was.
        story: Option<StoryRef>,
        /// The cards that story has (or, without one, any story has).
        cards: Vec<String>,
    },
}

fn not_found(name: &str, named: Option<&str>, known: &[String]) -> String {
    let mut out = match named {
        Some(named) => format!("`{name}` is {named}, not in this list"),
        None => format!("nothing matches `{name}`"),
    };
    if !known.is_empty() {
        out.push_str(&format!("; try: {}", known.join(", ")));
    }
    out
}

fn no_card(card: &str, story: Option<&StoryRef>, cards: &[String]) -> String {
    let mut out = match story {
        Some(s) => format!("“{}” has no `{card}` card", s.title),
        None => format!("No story has a `{card}` card"),
    };
    let which = if story.is_some() {
        "its cards"
    } else {
        "the cards there are"
    };
    if !cards.is_empty() {
        out.push_str(&format!("; {which}: {}", cards.join(", ")));
    }
    out
}

/// Sentences per paragraph assumed when deciding whether the sources are
/// small enough to score whole (news paragraphs hold two to five).
const UNITS_PER_PARAGRAPH: usize = 4;

/// Answers questions from one index generation.
pub struct Engine {
    catalog: Catalog,
    fields: Fields,
    searcher: Searcher,
    speller: speller::Speller,
    matcher: EntityMatcher,
    /// Per entity, the stems of its description (unit contexts).
    described: Vec<Vec<String>>,
    /// The editor's synonyms (lexicon.toml), by stem; empty by default.
    synonyms: HashMap<String, Vec<String>>,
    entity_ids: HashMap<String, usize>,
    articles: HashMap<String, usize>,
    collection: Collection,
    /// Positions of the articles, newest first (ties by id).
    by_date: Vec<usize>,
    /// Per article: the positions of its story's facts, in content order.
    story_facts: Vec<Vec<usize>>,
    suggester: suggest::Suggester,
    /// Per segment: the `fact` fast field (a fact's position in the catalog).
    fact_columns: Vec<Column<u64>>,
    /// Per segment: a passage's article position and paragraph number.
    passage_columns: Vec<PassageColumns>,
    /// Every fact and sentence, when the sources are small enough to score
    /// whole ([`pipeline::EXHAUSTIVE_UNITS`]); empty otherwise.
    units: Vec<pipeline::units::Unit>,
    /// Vectors of the words of `units`.
    word_vectors: HashMap<String, crate::language::Vector>,
}

impl Engine {
    /// Opens the current generation of the index in `index_dir`.
    pub fn open(index_dir: &Path) -> Result<Engine, IndexError> {
        Engine::from_snapshot(index::open(index_dir)?)
    }

    pub fn from_snapshot(snapshot: Snapshot) -> Result<Engine, IndexError> {
        let dir = snapshot.dir.clone();
        let mut engine = Engine::without_units(snapshot)?;
        engine.units = engine.all_units().map_err(|e| IndexError::Corrupt {
            path: dir,
            reason: match e {
                RequestError::Index(reason) => reason,
                other => other.to_string(),
            },
        })?;
        engine.word_vectors = pipeline::score::unit_word_vectors(&engine.units);
        Ok(engine)
    }

    /// The engine with no units built: every question builds its own from
    /// BM25's candidates, as on large sources.
    fn without_units(snapshot: Snapshot) -> Result<Engine, IndexError> {
        let Snapshot {
            mut catalog,
            reader,
            fields,
            ..
        } = snapshot;
        let searcher = reader.searcher();
        let (fact_columns, passage_columns) = fast_columns(&searcher)?;
        let matcher = EntityMatcher::new(&catalog.entities);
        let described = pipeline::units::described(&catalog.entities);
        let synonyms = pipeline::analyse::synonym_map(&catalog.lexicon.groups);
        let speller = speller::Speller::new(catalog.vocabulary.iter().cloned());
        let entity_ids: HashMap<String, usize> = catalog
            .entities
            .iter()
            .enumerate()
            .map(|(i, e)| (e.key(), i))
            .collect();
        let articles: HashMap<String, usize> = catalog
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
        let by_date = newest_first(&catalog);
        let story_facts = facts_by_article(&catalog, &articles);
        let suggester = suggest::Suggester::new(&catalog, &by_date);
        // Read into the speller; not needed again.
        catalog.vocabulary = Vec::new();
        Ok(Engine {
            by_date,
            story_facts,
            suggester,
            fact_columns,
            passage_columns,
            articles,
            collection,
            catalog,
            fields,
            searcher,
            speller,
            matcher,
            described,
            synonyms,
            entity_ids,
            units: Vec::new(),
            word_vectors: HashMap::new(),
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

    /// The stories the index holds, newest first.
    pub fn stories(&self) -> Vec<StorySummary> {
        self.by_date
            .iter()
            .map(|&i| {
                let a = &self.catalog.articles[i];
                StorySummary {
                    article: summary(a),
                    facts: self.story_facts[i].len(),
                    cards: a.cards.iter().map(|c| c.topic.to_string()).collect(),
                }
            })
            .collect()
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

    /// The stored text of paragraph `number` of `article`: `None` when the
    /// article has no such paragraph, an error when the index cannot be read.
    pub fn paragraph_text(
        &self,
        article: &str,
        number: u32,
    ) -> Result<Option<String>, RequestError> {
        let f = &self.fields;
        let key = index::passage_key(article, number);
        let query = term_query(Term::from_field_text(f.passage, &key));
        let top = self
            .searcher
            .search(&query, &TopDocs::with_limit(1).order_by_score())
            .map_err(index_failure)?;
        match top.first() {
            Some((_, address)) => self.document_body(*address).map(Some),
            None => Ok(None),
        }
    }

    /// The stored text of the passage document at `address`.
    fn document_body(&self, address: tantivy::DocAddress) -> Result<String, RequestError> {
        let doc: TantivyDocument = self.searcher.doc(address).map_err(index_failure)?;
        doc.get_first(self.fields.body)
            .and_then(|v| v.as_str().map(str::to_string))
            .ok_or_else(|| damaged("a stored paragraph has no text"))
    }

    /// Turns cites into citations, each quote checked verbatim against the
    /// stored paragraph. Content checks make a mismatch impossible, so one
    /// means the index is damaged: the request fails rather than lose the
    /// citation (an answer without it would pass for "the sources do not
    /// say").
    fn citations<'a>(
        &self,
        cites: impl IntoIterator<Item = &'a Cite>,
    ) -> Result<Vec<Citation>, RequestError> {
        let mut out: Vec<Citation> = Vec::new();
        // Each paragraph is read once, however many quotes it backs.
        let mut read: HashMap<(&str, u32), Option<String>> = HashMap::new();
        for cite in cites {
            if out.iter().any(|c| {
                c.article == cite.article && c.paragraph == cite.paragraph && c.quote == cite.quote
            }) {
                continue;
            }
            let key = (cite.article.as_str(), cite.paragraph);
            let paragraph = match read.get(&key) {
                Some(p) => p,
                None => {
                    let p = self.paragraph_text(&cite.article, cite.paragraph)?;
                    read.entry(key).or_insert(p)
                }
            };
            if !paragraph
                .as_deref()
                .is_some_and(|p| p.contains(cite.quote.as_str()))
            {
                tracing::error!(
                    article = %cite.article,
                    paragraph = cite.paragraph,
                    "quote not found verbatim in its stored paragraph"
                );
                return Err(damaged(&format!(
                    "paragraph {} of `{}` does not hold the quote cited from it",
                    cite.paragraph, cite.article
                )));
            }
            out.push(self.citation(&cite.article, cite.paragraph, cite.quote.clone()));
        }
        Ok(out)
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
            story: f.story.clone(),
            topic: f.topic.clone(),
            title: f.title.clone(),
            text: f.text.clone(),
        }
    }

    /// Position in the catalog of the fact a document holds, from the
    /// fast field (no stored document read).
    fn fact_ord(&self, address: tantivy::DocAddress) -> Option<usize> {
        self.fact_columns
            .get(address.segment_ord as usize)
            .and_then(|column| column.first(address.doc_id))
            .map(|ord| ord as usize)
    }

    /// The article (position) and paragraph a passage document holds, from
    /// fast fields.
    fn passage_at(&self, address: tantivy::DocAddress) -> Option<(usize, u32)> {
        let (articles, paragraphs) = self.passage_columns.get(address.segment_ord as usize)?;
        let article = articles.first(address.doc_id)? as usize;
        let paragraph = paragraphs.first(address.doc_id)?;
        Some((article, u32::try_from(paragraph).ok()?))
    }

    /// Every unit of the sources when they are small enough to score whole.
    fn all_units(&self) -> Result<Vec<pipeline::units::Unit>, RequestError> {
        let m = &self.catalog.manifest;
        if m.paragraphs * UNITS_PER_PARAGRAPH + m.facts > pipeline::EXHAUSTIVE_UNITS {
            return Ok(Vec::new());
        }
        let mut units: Vec<_> = (0..self.catalog.facts.len())
            .filter_map(|ord| self.fact_unit(ord))
            .collect();
        for (ai, a) in self.catalog.articles.iter().enumerate() {
            for p in 1..=a.paragraphs {
                if let Some(body) = self.paragraph_text(&a.id, p)? {
                    let known = self.known(Vec::new());
                    units.extend(pipeline::units::Unit::of_paragraph(ai, p, &body, known));
                }
            }
        }
        Ok(units)
    }

    /// The engine as it works on large sources: units built per question
    /// from BM25's candidates, search ranked by BM25.
    #[cfg(test)]
    pub(crate) fn scored_as_if_large(mut self) -> Engine {
        self.units = Vec::new();
        self.word_vectors = HashMap::new();
        self
    }

    /// [`Engine::open`] as on large sources: no paragraph read when it
    /// opens.
    #[cfg(test)]
    pub(crate) fn open_as_if_large(index_dir: &Path) -> Result<Engine, IndexError> {
        Engine::without_units(index::open(index_dir)?)
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

/// Stored data that cannot be what the index was built from, as the error
/// the request gets.
pub(crate) fn damaged(what: &str) -> RequestError {
    RequestError::Index(format!(
        "{what}; run `dossier reindex` to rebuild the index"
    ))
}

/// A failed index search, logged, as the error the request gets.
pub(crate) fn index_failure(e: tantivy::TantivyError) -> RequestError {
    tracing::error!(error = %e, "the index could not be searched");
    RequestError::Index(e.to_string())
}

fn term_query(term: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(term, IndexRecordOption::Basic))
}

/// A segment's columns of passages' article positions and paragraph numbers.
type PassageColumns = (Column<u64>, Column<u64>);

/// Each segment's fast-field columns: facts' positions, passages' article
/// and paragraph.
fn fast_columns(
    searcher: &Searcher,
) -> Result<(Vec<Column<u64>>, Vec<PassageColumns>), IndexError> {
    let segments = searcher.segment_readers();
    let facts = segments
        .iter()
        .map(|segment| segment.fast_fields().u64("fact"))
        .collect::<Result<Vec<_>, _>>()?;
    let passages = segments
        .iter()
        .map(|segment| {
            let fast = segment.fast_fields();
            Ok((fast.u64("article_ord")?, fast.u64("paragraph")?))
        })
        .collect::<Result<Vec<_>, tantivy::TantivyError>>()?;
    Ok((facts, passages))
}

/// Article positions, newest first (ties by id).
fn newest_first(catalog: &Catalog) -> Vec<usize> {
    let mut order: Vec<usize> = (0..catalog.articles.len()).collect();
    order.sort_by(|&x, &y| {
        let (x, y) = (&catalog.articles[x], &catalog.articles[y]);
        y.date.cmp(&x.date).then_with(|| x.id.cmp(&y.id))
    });
    order
}

/// The facts of each article's story, by article position.
fn facts_by_article(catalog: &Catalog, articles: &HashMap<String, usize>) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); catalog.articles.len()];
    for (i, f) in catalog.facts.iter().enumerate() {
        if let Some(&a) = articles.get(&f.story) {
            out[a].push(i);
        }
    }
    out
}

#[cfg(test)]
mod tests;
