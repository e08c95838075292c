//! The interaction router: one pure function from an interaction and the
//! engine to the response. The gateway and the HTTP endpoint only forward
//! to it and send what it returns, with the one memory they keep: the
//! story each channel is on ([`Channels`]), which `/ask` reads and moves on.

use std::time::Instant;

use serenity::all::{
    ButtonStyle, CommandInteraction, ComponentInteraction, ComponentInteractionDataKind,
    CreateActionRow, CreateAllowedMentions, CreateAutocompleteResponse, CreateButton, CreateEmbed,
    CreateEmbedAuthor, CreateEmbedFooter, CreateInteractionResponse,
    CreateInteractionResponseFollowup, CreateInteractionResponseMessage, CreateSelectMenu,
    CreateSelectMenuKind, CreateSelectMenuOption, EditInteractionResponse, Interaction,
    ResolvedValue,
};

use super::channels::Channels;
use super::commands::{self, MAX_HITS, MAX_QUESTION};
use super::components::{self, Click, Page};
use crate::answer::{Engine, RequestError, SuggestKind, Suggestion};
use crate::content::Topic;
use crate::desk::{self, Pick};
use crate::record::{self, Event};
use crate::render::discord::{self as render, Component, Message, limits};
use crate::text;

/// What to answer an interaction with, before it becomes a serenity builder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Pong,
    Message(Message),
    /// A new version of the message clicked on (paging).
    Update(Message),
    Autocomplete(Vec<Suggestion>),
}

/// The response to `interaction`.
pub fn route(interaction: &Interaction, engine: &Engine) -> CreateInteractionResponse {
    response(reply(interaction, engine))
}

/// The reply to `interaction`, as plain data.
pub fn reply(interaction: &Interaction, engine: &Engine) -> Reply {
    routed(interaction, engine).0
}

/// The reply to `interaction` and what to record of it (an `/ask`, a vote).
pub fn routed(interaction: &Interaction, engine: &Engine) -> (Reply, Option<Event>) {
    routed_in(interaction, engine, None)
}

/// [`routed`] in the conversations of `channels`: an `/ask` that names no
/// story is a follow-up of the last answer in its channel, and an answer
/// moves its channel on to the answer's story.
pub fn routed_in(
    interaction: &Interaction,
    engine: &Engine,
    channels: Option<&Channels>,
) -> (Reply, Option<Event>) {
    match interaction {
        Interaction::Ping(_) => (Reply::Pong, None),
        Interaction::Command(cmd) if cmd.data.name == "ask" => {
            let (m, event) = ask(cmd, engine, channels);
            (Reply::Message(m), event)
        }
        Interaction::Command(cmd) => (Reply::Message(command(cmd, engine)), None),
        Interaction::Autocomplete(cmd) => (Reply::Autocomplete(autocomplete(cmd, engine)), None),
        Interaction::Component(click) => component(click, engine),
        _ => (
            Reply::Message(render::error(
                "dossier does not handle that kind of interaction.",
            )),
            None,
        ),
    }
}

/// `/ask`: the answer with its buttons, and the record of it.
fn ask(
    cmd: &CommandInteraction,
    engine: &Engine,
    channels: Option<&Channels>,
) -> (Message, Option<Event>) {
    let Some(q) = typed(string_option(cmd, "question")) else {
        return (
            render::error(
                "Ask a question in plain words, for example: `/ask question: Who is involved?`",
            ),
            None,
        );
    };
    let started = Instant::now();
    let named = typed(string_option(cmd, "story"));
    let channel = cmd.channel_id.get();
    let asked = match (&named, channels) {
        (None, Some(channels)) => engine.ask_after(&q, channels.recent(channel).as_deref()),
        _ => engine.ask_in(&q, named.as_deref()),
    };
    let answer = match asked {
        Ok(answer) => answer,
        Err(e) => return (request_error(&e), None),
    };
    if let (Some(channels), Some(story)) = (channels, &answer.story)
        && answer.answered
    {
        channels.answered(channel, story);
    }
    let engine_us = started.elapsed().as_micros() as u64;
    let mut m = render::answer(&answer, engine.collection());
    m.components = components::for_answer(cmd.id.get(), &answer, engine);
    let first = answer.citations.first();
    let lead = (!answer.answered)
        .then(|| components::first_cited(&m.components))
        .flatten();
    let event = Event::Ask(record::Ask {
        id: cmd.id.get(),
        at: record::now(),
        user: cmd.user.id.get(),
        // As read: without mentions of other people, links or markup.
        question: answer.question.clone(),
        // The story answered from, or else the one asked about, so a
        // declined question in a named story counts against that story,
        // or else that of the passage nearest a declined question.
        story: answer
            .story
            .clone()
            .or_else(|| first.map(|c| c.article.clone()))
            .or_else(|| {
                let a = engine.story_scope(named.as_deref()).ok().flatten()?;
                Some(engine.catalog().articles[a].id.clone())
            })
            .or_else(|| lead.as_ref().map(|c| c.article.clone())),
        answered: answer.answered,
        citation: first.map(|c| format!("{}#{}", c.article, c.paragraph)),
        // The first passage the reply's menu offers.
        lead: lead.map(|c| format!("{}#{}", c.article, c.paragraph)),
        generation: engine.catalog().manifest.generation,
        engine_us,
    });
    (m, Some(event))
}

