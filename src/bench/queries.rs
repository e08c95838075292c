//! The query mix of the latency runs, built from the generated corpus: fact
//! questions, the same with a typo, one-word queries and out-of-scope
//! questions; and autocomplete prefixes of 1 to 6 letters.

use super::corpus::Generated;
use super::words::{FUNCTION, Rng};

const QUESTION_WORDS: &[(&str, &str)] = &[
    ("Who", "is"),
    ("What", "did"),
    ("Where", "did"),
    ("When", "did"),
    ("Why", "did"),
    ("How", "did"),
    ("What", "about"),
];

const OFF_TOPIC_SUBJECTS: &[&str] = &[
    "bananas",
    "football",
    "chocolate",
    "galaxies",
    "dinosaurs",
    "violins",
    "origami",
    "volcanoes",
    "penguins",
    "jazz",
    "sourdough",
    "quantum computers",
    "knitting",
    "surfing",
];

const OFF_TOPIC_TEMPLATES: &[&str] = &[
    "What is the best recipe with {}?",
    "How much do {} cost?",
    "Who invented {}?",
    "Where can I learn about {}?",
    "Why are {} so popular?",
    "When did {} first appear?",
    "How many {} are there in the world?",
    "Is it true that {} can swim?",
];

/// Content words of `text`: no function words, numbers or short words.
fn content_words(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 3 && !w.chars().all(|c| c.is_ascii_digit()))
        .filter(|w| !FUNCTION.contains(&w.to_lowercase().as_str()))
        .collect()
}

fn fact_question(generated: &Generated, rng: &mut Rng) -> String {
    let fact = rng.pick(&generated.facts);
    let words = content_words(&fact.quote);
    let take = rng.range(2, 4).min(words.len());
    let start = rng.below(words.len() - take + 1);
    let (q, verb) = rng.pick(QUESTION_WORDS);
    let subject = if rng.chance(0.6) {
        fact.entity.clone()
    } else {
        "they".to_string()
    };
    let body = words[start..start + take].join(" ").to_lowercase();
    format!("{q} {verb} {subject} {body}?")
}

/// `question` with one word of 4 or more letters misspelt.
fn with_typo(question: &str, rng: &mut Rng) -> String {
    let mut words: Vec<String> = question.split(' ').map(str::to_string).collect();
    let candidates: Vec<usize> = (1..words.len())
        .filter(|&i| words[i].chars().filter(|c| c.is_alphabetic()).count() >= 5)
        .collect();
    let Some(&i) = candidates.get(rng.below(candidates.len().max(1))) else {
        return question.to_string();
    };
    let mut chars: Vec<char> = words[i].chars().filter(|c| c.is_alphabetic()).collect();
    let at = rng.range(1, chars.len() - 2);
    match rng.below(4) {
        0 => {
            chars.remove(at);
        }
        1 => chars.swap(at, at + 1),
        2 => chars[at] = (b'a' + rng.below(26) as u8) as char,
        _ => chars.insert(at, (b'a' + rng.below(26) as u8) as char),
    }
    words[i] = chars.into_iter().collect();
    words.join(" ")
}

fn one_word(generated: &Generated, rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => rng.pick(&generated.names).clone(),
        1 => generated.vocabulary[rng.below(100)].clone(),
        _ => generated.vocabulary[rng.range(50, generated.vocabulary.len() - 1)].clone(),
    }
}

fn off_topic(rng: &mut Rng) -> String {
    rng.pick(OFF_TOPIC_TEMPLATES).replace(
        "{}",
        OFF_TOPIC_SUBJECTS[rng.below(OFF_TOPIC_SUBJECTS.len())],
    )
}

/// `n` questions: 40% fact questions, 20% with a typo, 20% one word, 20%
/// out of scope, interleaved.
pub fn questions(generated: &Generated, n: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| match i % 5 {
            0 | 1 => fact_question(generated, &mut rng),
            2 => {
                let q = fact_question(generated, &mut rng);
                with_typo(&q, &mut rng)
            }
            3 => one_word(generated, &mut rng),
            _ => off_topic(&mut rng),
        })
        .collect()
}

/// `n` fact questions that each give a name drawn from the English names
/// list ("… in Lisbon?"). The generated corpus uses a few dozen of them
/// (its people's first names), so nearly every story scored is checked
/// for the name and its forms and set aside: the longest path a question
/// with a name takes.
pub fn name_questions(generated: &Generated, n: usize, seed: u64) -> Vec<String> {
    let names = crate::language::language().names();
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|_| {
            let q = fact_question(generated, &mut rng);
            let name = capitalised(names[rng.below(names.len())]);
            format!("{} in {name}?", q.trim_end_matches('?'))
        })
        .collect()
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `n` autocomplete inputs: the first 1 to 6 letters of entity names and
/// content words, lowercased as people type.
pub fn prefixes(generated: &Generated, n: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| {
            let word = if i % 2 == 0 {
                rng.pick(&generated.names).clone()
            } else {
                generated.vocabulary[rng.below(generated.vocabulary.len())].clone()
            };
            let len = 1 + i % 6;
            word.chars().take(len).collect::<String>().to_lowercase()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_change_one_word() {
        let mut rng = Rng::new(7);
        for _ in 0..100 {
            let q = "What did Anna Trandor sign about the railway tariffs?";
            let t = with_typo(q, &mut rng);
            let diff = q
                .split(' ')
                .zip(t.split(' '))
                .filter(|(a, b)| a != b)
                .count();
            assert_eq!(diff, 1, "{t}");
        }
    }
}
