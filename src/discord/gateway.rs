//! `dossier serve`: the gateway transport. It registers the commands when
//! the bot is ready, forwards each interaction to the router and sends what
//! the router returns, deferring first when a reply could miss Discord's
//! three-second window.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use serenity::all::{
    ApplicationId, ClientBuilder, Command, Context, CreateInteractionResponse,
    CreateInteractionResponseMessage, EventHandler, GatewayIntents, GuildId, Http, HttpBuilder,
    Interaction, InteractionId, Ready, ShardManager,
};

use super::channels::{Channels, FOLLOW_UP_WINDOW};
use super::commands;
use super::drain::{self, InFlight};
use super::guard::{Guard, Limits};
use super::router::{self, Reply};
use crate::answer::Live;
use crate::record::Recorder;
use crate::render::discord::{self as render, Message};

/// How long after an interaction arrives its first response must be on its
/// way: an answer, a deferral or "busy". Discord wants the first response
/// within 3 s; this leaves room for the network.
const DEFER_AFTER: Duration = Duration::from_millis(2000);
/// How long the shards may take to close once replies in flight are done.
const CLOSE_SHARDS: Duration = Duration::from_secs(5);
/// First wait for Discord at startup before saying so; doubled each time.
const PATIENCE: Duration = Duration::from_secs(5);

/// Which shards this process runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sharding {
    /// As many as Discord recommends.
    Auto,
    /// All of `n` shards.
    Count(u32),
    /// Shards `range` of `total`, to split the gateway across processes.
    Range { range: Range<u32>, total: u32 },
}

/// How to run the gateway bot.
#[derive(Debug, Clone)]
pub struct Config {
    pub token: String,
    pub guild: Option<u64>,
    /// Base URL instead of https://discord.com (a proxy, or a test double).
    pub api_base: Option<String>,
    pub index: PathBuf,
    pub sharding: Sharding,
    pub limits: Limits,
    /// How long shutdown waits for replies in flight.
    pub grace: Duration,
    /// Where `/ask` and votes are recorded.
    pub recorder: Recorder,
}

/// An HTTP client for Discord, through `api_base` when one is given.
pub fn http(token: &str, api_base: Option<&str>) -> Http {
    let mut builder = HttpBuilder::new(token);
    if let Some(base) = api_base {
        // serenity's own rate limiter ignores a proxy; the proxy limits instead.
        builder = builder
            .proxy(base.trim_end_matches('/'))
            .ratelimiter_disabled(true);
    }
    builder.build()
}

struct Handler {
    live: Arc<Live>,
    guild: Option<GuildId>,
    in_flight: Arc<InFlight>,
    guard: Arc<Guard>,
    recorder: Recorder,
    /// The story each channel is on.
    channels: Arc<Channels>,
    /// Set when the first shard is connected.
    connected: Arc<AtomicBool>,
}

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        self.connected.store(true, Ordering::SeqCst);
        tracing::info!(user = %ready.user.name, shard = ?ready.shard.map(|s| s.id.0), "connected to Discord");
        if ready.shard.is_some_and(|s| s.id.0 != 0) {
            return; // One shard registers the commands.
        }
        match register(&ctx.http, self.guild).await {
            Ok(names) => {
                tracing::info!(commands = ?names, guild = ?self.guild.map(|g| g.get()), "registered commands")
            }
            Err(e) => tracing::error!("could not register commands: {e:#}"),
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let _guard = self.in_flight.enter();
        let live = self.live.clone();
        let channels = self.channels.clone();
        answer(
            &ctx.http,
            live,
            &self.guard,
            &self.recorder,
            channels,
            interaction,
        )
        .await;
    }
}

/// Overwrites the registered commands (in `guild`, or globally).
pub async fn register(http: &Http, guild: Option<GuildId>) -> Result<Vec<String>> {
    let definitions = commands::definitions();
    let registered = match guild {
        Some(g) => g.set_commands(http, definitions).await,
        None => Command::set_global_commands(http, definitions).await,
    }
    .context("Discord refused the command definitions")?;
    Ok(registered.into_iter().map(|c| c.name).collect())
}

