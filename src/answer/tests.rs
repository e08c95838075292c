//! Unit tests of the engine on a small corpus written inline: ranking,
//! abstention, spelling, intents, cards and suggestions.

use std::path::Path;

use super::*;
use crate::answer::pipeline::score::{self, Features};
use crate::answer::pipeline::units::Unit;
use crate::content::Topic;

/// Owns a temp dir with a few lines of content and the index built from it.
pub struct TempIndex {
    _dir: tempfile::TempDir,
    pub content: std::path::PathBuf,
    pub index: std::path::PathBuf,
    pub engine: Engine,
}

const ARTICLE: &str = "+++
id = \"harbour\"
title = \"Harbour deal signed\"
date = 2024-05-03
url = \"https://example.com/harbour\"
+++

The mayors of Northport and Southbay signed a harbour agreement on Monday, brokered by the regional governor Ada Vell.

The deal reopens the ferry line between the two towns, closed since the storm of 2019.

Fishermen in Southbay remain sceptical, saying “We have heard promises before.”
";

const ENTITIES: &str = r#"
[[entity]]
id = "northport"
name = "Northport"
kind = "place"
aliases = ["North Port"]

[[entity]]
id = "southbay"
name = "Southbay"
kind = "place"

[[entity]]
id = "vell"
name = "Ada Vell"
kind = "person"
aliases = ["Vell", "the governor"]

[[entity]]
id = "ferry"
name = "ferry line"
kind = "route"
aliases = ["ferry"]
"#;

const FACTS: &str = r#"
[[fact]]
id = "broker"
topic = "parties"
title = "Ada Vell brokered the deal"
about = ["vell"]
text = "The regional governor Ada Vell brokered the harbour agreement."
answers = ["who"]
[[fact.cite]]
article = "harbour"
paragraph = 1
quote = "brokered by the regional governor Ada Vell"

[[fact]]
id = "signed-monday"
topic = "context"
title = "Signed on Monday"
about = ["northport", "southbay"]
text = "The mayors of Northport and Southbay signed the agreement on Monday."
answers = ["when"]
[[fact.cite]]
article = "harbour"
paragraph = 1
quote = "signed a harbour agreement on Monday"

[[fact]]
id = "ferry-reopens"
topic = "terms"
title = "The ferry line reopens"
about = ["ferry", "northport", "southbay"]
text = "The deal reopens the ferry line between the two towns."
keywords = ["boat"]
answers = ["what"]
[[fact.cite]]
article = "harbour"
paragraph = 2
quote = "The deal reopens the ferry line between the two towns"

[[fact]]
id = "fishermen-quote"
topic = "quotes"
title = "Fishermen: heard it before"
about = ["southbay"]
speaker = "southbay"
text = "Southbay fishermen said they have heard promises before."
[[fact.cite]]
article = "harbour"
paragraph = 3
quote = "“We have heard promises before.”"
"#;

impl TempIndex {
    pub fn new() -> TempIndex {
        TempIndex::with_facts("")
    }

    /// The corpus with `more` facts after the usual ones.
    pub fn with_facts(more: &str) -> TempIndex {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        let write = |rel: &str, text: &str| write_content(&content, rel, text);
        write("articles/harbour.md", ARTICLE);
        write("entities.toml", ENTITIES);
        write("facts/harbour.toml", &format!("{FACTS}\n{more}"));
        write(
            "lexicon.toml",
            "synonyms = [[\"broker\", \"mediate\"], [\"ferry\", \"boat\"]]\n",
        );
        let index = dir.path().join("index");
        crate::index::reindex(&content, &index, &mut |_, _| {}).unwrap();
        let engine = Engine::open(Path::new(&index)).unwrap();
        TempIndex {
            _dir: dir,
            content,
            index,
            engine,
        }
    }
}

