//! `dossier bench`: speed, memory and scale of indexing, answering and
//! serving, measured in one run on a generated corpus, against SQLite FTS5.
//!
//! The steps, each in its own module:
//! 1. [`corpus`] writes N synthetic articles, entities and facts in the
//!    content format into a temp dir (deterministic: a fixed seed);
//! 2. [`reindex`] runs `dossier reindex` on it as a child process;
//! 3. [`latency`] times `ask`, `search` and autocomplete in process on a
//!    warm engine, over the [`queries`] mix;
//! 4. [`fts`] builds the same paragraphs into SQLite FTS5 and times plain
//!    BM25 search there and with [`Engine::passage_search`];
//! 5. [`e2e`] runs `dossier serve` against the fake Discord of the tests;
//! 6. [`report`] collects the figures, checks the targets, prints the table.
//!
//! Nothing in the core depends on this module.

mod corpus;
mod e2e;
mod entities;
mod fts;
mod latency;
mod queries;
mod record;
mod reindex;
mod report;
mod words;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};

use crate::answer::{Engine, SuggestKind};
use crate::content;

pub use report::Report;

/// Interactions timed one at a time in the end-to-end run.
pub const SEQUENTIAL_INTERACTIONS: usize = 300;
/// Requests run untimed before each latency run, at most.
const WARMUP: usize = 500;

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    pub articles: usize,
    /// Questions (and autocomplete prefixes) per latency run.
    pub queries: usize,
    /// The command line, for the report.
    pub command: String,
    /// Work here and keep it (for profiling); default: a temp dir.
    pub work_dir: Option<PathBuf>,
}

/// Where the corpus, index and databases go: a temp dir, or a kept one.
pub enum Work {
    Temp(tempfile::TempDir),
    Kept(PathBuf),
}

impl Work {
    fn new(dir: Option<&Path>) -> Result<Work> {
        match dir {
            Some(dir) => {
                let empty = std::fs::read_dir(dir).map_or(true, |mut d| d.next().is_none());
                anyhow::ensure!(empty, "{} is not empty", dir.display());
                std::fs::create_dir_all(dir)?;
                Ok(Work::Kept(dir.to_path_buf()))
            }
            None => Ok(Work::Temp(
                tempfile::Builder::new()
                    .prefix("dossier-bench-")
                    .tempdir()
                    .context("could not create a temp dir")?,
            )),
        }
    }

    pub fn path(&self) -> &Path {
        match self {
            Work::Temp(t) => t.path(),
            Work::Kept(p) => p,
        }
    }
}

