//! Facts drafted for editors: one candidate fact per sentence of an article,
//! each citing its sentence verbatim, with the entities it names and a
//! proposed topic; and the names of the article that are no entity yet, as
//! the story's own `[[entity]]` entries. The editor trims and rewrites
//! instead of typing from nothing; the draft passes `dossier check` as
//! written.

use serde::Serialize;

use super::{Article, Corpus, Entity, EntityMatcher};
use crate::language::language;
use crate::text;

/// A drafted facts file (TOML): the story's entities, then its facts.
#[derive(Debug, Clone)]
pub struct Draft {
    pub facts: String,
    pub facts_count: usize,
    /// Names of the article proposed as new entities of the story.
    pub entities_count: usize,
}

#[derive(Serialize)]
struct FactsFile {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    entity: Vec<DraftEntity>,
    fact: Vec<DraftFact>,
}

#[derive(Serialize)]
struct DraftFact {
    id: String,
    topic: &'static str,
    title: String,
    about: Vec<String>,
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    speaker: Option<String>,
    cite: Vec<DraftCite>,
}

#[derive(Serialize)]
struct DraftCite {
    article: String,
    paragraph: u32,
    quote: String,
}

#[derive(Serialize)]
struct DraftEntity {
    id: String,
    name: String,
    kind: String,
    aliases: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

/// Words of a title shown in cards.
const TITLE_WORDS: usize = 8;
const QUOTATION_MARKS: &[char] = &['"', '“', '”'];

/// Drafts the facts of `article` against the entities of `corpus` its
/// story may use (shared ones and its own).
pub fn draft(corpus: &Corpus, article: &Article) -> Draft {
    let mut visible: Vec<Entity> = corpus
        .entities
        .iter()
        .filter(|e| e.serves(&article.id))
        .cloned()
        .collect();
    let proposed = proposed_entities(&visible, article);
    let entities_count = proposed.len();
    let mut own: Vec<DraftEntity> = visible
        .iter()
        .filter(|e| e.story.is_some())
        .map(|e| DraftEntity {
            id: e.id.clone(),
            name: e.name.clone(),
            kind: e.kind.clone(),
            aliases: e.aliases.clone(),
            description: e.description.clone(),
        })
        .collect();
    visible.extend(proposed.iter().map(|p| Entity {
        id: p.id.clone(),
        story: Some(article.id.clone()),
        name: p.name.clone(),
        kind: p.kind.clone(),
        aliases: Vec::new(),
        description: None,
    }));
    own.extend(proposed);
    let facts = drafted_facts(&visible, article);
    let facts_count = facts.len();
    let file = FactsFile {
        entity: own,
        fact: facts,
    };
    Draft {
        facts: header(article) + &toml::to_string(&file).unwrap_or_default(),
        facts_count,
        entities_count,
    }
}

/// One fact per sentence, about the `entities` it names.
fn drafted_facts(entities: &[Entity], article: &Article) -> Vec<DraftFact> {
    let matcher = EntityMatcher::new(entities);
    let mut facts = Vec::new();
    for (p, body) in article.paragraphs.iter().enumerate() {
        let paragraph = p as u32 + 1;
        for (s, (start, end)) in text::sentence_ranges(body).into_iter().enumerate() {
            let sentence = &body[start..end];
            let named = matcher.entities_in(sentence);
            let speaker = sentence
                .contains(QUOTATION_MARKS)
                .then(|| named.iter().find(|&&i| entities[i].kind == "person"))
                .flatten()
                .map(|&i| entities[i].id.clone());
            facts.push(DraftFact {
                id: format!("p{paragraph}-s{}", s + 1),
                topic: if speaker.is_some() {
                    "quotes"
                } else {
                    "context"
                },
                title: title(sentence),
                about: named.iter().map(|&i| entities[i].id.clone()).collect(),
                text: sentence.to_string(),
                speaker,
                cite: vec![DraftCite {
                    article: article.id.clone(),
                    paragraph,
                    quote: sentence.to_string(),
                }],
            });
        }
    }
    facts
}

fn header(article: &Article) -> String {
    format!(
        "# Facts drafted from articles/{}.md by `dossier draft`: one per sentence.\n\
         # Keep the ones worth asking about, rewrite each `text` as a plain statement,\n\
         # set `topic` to the card it belongs on (for example parties, terms, quotes),\n\
         # fix the proposed entities' `kind` and `description`, and cut each quote\n\
         # down to the words that say it. Ids are this story's own: another story\n\
         # may use the same ones.\n\n",
        article.id
    )
}

fn title(sentence: &str) -> String {
    let words: Vec<&str> = sentence.split_whitespace().collect();
    let mut t = words[..words.len().min(TITLE_WORDS)].join(" ");
    if words.len() > TITLE_WORDS {
        t.push('…');
    }
    t
}

/// Runs of capitalised words (allowing "of", "the", "for", "and" inside)
/// that are no entity's name or alias, most frequent first.
fn proposed_entities(known: &[Entity], article: &Article) -> Vec<DraftEntity> {
    let matcher = EntityMatcher::new(known);
    let mut seen: Vec<(String, usize)> = Vec::new();
    for body in &article.paragraphs {
        for (start, end) in text::sentence_ranges(body) {
            let sentence = &body[start..end];
            for name in capitalised_runs(sentence) {
                if !matcher.entities_in(&name).is_empty() {
                    continue;
                }
                match seen.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, count)) => *count += 1,
                    None => seen.push((name, 1)),
                }
            }
        }
    }
    seen.sort_by_key(|s| std::cmp::Reverse(s.1));
    let taken: Vec<&str> = known.iter().map(|e| e.id.as_str()).collect();
    let mut out: Vec<DraftEntity> = Vec::new();
    for (name, _) in seen {
        let id = text::folded_words(&name).join("-");
        if id.is_empty() || taken.contains(&id.as_str()) || out.iter().any(|e| e.id == id) {
            continue;
        }
        out.push(DraftEntity {
            id,
            kind: "organization".to_string(),
            description: Some(format!(
                "TODO: who or what {name} is in this story (and set `kind`)."
            )),
            aliases: Vec::new(),
            name,
        });
    }
    out
}

