//! The weekly follow-up audit: a sales manager's Monday-morning review of one ISO week.
//!
//! Pure functions over [`AuditFacts`], the plain facts the store reads for the week (leads active in
//! it, their touches, messages and escalations, and the stage instants of the baseline weeks). The
//! audit is reproducible: the same facts, seed and settings give the same audit, byte for byte.
//!
//! - **Sample**: up to [`AuditSettings::sample_per_segment`] leads per segment (all when fewer) from
//!   the leads active in the week, chosen by a seeded hash of the lead id ([`sample`]).
//! - **Timing** (sampled leads): each touch due in the week against its due time. Deferral from the
//!   cadence target into the contact window is allowed and reported, never counted as late; a touch
//!   is late when it left more than [`AuditSettings::late_after_minutes`] after its due time, or is
//!   still unsent that long after it. A lead's timing score is the share of its touches on time.
//! - **Messages** (sampled leads): every SMS and e-mail sent in the week, scored by the rubric in
//!   [`message`]; the weakest are quoted.
//! - **Escalations** (all leads): hot replies escalated in the week, acknowledged in under
//!   [`AuditSettings::acknowledge_within_minutes`]; each miss with its delay (so far, when still
//!   open) and the person first alerted.
//! - **Rates** (all leads): per segment, appointments set in the week over leads active in it, and
//!   of those, the share that showed by the week's end; against a baseline (the previous
//!   [`AuditSettings::baseline_weeks`] weeks pooled, or configured figures), with the change in points.
//! - **Fix first**: the few most serious findings, ranked, in plain words ([`fix_first`]).
//!
//! It must not read the clock or do IO: `as_of` comes in with the facts.

mod fix;
mod markdown;
pub mod message;
mod shape;
pub mod week;

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde::Serialize;

use crate::cadence::Channel;
use crate::lint::LintSettings;

pub use fix::fix_first;
pub use markdown::{delay, render_markdown};
pub use message::{score_message, LeadContext, Scored};
pub use shape::*;
pub use week::IsoWeek;

/// The version of the JSON shape (see `docs/audit.md`). Bumped on any change that could break a
/// reader: a field removed, renamed or retyped. Adding a field does not bump it.
pub const SCHEMA_VERSION: u32 = 1;

/// How the audit measures; from the `[audit]` table of `settings.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AuditSettings {
    /// Leads sampled per segment (default 25).
    pub sample_per_segment: usize,
    /// Minutes after its due time before a touch counts as late (default 15).
    pub late_after_minutes: u32,
    /// A hot reply must be acknowledged in under this many minutes (default 5).
    pub acknowledge_within_minutes: u32,
    /// Weeks before the audited one pooled into the baseline (default 4).
    pub baseline_weeks: u32,
    /// A configured baseline appointment rate (0 to 1) used instead of the previous weeks.
    pub baseline_appointment_rate: Option<f64>,
    /// A configured baseline show rate (0 to 1) used instead of the previous weeks.
    pub baseline_show_rate: Option<f64>,
    /// Configured baselines for single segments, ahead of the figures above.
    pub baseline_by_segment: Vec<SegmentBaseline>,
}

/// A configured baseline for one segment (`[audit.baseline.SEGMENT]`).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SegmentBaseline {
    /// The segment.
    pub segment: String,
    /// Its baseline appointment rate (0 to 1), if configured.
    pub appointment_rate: Option<f64>,
    /// Its baseline show rate (0 to 1), if configured.
    pub show_rate: Option<f64>,
}

impl Default for AuditSettings {
    fn default() -> Self {
        Self {
            sample_per_segment: 25,
            late_after_minutes: 15,
            acknowledge_within_minutes: 5,
            baseline_weeks: 4,
            baseline_appointment_rate: None,
            baseline_show_rate: None,
            baseline_by_segment: Vec::new(),
        }
    }
}

/// One lead, as the audit sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditLead {
    /// Lead id.
    pub id: i64,
    /// Segment.
    pub segment: String,
    /// Owner.
    pub owner: String,
    /// The customer's name, when known.
    pub name: Option<String>,
    /// What the customer told us.
    pub context: LeadContext,
    /// Instants of the lead's timeline events, and due times of its still-waiting touches, within
    /// the audited week and its baseline weeks.
    pub activity: Vec<Timestamp>,
    /// When it first reached appointment set (or beyond), if ever.
    pub appointment_at: Option<Timestamp>,
    /// When it first reached showed (or beyond), if ever.
    pub showed_at: Option<Timestamp>,
}

