//! A fake Discord on loopback for the end-to-end tests: a REST API (axum) and
//! a gateway (tokio-tungstenite) that speak just enough of Discord's protocol
//! for serenity 0.12.5 to connect, register commands and answer interactions.
//!
//! Everything it receives is recorded so tests can assert on it; every wait is
//! bounded by a timeout; dropping the `FakeDiscord` aborts all of its tasks.

// The fake's API serves several test modules; each uses only part of it.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// The application id the fake announces in READY and `/applications/@me`.
pub const APP_ID: &str = "900000000000000001";
/// The guild every fixture interaction comes from.
pub const GUILD_ID: &str = "900000000000000002";
/// The bot user's id.
pub const BOT_USER_ID: &str = "900000000000000003";
/// The channel every fixture interaction comes from.
pub const CHANNEL_ID: &str = "900000000000000004";
/// The member who sends every fixture interaction.
pub const MEMBER_USER_ID: &str = "900000000000000005";

/// How long `send_interaction` waits for a live gateway session.
const CONNECTION_WAIT: Duration = Duration::from_secs(20);

/// One HTTP request the REST side received.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub method: String,
    /// The full path, e.g. `/api/v10/gateway`.
    pub path: String,
    /// The status the fake answered with.
    pub status: u16,
    /// The body parsed as JSON, `Value::Null` when empty or not JSON.
    pub body: Value,
}

/// A request fault queued by `fail_next`.
#[derive(Debug)]
struct Fault {
    /// Only requests of this method, when set.
    method: Option<String>,
    prefix: String,
    status: u16,
    remaining: usize,
}

/// A reply that reached the REST side, stamped when its request arrived.
#[derive(Debug, Clone)]
pub struct Arrival {
    /// The interaction id of a callback; the token of an edit of `@original`.
    pub key: String,
    /// True for an edit of `@original`, false for an interaction callback.
    pub edit: bool,
    pub body: Value,
    pub at: Instant,
}

/// What the test side asks a gateway connection to do.
#[derive(Debug)]
enum Outgoing {
    /// A dispatch (op 0); the connection assigns the sequence number.
    Dispatch { t: String, d: Value },
    /// Send a close frame with this code, then close.
    Close(u16),
}

/// The current gateway connection.
struct Conn {
    id: u64,
    tx: mpsc::UnboundedSender<Outgoing>,
    task: Option<JoinHandle<()>>,
    /// READY or RESUMED was sent: dispatches may flow.
    live: bool,
}

/// A follow-up message as Discord would show it.
#[derive(Debug, Clone)]
pub struct FollowUp {
    pub token: String,
    pub body: Value,
    /// Whether only the person who asked sees it.
    pub private: bool,
    /// Whether it replaced a deferral's "thinking…" (and so took the
    /// deferral's visibility whatever its own flags said).
    pub replaced_placeholder: bool,
}

#[derive(Default)]
struct Inner {
    requests: Vec<RecordedRequest>,
    /// (interaction id, body) of every interaction callback, in order.
    callbacks: Vec<(String, Value)>,
    /// (token, body) of every PATCH to `@original`.
    original_edits: Vec<(String, Value)>,
    /// Every follow-up POST to the webhook, in order.
    followups: Vec<FollowUp>,
    /// Tokens of deferred replies still "thinking…", with whether the
    /// deferral was private: as Discord does, the first follow-up takes the
    /// placeholder's place and visibility.
    thinking: HashMap<String, bool>,
    /// Tokens whose `@original` was deleted, in order.
    deleted_originals: Vec<String>,
    /// The last command registration: guild id (None for global) and body.
    registered: Option<(Option<String>, Value)>,
    registrations: usize,
    faults: Vec<Fault>,
    identifies: usize,
    /// The `shard` field ([id, total]) of every IDENTIFY, in order.
    identified_shards: Vec<Value>,
    resumes: usize,
    readies_sent: usize,
    connections: usize,
    conn: Option<Conn>,
    /// Every connection task ever started, aborted on drop.
    conn_tasks: Vec<tokio::task::AbortHandle>,
    /// Receivers of `arrivals`.
    watchers: Vec<mpsc::UnboundedSender<Arrival>>,
    /// The gateway URL `GET /gateway` and `/gateway/bot` hand out instead
    /// of the fake's.
    gateway_url: Option<String>,
}

impl Inner {
    fn announce(&mut self, arrival: Arrival) {
        self.watchers.retain(|w| w.send(arrival.clone()).is_ok());
    }
}

struct Shared {
    inner: Mutex<Inner>,
    changed: Notify,
    ws_url: String,
    next_id: AtomicU64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Apply a change and wake every waiter.
    fn update<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        let out = f(&mut self.lock());
        self.changed.notify_waiters();
        out
    }

    fn snowflake(&self) -> String {
        self.next_id.fetch_add(1, Ordering::Relaxed).to_string()
    }
}

