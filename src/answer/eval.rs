//! Measuring answer quality on a question set.
//!
//! A question set is TOML: `[thresholds]` (top1, abstention, faithfulness,
//! each a share in [0, 1]) and `[[case]]` tables with a `question` and either
//! the acceptable first-cited `paragraphs` (optionally an `article`) or
//! `abstain = true`.

use serde::{Deserialize, Serialize};

use super::Engine;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvalSet {
    pub thresholds: Thresholds,
    #[serde(rename = "case")]
    pub cases: Vec<Case>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    pub top1: f64,
    pub abstention: f64,
    pub faithfulness: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub question: String,
    #[serde(default)]
    pub paragraphs: Vec<u32>,
    #[serde(default)]
    pub article: Option<String>,
    #[serde(default)]
    pub abstain: bool,
}

/// How one case went.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub question: String,
    pub expected: String,
    pub got: String,
    pub pass: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub answerable: usize,
    pub top1_correct: usize,
    pub abstain_cases: usize,
    pub abstained: usize,
    pub quotes: usize,
    pub quotes_verbatim: usize,
    pub thresholds: Thresholds,
    pub outcomes: Vec<Outcome>,
}

fn share(n: usize, of: usize) -> f64 {
    if of == 0 { 1.0 } else { n as f64 / of as f64 }
}

impl EvalReport {
    pub fn top1(&self) -> f64 {
        share(self.top1_correct, self.answerable)
    }

    pub fn abstention(&self) -> f64 {
        share(self.abstained, self.abstain_cases)
    }

    pub fn faithfulness(&self) -> f64 {
        share(self.quotes_verbatim, self.quotes)
    }

    pub fn passed(&self) -> bool {
        self.top1() >= self.thresholds.top1
            && self.abstention() >= self.thresholds.abstention
            && self.faithfulness() >= self.thresholds.faithfulness
    }
}

impl EvalSet {
    pub fn parse(source: &str) -> Result<EvalSet, toml::de::Error> {
        toml::from_str(source)
    }
}

/// Runs every case of `set` through `engine.ask`.
pub fn run(engine: &Engine, set: &EvalSet) -> EvalReport {
    let mut r = EvalReport {
        answerable: 0,
        top1_correct: 0,
        abstain_cases: 0,
        abstained: 0,
        quotes: 0,
        quotes_verbatim: 0,
        thresholds: set.thresholds,
        outcomes: Vec::new(),
    };
    for case in &set.cases {
        let answer = engine.ask(&case.question);
        for c in &answer.citations {
            r.quotes += 1;
            if engine
                .paragraph_text(&c.article, c.paragraph)
                .is_some_and(|p| p.contains(c.quote.as_str()))
            {
                r.quotes_verbatim += 1;
            }
        }
        let got = match (answer.answered, answer.citations.first()) {
            (true, Some(c)) => format!("¶{} ({})", c.paragraph, c.article),
            _ => "abstained".to_string(),
        };
        let pass = if case.abstain {
            r.abstain_cases += 1;
            let ok = !answer.answered;
            r.abstained += usize::from(ok);
            ok
        } else {
            r.answerable += 1;
            let ok = answer.answered
                && answer.citations.first().is_some_and(|c| {
                    case.paragraphs.contains(&c.paragraph)
                        && case.article.as_ref().is_none_or(|a| *a == c.article)
                });
            r.top1_correct += usize::from(ok);
            ok
        };
        let expected = if case.abstain {
            "abstain".to_string()
        } else {
            let ps: Vec<String> = case.paragraphs.iter().map(|p| format!("¶{p}")).collect();
            ps.join(" or ")
        };
        r.outcomes.push(Outcome {
            question: case.question.clone(),
            expected,
            got,
            pass,
        });
    }
    r
}
