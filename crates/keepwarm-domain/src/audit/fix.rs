//! "What to fix first": the audit's findings turned into a short, ranked list of concrete items.
//!
//! Each rule below proposes items with a severity; the five most severe are kept. Severities put a
//! missed hot reply (a customer waiting right now) above late automation, a falling rate above
//! wording. Every item carries its numbers so a manager can check it against the tables.

use std::collections::BTreeMap;

use super::{Audit, AuditFacts, FixItem, MessageScore};

/// At most this many items.
const MAX_ITEMS: usize = 5;
/// A rate change worse than this many points is worth an item.
const RATE_DROP_POINTS: f64 = 5.0;

/// Ranks the findings of `audit` (with every message below 100 in `weak`).
pub fn fix_first(audit: &Audit, weak: &[MessageScore], facts: &AuditFacts) -> Vec<FixItem> {
    let mut items: Vec<(f64, &str, String)> = Vec::new();
    let limit = audit.settings.acknowledge_within_minutes;

    for o in audit.escalations.by_owner.iter().filter(|o| o.missed > 0) {
        let misses: Vec<_> = audit
            .escalations
            .misses
            .iter()
            .filter(|m| m.owner == o.owner)
            .collect();
        let open = misses
            .iter()
            .filter(|m| m.acknowledged_at.is_none())
            .count();
        let slowest = misses.iter().map(|m| m.delay_minutes).fold(0.0, f64::max);
        let mut text = format!(
            "{} missed {} of {} hot-reply escalations (acknowledged in under {limit} min); slowest {}",
            o.owner, o.missed, o.escalations, super::delay(slowest)
        );
        if open > 0 {
            text.push_str(&format!(", {open} still unacknowledged"));
        }
        text.push_str(
            ". Check their alert phone and shift, or route their hot replies to a teammate.",
        );
        items.push((100.0 + 10.0 * o.missed as f64, "escalations", text));
    }

    let mut late_by_segment: BTreeMap<&str, Vec<&super::LateTouch>> = BTreeMap::new();
    for t in &audit.late_touches {
        late_by_segment
            .entry(t.segment.as_str())
            .or_default()
            .push(t);
    }
    for (segment, late) in late_by_segment {
        let mut minutes: Vec<i64> = late.iter().map(|t| t.minutes_late).collect();
        minutes.sort_unstable();
        let median = minutes[(minutes.len() - 1) / 2];
        let worst = minutes[minutes.len() - 1];
        let unsent = late.iter().filter(|t| t.sent_at.is_none()).count();
        let mut text = format!(
            "{} touch{} in {segment} went out more than {} min after due (median {median} min, worst {worst} min)",
            late.len(),
            if late.len() == 1 { "" } else { "es" },
            audit.settings.late_after_minutes
        );
        if unsent > 0 {
            text.push_str(&format!(", {unsent} still unsent"));
        }
        // Many late touches leaving in the same minute means they were queued behind an outage or a
        // stopped worker, not planned late.
        let mut by_minute: BTreeMap<i64, usize> = BTreeMap::new();
        for t in late.iter().filter_map(|t| t.sent_at) {
            *by_minute.entry(t.as_second() / 60).or_default() += 1;
        }
        if let Some((&minute, &n)) = by_minute.iter().max_by_key(|(m, n)| (**n, -**m)) {
            if n >= 3 && 2 * n >= late.len() {
                let at = jiff::Timestamp::from_second(minute * 60)
                    .map(|t| {
                        jiff::tz::TimeZone::get(&facts.time_zone)
                            .map(|z| t.to_zoned_datetime(z).strftime("%a %H:%M").to_string())
                            .unwrap_or_else(|_| t.to_string())
                    })
                    .unwrap_or_default();
                text.push_str(&format!(
                    "; {n} of them left together at {at}: they were queued behind a stopped worker or a channel outage, so check the service's uptime then"
                ));
            }
        }
        text.push('.');
        items.push((50.0 + 2.0 * late.len() as f64, "timing", text));
    }

    for s in &audit.segments {
        for (name, r) in [
            ("Appointment rate", &s.appointment_rate),
            ("Show rate", &s.show_rate),
        ] {
            if let (Some(rate), Some(base), Some(change)) =
                (r.rate, r.baseline_rate, r.change_points)
            {
                if change <= -RATE_DROP_POINTS {
                    items.push((
                        40.0 - change,
                        "rates",
                        format!(
                            "{name} in {} fell {:.1} points to {:.1}% ({} of {}) against a baseline of {:.1}%.",
                            s.segment,
                            -change,
                            rate * 100.0,
                            r.hits,
                            r.of,
                            base * 100.0
                        ),
                    ));
                }
            }
        }
    }

    // Wording: the most common problem per block, across every message below full marks.
    let mut by_block: BTreeMap<(&str, String), usize> = BTreeMap::new();
    for m in weak {
        for p in &m.problems {
            // "does not mention the vehicle (Honda CR-V)" -> "does not mention the vehicle"
            let kind = p.split(" (").next().unwrap_or(p).to_owned();
            *by_block.entry((m.block.as_str(), kind)).or_default() += 1;
        }
    }
    let mut commonest: BTreeMap<&str, (usize, String)> = BTreeMap::new();
    for ((block, problem), count) in by_block {
        let best = commonest.entry(block).or_insert((0, String::new()));
        if count > best.0 {
            *best = (count, problem);
        }
    }
    for (block, (count, problem)) in commonest {
        items.push((
            20.0 + count as f64,
            "messages",
            format!(
                "Block `{block}`: {count} message{} {problem}; rewrite the block (see the weakest messages).",
                if count == 1 { "" } else { "s" }
            ),
        ));
    }

    items.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.cmp(&b.2)));
    items
        .into_iter()
        .take(MAX_ITEMS)
        .enumerate()
        .map(|(i, (_, area, text))| FixItem {
            rank: i + 1,
            area: area.to_owned(),
            text,
        })
        .collect()
}