/// A fake Discord: REST on one loopback port, the gateway on another.
pub struct FakeDiscord {
    shared: Arc<Shared>,
    rest_port: u16,
    ws_port: u16,
    rest_task: JoinHandle<()>,
    gateway_task: JoinHandle<()>,
}

impl Drop for FakeDiscord {
    fn drop(&mut self) {
        self.rest_task.abort();
        self.gateway_task.abort();
        let mut inner = self.shared.lock();
        for t in inner.conn_tasks.drain(..) {
            t.abort();
        }
        if let Some(conn) = inner.conn.take()
            && let Some(task) = conn.task
        {
            task.abort();
        }
    }
}

impl FakeDiscord {
    /// Bind both listeners on 127.0.0.1 and start serving.
    pub async fn start() -> FakeDiscord {
        let rest = TcpListener::bind("127.0.0.1:0").await.expect("bind REST");
        let ws = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind gateway");
        let rest_port = rest.local_addr().expect("REST addr").port();
        let ws_port = ws.local_addr().expect("gateway addr").port();
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner::default()),
            changed: Notify::new(),
            ws_url: format!("ws://127.0.0.1:{ws_port}"),
            next_id: AtomicU64::new(910_000_000_000_000_000),
        });

        let app = Router::new()
            .fallback(rest_handler)
            .with_state(shared.clone());
        let rest_task = tokio::spawn(async move {
            let _ = axum::serve(rest, app).await;
        });
        let gateway_task = tokio::spawn(accept_loop(ws, shared.clone()));

        FakeDiscord {
            shared,
            rest_port,
            ws_port,
            rest_task,
            gateway_task,
        }
    }

    /// What the bot gets as DISCORD_API_BASE.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.rest_port)
    }

    /// The gateway URL handed out by `GET /gateway`.
    pub fn ws_url(&self) -> String {
        self.shared.ws_url.clone()
    }

    /// The next `times` requests whose path starts with `route_prefix` get
    /// `status`. The prefix may be given with or without `/api/v10`, e.g.
    /// `/interactions/` or `/api/v10/interactions/`.
    pub fn fail_next(&self, route_prefix: &str, status: u16, times: usize) {
        self.fail_next_of(None, route_prefix, status, times);
    }

    /// [`FakeDiscord::fail_next`] for requests of one method only.
    pub fn fail_next_of(
        &self,
        method: Option<&str>,
        route_prefix: &str,
        status: u16,
        times: usize,
    ) {
        self.shared.update(|i| {
            i.faults.push(Fault {
                method: method.map(str::to_string),
                prefix: route_prefix.to_string(),
                status,
                remaining: times,
            })
        });
    }

    /// Hand out `url` as the gateway from now on (one nothing listens on,
    /// to make the gateway unreachable).
    pub fn set_gateway_url(&self, url: &str) {
        self.shared
            .update(|i| i.gateway_url = Some(url.to_string()));
    }

    /// Every REST request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    /// Wait until a bot has identified, got READY and registered its commands.
    pub async fn wait_ready(&self, timeout: Duration) -> Result<(), String> {
        self.wait_for("READY sent and commands registered", timeout, |i| {
            (i.readies_sent > 0 && i.registrations > 0).then_some(())
        })
        .await
    }

    /// Wait until a gateway session is live (READY or RESUMED sent).
    pub async fn wait_live(&self, timeout: Duration) -> Result<(), String> {
        self.wait_for("a live gateway session", timeout, |i| {
            i.conn.as_ref().filter(|c| c.live).map(|_| ())
        })
        .await
    }

    /// Send a dispatch to the connected bot, waiting up to `timeout` for a
    /// live session first.
    pub async fn try_dispatch(&self, t: &str, d: Value, timeout: Duration) -> Result<(), String> {
        let mut msg = Some(Outgoing::Dispatch {
            t: t.to_string(),
            d,
        });
        self.wait_for("a live gateway session to dispatch to", timeout, |i| {
            let conn = i.conn.as_ref().filter(|c| c.live)?;
            match conn.tx.send(msg.take()?) {
                Ok(()) => Some(()),
                Err(mpsc::error::SendError(m)) => {
                    msg = Some(m);
                    None
                }
            }
        })
        .await
    }

    /// Send an INTERACTION_CREATE dispatch to the connected bot, waiting for
    /// a live session if there is none. Panics if none comes in time.
    pub async fn send_interaction(&self, interaction: Value) {
        if let Err(e) = self
            .try_dispatch("INTERACTION_CREATE", interaction, CONNECTION_WAIT)
            .await
        {
            panic!("send_interaction: {e}");
        }
    }

    /// The body of the first callback POSTed for this interaction.
    pub async fn wait_callback(
        &self,
        interaction_id: &str,
        timeout: Duration,
    ) -> Result<Value, String> {
        self.wait_for(
            &format!("the callback of interaction {interaction_id}"),
            timeout,
            |i| {
                i.callbacks
                    .iter()
                    .find(|(id, _)| id == interaction_id)
                    .map(|(_, b)| b.clone())
            },
        )
        .await
    }

    /// Every interaction callback and edit of `@original` from now on, as
    /// it arrives: for waiting on many replies at once without polling.
    pub fn arrivals(&self) -> mpsc::UnboundedReceiver<Arrival> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.shared.update(|i| i.watchers.push(tx));
        rx
    }

    /// How many callbacks were POSTed for this interaction.
    pub fn callbacks_for(&self, interaction_id: &str) -> usize {
        self.shared
            .lock()
            .callbacks
            .iter()
            .filter(|(id, _)| id == interaction_id)
            .count()
    }

    /// The body of the first PATCH to `@original` for this token.
    pub async fn wait_original_edit(
        &self,
        token: &str,
        timeout: Duration,
    ) -> Result<Value, String> {
        self.wait_for(
            &format!("an edit of the original response of {token}"),
            timeout,
            |i| {
                i.original_edits
                    .iter()
                    .find(|(t, _)| t == token)
                    .map(|(_, b)| b.clone())
            },
        )
        .await
    }

    /// The first follow-up message POSTed for this token.
    pub async fn wait_followup(&self, token: &str, timeout: Duration) -> Result<FollowUp, String> {
        self.wait_for(&format!("a follow-up for {token}"), timeout, |i| {
            i.followups.iter().find(|f| f.token == token).cloned()
        })
        .await
    }

    /// Waits until `@original` of this token is deleted.
    pub async fn wait_original_deleted(
        &self,
        token: &str,
        timeout: Duration,
    ) -> Result<(), String> {
        self.wait_for(
            &format!("the deletion of {token}'s original"),
            timeout,
            |i| i.deleted_originals.iter().any(|t| t == token).then_some(()),
        )
        .await
    }

    /// Every PATCH to `@original` for this token, in order.
    pub fn original_edits(&self, token: &str) -> Vec<Value> {
        self.shared
            .lock()
            .original_edits
            .iter()
            .filter(|(t, _)| t == token)
            .map(|(_, b)| b.clone())
            .collect()
    }

    /// How many edits of `@original` were made for this token.
    pub fn original_edits_for(&self, token: &str) -> usize {
        self.shared
            .lock()
            .original_edits
            .iter()
            .filter(|(t, _)| t == token)
            .count()
    }

    /// The last command registration: guild id (None when global) and body.
    pub fn registered_commands(&self) -> Option<(Option<String>, Value)> {
        self.shared.lock().registered.clone()
    }

    /// Close the current gateway connection abruptly: no close frame.
    pub async fn drop_connection(&self) {
        let conn = self.shared.update(|i| i.conn.take());
        if let Some(mut conn) = conn
            && let Some(task) = conn.task.take()
        {
            task.abort();
            let _ = tokio::time::timeout(Duration::from_secs(2), task).await;
        }
    }

    /// Send a close frame with `code` on the current connection, then close it.
    pub async fn close_with(&self, code: u16) {
        let conn = self.shared.update(|i| i.conn.take());
        if let Some(mut conn) = conn {
            let _ = conn.tx.send(Outgoing::Close(code));
            if let Some(task) = conn.task.take() {
                let abort = task.abort_handle();
                if tokio::time::timeout(Duration::from_secs(2), task)
                    .await
                    .is_err()
                {
                    abort.abort();
                }
            }
        }
    }

    /// How many IDENTIFY (op 2) payloads the gateway received.
    /// The `[id, total]` shard of every IDENTIFY so far (null when unsharded).
    pub fn identified_shards(&self) -> Vec<Value> {
        self.shared.lock().identified_shards.clone()
    }

    pub fn identify_count(&self) -> usize {
        self.shared.lock().identifies
    }

    /// How many RESUME (op 6) payloads the gateway received.
    pub fn resume_count(&self) -> usize {
        self.shared.lock().resumes
    }

    /// How many gateway connections were accepted.
    pub fn connection_count(&self) -> usize {
        self.shared.lock().connections
    }

    /// Wait until `check` returns Some, re-checking after every change.
    async fn wait_for<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut check: impl FnMut(&Inner) -> Option<T>,
    ) -> Result<T, String> {
        let shared = &self.shared;
        let waited = tokio::time::timeout(timeout, async {
            loop {
                let notified = shared.changed.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                if let Some(v) = check(&shared.lock()) {
                    return v;
                }
                notified.await;
            }
        })
        .await;
        waited.map_err(|_| format!("timed out after {timeout:?} waiting for {what}"))
    }
}

