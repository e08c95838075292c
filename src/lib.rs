//! dossier answers questions about news stories with passages quoted word for
//! word from the source.
//!
//! The pure core is [`content`] (what editors write), [`index`] (the tantivy
//! index built from it) and [`answer`] (the engine that composes cited
//! answers). [`render`] turns answers into terminal text or Discord messages;
//! the adapters ([`cli`], [`discord`]) only parse input, call the core and
//! render; [`desk`] names the card commands both offer.

pub mod answer;
#[cfg(feature = "bench")]
pub mod bench;
pub mod cli;
pub mod content;
pub mod desk;
pub mod discord;
pub mod index;
pub mod language;
pub mod record;
pub mod render;
pub mod text;
