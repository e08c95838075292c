//! Admission control shared by both transports: a per-user rate limit on
//! commands, and a bound on interactions answered at once with a queue
//! bounded by time.
//!
//! An interaction that finds every slot taken waits its turn for as long
//! as its reply can still make Discord's deadline; only one still waiting
//! then is told "busy". The wait is bounded by time, not by a count: a
//! burst that can be answered in time is answered, however large (up to
//! [`MAX_WAITING`], a bound on memory). A refused interaction still gets a
//! polite ephemeral reply, never silence.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serenity::all::Interaction;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::router::Reply;
use crate::render::discord as render;

/// The limits, as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Commands one user may run per `window`.
    pub per_user: u32,
    pub window: Duration,
    /// Interactions answered at once; more wait their turn while their
    /// deadline allows.
    pub in_flight: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            per_user: 5,
            window: Duration::from_secs(10),
            in_flight: 64,
        }
    }
}

/// Users tracked at most; the oldest idle ones are forgotten first.
const MAX_TRACKED_USERS: usize = 100_000;
/// Interactions waiting for a slot at most, whatever their deadlines: a
/// bound on the memory a flood can hold (an interaction is a few KiB).
const MAX_WAITING: usize = 10_000;

pub struct Guard {
    limits: Limits,
    recent: Mutex<HashMap<u64, VecDeque<Instant>>>,
    slots: Arc<Semaphore>,
    /// Interactions waiting for a slot.
    waiting: AtomicUsize,
}

/// One waiter, counted until dropped (admitted, refused or cancelled).
struct Waiter<'a>(&'a AtomicUsize);

impl<'a> Waiter<'a> {
    fn enter(count: &'a AtomicUsize) -> Waiter<'a> {
        count.fetch_add(1, Ordering::Relaxed);
        Waiter(count)
    }
}

impl Drop for Waiter<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Held while an interaction is being answered; frees its slot on drop.
pub struct Admitted {
    _slot: OwnedSemaphorePermit,
}

impl Guard {
    pub fn new(limits: Limits) -> Guard {
        Guard {
            limits,
            recent: Mutex::new(HashMap::new()),
            slots: Arc::new(Semaphore::new(limits.in_flight.max(1))),
            waiting: AtomicUsize::new(0),
        }
    }

    /// Admits `interaction` once a slot is free, if that happens by
    /// `deadline` (the latest moment answering can start and still make
    /// Discord's window), or returns the reply that refuses it.
    pub async fn admit(
        &self,
        interaction: &Interaction,
        deadline: Instant,
    ) -> Result<Admitted, Reply> {
        self.rate_limit(interaction, Instant::now())?;
        if let Ok(slot) = self.slots.clone().try_acquire_owned() {
            return Ok(Admitted { _slot: slot });
        }
        if self.waiting.load(Ordering::Relaxed) >= MAX_WAITING {
            return Err(busy(interaction));
        }
        let _waiter = Waiter::enter(&self.waiting);
        let slot = tokio::time::timeout_at(deadline.into(), self.slots.clone().acquire_owned());
        match slot.await {
            Ok(Ok(slot)) => Ok(Admitted { _slot: slot }),
            _ => Err(busy(interaction)),
        }
    }

    /// Refuses a command past its user's rate limit.
    fn rate_limit(&self, interaction: &Interaction, now: Instant) -> Result<(), Reply> {
        let Interaction::Command(cmd) = interaction else {
            return Ok(());
        };
        let Err(wait) = self.allow(cmd.user.id.get(), now) else {
            return Ok(());
        };
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        Err(Reply::Message(render::error(&format!(
            "You are sending commands quickly: up to {} every {} seconds. Try again in {secs} s.",
            self.limits.per_user,
            self.limits.window.as_secs()
        ))))
    }

