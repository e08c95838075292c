//! Questions that ask for a name: "which canal froze", "whats the
//! pilot's name", "what's the drug called".
//!
//! - The question's *focus* is the thing it asks to name: the words after
//!   its opening "which", before "name" or "called", or after "name of".
//!   "Who is the prosecutor" asks to name the prosecutor: the words after
//!   "who is the" (or "who's brückner's") are its focus, read as a
//!   "which" question's are. "What river does it cross" and "what is the
//!   population of …" may ask for a name too: a unit that names the river
//!   counts as holding one, and one that does not is not held against
//!   ("what formation did they play": "a 4-3-3 formation").
//! - A unit that does not mention the thing asked about, not even by a
//!   near-synonym, cannot name it (scoring's kind features).
//! - A text names it when a capitalised word stands within three words of
//!   a focus word, in the same sentence, with no quotation mark between:
//!   "the Dunlin River", "security firm Castellan"; not "at a trade fair
//!   in the spring", nor a quote's speaker after the quote.
//! - A capitalised word that opens a sentence, "I", a month or a weekday,
//!   or a word of the question itself names nothing, and a focus word amid
//!   a name belongs to that name ("the Rail Drivers' Union" names no
//!   driver), as do the rest of that name and its shortening ("(RDU)").

use super::{AUXILIARIES, is_calendar, is_number};
use crate::language::language;
use crate::text::Word;

/// Whether a text names the focus: `NoFocus` when no focus word is in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    Named,
    Unnamed,
    NoFocus,
}

/// Whether a question asks which one, or what something is called: it
/// opens with "which" ("at which port", "so which firm"), asks for a name
/// ("the pilot's name", "names of the members") or is "what … called"
/// ("what's the drug called").
pub fn asks_name(folded: &[&str]) -> bool {
    let first = folded.first().copied().unwrap_or("");
    let name = folded.iter().any(|w| ["name", "names"].contains(w));
    let called = folded.last() == Some(&"called") && ["what", "whats"].contains(&first);
    opening_which(folded).is_some() || name || called
}

/// Where "what" opens the question and stands for "which": a content word
/// and then an auxiliary or "of" follow it ("what river does it cross",
/// "what party is she in", "what model of train"). Not "what kind of"
/// (which asks to describe), nor "what happened to" or "what caused the"
/// (a verb follows "what").
fn opening_what_noun(folded: &[&str]) -> Option<usize> {
    let lang = language();
    let i = folded.iter().position(|w| ["what", "whats"].contains(w))?;
    let noun = folded.get(i + 1)?;
    let after = folded.get(i + 2)?;
    let opens = folded[..i].iter().all(|w| lang.is_stopword(w));
    let content = !lang.is_stopword(noun) && !SORT_WORDS.contains(noun);
    (opens && content && (AUXILIARIES.contains(after) || *after == "of")).then_some(i)
}

/// The thing a "what river does …" or "what is the population of …"
/// question may ask to name.
pub fn what_focus(words: &[Word]) -> Vec<String> {
    let folded: Vec<&str> = words.iter().map(|w| w.folded.as_str()).collect();
    if let Some(i) = opening_what_noun(&folded) {
        return phrase(words[i + 1..].iter());
    }
    opening_what_the_of(&folded).map_or_else(Vec::new, |i| phrase(words[i..].iter()))
}

/// Where "what is the … of" opens the question ("what's the population of
/// nakhchivan", "what was the size of the fine"): the position of the
/// thing asked about, after "the".
fn opening_what_the_of(folded: &[&str]) -> Option<usize> {
    let lang = language();
    let j = after_opener_be(folded, "what", "whats")?;
    if folded.get(j) != Some(&"the") {
        return None;
    }
    let mut rest = folded[j + 1..].iter().skip_while(|w| !lang.is_stopword(w));
    (rest.next() == Some(&"of")).then_some(j + 1)
}

/// "What kind of …" asks to describe, not to name.
const SORT_WORDS: &[&str] = &["kind", "kinds", "type", "types", "sort", "sorts"];

/// Where "which" opens the question: after nothing but function words and
/// chat's words ("at which", "so which", "ok which").
fn opening_which(folded: &[&str]) -> Option<usize> {
    let lang = language();
    let i = folded.iter().position(|w| *w == "which")?;
    folded[..i].iter().all(|w| lang.is_stopword(w)).then_some(i)
}

