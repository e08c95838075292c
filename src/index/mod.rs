//! The index: a tantivy index of passages and facts plus a catalog, built
//! from content/ in whole generations that replace each other atomically.
//!
//! Invariants: a reader only ever opens a complete generation; a failed or
//! interrupted reindex leaves the current generation untouched; at most one
//! reindex runs at a time per index directory.

mod build;
mod catalog;
mod readonly;
mod schema;
mod store;

use std::path::{Path, PathBuf};
use std::time::Duration;

use tantivy::{Index, IndexReader, ReloadPolicy};

pub use build::Progress;
pub use catalog::{ArticleMeta, CATALOG_FILE, Catalog, MANIFEST_FILE, Manifest};
pub use schema::{Fields, KIND_FACT, KIND_PASSAGE, SCHEMA_VERSION, passage_key};
pub use store::IndexDir;

use crate::content::{self, ContentError};

/// Why the index could not be built or opened.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error(transparent)]
    Content(#[from] ContentError),
    #[error("another reindex of {} is running; wait for it to finish and try again", .0.display())]
    Busy(PathBuf),
    #[error("no index in {}: run `dossier reindex` to build it", .0.display())]
    Missing(PathBuf),
    #[error("the index in {} was built by another version of dossier (schema {found}, expected {expected}): run `dossier reindex` to rebuild it", path.display())]
    SchemaMismatch {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    #[error("the index in {} is damaged ({reason}): run `dossier reindex` to rebuild it", path.display())]
    Corrupt { path: PathBuf, reason: String },
    #[error("could not access {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

/// Builds a new generation of the index in `index_dir` from `content_dir`
/// and makes it current. On any error the current generation stays as it was.
pub fn reindex(
    content_dir: &Path,
    index_dir: &Path,
    progress: Progress<'_>,
) -> Result<Manifest, IndexError> {
    tracing::debug!("reindexing");
    let dir = IndexDir::new(index_dir);
    let lock = dir.lock()?;
    let current = match dir.current() {
        Ok(current) => current,
        // Whatever `CURRENT` holds, the new generation replaces it.
        Err(IndexError::Corrupt { path, reason }) => {
            tracing::warn!(
                "{} is damaged ({reason}); the new index replaces it",
                path.display()
            );
            None
        }
        Err(e) => return Err(e),
    };
    let fingerprint = content::fingerprint(content_dir).map_err(|source| IndexError::Io {
        path: content_dir.to_path_buf(),
        source,
    })?;
    tracing::debug!("fingerprinted the content");
    let corpus = content::load(content_dir)?;
    tracing::debug!("loaded the content");
    if let Some(current) = current
        && matches!(
            read_manifest(&current),
            Err(IndexError::SchemaMismatch { .. }
                | IndexError::Corrupt { .. }
                | IndexError::Io { .. })
        )
    {
        dir.clear(&lock)?;
    }
    let scratch = dir.scratch(&lock)?;
    let generation = dir.next_generation()?;
    let result = build::build(&corpus, &scratch, generation, fingerprint, progress);
    match result {
        Ok(manifest) => {
            dir.publish(&lock, &scratch, generation)?;
            Ok(manifest)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&scratch);
            Err(e)
        }
    }
}

/// Builds a generation from a corpus already in memory (for evaluating
/// stories apart from `content/`) and makes it current.
pub fn build_from(corpus: &content::Corpus, index_dir: &Path) -> Result<Manifest, IndexError> {
    let dir = IndexDir::new(index_dir);
    let lock = dir.lock()?;
    let scratch = dir.scratch(&lock)?;
    let generation = dir.next_generation()?;
    let manifest = build::build(corpus, &scratch, generation, String::new(), &mut |_, _| {})?;
    dir.publish(&lock, &scratch, generation)?;
    Ok(manifest)
}

/// One opened generation: its catalog and a reader over its tantivy index.
pub struct Snapshot {
    pub dir: PathBuf,
    pub catalog: Catalog,
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
}

/// Opens the current generation of `index_dir`.
///
/// A generation can be replaced and removed between reading `CURRENT` and
/// opening it; opening is then retried on the new one.
pub fn open(index_dir: &Path) -> Result<Snapshot, IndexError> {
    let dir = IndexDir::new(index_dir);
    let mut attempt = 0;
    loop {
        let Some(generation) = dir.current()? else {
            return Err(IndexError::Missing(index_dir.to_path_buf()));
        };
        match open_generation(&generation) {
            Ok(snapshot) => return Ok(snapshot),
            Err(e) if attempt < 3 && !generation.exists() => {
                attempt += 1;
                tracing::debug!(
                    "generation {} vanished while opening: {e}",
                    generation.display()
                );
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(_) if !generation.exists() => {
                return Err(missing_generation(index_dir, &generation));
            }
            Err(e) => return Err(e),
        }
    }
}

/// The generation `CURRENT` names, without opening it.
pub fn current_generation(index_dir: &Path) -> Result<Option<PathBuf>, IndexError> {
    IndexDir::new(index_dir).current()
}

fn read_manifest(generation: &Path) -> Result<Manifest, IndexError> {
    let path = generation.join(MANIFEST_FILE);
    let bytes = std::fs::read(&path).map_err(|source| IndexError::Io {
        path: path.clone(),
        source,
    })?;
    #[derive(serde::Deserialize)]
    struct Version {
        schema_version: u32,
    }
    let found = serde_json::from_slice::<Version>(&bytes)
        .map_err(|e| IndexError::Corrupt {
            path: path.clone(),
            reason: e.to_string(),
        })?
        .schema_version;
    if found != SCHEMA_VERSION {
        return Err(IndexError::SchemaMismatch {
            path: generation.to_path_buf(),
            found,
            expected: SCHEMA_VERSION,
        });
    }
    serde_json::from_slice(&bytes).map_err(|e| IndexError::Corrupt {
        path,
        reason: e.to_string(),
    })
}

/// The manifest of the current generation, without opening it: what it
/// holds and whether this version of dossier can read it.
pub fn manifest(index_dir: &Path) -> Result<Manifest, IndexError> {
    let dir = IndexDir::new(index_dir);
    let Some(generation) = dir.current()? else {
        return Err(IndexError::Missing(index_dir.to_path_buf()));
    };
    match read_manifest(&generation) {
        Err(IndexError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            if generation.exists() {
                // An index from before manifests existed: rebuild it.
                Err(IndexError::SchemaMismatch {
                    path: generation,
                    found: 1,
                    expected: SCHEMA_VERSION,
                })
            } else {
                Err(missing_generation(index_dir, &generation))
            }
        }
        other => other,
    }
}

/// `CURRENT` names a generation that is not there.
fn missing_generation(index_dir: &Path, generation: &Path) -> IndexError {
    let name = generation.file_name().unwrap_or_default().to_string_lossy();
    IndexError::Corrupt {
        path: index_dir.to_path_buf(),
        reason: format!("`CURRENT` names {name}, which does not exist"),
    }
}

/// A tantivy error met while opening a generation: the generation's files
/// are damaged. The reason is kept short; tantivy's can run to a kilobyte.
fn damaged(generation: &Path, e: impl std::fmt::Display) -> IndexError {
    const MAX: usize = 160;
    let text = e.to_string();
    let first = text.lines().next().unwrap_or_default();
    let mut reason: String = first.chars().take(MAX).collect();
    if first.chars().count() > MAX {
        reason.push('…');
    }
    IndexError::Corrupt {
        path: generation.to_path_buf(),
        reason,
    }
}

/// Decompressed blocks of stored paragraphs kept per segment (tantivy's
/// default is 100, 16 KiB each). A question reads a handful of paragraphs,
/// often neighbours in one block; questions about other articles seldom
/// hit the same blocks again. At 10,000 articles 10 blocks gave the same
/// `ask` latency as 100 with 3 MB less memory (BENCHMARKS.md, "Memory given
/// back at once, no huge pages, 8-bit vectors").
const STORE_CACHE_BLOCKS: usize = 10;

fn open_generation(generation: &Path) -> Result<Snapshot, IndexError> {
    read_manifest(generation)?;
    let path = generation.join(CATALOG_FILE);
    let file = std::fs::File::open(&path).map_err(|source| IndexError::Io {
        path: path.clone(),
        source,
    })?;
    let mut catalog: Catalog =
        serde_json::from_reader(std::io::BufReader::new(file)).map_err(|e| {
            IndexError::Corrupt {
                path,
                reason: e.to_string(),
            }
        })?;
    catalog.shrink_to_fit();
    // Read-only: no lock file, so an index the reader may not write opens.
    let index = readonly::ReadOnlyDir::open(generation)
        .and_then(Index::open)
        .map_err(|e| damaged(generation, e))?;
    schema::register_tokenizers(&index);
    let fields = Fields::from_schema(&index.schema()).map_err(|e| damaged(generation, e))?;
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .doc_store_cache_num_blocks(STORE_CACHE_BLOCKS)
        .try_into()
        .map_err(|e| damaged(generation, e))?;
    Ok(Snapshot {
        dir: generation.to_path_buf(),
        catalog,
        index,
        reader,
        fields,
    })
}

/// Whether `content_dir` holds other stories than the index: it has
/// articles, and none of them (by file name or by id) is one the index
/// holds. An edited content directory, or a copy of it, shares its stories
/// with the index; that it changed is only noted.
pub fn holds_other_stories(snapshot: &Snapshot, content_dir: &Path) -> bool {
    let ids: std::collections::HashSet<&str> = snapshot
        .catalog
        .articles
        .iter()
        .map(|a| a.id.as_str())
        .collect();
    !ids.is_empty() && content::holds_any_of(content_dir, |id| ids.contains(id)) == Some(false)
}

/// Whether the content in `content_dir` differs from what the index was
/// built from. `None` when there is no content directory to compare with.
pub fn is_stale(snapshot: &Snapshot, content_dir: &Path) -> Option<bool> {
    let now = content::fingerprint(content_dir).ok()?;
    Some(now != snapshot.catalog.manifest.content_fingerprint)
}
