//! Reindex figures: `dossier reindex` run as a child process, timed from
//! spawn to exit, with its peak memory read from `/proc/PID/status`; the
//! median of [`RUNS`] runs.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::Serialize;

use crate::index;

/// Bytes in a megabyte: every MB in the report is 10^6 bytes.
pub const MB: f64 = 1e6;

/// Reindexes timed, one after the other; the figures are the median run's.
/// One run says little on a shared machine, and the first one right after
/// the corpus is written competes with the kernel writing those files out.
pub const RUNS: usize = 3;

#[derive(Debug, Clone, Serialize)]
pub struct ReindexFigures {
    /// Spawn to exit of `dossier reindex`: load, validate, build, publish
    /// (the median run).
    pub wall_secs: f64,
    /// The wall time of every run, in the order they ran.
    pub wall_secs_runs: Vec<f64>,
    /// The build alone, as the manifest records it.
    pub build_secs: f64,
    /// Article text indexed, MB.
    pub text_mb: f64,
    /// `text_mb / wall_secs`.
    pub mb_per_sec: f64,
    /// Peak resident memory of a reindex process (VmHWM), MB: the largest
    /// of the runs.
    pub peak_rss_mb: f64,
    /// Everything under the index directory, MB.
    pub index_mb: f64,
}

/// A `/proc/PID/status` field in kB, as bytes.
pub fn proc_status_bytes(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: u64 = line[field.len()..]
        .trim_start_matches(':')
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// Total size of the files under `dir`.
pub fn dir_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_bytes(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Reindexes CONTENT [`RUNS`] times, the last time into INDEX (the earlier
/// ones into directories of `work` removed after), and gives the median
/// run's figures with every run's wall time and the largest peak memory.
pub fn run(work: &Path, content: &Path, index_dir: &Path) -> Result<ReindexFigures> {
    let mut runs = Vec::with_capacity(RUNS);
    for i in 0..RUNS {
        let last = i + 1 == RUNS;
        let dir = if last {
            index_dir.to_path_buf()
        } else {
            work.join(format!("index-run-{i}"))
        };
        runs.push(run_once(work, content, &dir)?);
        if !last {
            std::fs::remove_dir_all(&dir)
                .with_context(|| format!("could not remove {}", dir.display()))?;
        }
    }
    let wall_secs_runs: Vec<f64> = runs.iter().map(|r| r.wall_secs).collect();
    let peak_rss_mb = runs.iter().map(|r| r.peak_rss_mb).fold(0.0, f64::max);
    runs.sort_by(|a, b| a.wall_secs.total_cmp(&b.wall_secs));
    let median = runs.swap_remove(RUNS / 2);
    Ok(ReindexFigures {
        wall_secs_runs,
        peak_rss_mb,
        index_mb: dir_bytes(index_dir) as f64 / MB,
        ..median
    })
}

/// Runs `dossier --content CONTENT --index INDEX reindex` from `work` and
/// measures it. Peak memory is the last VmHWM seen while polling every
/// 2 ms; VmHWM only grows, so at most the last 2 ms of growth can be missed.
fn run_once(work: &Path, content: &Path, index_dir: &Path) -> Result<ReindexFigures> {
    let log = work.join("reindex.log");
    let started = Instant::now();
    let mut child = Command::new(std::env::current_exe()?)
        .current_dir(work)
        .arg("--content")
        .arg(content)
        .arg("--index")
        .arg(index_dir)
        .arg("reindex")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log)?)
        .spawn()
        .context("could not start `dossier reindex`")?;
    let mut peak = 0u64;
    let status = loop {
        if let Some(hwm) = proc_status_bytes(child.id(), "VmHWM") {
            peak = peak.max(hwm);
        }
        if let Some(status) = child.try_wait()? {
            break status;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let wall = started.elapsed().as_secs_f64();
    if !status.success() {
        bail!(
            "`dossier reindex` of the generated corpus failed ({status}):\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }
    let manifest = index::open(index_dir)?.catalog.manifest;
    let text_mb = manifest.text_bytes as f64 / MB;
    Ok(ReindexFigures {
        wall_secs: wall,
        wall_secs_runs: vec![wall],
        build_secs: (manifest.build_millis.max(1)) as f64 / 1000.0,
        text_mb,
        mb_per_sec: text_mb / wall,
        peak_rss_mb: peak as f64 / MB,
        index_mb: dir_bytes(index_dir) as f64 / MB,
    })
}
