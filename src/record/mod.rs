//! The record of use: each `/ask` and each vote on an answer, kept so
//! editors can see which questions the sources do not answer.
//!
//! Invariants: a person is stored only as a salted hash of their Discord
//! id (the salt lives in the database, so replicas sharing one PostgreSQL
//! hash alike and `dossier forget` can find the rows); writing never
//! blocks a reply ([`Recorder::record`] only queues); one vote per person
//! per answer, the last click winning.
//!
//! Beside the record, the store keeps the story each channel's
//! conversation is on ([`Conversation`]), so that replicas sharing one
//! database answer a follow-up alike ([`Recorder::conversation`]). It names
//! a channel and a story, never a person.

pub mod gaps;
mod pg;
mod reader;
pub mod store;
mod writer;

pub use reader::Unavailable;
pub use store::{FeedbackRow, Location, Store, StoreError, Trouble};
pub use writer::{Deadlines, Health, HealthReport, Recorder};

/// One `/ask` as answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ask {
    /// The interaction id of the question: the answer's id for votes.
    pub id: u64,
    /// Seconds since the Unix epoch.
    pub at: i64,
    /// The asker's Discord id; hashed before it is stored.
    pub user: u64,
    pub question: String,
    /// The article of the first citation, for now the story's name.
    pub story: Option<String>,
    pub answered: bool,
    /// The first citation as `article#paragraph`.
    pub citation: Option<String>,
    /// Declined: the passage nearest the question that was offered to
    /// read, as `article#paragraph`.
    pub lead: Option<String>,
    pub generation: u64,
    /// Microseconds the engine took.
    pub engine_us: u64,
}

/// A 👍 or 👎 on an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vote {
    /// The id of the answer's `/ask` interaction.
    pub answer: u64,
    pub user: u64,
    pub up: bool,
    pub at: i64,
}

/// A channel's conversation moved on to a story: an answer there came
/// from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub channel: u64,
    pub story: String,
    /// Seconds since the Unix epoch.
    pub at: i64,
}

/// What the recorder writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Ask(Ask),
    Vote(Vote),
    Conversation(Conversation),
}

/// Seconds since the Unix epoch, now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
