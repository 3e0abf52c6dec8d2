//! `keepwarm ingest FILE...`: leads from files — normalized lead JSON (`.json`), ADF/XML (`.xml`,
//! `.adf`), lead e-mails (`.eml`) and CRM/DMS exports (`.csv`). Every good lead is stored even when
//! others are refused; each refusal names the file, the lead (or CSV row and column) and the problem.
//!
//! `--dry-run --json` prints one JSON object per lead — the validated lead document (contacts
//! normalized: E.164 phones with extension and kind, lower-cased e-mails, originals alongside) plus
//! a `warnings` array of `{code, message}` — and stores nothing. Other tools read that output: keep
//! it stable. Times written without an offset are read in the (first) dealership's zone; a lead
//! without a readable date is dated by its e-mail's `Date:` header or by the moment of the run.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use keepwarm_domain::lead::{validate_lead, LeadInput, NewLead};
use keepwarm_domain::SourceKind;
use keepwarm_engine::documents::DocumentKind;
use keepwarm_engine::{Clock, Engine, ImportRow, IngestOptions, RowOutcome, SystemClock};
use keepwarm_intake::{IntakeLead, IntakeOptions, IntakeWarning};
use serde_json::{json, Value};

use super::{create_engine, load, BAD_INPUT};
use crate::app::Common;

/// Largest lead file read.
const MAX_FILE: u64 = 256 * 1024 * 1024;
/// CSV rows imported per transaction.
const CHUNK: usize = 1000;

/// How a run went, for the exit code and the summary.
#[derive(Default)]
pub(crate) struct Tally {
    /// Leads stored (or valid, in a dry run).
    pub ok: usize,
    /// Leads, rows or files refused.
    pub refused: usize,
}

/// Options of one run.
pub struct IngestArgs<'a> {
    /// Files to read.
    pub files: &'a [PathBuf],
    /// Print, store nothing.
    pub dry_run: bool,
    /// JSON lines output.
    pub json: bool,
    /// CSV column mapping overrides (`first_name=First,phone=Cell`).
    pub map: Option<&'a str>,
    /// Source kind of CSV rows.
    pub source: SourceKind,
}

/// Runs the command.
pub async fn run(common: &Common, args: IngestArgs<'_>) -> anyhow::Result<ExitCode> {
    let checked = match load(common.config.as_deref()) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let region = checked
        .config
        .dealerships
        .first()
        .map_or("US".to_owned(), |d| d.country.clone());
    let intake = IntakeOptions {
        time_zone: checked
            .config
            .dealerships
            .first()
            .map_or(jiff::tz::TimeZone::UTC, |d| d.time_zone.clone()),
        arrived_at: Some(SystemClock.now()),
        region: region.clone(),
    };
    let engine = if args.dry_run {
        None
    } else {
        Some(create_engine(checked.config, &common.db, Arc::new(SystemClock)).await?)
    };
    let mut tally = Tally::default();
    for file in args.files {
        let name = file.display().to_string();
        let result = match extension(file).as_str() {
            "json" => json_file(file, &name, &region, engine.as_deref(), &args, &mut tally).await,
            "xml" | "adf" => {
                document_file(
                    file,
                    &name,
                    DocumentKind::Adf,
                    &intake,
                    engine.as_deref(),
                    &args,
                    &mut tally,
                )
                .await
            }
            "eml" => {
                document_file(
                    file,
                    &name,
                    DocumentKind::Email,
                    &intake,
                    engine.as_deref(),
                    &args,
                    &mut tally,
                )
                .await
            }
            "csv" => csv_file(file, &name, &intake, engine.as_deref(), &args, &mut tally).await,
            other => Err(Refusal(format!(
                "unsupported file type `.{other}` (expected .json, .xml, .adf, .eml or .csv)"
            ))),
        };
        if let Err(Refusal(message)) = result {
            tally.refused += 1;
            eprintln!("error: {name}: {message}");
        }
    }
    if !args.json {
        eprintln!(
            "{} lead(s) {}, {} refused",
            tally.ok,
            if args.dry_run { "valid" } else { "ingested" },
            tally.refused
        );
    }
    Ok(if tally.refused > 0 {
        ExitCode::from(BAD_INPUT)
    } else {
        ExitCode::SUCCESS
    })
}

