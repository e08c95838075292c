//! Renderers: turn the engine's answers into terminal text or Discord
//! messages. They format; they never decide what to say.

pub mod discord;
pub mod text;
