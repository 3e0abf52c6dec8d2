//! `keepwarm outcomes import FILE.csv [--dry-run] [--json]`.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use keepwarm_engine::{OutcomeRowReport, RowResult, SystemClock};
use keepwarm_intake::csv::read_outcome_csv;

use super::{load, open_engine, BAD_INPUT};
use crate::app::{Common, OutcomesCommand};

/// Largest file read.
const MAX_FILE: u64 = 64 * 1024 * 1024;

/// Runs the command. Exit codes: 0 when every row was recorded or already was; 2 when the file is
/// refused or any row found no lead, more than one, or holds an unusable cell.
pub async fn run(common: &Common, command: OutcomesCommand) -> anyhow::Result<ExitCode> {
    let OutcomesCommand::Import {
        file,
        dry_run,
        json,
    } = command;
    let checked = match load(common.config.as_deref()) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let rows = match read_file(&file) {
        Ok(bytes) => match read_outcome_csv(&bytes) {
            Ok(rows) => rows,
            Err(e) => {
                eprintln!("error: {}: {e}", file.display());
                return Ok(ExitCode::from(BAD_INPUT));
            }
        },
        Err(message) => {
            eprintln!("error: {}: {message}", file.display());
            return Ok(ExitCode::from(BAD_INPUT));
        }
    };
    let engine = open_engine(checked.config, &common.db, Arc::new(SystemClock)).await?;
    let reports = engine
        .import_outcomes(&rows, dry_run)
        .await
        .context("importing outcomes")?;
    for r in &reports {
        if json {
            crate::outln!("{}", serde_json::to_string(r)?);
        } else {
            crate::outln!("{}", describe(r));
        }
    }
    let count = |result: RowResult| reports.iter().filter(|r| r.result == result).count();
    let (no_match, ambiguous, invalid) = (
        count(RowResult::NoMatch),
        count(RowResult::Ambiguous),
        count(RowResult::Invalid),
    );
    if !json {
        eprintln!(
            "{} row(s): {} {}, {} already recorded, {no_match} no match, {ambiguous} ambiguous, {invalid} invalid",
            reports.len(),
            count(RowResult::Applied) + count(RowResult::WouldApply),
            if dry_run { "would be applied" } else { "applied" },
            count(RowResult::AlreadyRecorded),
        );
    }
    Ok(if no_match + ambiguous + invalid > 0 {
        ExitCode::from(BAD_INPUT)
    } else {
        ExitCode::SUCCESS
    })
}

/// A file of at most 64 MiB, or why it cannot be read.
pub(super) fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    let size = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if size > MAX_FILE {
        return Err(format!("{size} bytes; the limit is {MAX_FILE}"));
    }
    std::fs::read(path).map_err(|e| e.to_string())
}

/// `row 2: lead 14 sold: applied (by phone)`.
fn describe(r: &OutcomeRowReport) -> String {
    let lead = r
        .lead_id
        .map(|id| format!(" lead {id}"))
        .unwrap_or_default();
    let stage = r.stage.map(|s| format!(" {s}")).unwrap_or_default();
    let result = match r.result {
        RowResult::Applied => "applied",
        RowResult::WouldApply => "would be applied",
        RowResult::AlreadyRecorded => "already recorded",
        RowResult::NoMatch => "no match",
        RowResult::Ambiguous => "ambiguous",
        RowResult::Invalid => "invalid",
    };
    let how = r
        .matched_on
        .map(|m| format!(" (by {m})"))
        .unwrap_or_default();
    let message = match (r.field.as_deref(), r.message.as_deref()) {
        (Some(f), Some(m)) => format!(" {f}: {m}"),
        (None, Some(m)) => format!(": {m}"),
        _ => String::new(),
    };
    let candidates = if r.candidates.is_empty() {
        String::new()
    } else {
        let ids: Vec<String> = r.candidates.iter().map(ToString::to_string).collect();
        format!(" [leads {}]", ids.join(", "))
    };
    let what = format!("{lead}{stage}");
    let what = if what.is_empty() {
        what
    } else {
        format!("{what}:")
    };
    format!("row {}:{what} {result}{how}{message}{candidates}", r.line)
}