/// One planned touch of a lead active in the week.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditTouch {
    /// Touch id.
    pub id: i64,
    /// Lead id.
    pub lead_id: i64,
    /// Step number, from 1.
    pub step: usize,
    /// Channel.
    pub channel: Channel,
    /// Message block.
    pub block: String,
    /// When the cadence wanted it.
    pub target_at: Timestamp,
    /// When it was due after deferral into the contact window.
    pub due_at: Timestamp,
    /// `scheduled`, `sending`, `sent`, `failed`, `skipped`, `held` or `cancelled`.
    pub state: String,
    /// When it was sent (state `sent`).
    pub sent_at: Option<Timestamp>,
    /// The text sent.
    pub body: Option<String>,
    /// Whether it is the first SMS of its enrollment (the one that must carry the opt-out words).
    pub first_sms: bool,
}

/// One escalation raised in the week.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEscalation {
    /// Escalation id.
    pub id: i64,
    /// Lead id.
    pub lead_id: i64,
    /// The lead's segment.
    pub segment: String,
    /// The person first alerted (the owner, or an on-shift teammate).
    pub owner: String,
    /// When it was raised.
    pub created_at: Timestamp,
    /// When it was acknowledged.
    pub acknowledged_at: Option<Timestamp>,
    /// Who acknowledged it.
    pub acknowledged_by: Option<String>,
}

/// Everything the audit reads.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditFacts {
    /// The dealership audited.
    pub dealership: String,
    /// Its time zone's name.
    pub time_zone: String,
    /// The week.
    pub week: IsoWeek,
    /// Week start (Monday 00:00 local).
    pub start: Timestamp,
    /// Week end, exclusive.
    pub end: Timestamp,
    /// The instant the audit describes: the week's end, or now for the week in progress.
    pub as_of: Timestamp,
    /// Bounds of the baseline weeks, most recent first.
    pub baseline_weeks: Vec<(Timestamp, Timestamp)>,
    /// Leads with timeline activity in the week or the baseline weeks.
    pub leads: Vec<AuditLead>,
    /// Touches due or sent in the week, of leads active in it.
    pub touches: Vec<AuditTouch>,
    /// Escalations raised in the week.
    pub escalations: Vec<AuditEscalation>,
}

/// The sampled leads: per segment, the `per_segment` leads with the lowest seeded hash of their id.
/// Choosing by hash rather than by shuffling keeps a lead's chance independent of the others, so the
/// sample barely moves when one lead more or less is active. Returned by segment, then id.
pub fn sample<'a>(leads: &[&'a AuditLead], seed: u64, per_segment: usize) -> Vec<&'a AuditLead> {
    let mut by_segment: BTreeMap<&str, Vec<&AuditLead>> = BTreeMap::new();
    for l in leads {
        by_segment.entry(l.segment.as_str()).or_default().push(l);
    }
    let mut chosen = Vec::new();
    for (_, mut ls) in by_segment {
        ls.sort_by_key(|l| (mix(seed ^ mix(l.id as u64)), l.id));
        ls.truncate(per_segment);
        ls.sort_by_key(|l| l.id);
        chosen.extend(ls);
    }
    chosen
}

/// SplitMix64's finalizer: a fixed, well-mixed hash (not a library PRNG whose stream could change
/// between versions and silently change every sample).
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn in_range(t: Timestamp, (from, to): (Timestamp, Timestamp)) -> bool {
    t >= from && t < to
}

