use serde_json::Value;

use crate::util::{ARTICLE, Dossier};

/// Every citation's quote stands verbatim in the paragraph it names.
fn assert_verbatim(d: &Dossier, citations: &Value) {
    for c in citations.as_array().expect("citations is an array") {
        assert_eq!(c["article"], ARTICLE);
        let n = c["paragraph"].as_u64().expect("paragraph is an integer") as u32;
        let quote = c["quote"].as_str().expect("quote is a string");
        assert!(!quote.is_empty());
        let paragraph = d.paragraph(n);
        assert!(
            paragraph.contains(quote),
            "quote {quote:?} not in paragraph {n}: {paragraph:?}"
        );
    }
}

#[test]
fn ask_json_keeps_its_contract() {
    let d = Dossier::new();
    let v = d.ok(&["ask", "What is the Trump Route?", "--json"]).json();
    assert_eq!(v["question"], "What is the Trump Route?");
    assert_eq!(v["answered"], true);
    assert!(
        v["answer"]
            .as_str()
            .unwrap()
            .contains("Trump Route for International Peace and Prosperity")
    );
    let citations = &v["citations"];
    assert!(!citations.as_array().unwrap().is_empty());
    assert_eq!(citations[0]["paragraph"], 4);
    assert_verbatim(&d, citations);
    let facts = v["facts"].as_array().unwrap();
    assert!(!facts.is_empty());
    for f in facts {
        assert!(f["id"].is_string() && f["topic"].is_string() && f["text"].is_string());
    }
}

#[test]
fn questions_the_sources_do_not_answer_are_declined() {
    let d = Dossier::new();
    for q in [
        "What is the population of Armenia?",
        "Tell me a joke",
        "How much will the corridor cost?",
        "xqzv blorp fnord",
    ] {
        let v = d.ok(&["ask", q, "--json"]).json();
        assert_eq!(v["answered"], false, "{q} was answered: {v}");
        assert!(
            v["answer"].as_str().unwrap().contains("do not answer"),
            "{v}"
        );
        assert_eq!(v["citations"].as_array().unwrap().len(), 0);
    }
}

#[test]
fn typos_aliases_and_one_word_queries_are_answered() {
    let d = Dossier::new();
    for (q, paragraph) in [
        ("nakhchivn", 4),
        ("Zangezur corridor", 4),
        ("miracle", 5),
        ("Kremlin", 6),
    ] {
        let v = d.ok(&["ask", q, "--json"]).json();
        assert_eq!(v["answered"], true, "{q}: {v}");
        assert_eq!(v["citations"][0]["paragraph"], paragraph, "{q}: {v}");
        assert_verbatim(&d, &v["citations"]);
    }
}

#[test]
fn any_text_is_a_valid_question() {
    let d = Dossier::new();
    let long = "corridor ".repeat(600);
    for q in [
        "\"unbalanced quote",
        "corridor AND (Russia OR",
        "title:corridor body:*",
        "nakh* ~2 ^3 [1 TO 5] {}",
        "\\ / ! ? ; : + - && ||",
        long.as_str(),
        "🕊️ peace ✌️",
        "Հայաստան և Ադրբեջան",
        "Azərbaycan Naxçıvan",
        "@everyone <@123> <@&456>",
    ] {
        let v = d.ok(&["ask", q, "--json"]).json();
        assert!(v["answered"].is_boolean(), "{q}: {v}");
        assert_verbatim(&d, &v["citations"]);
        let s = d.ok(&["search", q, "--json"]).json();
        assert!(s["hits"].is_array(), "{q}: {s}");
    }
}

