//! Several stories in one content directory: listing them, and answering and
//! searching within one.

use std::path::Path;

use crate::util::Dossier;

/// The shipped content plus two training stories, entities merged.
fn three_stories() -> Dossier {
    let d = Dossier::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/stories/train");
    for story in ["brennock-dock-strike", "sarvena-valley-floods"] {
        let dir = root.join(story);
        let name = format!("{story}.md");
        std::fs::copy(
            dir.join("articles").join(&name),
            d.content().join("articles").join(&name),
        )
        .unwrap();
        let facts = format!("{story}.toml");
        std::fs::copy(
            dir.join("facts").join(&facts),
            d.content().join("facts").join(&facts),
        )
        .unwrap();
        let entities = std::fs::read_to_string(dir.join("entities.toml")).unwrap();
        d.edit("entities.toml", |e| format!("{e}\n{entities}"));
    }
    d
}

#[test]
fn stories_are_listed_newest_first_with_their_counts() {
    let d = three_stories();
    let v = d.ok(&["stories", "--json"]).json();
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "sarvena-valley-floods",
            "brennock-dock-strike",
            "azerbaijan-armenia-peace-deal"
        ]
    );
    assert_eq!(v[0]["paragraphs"], 9);
    assert!(v[0]["facts"].as_u64().unwrap() > 0);
}

#[test]
fn a_named_story_is_the_only_one_answered_and_searched() {
    let d = three_stories();
    for story in [
        "brennock-dock-strike",
        "sarvena-valley-floods",
        "azerbaijan-armenia-peace-deal",
    ] {
        // "What happened" is the story's own lede.
        let v = d
            .ok(&["ask", "what happened", "--story", story, "--json"])
            .json();
        assert_eq!(v["story"], story, "{v}");
        assert_eq!(v["citations"][0]["article"], story, "{v}");
        assert_eq!(v["citations"][0]["paragraph"], 1, "{v}");
        // A word of every story, and one of this story's title.
        let title = d.ok(&["brief", "--story", story, "--json"]).json()["title"]
            .as_str()
            .unwrap()
            .to_string();
        let word = title
            .split(' ')
            .max_by_key(|w| w.len())
            .unwrap()
            .to_string();
        // A question the ranking answers from this story's units only.
        let question = format!("what did they say about {word}");
        let v = d.ok(&["ask", &question, "--story", story, "--json"]).json();
        let cited = v["citations"].as_array().unwrap();
        let related = v["related"].as_array().unwrap();
        assert!(!cited.is_empty() || !related.is_empty(), "{story}: {v}");
        for c in cited {
            assert_eq!(c["article"], story, "{v}");
        }
        let s = d
            .ok(&["search", "said", &word, "--story", story, "--json"])
            .json();
        let hits = s["hits"].as_array().unwrap();
        assert!(!hits.is_empty(), "{story}: no hits");
        for h in hits {
            assert_eq!(h["article"], story, "{s}");
        }
    }
    let v = d
        .ok(&["ask", "how many people died in the floods", "--json"])
        .json();
    assert_eq!(v["answered"], true, "{v}");
    assert_eq!(v["story"], "sarvena-valley-floods", "{v}");
}

