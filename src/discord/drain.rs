//! Shutdown for both transports: the signal that starts it, and a count of
//! the replies in flight so they can finish within the grace period.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use tokio::sync::Notify;

/// Counts replies in flight so shutdown can wait for them.
#[derive(Debug, Default)]
pub struct InFlight {
    count: AtomicUsize,
    idle: Notify,
}

/// One reply in flight; counted until dropped.
#[derive(Debug)]
pub struct Entered(Arc<InFlight>);

impl InFlight {
    pub fn enter(self: &Arc<Self>) -> Entered {
        self.count.fetch_add(1, Ordering::SeqCst);
        Entered(self.clone())
    }

    /// Replies in flight now.
    pub fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    /// Returns when no reply is in flight. Bound it with a timeout.
    pub async fn idle(&self) {
        loop {
            let notified = self.idle.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.count() == 0 {
                return;
            }
            notified.await;
        }
    }
}

impl Drop for Entered {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

/// Runs `work` until it completes, `deadline` passes or another SIGINT or
/// SIGTERM asks to stop at once. Returns whether the work completed.
pub async fn finish(work: impl Future<Output = ()>, deadline: Instant) -> bool {
    tokio::select! {
        // Work that is done counts as done, even at the deadline.
        biased;
        () = work => true,
        () = tokio::time::sleep_until(deadline.into()) => false,
        () = signal() => {
            tracing::warn!("asked again to stop: stopping now");
            false
        }
    }
}

/// Returns on SIGINT or SIGTERM.
pub async fn signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn finish_gives_up_at_the_deadline() {
        let deadline = Instant::now() + Duration::from_millis(30);
        assert!(!finish(std::future::pending(), deadline).await);
        assert!(
            finish(async {}, deadline).await,
            "done work counts, even late"
        );
    }

    #[tokio::test]
    async fn idle_waits_for_every_reply_in_flight() {
        let in_flight = Arc::new(InFlight::default());
        let a = in_flight.enter();
        let b = in_flight.enter();
        assert_eq!(in_flight.count(), 2);
        let waiting = tokio::time::timeout(Duration::from_millis(50), in_flight.idle());
        assert!(waiting.await.is_err(), "idle with two replies in flight");
        drop(a);
        let released = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            drop(b);
        });
        let waiting = tokio::time::timeout(Duration::from_secs(5), in_flight.idle());
        assert!(waiting.await.is_ok());
        released.await.unwrap();
    }
}
