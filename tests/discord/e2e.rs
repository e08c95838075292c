//! End-to-end tests: the real `dossier serve` binary against the fake Discord.
//!
//! Each test copies the repository's content into a temporary directory,
//! builds the index with `dossier reindex`, starts `dossier serve` pointed at
//! a `FakeDiscord`, and talks to it over the fake gateway and REST API.

use std::fs::{self, File};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use tempfile::TempDir;

use crate::fake::{self, FakeDiscord, GUILD_ID};

const ARTICLE: &str = "content/articles/azerbaijan-armenia-peace-deal.md";
/// How long the bot may take to connect, identify and register its commands.
const READY: Duration = Duration::from_secs(15);
/// How long one answer may take.
const ANSWER: Duration = Duration::from_secs(10);

/// The running bot; killed when dropped.
struct Bot {
    child: Child,
    log: PathBuf,
    dir: TempDir,
}

/// The token the bot runs with; it must never show in its output.
const TOKEN: &str = "test-token-not-real";

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Bot {
    /// Copy the content, build the index and start `dossier serve`.
    fn start(fake: &FakeDiscord) -> Bot {
        Bot::start_with(fake, &[])
    }

    /// [`Bot::start`] with extra arguments to `serve`.
    fn start_with(fake: &FakeDiscord, serve_args: &[&str]) -> Bot {
        Bot::start_logging(fake, serve_args, "info")
    }

    /// [`Bot::start_with`] at the log level `rust_log`.
    fn start_logging(fake: &FakeDiscord, serve_args: &[&str], rust_log: &str) -> Bot {
        Bot::start_at(&fake.base_url(), serve_args, rust_log)
    }

    /// [`Bot::start_logging`] with Discord's API at `api_base`.
    fn start_at(api_base: &str, serve_args: &[&str], rust_log: &str) -> Bot {
        let dir = tempfile::tempdir().expect("tempdir");
        let content = dir.path().join("content");
        let index = dir.path().join("index");
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
            &content,
        );

        let reindex = dossier(dir.path(), &content, &index)
            .arg("reindex")
            .output()
            .expect("run dossier reindex");
        assert!(
            reindex.status.success(),
            "dossier reindex failed: {}\n{}{}",
            reindex.status,
            String::from_utf8_lossy(&reindex.stdout),
            String::from_utf8_lossy(&reindex.stderr)
        );

        let log = dir.path().join("bot.log");
        let out = File::create(&log).expect("create bot.log");
        let err = out.try_clone().expect("clone bot.log");
        let child = dossier(dir.path(), &content, &index)
            .arg("serve")
            .args(serve_args)
            .env("DISCORD_TOKEN", TOKEN)
            .env("DISCORD_API_BASE", api_base)
            .env("DISCORD_GUILD_ID", GUILD_ID)
            .env("NO_PROXY", "127.0.0.1")
            .env("no_proxy", "127.0.0.1")
            .env("RUST_LOG", rust_log)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .expect("spawn dossier serve");
        Bot { child, log, dir }
    }

    /// `dossier --content .. --index ..` on this bot's content and index.
    fn dossier(&self) -> Command {
        let root = self.dir.path();
        dossier(root, &root.join("content"), &root.join("index"))
    }

    /// What the bot printed so far.
    fn output(&self) -> String {
        strip_ansi(&fs::read_to_string(&self.log).unwrap_or_default())
    }

    /// Unwrap a result, or fail the test showing the bot's output.
    fn check<T>(&self, result: Result<T, String>, what: &str) -> T {
        match result {
            Ok(v) => v,
            Err(e) => panic!(
                "{what}: {e}\n--- dossier serve output ---\n{}",
                self.output()
            ),
        }
    }

    /// Fail the test unless `cond` holds, showing the bot's output.
    fn ensure(&self, cond: bool, what: &str) {
        if !cond {
            panic!("{what}\n--- dossier serve output ---\n{}", self.output());
        }
    }
}

