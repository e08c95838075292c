//! `dossier serve --http` against slow, silent and hostile clients, and
//! its shutdown, with the real binary on loopback.
//!
//! Properties pinned here:
//! - a connection that sends nothing, sends its head or body slowly, or
//!   idles after a reply is closed after the read timeout;
//! - a flood of idle connections, even past the process's file descriptors,
//!   does not lock valid requests out, and failing accepts are not logged
//!   every second;
//! - SIGTERM lets a request in flight finish, and the process exits within
//!   the grace period even when a client holds a partial request;
//! - a damaged index directory is logged once, not on every request.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ed25519_dalek::Signer;

use crate::http::{hex, key, now, ping};

/// A running `dossier serve --http`; killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
    dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Builds an index and starts the server with `args`, under `ulimit -n`
    /// when `max_files` is given.
    fn start(args: &[&str], max_files: Option<u32>) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let index = dir.path().join("index");
        dossier::index::reindex(&root.join("content"), &index, &mut |_, _| {}).unwrap();
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = free.local_addr().unwrap();
        drop(free);
        let log = dir.path().join("serve.log");
        let limit = max_files.map_or(String::new(), |n| format!("ulimit -n {n} && "));
        let child = Command::new("sh")
            .arg("-c")
            .arg(format!("{limit}exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_dossier"))
            .current_dir(dir.path())
            .arg("--content")
            .arg(root.join("content"))
            .arg("--index")
            .arg(&index)
            .args(["serve", "--http", &addr.to_string()])
            .args(args)
            .env("DISCORD_PUBLIC_KEY", hex(&key().verifying_key().to_bytes()))
            .env("RUST_LOG", "dossier=info")
            .env("NO_COLOR", "1")
            .env_remove("DISCORD_TOKEN")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let server = Server {
            child,
            addr,
            log,
            dir,
        };
        server.wait_up();
        server
    }

    fn wait_up(&self) {
        for _ in 0..400 {
            if self.output().contains("answering interactions") {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the server never came up:\n{}", self.output());
    }

    fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(8)))
            .unwrap();
        stream
    }

    fn sigterm(&self) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
    }

    /// Waits up to `limit` for the process to exit; its status if it did.
    fn exited_within(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

/// A signed PING: its head and body.
fn signed_ping(addr: SocketAddr, keep_alive: bool) -> (String, Vec<u8>) {
    let body = serde_json::to_vec(&ping()).unwrap();
    let timestamp = now();
    let mut message = timestamp.as_bytes().to_vec();
    message.extend_from_slice(&body);
    let signature = hex(&key().sign(&message).to_bytes());
    let connection = if keep_alive { "keep-alive" } else { "close" };
    let head = format!(
        "POST /interactions HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         X-Signature-Ed25519: {signature}\r\nX-Signature-Timestamp: {timestamp}\r\n\
         Content-Length: {}\r\nConnection: {connection}\r\n\r\n",
        body.len()
    );
    (head, body)
}

/// Reads until the server closes the connection (or the read times out):
/// what it sent, and whether it closed.
fn read_until_closed(stream: &mut TcpStream) -> (String, bool) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return (String::from_utf8_lossy(&seen).into_owned(), true),
            Ok(n) => seen.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return (String::from_utf8_lossy(&seen).into_owned(), true);
            }
            Err(_) => return (String::from_utf8_lossy(&seen).into_owned(), false),
        }
    }
}

/// Sends `head` and `body` whole and returns the response, the server
/// closing the connection after it.
fn exchange(server: &Server, head: &str, body: &[u8]) -> String {
    let mut stream = server.connect();
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    read_until_closed(&mut stream).0
}

