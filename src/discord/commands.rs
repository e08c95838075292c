//! The slash commands: names, descriptions and options as Discord shows
//! them. Descriptions are help text for people in the server.

use serenity::all::{CommandOptionType, CreateCommand, CreateCommandOption};

/// Every command with its one-line description, in the order `/help` lists them.
pub const COMMANDS: &[(&str, &str)] = &[
    (
        "ask",
        "Ask a question and get an answer quoted from the source",
    ),
    ("search", "Search the facts and the article text"),
    ("stories", "The stories dossier follows, newest first"),
    (
        "brief",
        "The briefing of a story: what to know, each point cited",
    ),
    ("parties", "Who is involved in a story and their roles"),
    (
        "corridor",
        "A story's corridor card: the route, what it links, who builds it",
    ),
    ("terms", "What was agreed or decided"),
    ("quote", "Direct quotes and who said them"),
    (
        "card",
        "Any card a story has: pick one from the suggestions",
    ),
    (
        "source",
        "Show a paragraph of the article in full, to check a citation",
    ),
    ("help", "What dossier covers and how to read its citations"),
];

/// Longest question `/ask` accepts.
pub const MAX_QUESTION: u16 = 300;
/// Most hits `/search` shows.
pub const MAX_HITS: i32 = 10;

fn description(name: &str) -> &'static str {
    COMMANDS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or("", |(_, d)| d)
}

fn string(name: &str, description: &str) -> CreateCommandOption {
    CreateCommandOption::new(CommandOptionType::String, name, description)
}

fn story(description: &str) -> CreateCommandOption {
    string("story", description).set_autocomplete(true)
}

/// The command definitions that registration sends.
pub fn definitions() -> Vec<CreateCommand> {
    let command = |name: &str| CreateCommand::new(name).description(description(name));
    let topic = string("topic", "Only results about this topic, e.g. terms").set_autocomplete(true);
    let card_story = || story("Which story; the newest that has this card if empty");
    vec![
        command("ask")
            .add_option(
                string(
                    "question",
                    "Your question, in plain words, e.g. Who is involved and what did they agree?",
                )
                .required(true)
                .min_length(1)
                .max_length(MAX_QUESTION),
            )
            .add_option(story(
                "Answer from this story only; if empty, the best fit, leaning on the channel's last story",
            )),
        command("search")
            .add_option(
                string("query", "Words to look for in the facts and the article")
                    .required(true)
                    .min_length(1)
                    .max_length(MAX_QUESTION)
                    .set_autocomplete(true),
            )
            .add_option(topic)
            .add_option(story("Search this story only; all stories if empty"))
            .add_option(
                CreateCommandOption::new(
                    CommandOptionType::Integer,
                    "limit",
                    "How many results to show (1 to 10)",
                )
                .min_int_value(1)
                .max_int_value(MAX_HITS as u64),
            ),
        command("stories"),
        command("brief").add_option(story("Which story; the newest if empty")),
        command("parties")
            .add_option(
                string(
                    "party",
                    "A person, country or group in the story; leave empty for all",
                )
                .set_autocomplete(true),
            )
            .add_option(card_story()),
        command("corridor").add_option(card_story()),
        command("terms")
            .add_option(
                string("term", "One thing agreed or decided; leave empty for all")
                    .set_autocomplete(true),
            )
            .add_option(card_story()),
        command("quote")
            .add_option(
                string("speaker", "Who said it; leave empty for all quotes").set_autocomplete(true),
            )
            .add_option(card_story()),
        command("card")
            .add_option(
                string("card", "Which card, e.g. parties")
                    .required(true)
                    .set_autocomplete(true),
            )
            .add_option(card_story()),
        command("source")
            .add_option(
                CreateCommandOption::new(
                    CommandOptionType::Integer,
                    "paragraph",
                    "Paragraph number, as in ¶4",
                )
                .required(true)
                .min_int_value(1)
                .max_int_value(1000),
            )
            .add_option(
                string("article", "Which article; the latest one if empty").set_autocomplete(true),
            ),
        command("help"),
    ]
}
