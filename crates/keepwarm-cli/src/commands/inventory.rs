//! `keepwarm inventory import FILE [--dealership ID]`.

use std::process::ExitCode;
use std::sync::Arc;

use keepwarm_domain::inventory::parse_inventory;
use keepwarm_engine::{EngineError, SystemClock};

use super::{load, open_engine, BAD_INPUT};
use crate::app::{Common, InventoryCommand};

/// Runs the command. Exit codes: 0 when the feed replaced the inventory; 2 when the file or any
/// of its rows is refused (nothing is replaced then).
pub async fn run(common: &Common, command: InventoryCommand) -> anyhow::Result<ExitCode> {
    let InventoryCommand::Import { file, dealership } = command;
    let checked = match load(common.config.as_deref()) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let text = super::outcomes::read_file(&file)
        .and_then(|b| String::from_utf8(b).map_err(|_| "not UTF-8 text".to_owned()));
    let items = match text.map(|t| parse_inventory(&t)) {
        Ok(Ok(items)) => items,
        Ok(Err(errors)) => {
            for e in &errors {
                eprintln!("error: {}: {e}", file.display());
            }
            return Ok(ExitCode::from(BAD_INPUT));
        }
        Err(message) => {
            eprintln!("error: {}: {message}", file.display());
            return Ok(ExitCode::from(BAD_INPUT));
        }
    };
    let engine = open_engine(checked.config, &common.db, Arc::new(SystemClock)).await?;
    match engine.import_inventory(dealership.as_deref(), &items).await {
        Ok(available) => {
            crate::outln!(
                "inventory replaced: {} vehicles, {available} available",
                items.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(EngineError::Validation(fields)) => {
            for f in fields {
                eprintln!("error: --{}: {}", f.field, f.message);
            }
            Ok(ExitCode::from(BAD_INPUT))
        }
        Err(e) => Err(e.into()),
    }
}
