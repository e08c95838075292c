//! `dossier serve`: the gateway transport. It registers the commands when
//! the bot is ready, forwards each interaction to the router and sends what
//! the router returns, deferring first when a reply could miss Discord's
//! three-second window.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context as _, Result};
use serenity::all::{
    ApplicationId, ClientBuilder, Command, Context, CreateInteractionResponse,
    CreateInteractionResponseMessage, EventHandler, GatewayIntents, GuildId, Http, HttpBuilder,
    Interaction, Ready,
};
use tokio::sync::Notify;

use super::commands;
use super::router::{self, Reply};
use crate::answer::Live;
use crate::render::discord as render;

/// How long the router may take before the reply is deferred. Discord wants
/// the first response within 3 s; this leaves room for the network.
const DEFER_AFTER: Duration = Duration::from_millis(2000);
/// How long shutdown waits for replies in flight.
const DRAIN: Duration = Duration::from_secs(10);

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

/// Counts replies in flight so shutdown can wait for them.
#[derive(Default)]
struct InFlight {
    count: AtomicUsize,
    idle: Notify,
}

struct InFlightGuard<'a>(&'a InFlight);

impl InFlight {
    fn enter(&self) -> InFlightGuard<'_> {
        self.count.fetch_add(1, Ordering::SeqCst);
        InFlightGuard(self)
    }

    async fn wait_idle(&self, limit: Duration) {
        let wait = async {
            while self.count.load(Ordering::SeqCst) > 0 {
                let notified = self.idle.notified();
                if self.count.load(Ordering::SeqCst) == 0 {
                    break;
                }
                notified.await;
            }
        };
        let _ = tokio::time::timeout(limit, wait).await;
    }
}

impl Drop for InFlightGuard<'_> {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

struct Handler {
    live: Arc<Live>,
    guild: Option<GuildId>,
    in_flight: Arc<InFlight>,
}

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
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
        answer(&ctx.http, self.live.clone(), interaction).await;
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

/// Answers one interaction: routes it off the async runtime and sends the
/// reply, deferring first when the engine is reloading or slow.
pub async fn answer(http: &Http, live: Arc<Live>, interaction: Interaction) {
    let id = interaction.id();
    let token = interaction.token().to_string();
    let is_command = matches!(interaction, Interaction::Command(_));
    let mut deferred = false;
    if is_command && live.reload_pending() {
        deferred = defer(http, &interaction).await;
    }
    let task = tokio::task::spawn_blocking(move || {
        let engine = live.engine();
        router::reply(&interaction, &engine)
    });
    tokio::pin!(task);
    let joined = if deferred || !is_command {
        task.await
    } else {
        match tokio::time::timeout(DEFER_AFTER, &mut task).await {
            Ok(done) => done,
            Err(_) => {
                deferred = defer_by_id(http, id, &token).await;
                task.await
            }
        }
    };
    let reply = joined.unwrap_or_else(|e| {
        tracing::error!("the router failed on an interaction: {e}");
        Reply::Message(render::error(
            "Something went wrong on our side. Please try again.",
        ))
    });
    let sent = match (&reply, deferred) {
        (Reply::Message(m), true) => http
            .edit_original_interaction_response(&token, &router::edit(m), Vec::new())
            .await
            .map(|_| ()),
        _ => {
            http.create_interaction_response(id, &token, &router::response(reply), Vec::new())
                .await
        }
    };
    if let Err(e) = sent {
        tracing::warn!(interaction = %id, "could not send the reply: {e}");
    }
}

async fn defer(http: &Http, interaction: &Interaction) -> bool {
    defer_by_id(http, interaction.id(), interaction.token()).await
}

async fn defer_by_id(http: &Http, id: serenity::all::InteractionId, token: &str) -> bool {
    let defer = CreateInteractionResponse::Defer(CreateInteractionResponseMessage::new());
    match http
        .create_interaction_response(id, token, &defer, Vec::new())
        .await
    {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(interaction = %id, "could not defer: {e}");
            false
        }
    }
}

/// Runs the gateway bot until SIGINT or SIGTERM.
pub async fn serve(config: Config) -> Result<()> {
    let live = Arc::new(Live::open(&config.index).context("cannot open the index")?);
    let http = http(&config.token, config.api_base.as_deref());
    let in_flight = Arc::new(InFlight::default());
    let handler = Handler {
        live,
        guild: config.guild.map(GuildId::new),
        in_flight: in_flight.clone(),
    };
    let mut client = ClientBuilder::new_with_http(http, GatewayIntents::empty())
        .event_handler(handler)
        .await
        .context("could not set up the Discord client")?;
    let shards = client.shard_manager.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down: finishing replies in flight");
        in_flight.wait_idle(DRAIN).await;
        shards.shutdown_all().await;
    });
    let started = match config.sharding {
        Sharding::Auto => client.start_autosharded().await,
        Sharding::Count(n) => client.start_shards(n).await,
        Sharding::Range { range, total } => client.start_shard_range(range, total).await,
    };
    started.context("the gateway connection failed")?;
    tracing::info!("stopped");
    Ok(())
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

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
