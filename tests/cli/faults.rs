//! Faults survived in process: reindexing under load, and hostile input to
//! every command through the router.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use dossier::answer::{Live, SuggestKind};
use dossier::discord::router::{self, Reply};
use serde_json::json;
use serenity::all::Interaction;

use crate::util::Dossier;

/// 50 reindexes while at least 2,000 queries run: none fails, none is empty.
#[test]
fn fifty_reindexes_under_two_thousand_queries() {
    let d = Dossier::new();
    d.ok(&["reindex"]);
    let live = Arc::new(Live::open(&d.index()).unwrap());
    let done = Arc::new(AtomicBool::new(false));
    let queries = Arc::new(AtomicUsize::new(0));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (live, done, queries) = (live.clone(), done.clone(), queries.clone());
            std::thread::spawn(move || {
                while !done.load(Ordering::Relaxed) || queries.load(Ordering::Relaxed) < 2000 {
                    let engine = live.engine();
                    let a = engine.ask("Zangezur corridor").expect("the index answers");
                    assert!(a.answered && !a.citations.is_empty(), "empty answer: {a:?}");
                    let s = engine.search("corridor", None, 5).unwrap();
                    assert!(!s.hits.is_empty(), "empty search");
                    queries.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for _ in 0..50 {
        dossier::index::reindex(&d.content(), &d.index(), &mut |_, _| {}).unwrap();
    }
    done.store(true, Ordering::Relaxed);
    for r in readers {
        r.join().expect("a reader failed");
    }
    assert!(queries.load(Ordering::Relaxed) >= 2000);
    assert!(live.engine().catalog().manifest.generation >= 51);
}

const HOSTILE: &[&str] = &[
    "",
    "   \t  ",
    "\"unbalanced",
    "corridor AND (Russia OR NOT",
    "title:corridor body:* ~2 ^3 [1 TO 5] {x} \\",
    "\u{0}\u{1}\u{7f} control",
    "zero\u{200B}width\u{200D}joiner",
    "\u{202E}right-to-left \u{05D0}\u{05D1}",
    "🕊️🇦🇿🇦🇲",
    "Հայաստանի վարչապետ",
    "Azərbaycan Naxçıvan",
    "@everyone @here <@123> <@&456> <#789>",
    "**bold** __u__ ~~s~~ ||spoiler|| `code` ```block```",
    "[click](https://evil.example) <https://evil.example>",
];

/// A guild slash command as Discord sends it.
pub(crate) fn command(name: &str, options: serde_json::Value) -> Interaction {
    serde_json::from_value(json!({
        "id": "1", "application_id": "2", "type": 2, "token": "t", "version": 1,
        "guild_id": "3", "channel_id": "4",
        "member": {"user": {"id": "5", "username": "u"}, "roles": [],
                   "joined_at": "2024-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false, "flags": 0},
        "data": {"id": "6", "name": name, "type": 1, "options": options},
        "locale": "en-US", "entitlements": [], "attachment_size_limit": 8388608
    }))
    .unwrap()
}

/// Every command, every hostile text: a clear reply, nothing raw echoed.
#[test]
fn hostile_text_in_every_command_gets_a_clear_safe_reply() {
    let d = Dossier::new();
    d.ok(&["reindex"]);
    let engine = dossier::answer::Engine::open(&d.index()).unwrap();
    let long = "x".repeat(5000);
    let mut inputs: Vec<&str> = HOSTILE.to_vec();
    inputs.push(&long);
    for text in inputs {
        let s = |name: &str| json!([{"name": name, "type": 3, "value": text}]);
        let cases = [
            command("ask", s("question")),
            command("search", s("query")),
            command(
                "search",
                json!([{"name": "query", "type": 3, "value": text}, {"name": "topic", "type": 3, "value": text}]),
            ),
            command("parties", s("party")),
            command("terms", s("term")),
            command("quote", s("speaker")),
            command(
                "source",
                json!([{"name": "paragraph", "type": 4, "value": 1}, {"name": "article", "type": 3, "value": text}]),
            ),
            command(text, json!([])),
            command(
                "ask",
                json!([{"name": text, "type": 3, "value": "corridor"}]),
            ),
        ];
        for interaction in cases {
            let Reply::Message(m) = router::reply(&interaction, &engine) else {
                panic!("a command got no message");
            };
            assert!(!m.embeds.is_empty());
            let v = serde_json::to_value(router::route(&interaction, &engine)).unwrap();
            assert_eq!(v["data"]["allowed_mentions"]["parse"], json!([]));
            let shown = v["data"]["embeds"].to_string();
            assert!(
                !shown.contains("went wrong"),
                "an internal failure for input {text:?}: {shown}"
            );
            for raw in [
                "@everyone",
                "@here",
                "<@123>",
                "<@&456>",
                "](https://evil.example)",
                "**bold**",
            ] {
                assert!(
                    !shown.contains(raw),
                    "{raw:?} shown raw for input {text:?}: {shown}"
                );
            }
        }
        let _ = engine.suggest(SuggestKind::Query, text, 25);
    }
}

/// Unknown commands and options are answered, ephemerally, not ignored.
#[test]
fn unknown_commands_and_options_are_explained() {
    let d = Dossier::new();
    d.ok(&["reindex"]);
    let engine = dossier::answer::Engine::open(&d.index()).unwrap();
    let v = serde_json::to_value(router::route(&command("weather", json!([])), &engine)).unwrap();
    assert_eq!(v["data"]["flags"], 64);
    assert!(
        v["data"]["embeds"][0]["description"]
            .as_str()
            .unwrap()
            .contains("no command `/weather`")
    );
    let v = serde_json::to_value(router::route(
        &command("ask", json!([{"name": "q", "type": 3, "value": "x"}])),
        &engine,
    ))
    .unwrap();
    assert_eq!(v["data"]["flags"], 64);
    assert!(
        v["data"]["embeds"][0]["description"]
            .as_str()
            .unwrap()
            .contains("Ask a question")
    );
}

/// The CLI takes the same hostile text without failing.
#[test]
fn hostile_text_on_the_command_line() {
    let d = Dossier::new();
    for text in HOSTILE.iter().filter(|t| !t.contains('\0')) {
        for cmd in [["ask", text], ["search", text]] {
            if text.trim().is_empty() {
                continue;
            }
            let r = d.run(&cmd);
            assert_eq!(r.code, 0, "{cmd:?}: {}", r.stderr);
        }
        for cmd in [["parties", text], ["terms", text], ["quote", text]] {
            let r = d.run(&cmd);
            assert!(
                r.code == 0
                    || r.stderr.contains("nothing matches")
                    || r.stderr.contains("not in this list"),
                "{cmd:?}: {}",
                r.stderr
            );
            assert!(!r.stderr.contains("panicked"), "{cmd:?}: {}", r.stderr);
        }
    }
}

/// The description of the first embed of a command's reply.
fn reply_text(interaction: &Interaction, engine: &dossier::answer::Engine) -> String {
    let Reply::Message(m) = router::reply(interaction, engine) else {
        panic!("a command got no message");
    };
    m.embeds
        .iter()
        .map(|e| format!("{}\n{}", e.title, e.description))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `/source paragraph:` past what any paragraph number can be is echoed
/// as asked, not as "paragraph 0".
#[test]
fn source_paragraphs_beyond_u32_are_echoed_as_asked() {
    let d = Dossier::new();
    d.ok(&["reindex"]);
    let engine = dossier::answer::Engine::open(&d.index()).unwrap();
    for asked in [4_294_967_297_i64, -5, 0, i64::MAX] {
        let source = command(
            "source",
            json!([{"name": "paragraph", "type": 4, "value": asked}]),
        );
        let text = reply_text(&source, &engine);
        assert!(
            text.contains(&format!("There is no paragraph {asked}:")),
            "{asked}: {text}"
        );
    }
}

/// A question over the length limit is cut between words, so no half word
/// ("arme" of "armenia") is looked for, on Discord or the command line.
#[test]
fn long_questions_are_cut_between_words() {
    let d = Dossier::new();
    d.ok(&["reindex"]);
    let engine = dossier::answer::Engine::open(&d.index()).unwrap();
    // Discord: 300 characters; "armenia" straddles the limit.
    let question = format!("What did {} armenia agree", "x".repeat(286));
    let ask = command(
        "ask",
        json!([{"name": "question", "type": 3, "value": question}]),
    );
    let text = reply_text(&ask, &engine);
    assert!(!text.contains("“arme”"), "{text}");
    let (_, event) = dossier::discord::router::routed(&ask, &engine);
    let Some(dossier::record::Event::Ask(asked)) = event else {
        panic!("no /ask recorded: {event:?}");
    };
    assert!(asked.question.ends_with("xxx"), "{}", asked.question);
    // The engine: 1,000 bytes. A half word would be unknown, or corrected
    // into another word ("arme" into "are").
    let question = format!("What did {} armenia agree", "x".repeat(986));
    let v = d.ok(&["ask", &question, "--json"]).json();
    let unknown = v["unknown_words"].as_array().unwrap();
    assert!(!unknown.contains(&json!("arme")), "{v}");
    let corrections = v["corrections"].as_array().unwrap();
    assert!(
        !corrections.iter().any(|c| c[0] == json!("arme")),
        "{corrections:?}"
    );
    assert!(!v["answer"].as_str().unwrap().contains("“arme”"), "{v}");
}
