//! `keepwarm cadence history NAME`: every version of a cadence the database kept, when it was first
//! and last enrolled, and what changed from the version before.

use std::process::ExitCode;
use std::sync::Arc;

use keepwarm_domain::cadence::{diff, CadenceSnapshot};
use keepwarm_engine::SystemClock;

use super::{load, open_engine, BAD_INPUT};
use crate::app::Common;

/// Runs the command.
pub async fn history(common: &Common, name: &str) -> anyhow::Result<ExitCode> {
    let checked = match load(common.config.as_deref()) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let engine = open_engine(checked.config, &common.db, Arc::new(SystemClock)).await?;
    let versions = engine.store().cadence_versions(name).await?;
    if versions.is_empty() {
        eprintln!("error: no version of cadence `{name}` was ever kept");
        return Ok(ExitCode::from(BAD_INPUT));
    }
    let mut previous: Option<CadenceSnapshot> = None;
    for v in versions {
        let current = engine.current_version(name) == Some(v.version.as_str());
        crate::outln!(
            "{} {}{}",
            v.version,
            v.label
                .as_deref()
                .map(|l| format!("\"{l}\""))
                .unwrap_or_default(),
            if current { "  (current)" } else { "" }
        );
        let when = |t: Option<jiff::Timestamp>| t.map_or("-".to_owned(), |t| t.to_string());
        crate::outln!(
            "  kept {}; {} enrollment(s), first {}, last {}",
            v.kept_at,
            v.enrollments,
            when(v.first_enrolled_at),
            when(v.last_enrolled_at)
        );
        let snapshot: Option<CadenceSnapshot> = serde_json::from_value(v.snapshot).ok();
        match (&previous, &snapshot) {
            (Some(old), Some(new)) => {
                let changes = diff(old, new);
                if changes.is_empty() {
                    crate::outln!("  no change in steps or wording");
                }
                for line in changes {
                    crate::outln!("  - {line}");
                }
            }
            (None, Some(new)) => {
                for (i, step) in new.cadence.steps.iter().enumerate() {
                    crate::outln!(
                        "  step {}: day {} {} \"{}\"",
                        i + 1,
                        step.day,
                        step.channel,
                        step.block
                    );
                }
            }
            _ => crate::outln!("  (snapshot unreadable by this version)"),
        }
        if snapshot.is_some() {
            previous = snapshot;
        }
    }
    Ok(ExitCode::SUCCESS)
}
