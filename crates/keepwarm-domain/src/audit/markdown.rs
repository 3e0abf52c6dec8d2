//! The audit as Markdown: what the weekly e-mail's body says and what `keepwarm audit` prints.
//! Instants are shown in the dealership's zone; customer text is quoted, never interpreted.

use std::fmt::Write;

use jiff::tz::TimeZone;
use jiff::Timestamp;

use super::{Audit, RateChange};

fn local(t: Timestamp, zone: &TimeZone) -> String {
    t.to_zoned_datetime(zone.clone())
        .strftime("%a %b %-d %H:%M")
        .to_string()
}

/// A rate as `25.0% (3/12)`, or `-` without a denominator.
pub(crate) fn percent(rate: Option<f64>) -> String {
    rate.map_or("-".into(), |r| format!("{:.1}%", r * 100.0))
}

/// A rate change as `25.0% (3/12) vs 30.0%, -5.0 pts`.
pub(crate) fn rate_cell(r: &RateChange) -> String {
    let mut s = format!("{} ({}/{})", percent(r.rate), r.hits, r.of);
    if let Some(b) = r.baseline_rate {
        let _ = write!(s, " vs {}", percent(Some(b)));
    }
    if let Some(c) = r.change_points {
        let _ = write!(s, ", {c:+.1} pts");
    }
    s
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or("-".into(), |v| v.to_string())
}

/// A delay people can read: `7.0 min` under two hours, `26 h 5 min` under two days, else
/// `6 d 13 h`.
pub fn delay(minutes: f64) -> String {
    if minutes < 120.0 {
        return format!("{minutes:.1} min");
    }
    let whole = minutes.round() as i64;
    if whole < 48 * 60 {
        format!("{} h {} min", whole / 60, whole % 60)
    } else {
        format!("{} d {} h", whole / (24 * 60), whole % (24 * 60) / 60)
    }
}

/// A table cell: pipes and line breaks would break the row.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// Renders the audit as Markdown.
pub fn render_markdown(a: &Audit) -> String {
    let zone = TimeZone::get(&a.time_zone).unwrap_or(TimeZone::UTC);
    let mut out = String::new();
    let o = &mut out;
    let _ = writeln!(o, "# Follow-up audit {} — {}", a.week, a.dealership);
    let _ = writeln!(
        o,
        "\n{} to {} ({}); as of {}; sample seed {}, up to {} leads per segment.\n",
        local(a.start, &zone),
        local(a.end, &zone),
        a.time_zone,
        local(a.as_of, &zone),
        a.seed,
        a.settings.sample_per_segment
    );

    let _ = writeln!(o, "## Fix first\n");
    if a.fix_first.is_empty() {
        let _ = writeln!(o, "Nothing stood out this week.");
    }
    for f in &a.fix_first {
        let _ = writeln!(o, "{}. **{}**: {}", f.rank, f.area, f.text);
    }

    let _ = writeln!(o, "\n## Segments\n");
    let _ = writeln!(
        o,
        "| segment | active | sampled | timing | messages | appointment rate | show rate |"
    );
    let _ = writeln!(o, "|---|---:|---:|---:|---:|---|---|");
    for s in &a.segments {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} ({}/{} on time) | {} ({}) | {} | {} |",
            cell(&s.segment),
            s.active_leads,
            s.sampled_leads,
            opt(s.timing_score),
            s.on_time,
            s.touches,
            opt(s.message_score),
            s.messages,
            rate_cell(&s.appointment_rate),
            rate_cell(&s.show_rate),
        );
    }
    let configured = a.settings.baseline_appointment_rate.is_some()
        || a.settings.baseline_show_rate.is_some()
        || !a.settings.baseline_by_segment.is_empty();
    let baseline = if configured {
        format!(
            "configured figures where set, else the previous {} weeks pooled",
            a.settings.baseline_weeks
        )
    } else {
        format!("the previous {} weeks pooled", a.settings.baseline_weeks)
    };
    let _ = writeln!(
        o,
        "\nTiming: share of touches sent within {} min of due (deferral into the contact window is allowed). \
         Appointment rate: appointments set this week / leads active this week; show rate: of those, showed by the week's end. \
         Baseline: {baseline}; change in percentage points.",
        a.settings.late_after_minutes
    );

    let e = &a.escalations;
    let _ = writeln!(
        o,
        "\n## Hot replies acknowledged in under {} min\n",
        a.settings.acknowledge_within_minutes
    );
    let _ = writeln!(
        o,
        "{} of {} ({}).",
        e.acknowledged_in_time,
        e.total,
        percent(e.share)
    );
    if !e.misses.is_empty() {
        let _ = writeln!(
            o,
            "\n| escalation | lead | segment | owner | raised | acknowledged | delay |"
        );
        let _ = writeln!(o, "|---:|---:|---|---|---|---|---:|");
        for m in &e.misses {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} |",
                m.escalation_id,
                m.lead_id,
                cell(&m.segment),
                cell(&m.owner),
                local(m.created_at, &zone),
                m.acknowledged_at.map_or("not yet".into(), |t| format!(
                    "{} by {}",
                    local(t, &zone),
                    cell(m.acknowledged_by.as_deref().unwrap_or("?"))
                )),
                delay(m.delay_minutes)
            );
        }
    }

    let _ = writeln!(o, "\n## Late touches ({})\n", a.late_touches.len());
    if a.late_touches.is_empty() {
        let _ = writeln!(o, "None in the sample.");
    } else {
        let _ = writeln!(
            o,
            "| touch | lead | segment | step | block | due | sent | late |"
        );
        let _ = writeln!(o, "|---:|---:|---|---:|---|---|---|---:|");
        for t in a.late_touches.iter().take(20) {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} {} | {} | {} | {} | {} min |",
                t.touch_id,
                t.lead_id,
                cell(&t.segment),
                t.step,
                t.channel,
                cell(&t.block),
                local(t.due_at, &zone),
                t.sent_at.map_or("not yet".into(), |s| local(s, &zone)),
                t.minutes_late
            );
        }
        if a.late_touches.len() > 20 {
            let _ = writeln!(
                o,
                "\n…and {} more (see the JSON form).",
                a.late_touches.len() - 20
            );
        }
    }

    let m = &a.messages;
    let _ = writeln!(
        o,
        "\n## Messages\n\n{} scored, average {} / 100.",
        m.scored,
        opt(m.average_score)
    );
    if !m.weakest.is_empty() {
        let _ = writeln!(o, "\nWeakest:");
    }
    for w in &m.weakest {
        let _ = writeln!(
            o,
            "\n- **{}** / 100 — `{}` ({}) to lead {}, {}: {}",
            w.score,
            w.block,
            w.channel,
            w.lead_id,
            local(w.sent_at, &zone),
            w.problems.join("; ")
        );
        for line in w.text.lines() {
            let _ = writeln!(o, "  > {line}");
        }
    }
    out
}
