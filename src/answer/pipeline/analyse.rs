//! Stage 1, analyse: a question as typed → what it asks for.
//!
//! Words are folded and stemmed; a word that is neither English nor in the
//! sources is corrected to the nearest word of the sources (so a real word
//! is never "corrected" into a story's word); entity names and aliases are
//! found; every remaining content word gets a weight (its rarity in English)
//! and a vector; question words set the kind of answer expected.

use std::collections::HashMap;

use super::preamble;
use crate::answer::kinds::{self, Kind};
use crate::answer::speller::Speller;
use crate::content::EntityMatcher;
use crate::language::{Vector, language};
use crate::text::{self, Word};

/// A content word of the question.
#[derive(Debug, Clone)]
pub struct Term {
    pub folded: String,
    pub stem: String,
    /// Stems of the editor's synonyms for it, if the lexicon has any.
    pub alternatives: Vec<String>,
    pub weight: f32,
    pub vector: Option<Vector>,
    /// Entity this word names part of, if any.
    pub entity: Option<usize>,
    /// Part of the words naming whose words are asked for ("what did the
    /// judge say"): matched by the unit's context (its paragraph, the
    /// descriptions of those it names), where a quote's speaker is named.
    pub speaker: bool,
}

/// A question, analysed.
#[derive(Debug, Clone)]
pub struct Question {
    pub text: String,
    pub words: Vec<Word>,
    pub terms: Vec<Term>,
    /// Spelling corrections: [as typed, as read].
    pub corrections: Vec<(String, String)>,
    /// Entities named, in order, without repeats.
    pub entities: Vec<usize>,
    pub kind: Option<Kind>,
    /// The word that says the kind of answer asked for ("time" in "what
    /// time"), when one does.
    pub cue: Option<String>,
    /// Stems of what a "which", "name" or "who is the …" question asks to
    /// name, or a "what river does …" question may ask to name.
    pub focus: Vec<String>,
    /// Small talk to the bot ("hows your day going"): asks nothing of the
    /// sources.
    pub small_talk: bool,
    pub vector: Vector,
    /// Content words that are neither English nor in the sources.
    pub unknown: Vec<String>,
}

impl Question {
    /// Total weight of the content words.
    pub fn weight(&self) -> f32 {
        self.terms.iter().map(|t| t.weight).sum()
    }

    /// Whether the message asks nothing of the sources: it has no content
    /// words, is small talk, or says nothing but the kind of answer it
    /// wants ("what time is it", "how long"): that word alone would match
    /// any sentence using it ("it took a long time").
    pub fn asks_nothing(&self) -> bool {
        let only_the_kind = self.cue.as_ref().is_some_and(|cue| {
            self.terms
                .iter()
                .all(|t| t.folded == *cue || NOW.contains(&t.folded.as_str()))
        });
        self.terms.is_empty() || self.small_talk || only_the_kind
    }

    /// Whether every content word is a number and no kind of answer is
    /// asked for ("1", "whats 2+2", "737"): such a message can only look a
    /// number up.
    pub fn only_numbers(&self) -> bool {
        self.kind.is_none()
            && !self.terms.is_empty()
            && self.terms.iter().all(|t| kinds::is_number(&t.folded))
    }

    /// The stems a search looks for: each content word's, with its
    /// corrections and synonyms; sorted, without repeats.
    pub fn stems(&self) -> Vec<&str> {
        let mut stems: Vec<&str> = self
            .terms
            .iter()
            .flat_map(|t| std::iter::once(&t.stem).chain(&t.alternatives))
            .map(String::as_str)
            .collect();
        stems.sort_unstable();
        stems.dedup();
        stems
    }
}

/// What analysis needs from the engine.
pub struct Context<'a> {
    pub speller: &'a Speller,
    pub matcher: &'a EntityMatcher,
    /// Editor-supplied synonyms: stem → stems of interchangeable words.
    pub synonyms: &'a HashMap<String, Vec<String>>,
}

