//! The card commands both front ends offer (`/parties`, `dossier parties`
//! …): which card each shows and how the name given with it is read. The
//! cards themselves are data: each story declares its own, and `card`
//! shows any of them.

use crate::answer::{Card, Engine, RequestError};

/// How a card command reads the name given with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// No name: the whole card.
    None,
    /// An entity: every fact of the story about it.
    Entity,
    /// One fact of the card, by title or id.
    Fact,
    /// A speaker: their quotes.
    Speaker,
}

/// A command that shows one card of a story.
#[derive(Debug, Clone, Copy)]
pub struct CardCommand {
    pub name: &'static str,
    /// The topic of the card it shows.
    pub topic: &'static str,
    pub pick: Pick,
    /// The option that names the entity or fact, when it takes one.
    pub option: &'static str,
}

/// The card commands, in the order `/help` lists them.
pub const CARD_COMMANDS: &[CardCommand] = &[
    CardCommand {
        name: "parties",
        topic: "parties",
        pick: Pick::Entity,
        option: "party",
    },
    CardCommand {
        name: "corridor",
        topic: "corridor",
        pick: Pick::None,
        option: "",
    },
    CardCommand {
        name: "terms",
        topic: "terms",
        pick: Pick::Fact,
        option: "term",
    },
    CardCommand {
        name: "quote",
        topic: "quotes",
        pick: Pick::Speaker,
        option: "speaker",
    },
];

/// The card command called `name`, if there is one.
pub fn card_command(name: &str) -> Option<&'static CardCommand> {
    CARD_COMMANDS.iter().find(|c| c.name == name)
}

impl CardCommand {
    /// The card this command shows for `name` (if given) in `story` (or
    /// the newest story that has it).
    pub fn run(
        &self,
        engine: &Engine,
        name: Option<&str>,
        story: Option<&str>,
    ) -> Result<Card, RequestError> {
        match self.pick {
            Pick::None => engine.card(self.topic, story),
            Pick::Entity => engine.entity_card(self.topic, name, story),
            Pick::Fact => engine.fact_card(self.topic, name, story),
            Pick::Speaker => engine.speaker_card(self.topic, name, story),
        }
    }
}
