//! Kinds of answer: what a question asks for ("how long" asks for a
//! duration) and whether a text holds one. General English only: question
//! words, numbers, units of time, months and currency signs.

use crate::text::Word;

mod name;
use name::asks_name;
pub use name::{Named, focus, identity_focus, names_near, what_focus};

/// What a question asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Who: a person, an organization or a country.
    Agent,
    /// Where: a place.
    Place,
    /// When: a date, a day, a time.
    Time,
    /// What time of day: a clock time ("4 a.m.", "14:30", "noon").
    Clock,
    /// How many, what share.
    Number,
    /// How old: an age ("58", "a 52-year-old", "aged 40").
    Age,
    /// How much money, what price.
    Money,
    /// How long.
    Duration,
    /// Which one, what it is called: a name ("which canal", "the
    /// pilot's name", "what is the drug called").
    Name,
    /// Why.
    Reason,
    /// What someone said.
    Speech,
    /// What happened: the gist of a story ("what happened", "any news",
    /// "catch me up"). Set by analysis when every content word asks for it.
    Gist,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Agent => "who",
            Kind::Place => "where",
            Kind::Time => "when",
            Kind::Clock => "what time",
            Kind::Number => "how many",
            Kind::Age => "how old",
            Kind::Money => "how much",
            Kind::Duration => "how long",
            Kind::Name => "which",
            Kind::Reason => "why",
            Kind::Speech => "what was said",
            Kind::Gist => "what happened",
        }
    }
}

const NUMBER_WORDS: &[&str] = &[
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "hundreds",
    "thousand",
    "thousands",
    "million",
    "millions",
    "billion",
    "billions",
    "dozen",
    "dozens",
    "half",
    "percent",
    "per",
    "trillion",
];
/// Units of length, and of a text's length: a number before one answers
/// "how long" as a time does.
const LENGTH_UNITS: &[&str] = &[
    "km",
    "kilometre",
    "kilometres",
    "kilometer",
    "kilometers",
    "mile",
    "miles",
    "metre",
    "metres",
    "meter",
    "meters",
    "cm",
    "mm",
    "foot",
    "feet",
    "ft",
    "yard",
    "yards",
    "inch",
    "inches",
    "page",
    "pages",
];
const TIME_UNITS: &[&str] = &[
    "second",
    "seconds",
    "minute",
    "minutes",
    "hour",
    "hours",
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "decade",
    "decades",
    "overnight",
    "fortnight",
];
/// Months, in full and shortened: a number beside one is a day of the month.
const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
];
/// Days and other words of the calendar besides the months.
const DAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "today",
    "yesterday",
    "tomorrow",
    "tonight",
    "morning",
    "evening",
    "afternoon",
    "night",
    "weekend",
    "spring",
    "summer",
    "autumn",
    "winter",
];
/// Words before a single unit of time that make it a time ("next week",
/// not "could last weeks").
const BEFORE_UNIT: &[&str] = &["next", "last", "this", "previous"];
/// Words after a unit of time that make it a time ("two years ago").
const AFTER_UNIT: &[&str] = &["ago", "later", "earlier"];
/// The world's currencies as English news names them (ISO 4217's units,
/// with the English plurals and the usual English names: "crowns" for the
/// Czech koruna and the Scandinavian krona and krone). Names that are also
/// common words are left out: "won", "real", "mark".
const CURRENCY_WORDS: &[&str] = &[
    "dollar",
    "dollars",
    "euro",
    "euros",
    "pound",
    "pounds",
    "sterling",
    "pence",
    "penny",
    "yen",
    "yuan",
    "renminbi",
    "franc",
    "francs",
    "rupee",
    "rupees",
    "krona",
    "kronor",
    "krone",
    "kroner",
    "crown",
    "crowns",
    "koruna",
    "forint",
    "forints",
    "zloty",
    "zlotys",
    "zlotych",
    "leu",
    "lei",
    "lev",
    "leva",
    "lira",
    "lire",
    "liras",
    "shekel",
    "shekels",
    "rand",
    "peso",
    "pesos",
    "ruble",
    "rubles",
    "rouble",
    "roubles",
    "hryvnia",
    "hryvnias",
    "tenge",
    "lari",
    "dram",
    "drams",
    "manat",
    "riyal",
    "riyals",
    "rial",
    "rials",
    "dinar",
    "dinars",
    "dirham",
    "dirhams",
    "baht",
    "ringgit",
    "rupiah",
    "naira",
    "cedi",
    "cedis",
    "shilling",
    "shillings",
    "kwacha",
    "birr",
    "taka",
    "afghani",
    "afghanis",
    "cent",
    "cents",
];
const CURRENCY_SIGNS: &[char] = &['$', '€', '£', '¥', '₹', '₽'];
/// Words that introduce a cause or purpose.
const REASON_WORDS: &[&str] = &[
    "because",
    "due",
    "over",
    "after",
    "since",
    "amid",
    "as",
    "so",
    "to",
    "for",
    "reason",
    "cause",
    "caused",
    "blamed",
    "following",
    "thanks",
    "result",
];
/// Words that ask what someone said.
const SPEECH_CUES: &[&str] = &[
    "say",
    "said",
    "says",
    "saying",
    "tell",
    "told",
    "quote",
    "quoted",
    "comment",
    "comments",
    "react",
    "reacted",
    "reaction",
    "respond",
    "responded",
    "response",
    "statement",
    "think",
    "thinks",
    "words",
];
/// Words that report speech in a text (besides quotation marks).
const SPEECH_MARKS: &[&str] = &[
    "said",
    "says",
    "told",
    "stated",
    "added",
    "according",
    "warned",
    "argued",
    "insisted",
];
const QUOTATION_MARKS: &[char] = &['"', '“', '”'];

