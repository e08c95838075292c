//! Understanding a question: its intent, its concepts and their spellings.
//!
//! Any text is a valid question. Nothing here parses query syntax: quotes,
//! `AND`, `field:`, `*` or brackets are just characters between words, so no
//! input can fail to parse. Long input is cut to its first whole words.

use std::collections::{HashMap, HashSet};

use crate::content::{EntityMatcher, Intent};
use crate::text::{self, Word};

use super::speller::Speller;

/// Questions longer than this many bytes are read only up to here.
pub const MAX_QUESTION_BYTES: usize = 1000;
/// At most this many words of a question are considered.
const MAX_WORDS: usize = 48;
/// Weight of a synonym from the lexicon relative to the word itself.
pub const SYNONYM_WEIGHT: f32 = 0.8;

/// Words that ask for what someone said.
const QUOTE_WORDS: &[&str] = &[
    "characterise",
    "characterised",
    "characterize",
    "characterized",
    "portray",
    "portrayed",
    "call",
    "called",
    "describe",
    "described",
    "label",
    "labeled",
    "labelled",
    "quote",
    "quoted",
    "quotes",
    "remark",
    "remarked",
    "remarks",
    "said",
    "say",
    "saying",
    "says",
    "term",
    "word",
    "words",
];

/// Credit of a concept read through a correction of one edit, and of two.
const CREDIT_ONE_EDIT: f32 = 0.9;
const CREDIT_TWO_EDITS: f32 = 0.7;

/// Verbs that open a request ("name the…", "compare…") without naming a
/// topic.
const IMPERATIVES: &[&str] = &[
    "compare",
    "define",
    "describe",
    "detail",
    "explain",
    "give",
    "identify",
    "list",
    "name",
    "outline",
    "show",
    "summarise",
    "summarize",
    "tell",
];

const NUMBER_NAMES: &[&str] = &[
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve",
];

/// Unknown words this short are abbreviations or chat ("ppl", "lol"): they
/// weigh as little as common words.
const SHORT_UNKNOWN: usize = 3;
/// An unknown compound is read as its longest known leading stem
/// ("peacemaker" → "peace") if that covers at least this share of it.
const COMPOUND_SHARE: f32 = 0.5;

/// What kind of amount a question asks for; only a text stating one answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    /// A price or a cost: only a sum of money answers.
    Money,
    /// A number, a size, a length or a duration.
    Count,
}

const MONEY_WORDS: &[&str] = &[
    "budget", "cost", "costs", "costing", "fund", "funded", "funding", "paid", "pay", "pays",
    "price", "priced", "spend", "spent", "worth",
];
const COUNT_WORDS: &[&str] = &[
    "amount",
    "casualties",
    "distance",
    "figure",
    "length",
    "percent",
    "percentage",
    "population",
    "size",
    "toll",
];

impl Quantity {
    /// Whether `body` states an amount of this kind.
    pub fn stated_in(self, body: &str) -> bool {
        const MONEY: &[&str] = &[
            "billion", "dollar", "dollars", "euro", "euros", "million", "trillion",
        ];
        const NUMBERS: &[&str] = &[
            "billion",
            "days",
            "decades",
            "dozen",
            "eight",
            "five",
            "four",
            "hundred",
            "hundreds",
            "million",
            "millions",
            "months",
            "nine",
            "one",
            "seven",
            "several",
            "six",
            "ten",
            "thousand",
            "thousands",
            "three",
            "two",
            "weeks",
            "years",
        ];
        let digits = body.chars().any(|c| c.is_ascii_digit());
        match self {
            Quantity::Money => {
                (digits && body.contains(['$', '€', '£']))
                    || text::folded_words(body)
                        .iter()
                        .any(|w| MONEY.contains(&w.as_str()))
            }
            Quantity::Count => {
                digits
                    || text::folded_words(body)
                        .iter()
                        .any(|w| NUMBERS.contains(&w.as_str()))
            }
        }
    }
}

