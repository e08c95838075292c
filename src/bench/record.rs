//! The record of use: what queuing a record costs a reply (the only part
//! of recording on the reply path), and `dossier gaps` over 100,000
//! recorded questions in SQLite.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use super::latency::Stats;
use super::report::{self, Target};
use crate::record::{Ask, Event, Location, Recorder, Store, gaps};

/// Questions recorded for the `gaps` figure (fewer for small runs).
pub const GAPS_QUESTIONS: usize = 100_000;
/// Recorded questions per question of the mix, up to [`GAPS_QUESTIONS`].
const RECORDED_PER_QUESTION: usize = 50;

/// Figures of the record.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RecordFigures {
    /// `Recorder::record` per call, with a SQLite writer behind it.
    pub queue: Stats,
    pub gaps_questions: usize,
    pub gaps_groups: usize,
    /// Reading the declined questions and grouping them.
    pub gaps_secs: f64,
}

impl RecordFigures {
    /// The figures in a sentence, for the report's notes.
    pub fn note(&self) -> String {
        format!(
            "recording: queuing one /ask record for the writer takes p50 {:.2} µs, p99 {:.2} µs, max {:.0} µs (SQLite writer running); gaps over {} recorded questions: {} groups in {:.2} s",
            self.queue.p50_us,
            self.queue.p99_us,
            self.queue.max_us,
            self.gaps_questions,
            self.gaps_groups,
            self.gaps_secs
        )
    }

    /// The record's targets: queuing stays off the reply path, gaps reads
    /// a large record quickly.
    pub fn targets(&self) -> [Target; 2] {
        [
            report::target(
                "queuing an /ask record (recording's share of the reply path), p99",
                self.queue.p99_us,
                "<=",
                200.0,
                "µs",
            ),
            report::target(
                &format!("gaps over {} recorded questions", self.gaps_questions),
                self.gaps_secs,
                "<=",
                2.0,
                "s",
            ),
        ]
    }
}

fn ask(i: usize, question: &str) -> Event {
    Event::Ask(Ask {
        id: i as u64,
        at: crate::record::now(),
        user: (i % 997) as u64,
        question: question.to_string(),
        story: Some("bench".to_string()),
        answered: false,
        citation: None,
        lead: None,
        generation: 1,
        engine_us: 1000,
    })
}

/// Measures both on `questions` (cycled), with the record in `dir`.
pub fn run(dir: &Path, questions: &[String]) -> Result<RecordFigures> {
    anyhow::ensure!(!questions.is_empty(), "no questions");
    let location = Location::Sqlite(dir.join("record.db"));
    let recorder = Recorder::start(location.clone(), 90);
    let mut times = Vec::with_capacity(10_000);
    for i in 0..10_000 {
        let event = ask(i, &questions[i % questions.len()]);
        let started = Instant::now();
        recorder.record(event);
        times.push(started.elapsed());
        if i % 1000 == 999 {
            recorder.flush(Duration::from_secs(30));
        }
    }
    recorder.flush(Duration::from_secs(30));
    let queue = Stats::of(times);

    let mut store = Store::open(&location).context("cannot open the bench record")?;
    store.prune(i64::MAX)?;
    let recorded = (questions.len() * RECORDED_PER_QUESTION).min(GAPS_QUESTIONS);
    let events: Vec<Event> = (0..recorded)
        .map(|i| ask(i, &questions[i % questions.len()]))
        .collect();
    store.write_all(&events)?;
    let started = Instant::now();
    let troubles = store.troubles(0, None)?;
    let groups = gaps::group(&troubles);
    Ok(RecordFigures {
        queue,
        gaps_questions: troubles.len(),
        gaps_groups: groups.len(),
        gaps_secs: started.elapsed().as_secs_f64(),
    })
}
