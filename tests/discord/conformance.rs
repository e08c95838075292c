//! The bot's Discord payloads checked against Discord's own OpenAPI
//! description (`../shared/discord/openapi.json`, read at run time, never
//! copied into the repository) and against the limits it does not express.
//!
//! Properties checked, through the black-box `dossier discord commands` and
//! `dossier discord respond`:
//! - every command definition is a valid `create_application_command` body and
//!   the whole list a valid `bulk_set_application_commands` body;
//! - command and option names match Discord's name pattern and are lowercase;
//!   descriptions, option counts and choices stay within Discord's limits;
//! - every interaction we send deserializes as serenity's `Interaction` and uses
//!   only commands and options that the definitions declare;
//! - every response (messages, errors, autocomplete, pong) is a valid
//!   `create_interaction_response` body;
//! - every message response pings nobody, is ephemeral or not (flags 64 or
//!   none), and stays within the embed, content and choice limits;
//! - hostile text in a question comes back neutralised;
//! - the validator itself accepts a valid body and rejects an invalid one;
//! - `/ask` replies carry 👍 / 👎 buttons and a citation select, `/search`
//!   replies Previous / Next, all with custom ids and values within 100
//!   characters; clicking each gives a valid response (an ephemeral message,
//!   or an update of the message for paging) that pings nobody;
//! - a click on a citation whose paragraph changed since says so, and one on
//!   a paragraph that no longer exists says so too.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::error::ValidationErrorKind;
use jsonschema::{Draft, ValidationError, Validator};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------
// Discord's OpenAPI description
// ---------------------------------------------------------------------------

/// The URI under which the whole OpenAPI document is registered, so that its
/// internal `#/components/schemas/...` references resolve.
const SPEC_URI: &str = "urn:discord:openapi";

fn spec_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/discord/openapi.json")
}

/// The OpenAPI document, read once.
fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = spec_path();
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "cannot read {}: {e}; the conformance tests check every payload against \
                     Discord's OpenAPI description: put Discord's published one there \
                     (specs/openapi.json of github.com/discord/discord-api-spec)",
                path.display()
            )
        });
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
    })
}

/// Escapes one JSON pointer token, then percent-encodes what may not appear
/// in a URI fragment (the path templates' `{` and `}`).
fn pointer_token(token: &str) -> String {
    token
        .replace('~', "~0")
        .replace('/', "~1")
        .replace('{', "%7B")
        .replace('}', "%7D")
}

/// The URI fragment of the JSON request body schema of an operation, found by
/// walking `paths` for its operationId.
fn request_schema_pointer(operation_id: &str) -> String {
    let paths = spec()["paths"].as_object().expect("spec has paths");
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, operation) in item {
            if operation["operationId"] != operation_id {
                continue;
            }
            assert!(
                operation["requestBody"]["content"]["application/json"]["schema"].is_object(),
                "{operation_id} has no application/json request body"
            );
            return format!(
                "/paths/{}/{}/requestBody/content/{}/schema",
                pointer_token(path),
                pointer_token(method),
                pointer_token("application/json"),
            );
        }
    }
    panic!("no operation {operation_id} in {}", spec_path().display())
}

/// A validator for a `$ref` into the OpenAPI document, compiled once.
fn validator_for(fragment: &str) -> Arc<Validator> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Validator>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(v) = cache.lock().unwrap().get(fragment) {
        return v.clone();
    }
    let validator = jsonschema::options()
        .with_draft(Draft::Draft202012)
        .with_resource(SPEC_URI, Draft::Draft202012.create_resource(spec().clone()))
        .build(&json!({ "$ref": format!("{SPEC_URI}#{fragment}") }))
        .unwrap_or_else(|e| panic!("cannot compile schema {fragment}: {e}"));
    let validator = Arc::new(validator);
    cache
        .lock()
        .unwrap()
        .insert(fragment.to_owned(), validator.clone());
    validator
}

/// Validates `instance` against the request body schema of `operation_id`.
fn validate(operation_id: &str, instance: &Value) -> Result<(), Vec<String>> {
    check_against(&request_schema_pointer(operation_id), instance)
}

/// Validates `instance` against `#/components/schemas/{name}`.
fn validate_component(name: &str, instance: &Value) -> Result<(), Vec<String>> {
    check_against(
        &format!("/components/schemas/{}", pointer_token(name)),
        instance,
    )
}

fn check_against(fragment: &str, instance: &Value) -> Result<(), Vec<String>> {
    let validator = validator_for(fragment);
    let mut lines = Vec::new();
    for error in validator.iter_errors(instance) {
        describe(&error, 0, &mut lines);
    }
    if lines.is_empty() { Ok(()) } else { Err(lines) }
}

/// One line per error, with the branches of a failed `anyOf`/`oneOf`
/// indented below it. Branches that fail only because the value is another
/// variant (wrong `type` discriminator, or wrong JSON type altogether) are
/// left out when a closer branch exists, so the message points at the field
/// that is actually wrong.
fn describe(error: &ValidationError<'_>, depth: usize, out: &mut Vec<String>) {
    let at = match error.instance_path.as_str() {
        "" => "/",
        path => path,
    };
    let shown = if error.instance.to_string().chars().count() <= 80 {
        error.to_string()
    } else {
        error.masked().to_string()
    };
    out.push(format!(
        "{:indent$}{at}: {shown}  [schema {}]",
        "",
        error.schema_path.as_str(),
        indent = depth * 2
    ));
    let branches = match &error.kind {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            context
        }
        _ => return,
    };
    let close: Vec<_> = branches
        .iter()
        .filter(|branch| !is_other_variant(branch, at))
        .collect();
    let shown: Vec<_> = if close.is_empty() {
        branches.iter().collect()
    } else {
        close
    };
    for (i, branch) in shown.iter().enumerate() {
        if shown.len() > 1 {
            out.push(format!(
                "{:indent$}branch {}:",
                "",
                i + 1,
                indent = depth * 2 + 2
            ));
        }
        for e in branch.iter() {
            describe(e, depth + 2, out);
        }
    }
}

