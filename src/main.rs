// mimalloc: many small allocations on several threads (indexing, answering)
// are markedly faster than with the system allocator, and fragment less.
// Version 2 (the `v2` feature) rather than 3: it purges freed pages sooner
// (BENCHMARKS.md, "Autocomplete in one string, mimalloc 2"). Built without
// transparent huge pages (`no_thp`): a 2 MiB page counts whole in the
// process's memory however little of it is used, and the engine's many
// small objects leave most huge pages part-used (BENCHMARKS.md, "Memory
// given back at once, no huge pages, 8-bit vectors").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    dossier::cli::main(give_back_freed_memory_at_once)
}

/// For the server: freed pages go back to the system as soon as they are
/// free instead of 10 ms later. mimalloc purges a delayed page only when
/// the thread that freed it next allocates, so threads that answered a
/// burst and then sat idle kept its memory for as long as they were idle.
/// Short-lived commands keep the default: a reindex that gave pages back at
/// once faulted half again as many pages in and took about 4% longer
/// (BENCHMARKS.md, "Why targets are missed"). `MIMALLOC_PURGE_DELAY` in
/// the environment still overrides it.
fn give_back_freed_memory_at_once() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: sets one of mimalloc's integer options before any other
    // thread exists; mimalloc reads the option each time it purges, so the
    // new value holds from here on.
    #[allow(unsafe_code)]
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
    }
}

/// `mi_option_purge_delay` in mimalloc 2's `mimalloc.h` (the crate names
/// only some of the options).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