/// Words that, alone in a question, ask for the gist of a story ("what
/// happened", "any updates", "tldr"); with the word that must follow them,
/// for those that ask it only in a phrase ("whats going on", "catch me
/// up" after "me" is dropped as a stopword: "catch up").
const GIST_WORDS: &[(&str, Option<&str>)] = &[
    ("happen", None),
    ("happened", None),
    ("happening", None),
    ("happens", None),
    ("news", None),
    ("story", None),
    ("latest", None),
    ("update", None),
    ("updates", None),
    ("summary", None),
    ("summarise", None),
    ("summarize", None),
    ("recap", None),
    ("gist", None),
    ("tldr", None),
    ("overview", None),
    ("new", None),
    ("going", Some("on")),
    ("catch", Some("up")),
];

/// Words that ask for a summary: of the newest story, of the story the
/// rest of the message names ("summarize the bridge vote", "tldr on the
/// strike"), or, before a question word, framing that question
/// ("summarize what the union won").
const SUMMARY_WORDS: &[&str] = &[
    "summary",
    "summaries",
    "summarise",
    "summarize",
    "summarised",
    "summarized",
    "recap",
    "tldr",
    "gist",
    "overview",
    "rundown",
    "synopsis",
];

/// Words that go with a request for a summary and name no topic ("give
/// me a quick recap", "short summary pls").
const SUMMARY_REQUEST: &[&str] = &[
    "give", "gimme", "get", "need", "want", "send", "write", "make", "provide", "show", "quick",
    "short", "brief", "fast", "simple", "basic", "whole", "full", "entire", "possible",
];

/// Words that ask for the latest of a story, which its lede gives ("any
/// news on the bridge", "latest on the strike").
const LATEST_WORDS: &[&str] = &["news", "latest", "update", "updates"];

/// Whether a word asks for a summary or for the latest of a story.
pub fn is_summary_word(folded: &str) -> bool {
    SUMMARY_WORDS.contains(&folded) || LATEST_WORDS.contains(&folded)
}

/// Whether a word of a request for a summary names no topic: a summary
/// word, a word asking for the gist ("going" of "going on"), or a word
/// that goes with the request ("give", "quick").
pub fn frames_summary(folded: &str) -> bool {
    is_summary_word(folded) || SUMMARY_REQUEST.contains(&folded) || asks_gist_word(folded)
}

/// Whether a word asks for a story's gist, alone ("news", "update") or in
/// a phrase ("going on").
fn asks_gist_word(folded: &str) -> bool {
    GIST_WORDS.iter().any(|(w, _)| *w == folded)
}