fn is_other_variant(branch: &[ValidationError<'_>], at: &str) -> bool {
    branch.iter().any(|e| {
        let path = e.instance_path.as_str();
        let discriminator = path.ends_with("/type")
            && matches!(
                e.kind,
                ValidationErrorKind::Enum { .. } | ValidationErrorKind::Constant { .. }
            );
        let wrong_json_type = matches!(e.kind, ValidationErrorKind::Type { .. })
            && (path == at || (path.is_empty() && at == "/"));
        discriminator || wrong_json_type
    })
}

pub(crate) fn assert_valid(operation_id: &str, label: &str, instance: &Value) {
    if let Err(errors) = validate(operation_id, instance) {
        panic!(
            "{label}: not a valid {operation_id} body:\n{}\n\nbody:\n{}",
            errors.join("\n"),
            pretty(instance)
        );
    }
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap()
}

// ---------------------------------------------------------------------------
// The bot, as a black box
// ---------------------------------------------------------------------------

/// An index built once per test run, in cargo's scratch directory for
/// integration tests, from the repository's content/.
fn index_dir() -> &'static Path {
    static INDEX: OnceLock<PathBuf> = OnceLock::new();
    INDEX.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("discord-conformance");
        std::fs::create_dir_all(&dir).unwrap();
        let index = dir.join("index");
        let out = dossier(&index).arg("reindex").output().unwrap();
        assert!(
            out.status.success(),
            "dossier reindex failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        index
    })
}

fn dossier(index: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dossier"));
    cmd.current_dir(index.parent().unwrap())
        .env_remove("DOSSIER_CONTENT")
        .env_remove("DOSSIER_INDEX")
        .env_remove("RUST_LOG")
        .arg("--content")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("content"))
        .arg("--index")
        .arg(index);
    cmd
}

/// Runs `dossier discord ARGS` with `stdin` and parses its stdout as JSON.
fn run_discord(args: &[&str], stdin: &str) -> Result<Value, String> {
    let mut child = dossier(index_dir())
        .arg("discord")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run dossier: {e}"))?;
    let mut input = child.stdin.take().unwrap();
    input
        .write_all(stdin.as_bytes())
        .map_err(|e| format!("cannot write to dossier: {e}"))?;
    drop(input);
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!(
            "dossier discord {args:?} failed ({}):\nstdout:\n{stdout}\nstderr:\n{stderr}",
            out.status
        ));
    }
    serde_json::from_str(&stdout).map_err(|e| {
        format!("dossier discord {args:?} printed no JSON ({e}):\n{stdout}\nstderr:\n{stderr}")
    })
}

/// The command definitions that registration sends.
fn commands() -> &'static Value {
    static COMMANDS: OnceLock<Value> = OnceLock::new();
    COMMANDS.get_or_init(|| {
        let commands = run_discord(&["commands"], "").unwrap_or_else(|e| panic!("{e}"));
        assert!(commands.is_array(), "not an array:\n{}", pretty(&commands));
        commands
    })
}

/// The response body the bot gives to `interaction`, which must first be
/// something serenity accepts.
fn respond(interaction: &Value) -> Value {
    try_respond(interaction).unwrap_or_else(|e| panic!("{e}"))
}

fn try_respond(interaction: &Value) -> Result<Value, String> {
    deserializes(interaction)?;
    run_discord(&["respond", "-"], &interaction.to_string())
}

/// Whether serenity accepts `interaction`: a dispatch it cannot deserialize
/// is dropped silently, so a fixture it rejects would test nothing.
fn deserializes(interaction: &Value) -> Result<(), String> {
    serde_json::from_value::<serenity::all::Interaction>(interaction.clone())
        .map(drop)
        .map_err(|e| {
            format!(
                "fixture does not deserialize as serenity's Interaction: {e}\n{}",
                pretty(interaction)
            )
        })
}

fn assert_deserializes(interaction: &Value) {
    deserializes(interaction).unwrap_or_else(|e| panic!("{e}"));
}

// ---------------------------------------------------------------------------
// Interactions as Discord sends them
// ---------------------------------------------------------------------------

const APP_ID: &str = "1000";

/// A guild interaction of `kind` (2 application command, 4 autocomplete).
fn interaction(kind: u8, data: Value) -> Value {
    json!({
        "id": "3001",
        "application_id": APP_ID,
        "type": kind,
        "token": "tok",
        "version": 1,
        "guild_id": "6001",
        "channel_id": "4001",
        "member": {
            "user": { "id": "5001", "username": "alice" },
            "roles": [],
            "joined_at": "2024-01-01T00:00:00.000000+00:00",
            "deaf": false,
            "mute": false,
            "flags": 0
        },
        "data": data,
        "locale": "en-US",
        "entitlements": [],
        "attachment_size_limit": 8388608
    })
}

fn command_data(name: &str, options: Vec<Value>) -> Value {
    json!({ "id": "2000", "name": name, "type": 1, "options": options })
}

/// `/name option:value ...`
fn slash(name: &str, options: Vec<Value>) -> Value {
    interaction(2, command_data(name, options))
}

/// Autocomplete while typing `/name`; one option is `focused`.
fn autocomplete(name: &str, options: Vec<Value>) -> Value {
    interaction(4, command_data(name, options))
}

fn string(name: &str, value: &str) -> Value {
    json!({ "name": name, "type": 3, "value": value })
}

fn integer(name: &str, value: i64) -> Value {
    json!({ "name": name, "type": 4, "value": value })
}

