//! Content files that are not what they seem, with the real binary.
//!
//! Properties pinned here:
//! - directory symlinks that loop never hang `check`, `reindex` or a reader;
//! - a symlink loop, a dangling symlink or a FIFO in place of a content
//!   file is reported against that file, by `check` and `reindex` alike;
//! - an over-long paragraph is refused with the limit, its file and line,
//!   and a 50 MB one is refused quickly in bounded memory.

use std::os::unix::fs::symlink;
use std::process::Command;

use crate::util::{ARTICLE, Dossier, Run, bounded};

/// One GiB of address space: far more than dossier needs on this content.
const ONE_GIB: u64 = 1 << 20;

fn run(d: &Dossier, args: &[&str]) -> Run {
    let mut cmd = d.command();
    cmd.args(args);
    bounded(&cmd, ONE_GIB)
}

/// The diagnostic blocks (`error: …` up to the next blank line) of stderr.
fn diagnostics(stderr: &str) -> Vec<String> {
    stderr
        .split("\n\n")
        .filter(|b| b.starts_with("error: ") && b.contains("-->"))
        .map(str::to_string)
        .collect()
}

/// `check` and `reindex` both fail and report the same problems.
fn check_and_reindex_agree(d: &Dossier, expected: &[&str]) {
    let check = run(d, &["check"]);
    assert_eq!(check.code, 1, "check: {}", check.stderr);
    let reindex = run(d, &["reindex"]);
    assert_eq!(reindex.code, 1, "reindex: {}", reindex.stderr);
    for e in expected {
        assert!(check.stderr.contains(e), "check, {e:?}: {}", check.stderr);
    }
    assert_eq!(
        diagnostics(&check.stderr),
        diagnostics(&reindex.stderr),
        "check and reindex report differently"
    );
}

#[test]
fn directory_symlink_loops_hang_nothing() {
    let d = Dossier::new();
    symlink(".", d.content().join("articles/a")).unwrap();
    symlink(".", d.content().join("articles/b")).unwrap();
    symlink("..", d.content().join("facts/up")).unwrap();
    symlink(".", d.content().join("loop")).unwrap();
    for args in [&["check"][..], &["reindex"], &["ask", "corridor"]] {
        let r = run(&d, args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    }
    assert!(
        !run(&d, &["ask", "corridor"])
            .stderr
            .contains("changed since"),
        "the loops made the index look stale"
    );
}

#[test]
fn a_file_symlink_loop_is_reported_against_the_file() {
    let d = Dossier::new();
    symlink("loop.md", d.content().join("articles/loop.md")).unwrap();
    check_and_reindex_agree(&d, &["articles/loop.md", "cannot be read"]);
}

#[test]
fn a_dangling_symlink_is_reported_against_the_file() {
    let d = Dossier::new();
    symlink("nowhere.toml", d.content().join("facts/gone.toml")).unwrap();
    check_and_reindex_agree(&d, &["facts/gone.toml", "cannot be read"]);
}

fn mkfifo(path: &std::path::Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

#[test]
fn a_fifo_as_a_facts_file_is_an_error() {
    let d = Dossier::new();
    mkfifo(&d.content().join("facts/more.toml"));
    check_and_reindex_agree(&d, &["facts/more.toml", "not a regular file"]);
}

#[test]
fn a_fifo_as_entities_toml_is_an_error() {
    let d = Dossier::new();
    let entities = d.content().join("entities.toml");
    std::fs::remove_file(&entities).unwrap();
    mkfifo(&entities);
    check_and_reindex_agree(&d, &["entities.toml", "not a regular file"]);
}

#[test]
fn an_over_long_paragraph_is_refused_with_its_file_and_line() {
    let d = Dossier::new();
    let rel = format!("articles/{ARTICLE}.md");
    let before = std::fs::read_to_string(d.content().join(&rel)).unwrap();
    let line = before.trim_end().lines().count() + 2;
    let paragraphs = d.ok(&["source", "--json"]).json().as_array().unwrap().len();
    d.edit(&rel, |t| {
        format!("{}\n\n{}\n", t.trim_end(), "word ".repeat(4000))
    });
    check_and_reindex_agree(
        &d,
        &[
            &format!("paragraph {} is 19999 bytes long", paragraphs + 1),
            "over the limit of 16384 bytes",
            &format!("{rel}:{line}:1"),
        ],
    );
}

#[test]
fn an_over_long_paragraph_in_a_crlf_file_is_refused_at_its_own_line() {
    let d = Dossier::new();
    let rel = format!("articles/{ARTICLE}.md");
    let before = std::fs::read_to_string(d.content().join(&rel)).unwrap();
    let line = before.trim_end().lines().count() + 2;
    // Short lines: the paragraph's first 64 bytes span line breaks.
    let long = "word word word\n".repeat(1500);
    d.edit(&rel, |t| {
        format!("{}\n\n{long}", t.trim_end()).replace('\n', "\r\n")
    });
    check_and_reindex_agree(
        &d,
        &["over the limit of 16384 bytes", &format!("{rel}:{line}:1")],
    );
}

#[test]
fn a_50_mb_paragraph_is_refused_quickly_in_bounded_memory() {
    let d = Dossier::new();
    let text = format!(
        "+++\nid = \"huge\"\ntitle = \"Huge\"\ndate = 2025-08-08\n+++\n\n{}\n",
        "word ".repeat(10 << 20)
    );
    std::fs::write(d.content().join("articles/huge.md"), text).unwrap();
    let started = std::time::Instant::now();
    check_and_reindex_agree(&d, &["articles/huge.md:7:1", "over the limit"]);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
}
