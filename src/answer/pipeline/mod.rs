//! Answering a question: a pipeline of named stages.
//!
//! 1. [`analyse`]: the question's words, corrections, entities, kind of
//!    answer expected and vector.
//! 2. retrieve: the units (facts and sentences) that could answer it: every
//!    unit when the sources are small, else those of the facts and
//!    paragraphs BM25 ranks first.
//! 3. [`score`]: features per unit, a learned ranking, a learned decision
//!    whether the best unit answers.
//! 4. compose: the answer from the best unit with its verified citations,
//!    or a plain statement that the sources do not say.

pub mod analyse;
mod preamble;
pub mod score;
pub mod units;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use tantivy::schema::Value;
use tantivy::{TantivyDocument, Term};

use self::analyse::Question;
use self::score::{Features, StoryTerms, WordVectors};
use self::units::{Known, Origin, Unit};
use super::{Answer, Citation, Engine, RequestError, frequency, index_failure};
use crate::answer::kinds::{self, Kind};
use crate::content::Cite;
use crate::index::{KIND_FACT, KIND_PASSAGE};
use crate::language::cosine;

/// Sources with at most this many units are scored whole for every
/// question (their units and their words' vectors are built once, when the
/// engine opens): about a hundred stories of ten paragraphs. Larger ones go
/// through the BM25 candidates below. 5,000 units hold about 8 MB, and
/// scoring them all takes about as long as building BM25's candidates.
pub const EXHAUSTIVE_UNITS: usize = 5_000;
/// Documents (facts and paragraphs) BM25 hands to scoring in large sources:
/// a trade of recall for time (the stories of the test suite are small
/// enough to be scored whole, so it is not measured there).
const BM25_CANDIDATES: usize = 20;
/// Units whose soft coverage is computed: the best by a first, cheaper
/// score (semantic similarity plus exact coverage).
const SCORED_UNITS: usize = 48;

/// How close (in rank score) another story's best unit must come to the
/// answer's for the answer to name that story too. The rank scores of one
/// question's units spread over about five; half a point is a near tie. Set
/// by reading scores, not fitted.
const ALSO_MARGIN: f32 = 0.5;
/// How far (in rank score) another story's best unit must lead the best
/// unit of the conversation's story for a follow-up to be answered from the
/// other story. The rank scores of one question's units spread over about
/// five. Measured on the dev stories in one index, asked in order as one
/// conversation (`dossier eval --together --follow`), with the models
/// fitted on the training stories in one index too: top-1 51.6% at 0.5,
/// 53.1% at 1, 54.2% at 2, 54.8% at 3, 4 and 8; abstention the same at
/// all; on the training stories 61.6% up to 3, 61.2% from 4.
const LEAVE_MARGIN: f32 = 3.0;
/// Other stories named in `also` when "what happened" is asked of all of
/// them: the next newest, as many as a chat line lists comfortably.
const GIST_ALSO: usize = 3;
/// Names that are dates besides the months (and their shortenings) and
/// days `kinds` knows: the days shortened as chat and news write them,
/// and holidays. General English.
const DATE_NAMES: &[&str] = &[
    "mon",
    "tue",
    "tues",
    "thu",
    "thur",
    "fri",
    "christmas",
    "xmas",
    "easter",
    "passover",
    "hanukkah",
    "diwali",
    "ramadan",
    "halloween",
];

/// The cosine at which a word of the sources counts as a form of a name
/// the question gives: pairs of a place and its people or language
/// measured 0.53 to 0.78 in the word vectors ("germany" and "german" 0.53,
/// "chinese" and "china" 0.60, "norway" and "norwegian" 0.74); unrelated
/// words sharing a start 0.48 at most ("australia" and "austerity";
/// "everest" and "every" -0.04). Neighbouring places can be nearer
/// ("iraq" and "iran" 0.59, "australia" and "austria" 0.56): such a story
/// is then left to the decision, as before the rule.
const NAME_FORM: f32 = 0.5;
/// Related topics offered with a declined question: a chat line's worth.
const RELATED: usize = 3;

/// The names a question gives ([`crate::language::Language::is_name`])
/// that are not names of the sources' entities. Months, days and holidays
/// are dates, not what a story is about, and news style shortens them
/// ("Nov. 12"): they are left to the decision.
fn given_names(q: &Question) -> Vec<&analyse::Term> {
    let lang = crate::language::language();
    let date = |w: &str| kinds::is_calendar(w) || DATE_NAMES.contains(&w);
    q.terms
        .iter()
        .filter(|t| t.entity.is_none() && lang.is_name(&t.folded) && !date(&t.folded))
        .collect()
}

