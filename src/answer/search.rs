//! Full-text search over facts and passages, with highlighted snippets.

use std::collections::{HashMap, HashSet};

use tantivy::Term;

use super::pipeline::analyse::Question;
use super::pipeline::units::{Origin, Unit};
use super::{Engine, Hit, HitKind, SearchResults, Snippet};
use crate::text;

/// What one hit shows, before its snippet is cut: a fact (shown with the
/// paragraph it cites first) or a paragraph.
struct Found {
    article: usize,
    paragraph: u32,
    fact: Option<usize>,
    score: f32,
    /// The paragraph's document, when the search found it (read directly).
    document: Option<tantivy::DocAddress>,
}

/// Largest number of hits one search returns.
pub const MAX_LIMIT: usize = 50;
/// Passage snippets are cut to about this many bytes around the first match.
const SNIPPET_BYTES: usize = 280;

impl Engine {
    /// Searches facts and passages for `query`, best first: in small
    /// sources by the answer pipeline's score, in large ones by BM25 (so a
    /// search costs a fraction of an answer). Hits are grouped by story,
    /// stories in the order of their best hit.
    pub fn search(
        &self,
        query: &str,
        topic: Option<&str>,
        limit: usize,
    ) -> Result<SearchResults, super::RequestError> {
        self.search_scoped(query, topic, None, limit)
    }

    /// [`Engine::search`] in one story (an article id) only.
    pub fn search_in(
        &self,
        query: &str,
        topic: Option<&str>,
        story: Option<&str>,
        limit: usize,
    ) -> Result<SearchResults, super::RequestError> {
        let scope = self.story_scope(story)?;
        self.search_scoped(query, topic, scope, limit)
    }

    fn search_scoped(
        &self,
        query: &str,
        topic: Option<&str>,
        scope: Option<usize>,
        limit: usize,
    ) -> Result<SearchResults, super::RequestError> {
        let limit = limit.clamp(1, MAX_LIMIT);
        if let Some(topic) = topic {
            self.known_topic(topic, scope)?;
        }
        let q = self.analyse(query);
        let stems = q.stems();
        let terms: HashMap<&str, f32> = stems.iter().map(|&s| (s, 1.0)).collect();
        let found = if self.units.is_empty() {
            self.bm25_found(&stems, topic, scope, limit)?
        } else {
            self.scored_found(&q, topic, scope, limit)?
        };
        let mut hits: Vec<Hit> = found
            .into_iter()
            .map(|f| {
                let mut hit = self.hit(&f, &terms)?;
                // A passage found under a topic belongs to it: a fact of
                // that topic cites it.
                hit.topic = hit.topic.or(topic.map(str::to_string));
                Ok(hit)
            })
            .collect::<Result<_, super::RequestError>>()?;
        super::group_by_story(&mut hits);
        Ok(SearchResults {
            query: query.to_string(),
            topic: topic.map(str::to_string),
            hits,
            corrections: q.corrections,
        })
    }

    /// A topic of the cards in scope (declared, or used by a fact), else
    /// the error naming those there are: a search under any other could
    /// find nothing.
    fn known_topic(&self, topic: &str, scope: Option<usize>) -> Result<(), super::RequestError> {
        if self.scope_facts(&scope).any(|f| f.topic.as_str() == topic) {
            return Ok(());
        }
        let story = scope.map(|a| self.catalog.articles[a].id.clone());
        let cards: Vec<String> = self
            .cards(story.as_deref())?
            .into_iter()
            .map(|c| c.topic.to_string())
            .collect();
        if cards.iter().any(|c| c == topic) {
            return Ok(());
        }
        Err(super::RequestError::NoCard {
            card: topic.to_string(),
            story: scope.map(|a| self.story_ref(a)),
            cards,
        })
    }

    /// Small sources: the answer pipeline's units, ranked by its learned
    /// score, that hold at least one of the query's words; a passage
    /// appears once, for its best sentence.
    fn scored_found(
        &self,
        q: &Question,
        topic: Option<&str>,
        scope: Option<usize>,
        limit: usize,
    ) -> Result<Vec<Found>, super::RequestError> {
        let pool = self.retrieve(q, scope)?;
        let units: Vec<&Unit> = pool
            .iter()
            .map(|u| u.as_ref())
            .filter(|u| topic.is_none_or(|t| self.unit_has_topic(u, t)))
            .collect();
        let mut seen: HashSet<(usize, u32, Option<usize>)> = HashSet::new();
        let mut found = Vec::new();
        // Twice the hits asked for are scored in full: enough to fill the
        // page once passages repeated by their sentences are dropped.
        for s in self.score_best(q, &units, 2 * limit)? {
            // Only what holds a word of the query is a hit.
            if s.features[3] <= 0.0 || found.len() == limit {
                continue;
            }
            let u = units[s.unit];
            let fact = match u.origin {
                Origin::Fact(i) => Some(i),
                Origin::Sentence { .. } => None,
            };
            if seen.insert((u.article, u.paragraph, fact)) {
                found.push(Found {
                    article: u.article,
                    paragraph: u.paragraph,
                    fact,
                    score: s.score,
                    document: None,
                });
            }
        }
        Ok(found)
    }