#[test]
fn search_json_marks_matches_and_filters_by_topic() {
    let d = Dossier::new();
    let v = d
        .ok(&["search", "Nakhchivan exclave", "--limit", "5", "--json"])
        .json();
    let hits = v["hits"].as_array().unwrap();
    assert!(!hits.is_empty() && hits.len() <= 5);
    let mut kinds = std::collections::HashSet::new();
    for h in hits {
        kinds.insert(h["kind"].as_str().unwrap().to_string());
        assert_eq!(h["article"], ARTICLE);
        assert!(h["paragraph"].as_u64().unwrap() >= 1);
        assert!(h["score"].as_f64().unwrap() > 0.0);
        let text = h["snippet"]["text"].as_str().unwrap();
        let matches = h["snippet"]["matches"].as_array().unwrap();
        assert!(!matches.is_empty(), "no match marked in {h}");
        for m in matches {
            let (a, b) = (
                m[0].as_u64().unwrap() as usize,
                m[1].as_u64().unwrap() as usize,
            );
            let word = text[a..b].to_lowercase();
            assert!(
                word.starts_with("nakhchivan") || word.starts_with("exclave"),
                "{word}"
            );
        }
    }
    assert!(
        kinds.contains("fact") && kinds.contains("passage"),
        "{kinds:?}"
    );

    let v = d
        .ok(&["search", "Trump", "--topic", "quotes", "--json"])
        .json();
    let hits = v["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h["topic"] == "quotes"), "{v}");

    let text = d.ok(&["search", "miracle"]).stdout;
    assert!(text.contains("**miracle**"), "{text}");
}

#[test]
fn a_blank_search_asks_for_words() {
    let d = Dossier::new();
    let text = d.ok(&["search", "  "]).stdout;
    assert!(text.contains("give one or more words"), "{text}");
}

#[test]
fn cards_cite_every_statement_verbatim() {
    let d = Dossier::new();
    for args in [
        vec!["parties"],
        vec!["parties", "Pashinian"],
        vec!["corridor"],
        vec!["terms"],
        vec!["terms", "energy"],
        vec!["quote"],
        vec!["quote", "Aliyev"],
    ] {
        let mut full = args.clone();
        full.push("--json");
        let v = d.ok(&full).json();
        let items = v["items"].as_array().unwrap();
        assert!(!items.is_empty(), "{args:?}: {v}");
        for item in items {
            assert!(
                !item["citations"].as_array().unwrap().is_empty(),
                "{args:?}: {item}"
            );
            assert_verbatim(&d, &item["citations"]);
        }
    }
    let parties = d.ok(&["parties", "--json"]).json();
    let titles: Vec<&str> = parties["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["heading"].as_str().unwrap())
        .collect();
    for party in ["Azerbaijan", "Armenia", "The United States", "Russia"] {
        assert!(titles.contains(&party), "{party} missing from {titles:?}");
    }
    let one = d.ok(&["parties", "Pashinian", "--json"]).json();
    assert_eq!(one["title"], "Nikol Pashinyan");
    let quotes = d.ok(&["quote", "Aliyev", "--json"]).json();
    assert!(
        quotes["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["speaker"] == "Ilham Aliyev"),
        "{quotes}"
    );
}

#[test]
fn unknown_names_and_paragraphs_get_clear_errors() {
    let d = Dossier::new();
    let r = d.run(&["parties", "Narnia"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("nothing matches `Narnia`"),
        "{}",
        r.stderr
    );
    let r = d.run(&["source", "9"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("paragraph 9 does not exist"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("1 to 6"), "{}", r.stderr);
    let r = d.run(&["source", "1", "--article", "nope"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("no article `nope`"), "{}", r.stderr);
}

#[test]
fn source_shows_the_paragraph_in_full() {
    let d = Dossier::new();
    let v = d.ok(&["source", "5", "--json"]).json();
    assert_eq!(v[0]["paragraph"], 5);
    assert!(
        v[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("Aliyev commended Trump's diplomatic efforts")
    );
    let all = d.ok(&["source", "--json"]).json();
    assert_eq!(all.as_array().unwrap().len(), 6);
}

#[test]
fn the_question_sets_pass_their_thresholds() {
    let d = Dossier::new();
    for set in [
        "tests/qa.toml",
        "tests/holdout.toml",
        "tests/holdout2.toml",
        "tests/holdout3.toml",
        "tests/holdout4.toml",
    ] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(set);
        let r = d.ok(&["eval", path.to_str().unwrap(), "--json"]);
        let v = r.json();
        assert_eq!(
            v["quotes"], v["quotes_verbatim"],
            "{set}: faithfulness below 100%"
        );
        let cases = v["answerable"].as_u64().unwrap() + v["abstain_cases"].as_u64().unwrap();
        let least = if set == "tests/qa.toml" { 60 } else { 50 };
        assert!(cases >= least, "{set} has only {cases} questions");
    }
}

#[test]
fn the_story_sets_pass_their_thresholds_with_and_without_facts() {
    let d = Dossier::new();
    let stories = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/stories");
    let sets = ["train", "dev", "heldout"]
        .iter()
        .flat_map(|split| std::fs::read_dir(stories.join(split)).unwrap())
        .filter(|e| e.as_ref().unwrap().path().join("questions.toml").is_file())
        .count();
    for mode in [&[][..], &["--articles-only"][..]] {
        let mut args = vec!["eval", stories.to_str().unwrap(), "--json"];
        args.extend_from_slice(mode);
        let r = d.run(&args);
        let v = r.json();
        // On failure, figures only: the held-out questions stay unseen,
        // in test logs too.
        let figures = |s: &serde_json::Value| {
            let r = &s["report"];
            format!(
                "{}: {}/{} answered right, {}/{} declined, thresholds {}",
                s["story"],
                r["top1_correct"],
                r["answerable"],
                r["abstained"],
                r["abstain_cases"],
                r["thresholds"]
            )
        };
        let stories = v["stories"].as_array().unwrap();
        assert_eq!(
            r.code,
            0,
            "{mode:?}: below the thresholds:\n{}",
            stories.iter().map(figures).collect::<Vec<_>>().join("\n")
        );
        assert_eq!(stories.len(), sets, "a story set was left out");
        assert_eq!(v["faithfulness"], 1.0, "{mode:?}: faithfulness below 100%");
        for s in stories {
            let r = &s["report"];
            let cases = r["answerable"].as_u64().unwrap() + r["abstain_cases"].as_u64().unwrap();
            assert!(r["answerable"].as_u64().unwrap() >= 40, "{}", s["story"]);
            assert!(
                r["abstain_cases"].as_u64().unwrap() >= 15,
                "{}: {cases}",
                s["story"]
            );
        }
    }
}

#[test]
fn eval_exits_1_below_its_thresholds() {
    let d = Dossier::new();
    let set = d.dir.path().join("strict.toml");
    std::fs::write(
        &set,
        "[thresholds]\ntop1 = 1.0\nabstention = 1.0\nfaithfulness = 1.0\n\n[[case]]\nquestion = \"Who is Putin?\"\nparagraphs = [1]\n",
    )
    .unwrap();
    let r = d.run(&["eval", set.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("FAIL"), "{}", r.stdout);
}

/// Writes a one-article story with an entity `council` of its own.
fn tiny_story(root: &std::path::Path, id: &str, council: &str, paragraphs: &[&str], cases: &str) {
    let dir = root.join(id);
    std::fs::create_dir_all(dir.join("articles")).unwrap();
    std::fs::write(
        dir.join("articles").join(format!("{id}.md")),
        format!(
            "+++\nid = \"{id}\"\ntitle = \"{council} decides\"\ndate = 2026-03-02\npublisher = \"Wire desk\"\n+++\n\n{}\n",
            paragraphs.join("\n\n")
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("entities.toml"),
        format!("[[entity]]\nid = \"council\"\nname = \"{council}\"\nkind = \"organization\"\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("questions.toml"),
        format!("[thresholds]\ntop1 = 0.0\nabstention = 0.0\nfaithfulness = 1.0\n\n{cases}"),
    )
    .unwrap();
}

#[test]
fn stories_evaluated_together_count_only_their_own_citations() {
    let d = Dossier::new();
    let root = d.dir.path().join("stories");
    let repairs =
        "[[case]]\nquestion = \"how much would the bridge repairs cost\"\nparagraphs = [2]\n";
    tiny_story(
        &root,
        "dunlin-mill-fire",
        "Dunlin Town Council",
        &[
            "A fire destroyed the Dunlin paper mill on Monday, the town council said.",
            "The council said 40 workers lost their jobs. The mill's owner said it would rebuild.",
        ],
        // Asked of the wrong story: the other one answers it.
        repairs,
    );
    tiny_story(
        &root,
        "quenby-bridge-vote",
        "Quenby Town Council",
        &[
            "The Quenby town council voted on Tuesday to close the old river bridge.",
            "The council said bridge repairs would cost 3 million pounds. Traffic will use the ring road.",
        ],
        repairs,
    );
    let dir = root.to_str().unwrap();
    let v = d.ok(&["eval", dir, "--together", "--json"]).json();
    let outcome = |story: &str| {
        let s = v["stories"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["story"] == story)
            .unwrap_or_else(|| panic!("{story} not reported: {v}"));
        s["report"]["outcomes"][0].clone()
    };
    // One index: both stories' councils are known, each to its own story.
    let own = outcome("quenby-bridge-vote");
    assert_eq!(own["pass"], true, "{v}");
    // The same paragraph of another story is not this story's answer.
    let other = outcome("dunlin-mill-fire");
    assert_eq!(other["pass"], false, "{v}");
    assert!(
        other["got"]
            .as_str()
            .unwrap()
            .contains("quenby-bridge-vote"),
        "{v}"
    );
    assert_eq!(v["faithfulness"], 1.0);
    // Alone, the mill story has nothing to answer it with.
    let alone = d.ok(&["eval", dir, "--json"]).json();
    assert_eq!(
        alone["stories"][0]["report"]["outcomes"][0]["got"], "abstained",
        "{alone}"
    );
}

#[test]
fn a_declined_message_with_nothing_related_points_to_the_stories_command() {
    let d = Dossier::new();
    let out = d.ok(&["ask", "hey bot hows your day going"]).stdout;
    assert!(out.starts_with("That message asks nothing"), "{out}");
    assert!(out.contains("`dossier stories`"), "{out}");
    assert!(!out.contains("/help"), "{out}");
}
