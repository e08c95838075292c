//! Facts drafted for editors: one candidate fact per sentence of an article,
//! each citing its sentence verbatim, with the entities it names and a
//! proposed topic; and the names of the article that are no entity yet, as
//! the story's own `[[entity]]` entries. The editor trims and rewrites
//! instead of typing from nothing; the draft passes `dossier check` as
//! written.
//!
//! A proposed name whose last word the article also uses alone ("Anika
//! Roos" … "Roos told reporters") gets that word as an alias, unless it is
//! a common English word. A sentence with quotation marks is a quote of
//! the one entity it names outside them; a proposed entity of two words or
//! more quoted so, and not named like an organisation, is proposed as a
//! person, its name without the capitalised common words that lead it
//! ("Mayor Anika Roos" becomes "Anika Roos", the title noted in its
//! description).

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

impl DraftEntity {
    fn entity(&self, story: &str) -> Entity {
        Entity {
            id: self.id.clone(),
            story: Some(story.to_string()),
            name: self.name.clone(),
            kind: self.kind.clone(),
            aliases: self.aliases.clone(),
            description: None,
        }
    }
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
    let mut proposed = proposed_entities(&visible, article);
    mark_people(&visible, &mut proposed, article);
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
    visible.extend(proposed.iter().map(|p| p.entity(&article.id)));
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
            let speaker = quoted(&matcher, body, (start, end))
                .filter(|&i| entities[i].kind == "person")
                .map(|i| entities[i].id.clone());
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

/// The one entity the sentence `start..end` of `paragraph`, if it has
/// quotation marks, names outside them: who is quoted. `None` without
/// quotation marks, or when it names none or several outside them.
fn quoted(matcher: &EntityMatcher, paragraph: &str, (start, end): (usize, usize)) -> Option<usize> {
    let sentence = &paragraph[start..end];
    if !sentence.contains(QUOTATION_MARKS) {
        return None;
    }
    // Inside a quotation after an odd number of quotation marks, counted
    // from the paragraph's start: a quotation may span sentences.
    let inside = |at: usize| paragraph[..start + at].matches(QUOTATION_MARKS).count() % 2 == 1;
    let words = text::spans(sentence);
    let mut outside: Vec<usize> = matcher
        .find(sentence, &words)
        .iter()
        .filter(|m| !inside(words[m.first].start))
        .map(|m| m.entity)
        .collect();
    outside.dedup();
    match outside[..] {
        [one] => Some(one),
        _ => None,
    }
}

/// Runs of capitalised words (allowing "of", "the", "for", "and" inside)
/// that are no entity's name or alias, most frequent first; a lone word
/// that ends exactly one longer name is its alias, not a name of its own.
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
    let aliases = surname_aliases(&seen);
    let taken: Vec<&str> = known.iter().map(|e| e.id.as_str()).collect();
    let mut out: Vec<DraftEntity> = Vec::new();
    for (name, _) in seen {
        let is_alias = aliases.iter().any(|(_, a)| *a == name);
        if is_alias || !is_name(&name) {
            continue;
        }
        let id = entity_id(&name);
        if id.is_empty() || taken.contains(&id.as_str()) || out.iter().any(|e| e.id == id) {
            continue;
        }
        out.push(DraftEntity {
            id,
            kind: "organization".to_string(),
            description: Some(format!(
                "TODO: who or what {name} is in this story (and set `kind`)."
            )),
            aliases: aliases
                .iter()
                .filter(|(n, _)| *n == name)
                .map(|(_, a)| a.clone())
                .collect(),
            name,
        });
    }
    out
}

/// (name, alias) for each lone run that is the last word of exactly one
/// longer run.
fn surname_aliases(runs: &[(String, usize)]) -> Vec<(String, String)> {
    let lang = language();
    let rare = |word: &str| lang.frequency(&word.to_lowercase()) < ALIAS_MAX_FREQUENCY;
    let mut out = Vec::new();
    for (lone, _) in runs.iter().filter(|(r, _)| !r.contains(' ') && rare(r)) {
        let mut longer = runs
            .iter()
            .filter(|(r, _)| r.rsplit(' ').next() == Some(lone.as_str()) && r != lone);
        if let (Some((name, _)), None) = (longer.next(), longer.next()) {
            out.push((name.clone(), lone.clone()));
        }
    }
    out
}