    /// Large sources: facts and paragraphs ranked by BM25 over the query's
    /// stems (with their corrections and synonyms), rare terms first (see
    /// [`super::bm25`]), filtered by topic and story in the index.
    fn bm25_found(
        &self,
        stems: &[&str],
        topic: Option<&str>,
        scope: Option<usize>,
        limit: usize,
    ) -> Result<Vec<Found>, super::RequestError> {
        let f = &self.fields;
        let fields = [f.fact_body, f.extra, f.body];
        let top = self.bm25_top(stems, &fields, topic, scope, limit)?;
        Ok(top
            .into_iter()
            .filter_map(|(score, address)| {
                if let Some(ord) = self.fact_ord(address) {
                    let fact = self.catalog.facts.get(ord)?;
                    return Some(Found {
                        article: self.story_of(fact)?,
                        paragraph: fact.cites.first().map_or(0, |c| c.paragraph),
                        fact: Some(ord),
                        score,
                        document: None,
                    });
                }
                let (article, paragraph) = self.passage_at(address)?;
                Some(Found {
                    article,
                    paragraph,
                    fact: None,
                    score,
                    document: Some(address),
                })
            })
            .collect())
    }

    fn hit(&self, found: &Found, terms: &HashMap<&str, f32>) -> Result<Hit, super::RequestError> {
        let meta = &self.catalog.articles[found.article];
        let article = meta.id.clone();
        let (kind, snippet, topic, id) = match found.fact {
            Some(i) => {
                let f = &self.catalog.facts[i];
                (
                    HitKind::Fact,
                    self.fact_snippet(i, terms),
                    Some(f.topic.to_string()),
                    Some(f.key()),
                )
            }
            None => {
                let body = match found.document {
                    Some(address) => self.document_body(address)?,
                    None => self
                        .paragraph_text(&article, found.paragraph)?
                        .unwrap_or_default(),
                };
                (
                    HitKind::Passage,
                    window(&body, terms, SNIPPET_BYTES),
                    None,
                    None,
                )
            }
        };
        Ok(Hit {
            kind,
            title: meta.title.clone(),
            article,
            paragraph: found.paragraph,
            topic,
            fact: id,
            score: (found.score * 1000.0).round() / 1000.0,
            snippet,
        })
    }

    /// Whether a unit belongs to a topic: a fact of it, or a sentence of a
    /// paragraph such a fact cites (a fact cites only its own story).
    fn unit_has_topic(&self, u: &Unit, topic: &str) -> bool {
        match u.origin {
            Origin::Fact(i) => self.catalog.facts[i].topic.as_str() == topic,
            Origin::Sentence { .. } => self.story_facts(u.article).any(|f| {
                f.topic.as_str() == topic && f.cites.iter().any(|c| c.paragraph == u.paragraph)
            }),
        }
    }
}

impl Engine {
    /// The fact's statement with its matches marked or, when the match was
    /// in one of its quotes, the quote that matches most.
    fn fact_snippet(&self, ord: usize, terms: &HashMap<&str, f32>) -> Snippet {
        let fact = &self.catalog.facts[ord];
        std::iter::once(fact.text.as_str())
            .chain(fact.cites.iter().map(|c| c.quote.as_str()))
            .map(|t| highlight(t, terms))
            .fold(None, |best: Option<Snippet>, s| match best {
                Some(b) if b.matches.len() >= s.matches.len() => Some(b),
                _ => Some(s),
            })
            .unwrap_or_else(|| highlight(&fact.text, terms))
    }
}

/// Marks the words of `text` whose stem is one of `terms`.
pub fn highlight(text_: &str, terms: &HashMap<&str, f32>) -> Snippet {
    let matches = text::words(text_)
        .into_iter()
        .filter(|w| terms.contains_key(w.stem.as_str()))
        .map(|w| (w.start, w.end))
        .collect();
    Snippet {
        text: text_.to_string(),
        matches,
    }
}