/// Whether the word at `i` asks for a story's gist.
pub fn asks_gist(words: &[Word], i: usize) -> bool {
    let folded = words[i].folded.as_str();
    GIST_WORDS.iter().any(|(w, then)| {
        *w == folded
            && then.is_none_or(|then| words[i + 1..].iter().take(2).any(|n| n.folded == then))
    })
}

/// Words after "how" that ask for a count or a measure ("how many", "how
/// fast", "how far").
const MEASURES: &[&str] = &[
    "many", "big", "large", "high", "fast", "far", "tall", "deep", "heavy", "wide", "often",
    "close", "hot", "cold", "small", "low",
];

/// Words that ask for money rather than a count after "how much".
const MONEY_CUES: &[&str] = &[
    "cost", "costs", "price", "pay", "paid", "worth", "money", "spend", "spent", "fund", "funding",
    "fee", "fine", "budget", "value", "valued", "salary", "wage", "raise",
];

/// Words after "what" or "which" that ask for a date ("what year").
const DATE_WORDS: &[&str] = &[
    "date", "day", "year", "month", "dates", "days", "years", "months",
];

/// A month, a day or another word of the calendar ("today", "morning").
pub(crate) fn is_calendar(w: &str) -> bool {
    MONTHS.contains(&w) || DAYS.contains(&w)
}

/// Whether two folded words are the same number or word: "2am" and "2"
/// are, as the question and the source split them differently.
fn same_number(asked: &str, w: &str) -> bool {
    let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    match (digits(asked), digits(w)) {
        (0, _) | (_, 0) => asked == w,
        (a, b) => asked[..a] == w[..b],
    }
}

/// Whether a word is a number: digits first ("12", "4.5", "2+2" split),
/// or a number word.
pub fn is_number(w: &str) -> bool {
    w.chars().next().is_some_and(|c| c.is_ascii_digit()) || NUMBER_WORDS.contains(&w)
}

/// What the question asks for, from its question words.
pub fn expected(words: &[Word]) -> Option<Kind> {
    asked(words).map(|(kind, _)| kind)
}

/// What the question asks for, and where the word after "how", "what" or
/// "which" that says so stands ("long" in "how long", "time" in "what
/// time"), when one does: a word of the question's form, not of what it
/// is about.
pub fn asked(words: &[Word]) -> Option<(Kind, Option<usize>)> {
    let folded: Vec<&str> = words.iter().map(|w| w.folded.as_str()).collect();
    let has = |w: &str| folded.contains(&w);
    let after = |a: &str, b: &[&str]| {
        folded
            .windows(2)
            .position(|p| p[0] == a && b.contains(&p[1]))
            .map(|i| i + 1)
    };
    // "what time", and "what is the time", "whats the date".
    let after_what = |b: &[&str]| after("what", b).or_else(|| what_is_the(&folded, b));
    if let Some(i) = after("how", &["long"]) {
        return Some((Kind::Duration, Some(i)));
    }
    if let Some(i) = after("how", &["much"]) {
        let money = folded.iter().any(|w| MONEY_CUES.contains(w));
        return Some((if money { Kind::Money } else { Kind::Number }, Some(i)));
    }
    if let Some(i) = after("how", &["old"]).or_else(|| after_what(&["age"])) {
        return Some((Kind::Age, Some(i)));
    }
    let shares = ["percentage", "percent", "share", "number", "proportion"];
    if let Some(i) = after("how", MEASURES).or_else(|| after_what(&shares)) {
        return Some((Kind::Number, Some(i)));
    }
    if let Some(i) = after_what(&["time"]).or_else(|| after("which", &["time"])) {
        return Some((Kind::Clock, Some(i)));
    }
    if has("when") {
        return Some((Kind::Time, None));
    }
    if let Some(i) = after_what(DATE_WORDS).or_else(|| after("which", DATE_WORDS)) {
        return Some((Kind::Time, Some(i)));
    }
    expected_by_other_words(&folded).map(|kind| (kind, None))
}

/// Where a word of `b` stands after "what is the", "what was the" or
/// "whats the" ("what is the date", "whats the time").
fn what_is_the(folded: &[&str], b: &[&str]) -> Option<usize> {
    (0..folded.len()).find_map(|i| {
        let at = match &folded[i..] {
            ["what", "is" | "was" | "s", "the", ..] => i + 3,
            ["whats", "the", ..] => i + 2,
            _ => return None,
        };
        folded.get(at).filter(|w| b.contains(w)).map(|_| at)
    })
}