/// For a message of nothing but numbers ("1", "whats 2+2", "2019"), the
/// scored units that hold one of them as it is: it can only look a number
/// up, and a number's vector is near every other number's ("1" and
/// "two"), so a sentence with any count would otherwise rank among them.
/// All of them for any other question.
pub(crate) fn holding_numbers<'s>(q: &Question, scored: &'s [Scored]) -> Cow<'s, [Scored]> {
    if !q.only_numbers() {
        return Cow::Borrowed(scored);
    }
    Cow::Owned(
        scored
            .iter()
            .filter(|s| score::holds_exactly(&s.features))
            .cloned()
            .collect(),
    )
}

/// What a question was scored on: for `dossier eval --features`.
#[derive(Debug, Clone)]
pub struct Trace {
    /// (article id, paragraph, features, rank score) per scored unit.
    pub units: Vec<(String, u32, Features, f32)>,
    pub decision: Option<Vec<f32>>,
    /// The question's weight as the decision sees it.
    pub question_weight: f32,
}

impl Engine {
    /// Answers `question` from the sources, citing passages verbatim.
    pub fn ask(&self, question: &str) -> Result<Answer, RequestError> {
        Ok(self.answer(question, None, None)?.0)
    }

    /// [`Engine::ask`] from one story (an article id) only.
    pub fn ask_in(&self, question: &str, story: Option<&str>) -> Result<Answer, RequestError> {
        let scope = self.story_scope(story)?;
        Ok(self.answer(question, scope, None)?.0)
    }

    /// [`Engine::ask`], with what the answer was decided on.
    pub fn ask_traced(&self, question: &str) -> Result<(Answer, Trace), RequestError> {
        self.answer(question, None, None)
    }

    /// [`Engine::ask`] as a follow-up in a conversation about `recent`
    /// (the article id last answered from): a question that fits that
    /// story about as well as any other is answered from it ("when does
    /// it reopen" after a question on the bridge). A story unknown to the
    /// sources (removed since) is no context.
    pub fn ask_after(&self, question: &str, recent: Option<&str>) -> Result<Answer, RequestError> {
        Ok(self.answer_after(question, recent)?.0)
    }

    /// [`Engine::ask_after`], with what the answer was decided on.
    pub fn ask_traced_after(
        &self,
        question: &str,
        recent: Option<&str>,
    ) -> Result<(Answer, Trace), RequestError> {
        self.answer_after(question, recent)
    }

    /// Answers from every story, then, when that answer came from another
    /// story, from the conversation's: its answer is given unless it
    /// declines or the other story's best unit leads its own by more than
    /// [`LEAVE_MARGIN`]. The conversation never turns a declined question
    /// into an answer.
    fn answer_after(
        &self,
        question: &str,
        recent: Option<&str>,
    ) -> Result<(Answer, Trace), RequestError> {
        let recent = recent.and_then(|id| self.articles.get(id).copied());
        let open = self.answer(question, None, recent)?;
        let Some(r) = recent else {
            return Ok(open);
        };
        let id = &self.catalog.articles[r].id;
        // A summary scores no units: it named its story, or none matched.
        if !open.0.answered || open.0.story.as_ref() == Some(id) || open.1.units.is_empty() {
            return Ok(open);
        }
        let mut kept = self.answer(question, Some(r), None)?;
        // The open answer's lead is its own story's best unit: a story set
        // aside for a name it never mentions may rank above it.
        let best = |(a, t): &(Answer, Trace)| {
            t.units
                .iter()
                .find(|u| a.story.as_ref() == Some(&u.0))
                .map_or(f32::NEG_INFINITY, |u| u.3)
        };
        if !kept.0.answered || best(&open) - best(&kept) > LEAVE_MARGIN {
            return Ok(open);
        }
        // The story the open answer came from, and those it named, answer
        // too.
        for other in open.0.story.iter().chain(&open.0.also) {
            if other != id && !kept.0.also.contains(other) {
                kept.0.also.push(other.clone());
            }
        }
        Ok(kept)
    }

