//! The writer: one thread that owns the store and takes events from a
//! bounded queue. A reply only ever queues an event (never waits): when the
//! queue is full the event is dropped and counted; when the store is down,
//! locked or full the write fails, is counted and logged once per outage,
//! and the store is opened again a little later.

use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::reader::{Reader, Unavailable};
use super::{Event, Location, Store, StoreError};

/// Events waiting for the writer; past this they are dropped.
pub const QUEUE: usize = 4096;
/// Pause before opening a store that failed again (the writer's and the
/// reader's).
pub(super) const REOPEN_AFTER: Duration = Duration::from_secs(2);
/// How often old records are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);
/// Conversations kept in the store: a day, far past any follow-up's
/// window.
const KEEP_CONVERSATIONS: i64 = 86_400;

const OFF: u8 = 0;
const STARTING: u8 = 1;
const OK: u8 = 2;
const FAILING: u8 = 3;

/// The store's state, for `/health` and the logs.
#[derive(Debug, Default)]
pub struct Health {
    state: AtomicU8,
    written: AtomicU64,
    failed: AtomicU64,
    dropped: AtomicU64,
    last_error: Mutex<Option<String>>,
    kind: &'static str,
}

/// A copy of [`Health`] at one moment.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HealthReport {
    pub state: &'static str,
    pub backend: &'static str,
    pub written: u64,
    pub failed: u64,
    pub dropped: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Whether follow-ups read the channels' conversations from the store
    /// ("shared": replicas answer them alike) or only from this process's
    /// memory ("local": the store is off, or its reader cannot open it).
    pub conversations: &'static str,
}

impl Health {
    /// `shared`: whether the conversations' reader has the store open.
    fn report(&self, shared: bool) -> HealthReport {
        HealthReport {
            state: match self.state.load(Ordering::SeqCst) {
                OFF => "off",
                STARTING => "starting",
                OK => "ok",
                _ => "failing",
            },
            backend: self.kind,
            written: self.written.load(Ordering::SeqCst),
            failed: self.failed.load(Ordering::SeqCst),
            dropped: self.dropped.load(Ordering::SeqCst),
            last_error: self.last_error.lock().ok().and_then(|e| e.clone()),
            conversations: if shared { "shared" } else { "local" },
        }
    }

    fn failed(&self, e: &StoreError) {
        self.failed.fetch_add(1, Ordering::SeqCst);
        if self.state.swap(FAILING, Ordering::SeqCst) != FAILING {
            tracing::error!(
                "the record store is failing; replies go on, records are lost until it recovers: {e}"
            );
        }
        if let Ok(mut last) = self.last_error.lock() {
            *last = Some(e.to_string());
        }
    }

    fn succeeded(&self) {
        self.written.fetch_add(1, Ordering::SeqCst);
        if self.state.swap(OK, Ordering::SeqCst) == FAILING {
            tracing::info!("the record store has recovered");
        }
    }
}

enum Job {
    Write(Event),
    Flush(SyncSender<()>),
}

/// How long one database call of the record's threads may take before
/// its connection is given up and opened again (PostgreSQL; SQLite waits
/// for a lock a fixed busy timeout at most). While a call
/// waits, the writer queues events and the reader answers
/// [`Unavailable`]; replies never wait on either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// A write, and the hourly pruning: longer than a large deletion of
    /// old rows takes on a healthy server.
    pub write: Duration,
    /// A lookup of a channel's conversation: an indexed read of one row,
    /// which a healthy server answers in milliseconds.
    pub lookup: Duration,
}

impl Default for Deadlines {
    fn default() -> Deadlines {
        Deadlines {
            write: Duration::from_secs(30),
            lookup: Duration::from_secs(2),
        }
    }
}

/// The handle replies record through. Cloning shares the one writer.
#[derive(Clone)]
pub struct Recorder {
    tx: Option<SyncSender<Job>>,
    reader: Option<Reader>,
    health: Arc<Health>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("health", &self.health())
            .finish()
    }
}

impl Recorder {
    /// Records nothing.
    pub fn off() -> Recorder {
        Recorder {
            tx: None,
            reader: None,
            health: Arc::new(Health::default()),
        }
    }

    /// Starts the writer thread for `location`, keeping `keep_days` of
    /// records. The store is opened by the writer, so a database that is
    /// down delays nothing.
    pub fn start(location: Location, keep_days: u32) -> Recorder {
        Recorder::start_within(location, keep_days, Deadlines::default())
    }

    /// As [`Recorder::start`], with the given deadlines for database
    /// calls.
    pub fn start_within(location: Location, keep_days: u32, deadlines: Deadlines) -> Recorder {
        let (tx, rx) = mpsc::sync_channel(QUEUE);
        let health = Arc::new(Health {
            state: AtomicU8::new(STARTING),
            kind: location.kind(),
            ..Health::default()
        });
        let reader = Reader::start(location.clone(), deadlines.lookup);
        let writer = Writer {
            location,
            deadline: deadlines.write,
            keep: i64::from(keep_days) * 86_400,
            health: health.clone(),
            store: None,
            retry_at: Instant::now(),
            prune_at: Instant::now(),
        };
        let spawned = std::thread::Builder::new()
            .name("record-writer".into())
            .spawn(move || writer.run(rx));
        if let Err(e) = spawned {
            tracing::error!("cannot start the record writer; nothing will be recorded: {e}");
            return Recorder::off();
        }
        Recorder {
            tx: Some(tx),
            reader,
            health,
        }
    }

