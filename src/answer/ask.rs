//! Composing one cited answer to a question, or abstaining.

use super::analyze::Analysis;
use super::retrieve::{Candidate, Filter, Source};
use super::{Answer, Citation, Engine};
use crate::text;

/// A candidate must match at least this share of the question (weighted) to
/// be given as an answer. Below it the engine says the sources do not answer.
pub const MIN_COVERAGE: f32 = 0.6;
/// Further facts join the answer when they score this close to the best one.
const COMPANION_RATIO: f32 = 0.7;
/// At most this many facts make one answer.
const MAX_FACTS: usize = 3;
/// Candidates fetched from the index before re-ranking.
const CANDIDATES: usize = 40;

impl Engine {
    /// Answers `question` from the sources, citing passages verbatim.
    pub fn ask(&self, question: &str) -> Answer {
        let analysis = self.analyze(question);
        let candidates = self.retrieve(&analysis, Filter::default(), CANDIDATES);
        if tracing::enabled!(tracing::Level::DEBUG) {
            for c in &analysis.concepts {
                tracing::debug!(
                    label = %c.label, entity = ?c.entity, known = c.known,
                    weight = self.concept_weight(c), terms = ?c.terms, "concept"
                );
            }
            for c in candidates.iter().take(6) {
                tracing::debug!(
                    source = ?c.source, bm25 = c.bm25, coverage = c.coverage, score = c.score,
                    body = %c.body.chars().take(70).collect::<String>(), "candidate"
                );
            }
        }
        let mut answer = Answer {
            question: question.to_string(),
            answered: false,
            answer: String::new(),
            citations: Vec::new(),
            facts: Vec::new(),
            intent: analysis.intent.map(|i| i.as_str()),
            corrections: analysis.corrections.clone(),
            related: Vec::new(),
            unknown_words: analysis
                .concepts
                .iter()
                .filter(|c| !c.known)
                .map(|c| c.label.clone())
                .collect(),
        };
        // Only what covers enough of the question may answer it: any fact
        // that does (facts carry the intent and speaker checks), or the best
        // ranked passage; among those, the best ranked.
        // A question of only generic words ("summarize the article") names
        // nothing to look for.
        let vague = analysis.concepts.iter().all(|c| c.generic);
        let candidates = if vague { Vec::new() } else { candidates };
        let mut strong: Vec<Candidate> = Vec::new();
        let mut weak: Vec<Candidate> = Vec::new();
        for (rank, c) in candidates.into_iter().enumerate() {
            let may_answer =
                c.coverage >= MIN_COVERAGE && (rank == 0 || matches!(c.source, Source::Fact(_)));
            if may_answer {
                strong.push(c)
            } else {
                weak.push(c)
            }
        }
        let candidates = strong;
        let Some(best) = candidates.first() else {
            answer.related = self.related(&weak);
            answer.answer = abstention(&analysis, &answer.related);
            return answer;
        };
        match &best.source {
            Source::Fact(_) => self.compose_from_facts(&mut answer, &candidates),
            Source::Passage { article, paragraph } => {
                let sentence = best_sentence(&best.body, &analysis);
                answer.answer = sentence.to_string();
                answer.citations = vec![self.citation(article, *paragraph, sentence.to_string())];
                // Facts citing this paragraph add their statements as context.
                answer.facts = self
                    .catalog
                    .facts
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| {
                        f.cites
                            .iter()
                            .any(|c| c.article == *article && c.paragraph == *paragraph)
                    })
                    .take(MAX_FACTS)
                    .map(|(i, _)| self.fact_ref(i))
                    .collect();
            }
        }
        answer.answered = !answer.citations.is_empty();
        if !answer.answered {
            answer.answer = "The sources do not answer that question.".to_string();
        }
        answer
    }

    fn compose_from_facts(&self, answer: &mut Answer, candidates: &[Candidate]) {
        let best = &candidates[0];
        let facts = &self.catalog.facts;
        let mut chosen: Vec<usize> = Vec::new();
        for c in candidates
            .iter()
            .filter(|c| c.score >= best.score * COMPANION_RATIO)
        {
            let Source::Fact(ord) = c.source else {
                continue;
            };
            // A fact that restates one already chosen adds nothing.
            if chosen
                .iter()
                .any(|&i| restates(&facts[i].text, &facts[ord].text))
            {
                continue;
            }
            chosen.push(ord);
            if chosen.len() == MAX_FACTS {
                break;
            }
        }
        answer.answer = chosen
            .iter()
            .map(|&i| facts[i].text.trim())
            .collect::<Vec<_>>()
            .join(" ");
        let mut citations: Vec<Citation> = Vec::new();
        for &i in &chosen {
            for c in self.citations(&facts[i].cites) {
                if !citations.contains(&c) {
                    citations.push(c);
                }
            }
        }
        answer.citations = citations;
        answer.facts = chosen.iter().map(|&i| self.fact_ref(i)).collect();
    }

    /// Titles of the facts nearest to a question that was not answered.
    fn related(&self, candidates: &[Candidate]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in candidates.iter().filter(|c| c.coverage > 0.0) {
            if let Source::Fact(i) = c.source {
                let title = &self.catalog.facts[i].title;
                if !out.contains(title) {
                    out.push(title.clone());
                }
            }
            if out.len() == 3 {
                break;
            }
        }
        out
    }
}

