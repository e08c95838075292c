//! The Discord subcommands: `serve`, `register`, `invite` and the
//! `discord` debugging tools.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use serenity::all::{GuildId, Interaction};

use super::{Paths, ensure_index, open_engine, read_input};
use crate::discord::guard::Limits;
use crate::discord::{commands, gateway, http, router};

/// Connection settings shared by the commands that talk to Discord.
#[derive(Debug, Clone, Args)]
pub struct Connection {
    /// Bot token (prefer the environment or .env: flags show in `ps`).
    #[arg(long, env = "DISCORD_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Send REST calls and gateway discovery here instead of https://discord.com.
    #[arg(long, env = "DISCORD_API_BASE")]
    pub api_base: Option<String>,
}

impl Connection {
    fn token(&self) -> Result<String> {
        match self.token.as_deref().map(str::trim) {
            Some(t) if !t.is_empty() => Ok(t.to_string()),
            _ => bail!(
                "DISCORD_TOKEN is not set: copy .env.example to .env and put the bot token there (Developer Portal → your application → Bot → Reset Token)"
            ),
        }
    }

    fn api_base(&self) -> Option<&str> {
        self.api_base
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

/// Parses an optional id given as text, where an empty value means none.
fn optional_id(raw: Option<&str>, what: &str) -> Result<Option<u64>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<u64>()
            .ok()
            .filter(|&n| n > 0)
            .map(Some)
            .with_context(|| format!("{what} must be a Discord id (a number), not `{s}`")),
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// Gateway only: register the commands in this guild on start (instant) instead of globally.
    #[arg(long = "guild-id", env = "DISCORD_GUILD_ID")]
    pub guild: Option<String>,
    /// Run exactly this many shards (default: as many as Discord recommends).
    #[arg(long, conflicts_with = "shard_range", value_parser = clap::value_parser!(u32).range(1..))]
    pub shards: Option<u32>,
    /// Run only shards A..B (end exclusive) of --total-shards, to split the gateway across processes.
    #[arg(long, value_parser = parse_range, requires = "total_shards")]
    pub shard_range: Option<std::ops::Range<u32>>,
    /// Total shards across all processes, with --shard-range.
    #[arg(long, requires = "shard_range", value_parser = clap::value_parser!(u32).range(1..))]
    pub total_shards: Option<u32>,
    /// Answer Discord's HTTP interactions at POST /interactions on ADDR (e.g. 0.0.0.0:8080) instead of the gateway.
    #[arg(long, value_name = "ADDR", env = "DOSSIER_HTTP_ADDR")]
    pub http: Option<String>,
    /// The application's public key (hex, from the developer portal); required with --http.
    #[arg(long, env = "DISCORD_PUBLIC_KEY", hide_env_values = true)]
    pub public_key: Option<String>,
    /// Commands one user may run per --rate-window.
    #[arg(long, env = "DOSSIER_RATE_LIMIT", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit: u32,
    /// Seconds over which --rate-limit counts.
    #[arg(long, env = "DOSSIER_RATE_WINDOW", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub rate_window: u64,
    /// Interactions answered at once; more wait while Discord's deadline allows, then get a polite "busy" reply.
    #[arg(long, env = "DOSSIER_MAX_IN_FLIGHT", default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_in_flight: u64,
    /// Seconds SIGINT or SIGTERM leaves replies in flight to finish before the process exits.
    #[arg(
        long,
        env = "DOSSIER_SHUTDOWN_GRACE",
        default_value_t = 10,
        value_name = "SECS",
        value_parser = clap::value_parser!(u64).range(0..=3_600)
    )]
    pub shutdown_grace: u64,
    /// With --http: seconds a connection has to send a request's headers (after connecting or after the previous reply), and then its body.
    #[arg(long, env = "DOSSIER_READ_TIMEOUT", default_value_t = 10, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3_600))]
    pub read_timeout: u64,
    /// With --http: connections open at once; more wait to be accepted.
    #[arg(long, env = "DOSSIER_MAX_CONNECTIONS", default_value_t = 512, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,
    /// Days questions and votes are kept before they are pruned.
    #[arg(long, env = "DOSSIER_KEEP_DAYS", default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=36_500))]
    pub keep_days: u32,
    #[command(flatten)]
    pub record: super::record::RecordArgs,
}