// ---------------------------------------------------------------- fixtures

fn member() -> Value {
    json!({
        "user": {"id": MEMBER_USER_ID, "username": "alice", "global_name": "Alice"},
        "roles": [],
        "joined_at": "2024-01-01T00:00:00.000000+00:00",
        "deaf": false,
        "mute": false,
        "flags": 0
    })
}

fn interaction(id: &str, kind: u8, name: &str, options: Value) -> Value {
    json!({
        "id": id,
        "application_id": APP_ID,
        "type": kind,
        "token": format!("tok-{id}"),
        "version": 1,
        "guild_id": GUILD_ID,
        "channel_id": CHANNEL_ID,
        "member": member(),
        "data": {
            "id": "2000",
            "name": name,
            "type": 1,
            "options": options
        },
        "locale": "en-US",
        "entitlements": [],
        "attachment_size_limit": 8388608
    })
}

/// A guild slash-command interaction (type 2). Its token is `tok-<id>`.
/// `options` is the JSON array of `{name, type, value}` options.
pub fn command(id: &str, name: &str, options: Value) -> Value {
    interaction(id, 2, name, options)
}

/// A guild autocomplete interaction (type 4). If no option in `options` is
/// marked `"focused": true`, the last one is marked.
pub fn autocomplete(id: &str, name: &str, options: Value) -> Value {
    let mut options = options;
    if let Some(list) = options.as_array_mut() {
        let any_focused = list.iter().any(|o| o["focused"] == json!(true));
        if !any_focused && let Some(last) = list.last_mut() {
            last["focused"] = json!(true);
        }
    }
    interaction(id, 4, name, options)
}

