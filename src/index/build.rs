//! Building one index generation from a validated corpus.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::time::Instant;

use rustc_hash::FxHashMap;
use tantivy::{Index, IndexWriter, TantivyDocument};

use super::IndexError;
use super::catalog::{ArticleMeta, CATALOG_FILE, CatalogRef, MANIFEST_FILE, Manifest};
use super::schema::{self, Fields, KIND_FACT, KIND_PASSAGE, SCHEMA_VERSION};
use crate::content::{Corpus, EntityMatcher};
use crate::text;

/// Memory the tantivy writer may use before flushing a segment (shared by
/// its threads, one per core). Large enough that 10,000 articles make one
/// segment per thread; the segments are not merged at the end (a merge took
/// a sixth of a reindex, and searching two segments costs about what one
/// does).
const WRITER_MEMORY: usize = 200 * 1024 * 1024;

/// Progress of a build: documents written so far out of the total.
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

/// Writes the tantivy index and the catalog for `corpus` into the empty
/// directory `dir`: documents for passages and facts, then the catalog and
/// the manifest.
pub fn build(
    corpus: &Corpus,
    dir: &Path,
    generation: u64,
    content_fingerprint: String,
    progress: Progress<'_>,
) -> Result<Manifest, IndexError> {
    let started = Instant::now();
    let index = Index::create_in_dir(dir, schema::schema())?;
    schema::register_tokenizers(&index);
    let total = (corpus.paragraph_count() + corpus.facts.len()) as u64;
    let mut docs = Documents {
        fields: Fields::from_schema(&index.schema())?,
        writer: index.writer(WRITER_MEMORY)?,
        vocabulary: Vocabulary::default(),
        done: 0,
        total,
        progress,
    };
    let text_bytes = docs.add_passages(corpus)?;
    docs.add_facts(corpus)?;
    docs.count_names(corpus);
    tracing::debug!(elapsed = ?started.elapsed(), "documents added");
    docs.writer.commit()?;
    docs.writer.wait_merging_threads()?;
    let segments = index.searchable_segment_ids()?.len();
    tracing::debug!(elapsed = ?started.elapsed(), segments, "committed");
    (docs.progress)(total, total);

    let manifest = Manifest {
        schema_version: SCHEMA_VERSION,
        generation,
        content_fingerprint,
        built_at: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        build_millis: started.elapsed().as_millis() as u64,
        articles: corpus.articles.len(),
        paragraphs: corpus.paragraph_count(),
        facts: corpus.facts.len(),
        entities: corpus.entities.len(),
        text_bytes,
    };
    let catalog = CatalogRef {
        manifest: &manifest,
        articles: corpus.articles.iter().map(ArticleMeta::from).collect(),
        entities: &corpus.entities,
        facts: &corpus.facts,
        lexicon: &corpus.lexicon,
        vocabulary: docs.vocabulary.into_sorted(),
    };
    write_json(&dir.join(CATALOG_FILE), serde_json::to_vec(&catalog))?;
    tracing::debug!(elapsed = ?started.elapsed(), "catalog written");
    write_json(
        &dir.join(MANIFEST_FILE),
        serde_json::to_vec_pretty(&manifest),
    )?;
    Ok(manifest)
}

/// The documents of one build on their way into tantivy, with the
/// vocabulary counted as they go.
struct Documents<'p> {
    fields: Fields,
    writer: IndexWriter,
    vocabulary: Vocabulary,
    done: u64,
    total: u64,
    progress: Progress<'p>,
}

