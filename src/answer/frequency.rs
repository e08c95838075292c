//! How often each story's documents hold a term.
//!
//! Features that weigh a word by how rare it is, or ask whether the sources
//! use it at all, are measured against the story a unit comes from, not
//! the whole index: a story's answers then do not change as other stories
//! are added beside it (its own topic words are rare among 10,000 articles
//! and common within it), and a model fitted on stories indexed one by one
//! holds for the index the bot serves.

use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Searcher, TERMINATED, Term};

/// For each group of documents (one story's), how many documents it has
/// and how many of them hold each word: any of its stems (the word's own
/// and the editor's synonyms) in any of `fields`.
pub(crate) fn within_groups(
    searcher: &Searcher,
    groups: &[Term],
    words: &[Vec<&str>],
    fields: &[Field],
) -> tantivy::Result<Vec<(u32, Vec<u32>)>> {
    let mut out: Vec<(u32, Vec<u32>)> = vec![(0, vec![0; words.len()]); groups.len()];
    for reader in searcher.segment_readers() {
        // Every live document of every group in this segment, in index
        // order, with its group.
        let mut docs: Vec<(DocId, usize)> = Vec::new();
        for (g, group) in groups.iter().enumerate() {
            let Some(mut p) = reader
                .inverted_index(group.field())?
                .read_postings(group, IndexRecordOption::Basic)?
            else {
                continue;
            };
            while p.doc() != TERMINATED {
                if !reader.is_deleted(p.doc()) {
                    docs.push((p.doc(), g));
                }
                p.advance();
            }
        }
        docs.sort_unstable();
        for &(_, g) in &docs {
            out[g].0 += 1;
        }
        for (s, stems) in words.iter().enumerate() {
            let mut held = vec![false; docs.len()];
            for (stem, &field) in stems
                .iter()
                .flat_map(|s| fields.iter().map(move |f| (s, f)))
            {
                let term = Term::from_field_text(field, stem);
                let Some(mut p) = reader
                    .inverted_index(field)?
                    .read_postings(&term, IndexRecordOption::Basic)?
                else {
                    continue;
                };
                for (h, &(doc, _)) in held.iter_mut().zip(&docs) {
                    if p.doc() <= doc && p.seek(doc) == doc {
                        *h = true;
                    }
                }
            }
            for (&h, &(_, g)) in held.iter().zip(&docs) {
                out[g].1[s] += u32::from(h);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use tantivy::schema::{STRING, Schema, TEXT};
    use tantivy::{Index, TantivyDocument};

    use super::*;

    #[test]
    fn each_group_counts_its_own_documents_holding_a_stem_in_any_field() {
        let mut schema = Schema::builder();
        let group = schema.add_text_field("group", STRING);
        let body = schema.add_text_field("body", TEXT);
        let extra = schema.add_text_field("extra", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for (g, b, e) in [
            ("a", "bridge vote", ""),
            ("a", "bridge closed", "bridge"),
            ("a", "the council", "vote"),
            ("b", "a strike", ""),
            ("b", "the bridge", ""),
        ] {
            let mut doc = TantivyDocument::default();
            doc.add_text(group, g);
            doc.add_text(body, b);
            doc.add_text(extra, e);
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let groups = [
            Term::from_field_text(group, "a"),
            Term::from_field_text(group, "b"),
            Term::from_field_text(group, "c"),
        ];
        let counts = within_groups(
            &searcher,
            &groups,
            &[
                vec!["bridge"],
                vec!["vote"],
                vec!["ferry"],
                vec!["ferry", "strike"],
            ],
            &[body, extra],
        )
        .unwrap();
        assert_eq!(counts[0], (3, vec![2, 2, 0, 0]));
        assert_eq!(counts[1], (2, vec![1, 0, 0, 1]));
        assert_eq!(counts[2], (0, vec![0, 0, 0, 0]));
    }
}
