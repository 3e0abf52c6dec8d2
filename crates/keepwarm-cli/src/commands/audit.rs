//! `keepwarm audit`: the weekly follow-up audit as Markdown, JSON or HTML. The same audit as
//! `GET /api/v1/audit`.

use std::process::ExitCode;
use std::sync::Arc;

use keepwarm_domain::audit::{render_markdown, IsoWeek};
use keepwarm_engine::audit::render_html;
use keepwarm_engine::{EngineError, SystemClock};

use super::{load, open_engine, BAD_INPUT};
use crate::app::Common;

/// Options of `audit`.
pub struct AuditArgs<'a> {
    /// `2026-W47`; default the last complete week.
    pub week: Option<&'a str>,
    /// `md`, `json` or `html`.
    pub format: &'a str,
    /// Sample seed.
    pub seed: Option<u64>,
    /// Dealership id.
    pub dealership: Option<&'a str>,
}

/// Runs the command.
pub async fn run(common: &Common, args: AuditArgs<'_>) -> anyhow::Result<ExitCode> {
    let checked = match load(common.config.as_deref()) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let bad = |message: String| {
        eprintln!("error: {message}");
        Ok(ExitCode::from(BAD_INPUT))
    };
    if !["md", "json", "html"].contains(&args.format) {
        return bad(format!(
            "--format: unknown format `{}` (expected md, json or html)",
            args.format
        ));
    }
    let Some(dealership) = checked.config.dealership(args.dealership) else {
        return bad(format!(
            "--dealership: `{}` is not in dealerships.toml",
            args.dealership.unwrap_or_default()
        ));
    };
    let zone = dealership.time_zone.clone();
    let week: Option<IsoWeek> = match args.week.map(str::parse).transpose() {
        Ok(w) => w,
        Err(e) => return bad(format!("--week: {e}")),
    };
    let engine = open_engine(checked.config, &common.db, Arc::new(SystemClock)).await?;
    let week = week.unwrap_or_else(|| IsoWeek::containing(engine.now(), &zone).minus(1));
    let audit = match engine.audit(week, args.seed, args.dealership).await {
        Ok(a) => a,
        Err(EngineError::Validation(fields)) => {
            return bad(fields
                .iter()
                .map(|f| format!("--{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; "))
        }
        Err(e) => return Err(e.into()),
    };
    match args.format {
        "json" => crate::outln!("{}", serde_json::to_string_pretty(&audit)?),
        "html" => crate::outln!("{}", render_html(&audit).into_string()),
        _ => crate::out!("{}", render_markdown(&audit)),
    }
    Ok(ExitCode::SUCCESS)
}