/// One thing the question is about: an entity or a word, with the terms
/// (stems) that express it in the index.
#[derive(Debug, Clone)]
pub struct Concept {
    /// As the person typed it.
    pub label: String,
    /// Entity index when the concept names an entity.
    pub entity: Option<usize>,
    /// Stems that match the concept, with a weight in (0, 1].
    pub terms: Vec<(String, f32)>,
    /// Whether anything in the corpus matches it.
    pub known: bool,
    /// A common English word that says little on its own ([`text::is_light`]).
    pub light: bool,
    /// A word the lexicon lists as generic in these stories ("article",
    /// "countries"): a question of nothing else is too vague to answer.
    pub generic: bool,
    /// How sure the reading is: 1, or less when it rests on a spelling
    /// correction (a real word the sources lack may look like a typo).
    pub credit: f32,
}

/// A question, understood.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub intent: Option<Intent>,
    /// "how much", "how many", "what does it cost": asks for an amount.
    pub quantity: Option<Quantity>,
    /// Asks what someone said.
    pub wants_quote: bool,
    pub concepts: Vec<Concept>,
    /// Spelling corrections made: (as typed, as read).
    pub corrections: Vec<(String, String)>,
}

impl Analysis {
    /// Every stem of every concept with its weight, deduplicated.
    pub fn all_terms(&self) -> HashMap<&str, f32> {
        let mut out: HashMap<&str, f32> = HashMap::new();
        for c in &self.concepts {
            for (t, w) in &c.terms {
                let e = out.entry(t.as_str()).or_default();
                *e = e.max(*w);
            }
        }
        out
    }
}

/// What the analysis needs to know about the corpus.
pub struct Lexicon<'a> {
    pub speller: &'a Speller,
    pub matcher: &'a EntityMatcher,
    /// Stem → stems of its synonyms.
    pub synonyms: &'a HashMap<String, Vec<String>>,
    /// Whether a stem occurs anywhere in the index.
    pub has_stem: &'a dyn Fn(&str) -> bool,
    /// Stems of each entity's names.
    pub entity_stems: &'a [Vec<String>],
    /// Folded words that are generic in these stories.
    pub generic: &'a HashSet<String>,
    /// Known stems that extend a stem ("agre" → "agreement").
    pub extensions: &'a dyn Fn(&str) -> Vec<String>,
    /// Multi-word expressions of the lexicon ("for good"), as folded
    /// words, with the stems of the single words they mean.
    pub phrases: &'a [(Vec<String>, Vec<String>)],
}