/// The stems of the thing a "which" or "name" question asks to name: the
/// words after "which" ("which security firm", "which of the firms"),
/// before "name" or "called" ("the pilot's name"), or after "name of" ("the
/// name of the group"). At most two words each; numbers are passed over
/// ("which two firms").
pub fn focus(words: &[Word]) -> Vec<String> {
    let folded: Vec<&str> = words.iter().map(|w| w.folded.as_str()).collect();
    let mut focus = Vec::new();
    if let Some(i) = opening_which(&folded) {
        focus.extend(phrase(words[i + 1..].iter()));
    }
    for (i, w) in folded.iter().enumerate() {
        if ["name", "names", "called"].contains(w) {
            focus.extend(phrase(words[..i].iter().rev()));
            if folded.get(i + 1) == Some(&"of") {
                focus.extend(phrase(words[i + 2..].iter()));
            }
        }
    }
    focus
}

/// The stems of the one a "who is the …" question asks to identify: "who
/// was the prosecutor", "whos the city engineer", "who's brückner's
/// lawyer". Empty unless "who" opens the question (after function words
/// only), then a form of "be", then "the", "a" or a possessive: "who is
/// marcus delany" and "who won" ask for no one by role.
pub fn identity_focus(words: &[Word]) -> Vec<String> {
    let folded: Vec<&str> = words.iter().map(|w| w.folded.as_str()).collect();
    let Some(j) = after_opener_be(&folded, "who", "whos") else {
        return Vec::new();
    };
    match folded.get(j) {
        Some(&("the" | "a" | "an")) => phrase(words[j + 1..].iter()),
        Some(_) if folded.get(j + 1) == Some(&"s") => phrase(words[j + 2..].iter()),
        _ => Vec::new(),
    }
}

/// Where the words after "`opener` is" start, when the question opens
/// with `opener` (after function words only) and a form of "be", or with
/// its contraction: "who was [the prosecutor]", "whats [the population of
/// …]".
fn after_opener_be(folded: &[&str], opener: &str, contracted: &str) -> Option<usize> {
    let lang = language();
    let i = folded
        .iter()
        .position(|w| *w == opener || *w == contracted)?;
    if !folded[..i].iter().all(|w| lang.is_stopword(w)) {
        return None;
    }
    if folded[i] == contracted {
        return Some(i + 1);
    }
    folded
        .get(i + 1)
        .is_some_and(|w| BE.contains(w))
        .then_some(i + 2)
}

/// Forms of "be" after "who" or "what" ("who's" is split as "who" "s").
const BE: &[&str] = &["is", "was", "are", "were", "s"];

/// The stems of the first one or two content words of `run`, after any
/// function words and numbers before them, up to the next function word.
fn phrase<'a>(run: impl Iterator<Item = &'a Word>) -> Vec<String> {
    let lang = language();
    let content = |w: &&Word| !lang.is_stopword(&w.folded) && w.folded != "s";
    run.skip_while(|w| !content(w) || is_number(&w.folded))
        .take_while(content)
        .take(2)
        .map(|w| w.stem.clone())
        .collect()
}

/// Whether `source` (split into `words`) names something next to a word
/// of `focus`, with a word the question (`asked`) does not use.
pub fn names_near(source: &str, words: &[Word], focus: &[String], asked: &[String]) -> Named {
    let joined = |a: usize, b: usize| {
        let (a, b) = (a.min(b), a.max(b));
        !source[words[a].end..words[b].start].contains(PHRASE_BREAKS)
    };
    let capitalised =
        |j: usize| source[words[j].start..words[j].end].starts_with(char::is_uppercase);
    // "(RDU)" after a name shortens that name: it names nothing more ("a
    // firm (Castellan)" still names the firm).
    let shortening = |j: usize| {
        j > 0
            && capitalised(j - 1)
            && source[..words[j].start].ends_with('(')
            && source[words[j].end..].starts_with(')')
    };
    let is_name = |j: usize| {
        let w = &words[j];
        j > 0
            && joined(j - 1, j)
            && capitalised(j)
            && !shortening(j)
            && w.folded != "i"
            && !is_calendar(&w.folded)
            && !asked.contains(&w.folded)
    };
    // A focus word amid a name belongs to that name: "Rail Drivers' Union"
    // names a union, not a driver.
    let adjoining = |a: usize| {
        let between = &source[words[a].end..words[a + 1].start];
        between
            .chars()
            .all(|c| c.is_whitespace() || c == '\'' || c == '\u{2019}')
    };
    let amid_name = |i: usize| {
        i > 0
            && i + 1 < words.len()
            && [i - 1, i, i + 1].into_iter().all(capitalised)
            && adjoining(i - 1)
            && adjoining(i)
    };
    // The rest of such a name names nothing asked for either.
    let focused = |i: usize| focus.contains(&words[i].stem);
    let mut taken = vec![false; words.len()];
    for i in (0..words.len()).filter(|&i| focused(i) && amid_name(i)) {
        let mut start = i;
        while start > 0 && capitalised(start - 1) && adjoining(start - 1) {
            start -= 1;
        }
        let mut end = i;
        while end + 1 < words.len() && capitalised(end + 1) && adjoining(end) {
            end += 1;
        }
        taken[start..=end].fill(true);
    }
    let window = |i: usize| i.saturating_sub(3)..(i + 4).min(words.len());
    let mut found = false;
    for i in (0..words.len()).filter(|&i| focused(i)) {
        found = true;
        if !amid_name(i) && window(i).any(|j| j != i && !taken[j] && is_name(j) && joined(i, j)) {
            return Named::Named;
        }
    }
    if found {
        Named::Unnamed
    } else {
        Named::NoFocus
    }
}

