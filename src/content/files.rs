//! Which files make up a content directory, and reading them safely.
//!
//! Only `entities.toml`, `lexicon.toml` and the files directly inside
//! `articles/` and `facts/` are read: subdirectories never are, so no
//! directory symlink can lead into a loop. A symlink to a file is followed.
//! An entry that is not a regular file (a FIFO, a device, a symlink that
//! loops or points nowhere) is a problem reported against that entry, by
//! `check` and `reindex` alike, and is never opened: opening a FIFO would
//! block, reading a device might never end.

use std::fs;
use std::path::{Path, PathBuf};

use super::ContentError;
use super::diagnostic::{Diagnostic, Diagnostics};
use super::load::{ARTICLES_DIR, ENTITIES_FILE, FACTS_DIR, LEXICON_FILE};

/// The entries of `dir` whose names end in `.ext`, sorted; none if `dir` is
/// absent. Entries are listed by name: what they are is checked on reading.
pub fn listed(dir: &Path, ext: &str) -> Result<Vec<PathBuf>, ContentError> {
    let io = |source| ContentError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(e)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(io)?.path();
        if path.extension().is_some_and(|e| e == ext) {
            files.push(path);
        }
    }
    // One directory: the names alone order the paths. Each name is read
    // out once, as comparing paths (or asking each for its name) parses
    // them anew at every comparison.
    files.sort_by_cached_key(|path| path.file_name().map(std::ffi::OsStr::to_os_string));
    Ok(files)
}

/// What a listed entry turned out to be.
enum Kind {
    File,
    /// A directory that happens to have a content file's name: not content.
    Directory,
    Absent,
}

/// Follows `path` to what it names; a problem is pushed for anything that
/// is neither a regular file, a directory nor absent.
fn kind(path: &Path, diags: &mut Diagnostics) -> Kind {
    match fs::metadata(path) {
        Ok(meta) if meta.is_file() => Kind::File,
        Ok(meta) if meta.is_dir() => Kind::Directory,
        Ok(_) => {
            diags.push(
                Diagnostic::new(path, "not a regular file (a FIFO, socket or device)")
                    .help("content files must be regular files: replace it with one, or remove it"),
            );
            Kind::Absent
        }
        Err(e)
            if e.kind() == std::io::ErrorKind::NotFound && fs::symlink_metadata(path).is_err() =>
        {
            Kind::Absent
        }
        Err(e) => {
            diags.push(
                Diagnostic::new(path, format!("cannot be read: {e}"))
                    .help("if it is a symlink, point it at a regular file, or remove it"),
            );
            Kind::Absent
        }
    }
}

/// The regular files among `paths`; every other entry is reported.
pub fn regular(paths: Vec<PathBuf>, diags: &mut Diagnostics) -> Vec<PathBuf> {
    paths
        .into_iter()
        .filter(|p| matches!(kind(p, diags), Kind::File))
        .collect()
}

/// The text of an optional file such as `entities.toml`: `None` when it is
/// absent; a problem is reported when it is there but not a regular file.
pub fn read_optional(path: &Path, diags: &mut Diagnostics) -> Result<Option<String>, ContentError> {
    match kind(path, diags) {
        Kind::File => read(path).map(Some),
        Kind::Directory => {
            diags.push(
                Diagnostic::new(path, "is a directory")
                    .help("it must be a TOML file; see the content format in README.md"),
            );
            Ok(None)
        }
        Kind::Absent => Ok(None),
    }
}

pub fn read(path: &Path) -> Result<String, ContentError> {
    fs::read_to_string(path).map_err(|source| ContentError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Every entry the loader looks at, by name, whatever each turns out to be,
/// in the order of their paths: the articles, the shared entities, the
/// facts files, the lexicon (each listing is sorted by name).
fn entries(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let listed = |sub: &str, ext: &str| {
        listed(&dir.join(sub), ext).map_err(|e| match e {
            ContentError::Io { source, .. } => source,
            other => std::io::Error::other(other.to_string()),
        })
    };
    let single = |name: &str| Some(dir.join(name)).filter(|p| fs::symlink_metadata(p).is_ok());
    let mut all = listed(ARTICLES_DIR, "md")?;
    all.extend(single(ENTITIES_FILE));
    all.extend(listed(FACTS_DIR, "toml")?);
    all.extend(single(LEXICON_FILE));
    debug_assert!(all.is_sorted());
    Ok(all)
}

/// A cheap fingerprint of the content files (names, sizes and modification
/// times, like `make`), so an index can tell whether the content changed
/// since it was built without reading every file. It covers exactly the
/// entries the loader reads; one it cannot follow counts by name alone
/// (loading reports it).
pub fn fingerprint(dir: &Path) -> std::io::Result<String> {
    let mut hash = Fnv::default();
    for path in entries(dir)? {
        let rel = path.strip_prefix(dir).unwrap_or(&path);
        hash.write(rel.to_string_lossy().as_bytes());
        hash.write(&[0]);
        if let Ok(meta) = fs::metadata(&path) {
            let modified = meta
                .modified()
                .ok()
                .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            hash.write(&meta.len().to_le_bytes());
            hash.write(&modified.to_le_bytes());
        }
    }
    Ok(format!("{:016x}", hash.0))
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