fn focused(name: &str, partial: &str) -> Value {
    json!({ "name": name, "type": 3, "value": partial, "focused": true })
}

fn ping() -> Value {
    json!({ "id": "3000", "application_id": APP_ID, "type": 1, "token": "tok", "version": 1 })
}

const LONG_QUESTION: &str = "Tell me everything about the deal";
const UNANSWERABLE: &str = "What is the population of Armenia?";
const HOSTILE: &str = "@everyone <@123> <@&456> **bold** [x](https://evil.example) ```code```";

/// The hostile text, alone (within the option's 300 characters) and with a
/// 300-character tail (more than Discord's client lets through).
fn hostile_questions() -> Vec<String> {
    let tail: String = "and the corridor ".chars().cycle().take(300).collect();
    vec![HOSTILE.to_owned(), format!("{HOSTILE} {tail}")]
}

/// Every application command interaction the tests send, by label.
fn message_cases() -> Vec<(String, Value)> {
    let mut cases: Vec<(String, Value)> = vec![
        (
            "/ask long answer",
            slash("ask", vec![string("question", LONG_QUESTION)]),
        ),
        (
            "/ask abstention",
            slash("ask", vec![string("question", UNANSWERABLE)]),
        ),
        (
            "/source paragraph:99",
            slash("source", vec![integer("paragraph", 99)]),
        ),
        (
            "/search",
            slash("search", vec![string("query", "corridor")]),
        ),
        (
            "/search topic limit",
            slash(
                "search",
                vec![
                    string("query", "Aliyev"),
                    string("topic", "quotes"),
                    integer("limit", 3),
                ],
            ),
        ),
        ("/parties", slash("parties", vec![])),
        ("/stories", slash("stories", vec![])),
        ("/brief", slash("brief", vec![])),
        (
            "/brief story",
            slash(
                "brief",
                vec![string("story", "azerbaijan-armenia-peace-deal")],
            ),
        ),
        (
            "/ask story",
            slash(
                "ask",
                vec![
                    string("question", "What will the corridor link?"),
                    string("story", "azerbaijan-armenia-peace-deal"),
                ],
            ),
        ),
        (
            "/ask unknown story",
            slash(
                "ask",
                vec![
                    string("question", "corridor"),
                    string("story", "no-such-story"),
                ],
            ),
        ),
        (
            "/parties party",
            slash("parties", vec![string("party", "armenia")]),
        ),
        ("/corridor", slash("corridor", vec![])),
        ("/terms", slash("terms", vec![])),
        (
            "/terms term",
            slash("terms", vec![string("term", "energy")]),
        ),
        ("/quote", slash("quote", vec![])),
        (
            "/card",
            slash(
                "card",
                vec![
                    string("card", "terms"),
                    string("story", "azerbaijan-armenia-peace-deal"),
                ],
            ),
        ),
        (
            "/card missing",
            slash("card", vec![string("card", "weather")]),
        ),
        (
            "/terms story",
            slash(
                "terms",
                vec![
                    string("term", "energy"),
                    string("story", "azerbaijan-armenia-peace-deal"),
                ],
            ),
        ),
        (
            "/quote speaker",
            slash("quote", vec![string("speaker", "trump")]),
        ),
        (
            "/source article paragraph",
            slash(
                "source",
                vec![
                    integer("paragraph", 2),
                    string("article", "azerbaijan-armenia-peace-deal"),
                ],
            ),
        ),
        (
            "/source paragraph",
            slash("source", vec![integer("paragraph", 4)]),
        ),
        ("/help", slash("help", vec![])),
    ]
    .into_iter()
    .map(|(label, i)| (label.to_owned(), i))
    .collect();
    for (n, question) in hostile_questions().into_iter().enumerate() {
        cases.push((
            format!("/ask hostile #{n}"),
            slash("ask", vec![string("question", &question)]),
        ));
    }
    cases
}

/// Every autocomplete interaction the tests send, by label.
fn autocomplete_cases() -> Vec<(&'static str, Value)> {
    vec![
        (
            "search query",
            autocomplete("search", vec![focused("query", "nakh")]),
        ),
        (
            "parties party",
            autocomplete("parties", vec![focused("party", "arm")]),
        ),
        (
            "terms term",
            autocomplete("terms", vec![focused("term", "ener")]),
        ),
        (
            "quote speaker",
            autocomplete("quote", vec![focused("speaker", "tru")]),
        ),
        (
            "source article",
            autocomplete("source", vec![focused("article", "azer")]),
        ),
        (
            "ask story",
            autocomplete(
                "ask",
                vec![string("question", "who"), focused("story", "azer")],
            ),
        ),
        (
            "search story",
            autocomplete(
                "search",
                vec![string("query", "x"), focused("story", "peace")],
            ),
        ),
        (
            "brief story",
            autocomplete("brief", vec![focused("story", "")]),
        ),
        ("card", autocomplete("card", vec![focused("card", "te")])),
        (
            "search topic",
            autocomplete("search", vec![string("query", "x"), focused("topic", "q")]),
        ),
        (
            "corridor story",
            autocomplete("corridor", vec![focused("story", "")]),
        ),
        (
            "parties story",
            autocomplete("parties", vec![focused("story", "azer")]),
        ),
        (
            "terms story",
            autocomplete("terms", vec![focused("story", "")]),
        ),
        (
            "quote story",
            autocomplete("quote", vec![focused("story", "")]),
        ),
        (
            "card story",
            autocomplete("card", vec![string("card", "terms"), focused("story", "")]),
        ),
    ]
}

// ---------------------------------------------------------------------------
// Checks the description does not make
// ---------------------------------------------------------------------------

