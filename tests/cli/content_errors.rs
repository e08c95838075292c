use crate::util::{ARTICLE, Dossier, FACTS};

fn check_fails_with(d: &Dossier, expected: &[&str]) -> String {
    let r = d.run(&["check"]);
    assert_eq!(r.code, 1, "check should fail; stderr:\n{}", r.stderr);
    for e in expected {
        assert!(r.stderr.contains(e), "expected {e:?} in:\n{}", r.stderr);
    }
    r.stderr
}

#[test]
fn shipped_content_passes_check() {
    let d = Dossier::new();
    let r = d.ok(&["check"]);
    assert!(r.stdout.contains("all good"), "{}", r.stdout);
}

#[test]
fn malformed_toml_is_reported_with_file_and_line() {
    let d = Dossier::new();
    d.edit(FACTS, |s| {
        s.replacen("topic = \"parties\"", "topic = \"parties", 1)
    });
    check_fails_with(
        &d,
        &[
            "invalid TOML",
            "facts/azerbaijan-armenia-peace-deal.toml:8:",
        ],
    );
}

#[test]
fn missing_front_matter_is_reported() {
    let d = Dossier::new();
    d.edit("articles/azerbaijan-armenia-peace-deal.md", |s| {
        s.replacen("+++\n", "", 1)
    });
    check_fails_with(
        &d,
        &[
            "missing front matter",
            "azerbaijan-armenia-peace-deal.md:1",
            "+++",
        ],
    );
}

#[test]
fn bad_front_matter_field_is_reported_at_its_line() {
    let d = Dossier::new();
    d.edit("articles/azerbaijan-armenia-peace-deal.md", |s| {
        s.replacen("date = 2025-08-08", "date = \"last Friday\"", 1)
    });
    check_fails_with(
        &d,
        &[
            "`date` must be a calendar date",
            "azerbaijan-armenia-peace-deal.md:4:",
            "YYYY-MM-DD",
        ],
    );
}

#[test]
fn unknown_article_is_reported_with_the_known_ones() {
    let d = Dossier::new();
    d.edit(FACTS, |s| {
        s.replacen(
            "article = \"azerbaijan-armenia-peace-deal\"",
            "article = \"peace-deal\"",
            1,
        )
    });
    check_fails_with(
        &d,
        &[
            "unknown article `peace-deal`",
            "known articles: azerbaijan-armenia-peace-deal",
        ],
    );
}

#[test]
fn paragraph_out_of_range_is_reported_with_the_range() {
    let d = Dossier::new();
    d.edit(FACTS, |s| {
        s.replacen("paragraph = 1\n", "paragraph = 7\n", 1)
    });
    check_fails_with(
        &d,
        &[
            "paragraph 7 is out of range",
            "has 6 paragraphs",
            "from 1 to 6",
        ],
    );
}

#[test]
fn quote_not_verbatim_shows_the_nearest_text() {
    let d = Dossier::new();
    d.edit(FACTS, |s| {
        s.replacen(
            "quote = \"Azerbaijani President Ilham Aliyev and Armenian",
            "quote = \"Azerbaijani President Ilham Aliev and Armenian",
            1,
        )
    });
    let err = check_fails_with(
        &d,
        &[
            "quote not found verbatim in paragraph 1",
            "nearest text in that paragraph",
        ],
    );
    assert!(
        err.contains("\"Azerbaijani President Ilham Aliyev and Armenian"),
        "{err}"
    );
}

#[test]
fn a_quote_cited_from_the_wrong_paragraph_points_to_the_right_one() {
    let d = Dossier::new();
    d.edit(FACTS, |s| {
        s.replacen("paragraph = 1\n", "paragraph = 2\n", 1)
    });
    check_fails_with(
        &d,
        &[
            "quote not found verbatim in paragraph 2",
            "the quote stands verbatim in paragraph 1",
            "cite paragraph = 1",
        ],
    );
}

#[test]
fn duplicate_ids_point_to_the_first_one() {
    let d = Dossier::new();
    d.edit(FACTS, |s| {
        s.replacen("id = \"leader-pashinyan\"", "id = \"leader-aliyev\"", 1)
    });
    check_fails_with(&d, &["duplicate fact id `leader-aliyev`", "first used at"]);
}

#[test]
fn unknown_entity_suggests_the_nearest() {
    let d = Dossier::new();
    d.edit(FACTS, |s| s.replacen("\"putin\"", "\"puttin\"", 1));
    check_fails_with(&d, &["unknown entity `puttin`", "did you mean `putin`?"]);
}

