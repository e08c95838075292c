//! The index directory on disk, and how it changes atomically.
//!
//! ```text
//! INDEX/
//!   CURRENT          name of the generation readers open, replaced by rename
//!   .lock            held (flock) by the one reindex allowed at a time
//!   gen-00000007-…/  a complete index: tantivy files and catalog.json
//!   .tmp-PID/        a generation being built; never read
//! ```
//!
//! A reindex builds a whole new generation beside the old ones and only then
//! points `CURRENT` at it, so a reader sees the old index or the new one and
//! never a partial one. The two generations before the current one are kept,
//! so a reader that read `CURRENT` just before a switch can still open it.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::IndexError;

const CURRENT: &str = "CURRENT";
const LOCK: &str = ".lock";
const GEN_PREFIX: &str = "gen-";
const TMP_PREFIX: &str = ".tmp-";
/// Generations kept besides the current one.
const KEEP_OLD: usize = 2;

/// An index directory.
#[derive(Debug, Clone)]
pub struct IndexDir {
    root: PathBuf,
}

/// Proof that this process holds the reindex lock; released on drop.
#[derive(Debug)]
pub struct WriteLock {
    file: File,
}

impl Drop for WriteLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> IndexError + '_ {
    move |source| IndexError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl IndexDir {
    pub fn new(root: impl Into<PathBuf>) -> IndexDir {
        IndexDir { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The generation `CURRENT` names, if there is one.
    pub fn current(&self) -> Result<Option<PathBuf>, IndexError> {
        let path = self.root.join(CURRENT);
        match fs::read_to_string(&path) {
            Ok(name) => {
                let name = name.trim();
                if !name.starts_with(GEN_PREFIX) || name.contains(['/', '\\']) {
                    return Err(IndexError::Corrupt {
                        path,
                        reason: format!("`{name}` is not a generation name"),
                    });
                }
                Ok(Some(self.root.join(name)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(IndexError::Io { path, source }),
        }
    }

    /// Takes the reindex lock, or fails at once if another process holds it.
    pub fn lock(&self) -> Result<WriteLock, IndexError> {
        fs::create_dir_all(&self.root).map_err(io_err(&self.root))?;
        let path = self.root.join(LOCK);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_err(&path))?;
        match file.try_lock() {
            Ok(()) => Ok(WriteLock { file }),
            Err(fs::TryLockError::WouldBlock) => Err(IndexError::Busy(self.root.clone())),
            Err(fs::TryLockError::Error(source)) => Err(IndexError::Io { path, source }),
        }
    }

    /// A fresh directory to build a generation in. Left-overs of interrupted
    /// builds are removed first (the lock proves nobody is using them).
    pub fn scratch(&self, _lock: &WriteLock) -> Result<PathBuf, IndexError> {
        for entry in fs::read_dir(&self.root).map_err(io_err(&self.root))? {
            let entry = entry.map_err(io_err(&self.root))?;
            if entry.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
        let dir = self
            .root
            .join(format!("{TMP_PREFIX}{}", std::process::id()));
        fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        Ok(dir)
    }

    /// Existing generations, oldest first.
    pub fn generations(&self) -> Result<Vec<(u64, PathBuf)>, IndexError> {
        let mut out = Vec::new();
        let entries = match fs::read_dir(&self.root) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(source) => {
                return Err(IndexError::Io {
                    path: self.root.clone(),
                    source,
                });
            }
        };
        for entry in entries {
            let entry = entry.map_err(io_err(&self.root))?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let number = name
                .strip_prefix(GEN_PREFIX)
                .and_then(|rest| rest.split('-').next())
                .and_then(|n| n.parse().ok());
            if let Some(n) = number {
                out.push((n, entry.path()));
            }
        }
        out.sort();
        Ok(out)
    }

    /// The number the next generation gets.
    pub fn next_generation(&self) -> Result<u64, IndexError> {
        Ok(self.generations()?.last().map_or(1, |(n, _)| n + 1))
    }

    /// Moves the built `scratch` directory into place as generation `n` and
    /// makes it current, then drops generations too old to be in use.
    pub fn publish(
        &self,
        _lock: &WriteLock,
        scratch: &Path,
        n: u64,
    ) -> Result<PathBuf, IndexError> {
        // The suffix keeps names unique even when numbering restarts (an
        // index directory deleted and rebuilt), so a reader that compares
        // names never mistakes a new generation for the one it has.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let name = format!("{GEN_PREFIX}{n:08}-{nanos:016x}");
        let dir = self.root.join(&name);
        sync_dir(scratch)?;
        fs::rename(scratch, &dir).map_err(io_err(&dir))?;
        let tmp = self.root.join(format!("{CURRENT}.tmp"));
        {
            let mut f = File::create(&tmp).map_err(io_err(&tmp))?;
            f.write_all(name.as_bytes()).map_err(io_err(&tmp))?;
            f.sync_all().map_err(io_err(&tmp))?;
        }
        fs::rename(&tmp, self.root.join(CURRENT)).map_err(io_err(&tmp))?;
        sync_dir(&self.root)?;
        let gens = self.generations()?;
        let old = gens.len().saturating_sub(KEEP_OLD + 1);
        for (_, path) in gens.into_iter().take(old) {
            if path != dir {
                let _ = fs::remove_dir_all(path);
            }
        }
        Ok(dir)
    }

    /// Removes every generation (before a rebuild with a new schema).
    pub fn clear(&self, _lock: &WriteLock) -> Result<(), IndexError> {
        let _ = fs::remove_file(self.root.join(CURRENT));
        for (_, path) in self.generations()? {
            fs::remove_dir_all(&path).map_err(io_err(&path))?;
        }
        Ok(())
    }
}

/// Flushes a directory's entries to disk, so a rename survives a crash.
fn sync_dir(dir: &Path) -> Result<(), IndexError> {
    match File::open(dir) {
        Ok(f) => {
            let _ = f.sync_all();
            Ok(())
        }
        Err(source) => Err(IndexError::Io {
            path: dir.to_path_buf(),
            source,
        }),
    }
}
