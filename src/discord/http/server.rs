//! Serving HTTP/1.1 connections with bounds no client can stretch.
//!
//! - At most `max_connections` connections are open at once; past that,
//!   new ones wait in the kernel's accept queue instead of using up file
//!   descriptors.
//! - A connection must send a complete request head within `read_timeout`
//!   of opening or of its previous reply, or it is closed: a client that
//!   connects and sends nothing, sends headers slowly or keeps an idle
//!   keep-alive connection holds a slot for that long at most. (The body
//!   is bounded by the same time, in the endpoint.)
//! - A failing `accept` (out of file descriptors) pauses accepting for a
//!   growing while, and is logged once a minute at most.
//! - On shutdown, accepting stops, every connection finishes the request it
//!   is serving and closes; whatever is still open after the grace period
//!   is dropped.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;

use crate::discord::drain;

/// The bounds of the server, as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// For a request head (after connecting or after the previous reply),
    /// and for a request body after its head.
    pub read_timeout: Duration,
    /// Connections open at once.
    pub max_connections: usize,
    /// How long shutdown waits for requests in flight.
    pub grace: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            read_timeout: Duration::from_secs(10),
            max_connections: 512,
            grace: Duration::from_secs(10),
        }
    }
}

/// Serves `app` on `listener` until `stop` completes, then shuts down
/// gracefully. Returns the deadline of the grace period, so the caller can
/// bound its own clean-up by it.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    stop: impl Future<Output = ()>,
) -> Instant {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (closing, closed) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut errors = AcceptErrors::default();
    tokio::pin!(stop);
    loop {
        let accepted = tokio::select! {
            () = &mut stop => break,
            accepted = accept(&listener, &slots, &mut errors) => accepted,
        };
        if let Some((stream, slot)) = accepted {
            let conn = connection(stream, app.clone(), limits.read_timeout, closed.clone());
            connections.spawn(async move {
                conn.await;
                drop(slot);
            });
        }
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    while connections.try_join_next().is_some() {}
    let deadline = Instant::now() + limits.grace;
    tracing::info!(
        connections = connections.len(),
        "shutting down: finishing requests in flight"
    );
    let _ = closing.send(true);
    let drained = async { while connections.join_next().await.is_some() {} };
    if !drain::finish(drained, deadline).await {
        tracing::warn!(
            connections = connections.len(),
            "connections still open after the {:?} grace period; closing them",
            limits.grace
        );
        connections.abort_all();
    }
    deadline
}

/// Waits for a free slot, then for a connection. `None` after an error
/// (once the pause it calls for is over).
async fn accept(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
    errors: &mut AcceptErrors,
) -> Option<(TcpStream, OwnedSemaphorePermit)> {
    let slot = slots.clone().acquire_owned().await.ok()?;
    match listener.accept().await {
        Ok((stream, _)) => {
            errors.recovered();
            Some((stream, slot))
        }
        Err(e) => {
            drop(slot);
            tokio::time::sleep(errors.failed(&e)).await;
            None
        }
    }
}

/// Serves one connection until it closes, or until shutdown has let it
/// finish its request in flight.
async fn connection(
    stream: TcpStream,
    app: Router,
    read_timeout: Duration,
    mut closing: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(read_timeout);
    let conn = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app));
    tokio::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => {
            if let Err(e) = result {
                tracing::debug!("connection closed: {e}");
            }
        }
        () = closed(&mut closing) => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// Returns once shutdown has begun.
async fn closed(closing: &mut watch::Receiver<bool>) {
    let _ = closing.wait_for(|c| *c).await;
}

/// First pause after a failed `accept`; doubled each time, up to the most.
const PAUSE_FIRST: Duration = Duration::from_millis(10);
const PAUSE_MOST: Duration = Duration::from_secs(1);
/// Accept failures are logged this often at most.
const LOG_EVERY: Duration = Duration::from_secs(60);

/// A run of failed `accept`s: how long to pause, and when to say so.
#[derive(Debug, Default)]
struct AcceptErrors {
    streak: u32,
    unreported: u64,
    reported: Option<Instant>,
}

impl AcceptErrors {
    /// Records a failure and returns how long to pause before accepting
    /// again. A connection reset before it was accepted needs no pause.
    fn failed(&mut self, e: &io::Error) -> Duration {
        if matches!(
            e.kind(),
            io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
        ) {
            tracing::debug!("a connection closed before it was accepted: {e}");
            return Duration::ZERO;
        }
        self.streak = self.streak.saturating_add(1);
        self.log(e, Instant::now());
        PAUSE_FIRST
            .saturating_mul(1 << self.streak.saturating_sub(1).min(10))
            .min(PAUSE_MOST)
    }

    fn log(&mut self, e: &io::Error, now: Instant) {
        match self.reported {
            Some(at) if now.duration_since(at) < LOG_EVERY => self.unreported += 1,
            _ => {
                tracing::warn!(
                    "cannot accept connections: {e} ({} more failures since the last report); pausing, then retrying",
                    self.unreported
                );
                self.reported = Some(now);
                self.unreported = 0;
            }
        }
    }

    fn recovered(&mut self) {
        self.streak = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_failures_pause_longer_each_time_up_to_a_second() {
        let mut errors = AcceptErrors::default();
        let emfile = io::Error::other("Too many open files");
        let pauses: Vec<Duration> = (0..10).map(|_| errors.failed(&emfile)).collect();
        assert_eq!(pauses[0], PAUSE_FIRST);
        assert!(pauses.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(*pauses.last().unwrap(), PAUSE_MOST);
        assert_eq!(errors.unreported, 9, "one report for the run");
        errors.recovered();
        assert_eq!(errors.failed(&emfile), PAUSE_FIRST);
        let reset = io::Error::from(io::ErrorKind::ConnectionReset);
        assert_eq!(errors.failed(&reset), Duration::ZERO);
    }
}