fn parse_range(s: &str) -> Result<std::ops::Range<u32>, String> {
    let (a, b) = s
        .split_once("..")
        .ok_or("write the range as A..B, for example 0..2")?;
    let a: u32 = a
        .trim()
        .parse()
        .map_err(|_| format!("`{a}` is not a shard number"))?;
    let b: u32 = b
        .trim()
        .parse()
        .map_err(|_| format!("`{b}` is not a shard number"))?;
    if a >= b {
        return Err(format!("the range {a}..{b} is empty"));
    }
    Ok(a..b)
}

#[derive(Debug, Subcommand)]
pub enum DiscordCommand {
    /// Print the command definitions as the JSON array that registration sends.
    Commands,
    /// Read one interaction as Discord sends it (JSON, from FILE or - for stdin) and print the response.
    Respond { file: PathBuf },
}

/// Runs `serve` to the end, then stops the runtime without waiting for
/// work that outlived it (an answer still computing after the grace
/// period) for more than a moment.
fn run_server(serve: impl std::future::Future<Output = Result<()>>) -> Result<ExitCode> {
    let runtime = runtime()?;
    let result = runtime.block_on(serve);
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    result.map(|()| ExitCode::SUCCESS)
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    // Answers run on the blocking pool. The engine is CPU-bound, so more
    // threads than cores only add memory (thread stacks, allocator arenas):
    // a burst waits its turn instead.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(cores * 2)
        .build()
        .context("could not start the async runtime")
}

/// Serves interactions over HTTP when `--http` names an address, else
/// through the gateway.
pub fn serve(paths: &Paths, args: ServeArgs) -> Result<ExitCode> {
    let limits = Limits {
        per_user: args.rate_limit,
        window: std::time::Duration::from_secs(args.rate_window),
        in_flight: usize::try_from(args.max_in_flight).unwrap_or(usize::MAX),
    };
    let http_addr = args
        .http
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    match http_addr {
        Some(addr) => serve_http(paths, &args, addr, limits),
        None => serve_gateway(paths, &args, limits),
    }
}

fn serve_http(paths: &Paths, args: &ServeArgs, addr: &str, limits: Limits) -> Result<ExitCode> {
    // Checked here, not by clap: an empty DOSSIER_HTTP_ADDR (as .env.example
    // has it) means the gateway, and must not clash with sharding.
    if args.shards.is_some() || args.shard_range.is_some() {
        bail!(
            "--shards and --shard-range split the gateway; with --http (or DOSSIER_HTTP_ADDR) Discord sends interactions to one address: drop one or the other"
        );
    }
    let addr: std::net::SocketAddr = addr.parse().with_context(|| {
        format!("--http takes an address and port such as 0.0.0.0:8080, not `{addr}`")
    })?;
    let key = args.public_key.as_deref().unwrap_or("");
    if key.trim().is_empty() {
        bail!(
            "--http needs DISCORD_PUBLIC_KEY: copy the public key from the developer portal (General Information) into .env"
        );
    }
    let public_key = http::parse_public_key(key).map_err(anyhow::Error::msg)?;
    ensure_index(paths)?;
    let config = http::Config {
        recorder: args.record.recorder(args.keep_days)?,
        addr,
        public_key,
        index: paths.index.clone(),
        limits,
        api_base: args.connection.api_base().map(str::to_string),
        server: http::server::Limits {
            read_timeout: std::time::Duration::from_secs(args.read_timeout),
            max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
            grace: std::time::Duration::from_secs(args.shutdown_grace),
        },
    };
    run_server(http::serve(config))
}

fn serve_gateway(paths: &Paths, args: &ServeArgs, limits: Limits) -> Result<ExitCode> {
    let token = args.connection.token()?;
    let guild = optional_id(args.guild.as_deref(), "DISCORD_GUILD_ID")?;
    ensure_index(paths)?;
    let sharding = sharding(args)?;
    let config = gateway::Config {
        recorder: args.record.recorder(args.keep_days)?,
        token,
        guild,
        api_base: args.connection.api_base().map(str::to_string),
        index: paths.index.clone(),
        sharding,
        limits,
        grace: std::time::Duration::from_secs(args.shutdown_grace),
    };
    run_server(gateway::serve(config))
}

