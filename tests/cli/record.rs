//! The record of use, on SQLite and (when `DOSSIER_TEST_POSTGRES` names a
//! server, as in CI) on PostgreSQL with the same tests:
//! - migrations run once and the salt is kept, so a user hashes alike on
//!   every open; no raw user id is stored;
//! - one vote per person per answer, a second click changing it;
//! - declined and voted-down questions are what `gaps` reads; `feedback`
//!   counts votes per story and citation; `forget` and pruning delete;
//! - 1,000 votes from 50 concurrent tasks are all written;
//! - a locked or stopped database never makes recording wait, and writing
//!   resumes when it is back;
//! - `gaps` groups paraphrases of one missing fact together;
//! - the story a channel's conversation is on is shared by replicas of one
//!   store, the later answer winning, and a store that cannot be read
//!   answers "unavailable" instead of making a reply wait.
//!
//! With `DOSSIER_TEST_POSTGRES` set, a server that cannot be reached fails
//! the tests: CI must not pass by skipping them.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use dossier::record::{
    Ask, Conversation, Deadlines, Event, Location, Recorder, Store, StoreError, Trouble,
    Unavailable, Vote, gaps,
};

use crate::util::Dossier;

const NOW: i64 = 1_800_000_000;

/// The PostgreSQL server to test against, if any.
fn postgres() -> Option<String> {
    std::env::var("DOSSIER_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.trim().is_empty())
}

/// A fresh database on the test server, as a location.
fn fresh_postgres(url: &str, name: &str) -> Location {
    let mut admin = postgres::Client::connect(url, postgres::NoTls).unwrap_or_else(|e| {
        panic!("DOSSIER_TEST_POSTGRES is set but the server cannot be reached: {e}")
    });
    let db = format!("dossier_test_{name}_{}", std::process::id());
    for sql in [
        format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
        format!("CREATE DATABASE {db}"),
    ] {
        admin.batch_execute(&sql).unwrap();
    }
    let (base, _) = url.rsplit_once('/').expect("a URL with a database name");
    Location::Postgres(format!("{base}/{db}"))
}

/// Runs `test` on a SQLite file and, when configured, on PostgreSQL.
fn each_store(name: &str, test: impl Fn(Location)) {
    let dir = tempfile::tempdir().unwrap();
    test(Location::Sqlite(dir.path().join("data").join("dossier.db")));
    match postgres() {
        Some(url) => test(fresh_postgres(&url, name)),
        None => eprintln!("{name}: DOSSIER_TEST_POSTGRES is not set; PostgreSQL not tested"),
    }
}

fn ask(id: u64, user: u64, question: &str, answered: bool) -> Event {
    Event::Ask(Ask {
        id,
        at: NOW,
        user,
        question: question.to_string(),
        story: Some("azerbaijan-armenia-peace-deal".to_string()),
        answered,
        citation: answered.then(|| "azerbaijan-armenia-peace-deal#4".to_string()),
        lead: (!answered).then(|| "azerbaijan-armenia-peace-deal#6".to_string()),
        generation: 3,
        engine_us: 1200,
    })
}

fn vote(answer: u64, user: u64, up: bool) -> Event {
    Event::Vote(Vote {
        answer,
        user,
        up,
        at: NOW,
    })
}

#[test]
fn asks_and_votes_are_stored_counted_forgotten_and_pruned() {
    each_store("round_trip", |location| {
        let mut store = Store::open(&location).unwrap();
        let hash = store.user_hash(42);
        assert!(
            hash.len() == 32 && hash.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')),
            "{hash}"
        );
        // Salted: not the id's plain hash, and another record's salt differs.
        use sha2::Digest;
        let plain: String = sha2::Sha256::digest(b"42")
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_ne!(hash, plain, "the user id is hashed without a salt");
        let elsewhere = tempfile::tempdir().unwrap();
        let other = Store::open(&Location::Sqlite(elsewhere.path().join("other.db"))).unwrap();
        assert_ne!(other.user_hash(42), hash, "two records share a salt");
        // Open again: migrations are not rerun and the salt is the same.
        let store2 = Store::open(&location).unwrap();
        assert_eq!(store2.user_hash(42), hash);
        assert_ne!(store2.user_hash(43), hash);

        store
            .write(&ask(1, 42, "What is the Trump Route?", true))
            .unwrap();
        store
            .write(&ask(2, 43, "How many people live in Armenia?", false))
            .unwrap();
        store
            .write(&ask(3, 44, "Who signed the deal?", true))
            .unwrap();
        store.write(&vote(1, 43, false)).unwrap();
        store.write(&vote(1, 43, true)).unwrap(); // a second click changes it
        store.write(&vote(3, 42, false)).unwrap();
        store.write(&vote(3, 44, true)).unwrap();
        assert_eq!(store.counts().unwrap(), (3, 3));

        let troubles = store.troubles(NOW - 10, None).unwrap();
        let questions: Vec<&str> = troubles.iter().map(|t| t.question.as_str()).collect();
        assert_eq!(
            questions,
            ["How many people live in Armenia?", "Who signed the deal?"]
        );
        assert!(troubles[0].declined && !troubles[1].declined);
        // Where each came nearest: the passage offered, the paragraph cited.
        let passages: Vec<Option<&str>> = troubles.iter().map(|t| t.passage.as_deref()).collect();
        assert_eq!(
            passages,
            [
                Some("azerbaijan-armenia-peace-deal#6"),
                Some("azerbaijan-armenia-peace-deal#4")
            ]
        );
        assert!(store.troubles(NOW + 10, None).unwrap().is_empty());
        assert!(
            store
                .troubles(NOW - 10, Some("another-story"))
                .unwrap()
                .is_empty()
        );

        let feedback = store.feedback().unwrap();
        assert_eq!(feedback.len(), 1, "{feedback:?}");
        assert_eq!((feedback[0].up, feedback[0].down), (2, 1));

        // Forgetting 42 removes their ask and their vote, nothing else.
        assert_eq!(store.forget(42).unwrap(), 2);
        assert_eq!(store.counts().unwrap(), (2, 2));
        assert_eq!(store.prune(NOW + 1).unwrap(), 4);
        assert_eq!(store.counts().unwrap(), (0, 0));
    });
}

#[test]
fn no_user_id_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.db");
    let mut store = Store::open(&Location::Sqlite(path.clone())).unwrap();
    let user = 80_351_110_224_678_912;
    store
        .write(&ask(7, user, "Who brokered the deal?", true))
        .unwrap();
    store.write(&vote(7, user, true)).unwrap();
    drop(store);
    let c = rusqlite::Connection::open(&path).unwrap();
    let dump: String = c
        .query_row(
            "SELECT group_concat(user_hash) FROM (SELECT user_hash FROM asks UNION ALL SELECT user_hash FROM votes)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!dump.contains(&user.to_string()));
    let mut bytes = Vec::new();
    for name in ["d.db", "d.db-wal"] {
        if let Ok(mut f) = std::fs::File::open(dir.path().join(name)) {
            f.read_to_end(&mut bytes).unwrap();
        }
    }
    let needle = user.to_string();
    assert!(!bytes.windows(needle.len()).any(|w| w == needle.as_bytes()));
}

#[test]
fn a_thousand_votes_from_fifty_concurrent_tasks_are_all_kept() {
    each_store("thousand_votes", |location| {
        let recorder = Recorder::start(location.clone(), 90);
        std::thread::scope(|s| {
            for task in 0..50u64 {
                let recorder = recorder.clone();
                s.spawn(move || {
                    for i in 0..20u64 {
                        recorder.record(vote(1000 + i, task, i % 3 == 0));
                    }
                });
            }
        });
        assert!(recorder.flush(Duration::from_secs(60)));
        let health = recorder.health();
        assert_eq!(
            (health.written, health.failed, health.dropped),
            (1000, 0, 0),
            "{health:?}"
        );
        assert_eq!(Store::open(&location).unwrap().counts().unwrap(), (0, 1000));
    });
}

#[test]
fn a_locked_sqlite_file_never_makes_recording_wait() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.db");
    let location = Location::Sqlite(path.clone());
    drop(Store::open(&location).unwrap());
    let recorder = Recorder::start(location.clone(), 90);
    recorder.record(ask(1, 1, "before", true));
    assert!(recorder.flush(Duration::from_secs(10)));

    let locker = rusqlite::Connection::open(&path).unwrap();
    locker.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let started = Instant::now();
    for i in 0..200 {
        recorder.record(ask(100 + i, 1, "while locked", true));
    }
    // Waiting on the lock would cost 500 ms a call (SQLite's busy
    // timeout), 100 s in all; a few seconds bound a slow debug build.
    let queued = started.elapsed();
    assert!(
        queued < Duration::from_secs(5),
        "recording waited {queued:?}"
    );
    wait_for_state(&recorder, "failing");
    locker.execute_batch("ROLLBACK").unwrap();

    assert!(recorder.flush(Duration::from_secs(120)));
    recorder.record(ask(999, 1, "after", true));
    assert!(recorder.flush(Duration::from_secs(10)));
    let health = recorder.health();
    assert_eq!(health.state, "ok", "{health:?}");
    assert!(health.failed > 0);
    assert_eq!(
        health.written + health.failed + health.dropped,
        202,
        "{health:?}"
    );
}