/// A click on a button or select of an earlier reply.
fn component(click: &ComponentInteraction, engine: &Engine) -> (Reply, Option<Event>) {
    let values: &[String] = match &click.data.kind {
        ComponentInteractionDataKind::StringSelect { values } => values,
        _ => &[],
    };
    match components::parse(&click.data.custom_id, values) {
        Some(Click::Vote { answer, up }) => {
            let thanks = if up {
                "Thanks: noted as helpful. Click the other button to change your vote."
            } else {
                "Thanks: noted as not helpful, so the editors can see what is missing. Click the other button to change your vote."
            };
            let vote = Event::Vote(record::Vote {
                answer,
                user: click.user.id.get(),
                up,
                at: record::now(),
            });
            (Reply::Message(render::notice(thanks)), Some(vote))
        }
        Some(Click::Cite(cite)) => (Reply::Message(cited(engine, &cite)), None),
        Some(Click::Page(page)) => (Reply::Update(search_page(engine, &page)), None),
        Some(Click::Stories(page)) => (Reply::Update(stories_page(engine, page)), None),
        Some(Click::Card { story, topic }) => {
            let mut m = card(engine.card(&topic, Some(&story)), engine);
            m.ephemeral = true;
            (Reply::Message(m), None)
        }
        None => (
            Reply::Message(render::error(
                "That button no longer works. Ask again to get a fresh reply.",
            )),
            None,
        ),
    }
}

/// A cited paragraph in full; said plainly when it changed since.
fn cited(engine: &Engine, cite: &components::Cite) -> Message {
    let passages = match engine.source(Some(&cite.article), Some(cite.paragraph)) {
        Ok(passages) => passages,
        Err(RequestError::UnknownArticle(_) | RequestError::NoSuchParagraph { .. }) => {
            return render::error(&format!(
                "The content has changed since this answer: ¶{} of that article is no longer in the sources.",
                cite.paragraph
            ));
        }
        Err(e) => return request_error(&e),
    };
    let Some(p) = passages.first() else {
        return render::error("That paragraph could not be read from the index.");
    };
    let same = components::digest(&p.text) == cite.digest;
    let span = same.then_some((cite.start, cite.end));
    render::cited(p, span, !same)
}

/// One page of `/search` results with Previous / Next.
fn search_page(engine: &Engine, page: &Page) -> Message {
    let limit = usize::from(page.limit).clamp(1, MAX_HITS as usize);
    let skip = page.page as usize * limit;
    let topic = page.topic.as_ref().map(Topic::as_str);
    let mut results = match engine.search(&page.query, topic, skip + limit + 1) {
        Ok(results) => results,
        Err(e) => return request_error(&e),
    };
    let more = results.hits.len() > skip + limit;
    results.hits = results.hits.into_iter().skip(skip).take(limit).collect();
    crate::answer::group_by_story(&mut results.hits);
    let mut m = render::search(&results, engine.collection());
    m.components = components::for_search(page, more);
    m
}

/// Stories one page of `/stories` lists.
const STORIES_PER_PAGE: usize = 10;

/// One page of `/stories`, newest first, with Previous / Next. A page past
/// the end (stories were removed since) shows the last one.
fn stories_page(engine: &Engine, page: u32) -> Message {
    let all = engine.stories();
    let pages = all.len().div_ceil(STORIES_PER_PAGE).max(1);
    let page = (page as usize).min(pages - 1);
    let first = page * STORIES_PER_PAGE;
    let shown = &all[first..all.len().min(first + STORIES_PER_PAGE)];
    let mut m = render::stories(shown, first, all.len());
    m.components = components::for_stories(page as u32, page + 1 < pages);
    m
}