/// Text without ANSI colour sequences (`ESC [ ... m`).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `dossier --content .. --index ..`, run from `cwd` so no stray `.env` applies.
fn dossier(cwd: &Path, content: &Path, index: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dossier"));
    cmd.current_dir(cwd)
        .env_remove("DOSSIER_CONTENT")
        .env_remove("DOSSIER_INDEX")
        .arg("--content")
        .arg(content)
        .arg("--index")
        .arg(index);
    cmd
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create dir");
    for entry in fs::read_dir(from).expect("read content dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// Run a test body with an overall time limit.
async fn within<F: Future<Output = ()>>(limit: Duration, body: F) {
    if tokio::time::timeout(limit, body).await.is_err() {
        panic!("the test took longer than {limit:?}");
    }
}

/// Start the fake and the bot and wait until the bot registered its commands.
async fn start() -> (FakeDiscord, Bot) {
    let fake = FakeDiscord::start().await;
    let bot = Bot::start(&fake);
    let ready = fake.wait_ready(READY).await;
    bot.check(ready, "the bot never got ready");
    (fake, bot)
}

/// Send `/ask question:<question>` and return the callback body.
async fn ask(fake: &FakeDiscord, bot: &Bot, id: &str, question: &str) -> Value {
    let options = json!([fake::string_option("question", question)]);
    fake.send_interaction(fake::command(id, "ask", options))
        .await;
    let callback = fake.wait_callback(id, ANSWER).await;
    bot.check(callback, &format!("no answer to /ask {question:?}"))
}

/// The paragraphs of an article body: blank-line-separated blocks after the
/// closing `+++` of the front matter, numbered from 1 (index 0 here).
fn paragraphs(article: &str) -> Vec<String> {
    let mut lines = article.lines();
    let mut fences = 0;
    for line in lines.by_ref() {
        if line.trim() == "+++" {
            fences += 1;
            if fences == 2 {
                break;
            }
        }
    }
    let body: Vec<&str> = lines.collect();
    body.split(|l| l.trim().is_empty())
        .filter(|block| !block.is_empty())
        .map(|block| block.join("\n").trim().to_string())
        .collect()
}

/// The paragraph number in a citation field's name ("… ¶4 …").
fn paragraph_number(name: &str) -> Option<usize> {
    let after = name.split_once('¶')?.1;
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The quote in a citation field's value: its leading `> ` lines, without
/// markdown escapes and without a trailing ellipsis.
fn quote_text(value: &str) -> Option<String> {
    let quoted: Vec<&str> = value
        .lines()
        .map_while(|l| l.strip_prefix("> ").or_else(|| (l == ">").then_some("")))
        .collect();
    if quoted.is_empty() {
        return None;
    }
    let text = quoted.join(" ").replace('\\', "");
    let text = text.trim();
    let text = text.strip_suffix('…').unwrap_or(text).trim_end();
    let text = text.strip_prefix('…').unwrap_or(text).trim_start();
    Some(text.to_string())
}

/// Check every citation field of an answer against the article; returns how
/// many citations were checked.
fn check_citations(bot: &Bot, data: &Value, paragraphs: &[String]) -> usize {
    let mut checked = 0;
    for embed in data["embeds"].as_array().into_iter().flatten() {
        for field in embed["fields"].as_array().into_iter().flatten() {
            let name = field["name"].as_str().unwrap_or_default();
            let value = field["value"].as_str().unwrap_or_default();
            let Some(quote) = quote_text(value) else {
                continue;
            };
            let n = paragraph_number(name);
            bot.ensure(n.is_some(), &format!("citation field without ¶N: {field}"));
            let n = n.unwrap_or_default();
            bot.ensure(
                (1..=paragraphs.len()).contains(&n),
                &format!(
                    "¶{n} is not a paragraph of {ARTICLE} ({} paragraphs)",
                    paragraphs.len()
                ),
            );
            let paragraph = &paragraphs[n - 1];
            // An elision inside a quote ("a … b") must keep its pieces in order.
            let mut rest = paragraph.as_str();
            for piece in quote.split('…').map(str::trim).filter(|p| !p.is_empty()) {
                match rest.find(piece) {
                    Some(at) => rest = &rest[at + piece.len()..],
                    None => bot.ensure(
                        false,
                        &format!(
                            "quote is not word for word from ¶{n}:\n  quote: {quote:?}\n  \
                             ¶{n}: {paragraph:?}"
                        ),
                    ),
                }
            }
            checked += 1;
        }
    }
    checked
}

/// Every string in a JSON value, recursively.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

/// A message reply that shows embeds and pings no one.
fn check_message(bot: &Bot, callback: &Value, what: &str) {
    bot.ensure(
        callback["type"] == json!(4),
        &format!("{what}: expected a type 4 callback, got {callback}"),
    );
    let data = &callback["data"];
    bot.ensure(
        data["embeds"].as_array().is_some_and(|e| !e.is_empty()),
        &format!("{what}: no embeds in {callback}"),
    );
    bot.ensure(
        pings_no_one(&data["allowed_mentions"]),
        &format!("{what}: allowed_mentions may ping someone in {callback}"),
    );
}

/// `allowed_mentions` that lets nothing ping: `parse` empty, and `users` and
/// `roles` absent or empty (serenity always writes them), no `replied_user`.
fn pings_no_one(allowed: &Value) -> bool {
    let empty_or_absent = |v: &Value| v.is_null() || v.as_array().is_some_and(|a| a.is_empty());
    allowed["parse"].as_array().is_some_and(|p| p.is_empty())
        && empty_or_absent(&allowed["users"])
        && empty_or_absent(&allowed["roles"])
        && allowed["replied_user"] != json!(true)
}

#[tokio::test(flavor = "multi_thread")]
async fn registers_commands_and_answers_ask_autocomplete_and_corridor() {
    within(Duration::from_secs(25), async {
        let (fake, bot) = start().await;

        let registered = fake.registered_commands();
        bot.ensure(registered.is_some(), "no commands registered");
        let (guild, body) = registered.unwrap_or_default();
        bot.ensure(
            guild.as_deref() == Some(GUILD_ID),
            &format!("commands were not registered for guild {GUILD_ID}: {guild:?}"),
        );
        let names: Vec<&str> = body
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["name"].as_str())
            .collect();
        for name in [
            "ask", "search", "parties", "corridor", "terms", "quote", "source", "help",
        ] {
            bot.ensure(
                names.contains(&name),
                &format!("/{name} is not registered: {names:?}"),
            );
        }

        // /ask: cited passages, each word for word from the paragraph it names.
        let answer = ask(&fake, &bot, "3001", "What is the Trump Route?").await;
        check_message(&bot, &answer, "/ask");
        let article = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(ARTICLE))
            .expect("read the article");
        let paragraphs = paragraphs(&article);
        bot.ensure(paragraphs.len() > 3, "the article has too few paragraphs");
        let checked = check_citations(&bot, &answer["data"], &paragraphs);
        bot.ensure(
            checked > 0,
            &format!("/ask cited no passage (no field value starting with \"> \"): {answer}"),
        );

        // Autocomplete on /search.
        let options = json!([{"name": "query", "type": 3, "value": "nakh", "focused": true}]);
        fake.send_interaction(fake::autocomplete("3002", "search", options))
            .await;
        let choices = fake.wait_callback("3002", ANSWER).await;
        let choices = bot.check(choices, "no autocomplete answer");
        bot.ensure(
            choices["type"] == json!(8),
            &format!("autocomplete: expected a type 8 callback, got {choices}"),
        );
        let list = choices["data"]["choices"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        bot.ensure(
            !list.is_empty(),
            &format!("no choices for \"nakh\": {choices}"),
        );
        bot.ensure(
            list.iter()
                .any(|c| c["name"].as_str().is_some_and(|n| n.contains("Nakhchivan"))),
            &format!("no choice mentions Nakhchivan: {choices}"),
        );

        // /corridor with no options.
        fake.send_interaction(fake::command("3003", "corridor", json!([])))
            .await;
        let corridor = fake.wait_callback("3003", ANSWER).await;
        let corridor = bot.check(corridor, "no answer to /corridor");
        check_message(&bot, &corridor, "/corridor");

        for id in ["3001", "3002", "3003"] {
            bot.ensure(
                fake.callbacks_for(id) == 1,
                &format!(
                    "interaction {id} was answered {} times",
                    fake.callbacks_for(id)
                ),
            );
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_gateway_connection_does_not_lose_later_interactions() {
    within(Duration::from_secs(40), async {
        let (fake, bot) = start().await;

        let first = ask(&fake, &bot, "3101", "What is the Trump Route?").await;
        check_message(&bot, &first, "/ask before the drop");

        fake.drop_connection().await;

        // send_interaction waits for the bot to reconnect (resume or identify).
        let options = json!([fake::string_option("question", "Who signed the agreement?")]);
        fake.send_interaction(fake::command("3102", "ask", options))
            .await;
        let second = fake.wait_callback("3102", Duration::from_secs(15)).await;
        let second = bot.check(second, "no answer after the gateway connection dropped");
        check_message(&bot, &second, "/ask after the drop");
        eprintln!(
            "after the drop: {} resume(s), {} identify(s), {} connection(s)",
            fake.resume_count(),
            fake.identify_count(),
            fake.connection_count()
        );
        bot.ensure(
            fake.resume_count() + fake.identify_count() >= 2,
            "the bot answered without a new session",
        );
        bot.ensure(fake.callbacks_for("3101") == 1, "3101 answered twice");
        bot.ensure(fake.callbacks_for("3102") == 1, "3102 answered twice");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn user_text_never_pings() {
    within(Duration::from_secs(25), async {
        let (fake, bot) = start().await;

        let question = "@everyone <@123> <@&456> what is TRIPP?";
        let answer = ask(&fake, &bot, "3201", question).await;
        bot.ensure(
            answer["type"] == json!(4),
            &format!("expected a type 4 callback, got {answer}"),
        );
        let data = &answer["data"];
        bot.ensure(
            pings_no_one(&data["allowed_mentions"]),
            &format!("allowed_mentions may ping someone: {answer}"),
        );
        let mut texts = Vec::new();
        strings(data, &mut texts);
        for text in &texts {
            bot.ensure(
                !text.contains("@everyone") && !text.contains("@here"),
                &format!("a raw @everyone/@here reaches Discord: {text:?}"),
            );
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reindex_while_serving_is_seen_by_the_next_command() {
    within(Duration::from_secs(30), async {
        let (fake, bot) = start().await;
        let question = "Where does the Blue Lagoon Road run?";
        let before = ask(&fake, &bot, "3301", question).await;
        check_message(&bot, &before, "/ask before the reindex");
        bot.ensure(
            before["data"]["embeds"][0]["fields"]
                .as_array()
                .is_none_or(|f| f.is_empty()),
            &format!("answered before the content had it: {before}"),
        );

        // An editor adds a name for the corridor and reindexes in another shell.
        let entities = bot.dir.path().join("content/entities.toml");
        let text = fs::read_to_string(&entities).expect("read entities.toml");
        let edited = text.replacen(
            "aliases = [\"TRIPP\"",
            "aliases = [\"Blue Lagoon Road\", \"TRIPP\"",
            1,
        );
        bot.ensure(
            edited != text,
            "entities.toml has no TRIPP alias list to extend",
        );
        fs::write(&entities, edited).expect("write entities.toml");
        let reindex = bot
            .dossier()
            .arg("reindex")
            .output()
            .expect("run dossier reindex");
        bot.ensure(reindex.status.success(), "reindex failed");

        // The reload may make the bot defer first (type 5), then edit its reply.
        let mut after = ask(&fake, &bot, "3302", question).await;
        if after["type"] == json!(5) {
            let edit = fake.wait_original_edit("tok-3302", ANSWER).await;
            let edit = bot.check(edit, "a deferred reply was never completed");
            after = json!({"type": 4, "data": edit});
        }
        check_message(&bot, &after, "/ask after the reindex");
        let paragraphs =
            paragraphs(&fs::read_to_string(bot.dir.path().join(ARTICLE)).expect("article"));
        bot.ensure(
            check_citations(&bot, &after["data"], &paragraphs) > 0,
            &format!("the new name was not understood after the reindex: {after}"),
        );
        bot.ensure(fake.callbacks_for("3302") == 1, "3302 answered twice");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_stops_the_bot_cleanly_and_the_token_never_shows() {
    within(Duration::from_secs(30), async {
        // Everything logged, serenity's traces included: still no token.
        let fake = FakeDiscord::start().await;
        let mut bot = Bot::start_logging(&fake, &[], "trace");
        bot.check(fake.wait_ready(READY).await, "the bot never got ready");
        let answer = ask(&fake, &bot, "3401", "Who brokered the deal?").await;
        check_message(&bot, &answer, "/ask");

        let pid = bot.child.id().to_string();
        let kill = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("run kill");
        bot.ensure(kill.success(), "kill -TERM failed");
        let mut status = None;
        for _ in 0..100 {
            if let Some(s) = bot.child.try_wait().expect("wait for the bot") {
                status = Some(s);
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let status = bot.check(
            status.ok_or("still running 10 s after SIGTERM".to_string()),
            "shutdown",
        );
        bot.ensure(status.success(), &format!("the bot exited with {status}"));
        let output = bot.output();
        bot.ensure(output.contains("shutting down"), "no shutdown in the log");
        bot.ensure(
            !output.contains(TOKEN),
            "the token appears in the bot's output",
        );
    })
    .await;
}

#[test]
fn paragraphs_and_quotes_are_parsed_as_the_citations_expect() {
    let article = "+++\nid = \"x\"\n+++\n\nFirst one.\n\nSecond\nstill second.\n\n\nThird.\n";
    assert_eq!(
        paragraphs(article),
        vec!["First one.", "Second\nstill second.", "Third."]
    );
    assert_eq!(paragraph_number("Peace deal · ¶12"), Some(12));
    assert_eq!(paragraph_number("no number"), None);
    assert_eq!(
        quote_text("> the \\*Trump\\* Route…\n— source").as_deref(),
        Some("the *Trump* Route")
    );
    assert_eq!(quote_text("plain text"), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn register_overwrites_the_commands_and_prints_them() {
    within(Duration::from_secs(20), async {
        let fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().expect("tempdir");
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut cmd = dossier(dir.path(), &root.join("content"), &dir.path().join("index"));
        cmd.args(["register", "--guild", GUILD_ID])
            .env("DISCORD_TOKEN", TOKEN)
            .env("DISCORD_API_BASE", fake.base_url())
            .env("NO_PROXY", "127.0.0.1");
        let out = tokio::task::spawn_blocking(move || cmd.output())
            .await
            .expect("join")
            .expect("run dossier register");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stdout}\n{stderr}");
        assert!(
            stdout.contains(&format!("registered 11 commands in guild {GUILD_ID}")),
            "{stdout}"
        );
        assert!(stdout.contains("/ask"), "{stdout}");
        let (guild, body) = fake.registered_commands().expect("a PUT of the commands");
        assert_eq!(guild.as_deref(), Some(GUILD_ID));
        assert_eq!(body.as_array().map(Vec::len), Some(11));
        assert!(!stdout.contains(TOKEN) && !stderr.contains(TOKEN));
    })
    .await;
}

/// Waits until the fake saw IDENTIFYs for exactly these shards.
async fn wait_shards(fake: &FakeDiscord, bot: &Bot, expected: &[Value]) {
    for _ in 0..300 {
        let mut seen = fake.identified_shards();
        seen.sort_by_key(|v| v.to_string());
        if seen == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bot.ensure(
        false,
        &format!(
            "shards identified: {:?}, expected {expected:?}",
            fake.identified_shards()
        ),
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn shards_split_the_gateway_as_asked() {
    within(Duration::from_secs(40), async {
        let fake = FakeDiscord::start().await;
        // The second half of a two-process split: only shard 1 of 2 connects.
        let bot = Bot::start_with(&fake, &["--shard-range", "1..2", "--total-shards", "2"]);
        wait_shards(&fake, &bot, &[json!([1, 2])]).await;
        drop(bot);

        // The first half: shard 0 of 2 connects, registers the commands and answers.
        let fake = FakeDiscord::start().await;
        let bot = Bot::start_with(&fake, &["--shard-range", "0..1", "--total-shards", "2"]);
        wait_shards(&fake, &bot, &[json!([0, 2])]).await;
        bot.check(fake.wait_ready(READY).await, "shard 0 never got ready");
        let answer = ask(&fake, &bot, "3501", "What is TRIPP?").await;
        check_message(&bot, &answer, "/ask on shard 0 of 2");
    })
    .await;
}

/// Sends `/ask` and returns the final reply: a deferred reply (type 5) is
/// followed to its edit.
async fn ask_final(fake: &FakeDiscord, bot: &Bot, id: &str, question: &str) -> Value {
    let first = ask(fake, bot, id, question).await;
    if first["type"] != json!(5) {
        return first;
    }
    let edit = fake.wait_original_edit(&format!("tok-{id}"), ANSWER).await;
    json!({"type": 4, "data": bot.check(edit, "a deferred reply was never completed")})
}

#[tokio::test(flavor = "multi_thread")]
async fn failing_rest_calls_are_retried_and_never_double_answered() {
    within(Duration::from_secs(30), async {
        let (fake, bot) = start().await;
        fake.fail_next("/interactions/", 500, 2);
        let answer = ask(&fake, &bot, "3601", "Who brokered the deal?").await;
        check_message(&bot, &answer, "/ask after two 500s");
        bot.ensure(
            fake.callbacks_for("3601") == 1,
            "3601 answered more than once",
        );

        fake.fail_next("/interactions/", 429, 1);
        let answer = ask(&fake, &bot, "3602", "What is TRIPP?").await;
        check_message(&bot, &answer, "/ask after a 429");
        bot.ensure(
            fake.callbacks_for("3602") == 1,
            "3602 answered more than once",
        );

        // A refusal that is not transient is not retried.
        fake.fail_next("/interactions/", 400, 1);
        let options = json!([fake::string_option("question", "miracle")]);
        fake.send_interaction(fake::command("3603", "ask", options))
            .await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        bot.ensure(fake.callbacks_for("3603") == 0, "a 400 was retried");
        let answer = ask(&fake, &bot, "3604", "miracle").await;
        check_message(&bot, &answer, "/ask after a 400");
        bot.ensure(bot.output().contains("retrying"), "no retry was logged");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn gateway_closes_resumable_or_not_do_not_stop_the_bot() {
    within(Duration::from_secs(45), async {
        let (fake, bot) = start().await;
        for (n, code) in [(1, 4000u16), (2, 4009)] {
            fake.close_with(code).await;
            let id = format!("370{n}");
            let answer = ask(&fake, &bot, &id, "Who is Pashinyan?").await;
            check_message(&bot, &answer, &format!("/ask after close code {code}"));
        }
        bot.ensure(
            fake.resume_count() + fake.identify_count() >= 3,
            "the bot did not open new sessions",
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_or_corrupted_index_keeps_serving_until_a_reindex() {
    within(Duration::from_secs(40), async {
        let (fake, bot) = start().await;
        let index = bot.dir.path().join("index");

        fs::remove_dir_all(&index).expect("delete the index");
        let answer = ask_final(&fake, &bot, "3801", "What is the Trump Route?").await;
        check_message(&bot, &answer, "/ask with the index deleted");
        bot.ensure(
            answer["data"]["embeds"][0]["fields"]
                .as_array()
                .is_some_and(|f| !f.is_empty()),
            "no citation with the index deleted",
        );
        bot.ensure(
            bot.output().contains("is gone"),
            "the deleted index was not logged",
        );

        let reindex = bot.dossier().arg("reindex").output().expect("reindex");
        bot.ensure(reindex.status.success(), "reindex failed");
        let answer = ask_final(&fake, &bot, "3802", "What is the Trump Route?").await;
        check_message(&bot, &answer, "/ask after the index was rebuilt");

        fs::write(index.join("CURRENT"), "gen-00000099-garbage").expect("corrupt CURRENT");
        let answer = ask_final(&fake, &bot, "3803", "Who brokered the deal?").await;
        check_message(&bot, &answer, "/ask with CURRENT corrupted");
        bot.ensure(
            bot.output().contains("serving the previous one"),
            "the corrupted index was not logged",
        );

        let reindex = bot.dossier().arg("reindex").output().expect("reindex");
        bot.ensure(reindex.status.success(), "reindex after corruption failed");
        let answer = ask_final(&fake, &bot, "3804", "Who brokered the deal?").await;
        check_message(&bot, &answer, "/ask after the corrupted index was rebuilt");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_error_after_a_public_deferral_reaches_only_the_asker() {
    within(Duration::from_secs(40), async {
        let (fake, bot) = start().await;
        // A generation that cannot be opened keeps a reload pending, so the
        // bot defers every command (publicly) before answering.
        let index = bot.dir.path().join("index");
        fs::write(index.join("CURRENT"), "gen-00000099-garbage").expect("corrupt CURRENT");
        let options = json!([{"name": "paragraph", "type": 4, "value": 999}]);
        fake.send_interaction(fake::command("3901", "source", options))
            .await;
        let callback = fake.wait_callback("3901", ANSWER).await;
        let callback = bot.check(callback, "no callback for /source");
        bot.ensure(
            callback["type"] == json!(5) && !fake::is_private(&callback["data"]),
            &format!("expected a public deferral, got {callback}"),
        );

        let followup = fake.wait_followup("tok-3901", ANSWER).await;
        let followup = bot.check(followup, "the error never reached the asker");
        crate::conformance::assert_valid("execute_webhook", "the follow-up", &followup.body);
        bot.ensure(
            followup.private && !followup.replaced_placeholder,
            &format!("the error was shown to everyone: {followup:?}"),
        );
        bot.ensure(
            followup.body.to_string().contains("999"),
            &format!("the follow-up does not name the paragraph: {followup:?}"),
        );
        bot.ensure(
            pings_no_one(&followup.body["allowed_mentions"]),
            "the follow-up may ping",
        );
        let deleted = fake.wait_original_deleted("tok-3901", ANSWER).await;
        bot.check(deleted, "the public placeholder was left in the channel");
        let edits = fake.original_edits("tok-3901");
        bot.ensure(!edits.is_empty(), "the placeholder was never settled");
        for edit in edits {
            crate::conformance::assert_valid(
                "update_original_webhook_message",
                "the placeholder's edit",
                &edit,
            );
            bot.ensure(
                !edit.to_string().contains("999"),
                &format!("the error was put in the public reply: {edit}"),
            );
        }

        // Should the private follow-up fail, it is not sent again: the
        // error replaces the note, whose text goes.
        fake.fail_next_of(Some("POST"), "/webhooks/", 500, 1);
        // Another generation that cannot be opened: a reload pending again.
        fs::write(index.join("CURRENT"), "gen-00000098-garbage").expect("corrupt CURRENT");
        let options = json!([{"name": "paragraph", "type": 4, "value": 998}]);
        fake.send_interaction(fake::command("3902", "source", options))
            .await;
        let deadline = std::time::Instant::now() + ANSWER;
        let last = loop {
            let edits = fake.original_edits("tok-3902");
            if edits.len() >= 2 || std::time::Instant::now() > deadline {
                break edits;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        bot.ensure(
            last.len() == 2,
            &format!("expected the note, then the error: {last:?}"),
        );
        bot.ensure(
            last[1].to_string().contains("998") && last[1]["content"] == json!(""),
            &format!("the error did not replace the note: {}", last[1]),
        );
        let posts = fake
            .requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/tok-3902"))
            .count();
        bot.ensure(posts == 1, &format!("the follow-up was sent {posts} times"));
    })
    .await;
}

/// Sends SIGTERM and waits up to `limit` for a clean exit.
async fn stops_on_sigterm(bot: &mut Bot, limit: Duration) {
    let pid = bot.child.id().to_string();
    let kill = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("run kill");
    bot.ensure(kill.success(), "kill -TERM failed");
    let started = std::time::Instant::now();
    while started.elapsed() < limit {
        if let Some(status) = bot.child.try_wait().expect("wait for the bot") {
            bot.ensure(status.success(), &format!("the bot exited with {status}"));
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bot.ensure(false, &format!("still running {limit:?} after SIGTERM"));
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_stops_the_bot_while_the_gateway_is_unreachable() {
    within(Duration::from_secs(40), async {
        let fake = FakeDiscord::start().await;
        let nobody = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("ws://{}", nobody.local_addr().expect("addr"));
        drop(nobody);
        fake.set_gateway_url(&url);
        let mut bot = Bot::start_logging(&fake, &[], "info");
        // Let shard 0 fail to connect and start retrying.
        for _ in 0..100 {
            if fake
                .requests()
                .iter()
                .any(|r| r.path.ends_with("/gateway/bot"))
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        stops_on_sigterm(&mut bot, Duration::from_secs(10)).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_discord_failing_at_startup_is_asked_again_until_it_answers() {
    within(Duration::from_secs(40), async {
        let fake = FakeDiscord::start().await;
        // Asked for the gateway and its recommended shards, Discord fails
        // three times, as it does in an outage.
        fake.fail_next("/gateway/bot", 503, 3);
        let bot = Bot::start(&fake);
        let ready = fake.wait_ready(READY).await;
        bot.check(ready, "the bot did not wait for Discord to answer");
        let asked = fake
            .requests()
            .iter()
            .filter(|r| r.path.ends_with("/gateway/bot"))
            .count();
        bot.ensure(asked >= 4, &format!("asked for the gateway {asked} times"));
        let told = bot.output().matches("asking again").count();
        bot.ensure(
            told == 1,
            "the cause is logged once while it stays the same",
        );
        let reply = ask(&fake, &bot, "3951", "where was the deal signed").await;
        bot.ensure(
            reply["data"]["embeds"][0].is_object(),
            &format!("no answer once Discord answered: {reply}"),
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_token_stops_the_bot_saying_which_setting_to_fix() {
    within(Duration::from_secs(40), async {
        let fake = FakeDiscord::start().await;
        fake.fail_next("/gateway/bot", 401, 1);
        let mut bot = Bot::start(&fake);
        let started = std::time::Instant::now();
        let status = loop {
            if let Some(status) = bot.child.try_wait().expect("wait for the bot") {
                break status;
            }
            bot.ensure(
                started.elapsed() < Duration::from_secs(20),
                "still running 20 s after Discord refused its token",
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        bot.ensure(!status.success(), "a refused token exited with success");
        let output = bot.output();
        bot.ensure(
            output.contains("check DISCORD_TOKEN"),
            "the error does not say which setting to fix",
        );
        bot.ensure(!output.contains(TOKEN), "the token shows in the output");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_discord_that_never_answers_is_reported_and_sigterm_still_stops_the_bot() {
    within(Duration::from_secs(40), async {
        // Accepts connections and never answers.
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", silent.local_addr().expect("addr"));
        let holder = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = silent.accept().await {
                held.push(socket);
            }
        });
        let mut bot = Bot::start_at(&base, &[], "warn");
        let mut reported = false;
        for _ in 0..150 {
            if bot.output().contains("not connected to Discord after") {
                reported = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bot.ensure(reported, "15 s without a word about waiting for Discord");
        stops_on_sigterm(&mut bot, Duration::from_secs(10)).await;
        holder.abort();
    })
    .await;
}

/// Every component of a callback's message, out of its rows.
fn components_of(callback: &Value) -> Vec<Value> {
    callback["data"]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// `dossier feedback --json` on the bot's record, once it shows `want`.
async fn feedback_once(bot: &Bot, want: impl Fn(&Value) -> bool) -> Value {
    let mut last = Value::Null;
    for _ in 0..100 {
        let out = bot
            .dossier()
            .args(["feedback", "--json"])
            .output()
            .expect("run feedback");
        last = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        if want(&last) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the record never showed the votes: {last:#}\n{}",
        bot.output()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn buttons_under_an_answer_vote_open_citations_and_page_search() {
    within(Duration::from_secs(60), async {
        let (fake, bot) = start().await;
        let answer = ask(&fake, &bot, "6101", "What is the Trump Route?").await;
        check_message(&bot, &answer, "the answer");
        let components = components_of(&answer);
        let select = components.iter().find(|c| c["type"] == 3).expect("a citation select");
        let value = select["options"][0]["value"].as_str().expect("an option").to_string();

        // Two clicks by one person: the second changes the vote.
        for (id, custom) in [("6102", "vote:down:6101"), ("6103", "vote:up:6101")] {
            fake.send_interaction(fake::component(id, custom, None, "700")).await;
            let thanks = bot.check(fake.wait_callback(id, ANSWER).await, "no reply to a vote");
            assert_eq!(thanks["type"], 4);
            assert_eq!(thanks["data"]["flags"], 64);
            check_message(&bot, &thanks, "a vote's thanks");
        }
        // Another person votes down.
        fake.send_interaction(fake::component("6104", "vote:down:6101", None, "701")).await;
        bot.check(fake.wait_callback("6104", ANSWER).await, "no reply to a vote");

        let custom = select["custom_id"].as_str().unwrap();
        fake.send_interaction(fake::component("6105", custom, Some(&[value.as_str()]), "700")).await;
        let opened = bot.check(fake.wait_callback("6105", ANSWER).await, "no paragraph");
        assert_eq!(opened["data"]["flags"], 64);
        // The quote (the option's description) opens in bold.
        let quote = select["options"][0]["description"].as_str().unwrap_or_default();
        let opening: Vec<&str> = quote.split(' ').take(3).collect();
        let shown = opened["data"]["embeds"][0]["description"].as_str().unwrap();
        assert!(shown.contains(&format!("**{}", opening.join(" "))), "{shown}");
        check_message(&bot, &opened, "the cited paragraph");

        let options = json!([fake::string_option("query", "Azerbaijan Armenia"), {"name": "limit", "type": 4, "value": 2}]);
        fake.send_interaction(fake::command("6106", "search", options)).await;
        let hits = bot.check(fake.wait_callback("6106", ANSWER).await, "no search reply");
        let next = components_of(&hits).into_iter().find(|c| c["label"] == "Next").expect("Next");
        fake.send_interaction(fake::component("6107", next["custom_id"].as_str().unwrap(), None, "700")).await;
        let page = bot.check(fake.wait_callback("6107", ANSWER).await, "no next page");
        assert_eq!(page["type"], 7, "paging updates the message");
        assert!(pings_no_one(&page["data"]["allowed_mentions"]), "{page}");

        let feedback = feedback_once(&bot, |f| f["stories"][0]["up"] == 1 && f["stories"][0]["down"] == 1).await;
        assert_eq!(feedback["stories"][0]["name"], "azerbaijan-armenia-peace-deal");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_reply_is_sent_while_the_record_cannot_be_written() {
    within(Duration::from_secs(60), async {
        let fake = FakeDiscord::start().await;
        // The record's place is a file where a directory should be: every
        // open fails, as with a database that is down.
        let blocker = tempfile::NamedTempFile::new().expect("temp file");
        let db = blocker.path().join("dossier.db");
        let bot = Bot::start_with(&fake, &["--db", db.to_str().unwrap()]);
        bot.check(fake.wait_ready(READY).await, "the bot never got ready");
        for i in 0..20 {
            let id = format!("62{i:02}");
            let reply = ask(&fake, &bot, &id, "Who brokered the deal?").await;
            assert_eq!(reply["type"], 4);
            fake.send_interaction(fake::component(
                &format!("63{i:02}"),
                &format!("vote:up:{id}"),
                None,
                "700",
            ))
            .await;
            bot.check(
                fake.wait_callback(&format!("63{i:02}"), ANSWER).await,
                "no reply to a vote",
            );
        }
        bot.ensure(
            bot.output().contains("cannot open the record store"),
            "the failing store is not logged",
        );
    })
    .await;
}
