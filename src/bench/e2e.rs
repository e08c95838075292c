//! End to end through the fake Discord of the tests: `dossier serve` as a
//! child process on loopback, timed from the INTERACTION_CREATE dispatch
//! being sent to the reply arriving at the fake's REST side.

#[path = "../../tests/discord/fake.rs"]
mod fake;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use serde::Serialize;
use serde_json::json;
use tokio::sync::mpsc::UnboundedReceiver;

use super::latency::Stats;
use super::reindex::{MB, proc_status_bytes};
use fake::{Arrival, FakeDiscord};

/// Interactions in flight at once in the saturation run.
pub const IN_FLIGHT: usize = 32;
/// How long new interactions are sent in the saturation run.
const SATURATION: Duration = Duration::from_secs(3);
/// Untimed interactions before the sequential run.
const WARMUP: usize = 20;
/// The message flag of replies only the asker sees: errors and refusals.
const EPHEMERAL: u64 = 64;
/// Longest wait for any one reply.
const REPLY_WAIT: Duration = Duration::from_secs(30);
/// Interactions sent at once in the burst run.
pub const BURST: usize = 2000;
/// Discord's deadline for the first response to an interaction.
const DISCORD_DEADLINE: Duration = Duration::from_secs(3);
/// How long after the deadline the burst run still waits for late replies.
const BURST_GRACE: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Serialize)]
pub struct E2eFigures {
    /// Dispatch sent → reply received, one interaction at a time.
    pub sequential: Stats,
    /// Replies per second with `in_flight` interactions outstanding.
    pub per_second: f64,
    pub in_flight: usize,
    /// VmRSS of `dossier serve` after both runs, MB.
    pub serving_rss_mb: f64,
    /// Its anonymous part (heap, stacks): RssAnon.
    pub serving_rss_anon_mb: f64,
    /// Its file-backed part (the binary, the mmapped index): RssFile.
    pub serving_rss_file_mb: f64,
    /// [`BURST`] interactions sent at once.
    pub burst: BurstFigures,
}

/// What became of interactions sent all at once, each counted once.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BurstFigures {
    pub sent: usize,
    /// Answered within Discord's 3 s of being sent (directly, or deferred
    /// and completed in time).
    pub answered_in_time: usize,
    /// Deferred within 3 s, answered later.
    pub deferred_answered_late: usize,
    /// Told "busy".
    pub busy: usize,
    /// Neither answered nor deferred within 3 s (Discord shows an error).
    pub missed: usize,
    /// From the first dispatch to the last reply, seconds.
    pub drain_secs: f64,
}

impl BurstFigures {
    /// The share answered within 3 s, in percent.
    pub fn answered_pct(&self) -> f64 {
        100.0 * self.answered_in_time as f64 / self.sent.max(1) as f64
    }
}

/// Kills the bot when dropped.
struct Bot(Child);

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs both measurements with `questions` (cycled) as `/ask` questions.
pub fn run(
    work: &Path,
    content: &Path,
    index: &Path,
    questions: &[String],
    sequential: usize,
) -> Result<E2eFigures> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(measure(work, content, index, questions, sequential))
}

async fn measure(
    work: &Path,
    content: &Path,
    index: &Path,
    questions: &[String],
    sequential: usize,
) -> Result<E2eFigures> {
    let fake = FakeDiscord::start().await;
    let log = work.join("serve.log");
    let bot = Bot::spawn(work, content, index, &fake, &log)?;
    let server_log = || std::fs::read_to_string(&log).unwrap_or_default();
    fake.wait_ready(Duration::from_secs(60))
        .await
        .map_err(|e| anyhow!("{e}\n--- dossier serve output ---\n{}", server_log()))?;

    let mut client = Client {
        fake: &fake,
        arrivals: fake.arrivals(),
        sent: HashMap::new(),
        next_id: 800_000_000_000_000_000,
        questions,
    };
    client.one_by_one(WARMUP).await?;
    let samples = client.one_by_one(sequential).await?;
    let per_second = client.saturate().await?;
    let memory = |field: &str| {
        proc_status_bytes(bot.0.id(), field)
            .map(|b| b as f64 / MB)
            .ok_or_else(|| anyhow!("could not read {field} of `dossier serve`"))
    };
    let (rss, anon, file) = (memory("VmRSS")?, memory("RssAnon")?, memory("RssFile")?);
    let burst = client.burst().await?;
    drop(bot);
    Ok(E2eFigures {
        sequential: Stats::of(samples),
        per_second,
        in_flight: IN_FLIGHT,
        serving_rss_mb: rss,
        serving_rss_anon_mb: anon,
        serving_rss_file_mb: file,
        burst,
    })
}

impl Bot {
    /// Starts `dossier serve` against the fake Discord, its log in `log`.
    fn spawn(
        work: &Path,
        content: &Path,
        index: &Path,
        fake: &FakeDiscord,
        log: &Path,
    ) -> Result<Bot> {
        let child = Command::new(std::env::current_exe()?)
            .current_dir(work)
            .arg("--content")
            .arg(content)
            .arg("--index")
            .arg(index)
            .arg("serve")
            .env("DISCORD_TOKEN", "bench-token")
            .env("DISCORD_API_BASE", fake.base_url())
            .env("DISCORD_GUILD_ID", fake::GUILD_ID)
            .env("NO_PROXY", "127.0.0.1")
            .env("no_proxy", "127.0.0.1")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log)?)
            .spawn()
            .context("could not start `dossier serve`")?;
        Ok(Bot(child))
    }
}