/// What the question asks for when no "how …", "what …" or "when" says.
fn expected_by_other_words(folded: &[&str]) -> Option<Kind> {
    let has = |w: &str| folded.contains(&w);
    if has("where") {
        return Some(Kind::Place);
    }
    if has("why") {
        return Some(Kind::Reason);
    }
    // Before "who": "the name of the man who died" asks for a name.
    if asks_name(folded) {
        return Some(Kind::Name);
    }
    if has("who") || has("whom") || has("whose") || has("whos") {
        return Some(Kind::Agent);
    }
    if speech_cue(folded).is_some() {
        return Some(Kind::Speech);
    }
    None
}

/// Where the first word asking what someone said stands ("say", "react");
/// not "tell me about …", which asks the bot.
fn speech_cue(folded: &[&str]) -> Option<usize> {
    let asks_the_bot = |i: usize| folded.get(i + 1).is_some_and(|n| ["me", "us"].contains(n));
    (0..folded.len()).find(|&i| SPEECH_CUES.contains(&folded[i]) && !asks_the_bot(i))
}

/// The words naming whose words a question asks for, between the
/// auxiliary and the word of speech: "what did [the lead researcher] say
/// about it", "what has [the greens leader] said", "how did [the union]
/// react". `None` when no auxiliary comes before that word or nothing
/// stands between them.
pub fn speaker_span(words: &[Word]) -> Option<std::ops::Range<usize>> {
    let folded: Vec<&str> = words.iter().map(|w| w.folded.as_str()).collect();
    let cue = speech_cue(&folded)?;
    let aux = folded[..cue]
        .iter()
        .rposition(|w| AUXILIARIES.contains(w))?;
    (aux + 1 < cue).then_some(aux + 1..cue)
}

/// Auxiliary verbs: before the one whose words are asked for ("what did
/// the mayor say", "what is the union saying"), after the noun of "what
/// river does …", opening a yes/no question. General English.
pub(crate) const AUXILIARIES: &[&str] = &[
    "is", "was", "are", "were", "do", "does", "did", "will", "would", "has", "have", "had", "can",
    "could", "should",
];

/// What a text could answer: it holds a thing of `kind`. `names` says
/// whether it names an agent or a place (an entity, or a capitalised word
/// that does not start a sentence).
pub fn holds(kind: Kind, source: &str, words: &[Word], names: Names, asked: &[String]) -> bool {
    let folded = || words.iter().map(|w| w.folded.as_str());
    // A number or date the question gives is not its answer ("what share
    // had power by 2am" is not answered by "2 a.m.").
    let given = |w: &str| asked.iter().any(|a| same_number(a, w));
    match kind {
        Kind::Agent => names.agent,
        Kind::Place => names.place,
        Kind::Number => {
            (0..words.len()).any(|i| is_quantity(source, words, i) && !given(&words[i].folded))
        }
        Kind::Age => is_age(source, words),
        Kind::Money => {
            source.contains(CURRENCY_SIGNS) || folded().any(|w| CURRENCY_WORDS.contains(&w))
        }
        // "How long" asks for a time, or for a length ("how long is the
        // motorway": "a 140-kilometre motorway").
        Kind::Duration => {
            words.windows(2).any(|p| {
                let unit = p[1].folded.as_str();
                is_number(&p[0].folded)
                    && (TIME_UNITS.contains(&unit) || LENGTH_UNITS.contains(&unit))
            }) || folded().any(|w| TIME_UNITS.contains(&w) && w.ends_with('s'))
        }
        Kind::Time => {
            let relative = words.windows(2).any(|p| {
                let (a, b) = (p[0].folded.as_str(), p[1].folded.as_str());
                (BEFORE_UNIT.contains(&a) && TIME_UNITS.contains(&b) && !b.ends_with('s'))
                    || (TIME_UNITS.contains(&a) && AFTER_UNIT.contains(&b))
            });
            relative || folded().any(|w| (is_calendar(w) || is_year(w)) && !given(w))
        }
        Kind::Clock => is_clock_time(source, words),
        // Without a focus: any name besides the question's.
        Kind::Name => names.agent || names.place,
        Kind::Reason => folded().any(|w| REASON_WORDS.contains(&w)),
        Kind::Speech => {
            source.contains(QUOTATION_MARKS) || folded().any(|w| SPEECH_MARKS.contains(&w))
        }
        Kind::Gist => true,
    }
}