#[test]
fn silent_slow_and_idle_connections_are_closed_after_the_read_timeout() {
    let server = Server::start(&["--read-timeout", "1"], None);
    let (head, body) = signed_ping(server.addr, true);
    let half_head = &head[..head.len() / 2];
    let cases: [(&str, &[u8]); 3] = [
        ("nothing sent", b""),
        ("half a head", half_head.as_bytes()),
        ("a head and half a body", &[]),
    ];
    for (what, sent) in cases {
        let mut stream = server.connect();
        stream.write_all(sent).unwrap();
        if what == "a head and half a body" {
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(&body[..body.len() / 2]).unwrap();
        }
        let started = Instant::now();
        let (_, closed) = read_until_closed(&mut stream);
        assert!(closed, "{what}: still open after {:?}", started.elapsed());
        assert!(started.elapsed() < Duration::from_secs(5), "{what}");
    }
    // A keep-alive connection is answered, then closed once idle.
    let mut stream = server.connect();
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body).unwrap();
    let started = Instant::now();
    let (response, closed) = read_until_closed(&mut stream);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(closed, "an idle keep-alive connection stayed open");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn idle_connections_past_the_file_limit_do_not_lock_out_requests() {
    let server = Server::start(&["--read-timeout", "1"], Some(64));
    let idle: Vec<TcpStream> = (0..200).map(|_| server.connect()).collect();
    std::thread::sleep(Duration::from_millis(300));
    let (head, body) = signed_ping(server.addr, false);
    let started = Instant::now();
    let response = exchange(&server, &head, &body);
    assert!(
        response.starts_with("HTTP/1.1 200"),
        "no answer after {:?}: {response:?}\n{}",
        started.elapsed(),
        server.output()
    );
    drop(idle);
    let reports = server.output().matches("cannot accept connections").count();
    assert!(
        reports <= 1,
        "accept failures logged {reports} times:\n{}",
        server.output()
    );
}

/// A connection that has sent a signed PING's headers and half its body,
/// given time to reach the server; and the rest of the body.
fn half_sent_ping(server: &Server) -> (TcpStream, Vec<u8>) {
    let (head, body) = signed_ping(server.addr, false);
    let mut stream = server.connect();
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body[..body.len() / 2]).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    (stream, body[body.len() / 2..].to_vec())
}

#[test]
fn sigterm_exits_within_the_grace_period_despite_partial_requests() {
    // A read timeout far past the grace period: only the grace period can
    // end the partial requests in time.
    let mut server = Server::start(&["--shutdown-grace", "2", "--read-timeout", "60"], None);
    let mut half_head = server.connect();
    half_head
        .write_all(b"POST /interactions HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let (_half_body, _) = half_sent_ping(&server);
    let started = Instant::now();
    server.sigterm();
    let status = server.exited_within(Duration::from_secs(10));
    let status = status.unwrap_or_else(|| panic!("still running:\n{}", server.output()));
    assert!(status.success(), "{status}:\n{}", server.output());
    assert!(started.elapsed() >= Duration::from_secs(2), "no grace");
}

#[test]
fn a_second_signal_stops_the_server_at_once() {
    let mut server = Server::start(&["--shutdown-grace", "60", "--read-timeout", "60"], None);
    let _half = half_sent_ping(&server);
    server.sigterm();
    // The first signal waits for the request in flight.
    assert!(
        server.exited_within(Duration::from_secs(1)).is_none(),
        "exited with a request in flight"
    );
    server.sigterm();
    assert!(
        server.exited_within(Duration::from_secs(5)).is_some(),
        "a second signal did not stop it:\n{}",
        server.output()
    );
}

#[test]
fn a_request_in_flight_at_sigterm_is_answered_before_exit() {
    let mut server = Server::start(&["--shutdown-grace", "5"], None);
    let (mut stream, rest) = half_sent_ping(&server);
    server.sigterm();
    std::thread::sleep(Duration::from_millis(300));
    // New connections are refused once shutdown began, while the request
    // in flight is still being read.
    assert!(
        TcpStream::connect(server.addr).is_err(),
        "a connection was accepted after SIGTERM"
    );
    stream.write_all(&rest).unwrap();
    let (response, _) = read_until_closed(&mut stream);
    assert!(response.starts_with("HTTP/1.1 200"), "{response:?}");
    assert!(response.contains("\"type\":1"), "{response}");
    let status = server.exited_within(Duration::from_secs(4));
    assert!(status.is_some_and(|s| s.success()), "{}", server.output());
}

#[test]
fn a_damaged_index_directory_is_logged_once() {
    let server = Server::start(&[], None);
    std::fs::write(server.dir.path().join("index/CURRENT"), "not a generation").unwrap();
    for _ in 0..5 {
        let response = exchange(
            &server,
            &format!(
                "GET /health HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                server.addr
            ),
            b"",
        );
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    }
    let warnings = server
        .output()
        .matches("cannot read the index directory")
        .count();
    assert_eq!(warnings, 1, "{}", server.output());
}
