//! Interactions into the router: raw bytes as interaction JSON, and the
//! same bytes as the option values of well-formed slash commands and
//! autocomplete requests. Every message response keeps its embeds within
//! Discord's 6000-character budget and lets no mention ping anyone.
#![no_main]

use dossier::answer::Engine;
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use serenity::all::Interaction;

/// Each command with the options the fuzz input fills: (name, type) where
/// type 3 is a string and 4 an integer.
const COMMANDS: &[(&str, &[(&str, u8)])] = &[
    ("ask", &[("question", 3), ("story", 3)]),
    ("search", &[("query", 3), ("topic", 3), ("story", 3), ("limit", 4)]),
    ("stories", &[]),
    ("brief", &[("story", 3)]),
    ("parties", &[("party", 3), ("story", 3)]),
    ("corridor", &[("story", 3)]),
    ("terms", &[("term", 3), ("story", 3)]),
    ("quote", &[("speaker", 3), ("story", 3)]),
    ("card", &[("card", 3), ("story", 3)]),
    ("source", &[("paragraph", 4), ("article", 3)]),
    ("help", &[]),
];

/// Options that autocomplete: (command, option).
const AUTOCOMPLETE: &[(&str, &str)] = &[
    ("search", "query"),
    ("parties", "party"),
    ("terms", "term"),
    ("quote", "speaker"),
    ("source", "article"),
    ("search", "topic"),
    ("card", "card"),
    ("brief", "story"),
];

fn interaction(kind: u8, dm: bool, name: &str, options: Vec<Value>) -> Value {
    let mut v = json!({
        "id": "3001",
        "application_id": "1000",
        "type": kind,
        "token": "tok",
        "version": 1,
        "channel_id": "4001",
        "data": {"id": "2000", "name": name, "type": 1, "options": options},
        "locale": "en-US",
        "entitlements": [],
        "attachment_size_limit": 8388608
    });
    if dm {
        v["user"] = json!({"id": "5001", "username": "alice"});
    } else {
        v["guild_id"] = json!("6001");
        v["member"] = json!({
            "user": {"id": "5001", "username": "alice"},
            "roles": [],
            "joined_at": "2024-01-01T00:00:00.000000+00:00",
            "deaf": false,
            "mute": false,
            "flags": 0
        });
    }
    v
}

fn chars(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}

/// Routes `interaction` and checks the serialized response.
fn route(interaction: &Interaction, engine: &Engine, what: &dyn Fn() -> String) {
    let response = dossier::discord::router::route(interaction, engine);
    let body = serde_json::to_value(&response)
        .unwrap_or_else(|e| panic!("{}: response does not serialize: {e}", what()));
    // 4: a message in reply to a command.
    if body["type"] != json!(4) {
        return;
    }
    let data = &body["data"];
    assert_eq!(
        data["allowed_mentions"]["parse"],
        json!([]),
        "{}: mentions may ping: {body}",
        what()
    );
    let embeds = data["embeds"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    assert!(embeds.len() <= 10, "{}: {} embeds", what(), embeds.len());
    let total: usize = embeds
        .iter()
        .map(|e| {
            chars(&e["title"])
                + chars(&e["description"])
                + chars(&e["footer"]["text"])
                + chars(&e["author"]["name"])
                + e["fields"].as_array().map_or(0, |fs| {
                    fs.iter()
                        .map(|f| chars(&f["name"]) + chars(&f["value"]))
                        .sum()
                })
        })
        .sum();
    assert!(
        total <= 6000,
        "{}: embeds hold {total} characters: {body}",
        what()
    );
    assert!(
        chars(&data["content"]) <= 2000,
        "{}: content over 2000 characters",
        what()
    );
}

fn route_value(v: Value, engine: &Engine) {
    let interaction: Interaction = serde_json::from_value(v.clone())
        .unwrap_or_else(|e| panic!("fixture does not deserialize: {e}: {v}"));
    route(&interaction, engine, &|| v.to_string());
}

fuzz_target!(|data: &[u8]| {
    let engine = dossier_fuzz::engine();

    // 1. The bytes as an interaction, as the HTTP endpoint would get them.
    if let Ok(interaction) = serde_json::from_slice::<Interaction>(data) {
        route(&interaction, engine, &|| String::from_utf8_lossy(data).into_owned());
    }

    // 2. The bytes as option values of well-formed interactions.
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest).into_owned();
    let integer = text.trim().parse::<i64>().unwrap_or_else(|_| {
        let mut b = [0u8; 8];
        let n = rest.len().min(8);
        b[..n].copy_from_slice(&rest[..n]);
        i64::from_le_bytes(b)
    });
    let dm = selector & 0x80 != 0;
    // Low bits choose one command (or all of them at once, so a corpus of
    // questions exercises every command); bit 0x40 adds autocomplete.
    let which = usize::from(selector & 0x0f);
    for (i, (name, opts)) in COMMANDS.iter().enumerate() {
        if which < COMMANDS.len() && which != i {
            continue;
        }
        let options = opts
            .iter()
            .map(|(opt, kind)| match kind {
                4 => json!({"name": opt, "type": 4, "value": integer}),
                _ => json!({"name": opt, "type": 3, "value": text}),
            })
            .collect();
        route_value(interaction(2, dm, name, options), engine);
    }
    if selector & 0x40 != 0 {
        for (name, opt) in AUTOCOMPLETE {
            let options = vec![json!({"name": opt, "type": 3, "value": text, "focused": true})];
            route_value(interaction(4, dm, name, options), engine);
        }
    }
});
