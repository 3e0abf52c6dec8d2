//! `keepwarm ingest FILE...`: leads from files. Every good lead is stored even when others in the
//! same file are refused; each refusal names the file, the lead's index and the field.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use keepwarm_domain::lead::{parse_lead_json, NewLead};
use keepwarm_engine::SystemClock;
use serde_json::{json, Value};

use super::{load, open_engine, BAD_INPUT};
use crate::app::Common;

/// Largest lead file read.
const MAX_FILE: u64 = 64 * 1024 * 1024;

/// Runs the command.
pub async fn run(
    common: &Common,
    files: &[PathBuf],
    dry_run: bool,
    json_out: bool,
) -> anyhow::Result<ExitCode> {
    let checked = match load(common.config.as_deref()) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let region = checked
        .config
        .dealerships
        .first()
        .map_or("US".to_owned(), |d| d.country.clone());
    let mut leads: Vec<(String, NewLead)> = Vec::new();
    let mut refused = 0usize;
    for file in files {
        match read_leads(file, &region) {
            Ok(parsed) => {
                for (label, result) in parsed {
                    match result {
                        Ok(lead) => leads.push((label, lead)),
                        Err(message) => {
                            refused += 1;
                            eprintln!("error: {label}: {message}");
                        }
                    }
                }
            }
            Err(message) => {
                refused += 1;
                eprintln!("error: {}: {message}", file.display());
            }
        }
    }
    if dry_run {
        for (label, lead) in &leads {
            let mut doc = serde_json::to_value(&lead.input)?;
            doc["warnings"] = json!(lead.warnings());
            if json_out {
                println!("{doc}");
            } else {
                println!(
                    "{label}: ok{}",
                    if lead.warnings().is_empty() {
                        String::new()
                    } else {
                        format!(" ({} warning(s))", lead.warnings().len())
                    }
                );
            }
        }
    } else if !leads.is_empty() {
        let engine = open_engine(checked.config, &common.db, Arc::new(SystemClock)).await?;
        for (label, lead) in leads {
            match engine.ingest(lead).await {
                Ok(outcome) => {
                    if json_out {
                        println!("{}", json!(outcome));
                    } else {
                        println!(
                            "{label}: lead {} in {} owned by {}{}",
                            outcome.id,
                            outcome.segment,
                            outcome.owner,
                            outcome
                                .first_touch_due_at
                                .map(|d| format!(", first touch due {d}"))
                                .unwrap_or_default()
                        );
                    }
                }
                Err(keepwarm_engine::EngineError::Validation(fields)) => {
                    refused += 1;
                    let text: Vec<String> = fields.iter().map(ToString::to_string).collect();
                    eprintln!("error: {label}: {}", text.join("; "));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(if refused > 0 {
        ExitCode::from(BAD_INPUT)
    } else {
        ExitCode::SUCCESS
    })
}

type Parsed = Vec<(String, Result<NewLead, String>)>;

fn read_leads(path: &Path, region: &str) -> Result<Parsed, String> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if extension != "json" {
        return Err(format!(
            "unsupported file type `.{extension}` (expected .json)"
        ));
    }
    let size = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if size > MAX_FILE {
        return Err(format!("larger than {} MiB", MAX_FILE / 1024 / 1024));
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| format!("not JSON: {e}"))?;
    let name = path.display().to_string();
    let items = match value {
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (format!("{name}[{i}]"), v))
            .collect(),
        other => vec![(name, other)],
    };
    Ok(items
        .into_iter()
        .map(|(label, v)| {
            let bytes = serde_json::to_vec(&v).unwrap_or_default();
            let result = parse_lead_json(&bytes, region).map_err(|errors| {
                errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            });
            (label, result)
        })
        .collect())
}