fn string_option<'a>(cmd: &'a CommandInteraction, name: &str) -> Option<&'a str> {
    cmd.data.options().into_iter().find_map(|o| match o.value {
        ResolvedValue::String(s) if o.name == name => Some(s),
        _ => None,
    })
}

fn integer_option(cmd: &CommandInteraction, name: &str) -> Option<i64> {
    cmd.data.options().into_iter().find_map(|o| match o.value {
        ResolvedValue::Integer(i) if o.name == name => Some(i),
        _ => None,
    })
}

/// Text a person typed, trimmed and cut to what Discord lets them send,
/// between words: a word cut in half would be read as another word.
fn typed(text: Option<&str>) -> Option<String> {
    let t = text?.trim();
    let max = t
        .char_indices()
        .nth(usize::from(MAX_QUESTION))
        .map_or(t.len(), |(i, _)| i);
    let t = t[..text::floor_word_boundary(t, max)].trim_end();
    (!t.is_empty()).then(|| t.to_string())
}

fn command(cmd: &CommandInteraction, engine: &Engine) -> Message {
    let collection = engine.collection();
    match cmd.data.name.as_str() {
        "ask" => ask(cmd, engine, None).0,
        "search" => search(cmd, engine),
        "stories" => stories_page(engine, 0),
        "brief" => brief(cmd, engine),
        "card" => match typed(string_option(cmd, "card")) {
            Some(topic) => card(
                engine.card(&topic, typed(string_option(cmd, "story")).as_deref()),
                engine,
            ),
            None => render::error("Name a card, for example: `/card card: parties`"),
        },
        "source" => {
            let article = typed(string_option(cmd, "article"));
            match integer_option(cmd, "paragraph") {
                Some(asked) => source(engine, article.as_deref(), asked),
                None => {
                    render::error("Give a paragraph number, for example: `/source paragraph: 4`")
                }
            }
        }
        "help" => render::help(&engine.overview(), collection, commands::COMMANDS),
        other => match desk::card_command(other) {
            Some(c) => {
                let picked = (c.pick != Pick::None)
                    .then(|| typed(string_option(cmd, c.option)))
                    .flatten();
                let story = typed(string_option(cmd, "story"));
                card(c.run(engine, picked.as_deref(), story.as_deref()), engine)
            }
            None => render::error(&format!(
                "dossier has no command `/{}`. Try /help.",
                render::escape(&limits::cut(other, 32))
            )),
        },
    }
}

/// `/search`: one story's hits on one page, or every story's, paged.
fn search(cmd: &CommandInteraction, engine: &Engine) -> Message {
    let Some(query) = typed(string_option(cmd, "query")) else {
        return render::error(
            "Give some words to search for, for example a name from the story: `/search query: NAME`",
        );
    };
    let topic = match typed(string_option(cmd, "topic")) {
        Some(t) => match Topic::parse(&t.to_lowercase()) {
            Some(t) => Some(t),
            None => {
                return render::error(&format!(
                    "“{}” is not a topic. Pick one of the suggestions, or leave it empty.",
                    render::escape(&limits::cut(&t, 100))
                ));
            }
        },
        None => None,
    };
    let limit = integer_option(cmd, "limit")
        .unwrap_or(5)
        .clamp(1, i64::from(MAX_HITS)) as u8;
    if let Some(story) = typed(string_option(cmd, "story")) {
        let topic = topic.as_ref().map(Topic::as_str);
        return match engine.search_in(&query, topic, Some(&story), usize::from(limit)) {
            Ok(results) => render::search(&results, engine.collection()),
            Err(e) => request_error(&e),
        };
    }
    let page = Page {
        page: 0,
        limit,
        topic,
        query,
    };
    search_page(engine, &page)
}

/// `/source`: one paragraph, or an error naming the number as asked, even
/// one no paragraph number can be (negative, or past `u32`).
fn source(engine: &Engine, article: Option<&str>, asked: i64) -> Message {
    let number = u32::try_from(asked).unwrap_or(0);
    match engine.source(article, Some(number)) {
        Ok(passages) => match passages.first() {
            Some(first) => render::passage(first),
            None => render::error("That paragraph could not be read from the index."),
        },
        Err(RequestError::NoSuchParagraph { count, .. }) => render::error(&format!(
            "There is no paragraph {asked}: the article has paragraphs 1 to {count}."
        )),
        Err(e) => request_error(&e),
    }
}