#[test]
fn an_unknown_story_is_a_clear_error() {
    let d = three_stories();
    let r = d.run(&["ask", "what happened", "--story", "no-such-story"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("no article `no-such-story`"),
        "{}",
        r.stderr
    );
}

#[test]
fn draft_writes_facts_that_pass_check_for_every_story() {
    let stories = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/stories");
    for split in ["train", "dev", "heldout"] {
        for entry in std::fs::read_dir(stories.join(split)).unwrap() {
            let story = entry.unwrap().path();
            let slug = story.file_name().unwrap().to_str().unwrap().to_string();
            let dir = tempfile::tempdir().unwrap();
            let content = dir.path().join("content");
            std::fs::create_dir_all(content.join("articles")).unwrap();
            std::fs::create_dir_all(content.join("facts")).unwrap();
            let article = format!("articles/{slug}.md");
            std::fs::copy(story.join(&article), content.join(&article)).unwrap();
            std::fs::copy(story.join("entities.toml"), content.join("entities.toml")).unwrap();
            let d = Dossier::new();
            let index = dir.path().join("index");
            let path = content.join(&article);
            let run = d
                .with_paths(&content, &index)
                .args(["draft", path.to_str().unwrap()])
                .output()
                .unwrap();
            assert!(
                run.status.success(),
                "{slug}: {}",
                String::from_utf8_lossy(&run.stderr)
            );
            let facts =
                std::fs::read_to_string(content.join(format!("facts/{slug}.toml"))).unwrap();
            assert!(facts.contains("[[fact.cite]]"), "{slug}: no facts drafted");
            let again = d
                .with_paths(&content, &index)
                .args(["draft", path.to_str().unwrap()])
                .output()
                .unwrap();
            assert_eq!(
                again.status.code(),
                Some(1),
                "{slug}: overwrote without --force"
            );
            let check = d
                .with_paths(&content, &index)
                .arg("check")
                .output()
                .unwrap();
            assert!(
                check.status.success(),
                "{slug}: the draft fails check:\n{}",
                String::from_utf8_lossy(&check.stderr)
            );
        }
    }
}

#[test]
fn draft_proposes_people_with_their_surnames_and_the_speaker_of_each_quote() {
    let d = Dossier::new();
    std::fs::remove_dir_all(d.content()).unwrap();
    std::fs::create_dir_all(d.content().join("articles")).unwrap();
    std::fs::create_dir_all(d.content().join("facts")).unwrap();
    let article = d.content().join("articles/bridge.md");
    std::fs::write(
        &article,
        "+++\nid = \"bridge\"\ntitle = \"A bridge opens\"\ndate = 2025-09-01\n+++\n\n\
         The city of Velmora opened its harbour bridge on Monday, Mayor Anika Roos said.\n\n\
         \"We owe it to Governor Eli Marsh,\" Roos told reporters. Marsh did not attend.\n\n\
         \"We will not pay,\" the Ministry of Finance said. Harbour chief Theresa May agreed.\n\n\
         \"It took years. Port of Velmora waited,\" Roos said.\n",
    )
    .unwrap();
    d.ok(&["draft", article.to_str().unwrap()]);
    let facts: toml::Value =
        toml::from_str(&std::fs::read_to_string(d.content().join("facts/bridge.toml")).unwrap())
            .unwrap();
    let entities = facts["entity"].as_array().unwrap();
    let entity = |id: &str| {
        entities
            .iter()
            .find(|e| e["id"].as_str() == Some(id))
            .unwrap_or_else(|| panic!("no entity {id} in {entities:?}"))
    };
    // Quoted, so a person; the title goes, the surname seen alone is an alias.
    let roos = entity("anika-roos");
    assert_eq!(roos["name"].as_str(), Some("Anika Roos"));
    assert_eq!(roos["kind"].as_str(), Some("person"));
    assert_eq!(
        roos["aliases"].as_array().unwrap(),
        &[toml::Value::from("Roos")]
    );
    assert!(roos["description"].as_str().unwrap().contains("Mayor"));
    // Named inside the quotation only: not its speaker, and no person.
    let marsh = entity("governor-eli-marsh");
    assert_eq!(
        marsh["aliases"].as_array().unwrap(),
        &[toml::Value::from("Marsh")]
    );
    assert_ne!(marsh["kind"].as_str(), Some("person"));
    assert!(
        !entities.iter().any(|e| e["name"].as_str() == Some("Roos")),
        "a surname proposed as an entity of its own: {entities:?}"
    );
    let fact = |id: &str| {
        facts["fact"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"].as_str() == Some(id))
            .unwrap_or_else(|| panic!("no fact {id}"))
    };
    let quote = fact("p2-s1");
    assert_eq!(quote["speaker"].as_str(), Some("anika-roos"), "{quote:?}");
    assert_eq!(quote["topic"].as_str(), Some("quotes"));
    // An organisation quoted keeps its name and is no person.
    let ministry = entity("ministry-of-finance");
    assert_eq!(ministry["name"].as_str(), Some("Ministry of Finance"));
    assert_ne!(ministry["kind"].as_str(), Some("person"));
    // A surname that is an English word is no alias: it would match the word.
    assert!(
        entities.iter().all(|e| !e["aliases"]
            .as_array()
            .unwrap()
            .contains(&toml::Value::from("May"))),
        "{entities:?}"
    );
    // A quotation over two sentences: its speaker named after it.
    let spanning = fact("p4-s2");
    assert_eq!(
        spanning["speaker"].as_str(),
        Some("anika-roos"),
        "{spanning:?}"
    );
    d.ok(&["check"]);
}

#[test]
fn a_briefing_spans_the_story_with_cited_statements() {
    let d = three_stories();
    for story in [
        "brennock-dock-strike",
        "sarvena-valley-floods",
        "azerbaijan-armenia-peace-deal",
    ] {
        let v = d.ok(&["brief", "--story", story, "--json"]).json();
        let items = v["items"].as_array().unwrap();
        assert!(
            (5..=7).contains(&items.len()),
            "{story}: {} items",
            items.len()
        );
        let mut paragraphs: Vec<u64> = Vec::new();
        for item in items {
            let cites = item["citations"].as_array().unwrap();
            assert!(!cites.is_empty(), "{story}: uncited {item}");
            for c in cites {
                assert_eq!(c["article"], story);
                let p = c["paragraph"].as_u64().unwrap();
                let source = d
                    .ok(&["source", &p.to_string(), "--article", story, "--json"])
                    .json();
                let text = source[0]["text"].as_str().unwrap();
                assert!(text.contains(c["quote"].as_str().unwrap()), "{story} ¶{p}");
            }
            paragraphs.push(cites[0]["paragraph"].as_u64().unwrap());
        }
        assert!(
            paragraphs.windows(2).all(|w| w[0] < w[1]),
            "{story}: one statement a paragraph, in order: {paragraphs:?}"
        );
    }
    let newest = d.ok(&["brief", "--json"]).json();
    assert!(
        newest["title"].as_str().unwrap().contains("Sarvena"),
        "{newest}"
    );
}

#[test]
fn a_story_without_facts_is_briefed_from_its_first_sentences() {
    let d = three_stories();
    std::fs::remove_file(d.content().join("facts/sarvena-valley-floods.toml")).unwrap();
    let v = d
        .ok(&["brief", "--story", "sarvena-valley-floods", "--json"])
        .json();
    let items = v["items"].as_array().unwrap();
    assert!((5..=7).contains(&items.len()), "{v}");
    assert_eq!(items[0]["citations"][0]["paragraph"], 1);
    let mut last = 0;
    for item in items {
        let cite = &item["citations"][0];
        let p = cite["paragraph"].as_u64().unwrap();
        assert!(p > last, "not in the story's order: {v}");
        last = p;
        let source = d
            .ok(&[
                "source",
                &p.to_string(),
                "--article",
                "sarvena-valley-floods",
                "--json",
            ])
            .json();
        let quote = cite["quote"].as_str().unwrap();
        assert!(
            source[0]["text"].as_str().unwrap().starts_with(quote),
            "¶{p} does not open with {quote:?}"
        );
    }
}