/// A TCP relay to the database that can be cut, as if the server stopped,
/// or frozen, as if it accepted data and never answered: a frozen relay
/// holds new connections open without reading them and stops passing
/// bytes on those it relays.
struct Relay {
    port: u16,
    up: Arc<AtomicBool>,
    frozen: Arc<AtomicBool>,
}

impl Relay {
    fn start(target: String) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let frozen = Arc::new(AtomicBool::new(false));
        let (flag, ice) = (up.clone(), frozen.clone());
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for client in listener.incoming().flatten() {
                if !flag.load(Ordering::SeqCst) {
                    continue; // dropped: refused
                }
                if ice.load(Ordering::SeqCst) {
                    held.push(client);
                    continue;
                }
                let Ok(server) = TcpStream::connect(&target) else {
                    continue;
                };
                for (from, to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    let (flag, ice) = (flag.clone(), ice.clone());
                    std::thread::spawn(move || pass_on(from, to, &flag, &ice));
                }
            }
        });
        Relay { port, up, frozen }
    }

    /// The relay's URL for the database at `db_url`.
    fn around(db_url: &str) -> (Relay, String) {
        let parsed: postgres::Config = db_url.parse().unwrap();
        let host = match &parsed.get_hosts()[0] {
            postgres::config::Host::Tcp(h) => h.clone(),
            other => panic!("a TCP host is needed, not {other:?}"),
        };
        let port = parsed.get_ports().first().copied().unwrap_or(5432);
        let relay = Relay::start(format!("{host}:{port}"));
        let relayed = db_url.replacen(&format!(":{port}/"), &format!(":{}/", relay.port), 1);
        (relay, relayed)
    }
}

