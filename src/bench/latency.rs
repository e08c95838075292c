//! Latency figures: timing a function over many inputs, and the summary
//! (p50, p99, max) of the samples, in microseconds.

use std::hint::black_box;
use std::time::{Duration, Instant};

use serde::Serialize;

/// The distribution of one kind of request's latency.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub count: usize,
    pub p50_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
    pub mean_us: f64,
}

fn us(d: Duration) -> f64 {
    d.as_nanos() as f64 / 1000.0
}

/// Nearest-rank percentile `q` (0 < q ≤ 1) of sorted samples.
fn percentile(sorted: &[Duration], q: f64) -> Duration {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

impl Stats {
    /// The summary of `samples` (not empty).
    pub fn of(mut samples: Vec<Duration>) -> Stats {
        samples.sort_unstable();
        let total: Duration = samples.iter().sum();
        Stats {
            count: samples.len(),
            p50_us: us(percentile(&samples, 0.50)),
            p99_us: us(percentile(&samples, 0.99)),
            max_us: us(samples[samples.len() - 1]),
            mean_us: us(total) / samples.len() as f64,
        }
    }
}

/// Runs `f` on the first `warmup` inputs untimed, then times it on every
/// input, one call at a time. Returns the timings and the outputs, which
/// are dropped outside the timed region.
pub fn time<T>(inputs: &[String], warmup: usize, mut f: impl FnMut(&str) -> T) -> (Stats, Vec<T>) {
    for q in inputs.iter().take(warmup) {
        black_box(f(black_box(q)));
    }
    let mut outputs = Vec::with_capacity(inputs.len());
    let samples = inputs
        .iter()
        .map(|q| {
            let started = Instant::now();
            let out = black_box(f(black_box(q)));
            let took = started.elapsed();
            outputs.push(out);
            took
        })
        .collect();
    (Stats::of(samples), outputs)
}

/// An error naming the first of `outputs` (one per input) that failed: a
/// failed call must not pass for a quick one.
pub fn all_ok<T, E: std::fmt::Display>(
    what: &str,
    inputs: &[String],
    outputs: &[Result<T, E>],
) -> anyhow::Result<()> {
    match inputs
        .iter()
        .zip(outputs)
        .find_map(|(q, o)| Some((q, o.as_ref().err()?)))
    {
        Some((q, e)) => anyhow::bail!("{what} failed on `{q}`: {e}"),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let samples = (1..=100).map(Duration::from_micros).collect();
        let s = Stats::of(samples);
        assert_eq!((s.p50_us, s.p99_us, s.max_us), (50.0, 99.0, 100.0));
        assert_eq!(s.mean_us, 50.5);
        let one = Stats::of(vec![Duration::from_micros(7)]);
        assert_eq!((one.p50_us, one.p99_us, one.max_us), (7.0, 7.0, 7.0));
    }

    #[test]
    fn a_failed_call_fails_the_figure_and_names_its_input() {
        let inputs = ["a".to_string(), "b".to_string(), "c".to_string()];
        let fine: Vec<Result<u8, String>> = vec![Ok(1), Ok(2), Ok(3)];
        assert!(all_ok("ask", &inputs, &fine).is_ok());
        let failed: Vec<Result<u8, String>> = vec![Ok(1), Err("index gone".into()), Ok(3)];
        let e = all_ok("ask", &inputs, &failed).unwrap_err().to_string();
        assert_eq!(e, "ask failed on `b`: index gone");
    }
}