/// `/brief`: the briefing, with a select to open the story's cards.
fn brief(cmd: &CommandInteraction, engine: &Engine) -> Message {
    let story = typed(string_option(cmd, "story"));
    let briefing = match engine.brief(story.as_deref()) {
        Ok(b) => b,
        Err(e) => return request_error(&e),
    };
    let cards = engine.cards(Some(&briefing.story.id)).unwrap_or_default();
    let mut m = render::card(&briefing, engine.collection());
    m.components = components::for_brief(&briefing.story.id, &cards);
    m
}

fn card(result: Result<crate::answer::Card, RequestError>, engine: &Engine) -> Message {
    match result {
        Ok(card) => render::card(&card, engine.collection()),
        Err(e) => request_error(&e),
    }
}

fn request_error(e: &RequestError) -> Message {
    let text = match e {
        RequestError::NotFound { name, named, known } => {
            let name = render::escape(&limits::cut(name, 100));
            let mut text = match named {
                Some(named) => format!(
                    "“{name}” is {}, not in this list.",
                    render::escape(named)
                ),
                None => format!("Nothing in the sources matches “{name}”."),
            };
            if known.is_empty() {
                text.push_str(" Start typing and pick one of the suggestions.");
            } else {
                let known: Vec<String> = known.iter().map(|k| render::escape(k)).collect();
                text.push_str(&format!(" Try: {}.", limits::cut(&known.join(", "), 1000)));
            }
            text
        }
        RequestError::UnknownArticle(id) => format!(
            "There is no article “{}”. Pick one of the suggestions.",
            render::escape(&limits::cut(id, 100))
        ),
        RequestError::NoSuchParagraph {
            paragraph, count, ..
        } => {
            format!("There is no paragraph {paragraph}: the article has paragraphs 1 to {count}.")
        }
        RequestError::NoCard { card, story, cards } => {
            let card = render::escape(&limits::cut(card, 100));
            let mut t = match story {
                Some(s) => format!(
                    "“{}” has no “{card}” card.",
                    render::escape(&limits::cut(&s.title, 200))
                ),
                None => format!("No story has a “{card}” card."),
            };
            if !cards.is_empty() {
                let which = if story.is_some() { "Its" } else { "The" };
                t.push_str(&format!(" {which} cards: {}.", render::escape(&cards.join(", "))));
            }
            t
        }
        RequestError::Index(_) => {
            "Something went wrong reading the index; this is not your question's fault. Try again in a moment.".to_string()
        }
    };
    render::error(&text)
}

fn autocomplete(cmd: &CommandInteraction, engine: &Engine) -> Vec<Suggestion> {
    let Some(focused) = cmd.data.autocomplete() else {
        return Vec::new();
    };
    let picks = desk::card_command(&cmd.data.name)
        .filter(|c| c.option == focused.name)
        .map(|c| (c.pick, c.topic));
    let kind = match (cmd.data.name.as_str(), focused.name, picks) {
        ("search", "query", _) => SuggestKind::Query,
        ("search", "topic", _) => SuggestKind::Topic,
        ("card", "card", _) => {
            let story = typed(string_option(cmd, "story"));
            return engine.suggest_cards(story.as_deref(), focused.value, limits::CHOICES);
        }
        ("source", "article", _) | (_, "story", _) => SuggestKind::Article,
        (_, _, Some((Pick::Entity, topic))) => SuggestKind::Entity(topic),
        (_, _, Some((Pick::Speaker, _))) => SuggestKind::Speaker,
        (_, _, Some((Pick::Fact, topic))) => SuggestKind::Fact(topic),
        _ => return Vec::new(),
    };
    engine.suggest(kind, focused.value, limits::CHOICES)
}

/// The serenity builder for a reply.
pub fn response(reply: Reply) -> CreateInteractionResponse {
    match reply {
        Reply::Pong => CreateInteractionResponse::Pong,
        Reply::Message(m) => CreateInteractionResponse::Message(message(&m)),
        Reply::Update(m) => CreateInteractionResponse::UpdateMessage(message(&m)),
        Reply::Autocomplete(choices) => {
            let mut r = CreateAutocompleteResponse::new();
            for c in choices.into_iter().take(limits::CHOICES) {
                r = r.add_string_choice(
                    limits::cut(&c.label, limits::CHOICE_NAME),
                    limits::cut(&c.value, limits::CHOICE_NAME),
                );
            }
            CreateInteractionResponse::Autocomplete(r)
        }
    }
}