pub fn analyze(question: &str, lex: &Lexicon<'_>) -> Analysis {
    let question = &question[..text::floor_word_boundary(question, MAX_QUESTION_BYTES)];
    let question = without_chatter(question, lex);
    let mut words: Vec<Word> = text::words(question);
    words.truncate(MAX_WORDS);
    // "name the leader who…", "compare what…": a request, not a topic.
    if words
        .first()
        .is_some_and(|w| IMPERATIVES.contains(&w.folded.as_str()))
    {
        words.remove(0);
    }
    // Small numbers as words, the way articles write them: "6 months"
    // (a count of something; "2+2" is not).
    for i in 0..words.len() {
        let counts_something = words
            .get(i + 1)
            .is_some_and(|n| n.folded.chars().all(char::is_alphabetic));
        let name = words[i]
            .folded
            .parse::<usize>()
            .ok()
            .and_then(|n| NUMBER_NAMES.get(n));
        if let (Some(name), true) = (name, counts_something) {
            words[i].folded = name.to_string();
            words[i].stem = text::stem(name);
        }
    }

    let mut analysis = Analysis {
        intent: intent(&words),
        ..Analysis::default()
    };
    let asks = |list: &[&str]| words.iter().any(|w| list.contains(&w.folded.as_str()));
    let how_much = words.windows(2).any(|w| {
        w[0].folded == "how"
            && matches!(
                w[1].folded.as_str(),
                "much" | "many" | "long" | "far" | "big" | "large"
            )
    });
    analysis.quantity = if asks(MONEY_WORDS) {
        Some(Quantity::Money)
    } else if how_much || asks(COUNT_WORDS) {
        Some(Quantity::Count)
    } else {
        None
    };
    analysis.wants_quote = words
        .iter()
        .any(|w| QUOTE_WORDS.contains(&w.folded.as_str()));

    // Correct spelling first, so misspelled names are still recognized.
    let mut credit = vec![1.0f32; words.len()];
    for (w, credit) in words.iter_mut().zip(&mut credit) {
        if text::is_stopword(&w.folded) || lex.speller.knows(&w.folded) {
            continue;
        }
        if let Some((fixed, distance)) = lex.speller.correction(&w.folded) {
            analysis
                .corrections
                .push((w.folded.clone(), fixed.to_string()));
            w.folded = fixed.to_string();
            w.stem = text::stem(&w.folded);
            *credit = if distance <= 1 {
                CREDIT_ONE_EDIT
            } else {
                CREDIT_TWO_EDITS
            };
        }
    }

    let mentions = lex.matcher.find(question, &words);
    let mut in_mention = vec![false; words.len()];
    for m in &mentions {
        in_mention[m.first..m.last]
            .iter_mut()
            .for_each(|b| *b = true);
        if analysis.concepts.iter().any(|c| c.entity == Some(m.entity)) {
            continue;
        }
        let label = question[words[m.first].start..words[m.last - 1].end].to_string();
        let terms = lex.entity_stems[m.entity]
            .iter()
            .map(|s| (s.clone(), 1.0))
            .collect();
        analysis.concepts.push(Concept {
            label,
            entity: Some(m.entity),
            terms,
            known: true,
            light: false,
            generic: false,
            credit: credit[m.first..m.last].iter().copied().fold(1.0, f32::min),
        });
    }

    for (i, _) in words.iter().enumerate() {
        if in_mention[i] {
            continue;
        }
        let Some((phrase, meaning)) = lex.phrases.iter().find(|(p, _)| {
            i + p.len() <= words.len()
                && !in_mention[i..i + p.len()].contains(&true)
                && words[i..i + p.len()]
                    .iter()
                    .zip(p)
                    .all(|(w, pw)| w.folded == *pw)
        }) else {
            continue;
        };
        in_mention[i..i + phrase.len()]
            .iter_mut()
            .for_each(|b| *b = true);
        let terms: Vec<(String, f32)> = meaning.iter().map(|m| (m.clone(), 1.0)).collect();
        analysis.concepts.push(Concept {
            label: question[words[i].start..words[i + phrase.len() - 1].end].to_string(),
            entity: None,
            known: terms.iter().any(|(t, _)| (lex.has_stem)(t)),
            terms,
            light: false,
            generic: false,
            credit: credit[i..i + phrase.len()]
                .iter()
                .copied()
                .fold(1.0, f32::min),
        });
    }

    for (i, w) in words.iter().enumerate() {
        if in_mention[i] || text::is_stopword(&w.folded) || QUOTE_WORDS.contains(&w.folded.as_str())
        {
            continue;
        }
        if analysis
            .concepts
            .iter()
            .any(|c| c.entity.is_none() && c.terms.first().is_some_and(|(t, _)| *t == w.stem))
        {
            continue;
        }
        let mut terms = vec![(w.stem.clone(), 1.0)];
        if let Some(syns) = lex.synonyms.get(&w.stem) {
            for s in syns {
                if !terms.iter().any(|(t, _)| t == s) {
                    terms.push((s.clone(), SYNONYM_WEIGHT));
                }
            }
        }
        let mut known = terms.iter().any(|(t, _)| (lex.has_stem)(t));
        if !known {
            // Derived forms the stemmer keeps apart: "agree" and "agreement".
            for longer in (lex.extensions)(&w.stem) {
                terms.push((longer, SYNONYM_WEIGHT));
                known = true;
            }
        }
        if !known && let Some(head) = known_head(&w.folded, lex) {
            terms.push((head, SYNONYM_WEIGHT));
            known = true;
        }
        // "EU", "UN": an acronym typed in capitals names something.
        let acronym = question[w.start..w.end]
            .chars()
            .all(|c| c.is_ascii_uppercase())
            && w.end - w.start >= 2;
        let short_unknown = !known
            && !acronym
            && w.folded.chars().count() <= SHORT_UNKNOWN
            && w.folded.chars().all(|c| c.is_alphabetic());
        analysis.concepts.push(Concept {
            label: question[w.start..w.end].to_string(),
            entity: None,
            terms,
            known,
            light: short_unknown || text::is_light(&w.folded) || lex.generic.contains(&w.folded),
            generic: lex.generic.contains(&w.folded),
            credit: credit[i],
        });
    }
    analysis
}

