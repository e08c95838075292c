//! The index directory on disk, and how it changes atomically.
//!
//! ```text
//! INDEX/
//!   CURRENT          name of the generation readers open, replaced by rename
//!   .lock            held (flock) by the one reindex allowed at a time
//!   gen-00000007-…/  a complete index: tantivy files and catalog.json,
//!                    read-only once published
//!   .tmp-PID/        a generation being built; never read
//! ```
//!
//! A reindex builds a whole new generation beside the old ones and only then
//! points `CURRENT` at it, so a reader sees the old index or the new one and
//! never a partial one. The two generations before the current one are kept,
//! so a reader that read `CURRENT` just before a switch can still open it.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::IndexError;

const CURRENT: &str = "CURRENT";
const LOCK: &str = ".lock";
const GEN_PREFIX: &str = "gen-";
const TMP_PREFIX: &str = ".tmp-";
/// Generations kept besides the current one.
const KEEP_OLD: usize = 2;
/// Longest `CURRENT` read: a generation name is about 30 bytes.
const MAX_CURRENT: u64 = 128;

/// Whether `name` can be a generation's directory name.
fn is_generation_name(name: &str) -> bool {
    name.strip_prefix(GEN_PREFIX).is_some_and(|rest| {
        !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    })
}

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
    ///
    /// At most [`MAX_CURRENT`] bytes are read, and only from a regular file:
    /// `CURRENT` replaced by a FIFO or a link to `/dev/zero` is reported as
    /// damaged instead of blocking or reading without end.
    pub fn current(&self) -> Result<Option<PathBuf>, IndexError> {
        let path = self.root.join(CURRENT);
        let damaged = |reason: String| IndexError::Corrupt {
            path: path.clone(),
            reason,
        };
        match fs::metadata(&path) {
            Ok(meta) if !meta.is_file() => {
                return Err(damaged("it is not a regular file".to_string()));
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(IndexError::Io { path, source }),
        }
        let mut bytes = Vec::new();
        File::open(&path)
            .and_then(|f| f.take(MAX_CURRENT + 1).read_to_end(&mut bytes))
            .map_err(io_err(&path))?;
        if bytes.len() as u64 > MAX_CURRENT {
            return Err(damaged("it is too long to name a generation".to_string()));
        }
        let name = String::from_utf8_lossy(&bytes);
        let name = name.trim();
        if !is_generation_name(name) {
            let shown: String = name.chars().take(40).collect();
            return Err(damaged(format!("`{shown}` is not a generation name")));
        }
        Ok(Some(self.root.join(name)))
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
        seal(scratch)?;
        sync_dir(scratch)?;
        fs::rename(scratch, &dir).map_err(io_err(&dir))?;
        let tmp = self.root.join(format!("{CURRENT}.tmp"));
        {
            let mut f = File::create(&tmp).map_err(io_err(&tmp))?;
            f.write_all(name.as_bytes()).map_err(io_err(&tmp))?;
            f.sync_all().map_err(io_err(&tmp))?;
        }
        let current = self.root.join(CURRENT);
        // A damaged `CURRENT` that is a directory cannot be renamed over.
        if fs::symlink_metadata(&current).is_ok_and(|m| m.is_dir()) {
            fs::remove_dir_all(&current).map_err(io_err(&current))?;
        }
        fs::rename(&tmp, &current).map_err(io_err(&tmp))?;
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

/// Makes every file of a built generation read-only, before it is
/// published: readers map these files into memory, and a file changed
/// under a reader (truncated, rewritten) can crash it. Only whole
/// generations are ever replaced or removed, never their files.
fn seal(dir: &Path) -> Result<(), IndexError> {
    for entry in fs::read_dir(dir).map_err(io_err(dir))? {
        let path = entry.map_err(io_err(dir))?.path();
        let meta = fs::symlink_metadata(&path).map_err(io_err(&path))?;
        if meta.is_file() {
            fs::set_permissions(&path, read_only(meta.permissions())).map_err(io_err(&path))?;
        }
    }
    Ok(())
}

/// Permissions with every write bit cleared. On Unix every read bit is set
/// too: tantivy writes some files readable by their owner only, and a
/// generation is meant to be readable by any user the directory admits.
fn read_only(permissions: fs::Permissions) -> fs::Permissions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::Permissions::from_mode((permissions.mode() | 0o444) & !0o222 & 0o7777)
    }
    #[cfg(not(unix))]
    {
        let mut permissions = permissions;
        permissions.set_readonly(true);
        permissions
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