/// Whether a text gives someone's or something's age: a number before
/// "year old" or "years old" ("a 52-year-old"), after "aged", or set off
/// by commas after a name, as news style writes it ("Bruckner, 58, said").
fn is_age(source: &str, words: &[Word]) -> bool {
    let folded: Vec<&str> = words.iter().map(|w| w.folded.as_str()).collect();
    let number = |w: &str| !w.is_empty() && w.len() <= 3 && w.chars().all(|c| c.is_ascii_digit());
    let year_old = folded
        .windows(3)
        .any(|w| number(w[0]) && ["year", "years"].contains(&w[1]) && w[2] == "old");
    let aged = folded.windows(2).any(|w| w[0] == "aged" && number(w[1]));
    let between_commas = source.match_indices(", ").any(|(i, _)| {
        let rest = &source[i + 2..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let after_name = source[..i]
            .rsplit(|c: char| !c.is_alphanumeric())
            .next()
            .is_some_and(|w| w.chars().next().is_some_and(char::is_uppercase));
        after_name
            && rest[digits..].starts_with(',')
            && rest[..digits].parse::<u32>().is_ok_and(|n| n <= 120)
    });
    year_old || aged || between_commas
}

/// Whether word `i` is a number that counts or measures something: not a
/// time of day ("5 p.m.", "6:42"), a day of the month ("Jan. 4", "4
/// May") or a year ("in 1987"), which answer "when", not "how many".
fn is_quantity(source: &str, words: &[Word], i: usize) -> bool {
    let folded = |k: usize| words.get(k).map_or("", |w| w.folded.as_str());
    let w = folded(i);
    if !is_number(w) {
        return false;
    }
    let digits = w.chars().all(|c| c.is_ascii_digit());
    let before = source[..words[i].start].chars().next_back();
    let after = source[words[i].end..].chars().next();
    let clock =
        before_clock_word(words, i) || (digits && (before == Some(':') || after == Some(':')));
    let month = |k: Option<usize>| k.is_some_and(|k| MONTHS.contains(&folded(k)));
    let day = digits && w.len() <= 2 && (month(i.checked_sub(1)) || month(Some(i + 1)));
    !(clock || day || (digits && is_year(w)))
}

/// Whether a folded word of four characters opens with "19" or "20": a
/// year ("1987"), or a day of the month written so ("19th").
fn is_year(w: &str) -> bool {
    w.len() == 4 && (w.starts_with("19") || w.starts_with("20"))
}

/// Whether word `i` comes before a word that makes a number a time of day:
/// "a.m.", "pm", "o'clock", "GMT".
fn before_clock_word(words: &[Word], i: usize) -> bool {
    let next = |k: usize| words.get(i + k).map_or("", |w| w.folded.as_str());
    ["am", "pm", "gmt", "utc"].contains(&next(1))
        || (["a", "p"].contains(&next(1)) && next(2) == "m")
        || (next(1) == "o" && next(2) == "clock")
}

/// Words that name a time of day on their own.
const TIMES_OF_DAY: &[&str] = &["noon", "midday", "midnight", "dawn", "dusk"];

/// Whether a text gives a time of day: a number followed by "a.m.",
/// "pm", "o'clock" or "GMT", hours and minutes ("14:30"), or a word such
/// as "noon".
fn is_clock_time(source: &str, words: &[Word]) -> bool {
    let number = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_ascii_digit());
    let after_number =
        (0..words.len()).any(|i| number(&words[i].folded) && before_clock_word(words, i));
    let hours_minutes = source.as_bytes().windows(4).any(|w| {
        w[0].is_ascii_digit() && w[1] == b':' && w[2].is_ascii_digit() && w[3].is_ascii_digit()
    });
    after_number
        || hours_minutes
        || words
            .iter()
            .any(|w| TIMES_OF_DAY.contains(&w.folded.as_str()))
}

/// Whether a text names an agent or a place.
#[derive(Debug, Clone, Copy, Default)]
pub struct Names {
    pub agent: bool,
    pub place: bool,
}

