//! `dossier eval`: run a question set, or every story of a directory, and
//! print the scores.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::answer::Engine;
use crate::answer::eval::{
    self, EvalReport, EvalSet, FeatureRow, Miss, StoriesReport, StoryReport,
};
use crate::content;
use crate::index;

/// How to run an evaluation.
pub struct Options {
    pub verbose: bool,
    pub json: bool,
    /// Answer from the articles alone: the stories' facts are left out.
    pub articles_only: bool,
    /// Write each question's features here (JSON lines) for fitting.
    pub features: Option<PathBuf>,
    /// Index every story of a directory in one index, as the bot serves a
    /// newsroom's stories: a question is answered only by its own story.
    pub together: bool,
    /// With `together`: ask every question as a follow-up of the one before
    /// it, as one conversation in a channel (the stories one after another).
    pub follow: bool,
}

/// A question set against the engine of `content/`.
pub fn run(engine: &Engine, file: &Path, opts: &Options) -> Result<ExitCode> {
    let set = read_set(file)?;
    let mut sink = FeatureSink::create(opts.features.as_deref())?;
    let report = eval::run_with(engine, &set, &mut |row| sink.write("", row), None)?;
    sink.finish()?;
    if opts.json {
        super::print(&serde_json::to_string_pretty(&report)?)?;
    } else {
        print_report(&report, opts.verbose)?;
    }
    Ok(verdict(report.passed()))
}

/// Every story under `dir`, each indexed on its own.
pub fn run_stories(dir: &Path, opts: &Options) -> Result<ExitCode> {
    let stories =
        eval::story_dirs(dir).with_context(|| format!("could not read {}", dir.display()))?;
    anyhow::ensure!(
        !stories.is_empty(),
        "no story with a {} under {}",
        eval::QUESTIONS_FILE,
        dir.display()
    );
    let mut sink = FeatureSink::create(opts.features.as_deref())?;
    let shared = if opts.together {
        Some(SharedIndex::build(&stories, opts)?)
    } else {
        None
    };
    let mut reports = Vec::new();
    // The story the conversation is on, with --follow.
    let mut recent = None;
    for story in &stories {
        let name = story
            .strip_prefix(dir)
            .unwrap_or(story)
            .display()
            .to_string();
        let name = if name.is_empty() {
            story.display().to_string()
        } else {
            name
        };
        let mut rows = |row| sink.write(&name, row);
        let report = match &shared {
            Some(shared) => {
                let follow = opts.follow.then_some(&mut recent);
                shared.eval(story, &mut rows, follow)?
            }
            None => eval_story(story, opts, &mut rows)?,
        };
        if !opts.json {
            super::print(&format!("== {name}"))?;
            print_report(&report, opts.verbose)?;
        }
        reports.push(StoryReport {
            story: name,
            report,
        });
    }
    sink.finish()?;
    let all = StoriesReport::new(reports);
    if opts.json {
        super::print(&serde_json::to_string_pretty(&all)?)?;
    } else {
        print_summary(&all)?;
    }
    Ok(verdict(all.passed()))
}

fn eval_story(
    story: &Path,
    opts: &Options,
    rows: &mut dyn FnMut(FeatureRow),
) -> Result<EvalReport> {
    let mut set = read_set(&story.join(eval::QUESTIONS_FILE))?;
    let mut corpus = content::load(story)?;
    if opts.articles_only {
        corpus.facts.clear();
        set.thresholds = set.articles_only.unwrap_or(set.thresholds);
    }
    let scratch = tempfile::tempdir().context("could not create a temporary index")?;
    index::build_from(&corpus, scratch.path())?;
    let engine = Engine::open(scratch.path())?;
    Ok(eval::run_with(&engine, &set, rows, None)?)
}

/// Every story of a directory in one index (`--together`).
struct SharedIndex {
    engine: Engine,
    /// Each story directory's article, when it has exactly one.
    articles: HashMap<PathBuf, String>,
    /// Keeps the index's directory while the engine reads it.
    _dir: tempfile::TempDir,
}

impl SharedIndex {
    fn build(stories: &[PathBuf], opts: &Options) -> Result<SharedIndex> {
        let mut all = content::Corpus::default();
        let mut articles = HashMap::new();
        for story in stories {
            let mut corpus = content::load(story)?;
            if let [article] = corpus.articles.as_slice() {
                articles.insert(story.clone(), article.id.clone());
            }
            if opts.articles_only {
                corpus.facts.clear();
            }
            all.absorb(corpus);
        }
        let dir = tempfile::tempdir().context("could not create a temporary index")?;
        index::build_from(&all, dir.path())?;
        Ok(SharedIndex {
            engine: Engine::open(dir.path())?,
            articles,
            _dir: dir,
        })
    }

    /// A story's questions against every story: each case must cite the
    /// story's own article (when it has one article and the case names none).
    fn eval(
        &self,
        story: &Path,
        rows: &mut dyn FnMut(FeatureRow),
        follow: Option<&mut Option<String>>,
    ) -> Result<EvalReport> {
        let mut set = read_set(&story.join(eval::QUESTIONS_FILE))?;
        // The sets' thresholds were measured on each story alone; together,
        // only faithfulness is held to its threshold.
        set.thresholds = eval::Thresholds {
            top1: 0.0,
            abstention: 0.0,
            ..set.thresholds
        };
        if let Some(article) = self.articles.get(story) {
            for case in &mut set.cases {
                case.article.get_or_insert_with(|| article.clone());
            }
        }
        Ok(eval::run_with(&self.engine, &set, rows, follow)?)
    }
}

