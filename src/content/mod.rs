//! Content: articles, entities, facts and the lexicon, as editors write them
//! in a content directory, loaded and validated into a [`Corpus`].
//!
//! Layout of a content directory:
//!
//! ```text
//! articles/SLUG.md      one article: TOML front matter between `+++` lines, then the text
//! entities.toml         [[entity]] tables: id, name, kind, aliases, description
//! facts/*.toml          [[fact]] tables, each with one or more [[fact.cite]]
//! lexicon.toml          optional: synonyms = [["broker", "mediate"], ...]
//! ```

mod diagnostic;
mod load;
mod matcher;
mod model;

use std::path::PathBuf;

pub use diagnostic::{Diagnostic, Diagnostics, line_column};
pub use load::{ARTICLES_DIR, ENTITIES_FILE, FACTS_DIR, LEXICON_FILE, load, split_paragraphs};
pub use matcher::{EntityMatcher, Mention};
pub use model::{Article, Cite, Corpus, Entity, Fact, Intent, Lexicon, Topic};

/// Why content could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    #[error("content directory {} does not exist", .0.display())]
    Missing(PathBuf),
    #[error("could not read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(Diagnostics),
}

/// A cheap fingerprint of the content files (names, sizes and modification
/// times, like `make`), so an index can tell whether the content changed
/// since it was built without reading every file.
pub fn fingerprint(dir: &std::path::Path) -> std::io::Result<String> {
    let mut files = Vec::new();
    collect_files(dir, dir, &mut files)?;
    files.sort();
    let mut hash = Fnv::default();
    for rel in files {
        let meta = std::fs::metadata(dir.join(&rel))?;
        let modified = meta
            .modified()?
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        hash.write(rel.to_string_lossy().as_bytes());
        hash.write(&[0]);
        hash.write(&meta.len().to_le_bytes());
        hash.write(&modified.to_le_bytes());
    }
    Ok(format!("{:016x}", hash.0))
}

fn collect_files(
    root: &std::path::Path,
    dir: &std::path::Path,
    out: &mut Vec<PathBuf>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(root, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "md" || e == "toml") {
            out.push(path.strip_prefix(root).unwrap_or(&path).to_path_buf());
        }
    }
    Ok(())
}

/// 64-bit FNV-1a: stable across builds and platforms, unlike std's hasher.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}
