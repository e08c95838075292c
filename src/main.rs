// mimalloc: many small allocations on several threads (indexing, answering)
// are markedly faster than with the system allocator, and fragment less.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    dossier::cli::main()
}