/// Longer questions are cut to their first whole words within this many
/// bytes: no question needs more, and work stays bounded.
pub const MAX_QUESTION_BYTES: usize = 1000;
/// Words of a question analysed at most.
const MAX_WORDS: usize = 64;

pub fn analyse(question: &str, cx: &Context<'_>) -> Question {
    // Markup and invisible characters can make a message longer than its
    // words: cut generously first, so the work stays bounded.
    let raw = &question[..text::floor_char_boundary(question, 4 * MAX_QUESTION_BYTES)];
    let plain = text::chat::plain(raw);
    let question = &plain[..text::floor_word_boundary(&plain, MAX_QUESTION_BYTES)];
    let mut words = text::words(question);
    words.truncate(MAX_WORDS);
    standardise_chat(&mut words);
    let mut words = spell_out(words, cx.speller);
    let mut corrections = correct(&mut words, cx.speller);
    // `own`: where the question's own words start, after names kept from
    // the chatter before it.
    let (mut words, own) = without_chatter(question, words, cx.matcher);
    // A correction in chatter left out is not worth a word to the user.
    corrections.retain(|(_, read)| words.iter().any(|w| w.folded == *read));
    let summary = summary_request(&words[own..]);
    if let Some(Summary::Framing(i)) = summary {
        words.remove(own + i);
    }
    let (entity_of, entities) = mentions(question, &words, cx.matcher);
    let asked = kinds::asked(&words[own..]);
    let kind = if summary == Some(Summary::Gist) {
        Some(Kind::Gist)
    } else {
        asked
            .map(|(kind, _)| kind)
            .or_else(|| asks_gist(&words, &entities).then_some(Kind::Gist))
    };
    // The word that set the kind asked for, unless a summary did.
    let cue = match asked {
        Some((k, Some(i))) if kind == Some(k) => Some(words[own + i].folded.clone()),
        _ => None,
    };
    let speaker = match kind {
        Some(Kind::Speech) => {
            kinds::speaker_span(&words[own..]).map(|r| r.start + own..r.end + own)
        }
        _ => None,
    };
    let (terms, unknown) = terms(&words, &entity_of, speaker, cx);
    // "whats your name" asks the bot's name: small talk all the same.
    let small_talk =
        matches!(kind, None | Some(Kind::Name)) && is_small_talk(&words, &terms, &entities);
    let focus = match kind {
        Some(Kind::Name) => kinds::focus(&words[own..]),
        None => kinds::what_focus(&words[own..]),
        Some(Kind::Agent) => kinds::identity_focus(&words[own..]),
        _ => Vec::new(),
    };
    Question {
        text: question.to_string(),
        kind,
        cue,
        focus,
        small_talk,
        vector: language().words_vector(words.iter().map(|w| w.folded.as_str())),
        words,
        terms,
        corrections,
        entities,
        unknown,
    }
}

/// The entity each word names part of, and the entities named, in order
/// and without repeats.
fn mentions(
    question: &str,
    words: &[Word],
    matcher: &EntityMatcher,
) -> (Vec<Option<usize>>, Vec<usize>) {
    let mut entity_of: Vec<Option<usize>> = vec![None; words.len()];
    let mut entities: Vec<usize> = Vec::new();
    for m in &matcher.find(question, words) {
        for slot in &mut entity_of[m.first..m.last] {
            *slot = Some(m.entity);
        }
        if !entities.contains(&m.entity) {
            entities.push(m.entity);
        }
    }
    (entity_of, entities)
}

