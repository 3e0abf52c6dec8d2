//! `keepwarm dnc import FILE --date YYYY-MM-DD` and `keepwarm dnc status`: the National Do Not
//! Call registry copy the gate reads. The import streams the file and replaces the list only when
//! every line was read; a bad line is named and the old list stays whole.

use std::io::BufReader;
use std::process::ExitCode;
use std::sync::Arc;

use keepwarm_engine::dnc::DncStatus;
use keepwarm_engine::{EngineError, SystemClock};

use super::{create_engine, load, BAD_INPUT};
use crate::app::{Common, DncCommand};

/// Runs the command. Exit codes: 0 done; 2 a bad file, line or date (nothing changed).
pub async fn run(common: &Common, command: DncCommand) -> anyhow::Result<ExitCode> {
    let checked = match load(common.config.as_deref()) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let engine = create_engine(checked.config, &common.db, Arc::new(SystemClock)).await?;
    match command {
        DncCommand::Import { file, date, json } => {
            let Ok(date) = date.parse::<jiff::civil::Date>() else {
                eprintln!("error: --date: `{date}` is not a date (YYYY-MM-DD)");
                return Ok(ExitCode::from(BAD_INPUT));
            };
            let opened = match std::fs::File::open(&file) {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("error: {}: {e}", file.display());
                    return Ok(ExitCode::from(BAD_INPUT));
                }
            };
            let name = file.display().to_string();
            let progress = |lines: u64| eprintln!("{name}: {lines} lines read");
            let reader = BufReader::with_capacity(1 << 20, opened);
            match engine.import_dnc(reader, &name, date, progress).await {
                Ok(row) if json => crate::outln!("{}", serde_json::to_string_pretty(&row)?),
                Ok(row) => crate::outln!(
                    "imported {} numbers from {} (registry copy of {})",
                    row.numbers,
                    row.source,
                    row.registry_date
                ),
                Err(EngineError::Validation(fields)) => {
                    for f in fields {
                        match f.field.as_str() {
                            "file" => eprintln!("error: {name}: {}", f.message),
                            other => eprintln!("error: --{other}: {}", f.message),
                        }
                    }
                    eprintln!("nothing was changed: the list in force stays as it was");
                    return Ok(ExitCode::from(BAD_INPUT));
                }
                Err(e) => return Err(e.into()),
            }
        }
        DncCommand::Status { json } => {
            let status = engine.dnc_status().await?;
            if json {
                crate::outln!("{}", serde_json::to_string_pretty(&status)?);
            } else {
                crate::out!("{}", status_text(&status));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `keepwarm check --db URL`: a warning on stderr when the do-not-call list's registry copy is
/// older than 31 days or missing.
pub async fn warn_when_stale(config: Option<&std::path::Path>, db: &str) -> anyhow::Result<()> {
    // Loaded again without its warnings: `check` has just printed them.
    let loaded = match config {
        Some(dir) => keepwarm_engine::config_dir::load_config_dir(dir),
        None => keepwarm_engine::config_dir::load_starter(),
    };
    let Ok(checked) = loaded else {
        return Ok(());
    };
    let engine = create_engine(checked.config, db, Arc::new(SystemClock)).await?;
    let status = engine.dnc_status().await?;
    if status.stale {
        match &status.import {
            Some(i) => eprintln!(
                "warning: the do-not-call registry copy is of {}, older than 31 days; download and import a fresh one (keepwarm dnc import)",
                i.registry_date
            ),
            None => eprintln!(
                "warning: no do-not-call registry copy is imported (keepwarm dnc import FILE --date D)"
            ),
        }
    }
    Ok(())
}

fn status_text(s: &DncStatus) -> String {
    let mut out = match &s.import {
        Some(i) => format!(
            "do-not-call list: {} numbers from {} (registry copy of {}, imported {})\n",
            i.numbers, i.source, i.registry_date, i.at
        ),
        None => "do-not-call list: none imported\n".to_owned(),
    };
    if s.stale {
        out.push_str("warning: the registry copy is older than 31 days (or missing); download and import a fresh one\n");
    }
    out
}