#[test]
fn every_problem_is_reported_in_one_run() {
    let d = Dossier::new();
    d.edit(FACTS, |s| {
        s.replacen("\"putin\"", "\"puttin\"", 1).replacen(
            "id = \"leader-pashinyan\"",
            "id = \"leader-aliyev\"",
            1,
        )
    });
    let err = check_fails_with(&d, &["unknown entity", "duplicate fact id"]);
    assert!(err.contains("2 problems in content"), "{err}");
}

#[test]
fn check_warns_of_weak_aliases_and_unused_entities_but_passes() {
    let d = Dossier::new();
    d.edit("entities.toml", |e| {
        e.replacen(
            "aliases = [\"Azerbaijani\"",
            "aliases = [\"Azerbaijan\", \"guild\", \"Corridor\", \"Azerbaijani\"",
            1,
        ) + "\n[[entity]]\nid = \"harbour-guild\"\nname = \"Harbour Guild\"\nkind = \"organization\"\n"
    });
    let r = d.ok(&["check"]);
    // Names the word list also holds ("Trump", "Baku") are no warning: the
    // article writes them capitalised only, while it writes "corridor".
    assert!(r.stdout.contains("usable, with 4 warnings"), "{}", r.stdout);
    for expected in [
        "warning: alias `Azerbaijan` of `azerbaijan` is its name",
        "warning: alias `guild` of `azerbaijan` is a common English word",
        "warning: alias `Corridor` of `azerbaijan` is a common English word",
        "the articles write `corridor` as a word",
        "warning: no fact is about `harbour-guild`",
        "entities.toml:",
    ] {
        assert!(
            r.stderr.contains(expected),
            "expected {expected:?} in:\n{}",
            r.stderr
        );
    }
}

/// Line (1-based) of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    text[..text.find(needle).unwrap()].matches('\n').count() + 1
}

#[test]
fn bad_entity_ids_are_reported_at_their_lines() {
    let d = Dossier::new();
    let shipped = std::fs::read_to_string(d.content().join("entities.toml")).unwrap();
    // The first shipped entity's id, declared again further down.
    let first_id_line = line_of(&shipped, "id = \"");
    let taken = shipped
        .lines()
        .nth(first_id_line - 1)
        .unwrap()
        .trim()
        .to_string();
    let edited = format!(
        "{shipped}\n[[entity]]\nid = \"Second Party\"\nname = \"Second Party\"\nkind = \"group\"\n\n\
         [[entity]]\n{taken}\nname = \"Another One\"\nkind = \"group\"\n"
    );
    let slug_line = line_of(&edited, "id = \"Second Party\"");
    let duplicate_line = line_of(&edited, &format!("{taken}\nname = \"Another One\""));
    d.edit("entities.toml", |_| edited.clone());
    let id = taken.trim_start_matches("id = \"").trim_end_matches('"');
    check_fails_with(
        &d,
        &[
            "entity id `Second Party` is not a slug",
            &format!("entities.toml:{slug_line}:"),
            "use lowercase letters, digits and dashes",
            &format!("duplicate entity id `{id}`"),
            &format!("entities.toml:{duplicate_line}:"),
            &format!("first defined at line {first_id_line}"),
        ],
    );
}

#[test]
fn an_article_address_with_a_space_is_reported_at_its_line() {
    let d = Dossier::new();
    d.edit(&format!("articles/{ARTICLE}.md"), |s| {
        s.replacen(
            "date = 2025-08-08\n",
            "date = 2025-08-08\nurl = \"https://example.com/a story\"\n",
            1,
        )
    });
    check_fails_with(
        &d,
        &[
            "`url` must not contain spaces",
            &format!("articles/{ARTICLE}.md:5:"),
        ],
    );
}

#[test]
fn empty_titles_and_overlong_topics_are_reported_at_their_lines() {
    let d = Dossier::new();
    let mut title_line = 0;
    d.edit(FACTS, |s| {
        let at = s.find("\ntitle = \"").unwrap() + 1;
        title_line = s[..at].matches('\n').count() + 1;
        let end = at + s[at..].find('\n').unwrap();
        format!("{}title = \"  \"{}", &s[..at], &s[end..])
    });
    d.edit(&format!("articles/{ARTICLE}.md"), |s| {
        s.replacen(
            "date = 2025-08-08\n",
            &format!(
                "date = 2025-08-08\n\n[[card]]\ntopic = \"{}\"\ntitle = \"Long\"\n",
                "a".repeat(65)
            ),
            1,
        )
    });
    check_fails_with(
        &d,
        &[
            "has an empty title",
            &format!("{FACTS}:{title_line}:"),
            &format!("card topic `{}` is not a slug", "a".repeat(65)),
            &format!("articles/{ARTICLE}.md:7:"),
            "at most 64 characters",
        ],
    );
}