fn abstention(a: &Analysis, related: &[String]) -> String {
    let mut s = String::from("The sources do not answer that question.");
    let unknown: Vec<&str> = a
        .concepts
        .iter()
        .filter(|c| !c.known && !c.light)
        .map(|c| c.label.as_str())
        .collect();
    if !unknown.is_empty() && unknown.len() <= 3 {
        let list = unknown
            .iter()
            .map(|w| format!("“{w}”"))
            .collect::<Vec<_>>()
            .join(", ");
        s.push_str(&format!(" Nothing in them mentions {list}."));
    }
    if related.is_empty() {
        s.push_str(
            " Try /help to see what they cover: the parties, the corridor and the deal's terms.",
        );
    } else {
        s.push_str(&format!(" Related: {}.", related.join("; ")));
    }
    s
}

/// Whether two statements say much the same: most of their content stems
/// are shared.
fn restates(a: &str, b: &str) -> bool {
    let stems = |t: &str| -> std::collections::HashSet<String> {
        text::words(t)
            .into_iter()
            .filter(|w| !text::is_stopword(&w.folded) && !text::is_light(&w.folded))
            .map(|w| w.stem)
            .collect()
    };
    let (a, b) = (stems(a), stems(b));
    let shared = a.intersection(&b).count();
    let smaller = a.len().min(b.len()).max(1);
    shared * 10 >= smaller * 6
}

/// The sentence of a paragraph that matches the question best; a verbatim
/// slice of `paragraph`.
fn best_sentence<'a>(paragraph: &'a str, a: &Analysis) -> &'a str {
    let terms = a.all_terms();
    sentences(paragraph)
        .into_iter()
        .map(|s| {
            let score: f32 = text::stems(s)
                .iter()
                .filter_map(|t| terms.get(t.as_str()))
                .sum();
            (s, score)
        })
        .fold(None, |best: Option<(&str, f32)>, (s, score)| match best {
            Some((_, b)) if b >= score => best,
            _ => Some((s, score)),
        })
        .map_or(paragraph, |(s, _)| s)
}

/// Splits a paragraph into sentences: each ends at `.`, `!` or `?` (and any
/// closing quote) followed by white space. Every sentence is a slice.
pub fn sentences(paragraph: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = paragraph.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (_, c) = chars[i];
        if matches!(c, '.' | '!' | '?') {
            let mut j = i + 1;
            while j < chars.len() && matches!(chars[j].1, '"' | '”' | '’' | '\'' | ')') {
                j += 1;
            }
            if j == chars.len() || chars[j].1.is_whitespace() {
                let end = chars.get(j).map_or(paragraph.len(), |(b, _)| *b);
                let s = paragraph[start..end].trim();
                if !s.is_empty() {
                    out.push(s);
                }
                start = end;
                i = j;
                continue;
            }
        }
        i += 1;
    }
    let rest = paragraph[start..].trim();
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restatements_are_recognized() {
        assert!(restates(
            "The United States, through President Donald Trump, facilitated the agreement and hosted its signing at the White House.",
            "US President Donald Trump facilitated the peace agreement and hosted the signing ceremony at the White House."
        ));
        assert!(!restates(
            "The corridor will link Azerbaijan with its Nakhchivan exclave.",
            "The US will help build the corridor."
        ));
    }

    #[test]
    fn sentences_are_verbatim_slices() {
        let p = "Aliyev spoke. He said, “We have lost many years.” Then \"miracle\" came? Yes";
        let s = sentences(p);
        assert_eq!(
            s,
            [
                "Aliyev spoke.",
                "He said, “We have lost many years.”",
                "Then \"miracle\" came?",
                "Yes"
            ]
        );
        assert!(s.iter().all(|x| p.contains(x)));
    }
}