/// Writes `text` to `rel` under the content directory `content`.
fn write_content(content: &Path, rel: &str, text: &str) {
    let path = content.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn first_paragraph(a: &Answer) -> Option<u32> {
    a.citations.first().map(|c| c.paragraph)
}

#[test]
fn answers_cite_the_paragraph_that_says_it() {
    let t = TempIndex::new();
    let a = t.engine.ask("Who mediated the harbour deal?").unwrap();
    assert!(a.answered, "{a:?}");
    assert_eq!(a.facts[0].id, "broker");
    assert_eq!(first_paragraph(&a), Some(1));
    assert_eq!(
        a.citations[0].url.as_deref(),
        Some("https://example.com/harbour")
    );
}

#[test]
fn the_intent_picks_between_facts_of_one_paragraph() {
    let t = TempIndex::new();
    assert_eq!(
        t.engine
            .ask("When was the agreement signed?")
            .unwrap()
            .facts[0]
            .id,
        "signed-monday"
    );
    assert_eq!(
        t.engine.ask("Who brokered the agreement?").unwrap().facts[0].id,
        "broker"
    );
}

#[test]
fn words_the_sources_never_use_lead_to_abstention() {
    let t = TempIndex::new();
    for q in [
        "What is the population of Northport?",
        "How much did the ferry cost?",
        "tell me a joke",
        "zzqx vlorp",
    ] {
        let a = t.engine.ask(q).unwrap();
        assert!(!a.answered, "{q} was answered: {a:?}");
        assert!(a.citations.is_empty());
        assert!(a.answer.starts_with("The sources do not answer"));
    }
}

#[test]
fn chat_spellings_and_filler_are_read_as_the_plain_question() {
    let t = TempIndex::new();
    let plain = t.engine.ask("Who brokered the agreement?").unwrap();
    for q in [
        "hey so hu brokered the agreement lol",
        "pls tell me who brokered the agreement",
    ] {
        let a = t.engine.ask(q).unwrap();
        assert!(a.answered, "{q}: {a:?}");
        assert_eq!(a.facts[0].id, plain.facts[0].id, "{q}");
        assert_eq!(a.intent, Some("who"), "{q}");
        assert!(a.corrections.is_empty(), "{q}: {:?}", a.corrections);
    }
    // A mistyped question word is corrected to it, not to a word of the
    // sources, and said so.
    let a = t.engine.ask("waht did the governor broker").unwrap();
    assert!(a.answered, "{a:?}");
    assert_eq!(a.facts[0].id, "broker");
    assert_eq!(a.corrections, [("waht".to_string(), "what".to_string())]);
}

#[test]
fn discord_markup_and_invisible_characters_are_not_words_of_the_question() {
    let t = TempIndex::new();
    let plain = t.engine.ask("Who brokered the agreement?").unwrap();
    assert!(plain.answered, "{plain:?}");
    for q in [
        "<@123456789012345678> who brokered the agreement?",
        "@dossier who brokered the agreement? <:thinking:123456789012345678>",
        "who brokered the agreement? https://example.com/harbour",
        "who bro\u{200b}kered the agree\u{ad}ment?",
    ] {
        let a = t.engine.ask(q).unwrap();
        assert!(a.answered, "{q}: {a:?}");
        assert_eq!(a.facts[0].id, plain.facts[0].id, "{q}");
        assert!(a.unknown_words.is_empty(), "{q}: {:?}", a.unknown_words);
        assert!(!a.question.contains("123456789012345678"), "{q}");
    }
    // A letter and its combining accent read as the composed letter.
    let composed = t.engine.ask("Who is sceptical in Southbäy?").unwrap();
    assert!(composed.answered, "{composed:?}");
    let decomposed = t
        .engine
        .ask("Who is sceptical in Southba\u{308}y?")
        .unwrap();
    assert_eq!(decomposed.answered, composed.answered);
    assert_eq!(decomposed.corrections, composed.corrections);
    assert_eq!(decomposed.facts, composed.facts);
}

#[test]
fn a_number_alone_is_looked_up_not_matched_by_meaning() {
    let t = TempIndex::new();
    // Nothing but numbers the best unit does not hold is declined, with
    // nothing related: any sentence with a count is near them.
    for q in ["1", "whats 2+2", "' OR 1=1 --", "2025"] {
        let a = t.engine.ask(q).unwrap();
        assert!(!a.answered, "{q}: {a:?}");
        assert!(a.related.is_empty(), "{q}: {:?}", a.related);
    }
    // A count asked of a year goes on to the decision.
    let (_, trace) = t.engine.ask_traced("how many in 2024").unwrap();
    assert!(trace.decision.is_some(), "{trace:?}");
    // A number the story holds is looked up.
    let a = t.engine.ask("2019").unwrap();
    assert!(a.answered, "{a:?}");
    assert_eq!(a.citations[0].paragraph, 2, "{a:?}");
}

#[test]
fn numbers_alone_keep_only_the_units_that_hold_them() {
    use crate::answer::pipeline::{Scored, holding_numbers};
    let t = TempIndex::new();
    let exact = score::FEATURES
        .iter()
        .position(|&n| n == "exact_coverage")
        .unwrap();
    let unit = |holds: bool, rank: f32| {
        let mut features: Features = [0.0; score::FEATURES.len()];
        features[exact] = if holds { 1.0 } else { 0.0 };
        Scored {
            unit: 0,
            features,
            score: rank,
        }
    };
    // A sentence with another count ranks first; the one holding the
    // number is kept.
    let scored = [unit(false, 5.0), unit(true, 4.0)];
    let kept = holding_numbers(&t.engine.analyse("two"), &scored);
    assert_eq!(kept.iter().map(|s| s.score).collect::<Vec<_>>(), [4.0]);
    // Any other question keeps every unit.
    let all = holding_numbers(&t.engine.analyse("two ferries"), &scored);
    assert_eq!(all.len(), 2);
}

#[test]
fn a_message_that_asks_nothing_is_told_so() {
    let t = TempIndex::new();
    let small_talk = [
        "hey bot hows your day going",
        "whats your name",
        "how are you today",
        "hows it going with you",
        "whats new with you",
        "thanks that helps",
        "ok cool thanks a lot",
    ];
    // Nothing but the kind of answer wanted asks nothing of a story.
    let only_the_kind = [
        "what time is it",
        "how long",
        "what year is it",
        "what day is it today",
    ];
    for q in ["lol", "hey, thanks!", "??", "ok"]
        .into_iter()
        .chain(small_talk)
        .chain(only_the_kind)
    {
        let a = t.engine.ask(q).unwrap();
        assert!(!a.answered, "{q}: {a:?}");
        assert!(
            a.answer.starts_with("That message asks nothing"),
            "{q}: {}",
            a.answer
        );
        assert!(a.related.is_empty(), "{q}: {:?}", a.related);
    }
    // Asked of one story, the kind of answer alone asks something of it.
    let a = t
        .engine
        .ask_in("what year was it", Some("harbour"))
        .unwrap();
    assert!(!a.answer.starts_with("That message asks nothing"), "{a:?}");
    let a = t.engine.ask_in("lol", Some("harbour")).unwrap();
    assert!(
        a.answer.starts_with("That message asks nothing"),
        "{}",
        a.answer
    );
    // Speaking to the bot is no small talk when the message asks something.
    let a = t
        .engine
        .ask("can you tell me who brokered the deal")
        .unwrap();
    assert!(a.answered, "{a:?}");
    for q in [
        "when do you think it was",
        "how long was the ferry closed",
        "what do you know about the war",
        "thanks, and what about the ferry",
    ] {
        let a = t.engine.ask(q).unwrap();
        assert!(
            !a.answer.starts_with("That message asks nothing"),
            "{q}: {a:?}"
        );
    }
}

#[test]
fn typos_are_corrected_and_reported() {
    let t = TempIndex::new();
    let a = t.engine.ask("what about the fery to Sothbay").unwrap();
    assert!(a.answered, "{a:?}");
    assert_eq!(a.facts[0].id, "ferry-reopens");
    assert!(
        a.corrections.iter().any(|(typed, _)| typed == "sothbay"),
        "{:?}",
        a.corrections
    );
}

#[test]
fn synonyms_and_keywords_find_the_fact() {
    let t = TempIndex::new();
    let a = t.engine.ask("is there a boat again").unwrap();
    assert_eq!(
        a.facts.first().map(|f| f.id.as_str()),
        Some("ferry-reopens"),
        "{a:?}"
    );
}

#[test]
fn asking_what_an_unquoted_person_said_is_declined() {
    let t = TempIndex::new();
    let a = t
        .engine
        .ask("What did Ada Vell say about the ferry?")
        .unwrap();
    assert!(!a.answered, "{a:?}");
}

#[test]
fn search_marks_matched_words_and_filters_topics() {
    let t = TempIndex::new();
    let r = t.engine.search("ferry", None, 10).unwrap();
    assert!(!r.hits.is_empty());
    for h in &r.hits {
        assert!(!h.snippet.matches.is_empty(), "{h:?}");
        for &(a, b) in &h.snippet.matches {
            // The entity's names and the lexicon's synonyms count as matches.
            let word = h.snippet.text[a..b].to_lowercase();
            assert!(["ferry", "line", "boat"].contains(&word.as_str()), "{word}");
        }
    }
    let quotes = t
        .engine
        .search("promises", Some(Topic::QUOTES), 10)
        .unwrap();
    assert!(
        quotes
            .hits
            .iter()
            .all(|h| h.topic.as_deref() == Some(Topic::QUOTES))
    );
    assert!(!quotes.hits.is_empty());
    // A topic no fact has finds nothing: said so, with the topics there are.
    let Err(RequestError::NoCard { card, cards, .. }) =
        t.engine.search("ferry", Some("weather"), 10)
    else {
        panic!("no fact is about the weather")
    };
    assert_eq!(card, "weather");
    assert!(cards.iter().any(|c| c == Topic::QUOTES), "{cards:?}");
}

#[test]
fn large_sources_search_by_bm25_with_the_same_filters() {
    let TempIndex { _dir, engine, .. } = TempIndex::new();
    let e = engine.scored_as_if_large();
    let r = e.search("ferry", None, 10).unwrap();
    assert!(!r.hits.is_empty());
    for h in &r.hits {
        assert!(!h.snippet.matches.is_empty(), "{h:?}");
    }
    // The fact and the paragraph it cites are both found, the fact once.
    let keys: Vec<_> = r
        .hits
        .iter()
        .map(|h| (h.paragraph, h.fact.clone()))
        .collect();
    assert!(
        keys.contains(&(2, Some("harbour/ferry-reopens".to_string()))),
        "{keys:?}"
    );
    assert!(keys.contains(&(2, None)), "{keys:?}");
    let quotes = e.search("promises", Some(Topic::QUOTES), 10).unwrap();
    assert!(!quotes.hits.is_empty());
    assert!(
        quotes
            .hits
            .iter()
            .all(|h| h.topic.as_deref() == Some(Topic::QUOTES))
    );
    assert_eq!(e.search("ferry", None, 1).unwrap().hits.len(), 1);
    assert!(e.search("zzqx", None, 10).unwrap().hits.is_empty());
    assert!(matches!(
        e.search_in("ferry", None, Some("nowhere"), 10),
        Err(RequestError::UnknownArticle(_))
    ));
    // Answers come from BM25's candidates the same way.
    let a = e.ask("Who mediated the harbour deal?").unwrap();
    assert_eq!(
        a.facts.first().map(|f| f.id.as_str()),
        Some("broker"),
        "{a:?}"
    );
}

#[test]
fn cards_resolve_names_and_aliases() {
    let t = TempIndex::new();
    let e = &t.engine;
    assert_eq!(
        e.entity_card("parties", Some("the governor"), None)
            .unwrap()
            .title,
        "Ada Vell"
    );
    assert_eq!(
        e.card("parties", None).unwrap().items[0].fact,
        "harbour/broker"
    );
    assert_eq!(
        e.fact_card("terms", Some("ferry"), None).unwrap().items[0].fact,
        "harbour/ferry-reopens"
    );
    // What matches nothing is told with what would.
    let Err(RequestError::NotFound { named, known, .. }) =
        e.entity_card("parties", Some("Atlantis"), None)
    else {
        panic!("Atlantis is nobody")
    };
    assert_eq!(named, None);
    assert!(known.contains(&"Ada Vell".to_string()), "{known:?}");
    let q = e.speaker_card("quotes", Some("Southbay"), None).unwrap();
    assert_eq!(q.items[0].speaker.as_deref(), Some("Southbay"));
    // Someone the sources name but never quote: said so, with who is.
    let Err(RequestError::NotFound { named, known, .. }) =
        e.speaker_card("quotes", Some("the governor"), None)
    else {
        panic!("the governor is never quoted")
    };
    assert_eq!(named.as_deref(), Some("Ada Vell"));
    assert_eq!(known, ["Southbay"]);
    let Err(RequestError::NotFound { known, .. }) = e.fact_card("terms", Some("zzzz qqqq"), None)
    else {
        panic!("no term is zzzz")
    };
    assert!(
        !known.is_empty() && known.iter().all(|t| !t.is_empty()),
        "{known:?}"
    );
    assert!(matches!(
        e.card("corridor", Some("harbour")),
        Err(RequestError::NoCard { story: Some(_), .. })
    ));
}

#[test]
fn source_returns_paragraphs_and_explains_bad_numbers() {
    let t = TempIndex::new();
    let p = t.engine.source(None, Some(2)).unwrap();
    assert!(p[0].text.starts_with("The deal reopens the ferry line"));
    assert_eq!(
        t.engine.source(Some("harbour"), Some(9)).unwrap_err(),
        RequestError::NoSuchParagraph {
            article: "harbour".into(),
            paragraph: 9,
            count: 3
        }
    );
    assert!(matches!(
        t.engine.source(Some("nope"), Some(1)),
        Err(RequestError::UnknownArticle(_))
    ));
}

#[test]
fn suggestions_forgive_typos_and_stay_within_discords_limits() {
    let t = TempIndex::new();
    let s = t.engine.suggest(SuggestKind::Query, "sout", 25);
    assert_eq!(s[0].value, "Southbay");
    let s = t.engine.suggest(SuggestKind::Query, "nortp", 25);
    assert!(s.iter().any(|x| x.value == "Northport"), "{s:?}");
    assert!(t.engine.suggest(SuggestKind::Query, "", 25).len() <= 25);
    assert_eq!(
        t.engine.suggest(SuggestKind::Article, "harb", 25)[0].value,
        "harbour"
    );
}

#[test]
fn hostile_input_never_panics() {
    let t = TempIndex::new();
    let long = "ferry ".repeat(2000);
    for q in [
        "",
        "   ",
        "\0\u{200B}\u{202E}",
        "(((",
        "title:* AND OR NOT ~2 ^3",
        &long,
        "🦀🦀",
        "Հայաստան",
    ] {
        let a = t.engine.ask(q).unwrap();
        for c in &a.citations {
            assert!(
                t.engine
                    .paragraph_text(&c.article, c.paragraph)
                    .unwrap()
                    .unwrap()
                    .contains(&c.quote)
            );
        }
        let _ = t.engine.search(q, None, 10).unwrap();
        let _ = t.engine.suggest(SuggestKind::Query, q, 25);
        let _ = t.engine.entity_card("parties", Some(q), None);
    }
}

/// Two stories whose own entities share an id and a name ("the governor")
/// and whose facts share an id.
fn two_governors() -> (tempfile::TempDir, Engine) {
    let bridge = "+++\nid = \"bridge\"\ntitle = \"Lune bridge reopens\"\ndate = 2024-06-01\n+++\n\n\
         The bridge over the Lune reopened on Friday after two years of repairs, the governor Ben Hale said. \
         Traffic was back to normal by the evening.\n";
    let story = |slug: &str, name: &str, quote: &str| {
        format!(
            "[[entity]]\nid = \"gov\"\nname = \"{name}\"\nkind = \"person\"\naliases = [\"the governor\"]\n\n\
             [[fact]]\nid = \"lead\"\ntopic = \"parties\"\ntitle = \"{name}\"\nabout = [\"gov\"]\n\
             text = \"{name} is the governor.\"\n[[fact.cite]]\narticle = \"{slug}\"\nparagraph = 1\nquote = \"{quote}\"\n"
        )
    };
    indexed(&[
        ("articles/harbour.md", ARTICLE),
        ("articles/bridge.md", bridge),
        (
            "facts/harbour.toml",
            &story("harbour", "Ada Vell", "the regional governor Ada Vell"),
        ),
        (
            "facts/bridge.toml",
            &story("bridge", "Ben Hale", "the governor Ben Hale said"),
        ),
    ])
}

/// An engine over a temporary content directory of these (path, text)
/// files.
fn indexed(files: &[(&str, &str)]) -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    for (rel, text) in files {
        write_content(&content, rel, text);
    }
    let index = dir.path().join("index");
    crate::index::reindex(&content, &index, &mut |_, _| {}).unwrap();
    let engine = Engine::open(&index).unwrap();
    (dir, engine)
}