/// Capitalised words that do not open the text (proper names, roughly),
/// folded, leaving out the words at positions `skip` says to.
pub fn proper_names(source: &str, words: &[Word], skip: impl Fn(usize) -> bool) -> Vec<String> {
    words
        .iter()
        .enumerate()
        .skip(1)
        .filter(|&(i, w)| {
            !skip(i)
                && source[w.start..w.end]
                    .chars()
                    .next()
                    .is_some_and(char::is_uppercase)
        })
        .map(|(_, w)| w.folded.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text;

    fn kind(q: &str) -> Option<Kind> {
        expected(&text::spans(q))
    }

    #[test]
    fn whose_words_are_asked_for_stands_between_the_auxiliary_and_the_verb() {
        let span = |q: &str| {
            let words = text::spans(q);
            speaker_span(&words).map(|r| {
                let named: Vec<&str> = words[r].iter().map(|w| w.folded.as_str()).collect();
                named.join(" ")
            })
        };
        assert_eq!(
            span("what did the lead researcher say about it").as_deref(),
            Some("the lead researcher")
        );
        assert_eq!(
            span("what has the union said").as_deref(),
            Some("the union")
        );
        assert_eq!(
            span("how did the mayor react").as_deref(),
            Some("the mayor")
        );
        // No auxiliary before the verb, nothing between them, or the bot
        // asked to tell.
        for q in [
            "mayor quote",
            "what did say",
            "did you tell me about the deal",
        ] {
            assert_eq!(span(q), None, "{q}");
        }
    }

    #[test]
    fn question_words_set_the_kind() {
        assert_eq!(kind("how long did it last"), Some(Kind::Duration));
        assert_eq!(kind("how much did it cost"), Some(Kind::Money));
        assert_eq!(kind("how many ships were stuck"), Some(Kind::Number));
        assert_eq!(kind("how old is the mayor"), Some(Kind::Age));
        assert_eq!(kind("how fast was the train going"), Some(Kind::Number));
        assert_eq!(kind("when was it signed"), Some(Kind::Time));
        assert_eq!(kind("what time did the talks end"), Some(Kind::Clock));
        assert_eq!(kind("whos the mediator"), Some(Kind::Agent));
        assert_eq!(kind("who is the mediator"), Some(Kind::Agent));
        assert_eq!(kind("what did the mediator say"), Some(Kind::Speech));
        assert_eq!(
            kind("what did the mediator tell reporters"),
            Some(Kind::Speech)
        );
        assert_eq!(kind("tell me about the mediator"), None);
    }

    #[test]
    fn which_and_name_questions_ask_for_a_name() {
        for q in [
            "which canal froze",
            "so at which port did it dock",
            "whats the pilots name",
            "names of the members who resigned",
            "what's the drug called",
        ] {
            assert_eq!(kind(q), Some(Kind::Name), "{q}");
        }
        // "named" is not "name"; "which" after a content word opens a
        // relative clause; a date after "which" is a time.
        assert_eq!(kind("who named the new coach"), Some(Kind::Agent));
        assert_eq!(kind("did the firm which won sign"), None);
        assert_eq!(kind("which year did the law pass"), Some(Kind::Time));
        assert_eq!(kind("what percent voted no"), Some(Kind::Number));
        assert_eq!(kind("what years were the bribes paid"), Some(Kind::Time));
    }

    #[test]
    fn the_word_that_sets_the_kind_is_the_cue() {
        let asked = |q: &str| {
            let words = text::words(q);
            asked(&words).map(|(k, i)| (k, i.map(|i| words[i].folded.clone())))
        };
        let cue = |k: Kind, w: &str| Some((k, Some(w.to_string())));
        assert_eq!(asked("how long did it last"), cue(Kind::Duration, "long"));
        assert_eq!(asked("what time is it"), cue(Kind::Clock, "time"));
        assert_eq!(asked("which year"), cue(Kind::Time, "year"));
        // The phrase that sets the kind gives the cue, wherever others stand.
        assert_eq!(asked("how much how long"), cue(Kind::Duration, "long"));
        assert_eq!(asked("what age how many"), cue(Kind::Age, "age"));
        assert_eq!(asked("what time what age"), cue(Kind::Age, "age"));
        // "What is the …" and "whats the …" as "what …".
        assert_eq!(asked("what is the time"), cue(Kind::Clock, "time"));
        assert_eq!(asked("whats the date today"), cue(Kind::Time, "date"));
        assert_eq!(asked("what's the time"), cue(Kind::Clock, "time"));
        assert_eq!(asked("whats the time"), cue(Kind::Clock, "time"));
        assert_eq!(asked("whats the weather"), None);
        assert_eq!(
            asked("what was the date of the vote"),
            cue(Kind::Time, "date")
        );
        // Question words alone set the kind without a cue.
        assert_eq!(asked("when did it open"), Some((Kind::Time, None)));
        assert_eq!(asked("who won"), Some((Kind::Agent, None)));
    }

    #[test]
    fn texts_hold_kinds() {
        let t = "The strike lasted eleven days and cost $4 million.";
        let w = text::spans(t);
        assert!(holds(Kind::Duration, t, &w, Names::default(), &[]));
        assert!(holds(Kind::Money, t, &w, Names::default(), &[]));
        assert!(holds(Kind::Number, t, &w, Names::default(), &[]));
        assert!(!holds(Kind::Time, t, &w, Names::default(), &[]));
        assert!(!holds(Kind::Clock, t, &w, Names::default(), &[]));
        let holds_in = |kind: Kind, texts: &[&str], expected: bool| {
            for t in texts {
                let found = holds(kind, t, &text::spans(t), Names::default(), &[]);
                assert_eq!(found, expected, "{kind:?} in {t:?}");
            }
        };
        holds_in(
            Kind::Clock,
            &[
                "Talks ended shortly before 4 a.m. on Tuesday.",
                "The ballot closed at noon.",
                "Systems went down at 03:40.",
                "The gates open at 9 o'clock.",
            ],
            true,
        );
        // A number before "a" is a rate, not a time.
        holds_in(Kind::Clock, &["Workers get 5 a day more."], false);
        holds_in(
            Kind::Age,
            &[
                "The driver, a 52-year-old with 23 years of service, survived.",
                "Bruckner, 58, was led away.",
                "She retired aged 61.",
            ],
            true,
        );
        holds_in(
            Kind::Age,
            &[
                "It cost 1,200, a record.",
                "In 2019, 40 people came.",
                "Costs rose 58%.",
                "Platforms 3, 4, and 5 are shut.",
            ],
            false,
        );
        holds_in(
            Kind::Time,
            &[
                "The line reopens next week.",
                "It closed two years ago.",
                "Signed on 4 May.",
            ],
            true,
        );
        holds_in(
            Kind::Time,
            &["Talks collapsed after the vote, and the strike could last weeks."],
            false,
        );
        holds_in(
            Kind::Number,
            &[
                "About 2.3 million homes lost power.",
                "The plant has 1,100 workers.",
                "Seven of the 21 lawmakers are new.",
            ],
            true,
        );
        // "How long" is a time or a length.
        holds_in(
            Kind::Duration,
            &[
                "The strike lasted eleven days.",
                "A planned 140-kilometre motorway.",
                "Under the 112-page agreement.",
            ],
            true,
        );
        holds_in(
            Kind::Duration,
            &["The motorway will cost 3.2 billion euros."],
            false,
        );
        // A number the question gives is not its answer.
        let asked = ["percent".to_string(), "2am".to_string(), "1897".to_string()];
        let given = |kind: Kind, t: &str| holds(kind, t, &text::spans(t), Names::default(), &asked);
        assert!(!given(
            Kind::Number,
            "Power was back by 2 a.m. after the 1897 storm."
        ));
        assert!(!given(
            Kind::Time,
            "Power was back by 2 a.m. after the 1897 storm."
        ));
        assert!(given(
            Kind::Number,
            "Power was back for 60% of homes by 2 a.m."
        ));
        // Times, days of the month and years answer "when", not "how many".
        holds_in(
            Kind::Number,
            &[
                "Polls close at 5 p.m. on Friday.",
                "The fire began at 6:42 on Tuesday.",
                "The vote is set for Jan. 4.",
                "Ministers met on 19 March.",
                "The transformer was installed in 1987.",
            ],
            false,
        );
    }
}