/// Copies `from` to `to` until either closes or the relay is cut; while it
/// is frozen, nothing is read or passed on.
fn pass_on(mut from: TcpStream, mut to: TcpStream, up: &AtomicBool, frozen: &AtomicBool) {
    let mut buf = [0u8; 8192];
    from.set_read_timeout(Some(Duration::from_millis(50))).ok();
    loop {
        if !up.load(Ordering::SeqCst) {
            let _ = to.shutdown(std::net::Shutdown::Both);
            let _ = from.shutdown(std::net::Shutdown::Both);
            return;
        }
        if frozen.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(20));
            continue;
        }
        match from.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    return;
                }
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return,
        }
    }
}

/// A fresh database on the test server behind a [`Relay`], and the URL
/// that reaches it through the relay; `None` when no server is configured.
fn relayed_postgres(name: &str) -> Option<(Relay, String)> {
    let Some(url) = postgres() else {
        eprintln!("DOSSIER_TEST_POSTGRES is not set; PostgreSQL not tested");
        return None;
    };
    let Location::Postgres(db_url) = fresh_postgres(&url, name) else {
        unreachable!()
    };
    Some(Relay::around(&db_url))
}

#[test]
fn a_postgres_server_that_stops_mid_run_never_makes_recording_wait() {
    let Some((relay, relayed)) = relayed_postgres("stops") else {
        return;
    };
    let recorder = Recorder::start(Location::Postgres(relayed), 90);
    for i in 0..50 {
        recorder.record(ask(i, 1, "while up", true));
    }
    recorder.record(moved_on(41, "harbour-strike", NOW));
    assert!(recorder.flush(Duration::from_secs(30)));
    let on = Some(("harbour-strike".to_string(), NOW));
    assert_eq!(read_conversation(&recorder, 41, 0), on);
    relay.up.store(false, Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    for i in 50..250 {
        recorder.record(ask(i, 1, "while down", true));
    }
    for _ in 0..20 {
        assert_eq!(recorder.conversation(41, 0), Err(Unavailable));
    }
    // Waiting on the server would cost the connect timeout (3 s) a call.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "recording waited {:?}",
        started.elapsed()
    );
    assert!(recorder.flush(Duration::from_secs(60)));
    assert_eq!(recorder.health().state, "failing");
    relay.up.store(true, Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(2500));
    recorder.record(ask(999, 1, "back", true));
    assert!(recorder.flush(Duration::from_secs(30)));
    let health = recorder.health();
    assert_eq!(health.state, "ok", "{health:?}");
    assert_eq!(health.written, 52, "{health:?}");
    assert_eq!(
        read_conversation(&recorder, 41, 0),
        on,
        "the reader never reopened"
    );
}