#[test]
fn namesakes_resolve_to_the_story_being_read() {
    let (_dir, e) = two_governors();
    let card = |story| {
        e.entity_card("parties", Some("the governor"), story)
            .unwrap()
    };
    assert_eq!(card(Some("harbour")).title, "Ada Vell");
    assert_eq!(card(Some("bridge")).title, "Ben Hale");
    // Without a story, the newest story's.
    assert_eq!(card(None).story.id, "bridge");
    assert_eq!(card(Some("harbour")).items[0].fact, "harbour/lead");
    assert_eq!(e.card("parties", None).unwrap().story.id, "bridge");
    for story in ["harbour", "bridge"] {
        let a = e.ask_in("who is the governor", Some(story)).unwrap();
        assert!(a.answered && !a.citations.is_empty(), "{a:?}");
        assert!(a.citations.iter().all(|c| c.article == story), "{a:?}");
    }
    // Suggestions tell the namesakes apart by their story.
    let values: Vec<String> = e
        .suggest(SuggestKind::Entity("parties"), "gov", 10)
        .into_iter()
        .map(|s| s.value)
        .collect();
    assert!(values.contains(&"harbour/gov".to_string()), "{values:?}");
    assert!(values.contains(&"bridge/gov".to_string()), "{values:?}");
}

