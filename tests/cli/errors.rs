//! How failures are reported by the real binary.
//!
//! Properties pinned here:
//! - with `--json`, a failure is `{"error": {"kind", "message"}}` on stdout,
//!   with the exit code the text form has;
//! - a cause is never printed twice in one message;
//! - content problems found while building the index on demand are listed
//!   once.

use serde_json::Value;

use crate::util::Dossier;

fn json_error(r: &crate::util::Run) -> (String, String) {
    let v: Value = serde_json::from_str(r.stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            r.stdout, r.stderr
        )
    });
    let kind = v["error"]["kind"].as_str().expect("error.kind").to_string();
    let message = v["error"]["message"]
        .as_str()
        .expect("error.message")
        .to_string();
    (kind, message)
}

#[test]
fn json_failures_are_an_error_object_on_stdout_with_the_same_exit_code() {
    let d = Dossier::new();
    d.ok(&["reindex"]);
    let cases: [(&[&str], &str, &str); 4] = [
        (&["parties", "Nobody"], "not_found", "nothing matches"),
        (&["source", "99"], "no_such_paragraph", "paragraph 99"),
        (
            &["source", "1", "--article", "nope"],
            "unknown_article",
            "no article",
        ),
        (&["terms", "zzz"], "not_found", "zzz"),
    ];
    for (args, kind, words) in cases {
        let text = d.run(args);
        let mut with_json = args.to_vec();
        with_json.push("--json");
        let json = d.run(&with_json);
        assert_eq!(json.code, text.code, "{args:?}");
        assert_ne!(json.code, 0, "{args:?}");
        let (k, message) = json_error(&json);
        assert_eq!(k, kind, "{args:?}: {}", json.stdout);
        assert!(message.contains(words), "{args:?}: {message}");
        assert!(
            text.stderr.contains(&message),
            "the JSON message differs from the text one:\n{message}\n{}",
            text.stderr
        );
    }
}

#[test]
fn json_failures_without_an_index_or_with_bad_arguments() {
    let d = Dossier::new();
    let nowhere = d.dir.path().join("nowhere");
    let r = d
        .with_paths(&nowhere, &d.index())
        .args(["ask", "corridor", "--json"])
        .output()
        .unwrap();
    let r: crate::util::Run = r.into();
    assert_eq!(r.code, 1);
    // Neither the content nor an index: the content is what to fix.
    let (kind, message) = json_error(&r);
    assert_eq!(kind, "content_missing", "{}", r.stdout);
    assert!(message.contains("nowhere"), "{message}");

    let r = d.run(&["search", "x", "--limit", "99", "--json"]);
    assert_eq!(r.code, 2, "clap's usage exit code: {}", r.stderr);
    let (kind, message) = json_error(&r);
    assert_eq!(kind, "usage");
    assert!(message.contains("99"), "{message}");
}

#[test]
fn content_failures_have_their_own_json_kinds() {
    let d = Dossier::new();
    d.edit(crate::util::FACTS, |t| {
        t.replacen("quote = \"", "quote = \"zz ", 1)
    });
    let r = d.run(&["ask", "corridor", "--json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(json_error(&r).0, "invalid_content", "{}", r.stdout);
}

#[test]
fn the_records_reports_fail_as_json_too() {
    let d = Dossier::new();
    // A record under a file cannot be opened.
    let file = d.dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let db = file.join("dossier.db");
    for command in ["gaps", "feedback"] {
        let args = [command, "--db", db.to_str().unwrap()];
        let text = d.run(&args);
        let json = d.run(&[&args[..], &["--json"]].concat());
        assert_ne!(text.code, 0, "{command}: {}", text.stderr);
        assert_eq!(json.code, text.code, "{command}");
        let (kind, message) = json_error(&json);
        assert_eq!(kind, "io", "{command}");
        assert!(text.stderr.contains(&message), "{command}: {message}");
    }
}

#[test]
fn a_cause_is_printed_once() {
    let d = Dossier::new();
    // An index path that is a file: reading CURRENT fails with ENOTDIR.
    let file = d.dir.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let r = d
        .with_paths(&d.content(), &file)
        .args(["ask", "corridor"])
        .output()
        .unwrap();
    let r: crate::util::Run = r.into();
    assert_eq!(r.code, 1);
    assert_eq!(r.stderr.matches("os error").count(), 1, "{}", r.stderr);
}

#[test]
fn content_problems_met_while_building_on_demand_are_listed_once() {
    let d = Dossier::new();
    d.edit(crate::util::FACTS, |t| {
        t.replacen("about = [\"", "about = [\"puttin\", \"", 1)
    });
    let r = d.run(&["ask", "corridor"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr.matches("unknown entity `puttin`").count(),
        1,
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("problem"), "{}", r.stderr);
}

#[test]
fn an_index_of_another_version_without_content_to_rebuild_from_is_index_outdated() {
    let d = Dossier::new();
    d.ok(&["reindex"]);
    let index = d.index();
    let current = std::fs::read_to_string(index.join("CURRENT")).unwrap();
    let manifest = index.join(current.trim()).join("manifest.json");
    let mut perms = std::fs::metadata(&manifest).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&manifest, perms).unwrap();
    let text = std::fs::read_to_string(&manifest).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["schema_version"] = Value::from(0);
    std::fs::write(&manifest, v.to_string()).unwrap();
    // With content at hand the index is rebuilt; without, the reader is
    // told to reindex.
    let nowhere = d.dir.path().join("nowhere");
    let r: crate::util::Run = d
        .with_paths(&nowhere, &index)
        .args(["ask", "corridor", "--json"])
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 1, "{}", r.stderr);
    let (kind, message) = json_error(&r);
    assert_eq!(kind, "index_outdated", "{}", r.stdout);
    assert!(message.contains("dossier reindex"), "{message}");
    d.ok(&["ask", "corridor"]);
}
