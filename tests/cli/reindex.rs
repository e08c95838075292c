use std::fs::OpenOptions;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use dossier::answer::{Engine, Live};

use crate::util::{ARTICLE, Dossier, FACTS, Run, copy_dir};

#[test]
fn reindex_prints_a_summary() {
    let d = Dossier::new();
    let r = d.ok(&["reindex"]);
    assert!(
        r.stdout.contains("indexed 1 articles, 6 paragraphs"),
        "{}",
        r.stdout
    );
}

/// `dossier serve 2> file` keeps a log a person or a collector can read.
#[test]
fn logs_on_a_pipe_carry_no_colour_codes() {
    let d = Dossier::new();
    let r: crate::util::Run = d
        .command()
        .env("RUST_LOG", "dossier=debug")
        // Colour left to the terminal test alone.
        .env_remove("NO_COLOR")
        .arg("reindex")
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("DEBUG"), "no log line:\n{}", r.stderr);
    assert!(!r.stderr.contains('\u{1b}'), "{:?}", r.stderr);
}

#[test]
fn ask_on_a_fresh_checkout_builds_the_index_first() {
    let d = Dossier::new();
    assert!(!d.index().exists());
    let r = d.ok(&["ask", "What is the Trump Route?"]);
    assert!(r.stderr.contains("building the index"), "{}", r.stderr);
    assert!(
        r.stdout
            .contains("Trump Route for International Peace and Prosperity"),
        "{}",
        r.stdout
    );
    // The second run uses the index it built.
    let r = d.ok(&["ask", "What is the Trump Route?"]);
    assert!(!r.stderr.contains("building the index"), "{}", r.stderr);
}

