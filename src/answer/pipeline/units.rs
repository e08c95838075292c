//! What can answer a question: a fact, or one sentence of a paragraph.
//!
//! A unit carries what scoring needs: its words and stems, the entities it
//! names, whether it names an agent or a place, and its vector.

use std::collections::HashSet;
use std::sync::Arc;

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
    /// Stems of the whole paragraph a sentence stands in (a fact: its own),
    /// shared by the sentences of a paragraph.
    pub context: Arc<HashSet<String>>,
    pub entities: Vec<usize>,
    /// Entities named that are agents (people, organizations, countries).
    pub agents: Vec<usize>,
    /// Entities named that are places.
    pub places: Vec<usize>,
    /// Capitalised words not opening the text, folded.
    pub proper: Vec<String>,
    /// Who said it, for a fact that is a quote (as an entity class).
    pub speaker: Option<usize>,
    pub vector: Vector,
}

/// Entity kinds that answer "who".
const AGENT_KINDS: &[&str] = &["person", "organization", "country"];
/// Entity kinds that answer "where".
const PLACE_KINDS: &[&str] = &["place", "country", "route"];

impl Unit {
    fn new(
        origin: Origin,
        (article, paragraph): (usize, u32),
        text: String,
        words: Vec<Word>,
        known: Known,
    ) -> Unit {
        let mentions = known.matcher.find(&text, &words);
        let mut entities: Vec<usize> = mentions.iter().map(|m| m.entity).collect();
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
        // A name of a known agent or place has its entity's kind; other
        // capitalised words could be anything (an event's name may hold a
        // place's).
        let typed = |e: usize| agents.contains(&e) || places.contains(&e);
        let named = |i: usize| {
            mentions
                .iter()
                .any(|m| typed(m.entity) && (m.first..m.last).contains(&i))
        };
        let proper = kinds::proper_names(&text, &words, named);
        let vector = language().words_vector(words.iter().map(|w| w.folded.as_str()));
        Unit {
            origin,
            article,
            paragraph,
            stems: words.iter().map(|w| w.stem.clone()).collect(),
            context: Arc::default(),
            body: None,
            text,
            words,
            entities,
            agents,
            places,
            proper,
            speaker: None,
            vector,
        }
    }

    /// The unit of a fact: its statement (and title), citing its first cite.
    pub fn of_fact(ord: usize, fact: &Fact, article: usize, known: Known<'_>) -> Unit {
        let first = fact.cites.first().map_or(0, |c| c.paragraph);
        let words = text::words(&fact.text);
        let origin = Origin::Fact(ord);
        let described = known.described;
        let mut unit = Unit::new(origin, (article, first), fact.text.clone(), words, known);
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
        let mut context = unit.stems.clone();
        add_descriptions(&mut context, &unit.entities, described);
        unit.context = Arc::new(context);
        unit
    }

    /// The units of a paragraph: one per sentence.
    pub fn of_paragraph(article: usize, paragraph: u32, body: &str, known: Known<'_>) -> Vec<Unit> {
        // The paragraph is read once; each sentence takes its own words.
        let all = text::words(body);
        let shared: Arc<str> = body.into();
        let mut units: Vec<Unit> = text::sentence_ranges(body)
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
                let words = all
                    .iter()
                    .filter(|w| w.start >= start && w.end <= end)
                    .map(|w| Word {
                        folded: w.folded.clone(),
                        stem: w.stem.clone(),
                        start: w.start - start,
                        end: w.end - start,
                    })
                    .collect();
                let text = body[start..end].to_string();
                let mut unit = Unit::new(origin, (article, paragraph), text, words, known);
                unit.body = Some(Arc::clone(&shared));
                unit
            })
            .collect();
        // The context: the paragraph's stems and the descriptions of the
        // entities its sentences name.
        let mut context: HashSet<String> = all.into_iter().map(|w| w.stem).collect();
        for u in &units {
            add_descriptions(&mut context, &u.entities, known.described);
        }
        let context = Arc::new(context);
        for u in &mut units {
            u.context = Arc::clone(&context);
        }
        units
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

/// The stems of each entity's description (none without one), for
/// [`Known::described`]: read once when the engine opens.
pub fn described(entities: &[Entity]) -> Vec<Vec<String>> {
    entities
        .iter()
        .map(|e| e.description.as_deref().map_or_else(Vec::new, text::stems))
        .collect()
}

/// Adds the stems of the editor's descriptions of `named` entities to a
/// unit's context: a question may name someone by role ("the mediator")
/// where the text names them.
fn add_descriptions(context: &mut HashSet<String>, named: &[usize], described: &[Vec<String>]) {
    for &e in named {
        if let Some(stems) = described.get(e) {
            context.extend(stems.iter().cloned());
        }
    }
}

/// What units are matched against: the entities of the sources.
#[derive(Clone)]
pub struct Known<'a> {
    pub matcher: &'a EntityMatcher,
    pub entities: &'a [Entity],
    /// Entities a fact is about beyond those it names.
    pub extra: Vec<usize>,
    /// Per entity, the stems of its description ([`described`]).
    pub described: &'a [Vec<String>],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_s_context_holds_the_descriptions_of_the_entities_it_names() {
        let entities = vec![Entity {
            id: "vell".into(),
            story: None,
            name: "Ada Vell".into(),
            kind: "person".into(),
            aliases: Vec::new(),
            description: Some("Mediator appointed by the regional council.".into()),
        }];
        let matcher = EntityMatcher::new(&entities);
        let stems = described(&entities);
        let known = Known {
            matcher: &matcher,
            entities: &entities,
            extra: Vec::new(),
            described: &stems,
        };
        let named =
            Unit::of_paragraph(0, 1, "Ada Vell met both sides. Talks ended.", known.clone());
        let mediator = text::stem("mediator");
        // Every sentence of the paragraph shares the context, not the words.
        assert!(named.iter().all(|u| u.context.contains(&mediator)));
        assert!(!named[0].stems.contains(&mediator));
        let unnamed = Unit::of_paragraph(0, 2, "Talks ended on Monday.", known);
        assert!(!unnamed[0].context.contains(&mediator));
    }
}
