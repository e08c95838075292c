//! `dossier gaps`: the questions the sources did not answer (declined or
//! voted down), grouped by meaning, largest group first.
//!
//! Grouping is greedy and single-pass: identical wordings (after folding)
//! are merged first, then each distinct wording, most frequent first, joins
//! the group whose centroid is nearest if the cosine of their sentence
//! vectors is at least [`THRESHOLD`], else starts a group. Sentence vectors
//! are the crate's static word vectors weighted by rarity
//! ([`crate::language::Language::text_vector`]).

use std::collections::HashMap;

use serde::Serialize;

use super::Trouble;
use crate::language::{cosine, language};

/// Least cosine between a question and a group's centroid for it to join.
/// Measured on questions about the first story (16 questions, 19 pairs of
/// paraphrases, 101 pairs of different questions): rewordings that keep
/// the content words ("What is the population of Armenia?", "How many
/// people live in Armenia?") score 0.80–1.00; paraphrases in other words
/// ("Who pays for the Trump Route?", "Who is funding the corridor?") only
/// 0.32–0.65, so they stay apart; different questions have a median of
/// 0.04 and a 90th percentile of 0.27, the highest pair 0.81 (the
/// corridor's cost and who funds it). 0.8 keeps different questions apart
/// at the price of splitting loose paraphrases.
pub const THRESHOLD: f32 = 0.8;
/// Example wordings shown per group.
pub const EXAMPLES: usize = 3;

/// Questions of one meaning.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Gap {
    /// How many times questions of the group were asked.
    pub count: usize,
    pub declined: usize,
    pub voted_down: usize,
    /// The most asked wordings, most asked first.
    pub examples: Vec<String>,
    pub stories: Vec<String>,
    /// The paragraph (`article#paragraph`) the group's questions came
    /// nearest most often: offered to read when declined, cited when voted
    /// down. Where a fact answering them would cite.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passage: Option<String>,
}

struct Wording {
    text: String,
    count: usize,
    declined: usize,
    stories: Vec<String>,
    /// Times each passage came nearest.
    passages: HashMap<String, usize>,
}

struct Group {
    centroid: Vec<f32>,
    members: Vec<usize>,
}

/// Groups `troubles` by meaning, largest group first.
pub fn group(troubles: &[Trouble]) -> Vec<Gap> {
    let wordings = distinct(troubles);
    let mut groups: Vec<Group> = Vec::new();
    for (i, w) in wordings.iter().enumerate() {
        let v = language().text_vector(&w.text);
        let best = groups
            .iter()
            .enumerate()
            .map(|(g, group)| (g, cosine(&group.centroid, &v)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match best {
            Some((g, sim)) if sim >= THRESHOLD => join(&mut groups[g], i, &v, &wordings),
            _ => groups.push(Group {
                centroid: v,
                members: vec![i],
            }),
        }
    }
    let mut gaps: Vec<Gap> = groups.iter().map(|g| gap(g, &wordings)).collect();
    gaps.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.examples.cmp(&b.examples))
    });
    gaps
}

/// Identical wordings merged, most asked first.
fn distinct(troubles: &[Trouble]) -> Vec<Wording> {
    let mut at: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<Wording> = Vec::new();
    for t in troubles {
        let key = crate::text::spans(&t.question)
            .into_iter()
            .map(|s| s.folded)
            .collect::<Vec<_>>()
            .join(" ");
        let i = *at.entry(key).or_insert_with(|| {
            out.push(Wording {
                text: t.question.trim().to_string(),
                count: 0,
                declined: 0,
                stories: Vec::new(),
                passages: HashMap::new(),
            });
            out.len() - 1
        });
        let w = &mut out[i];
        w.count += 1;
        w.declined += usize::from(t.declined);
        if let Some(p) = &t.passage {
            *w.passages.entry(p.clone()).or_default() += 1;
        }
        if let Some(s) = &t.story
            && !w.stories.contains(s)
        {
            w.stories.push(s.clone());
        }
    }
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.text.cmp(&b.text)));
    out
}

/// Adds wording `i` to `group`, moving the centroid by its weight.
fn join(group: &mut Group, i: usize, v: &[f32], wordings: &[Wording]) {
    let before: usize = group.members.iter().map(|&m| wordings[m].count).sum();
    let (b, n) = (before as f32, wordings[i].count as f32);
    let mut c: Vec<f32> = group
        .centroid
        .iter()
        .zip(v)
        .map(|(c, x)| (c * b + x * n) / (b + n))
        .collect();
    let norm = c.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        c.iter_mut().for_each(|x| *x /= norm);
    }
    group.centroid = c;
    group.members.push(i);
}

fn gap(g: &Group, wordings: &[Wording]) -> Gap {
    let mut stories: Vec<String> = Vec::new();
    for &m in &g.members {
        for s in &wordings[m].stories {
            if !stories.contains(s) {
                stories.push(s.clone());
            }
        }
    }
    let count: usize = g.members.iter().map(|&m| wordings[m].count).sum();
    let declined: usize = g.members.iter().map(|&m| wordings[m].declined).sum();
    let mut passages: HashMap<&str, usize> = HashMap::new();
    for &m in &g.members {
        for (p, n) in &wordings[m].passages {
            *passages.entry(p.as_str()).or_default() += n;
        }
    }
    // The most frequent; of equals, the least as a string, so the report
    // is the same on every run.
    let passage = passages
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(p, _)| p.to_string());
    Gap {
        count,
        declined,
        voted_down: count - declined,
        // Members joined most asked first, so the first are the examples.
        examples: g
            .members
            .iter()
            .take(EXAMPLES)
            .map(|&m| wordings[m].text.clone())
            .collect(),
        stories,
        passage,
    }
}
