//! `dossier serve --http ADDR`: Discord's HTTP interactions mode. Discord
//! POSTs every interaction to `/interactions`; each is verified (Ed25519
//! over timestamp + body with the application's public key), answered by the
//! same router as the gateway, and the reply is the HTTP response body.
//!
//! The mode is stateless, so any number of replicas can run behind a load
//! balancer; `GET /health` tells the balancer a replica can answer.
//! [`server`] serves the connections, bounded against slow clients.

pub mod server;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, Result};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serenity::all::{
    ApplicationId, CreateInteractionResponse, CreateInteractionResponseMessage, Http, Interaction,
};
use serenity::interactions_endpoint::Verifier;

use super::channels::{Channels, FOLLOW_UP_WINDOW};
use super::drain::{self, InFlight};
use super::gateway::{self, Computed};
use super::guard::{Guard, Limits};
use super::router::{self, Reply};
use crate::answer::Live;
use crate::record::Recorder;

/// Largest request body accepted; Discord's interactions are far smaller.
pub const MAX_BODY: usize = 64 * 1024;
/// A signature older or newer than this is refused (replay protection).
pub const MAX_SKEW: Duration = Duration::from_secs(5 * 60);
/// How long after a request arrives its response must be ready: an answer,
/// a deferral or "busy" (Discord wants it within 3 s).
const DEFER_AFTER: Duration = Duration::from_millis(2500);

/// How to run the HTTP endpoint.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    /// The application's Ed25519 public key, from the developer portal.
    pub public_key: [u8; 32],
    pub index: PathBuf,
    pub limits: Limits,
    /// For completing deferred replies; https://discord.com when `None`.
    pub api_base: Option<String>,
    /// Timeouts, the bound on connections and the shutdown grace period.
    pub server: server::Limits,
    /// Where `/ask` and votes are recorded.
    pub recorder: Recorder,
}

/// Parses a public key given in hex, as the developer portal shows it.
pub fn parse_public_key(hex: &str) -> Result<[u8; 32], String> {
    let hex = hex.trim();
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("DISCORD_PUBLIC_KEY must be the 64 hex characters of the application's public key (Developer Portal → General Information)".to_string());
    }
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|e| e.to_string())?;
    }
    Verifier::try_new(key)
        .map_err(|_| "DISCORD_PUBLIC_KEY is not a valid Ed25519 public key".to_string())?;
    Ok(key)
}

struct AppState {
    live: Arc<Live>,
    verifier: Verifier,
    guard: Guard,
    http: Arc<Http>,
    /// For a request body, after its head.
    read_timeout: Duration,
    /// Deferred replies still to be completed, for shutdown.
    in_flight: Arc<InFlight>,
    recorder: Recorder,
    /// The story each channel is on.
    channels: Arc<Channels>,
}

/// The endpoint's routes, for serving and for tests.
pub fn app(config: &Config, live: Arc<Live>) -> Result<Router> {
    routes(config, live, Arc::new(InFlight::default()))
}

fn routes(config: &Config, live: Arc<Live>, in_flight: Arc<InFlight>) -> Result<Router> {
    let verifier =
        Verifier::try_new(config.public_key).map_err(|_| anyhow::anyhow!("invalid public key"))?;
    // Completing a deferred reply uses the interaction's own token: no bot token needed.
    let http = Arc::new(gateway::http("", config.api_base.as_deref()));
    let state = Arc::new(AppState {
        live,
        verifier,
        guard: Guard::new(config.limits),
        http,
        read_timeout: config.server.read_timeout,
        in_flight,
        recorder: config.recorder.clone(),
        channels: Arc::new(Channels::shared(FOLLOW_UP_WINDOW, config.recorder.clone())),
    });
    Ok(Router::new()
        .route("/interactions", post(interactions))
        .route("/health", get(health))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state))
}

/// Serves until SIGINT or SIGTERM, then finishes the requests in flight
/// and the deferred replies, within the grace period.
pub async fn serve(config: Config) -> Result<()> {
    let live = Arc::new(Live::open(&config.index).context("cannot open the index")?);
    let in_flight = Arc::new(InFlight::default());
    let app = routes(&config, live, in_flight.clone())?;
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("cannot listen on {}", config.addr))?;
    tracing::info!(addr = %listener.local_addr()?, "answering interactions at POST /interactions");
    let deadline = server::serve(listener, app, config.server, drain::signal()).await;
    if !drain::finish(in_flight.idle(), deadline).await {
        tracing::warn!(
            replies = in_flight.count(),
            "deferred replies not completed within the grace period"
        );
    }
    config.recorder.flush(gateway::RECORD_FLUSH);
    tracing::info!("stopped");
    Ok(())
}

