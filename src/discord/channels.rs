//! What the bot remembers of each channel: the story last answered there,
//! so that a follow-up ("when does it reopen") leans on it, for a while
//! ([`FOLLOW_UP_WINDOW`]). Each process keeps it in memory, and with a
//! record store also in the store, which replicas share (a follow-up may
//! reach another machine behind one HTTP endpoint) and which outlives a
//! restart. The newer of the two wins; a store that is down or slow costs
//! a follow-up a few milliseconds at most and leaves the process's own
//! memory to answer.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::record::{self, Conversation, Event, Recorder};

/// How long a channel stays on a story after its last answer: a
/// conversation's pause, not a day's.
pub const FOLLOW_UP_WINDOW: Duration = Duration::from_secs(30 * 60);
/// Channels remembered at most; past it, those silent longest are
/// forgotten first. A few hundred bytes each.
const MAX_CHANNELS: usize = 100_000;

/// The story last answered in each channel.
pub struct Channels {
    /// Story, when (for the window) and when (seconds since the epoch, to
    /// compare with the store's).
    stories: Mutex<HashMap<u64, (String, Instant, i64)>>,
    window: Duration,
    shared: Option<Recorder>,
}

impl Default for Channels {
    fn default() -> Channels {
        Channels::new(FOLLOW_UP_WINDOW)
    }
}

impl Channels {
    /// Remembered in this process only.
    pub fn new(window: Duration) -> Channels {
        Channels {
            stories: Mutex::new(HashMap::new()),
            window,
            shared: None,
        }
    }

    /// Remembered in this process and in `recorder`'s store, which
    /// replicas share.
    pub fn shared(window: Duration, recorder: Recorder) -> Channels {
        Channels {
            shared: Some(recorder),
            ..Channels::new(window)
        }
    }

    /// The story `channel` is on, if it was answered from within the
    /// window: here or, with a shared store, by any replica.
    pub fn recent(&self, channel: u64) -> Option<String> {
        let local = self.local(channel);
        let since = record::now() - self.window.as_secs() as i64;
        let shared = self
            .shared
            .as_ref()
            .and_then(|r| r.conversation(channel, since).ok().flatten());
        match (local, shared) {
            (Some(l), Some(s)) if s.1 > l.1 => Some(s.0),
            (Some(l), _) => Some(l.0),
            (None, s) => s.map(|s| s.0),
        }
    }

    /// What this process remembers of `channel`: the story and when.
    fn local(&self, channel: u64) -> Option<(String, i64)> {
        let stories = self.stories.lock().unwrap_or_else(PoisonError::into_inner);
        stories
            .get(&channel)
            .filter(|(_, at, _)| at.elapsed() <= self.window)
            .map(|(story, _, at)| (story.clone(), *at))
    }

    /// Notes that `channel` was just answered from `story`; with a shared
    /// store, queues it for the store without waiting.
    pub fn answered(&self, channel: u64, story: &str) {
        let at = record::now();
        {
            let mut stories = self.stories.lock().unwrap_or_else(PoisonError::into_inner);
            if stories.len() >= MAX_CHANNELS && !stories.contains_key(&channel) {
                stories.retain(|_, (_, at, _)| at.elapsed() <= self.window);
                if stories.len() >= MAX_CHANNELS {
                    let oldest = stories
                        .iter()
                        .min_by_key(|(_, (_, at, _))| *at)
                        .map(|(c, _)| *c);
                    stories.remove(&oldest.unwrap_or(channel));
                }
            }
            stories.insert(channel, (story.to_string(), Instant::now(), at));
        }
        if let Some(recorder) = &self.shared {
            recorder.record(Event::Conversation(Conversation {
                channel,
                story: story.to_string(),
                at,
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_channel_stays_on_its_story_for_the_window_only() {
        let channels = Channels::new(Duration::from_millis(50));
        assert_eq!(channels.recent(1), None);
        channels.answered(1, "bridge");
        channels.answered(2, "harbour");
        assert_eq!(channels.recent(1).as_deref(), Some("bridge"));
        assert_eq!(channels.recent(2).as_deref(), Some("harbour"));
        channels.answered(1, "harbour");
        assert_eq!(channels.recent(1).as_deref(), Some("harbour"));
        std::thread::sleep(Duration::from_millis(80));
        assert_eq!(channels.recent(1), None);
    }
}