/// Function words allowed inside a name ("Port of Brennock").
const NAME_JOINERS: &[&str] = &["of", "the", "for", "and", "de", "van", "von"];

fn capitalised_runs(sentence: &str) -> Vec<String> {
    let words = text::spans(sentence);
    let lang = language();
    let mut out = Vec::new();
    let mut run: Vec<(usize, usize)> = Vec::new();
    let flush = |run: &mut Vec<(usize, usize)>, out: &mut Vec<String>| {
        while run
            .last()
            .is_some_and(|&(s, e)| NAME_JOINERS.contains(&&sentence[s..e]))
        {
            run.pop();
        }
        if let (Some(&(s, _)), Some(&(_, e))) = (run.first(), run.last()) {
            let name = sentence[s..e].to_string();
            // A lone capitalised common word ("Friday", "After") is no name.
            let lone_common = run.len() == 1 && lang.is_english(&name.to_lowercase());
            if !lone_common && name.chars().count() > 2 {
                out.push(name);
            }
        }
        run.clear();
    };
    for (i, w) in words.iter().enumerate() {
        let raw = &sentence[w.start..w.end];
        let capital = raw.chars().next().is_some_and(char::is_uppercase);
        let joiner = !run.is_empty() && NAME_JOINERS.contains(&raw);
        let adjacent = run
            .last()
            .is_none_or(|&(_, e)| sentence[e..w.start].trim().is_empty());
        if (capital || joiner) && adjacent && !(i == 0 && lang.is_stopword(&raw.to_lowercase())) {
            run.push((w.start, w.end));
        } else {
            flush(&mut run, &mut out);
            if capital {
                run.push((w.start, w.end));
            }
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_runs_of_capitalised_words() {
        let got =
            capitalised_runs("Dockworkers at the Port of Brennock met Ilse Brandvold on Friday.");
        assert!(got.contains(&"Port of Brennock".to_string()), "{got:?}");
        assert!(got.contains(&"Ilse Brandvold".to_string()), "{got:?}");
        assert!(!got.contains(&"Friday".to_string()), "{got:?}");
    }
}
