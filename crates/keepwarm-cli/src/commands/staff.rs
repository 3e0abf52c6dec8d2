//! `keepwarm staff token create | list | revoke`: staff members' personal API tokens.
//!
//! A token is printed once, when it is created; the database keeps only its SHA-256 digest, so a
//! lost token is revoked and a new one created, never shown again.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use keepwarm_engine::{EngineError, SystemClock};
use serde_json::json;

use super::{load, open_engine, BAD_INPUT};
use crate::app::{Common, StaffCommand, TokenCommand};

/// Runs the command.
pub async fn run(common: &Common, command: StaffCommand) -> anyhow::Result<ExitCode> {
    let checked = match load(common.config.as_deref()) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let engine = open_engine(checked.config, &common.db, Arc::new(SystemClock)).await?;
    let StaffCommand::Token { command } = command;
    let result = match command {
        TokenCommand::Create { id, name } => engine.create_staff_token(&id, &name).await.map(|t| {
            crate::outln!("{}", t.token);
            eprintln!(
                "token {} for {} ({}): shown once, keep it safe; `keepwarm staff token revoke {}` ends it",
                t.record.id, t.record.staff_id, t.record.name, t.record.id
            );
        }),
        TokenCommand::List { staff, json: as_json } => {
            engine.staff_tokens(staff.as_deref()).await.map(|tokens| {
                if as_json {
                    for t in &tokens {
                        crate::outln!("{}", json!(t));
                    }
                    return;
                }
                crate::outln!(
                    "{:>4}  {:<12}  {:<16}  {:<20}  {:<20}",
                    "ID",
                    "STAFF",
                    "NAME",
                    "CREATED",
                    "REVOKED"
                );
                for t in &tokens {
                    crate::outln!(
                        "{:>4}  {:<12}  {:<16}  {:<20}  {:<20}",
                        t.id,
                        t.staff_id,
                        t.name,
                        t.created_at.strftime("%Y-%m-%d %H:%M:%SZ").to_string(),
                        t.revoked_at
                            .map(|r| r.strftime("%Y-%m-%d %H:%M:%SZ").to_string())
                            .unwrap_or_else(|| "-".into())
                    );
                }
            })
        }
        TokenCommand::Revoke { id } => engine.revoke_staff_token(id).await.map(|t| {
            crate::outln!("revoked token {} of {} ({})", t.id, t.staff_id, t.name);
        }),
    };
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(
            e @ (EngineError::Validation(_) | EngineError::NotFound(_) | EngineError::Conflict(_)),
        ) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(BAD_INPUT))
        }
        Err(e) => Err(e).context("staff tokens"),
    }
}