/// Discord's `^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$`, lowercase, by
/// hand (no regex dev-dependency). `char::is_alphabetic`/`is_numeric` are the
/// Unicode Alphabetic and N properties, a close superset of `\p{L}`/`\p{N}`.
fn name_problem(name: &str) -> Option<String> {
    let len = name.chars().count();
    if !(1..=32).contains(&len) {
        return Some(format!("name {name:?} has {len} characters, not 1 to 32"));
    }
    let allowed = |c: char| {
        matches!(c, '-' | '_' | '\'')
            || c.is_alphabetic()
            || c.is_numeric()
            || ('\u{0900}'..='\u{097F}').contains(&c)
            || ('\u{0E00}'..='\u{0E7F}').contains(&c)
    };
    if let Some(c) = name.chars().find(|&c| !allowed(c)) {
        return Some(format!("name {name:?} contains {c:?}"));
    }
    if name.to_lowercase() != name {
        return Some(format!("name {name:?} is not lowercase"));
    }
    None
}

fn chars(value: &Value) -> usize {
    value.as_str().map_or(0, |s| s.chars().count())
}

fn check_len(out: &mut Vec<String>, at: &str, value: &Value, range: (usize, usize)) {
    if value.is_null() {
        return;
    }
    let Some(s) = value.as_str() else {
        out.push(format!("{at} is not a string: {value}"));
        return;
    };
    let n = s.chars().count();
    if n < range.0 || n > range.1 {
        out.push(format!(
            "{at} has {n} characters, not {} to {}",
            range.0, range.1
        ));
    }
}

fn array(value: &Value) -> &[Value] {
    value.as_array().map_or(&[], Vec::as_slice)
}

/// Problems with the command list that Discord would reject but its
/// description does not express.
fn definition_problems(commands: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for command in array(commands) {
        let name = command["name"].as_str().unwrap_or("?");
        if !seen.insert(name) {
            out.push(format!("command {name:?} is defined twice"));
        }
        node_problems(&format!("/{name}"), command, false, &mut out);
        // Discord's limit on the combined text of one command.
        let total = text_total(command);
        if total > 4000 {
            out.push(format!(
                "/{name}: {total} characters of names, descriptions and choices, more than 4000"
            ));
        }
    }
    out
}

/// Checks a command or an option, and below it its options and choices.
fn node_problems(at: &str, node: &Value, is_option: bool, out: &mut Vec<String>) {
    match node["name"].as_str() {
        Some(name) => out.extend(name_problem(name).map(|p| format!("{at}: {p}"))),
        None => out.push(format!("{at}: no name")),
    }
    // Chat input commands (type 1 or absent) and all options need one.
    let chat_input = is_option || matches!(node["type"].as_u64(), None | Some(1));
    if chat_input || !node["description"].is_null() {
        if node["description"].is_null() {
            out.push(format!("{at}: no description"));
        }
        check_len(
            out,
            &format!("{at} description"),
            &node["description"],
            (1, 100),
        );
    }
    let options = array(&node["options"]);
    if options.len() > 25 {
        out.push(format!("{at}: {} options, more than 25", options.len()));
    }
    let mut names = HashSet::new();
    let mut optional_seen = false;
    for option in options {
        let name = option["name"].as_str().unwrap_or("?");
        if !names.insert(name) {
            out.push(format!("{at}: option {name:?} is defined twice"));
        }
        let required = option["required"].as_bool().unwrap_or(false);
        if required && optional_seen {
            out.push(format!(
                "{at}: required option {name:?} comes after an optional one"
            ));
        }
        optional_seen |= !required;
        node_problems(&format!("{at} {name}"), option, true, out);
    }
    let choices = array(&node["choices"]);
    if choices.len() > 25 {
        out.push(format!("{at}: {} choices, more than 25", choices.len()));
    }
    if !choices.is_empty() && node["autocomplete"] == true {
        out.push(format!("{at}: has both choices and autocomplete"));
    }
    for (i, choice) in choices.iter().enumerate() {
        check_len(
            out,
            &format!("{at} choice {i} name"),
            &choice["name"],
            (1, 100),
        );
        if choice["value"].is_string() {
            check_len(
                out,
                &format!("{at} choice {i} value"),
                &choice["value"],
                (1, 100),
            );
        }
    }
    if let (Some(min), Some(max)) = (node["min_value"].as_f64(), node["max_value"].as_f64())
        && min > max
    {
        out.push(format!("{at}: min_value {min} > max_value {max}"));
    }
    if let (Some(min), Some(max)) = (node["min_length"].as_u64(), node["max_length"].as_u64())
        && min > max
    {
        out.push(format!("{at}: min_length {min} > max_length {max}"));
    }
}

/// Characters of names, descriptions and choice names and values, summed.
fn text_total(node: &Value) -> usize {
    let own = chars(&node["name"]) + chars(&node["description"]);
    let choices: usize = array(&node["choices"])
        .iter()
        .map(|c| chars(&c["name"]) + chars(&c["value"]))
        .sum();
    let options: usize = array(&node["options"]).iter().map(text_total).sum();
    own + choices + options
}

