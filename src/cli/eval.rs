//! `dossier eval`: run a question set and print the scores.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::answer::Engine;
use crate::answer::eval::{self, EvalSet};

pub fn run(engine: &Engine, file: &Path, verbose: bool, json: bool) -> Result<ExitCode> {
    let source = super::read_input(file)?;
    let set = EvalSet::parse(&source)
        .with_context(|| format!("{} is not a valid question set", file.display()))?;
    let report = eval::run(engine, &set);
    if json {
        super::print(&serde_json::to_string_pretty(&report)?)?;
    } else {
        for o in report.outcomes.iter().filter(|o| verbose || !o.pass) {
            let mark = if o.pass { "ok  " } else { "FAIL" };
            super::print(&format!(
                "{mark} {:<60} expected {:<12} got {}",
                o.question, o.expected, o.got
            ))?;
        }
        let t = report.thresholds;
        super::print(&format!(
            "top-1 citation accuracy  {:>6.1}%  ({}/{}, threshold {:.0}%)",
            report.top1() * 100.0,
            report.top1_correct,
            report.answerable,
            t.top1 * 100.0
        ))?;
        super::print(&format!(
            "abstention accuracy      {:>6.1}%  ({}/{}, threshold {:.0}%)",
            report.abstention() * 100.0,
            report.abstained,
            report.abstain_cases,
            t.abstention * 100.0
        ))?;
        super::print(&format!(
            "citation faithfulness    {:>6.1}%  ({}/{}, threshold {:.0}%)",
            report.faithfulness() * 100.0,
            report.quotes_verbatim,
            report.quotes,
            t.faithfulness * 100.0
        ))?;
    }
    if report.passed() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("below threshold");
        Ok(ExitCode::FAILURE)
    }
}