#[test]
fn a_duplicate_article_id_names_both_lines() {
    let d = Dossier::new();
    let rel = format!("articles/{ARTICLE}.md");
    let original = std::fs::read_to_string(d.content().join(&rel)).unwrap();
    // A copy whose id sits two lines lower, after a comment.
    let copy = original.replacen("+++\n", "+++\n# a copy\n\n", 1);
    std::fs::write(d.content().join("articles/copy.md"), &copy).unwrap();
    let line = line_of(&original, "id = ");
    check_fails_with(
        &d,
        &[
            &format!("duplicate article id `{ARTICLE}`"),
            &format!("articles/copy.md:{}:", line + 2),
            "first used in",
            &format!("{ARTICLE}.md:{line}"),
        ],
    );
}

/// A facts file holding one fact that cites `article` and is about `entity`.
fn one_fact(article: &str, entity: &str) -> String {
    format!(
        "[[fact]]\nid = \"extra\"\ntopic = \"terms\"\ntitle = \"Extra\"\nabout = [\"{entity}\"]\n\
         text = \"The leaders met.\"\n\n[[fact.cite]]\narticle = \"{article}\"\nparagraph = 1\n\
         quote = \"The leaders\"\n"
    )
}

#[test]
fn an_article_that_does_not_load_is_reported_once_not_at_every_cite() {
    let d = Dossier::new();
    d.edit(&format!("articles/{ARTICLE}.md"), |s| {
        s.replacen("date = 2025-08-08", "date = 2026-14-03", 1)
    });
    // Facts of the story in a file of another name are left alone too.
    std::fs::write(
        d.content().join("facts/extra.toml"),
        one_fact(ARTICLE, "armenia"),
    )
    .unwrap();
    let err = check_fails_with(
        &d,
        &[
            "invalid date",
            &format!("the facts of `{ARTICLE}` were not checked: its article did not load"),
            &format!("fix the article `{ARTICLE}` in articles/"),
            "1 fact(s) were not checked: they cite an article that did not load",
            "3 problems in content",
        ],
    );
    assert!(!err.contains("unknown article"), "{err}");
}

#[test]
fn an_article_named_apart_from_its_id_that_does_not_load_is_reported_once() {
    // A front matter that parses but fails a check (an empty title), and
    // one whose TOML does not parse (an impossible date): either way the
    // facts citing the article by its id are not each reported.
    let title = "title = \"Azerbaijan and Armenia sign peace agreement at the White House\"";
    let cases = [
        (title, "title = \"\"", vec!["peace.md:3:"]),
        (
            "date = 2025-08-08",
            "date = 2026-14-03",
            vec!["invalid date", "peace.md:4:"],
        ),
    ];
    for (from, to, mut expected) in cases {
        let d = Dossier::new();
        let articles = d.content().join("articles");
        let source = std::fs::read_to_string(articles.join(format!("{ARTICLE}.md"))).unwrap();
        std::fs::remove_file(articles.join(format!("{ARTICLE}.md"))).unwrap();
        std::fs::write(articles.join("peace.md"), source.replacen(from, to, 1)).unwrap();
        let unchecked =
            format!("the facts of `{ARTICLE}` were not checked: its article did not load");
        expected.extend([unchecked.as_str(), "2 problems in content"]);
        let err = check_fails_with(&d, &expected);
        assert!(!err.contains("unknown article"), "{to}: {err}");
    }
}

#[test]
fn an_entities_file_that_does_not_parse_is_reported_once_not_at_every_fact() {
    let d = Dossier::new();
    d.edit("entities.toml", |s| {
        s.replacen("kind = \"country\"", "kind = country", 1)
    });
    let err = check_fails_with(
        &d,
        &[
            "entities.toml:7:",
            "entity reference(s) in facts and cards were not checked: entities.toml did not load",
            "2 problems in content",
        ],
    );
    assert!(!err.contains("unknown entity"), "{err}");
}

/// A fact whose cites name no known article has no story: the help names
/// no story's file (it used to say "facts/.toml").
#[test]
fn an_unknown_entity_of_a_fact_without_a_story_names_no_empty_file() {
    let d = Dossier::new();
    std::fs::write(
        d.content().join("facts/extra.toml"),
        one_fact("no-such-article", "nobody"),
    )
    .unwrap();
    let err = check_fails_with(
        &d,
        &[
            "unknown article `no-such-article`",
            "unknown entity `nobody`",
            "define it in entities.toml, or fix the spelling",
        ],
    );
    assert!(!err.contains("facts/.toml"), "{err}");
}
