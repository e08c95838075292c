//! The Discord adapter: slash-command definitions, the interaction router
//! and the gateway transport. Replies are rendered by
//! [`crate::render::discord`] and sized by its `limits`.

pub mod channels;
pub mod commands;
pub mod components;
pub mod drain;
pub mod gateway;
pub mod guard;
pub mod http;
pub mod router;