/// Sends `/ask` interactions and matches their replies.
struct Client<'a> {
    fake: &'a FakeDiscord,
    arrivals: UnboundedReceiver<Arrival>,
    /// Interaction id → when its dispatch was sent.
    sent: HashMap<String, Instant>,
    next_id: u64,
    questions: &'a [String],
}

/// One interaction of the burst run: when its first response (a deferral)
/// and its final reply arrived, and whether that was "busy".
#[derive(Default)]
struct Outcome {
    sent: Option<Instant>,
    acknowledged: Option<Instant>,
    replied: Option<(Instant, bool)>,
}

impl Outcome {
    fn count(&self, figures: &mut BurstFigures) {
        let Some(sent) = self.sent else { return };
        let in_time = |at: Instant| at.saturating_duration_since(sent) <= DISCORD_DEADLINE;
        match (self.replied, self.acknowledged) {
            (Some((_, true)), _) => figures.busy += 1,
            (Some((at, false)), _) if in_time(at) => figures.answered_in_time += 1,
            (_, Some(at)) if in_time(at) => figures.deferred_answered_late += 1,
            _ => figures.missed += 1,
        }
    }
}

impl Client<'_> {
    /// Sends `n` interactions one after the other, each once the one
    /// before has its reply; returns each one's time to its reply.
    async fn one_by_one(&mut self, n: usize) -> Result<Vec<Duration>> {
        let mut samples = Vec::with_capacity(n);
        for _ in 0..n {
            self.send().await;
            samples.push(self.reply().await?);
        }
        Ok(samples)
    }

    /// Keeps `IN_FLIGHT` interactions waiting for their replies for
    /// `SATURATION`; returns the replies per second.
    async fn saturate(&mut self) -> Result<f64> {
        let started = Instant::now();
        let mut in_flight = 0;
        for _ in 0..IN_FLIGHT {
            self.send().await;
            in_flight += 1;
        }
        let mut done = 0u64;
        let mut last = started;
        while in_flight > 0 {
            self.reply().await?;
            in_flight -= 1;
            done += 1;
            last = Instant::now();
            if started.elapsed() < SATURATION {
                self.send().await;
                in_flight += 1;
            }
        }
        Ok(done as f64 / (last - started).as_secs_f64())
    }

    /// Sends [`BURST`] interactions at once and follows each to its reply.
    async fn burst(&mut self) -> Result<BurstFigures> {
        let mut outcomes: HashMap<String, Outcome> = HashMap::new();
        let started = Instant::now();
        for _ in 0..BURST {
            let id = self.send().await;
            outcomes.entry(id.clone()).or_default().sent = self.sent.remove(&id);
        }
        let until = Instant::now() + DISCORD_DEADLINE + BURST_GRACE;
        let mut last = started;
        let mut open = BURST;
        while open > 0 {
            let Ok(Some(arrival)) =
                tokio::time::timeout_at(until.into(), self.arrivals.recv()).await
            else {
                break;
            };
            let (id, deferral) = if arrival.edit {
                (arrival.key.trim_start_matches("tok-").to_string(), false)
            } else {
                let deferral = arrival.body["type"] == json!(5);
                (arrival.key, deferral)
            };
            let Some(outcome) = outcomes.get_mut(&id) else {
                continue;
            };
            if deferral {
                outcome.acknowledged.get_or_insert(arrival.at);
            } else if outcome.replied.is_none() {
                let flags = arrival.body["data"]["flags"].as_u64().unwrap_or(0);
                outcome.replied = Some((arrival.at, flags & EPHEMERAL != 0));
                last = last.max(arrival.at);
                open -= 1;
            }
        }
        let mut figures = BurstFigures {
            sent: BURST,
            drain_secs: (last - started).as_secs_f64(),
            ..BurstFigures::default()
        };
        for outcome in outcomes.values() {
            outcome.count(&mut figures);
        }
        Ok(figures)
    }

    /// Sends one `/ask` and returns its interaction id.
    async fn send(&mut self) -> String {
        self.next_id += 1;
        let id = self.next_id.to_string();
        let question = &self.questions[self.next_id as usize % self.questions.len()];
        let options = json!([fake::string_option("question", question)]);
        let mut interaction = fake::command(&id, "ask", options);
        // A user of its own per interaction, so the per-user rate limit
        // measures nothing here.
        interaction["member"]["user"]["id"] =
            json!((self.next_id - 100_000_000_000_000_000).to_string());
        self.sent.insert(id.clone(), Instant::now());
        self.fake.send_interaction(interaction).await;
        id
    }

    /// Waits for the next final reply (a message callback, or the edit that
    /// completes a deferred one) and returns its latency.
    async fn reply(&mut self) -> Result<Duration> {
        loop {
            let arrival = tokio::time::timeout(REPLY_WAIT, self.arrivals.recv())
                .await
                .map_err(|_| anyhow!("no reply from `dossier serve` within {REPLY_WAIT:?}"))?
                .ok_or_else(|| anyhow!("the fake Discord stopped"))?;
            let deferred = !arrival.edit && arrival.body["type"] == json!(5);
            if deferred {
                continue;
            }
            let id = if arrival.edit {
                arrival.key.trim_start_matches("tok-").to_string()
            } else {
                arrival.key
            };
            if arrival.body["data"]["flags"].as_u64().unwrap_or(0) & EPHEMERAL != 0 {
                bail!(
                    "`dossier serve` refused an interaction: {}",
                    arrival.body["data"]
                );
            }
            if let Some(sent) = self.sent.remove(&id) {
                return Ok(arrival.at.saturating_duration_since(sent));
            }
        }
    }
}