#[test]
fn refused_content_leaves_the_old_index_answering() {
    let d = Dossier::new();
    d.ok(&["reindex"]);
    d.edit(FACTS, |s| s.replacen("\"putin\"", "\"puttin\"", 1));
    let r = d.run(&["reindex"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("unknown entity `puttin`"), "{}", r.stderr);
    assert!(
        r.stderr.contains("the index was left as it was"),
        "{}",
        r.stderr
    );
    let v = d.ok(&["ask", "Who is Vladimir Putin?", "--json"]).json();
    assert_eq!(v["answered"], true);
}

#[test]
fn stale_index_is_noted_with_a_hint() {
    let d = Dossier::new();
    d.ok(&["reindex"]);
    d.edit(FACTS, |s| s + "\n# an editor's note\n");
    let r = d.ok(&["ask", "Who is Vladimir Putin?"]);
    assert!(
        r.stderr.contains("changed since the index was built"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("dossier reindex"), "{}", r.stderr);
}

#[test]
fn an_index_of_other_stories_is_not_answered_from() {
    let d = Dossier::new();
    d.ok(&["reindex"]);
    let ask = |content: &Path, index: &Path| -> Run {
        d.with_paths(content, index)
            .args(["ask", "how long did the strike last", "--json"])
            .output()
            .unwrap()
            .into()
    };
    // Another story's content: the index of content/ does not answer for it.
    let other = d.dir.path().join("other");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/stories/train/brennock-dock-strike"),
        &other,
    );
    let r = ask(&other, &d.index());
    assert_eq!(r.code, 1, "{}", r.stdout);
    let error = &r.json()["error"];
    assert_eq!(error["kind"], "index_of_other_stories", "{error}");
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("other stories"), "{message}");
    assert!(message.contains("--index"), "{message}");
    // Given an index of its own, built on first use, it answers.
    let r = ask(&other, &d.dir.path().join("other-index"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["answered"], true);
    // A copy of the indexed content holds the same stories: its changes
    // are only noted, also where an article is filed under another name
    // than its id.
    let copy = d.dir.path().join("copy");
    copy_dir(&d.content(), &copy);
    let r = ask(&copy, &d.index());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let articles = copy.join("articles");
    std::fs::rename(
        articles.join(format!("{ARTICLE}.md")),
        articles.join("2025-08-peace.md"),
    )
    .unwrap();
    let r = ask(&copy, &d.index());
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn a_second_concurrent_reindex_fails_clearly() {
    let d = Dossier::new();
    d.ok(&["reindex"]);
    let lock = OpenOptions::new()
        .write(true)
        .open(d.index().join(".lock"))
        .unwrap();
    lock.try_lock().unwrap();
    let r = d.run(&["reindex"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("another reindex"), "{}", r.stderr);
    // A reader that must build an outdated index meanwhile: busy, in JSON too.
    let current = std::fs::read_to_string(d.index().join("CURRENT")).unwrap();
    let manifest = d.index().join(current.trim()).join("manifest.json");
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    m["schema_version"] = 0.into();
    make_writable(&manifest);
    std::fs::write(&manifest, m.to_string()).unwrap();
    let r = d.run(&["ask", "corridor", "--json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["error"]["kind"], "index_busy", "{v}");
    lock.unlock().unwrap();
    d.ok(&["reindex"]);
}

#[test]
fn an_index_of_another_schema_version_is_rebuilt() {
    let d = Dossier::new();
    d.ok(&["reindex"]);
    let current = std::fs::read_to_string(d.index().join("CURRENT")).unwrap();
    let manifest = d.index().join(current.trim()).join("manifest.json");
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    assert_eq!(m["schema_version"], dossier::index::SCHEMA_VERSION);
    m["schema_version"] = 0.into();
    std::fs::write(&manifest, m.to_string()).unwrap();
    let r = d.ok(&["ask", "Who is Vladimir Putin?", "--json"]);
    assert!(r.stderr.contains("building the index"), "{}", r.stderr);
    assert_eq!(r.json()["answered"], true);
}

#[test]
fn an_interrupted_build_leaves_no_trace_in_what_readers_see() {
    let d = Dossier::new();
    d.ok(&["reindex"]);
    // A scratch directory left by a killed reindex is ignored, then removed.
    let scratch = d.index().join(".tmp-999999");
    std::fs::create_dir_all(&scratch).unwrap();
    std::fs::write(scratch.join("meta.json"), "{").unwrap();
    d.ok(&["ask", "miracle"]);
    d.ok(&["reindex"]);
    assert!(!scratch.exists());
}

/// Readers query in a loop, in process, while the binary reindexes again
/// and again: no reader ever gets an error or an empty answer.
#[test]
fn readers_never_see_a_missing_or_empty_index_during_reindex() {
    let d = Dossier::new();
    d.ok(&["reindex"]);
    let index = d.index();
    let stop = Arc::new(AtomicBool::new(false));
    let live = Arc::new(Live::open(&index).unwrap());
    let readers: Vec<_> = (0..2)
        .map(|i| {
            let stop = stop.clone();
            let index = index.clone();
            let live = live.clone();
            std::thread::spawn(move || {
                let mut queries = 0u32;
                while !stop.load(Ordering::Relaxed) {
                    // One reader opens afresh each time, the other follows the index.
                    let answer = if i == 0 {
                        Engine::open(&index)
                            .expect("a reader could not open the index")
                            .ask("Where does the corridor go?")
                    } else {
                        live.engine().ask("Where does the corridor go?")
                    }
                    .expect("the index answers during a reindex");
                    assert!(answer.answered, "empty answer during reindex");
                    assert!(!answer.citations.is_empty());
                    queries += 1;
                }
                queries
            })
        })
        .collect();
    for _ in 0..8 {
        d.ok(&["reindex"]);
    }
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        let queries = r.join().expect("a reader failed");
        assert!(queries > 0);
    }
    assert!(live.engine().catalog().manifest.generation >= 9);
}

/// Paths come from `.env` in the working directory, the environment
/// winning over it and flags over both.
#[test]
fn settings_come_from_dotenv_and_flags_win() {
    let d = Dossier::new();
    std::fs::write(
        d.dir.path().join(".env"),
        format!(
            "DOSSIER_CONTENT={}\nDOSSIER_INDEX=from-dotenv\n",
            d.content().display()
        ),
    )
    .unwrap();
    let run = |args: &[&str], env: &[(&str, &str)]| -> crate::util::Run {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_dossier"));
        cmd.current_dir(d.dir.path())
            .env_remove("DOSSIER_CONTENT")
            .env_remove("DOSSIER_INDEX")
            .args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap().into()
    };
    let r = run(&["reindex"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(d.dir.path().join("from-dotenv/CURRENT").is_file());
    let r = run(&["reindex"], &[("DOSSIER_INDEX", "from-env")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(d.dir.path().join("from-env/CURRENT").is_file());
    let r = run(
        &["reindex", "--index", "from-flag"],
        &[("DOSSIER_INDEX", "from-env")],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(d.dir.path().join("from-flag/CURRENT").is_file());
}

/// Published generations are read-only; a test that damages one on
/// purpose makes the file writable first.
fn make_writable(path: &std::path::Path) {
    let mut perms = std::fs::metadata(path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(path, perms).unwrap();
}
