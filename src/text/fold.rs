//! The word splitter of every analyzer: words split on anything that is not
//! a letter or digit, words of `MAX_WORD_LEN` bytes or more dropped, the rest
//! lowercased and folded to ASCII.
//!
//! Its tokens are exactly those of tantivy's `SimpleTokenizer`,
//! `RemoveLongFilter`, `LowerCaser` and `AsciiFoldingFilter` in a row (tested
//! below): words made of ASCII letters and digits, nearly all of a news text,
//! are split and lowercased byte by byte in one pass; a word with any other
//! character goes through tantivy's own lowercasing and folding.

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RawTokenizer, TextAnalyzer, Token, TokenStream, Tokenizer,
};

use super::MAX_WORD_LEN;

/// Splits, drops long words, lowercases and folds (see the module).
#[derive(Clone)]
pub struct FoldingTokenizer {
    token: Token,
    /// Lowercases and folds one word that is not plain ASCII.
    unicode: TextAnalyzer,
}

impl Default for FoldingTokenizer {
    fn default() -> FoldingTokenizer {
        FoldingTokenizer {
            token: Token::default(),
            unicode: TextAnalyzer::builder(RawTokenizer::default())
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .build(),
        }
    }
}

impl Tokenizer for FoldingTokenizer {
    type TokenStream<'a> = FoldingStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> FoldingStream<'a> {
        self.token.reset();
        FoldingStream {
            text,
            at: 0,
            token: &mut self.token,
            unicode: &mut self.unicode,
        }
    }
}

pub struct FoldingStream<'a> {
    text: &'a str,
    /// Byte offset where the search for the next word starts.
    at: usize,
    token: &'a mut Token,
    unicode: &'a mut TextAnalyzer,
}

impl FoldingStream<'_> {
    /// The character at byte `i` (beyond ASCII): whether it is a letter or
    /// digit, and its length.
    fn char_at(&self, i: usize) -> (bool, usize) {
        self.text[i..]
            .chars()
            .next()
            .map_or((false, 1), |c| (c.is_alphanumeric(), c.len_utf8()))
    }

    /// The next word from `self.at`: its byte range, and whether it is all
    /// ASCII. Moves `self.at` past it.
    fn next_word(&mut self) -> Option<(usize, usize, bool)> {
        let bytes = self.text.as_bytes();
        let mut i = self.at;
        let start = loop {
            let &b = bytes.get(i)?;
            if b.is_ascii() {
                if IS_WORD[usize::from(b)] {
                    break i;
                }
                i += 1;
            } else {
                let (word, len) = self.char_at(i);
                if word {
                    break i;
                }
                i += len;
            }
        };
        let mut ascii = true;
        while let Some(&b) = bytes.get(i) {
            if b.is_ascii() {
                if !IS_WORD[usize::from(b)] {
                    break;
                }
                i += 1;
            } else {
                let (word, len) = self.char_at(i);
                if !word {
                    break;
                }
                ascii = false;
                i += len;
            }
        }
        self.at = i;
        Some((start, i, ascii))
    }
}

/// Which ASCII bytes are letters or digits.
static IS_WORD: [bool; 128] = {
    let mut table = [false; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    table
};

impl TokenStream for FoldingStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            self.token.text.clear();
            self.token.position = self.token.position.wrapping_add(1);
            let Some((start, end, ascii)) = self.next_word() else {
                return false;
            };
            if end - start >= MAX_WORD_LEN {
                continue;
            }
            self.token.offset_from = start;
            self.token.offset_to = end;
            let word = &self.text[start..end];
            if ascii {
                self.token.text.push_str(word);
                self.token.text.make_ascii_lowercase();
            } else {
                let mut stream = self.unicode.token_stream(word);
                if stream.advance() {
                    self.token.text.push_str(&stream.token().text);
                }
            }
            return true;
        }
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{RemoveLongFilter, SimpleTokenizer};

    fn tantivy_chain() -> TextAnalyzer {
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_WORD_LEN))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build()
    }

    fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        let mut stream = analyzer.token_stream(text);
        while stream.advance() {
            out.push(stream.token().clone());
        }
        out
    }

    fn assert_same(text: &str) {
        let mut ours = TextAnalyzer::from(FoldingTokenizer::default());
        assert_eq!(
            tokens(&mut ours, text),
            tokens(&mut tantivy_chain(), text),
            "{text:?}"
        );
    }

    #[test]
    fn tokens_are_tantivys_on_written_text() {
        for text in [
            "",
            "   ",
            "Hello, happy tax payer!",
            "Kağıtçı's İZMİR Straße ﬁnance café-au-lait Ærø",
            "ΣΊΣΥΦΟΣ Москва 北京 e\u{301}cole x² ½ ①",
            "$12 million (10 million euros), 2,300 workers; 4.5 metres",
            "The council’s “plan” — voted 3/4/2021 🎉🎉 ok",
            "a123456789012345678901234567890123456789 short",
            "a12345678901234567890123456789012345678 short",
            "ééééééééééééééééééééé at the boundary of forty bytes",
            "word\u{a0}word\u{2009}word\tword\nword",
            "trailing separator é",
            "é",
            "İ",
        ] {
            assert_same(text);
        }
    }

    #[test]
    fn tokens_are_tantivys_on_random_text() {
        let pool: Vec<char> = "aZ9 ,.'’-éİßﬁ²北\u{301}🎉\u{a0}\nΣ".chars().collect();
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..3000 {
            let len = (state >> 59) as usize * 3;
            let text: String = (0..len)
                .map(|_| {
                    // xorshift64: a fixed sequence, so failures reproduce.
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    pool[(state % pool.len() as u64) as usize]
                })
                .collect();
            assert_same(&text);
        }
    }
}
