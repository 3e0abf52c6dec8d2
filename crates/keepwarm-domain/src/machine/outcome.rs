//! Outcomes: a lead's stage moves (staff through the API, the DMS through an import, the customer
//! through a reply), with the appointment that comes with `appointment_set`.
//!
//! Setting an appointment ends the follow-up cadence and starts the appointment cadence, anchored at
//! the appointment's start; moving it plans the reminders again for the new time; a `no_show` timer
//! is set at its end plus the grace period. An outcome that ends the lead (sold, lost) closes its
//! unacknowledged escalations and open tasks with the reason (defect 6). Recording the same outcome
//! twice changes nothing the second time (no changes). Stages only move forward, except `lost`.
//!
//! The input is checked at the edge (its fields, against the clock and the lead's age); what is
//! left here is what the outcome does to the lead as it is.

use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use keepwarm_classify::{Classification, Intent};

use super::change::{Change, IfMoved};
use super::context::{window_for, zones_for};
use super::payload::{
    AppointmentWrite, NewEnrollment, NewEvent, NewTouch, OutcomeRecord, WorkClosing,
};
use super::state::LeadState;
use super::{Refusal, Rules};
use crate::appointment::{plan_reminder, AppointmentInput, AppointmentStatus};
use crate::cadence::CadenceSnapshot;
use crate::timeline::{AppointmentBooked, AppointmentUpdate, Enrolled, TouchSkipped};
use crate::window::ContactWindow;
use crate::{LeadStatus, PhoneNumber, Stage, TimelineEvent};

/// An outcome to record, checked at the edge.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeRequest {
    /// The stage the lead reached.
    pub stage: Stage,
    /// When it happened; now when absent.
    pub at: Option<Timestamp>,
    /// Why (present for `lost`).
    pub reason: Option<String>,
    /// The appointment (present with `appointment_set`).
    pub appointment: Option<AppointmentInput>,
    /// Who recorded it: a staff id, `api`, `import`, `customer reply`.
    pub by: String,
    /// How it came: `api`, `import`, `reply`.
    pub via: String,
}

/// A person's (or an import's) outcome: one change that refuses the whole set if the lead moved
/// meanwhile; nothing when it is already recorded.
pub(super) fn recorded(
    state: &LeadState,
    request: &OutcomeRequest,
    rules: &Rules<'_>,
    now: Timestamp,
) -> Result<Vec<Change>, Refusal> {
    Ok(outcome(state, request, rules, now, IfMoved::Refuse)?
        .into_iter()
        .collect())
}

/// The outcome as a change (of a larger set with `IfMoved::Skip`), or `None` when it is already
/// recorded.
pub(super) fn outcome(
    state: &LeadState,
    request: &OutcomeRequest,
    rules: &Rules<'_>,
    now: Timestamp,
    if_moved: IfMoved,
) -> Result<Option<Change>, Refusal> {
    Ok(
        record(state, request, rules, now)?.map(|record| Change::Outcome {
            closing: closing(&record),
            record: Box::new(record),
            if_moved,
        }),
    )
}