/// The question without leading clauses that say nothing the sources know
/// ("hey bot, quick q: what did Trump say?" → "what did Trump say?").
fn without_chatter<'q>(question: &'q str, lex: &Lexicon<'_>) -> &'q str {
    let substantive = |clause: &str| {
        text::words(clause).iter().any(|w| {
            !text::is_stopword(&w.folded)
                && !text::is_light(&w.folded)
                && (lex.speller.knows(&w.folded)
                    || lex.speller.correct(&w.folded).is_some()
                    || lex.synonyms.contains_key(&w.stem)
                    || (lex.has_stem)(&w.stem))
        })
    };
    let mut start = 0;
    for (i, c) in question.char_indices() {
        if !matches!(c, ',' | ':' | ';' | '!' | '?' | '—' | '–') {
            continue;
        }
        let end = i + c.len_utf8();
        if substantive(&question[start..i]) {
            break;
        }
        if !substantive(&question[end..]) {
            break;
        }
        start = end;
    }
    &question[start..]
}

/// The longest known stem that an unknown compound starts with.
fn known_head(word: &str, lex: &Lexicon<'_>) -> Option<String> {
    let chars: Vec<char> = word.chars().collect();
    let min = ((chars.len() as f32 * COMPOUND_SHARE).ceil() as usize).max(4);
    (min..chars.len()).rev().find_map(|k| {
        let head: String = chars[..k].iter().collect();
        let stem = text::stem(&head);
        ((lex.has_stem)(&stem) && !text::is_light(&head)).then_some(stem)
    })
}

/// The stems of a synonym group's single-word entries.
fn single_word_stems(group: &[String]) -> Vec<String> {
    group
        .iter()
        .filter_map(|w| {
            let s = text::stems(w);
            (s.len() == 1).then(|| s[0].clone())
        })
        .collect()
}

/// Multi-word entries of synonym groups, each with the stems of the
/// group's single words.
pub fn phrase_map(groups: &[Vec<String>]) -> Vec<(Vec<String>, Vec<String>)> {
    let mut out = Vec::new();
    for group in groups {
        let singles = single_word_stems(group);
        for entry in group {
            let words = text::folded_words(entry);
            if words.len() > 1 && !singles.is_empty() {
                out.push((words, singles.clone()));
            }
        }
    }
    // Longest first, so "for good" wins over a shorter phrase inside it.
    out.sort_by_key(|(w, _)| std::cmp::Reverse(w.len()));
    out
}

/// The question word that sets what kind of answer is wanted.
fn intent(words: &[Word]) -> Option<Intent> {
    for (i, w) in words.iter().enumerate() {
        let next = words.get(i + 1).map(|n| n.folded.as_str());
        let found = match question_word(&w.folded) {
            "who" | "whom" | "whose" => Some(Intent::Who),
            "where" => Some(Intent::Where),
            "when" => Some(Intent::When),
            "why" => Some(Intent::Why),
            "how" => Some(Intent::How),
            "what" | "which" => match next {
                Some("time" | "day" | "date" | "year") => Some(Intent::When),
                Some("reason" | "caused" | "cause") => Some(Intent::Why),
                Some("place" | "city" | "location" | "venue") => Some(Intent::Where),
                Some(
                    "country" | "countries" | "nation" | "nations" | "leader" | "leaders"
                    | "person" | "side",
                ) => Some(Intent::Who),
                _ => Some(Intent::What),
            },
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// A question word as typed, typos of one letter forgiven ("wher", "whta"),
/// but never a real word that happens to be close ("were", "hat").
fn question_word(word: &str) -> &str {
    const QUESTION_WORDS: &[&str] = &[
        "what", "when", "where", "which", "whom", "whose", "who", "why", "how",
    ];
    if QUESTION_WORDS.contains(&word)
        || word.len() < 4
        || text::is_stopword(word)
        || text::is_light(word)
    {
        return word;
    }
    QUESTION_WORDS
        .iter()
        .find(|q| strsim::osa_distance(word, q) == 1)
        .copied()
        .unwrap_or(word)
}

/// Stem → stems of every other word in its synonym groups.
pub fn synonym_map(groups: &[Vec<String>]) -> HashMap<String, Vec<String>> {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for group in groups {
        let stems = single_word_stems(group);
        for s in &stems {
            let entry = map.entry(s.clone()).or_default();
            for other in &stems {
                if other != s && !entry.contains(other) {
                    entry.push(other.clone());
                }
            }
        }
    }
    map
}