/// Scrambles the compressed blocks of every document store of the current
/// generation of `index`, keeping the files' lengths.
fn damage_stored_paragraphs(index: &Path) {
    let current = std::fs::read_to_string(index.join("CURRENT")).unwrap();
    let generation = index.join(current.trim());
    for entry in std::fs::read_dir(&generation).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "store") {
            let mut bytes = std::fs::read(&path).unwrap();
            let half = bytes.len() / 2;
            for b in &mut bytes[8..half] {
                *b = b.wrapping_mul(7).wrapping_add(13);
            }
            let mut perms = std::fs::metadata(&path).unwrap().permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perms.set_readonly(false);
            std::fs::set_permissions(&path, perms).unwrap();
            std::fs::write(&path, bytes).unwrap();
        }
    }
}

#[test]
fn unreadable_stored_paragraphs_fail_the_request_instead_of_passing_for_no_answer() {
    let TempIndex { _dir, engine, .. } = TempIndex::new();
    assert!(
        engine
            .ask("Who mediated the harbour deal?")
            .unwrap()
            .answered
    );
    drop(engine);
    let index = _dir.path().join("index");
    damage_stored_paragraphs(&index);
    // Large sources read paragraphs per question.
    let large = Engine::open_as_if_large(&index).unwrap();
    let failed = |r: Result<(), RequestError>| matches!(r, Err(RequestError::Index(_)));
    assert!(failed(
        large.ask("Who mediated the harbour deal?").map(|_| ())
    ));
    assert!(failed(large.search("ferry", None, 10).map(|_| ())));
    assert!(failed(large.paragraph_text("harbour", 3).map(|_| ())));
    assert!(failed(large.brief(None).map(|_| ())));
    // Small sources read every paragraph when the engine opens.
    let opened = Engine::open(&index);
    assert!(
        matches!(opened, Err(IndexError::Corrupt { .. })),
        "{:?}",
        opened.err()
    );
}

