//! Integration tests that run the `dossier` binary on temp content dirs.
//!
//! Properties pinned here:
//! - `check` accepts the shipped content and reports each kind of broken
//!   content with its documented message, file and line, and exit 1;
//! - `reindex` is atomic: refused content or a concurrent reindex leaves the
//!   old index serving, and readers never see a missing or empty index;
//! - the JSON contract of `ask`, `search` and the cards, with every quote
//!   verbatim in the paragraph it cites;
//! - any text is a valid question;
//! - the shipped question set passes its thresholds;
//! - several stories with colliding ids and names stay apart.

mod answers;
mod bench;
mod content_errors;
mod content_files;
mod discord;
mod errors;
mod faults;
mod index_faults;
mod newsroom;
mod record;
mod reindex;
mod stories;
mod util;