/// The entities of `proposed` that a quote is attributed to become people,
/// their names without the leading capitalised common words (a title).
fn mark_people(known: &[Entity], proposed: &mut [DraftEntity], article: &Article) {
    let story = &article.id;
    let mut all: Vec<Entity> = known.to_vec();
    all.extend(proposed.iter().map(|p| p.entity(story)));
    let matcher = EntityMatcher::new(&all);
    let mut quoted_ones: Vec<usize> = Vec::new();
    for body in &article.paragraphs {
        for range in text::sentence_ranges(body) {
            if let Some(i) = quoted(&matcher, body, range) {
                quoted_ones.extend(i.checked_sub(known.len()));
            }
        }
    }
    let mut ids: Vec<String> = all.iter().map(|e| e.id.clone()).collect();
    for &i in &quoted_ones {
        let p = &mut proposed[i];
        if p.kind == "person" || !looks_personal(&p.name) {
            continue;
        }
        p.kind = "person".to_string();
        let (title, name) = without_title(&p.name);
        let id = entity_id(&name);
        let renamed = !title.is_empty() && !id.is_empty() && !ids.contains(&id);
        p.description = Some(if renamed {
            format!("TODO: who {name} is in this story (the article calls them {title}).")
        } else {
            format!("TODO: who {} is in this story.", p.name)
        });
        if renamed {
            ids.push(id.clone());
            p.id = id;
            p.name = name;
        }
    }
}

/// The id a proposed entity called `name` gets: its folded words, hyphened.
fn entity_id(name: &str) -> String {
    text::folded_words(name).join("-")
}

/// Whether a quoted name may be a person's: two words at least, and none
/// of the joiners an organisation's name has ("Ministry of Finance").
fn looks_personal(name: &str) -> bool {
    let words: Vec<&str> = name.split(' ').collect();
    words.len() >= 2 && !words.iter().any(|w| ORGANISATION_JOINERS.contains(w))
}

/// A name split into its leading capitalised common words (a title such as
/// "Mayor" or "Prime Minister") and the rest, which keeps two words at least.
fn without_title(name: &str) -> (String, String) {
    let words: Vec<&str> = name.split(' ').collect();
    let lang = language();
    let mut cut = 0;
    while words.len() - cut > 2 && lang.is_english(&words[cut].to_lowercase()) {
        cut += 1;
    }
    (words[..cut].join(" "), words[cut..].join(" "))
}

/// Function words allowed inside a name ("Port of Brennock").
const NAME_JOINERS: &[&str] = &["of", "the", "for", "and", "de", "van", "von"];
/// Those of them that make a name an organisation's, not a person's.
const ORGANISATION_JOINERS: &[&str] = &["of", "the", "for", "and"];

/// English frequency (share of words, from model/english.tsv) under which
/// a capitalised word read alone is a name, not a word: "Roos" (7e-7),
/// while "May" (1e-3), "Rose" and "Green" (7e-5, 1e-4) are words a story
/// uses in lower case too, so an alias made of them would match the words.
const ALIAS_MAX_FREQUENCY: f32 = 1e-5;

/// Whether a run of capitalised words may name something: a lone
/// capitalised common word ("Friday", "After") does not.
fn is_name(run: &str) -> bool {
    run.contains(' ') || !language().is_english(&run.to_lowercase())
}

/// Runs of capitalised words in `sentence`, common lone words included.
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
        // Words one space apart, whatever spacing or line break the text has.
        let name = run
            .iter()
            .map(|&(s, e)| &sentence[s..e])
            .collect::<Vec<_>>()
            .join(" ");
        if name.chars().count() > 2 {
            out.push(name);
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
        assert!(got.contains(&"Friday".to_string()), "{got:?}");
        assert!(!is_name("Friday") && is_name("Brennock") && is_name("Port of Brennock"));
        let got = capitalised_runs("talks with Anika\n  Roos ended");
        assert_eq!(got, ["Anika Roos"]);
    }
}
