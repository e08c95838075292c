//! `dossier bench`: parse the options, run the benchmark, print the table
//! and write the JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;

use crate::bench;

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Articles in the generated corpus.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(20..=1_000_000))]
    articles: u32,
    /// Questions (and autocomplete prefixes) timed per latency figure.
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u32).range(100..=1_000_000))]
    queries: u32,
    /// Generate the corpus, index and databases here (an empty or new
    /// directory) and keep them, for profiling; default: a temp dir.
    #[arg(long, value_name = "DIR")]
    work_dir: Option<PathBuf>,
    /// Also write every figure as JSON to this file.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
}

/// The command line as typed, quoting arguments with spaces.
fn command_line() -> String {
    std::env::args()
        .map(|a| {
            if a.contains(char::is_whitespace) || a.is_empty() {
                format!("'{a}'")
            } else {
                a
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn run(args: BenchArgs) -> Result<ExitCode> {
    let opts = bench::Options {
        articles: args.articles as usize,
        queries: args.queries as usize,
        command: command_line(),
        work_dir: args.work_dir,
    };
    let (report, work) = bench::run(&opts, &mut |step| eprintln!("bench: {step}…"))?;
    let mut out = report.table();
    for note in &report.notes {
        out.push_str(&format!("\n{note}\n"));
    }
    super::print(&out)?;
    if let Some(path) = args.json {
        let json = serde_json::to_string_pretty(&report)?;
        std::fs::write(&path, json + "\n")
            .with_context(|| format!("could not write {}", path.display()))?;
    }
    if let bench::Work::Kept(dir) = &work {
        eprintln!("bench: kept {}", dir.display());
    }
    drop(work);
    Ok(ExitCode::SUCCESS)
}
