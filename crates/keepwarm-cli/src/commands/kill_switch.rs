//! `keepwarm kill-switch on|off|status`: stop every automated message of a dealership (or of every
//! dealership) at once, start them again, and show the switch's history. It writes to the database
//! directly; a running server reads the switches before each batch and again before it sends.

use std::process::ExitCode;
use std::sync::Arc;

use keepwarm_engine::kill_switch::{KillSwitchFlip, KillSwitchStatus};
use keepwarm_engine::{EngineError, SystemClock};

use super::{load, open_engine, BAD_INPUT};
use crate::app::{Common, KillSwitchCommand, KillSwitchScope};

/// Runs the command. Exit codes: 0 done; 2 bad input (no such dealership, an empty reason).
pub async fn run(common: &Common, command: KillSwitchCommand) -> anyhow::Result<ExitCode> {
    let checked = match load(common.config.as_deref()) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let engine = open_engine(checked.config, &common.db, Arc::new(SystemClock)).await?;
    let (scope, json) = match &command {
        KillSwitchCommand::On { scope, json, .. }
        | KillSwitchCommand::Off { scope, json, .. }
        | KillSwitchCommand::Status { scope, json } => (scope, *json),
    };
    let Some(dealership) = scope_of(scope) else {
        eprintln!("error: name --dealership ID, or --all for every dealership");
        return Ok(ExitCode::from(BAD_INPUT));
    };
    let result = match &command {
        KillSwitchCommand::On { reason, by, .. } | KillSwitchCommand::Off { reason, by, .. } => {
            let flip = KillSwitchFlip {
                dealership,
                engaged: matches!(command, KillSwitchCommand::On { .. }),
                reason,
                by,
            };
            engine.set_kill_switch(&flip).await
        }
        KillSwitchCommand::Status { .. } => engine.kill_switch_status(dealership).await,
    };
    let status = match result {
        Ok(s) => s,
        Err(EngineError::NotFound(what)) => {
            eprintln!("error: --dealership: {what} is not configured");
            return Ok(ExitCode::from(BAD_INPUT));
        }
        Err(EngineError::Validation(fields)) => {
            for f in fields {
                eprintln!("error: --{}: {}", f.field, f.message);
            }
            return Ok(ExitCode::from(BAD_INPUT));
        }
        Err(e) => return Err(e.into()),
    };
    if json {
        crate::outln!("{}", serde_json::to_string_pretty(&status)?);
    } else {
        crate::out!("{}", status_text(&status));
    }
    Ok(ExitCode::SUCCESS)
}

/// `Some(None)` for every dealership, `Some(Some(id))` for one, `None` when neither was named.
fn scope_of(scope: &KillSwitchScope) -> Option<Option<&str>> {
    match (&scope.dealership, scope.all) {
        (Some(d), false) => Some(Some(d.as_str())),
        (None, true) => Some(None),
        _ => None,
    }
}

fn status_text(s: &KillSwitchStatus) -> String {
    let name = if s.scope == "*" {
        "every dealership".to_owned()
    } else {
        format!("dealership {}", s.scope)
    };
    let mut out = format!(
        "kill switch of {name}: {}\n",
        if s.engaged { "ENGAGED" } else { "released" }
    );
    match &s.hold_reason {
        Some(reason) => out.push_str(&format!("automated messages held: {reason}\n")),
        None => out.push_str("automated messages: going out\n"),
    }
    if s.released_touches > 0 {
        out.push_str(&format!(
            "{} held touches back on the queue, in order, through the gate\n",
            s.released_touches
        ));
    }
    out.push_str("history (newest first):\n");
    for h in &s.history {
        out.push_str(&format!(
            "  {} {} by {}: {}\n",
            h.at,
            if h.engaged { "engaged " } else { "released" },
            h.by,
            h.reason
        ));
    }
    out
}
