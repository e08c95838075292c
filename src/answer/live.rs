//! Serving from the newest index generation without a restart.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use super::Engine;
use crate::index::{self, IndexError};

/// An engine that follows the index directory: when a reindex publishes a
/// new generation, the next call to [`Live::engine`] opens and returns it.
/// If the new generation cannot be opened, the previous engine keeps serving.
pub struct Live {
    dir: PathBuf,
    state: RwLock<(PathBuf, Arc<Engine>)>,
    /// The last problem with the index directory that was logged, so each
    /// is logged once when it appears, not on every request.
    problem: Mutex<Option<String>>,
    /// Held while a new generation is opened, outside `state`: requests
    /// keep reading the loaded engine meanwhile, and only one thread loads.
    loading: Mutex<()>,
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
                if current != loaded {
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

    /// Whether a newer generation is waiting to be loaded.
    pub fn reload_pending(&self) -> bool {
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        matches!(index::current_generation(&self.dir), Ok(Some(current)) if current != state.0)
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
                let engine = Arc::new(engine);
                tracing::info!(
                    generation = engine.catalog().manifest.generation,
                    "loaded new index generation"
                );
                *state = (current, engine.clone());
                Some(engine)
            }
            Err(e) => {
                tracing::error!("cannot open the new index, serving the previous one: {e}");
                // Remember the failure so it is not retried on every request.
                state.0 = current;
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
}