#[test]
fn eval_counts_what_the_ranking_alone_gets_right() {
    let t = TempIndex::new();
    let set = eval::EvalSet::parse(
        "[thresholds]\ntop1 = 0.0\nabstention = 0.0\nfaithfulness = 1.0\n\n\
         [[case]]\nquestion = \"Who mediated the harbour deal?\"\nparagraphs = [1]\n\n\
         [[case]]\nquestion = \"Who mediated the harbour deal?\"\nparagraphs = [3]\n\n\
         [[case]]\nquestion = \"What is the capital of Peru?\"\nabstain = true\n",
    )
    .unwrap();
    let r = eval::run(&t.engine, &set).unwrap();
    assert_eq!((r.answerable, r.top1_correct, r.ranked_first), (2, 1, 1));
    let ranked: Vec<bool> = r.outcomes.iter().map(|o| o.ranked_right).collect();
    assert_eq!(ranked, [true, false, false]);
    assert_eq!(r.ranked(), 0.5);
}

/// Three paragraphs about a library, none of them on what it costs.
const LIBRARY: &str = "The council approved a new library on Monday.\n\n\
    The library will open in the old market hall next spring.\n\n\
    Critics said the market hall needs a new roof before the library can open.";

#[test]
fn eval_counts_declines_that_offered_a_right_paragraph() {
    let (_dir, engine) = one_paragraph(LIBRARY);
    let set = eval::EvalSet::parse(
        "[thresholds]\ntop1 = 0.0\nabstention = 0.0\nfaithfulness = 1.0\n\n\
         [[case]]\nquestion = \"how much will the new library cost\"\nparagraphs = [1]\n\n\
         [[case]]\nquestion = \"how much will the new library cost\"\nparagraphs = [9]\n",
    )
    .unwrap();
    let r = eval::run(&engine, &set).unwrap();
    let led: Vec<bool> = r.outcomes.iter().map(|o| o.led_right).collect();
    assert_eq!(led, [true, false], "{:?}", r.outcomes);
    assert_eq!((r.top1_correct, r.declined_led_right()), (0, 1));
    assert_eq!(r.reached(), 0.5);
    // The leads' quotes are counted as quotes (none is cited).
    assert!(r.quotes >= 2, "{r:?}");
}

#[test]
fn a_quote_is_not_given_as_what_someone_else_said() {
    // The fishermen speak of the governor; she is not the one speaking.
    let t = TempIndex::with_facts(
        r#"
[[fact]]
id = "fishermen-on-vell"
topic = "quotes"
title = "Fishermen doubt the governor"
about = ["southbay", "vell"]
speaker = "southbay"
text = "Southbay fishermen said they have heard the governor Ada Vell's promises before."
[[fact.cite]]
article = "harbour"
paragraph = 3
quote = "“We have heard promises before.”"
"#,
    );
    let theirs = ["fishermen-quote", "fishermen-on-vell"];
    let a = t.engine.ask("what did the governor say").unwrap();
    assert!(
        a.facts
            .first()
            .is_none_or(|f| !theirs.contains(&f.id.as_str())),
        "{a:?}"
    );
    let a = t.engine.ask("what did the Southbay fishermen say").unwrap();
    assert!(a.answered, "{a:?}");
    assert!(theirs.contains(&a.facts[0].id.as_str()), "{a:?}");
}

/// The one paragraph of [`one_paragraph`]'s article in the tests that use it.
const FIRE: &str = "A fire destroyed a warehouse at the Lindqvist harbour on Monday, \
                    causing damage estimated at 3 million euros.";

/// An index of one article of one paragraph, without facts.
fn one_paragraph(text: &str) -> (tempfile::TempDir, Engine) {
    let article = format!(
        "+++\nid = \"fire\"\ntitle = \"Warehouse fire\"\ndate = 2026-03-02\n+++\n\n{text}\n"
    );
    indexed(&[("articles/fire.md", &article)])
}

/// The content words of a question as analysed (folded), in order.
fn terms(engine: &Engine, question: &str) -> Vec<String> {
    engine
        .analyse(question)
        .terms
        .into_iter()
        .map(|t| t.folded)
        .collect()
}

#[test]
fn a_one_paragraph_source_still_answers_in_its_own_words() {
    // Every word is in every document, so no IDF tells them apart: the
    // exact matches must count all the same.
    let (_dir, engine) = one_paragraph(FIRE);
    let a = engine.ask("fire damage").unwrap();
    assert!(a.answered, "{a:?}");
    assert_eq!(first_paragraph(&a), Some(1));
}

#[test]
fn what_happened_is_answered_by_the_newest_storys_lede() {
    let (_dir, engine) = two_governors();
    for question in [
        "what happened?",
        "whats going on",
        "catch me up",
        "any news",
    ] {
        let a = engine.ask(question).unwrap();
        assert!(a.answered, "{question}: {a:?}");
        assert_eq!(a.intent, Some("what happened"), "{question}");
        assert_eq!(a.story.as_deref(), Some("bridge"), "{question}");
        assert_eq!(a.citations[0].paragraph, 1);
        assert_eq!(
            a.answer,
            "The bridge over the Lune reopened on Friday after two years of repairs, \
             the governor Ben Hale said."
        );
        assert_eq!(a.also, ["harbour"], "{question}");
    }
    // Of one story: its own lede, nothing else.
    let a = engine.ask_in("what happened", Some("harbour")).unwrap();
    assert_eq!(a.story.as_deref(), Some("harbour"));
    assert_eq!(
        a.answer,
        "The mayors of Northport and Southbay signed a harbour agreement on Monday, \
         brokered by the regional governor Ada Vell."
    );
    assert!(a.also.is_empty());
    // A question that names something is a question about it, another
    // question word asks for its own kind, and "catch" alone is no gist.
    for (question, intent) in [
        ("what happened to the governor", None),
        ("what happened to the ferry", None),
        ("when did it happen", Some("when")),
        ("why did it happen", Some("why")),
        ("did they catch him", None),
    ] {
        let a = engine.ask(question).unwrap();
        assert_eq!(a.intent, intent, "{question}");
    }
}

