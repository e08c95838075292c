//! Chatter before the question: "ok so i was at work all day, where did the
//! crash happen" asks where the crash happened.
//!
//! A message of several clauses (split at `, . ; : ! ?` and line breaks)
//! whose question starts after the first clause has a preamble: the words of
//! the clauses before it. A clause starts a question when its first word,
//! after chat's framing words ("lol", "ok") and discourse markers ("so",
//! "anyway"), is a question word ("what", "how") or an auxiliary verb that
//! opens a yes/no question ("did", "is"). The preamble's words are dropped,
//! except names of entities: "aldervik background? what did he do" still
//! asks about Aldervik.

use crate::content::EntityMatcher;
use crate::language::language;
use crate::text::Word;

/// Words that open a question: question words, and auxiliary verbs that
/// open a yes/no question. General English.
const OPENERS: &[&str] = &[
    "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "whats", "whos",
    "hows", "wheres", "whens", "whys", "is", "are", "was", "were", "do", "does", "did", "can",
    "could", "will", "would", "has", "have", "had", "should", "shall", "may", "might", "isnt",
    "arent", "wasnt", "didnt", "doesnt", "dont", "cant", "wont", "any",
];

/// Discourse markers that may come before a question's first word ("so
/// what", "and when", "anyway are they"). General English.
const MARKERS: &[&str] = &[
    "so", "and", "but", "then", "also", "anyway", "now", "just", "well",
];

/// Characters that end a clause.
const CLAUSE_ENDS: &[char] = &[',', '.', ';', ':', '!', '?', '\n'];

/// `words` (of `text`) without the preamble, if the message has one.
pub fn drop_preamble(text: &str, words: Vec<Word>, matcher: &EntityMatcher) -> Vec<Word> {
    let clause = clauses(text, &words);
    let Some(start) = question_start(&words, &clause) else {
        return words;
    };
    let mut named = vec![false; words.len()];
    for m in matcher.find(text, &words) {
        named[m.first..m.last].fill(true);
    }
    words
        .into_iter()
        .enumerate()
        .filter(|(i, _)| *i >= start || named[*i])
        .map(|(_, w)| w)
        .collect()
}

/// The clause number of each word: how many clause ends come before it.
fn clauses(text: &str, words: &[Word]) -> Vec<usize> {
    let mut clause = 0;
    let mut from = 0;
    words
        .iter()
        .map(|w| {
            let between = text.get(from..w.start).unwrap_or("");
            if words.first().is_some_and(|f| f.start < w.start) && between.contains(CLAUSE_ENDS) {
                clause += 1;
            }
            from = w.end;
            clause
        })
        .collect()
}

/// The first word of the question, when the question starts in a later
/// clause than the first.
fn question_start(words: &[Word], clause: &[usize]) -> Option<usize> {
    let lang = language();
    let mut i = 0;
    while i < words.len() {
        let c = clause[i];
        let opener = (i..words.len())
            .take_while(|&j| clause[j] == c)
            .find(|&j| {
                let w = words[j].folded.as_str();
                !(MARKERS.contains(&w) || lang.frames_chat(w))
            })
            .is_some_and(|j| OPENERS.contains(&words[j].folded.as_str()));
        if opener {
            return (c > 0).then_some(i);
        }
        while i < words.len() && clause[i] == c {
            i += 1;
        }
    }
    None
}
