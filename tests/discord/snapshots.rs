//! Snapshots (insta) of the rendered replies of the main commands, routed
//! from interactions exactly as Discord sends them.

use std::sync::OnceLock;

use dossier::answer::Engine;
use dossier::discord::router;
use serde_json::{Value, json};
use serenity::all::Interaction;

struct Fixture {
    _dir: tempfile::TempDir,
    engine: Engine,
}

fn engine() -> &'static Engine {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    &FIXTURE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
            dossier::index::reindex(&content, &dir.path().join("index"), &mut |_, _| {}).unwrap();
            let engine = Engine::open(&dir.path().join("index")).unwrap();
            Fixture { _dir: dir, engine }
        })
        .engine
}

fn interaction(kind: u8, name: &str, options: Value) -> Interaction {
    interaction_in("4001", kind, name, options)
}

/// [`interaction`] in another channel.
fn interaction_in(channel: &str, kind: u8, name: &str, options: Value) -> Interaction {
    let v = json!({
        "id": "3001", "application_id": "900000000000000001", "type": kind, "token": "tok",
        "version": 1, "guild_id": "900000000000000002", "channel_id": channel,
        "member": {"user": {"id": "5001", "username": "alice"}, "roles": [],
                   "joined_at": "2024-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false, "flags": 0},
        "data": {"id": "2000", "name": name, "type": 1, "options": options},
        "locale": "en-US", "entitlements": [], "attachment_size_limit": 8388608
    });
    serde_json::from_value(v).expect("fixture is an interaction")
}

fn respond(name: &str, options: Value) -> Value {
    let response = router::route(&interaction(2, name, options), engine());
    serde_json::to_value(&response).unwrap()
}

/// Replaces Discord timestamps (`<t:SECONDS:R>`), which change per build.
fn without_times(v: Value) -> Value {
    let text = v.to_string();
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("<t:") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        match tail.find(":R>") {
            Some(j) => {
                out.push_str("<t:[indexed]:R>");
                rest = &tail[j + 3..];
            }
            None => {
                out.push_str(tail);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    serde_json::from_str(&out).unwrap()
}

#[test]
fn ask_reply() {
    insta::assert_json_snapshot!(respond(
        "ask",
        json!([{"name": "question", "type": 3, "value": "What is the Trump Route?"}])
    ));
}

#[test]
fn ask_abstention_reply() {
    insta::assert_json_snapshot!(respond(
        "ask",
        json!([{"name": "question", "type": 3, "value": "How much will the corridor cost?"}])
    ));
}

#[test]
fn a_message_that_asks_nothing_points_to_help() {
    let reply = respond(
        "ask",
        json!([{"name": "question", "type": 3, "value": "hey bot hows your day going"}]),
    );
    let description = reply["data"]["embeds"][0]["description"].as_str().unwrap();
    assert!(
        description.starts_with("That message asks nothing")
            && description.ends_with("Try /help to see what the sources cover."),
        "{description}"
    );
}

#[test]
fn search_reply() {
    insta::assert_json_snapshot!(respond(
        "search",
        json!([{"name": "query", "type": 3, "value": "Nakhchivan"}, {"name": "limit", "type": 4, "value": 3}])
    ));
}

#[test]
fn parties_reply() {
    insta::assert_json_snapshot!(respond("parties", json!([])));
}

#[test]
fn corridor_reply() {
    insta::assert_json_snapshot!(respond("corridor", json!([])));
}

#[test]
fn terms_reply() {
    insta::assert_json_snapshot!(respond(
        "terms",
        json!([{"name": "term", "type": 3, "value": "energy"}])
    ));
}

#[test]
fn quote_reply() {
    insta::assert_json_snapshot!(respond(
        "quote",
        json!([{"name": "speaker", "type": 3, "value": "Aliyev"}])
    ));
}

#[test]
fn quote_of_someone_never_quoted_names_who_is() {
    let reply = respond(
        "quote",
        json!([{"name": "speaker", "type": 3, "value": "pashinyan"}]),
    );
    let text = reply["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
        + reply["data"]["embeds"][0]["description"]
            .as_str()
            .unwrap_or_default();
    assert!(
        text.contains("“pashinyan” is Nikol Pashinyan, not in this list"),
        "{reply}"
    );
    assert!(text.contains("Try: Donald Trump, Ilham Aliyev."), "{reply}");
    assert_eq!(reply["data"]["flags"], 64, "errors are private: {reply}");
}

#[test]
fn source_reply() {
    insta::assert_json_snapshot!(respond(
        "source",
        json!([{"name": "paragraph", "type": 4, "value": 4}])
    ));
}

#[test]
fn help_reply() {
    insta::assert_json_snapshot!(without_times(respond("help", json!([]))));
}

#[test]
fn error_reply_is_ephemeral() {
    let v = respond(
        "source",
        json!([{"name": "paragraph", "type": 4, "value": 99}]),
    );
    assert_eq!(v["data"]["flags"], 64);
    insta::assert_json_snapshot!(v);
}

#[test]
fn autocomplete_reply() {
    let ac = interaction(
        4,
        "parties",
        json!([{"name": "party", "type": 3, "value": "arm", "focused": true}]),
    );
    insta::assert_json_snapshot!(serde_json::to_value(router::route(&ac, engine())).unwrap());
}

/// The shipped content plus the three stories of tests/fixtures/newsroom
/// (whose ids and names collide), for replies that choose between stories.
fn three_stories() -> &'static Engine {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    &FIXTURE
        .get_or_init(|| {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
            let dir = tempfile::tempdir().unwrap();
            let content = dir.path().join("content");
            for sub in ["articles", "facts"] {
                std::fs::create_dir_all(content.join(sub)).unwrap();
            }
            let mut entities = String::new();
            for story in [root.join("content"), root.join("tests/fixtures/newsroom")] {
                for sub in ["articles", "facts"] {
                    for f in std::fs::read_dir(story.join(sub)).unwrap() {
                        let f = f.unwrap().path();
                        std::fs::copy(&f, content.join(sub).join(f.file_name().unwrap())).unwrap();
                    }
                }
                entities += &std::fs::read_to_string(story.join("entities.toml")).unwrap();
                entities.push('\n');
            }
            std::fs::write(content.join("entities.toml"), entities).unwrap();
            dossier::index::reindex(&content, &dir.path().join("index"), &mut |_, _| {}).unwrap();
            let engine = Engine::open(&dir.path().join("index")).unwrap();
            Fixture { _dir: dir, engine }
        })
        .engine
}

fn respond_in(engine: &Engine, name: &str, options: Value) -> Value {
    serde_json::to_value(router::route(&interaction(2, name, options), engine)).unwrap()
}

#[test]
fn stories_reply() {
    insta::assert_json_snapshot!(respond_in(three_stories(), "stories", json!([])));
}

#[test]
fn brief_reply() {
    insta::assert_json_snapshot!(respond_in(
        three_stories(),
        "brief",
        json!([{"name": "story", "type": 3, "value": "brennock-dock-strike"}])
    ));
}

#[test]
fn ask_across_stories_reply() {
    insta::assert_json_snapshot!(respond_in(
        three_stories(),
        "ask",
        json!([{"name": "question", "type": 3, "value": "who chaired the final talks"}])
    ));
}

#[test]
fn scoped_card_reply() {
    // Two stories have an entity called "Authority": the story tells them apart.
    insta::assert_json_snapshot!(respond_in(
        three_stories(),
        "parties",
        json!([{"name": "party", "type": 3, "value": "Authority"},
               {"name": "story", "type": 3, "value": "brennock-dock-strike"}])
    ));
}

#[test]
fn a_missing_card_is_named_with_the_storys_cards() {
    let v = respond_in(
        three_stories(),
        "corridor",
        json!([{"name": "story", "type": 3, "value": "northvale-health-ransomware"}]),
    );
    assert_eq!(v["data"]["flags"], 64, "{v}");
    let text = v["data"]["embeds"][0]["description"].as_str().unwrap();
    assert!(
        text.contains("has no “corridor” card. Its cards: parties, terms, quotes."),
        "{v}"
    );
    // Without a story, the one story that has a corridor card shows it.
    let v = respond_in(three_stories(), "corridor", json!([]));
    assert_eq!(
        v["data"]["embeds"][0]["author"]["name"],
        "Azerbaijan and Armenia sign peace agreement at the White House"
    );
}

#[test]
fn the_briefings_select_opens_a_card_of_its_story() {
    let v = respond_in(
        three_stories(),
        "brief",
        json!([{"name": "story", "type": 3, "value": "northvale-health-ransomware"}]),
    );
    let select = &v["data"]["components"][0]["components"][0];
    assert_eq!(
        select["custom_id"], "card:northvale-health-ransomware",
        "{v}"
    );
    let values: Vec<&str> = select["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["parties", "terms", "quotes"]);
    let click: Interaction = serde_json::from_value(json!({
        "id": "3002", "application_id": "900000000000000001", "type": 3, "token": "tok",
        "version": 1, "guild_id": "900000000000000002", "channel_id": "4001",
        "member": {"user": {"id": "5001", "username": "alice"}, "roles": [],
                   "joined_at": "2024-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false, "flags": 0},
        "message": {"id": "6001", "channel_id": "4001", "author": {"id": "900000000000000001", "username": "dossier"},
                    "content": "", "timestamp": "2026-01-01T00:00:00.000000+00:00", "edited_timestamp": null,
                    "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [],
                    "attachments": [], "embeds": [], "pinned": false, "type": 0},
        "data": {"custom_id": "card:northvale-health-ransomware", "component_type": 3, "values": ["terms"]},
        "locale": "en-US", "entitlements": [], "attachment_size_limit": 8388608
    }))
    .expect("fixture is a component interaction");
    let v = serde_json::to_value(router::route(&click, three_stories())).unwrap();
    assert_eq!(v["data"]["flags"], 64, "{v}");
    assert_eq!(
        v["data"]["embeds"][0]["title"], "The ransom and the recovery",
        "{v}"
    );
}

#[test]
fn ask_in_an_unknown_story_is_an_ephemeral_error() {
    let v = respond_in(
        three_stories(),
        "ask",
        json!([{"name": "question", "type": 3, "value": "what happened"},
               {"name": "story", "type": 3, "value": "no-such-story"}]),
    );
    assert_eq!(v["data"]["flags"], 64, "{v}");
    let text = v["data"]["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default();
    assert!(text.contains("no article"), "{v}");
}

#[test]
fn card_suggestions_follow_the_chosen_story() {
    let suggest = |options: Value| -> Vec<String> {
        let ac = interaction(4, "card", options);
        let v = serde_json::to_value(router::route(&ac, three_stories())).unwrap();
        v["data"]["choices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["value"].as_str().unwrap().to_string())
            .collect()
    };
    let in_story = suggest(json!([
        {"name": "story", "type": 3, "value": "northvale-health-ransomware"},
        {"name": "card", "type": 3, "value": "", "focused": true}
    ]));
    assert_eq!(in_story, ["parties", "terms", "quotes"]);
    let anywhere = suggest(json!([{"name": "card", "type": 3, "value": "", "focused": true}]));
    assert!(anywhere.contains(&"corridor".to_string()), "{anywhere:?}");
    assert!(anywhere.contains(&"context".to_string()), "{anywhere:?}");
}

#[test]
fn a_declined_question_in_a_named_story_is_recorded_against_it() {
    let ask = interaction(
        2,
        "ask",
        json!([{"name": "question", "type": 3, "value": "what is the capital of australia"},
               {"name": "story", "type": 3, "value": "brennock-dock-strike"}]),
    );
    let (_, event) = router::routed(&ask, three_stories());
    match event {
        Some(dossier::record::Event::Ask(a)) => {
            assert!(!a.answered, "{a:?}");
            assert_eq!(a.story.as_deref(), Some("brennock-dock-strike"));
        }
        other => panic!("no /ask recorded: {other:?}"),
    }
}

#[test]
fn a_declined_question_is_recorded_with_the_passage_it_was_offered() {
    let ask = interaction(
        2,
        "ask",
        json!([{"name": "question", "type": 3, "value": "How much will the corridor cost?"}]),
    );
    let (reply, event) = router::routed(&ask, engine());
    let reply = serde_json::to_value(router::response(reply)).unwrap();
    let first = reply.pointer("/data/components/1/components/0/options/0/value");
    let first = first
        .and_then(Value::as_str)
        .expect("a menu of related passages");
    match event {
        Some(dossier::record::Event::Ask(a)) => {
            assert!(!a.answered && a.citation.is_none(), "{a:?}");
            let lead = a.lead.as_deref().expect("the passage offered is recorded");
            let (article, paragraph) = lead.rsplit_once('#').unwrap();
            // The menu's first option: PARAGRAPH:START:END:DIGEST:ARTICLE.
            assert!(
                first.starts_with(&format!("{paragraph}:"))
                    && first.ends_with(&format!(":{article}")),
                "{lead} is not the first passage offered, {first}"
            );
            assert_eq!(a.story.as_deref(), Some(article));
        }
        other => panic!("no /ask recorded: {other:?}"),
    }
}

#[test]
fn the_record_keeps_a_question_as_read_without_mentions_or_links() {
    let ask = interaction(
        2,
        "ask",
        json!([{"name": "question", "type": 3,
                "value": "<@123456789012345678> where was the deal signed https://example.com/x"}]),
    );
    let (_, event) = router::routed(&ask, engine());
    match event {
        Some(dossier::record::Event::Ask(a)) => {
            assert!(a.answered, "{a:?}");
            assert!(!a.question.contains("123456789012345678"), "{a:?}");
            assert!(!a.question.contains("example.com"), "{a:?}");
            assert!(a.question.contains("where was the deal signed"), "{a:?}");
        }
        other => panic!("no /ask recorded: {other:?}"),
    }
}

#[test]
fn an_ask_follows_the_story_last_answered_in_its_channel() {
    let channels = dossier::discord::channels::Channels::default();
    let story = |channel: &str, question: &str| {
        let ask = interaction_in(
            channel,
            2,
            "ask",
            json!([{"name": "question", "type": 3, "value": question}]),
        );
        match router::routed_in(&ask, three_stories(), Some(&channels)) {
            (_, Some(dossier::record::Event::Ask(a))) if a.answered => a.story.unwrap(),
            other => panic!("{question} was not answered: {other:?}"),
        }
    };
    assert_eq!(
        story("4101", "who attacked Northvale Health"),
        "northvale-health-ransomware"
    );
    assert_eq!(
        story("4102", "how many jobs will go at Fernhill"),
        "fernhill-veldmark-takeover"
    );
    // The same words, each channel answered from its own story.
    let follow_up = "what did the chief executive say";
    assert_eq!(story("4101", follow_up), "northvale-health-ransomware");
    assert_eq!(story("4102", follow_up), "fernhill-veldmark-takeover");
}

#[test]
fn a_follow_up_on_another_replica_follows_the_channels_story() {
    use dossier::discord::channels::{Channels, FOLLOW_UP_WINDOW};
    use dossier::record::{Location, Recorder};
    let dir = tempfile::tempdir().unwrap();
    let location = Location::Sqlite(dir.path().join("d.db"));
    let story = |channels: &Channels, question: &str| {
        let ask = interaction_in(
            "4201",
            2,
            "ask",
            json!([{"name": "question", "type": 3, "value": question}]),
        );
        match router::routed_in(&ask, three_stories(), Some(channels)) {
            (_, Some(dossier::record::Event::Ask(a))) if a.answered => a.story.unwrap(),
            other => panic!("{question} was not answered: {other:?}"),
        }
    };
    let follow_up = "what did the chief executive say";
    let first_question = story(&Channels::default(), follow_up);
    assert_ne!(
        first_question, "northvale-health-ransomware",
        "the follow-up leans on nothing as a first question"
    );

    let one = Recorder::start(location.clone(), 90);
    let two = Recorder::start(location, 90);
    let (replica_one, replica_two) = (
        Channels::shared(FOLLOW_UP_WINDOW, one.clone()),
        Channels::shared(FOLLOW_UP_WINDOW, two.clone()),
    );
    assert_eq!(
        story(&replica_one, "who attacked Northvale Health"),
        "northvale-health-ransomware"
    );
    assert!(one.flush(std::time::Duration::from_secs(10)));
    // The second replica's reader opens the store in the background.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while two.conversation(4201, 0).is_err() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(
        story(&replica_two, follow_up),
        "northvale-health-ransomware",
        "the other replica answered the follow-up as a first question"
    );
}

/// An index of `n` one-paragraph stories, a day apart.
fn many_stories(n: usize) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("articles")).unwrap();
    std::fs::create_dir_all(content.join("facts")).unwrap();
    for i in 0..n {
        let text = format!(
            "+++\nid = \"story-{i:02}\"\ntitle = \"Story number {i}\"\ndate = 2025-01-{:02}\n+++\n\nThe council met on day {i} and voted.\n",
            i + 1
        );
        std::fs::write(content.join(format!("articles/story-{i:02}.md")), text).unwrap();
    }
    dossier::index::reindex(&content, &dir.path().join("index"), &mut |_, _| {}).unwrap();
    let engine = Engine::open(&dir.path().join("index")).unwrap();
    Fixture { _dir: dir, engine }
}

fn click(custom_id: &str) -> Interaction {
    serde_json::from_value(crate::fake::component("3002", custom_id, None, "5001"))
        .expect("fixture is an interaction")
}

fn buttons(reply: &Value) -> (Value, Value) {
    let row = &reply["data"]["components"][0]["components"];
    (row[0].clone(), row[1].clone())
}

#[test]
fn stories_page_through_every_story_newest_first() {
    let fixture = many_stories(23);
    let route = |i: &Interaction| {
        let v = serde_json::to_value(router::route(i, &fixture.engine)).unwrap();
        crate::conformance::assert_valid("create_interaction_response", "/stories", &v);
        v
    };
    let text = |v: &Value| {
        v["data"]["embeds"][0]["description"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let footer = |v: &Value| {
        v["data"]["embeds"][0]["footer"]["text"]
            .as_str()
            .unwrap()
            .to_string()
    };

    let first = route(&interaction(2, "stories", json!([])));
    assert_eq!(first["type"], 4);
    assert!(
        footer(&first).starts_with("1–10 of 23"),
        "{}",
        footer(&first)
    );
    assert_eq!(text(&first).lines().count(), 10);
    assert!(
        text(&first).starts_with("**Story number 22**"),
        "{}",
        text(&first)
    );
    let (prev, next) = buttons(&first);
    assert_eq!(
        (prev["disabled"].clone(), next["disabled"].clone()),
        (json!(true), json!(false))
    );

    let mut seen = text(&first);
    let mut page = first;
    for want in ["11–20 of 23", "21–23 of 23"] {
        let next = buttons(&page).1["custom_id"].as_str().unwrap().to_string();
        page = route(&click(&next));
        assert_eq!(page["type"], 7, "a click updates the message");
        assert!(footer(&page).starts_with(want), "{}", footer(&page));
        seen += &text(&page);
    }
    assert_eq!(buttons(&page).1["disabled"], true, "no page after the last");
    for i in 0..23 {
        assert_eq!(
            seen.matches(&format!("`story-{i:02}`")).count(),
            1,
            "story {i}"
        );
    }
    // A page that no longer exists (stories were removed) shows the last.
    let past = route(&click("stories:7:n"));
    assert!(
        footer(&past).starts_with("21–23 of 23"),
        "{}",
        footer(&past)
    );
    let back = buttons(&page).0["custom_id"].as_str().unwrap().to_string();
    assert!(footer(&route(&click(&back))).starts_with("11–20 of 23"));
}