    /// The position of a story named by id or title, or an error saying
    /// it is unknown.
    pub(crate) fn story_scope(&self, story: Option<&str>) -> Result<Option<usize>, RequestError> {
        let Some(name) = story.map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(None);
        };
        if let Some(&a) = self.articles.get(name) {
            return Ok(Some(a));
        }
        let folded = crate::text::folded_words(name).join(" ");
        self.catalog
            .articles
            .iter()
            .position(|a| crate::text::folded_words(&a.title).join(" ") == folded)
            .map(Some)
            .ok_or_else(|| RequestError::UnknownArticle(name.to_string()))
    }

    /// The answer from one story (`scope`) or from all; a summary that
    /// names no story is of `recent`, the conversation's, or else of the
    /// newest.
    fn answer(
        &self,
        question: &str,
        scope: Option<usize>,
        recent: Option<usize>,
    ) -> Result<(Answer, Trace), RequestError> {
        let mut q = self.analyse(question);
        // Asked of one story, the kind of answer alone asks something of
        // it ("what year was it").
        if scope.is_some() {
            q.cue = None;
        }
        if q.kind == Some(Kind::Gist) {
            let trace = Trace {
                units: Vec::new(),
                decision: None,
                question_weight: score::question_weight(&q),
            };
            let answer = match scope {
                Some(_) => self.gist(&q, scope)?,
                None => match self.summary_topic(&q)? {
                    Topic::Newest => self.gist(&q, recent)?,
                    Topic::Story(a) => self.gist(&q, Some(a))?,
                    Topic::Unmatched => {
                        let mut answer = self.empty_answer(&q);
                        answer.answer = self.abstention(&q, &[], None);
                        answer
                    }
                },
            };
            return Ok((answer, trace));
        }
        let pool = self.retrieve(&q, scope)?;
        let units: Vec<&Unit> = pool.iter().map(|u| u.as_ref()).collect();
        let mut scored = self.score(&q, &units)?;
        // Someone else's words are never given as what the one asked about
        // said, however well they match.
        if q.kind == Some(Kind::Speech) {
            scored.retain(|s| !score::quotes_someone_else(&q, units[s.unit]));
        }
        let trace = Trace {
            units: scored
                .iter()
                .map(|s| {
                    let u = units[s.unit];
                    let article = self.catalog.articles[u.article].id.clone();
                    (article, u.paragraph, s.features, s.score)
                })
                .collect(),
            decision: None,
            question_weight: score::question_weight(&q),
        };
        let (mut answer, trace) = self.decide(&q, &units, &scored, trace)?;
        if scope.is_some() && !answer.answered {
            answer.answer = self.abstention(&q, &answer.related, scope);
        }
        Ok((answer, trace))
    }

    pub(crate) fn analyse(&self, question: &str) -> Question {
        analyse::analyse(
            question,
            &analyse::Context {
                speller: &self.speller,
                matcher: &self.matcher,
                synonyms: &self.synonyms,
            },
        )
    }
}

/// Which story a request for a summary is about.
enum Topic {
    /// It names none: the conversation's, or else the newest.
    Newest,
    Story(usize),
    /// It names something no story covers.
    Unmatched,
}

/// A unit of the pool: built for this question, or one of the engine's.
pub enum Pooled<'a> {
    Shared(&'a Unit),
    Owned(Box<Unit>),
}

impl AsRef<Unit> for Pooled<'_> {
    fn as_ref(&self) -> &Unit {
        match self {
            Pooled::Shared(u) => u,
            Pooled::Owned(u) => u,
        }
    }
}

#[derive(Clone)]
pub struct Scored {
    pub unit: usize,
    pub features: Features,
    pub score: f32,
}