/// A file-level problem, already worded for the user.
pub(crate) struct Refusal(pub String);

impl From<anyhow::Error> for Refusal {
    fn from(e: anyhow::Error) -> Self {
        Refusal(format!("{e:#}"))
    }
}

fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn read(path: &Path) -> Result<Vec<u8>, Refusal> {
    let size = std::fs::metadata(path)
        .map_err(|e| Refusal(e.to_string()))?
        .len();
    if size > MAX_FILE {
        return Err(Refusal(format!(
            "larger than {} MiB",
            MAX_FILE / 1024 / 1024
        )));
    }
    std::fs::read(path).map_err(|e| Refusal(e.to_string()))
}

/// The dry-run line: the normalized document plus its warnings.
fn dry_run_line(input: &LeadInput, warnings: &[IntakeWarning], lead: &NewLead) -> Value {
    let mut doc = serde_json::to_value(input).unwrap_or(Value::Null);
    let mut all: Vec<Value> = warnings
        .iter()
        .map(|w| json!({"code": w.code, "message": w.message}))
        .collect();
    all.extend(
        lead.warnings()
            .iter()
            .map(|w| json!({"code": "unusable_contact", "message": w.to_string()})),
    );
    doc["warnings"] = Value::Array(all);
    doc
}

fn print_ok(args: &IngestArgs<'_>, label: &str, line: Value, summary: String) {
    if args.json {
        crate::outln!("{line}");
    } else {
        crate::outln!("{label}: {summary}");
    }
}

/// Says on stderr when the owner a lead's source named could not be used (the lead was routed); in
/// JSON output the outcome's `warnings` carry it.
fn warn_owner(args: &IngestArgs<'_>, label: &str, outcome: &keepwarm_engine::IngestOutcome) {
    if args.json {
        return;
    }
    for w in outcome.warnings.iter().filter(|w| w.field == "owner") {
        eprintln!("warning: {label}: owner: {}", w.message);
    }
}

async fn json_file(
    file: &Path,
    name: &str,
    region: &str,
    engine: Option<&Engine>,
    args: &IngestArgs<'_>,
    tally: &mut Tally,
) -> Result<(), Refusal> {
    let value: Value =
        serde_json::from_slice(&read(file)?).map_err(|e| Refusal(format!("not JSON: {e}")))?;
    let items: Vec<(String, Value)> = match value {
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (format!("{name}[{i}]"), v))
            .collect(),
        other => vec![(name.to_owned(), other)],
    };
    for (label, item) in items {
        let bytes = serde_json::to_vec(&item).unwrap_or_default();
        let lead = match keepwarm_domain::lead::parse_lead_json(&bytes, region) {
            Ok(lead) => lead,
            Err(errors) => {
                tally.refused += 1;
                eprintln!(
                    "error: {label}: {}",
                    errors
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                );
                continue;
            }
        };
        store_one(engine, args, &label, lead, &[], tally).await?;
    }
    Ok(())
}

