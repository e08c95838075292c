//! Faults of the index directory, with the real binary.
//!
//! Properties pinned here:
//! - whatever `CURRENT` holds (garbage, a directory, a FIFO, a link to
//!   `/dev/zero`, a missing generation), readers fail quickly with a clear
//!   "run `dossier reindex`" message said once, and `reindex` repairs it;
//! - a damaged generation gets the same short message, not tantivy's;
//! - published generations are read-only on disk;
//! - a reader that may not write to the index still opens it.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::util::{Dossier, Run, bounded};

fn generations(index: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(index)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("gen-"))
        .collect();
    out.sort();
    out
}

fn current_generation(index: &Path) -> PathBuf {
    let name = std::fs::read_to_string(index.join("CURRENT")).unwrap();
    index.join(name.trim())
}

/// A reader fails with the fix in one short message; reindex repairs.
fn assert_reported_and_repaired(d: &Dossier, what: &str) {
    let mut ask = d.command();
    ask.args(["ask", "corridor"]);
    let r = bounded(&ask, 4 << 20);
    assert_eq!(r.code, 1, "{what}: {}", r.stderr);
    assert!(r.stderr.contains("damaged"), "{what}: {}", r.stderr);
    assert_eq!(
        r.stderr.matches("run `dossier reindex`").count(),
        1,
        "{what}: {}",
        r.stderr
    );
    assert!(r.stderr.len() < 600, "{what}: a long message: {}", r.stderr);
    assert!(r.stderr.matches("os error").count() <= 1, "{}", r.stderr);
    let r = d.run(&["ask", "corridor", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["error"]["kind"], "index_damaged", "{what}: {v}");
    let r = d.run(&["reindex"]);
    assert_eq!(r.code, 0, "{what}: reindex did not repair: {}", r.stderr);
    d.ok(&["ask", "corridor"]);
}

/// A way to damage `CURRENT`.
type Damage = Box<dyn Fn(&Path)>;

#[test]
fn reindex_repairs_whatever_current_holds() {
    let d = Dossier::new();
    d.ok(&["reindex"]);
    let current = d.index().join("CURRENT");
    let cases: Vec<(&str, Damage)> = vec![
        (
            "garbage",
            Box::new(|p| std::fs::write(p, "\u{0}\u{1}garbage/../x").unwrap()),
        ),
        ("empty", Box::new(|p| std::fs::write(p, "").unwrap())),
        (
            "a long file",
            Box::new(|p| std::fs::write(p, "gen-".repeat(1 << 20)).unwrap()),
        ),
        ("a directory", Box::new(|p| std::fs::create_dir(p).unwrap())),
        (
            "a link to /dev/zero",
            Box::new(|p| std::os::unix::fs::symlink("/dev/zero", p).unwrap()),
        ),
        (
            "a FIFO",
            Box::new(|p| {
                let ok = Command::new("mkfifo").arg(p).status().unwrap();
                assert!(ok.success());
            }),
        ),
        (
            "a missing generation",
            Box::new(|p| std::fs::write(p, "gen-00000099-00000000deadbeef").unwrap()),
        ),
    ];
    for (what, damage) in cases {
        let _ = std::fs::remove_file(&current);
        damage(&current);
        assert_reported_and_repaired(&d, what);
    }
}

#[test]
fn a_missing_generation_is_named() {
    let d = Dossier::new();
    d.ok(&["reindex"]);
    std::fs::write(d.index().join("CURRENT"), "gen-00000099-00000000deadbeef").unwrap();
    let r = d.run(&["ask", "corridor"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("gen-00000099-00000000deadbeef, which does not exist"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_damaged_generation_gets_the_fix_not_tantivys_error() {
    let d = Dossier::new();
    d.ok(&["reindex"]);
    let generation = current_generation(&d.index());
    // The largest file of the generation: a segment file.
    let (victim, len) = std::fs::read_dir(&generation)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.to_string_lossy().ends_with(".json"))
        .map(|p| {
            let len = std::fs::metadata(&p).unwrap().len();
            (p, len)
        })
        .max_by_key(|(_, len)| *len)
        .unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&victim)
        .unwrap();
    file.set_len(len / 2).unwrap();
    drop(file);
    assert_reported_and_repaired(&d, "a truncated segment file");
}

#[test]
fn published_generations_are_read_only() {
    let d = Dossier::new();
    for _ in 0..4 {
        d.ok(&["reindex"]);
    }
    let gens = generations(&d.index());
    assert!(
        gens.len() <= 3,
        "old generations were not removed: {gens:?}"
    );
    let current = current_generation(&d.index());
    assert!(
        gens.contains(&current),
        "{} not among {gens:?}",
        current.display()
    );
    for generation in gens {
        for entry in std::fs::read_dir(&generation).unwrap() {
            let path = entry.unwrap().path();
            let mode = std::fs::metadata(&path).unwrap().mode();
            assert_eq!(mode & 0o222, 0, "{} is writable ({mode:o})", path.display());
        }
    }
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// Every directory from `dir` up opens for others; nothing in `dir` is
/// writable by them.
fn share_read_only(dir: &Path) {
    let mut p = Some(dir);
    while let Some(d) = p {
        if d == Path::new("/") || d == std::env::temp_dir() {
            break;
        }
        let mode = std::fs::metadata(d).unwrap().mode();
        std::fs::set_permissions(d, std::fs::Permissions::from_mode((mode | 0o755) & 0o7777))
            .unwrap();
        p = d.parent();
    }
}

/// The binary as a user who may not write to the index: `nobody` when
/// the tests run as root, the same user with the index made read-only
/// otherwise.
fn reader(d: &Dossier) -> Command {
    let mut cmd = if is_root() {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_dossier"));
        c
    } else {
        make_read_only(&d.index());
        Command::new(env!("CARGO_BIN_EXE_dossier"))
    };
    cmd.current_dir(d.dir.path())
        .env_remove("DOSSIER_CONTENT")
        .env_remove("DOSSIER_INDEX")
        .env_remove("RUST_LOG")
        .arg("--content")
        .arg(d.content())
        .arg("--index")
        .arg(d.index());
    cmd
}

fn make_read_only(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            make_read_only(&path);
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
}

#[test]
fn a_reader_without_write_access_opens_the_index() {
    let d = Dossier::new();
    d.ok(&["reindex"]);
    share_read_only(d.dir.path());
    for args in [
        &["ask", "What is the Trump Route?"][..],
        &["search", "corridor"],
    ] {
        let r: Run = reader(&d).args(args).output().unwrap().into();
        assert_eq!(r.code, 0, "{args:?} as a reader: {}", r.stderr);
        assert!(!r.stdout.is_empty());
    }
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = free.local_addr().unwrap();
    drop(free);
    let mut serve = reader(&d)
        .args(["serve", "--http", &addr.to_string()])
        .env(
            "DISCORD_PUBLIC_KEY",
            "5866666666666666666666666666666666666666666666666666666666666666",
        )
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let health = crate::util::http_get(addr, "/health", Duration::from_secs(20));
    let _ = serve.kill();
    let out = serve.wait_with_output().unwrap();
    let health = health
        .unwrap_or_else(|e| panic!("{e}; serve said:\n{}", String::from_utf8_lossy(&out.stderr)));
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    if !is_root() {
        // Let the temp dir be removed.
        let _ = Command::new("chmod")
            .arg("-R")
            .arg("u+w")
            .arg(d.index())
            .status();
    }
}
