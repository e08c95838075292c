//! The HTTP interactions endpoint, in process: signature checks, size and
//! shape limits, PING, the shared router, the health route and the rate
//! limit. Every request is signed like Discord signs it.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use dossier::answer::Live;
use dossier::discord::guard::Limits;
use dossier::discord::http::{self, Config};
use ed25519_dalek::{Signer, SigningKey};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::fake;

const SECRET: [u8; 32] = [7; 32];

pub(crate) fn key() -> SigningKey {
    SigningKey::from_bytes(&SECRET)
}

struct Index {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

fn index() -> &'static std::path::Path {
    static INDEX: OnceLock<Index> = OnceLock::new();
    &INDEX
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
            let path = dir.path().join("index");
            dossier::index::reindex(&content, &path, &mut |_, _| {}).unwrap();
            Index { _dir: dir, path }
        })
        .path
}

fn app(limits: Limits) -> axum::Router {
    let config = Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        public_key: key().verifying_key().to_bytes(),
        index: index().to_path_buf(),
        limits,
        api_base: None,
        server: http::server::Limits::default(),
        recorder: dossier::record::Recorder::off(),
    };
    http::app(&config, Arc::new(Live::open(index()).unwrap())).unwrap()
}

pub(crate) fn now() -> String {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string()
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A POST /interactions request signed with `key` at `timestamp`.
fn signed(body: &[u8], timestamp: &str, key: &SigningKey) -> Request<Body> {
    let mut message = timestamp.as_bytes().to_vec();
    message.extend_from_slice(body);
    let signature = key.sign(&message);
    Request::post("/interactions")
        .header("content-type", "application/json")
        .header("x-signature-ed25519", hex(&signature.to_bytes()))
        .header("x-signature-timestamp", timestamp)
        .body(Body::from(body.to_vec()))
        .unwrap()
}

async fn send(app: &axum::Router, request: Request<Body>) -> (StatusCode, Value) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn post(app: &axum::Router, interaction: &Value) -> (StatusCode, Value) {
    let body = serde_json::to_vec(interaction).unwrap();
    send(app, signed(&body, &now(), &key())).await
}

pub(crate) fn ping() -> Value {
    json!({"id": "1", "application_id": fake::APP_ID, "type": 1, "token": "t", "version": 1})
}

#[tokio::test]
async fn a_ping_gets_a_pong() {
    let (status, body) = post(&app(Limits::default()), &ping()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["type"], 1);
}

#[tokio::test]
async fn commands_are_answered_by_the_shared_router() {
    let app = app(Limits::default());
    let ask = fake::command(
        "2",
        "ask",
        json!([fake::string_option("question", "What is the Trump Route?")]),
    );
    let (status, body) = post(&app, &ask).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["type"], 4);
    assert_eq!(body["data"]["allowed_mentions"]["parse"], json!([]));
    assert!(
        body["data"]["embeds"][0]["fields"]
            .as_array()
            .is_some_and(|f| !f.is_empty()),
        "{body}"
    );
    let interaction: serenity::all::Interaction = serde_json::from_value(ask).unwrap();
    let engine = dossier::answer::Engine::open(index()).unwrap();
    let direct =
        serde_json::to_value(dossier::discord::router::route(&interaction, &engine)).unwrap();
    assert_eq!(
        body, direct,
        "the endpoint must answer exactly as the router does"
    );
}

#[tokio::test]
async fn unsigned_forged_or_stale_requests_get_401() {
    let app = app(Limits::default());
    let body = serde_json::to_vec(&ping()).unwrap();
    let no_headers = Request::post("/interactions")
        .body(Body::from(body.clone()))
        .unwrap();
    assert_eq!(send(&app, no_headers).await.0, StatusCode::UNAUTHORIZED);

    let mut malformed = signed(&body, &now(), &key());
    malformed
        .headers_mut()
        .insert("x-signature-ed25519", "not-hex".parse().unwrap());
    assert_eq!(send(&app, malformed).await.0, StatusCode::UNAUTHORIZED);

    let forger = SigningKey::from_bytes(&[9; 32]);
    assert_eq!(
        send(&app, signed(&body, &now(), &forger)).await.0,
        StatusCode::UNAUTHORIZED
    );

    let old = (SystemTime::now() - Duration::from_secs(301))
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert_eq!(
        send(&app, signed(&body, &old.to_string(), &key())).await.0,
        StatusCode::UNAUTHORIZED
    );

    // A signature over another body does not carry over.
    let mut swapped = signed(&body, &now(), &key());
    *swapped.body_mut() = Body::from(b"{\"type\":1}".to_vec());
    assert_eq!(send(&app, swapped).await.0, StatusCode::UNAUTHORIZED);

    let (status, body) = send(&app, no_detail_probe(&body)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body, Value::Null, "401 gives no detail");
}

fn no_detail_probe(body: &[u8]) -> Request<Body> {
    let mut r = signed(body, &now(), &key());
    r.headers_mut()
        .insert("x-signature-timestamp", "12".parse().unwrap());
    r
}

