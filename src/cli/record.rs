//! `dossier gaps`, `dossier feedback` and `dossier forget`: what editors
//! and people asking read from, or remove from, the record of use.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;
use serde::Serialize;

use crate::record::{self, FeedbackRow, Location, Recorder, Store, StoreError, gaps};

/// Where the record of use lives and how long it is kept.
#[derive(Debug, Clone, Args)]
pub struct RecordArgs {
    /// SQLite file of the record (used unless DATABASE_URL is set).
    #[arg(
        long,
        env = "DOSSIER_DB",
        default_value = "data/dossier.db",
        global = true
    )]
    pub db: PathBuf,
    /// A postgres:// URL: keep the record in PostgreSQL instead (replicas share it).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, global = true)]
    pub database_url: Option<String>,
}

impl RecordArgs {
    pub fn location(&self) -> Result<Location> {
        Ok(Location::choose(&self.db, self.database_url.as_deref())?)
    }

    /// The bot's record, which must exist: these commands read it or
    /// delete from it, and one made empty here would answer for it.
    fn open(&self) -> Result<Store> {
        let location = self.location()?;
        let place = match &location {
            Location::Sqlite(p) => p.display().to_string(),
            Location::Postgres(_) => "DATABASE_URL".to_string(),
        };
        match Store::open_existing(&location) {
            // Already names the path and what to give instead.
            Err(e @ StoreError::NoRecord(_)) => Err(e.into()),
            opened => opened.with_context(|| format!("cannot open the record at {place}")),
        }
    }

    /// The writer `serve` records through, keeping `keep_days` of records.
    pub fn recorder(&self, keep_days: u32) -> Result<Recorder> {
        Ok(Recorder::start(self.location()?, keep_days))
    }
}

#[derive(Serialize)]
struct GapsReport {
    since: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    story: Option<String>,
    questions: usize,
    threshold: f32,
    groups: Vec<gaps::Gap>,
}

/// `dossier gaps`.
pub fn gaps(
    args: &RecordArgs,
    since: Duration,
    story: Option<String>,
    json: bool,
) -> Result<ExitCode> {
    let mut store = args.open()?;
    let from = record::now() - since.as_secs() as i64;
    let troubles = store.troubles(from, story.as_deref())?;
    let report = GapsReport {
        since: from,
        story,
        questions: troubles.len(),
        threshold: gaps::THRESHOLD,
        groups: gaps::group(&troubles),
    };
    super::emit(json, &report, gaps_text)
}

fn gaps_text(r: &GapsReport) -> String {
    if r.groups.is_empty() {
        return "No question was declined or voted down in that period.\n".to_string();
    }
    let mut out = format!(
        "{} questions declined or voted down, in {} groups, largest first:\n",
        r.questions,
        r.groups.len()
    );
    for g in &r.groups {
        out.push_str(&format!(
            "\n{:>5}×  {}\n       {} declined, {} answered but voted down",
            g.count, g.examples[0], g.declined, g.voted_down
        ));
        if !g.stories.is_empty() {
            out.push_str(&format!("; {}", g.stories.join(", ")));
        }
        out.push('\n');
        if let Some((article, paragraph)) = g.passage.as_deref().and_then(|p| p.rsplit_once('#')) {
            out.push_str(&format!("       nearest: ¶{paragraph} of {article}\n"));
        }
        for e in g.examples.iter().skip(1) {
            out.push_str(&format!("       also: {e}\n"));
        }
    }
    out
}

#[derive(Serialize)]
struct Rate {
    name: String,
    up: u64,
    down: u64,
    /// Share of votes that were 👍.
    helpful: f64,
}

#[derive(Serialize)]
struct FeedbackReport {
    stories: Vec<Rate>,
    citations: Vec<Rate>,
}

fn rates(rows: &[FeedbackRow], key: impl Fn(&FeedbackRow) -> String) -> Vec<Rate> {
    let mut out: Vec<Rate> = Vec::new();
    for r in rows {
        let name = key(r);
        let i = out.iter().position(|x| x.name == name).unwrap_or_else(|| {
            out.push(Rate {
                name,
                up: 0,
                down: 0,
                helpful: 0.0,
            });
            out.len() - 1
        });
        out[i].up += r.up;
        out[i].down += r.down;
    }
    for r in &mut out {
        r.helpful = r.up as f64 / (r.up + r.down).max(1) as f64;
    }
    out.sort_by(|a, b| {
        (b.up + b.down)
            .cmp(&(a.up + a.down))
            .then(a.name.cmp(&b.name))
    });
    out
}

/// `dossier feedback`.
pub fn feedback(args: &RecordArgs, json: bool) -> Result<ExitCode> {
    let rows = args.open()?.feedback()?;
    let none = || "(no citation)".to_string();
    let report = FeedbackReport {
        stories: rates(&rows, |r| r.story.clone().unwrap_or_else(none)),
        citations: rates(&rows, |r| r.citation.clone().unwrap_or_else(none)),
    };
    super::emit(json, &report, feedback_text)
}

fn feedback_text(r: &FeedbackReport) -> String {
    if r.stories.is_empty() {
        return "No votes recorded yet.\n".to_string();
    }
    let table = |title: &str, rates: &[Rate]| {
        let mut out = format!("{title}\n");
        for x in rates {
            out.push_str(&format!(
                "  {:<48} 👍 {:>5}  👎 {:>5}  {:>5.1}% helpful\n",
                x.name,
                x.up,
                x.down,
                100.0 * x.helpful
            ));
        }
        out
    };
    format!(
        "{}\n{}",
        table("By story:", &r.stories),
        table(
            "By first cited paragraph (article#paragraph):",
            &r.citations
        )
    )
}

/// `dossier forget USER_ID`.
pub fn forget(args: &RecordArgs, user: &str) -> Result<ExitCode> {
    let user: u64 = user.trim().parse().with_context(|| {
        format!("`{user}` is not a Discord user id (a number such as 80351110224678912)")
    })?;
    let removed = args.open()?.forget(user)?;
    super::print(&format!("removed {removed} records of user {user}"))?;
    Ok(ExitCode::SUCCESS)
}

/// Parses "7d", "12h", "90m".
pub fn parse_since(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s.trim())
        .map_err(|e| format!("`{s}` is not a duration such as 7d or 12h: {e}"))
}
