//! The reader: one thread with a connection of its own that looks up the
//! story a channel's conversation is on. A reply asks it and waits at most
//! [`LOOKUP_BUDGET`]; a store that is down, slow or still opening answers
//! [`Unavailable`] at once or when the budget is spent, and the reply goes
//! on with what its own process remembers.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::time::{Duration, Instant};

use super::writer::REOPEN_AFTER;
use super::{Location, Store};

/// The longest a reply waits for the shared conversation: a lookup on a
/// reachable database takes well under a millisecond on one machine and a
/// few across a network.
pub const LOOKUP_BUDGET: Duration = Duration::from_millis(50);
/// Lookups waiting for the reader; past this a reply does not wait.
const QUEUE: usize = 64;

/// The shared conversation could not be read in time: the store is off,
/// down, still opening or slow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the shared conversation memory is unavailable")]
pub struct Unavailable;

struct Lookup {
    channel: u64,
    since: i64,
    /// Past this the asker has stopped waiting.
    deadline: Instant,
    reply: SyncSender<Option<(String, i64)>>,
}

/// The handle lookups go through. Cloning shares the one reader.
#[derive(Clone)]
pub struct Reader {
    tx: SyncSender<Lookup>,
    /// Whether the reader's store is open: when it is not, nobody waits.
    open: Arc<AtomicBool>,
}

impl Reader {
    /// Starts the reader thread for `location`, each call on the store
    /// taking `deadline` at most; `None` when no thread can be started.
    pub fn start(location: Location, deadline: Duration) -> Option<Reader> {
        let (tx, rx) = mpsc::sync_channel(QUEUE);
        let open = Arc::new(AtomicBool::new(false));
        let state = open.clone();
        let spawned = std::thread::Builder::new()
            .name("record-reader".into())
            .spawn(move || run(&location, deadline, &state, &rx));
        match spawned {
            Ok(_) => Some(Reader { tx, open }),
            Err(e) => {
                tracing::error!(
                    "cannot start the record reader; conversations stay per process: {e}"
                );
                None
            }
        }
    }

    /// Whether the reader's store is open.
    pub fn is_open(&self) -> bool {
        self.open.load(Ordering::SeqCst)
    }

    /// The story `channel` was last answered from at `since` or later, and
    /// when; waits at most [`LOOKUP_BUDGET`].
    pub fn conversation(
        &self,
        channel: u64,
        since: i64,
    ) -> Result<Option<(String, i64)>, Unavailable> {
        if !self.is_open() {
            return Err(Unavailable);
        }
        let (reply, wait) = mpsc::sync_channel(1);
        let deadline = Instant::now() + LOOKUP_BUDGET;
        let lookup = Lookup {
            channel,
            since,
            deadline,
            reply,
        };
        self.tx.try_send(lookup).map_err(|_| Unavailable)?;
        wait.recv_timeout(LOOKUP_BUDGET).map_err(|_| Unavailable)
    }
}

fn run(location: &Location, deadline: Duration, open: &AtomicBool, rx: &Receiver<Lookup>) {
    let mut store: Option<Store> = None;
    let mut retry_at = Instant::now();
    loop {
        if store.is_none() && Instant::now() >= retry_at {
            match Store::open_within(location, deadline) {
                Ok(s) => store = Some(s),
                Err(e) => {
                    tracing::debug!("the record reader cannot open the store: {e}");
                    retry_at = Instant::now() + REOPEN_AFTER;
                }
            }
            open.store(store.is_some(), Ordering::SeqCst);
        }
        // While the store is closed, wake to open it again.
        let next = match &store {
            Some(_) => rx.recv().ok(),
            None => match rx.recv_timeout(retry_at.saturating_duration_since(Instant::now())) {
                Ok(l) => Some(l),
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => None,
            },
        };
        let Some(lookup) = next else { return };
        let Some(s) = store.as_mut() else { continue };
        if Instant::now() >= lookup.deadline {
            continue;
        }
        match s.conversation(lookup.channel, lookup.since) {
            Ok(found) => {
                let _ = lookup.reply.send(found);
            }
            Err(e) => {
                tracing::debug!("the record reader could not read a conversation: {e}");
                if e.is_disconnect() {
                    store = None;
                    retry_at = Instant::now() + REOPEN_AFTER;
                    open.store(false, Ordering::SeqCst);
                }
            }
        }
    }
}