/// Problems with a message response (`{"type":4,"data":{...}}`) that Discord
/// would reject, or that would ping someone, but the description allows.
fn message_problems(response: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let data = &response["data"];
    if !data.is_object() {
        return vec!["no data object".into()];
    }
    let mentions = &data["allowed_mentions"];
    if !mentions.is_object() {
        out.push("data.allowed_mentions is missing: the message could ping".into());
    } else {
        if mentions["parse"] != json!([]) {
            out.push(format!(
                "allowed_mentions.parse is {}, not []",
                mentions["parse"]
            ));
        }
        for list in ["users", "roles"] {
            if !array(&mentions[list]).is_empty() {
                out.push(format!("allowed_mentions.{list} lists {}", mentions[list]));
            }
        }
    }
    match &data["flags"] {
        Value::Null => {}
        flags if flags == 64 => {}
        flags => out.push(format!("flags is {flags}, not 64 or absent")),
    }
    check_len(&mut out, "content", &data["content"], (0, 2000));
    let embeds = array(&data["embeds"]);
    if chars(&data["content"]) == 0 && embeds.is_empty() {
        out.push("empty message: no content and no embeds".into());
    }
    if embeds.len() > 10 {
        out.push(format!("{} embeds, more than 10", embeds.len()));
    }
    let mut total = 0;
    for (i, embed) in embeds.iter().enumerate() {
        let at = format!("embed {i}");
        let limits = [
            ("title", &embed["title"], 256),
            ("description", &embed["description"], 4096),
            ("footer.text", &embed["footer"]["text"], 2048),
            ("author.name", &embed["author"]["name"], 256),
        ];
        for (what, value, max) in limits {
            check_len(&mut out, &format!("{at} {what}"), value, (0, max));
            total += chars(value);
        }
        let fields = array(&embed["fields"]);
        if fields.len() > 25 {
            out.push(format!("{at}: {} fields, more than 25", fields.len()));
        }
        for (j, field) in fields.iter().enumerate() {
            check_len(
                &mut out,
                &format!("{at} field {j} name"),
                &field["name"],
                (1, 256),
            );
            check_len(
                &mut out,
                &format!("{at} field {j} value"),
                &field["value"],
                (1, 1024),
            );
            total += chars(&field["name"]) + chars(&field["value"]);
        }
    }
    if total > 6000 {
        out.push(format!("embeds hold {total} characters, more than 6000"));
    }
    out
}

/// Problems with an autocomplete response's choices.
fn autocomplete_problems(response: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if response["type"] != 8 {
        out.push(format!("type is {}, not 8", response["type"]));
    }
    let Some(choices) = response["data"]["choices"].as_array() else {
        return vec![format!("no data.choices array in {response}")];
    };
    if choices.len() > 25 {
        out.push(format!("{} choices, more than 25", choices.len()));
    }
    for (i, choice) in choices.iter().enumerate() {
        check_len(
            &mut out,
            &format!("choice {i} name"),
            &choice["name"],
            (1, 100),
        );
        if choice["value"].is_string() {
            check_len(
                &mut out,
                &format!("choice {i} value"),
                &choice["value"],
                (1, 100),
            );
        }
    }
    out
}

/// All the user-visible text of a message.
fn message_text(response: &Value) -> String {
    let data = &response["data"];
    let mut parts = vec![data["content"].as_str().unwrap_or("").to_owned()];
    for embed in array(&data["embeds"]) {
        for value in [
            &embed["title"],
            &embed["description"],
            &embed["footer"]["text"],
            &embed["author"]["name"],
        ] {
            parts.push(value.as_str().unwrap_or("").to_owned());
        }
        for field in array(&embed["fields"]) {
            parts.push(field["name"].as_str().unwrap_or("").to_owned());
            parts.push(field["value"].as_str().unwrap_or("").to_owned());
        }
    }
    parts.join("\n")
}

/// Mentions and a masked link that survive in `text` verbatim.
fn hostile_leftovers(text: &str) -> Vec<String> {
    let mut out: Vec<String> = ["@everyone", "<@123>", "<@&456>"]
        .into_iter()
        .filter(|raw| text.contains(raw))
        .map(|raw| format!("raw {raw:?}"))
        .collect();
    let link = "](https://evil.example)";
    if text
        .match_indices(link)
        .any(|(i, _)| !text[..i].ends_with('\\'))
    {
        out.push(format!("an unescaped {link:?}"));
    }
    out
}

/// Sends an application command and checks the message that comes back
/// against the description and the limits; returns the response.
fn check_message(label: &str, interaction: &Value) -> Value {
    message_conforms(label, interaction).unwrap_or_else(|failure| panic!("{failure}"))
}

/// The response to `interaction`, or why it is not a conforming message.
fn message_conforms(label: &str, interaction: &Value) -> Result<Value, String> {
    let response = try_respond(interaction).map_err(|e| format!("{label}: {e}"))?;
    let mut problems = validate("create_interaction_response", &response)
        .err()
        .map(|errors| {
            let mut lines = vec!["not a valid create_interaction_response body:".to_owned()];
            lines.extend(errors);
            lines
        })
        .unwrap_or_default();
    if response["type"] != 4 {
        problems.push(format!("type is {}, not 4 (a message)", response["type"]));
    }
    problems.extend(message_problems(&response));
    if problems.is_empty() {
        Ok(response)
    } else {
        Err(format!(
            "{label}:\n{}\n\nbody:\n{}",
            problems.join("\n"),
            pretty(&response)
        ))
    }
}

fn find_case(label: &str) -> Value {
    message_cases()
        .into_iter()
        .find(|(l, _)| l == label)
        .unwrap_or_else(|| panic!("no case {label}"))
        .1
}

// ---------------------------------------------------------------------------
// Self-tests: the validator and the hand checks can fail
// ---------------------------------------------------------------------------