fn embeds(m: &Message) -> Vec<CreateEmbed> {
    m.embeds
        .iter()
        .map(|e| {
            let mut b = CreateEmbed::new().title(&e.title).color(e.color);
            if !e.description.is_empty() {
                b = b.description(&e.description);
            }
            if let Some(url) = &e.url {
                b = b.url(url);
            }
            if let Some(footer) = &e.footer {
                b = b.footer(CreateEmbedFooter::new(footer));
            }
            if let Some(author) = &e.author {
                b = b.author(CreateEmbedAuthor::new(author));
            }
            b.fields(
                e.fields
                    .iter()
                    .map(|f| (f.name.clone(), f.value.clone(), f.inline)),
            )
        })
        .collect()
}

/// Rows of serenity components.
fn rows(m: &Message) -> Vec<CreateActionRow> {
    m.components
        .iter()
        .map(|row| match row.as_slice() {
            [
                Component::Select {
                    id,
                    placeholder,
                    options,
                },
            ] => {
                let options = options
                    .iter()
                    .map(|o| {
                        let b = CreateSelectMenuOption::new(&o.label, &o.value);
                        match &o.description {
                            Some(d) => b.description(d),
                            None => b,
                        }
                    })
                    .collect();
                let kind = CreateSelectMenuKind::String { options };
                CreateActionRow::SelectMenu(
                    CreateSelectMenu::new(id, kind).placeholder(placeholder),
                )
            }
            buttons => CreateActionRow::Buttons(buttons.iter().filter_map(button).collect()),
        })
        .collect()
}

fn button(c: &Component) -> Option<CreateButton> {
    let Component::Button {
        id,
        label,
        emoji,
        disabled,
    } = c
    else {
        return None;
    };
    let mut b = CreateButton::new(id)
        .label(label)
        .style(ButtonStyle::Secondary)
        .disabled(*disabled);
    if let Some(e) = emoji {
        b = b.emoji(*e);
    }
    Some(b)
}

/// A message response: no mention in it can ping anyone.
pub fn message(m: &Message) -> CreateInteractionResponseMessage {
    let mut b = CreateInteractionResponseMessage::new()
        .embeds(embeds(m))
        .allowed_mentions(CreateAllowedMentions::new());
    if !m.components.is_empty() {
        b = b.components(rows(m));
    }
    if m.ephemeral {
        b = b.ephemeral(true);
    }
    if let Some(content) = &m.content {
        b = b.content(content);
    }
    b
}

/// The same message as a follow-up (how a private message reaches the
/// person after a public deferral).
pub fn followup(m: &Message) -> CreateInteractionResponseFollowup {
    let mut b = CreateInteractionResponseFollowup::new()
        .embeds(embeds(m))
        .allowed_mentions(CreateAllowedMentions::new())
        .ephemeral(m.ephemeral);
    if !m.components.is_empty() {
        b = b.components(rows(m));
    }
    if let Some(content) = &m.content {
        b = b.content(content);
    }
    b
}

/// The same message as an edit of a deferred response.
pub fn edit(m: &Message) -> EditInteractionResponse {
    let mut b = EditInteractionResponse::new()
        .embeds(embeds(m))
        .allowed_mentions(CreateAllowedMentions::new());
    if !m.components.is_empty() {
        b = b.components(rows(m));
    }
    if let Some(content) = &m.content {
        b = b.content(content);
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_failure_is_an_error_not_an_abstention() {
        let m = request_error(&RequestError::Index("read failed".into()));
        assert!(m.ephemeral);
        let text = &m.embeds[0].description;
        assert!(text.contains("reading the index"), "{text}");
        assert!(!text.contains("do not answer"), "{text}");
    }

    #[test]
    fn card_names_in_an_error_are_escaped() {
        let m = request_error(&RequestError::NoCard {
            card: "x".into(),
            story: None,
            cards: vec!["main_terms".into(), "side_notes".into()],
        });
        let text = &m.embeds[0].description;
        assert!(text.contains("main\\_terms, side\\_notes"), "{text}");
    }
}