/// A click on a component of the bot's message (type 3) by user `user`:
/// a button when `values` is `None`, else a string select with `values`.
pub fn component(id: &str, custom_id: &str, values: Option<&[&str]>, user: &str) -> Value {
    let data = match values {
        None => json!({"custom_id": custom_id, "component_type": 2}),
        Some(v) => json!({"custom_id": custom_id, "component_type": 3, "values": v}),
    };
    let mut i = interaction(id, 3, "", json!([]));
    i["data"] = data;
    i["member"]["user"]["id"] = json!(user);
    i["message"] = bot_message();
    i
}

/// The bot's message a component sits on, as Discord sends it with a click.
pub fn bot_message() -> Value {
    json!({
        "id": "900000000000000010",
        "channel_id": CHANNEL_ID,
        "author": {"id": BOT_USER_ID, "username": "fakebot", "bot": true},
        "content": "",
        "timestamp": "2024-01-01T00:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": false,
        "type": 20,
        "flags": 0,
        "components": []
    })
}

/// A string option `{name, type 3, value}`.
pub fn string_option(name: &str, value: &str) -> Value {
    json!({"name": name, "type": 3, "value": value})
}

// -------------------------------------------------------------------- REST

/// Whether a message body (or a deferral's `data`) asks to be ephemeral.
pub fn is_private(body: &Value) -> bool {
    body["flags"].as_u64().is_some_and(|f| f & 64 != 0)
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    (status, headers, body.to_string()).into_response()
}

fn fault_response(status: u16) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status == 429 {
        let reset = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64() + 0.05)
            .unwrap_or(0.0);
        let body = json!({
            "message": "You are being rate limited.",
            "retry_after": 0.05,
            "global": false
        });
        let mut resp = json_response(code, &body);
        let h = resp.headers_mut();
        let mut put = |k: &'static str, v: String| {
            if let Ok(v) = HeaderValue::from_str(&v) {
                h.insert(k, v);
            }
        };
        // Discord rounds the header up to whole seconds; the body is exact.
        put("retry-after", "1".into());
        put("x-ratelimit-limit", "5".into());
        put("x-ratelimit-remaining", "0".into());
        put("x-ratelimit-reset", format!("{reset:.3}"));
        put("x-ratelimit-reset-after", "0.050".into());
        put(
            "x-ratelimit-bucket",
            "fakebucket0000000000000000000000".into(),
        );
        put("x-ratelimit-scope", "user".into());
        resp
    } else {
        let body = json!({"message": format!("Injected fault {status}"), "code": 0});
        json_response(code, &body)
    }
}

fn message_json(shared: &Shared, body: &Value) -> Value {
    json!({
        "id": shared.snowflake(),
        "channel_id": CHANNEL_ID,
        "author": {"id": BOT_USER_ID, "username": "fakebot", "bot": true},
        "content": body.get("content").and_then(Value::as_str).unwrap_or(""),
        "timestamp": "2025-08-08T12:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": false,
        "type": 0,
        "flags": body.get("flags").cloned().unwrap_or(json!(0)),
        "application_id": APP_ID,
        "webhook_id": APP_ID
    })
}