/// The router's reply, computed off the async runtime; if it takes longer
/// than `patience`, the still-running computation is handed back so the
/// caller can defer and finish later.
pub(crate) enum Computed {
    Ready(Reply),
    Slow(tokio::task::JoinHandle<Reply>),
}

/// What is worth recording is queued for the recorder, never waited on.
pub(crate) async fn compute(
    live: Arc<Live>,
    recorder: Recorder,
    channels: Arc<Channels>,
    interaction: Interaction,
    patience: Duration,
) -> Computed {
    let mut task = tokio::task::spawn_blocking(move || {
        let engine = live.engine();
        let (reply, event) = router::routed_in(&interaction, &engine, Some(&channels));
        if let Some(event) = event {
            recorder.record(event);
        }
        reply
    });
    match tokio::time::timeout(patience, &mut task).await {
        Ok(done) => Computed::Ready(settle(done)),
        Err(_) => Computed::Slow(task),
    }
}

/// A router that panicked still gets the person an apology.
pub(crate) fn settle(joined: Result<Reply, tokio::task::JoinError>) -> Reply {
    joined.unwrap_or_else(|e| {
        tracing::error!("the router failed on an interaction: {e}");
        Reply::Message(render::error(
            "Something went wrong on our side. Please try again.",
        ))
    })
}

/// Answers one interaction: admits it (waiting for a slot while Discord's
/// window allows), routes it off the async runtime and sends the reply,
/// deferring first when the engine is reloading or the answer is late.
pub async fn answer(
    http: &Http,
    live: Arc<Live>,
    guard: &Guard,
    recorder: &Recorder,
    channels: Arc<Channels>,
    interaction: Interaction,
) {
    let deadline = Instant::now() + DEFER_AFTER;
    let id = interaction.id();
    let token = interaction.token().to_string();
    let admitted = match guard.admit(&interaction, deadline).await {
        Ok(admitted) => admitted,
        Err(refusal) => {
            send_response(http, id, &token, &router::response(refusal)).await;
            return;
        }
    };
    let is_command = matches!(interaction, Interaction::Command(_));
    let mut deferred = false;
    if is_command && live.reload_pending() {
        deferred = defer(http, id, &token).await;
    }
    let patience = if deferred || !is_command {
        Duration::MAX
    } else {
        deadline.saturating_duration_since(Instant::now())
    };
    let reply = match compute(live, recorder.clone(), channels, interaction, patience).await {
        Computed::Ready(reply) => reply,
        Computed::Slow(task) => {
            deferred = defer(http, id, &token).await;
            settle(task.await)
        }
    };
    // The slot is for computing; sending the reply needs none.
    drop(admitted);
    match (&reply, deferred) {
        (Reply::Message(m), true) => complete_deferred(http, &token, m).await,
        _ => send_response(http, id, &token, &router::response(reply)).await,
    }
}

/// Replaces a deferred reply's "thinking…" with `m`.
///
/// Discord fixes a deferral's visibility when it is made, and a follow-up
/// sent while "thinking…" shows takes its place with that visibility. So a
/// private message (an error) after a public deferral first settles the
/// placeholder with a short public note, then goes as a private follow-up,
/// then the note is deleted. The follow-up creates a message, so it is sent
/// once, never retried: should it fail, the message replaces the note
/// instead, and the person still learns what went wrong.
pub(crate) async fn complete_deferred(http: &Http, token: &str, m: &Message) {
    if !m.ephemeral {
        edit_original(http, token, m).await;
        return;
    }
    if !edit_original(http, token, &render::sent_privately()).await {
        return;
    }
    let followup = router::followup(m);
    match http
        .create_followup_message(token, &followup, Vec::new())
        .await
    {
        Ok(_) => {
            retrying("delete the public note", || {
                http.delete_original_interaction_response(token)
            })
            .await;
        }
        Err(e) => {
            tracing::warn!("could not send the private follow-up: {e}");
            // The note's text goes: only the message is shown.
            let mut shown = m.clone();
            shown.content.get_or_insert_with(String::new);
            edit_original(http, token, &shown).await;
        }
    }
}