impl Documents<'_> {
    fn add(&mut self, doc: TantivyDocument) -> Result<(), IndexError> {
        self.writer.add_document(doc)?;
        self.done += 1;
        if self.done.is_multiple_of(4096) {
            (self.progress)(self.done, self.total);
        }
        Ok(())
    }

    /// One document per paragraph: its text, the entities it names and the
    /// topics of the facts citing it. Returns the bytes of text indexed.
    fn add_passages(&mut self, corpus: &Corpus) -> Result<u64, IndexError> {
        let f = self.fields;
        let matcher = EntityMatcher::new(&corpus.entities);
        let cited_topics = cited_topics(corpus);
        let mut text_bytes = 0u64;
        // The words of each paragraph, their buffers reused.
        let mut words = Vec::new();
        for (ai, article) in corpus.articles.iter().enumerate() {
            for (i, paragraph) in article.paragraphs.iter().enumerate() {
                let number = i as u32 + 1;
                let mut doc = TantivyDocument::default();
                doc.add_text(f.kind, KIND_PASSAGE);
                doc.add_text(f.article, &article.id);
                doc.add_u64(f.paragraph, u64::from(number));
                for topic in cited_topics
                    .get(&(article.id.as_str(), number))
                    .into_iter()
                    .flatten()
                {
                    doc.add_text(f.topic, topic);
                }
                // One pass over the words finds the names and counts the vocabulary.
                text::spans_into(paragraph, &mut words);
                let mut mentioned: Vec<usize> = matcher
                    .find(paragraph, &words)
                    .iter()
                    .map(|m| m.entity)
                    .collect();
                mentioned.sort_unstable();
                mentioned.dedup();
                for e in mentioned {
                    doc.add_text(f.entity, corpus.entities[e].key());
                }
                doc.add_text(f.body, paragraph);
                doc.add_text(f.passage, schema::passage_key(&article.id, number));
                doc.add_u64(f.article_ord, ai as u64);
                self.add(doc)?;
                self.vocabulary
                    .count(words.iter().map(|w| w.folded.as_str()));
                text_bytes += paragraph.len() as u64;
            }
        }
        Ok(text_bytes)
    }

    /// One document per fact: its statement, and apart from it its title,
    /// keywords, quotes and the names of its entities.
    fn add_facts(&mut self, corpus: &Corpus) -> Result<(), IndexError> {
        let f = self.fields;
        let entity_keys: HashMap<String, usize> = corpus
            .entities
            .iter()
            .enumerate()
            .map(|(i, e)| (e.key(), i))
            .collect();
        let mut words = Vec::new();
        for (ord, fact) in corpus.facts.iter().enumerate() {
            let mut doc = TantivyDocument::default();
            doc.add_text(f.kind, KIND_FACT);
            if let Some(cite) = fact.cites.first() {
                doc.add_text(f.article, &cite.article);
                doc.add_u64(f.paragraph, u64::from(cite.paragraph));
            }
            doc.add_u64(f.fact, ord as u64);
            doc.add_text(f.topic, fact.topic.as_str());
            for e in fact.about.iter().chain(fact.speaker.iter()) {
                doc.add_text(f.entity, e);
            }
            doc.add_text(f.fact_body, &fact.text);
            let extra = fact_extra_text(corpus, &entity_keys, fact);
            doc.add_text(f.extra, &extra);
            self.add(doc)?;
            for text in [fact.text.as_str(), &extra] {
                text::spans_into(text, &mut words);
                self.vocabulary
                    .count(words.iter().map(|w| w.folded.as_str()));
            }
        }
        Ok(())
    }

    /// Counts the entities' names into the vocabulary (the speller knows
    /// them even where no text uses them).
    fn count_names(&mut self, corpus: &Corpus) {
        let mut words = Vec::new();
        for name in corpus.entities.iter().flat_map(|e| e.names()) {
            text::spans_into(name, &mut words);
            self.vocabulary
                .count(words.iter().map(|w| w.folded.as_str()));
        }
    }
}

/// Topics of the facts citing each paragraph, so passages can be filtered
/// by topic.
fn cited_topics(corpus: &Corpus) -> FxHashMap<(&str, u32), BTreeSet<&str>> {
    let mut out: FxHashMap<(&str, u32), BTreeSet<&str>> = FxHashMap::default();
    for fact in &corpus.facts {
        for cite in &fact.cites {
            out.entry((cite.article.as_str(), cite.paragraph))
                .or_default()
                .insert(fact.topic.as_str());
        }
    }
    out
}

/// Every folded word of the corpus with the number of texts holding it.
#[derive(Default)]
struct Vocabulary {
    /// Word → (texts holding it, the last text that did).
    words: FxHashMap<String, (u32, u32)>,
    /// Texts counted so far.
    texts: u32,
}

impl Vocabulary {
    /// Counts each distinct word of one text once, allocating only for
    /// words not seen before.
    fn count<'a>(&mut self, words: impl Iterator<Item = &'a str>) {
        self.texts += 1;
        let text = self.texts;
        for w in words {
            match self.words.get_mut(w) {
                Some((n, last)) => {
                    if *last != text {
                        *n += 1;
                        *last = text;
                    }
                }
                None => {
                    self.words.insert(w.to_string(), (1, text));
                }
            }
        }
    }

    fn into_sorted(self) -> Vec<(String, u32)> {
        let mut out: Vec<(String, u32)> =
            self.words.into_iter().map(|(w, (n, _))| (w, n)).collect();
        out.sort();
        out
    }
}

/// The searchable words of a fact besides its statement: title, keywords,
/// quotes and the names of the entities it is about.
fn fact_extra_text(
    corpus: &Corpus,
    entity_keys: &HashMap<String, usize>,
    fact: &crate::content::Fact,
) -> String {
    // The topic's name, so "what are the terms" finds the terms.
    let mut parts: Vec<&str> = vec![&fact.title, fact.topic.as_str()];
    parts.extend(fact.keywords.iter().map(String::as_str));
    parts.extend(fact.cites.iter().map(|c| c.quote.as_str()));
    for key in fact.about.iter().chain(fact.speaker.iter()) {
        if let Some(&e) = entity_keys.get(key) {
            parts.extend(corpus.entities[e].names());
        }
    }
    parts.join(" \n ")
}

/// Writes serialized JSON to `path` and syncs it to disk.
fn write_json(path: &Path, json: serde_json::Result<Vec<u8>>) -> Result<(), IndexError> {
    let json = json.map_err(|e| IndexError::Corrupt {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    write_synced(path, &json)
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), IndexError> {
    use std::io::Write;
    let io = |source| IndexError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::create(path).map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.sync_all().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vocabulary_counts_the_texts_that_hold_each_word() {
        let mut v = Vocabulary::default();
        v.count(["port", "strike", "port"].into_iter());
        v.count(["strike", "ends"].into_iter());
        v.count(["port"].into_iter());
        assert_eq!(
            v.into_sorted(),
            [
                ("ends".to_string(), 1),
                ("port".to_string(), 2),
                ("strike".to_string(), 2)
            ]
        );
    }
}