/// Runs every measurement, calling `step` with what it is doing. Returns
/// the report and the work dir, removed (unless kept) when dropped: that
/// can take a while, so print first.
pub fn run(opts: &Options, step: &mut dyn FnMut(&str)) -> Result<(Report, Work)> {
    let begun = Instant::now();
    let load = || {
        std::fs::read_to_string("/proc/loadavg")
            .map(|l| l.split(' ').take(3).collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    let load_before = load();
    let mut step = |what: &str| step(&format!("[{:.1} s] {what}", begun.elapsed().as_secs_f64()));
    let work = Work::new(opts.work_dir.as_deref())?;
    let content_dir = work.path().join("content");
    let index_dir = work.path().join("index");

    step(&format!("generating {} articles", opts.articles));
    let started = Instant::now();
    let generated = corpus::generate(&content_dir, opts.articles, corpus::SEED)
        .context("could not write the corpus")?;
    let generate_secs = started.elapsed().as_secs_f64();

    step(&format!(
        "reindexing (child process, the median of {} runs)",
        reindex::RUNS
    ));
    let reindex = reindex::run(work.path(), &content_dir, &index_dir)?;

    step("timing ask, search and autocomplete, then plain search against SQLite FTS5");
    let questions = queries::questions(&generated, opts.queries, corpus::SEED + 1);
    let (latency, plain_search, answered) =
        time_serving(opts, work.path(), &generated, &questions, &reindex)?;
    let mut notes = vec![answered];

    step("end to end through the fake Discord");
    let end_to_end = e2e::run(
        work.path(),
        &content_dir,
        &index_dir,
        &questions,
        SEQUENTIAL_INTERACTIONS,
    )?;

    step("recording: queuing a record, and gaps over the recorded questions");
    let recorded = record::run(work.path(), &questions)?;
    notes.push(recorded.note());
    notes.push(format!(
        "load average (1, 5, 15 min) {load_before} at the start, {} at the end",
        load()
    ));
    let mut report = Report {
        command: opts.command.clone(),
        machine: report::Machine::detect(),
        corpus: report::CorpusFigures {
            articles: generated.articles,
            paragraphs: generated.paragraphs,
            facts: generated.facts.len(),
            entities: entities::COUNT,
            text_mb: generated.text_bytes as f64 / reindex::MB,
            generate_secs,
        },
        reindex,
        latency,
        plain_search,
        end_to_end,
        targets: Vec::new(),
        notes,
    };
    report.check_targets();
    report.targets.extend(recorded.targets());
    step("done");
    Ok((report, work))
}

/// Opens the freshly built index and times it: ask, search and autocomplete,
/// then plain search against SQLite FTS5 built from the same content. Also
/// returns how often ask answered each kind of question.
fn time_serving(
    opts: &Options,
    work: &Path,
    generated: &corpus::Generated,
    questions: &[String],
    reindex: &reindex::ReindexFigures,
) -> Result<(report::Latency, report::Plain, String)> {
    let (content_dir, index_dir) = (work.join("content"), work.join("index"));
    let opening = Instant::now();
    let engine = Engine::open(&index_dir)?;
    let engine_open_secs = opening.elapsed().as_secs_f64();
    let prefixes = queries::prefixes(generated, opts.queries, corpus::SEED + 2);
    let named = queries::name_questions(generated, opts.queries, corpus::SEED + 3);
    let warmup = (opts.queries / 4).clamp(50, WARMUP);
    let (latency, answered) = time_engine(&engine, questions, &named, &prefixes, warmup)?;
    let latency = report::Latency {
        engine_open_secs,
        ..latency
    };
    let plain_search = against_fts5(work, &content_dir, &engine, questions, warmup)?;
    let plain_search = report::Plain {
        build_time_ratio: reindex.wall_secs / plain_search.fts5_build_secs,
        build_only_ratio: reindex.build_secs / plain_search.fts5_build_secs,
        ..plain_search
    };
    Ok((latency, plain_search, answered))
}

/// Times ask (on the question mix, then on `named`, questions that give a
/// name), search and autocomplete on a warm engine (the opening time left
/// at 0 for the caller), and says how often ask answered each kind of
/// question.
fn time_engine(
    engine: &Engine,
    questions: &[String],
    named: &[String],
    prefixes: &[String],
    warmup: usize,
) -> Result<(report::Latency, String)> {
    let (ask, answers) = latency::time(questions, warmup, |q| engine.ask(q));
    latency::all_ok("ask", questions, &answers)?;
    let (ask_names, named_answers) = latency::time(named, warmup, |q| engine.ask(q));
    latency::all_ok("ask, a name given", named, &named_answers)?;
    let (search, found) = latency::time(questions, warmup, |q| engine.search(q, None, 10));
    latency::all_ok("search", questions, &found)?;
    let (autocomplete, _) = latency::time(prefixes, warmup, |p| {
        engine.suggest(SuggestKind::Query, p, 25)
    });
    // The mix repeats every 5 questions; see `queries::questions`.
    let answered = |kind: usize| {
        let asked: Vec<bool> = answers
            .iter()
            .skip(kind)
            .step_by(5)
            .map(|a| a.as_ref().is_ok_and(|a| a.answered))
            .collect();
        let yes = asked.iter().filter(|&&a| a).count();
        100.0 * yes as f64 / asked.len().max(1) as f64
    };
    let named_answered = named_answers
        .iter()
        .filter(|a| a.as_ref().is_ok_and(|a| a.answered))
        .count();
    let note = format!(
        "ask answered {:.0}% of fact questions, {:.0}% of those with a typo, {:.0}% of one-word queries, {:.0}% of out-of-scope questions and {:.0}% of fact questions giving a name",
        answered(0),
        answered(2),
        answered(3),
        answered(4),
        100.0 * named_answered as f64 / named.len().max(1) as f64
    );
    let latency = report::Latency {
        engine_open_secs: 0.0,
        ask,
        ask_names,
        search,
        autocomplete,
    };
    Ok((latency, note))
}

/// Builds the corpus's paragraphs into SQLite FTS5 and times plain BM25
/// search there and in dossier (the build-time ratios left at 0 for the
/// caller, who knows the reindex's times).
fn against_fts5(
    work: &Path,
    content_dir: &Path,
    engine: &Engine,
    questions: &[String],
    warmup: usize,
) -> Result<report::Plain> {
    let corpus = content::load(content_dir)?;
    let paragraphs: Vec<fts::Paragraph<'_>> = corpus
        .articles
        .iter()
        .flat_map(|a| {
            a.paragraphs
                .iter()
                .enumerate()
                .map(|(i, p)| (a.id.as_str(), i as u32 + 1, p.as_str()))
        })
        .collect();
    let db = work.join("fts5.db");
    let (fts, fts_build) = fts::Fts::build(&db, &paragraphs)?;
    for q in questions.iter().take(warmup) {
        fts.search(q)
            .with_context(|| format!("FTS5 failed on `{q}`"))?;
    }
    let (fts5, found) = latency::time(questions, 0, |q| fts.search(q));
    latency::all_ok("FTS5 search", questions, &found)?;
    let (plain, found) = latency::time(questions, warmup, |q| engine.passage_search(q, 10));
    latency::all_ok("plain search", questions, &found)?;
    Ok(report::Plain {
        search_p50_ratio: plain.p50_us / fts5.p50_us,
        build_time_ratio: 0.0,
        build_only_ratio: 0.0,
        dossier: plain,
        fts5,
        fts5_build_secs: fts_build.as_secs_f64(),
        fts5_db_mb: std::fs::metadata(&db)?.len() as f64 / reindex::MB,
    })
}