impl Engine {
    /// Stage 2: the units that could answer, of one story when `scope`
    /// names one.
    pub(crate) fn retrieve(
        &self,
        q: &Question,
        scope: Option<usize>,
    ) -> Result<Vec<Pooled<'_>>, RequestError> {
        if !self.units.is_empty() {
            return Ok(self
                .units
                .iter()
                .filter(|u| scope.is_none_or(|a| u.article == a))
                .map(Pooled::Shared)
                .collect());
        }
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for (doc, fact) in self.bm25(q, scope)? {
            if let Some(ord) = fact {
                if seen.insert(Origin::Fact(ord)) {
                    out.extend(self.fact_unit(ord).map(|u| Pooled::Owned(Box::new(u))));
                }
                continue;
            }
            let f = &self.fields;
            let article = doc.get_first(f.article).and_then(|v| v.as_str());
            let paragraph = doc.get_first(f.paragraph).and_then(|v| v.as_u64());
            let body = doc.get_first(f.body).and_then(|v| v.as_str());
            let (Some(a), Some(p), Some(body)) = (article, paragraph, body) else {
                return Err(super::damaged(
                    "a stored paragraph lacks its article, number or text",
                ));
            };
            let (Some(&ai), Ok(p)) = (self.articles.get(a), u32::try_from(p)) else {
                return Err(super::damaged(&format!(
                    "a stored paragraph names `{a}` ¶{p}, which the catalog does not hold"
                )));
            };
            let units = Unit::of_paragraph(ai, p, body, self.known(Vec::new()));
            out.extend(units.into_iter().map(|u| Pooled::Owned(Box::new(u))));
        }
        Ok(out)
    }

    /// The best facts and paragraphs for the question's words, by BM25.
    fn bm25(
        &self,
        q: &Question,
        scope: Option<usize>,
    ) -> Result<Vec<(TantivyDocument, Option<usize>)>, RequestError> {
        let f = &self.fields;
        let stems = q.stems();
        let mut out = Vec::new();
        // Facts and passages have fields of their own, so each kind is
        // searched with no filter on the kind.
        for (kind, fields) in [
            (KIND_FACT, &[f.fact_body, f.extra][..]),
            (KIND_PASSAGE, &[f.body][..]),
        ] {
            let top = self.bm25_top(&stems, fields, None, scope, BM25_CANDIDATES / 2)?;
            for (_, address) in top {
                let fact = (kind == KIND_FACT)
                    .then(|| self.fact_ord(address))
                    .flatten();
                if fact.is_some() {
                    out.push((TantivyDocument::default(), fact));
                } else {
                    let doc = self.searcher.doc(address).map_err(index_failure)?;
                    out.push((doc, None));
                }
            }
        }
        Ok(out)
    }

    /// Stage 3: features and rank scores, best first.
    pub(crate) fn score(&self, q: &Question, units: &[&Unit]) -> Result<Vec<Scored>, RequestError> {
        self.score_best(q, units, SCORED_UNITS)
    }

    /// [`Engine::score`] on the `n` units a first, cheaper score ranks best.
    pub(crate) fn score_best(
        &self,
        q: &Question,
        units: &[&Unit],
        n: usize,
    ) -> Result<Vec<Scored>, RequestError> {
        // A first, cheap cut: soft coverage compares every word pair.
        let mut order: Vec<(usize, f32)> = units
            .iter()
            .enumerate()
            .map(|(i, u)| (i, cosine(&q.vector, &u.vector) + exact_share(q, u)))
            .collect();
        order.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        order.truncate(n);
        let chosen: Vec<&Unit> = order.iter().map(|(i, _)| units[*i]).collect();
        let stories = self.story_terms(q, &chosen)?;
        let mut vectors = WordVectors::new(&self.word_vectors);
        let features = score::features(q, &chosen, &stories, &mut vectors);
        let model = score::model();
        let mut scored: Vec<Scored> = order
            .iter()
            .zip(features)
            .map(|((i, _), features)| Scored {
                unit: *i,
                score: model.rank(&features),
                features,
            })
            .collect();
        scored.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.unit.cmp(&b.unit)));
        Ok(scored)
    }

    /// Stage 4: answer from the best unit, or decline.
    fn decide(
        &self,
        q: &Question,
        units: &[&Unit],
        scored: &[Scored],
        mut trace: Trace,
    ) -> Result<(Answer, Trace), RequestError> {
        let mut answer = self.empty_answer(q);
        // Nothing asked ("hey", "lol", "thanks", small talk), or numbers
        // no unit holds: no topic to relate to.
        let holding = holding_numbers(q, scored);
        if q.asks_nothing() || (q.only_numbers() && holding.is_empty()) {
            answer.answer = self.abstention(q, &[], None);
            return Ok((answer, trace));
        }
        let naming = self.of_stories_naming(q, units, &holding)?;
        let Some(best) = naming.first() else {
            answer.related = self.related(units, scored);
            answer.leads = self.leads(q, units, scored)?;
            answer.answer = self.abstention(q, &answer.related, None);
            return Ok((answer, trace));
        };
        let scored = &naming[..];
        let decision = score::decision(
            &best.features,
            best.score,
            scored.get(1).map(|s| s.score),
            q,
        );
        let p = score::model().answers(&decision);
        if tracing::enabled!(tracing::Level::DEBUG) {
            for s in scored.iter().take(5) {
                let u = units[s.unit];
                tracing::debug!(score = s.score, features = ?s.features, text = %u.text, "unit");
            }
            tracing::debug!(p, terms = ?q.terms.iter().map(|t| (&t.folded, t.weight)).collect::<Vec<_>>(), "decision");
        }
        trace.decision = Some(decision);
        if p < score::model().threshold {
            answer.related = self.related(units, scored);
            answer.leads = self.leads(q, units, scored)?;
            answer.answer = self.abstention(q, &answer.related, None);
            return Ok((answer, trace));
        }
        self.compose(&mut answer, q, units[best.unit])?;
        if !answer.answered {
            answer.answer = self.abstention(q, &answer.related, None);
            return Ok((answer, trace));
        }
        answer.story = Some(self.catalog.articles[units[best.unit].article].id.clone());
        answer.also = self.also_answering(units, scored);
        Ok((answer, trace))
    }

    /// For each story of `articles`, the first name the question gives
    /// ("australia", "everest") that it never mentions, nor a form of it
    /// ("italian" for "italy"), in its articles, facts or titles: the
    /// story is not about what the question asks, however well its other
    /// words match ("what's the capital of australia" against "the
    /// regional capital of Verland").
    pub(crate) fn names_missing(
        &self,
        q: &Question,
        articles: &[usize],
    ) -> Result<Vec<Option<String>>, RequestError> {
        let names = given_names(q);
        if names.is_empty() {
            return Ok(vec![None; articles.len()]);
        }
        let forms: Vec<Vec<String>> = names.iter().map(|t| self.forms_of(t)).collect();
        let words: Vec<Vec<&str>> = forms
            .iter()
            .map(|f| f.iter().map(String::as_str).collect())
            .collect();
        let counts = self.story_counts(articles, &words)?;
        Ok(articles
            .iter()
            .zip(counts)
            .map(|(&a, (_, held))| {
                let title = crate::text::words(&self.catalog.articles[a].title);
                names
                    .iter()
                    .zip(&forms)
                    .zip(held)
                    .find(|((_, forms), n)| {
                        *n == 0 && !title.iter().any(|w| forms.contains(&w.stem))
                    })
                    .map(|((t, _), _)| t.folded.clone())
            })
            .collect())
    }

    /// The scored units of the stories that mention every name the
    /// question gives, in order: a story that never mentions one is not
    /// what the question asks about. All of them when it gives none.
    fn of_stories_naming<'s>(
        &self,
        q: &Question,
        units: &[&Unit],
        scored: &'s [Scored],
    ) -> Result<Cow<'s, [Scored]>, RequestError> {
        if given_names(q).is_empty() {
            return Ok(Cow::Borrowed(scored));
        }
        let mut articles: Vec<usize> = scored.iter().map(|s| units[s.unit].article).collect();
        articles.sort_unstable();
        articles.dedup();
        let missing = self.names_missing(q, &articles)?;
        let naming: HashSet<usize> = articles
            .iter()
            .zip(&missing)
            .filter(|(_, m)| m.is_none())
            .map(|(a, _)| *a)
            .collect();
        Ok(Cow::Owned(
            scored
                .iter()
                .filter(|s| naming.contains(&units[s.unit].article))
                .cloned()
                .collect(),
        ))
    }

    /// The stems a name may take in the sources: its own, an editor's
    /// synonyms, the other forms of a country's name ("dutch" for
    /// "netherlands", "danish" for "denmark"), and those of the
    /// sources' words that share its first three letters, are at most three
    /// letters shorter or four longer, and are near it in meaning
    /// ([`NAME_FORM`]): "italian" for "italy" and the other way round,
    /// "norwegian" for "norway", not "austerity" for "australia".
    fn forms_of(&self, t: &analyse::Term) -> Vec<String> {
        let lang = crate::language::language();
        let prefix: String = t.folded.chars().take(3).collect();
        let len = t.folded.chars().count();
        let near = |w: &str| {
            let (Some(a), Some(b)) = (&t.vector, lang.word_vector(w)) else {
                return false;
            };
            cosine(a, &b) >= NAME_FORM
        };
        let mut forms: Vec<String> = std::iter::once(t.stem.clone())
            .chain(t.alternatives.iter().cloned())
            .chain(
                lang.country_forms(&t.folded)
                    .iter()
                    .map(|w| crate::text::stem(w)),
            )
            .chain(
                self.speller
                    .starting_with(&prefix, len.saturating_sub(3)..=len + 4)
                    .filter(|w| near(w))
                    .map(crate::text::stem),
            )
            .collect();
        forms.sort_unstable();
        forms.dedup();
        forms
    }

    fn compose(&self, answer: &mut Answer, q: &Question, unit: &Unit) -> Result<(), RequestError> {
        match &unit.origin {
            Origin::Fact(ord) => {
                let fact = &self.catalog.facts[*ord];
                answer.citations = self.citations(self.closest_cites(q, *ord))?;
                answer.answer = fact.text.clone();
                answer.facts = vec![self.fact_ref(*ord)];
            }
            Origin::Sentence {
                article, paragraph, ..
            } => {
                let id = &self.catalog.articles[*article].id;
                let cite = crate::content::Cite {
                    article: id.clone(),
                    paragraph: *paragraph,
                    quote: unit.text.clone(),
                };
                answer.citations = self.citations([&cite])?;
                answer.answer = unit.text.clone();
                answer.facts = self.facts_citing(id, *paragraph);
            }
        }
        answer.answered = !answer.citations.is_empty();
        Ok(())
    }

    /// A fact's citations, the quote closest to the question first.
    fn closest_cites(&self, q: &Question, fact: usize) -> Vec<&Cite> {
        let mut cites: Vec<&Cite> = self.catalog.facts[fact].cites.iter().collect();
        let closeness =
            |quote: &str| cosine(&q.vector, &crate::language::language().text_vector(quote));
        cites.sort_by(|a, b| closeness(&b.quote).total_cmp(&closeness(&a.quote)));
        cites
    }

    /// The story a request for a summary names by its other words
    /// ("summarize the bridge vote"): that of the unit ranked best for
    /// them, when the story matches each of their weighty words closely.
    fn summary_topic(&self, q: &Question) -> Result<Topic, RequestError> {
        let terms: Vec<_> = q
            .terms
            .iter()
            .filter(|t| !kinds::frames_summary(&t.folded))
            .cloned()
            .collect();
        if terms.is_empty() {
            return Ok(Topic::Newest);
        }
        let topic = Question {
            terms,
            kind: None,
            cue: None,
            focus: Vec::new(),
            ..q.clone()
        };
        let pool = self.retrieve(&topic, None)?;
        let units: Vec<&Unit> = pool.iter().map(|u| u.as_ref()).collect();
        let scored = self.score(&topic, &units)?;
        Ok(match scored.first() {
            Some(best) if score::story_covers(&best.features) => {
                Topic::Story(units[best.unit].article)
            }
            _ => Topic::Unmatched,
        })
    }

    /// "What happened": the lede of the story asked about, or of the newest
    /// story, with the next newest in `also`. A wire story opens with its
    /// summary, so the first sentence of its first paragraph is the gist.
    fn gist(&self, q: &Question, scope: Option<usize>) -> Result<Answer, RequestError> {
        let mut answer = self.empty_answer(q);
        let Some(a) = scope.or_else(|| self.by_date.first().copied()) else {
            answer.answer = self.abstention(q, &[], None);
            return Ok(answer);
        };
        let id = &self.catalog.articles[a].id;
        let lede = self.paragraph_text(id, 1)?.and_then(|body| {
            let (start, end) = *crate::text::sentence_ranges(&body).first()?;
            Some(body[start..end].to_string())
        });
        let Some(lede) = lede else {
            answer.answer = self.abstention(q, &[], scope);
            return Ok(answer);
        };
        let cite = crate::content::Cite {
            article: id.clone(),
            paragraph: 1,
            quote: lede.clone(),
        };
        answer.citations = self.citations([&cite])?;
        answer.answered = !answer.citations.is_empty();
        if !answer.answered {
            answer.answer = self.abstention(q, &[], scope);
            return Ok(answer);
        }
        answer.answer = lede;
        answer.facts = self.facts_citing(id, 1);
        answer.story = Some(id.clone());
        if scope.is_none() {
            answer.also = self.by_date[1..]
                .iter()
                .take(GIST_ALSO)
                .map(|&o| self.catalog.articles[o].id.clone())
                .collect();
        }
        Ok(answer)
    }

    fn empty_answer(&self, q: &Question) -> Answer {
        Answer {
            question: q.text.clone(),
            answered: false,
            answer: String::new(),
            citations: Vec::new(),
            facts: Vec::new(),
            intent: q.kind.map(|k| k.name()),
            corrections: q.corrections.clone(),
            related: Vec::new(),
            leads: Vec::new(),
            unknown_words: q.unknown.clone(),
            story: None,
            also: Vec::new(),
        }
    }

    /// Other stories whose best unit scores nearly as well as the answer's.
    fn also_answering(&self, units: &[&Unit], scored: &[Scored]) -> Vec<String> {
        let Some(best) = scored.first() else {
            return Vec::new();
        };
        let story = units[best.unit].article;
        let mut out: Vec<String> = Vec::new();
        for s in scored
            .iter()
            .take_while(|s| s.score >= best.score - ALSO_MARGIN)
        {
            let other = units[s.unit].article;
            let id = &self.catalog.articles[other].id;
            if other != story && !out.contains(id) {
                out.push(id.clone());
            }
        }
        out
    }

    /// Titles of the facts nearest a question that was not answered.
    fn related(&self, units: &[&Unit], scored: &[Scored]) -> Vec<String> {
        let near = || scored.iter().filter(|s| score::relates(&s.features));
        let mut out: Vec<String> = Vec::new();
        for s in near() {
            if let Origin::Fact(i) = units[s.unit].origin {
                let title = &self.catalog.facts[i].title;
                if !out.contains(title) {
                    out.push(title.clone());
                }
            }
            if out.len() == RELATED {
                return out;
            }
        }
        if !out.is_empty() {
            return out;
        }
        // Sources without facts: the paragraphs nearest the question, to
        // read with /source, those of one article named together.
        let mut places: Vec<(usize, Vec<u32>)> = Vec::new();
        for s in near() {
            let u = units[s.unit];
            let known = places
                .iter()
                .any(|(a, ps)| *a == u.article && ps.contains(&u.paragraph));
            if known {
                continue;
            }
            match places.iter_mut().find(|(a, _)| *a == u.article) {
                Some((_, ps)) => ps.push(u.paragraph),
                None => places.push((u.article, vec![u.paragraph])),
            }
            if places.iter().map(|(_, ps)| ps.len()).sum::<usize>() == RELATED {
                break;
            }
        }
        places
            .into_iter()
            .map(|(article, mut paragraphs)| {
                paragraphs.sort_unstable();
                let marks: Vec<String> = paragraphs.iter().map(|p| format!("¶{p}")).collect();
                let title = &self.catalog.articles[article].title;
                format!("{} of {title}", in_words(&marks))
            })
            .collect()
    }

    /// The passages of the units nearest a declined question, one per
    /// paragraph: a sentence as it stands, a fact by its closest quote.
    fn leads(
        &self,
        q: &Question,
        units: &[&Unit],
        scored: &[Scored],
    ) -> Result<Vec<Citation>, RequestError> {
        let mut cites: Vec<Cite> = Vec::new();
        for s in scored.iter().filter(|s| score::relates(&s.features)) {
            let u = units[s.unit];
            let cite = match &u.origin {
                Origin::Fact(ord) => match self.closest_cites(q, *ord).first() {
                    Some(c) => (*c).clone(),
                    None => continue,
                },
                Origin::Sentence { .. } => Cite {
                    article: self.catalog.articles[u.article].id.clone(),
                    paragraph: u.paragraph,
                    quote: u.text.clone(),
                },
            };
            if !cites
                .iter()
                .any(|c| c.article == cite.article && c.paragraph == cite.paragraph)
            {
                cites.push(cite);
            }
            if cites.len() == RELATED {
                break;
            }
        }
        self.citations(&cites)
    }

    /// The plain statement that the sources (or, asked in one story, that
    /// story) do not answer, with related topics when there are some (where
    /// there are none, renderers point to what the sources cover).
    fn abstention(&self, q: &Question, related: &[String], scope: Option<usize>) -> String {
        if q.asks_nothing() {
            return "That message asks nothing the sources could answer. Ask about a story \
                    in your own words."
                .to_string();
        }
        let (mut s, them) = match scope {
            Some(a) => (
                format!(
                    "“{}” does not answer that question.",
                    self.catalog.articles[a].title
                ),
                "it",
            ),
            None => (
                "The sources do not answer that question.".to_string(),
                "them",
            ),
        };
        if !q.unknown.is_empty() && q.unknown.len() <= 3 {
            let list: Vec<String> = q.unknown.iter().map(|w| format!("“{w}”")).collect();
            s.push_str(&format!(" Nothing in {them} mentions {}.", list.join(", ")));
        }
        if !related.is_empty() {
            s.push_str(&format!(" Related: {}.", related.join("; ")));
        }
        s
    }

    /// Facts citing a paragraph, as context for an answer from its text.
    /// (A fact cites only its own story, so only that story's are read.)
    fn facts_citing(&self, article: &str, paragraph: u32) -> Vec<super::FactRef> {
        let Some(&a) = self.articles.get(article) else {
            return Vec::new();
        };
        self.story_facts[a]
            .iter()
            .copied()
            .filter(|&i| {
                let f = &self.catalog.facts[i];
                f.cites.iter().any(|c| c.paragraph == paragraph)
            })
            .take(3)
            .map(|i| self.fact_ref(i))
            .collect()
    }

    pub(super) fn known(&self, extra: Vec<usize>) -> Known<'_> {
        Known {
            matcher: &self.matcher,
            entities: &self.catalog.entities,
            extra,
            described: &self.described,
        }
    }

    pub(super) fn fact_unit(&self, ord: usize) -> Option<Unit> {
        let fact = self.catalog.facts.get(ord)?;
        let article = self.story_of(fact)?;
        // As classes, like the mentions a question's names are read as.
        let about = fact
            .about
            .iter()
            .chain(fact.speaker.iter())
            .filter_map(|key| self.entity_index(key))
            .map(|e| self.matcher.class(e))
            .collect();
        let mut unit = Unit::of_fact(ord, fact, article, self.known(about));
        unit.speaker = fact
            .speaker
            .as_deref()
            .and_then(|key| self.entity_index(key))
            .map(|e| self.matcher.class(e));
        Some(unit)
    }
}

