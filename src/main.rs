// mimalloc: many small allocations on several threads (indexing, answering)
// are markedly faster than with the system allocator, and fragment less.
// Version 2 (the `v2` feature) gives freed pages back 10 ms after they are
// freed, version 3 a second after: serving memory falls sooner after a burst
// (BENCHMARKS.md, "Autocomplete in one string, mimalloc 2").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    dossier::cli::main()
}
