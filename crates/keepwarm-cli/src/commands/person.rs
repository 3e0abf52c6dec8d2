//! `keepwarm person export | erase` (a person's data on request) and `keepwarm held list |
//! release` (inquiries the hourly cap held). The contact is read as intake reads it; a bad one is a
//! one-line error and exit 2.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use keepwarm_engine::{Engine, EngineError, SystemClock};
use serde_json::json;

use super::{load, open_engine, BAD_INPUT};
use crate::app::{Common, HeldCommand, PersonCommand};

/// Runs `keepwarm person ...`.
pub async fn run(common: &Common, command: PersonCommand) -> anyhow::Result<ExitCode> {
    let Some(engine) = engine(common).await? else {
        return Ok(ExitCode::from(BAD_INPUT));
    };
    let raw = match &command {
        PersonCommand::Export { contact } | PersonCommand::Erase { contact, .. } => contact,
    };
    let contact = match engine.person_contact(raw) {
        Ok(c) => c,
        Err(e) => return Ok(refused(&e)),
    };
    match command {
        PersonCommand::Export { .. } => {
            let export = engine
                .export_person(&contact)
                .await
                .context("exporting the person's data")?;
            crate::outln!("{}", serde_json::to_string_pretty(&export)?);
        }
        PersonCommand::Erase { by, .. } => match engine.erase_person(&contact, &by).await {
            Ok(report) => crate::outln!("{}", serde_json::to_string(&report)?),
            Err(e @ EngineError::Validation(_)) => return Ok(refused(&e)),
            Err(e) => return Err(e).context("erasing the person's data"),
        },
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `keepwarm held ...`.
pub async fn held(common: &Common, command: HeldCommand) -> anyhow::Result<ExitCode> {
    let Some(engine) = engine(common).await? else {
        return Ok(ExitCode::from(BAD_INPUT));
    };
    match command {
        HeldCommand::List { all } => {
            let held = engine
                .store()
                .held_inquiries(!all)
                .await
                .context("listing held inquiries")?;
            for h in &held {
                crate::outln!("{}", json!(h));
            }
        }
        HeldCommand::Release { ids, by } => {
            let mut code = ExitCode::SUCCESS;
            for id in ids {
                match engine.release_held(id, &by).await {
                    Ok(o) => crate::outln!("{}", json!({"held_id": id, "outcome": o})),
                    Err(e @ (EngineError::NotFound(_) | EngineError::Validation(_))) => {
                        eprintln!("error: held inquiry {id}: {e}");
                        code = ExitCode::from(BAD_INPUT);
                    }
                    Err(e) => {
                        return Err(e).with_context(|| format!("releasing held inquiry {id}"))
                    }
                }
            }
            return Ok(code);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The engine on the existing database; `None` (after saying why) when the configuration is bad.
async fn engine(common: &Common) -> anyhow::Result<Option<Arc<Engine>>> {
    let checked = match load(common.config.as_deref()) {
        Ok(c) => c,
        Err(_) => return Ok(None),
    };
    Ok(Some(
        open_engine(checked.config, &common.db, Arc::new(SystemClock)).await?,
    ))
}

fn refused(e: &EngineError) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(BAD_INPUT)
}