fn read_set(file: &Path) -> Result<EvalSet> {
    let source = super::read_input(file)?;
    EvalSet::parse(&source)
        .with_context(|| format!("{} is not a valid question set", file.display()))
}

fn verdict(passed: bool) -> ExitCode {
    if passed {
        ExitCode::SUCCESS
    } else {
        eprintln!("below threshold");
        ExitCode::FAILURE
    }
}

fn print_report(report: &EvalReport, verbose: bool) -> Result<()> {
    for o in report.outcomes.iter().filter(|o| verbose || !o.pass) {
        let mark = match o.miss {
            None => "ok  ".to_string(),
            Some(m) => format!("FAIL ({})", m.label()),
        };
        super::print(&format!(
            "{mark} {:<60} expected {:<12} got {}",
            o.question, o.expected, o.got
        ))?;
    }
    let t = report.thresholds;
    let line = |label: &str, share: f64, n: usize, of: usize, threshold: f64| {
        format!(
            "{label:<25}{:>6.1}%  ({n}/{of}, threshold {:.0}%)",
            share * 100.0,
            threshold * 100.0
        )
    };
    super::print(&line(
        "top-1 citation accuracy",
        report.top1(),
        report.top1_correct,
        report.answerable,
        t.top1,
    ))?;
    super::print(&format!(
        "{:<25}{:>6.1}%  ({}/{}: the ranking alone)",
        "right unit ranked first",
        report.ranked() * 100.0,
        report.ranked_first,
        report.answerable
    ))?;
    super::print(&line(
        "abstention accuracy",
        report.abstention(),
        report.abstained,
        report.abstain_cases,
        t.abstention,
    ))?;
    super::print(&line(
        "citation faithfulness",
        report.faithfulness(),
        report.quotes_verbatim,
        report.quotes,
        t.faithfulness,
    ))?;
    super::print(&format!(
        "misses                   {} wrong answer, {} wrongly declined ({} with a right unit ranked first, {} with a right paragraph among the leads), {} wrongly answered",
        report.misses(Miss::WrongAnswer),
        report.misses(Miss::WronglyDeclined),
        report.declined_ranked_right(),
        report.declined_led_right(),
        report.misses(Miss::WronglyAnswered)
    ))
}

fn print_summary(all: &StoriesReport) -> Result<()> {
    super::print("")?;
    super::print(&format!(
        "{:<44} {:>7} {:>7} {:>7} {:>7}  misses (wrong / declined / answered)",
        "story", "top-1", "ranked", "abstain", "faithful"
    ))?;
    for s in &all.stories {
        let r = &s.report;
        super::print(&format!(
            "{:<44} {:>6.1}% {:>6.1}% {:>6.1}% {:>7.1}%  {} / {} / {}",
            s.story,
            r.top1() * 100.0,
            r.ranked() * 100.0,
            r.abstention() * 100.0,
            r.faithfulness() * 100.0,
            r.misses(Miss::WrongAnswer),
            r.misses(Miss::WronglyDeclined),
            r.misses(Miss::WronglyAnswered)
        ))?;
    }
    super::print(&format!(
        "{:<44} {:>6.1}% {:>6.1}% {:>6.1}% {:>7.1}%",
        "macro average",
        all.top1 * 100.0,
        all.ranked * 100.0,
        all.abstention * 100.0,
        all.faithfulness * 100.0
    ))?;
    let reports = || all.stories.iter().map(|s| &s.report);
    let declined: usize = reports().map(|r| r.misses(Miss::WronglyDeclined)).sum();
    let led: usize = reports().map(EvalReport::declined_led_right).sum();
    super::print(&format!(
        "a right paragraph answered or among a decline's leads: {:.1}% (macro); \
         {led} of the {declined} wrongly declined offered one",
        all.reached * 100.0
    ))
}

/// Where `--features` rows go, one JSON object a line.
struct FeatureSink {
    out: Option<std::io::BufWriter<std::fs::File>>,
    error: Option<std::io::Error>,
}

impl FeatureSink {
    fn create(path: Option<&Path>) -> Result<FeatureSink> {
        let out = match path {
            Some(p) => Some(std::io::BufWriter::new(
                std::fs::File::create(p)
                    .with_context(|| format!("could not create {}", p.display()))?,
            )),
            None => None,
        };
        Ok(FeatureSink { out, error: None })
    }

    fn write(&mut self, story: &str, row: FeatureRow) {
        let Some(out) = self.out.as_mut() else { return };
        let line = serde_json::json!({"story": story, "question": row.question,
            "answerable": row.answerable, "weight": row.weight, "units": row.units,
            "paragraphs": row.paragraphs});
        if let Err(e) = writeln!(out, "{line}") {
            self.error.get_or_insert(e);
        }
    }

    fn finish(self) -> Result<()> {
        if let Some(e) = self.error {
            return Err(e).context("could not write the features");
        }
        if let Some(mut out) = self.out {
            out.flush().context("could not write the features")?;
        }
        Ok(())
    }
}