async fn store_one(
    engine: Option<&Engine>,
    args: &IngestArgs<'_>,
    label: &str,
    lead: NewLead,
    warnings: &[IntakeWarning],
    tally: &mut Tally,
) -> Result<(), Refusal> {
    let Some(engine) = engine else {
        print_ok(
            args,
            label,
            dry_run_line(&lead.input, warnings, &lead),
            "ok".into(),
        );
        tally.ok += 1;
        return Ok(());
    };
    match engine.ingest(lead).await {
        Ok(o) => {
            tally.ok += 1;
            let summary = format!(
                "lead {} {} ({}, owner {})",
                o.id, o.action, o.segment, o.owner
            );
            warn_owner(args, label, &o);
            print_ok(args, label, json!(o), summary);
        }
        Err(keepwarm_engine::EngineError::Validation(fields)) => {
            tally.refused += 1;
            eprintln!(
                "error: {label}: {}",
                fields
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        }
        Err(e) => return Err(Refusal(e.to_string())),
    }
    Ok(())
}

#[allow(
    clippy::too_many_arguments,
    reason = "a flat list of what one file needs"
)]
async fn document_file(
    file: &Path,
    name: &str,
    kind: DocumentKind,
    intake: &IntakeOptions,
    engine: Option<&Engine>,
    args: &IngestArgs<'_>,
    tally: &mut Tally,
) -> Result<(), Refusal> {
    let bytes = read(file)?;
    if let Some(engine) = engine {
        let channel = if kind == DocumentKind::Adf {
            "cli_xml"
        } else {
            "cli_eml"
        };
        return match engine.ingest_document(kind, channel, None, bytes).await {
            Ok(outcome) => {
                for (n, o) in outcome.leads.iter().enumerate() {
                    tally.ok += 1;
                    let summary = format!(
                        "lead {} {} ({}, owner {})",
                        o.id, o.action, o.segment, o.owner
                    );
                    warn_owner(args, &format!("{name}#{n}"), o);
                    print_ok(args, &format!("{name}#{n}"), json!(o), summary);
                }
                for f in &outcome.refused {
                    tally.refused += 1;
                    eprintln!("error: {name}: {f}");
                }
                if outcome.status == "unrecognized" {
                    eprintln!("warning: {name}: not a lead e-mail; kept as document {} for a person to read", outcome.document_id);
                }
                Ok(())
            }
            Err(keepwarm_engine::EngineError::Validation(fields)) => Err(Refusal(
                fields
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            )),
            Err(e) => Err(Refusal(e.to_string())),
        };
    }
    let leads: Vec<IntakeLead> = match kind {
        DocumentKind::Adf => keepwarm_intake::adf::leads_from_adf(&bytes, intake),
        DocumentKind::Email => {
            keepwarm_intake::email::leads_from_email(&bytes, intake).map(|m| m.leads)
        }
    }
    .map_err(|e| Refusal(e.to_string()))?;
    if leads.is_empty() {
        eprintln!("warning: {name}: no lead in it");
    }
    for (n, lead) in leads.into_iter().enumerate() {
        let label = format!("{name}#{n}");
        match validate_lead(lead.input, &intake.region) {
            Ok(valid) => store_one(None, args, &label, valid, &lead.warnings, tally).await?,
            Err(errors) => {
                tally.refused += 1;
                eprintln!(
                    "error: {label}: {}",
                    errors
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                );
            }
        }
    }
    Ok(())
}

