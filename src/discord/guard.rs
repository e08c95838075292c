//! Admission control shared by both transports: a per-user rate limit on
//! commands and a bound on interactions in flight. A refused interaction
//! still gets a polite ephemeral reply, never silence.

use std::collections::{HashMap, VecDeque};
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
    /// Interactions answered at once; past it, "busy".
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

pub struct Guard {
    limits: Limits,
    recent: Mutex<HashMap<u64, VecDeque<Instant>>>,
    slots: Arc<Semaphore>,
}

/// Held while an interaction is being answered.
pub struct Admitted {
    _slot: OwnedSemaphorePermit,
}

impl Guard {
    pub fn new(limits: Limits) -> Guard {
        Guard {
            limits,
            recent: Mutex::new(HashMap::new()),
            slots: Arc::new(Semaphore::new(limits.in_flight.max(1))),
        }
    }

    /// Admits `interaction`, or returns the reply that refuses it.
    pub fn admit(&self, interaction: &Interaction, now: Instant) -> Result<Admitted, Reply> {
        let slot = match self.slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => return Err(busy(interaction)),
        };
        if let Interaction::Command(cmd) = interaction
            && let Err(wait) = self.allow(cmd.user.id.get(), now)
        {
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            return Err(Reply::Message(render::error(&format!(
                "You are sending commands quickly: up to {} every {} seconds. Try again in {secs} s.",
                self.limits.per_user,
                self.limits.window.as_secs()
            ))));
        }
        Ok(Admitted { _slot: slot })
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

    #[test]
    fn each_user_gets_their_own_budget_and_it_refills() {
        let g = Guard::new(limits(2, 10));
        let t0 = Instant::now();
        assert!(g.admit(&command("7"), t0).is_ok());
        assert!(g.admit(&command("7"), t0).is_ok());
        let third = g.admit(&command("7"), t0 + Duration::from_secs(1));
        assert!(is_refusal(&third));
        let Err(Reply::Message(m)) = third else {
            unreachable!()
        };
        assert!(
            m.embeds[0].description.contains("Try again in 9 s"),
            "{:?}",
            m.embeds[0].description
        );
        assert!(
            g.admit(&command("8"), t0).is_ok(),
            "another user is not limited"
        );
        assert!(
            g.admit(&command("7"), t0 + Duration::from_secs(10)).is_ok(),
            "the window slid"
        );
    }

    #[test]
    fn past_the_in_flight_bound_the_reply_is_busy() {
        let g = Guard::new(limits(100, 2));
        let now = Instant::now();
        let a = g.admit(&command("1"), now);
        let b = g.admit(&command("2"), now);
        assert!(a.is_ok() && b.is_ok());
        let c = g.admit(&command("3"), now);
        assert!(is_refusal(&c));
        let Err(Reply::Message(m)) = c else {
            unreachable!()
        };
        assert!(m.embeds[0].description.contains("try again"));
        drop(a);
        assert!(
            g.admit(&command("3"), now).is_ok(),
            "a finished reply frees its slot"
        );
    }
}