#[test]
fn a_postgres_server_that_never_answers_holds_the_record_only_until_its_deadline() {
    let Some((relay, relayed)) = relayed_postgres("frozen") else {
        return;
    };
    let deadlines = Deadlines {
        write: Duration::from_millis(800),
        lookup: Duration::from_millis(400),
    };
    let recorder = Recorder::start_within(Location::Postgres(relayed.clone()), 90, deadlines);
    recorder.record(moved_on(41, "harbour-strike", NOW));
    assert!(recorder.flush(Duration::from_secs(30)));
    let on = Some(("harbour-strike".to_string(), NOW));
    assert_eq!(read_conversation(&recorder, 41, 0), on);

    relay.frozen.store(true, Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    for i in 0..20 {
        recorder.record(ask(i, 1, "while frozen", true));
        assert_eq!(recorder.conversation(41, 0), Err(Unavailable));
    }
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "recording waited {:?}",
        started.elapsed()
    );
    // The stuck write fails at its deadline; the writer drops the
    // connection instead of waiting on it for good.
    wait_for_state(&recorder, "failing");
    let last_error = recorder.health().last_error.unwrap_or_default();
    assert!(last_error.contains("did not answer"), "{last_error}");
    // Opening a new connection to the frozen server fails too: its
    // handshake has a deadline of its own (10 s at least, so that a host's
    // next address is tried after a first that drops packets).
    let opening = Instant::now();
    let frozen = Store::open_within(&Location::Postgres(relayed), Duration::from_millis(500));
    assert!(
        matches!(frozen, Err(StoreError::Timeout(_))),
        "{:?}",
        frozen.err()
    );
    assert!(opening.elapsed() < Duration::from_secs(15));

    relay.frozen.store(false, Ordering::SeqCst);
    // The writer opens the store again on a write after its pause (and
    // after a handshake begun while frozen has failed).
    let deadline = Instant::now() + Duration::from_secs(40);
    for i in 1000.. {
        recorder.record(ask(i, 1, "thawed", true));
        assert!(recorder.flush(Duration::from_secs(30)));
        if recorder.health().state == "ok" {
            break;
        }
        assert!(Instant::now() < deadline, "{:?}", recorder.health());
        std::thread::sleep(Duration::from_millis(200));
    }
    let deadline = Instant::now() + Duration::from_secs(40);
    while recorder.conversation(41, 0) != Ok(on.clone()) {
        assert!(
            Instant::now() < deadline,
            "the reader never opened the store again"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits up to 10 s for the recorder's health to read `state`.
fn wait_for_state(recorder: &Recorder, state: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while recorder.health().state != state {
        assert!(
            Instant::now() < deadline,
            "health stayed {:?}",
            recorder.health()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn declined(question: &str, paragraph: u32) -> Trouble {
    Trouble {
        question: question.to_string(),
        story: Some("azerbaijan-armenia-peace-deal".to_string()),
        declined: true,
        passage: Some(format!("azerbaijan-armenia-peace-deal#{paragraph}")),
    }
}

const POPULATION: &[&str] = &[
    "How many people live in Armenia?",
    "What is the population of Armenia?",
    "how many people live in armenia",
    "Armenia's population?",
    "How many inhabitants does Armenia have?",
];
const COST: &[&str] = &[
    "How much will the corridor cost?",
    "What is the cost of the corridor?",
    "How much does the corridor cost to build?",
];
const OTHERS: &[&str] = &[
    "Who is the president of France?",
    "When was the treaty signed?",
];

#[test]
fn gaps_groups_paraphrases_of_one_missing_fact() {
    // The population questions came nearest ¶5, all but one (¶2).
    let troubles: Vec<Trouble> = POPULATION
        .iter()
        .enumerate()
        .map(|(i, q)| declined(q, if i == 1 { 2 } else { 5 }))
        .chain(COST.iter().map(|q| declined(q, 4)))
        .chain(OTHERS.iter().map(|q| declined(q, 1)))
        .collect();
    let groups = gaps::group(&troubles);
    assert_eq!(groups[0].count, POPULATION.len(), "{groups:#?}");
    assert!(
        groups[0]
            .examples
            .iter()
            .all(|e| POPULATION.iter().any(|p| p == e))
    );
    assert_eq!(
        groups[0].passage.as_deref(),
        Some("azerbaijan-armenia-peace-deal#5")
    );
    assert_eq!(groups[1].count, COST.len(), "{groups:#?}");
    assert_eq!(
        groups[1].passage.as_deref(),
        Some("azerbaijan-armenia-peace-deal#4")
    );
    assert_eq!(
        groups.iter().map(|g| g.count).sum::<usize>(),
        troubles.len()
    );
    assert_eq!(groups.len(), 4, "{groups:#?}");
}

#[test]
fn gaps_feedback_and_forget_read_the_recorded_log() {
    let d = Dossier::new();
    let db = d.content().parent().unwrap().join("record.db");
    let now = dossier::record::now();
    let mut store = Store::open(&Location::Sqlite(db.clone())).unwrap();
    for (i, q) in POPULATION.iter().chain(COST).enumerate() {
        let mut e = ask(i as u64, 500 + i as u64, q, false);
        if let Event::Ask(a) = &mut e {
            a.at = now;
        }
        store.write(&e).unwrap();
    }
    store.write(&vote(0, 77, false)).unwrap();
    drop(store);
    let db_arg = db.to_str().unwrap();

    let gaps = d.ok(&["gaps", "--json", "--db", db_arg]).json();
    assert_eq!(gaps["questions"], 8);
    assert_eq!(gaps["groups"][0]["count"], 5, "{gaps:#}");
    let text = d.ok(&["gaps", "--db", db_arg, "--since", "1h"]).stdout;
    assert!(text.contains("5×"), "{text}");
    assert!(
        text.contains("nearest: ¶6 of azerbaijan-armenia-peace-deal"),
        "{text}"
    );
    assert_eq!(
        gaps["groups"][0]["passage"], "azerbaijan-armenia-peace-deal#6",
        "{gaps:#}"
    );

    let feedback = d.ok(&["feedback", "--json", "--db", db_arg]).json();
    assert_eq!(feedback["stories"][0]["down"], 1, "{feedback:#}");

    let forgot = d.ok(&["forget", "500", "--db", db_arg]).stdout;
    assert!(forgot.contains("removed 1 records"), "{forgot}");
    let bad = d.run(&["forget", "alice", "--db", db_arg]);
    assert_ne!(bad.code, 0);
}

/// A mistyped `--db`, or the default path run from elsewhere, must not
/// create an empty record and report on it: `forget` would say "removed 0
/// records" of a person whose records are still in the bot's.
#[test]
fn gaps_feedback_and_forget_refuse_a_record_that_does_not_exist() {
    let d = Dossier::new();
    let missing = d.dir.path().join("nowhere").join("x.db");
    let db = missing.to_str().unwrap();
    let runs = [
        vec!["forget", "123", "--db", db],
        vec!["gaps", "--db", db],
        vec!["feedback", "--db", db],
        // The default, data/dossier.db, from a directory the bot never ran in.
        vec!["forget", "123"],
    ];
    for args in runs {
        let r: crate::util::Run = d
            .command()
            .env_remove("DOSSIER_DB")
            .env_remove("DATABASE_URL")
            .args(&args)
            .output()
            .unwrap()
            .into();
        assert_eq!(r.code, 1, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(!r.stdout.contains("removed"), "{args:?}: {}", r.stdout);
        let named = if args.len() == 2 {
            "data/dossier.db"
        } else {
            db
        };
        assert!(
            r.stderr.contains(&format!("no record at {named}")) && r.stderr.contains("--db"),
            "{args:?}: {}",
            r.stderr
        );
    }
    assert!(!d.dir.path().join("nowhere").exists());
    assert!(!d.dir.path().join("data").exists());

    let json = d.run(&["feedback", "--json", "--db", db]).json();
    assert_eq!(json["error"]["kind"], "record_missing", "{json:#}");
}

/// The recorder prunes what is older than its `keep_days` when it starts.
#[test]
fn a_starting_recorder_prunes_records_past_their_days() {
    let dir = tempfile::tempdir().unwrap();
    let location = Location::Sqlite(dir.path().join("d.db"));
    let day = 86_400;
    let at = |days_ago: i64, id: u64| {
        let Event::Ask(mut a) = ask(id, 1, "how old is this", true) else {
            unreachable!()
        };
        a.at = dossier::record::now() - days_ago * day;
        Event::Ask(a)
    };
    let mut store = Store::open(&location).unwrap();
    store.write(&at(100, 1)).unwrap();
    store.write(&at(10, 2)).unwrap();
    assert_eq!(store.counts().unwrap().0, 2);
    drop(store);

    let recorder = Recorder::start(location.clone(), 90);
    recorder.record(at(0, 3));
    assert!(recorder.flush(Duration::from_secs(10)));
    let mut store = Store::open(&location).unwrap();
    assert_eq!(store.counts().unwrap().0, 2, "the 100-day-old ask was kept");
}

fn moved_on(channel: u64, story: &str, at: i64) -> Event {
    Event::Conversation(Conversation {
        channel,
        story: story.to_string(),
        at,
    })
}

/// The conversation `recorder` reads, once its reader has opened the store.
fn read_conversation(recorder: &Recorder, channel: u64, since: i64) -> Option<(String, i64)> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match recorder.conversation(channel, since) {
            Ok(found) => return found,
            Err(Unavailable) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Err(e) => panic!("the store was never read: {e}"),
        }
    }
}

#[test]
fn replicas_of_one_store_share_each_channels_conversation() {
    each_store("conversations", |location| {
        let (one, two) = (
            Recorder::start(location.clone(), 90),
            Recorder::start(location.clone(), 90),
        );
        one.record(moved_on(41, "harbour-strike", NOW));
        assert!(one.flush(Duration::from_secs(10)));
        assert_eq!(
            read_conversation(&two, 41, NOW - 60),
            Some(("harbour-strike".to_string(), NOW)),
            "a replica did not see the other's answer"
        );
        assert_eq!(
            read_conversation(&two, 42, NOW - 60),
            None,
            "another channel"
        );
        assert_eq!(
            read_conversation(&two, 41, NOW + 1),
            None,
            "an answer before the window counts"
        );

        // The later answer wins, whichever replica's write lands last.
        two.record(moved_on(41, "bridge-vote", NOW + 20));
        assert!(two.flush(Duration::from_secs(10)));
        one.record(moved_on(41, "harbour-strike", NOW + 10));
        assert!(one.flush(Duration::from_secs(10)));
        let now_on = read_conversation(&one, 41, NOW);
        assert_eq!(now_on, Some(("bridge-vote".to_string(), NOW + 20)));

        let mut store = Store::open(&location).unwrap();
        assert_eq!(store.prune_conversations(NOW + 21).unwrap(), 1);
        assert_eq!(store.conversation(41, 0).unwrap(), None);
        assert_eq!(
            store.counts().unwrap(),
            (0, 0),
            "a conversation is not a record of use"
        );
    });
}

#[test]
fn a_store_that_cannot_open_answers_unavailable_not_a_story() {
    let blocker = tempfile::NamedTempFile::new().unwrap();
    let recorder = Recorder::start(Location::Sqlite(blocker.path().join("d.db")), 90);
    recorder.record(moved_on(41, "harbour-strike", NOW));
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(recorder.conversation(41, 0), Err(Unavailable));
    assert_eq!(Recorder::off().conversation(41, 0), Err(Unavailable));
    assert_eq!(recorder.health().conversations, "local");
}

#[test]
fn a_channel_follows_the_newer_of_its_process_memory_and_the_store() {
    use dossier::discord::channels::{Channels, FOLLOW_UP_WINDOW};
    let dir = tempfile::tempdir().unwrap();
    let recorder = Recorder::start(Location::Sqlite(dir.path().join("d.db")), 90);
    let channels = Channels::shared(FOLLOW_UP_WINDOW, recorder.clone());
    let now = dossier::record::now();
    read_conversation(&recorder, 0, 0);

    channels.answered(7, "harbour-strike");
    assert_eq!(channels.recent(7).as_deref(), Some("harbour-strike"));
    // Another replica answered in the channel since.
    recorder.record(moved_on(7, "bridge-vote", now + 5));
    assert!(recorder.flush(Duration::from_secs(10)));
    assert_eq!(channels.recent(7).as_deref(), Some("bridge-vote"));

    // A replica's older answer does not undo this process's newer one.
    recorder.record(moved_on(8, "bridge-vote", now - 60));
    assert!(recorder.flush(Duration::from_secs(10)));
    channels.answered(8, "harbour-strike");
    assert_eq!(channels.recent(8).as_deref(), Some("harbour-strike"));
    // Past the window, neither counts.
    recorder.record(moved_on(9, "bridge-vote", now - 3600));
    assert!(recorder.flush(Duration::from_secs(10)));
    assert_eq!(channels.recent(9), None);
}