fn application_json() -> Value {
    json!({
        "id": APP_ID,
        "name": "dossier-fake",
        "icon": null,
        "description": "",
        "bot_public": false,
        "bot_require_code_grant": false,
        "owner": {"id": MEMBER_USER_ID, "username": "owner"},
        "verify_key": "0000000000000000000000000000000000000000000000000000000000000000",
        "team": null,
        "flags": 0
    })
}

fn current_user_json() -> Value {
    json!({
        "id": BOT_USER_ID,
        "username": "fakebot",
        "discriminator": "0000",
        "global_name": null,
        "avatar": null,
        "bot": true,
        "verified": true,
        "mfa_enabled": false,
        "flags": 0
    })
}

/// The commands Discord would answer a bulk overwrite with.
fn registered_json(shared: &Shared, body: &Value, guild: Option<&str>) -> Value {
    let list = body.as_array().cloned().unwrap_or_default();
    let out: Vec<Value> = list
        .into_iter()
        .map(|mut c| {
            if let Some(obj) = c.as_object_mut() {
                obj.insert("id".into(), json!(shared.snowflake()));
                obj.insert("application_id".into(), json!(APP_ID));
                obj.insert("version".into(), json!(shared.snowflake()));
                obj.entry("type").or_insert(json!(1));
                obj.entry("description").or_insert(json!(""));
                if let Some(g) = guild {
                    obj.insert("guild_id".into(), json!(g));
                }
            }
            c
        })
        .collect();
    Value::Array(out)
}

async fn rest_handler(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let at = Instant::now();
    let path = uri.path().to_string();
    let json_body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let route = path.strip_prefix("/api/v10").unwrap_or(&path).to_string();

    let fault = {
        let mut inner = shared.lock();
        let hit = inner.faults.iter_mut().find(|f| {
            f.remaining > 0
                && f.method.as_deref().is_none_or(|m| m == method.as_str())
                && (path.starts_with(&f.prefix) || route.starts_with(&f.prefix))
        });
        hit.map(|f| {
            f.remaining -= 1;
            f.status
        })
    };
    if let Some(status) = fault {
        shared.update(|i| {
            i.faults.retain(|f| f.remaining > 0);
            i.requests.push(RecordedRequest {
                method: method.to_string(),
                path: path.clone(),
                status,
                body: json_body.clone(),
            });
        });
        return fault_response(status);
    }

    let segs: Vec<&str> = route.trim_start_matches('/').split('/').collect();
    let m = method.as_str();
    let (status, reply): (StatusCode, Option<Value>) = if !path.starts_with("/api/v10/") {
        (StatusCode::NOT_FOUND, None)
    } else {
        match (m, segs.as_slice()) {
            ("GET", ["gateway"]) => {
                let url = shared.lock().gateway_url.clone();
                (
                    StatusCode::OK,
                    Some(json!({"url": url.unwrap_or_else(|| shared.ws_url.clone())})),
                )
            }
            ("GET", ["gateway", "bot"]) => (
                StatusCode::OK,
                Some(json!({
                    "url": shared.lock().gateway_url.clone().unwrap_or_else(|| shared.ws_url.clone()),
                    "shards": 1,
                    "session_start_limit": {
                        "total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1
                    }
                })),
            ),
            ("GET", ["applications", "@me"]) | ("GET", ["oauth2", "applications", "@me"]) => {
                (StatusCode::OK, Some(application_json()))
            }
            ("GET", ["users", "@me"]) => (StatusCode::OK, Some(current_user_json())),
            ("PUT", ["applications", _app, "commands"]) => {
                let reply = registered_json(&shared, &json_body, None);
                shared.update(|i| {
                    i.registered = Some((None, json_body.clone()));
                    i.registrations += 1;
                });
                (StatusCode::OK, Some(reply))
            }
            ("PUT", ["applications", _app, "guilds", guild, "commands"]) => {
                let reply = registered_json(&shared, &json_body, Some(guild));
                let guild = guild.to_string();
                shared.update(|i| {
                    i.registered = Some((Some(guild), json_body.clone()));
                    i.registrations += 1;
                });
                (StatusCode::OK, Some(reply))
            }
            ("POST", ["interactions", id, token, "callback"]) => {
                let id = id.to_string();
                shared.update(|i| {
                    if json_body["type"] == json!(5) {
                        let private = is_private(&json_body["data"]);
                        i.thinking.insert(token.to_string(), private);
                    }
                    i.callbacks.push((id.clone(), json_body.clone()));
                    i.announce(Arrival {
                        key: id,
                        edit: false,
                        body: json_body.clone(),
                        at,
                    });
                });
                (StatusCode::NO_CONTENT, None)
            }
            ("PATCH", ["webhooks", _app, token, "messages", "@original"]) => {
                let token = token.to_string();
                shared.update(|i| {
                    i.thinking.remove(&token);
                    i.original_edits.push((token.clone(), json_body.clone()));
                    i.announce(Arrival {
                        key: token,
                        edit: true,
                        body: json_body.clone(),
                        at,
                    });
                });
                (StatusCode::OK, Some(message_json(&shared, &json_body)))
            }
            ("POST", ["webhooks", _app, token]) => {
                let token = token.to_string();
                let followup = shared.update(|i| {
                    let placeholder = i.thinking.remove(&token);
                    let followup = FollowUp {
                        token,
                        body: json_body.clone(),
                        private: placeholder.unwrap_or_else(|| is_private(&json_body)),
                        replaced_placeholder: placeholder.is_some(),
                    };
                    i.followups.push(followup.clone());
                    followup
                });
                let mut shown = json_body.clone();
                shown["flags"] = json!(if followup.private { 64 } else { 0 });
                (StatusCode::OK, Some(message_json(&shared, &shown)))
            }
            ("DELETE", ["webhooks", _app, token, "messages", "@original"]) => {
                let token = token.to_string();
                shared.update(|i| {
                    i.thinking.remove(&token);
                    i.deleted_originals.push(token);
                });
                (StatusCode::NO_CONTENT, None)
            }
            _ => (StatusCode::NOT_FOUND, None),
        }
    };

    shared.update(|i| {
        i.requests.push(RecordedRequest {
            method: method.to_string(),
            path: path.clone(),
            status: status.as_u16(),
            body: json_body.clone(),
        })
    });

    match (status, reply) {
        (StatusCode::NO_CONTENT, _) => StatusCode::NO_CONTENT.into_response(),
        (s, Some(v)) => json_response(s, &v),
        (s, None) => json_response(s, &json!({"message": "404: Not Found", "code": 0})),
    }
}

