//! Outcomes: a lead's stage moves (staff through the API, the DMS through an import, the customer
//! through a reply), and the appointment that comes with `appointment_set`.
//!
//! Setting an appointment ends the follow-up cadence and starts the appointment cadence, anchored at
//! the appointment's start; moving it cancels the waiting reminders and plans new ones for the new
//! time; a `no_show` timer at its end plus the grace period starts the no-show recovery cadence
//! unless a show was recorded first. An outcome that ends the lead (sold, lost) closes its
//! unacknowledged escalations and open tasks with the reason. Every outcome is one store
//! transaction. Recording the same outcome twice changes nothing the second time.
//!
//! What an outcome does is the lead state machine's (`keepwarm_domain::machine`, `outcome.rs`);
//! this module checks the input at the edge and drives the lead through it.

use jiff::{Timestamp, ToSpan};
use keepwarm_domain::appointment::AppointmentInput;
use keepwarm_domain::cadence::{Anchor, CadenceSnapshot};
use keepwarm_domain::lead::{FieldError, LeadInput};
use keepwarm_domain::machine::{plan_reminder_from, Event, OutcomeRequest};
use keepwarm_domain::{LeadId, Stage};
use keepwarm_store::{LeadRow, NewEvent, NewTouch};
use serde::Serialize;

use crate::context::{window_for, zones_for};
use crate::ingest::MAX_CLOCK_SKEW_MINUTES;
use crate::{Engine, EngineError, Result};

/// Longest reason accepted.
pub const MAX_REASON: usize = 500;
/// Shortest and longest appointment, in minutes.
const DURATION_MINUTES: std::ops::RangeInclusive<u32> = 5..=720;
/// How far ahead an appointment may be booked.
const MAX_DAYS_AHEAD: i64 = 365;

/// An outcome to record.
#[derive(Debug, Clone)]
pub struct OutcomeInput {
    /// The stage the lead reached.
    pub stage: Stage,
    /// When it happened; now when absent.
    pub at: Option<Timestamp>,
    /// Why (required for `lost`).
    pub reason: Option<String>,
    /// The appointment (required with `appointment_set`).
    pub appointment: Option<AppointmentInput>,
    /// Who recorded it: a staff id, `api`, `import`, `customer reply`.
    pub by: String,
    /// How it came: `api`, `import`, `reply`.
    pub via: String,
}

/// What recording an outcome did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeResult {
    /// Recorded now.
    Applied,
    /// The lead was already there (and the appointment already at that time): nothing changed.
    AlreadyRecorded,
}

impl Engine {
    /// Records an outcome: checks it against the clock and the lead (each problem names its
    /// field), then steps the lead through it: the stage, the appointment, the cadences and the
    /// no-show timer are decided by the lead state machine ([`keepwarm_domain::machine`],
    /// `outcome.rs`) and applied in one transaction.
    pub async fn record_outcome(&self, id: LeadId, input: OutcomeInput) -> Result<OutcomeResult> {
        let lead = self.existing(id).await?;
        let now = self.now();
        let at = input.at.unwrap_or(now);
        check_outcome(&lead, &input, at, now)?;
        let request = OutcomeRequest {
            stage: input.stage,
            at: Some(at),
            reason: input.reason,
            appointment: input.appointment,
            by: input.by,
            via: input.via,
        };
        let Some(_) = self.drive(&lead, Event::Outcome(Box::new(request))).await? else {
            return Ok(OutcomeResult::AlreadyRecorded);
        };
        self.after_change().await?;
        Ok(OutcomeResult::Applied)
    }

    /// Plans the first step at or after `index` of an appointment cadence that can go out before the
    /// appointment; steps that cannot are recorded as skipped.
    #[allow(
        clippy::too_many_arguments,
        reason = "a flat list of the facts planning needs"
    )]
    pub(crate) fn plan_reminder_from(
        &self,
        lead: &LeadRow,
        snapshot: &CadenceSnapshot,
        index: usize,
        start: Timestamp,
        enrolled_at: Timestamp,
        now: Timestamp,
        events: &mut Vec<NewEvent>,
    ) -> Option<NewTouch> {
        let config = self.config();
        let dealership = config.dealership(Some(&lead.dealership))?;
        let input: LeadInput = serde_json::from_value(lead.payload.clone()).unwrap_or_default();
        let (zones, primary) = zones_for(lead.phone().as_ref(), &input, dealership);
        let window = window_for(config, &zones, dealership, &lead.segment);
        plan_reminder_from(
            snapshot,
            index,
            start,
            enrolled_at,
            now,
            &primary,
            &window,
            events,
        )
    }
}

/// Whether a cadence is an appointment cadence (its steps count back from the appointment).
pub(crate) fn is_appointment_cadence(snapshot: &CadenceSnapshot) -> bool {
    snapshot.cadence.anchor == Anchor::Appointment
}

/// The checks that need only the lead and the clock, each naming its field.
fn check_outcome(
    lead: &LeadRow,
    input: &OutcomeInput,
    at: Timestamp,
    now: Timestamp,
) -> Result<()> {
    let mut problems = Vec::new();
    let mut problem = |field: &str, message: String| {
        problems.push(FieldError {
            field: field.to_owned(),
            message,
        })
    };
    if at
        > now
            .checked_add(MAX_CLOCK_SKEW_MINUTES.minutes())
            .unwrap_or(Timestamp::MAX)
    {
        problem("at", format!("{at} is in the future (now is {now})"));
    }
    if at < lead.received_at {
        problem(
            "at",
            format!(
                "{at} is before the lead was received ({})",
                lead.received_at
            ),
        );
    }
    let reason = input.reason.as_deref().map(str::trim).unwrap_or("");
    if input.stage == Stage::Lost && reason.is_empty() {
        problem("reason", "a lost lead needs a reason".into());
    }
    if reason.len() > MAX_REASON {
        problem("reason", format!("longer than {MAX_REASON} bytes"));
    }
    match (&input.appointment, input.stage) {
        (None, Stage::AppointmentSet) => problem(
            "appointment",
            "required with stage appointment_set: {\"at\": RFC 3339, \"kind\": \"sales\" or \"service\"}".into(),
        ),
        (Some(_), stage) if stage != Stage::AppointmentSet => problem(
            "appointment",
            format!("only goes with stage appointment_set, not {stage}"),
        ),
        (Some(a), _) => {
            if a.at <= now {
                problem("appointment.at", format!("{} is not in the future (now is {now})", a.at));
            }
            if a.at > now.checked_add((MAX_DAYS_AHEAD * 24).hours()).unwrap_or(Timestamp::MAX) {
                problem(
                    "appointment.at",
                    format!("{} is more than {MAX_DAYS_AHEAD} days ahead", a.at),
                );
            }
            if let Some(m) = a.duration_minutes.filter(|m| !DURATION_MINUTES.contains(m)) {
                problem(
                    "appointment.duration_minutes",
                    format!(
                        "{m} is outside {}..={}",
                        DURATION_MINUTES.start(),
                        DURATION_MINUTES.end()
                    ),
                );
            }
        }
        (None, _) => {}
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(EngineError::Validation(problems))
    }
}