impl Engine {
    /// How the stories of `units` use each of the question's terms, by
    /// article.
    fn story_terms(
        &self,
        q: &Question,
        units: &[&Unit],
    ) -> Result<HashMap<usize, StoryTerms>, RequestError> {
        let mut articles: Vec<usize> = units.iter().map(|u| u.article).collect();
        articles.sort_unstable();
        articles.dedup();
        // A word counts as held by its own stem or an editor's synonym, as
        // the coverage features match it.
        let words: Vec<Vec<&str>> = q
            .terms
            .iter()
            .map(|t| {
                std::iter::once(&t.stem)
                    .chain(&t.alternatives)
                    .map(String::as_str)
                    .collect()
            })
            .collect();
        let counts = self.story_counts(&articles, &words)?;
        Ok(articles
            .into_iter()
            .zip(counts)
            .map(|(a, (docs, freqs))| (a, StoryTerms::new(docs, &freqs)))
            .collect())
    }

    /// Per story of `articles`: how many documents it has, and how many
    /// of them hold each group of stems (any stem of the group) in their
    /// text, facts or extra fields.
    fn story_counts(
        &self,
        articles: &[usize],
        words: &[Vec<&str>],
    ) -> Result<Vec<(u32, Vec<u32>)>, RequestError> {
        let f = &self.fields;
        let stories: Vec<Term> = articles
            .iter()
            .map(|&a| Term::from_field_text(f.article, &self.catalog.articles[a].id))
            .collect();
        let fields = [f.body, f.fact_body, f.extra];
        frequency::within_groups(&self.searcher, &stories, words, &fields)
            .map_err(super::index_failure)
    }
}

