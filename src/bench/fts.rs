//! The SQLite FTS5 baseline: the same paragraphs in an FTS5 table (porter
//! stemming over unicode61 tokens), searched by BM25, top 10.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Result;
use rusqlite::{Connection, params};

/// One paragraph to index: article id, paragraph number, text.
pub type Paragraph<'a> = (&'a str, u32, &'a str);

const SEARCH: &str =
    "SELECT article, paragraph, bm25(t) FROM t WHERE t MATCH ?1 ORDER BY bm25(t) LIMIT 10";

/// An FTS5 index of paragraphs in a database file.
pub struct Fts {
    conn: Connection,
}

impl Fts {
    /// Creates the table in a new database at `path` and inserts every
    /// paragraph in one transaction; returns the index and how long that
    /// took (create, insert, commit).
    pub fn build(path: &Path, paragraphs: &[Paragraph<'_>]) -> Result<(Fts, Duration)> {
        let started = Instant::now();
        let mut conn = Connection::open(path)?;
        conn.execute_batch(
            "CREATE VIRTUAL TABLE t USING fts5(body, article UNINDEXED, paragraph UNINDEXED, \
             tokenize = 'porter unicode61')",
        )?;
        let tx = conn.transaction()?;
        {
            let mut insert =
                tx.prepare("INSERT INTO t (body, article, paragraph) VALUES (?1, ?2, ?3)")?;
            for (article, number, body) in paragraphs {
                insert.execute(params![body, article, number])?;
            }
        }
        tx.commit()?;
        let took = started.elapsed();
        Ok((Fts { conn }, took))
    }

    /// The top 10 paragraphs for `query` by BM25: (article, paragraph, score).
    pub fn search(&self, query: &str) -> Result<Vec<(String, u32, f64)>> {
        let Some(expr) = match_expression(query) else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare_cached(SEARCH)?;
        let rows = stmt.query_map([expr], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// `query` as an FTS5 expression: every word quoted (quotes doubled), OR-ed,
/// so any text is valid syntax and nothing is read as an operator.
pub fn match_expression(query: &str) -> Option<String> {
    let terms: Vec<String> = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" OR "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_text_is_a_valid_match_expression() {
        assert_eq!(match_expression("  ?! "), None);
        assert_eq!(
            match_expression("AND title:x* \"NEAR(a b)\"").as_deref(),
            Some("\"AND\" OR \"title\" OR \"x\" OR \"NEAR\" OR \"a\" OR \"b\"")
        );
        let dir = tempfile::tempdir().expect("tempdir");
        let paragraphs = [
            ("a", 1, "The talks resumed on Friday."),
            ("a", 2, "Prices rose sharply."),
        ];
        let (fts, _) = Fts::build(&dir.path().join("t.db"), &paragraphs).expect("build");
        for q in ["talk", "AND OR NOT", "\"", "x* NEAR(", "prices rising ^ -"] {
            fts.search(q).expect(q);
        }
        let hits = fts.search("talking").expect("search");
        assert_eq!(hits.len(), 1);
        assert_eq!((hits[0].0.as_str(), hits[0].1), ("a", 1));
    }
}