#[tokio::test]
async fn a_body_over_64_kib_gets_413() {
    let app = app(Limits::default());
    let big = vec![b' '; http::MAX_BODY + 1];
    let (status, _) = send(&app, signed(&big, &now(), &key())).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn a_verified_body_that_is_not_an_interaction_gets_400() {
    let app = app(Limits::default());
    for body in [&b"{}"[..], b"[1,2]", b"not json", b"{\"type\": 2}"] {
        let (status, _) = send(&app, signed(body, &now(), &key())).await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{}",
            String::from_utf8_lossy(body)
        );
    }
}

#[tokio::test]
async fn health_reports_the_index() {
    let app = app(Limits::default());
    let (status, body) = send(&app, Request::get("/health").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["articles"], 1);
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            dossier::index::current_generation(index())
                .unwrap()
                .unwrap()
                .join("manifest.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(body["generation"].is_u64(), "{body}");
    assert_eq!(body["generation"], manifest["generation"], "{body}");
}

#[tokio::test]
async fn the_rate_limit_answers_ephemerally_with_when_to_retry() {
    let limits = Limits {
        per_user: 2,
        window: Duration::from_secs(60),
        in_flight: 8,
    };
    let app = app(limits);
    let help = |id: &str| fake::command(id, "help", json!([]));
    for id in ["10", "11"] {
        assert_eq!(post(&app, &help(id)).await.1["data"].get("flags"), None);
    }
    let (status, body) = post(&app, &help("12")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["flags"], 64, "{body}");
    let text = body["data"]["embeds"][0]["description"].as_str().unwrap();
    assert!(text.contains("Try again in"), "{text}");
    // Autocomplete is not counted against the limit.
    let ac = fake::autocomplete(
        "13",
        "parties",
        json!([{"name": "party", "type": 3, "value": "ar", "focused": true}]),
    );
    assert_eq!(post(&app, &ac).await.1["type"], 8);
}

/// A raw HTTP/1.1 exchange with a server on loopback.
fn raw_post(addr: std::net::SocketAddr, body: &[u8], timestamp: &str) -> String {
    use std::io::{Read, Write};
    let mut message = timestamp.as_bytes().to_vec();
    message.extend_from_slice(body);
    let signature = hex(&key().sign(&message).to_bytes());
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let head = format!(
        "POST /interactions HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         X-Signature-Ed25519: {signature}\r\nX-Signature-Timestamp: {timestamp}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// The real binary: `serve --http` answers a signed PING, then stops cleanly on SIGTERM.
#[test]
fn serve_http_answers_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = free.local_addr().unwrap();
    drop(free);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_dossier"))
        .current_dir(dir.path())
        .arg("--content")
        .arg(root.join("content"))
        .arg("--index")
        .arg(dir.path().join("index"))
        .args(["serve", "--http", &addr.to_string()])
        .env("DISCORD_PUBLIC_KEY", hex(&key().verifying_key().to_bytes()))
        .env_remove("DISCORD_TOKEN")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut up = false;
    for _ in 0..200 {
        if std::net::TcpStream::connect(addr).is_ok() {
            up = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(up, "the endpoint never came up");
    let response = raw_post(addr, &serde_json::to_vec(&ping()).unwrap(), &now());
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"type\":1"), "{response}");
    let forged = raw_post(addr, b"{\"type\":1}", "1");
    assert!(forged.starts_with("HTTP/1.1 401"), "{forged}");

    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let mut status = None;
    for _ in 0..100 {
        if let Some(s) = child.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    assert!(status.expect("still running after SIGTERM").success());
}

/// Hostile text in every command, through the endpoint: a 200 with a reply
/// that pings no one and shows nothing raw.
#[tokio::test]
async fn hostile_text_through_the_endpoint() {
    let app = app(Limits {
        per_user: 1000,
        window: Duration::from_secs(1),
        in_flight: 8,
    });
    let long = "y".repeat(5000);
    let texts = [
        "",
        "\u{0}\u{202E}",
        "@everyone <@1> <@&2>",
        "[x](https://evil.example)",
        "title:* AND (",
        "🦀 Հայաստան",
        &long,
    ];
    let mut n = 0;
    for text in texts {
        for (name, option, kind) in [
            ("ask", "question", 3),
            ("search", "query", 3),
            ("parties", "party", 3),
            ("terms", "term", 3),
            ("quote", "speaker", 3),
            ("source", "article", 3),
        ] {
            n += 1;
            let mut options = vec![json!({"name": option, "type": kind, "value": text})];
            if name == "source" {
                options.push(json!({"name": "paragraph", "type": 4, "value": 2}));
            }
            let (status, body) =
                post(&app, &fake::command(&n.to_string(), name, json!(options))).await;
            assert_eq!(status, StatusCode::OK, "/{name} {text:?}");
            assert_eq!(body["type"], 4);
            assert_eq!(body["data"]["allowed_mentions"]["parse"], json!([]));
            let shown = body["data"]["embeds"].to_string();
            assert!(
                !shown.contains("@everyone") && !shown.contains("](https://evil.example)"),
                "{shown}"
            );
        }
    }
}

/// A burst several times the bound on interactions answered at once: the
/// rest wait their turn, since each can still be answered within
/// Discord's window, and none is told "busy". (`dossier bench` measures
/// 2,000 at once on a release build.)
#[tokio::test(flavor = "multi_thread")]
async fn a_burst_that_can_be_answered_in_time_gets_no_busy_reply() {
    let app = app(Limits {
        in_flight: 2,
        ..Limits::default()
    });
    // Signed first, so they arrive together.
    let signed: Vec<_> = (0..64u64)
        .map(|n| {
            let mut help = fake::command(&(10_000 + n).to_string(), "help", json!([]));
            // Each from their own user, so the rate limit plays no part.
            help["member"]["user"]["id"] = json!((500_000 + n).to_string());
            signed(&serde_json::to_vec(&help).unwrap(), &now(), &key())
        })
        .collect();
    let mut requests = tokio::task::JoinSet::new();
    for request in signed {
        let app = app.clone();
        requests.spawn(async move { send(&app, request).await });
    }
    let mut busy = 0;
    while let Some(done) = requests.join_next().await {
        let (status, body) = done.unwrap();
        assert_eq!(status, StatusCode::OK);
        if body["data"]["flags"] == 64 {
            busy += 1;
        }
    }
    assert_eq!(busy, 0, "{busy} of 64 told busy");
}

/// The endpoint with its record in `db`.
fn recording_app(db: &std::path::Path) -> (axum::Router, dossier::record::Recorder) {
    let recorder =
        dossier::record::Recorder::start(dossier::record::Location::Sqlite(db.to_path_buf()), 90);
    let config = Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        public_key: key().verifying_key().to_bytes(),
        index: index().to_path_buf(),
        limits: Limits::default(),
        api_base: None,
        server: http::server::Limits::default(),
        recorder: recorder.clone(),
    };
    let live = Arc::new(Live::open(index()).unwrap());
    (http::app(&config, live).unwrap(), recorder)
}

#[tokio::test]
async fn clicks_are_answered_and_recorded_and_health_reports_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let (app, recorder) = recording_app(&dir.path().join("d.db"));
    let question = fake::command(
        "7001",
        "ask",
        json!([fake::string_option("question", "What is the Trump Route?")]),
    );
    let (status, answer) = post(&app, &question).await;
    assert_eq!(status, StatusCode::OK);
    let rows = answer["data"]["components"].as_array().expect("components");
    assert_eq!(rows[0]["components"][0]["custom_id"], "vote:up:7001");

    let (status, thanks) = post(&app, &fake::component("7002", "vote:down:7001", None, "42")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(thanks["type"], 4);
    assert_eq!(thanks["data"]["flags"], 64);
    assert_eq!(thanks["data"]["allowed_mentions"]["parse"], json!([]));

    let select = &rows[1]["components"][0];
    let value = select["options"][0]["value"].as_str().unwrap();
    let custom = select["custom_id"].as_str().unwrap();
    let (_, opened) = post(&app, &fake::component("7003", custom, Some(&[value]), "42")).await;
    // The quote (the option's description) opens in bold.
    let quote = select["options"][0]["description"].as_str().unwrap();
    let opening: Vec<&str> = quote.split(' ').take(3).collect();
    let shown = opened["data"]["embeds"][0]["description"].as_str().unwrap();
    assert!(
        shown.contains(&format!("**{}", opening.join(" "))),
        "{shown}"
    );

    assert!(recorder.flush(std::time::Duration::from_secs(10)));
    // The conversations' reader opens the store on a thread of its own.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while recorder.health().conversations != "shared" && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let (_, health) = send(&app, Request::get("/health").body(Body::empty()).unwrap()).await;
    assert_eq!(health["store"]["state"], "ok", "{health}");
    assert_eq!(health["store"]["backend"], "sqlite");
    assert_eq!(health["store"]["conversations"], "shared", "{health}");
    assert_eq!(
        health["store"]["written"], 3,
        "one ask, the conversation it moved on and one vote: {health}"
    );
}

#[tokio::test]
async fn health_says_when_the_store_is_failing() {
    let blocker = tempfile::NamedTempFile::new().unwrap();
    let (app, recorder) = recording_app(&blocker.path().join("d.db"));
    let question = fake::command(
        "7101",
        "ask",
        json!([fake::string_option("question", "Who brokered the deal?")]),
    );
    let (status, answer) = post(&app, &question).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["type"], 4, "the reply goes out as usual");
    assert!(recorder.flush(std::time::Duration::from_secs(10)));
    let (status, health) = send(&app, Request::get("/health").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["store"]["state"], "failing", "{health}");
    assert_eq!(
        health["store"]["failed"], 2,
        "the ask and the conversation it moved on: {health}"
    );
    assert_eq!(
        health["store"]["conversations"], "local",
        "follow-ups cannot be shared: {health}"
    );
}
