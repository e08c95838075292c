//! Buttons and select menus under replies, and what a click on one means.
//!
//! A custom id (at most 100 characters) carries everything a click needs,
//! so any replica answers it, through either transport, with no state:
//!
//! - `vote:up:ID` / `vote:down:ID`: a vote on the answer of `/ask`
//!   interaction `ID`.
//! - `cite:GEN`, a select whose option values are
//!   `PARAGRAPH:START:END:DIGEST:ARTICLE`: the quote's byte range in the
//!   paragraph and an FNV-1a digest of the paragraph as cited, so a click on
//!   a reply from an older index generation shows the paragraph as it reads
//!   now and says so when it has changed.
//! - `page:PAGE:DIR:LIMIT:TOPIC:QUERY` (`DIR` `p` or `n`, `TOPIC` `-` for
//!   none): Previous / Next of `/search`. A query too long to fit gets no
//!   paging buttons.
//! - `card:STORY`, a select whose option values are card topics: a card of
//!   the story a `/brief` was about.
//! - `stories:PAGE:DIR` (`DIR` `p` or `n`): Previous / Next of `/stories`.

use crate::answer::{Answer, Citation, Engine};
use crate::content::{CardSpec, Topic};
use crate::render::discord::{Choice, Component, limits};

/// Discord's limit on a custom id, and on an option's value.
pub const MAX_ID: usize = 100;
/// Options of one select menu.
const MAX_OPTIONS: usize = 25;

/// What a click asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Click {
    Vote {
        answer: u64,
        up: bool,
    },
    Cite(Cite),
    Page(Page),
    /// The card of `topic` of `story`.
    Card {
        story: String,
        topic: String,
    },
    /// Zero-based page of `/stories` to show.
    Stories(u32),
}

/// A cited paragraph to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cite {
    pub generation: u64,
    pub article: String,
    pub paragraph: u32,
    pub start: usize,
    pub end: usize,
    pub digest: u32,
}

/// A page of `/search` results to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Zero-based page to show.
    pub page: u32,
    pub limit: u8,
    pub topic: Option<Topic>,
    pub query: String,
}