    /// Records a command of `user` at `now`, or says how long to wait.
    fn allow(&self, user: u64, now: Instant) -> Result<(), Duration> {
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        if recent.len() >= MAX_TRACKED_USERS {
            let window = self.limits.window;
            recent.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < window)
            });
        }
        let times = recent.entry(user).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.limits.window)
        {
            times.pop_front();
        }
        if times.len() >= self.limits.per_user as usize {
            let oldest = times.front().copied().unwrap_or(now);
            return Err(self
                .limits
                .window
                .saturating_sub(now.duration_since(oldest)));
        }
        times.push_back(now);
        Ok(())
    }
}

fn busy(interaction: &Interaction) -> Reply {
    match interaction {
        Interaction::Autocomplete(_) => Reply::Autocomplete(Vec::new()),
        Interaction::Ping(_) => Reply::Pong,
        _ => Reply::Message(render::error(
            "dossier is answering a lot of questions right now. Please try again in a few seconds.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn command(user: &str) -> Interaction {
        serde_json::from_value(json!({
            "id": "1", "application_id": "2", "type": 2, "token": "t", "version": 1,
            "channel_id": "3", "user": {"id": user, "username": "u"},
            "data": {"id": "4", "name": "help", "type": 1},
            "locale": "en-US", "entitlements": [], "attachment_size_limit": 8388608
        }))
        .unwrap()
    }

    fn limits(per_user: u32, in_flight: usize) -> Limits {
        Limits {
            per_user,
            window: Duration::from_secs(10),
            in_flight,
        }
    }

    fn is_refusal(r: &Result<Admitted, Reply>) -> bool {
        matches!(r, Err(Reply::Message(m)) if m.ephemeral)
    }

    fn refusal_text(r: Result<Admitted, Reply>) -> String {
        match r {
            Err(Reply::Message(m)) => m.embeds[0].description.clone(),
            _ => panic!("not refused"),
        }
    }

    fn soon() -> Instant {
        Instant::now() + Duration::from_millis(500)
    }

    #[test]
    fn each_user_gets_their_own_budget_and_it_refills() {
        let g = Guard::new(limits(2, 10));
        let t0 = Instant::now();
        assert!(g.allow(7, t0).is_ok());
        assert!(g.allow(7, t0).is_ok());
        let wait = g.allow(7, t0 + Duration::from_secs(1));
        assert_eq!(wait, Err(Duration::from_secs(9)));
        assert!(g.allow(8, t0).is_ok(), "another user is not limited");
        assert!(
            g.allow(7, t0 + Duration::from_secs(10)).is_ok(),
            "the window slid"
        );
    }

    #[tokio::test]
    async fn past_the_rate_limit_the_reply_says_when_to_retry() {
        let g = Guard::new(limits(1, 10));
        assert!(g.admit(&command("7"), soon()).await.is_ok());
        let second = g.admit(&command("7"), soon()).await;
        assert!(is_refusal(&second));
        assert!(refusal_text(second).contains("Try again in 10 s"));
    }

    #[tokio::test]
    async fn an_interaction_waits_for_a_slot_while_its_deadline_allows() {
        let g = Arc::new(Guard::new(limits(100, 1)));
        let first = g.admit(&command("1"), soon()).await;
        assert!(first.is_ok());
        let waiting = {
            let g = g.clone();
            tokio::spawn(async move { g.admit(&command("2"), soon()).await.is_ok() })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            !waiting.is_finished(),
            "admitted while the only slot was held"
        );
        drop(first);
        assert!(waiting.await.unwrap(), "admitted once the slot was free");
    }

    #[tokio::test]
    async fn past_its_deadline_an_interaction_is_told_busy() {
        let g = Guard::new(limits(100, 1));
        let _held = g.admit(&command("1"), soon()).await;
        let started = Instant::now();
        let late = g
            .admit(&command("2"), started + Duration::from_millis(60))
            .await;
        assert!(started.elapsed() >= Duration::from_millis(50));
        assert!(refusal_text(late).contains("try again"));
    }
}