/// The content words, each once, with their weights, vectors and IDF, those
/// in `speaker` marked; and the words that are neither English nor in the
/// sources.
fn terms(
    words: &[Word],
    entity_of: &[Option<usize>],
    speaker: Option<std::ops::Range<usize>>,
    cx: &Context<'_>,
) -> (Vec<Term>, Vec<String>) {
    let lang = language();
    let mut terms: Vec<Term> = Vec::new();
    let mut unknown = Vec::new();
    for (i, (w, entity)) in words.iter().zip(entity_of).enumerate() {
        let weight = lang.weight(&w.folded);
        if weight <= 0.0 || terms.iter().any(|t| t.stem == w.stem) {
            continue;
        }
        let known = cx.speller.knows(&w.folded) || entity.is_some();
        if !known && !lang.is_english(&w.folded) {
            unknown.push(w.folded.clone());
        }
        terms.push(Term {
            folded: w.folded.clone(),
            stem: w.stem.clone(),
            alternatives: cx.synonyms.get(&w.stem).cloned().unwrap_or_default(),
            weight,
            vector: lang.word_vector(&w.folded),
            entity: *entity,
            speaker: speaker.as_ref().is_some_and(|r| r.contains(&i)),
        });
    }
    (terms, unknown)
}

/// Words for the moment a message is written ("what day is it today"):
/// they ask about no story. General English.
const NOW: &[&str] = &["now", "today", "tonight", "currently"];

/// Words by which a message speaks to the bot: to it, or thanking it.
const TO_THE_BOT: &[&str] = &[
    "you", "your", "yours", "yourself", "thanks", "thank", "thx", "ty", "cheers",
];

/// What small talk asks a bot about (its day, its name, how it is doing)
/// and how a thank-you goes on ("that helps", "great"). General English,
/// no word of any story.
const SMALL_TALK: &[&str] = &[
    "helps",
    "helped",
    "helpful",
    "useful",
    "great",
    "awesome",
    "cool",
    "nice",
    "perfect",
    "appreciate",
    "appreciated",
    "lot",
    "much",
    "day",
    "today",
    "tonight",
    "morning",
    "evening",
    "night",
    "weekend",
    "week",
    "life",
    "name",
    "going",
    "doing",
    "feeling",
    "feel",
    "new",
    "favourite",
    "favorite",
    "real",
    "human",
    "alive",
    "ok",
    "okay",
    "good",
    "well",
    "fine",
    "busy",
    "like",
    "love",
    "hate",
    "think",
];

/// How a message asks for a summary, if it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Summary {
    /// A question word follows the summary word at this position, which
    /// only frames that question ("summarize what the union won").
    Framing(usize),
    /// The gist of a story: the newest, or the one the message's other
    /// words name ("summarize the bridge vote", "can u give me a quick
    /// recap of the strike").
    Gist,
}

/// Whether the message asks for a summary: a summary word before a
/// question word frames it; one that only function words and words of the
/// request come before asks for a gist. Not when a question word other
/// than "what", or "do", "does" or "did", comes before ("how did they
/// react to the news", "did the summary say why" ask about them).
fn summary_request(words: &[Word]) -> Option<Summary> {
    let lang = language();
    let i = words
        .iter()
        .position(|w| kinds::is_summary_word(&w.folded))?;
    let asks = |w: &Word| preamble::QUESTION_WORDS.contains(&w.folded.as_str());
    if words[i + 1..].iter().any(asks) {
        return Some(Summary::Framing(i));
    }
    let requests = words[..i].iter().all(|w| {
        let folded = w.folded.as_str();
        let asks_other = asks(w) && !["what", "whats"].contains(&folded);
        (lang.is_stopword(folded) || kinds::frames_summary(folded))
            && !asks_other
            && !["did", "does", "do"].contains(&folded)
    });
    requests.then_some(Summary::Gist)
}

/// Whether the question asks for the gist: it names nothing, does not
/// speak to the bot, and every content word asks for the gist ("what
/// happened", "whats going on", "any news").
fn asks_gist(words: &[Word], entities: &[usize]) -> bool {
    let lang = language();
    let content: Vec<usize> = (0..words.len())
        .filter(|&i| lang.weight(&words[i].folded) > 0.0)
        .collect();
    entities.is_empty()
        && !speaks_to_the_bot(words)
        && !content.is_empty()
        && content.iter().all(|&i| kinds::asks_gist(words, i))
}

