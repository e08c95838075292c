//! Measuring answer quality on a question set.
//!
//! A question set is TOML: `[thresholds]` (top1, abstention, faithfulness,
//! each a share in [0, 1]) and `[[case]]` tables with a `question` and either
//! the acceptable first-cited `paragraphs` (optionally an `article`) or
//! `abstain = true`.

use serde::{Deserialize, Serialize};

use super::{Answer, Engine, RequestError};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvalSet {
    pub thresholds: Thresholds,
    /// Thresholds when the story is answered from its articles alone
    /// (`dossier eval --articles-only`); `thresholds` when absent.
    #[serde(default)]
    pub articles_only: Option<Thresholds>,
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
    /// Whether the best-ranked unit cites a right paragraph (answerable
    /// cases only).
    pub ranked_right: bool,
    /// Whether a declined answerable case offered a right paragraph among
    /// its leads: the reader was pointed to the answer.
    pub led_right: bool,
    /// How a failed case failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub miss: Option<Miss>,
}

/// How a case can fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Miss {
    /// Answered, but the first citation is not one of the right paragraphs.
    WrongAnswer,
    /// Declined a question the sources answer.
    WronglyDeclined,
    /// Answered a question the sources do not answer.
    WronglyAnswered,
}

impl Miss {
    pub fn label(self) -> &'static str {
        match self {
            Miss::WrongAnswer => "wrong answer",
            Miss::WronglyDeclined => "wrongly declined",
            Miss::WronglyAnswered => "wrongly answered",
        }
    }
}

/// What one question was scored on, for fitting the answer models
/// (`scripts/fit_answerability.py`).
#[derive(Debug, Clone, Serialize)]
pub struct FeatureRow {
    pub question: String,
    pub answerable: bool,
    /// See [`crate::answer::pipeline::score::question_weight`].
    pub weight: f32,
    /// Per scored unit: its features and whether citing it first is right.
    pub units: Vec<(Vec<f32>, bool)>,
    /// Per scored unit, in the same order: the paragraph it cites first.
    pub paragraphs: Vec<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub answerable: usize,
    pub top1_correct: usize,
    /// Answerable cases whose best-ranked unit cites a right paragraph,
    /// whether or not the sources were judged to answer: what the ranking
    /// alone gets right.
    pub ranked_first: usize,
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

    /// Share of answerable cases whose best-ranked unit is right.
    pub fn ranked(&self) -> f64 {
        share(self.ranked_first, self.answerable)
    }

    pub fn abstention(&self) -> f64 {
        share(self.abstained, self.abstain_cases)
    }

    /// Share of answerable cases where the reader gets a right paragraph:
    /// as the answer, or, declined, among the leads offered.
    pub fn reached(&self) -> f64 {
        share(
            self.top1_correct + self.declined_led_right(),
            self.answerable,
        )
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

impl EvalReport {
    /// Failed cases of one kind.
    pub fn misses(&self, kind: Miss) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.miss == Some(kind))
            .count()
    }

    /// Wrongly declined cases that offered a right paragraph among their
    /// leads.
    pub fn declined_led_right(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.miss == Some(Miss::WronglyDeclined) && o.led_right)
            .count()
    }

    /// Wrongly declined cases whose best-ranked unit was right: misses of
    /// the decision, not of the ranking.
    pub fn declined_ranked_right(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.miss == Some(Miss::WronglyDeclined) && o.ranked_right)
            .count()
    }
}

/// Runs every case of `set` through `engine.ask`.
pub fn run(engine: &Engine, set: &EvalSet) -> Result<EvalReport, RequestError> {
    run_with(engine, set, &mut |_| {}, None)
}

/// [`run`], handing each question's features to `rows`. With `follow`,
/// the cases are one conversation: each is asked after the story last
/// answered from (`Engine::ask_after`), which an answer moves on.
pub fn run_with(
    engine: &Engine,
    set: &EvalSet,
    rows: &mut dyn FnMut(FeatureRow),
    mut follow: Option<&mut Option<String>>,
) -> Result<EvalReport, RequestError> {
    let mut r = EvalReport {
        answerable: 0,
        top1_correct: 0,
        ranked_first: 0,
        abstain_cases: 0,
        abstained: 0,
        quotes: 0,
        quotes_verbatim: 0,
        thresholds: set.thresholds,
        outcomes: Vec::new(),
    };
    for case in &set.cases {
        let recent = follow.as_deref().cloned().flatten();
        let (answer, trace) = engine.ask_traced_after(&case.question, recent.as_deref())?;
        if let Some(recent) = follow.as_deref_mut()
            && answer.answered
        {
            recent.clone_from(&answer.story);
        }
        let ranked_right = trace
            .units
            .first()
            .is_some_and(|(article, paragraph, ..)| case.cites(article, *paragraph));
        rows(FeatureRow {
            question: case.question.clone(),
            answerable: !case.abstain,
            weight: trace.question_weight,
            units: trace
                .units
                .iter()
                .map(|(article, paragraph, features, _)| {
                    (features.to_vec(), case.cites(article, *paragraph))
                })
                .collect(),
            paragraphs: trace.units.iter().map(|(_, p, ..)| *p).collect(),
        });
        // A lead is a quote shown to the reader too.
        for c in answer.citations.iter().chain(&answer.leads) {
            let verbatim = engine
                .paragraph_text(&c.article, c.paragraph)?
                .is_some_and(|p| p.contains(c.quote.as_str()));
            r.quotes += 1;
            r.quotes_verbatim += usize::from(verbatim);
        }
        let outcome = Outcome::of(case, &answer, ranked_right);
        r.count(case, &outcome);
        r.outcomes.push(outcome);
    }
    Ok(r)
}

