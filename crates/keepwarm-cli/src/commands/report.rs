//! `keepwarm report funnel`: the funnel per segment, cadence version, source or owner, as a table,
//! JSON or CSV. The same numbers as `GET /api/v1/reports/funnel`.

use std::process::ExitCode;
use std::sync::Arc;

use jiff::Timestamp;
use keepwarm_domain::report::{FunnelRow, GroupBy, Rate};
use keepwarm_engine::SystemClock;

use super::{load, open_engine, BAD_INPUT};
use crate::app::Common;

/// Options of `report funnel`.
pub struct FunnelArgs<'a> {
    /// `segment`, `cadence`, `source` or `owner`.
    pub by: &'a str,
    /// Start (RFC 3339 or YYYY-MM-DD in the dealership's zone).
    pub from: Option<&'a str>,
    /// End, exclusive.
    pub to: Option<&'a str>,
    /// `table`, `json` or `csv`.
    pub format: &'a str,
}

/// Runs the command.
pub async fn funnel_command(common: &Common, args: FunnelArgs<'_>) -> anyhow::Result<ExitCode> {
    let checked = match load(common.config.as_deref()) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let zone = checked
        .config
        .dealerships
        .first()
        .map_or(jiff::tz::TimeZone::UTC, |d| d.time_zone.clone());
    let bad = |message: String| {
        eprintln!("error: {message}");
        Ok(ExitCode::from(BAD_INPUT))
    };
    let by: GroupBy = match args.by.parse() {
        Ok(b) => b,
        Err(e) => return bad(format!("--by: {e}")),
    };
    if !["table", "json", "csv"].contains(&args.format) {
        return bad(format!(
            "--format: unknown format `{}` (expected table, json or csv)",
            args.format
        ));
    }
    let bound = |name: &str, text: Option<&str>, default: Timestamp| -> Result<Timestamp, String> {
        let Some(text) = text else { return Ok(default) };
        if let Ok(t) = text.parse::<Timestamp>() {
            return Ok(t);
        }
        let date: jiff::civil::Date = text.parse().map_err(|_| {
            format!("--{name}: `{text}` is neither an RFC 3339 instant nor a date (YYYY-MM-DD)")
        })?;
        date.to_zoned_datetime(zone.clone())
            .map(|z| z.timestamp())
            .map_err(|e| format!("--{name}: {e}"))
    };
    let engine = open_engine(checked.config, &common.db, Arc::new(SystemClock)).await?;
    let (from, to) = match (
        bound("from", args.from, Timestamp::UNIX_EPOCH),
        bound("to", args.to, engine.now()),
    ) {
        (Ok(f), Ok(t)) if t > f => (f, t),
        (Ok(_), Ok(_)) => return bad("--to must be after --from".into()),
        (Err(e), _) | (_, Err(e)) => return bad(e),
    };
    let rows: Vec<FunnelRow> = engine
        .store()
        .report_tallies(from, to, None, &[by])
        .await?
        .into_iter()
        .flatten()
        .map(FunnelRow::from)
        .collect();
    match args.format {
        "json" => crate::outln!("{}", serde_json::to_string_pretty(&rows)?),
        "csv" => print_csv(&rows),
        _ => print_table(&rows),
    }
    Ok(ExitCode::SUCCESS)
}

fn pct(r: &Rate) -> String {
    if r.of == 0 {
        "-".into()
    } else {
        format!(
            "{:.0}% ({:.0}-{:.0})",
            r.rate * 100.0,
            r.low * 100.0,
            r.high * 100.0
        )
    }
}

fn minutes(m: Option<f64>) -> String {
    m.map_or("-".into(), |m| format!("{m:.1}"))
}

fn print_table(rows: &[FunnelRow]) {
    crate::outln!(
        "{:<28} {:>6} {:>9} {:>6} {:>6} {:>5} {:>5} {:>17} {:>17} {:>17} {:>17} {:>10} {:>10} {:>9}",
        "GROUP", "LEADS", "CONTACTED", "APPT", "SHOWED", "SOLD", "LOST", "CONTACT RATE", "APPT RATE", "SHOW RATE",
        "CLOSE RATE", "1ST TOUCH", "1ST HUMAN", "SLA MET"
    );
    for r in rows {
        crate::outln!(
            "{:<28} {:>6} {:>9} {:>6} {:>6} {:>5} {:>5} {:>17} {:>17} {:>17} {:>17} {:>10} {:>10} {:>9}",
            r.group, r.leads, r.contacted, r.appointment_set, r.showed, r.sold, r.lost,
            pct(&r.contact_rate), pct(&r.appointment_rate), pct(&r.show_rate), pct(&r.close_rate),
            minutes(r.speed_to_first_touch.median_minutes), minutes(r.speed_to_human.median_minutes),
            if r.escalations == 0 { "-".into() } else { format!("{}/{}", r.acknowledged_within_sla, r.escalations) },
        );
    }
    crate::outln!(
        "rates: point estimate (95% Wilson interval); times: median minutes from the inquiry"
    );
}

fn print_csv(rows: &[FunnelRow]) {
    crate::outln!("group,leads,contacted,appointment_set,showed,sold,lost,contact_rate,appointment_rate,show_rate,close_rate,median_minutes_to_first_touch,median_minutes_to_human,escalations,acknowledged_within_sla");
    for r in rows {
        // Group names come from lead data: neutralise formulas before a spreadsheet sees them.
        let field = keepwarm_domain::text::csv_cell;
        crate::outln!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            field(&r.group),
            r.leads,
            r.contacted,
            r.appointment_set,
            r.showed,
            r.sold,
            r.lost,
            r.contact_rate.rate,
            r.appointment_rate.rate,
            r.show_rate.rate,
            r.close_rate.rate,
            r.speed_to_first_touch
                .median_minutes
                .map_or(String::new(), |m| m.to_string()),
            r.speed_to_human
                .median_minutes
                .map_or(String::new(), |m| m.to_string()),
            r.escalations,
            r.acknowledged_within_sla,
        );
    }
}