#[test]
fn the_words_naming_a_speaker_are_marked_to_match_in_context() {
    let t = TempIndex::new();
    let speaker = |question: &str| -> Vec<String> {
        let q = t.engine.analyse(question);
        q.terms
            .iter()
            .filter(|t| t.speaker)
            .map(|t| t.folded.clone())
            .collect()
    };
    assert_eq!(
        speaker("what did the lead researcher say about the harbour"),
        ["lead", "researcher"]
    );
    assert_eq!(speaker("how did the mayors react"), ["mayors"]);
    // Not a question about someone's words, or no one named before the verb.
    assert!(speaker("who signed the harbour agreement").is_empty());
    assert!(speaker("governor quote").is_empty());
}

#[test]
fn a_quote_matches_the_speaker_named_by_role_where_its_paragraph_names_them() {
    let article = "+++\nid = \"docks\"\ntitle = \"Dock strike ends\"\ndate = 2024-06-01\n+++\n\n\
         Dock workers accepted a new pay deal on Monday, ending a strike at the port.\n\n\
         Rhea Kant led the talks for the union. \"This is a fair result for every member,\" Kant said.\n\n\
         The port authority said ships would move again by Friday.\n";
    let entities = "[[entity]]\nid = \"kant\"\nname = \"Rhea Kant\"\nkind = \"person\"\n\
         aliases = [\"Kant\"]\ndescription = \"chief negotiator of the dockers' union\"\n";
    let (_dir, engine) = indexed(&[("articles/docks.md", article), ("entities.toml", entities)]);
    let (answer, trace) = engine
        .ask_traced("what did the chief negotiator say")
        .unwrap();
    assert!(answer.answered, "{answer:?}");
    assert_eq!(answer.citations[0].paragraph, 2);
    assert!(answer.answer.contains("fair result"), "{}", answer.answer);
    // The quote's sentence holds neither "chief" nor "negotiator": they
    // match where its paragraph names Kant, whose description holds them.
    let (.., features, _) = &trace.units[0];
    assert!(features[3] > 0.5, "exact coverage {}", features[3]);
}

#[test]
fn a_request_for_a_summary_gives_the_lede_of_the_story_it_names() {
    let (_dir, engine) = two_governors();
    let lede = |question: &str| {
        let a = engine.ask(question).unwrap();
        assert!(a.answered, "{question}: {a:?}");
        assert_eq!(a.intent, Some("what happened"), "{question}");
        assert_eq!(a.citations[0].paragraph, 1, "{question}");
        a.story.unwrap()
    };
    // Named by its words, with or without the request around them.
    assert_eq!(lede("summarize the harbour agreement"), "harbour");
    assert_eq!(
        lede("can u give me a quick recap of the harbour deal"),
        "harbour"
    );
    assert_eq!(lede("tldr on the bridge repairs"), "bridge");
    assert_eq!(lede("overview of northport"), "harbour");
    assert_eq!(lede("any news on the harbour deal?"), "harbour");
    assert_eq!(lede("whats the latest with the bridge"), "bridge");
    // Named by nothing: the newest story's.
    assert_eq!(lede("give me a short summary"), "bridge");
    // Named by something no story covers: declined, not another story.
    let a = engine.ask("summarize the volcano eruption").unwrap();
    assert!(!a.answered, "{a:?}");
    // Before a question word, the request frames that question; after
    // "did", a summary is what is asked about.
    for question in [
        "summarize what the governor said",
        "what did the summary say",
        "how did the mayors take the news",
    ] {
        let a = engine.ask(question).unwrap();
        assert_ne!(a.intent, Some("what happened"), "{question}");
    }
    assert_eq!(
        engine.analyse("summarize what the governor said").kind,
        Some(crate::answer::kinds::Kind::Speech)
    );
}

#[test]
fn a_declined_question_on_sources_without_facts_points_to_the_nearest_paragraphs() {
    let (_dir, engine) = one_paragraph(FIRE);
    let a = engine.ask("who insured the warehouse").unwrap();
    assert!(!a.answered, "{a:?}");
    assert_eq!(a.related, ["¶1 of Warehouse fire"], "{a:?}");
    assert!(
        a.answer.contains("Related: ¶1 of Warehouse fire."),
        "{}",
        a.answer
    );
    // The nearest sentence, verbatim, to read; never a citation.
    assert!(a.citations.is_empty(), "{a:?}");
    assert_eq!(a.leads.len(), 1, "{a:?}");
    assert_eq!(a.leads[0].paragraph, 1);
    assert!(FIRE.contains(&a.leads[0].quote), "{:?}", a.leads[0]);
}

#[test]
fn a_question_sharing_no_word_with_the_sources_is_offered_nothing_as_related() {
    let (_dir, engine) = one_paragraph(FIRE);
    for q in ["what is the capital of peru", "whats the weather tomorrow"] {
        let a = engine.ask(q).unwrap();
        assert!(!a.answered, "{a:?}");
        assert!(a.related.is_empty() && a.leads.is_empty(), "{q}: {a:?}");
        assert!(a.declined_without_leads());
    }
}

#[test]
fn a_declined_question_names_the_nearest_paragraphs_of_one_article_together() {
    let (_dir, engine) = one_paragraph(LIBRARY);
    let a = engine.ask("how much will the new library cost").unwrap();
    assert!(!a.answered, "{a:?}");
    assert!(a.leads.len() >= 2, "{a:?}");
    let mut paragraphs: Vec<u32> = a.leads.iter().map(|l| l.paragraph).collect();
    paragraphs.sort_unstable();
    paragraphs.dedup();
    assert_eq!(
        paragraphs.len(),
        a.leads.len(),
        "one lead a paragraph: {a:?}"
    );
    for lead in &a.leads {
        assert!(LIBRARY.contains(&lead.quote), "{lead:?}");
    }
    // "¶1, ¶2 and ¶3 of Warehouse fire": one entry, in the article's order.
    let marks: Vec<String> = paragraphs.iter().map(|p| format!("¶{p}")).collect();
    let listed = match marks.as_slice() {
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        [] => unreachable!(),
    };
    assert_eq!(a.related, [format!("{listed} of Warehouse fire")], "{a:?}");
}