fn minutes(from: Timestamp, to: Timestamp) -> f64 {
    to.duration_since(from).as_secs_f64() / 60.0
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

fn ratio(hits: usize, of: usize) -> Option<f64> {
    (of > 0).then(|| round(hits as f64 / of as f64, 4))
}

/// Appointment and show counts of a segment's leads in one week: `(active, set, showed)`.
fn week_rates(leads: &[&AuditLead], week: (Timestamp, Timestamp)) -> (usize, usize, usize) {
    let active: Vec<&&AuditLead> = leads
        .iter()
        .filter(|l| l.activity.iter().any(|&t| in_range(t, week)))
        .collect();
    let set: Vec<&&&AuditLead> = active
        .iter()
        .filter(|l| l.appointment_at.is_some_and(|t| in_range(t, week)))
        .collect();
    let showed = set
        .iter()
        .filter(|l| l.showed_at.is_some_and(|t| t < week.1))
        .count();
    (active.len(), set.len(), showed)
}

fn rate_change(hits: usize, of: usize, baseline: Baseline) -> RateChange {
    let rate = ratio(hits, of);
    let (baseline_hits, baseline_of, baseline_rate) = match baseline {
        Baseline::Pooled(h, o) => (Some(h), Some(o), ratio(h, o)),
        Baseline::Configured(r) => (None, None, Some(r)),
    };
    RateChange {
        hits,
        of,
        rate,
        baseline_hits,
        baseline_of,
        baseline_rate,
        change_points: rate
            .zip(baseline_rate)
            .map(|(r, b)| round((r - b) * 100.0, 1)),
    }
}

#[derive(Clone, Copy)]
enum Baseline {
    Pooled(usize, usize),
    Configured(f64),
}

/// Runs the audit over the week's facts.
pub fn audit(
    facts: &AuditFacts,
    seed: u64,
    settings: &AuditSettings,
    lint: &LintSettings,
) -> Audit {
    let week = (facts.start, facts.end);
    let active: Vec<&AuditLead> = facts
        .leads
        .iter()
        .filter(|l| l.activity.iter().any(|&t| in_range(t, week)))
        .collect();
    let sampled = sample(&active, seed, settings.sample_per_segment);
    let sampled_ids: BTreeSet<i64> = sampled.iter().map(|l| l.id).collect();
    let lead_of: BTreeMap<i64, &AuditLead> = facts.leads.iter().map(|l| (l.id, l)).collect();
    let tolerance = i64::from(settings.late_after_minutes) * 60;

    // Timing and messages, on the sample.
    let mut late_touches = Vec::new();
    let mut timing: BTreeMap<i64, (usize, usize)> = BTreeMap::new();
    let mut scored: Vec<MessageScore> = Vec::new();
    for t in &facts.touches {
        let Some(lead) = lead_of
            .get(&t.lead_id)
            .filter(|_| sampled_ids.contains(&t.lead_id))
        else {
            continue;
        };
        if in_range(t.due_at, week) {
            let measured_to = match (t.state.as_str(), t.sent_at) {
                ("sent", Some(sent)) => Some(sent),
                ("scheduled" | "sending", _) if t.due_at < facts.as_of => Some(facts.as_of),
                _ => None,
            };
            let lateness = measured_to.map(|to| to.duration_since(t.due_at).as_secs());
            // An unsent touch is measured only once it is late; until then it may still be on time.
            let measured = lateness.filter(|&l| t.state == "sent" || l > tolerance);
            if let Some(lateness) = measured {
                let entry = timing.entry(t.lead_id).or_default();
                entry.0 += 1;
                if lateness > tolerance {
                    entry.1 += 1;
                    late_touches.push(LateTouch {
                        touch_id: t.id,
                        lead_id: t.lead_id,
                        segment: lead.segment.clone(),
                        owner: lead.owner.clone(),
                        step: t.step,
                        channel: t.channel,
                        block: t.block.clone(),
                        target_at: t.target_at,
                        due_at: t.due_at,
                        sent_at: t.sent_at,
                        deferred_minutes: t.due_at.duration_since(t.target_at).as_secs() / 60,
                        minutes_late: lateness / 60,
                    });
                }
            }
        }
        if let (Some(sent), Some(body), Channel::Sms | Channel::Email) =
            (t.sent_at, &t.body, t.channel)
        {
            if t.state == "sent" && in_range(sent, week) {
                let s = score_message(body, t.channel, &lead.context, t.first_sms, lint);
                scored.push(MessageScore {
                    touch_id: t.id,
                    lead_id: t.lead_id,
                    segment: lead.segment.clone(),
                    block: t.block.clone(),
                    channel: t.channel,
                    sent_at: sent,
                    score: s.score,
                    problems: s.problems,
                    text: body.clone(),
                });
            }
        }
    }
    late_touches.sort_by_key(|t| (std::cmp::Reverse(t.minutes_late), t.touch_id));

    let mean = |scores: &[u32]| {
        (!scores.is_empty())
            .then(|| round(scores.iter().sum::<u32>() as f64 / scores.len() as f64, 1))
    };
    let score_of = |on_time: usize, of: usize| {
        (of > 0).then(|| u32::try_from(100 * on_time / of).unwrap_or(100))
    };
    let sample_rows: Vec<SampledLead> = sampled
        .iter()
        .map(|l| {
            let (touches, late) = timing.get(&l.id).copied().unwrap_or_default();
            let scores: Vec<u32> = scored
                .iter()
                .filter(|m| m.lead_id == l.id)
                .map(|m| m.score)
                .collect();
            SampledLead {
                lead_id: l.id,
                segment: l.segment.clone(),
                owner: l.owner.clone(),
                name: l.name.clone(),
                touches,
                late,
                timing_score: score_of(touches - late, touches),
                messages: scores.len(),
                message_score: mean(&scores),
            }
        })
        .collect();

    // Rates, on every lead.
    let mut by_segment: BTreeMap<&str, Vec<&AuditLead>> = BTreeMap::new();
    for l in &facts.leads {
        by_segment.entry(l.segment.as_str()).or_default().push(l);
    }
    let segments: Vec<SegmentAudit> = by_segment
        .iter()
        .filter_map(|(segment, leads)| {
            let (active, set, showed) = week_rates(leads, week);
            if active == 0 {
                return None;
            }
            let pooled = facts
                .baseline_weeks
                .iter()
                .map(|&w| week_rates(leads, w))
                .fold((0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
            let own = settings
                .baseline_by_segment
                .iter()
                .find(|b| b.segment == *segment);
            let appt_baseline = own
                .and_then(|b| b.appointment_rate)
                .or(settings.baseline_appointment_rate)
                .map_or(Baseline::Pooled(pooled.1, pooled.0), Baseline::Configured);
            let show_baseline = own
                .and_then(|b| b.show_rate)
                .or(settings.baseline_show_rate)
                .map_or(Baseline::Pooled(pooled.2, pooled.1), Baseline::Configured);
            let rows: Vec<&SampledLead> = sample_rows
                .iter()
                .filter(|r| r.segment == *segment)
                .collect();
            let touches: usize = rows.iter().map(|r| r.touches).sum();
            let late: usize = rows.iter().map(|r| r.late).sum();
            let scores: Vec<u32> = scored
                .iter()
                .filter(|m| m.segment == *segment)
                .map(|m| m.score)
                .collect();
            Some(SegmentAudit {
                segment: (*segment).to_owned(),
                active_leads: active,
                sampled_leads: rows.len(),
                touches,
                on_time: touches - late,
                timing_score: score_of(touches - late, touches),
                messages: scores.len(),
                message_score: mean(&scores),
                appointment_rate: rate_change(set, active, appt_baseline),
                show_rate: rate_change(showed, set, show_baseline),
            })
        })
        .collect();

    let all_scores: Vec<u32> = scored.iter().map(|m| m.score).collect();
    let average_score = mean(&all_scores);
    let scored_count = scored.len();
    let mut weakest: Vec<MessageScore> = scored.into_iter().filter(|m| m.score < 100).collect();
    weakest.sort_by_key(|m| (m.score, m.sent_at, m.touch_id));
    let all_weak = weakest.clone();
    weakest.truncate(5);

    let escalations = escalation_summary(facts, settings);
    let mut audit = Audit {
        schema_version: SCHEMA_VERSION,
        week: facts.week.to_string(),
        dealership: facts.dealership.clone(),
        time_zone: facts.time_zone.clone(),
        start: facts.start,
        end: facts.end,
        as_of: facts.as_of,
        seed,
        settings: settings.clone(),
        segments,
        sample: sample_rows,
        late_touches,
        messages: MessageSummary {
            scored: scored_count,
            average_score,
            weakest,
        },
        escalations,
        fix_first: Vec::new(),
    };
    audit.fix_first = fix_first(&audit, &all_weak, facts);
    audit
}

fn escalation_summary(facts: &AuditFacts, settings: &AuditSettings) -> EscalationSummary {
    let limit = f64::from(settings.acknowledge_within_minutes);
    let mut misses = Vec::new();
    let mut by_owner: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for e in &facts.escalations {
        let delay = minutes(e.created_at, e.acknowledged_at.unwrap_or(facts.as_of));
        let entry = by_owner.entry(e.owner.as_str()).or_default();
        entry.0 += 1;
        if e.acknowledged_at.is_none() || delay >= limit {
            entry.1 += 1;
            misses.push(EscalationMiss {
                escalation_id: e.id,
                lead_id: e.lead_id,
                segment: e.segment.clone(),
                owner: e.owner.clone(),
                created_at: e.created_at,
                acknowledged_at: e.acknowledged_at,
                acknowledged_by: e.acknowledged_by.clone(),
                delay_minutes: round(delay, 1),
            });
        }
    }
    misses.sort_by(|a, b| {
        b.delay_minutes
            .total_cmp(&a.delay_minutes)
            .then(a.escalation_id.cmp(&b.escalation_id))
    });
    let total = facts.escalations.len();
    let in_time = total - misses.len();
    EscalationSummary {
        total,
        acknowledged_in_time: in_time,
        share: ratio(in_time, total),
        misses,
        by_owner: by_owner
            .into_iter()
            .map(|(owner, (escalations, missed))| OwnerEscalations {
                owner: owner.to_owned(),
                escalations,
                missed,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests;