/// The record for an outcome, or `None` when it is already recorded.
fn record(
    state: &LeadState,
    request: &OutcomeRequest,
    rules: &Rules<'_>,
    now: Timestamp,
) -> Result<Option<OutcomeRecord>, Refusal> {
    let stage = request.stage;
    let same_stage = stage == state.stage;
    if !same_stage && stage != Stage::Lost && (stage < state.stage || state.stage == Stage::Lost) {
        return Err(Refusal::StageBack {
            from: state.stage,
            to: stage,
        });
    }
    let open = state.appointment.filter(|a| a.status.is_open());
    let mut record = OutcomeRecord {
        lead: state.id,
        now,
        by: request.by.clone(),
        stage: (!same_stage).then_some((state.stage, stage)),
        at: request.at.unwrap_or(now),
        reason: request.reason.clone(),
        via: request.via.clone(),
        stop: stage.ends_follow_up().then(|| format!("stage is {stage}")),
        appointment: None,
        enrollment: None,
        status: None,
        timers: Vec::new(),
        events: Vec::new(),
        tasks: Vec::new(),
    };
    if let Some(booking) = &request.appointment {
        let appointments = &rules.config.appointments;
        let minutes = booking
            .duration_minutes
            .unwrap_or(appointments.default_duration_minutes);
        let ends_at = booking
            .at
            .checked_add(i64::from(minutes).minutes())
            .unwrap_or(Timestamp::MAX);
        let write = match open {
            Some(a)
                if a.starts_at == booking.at && a.ends_at == ends_at && a.kind == booking.kind =>
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
            by: request.by.clone(),
            via: request.via.clone(),
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
        let grace = i64::from(appointments.no_show_grace_minutes);
        record.timers.push((
            "no_show".into(),
            ends_at
                .checked_add(grace.minutes())
                .unwrap_or(Timestamp::MAX),
        ));
        if let Some(cadence) = appointments.cadence_for(booking.kind) {
            record.enrollment =
                appointment_enrollment(state, cadence, booking.at, rules, now, &mut record.events)?;
            record.status = record.enrollment.as_ref().map(|_| LeadStatus::Active);
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
                by: request.by.clone(),
                via: Some(request.via.clone()),
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

/// Where the lead's messages are planned: the zones it may be in, the primary one (for calendar
/// days) and its contact window.
pub(super) fn placement(
    state: &LeadState,
    rules: &Rules<'_>,
) -> Result<(Vec<String>, TimeZone, ContactWindow), Refusal> {
    let config = rules.config;
    let dealership = config
        .dealership(Some(&state.dealership))
        .ok_or(Refusal::Unplaced)?;
    let phone = state
        .phone
        .as_deref()
        .and_then(|p| PhoneNumber::parse(p, "US").ok());
    let (zones, primary) = zones_for(phone.as_ref(), &state.document, dealership);
    let window = window_for(config, &zones, dealership, &state.segment);
    Ok((zones.zones, primary, window))
}

/// An enrollment in an appointment cadence with its first plannable step, or `None` (with an
/// event saying why) when no step can go out before the appointment.
fn appointment_enrollment(
    state: &LeadState,
    cadence: &str,
    start: Timestamp,
    rules: &Rules<'_>,
    now: Timestamp,
    events: &mut Vec<NewEvent>,
) -> Result<Option<NewEnrollment>, Refusal> {
    let (version, snapshot) = rules
        .cadences
        .get(cadence)
        .ok_or_else(|| Refusal::CadenceUnknown(cadence.to_owned()))?;
    let (_, primary, window) = placement(state, rules)?;
    let mut planned = Vec::new();
    let first_touch = plan_reminder_from(
        snapshot,
        0,
        start,
        now,
        now,
        &primary,
        &window,
        &mut planned,
    );
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
        cadence_version: version.clone(),
        anchor_at: start,
        first_touch: Some(first_touch),
    }))
}

/// Plans the first step at or after `index` of an appointment cadence that can go out before the
/// appointment starting at `start`; steps that cannot are recorded in `events` as skipped.
#[allow(
    clippy::too_many_arguments,
    reason = "a flat list of the facts planning needs"
)]
pub fn plan_reminder_from(
    snapshot: &CadenceSnapshot,
    index: usize,
    start: Timestamp,
    enrolled_at: Timestamp,
    now: Timestamp,
    primary: &TimeZone,
    window: &ContactWindow,
    events: &mut Vec<NewEvent>,
) -> Option<NewTouch> {
    for (n, step) in snapshot.cadence.steps.iter().enumerate().skip(index) {
        match plan_reminder(step, start, enrolled_at, primary, now, window) {
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

/// A closing reply ("bought elsewhere", "not interested"): the lead is lost, decided against the
/// lead as it is after the reply's first-contact stage change (which the same set applies first).
/// A lead that moved meanwhile keeps the rest of the reply's effects (`IfMoved::Skip`).
pub(super) fn closing_reply(
    state: &LeadState,
    c: &Classification,
    rules: &Rules<'_>,
    now: Timestamp,
) -> Result<Option<Change>, Refusal> {
    let reason = if c.has(Intent::BoughtElsewhere) {
        "bought elsewhere"
    } else {
        "not interested"
    };
    let request = OutcomeRequest {
        stage: Stage::Lost,
        at: None,
        reason: Some(reason.to_owned()),
        appointment: None,
        by: "customer reply".into(),
        via: "reply".into(),
    };
    let mut contacted = state.clone();
    if contacted.stage < Stage::Contacted && contacted.stage != Stage::Lost {
        contacted.stage = Stage::Contacted;
    }
    match outcome(&contacted, &request, rules, now, IfMoved::Skip) {
        Ok(change) => Ok(change),
        Err(Refusal::StageBack { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}