/// A window of about `max` bytes of `text` around its first match, cut at
/// word boundaries and marked with "…" where cut.
pub fn window(text_: &str, terms: &HashMap<&str, f32>, max: usize) -> Snippet {
    let full = highlight(text_, terms);
    if text_.len() <= max {
        return full;
    }
    let first = full.matches.first().map_or(0, |m| m.0);
    let mut start = first.saturating_sub(max / 4);
    start = text::floor_char_boundary(text_, start);
    if start > 0 {
        // Move forward to the start of a word, past the first space (which
        // may be several bytes: a no-break or thin space).
        start = text_[start..]
            .char_indices()
            .find(|(_, c)| c.is_whitespace())
            .map_or(start, |(i, c)| start + i + c.len_utf8());
    }
    let mut end = text::floor_char_boundary(text_, (start + max).min(text_.len()));
    if end < text_.len() {
        // Back to the last space after the first match; when there is none
        // (a long run without spaces), the window is cut inside the word.
        let first_end = full.matches.first().map_or(start, |m| m.1);
        end = text_[start..end]
            .rfind(char::is_whitespace)
            .map(|i| start + i)
            .filter(|&e| e >= first_end)
            .unwrap_or(end);
    }
    let prefix = if start > 0 { "…" } else { "" };
    let suffix = if end < text_.len() { "…" } else { "" };
    let body = text_[start..end].trim_end();
    let shift = prefix.len() as isize - start as isize;
    let matches = full
        .matches
        .into_iter()
        .filter(|(s, e)| *s >= start && *e <= start + body.len())
        .map(|(s, e)| ((s as isize + shift) as usize, (e as isize + shift) as usize))
        .collect();
    Snippet {
        text: format!("{prefix}{body}{suffix}"),
        matches,
    }
}

impl Engine {
    /// Plain BM25 search over the paragraphs: the query's stems OR-ed (rare
    /// terms first, see [`super::bm25`]), top `limit`, no spelling, synonyms
    /// or re-ranking. The baseline that `dossier bench` compares with SQLite
    /// FTS5.
    pub fn passage_search(
        &self,
        query: &str,
        limit: usize,
    ) -> Result<Vec<(String, u32, f32)>, super::RequestError> {
        let f = &self.fields;
        let mut stems = text::stems(&query[..text::floor_char_boundary(query, 1000)]);
        stems.sort();
        stems.dedup();
        let terms: Vec<Term> = stems
            .iter()
            .map(|s| Term::from_field_text(f.body, s))
            .collect();
        // Only passages have `body` terms.
        let top = super::bm25::top_docs(&self.searcher, terms, &[], limit.max(1))
            .map_err(super::index_failure)?;
        Ok(top
            .into_iter()
            .filter_map(|(score, address)| {
                let (article, paragraph) = self.passage_at(address)?;
                let id = self.catalog.articles.get(article)?.id.clone();
                Some((id, paragraph, score))
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Search terms holding the one stem "corridor".
    fn corridor() -> HashMap<&'static str, f32> {
        HashMap::from([("corridor", 1.0)])
    }

    #[test]
    fn window_keeps_match_ranges_on_the_matched_words() {
        let text_ = "word ".repeat(100) + "corridor " + &"word ".repeat(100);
        let terms = corridor();
        let s = window(&text_, &terms, 80);
        assert!(s.text.starts_with('…') && s.text.ends_with('…'));
        assert_eq!(s.matches.len(), 1);
        let (a, b) = s.matches[0];
        assert_eq!(&s.text[a..b], "corridor");
    }

    #[test]
    fn window_steps_over_wide_spaces() {
        // A no-break space (two bytes) where the window starts.
        let text_ = "x".repeat(100) + "\u{a0}corridor " + &"y ".repeat(150);
        let terms = corridor();
        let s = window(&text_, &terms, 280);
        assert!(s.text.starts_with("…corridor"), "{}", s.text);
        let (a, b) = s.matches[0];
        assert_eq!(&s.text[a..b], "corridor");
    }

    #[test]
    fn window_of_one_long_word_is_cut_inside_it() {
        // Nothing but the match and a long run of letters after the space
        // the window starts at.
        let text_ = "word ".repeat(20) + "corridor," + &"z".repeat(400);
        let terms = corridor();
        let s = window(&text_, &terms, 80);
        assert!(
            s.text.starts_with('…') && s.text.ends_with('…'),
            "{}",
            s.text
        );
        assert!(s.text.contains("corridor"), "{}", s.text);
    }
}
