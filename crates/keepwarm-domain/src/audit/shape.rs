//! The audit's output: the shape `--format json` serializes and `docs/audit.md` documents field by
//! field (a test keeps the two in step). Renaming, removing or retyping a field here breaks readers:
//! bump [`super::SCHEMA_VERSION`] when you must.

use jiff::Timestamp;
use serde::Serialize;

use super::AuditSettings;
use crate::cadence::Channel;

/// The audit.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Audit {
    /// [`super::SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `2026-W47`.
    pub week: String,
    /// Dealership id.
    pub dealership: String,
    /// Its time zone.
    pub time_zone: String,
    /// Week start.
    pub start: Timestamp,
    /// Week end, exclusive.
    pub end: Timestamp,
    /// What the audit describes up to.
    pub as_of: Timestamp,
    /// The sampling seed.
    pub seed: u64,
    /// How it measured.
    pub settings: AuditSettings,
    /// One row per segment with activity, by name.
    pub segments: Vec<SegmentAudit>,
    /// Sampled leads, by segment then id.
    pub sample: Vec<SampledLead>,
    /// Late touches of sampled leads, latest first.
    pub late_touches: Vec<LateTouch>,
    /// Message scores.
    pub messages: MessageSummary,
    /// Hot-reply acknowledgements.
    pub escalations: EscalationSummary,
    /// What to fix first, most serious first.
    pub fix_first: Vec<FixItem>,
}

/// A segment's week.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SegmentAudit {
    /// Segment name.
    pub segment: String,
    /// Leads with activity in the week.
    pub active_leads: usize,
    /// Of those, sampled.
    pub sampled_leads: usize,
    /// Touches measured for timing (sampled leads).
    pub touches: usize,
    /// Of those, on time.
    pub on_time: usize,
    /// `on_time / touches` as 0-100, `null` without touches.
    pub timing_score: Option<u32>,
    /// Messages scored (sampled leads).
    pub messages: usize,
    /// Their mean score, 0-100 to one decimal, `null` without messages.
    pub message_score: Option<f64>,
    /// Appointment rate: set in the week over active leads.
    pub appointment_rate: RateChange,
    /// Show rate: of appointments set in the week, showed by the week's end.
    pub show_rate: RateChange,
}

/// A rate this week against its baseline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RateChange {
    /// Numerator.
    pub hits: usize,
    /// Denominator.
    pub of: usize,
    /// `hits / of` to four decimals, `null` when `of` is 0.
    pub rate: Option<f64>,
    /// Baseline numerator (pooled previous weeks; `null` for a configured baseline).
    pub baseline_hits: Option<usize>,
    /// Baseline denominator.
    pub baseline_of: Option<usize>,
    /// Baseline rate, `null` when there is none.
    pub baseline_rate: Option<f64>,
    /// `(rate - baseline_rate) * 100` to one decimal, in percentage points.
    pub change_points: Option<f64>,
}

/// One sampled lead.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SampledLead {
    /// Lead id.
    pub lead_id: i64,
    /// Segment.
    pub segment: String,
    /// Owner.
    pub owner: String,
    /// Customer name.
    pub name: Option<String>,
    /// Touches measured.
    pub touches: usize,
    /// Of those, late.
    pub late: usize,
    /// 0-100, `null` without touches.
    pub timing_score: Option<u32>,
    /// Messages scored.
    pub messages: usize,
    /// Their mean score, `null` without messages.
    pub message_score: Option<f64>,
}

/// A touch that went out (or is still waiting) later than allowed.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct LateTouch {
    /// Touch id.
    pub touch_id: i64,
    /// Lead id.
    pub lead_id: i64,
    /// Segment.
    pub segment: String,
    /// Owner.
    pub owner: String,
    /// Step number.
    pub step: usize,
    /// Channel.
    pub channel: Channel,
    /// Block.
    pub block: String,
    /// The cadence's target.
    pub target_at: Timestamp,
    /// Due after deferral into the contact window.
    pub due_at: Timestamp,
    /// When it went out; `null` while still unsent.
    pub sent_at: Option<Timestamp>,
    /// Allowed deferral, target to due, in minutes (not counted against it).
    pub deferred_minutes: i64,
    /// Due to sent (or to `as_of` when unsent), in whole minutes.
    pub minutes_late: i64,
}

/// Message scores of the sample.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MessageSummary {
    /// Messages scored.
    pub scored: usize,
    /// Mean score, `null` when none.
    pub average_score: Option<f64>,
    /// Lowest scores first (at most 5, only those below 100).
    pub weakest: Vec<MessageScore>,
}

/// One scored message.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MessageScore {
    /// Touch id.
    pub touch_id: i64,
    /// Lead id.
    pub lead_id: i64,
    /// Segment.
    pub segment: String,
    /// Block.
    pub block: String,
    /// Channel.
    pub channel: Channel,
    /// When it went out.
    pub sent_at: Timestamp,
    /// 0-100.
    pub score: u32,
    /// What cost points.
    pub problems: Vec<String>,
    /// The text, as sent.
    pub text: String,
}

/// Hot-reply acknowledgements in the week.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct EscalationSummary {
    /// Escalations raised.
    pub total: usize,
    /// Acknowledged in under the limit.
    pub acknowledged_in_time: usize,
    /// `acknowledged_in_time / total`, `null` when none.
    pub share: Option<f64>,
    /// Each miss, slowest first.
    pub misses: Vec<EscalationMiss>,
    /// Per person first alerted, by id.
    pub by_owner: Vec<OwnerEscalations>,
}

/// An escalation not acknowledged in time.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct EscalationMiss {
    /// Escalation id.
    pub escalation_id: i64,
    /// Lead id.
    pub lead_id: i64,
    /// Segment.
    pub segment: String,
    /// The person first alerted.
    pub owner: String,
    /// When it was raised.
    pub created_at: Timestamp,
    /// When it was acknowledged; `null` while open.
    pub acknowledged_at: Option<Timestamp>,
    /// Who acknowledged it.
    pub acknowledged_by: Option<String>,
    /// Raised to acknowledged (or to `as_of`), in minutes to one decimal.
    pub delay_minutes: f64,
}

/// One person's escalations.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OwnerEscalations {
    /// Staff id.
    pub owner: String,
    /// Escalations first alerted to them.
    pub escalations: usize,
    /// Of those, missed.
    pub missed: usize,
}

/// One thing to fix.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FixItem {
    /// 1 is first.
    pub rank: usize,
    /// `escalations`, `timing`, `rates` or `messages`.
    pub area: String,
    /// What to fix, with the numbers.
    pub text: String,
}
