//! Shared set-up for the fuzz targets: one engine over the real content,
//! built once per process into a temporary index directory.

use std::path::Path;
use std::sync::OnceLock;

use dossier::answer::Engine;

struct Shared {
    engine: Engine,
    // Kept alive for as long as the engine reads from it.
    _dir: tempfile::TempDir,
}

static SHARED: OnceLock<Shared> = OnceLock::new();

/// The engine over `content/`, indexed on first use.
pub fn engine() -> &'static Engine {
    &SHARED
        .get_or_init(|| {
            let content = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../content"));
            let dir = tempfile::tempdir().expect("temp dir for the index");
            let index = dir.path().join("index");
            dossier::index::reindex(content, &index, &mut |_, _| {})
                .unwrap_or_else(|e| panic!("indexing {}: {e}", content.display()));
            let engine = Engine::open(&index).expect("open the index just built");
            Shared { engine, _dir: dir }
        })
        .engine
}