/// What ends a phrase: a sentence's end, a semicolon or colon, and a
/// quotation mark.
const PHRASE_BREAKS: &[char] = &['.', '!', '?', ';', ':', '"', '\u{201c}', '\u{201d}'];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text;

    #[test]
    fn the_focus_is_the_thing_to_name() {
        let focus = |q: &str| focus(&text::words(q));
        assert_eq!(
            focus("which security firm did they hire"),
            ["secur", "firm"]
        );
        assert_eq!(focus("at which port did it dock"), ["port"]);
        assert_eq!(focus("which of the two bidders is it"), ["bidder"]);
        assert_eq!(focus("whats the pilot's name"), ["pilot"]);
        assert_eq!(focus("the name of the charity that sued"), ["chariti"]);
        assert_eq!(focus("what is the drug called"), ["drug"]);
        // "which" after a content word opens a relative clause.
        assert!(focus("did the firm which won sign").is_empty());
    }

    #[test]
    fn who_is_the_one_in_a_role_asks_to_name_them() {
        let focus = |q: &str| identity_focus(&text::words(q));
        assert_eq!(focus("who was the prosecutor"), ["prosecutor"]);
        assert_eq!(focus("whos the city engineer"), ["citi", "engin"]);
        assert_eq!(focus("ok who's brückner's lawyer"), ["lawyer"]);
        for q in [
            "who is marcus delany",
            "who won",
            "who's paying for all this",
            "so the man who is the mayor",
        ] {
            assert!(focus(q).is_empty(), "{q}");
        }
    }

    #[test]
    fn what_before_a_noun_and_an_auxiliary_may_ask_for_a_name() {
        let focus = |q: &str| what_focus(&text::words(q));
        assert_eq!(focus("what river does it go over"), ["river"]);
        assert_eq!(focus("so what party is she in"), ["parti"]);
        assert_eq!(focus("what model of train was it"), ["model"]);
        // "What is the … of" asks about the thing before "of".
        assert_eq!(focus("what's the population of nakhchivan"), ["popul"]);
        assert_eq!(
            focus("what was the exact size of the fine"),
            ["exact", "size"]
        );
        for q in [
            "what kind of bridge is there now",
            "what happened to the flat",
            "what caused the fire",
            "what did the mayor say",
            "the firm said what it was",
            "what is the deal about",
            "so what is the plan",
            "what",
            "what is the",
        ] {
            assert!(focus(q).is_empty(), "{q}");
        }
    }

    #[test]
    fn a_name_is_looked_for_next_to_the_thing_asked() {
        let near = |t: &str, focus: &[&str]| {
            let focus: Vec<String> = focus.iter().map(|f| text::stems(f).remove(0)).collect();
            names_near(t, &text::words(t), &focus, &["quenby".to_string()])
        };
        assert_eq!(
            near("It crosses the Dunlin River near the mill.", &["river"]),
            Named::Named
        );
        assert_eq!(
            near("They hired security firm Castellan.", &["firm"]),
            Named::Named
        );
        assert_eq!(
            near("They hired a firm (Castellan) for it.", &["firm"]),
            Named::Named
        );
        assert_eq!(
            near("The Dunlin River (DR) rose.", &["river"]),
            Named::Named
        );
        // Unnamed: an indefinite thing, a sentence's first word, a quote's
        // speaker, "I", a month, and the question's own words.
        for t in [
            "Results will be shown at a trade fair in the spring.",
            "He blamed the river. Flooding followed.",
            "\"Do not blame the pilot,\" Hessel said.",
            "Then I saw the river rise.",
            "The fair opens in March.",
            "The Quenby river rose.",
            "Blame fell on the Rail Pilots' Guild instead.",
            // Neither the rest of that name nor its shortening names a pilot.
            "Ada Brel of the Rail Pilots' Guild (RPG) said pilots had warned them.",
        ] {
            assert_eq!(near(t, &["fair", "river", "pilot"]), Named::Unnamed, "{t}");
        }
        assert_eq!(near("Nothing is said of it.", &["river"]), Named::NoFocus);
    }
}