#[test]
fn validator_accepts_a_valid_response_and_rejects_an_invalid_one() {
    let valid = json!({
        "type": 4,
        "data": {
            "embeds": [{ "title": "Corridor", "description": "A route.", "fields": [{ "name": "a", "value": "b" }] }],
            "allowed_mentions": { "parse": [] },
            "flags": 64
        }
    });
    assert_eq!(validate("create_interaction_response", &valid), Ok(()));
    assert!(message_problems(&valid).is_empty());

    let numeric_title = json!({ "type": 4, "data": { "embeds": [{ "title": 7 }] } });
    let errors = validate("create_interaction_response", &numeric_title).unwrap_err();
    assert!(
        errors.iter().any(|e| e.contains("/data/embeds/0/title")),
        "the error does not point at the title:\n{}",
        errors.join("\n")
    );

    let long_title = json!({ "type": 4, "data": { "embeds": [{ "title": "x".repeat(257) }] } });
    assert!(validate("create_interaction_response", &long_title).is_err());
    assert!(validate("create_interaction_response", &json!({ "type": 42 })).is_err());
    assert_eq!(
        validate("create_interaction_response", &json!({ "type": 1 })),
        Ok(())
    );
    assert_eq!(
        validate(
            "create_interaction_response",
            &json!({ "type": 8, "data": { "choices": [{ "name": "Armenia", "value": "armenia" }] } })
        ),
        Ok(())
    );
}

#[test]
fn validator_accepts_a_valid_command_and_rejects_invalid_ones() {
    let valid = json!({
        "name": "search",
        "description": "Search the story.",
        "options": [{
            "type": 3, "name": "topic", "description": "Only hits about this topic.",
            "choices": [{ "name": "The corridor", "value": "corridor" }]
        }]
    });
    assert_eq!(validate("create_application_command", &valid), Ok(()));
    assert_eq!(
        validate("bulk_set_application_commands", &json!([valid])),
        Ok(())
    );
    assert!(definition_problems(&json!([valid])).is_empty());

    let long_name = json!({ "name": "x".repeat(33), "description": "d" });
    assert!(validate("create_application_command", &long_name).is_err());
    let bad_option = json!({ "name": "x", "description": "d", "options": [{ "type": 99, "name": "y", "description": "d" }] });
    assert!(validate("create_application_command", &bad_option).is_err());
    assert!(validate("bulk_set_application_commands", &json!({ "name": "x" })).is_err());
}

#[test]
fn hand_checks_catch_what_the_description_allows() {
    for ok in [
        "ask",
        "source",
        "top-10",
        "it's",
        "naïve",
        "नमस्ते",
        "สวัสดี",
        "日本",
    ] {
        assert_eq!(name_problem(ok), None, "{ok}");
    }
    for bad in ["", "Ask", "two words", "a.b", "emoji😀", &"x".repeat(33)] {
        assert!(name_problem(bad).is_some(), "{bad:?} passes");
    }
    let bad_commands = json!([
        { "name": "Ask", "description": "" },
        { "name": "x", "description": "d", "options": [
            { "type": 3, "name": "a", "description": "d" },
            { "type": 3, "name": "b B", "description": "d", "required": true,
              "choices": [{ "name": "", "value": "v" }], "autocomplete": true }
        ] }
    ]);
    let problems = definition_problems(&bad_commands);
    for expected in [
        "not lowercase",
        "description has 0",
        "contains ' '",
        "comes after an optional",
        "choice 0 name",
        "both choices and autocomplete",
    ] {
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "{expected:?} not reported in {problems:#?}"
        );
    }
    let pinging = json!({
        "type": 4,
        "data": {
            "content": "x".repeat(2001),
            "embeds": [
                { "title": "t".repeat(256), "description": "d".repeat(4096) },
                { "description": "d".repeat(2000) }
            ],
            "allowed_mentions": { "parse": ["everyone"], "users": ["1"] },
            "flags": 4
        }
    });
    let problems = message_problems(&pinging);
    for expected in ["parse", "users", "flags", "content", "6000"] {
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "{expected:?} not reported in {problems:#?}"
        );
    }
    assert_eq!(
        hostile_leftovers(r"\[x\](https://evil.example) @\u{200b}everyone"),
        Vec::<String>::new()
    );
    assert_eq!(
        hostile_leftovers("[x](https://evil.example) <@123>").len(),
        2
    );
}

#[test]
fn fixtures_deserialize_as_serenity_interactions() {
    assert_deserializes(&ping());
    for (_, interaction) in message_cases() {
        assert_deserializes(&interaction);
    }
    for (_, interaction) in autocomplete_cases() {
        assert_deserializes(&interaction);
    }
}

// ---------------------------------------------------------------------------
// Command definitions
// ---------------------------------------------------------------------------

