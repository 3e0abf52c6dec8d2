//! Outcomes: a lead's stage moves (staff through the API, the DMS through an import, the customer
//! through a reply), and the appointment that comes with `appointment_set`.
//!
//! Setting an appointment ends the follow-up cadence and starts the appointment cadence, anchored at
//! the appointment's start; moving it cancels the waiting reminders and plans new ones for the new
//! time; a `no_show` timer at its end plus the grace period starts the no-show recovery cadence
//! unless a show was recorded first. An outcome that ends the lead (sold, lost) closes its
//! unacknowledged escalations and open tasks with the reason. Every outcome is one store
//! transaction. Recording the same outcome twice changes nothing the second time.

use jiff::{Timestamp, ToSpan};
use keepwarm_domain::appointment::{plan_reminder, AppointmentInput, AppointmentStatus};
use keepwarm_domain::cadence::{Anchor, CadenceSnapshot};
use keepwarm_domain::lead::{FieldError, LeadInput};
use keepwarm_domain::timeline::{AppointmentBooked, AppointmentUpdate, Enrolled, TouchSkipped};
use keepwarm_domain::TimelineEvent;
use keepwarm_domain::{LeadId, Stage};
use keepwarm_store::{
    AppointmentRow, AppointmentWrite, Change, IfMoved, LeadRow, NewEnrollment, NewEvent, NewTouch,
    OutcomeRecord, StoreError, WorkClosing,
};
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
    /// Records an outcome: validates it against the lead (each problem names its field), then moves
    /// the stage, writes the appointment, swaps cadences and sets the no-show timer in one
    /// transaction.
    pub async fn record_outcome(&self, id: LeadId, input: OutcomeInput) -> Result<OutcomeResult> {
        let lead = self
            .store()
            .lead(id)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("lead {id}")))?;
        let now = self.now();
        let at = input.at.unwrap_or(now);
        check_outcome(&lead, &input, at, now)?;
        let open = self
            .store()
            .latest_appointment(id)
            .await?
            .filter(|a| a.status.is_open());
        let Some(record) = self.outcome_record(&lead, &input, open.as_ref(), at, now)? else {
            return Ok(OutcomeResult::AlreadyRecorded);
        };
        let outcome = Change::Outcome {
            closing: closing(&record),
            record: Box::new(record),
            if_moved: IfMoved::Refuse,
        };
        match self.apply_changes(id, vec![outcome]).await {
            Ok(()) => {}
            Err(EngineError::Store(StoreError::Conflict(why))) => {
                return Err(EngineError::Conflict(format!("lead {id}: {why}")))
            }
            Err(e) => return Err(e),
        }
        self.after_change().await?;
        Ok(OutcomeResult::Applied)
    }

    /// An outcome as a change of a larger change set (a closing reply), validated against the lead
    /// as loaded; `None` when it is already recorded.
    pub(crate) async fn plan_outcome(
        &self,
        lead: &LeadRow,
        input: &OutcomeInput,
        now: Timestamp,
    ) -> Result<Option<Change>> {
        let at = input.at.unwrap_or(now);
        check_outcome(lead, input, at, now)?;
        let open = self
            .store()
            .latest_appointment(lead.id)
            .await?
            .filter(|a| a.status.is_open());
        Ok(self
            .outcome_record(lead, input, open.as_ref(), at, now)?
            .map(|record| Change::Outcome {
                closing: closing(&record),
                record: Box::new(record),
                if_moved: IfMoved::Skip,
            }))
    }

    /// The record for an outcome, or `None` when it is already recorded.
    fn outcome_record(
        &self,
        lead: &LeadRow,
        input: &OutcomeInput,
        open: Option<&AppointmentRow>,
        at: Timestamp,
        now: Timestamp,
    ) -> Result<Option<OutcomeRecord>> {
        let stage = input.stage;
        let same_stage = stage == lead.stage;
        if !same_stage && stage != Stage::Lost && (stage < lead.stage || lead.stage == Stage::Lost)
        {
            return Err(EngineError::Conflict(format!(
                "lead {} is {}; it cannot go back to {stage}",
                lead.id, lead.stage
            )));
        }
        let mut record = OutcomeRecord {
            lead: lead.id,
            now,
            by: input.by.clone(),
            stage: (!same_stage).then_some((lead.stage, stage)),
            at,
            reason: input.reason.clone(),
            via: input.via.clone(),
            stop: stage.ends_follow_up().then(|| format!("stage is {stage}")),
            appointment: None,
            enrollment: None,
            timers: Vec::new(),
            events: Vec::new(),
            tasks: Vec::new(),
        };
        if let Some(booking) = &input.appointment {
            let minutes = booking
                .duration_minutes
                .unwrap_or(self.config().appointments.default_duration_minutes);
            let ends_at = booking
                .at
                .checked_add(i64::from(minutes).minutes())
                .unwrap_or(Timestamp::MAX);
            let write = match open {
                Some(a)
                    if a.starts_at == booking.at
                        && a.ends_at == ends_at
                        && a.kind == booking.kind =>
                {
                    return Ok(None)
                }
                Some(a) => AppointmentWrite::Move {
                    id: a.id,
                    kind: booking.kind,
                    starts_at: booking.at,
                    ends_at,
                },
                None => AppointmentWrite::New {
                    kind: booking.kind,
                    starts_at: booking.at,
                    ends_at,
                },
            };
            let moved = matches!(write, AppointmentWrite::Move { .. });
            let booked = AppointmentBooked {
                appointment_id: open.filter(|_| moved).map(|a| a.id),
                kind: booking.kind,
                starts_at: booking.at,
                ends_at,
                from: open.filter(|_| moved).map(|a| a.starts_at),
                by: input.by.clone(),
                via: input.via.clone(),
            };
            record.events.push(NewEvent::new(
                now,
                if moved {
                    TimelineEvent::AppointmentMoved(booked)
                } else {
                    TimelineEvent::AppointmentSet(booked)
                },
            ));
            record.stop = Some(if moved {
                format!("appointment moved to {}", booking.at)
            } else {
                "stage is appointment_set".to_owned()
            });
            record.appointment = Some(write);
            let grace = i64::from(self.config().appointments.no_show_grace_minutes);
            record.timers.push((
                "no_show".into(),
                ends_at
                    .checked_add(grace.minutes())
                    .unwrap_or(Timestamp::MAX),
            ));
            if let Some(cadence) = self.config().appointments.cadence_for(booking.kind) {
                record.enrollment = self.plan_appointment_enrollment(
                    lead,
                    cadence,
                    booking.at,
                    now,
                    &mut record.events,
                )?;
            }
        } else if same_stage {
            return Ok(None);
        } else if let Some(a) = open {
            let to = match stage {
                Stage::Showed | Stage::Sold => Some(AppointmentStatus::Showed),
                Stage::Lost => Some(AppointmentStatus::Cancelled),
                _ => None,
            };
            if let Some(to) = to {
                record.appointment = Some(AppointmentWrite::Status {
                    id: a.id,
                    from: a.status,
                    to,
                });
                let update = AppointmentUpdate {
                    appointment_id: a.id,
                    starts_at: a.starts_at,
                    words: None,
                    by: input.by.clone(),
                    via: Some(input.via.clone()),
                };
                record.events.push(NewEvent::new(
                    now,
                    if to == AppointmentStatus::Showed {
                        TimelineEvent::AppointmentShowed(update)
                    } else {
                        TimelineEvent::AppointmentCancelled(update)
                    },
                ));
            }
        }
        Ok(Some(record))
    }

    /// An enrollment in an appointment cadence with its first plannable step, or `None` (with an
    /// event saying why) when no step can go out before the appointment.
    pub(crate) fn plan_appointment_enrollment(
        &self,
        lead: &LeadRow,
        cadence: &str,
        start: Timestamp,
        now: Timestamp,
        events: &mut Vec<NewEvent>,
    ) -> Result<Option<NewEnrollment>> {
        let (version, snapshot) = self.current.get(cadence).cloned().ok_or_else(|| {
            EngineError::Inconsistent(format!("cadence {cadence} is not configured"))
        })?;
        let mut planned = Vec::new();
        let first_touch =
            self.plan_reminder_from(lead, &snapshot, 0, start, now, now, &mut planned);
        let Some(first_touch) = first_touch else {
            events.extend(planned);
            return Ok(None);
        };
        events.push(NewEvent::new(
            now,
            TimelineEvent::Enrolled(Enrolled {
                cadence: cadence.to_owned(),
                version: version.clone(),
                label: snapshot.cadence.label.clone(),
                anchor_at: start,
            }),
        ));
        events.extend(planned);
        Ok(Some(NewEnrollment {
            cadence_name: cadence.to_owned(),
            cadence_version: version,
            anchor_at: start,
            first_touch: Some(first_touch),
        }))
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
        for (n, step) in snapshot.cadence.steps.iter().enumerate().skip(index) {
            match plan_reminder(step, start, enrolled_at, &primary, now, &window) {
                Ok(p) => {
                    return Some(NewTouch {
                        step_index: n,
                        channel: step.channel,
                        block: step.block.clone(),
                        target_at: p.target,
                        due_at: p.due,
                    })
                }
                Err(e) => events.push(NewEvent::new(
                    now,
                    TimelineEvent::TouchSkipped(TouchSkipped {
                        touch_id: None,
                        step: n + 1,
                        channel: step.channel,
                        block: Some(step.block.clone()),
                        reason: e.to_string(),
                    }),
                )),
            }
        }
        None
    }
}

/// What an outcome that ends the lead (sold, lost) closes: its unacknowledged escalations and open
/// tasks, so nobody is chased about a customer who has bought or gone. `None` for other outcomes.
fn closing(record: &OutcomeRecord) -> Option<WorkClosing> {
    let (_, to) = record.stage?;
    if !matches!(to, Stage::Sold | Stage::Lost) {
        return None;
    }
    let reason = match record.reason.as_deref().map(str::trim) {
        Some(why) if !why.is_empty() => format!("lead {to}: {why}"),
        _ => format!("lead {to}"),
    };
    Some(WorkClosing {
        reason,
        by: record.by.clone(),
        at: record.now,
    })
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
