//! A chat message as the words it says: what Discord and copying from the
//! web add around a question, taken out before it is analysed.

use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// Markup that names no word of a question:
/// - Discord's mentions of a user, role or channel, custom emoji, a slash
///   command's mention and timestamps (`<@123>`, `<@!123>`, `<@&123>`,
///   `<#123>`, `<:name:123>`, `<a:name:123>`, `</ask:123>`, `<t:1700000000:R>`);
/// - links, bare or as the target of a masked link (`[text](https://…)`
///   keeps its text);
/// - `@someone` opening the message (addressing the bot or a person), and
///   `@everyone` or `@here` anywhere; an `@` before a word elsewhere ("what
///   did @Vell say") leaves the word, since the splitter drops the `@`.
static MARKUP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
          <(?:@[!&]?|\#|a?:\w+:|/[\w\ -]+:|t:)\d+(?::[tTdDfFR])?>
        | \]\((?:https?|ftp)://[^)\s]*\)
        | \b(?:https?|ftp)://\S+
        | \bwww\.\S+
        | ^\s*@\S+
        | @(?:everyone|here)\b",
    )
    .expect("the markup pattern is valid")
});

/// The message with its characters composed (NFC: a letter and its
/// combining accent as one letter, as the sources write them), invisible
/// format characters (zero-width spaces and joiners, soft hyphens, byte
/// order marks, direction marks) removed, and [`MARKUP`] replaced by a
/// space.
pub fn plain(message: &str) -> String {
    // Nearly every message: ASCII (nothing to compose, no format
    // character) with nothing the markup pattern could match.
    let may_have_markup = message.contains(['<', '@', ']', '.', ':']);
    if message.is_ascii() && !may_have_markup {
        return message.to_string();
    }
    // Invisible characters out first: one between a letter and its accent
    // would keep them apart.
    let visible: String = message
        .chars()
        .filter(|c| c.general_category() != GeneralCategory::Format)
        .nfc()
        .collect();
    match MARKUP.replace_all(&visible, " ") {
        std::borrow::Cow::Borrowed(_) => visible,
        std::borrow::Cow::Owned(s) => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::folded_words;

    fn words(message: &str) -> Vec<String> {
        folded_words(&plain(message))
    }

    #[test]
    fn discord_mentions_emoji_and_timestamps_say_nothing() {
        for message in [
            "<@123456789012345678> where was the deal signed",
            "<@!123456789012345678> where was the deal signed",
            "<@&123456789012345678> where was the deal signed <#987654321098765432>",
            "where was the deal signed <:pepe:123456789012345678>",
            "<a:party:123456789012345678> where was the deal signed",
            "</ask:123456789012345678> where was the deal signed <t:1700000000:R>",
            "@dossier where was the deal signed",
            "  @someone where was the deal signed @everyone @here",
            "where was the deal signed https://example.com/x?y=1",
            "where was the deal signed (www.example.com/story)",
        ] {
            assert_eq!(
                words(message),
                ["where", "was", "the", "deal", "signed"],
                "{message}"
            );
        }
    }

    #[test]
    fn a_masked_link_keeps_its_text() {
        assert_eq!(
            words("[the deal](https://evil.example/a) where was it signed"),
            ["the", "deal", "where", "was", "it", "signed"]
        );
    }

    #[test]
    fn what_only_looks_like_markup_stays() {
        for (message, expected) in [
            (
                "mail press@example.org about it",
                vec!["mail", "press", "example", "org", "about", "it"],
            ),
            ("is 3 < 4 > 2", vec!["is", "3", "4", "2"]),
            ("who signed <it>", vec!["who", "signed", "it"]),
            ("[1] what was agreed", vec!["1", "what", "was", "agreed"]),
            (
                "what did @Vell say about it",
                vec!["what", "did", "vell", "say", "about", "it"],
            ),
            (
                "a 3.5% rise at 4:30 @ the port",
                vec!["a", "3", "5", "rise", "at", "4", "30", "the", "port"],
            ),
            (
                "[up 3%](see) what rose",
                vec!["up", "3", "see", "what", "rose"],
            ),
        ] {
            assert_eq!(words(message), expected, "{message}");
        }
    }

    #[test]
    fn accents_are_composed_and_invisible_characters_removed() {
        assert_eq!(words("Southba\u{308}y"), words("Southbäy"));
        assert_eq!(words("Southba\u{200b}\u{308}y"), words("Southbäy"));
        assert_eq!(
            words("who is Ada Ve\u{200b}ll"),
            ["who", "is", "ada", "vell"]
        );
        assert_eq!(
            words("\u{feff}who is Ve\u{ad}ll\u{200d}"),
            ["who", "is", "vell"]
        );
        assert_eq!(plain("plain text stays"), "plain text stays");
    }
}