#[test]
fn every_command_is_a_valid_create_application_command_body() {
    let commands = commands();
    assert!(!array(commands).is_empty(), "no commands");
    let mut failures = Vec::new();
    for command in array(commands) {
        if let Err(errors) = validate("create_application_command", command) {
            failures.push(format!("/{}:\n{}", command["name"], errors.join("\n")));
        }
        // The same body as a component, to pin the schema the operation uses.
        if let Err(errors) = validate_component("ApplicationCommandCreateRequest", command) {
            failures.push(format!(
                "/{} (component):\n{}",
                command["name"],
                errors.join("\n")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_command_list_is_a_valid_bulk_overwrite_body() {
    assert_valid("bulk_set_application_commands", "command list", commands());
}

#[test]
fn command_names_descriptions_options_and_choices_are_within_discord_rules() {
    let problems = definition_problems(commands());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn fixtures_use_only_declared_commands_and_options() {
    let declared: HashMap<&str, &Value> = array(commands())
        .iter()
        .filter_map(|c| Some((c["name"].as_str()?, c)))
        .collect();
    let mut problems = Vec::new();
    let mut exercised = HashSet::new();
    let mut completed = HashSet::new();
    let all = message_cases().into_iter().chain(
        autocomplete_cases()
            .into_iter()
            .map(|(l, i)| (l.to_owned(), i)),
    );
    for (label, interaction) in all {
        let name = interaction["data"]["name"].as_str().unwrap();
        exercised.insert(name.to_owned());
        let Some(command) = declared.get(name) else {
            problems.push(format!("{label}: no command /{name}"));
            continue;
        };
        for sent in array(&interaction["data"]["options"]) {
            let option = array(&command["options"])
                .iter()
                .find(|o| o["name"] == sent["name"]);
            let Some(option) = option else {
                problems.push(format!("{label}: /{name} has no option {}", sent["name"]));
                continue;
            };
            if option["type"] != sent["type"] {
                problems.push(format!(
                    "{label}: option {} is type {}, sent as {}",
                    sent["name"], option["type"], sent["type"]
                ));
            }
            if sent["focused"] == true {
                if option["autocomplete"] != true {
                    problems.push(format!(
                        "{label}: option {} is not autocomplete",
                        sent["name"]
                    ));
                }
                completed.insert(format!("{name} {}", sent["name"].as_str().unwrap()));
            }
        }
    }
    for (name, command) in &declared {
        if !exercised.contains(*name) {
            problems.push(format!("/{name} is not exercised by any test"));
        }
        for option in array(&command["options"]) {
            let key = format!("{name} {}", option["name"].as_str().unwrap_or("?"));
            if option["autocomplete"] == true && !completed.contains(&key) {
                problems.push(format!(
                    "autocomplete of {key} is not exercised by any test"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------

#[test]
fn a_long_ask_answer_conforms() {
    check_message("/ask long answer", &find_case("/ask long answer"));
}

#[test]
fn an_ask_abstention_conforms() {
    check_message("/ask abstention", &find_case("/ask abstention"));
}

#[test]
fn an_error_is_an_ephemeral_message_that_conforms() {
    let response = check_message("/source paragraph:99", &find_case("/source paragraph:99"));
    assert_eq!(
        response["data"]["flags"],
        64,
        "the error is not ephemeral:\n{}",
        pretty(&response)
    );
}

#[test]
fn every_command_response_conforms() {
    let cases = message_cases();
    // One process per case, run side by side.
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = cases
            .iter()
            .map(|(label, interaction)| scope.spawn(move || message_conforms(label, interaction)))
            .collect();
        handles
            .into_iter()
            .filter_map(|h| h.join().expect("a check panicked").err())
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} of {} responses fail:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_autocomplete_response_conforms() {
    let mut failures = Vec::new();
    for (label, interaction) in autocomplete_cases() {
        let response = respond(&interaction);
        let mut problems = validate("create_interaction_response", &response)
            .err()
            .unwrap_or_default();
        problems.extend(autocomplete_problems(&response));
        if array(&response["data"]["choices"]).is_empty() {
            problems.push("no choices".into());
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{label}:\n{}\nbody:\n{}",
                problems.join("\n"),
                pretty(&response)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_ping_gets_a_pong() {
    let response = respond(&ping());
    assert_valid("create_interaction_response", "PING", &response);
    assert_eq!(response["type"], 1, "not a pong:\n{}", pretty(&response));
}

#[test]
fn hostile_text_in_a_question_is_neutralised() {
    for question in hostile_questions() {
        let label = format!("/ask {question:?}");
        let response = check_message(&label, &slash("ask", vec![string("question", &question)]));
        let leftovers = hostile_leftovers(&message_text(&response));
        assert!(
            leftovers.is_empty(),
            "{label}: the message shows {}:\n{}",
            leftovers.join(", "),
            pretty(&response)
        );
    }
}

// ---------------------------------------------------------------------------
// Buttons and selects: what a click on each gets
// ---------------------------------------------------------------------------

/// A click (interaction type 3) on a button, or on a select with `values`.
fn click(custom_id: &str, values: Option<Vec<&str>>) -> Value {
    let data = match values {
        None => json!({ "custom_id": custom_id, "component_type": 2 }),
        Some(v) => json!({ "custom_id": custom_id, "component_type": 3, "values": v }),
    };
    let mut i = interaction(3, data);
    i["message"] = json!({
        "id": "7001", "channel_id": "4001",
        "author": { "id": "1", "username": "dossier", "bot": true },
        "content": "", "timestamp": "2024-01-01T00:00:00.000000+00:00",
        "edited_timestamp": null, "tts": false, "mention_everyone": false,
        "mentions": [], "mention_roles": [], "attachments": [], "embeds": [],
        "pinned": false, "type": 20, "flags": 0, "components": []
    });
    i
}

/// Every component of a response, flattened out of its rows.
fn components_of(response: &Value) -> Vec<Value> {
    array(&response["data"]["components"])
        .iter()
        .flat_map(|row| array(&row["components"]).to_vec())
        .collect()
}

/// A click's response: valid, pinging nobody, of the `kind` expected.
fn click_conforms(label: &str, interaction: &Value, kind: u64) -> Value {
    let response = respond(interaction);
    let mut problems = validate("create_interaction_response", &response)
        .err()
        .unwrap_or_default();
    if response["type"] != kind {
        problems.push(format!("type is {}, not {kind}", response["type"]));
    }
    problems.extend(message_problems(&response));
    for c in components_of(&response) {
        if chars(&c["custom_id"]) > 100 {
            problems.push(format!("custom_id over 100 characters: {}", c["custom_id"]));
        }
    }
    assert!(
        problems.is_empty(),
        "{label}:\n{}\n\n{}",
        problems.join("\n"),
        pretty(&response)
    );
    response
}

#[test]
fn ask_replies_carry_votes_and_a_citation_select_whose_clicks_conform() {
    let answer = check_message(
        "ask",
        &slash("ask", vec![string("question", "What is the Trump Route?")]),
    );
    let components = components_of(&answer);
    let ids: Vec<&str> = components
        .iter()
        .filter_map(|c| c["custom_id"].as_str())
        .collect();
    assert!(
        ids.contains(&"vote:up:3001") && ids.contains(&"vote:down:3001"),
        "{ids:?}"
    );
    let select = components
        .iter()
        .find(|c| c["type"] == 3)
        .expect("a citation select");
    let options = array(&select["options"]);
    assert!(!options.is_empty());
    for o in options {
        assert!(
            chars(&o["value"]) <= 100 && chars(&o["label"]) <= 100,
            "{o}"
        );
    }

    let vote = click_conforms("vote", &click("vote:down:3001", None), 4);
    assert_eq!(
        vote["data"]["flags"], 64,
        "a vote's thanks is only for the voter"
    );

    let value = options[0]["value"].as_str().unwrap();
    let select_id = select["custom_id"].as_str().unwrap();
    let opened = click_conforms("cite", &click(select_id, Some(vec![value])), 4);
    assert_eq!(opened["data"]["flags"], 64);
    let text = message_text(&opened);
    // The option's description is the quote; its opening words are bold.
    let quote = options[0]["description"].as_str().unwrap();
    let opening: Vec<&str> = quote.split(' ').take(3).collect();
    assert!(
        text.contains(&format!("**{}", opening.join(" "))),
        "the quoted words are not in bold:\n{text}"
    );
    assert!(!text.contains("changed since"), "{text}");
}

#[test]
fn a_declined_ask_offers_its_related_passages_in_a_select_whose_clicks_conform() {
    let declined = check_message(
        "ask declined",
        &slash(
            "ask",
            vec![string(
                "question",
                "How much will the corridor cost to build?",
            )],
        ),
    );
    let text = message_text(&declined);
    assert!(text.contains("do not answer"), "{text}");
    assert!(
        array(&declined["data"]["embeds"][0]["fields"]).is_empty(),
        "a declined question cites nothing: {}",
        pretty(&declined)
    );
    let select = components_of(&declined)
        .into_iter()
        .find(|c| c["type"] == 3)
        .expect("a select of the related passages");
    assert_eq!(select["placeholder"], "Read a related paragraph");
    let options = array(&select["options"]);
    assert!((1..=3).contains(&options.len()), "{}", pretty(&select));
    let id = select["custom_id"].as_str().unwrap();
    for o in options {
        let value = o["value"].as_str().unwrap();
        let opened = click_conforms(value, &click(id, Some(vec![value])), 4);
        assert_eq!(opened["data"]["flags"], 64);
        let text = message_text(&opened);
        let quote = o["description"].as_str().unwrap();
        let opening: Vec<&str> = quote.split(' ').take(3).collect();
        assert!(
            text.contains(&format!("**{}", opening.join(" "))),
            "the related sentence is not in bold:\n{text}"
        );
    }
}

#[test]
fn the_briefings_card_select_conforms_and_opens_a_card() {
    let brief = check_message("brief", &slash("brief", vec![]));
    let select = components_of(&brief)
        .into_iter()
        .find(|c| c["type"] == 3)
        .expect("a card select under the briefing");
    let id = select["custom_id"].as_str().unwrap().to_string();
    for o in array(&select["options"]) {
        let value = o["value"].as_str().unwrap();
        let card = click_conforms(value, &click(&id, Some(vec![value])), 4);
        assert_eq!(
            card["data"]["flags"], 64,
            "a card opened is only for the clicker"
        );
        assert!(
            !array(&card["data"]["embeds"][0]["fields"]).is_empty(),
            "{}",
            pretty(&card)
        );
    }
}

#[test]
fn clicks_on_citations_from_older_content_say_it_changed() {
    // A digest no paragraph has: the paragraph changed since the answer.
    let changed = click_conforms(
        "changed",
        &click(
            "cite:1",
            Some(vec!["4:0:10:00000000:azerbaijan-armenia-peace-deal"]),
        ),
        4,
    );
    let text = message_text(&changed);
    assert!(
        text.contains("content has changed") && !text.contains("no longer in the sources"),
        "{}",
        pretty(&changed)
    );
    // The paragraph as it reads now.
    let out = dossier(index_dir())
        .args(["source", "4", "--json"])
        .output()
        .unwrap();
    let now: Value = serde_json::from_slice(&out.stdout).unwrap();
    let words: Vec<&str> = now[0]["text"]
        .as_str()
        .unwrap()
        .split(' ')
        .take(4)
        .collect();
    let opening = words.join(" ");
    assert!(text.contains(&opening), "{text}");
    let gone = click_conforms(
        "gone",
        &click(
            "cite:1",
            Some(vec!["999:0:10:00000000:azerbaijan-armenia-peace-deal"]),
        ),
        4,
    );
    assert!(
        message_text(&gone).contains("is no longer in the sources"),
        "{}",
        pretty(&gone)
    );
    let garbage = click_conforms("garbage", &click("nonsense", None), 4);
    assert_eq!(garbage["data"]["flags"], 64);
}

#[test]
fn search_pages_forward_and_back_by_updating_the_message() {
    let first = check_message(
        "search",
        &slash(
            "search",
            vec![string("query", "Azerbaijan Armenia"), integer("limit", 2)],
        ),
    );
    let buttons = components_of(&first);
    let next = buttons
        .iter()
        .find(|c| c["label"] == "Next")
        .expect("a Next button");
    let prev = buttons
        .iter()
        .find(|c| c["label"] == "Previous")
        .expect("a Previous button");
    assert_eq!(prev["disabled"], true, "no page before the first");
    assert_ne!(next["disabled"], true);
    let second = click_conforms("next", &click(next["custom_id"].as_str().unwrap(), None), 7);
    assert_ne!(
        message_text(&second),
        message_text(&first),
        "Next shows other hits"
    );
    let back = components_of(&second)
        .into_iter()
        .find(|c| c["label"] == "Previous")
        .expect("Previous on page 2");
    let again = click_conforms(
        "previous",
        &click(back["custom_id"].as_str().unwrap(), None),
        7,
    );
    assert_eq!(message_text(&again), message_text(&first));
}
