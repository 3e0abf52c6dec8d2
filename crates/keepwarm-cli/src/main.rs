//! The `keepwarm` command: init, check, serve, ingest, leads, bench.
//!
//! Exit codes: 0 success; 1 a runtime failure (database, network); 2 bad input (arguments,
//! configuration, lead files). Errors are one line each, `error: ...`, never a panic or backtrace.
#![forbid(unsafe_code)]

mod app;
mod commands;

use std::process::ExitCode;

use clap::Parser;

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
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