async fn edit_original(http: &Http, token: &str, m: &Message) -> bool {
    let edit = router::edit(m);
    retrying("edit the deferred reply", || async {
        http.edit_original_interaction_response(token, &edit, Vec::new())
            .await
            .map(|_| ())
    })
    .await
}

async fn send_response(
    http: &Http,
    id: InteractionId,
    token: &str,
    response: &CreateInteractionResponse,
) {
    retrying("send the reply", || {
        http.create_interaction_response(id, token, response, Vec::new())
    })
    .await;
}

async fn defer(http: &Http, id: InteractionId, token: &str) -> bool {
    let defer = CreateInteractionResponse::Defer(CreateInteractionResponseMessage::new());
    retrying("defer", || {
        http.create_interaction_response(id, token, &defer, Vec::new())
    })
    .await
}

/// Attempts at one call to Discord before giving up.
const ATTEMPTS: u32 = 4;
/// First pause between attempts; doubled each time.
const BACKOFF: Duration = Duration::from_millis(250);

/// Runs `call` until it succeeds, retrying with exponential backoff when
/// Discord is rate limiting (429) or failing (5xx) or the network failed.
/// Other refusals (4xx, including "already acknowledged") are final, so an
/// interaction is never answered twice. Returns whether the call succeeded.
pub(crate) async fn retrying<F, Fut>(what: &str, mut call: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = serenity::Result<()>>,
{
    let mut pause = BACKOFF;
    for attempt in 1..=ATTEMPTS {
        match call().await {
            Ok(()) => return true,
            Err(e) if attempt < ATTEMPTS && is_transient(&e) => {
                tracing::warn!(attempt, "could not {what}, retrying in {pause:?}: {e}");
                tokio::time::sleep(pause).await;
                pause *= 2;
            }
            Err(e) => {
                tracing::warn!("could not {what}: {e}");
                return false;
            }
        }
    }
    false
}

fn is_transient(e: &serenity::Error) -> bool {
    use serenity::http::HttpError;
    match e {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => {
            r.status_code.as_u16() == 429 || r.status_code.is_server_error()
        }
        serenity::Error::Http(HttpError::Request(_)) => true,
        _ => false,
    }
}

/// Runs the gateway bot until SIGINT or SIGTERM.
///
/// Shutdown does not depend on Discord: replies in flight get the grace
/// period, the shards a few seconds to close, and then the bot stops even
/// if Discord never answered.
pub async fn serve(config: Config) -> Result<()> {
    let live = Arc::new(Live::open(&config.index).context("cannot open the index")?);
    let in_flight = Arc::new(InFlight::default());
    let connected = Arc::new(AtomicBool::new(false));
    let handler = Handler {
        live,
        guild: config.guild.map(GuildId::new),
        in_flight: in_flight.clone(),
        guard: Arc::new(Guard::new(config.limits)),
        recorder: config.recorder.clone(),
        channels: Arc::new(Channels::shared(FOLLOW_UP_WINDOW, config.recorder.clone())),
        connected: connected.clone(),
    };
    let discord = config
        .api_base
        .clone()
        .unwrap_or_else(|| "https://discord.com".to_string());
    let waiting = tokio::spawn(report_waiting(connected, discord));
    let shards = OnceLock::new();
    tokio::select! {
        ran = run(&config, handler, &shards) => {
            waiting.abort();
            ran?;
        }
        () = drain::signal() => {
            waiting.abort();
            tracing::info!("shutting down: finishing replies in flight");
            let deadline = Instant::now() + config.grace;
            if !drain::finish(in_flight.idle(), deadline).await {
                tracing::warn!(replies = in_flight.count(), "replies still in flight after the grace period");
            }
            if let Some(shards) = shards.get() {
                let closed = drain::finish(shards.shutdown_all(), Instant::now() + CLOSE_SHARDS).await;
                if !closed {
                    tracing::warn!("the gateway did not close in time; stopping anyway");
                }
            }
        }
    }
    config.recorder.flush(RECORD_FLUSH);
    tracing::info!("stopped");
    Ok(())
}

/// How long shutdown waits for queued records to be written.
pub(crate) const RECORD_FLUSH: Duration = Duration::from_secs(2);

/// Sets up the client (which already asks Discord for the gateway) and
/// runs its shards until they stop; `shards` gets their manager.
async fn run(
    config: &Config,
    handler: Handler,
    shards: &OnceLock<Arc<ShardManager>>,
) -> Result<()> {
    let http = http(&config.token, config.api_base.as_deref());
    let mut client = ClientBuilder::new_with_http(http, GatewayIntents::empty())
        .event_handler(handler)
        .await
        .context("could not set up the Discord client")?;
    let _ = shards.set(client.shard_manager.clone());
    let started = match &config.sharding {
        Sharding::Auto => {
            let total = recommended_shards(&client.http).await?;
            client.start_shards(total).await
        }
        Sharding::Count(n) => client.start_shards(*n).await,
        Sharding::Range { range, total } => client.start_shard_range(range.clone(), *total).await,
    };
    started
        .map_err(refused)
        .context("the gateway connection failed")
}

/// The longest pause between asks for the gateway while Discord cannot be
/// reached.
const GATEWAY_PATIENCE_MAX: Duration = Duration::from_secs(30);

/// The number of shards Discord recommends. While Discord cannot be reached
/// or is failing (a network error, 429, 5xx) it asks again, pausing
/// [`BACKOFF`] doubled each time up to [`GATEWAY_PATIENCE_MAX`]
/// ([`report_waiting`] says so in the log); a refusal (a bad token) is
/// final.
async fn recommended_shards(http: &Http) -> Result<u32> {
    let mut pause = BACKOFF;
    // The cause is logged when it first shows and whenever it changes: a
    // mistyped host or a certificate problem must not hide behind retries.
    let mut last = String::new();
    loop {
        match http.get_bot_gateway().await {
            Ok(gateway) => return Ok(gateway.shards.max(1)),
            Err(e) if is_transient(&e) => {
                let cause = e.to_string();
                if cause != last {
                    tracing::warn!("could not ask Discord for the gateway; asking again: {cause}");
                    last = cause;
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(GATEWAY_PATIENCE_MAX);
            }
            Err(e) => {
                return Err(refused(e)).context("could not ask Discord for the gateway");
            }
        }
    }
}

const BAD_TOKEN: &str = "Discord refused the bot token: check DISCORD_TOKEN (the Bot page of the application in the Developer Portal)";

/// A Discord error, with what to fix when Discord refused the token.
fn refused(e: serenity::Error) -> anyhow::Error {
    use serenity::http::HttpError;
    let bad_token = match &e {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => r.status_code.as_u16() == 401,
        serenity::Error::Gateway(serenity::gateway::GatewayError::InvalidAuthentication) => true,
        _ => false,
    };
    let e = anyhow::Error::new(e);
    if bad_token { e.context(BAD_TOKEN) } else { e }
}

/// Says so while no shard has connected: a Discord (or proxy) that never
/// answers would otherwise leave startup silent.
async fn report_waiting(connected: Arc<AtomicBool>, discord: String) {
    let started = Instant::now();
    let mut pause = PATIENCE;
    loop {
        tokio::time::sleep(pause).await;
        if connected.load(Ordering::SeqCst) {
            return;
        }
        tracing::warn!(
            "not connected to Discord after {} s; still trying {discord} (check the network, DISCORD_API_BASE and the token)",
            started.elapsed().as_secs()
        );
        pause = (pause * 2).min(Duration::from_secs(60));
    }
}

/// The application id behind a token, asked of Discord.
pub async fn application_id(http: &Http) -> Result<ApplicationId> {
    let info = http
        .get_current_application_info()
        .await
        .context("could not read the application from Discord (is the token right?)")?;
    http.set_application_id(info.id);
    Ok(info.id)
}