    /// The story `channel` was last answered from at `since` (seconds since
    /// the epoch) or later, by any replica sharing the store, and when.
    /// Waits a few milliseconds at most: a store that is off, down or slow
    /// is [`Unavailable`].
    pub fn conversation(
        &self,
        channel: u64,
        since: i64,
    ) -> Result<Option<(String, i64)>, Unavailable> {
        self.reader
            .as_ref()
            .ok_or(Unavailable)?
            .conversation(channel, since)
    }

    /// Queues `event` without waiting; a full queue drops it (counted).
    pub fn record(&self, event: Event) {
        let Some(tx) = &self.tx else { return };
        match tx.try_send(Job::Write(event)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                if self
                    .health
                    .dropped
                    .fetch_add(1, Ordering::SeqCst)
                    .is_multiple_of(1000)
                {
                    tracing::warn!("the record queue is full; dropping records");
                }
            }
            Err(TrySendError::Disconnected(_)) => {
                self.health.dropped.fetch_add(1, Ordering::SeqCst);
            }
        }
    }

    /// Waits until everything queued before this call is written or has
    /// failed, up to `timeout`. For tests and shutdown.
    pub fn flush(&self, timeout: Duration) -> bool {
        let Some(tx) = &self.tx else { return true };
        let (done, wait) = mpsc::sync_channel(1);
        let deadline = Instant::now() + timeout;
        let mut job = Job::Flush(done);
        loop {
            match tx.try_send(job) {
                Ok(()) => break,
                Err(TrySendError::Full(j)) if Instant::now() < deadline => {
                    job = j;
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(_) => return false,
            }
        }
        wait.recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .is_ok()
    }

    pub fn health(&self) -> HealthReport {
        self.health
            .report(self.reader.as_ref().is_some_and(Reader::is_open))
    }
}

struct Writer {
    location: Location,
    /// The longest one call on the store may take.
    deadline: Duration,
    /// Seconds of records kept.
    keep: i64,
    health: Arc<Health>,
    store: Option<Store>,
    retry_at: Instant,
    prune_at: Instant,
}

impl Writer {
    fn run(mut self, rx: Receiver<Job>) {
        self.connect();
        loop {
            match rx.recv_timeout(PRUNE_EVERY) {
                Ok(Job::Write(event)) => self.write(&event),
                Ok(Job::Flush(done)) => {
                    let _ = done.send(());
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
            if Instant::now() >= self.prune_at {
                self.prune();
            }
        }
    }

    fn connect(&mut self) {
        if self.store.is_some() || Instant::now() < self.retry_at {
            return;
        }
        match Store::open_within(&self.location, self.deadline) {
            Ok(store) => {
                self.store = Some(store);
                if self.health.state.swap(OK, Ordering::SeqCst) == FAILING {
                    tracing::info!("the record store has recovered");
                }
            }
            Err(e) => {
                self.retry_at = Instant::now() + REOPEN_AFTER;
                note_failure(&self.health, &e);
            }
        }
    }

    fn write(&mut self, event: &Event) {
        self.connect();
        let Some(store) = self.store.as_mut() else {
            self.health.failed.fetch_add(1, Ordering::SeqCst);
            return;
        };
        match store.write(event) {
            Ok(()) => self.health.succeeded(),
            Err(e) => {
                if e.is_disconnect() {
                    self.store = None;
                    self.retry_at = Instant::now() + REOPEN_AFTER;
                }
                self.health.failed(&e);
            }
        }
    }

    fn prune(&mut self) {
        self.prune_at = Instant::now() + PRUNE_EVERY;
        let Some(store) = self.store.as_mut() else {
            return;
        };
        let mut lost = false;
        match store.prune(super::now() - self.keep) {
            Ok(0) => {}
            Ok(n) => tracing::info!(rows = n, "pruned old records"),
            Err(e) => {
                tracing::warn!("could not prune old records: {e}");
                lost = e.is_disconnect();
            }
        }
        if !lost && let Err(e) = store.prune_conversations(super::now() - KEEP_CONVERSATIONS) {
            tracing::warn!("could not prune old conversations: {e}");
            lost = e.is_disconnect();
        }
        // A connection past its deadline is given up, as after a write.
        if lost {
            self.store = None;
            self.retry_at = Instant::now() + REOPEN_AFTER;
        }
    }
}

/// A failure to open: the state turns to failing, logged once per outage.
fn note_failure(health: &Health, e: &StoreError) {
    if health.state.swap(FAILING, Ordering::SeqCst) != FAILING {
        tracing::error!(
            "cannot open the record store; replies go on, records are lost until it opens: {e}"
        );
    }
    if let Ok(mut last) = health.last_error.lock() {
        *last = Some(e.to_string());
    }
}
