//! A tantivy directory for reading one published generation.
//!
//! Reads go to tantivy's `MmapDirectory`; nothing is ever written. Opening a
//! reader normally creates and locks `.tantivy-meta.lock`, which keeps a
//! writer's garbage collection from deleting segments being opened. A
//! published generation never has a writer, so the lock guards nothing, and
//! taking it would fail on an index the reader may not write to (another
//! user's, or a read-only mount). Here it is a no-op.

use std::io;
use std::path::Path;
use std::sync::Arc;

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr,
};

/// A generation opened for reading only.
#[derive(Debug, Clone)]
pub struct ReadOnlyDir(MmapDirectory);

impl ReadOnlyDir {
    pub fn open(path: &Path) -> tantivy::Result<ReadOnlyDir> {
        Ok(ReadOnlyDir(MmapDirectory::open(path)?))
    }
}

fn refused() -> Arc<io::Error> {
    Arc::new(io::Error::new(
        io::ErrorKind::PermissionDenied,
        "a published index generation is read-only",
    ))
}

impl Directory for ReadOnlyDir {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.0.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        Err(DeleteError::IoError {
            io_error: refused(),
            filepath: path.to_path_buf(),
        })
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.0.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        Err(OpenWriteError::IoError {
            io_error: refused(),
            filepath: path.to_path_buf(),
        })
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.0.atomic_read(path)
    }

    fn atomic_write(&self, _path: &Path, _data: &[u8]) -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            "a published index generation is read-only",
        ))
    }

    fn sync_directory(&self) -> io::Result<()> {
        Ok(())
    }

    fn acquire_lock(&self, _lock: &Lock) -> Result<DirectoryLock, LockError> {
        Ok(DirectoryLock::from(Box::new(())))
    }

    fn watch(&self, _callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        // Readers reload by generation (`CURRENT`), never by tantivy commit.
        Ok(WatchHandle::empty())
    }
}