// ----------------------------------------------------------------- gateway

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut next_conn = 0u64;
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        next_conn += 1;
        let id = next_conn;
        let (tx, rx) = mpsc::unbounded_channel();
        let s2 = shared.clone();
        shared.update(|i| {
            // Spawned under the lock: the task's first lock waits until the
            // connection is registered.
            let task = tokio::spawn(run_connection(s2, tcp, id, rx));
            i.conn_tasks.push(task.abort_handle());
            i.connections += 1;
            i.conn = Some(Conn {
                id,
                tx,
                task: Some(task),
                live: false,
            });
        });
    }
}

fn frame(v: &Value) -> Message {
    Message::Text(v.to_string())
}

async fn run_connection(
    shared: Arc<Shared>,
    tcp: TcpStream,
    id: u64,
    mut rx: mpsc::UnboundedReceiver<Outgoing>,
) {
    let _ = tcp.set_nodelay(true);
    if let Ok(ws) = tokio_tungstenite::accept_async(tcp).await {
        serve_connection(&shared, ws, id, &mut rx).await;
    }
    shared.update(|i| {
        if i.conn.as_ref().is_some_and(|c| c.id == id) {
            i.conn = None;
        }
    });
}

async fn serve_connection(
    shared: &Arc<Shared>,
    ws: tokio_tungstenite::WebSocketStream<TcpStream>,
    id: u64,
    rx: &mut mpsc::UnboundedReceiver<Outgoing>,
) {
    let (mut sink, mut stream) = ws.split();
    let mut seq: u64 = 0;
    let hello = json!({"op": 10, "d": {"heartbeat_interval": 41250}});
    if sink.send(frame(&hello)).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            incoming = stream.next() => {
                let text = match incoming {
                    Some(Ok(Message::Text(t))) => t,
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                    Some(Ok(_)) => continue,
                };
                let Ok(v) = serde_json::from_str::<Value>(&text) else { continue };
                let reply = match v["op"].as_u64() {
                    Some(1) => json!({"op": 11}),
                    Some(2) => {
                        let shard = v["d"]["shard"].clone();
                        shared.update(|i| {
                            i.identifies += 1;
                            i.identified_shards.push(shard);
                        });
                        seq += 1;
                        json!({
                            "op": 0, "s": seq, "t": "READY",
                            "d": {
                                "v": 10,
                                "user": {"id": BOT_USER_ID, "username": "fakebot", "bot": true},
                                "guilds": [],
                                "session_id": format!("fake-session-{id}"),
                                "resume_gateway_url": shared.ws_url,
                                "application": {"id": APP_ID, "flags": 0}
                            }
                        })
                    }
                    Some(6) => {
                        shared.update(|i| i.resumes += 1);
                        seq = v["d"]["seq"].as_u64().unwrap_or(seq) + 1;
                        json!({"op": 0, "s": seq, "t": "RESUMED", "d": {}})
                    }
                    _ => continue,
                };
                if sink.send(frame(&reply)).await.is_err() {
                    return;
                }
                if reply["op"] == json!(0) {
                    // READY or RESUMED: the session is live.
                    shared.update(|i| {
                        if reply["t"] == json!("READY") {
                            i.readies_sent += 1;
                        }
                        if let Some(c) = i.conn.as_mut().filter(|c| c.id == id) {
                            c.live = true;
                        }
                    });
                }
            }
            out = rx.recv() => match out {
                Some(Outgoing::Dispatch { t, d }) => {
                    seq += 1;
                    let msg = json!({"op": 0, "s": seq, "t": t, "d": d});
                    if sink.send(frame(&msg)).await.is_err() {
                        return;
                    }
                }
                Some(Outgoing::Close(code)) => {
                    let close = CloseFrame { code: CloseCode::from(code), reason: "".into() };
                    let _ = sink.send(Message::Close(Some(close))).await;
                    let _ = sink.close().await;
                    return;
                }
                None => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serenity::all::{
        Command, CommandOptionType, CreateCommand, CreateCommandOption, CurrentApplicationInfo,
        CurrentUser, Interaction,
    };

    #[test]
    fn fixtures_deserialize_as_serenity_interactions() {
        let c = command(
            "3001",
            "ask",
            json!([string_option("question", "What is the Trump Route?")]),
        );
        match serde_json::from_value::<Interaction>(c).expect("command fixture") {
            Interaction::Command(ci) => {
                assert_eq!(ci.data.name, "ask");
                assert_eq!(ci.token, "tok-3001");
                assert_eq!(
                    ci.guild_id.map(|g| g.to_string()).as_deref(),
                    Some(GUILD_ID)
                );
                assert_eq!(
                    ci.data.options[0].value.as_str(),
                    Some("What is the Trump Route?")
                );
            }
            other => panic!("expected a command, got {other:?}"),
        }
        let no_options = command("3002", "corridor", json!([]));
        assert!(matches!(
            serde_json::from_value::<Interaction>(no_options).expect("corridor fixture"),
            Interaction::Command(_)
        ));

        let a = autocomplete("3003", "search", json!([string_option("query", "nakh")]));
        assert_eq!(a["data"]["options"][0]["focused"], json!(true));
        match serde_json::from_value::<Interaction>(a).expect("autocomplete fixture") {
            Interaction::Autocomplete(ai) => {
                assert_eq!(ai.data.name, "search");
                let focused = ai.data.autocomplete().expect("a focused option");
                assert_eq!(focused.name, "query");
                assert_eq!(focused.value, "nakh");
            }
            other => panic!("expected an autocomplete, got {other:?}"),
        }
    }

    #[test]
    fn rest_replies_deserialize_as_serenity_models() {
        let shared = Shared {
            inner: Mutex::new(Inner::default()),
            changed: Notify::new(),
            ws_url: "ws://127.0.0.1:1".into(),
            next_id: AtomicU64::new(1),
        };
        serde_json::from_value::<CurrentApplicationInfo>(application_json()).expect("application");
        serde_json::from_value::<CurrentUser>(current_user_json()).expect("current user");
        serde_json::from_value::<serenity::all::Message>(message_json(
            &shared,
            &json!({"content": "hi"}),
        ))
        .expect("message");

        let commands = vec![
            CreateCommand::new("ask").description("Ask").add_option(
                CreateCommandOption::new(CommandOptionType::String, "question", "The question")
                    .required(true)
                    .set_autocomplete(true)
                    .max_length(300),
            ),
            CreateCommand::new("parties")
                .description("Parties")
                .add_option(
                    CreateCommandOption::new(CommandOptionType::String, "name", "A party")
                        .add_string_choice("Armenia", "armenia"),
                ),
            CreateCommand::new("corridor").description("The corridor"),
        ];
        let body = serde_json::to_value(&commands).expect("serialize commands");
        let guild =
            serde_json::from_value::<Vec<Command>>(registered_json(&shared, &body, Some(GUILD_ID)))
                .expect("guild commands");
        assert_eq!(guild.len(), 3);
        assert_eq!(
            guild[0].guild_id.map(|g| g.to_string()).as_deref(),
            Some(GUILD_ID)
        );
        let global = serde_json::from_value::<Vec<Command>>(registered_json(&shared, &body, None))
            .expect("global commands");
        assert!(global[0].guild_id.is_none());
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn rest_routes_answer_and_record() {
        let fake = FakeDiscord::start().await;
        let base = fake.base_url();
        let get = |path: &str| {
            let url = format!("{base}{path}");
            async move { http(&url, "GET", None).await }
        };
        let (status, body) = get("/api/v10/gateway").await;
        assert_eq!(status, 200);
        assert_eq!(body["url"], json!(fake.ws_url()));
        let (status, _) = get("/api/v10/nothing/here").await;
        assert_eq!(status, 404);

        fake.fail_next("/gateway", 429, 1);
        let (status, body) = get("/api/v10/gateway").await;
        assert_eq!(status, 429);
        assert_eq!(body["retry_after"], json!(0.05));
        let (status, _) = get("/api/v10/gateway").await;
        assert_eq!(status, 200);

        let url = format!("{base}/api/v10/interactions/77/tok-77/callback");
        let (status, _) = http(&url, "POST", Some(json!({"type": 4}))).await;
        assert_eq!(status, 204);
        let mut arrivals = fake.arrivals();
        let url78 = format!("{base}/api/v10/interactions/78/tok-78/callback");
        let (status, _) = http(&url78, "POST", Some(json!({"type": 4}))).await;
        assert_eq!(status, 204);
        let arrival = arrivals.recv().await.expect("an arrival");
        assert_eq!((arrival.key.as_str(), arrival.edit), ("78", false));
        assert_eq!(arrival.body["type"], json!(4));
        let cb = fake
            .wait_callback("77", Duration::from_secs(2))
            .await
            .expect("callback");
        assert_eq!(cb["type"], json!(4));
        assert_eq!(fake.callbacks_for("77"), 1);
        assert_eq!(fake.requests().len(), 6);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn gateway_handshake_dispatch_drop_and_resume() {
        use tokio_tungstenite::connect_async;
        let fake = FakeDiscord::start().await;
        let t = Duration::from_secs(5);
        let url = format!("{}/?v=10&encoding=json", fake.ws_url());

        async fn next_json<S>(ws: &mut S) -> Option<Value>
        where
            S: futures_util::Stream<Item = tokio_tungstenite::tungstenite::Result<Message>> + Unpin,
        {
            let got = tokio::time::timeout(Duration::from_secs(5), ws.next()).await;
            match got.expect("a frame in time") {
                Some(Ok(Message::Text(t))) => Some(serde_json::from_str(&t).expect("json")),
                Some(Ok(Message::Close(f))) => Some(json!({"close": f.map(|f| u16::from(f.code))})),
                _ => None,
            }
        }

        let (mut ws, _) = connect_async(url.as_str()).await.expect("connect");
        assert_eq!(next_json(&mut ws).await.expect("hello")["op"], json!(10));
        ws.send(frame(&json!({"op": 2, "d": {"token": "x"}})))
            .await
            .expect("identify");
        let ready = next_json(&mut ws).await.expect("ready");
        assert_eq!(ready["t"], json!("READY"));
        assert_eq!(ready["s"], json!(1));
        assert_eq!(ready["d"]["application"]["id"], json!(APP_ID));
        ws.send(frame(&json!({"op": 1, "d": 1})))
            .await
            .expect("heartbeat");
        assert_eq!(next_json(&mut ws).await.expect("ack")["op"], json!(11));
        assert_eq!(fake.identify_count(), 1);
        fake.wait_live(t).await.expect("live");

        fake.send_interaction(command("3001", "corridor", json!([])))
            .await;
        let d = next_json(&mut ws).await.expect("dispatch");
        assert_eq!(d["t"], json!("INTERACTION_CREATE"));
        assert_eq!(d["s"], json!(2));

        fake.drop_connection().await;
        assert!(
            next_json(&mut ws).await.is_none(),
            "no close frame on a drop"
        );

        let (mut ws, _) = connect_async(url.as_str()).await.expect("reconnect");
        assert_eq!(next_json(&mut ws).await.expect("hello")["op"], json!(10));
        ws.send(frame(
            &json!({"op": 6, "d": {"token": "x", "session_id": "s", "seq": 2}}),
        ))
        .await
        .expect("resume");
        let resumed = next_json(&mut ws).await.expect("resumed");
        assert_eq!(resumed["t"], json!("RESUMED"));
        assert_eq!(resumed["s"], json!(3));
        assert_eq!(fake.resume_count(), 1);

        fake.send_interaction(command("3002", "corridor", json!([])))
            .await;
        assert_eq!(next_json(&mut ws).await.expect("dispatch")["s"], json!(4));

        fake.close_with(4000).await;
        assert_eq!(
            next_json(&mut ws).await.expect("close frame"),
            json!({"close": 4000})
        );
        assert_eq!(fake.connection_count(), 2);
    }

    /// A minimal HTTP/1.1 client over a raw socket: (status, JSON body).
    async fn http(url: &str, method: &str, body: Option<Value>) -> (u16, Value) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let rest = url.strip_prefix("http://").expect("http url");
        let (host, path) = rest.split_at(rest.find('/').expect("path"));
        let mut s = TcpStream::connect(host).await.expect("connect");
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let req = format!(
            "{method} {path} HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\n\
             content-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        s.write_all(req.as_bytes()).await.expect("write");
        let mut out = Vec::new();
        s.read_to_end(&mut out).await.expect("read");
        let text = String::from_utf8_lossy(&out);
        let status = text[9..12].parse().expect("status");
        let (_, payload) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        (status, serde_json::from_str(payload).unwrap_or(Value::Null))
    }
}
