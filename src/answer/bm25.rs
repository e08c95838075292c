//! BM25's best documents for a union of many terms, quick even when some
//! of the terms are common.
//!
//! A union of terms is scored, in tantivy, by walking every posting list
//! (block-max WAND prunes little when many documents score alike), so one
//! common word in a question costs a pass over a large share of the index.
//! Here the rare terms find the candidates and the common ones only add
//! their BM25 share to those candidates, read by skipping through their
//! posting lists (Lucene's "common terms" query, in the same spirit). The
//! scores are exactly the union's for every document returned; what can
//! differ is which documents are returned, when many that hold only common
//! terms would outrank the candidates (they score least: their terms are
//! the least informative). When every term is common, the least common
//! one finds the candidates.

use tantivy::collector::TopDocs;
use tantivy::postings::Postings;
use tantivy::query::{Bm25Weight, BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocSet, Searcher, Term};

/// Share of the documents above which a term is common: its posting list
/// is then long enough that reading it whole costs more than skipping to
/// the candidates. Set by measurement (`dossier bench`, 120,000 documents:
/// search p99 fell by about half against scoring every term in the union).
const COMMON_SHARE: f64 = 0.01;
/// Documents a term must also be held by to be common: a posting list
/// this short is read whole in microseconds, so small indexes are searched
/// as plain unions. (At 4,096, words held by a few thousand of the 120,000
/// documents of `dossier bench` were read whole: search p99 was about
/// twice as high.)
const COMMON_MIN_DOCS: u64 = 1_024;
/// Candidates the rare terms find per document asked for, for the common
/// terms to reorder.
const CANDIDATES_PER_RESULT: usize = 4;

/// The `limit` documents with the best BM25 score for the union of
/// `terms`, holding every one of `filters`, best first.
pub(crate) fn top_docs(
    searcher: &Searcher,
    terms: Vec<Term>,
    filters: &[Term],
    limit: usize,
) -> tantivy::Result<Vec<(f32, DocAddress)>> {
    let (first, later) = split_by_frequency(searcher, terms)?;
    if first.is_empty() {
        return Ok(Vec::new());
    }
    let wanted = if later.is_empty() {
        limit
    } else {
        limit * CANDIDATES_PER_RESULT
    };
    let query = filtered(union(first), filters);
    let mut top = searcher.search(&query, &TopDocs::with_limit(wanted).order_by_score())?;
    if !later.is_empty() {
        add_scores(searcher, &later, &mut top)?;
        top.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        top.truncate(limit);
    }
    Ok(top)
}

/// The terms the index holds, split into those that find the candidates
/// (the rare ones, or the least common one when all are common) and the
/// common ones.
fn split_by_frequency(
    searcher: &Searcher,
    terms: Vec<Term>,
) -> tantivy::Result<(Vec<Term>, Vec<Term>)> {
    let mut held = Vec::with_capacity(terms.len());
    for term in terms {
        let df = searcher.doc_freq(&term)?;
        if df > 0 {
            held.push((df, term));
        }
    }
    held.sort_by_key(|(df, _)| *df);
    let common =
        |df: u64| df >= COMMON_MIN_DOCS && df as f64 > COMMON_SHARE * searcher.num_docs() as f64;
    let rare = held
        .iter()
        .take_while(|(df, _)| !common(*df))
        .count()
        .max(1)
        .min(held.len());
    let later = held.split_off(rare);
    let strip = |v: Vec<(u64, Term)>| v.into_iter().map(|(_, t)| t).collect();
    Ok((strip(held), strip(later)))
}

fn union(terms: Vec<Term>) -> BooleanQuery {
    BooleanQuery::new(
        terms
            .into_iter()
            .map(|t| {
                let q: Box<dyn Query> = Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs));
                (Occur::Should, q)
            })
            .collect(),
    )
}

/// The union alone when nothing filters it (so tantivy can prune it), else
/// the union and every filter term required.
fn filtered(union: BooleanQuery, filters: &[Term]) -> BooleanQuery {
    if filters.is_empty() {
        return union;
    }
    let union: Box<dyn Query> = Box::new(union);
    BooleanQuery::new(
        std::iter::once((Occur::Must, union))
            .chain(
                filters
                    .iter()
                    .map(|t| (Occur::Must, super::term_query(t.clone()))),
            )
            .collect(),
    )
}

/// Adds each term's BM25 share (as a `TermQuery` would score it) to the
/// documents of `top` that hold it.
fn add_scores(
    searcher: &Searcher,
    terms: &[Term],
    top: &mut [(f32, DocAddress)],
) -> tantivy::Result<()> {
    // Posting lists are read forwards: documents in index order.
    let mut order: Vec<usize> = (0..top.len()).collect();
    order.sort_by_key(|&i| top[i].1);
    for term in terms {
        let weight = Bm25Weight::for_terms(searcher, std::slice::from_ref(term))?;
        let mut segment = None;
        let mut postings = None;
        let mut norms = None;
        for &i in &order {
            let address = top[i].1;
            if segment != Some(address.segment_ord) {
                segment = Some(address.segment_ord);
                let reader = searcher.segment_reader(address.segment_ord);
                postings = reader
                    .inverted_index(term.field())?
                    .read_postings(term, IndexRecordOption::WithFreqs)?;
                norms = Some(reader.get_fieldnorms_reader(term.field())?);
            }
            let (Some(p), Some(n)) = (postings.as_mut(), norms.as_ref()) else {
                continue;
            };
            if p.doc() <= address.doc_id && p.seek(address.doc_id) == address.doc_id {
                top[i].0 += weight.score(n.fieldnorm_id(address.doc_id), p.term_freq());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{Index, TantivyDocument};

    use super::*;

    /// 6,000 documents: all hold "common", three in four "also", one in a
    /// hundred "rare" (twice), so "common" and "also" are common terms.
    fn searcher() -> (Searcher, tantivy::schema::Field) {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for i in 0..6_000 {
            let mut text = String::from("common words here");
            if i % 4 != 0 {
                text.push_str(" also");
            }
            if i % 100 == 0 {
                text.push_str(" rare rare");
            }
            let mut doc = TantivyDocument::default();
            doc.add_text(body, &text);
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        (index.reader().unwrap().searcher(), body)
    }

    fn terms(body: tantivy::schema::Field, words: &[&str]) -> Vec<Term> {
        words
            .iter()
            .map(|w| Term::from_field_text(body, w))
            .collect()
    }

    #[test]
    fn common_terms_score_the_candidates_as_the_full_union_does() {
        let (searcher, body) = searcher();
        let words = terms(body, &["common", "also", "rare", "absent"]);
        let fast = top_docs(&searcher, words.clone(), &[], 10).unwrap();
        let full = searcher
            .search(&union(words), &TopDocs::with_limit(10).order_by_score())
            .unwrap();
        assert_eq!(fast.len(), 10);
        for ((a, da), (b, db)) in fast.iter().zip(&full) {
            assert_eq!(da, db);
            assert!((a - b).abs() < 1e-4, "{a} against {b}");
        }
    }

    #[test]
    fn when_all_terms_are_common_every_result_holds_the_least_common() {
        let (searcher, body) = searcher();
        let top = top_docs(&searcher, terms(body, &["common", "also"]), &[], 5).unwrap();
        assert_eq!(top.len(), 5);
        for (_, address) in top {
            assert_ne!(address.doc_id % 4, 0, "a document without the rarer term");
        }
        assert!(
            top_docs(&searcher, terms(body, &["absent"]), &[], 5)
                .unwrap()
                .is_empty()
        );
    }
}
