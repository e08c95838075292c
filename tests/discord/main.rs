//! Tests of the Discord bot: payloads checked against Discord's own API
//! description, and the real `dossier serve` against a fake Discord on
//! loopback.

mod conformance;
mod e2e;
mod fake;
mod http;
mod http_server;
mod snapshots;
