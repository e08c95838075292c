//! Serving from the newest index generation without a restart.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use super::Engine;
use crate::index::{self, IndexError};

/// How long a generation that could not be opened is left before it is
/// tried again. The failure may pass (too many open files, memory, a disk
/// back from an error); trying on every request would repeat the cost and
/// the log line. Set by judgement: a minute of the previous index is a
/// small price, and the log shows one line a minute while it lasts.
const RETRY_AFTER: Duration = Duration::from_secs(60);

/// An engine that follows the index directory: when a reindex publishes a
/// new generation, the next call to [`Live::engine`] opens and returns it.
/// If the new generation cannot be opened, the previous engine keeps serving
/// and the new one is tried again after [`RETRY_AFTER`].
pub struct Live {
    dir: PathBuf,
    state: RwLock<(PathBuf, Arc<Engine>)>,
    /// The last problem with the index directory that was logged, so each
    /// is logged once when it appears, not on every request.
    problem: Mutex<Option<String>>,
    /// Held while a new generation is opened, outside `state`: requests
    /// keep reading the loaded engine meanwhile, and only one thread loads.
    loading: Mutex<()>,
    /// The generation that last failed to open, and when.
    failed: Mutex<Option<(PathBuf, Instant)>>,
    retry_after: Duration,
}

impl Live {
    pub fn open(dir: &Path) -> Result<Live, IndexError> {
        let snapshot = index::open(dir)?;
        let generation = snapshot.dir.clone();
        let engine = Arc::new(Engine::from_snapshot(snapshot)?);
        Ok(Live {
            dir: dir.to_path_buf(),
            state: RwLock::new((generation, engine)),
            problem: Mutex::new(None),
            loading: Mutex::new(()),
            failed: Mutex::new(None),
            retry_after: RETRY_AFTER,
        })
    }

    /// The engine of the current generation.
    pub fn engine(&self) -> Arc<Engine> {
        let (loaded, engine) = {
            let state = self.state.read().unwrap_or_else(|e| e.into_inner());
            (state.0.clone(), state.1.clone())
        };
        match index::current_generation(&self.dir) {
            Ok(Some(current)) => {
                self.note(None);
                if current != loaded && self.may_try(&current) {
                    return self.reload(current).unwrap_or(engine);
                }
                engine
            }
            Ok(None) => {
                self.note(Some(format!(
                    "the index in {} is gone; serving the loaded index until `dossier reindex` rebuilds it",
                    self.dir.display()
                )));
                engine
            }
            Err(e) => {
                self.note(Some(format!(
                    "cannot read the index directory, serving the loaded index: {e}"
                )));
                engine
            }
        }
    }

    /// Logs `problem` if it differs from the last one logged.
    fn note(&self, problem: Option<String>) {
        let mut last = self.problem.lock().unwrap_or_else(|e| e.into_inner());
        if *last != problem {
            match &problem {
                Some(p) => tracing::warn!("{p}"),
                None if last.is_some() => tracing::info!("the index directory is readable again"),
                None => {}
            }
            *last = problem;
        }
    }

    /// Whether a newer generation is waiting to be loaded by the next
    /// request.
    pub fn reload_pending(&self) -> bool {
        let loaded = self
            .state
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .0
            .clone();
        matches!(index::current_generation(&self.dir),
            Ok(Some(current)) if current != loaded && self.may_try(&current))
    }

    /// Whether `generation` may be opened now: it has not failed to open
    /// within [`RETRY_AFTER`].
    fn may_try(&self, generation: &Path) -> bool {
        let failed = self.failed.lock().unwrap_or_else(|e| e.into_inner());
        failed
            .as_ref()
            .is_none_or(|(g, at)| g != generation || at.elapsed() >= self.retry_after)
    }

    /// Opens generation `current` and serves it from now on. `None` when it
    /// cannot be opened, or while another thread is opening it: the caller
    /// serves the engine it has.
    fn reload(&self, current: PathBuf) -> Option<Arc<Engine>> {
        let _loading = match self.loading.try_lock() {
            Ok(guard) => guard,
            Err(std::sync::TryLockError::Poisoned(e)) => e.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return None,
        };
        {
            let state = self.state.read().unwrap_or_else(|e| e.into_inner());
            if state.0 == current {
                return Some(state.1.clone());
            }
        }
        let opened = index::open(&self.dir).and_then(Engine::from_snapshot);
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        match opened {
            Ok(engine) => {
                *self.failed.lock().unwrap_or_else(|e| e.into_inner()) = None;
                let engine = Arc::new(engine);
                tracing::info!(
                    generation = engine.catalog().manifest.generation,
                    "loaded new index generation"
                );
                *state = (current, engine.clone());
                Some(engine)
            }
            Err(e) => {
                tracing::error!(
                    "cannot open the new index, serving the previous one and trying again in {} s: {e}",
                    self.retry_after.as_secs()
                );
                *self.failed.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some((current, Instant::now()));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::tests::TempIndex;

    #[test]
    fn requests_are_served_by_the_loaded_engine_while_a_new_one_opens() {
        let t = TempIndex::new();
        let live = Live::open(&t.index).unwrap();
        let generation = |e: Arc<Engine>| e.catalog().manifest.generation;
        let first = generation(live.engine());
        index::reindex(&t.content, &t.index, &mut |_, _| {}).unwrap();
        assert!(live.reload_pending());
        {
            // As if another thread were opening the new generation.
            let _opening = live.loading.lock().unwrap();
            assert_eq!(generation(live.engine()), first);
        }
        assert!(generation(live.engine()) > first);
        assert!(!live.reload_pending());
    }

    #[test]
    fn a_generation_that_failed_to_open_is_tried_again_later() {
        let t = TempIndex::new();
        let mut live = Live::open(&t.index).unwrap();
        let generation = |e: Arc<Engine>| e.catalog().manifest.generation;
        let first = generation(live.engine());
        index::reindex(&t.content, &t.index, &mut |_, _| {}).unwrap();
        let new = index::current_generation(&t.index).unwrap().unwrap();
        let away = new.with_extension("away");
        std::fs::rename(&new, &away).unwrap();
        // It cannot be opened: the loaded index serves, and the failure is
        // not retried at once.
        assert_eq!(generation(live.engine()), first);
        assert!(!live.reload_pending());
        std::fs::rename(&away, &new).unwrap();
        assert_eq!(generation(live.engine()), first);
        // Once the wait is over, the next request opens it.
        live.retry_after = Duration::ZERO;
        assert!(live.reload_pending());
        assert!(generation(live.engine()) > first);
        assert!(!live.reload_pending());
    }
}