/// The shards this process runs: a count, a range of a total, or
/// Discord's recommendation.
fn sharding(args: &ServeArgs) -> Result<gateway::Sharding> {
    Ok(
        match (args.shards, args.shard_range.clone(), args.total_shards) {
            (Some(n), _, _) => gateway::Sharding::Count(n),
            (None, Some(range), Some(total)) => {
                if range.end > total {
                    bail!(
                        "--shard-range {}..{} goes past --total-shards {total}",
                        range.start,
                        range.end
                    );
                }
                gateway::Sharding::Range { range, total }
            }
            _ => gateway::Sharding::Auto,
        },
    )
}

pub fn register(connection: &Connection, guild: Option<String>) -> Result<ExitCode> {
    let token = connection.token()?;
    let guild = optional_id(guild.as_deref(), "--guild or DISCORD_GUILD_ID")?;
    runtime()?.block_on(async {
        let http = gateway::http(&token, connection.api_base());
        gateway::application_id(&http).await?;
        let names = gateway::register(&http, guild.map(GuildId::new)).await?;
        let place = guild.map_or(
            "globally (may take up to an hour to show)".to_string(),
            |g| format!("in guild {g}"),
        );
        super::print(&format!("registered {} commands {place}:", names.len()))?;
        for name in names {
            let description = commands::COMMANDS
                .iter()
                .find(|(n, _)| *n == name)
                .map_or("", |(_, d)| d);
            super::print(&format!("  /{name:<9} {description}"))?;
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub fn invite(connection: &Connection, client_id: Option<String>) -> Result<ExitCode> {
    let id = match optional_id(client_id.as_deref(), "--client-id")? {
        Some(id) => id,
        None => {
            let token = connection
                .token()
                .context("give --client-id (the application id), or a token to look it up")?;
            runtime()?.block_on(async {
                let http = gateway::http(&token, connection.api_base());
                gateway::application_id(&http).await.map(|a| a.get())
            })?
        }
    };
    super::print(&invite_url(id))?;
    Ok(ExitCode::SUCCESS)
}

/// The OAuth2 URL that adds the bot with the `bot` and `applications.commands`
/// scopes. It asks for no permissions: replying to interactions needs none.
pub fn invite_url(client_id: u64) -> String {
    format!(
        "https://discord.com/oauth2/authorize?client_id={client_id}&scope=bot%20applications.commands&permissions=0"
    )
}

pub fn discord(paths: &Paths, command: DiscordCommand) -> Result<ExitCode> {
    match command {
        DiscordCommand::Commands => {
            super::print(&serde_json::to_string_pretty(&commands::definitions())?)?;
            Ok(ExitCode::SUCCESS)
        }
        DiscordCommand::Respond { file } => {
            let input = read_input(&file)?;
            let interaction: Interaction = match serde_json::from_str(&input) {
                Ok(i) => i,
                Err(e) => {
                    eprintln!("error: not an interaction as Discord sends it: {e}");
                    return Ok(ExitCode::FAILURE);
                }
            };
            let engine = open_engine(paths)?;
            let response = router::route(&interaction, &engine);
            super::print(&serde_json::to_string_pretty(&response)?)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invite_asks_for_both_scopes_and_no_permissions() {
        let url = invite_url(42);
        assert!(url.contains("client_id=42"));
        assert!(url.contains("scope=bot%20applications.commands"));
        assert!(url.ends_with("permissions=0"));
    }

    #[test]
    fn ids_may_be_empty_but_not_garbage() {
        assert_eq!(optional_id(Some(""), "x").unwrap(), None);
        assert_eq!(optional_id(Some(" 12 "), "x").unwrap(), Some(12));
        assert!(optional_id(Some("abc"), "x").is_err());
    }

    #[test]
    fn shard_ranges_parse() {
        assert_eq!(parse_range("0..2").unwrap(), 0..2);
        assert!(parse_range("2..2").is_err());
        assert!(parse_range("two").is_err());
    }
}