/// FNV-1a over the paragraph: stable across builds and replicas.
pub fn digest(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5, |h: u32, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// 👍 / 👎 and, with citations, a select opening each cited paragraph;
/// under a declined question, one opening each related passage.
pub fn for_answer(interaction: u64, answer: &Answer, engine: &Engine) -> Vec<Vec<Component>> {
    let vote = |up: bool| Component::Button {
        id: format!("vote:{}:{interaction}", if up { "up" } else { "down" }),
        label: if up { "Helpful" } else { "Not helpful" }.to_string(),
        emoji: Some(if up { '👍' } else { '👎' }),
        disabled: false,
    };
    let mut rows = vec![vec![vote(true), vote(false)]];
    let generation = engine.catalog().manifest.generation;
    // A declined question offers the passages nearest it instead.
    let (passages, placeholder) = if answer.answered {
        (&answer.citations, "Read a cited paragraph in full")
    } else {
        (&answer.leads, "Read a related paragraph")
    };
    let options: Vec<Choice> = passages
        .iter()
        .filter_map(|c| cite_option(c, engine))
        .take(MAX_OPTIONS)
        .collect();
    if !options.is_empty() {
        rows.push(vec![Component::Select {
            id: format!("cite:{generation}"),
            placeholder: placeholder.to_string(),
            options,
        }]);
    }
    rows
}

/// The paragraph the first option of the citation menu among `rows`
/// opens, if there is such a menu.
pub fn first_cited(rows: &[Vec<Component>]) -> Option<Cite> {
    rows.iter().flatten().find_map(|c| match c {
        Component::Select { id, options, .. } => match parse(id, &[options.first()?.value.clone()])
        {
            Some(Click::Cite(cite)) => Some(cite),
            _ => None,
        },
        Component::Button { .. } => None,
    })
}

fn cite_option(c: &Citation, engine: &Engine) -> Option<Choice> {
    // Without the paragraph there is nothing to open; the answer itself
    // was checked against it.
    let text = match engine.paragraph_text(&c.article, c.paragraph) {
        Ok(text) => text?,
        Err(e) => {
            tracing::warn!("no menu entry for a citation, its paragraph cannot be read: {e}");
            return None;
        }
    };
    let start = text.find(&c.quote)?;
    let value = format!(
        "{}:{}:{}:{:08x}:{}",
        c.paragraph,
        start,
        start + c.quote.len(),
        digest(&text),
        c.article
    );
    (value.len() <= MAX_ID).then(|| Choice {
        label: limits::cut(&format!("¶{} · {}", c.paragraph, c.title), 100),
        value,
        description: Some(limits::cut(&c.quote, 100)),
    })
}

/// Under a briefing: a select opening each of the story's cards, when
/// the story's id fits in a custom id.
pub fn for_brief(story: &str, cards: &[CardSpec]) -> Vec<Vec<Component>> {
    let id = format!("card:{story}");
    if cards.is_empty() || id.len() > MAX_ID {
        return Vec::new();
    }
    let options = cards
        .iter()
        .take(MAX_OPTIONS)
        .map(|c| Choice {
            label: limits::cut(&c.title, 100),
            value: c.topic.to_string(),
            description: None,
        })
        .collect();
    vec![vec![Component::Select {
        id,
        placeholder: "See a card of this story".to_string(),
        options,
    }]]
}

/// Previous / Next for page `page` of a search, when the query fits.
pub fn for_search(page: &Page, more: bool) -> Vec<Vec<Component>> {
    let topic = page.topic.as_ref().map_or("-", Topic::as_str);
    paging(page.page, more, |dir| {
        format!(
            "page:{}:{dir}:{}:{topic}:{}",
            page.page, page.limit, page.query
        )
    })
}

/// Previous / Next for page `page` of `/stories`.
pub fn for_stories(page: u32, more: bool) -> Vec<Vec<Component>> {
    paging(page, more, |dir| format!("stories:{page}:{dir}"))
}

/// Previous and Next buttons with the ids `id('p')` and `id('n')`: none on
/// a lone page, or when an id would not fit.
fn paging(page: u32, more: bool, id: impl Fn(char) -> String) -> Vec<Vec<Component>> {
    if page == 0 && !more {
        return Vec::new();
    }
    let (prev, next) = (id('p'), id('n'));
    if next.len() > MAX_ID {
        return Vec::new();
    }
    let button = |id: String, label: &str, disabled: bool| Component::Button {
        id,
        label: label.to_string(),
        emoji: None,
        disabled,
    };
    vec![vec![
        button(prev, "Previous", page == 0),
        button(next, "Next", !more),
    ]]
}

/// The click a custom id and the selected values stand for, if any.
pub fn parse(custom_id: &str, values: &[String]) -> Option<Click> {
    let (kind, rest) = custom_id.split_once(':')?;
    match kind {
        "vote" => {
            let (dir, id) = rest.split_once(':')?;
            let up = match dir {
                "up" => true,
                "down" => false,
                _ => return None,
            };
            Some(Click::Vote {
                answer: id.parse().ok()?,
                up,
            })
        }
        "cite" => parse_cite(rest.parse().ok()?, values.first()?).map(Click::Cite),
        "page" => parse_page(rest).map(Click::Page),
        "stories" => {
            let (page, dir) = rest.split_once(':')?;
            turn(page.parse().ok()?, dir).map(Click::Stories)
        }
        "card" => {
            let topic = Topic::parse(values.first()?)?;
            crate::content::is_slug(rest).then(|| Click::Card {
                story: rest.to_string(),
                topic: topic.to_string(),
            })
        }
        _ => None,
    }
}

fn parse_cite(generation: u64, value: &str) -> Option<Cite> {
    let mut parts = value.splitn(5, ':');
    let paragraph = parts.next()?.parse().ok()?;
    let start = parts.next()?.parse().ok()?;
    let end = parts.next()?.parse().ok()?;
    let digest = u32::from_str_radix(parts.next()?, 16).ok()?;
    let article = parts.next()?.to_string();
    (start < end && !article.is_empty()).then_some(Cite {
        generation,
        article,
        paragraph,
        start,
        end,
        digest,
    })
}

/// The page a click on `p` (Previous) or `n` (Next) under page `page` asks for.
fn turn(page: u32, dir: &str) -> Option<u32> {
    match dir {
        "p" => page.checked_sub(1),
        "n" => page.checked_add(1),
        _ => None,
    }
}

fn parse_page(rest: &str) -> Option<Page> {
    let mut parts = rest.splitn(5, ':');
    let page = turn(parts.next()?.parse().ok()?, parts.next()?)?;
    let limit: u8 = parts.next()?.parse().ok()?;
    let topic = match parts.next()? {
        "-" => None,
        t => Some(Topic::parse(t)?),
    };
    let query = parts.next()?.to_string();
    (limit > 0 && !query.trim().is_empty()).then_some(Page {
        page,
        limit,
        topic,
        query,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_garbage_is_no_click() {
        assert_eq!(
            parse("vote:down:123", &[]),
            Some(Click::Vote {
                answer: 123,
                up: false
            })
        );
        let cite = parse("cite:7", &["4:10:20:0000abcd:the-story".to_string()]);
        assert!(
            matches!(cite, Some(Click::Cite(c)) if c.article == "the-story" && c.start == 10 && c.generation == 7)
        );
        let next = parse("page:0:n:5:-:nakhchivan corridor", &[]);
        assert!(
            matches!(next, Some(Click::Page(p)) if p.page == 1 && p.query == "nakhchivan corridor")
        );
        assert_eq!(parse("stories:2:p", &[]), Some(Click::Stories(1)));
        assert_eq!(parse("stories:2:n", &[]), Some(Click::Stories(3)));
        for bad in [
            "",
            "vote",
            "vote:sideways:1",
            "page:0:p:5:-:q",
            "cite:x",
            "page:1:n:0:-:q",
            "stories:0:p",
            "stories:4294967295:n",
            "stories:x:n",
            "stories:1",
        ] {
            assert_eq!(parse(bad, &["1:2:3:4:a".to_string()]), None, "{bad}");
        }
    }

    #[test]
    fn search_pages_have_distinct_ids_within_discord_limits() {
        let page = Page {
            page: 1,
            limit: 5,
            topic: None,
            query: "x".repeat(60),
        };
        let rows = for_search(&page, true);
        let ids: Vec<&str> = rows[0]
            .iter()
            .map(|c| match c {
                Component::Button { id, .. } => id.as_str(),
                Component::Select { id, .. } => id.as_str(),
            })
            .collect();
        assert_ne!(ids[0], ids[1]);
        assert!(ids.iter().all(|id| id.len() <= MAX_ID));
        let long = Page {
            query: "x".repeat(120),
            ..page
        };
        assert!(for_search(&long, true).is_empty());
    }
}
