//! The briefing: the few statements that best summarise one story, each
//! with its citation.
//!
//! Chosen by a general method, not a list: one fact for each paragraph, in
//! the order of the story (news puts what matters first), preferring a topic
//! the briefing has not told yet, until [`MOST`]; then filled up to
//! [`LEAST`] in the same order. A story without facts is briefed
//! with the first sentence of its first paragraphs.

use std::collections::HashSet;

use super::{Card, CardItem, Engine, RequestError};
use crate::content::{Cite, Topic};

/// Statements in a briefing: enough to stand for the story, few enough to
/// read in one screen.
const LEAST: usize = 5;
const MOST: usize = 7;

impl Engine {
    /// The briefing of `story` (an article id), or of the newest story.
    pub fn brief(&self, story: Option<&str>) -> Result<Card, RequestError> {
        let a = self.story_or_newest(story)?;
        let article = &self.catalog.articles[a];
        let facts = self.briefing_facts(a);
        let items: Vec<CardItem> = if facts.is_empty() {
            self.lead_sentences(&article.id, article.paragraphs)?
        } else {
            facts
                .into_iter()
                .map(|i| self.card_item(&self.catalog.facts[i]))
                .collect::<Result<_, _>>()?
        };
        Ok(Card {
            title: format!("Briefing: {}", article.title),
            story: self.story_ref(a),
            description: Some(article.date.clone()),
            items,
        })
    }

    /// Positions of the facts of the briefing, in the order of the story.
    fn briefing_facts(&self, a: usize) -> Vec<usize> {
        let mut facts: Vec<(u32, usize)> = self.story_facts[a]
            .iter()
            .filter_map(|&i| Some((self.catalog.facts[i].cites.first()?.paragraph, i)))
            .collect();
        facts.sort();
        // One fact a paragraph, of a topic not yet told where there is one.
        let mut chosen: Vec<(u32, usize)> = Vec::new();
        let mut topics: HashSet<&Topic> = HashSet::new();
        let mut rest = facts.as_slice();
        while let Some(&(p, _)) = rest.first() {
            let end = rest.iter().position(|&(q, _)| q != p).unwrap_or(rest.len());
            let (here, next) = rest.split_at(end);
            rest = next;
            if chosen.len() == MOST {
                break;
            }
            let topic = |i: usize| &self.catalog.facts[i].topic;
            let pick = here
                .iter()
                .find(|&&(_, i)| !topics.contains(&topic(i)))
                .unwrap_or(&here[0]);
            topics.insert(topic(pick.1));
            chosen.push(*pick);
        }
        for &(p, i) in &facts {
            if chosen.len() >= LEAST {
                break;
            }
            if !chosen.contains(&(p, i)) {
                chosen.push((p, i));
            }
        }
        chosen.sort();
        chosen.into_iter().map(|(_, i)| i).collect()
    }

    /// The first sentence of each of the first paragraphs.
    fn lead_sentences(
        &self,
        article: &str,
        paragraphs: u32,
    ) -> Result<Vec<CardItem>, RequestError> {
        let mut items = Vec::new();
        for p in 1..=paragraphs {
            if items.len() == MOST {
                break;
            }
            let Some(body) = self.paragraph_text(article, p)? else {
                continue;
            };
            let Some((start, end)) = crate::text::sentence_ranges(&body).into_iter().next() else {
                continue;
            };
            let sentence = body[start..end].to_string();
            let cite = Cite {
                article: article.to_string(),
                paragraph: p,
                quote: sentence.clone(),
            };
            items.push(CardItem {
                fact: format!("{article}-p{p}"),
                heading: format!("¶{p}"),
                text: sentence,
                speaker: None,
                citations: self.citations([&cite])?,
            });
        }
        Ok(items)
    }
}