#[test]
fn shorthand_the_sources_never_use_is_read_in_full() {
    let (_dir, engine) =
        one_paragraph("The prime minister said 400 people left the valley before the deadline.");
    assert_eq!(
        terms(&engine, "how many ppl did the pm say left"),
        ["many", "people", "prime", "minister", "say", "left"]
    );
    // After a number it is a unit, not a shortening of words.
    assert_eq!(
        terms(&engine, "what happened at 5 pm"),
        ["happened", "5", "pm"]
    );
    // The sources use "pm" themselves: it stays as typed.
    let (_dir, engine) =
        one_paragraph("The prime minister said 400 people left the valley before 5 pm on Monday.");
    assert_eq!(terms(&engine, "what did the pm say"), ["pm", "say"]);
}

#[test]
fn a_name_the_story_never_mentions_is_not_answered_by_its_other_words() {
    let (_dir, engine) = one_paragraph(
        "A warehouse fire 30 kilometres north of the provincial capital Tessin closed \
         the port, and engineers from Norway, Italian divers and a German crane were called in.",
    );
    let missing = |q: &str| engine.names_missing(&engine.analyse(q), &[0]).unwrap()[0].clone();
    assert_eq!(
        missing("what is the capital of australia").as_deref(),
        Some("australia")
    );
    assert_eq!(
        missing("how far was it from the capital of canada").as_deref(),
        Some("canada")
    );
    // Forms of a name, either way round ("Norway" for "norwegian",
    // "Italian" for "italy"), mention it; a word sharing only its start
    // ("every" for "everest") does not.
    assert_eq!(missing("were norwegian engineers called in"), None);
    assert_eq!(missing("did divers come from italy"), None);
    assert_eq!(missing("was the crane from germany"), None);
    assert_eq!(
        missing("did they climb everest"),
        Some("everest".to_string())
    );
    // A question without a name, or with a month, has none to miss.
    assert_eq!(missing("what is the capital"), None);
    assert_eq!(missing("was the fire in november"), None);
    assert_eq!(missing("will the port reopen before christmas"), None);
    // Answered without the name, declined with a place the story never
    // mentions.
    assert!(
        engine
            .ask("what is the provincial capital")
            .unwrap()
            .answered
    );
    let a = engine
        .ask("what is the provincial capital of australia")
        .unwrap();
    assert!(!a.answered, "{a:?}");
}

#[test]
fn a_country_is_mentioned_by_any_form_of_its_name() {
    let (_dir, engine) = one_paragraph(
        "Dutch engineers, Danish divers and a Swiss crane were called in \
         after the fire closed the port of Tessin.",
    );
    let missing = |q: &str| engine.names_missing(&engine.analyse(q), &[0]).unwrap()[0].clone();
    // Forms that the first three letters and the word vectors cannot pair:
    // "netherlands" and "holland" for "Dutch", "denmark" for "Danish",
    // "switzerland" for "Swiss" (too much longer).
    assert_eq!(missing("did the netherlands send engineers"), None);
    assert_eq!(missing("were the engineers from holland"), None);
    assert_eq!(missing("were the divers from denmark"), None);
    assert_eq!(missing("was the crane from switzerland"), None);
    // Another country is still one the story never mentions.
    assert_eq!(
        missing("did norway send engineers").as_deref(),
        Some("norway")
    );
}

#[test]
fn among_several_stories_those_that_never_mention_a_name_are_set_aside() {
    let story = |id: &str, text: &str| {
        (
            format!("articles/{id}.md"),
            format!(
                "+++\nid = \"{id}\"\ntitle = \"Port news {id}\"\ndate = 2026-03-02\n+++\n\n{text}\n"
            ),
        )
    };
    let files = [
        story(
            "tessin",
            "The port of Tessin reopened on Monday after a fire closed it for a week.",
        ),
        story(
            "lisbon",
            "The port of Lisbon reopened on Friday after a strike closed it for a week.",
        ),
    ];
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let (_dir, engine) = indexed(&refs);
    let question = "when did the port in lisbon reopen";
    // The story that never mentions Lisbon is set aside; the other answers.
    let stories: Vec<usize> = ["tessin", "lisbon"]
        .iter()
        .map(|id| engine.story_scope(Some(id)).unwrap().unwrap())
        .collect();
    let missing = engine
        .names_missing(&engine.analyse(question), &stories)
        .unwrap();
    assert_eq!(missing, [Some("lisbon".to_string()), None]);
    let a = engine.ask(question).unwrap();
    assert!(a.answered, "{a:?}");
    assert_eq!(a.story.as_deref(), Some("lisbon"), "{a:?}");
    let a = engine.ask("when did the port in dublin reopen").unwrap();
    assert!(!a.answered, "{a:?}");
}

#[test]
fn names_kept_from_the_chatter_do_not_hide_the_opening_which() {
    use crate::answer::kinds::Kind;
    let t = TempIndex::new();
    let q = t
        .engine
        .analyse("my aunt is in northport, which governor brokered it");
    assert_eq!(q.kind, Some(Kind::Name));
    // The verb after it too: two words at most.
    assert_eq!(q.focus, ["governor", "broker"]);
}