impl Engine {
    /// BM25's best `limit` documents for `stems` in `fields`, of one topic
    /// and one story when given (rare terms first: see [`super::bm25`]).
    pub(super) fn bm25_top(
        &self,
        stems: &[&str],
        fields: &[tantivy::schema::Field],
        topic: Option<&str>,
        scope: Option<usize>,
        limit: usize,
    ) -> Result<Vec<(f32, tantivy::DocAddress)>, RequestError> {
        let f = &self.fields;
        let terms: Vec<Term> = stems
            .iter()
            .flat_map(|s| fields.iter().map(|&field| Term::from_field_text(field, s)))
            .collect();
        let filters: Vec<Term> = topic
            .map(|t| Term::from_field_text(f.topic, t))
            .into_iter()
            .chain(scope.map(|a| Term::from_field_text(f.article, &self.catalog.articles[a].id)))
            .collect();
        super::bm25::top_docs(&self.searcher, terms, &filters, limit).map_err(super::index_failure)
    }
}

/// Weighted share of the question's words the unit holds as they are.
fn exact_share(q: &Question, u: &Unit) -> f32 {
    let total = q.weight().max(1e-6);
    let found: f32 = q
        .terms
        .iter()
        .filter(|t| u.stems.contains(&t.stem) || t.entity.is_some_and(|e| u.entities.contains(&e)))
        .map(|t| t.weight)
        .sum();
    found / total
}

/// "a", "a and b", "a, b and c".
fn in_words(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