/// The words without the chatter before the question
/// ([`preamble::without_preamble`]), unless what is left says nothing of
/// its own or would only ask for the gist: in "the dam broke last night,
/// why?" and "i read about the bridge vote, what happened" the clause
/// before says what it is about. With them, how many names kept from the
/// chatter come before the question's own words.
fn without_chatter(
    question: &str,
    words: Vec<Word>,
    matcher: &EntityMatcher,
) -> (Vec<Word>, usize) {
    let Some((kept, names)) = preamble::without_preamble(question, &words, matcher) else {
        return (words, 0);
    };
    let lang = language();
    let says_something = kept.iter().any(|w| lang.weight(&w.folded) > 0.0);
    // Names are kept in `kept` and are not gist words, so the gist check
    // needs no entities here.
    if says_something && !asks_gist(&kept, &[]) {
        (kept, names)
    } else {
        (words, 0)
    }
}

fn speaks_to_the_bot(words: &[Word]) -> bool {
    words
        .iter()
        .any(|w| TO_THE_BOT.contains(&w.folded.as_str()))
}

/// Whether a message that asks for no kind of answer is small talk to the
/// bot ("hows your day going", "whats your name", "thanks that helps"): it
/// speaks to "you" or thanks the bot, names nothing, and says nothing but
/// small talk's words, so it asks nothing of a story.
fn is_small_talk(words: &[Word], terms: &[Term], entities: &[usize]) -> bool {
    entities.is_empty()
        && speaks_to_the_bot(words)
        && terms
            .iter()
            .all(|t| SMALL_TALK.contains(&t.folded.as_str()))
}

/// Reads chat spellings of function words as those words ("wat" as
/// "what"), so question words still say what is asked for and the speller
/// leaves them alone.
fn standardise_chat(words: &mut [Word]) {
    let lang = language();
    for w in words.iter_mut() {
        if let Some(standard) = lang.chat_standard(&w.folded) {
            w.folded = standard.to_string();
            w.stem = text::stem(standard);
        }
    }
}

/// Reads a shortening the sources never use as the words it stands for
/// ("ppl" as "people", "pm" as "prime minister"), each word at the
/// shortening's place in the question. One the sources use stays, and so
/// does one that reads as a unit after a number ("at 5 pm").
fn spell_out(words: Vec<Word>, speller: &Speller) -> Vec<Word> {
    let lang = language();
    let mut out: Vec<Word> = Vec::with_capacity(words.len());
    for w in words {
        let after_number = out
            .last()
            .is_some_and(|p| p.folded.starts_with(|c: char| c.is_ascii_digit()));
        match lang.shorthand(&w.folded, after_number) {
            Some(full) if !speller.knows(&w.folded) => out.extend(full.map(|f| Word {
                folded: f.to_string(),
                stem: text::stem(f),
                ..w
            })),
            _ => out.push(w),
        }
    }
    out
}

/// Corrects, in place, the words that are neither English nor in the
/// sources (to a function word or a word of the sources); returns what was
/// changed.
fn correct(words: &mut [Word], speller: &Speller) -> Vec<(String, String)> {
    let lang = language();
    let mut out = Vec::new();
    for w in words.iter_mut() {
        if lang.is_english(&w.folded) || lang.is_stopword(&w.folded) || speller.knows(&w.folded) {
            continue;
        }
        // A question word mistyped first ("waht" is nearer "what" than any
        // word of the sources), then the words of the sources.
        let fixed = lang
            .function_word_near(&w.folded)
            .or_else(|| speller.correct(&w.folded));
        if let Some(fixed) = fixed {
            out.push((w.folded.clone(), fixed.to_string()));
            w.folded = fixed.to_string();
            w.stem = text::stem(fixed);
        }
    }
    out
}

/// The editor's synonym groups as a map from each member's stem to the
/// stems of the others.
pub fn synonym_map(groups: &[Vec<String>]) -> HashMap<String, Vec<String>> {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for group in groups {
        let stems: Vec<String> = group.iter().flat_map(|w| text::stems(w)).collect();
        for s in &stems {
            let others = map.entry(s.clone()).or_default();
            others.extend(stems.iter().filter(|o| *o != s).cloned());
            others.sort();
            others.dedup();
        }
    }
    map
}