#[test]
fn chatter_before_the_question_is_left_out() {
    let t = TempIndex::new();
    let terms = |q: &str| terms(&t.engine, q);
    let chatty = "ok so i was at work all day and missed it, lol where was the deal signed";
    assert_eq!(terms(chatty), ["deal", "signed"]);
    assert_eq!(
        t.engine.analyse(chatty).kind,
        Some(crate::answer::kinds::Kind::Place)
    );
    // Names in the chatter stay: they say what is asked about.
    assert_eq!(
        terms("my cousin lives in northport. anyway when was it signed"),
        ["northport", "signed"]
    );
    // So does a first clause that asks, and a question that says nothing
    // of its own.
    assert_eq!(
        terms("deal signed? who brokered it"),
        ["deal", "signed", "brokered"]
    );
    assert_eq!(terms("the harbour deal, when was it"), ["harbour", "deal"]);
    // A typo in the chatter left out is not reported as corrected.
    let q = t
        .engine
        .analyse("ok so i heard the mayrs on the radio, where was the deal signed");
    assert!(q.corrections.is_empty(), "{:?}", q.corrections);
    assert_eq!(
        t.engine.analyse("where did the mayrs sign").corrections,
        [("mayrs".to_string(), "mayors".to_string())]
    );
    // A question in the first clause keeps every clause.
    assert_eq!(
        terms("is the ferry back? what did the fishermen say"),
        ["ferry", "back", "fishermen", "say"]
    );
    // Nor when what is left would only ask for the gist: the clause before
    // says what it is about.
    let gist = "i read about the harbour deal, what happened";
    assert_ne!(
        t.engine.analyse(gist).kind,
        Some(crate::answer::kinds::Kind::Gist)
    );
    assert!(
        terms(gist).contains(&"harbour".to_string()),
        "{:?}",
        terms(gist)
    );
    // Without a clause that opens a question, nothing is left out.
    assert_eq!(
        terms("the storm damage, the ferry line"),
        ["storm", "damage", "ferry", "line"]
    );
}

#[test]
fn a_unit_that_never_mentions_the_thing_asked_for_cannot_name_it() {
    let (_dir, e) = one_paragraph(
        "The harbour's new director, Lena Brandt, opened the grain terminal on Monday.",
    );
    // (kind found, kind missing) of the best unit.
    let kind = |q: &str| {
        let (_, trace) = e.ask_traced(q).unwrap();
        let f = trace.units[0].2;
        (f[6], f[7])
    };
    assert_eq!(kind("who is the director"), (1.0, 0.0));
    // A name stands in the sentence, but no goalkeeper, nor anything
    // near one.
    assert_eq!(kind("who is the goalkeeper"), (0.0, 1.0));
    // "What is the … of" and "what … does" ask about a thing the unit
    // never mentions.
    assert_eq!(kind("what is the population of the harbour"), (0.0, 1.0));
    assert_eq!(kind("what river does the harbour sit on"), (0.0, 1.0));
}

#[test]
fn a_question_of_light_words_only_is_matched_on_those_words() {
    let (_dir, e) = one_paragraph(FIRE);
    let (_, trace) = e.ask_traced("whats 2+2").unwrap();
    // Its weakest word is not matched: nothing says the fire is 2 + 2.
    assert!(trace.units.iter().all(|u| u.2[16] < 1.0), "{trace:?}");
}

#[test]
fn a_follow_up_leans_on_the_story_of_the_conversation() {
    let (_dir, e) = two_governors();
    let story = |a: Answer| {
        assert!(a.answered, "{a:?}");
        a.story.unwrap()
    };
    for (recent, other) in [("harbour", "bridge"), ("bridge", "harbour")] {
        let a = e.ask_after("who is the governor", Some(recent)).unwrap();
        // The other story answers too, and says so.
        assert_eq!(a.also, [other], "{a:?}");
        assert_eq!(story(a), recent);
    }
    // A question about the other story leaves the conversation's.
    let a = e
        .ask_after("when did the bridge over the Lune reopen", Some("harbour"))
        .unwrap();
    assert_eq!(story(a), "bridge");
    // The conversation never makes a declined question an answer, and a
    // story the sources no longer hold is no context.
    let a = e
        .ask_after("what is the capital of Peru", Some("harbour"))
        .unwrap();
    assert!(!a.answered, "{a:?}");
    let open = e.ask("who is the governor").unwrap();
    let gone = e.ask_after("who is the governor", Some("removed")).unwrap();
    assert_eq!(open.story, gone.story);
}

#[test]
fn a_storys_units_score_the_same_with_other_stories_indexed_beside_it() {
    // A second story using the first one's words ("harbour", "ferry",
    // "deal") everywhere, and words it never uses.
    let other = "+++\nid = \"port\"\ntitle = \"Port strike ends\"\ndate = 2024-07-01\n+++\n\n\
         The harbour strike ended with a deal on pay for the ferry crews.\n\n\
         The ferry company said the harbour deal would cost it a million a year.\n\n\
         Dockers voted for the harbour deal by a wide margin.\n";
    let (_a, alone) = indexed(&[("articles/harbour.md", ARTICLE)]);
    let (_b, beside) = indexed(&[
        ("articles/harbour.md", ARTICLE),
        ("articles/port.md", other),
    ]);
    let features = |e: &Engine, question: &str| {
        let q = e.analyse(question);
        let scope = e.story_scope(Some("harbour")).unwrap();
        let pool = e.retrieve(&q, scope).unwrap();
        let units: Vec<&Unit> = pool.iter().map(|u| u.as_ref()).collect();
        let mut scored: Vec<(u32, String, Features)> = e
            .score(&q, &units)
            .unwrap()
            .into_iter()
            .map(|s| {
                (
                    units[s.unit].paragraph,
                    units[s.unit].text.clone(),
                    s.features,
                )
            })
            .collect();
        scored.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        scored
    };
    for question in [
        "when does the ferry line reopen",
        "what did the harbour deal cost",
        "who voted for the deal",
    ] {
        assert_eq!(
            features(&alone, question),
            features(&beside, question),
            "{question}"
        );
    }
}

#[test]
fn a_word_the_story_holds_by_an_editors_synonym_is_not_unknown_to_it() {
    let t = TempIndex::new();
    let e = &t.engine;
    // The lexicon groups "mediate" with "broker", which the story uses.
    let q = e.analyse("who mediated the harbour agreement");
    let pool = e.retrieve(&q, None).unwrap();
    let units: Vec<&Unit> = pool.iter().map(|u| u.as_ref()).collect();
    let scored = e.score(&q, &units).unwrap();
    let unknown = score::FEATURES
        .iter()
        .position(|&f| f == "unknown_share")
        .unwrap();
    assert!(scored.iter().all(|s| s.features[unknown] == 0.0));
}
