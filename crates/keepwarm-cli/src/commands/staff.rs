//! `keepwarm staff token create | list | revoke`: staff members' personal API tokens;
//! `keepwarm staff set-password ID`: their workspace password, read from stdin.
//!
//! A token is printed once, when it is created; the database keeps only its SHA-256 digest, so a
//! lost token is revoked and a new one created, never shown again.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use keepwarm_engine::{EngineError, SystemClock};
use serde_json::json;

use keepwarm_engine::Engine;

use super::{load, open_engine, BAD_INPUT};
use crate::app::{Common, StaffCommand, TokenCommand};

/// Runs the command.
pub async fn run(common: &Common, command: StaffCommand) -> anyhow::Result<ExitCode> {
    let checked = match load(common.config.as_deref()) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let engine = open_engine(checked.config, &common.db, Arc::new(SystemClock)).await?;
    let command = match command {
        StaffCommand::Token { command } => command,
        StaffCommand::SetPassword { id } => return set_password(&engine, &id).await,
    };
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

/// Largest stdin read for a password: a little over the longest password accepted.
const MAX_STDIN: u64 = 4096;

/// Reads the first line of stdin (without its line break) and sets it as `id`'s password.
async fn set_password(engine: &Engine, id: &str) -> anyhow::Result<ExitCode> {
    use std::io::Read;
    let mut text = String::new();
    std::io::stdin()
        .take(MAX_STDIN)
        .read_to_string(&mut text)
        .context("reading the password from stdin")?;
    let password = text.lines().next().unwrap_or_default();
    match engine.set_staff_password(id, password).await {
        Ok(()) => {
            eprintln!("password set for {id}; their open workspace sessions were ended");
            Ok(ExitCode::SUCCESS)
        }
        Err(e @ EngineError::Validation(_)) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(BAD_INPUT))
        }
        Err(e) => Err(e).context("setting the password"),
    }
}
