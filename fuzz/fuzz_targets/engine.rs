//! Any text, as a question, search, suggestion or card name: nothing
//! panics, and every citation's quote stands verbatim in its paragraph.
#![no_main]

use dossier::answer::{Citation, Engine, SuggestKind};
use dossier::content::Topic;
use libfuzzer_sys::fuzz_target;

fn check(engine: &Engine, what: &str, q: &str, citations: &[Citation]) {
    for c in citations {
        let text = engine
            .paragraph_text(&c.article, c.paragraph)
            .expect("a readable index reads paragraphs")
            .unwrap_or_else(|| {
                panic!(
                    "{what}({q:?}): citation of missing paragraph {}¶{}",
                    c.article, c.paragraph
                )
            });
        assert!(
            text.contains(&c.quote),
            "{what}({q:?}): quote {:?} is not in {}¶{}: {text:?}",
            c.quote,
            c.article,
            c.paragraph
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let engine = dossier_fuzz::engine();
    let q = String::from_utf8_lossy(data);
    let q = q.as_ref();

    let answer = engine.ask(q).expect("a readable index answers");
    check(engine, "ask", q, &answer.citations);

    let _ = engine.search(q, None, 10).expect("a readable index answers");
    let _ = engine.search(q, Some(Topic::QUOTES), 3).expect("a readable index answers");
    let _ = engine.suggest(SuggestKind::Query, q, 25);

    if let Ok(card) = engine.entity_card("parties", Some(q), None) {
        for item in &card.items {
            check(engine, "parties", q, &item.citations);
        }
    }
    if let Ok(card) = engine.fact_card("terms", Some(q), None) {
        for item in &card.items {
            check(engine, "terms", q, &item.citations);
        }
    }
    if let Ok(card) = engine.speaker_card("quotes", Some(q), None) {
        for item in &card.items {
            check(engine, "quotes", q, &item.citations);
        }
    }
});