impl Case {
    /// Whether citing `paragraph` of `article` first answers the case.
    fn cites(&self, article: &str, paragraph: u32) -> bool {
        !self.abstain
            && self.paragraphs.contains(&paragraph)
            && self.article.as_deref().is_none_or(|a| a == article)
    }
}

impl Outcome {
    fn of(case: &Case, answer: &Answer, ranked_right: bool) -> Outcome {
        let first = answer.citations.first().filter(|_| answer.answered);
        let got = first.map_or_else(
            || "abstained".to_string(),
            |c| format!("¶{} ({})", c.paragraph, c.article),
        );
        let pass = if case.abstain {
            !answer.answered
        } else {
            first.is_some_and(|c| case.cites(&c.article, c.paragraph))
        };
        let expected = if case.abstain {
            "abstain".to_string()
        } else {
            let ps: Vec<String> = case.paragraphs.iter().map(|p| format!("¶{p}")).collect();
            ps.join(" or ")
        };
        let led_right = !answer.answered
            && answer
                .leads
                .iter()
                .any(|l| case.cites(&l.article, l.paragraph));
        let miss = match (pass, case.abstain, answer.answered) {
            (true, _, _) => None,
            (false, true, _) => Some(Miss::WronglyAnswered),
            (false, false, false) => Some(Miss::WronglyDeclined),
            (false, false, true) => Some(Miss::WrongAnswer),
        };
        Outcome {
            question: case.question.clone(),
            expected,
            got,
            pass,
            ranked_right,
            led_right,
            miss,
        }
    }
}

impl EvalReport {
    /// Adds one case's outcome to the counts.
    fn count(&mut self, case: &Case, outcome: &Outcome) {
        if case.abstain {
            self.abstain_cases += 1;
            self.abstained += usize::from(outcome.pass);
        } else {
            self.answerable += 1;
            self.top1_correct += usize::from(outcome.pass);
            self.ranked_first += usize::from(outcome.ranked_right);
        }
    }
}

/// One story of a story directory, evaluated.
#[derive(Debug, Clone, Serialize)]
pub struct StoryReport {
    pub story: String,
    pub report: EvalReport,
}

/// Every story of a directory, and their macro averages.
#[derive(Debug, Clone, Serialize)]
pub struct StoriesReport {
    pub stories: Vec<StoryReport>,
    pub top1: f64,
    /// Macro average of [`EvalReport::ranked`].
    pub ranked: f64,
    pub abstention: f64,
    /// Macro average of [`EvalReport::reached`].
    pub reached: f64,
    pub faithfulness: f64,
}

impl StoriesReport {
    pub fn new(stories: Vec<StoryReport>) -> StoriesReport {
        let mean = |f: &dyn Fn(&EvalReport) -> f64| {
            if stories.is_empty() {
                return 0.0;
            }
            stories.iter().map(|s| f(&s.report)).sum::<f64>() / stories.len() as f64
        };
        StoriesReport {
            top1: mean(&EvalReport::top1),
            ranked: mean(&EvalReport::ranked),
            abstention: mean(&EvalReport::abstention),
            reached: mean(&EvalReport::reached),
            faithfulness: mean(&EvalReport::faithfulness),
            stories,
        }
    }

    pub fn passed(&self) -> bool {
        self.stories.iter().all(|s| s.report.passed())
    }
}

/// The story directories under `root` (those holding [`QUESTIONS_FILE`]),
/// sorted by path.
pub fn story_dirs(root: &std::path::Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut out = Vec::new();
    if root.join(QUESTIONS_FILE).is_file() {
        out.push(root.to_path_buf());
        return Ok(out);
    }
    let mut entries: Vec<_> = std::fs::read_dir(root)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir() && !p.is_symlink())
        .collect();
    entries.sort();
    for dir in entries {
        out.extend(story_dirs(&dir)?);
    }
    Ok(out)
}

/// The question set of a story directory.
pub const QUESTIONS_FILE: &str = "questions.toml";
