//! The `no_show` timer: at an appointment's end plus the grace period, an appointment still open
//! was missed. It becomes `no_show`, the running cadence ends, the owner gets a call task, and the
//! lead starts the no-show recovery cadence (anchored now) when one is configured and the customer
//! can be reached. A timer left over from before a reschedule finds the appointment not yet over
//! and does nothing; one that finds the appointment moved on meanwhile refuses (the driver then
//! does nothing either). While an escalation on the lead is unacknowledged the recovery cadence is
//! enrolled paused, its touches held for the silence timer (defect 2).

use jiff::{SignedDuration, Timestamp};

use super::change::{Change, IfMoved};
use super::enroll::{enrolled, first_touch, unplannable};
use super::outcome::placement;
use super::payload::{AppointmentWrite, NewEnrollment, NewEvent, NewTask, OutcomeRecord};
use super::state::{Appointment, LeadState};
use super::{later, Refusal, Rules, TimerKind};
use crate::appointment::{appointment_day, appointment_time, AppointmentStatus};
use crate::timeline::AppointmentNoShow;
use crate::{LeadStatus, PhoneNumber, Stage, TimelineEvent};

/// What the `no_show` timer does at `now`.
pub(super) fn fired(
    state: &LeadState,
    rules: &Rules<'_>,
    now: Timestamp,
) -> Result<Vec<Change>, Refusal> {
    let appointments = &rules.config.appointments;
    let grace = SignedDuration::from_mins(i64::from(appointments.no_show_grace_minutes));
    let Some(a) = state.appointment else {
        return Ok(Vec::new());
    };
    let over = a.ends_at.checked_add(grace).unwrap_or(Timestamp::MAX);
    if !a.status.is_open() || over > now || state.stage != Stage::AppointmentSet {
        return Ok(Vec::new());
    }
    let mut events = vec![NewEvent::new(
        now,
        TimelineEvent::AppointmentNoShow(AppointmentNoShow {
            appointment_id: a.id,
            starts_at: a.starts_at,
            ends_at: a.ends_at,
            grace_minutes: appointments.no_show_grace_minutes,
            by: "keepwarm".into(),
        }),
    )];
    let reachable = state.phone.is_some() || state.email.is_some();
    let enrollment = match (&appointments.no_show_cadence, state.opted_out, reachable) {
        (Some(cadence), false, true) => recovery(state, cadence, rules, now, &mut events)?,
        _ => None,
    };
    let record = OutcomeRecord {
        lead: state.id,
        now,
        by: "keepwarm".into(),
        stage: None,
        at: now,
        reason: None,
        via: "timer".into(),
        stop: Some("appointment missed".into()),
        appointment: Some(AppointmentWrite::Status {
            id: a.id,
            from: a.status,
            to: AppointmentStatus::NoShow,
        }),
        status: enrollment.as_ref().map(|_| LeadStatus::Active),
        enrollment,
        timers: Vec::new(),
        events,
        tasks: vec![call_task(state, &a, rules, now)],
    };
    let recovering = record.enrollment.is_some();
    let mut changes = vec![Change::Outcome {
        record: Box::new(record),
        closing: None,
        if_moved: IfMoved::Refuse,
    }];
    if recovering && state.escalation_open() {
        // Defect 2: a question nobody took (a request to move the appointment, say) is not talked
        // over by the recovery texts. They wait, held, for the silence timer, which resumes them
        // once a person has taken the escalation and answered, and tells the manager otherwise.
        let days = rules.config.conversations.resume_after_silence_days;
        changes.push(Change::Pause {
            lead: state.id,
            reason: "an escalation on the lead is still unacknowledged; the no-show recovery waits for a person".into(),
            actor: "keepwarm".into(),
        });
        changes.push(Change::Timer {
            kind: TimerKind::ResumeAfterSilence.as_str().into(),
            due_at: later(now, i64::from(days) * 24),
        });
    }
    Ok(changes)
}

/// The enrollment in the recovery cadence, anchored now, with its first step planned inside the
/// contact window (or, when the window never opens, none, with a `touch_unplannable` event).
fn recovery(
    state: &LeadState,
    cadence: &str,
    rules: &Rules<'_>,
    now: Timestamp,
    events: &mut Vec<NewEvent>,
) -> Result<Option<NewEnrollment>, Refusal> {
    let Ok((zones, primary, window)) = placement(state, rules) else {
        return Ok(None);
    };
    let (version, snapshot) = rules
        .cadences
        .get(cadence)
        .ok_or_else(|| Refusal::CadenceUnknown(cadence.to_owned()))?;
    let steps = &snapshot.cadence;
    events.push(enrolled(steps, version, now, now));
    let first_touch = match first_touch(steps, &snapshot.blocks, now, &primary, now, &window) {
        Ok(touch) => touch,
        Err(e) => {
            events.push(unplannable(&e, 1, &zones, now));
            None
        }
    };
    Ok(Some(NewEnrollment {
        cadence_name: steps.name.clone(),
        cadence_version: version.clone(),
        anchor_at: now,
        first_touch,
    }))
}

/// The owner's task for a missed appointment: a person calls, whatever the recovery cadence says.
fn call_task(state: &LeadState, a: &Appointment, rules: &Rules<'_>, now: Timestamp) -> NewTask {
    let who = state.customer();
    let when = rules
        .config
        .dealership(Some(&state.dealership))
        .map(|d| {
            format!(
                "{} at {}",
                appointment_day(a.starts_at, &d.time_zone),
                appointment_time(a.starts_at, &d.time_zone)
            )
        })
        .unwrap_or_else(|| a.starts_at.to_string());
    let phone = state
        .phone
        .as_deref()
        .and_then(|p| PhoneNumber::parse(p, "US").ok())
        .map(|p| format!(" at {}", p.national()))
        .unwrap_or_default();
    NewTask {
        owner_id: state.owner.clone(),
        kind: "call".into(),
        touch_id: None,
        due_at: now,
        body: format!(
            "{who} missed their {} appointment ({when}). Call them{phone} to find a better time.",
            a.kind
        ),
    }
}
