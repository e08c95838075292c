//! Three stories in one content directory (tests/fixtures/newsroom) whose
//! ids and names collide: each story's facts, entities and cards stay its own.

use std::path::Path;

use crate::util::{Dossier, copy_dir};

const STRIKE: &str = "brennock-dock-strike";
const HACK: &str = "northvale-health-ransomware";
const TAKEOVER: &str = "fernhill-veldmark-takeover";

fn newsroom() -> Dossier {
    let d = Dossier::new();
    std::fs::remove_dir_all(d.content()).unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/newsroom"),
        &d.content(),
    );
    d
}

/// The story of every item's fact key (`STORY/ID`).
fn stories_of_items(card: &serde_json::Value) -> Vec<String> {
    card["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            i["fact"]
                .as_str()
                .unwrap()
                .split('/')
                .next()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn colliding_ids_and_names_are_each_storys_own() {
    let d = newsroom();
    d.ok(&["check"]);
    let strike = d
        .ok(&["parties", "Authority", "--story", STRIKE, "--json"])
        .json();
    assert_eq!(strike["title"], "Irish Maritime Authority");
    assert_eq!(strike["story"]["id"], STRIKE);
    let takeover = d
        .ok(&["parties", "Authority", "--story", TAKEOVER, "--json"])
        .json();
    assert_eq!(takeover["title"], "Competition and Markets Authority");
    // Without a story, the newest story that has one.
    let newest = d.ok(&["parties", "Authority", "--json"]).json();
    assert_eq!(newest["story"]["id"], TAKEOVER);
    // Every story has a fact `lead`; each is found in its own story.
    for story in [STRIKE, HACK, TAKEOVER] {
        let card = d
            .ok(&["card", "parties", "--story", story, "--json"])
            .json();
        let stories = stories_of_items(&card);
        assert!(!stories.is_empty(), "{story}: empty parties card");
        assert!(stories.iter().all(|s| s == story), "{story}: {stories:?}");
    }
}

#[test]
fn cards_are_declared_per_story_and_missing_ones_are_said_plainly() {
    let d = newsroom();
    let v = d.ok(&["stories", "--json"]).json();
    let cards = |id: &str| -> Vec<String> {
        let s = v
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap();
        serde_json::from_value(s["cards"].clone()).unwrap()
    };
    assert_eq!(cards(HACK), ["parties", "terms", "quotes"]);
    // A story that declares none gets one for each topic its facts use.
    assert_eq!(cards(TAKEOVER), ["parties", "terms", "context", "quotes"]);
    let titled = d.ok(&["card", "terms", "--story", HACK, "--json"]).json();
    assert_eq!(titled["title"], "The ransom and the recovery");
    // A card, or a search under a topic, the story does not have is told
    // the cards it has.
    for (args, missing) in [
        (&["card", "context", "--story", HACK][..], "context"),
        (
            &["search", "ransom", "--topic", "weather", "--story", HACK][..],
            "weather",
        ),
    ] {
        let r = d.run(args);
        assert_eq!(r.code, 1, "{args:?}");
        let told = format!("has no `{missing}` card; its cards: parties, terms, quotes");
        assert!(r.stderr.contains(&told), "{args:?}: {}", r.stderr);
    }
    let r = d.run(&["corridor"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("No story has a `corridor` card"),
        "{}",
        r.stderr
    );
    // Without a story, the newest story that has the card.
    let context = d.ok(&["card", "context", "--json"]).json();
    assert_eq!(context["story"]["id"], TAKEOVER);
    let background = d
        .ok(&["card", "context", "--story", STRIKE, "--json"])
        .json();
    assert_eq!(background["title"], "Background");
}

#[test]
fn a_story_without_facts_is_said_to_have_no_cards_of_its_own() {
    let d = newsroom();
    // It declares no cards: it gets one for each topic its facts use.
    std::fs::remove_file(d.content().join("facts").join(format!("{TAKEOVER}.toml"))).unwrap();
    let r = d.ok(&["card", "--story", TAKEOVER]);
    assert!(
        r.stdout
            .contains(&format!("No cards: `{TAKEOVER}` has no facts yet")),
        "{}",
        r.stdout
    );
    // The other stories still have theirs.
    let r = d.ok(&["card"]);
    assert!(r.stdout.contains("parties"), "{}", r.stdout);
}

#[test]
fn answers_and_search_never_mix_stories() {
    let d = newsroom();
    let questions = [
        "what did the authority say",
        "who led the talks",
        "how much money is involved",
        "what happens next",
        // One that only the ransomware story answers.
        "how much did black tarn demand",
    ];
    let mut answered_in = Vec::new();
    for q in questions {
        let a = d.ok(&["ask", q, "--json"]).json();
        let cited: Vec<&str> = a["citations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["article"].as_str().unwrap())
            .collect();
        assert!(cited.windows(2).all(|w| w[0] == w[1]), "{q}: {cited:?}");
        if let Some(story) = a["story"].as_str() {
            assert!(cited.iter().all(|c| *c == story), "{q}: {cited:?}");
        }
        for story in [STRIKE, HACK, TAKEOVER] {
            let a = d.ok(&["ask", q, "--story", story, "--json"]).json();
            let citations = a["citations"].as_array().unwrap();
            for c in citations {
                assert_eq!(c["article"], story, "{q} in {story}");
            }
            if a["answered"] == true {
                assert_eq!(a["story"], story, "{q} in {story}");
                answered_in.push(story);
            }
        }
    }
    // Not vacuous: every story answered some of the questions.
    for story in [STRIKE, HACK, TAKEOVER] {
        assert!(answered_in.contains(&story), "{story} answered none");
    }
    let r = d
        .ok(&["search", "the", "authority", "said", "--json"])
        .json();
    let order: Vec<&str> = r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["article"].as_str().unwrap())
        .collect();
    let mut groups = order.clone();
    groups.dedup();
    let mut distinct = groups.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(
        groups.len(),
        distinct.len(),
        "hits not grouped by story: {order:?}"
    );
    assert!(distinct.len() >= 2, "{order:?}");
}

#[test]
fn a_question_declined_in_one_story_names_it() {
    let d = newsroom();
    let a = d
        .ok(&[
            "ask",
            "what is the capital of australia",
            "--story",
            HACK,
            "--json",
        ])
        .json();
    assert_eq!(a["answered"], false, "{a}");
    let text = a["answer"].as_str().unwrap();
    assert!(
        text.starts_with("“Ransomware attack cripples Ohio hospital group"),
        "{text}"
    );
    assert!(text.contains("does not answer that question"), "{text}");
}

#[test]
fn a_storys_own_entities_survive_a_new_draft_and_pass_check() {
    let d = newsroom();
    let article = d.content().join(format!("articles/{HACK}.md"));
    d.ok(&["draft", article.to_str().unwrap(), "--force"]);
    let facts = std::fs::read_to_string(d.content().join(format!("facts/{HACK}.toml"))).unwrap();
    assert!(
        facts.contains("id = \"whitlock\""),
        "the story's entities were dropped"
    );
    assert!(facts.contains("[[fact.cite]]"));
    d.ok(&["check"]);
}

#[test]
fn scoping_mistakes_are_reported_with_file_and_line() {
    let d = newsroom();
    // A story's entity may not take a shared entity's id ...
    d.edit(&format!("facts/{STRIKE}.toml"), |t| {
        t.replacen("id = \"ireland\"", "id = \"netherlands\"", 1)
    });
    // ... a fact cites only its own story ...
    d.edit(&format!("facts/{HACK}.toml"), |t| {
        format!(
            "{t}\n[[fact]]\nid = \"stray\"\ntopic = \"context\"\ntitle = \"Stray\"\n\
             text = \"A fact of another story.\"\n\n[[fact.cite]]\narticle = \"{TAKEOVER}\"\n\
             paragraph = 1\nquote = \"Fernhill\"\n"
        )
    });
    // ... and facts of one story may not use another story's entities.
    d.edit(&format!("facts/{TAKEOVER}.toml"), |t| {
        t.replacen("about = [\"oduya\"", "about = [\"whitlock\"", 1)
    });
    let r = d.run(&["check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let strike_file = format!("facts/{STRIKE}.toml:");
    for expected in [
        strike_file.as_str(),
        "entity id `netherlands` is already a shared entity",
        "cites another story",
        "unknown entity `whitlock`",
    ] {
        assert!(
            r.stderr.contains(expected),
            "missing {expected}:\n{}",
            r.stderr
        );
    }
}

/// Two stories that say the same thing: the answer comes from one and
/// names the other, in JSON, in text and on Discord.
#[test]
fn a_question_two_stories_answer_names_the_other() {
    let d = Dossier::new();
    std::fs::remove_dir_all(d.content()).unwrap();
    let articles = [
        (
            "first-vote",
            "Town council approves harbour budget",
            "The town council approved the harbour budget of 12 million euros on Monday.\n\n\
             The mayor said dredging would start in the spring.",
        ),
        (
            "second-vote",
            "Harbour budget passes after long debate",
            "After a long debate, the town council approved a harbour budget of 12 million euros.\n\n\
             Fishermen had asked for a new quay.",
        ),
    ];
    for (i, (id, title, body)) in articles.iter().enumerate() {
        let path = d.content().join(format!("articles/{id}.md"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            &path,
            format!(
                "+++\nid = \"{id}\"\ntitle = \"{title}\"\ndate = 2025-03-0{}\n+++\n\n{body}\n",
                i + 1
            ),
        )
        .unwrap();
    }
    d.ok(&["reindex"]);
    let question = "what did the town council approve";
    let a = d.ok(&["ask", question, "--json"]).json();
    assert_eq!(a["answered"], true, "{a}");
    let story = a["story"].as_str().unwrap();
    let other = if story == "first-vote" {
        "second-vote"
    } else {
        "first-vote"
    };
    assert_eq!(a["also"], serde_json::json!([other]), "{a}");
    let text = d.ok(&["ask", question]).stdout;
    assert!(text.contains(&format!("also covered by {other}")), "{text}");
    let engine = dossier::answer::Engine::open(&d.index()).unwrap();
    let interaction = crate::faults::command(
        "ask",
        serde_json::json!([{"name": "question", "type": 3, "value": question}]),
    );
    let reply =
        serde_json::to_value(dossier::discord::router::route(&interaction, &engine)).unwrap();
    let shown = reply["data"]["embeds"][0]["description"].as_str().unwrap();
    assert!(
        shown.contains(&format!("Also covered by `{other}`")),
        "{shown}"
    );
}

#[test]
fn ask_after_a_story_answers_a_follow_up_from_it() {
    let d = newsroom();
    let q = "what did the chief executive say";
    let open = d.ok(&["ask", q, "--json"]).json();
    let other = if open["story"] == HACK {
        TAKEOVER
    } else {
        HACK
    };
    let a = d.ok(&["ask", q, "--after", other, "--json"]).json();
    assert_eq!(a["answered"], true, "{a}");
    assert_eq!(a["story"], other, "{a}");
    // The story the open question was answered from is named as also
    // answering.
    assert_eq!(a["also"][0], open["story"], "{a}");
    // A story the sources do not hold is an error that says so.
    let r = d.run(&["ask", q, "--after", "no-such-story"]);
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("no-such-story"), "{}", r.stderr);
    let r = d.run(&["ask", q, "--after", HACK, "--story", TAKEOVER]);
    assert_ne!(r.code, 0, "{}", r.stderr);
}
