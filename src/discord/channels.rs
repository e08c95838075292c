//! What the bot remembers of each channel: the story last answered there,
//! so that a follow-up ("when does it reopen") leans on it. Kept in memory
//! for a while ([`FOLLOW_UP_WINDOW`]); each process keeps its own, so with
//! several machines behind one HTTP endpoint a follow-up may reach one
//! that has not seen the conversation, and is answered as a first
//! question.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long a channel stays on a story after its last answer: a
/// conversation's pause, not a day's.
pub const FOLLOW_UP_WINDOW: Duration = Duration::from_secs(30 * 60);
/// Channels remembered at most; past it, those silent longest are
/// forgotten first. A few hundred bytes each.
const MAX_CHANNELS: usize = 100_000;

/// The story last answered in each channel.
pub struct Channels {
    stories: Mutex<HashMap<u64, (String, Instant)>>,
    window: Duration,
}

impl Default for Channels {
    fn default() -> Channels {
        Channels::new(FOLLOW_UP_WINDOW)
    }
}

impl Channels {
    pub fn new(window: Duration) -> Channels {
        Channels {
            stories: Mutex::new(HashMap::new()),
            window,
        }
    }

    /// The story `channel` is on, if it was answered from within the window.
    pub fn recent(&self, channel: u64) -> Option<String> {
        let stories = self.stories.lock().unwrap_or_else(PoisonError::into_inner);
        stories
            .get(&channel)
            .filter(|(_, at)| at.elapsed() <= self.window)
            .map(|(story, _)| story.clone())
    }

    /// Notes that `channel` was just answered from `story`.
    pub fn answered(&self, channel: u64, story: &str) {
        let mut stories = self.stories.lock().unwrap_or_else(PoisonError::into_inner);
        if stories.len() >= MAX_CHANNELS && !stories.contains_key(&channel) {
            stories.retain(|_, (_, at)| at.elapsed() <= self.window);
            if stories.len() >= MAX_CHANNELS {
                let oldest = stories
                    .iter()
                    .min_by_key(|(_, (_, at))| *at)
                    .map(|(c, _)| *c);
                stories.remove(&oldest.unwrap_or(channel));
            }
        }
        stories.insert(channel, (story.to_string(), Instant::now()));
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