pub(crate) async fn csv_file(
    file: &Path,
    name: &str,
    intake: &IntakeOptions,
    engine: Option<&Engine>,
    args: &IngestArgs<'_>,
    tally: &mut Tally,
) -> Result<(), Refusal> {
    let bytes = read(file)?;
    let rows = keepwarm_intake::csv::read_csv(bytes.as_slice(), args.map, args.source)
        .map_err(|e| Refusal(e.to_string()))?
        .with_options(intake);
    if !args.json {
        let mapping: Vec<String> = rows
            .mapping()
            .fields()
            .into_iter()
            .map(|(f, c)| format!("{f}={c}"))
            .collect();
        eprintln!("{name}: columns {}", mapping.join(", "));
    }
    let document = match engine {
        Some(engine) => {
            let doc = keepwarm_store::NewDocument {
                received_at: engine.now(),
                channel: "cli_csv".into(),
                content_type: Some("text/csv".into()),
                body: bytes.clone(),
            };
            Some(
                engine
                    .store()
                    .store_document(&doc)
                    .await
                    .map_err(|e| Refusal(e.to_string()))?,
            )
        }
        None => None,
    };
    let progress = progress_bar(
        bytes
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            .saturating_sub(1) as u64,
        args.json,
    );
    let mut chunk: Vec<(usize, ImportRow)> = Vec::with_capacity(CHUNK);
    let (mut created, mut merged, mut already) = (0usize, 0usize, 0usize);
    for row in rows {
        progress.inc(1);
        let label = format!("{name}:row {}", row.row);
        let lead = match row.result {
            Ok(lead) => lead,
            Err(e) => {
                tally.refused += 1;
                let column = e
                    .column
                    .map(|c| format!("column {c}: "))
                    .unwrap_or_default();
                progress.suspend(|| eprintln!("error: {label}: {column}{}", e.message));
                continue;
            }
        };
        let valid = match validate_lead(lead.input.clone(), &intake.region) {
            Ok(v) => v,
            Err(errors) => {
                tally.refused += 1;
                let text = errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ");
                progress.suspend(|| eprintln!("error: {label}: {text}"));
                continue;
            }
        };
        if engine.is_none() {
            progress.suspend(|| {
                print_ok(
                    args,
                    &label,
                    dry_run_line(&valid.input, &lead.warnings, &valid),
                    "ok".into(),
                )
            });
            tally.ok += 1;
            continue;
        }
        let options = IngestOptions {
            resend: false,
            document_id: document,
            warnings: lead
                .warnings
                .iter()
                .map(|w| keepwarm_domain::lead::FieldError {
                    field: w.code.clone(),
                    message: w.message.clone(),
                })
                .collect(),
            source_keys: Vec::new(),
            by_call: false,
        };
        chunk.push((
            row.row,
            ImportRow {
                key: row.key,
                lead: valid,
                options,
            },
        ));
        if chunk.len() == CHUNK {
            flush(
                engine,
                &mut chunk,
                name,
                args,
                tally,
                &progress,
                (&mut created, &mut merged, &mut already),
            )
            .await?;
        }
    }
    flush(
        engine,
        &mut chunk,
        name,
        args,
        tally,
        &progress,
        (&mut created, &mut merged, &mut already),
    )
    .await?;
    progress.finish_and_clear();
    if engine.is_some() && !args.json {
        eprintln!("{name}: {created} new lead(s), {merged} merged into known leads, {already} row(s) imported before");
    }
    Ok(())
}

#[allow(
    clippy::too_many_arguments,
    reason = "a flat list of what one chunk needs"
)]
async fn flush(
    engine: Option<&Engine>,
    chunk: &mut Vec<(usize, ImportRow)>,
    name: &str,
    args: &IngestArgs<'_>,
    tally: &mut Tally,
    progress: &indicatif::ProgressBar,
    counts: (&mut usize, &mut usize, &mut usize),
) -> Result<(), Refusal> {
    let (Some(engine), false) = (engine, chunk.is_empty()) else {
        return Ok(());
    };
    let (numbers, rows): (Vec<usize>, Vec<ImportRow>) = chunk.drain(..).unzip();
    let outcomes = engine
        .import_chunk(rows)
        .await
        .map_err(|e| Refusal(e.to_string()))?;
    let (created, merged, already) = counts;
    for (row, outcome) in numbers.into_iter().zip(outcomes) {
        let label = format!("{name}:row {row}");
        match outcome {
            RowOutcome::Ingested(o) => {
                tally.ok += 1;
                if o.action == "created" {
                    *created += 1
                } else {
                    *merged += 1
                }
                if args.json {
                    progress.suspend(|| crate::outln!("{}", json!({"row": row, "outcome": o})));
                }
                progress.suspend(|| warn_owner(args, &label, &o));
            }
            RowOutcome::AlreadyImported => *already += 1,
            RowOutcome::Refused { message } => {
                tally.refused += 1;
                progress.suspend(|| eprintln!("error: {label}: {message}"));
            }
        }
    }
    Ok(())
}

/// A progress bar on a terminal; hidden otherwise (and for JSON output).
fn progress_bar(rows: u64, json: bool) -> indicatif::ProgressBar {
    if json || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(rows);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} rows {per_sec} eta {eta}")
    {
        bar.set_style(style);
    }
    bar
}