async fn health(State(state): State<Arc<AppState>>) -> Result<Json<serde_json::Value>, StatusCode> {
    // Following a new generation may open it: not on the async runtime.
    let live = state.live.clone();
    let engine = tokio::task::spawn_blocking(move || live.engine())
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    let m = &engine.catalog().manifest;
    Ok(Json(serde_json::json!({
        "status": "ok",
        "generation": m.generation,
        "articles": m.articles,
        "facts": m.facts,
        "store": state.recorder.health(),
    })))
}

/// Why a request is not an interaction to answer.
enum Refusal {
    /// No signature, a stale one, or one that does not verify.
    Unsigned,
    /// Signed, but not an interaction's JSON.
    NotAnInteraction,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Unsigned => StatusCode::UNAUTHORIZED.into_response(),
            Refusal::NotAnInteraction => {
                (StatusCode::BAD_REQUEST, "not an interaction").into_response()
            }
        }
    }
}

/// Whether a signature timestamp (seconds since the epoch) is recent enough.
fn fresh(timestamp: &str, now: SystemTime) -> bool {
    let Ok(secs) = timestamp.parse::<u64>() else {
        return false;
    };
    let now = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    now.abs_diff(secs) <= MAX_SKEW.as_secs()
}

/// The body of `request`, within the read timeout and the size limit.
async fn read_body(request: Request, timeout: Duration) -> Result<Bytes, Response> {
    match tokio::time::timeout(timeout, Bytes::from_request(request, &())).await {
        Ok(Ok(body)) => Ok(body),
        Ok(Err(rejection)) => Err(rejection.into_response()),
        Err(_) => Err(StatusCode::REQUEST_TIMEOUT.into_response()),
    }
}

async fn interactions(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let deadline = std::time::Instant::now() + DEFER_AFTER;
    let body = match read_body(request, state.read_timeout).await {
        Ok(body) => body,
        Err(refusal) => return refusal,
    };
    let interaction = match verified(&state, &headers, &body) {
        Ok(interaction) => interaction,
        Err(refusal) => return refusal.into_response(),
    };
    let admitted = match state.guard.admit(&interaction, deadline).await {
        Ok(admitted) => admitted,
        Err(refusal) => return Json(router::response(refusal)).into_response(),
    };
    let is_command = matches!(interaction, Interaction::Command(_));
    let application = interaction.application_id();
    let token = interaction.token().to_string();
    let patience = if is_command {
        deadline.saturating_duration_since(std::time::Instant::now())
    } else {
        Duration::MAX
    };
    let recorder = state.recorder.clone();
    let channels = state.channels.clone();
    match gateway::compute(
        state.live.clone(),
        recorder,
        channels,
        interaction,
        patience,
    )
    .await
    {
        Computed::Ready(reply) => Json(router::response(reply)).into_response(),
        Computed::Slow(task) => {
            // Answer "thinking…" now and edit the reply when it is ready.
            let entered = state.in_flight.enter();
            let http = state.http.clone();
            tokio::spawn(async move {
                let _entered = entered;
                let reply = gateway::settle(task.await);
                drop(admitted);
                edit_deferred(&http, application, &token, reply).await;
            });
            Json(CreateInteractionResponse::Defer(
                CreateInteractionResponseMessage::new(),
            ))
            .into_response()
        }
    }
}

/// The interaction in `body`, if Discord signed it recently; otherwise the
/// refusal to send back.
fn verified(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<Interaction, Refusal> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(signature), Some(timestamp)) = (
        header("x-signature-ed25519"),
        header("x-signature-timestamp"),
    ) else {
        return Err(Refusal::Unsigned);
    };
    if !fresh(timestamp, SystemTime::now())
        || state.verifier.verify(signature, timestamp, body).is_err()
    {
        return Err(Refusal::Unsigned);
    }
    serde_json::from_slice(body).map_err(|e| {
        tracing::debug!("a signed body is not an interaction: {e}");
        Refusal::NotAnInteraction
    })
}

/// Replaces a deferred reply's "thinking…" with the message, once ready.
async fn edit_deferred(http: &Http, application: ApplicationId, token: &str, reply: Reply) {
    if let Reply::Message(m) = reply {
        http.set_application_id(application);
        gateway::complete_deferred(http, token, &m).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_keys_are_64_hex_characters() {
        assert!(parse_public_key("zz").is_err());
        assert!(parse_public_key(&"g".repeat(64)).is_err());
        // The Ed25519 base point is a valid public key.
        let key = "5866666666666666666666666666666666666666666666666666666666666666";
        assert_eq!(parse_public_key(key).unwrap()[0], 0x58);
    }

    #[test]
    fn timestamps_older_or_newer_than_five_minutes_are_stale() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert!(fresh("1000000", now));
        assert!(fresh("999700", now));
        assert!(!fresh("999699", now));
        assert!(!fresh("1000301", now));
        assert!(!fresh("soon", now));
        assert!(!fresh("-5", now));
    }
}
