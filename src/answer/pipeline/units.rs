//! What can answer a question: a fact, or one sentence of a paragraph.
//!
//! A unit carries what scoring needs: its words and stems, the entities it
//! names, whether it names an agent or a place, and its vector.

use std::collections::HashSet;

use crate::answer::kinds::{self, Names};
use crate::content::{Entity, EntityMatcher, Fact};
use crate::language::{Vector, language};
use crate::text::{self, Word};

/// Where a unit comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Origin {
    /// Position of the fact in the catalog.
    Fact(usize),
    /// A sentence: byte range `[start, end)` of paragraph `paragraph` of the
    /// article at position `article` in the catalog.
    Sentence {
        article: usize,
        paragraph: u32,
        start: usize,
        end: usize,
    },
}

#[derive(Debug, Clone)]
pub struct Unit {
    pub origin: Origin,
    /// Article (position in the catalog) the unit cites first.
    pub article: usize,
    /// Paragraph it cites first.
    pub paragraph: u32,
    /// The sentence, or the fact's statement.
    pub text: String,
    /// The whole paragraph a sentence stands in (shared by its sentences);
    /// `None` for a fact.
    pub body: Option<std::sync::Arc<str>>,
    pub words: Vec<Word>,
    pub stems: HashSet<String>,
    /// Stems of the whole paragraph a sentence stands in (a fact: its own).
    pub context: HashSet<String>,
    pub entities: Vec<usize>,
    /// Entities named that are agents (people, organizations, countries).
    pub agents: Vec<usize>,
    /// Entities named that are places.
    pub places: Vec<usize>,
    /// Capitalised words not opening the text, folded.
    pub proper: Vec<String>,
    pub vector: Vector,
}

/// Entity kinds that answer "who".
const AGENT_KINDS: &[&str] = &["person", "organization", "country"];
/// Entity kinds that answer "where".
const PLACE_KINDS: &[&str] = &["place", "country", "route"];

impl Unit {
    fn new(origin: Origin, article: usize, paragraph: u32, text: String, known: Known) -> Unit {
        let words = text::words(&text);
        let mut entities = known.matcher.entities_in(&text);
        entities.extend(known.extra);
        entities.sort_unstable();
        entities.dedup();
        let of_kind = |kinds: &[&str]| -> Vec<usize> {
            entities
                .iter()
                .copied()
                .filter(|&e| kinds.contains(&known.entities[e].kind.as_str()))
                .collect()
        };
        let (agents, places) = (of_kind(AGENT_KINDS), of_kind(PLACE_KINDS));
        let proper = kinds::proper_names(&text, &words);
        let vector = language().words_vector(words.iter().map(|w| w.folded.as_str()));
        Unit {
            origin,
            article,
            paragraph,
            stems: words.iter().map(|w| w.stem.clone()).collect(),
            context: HashSet::new(),
            body: None,
            text,
            words,
            entities,
            agents,
            places,
            proper,
            vector,
        }
    }

    /// The unit of a fact: its statement (and title), citing its first cite.
    pub fn of_fact(ord: usize, fact: &Fact, article: usize, known: Known<'_>) -> Unit {
        let first = fact.cites.first().map_or(0, |c| c.paragraph);
        let mut unit = Unit::new(Origin::Fact(ord), article, first, fact.text.clone(), known);
        // The title, the editor's keywords and the quotes say the same
        // thing in other words.
        let extras = std::iter::once(&fact.title)
            .chain(&fact.keywords)
            .chain(fact.cites.iter().map(|c| &c.quote));
        for extra in extras {
            for w in text::words(extra) {
                unit.stems.insert(w.stem);
            }
        }
        unit.context = unit.stems.clone();
        unit
    }

    /// The units of a paragraph: one per sentence.
    pub fn of_paragraph(article: usize, paragraph: u32, body: &str, known: Known<'_>) -> Vec<Unit> {
        let context: HashSet<String> = text::words(body).into_iter().map(|w| w.stem).collect();
        let shared: std::sync::Arc<str> = body.into();
        text::sentence_ranges(body)
            .into_iter()
            .map(|(start, end)| {
                let origin = Origin::Sentence {
                    article,
                    paragraph,
                    start,
                    end,
                };
                let known = Known {
                    extra: Vec::new(),
                    ..known
                };
                let mut unit = Unit::new(
                    origin,
                    article,
                    paragraph,
                    body[start..end].to_string(),
                    known,
                );
                unit.context = context.clone();
                unit.body = Some(shared.clone());
                unit
            })
            .collect()
    }

    /// Whether the unit names an agent or a place besides those `asked`
    /// names (a "who" question is not answered by repeating its own names).
    pub fn names_besides(&self, entities: &[usize], words: &[String]) -> Names {
        let other = |list: &[usize]| list.iter().any(|e| !entities.contains(e));
        let proper = self.proper.iter().any(|w| !words.contains(w));
        Names {
            agent: other(&self.agents) || proper,
            place: other(&self.places) || proper,
        }
    }

    pub fn is_fact(&self) -> bool {
        matches!(self.origin, Origin::Fact(_))
    }
}

/// What units are matched against: the entities of the sources.
#[derive(Clone)]
pub struct Known<'a> {
    pub matcher: &'a EntityMatcher,
    pub entities: &'a [Entity],
    /// Entities a fact is about beyond those it names.
    pub extra: Vec<usize>,
}
