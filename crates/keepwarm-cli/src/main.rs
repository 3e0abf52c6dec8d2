//! The `keepwarm` command: init, check, serve, ingest, leads, bench.
//!
//! Exit codes: 0 success (also when standard output's reader goes away early, as with `| head`);
//! 1 a runtime failure (database, network); 2 bad input (arguments, a `--db` URL that names no
//! supported backend or, for a reading command, no existing file; configuration, lead files).
//! Errors are one line each, `error: ...`, never a panic or backtrace.
#![forbid(unsafe_code)]

mod app;
mod commands;
mod output;
mod reference;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than the system allocator: the dispatcher allocates and frees across threads
/// (rows decoded on SQLite's worker thread, dropped on the runtime's), where glibc's malloc spent
/// 41% of the dispatching thread's time in `malloc`, `free` and `malloc_consolidate` (perf, session 10).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = app::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(e) => exit_with(&e),
    }
}

/// The exit code for a failed command, after its one-line error: 2 for a refused `--db` URL (bad
/// input), 0 quietly when standard output's reader went away, 1 for the rest.
fn exit_with(e: &anyhow::Error) -> ExitCode {
    let broken_pipe = e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    });
    if broken_pipe {
        return ExitCode::SUCCESS;
    }
    eprintln!("error: {e:#}");
    if e.downcast_ref::<commands::database::DatabaseUrlError>()
        .is_some()
    {
        ExitCode::from(commands::BAD_INPUT)
    } else {
        ExitCode::from(1)
    }
}
