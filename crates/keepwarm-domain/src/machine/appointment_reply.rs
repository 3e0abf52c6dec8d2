//! What a customer's message means for the lead's appointment: a plain confirmation of the one
//! still ahead confirms it (no hand-off, no task); a request to move it is marked and handed over;
//! and a "confirmation" with no appointment booked ("I'll be there at 3") is read as what it is to a
//! dealership, the customer proposing a time: an appointment request a person must book, handed
//! over on the escalation clock like any other.

use std::borrow::Cow;

use jiff::Timestamp;
use keepwarm_classify::{Classification, Intent};

use super::change::{Change, IfMoved};
use super::payload::{AppointmentWrite, NewEvent, OutcomeRecord};
use super::state::{Appointment, LeadState};
use crate::appointment::AppointmentStatus;
use crate::timeline::AppointmentUpdate;
use crate::TimelineEvent;

/// What a reply does to the lead's open appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AppointmentReply {
    /// A plain confirmation: no hand-off, no task.
    Confirms,
    /// A request to move it: handed over like any hot reply, and marked.
    Reschedule,
}

/// What the reply means for the lead's appointment still ahead (or under way), read from its
/// classification: a plain confirmation (nothing hot in it) confirms; a reschedule request is
/// marked.
pub(super) fn appointment_reply(
    state: &LeadState,
    c: Option<&Classification>,
    now: Timestamp,
) -> Option<(Appointment, AppointmentReply)> {
    let c = c?;
    let a = state
        .appointment
        .filter(|a| a.status.is_open() && a.ends_at > now)?;
    if c.has(Intent::Reschedule) {
        Some((a, AppointmentReply::Reschedule))
    } else if c.has(Intent::Confirm) && !c.escalates() {
        Some((a, AppointmentReply::Confirms))
    } else {
        None
    }
}

/// The appointment's new status as a change of the reply's set; `None` when it is already there.
pub(super) fn appointment_change(
    state: &LeadState,
    a: Appointment,
    reply: AppointmentReply,
    words: &str,
    now: Timestamp,
) -> Option<Change> {
    let (to, event): (_, fn(AppointmentUpdate) -> TimelineEvent) = match reply {
        AppointmentReply::Confirms => (
            AppointmentStatus::Confirmed,
            TimelineEvent::AppointmentConfirmed,
        ),
        AppointmentReply::Reschedule => (
            AppointmentStatus::RescheduleRequested,
            TimelineEvent::AppointmentRescheduleRequested,
        ),
    };
    if a.status == to {
        return None;
    }
    let record = OutcomeRecord {
        lead: state.id,
        now,
        by: "customer reply".into(),
        stage: None,
        at: now,
        reason: None,
        via: "reply".into(),
        stop: None,
        appointment: Some(AppointmentWrite::Status {
            id: a.id,
            from: a.status,
            to,
        }),
        enrollment: None,
        status: None,
        timers: Vec::new(),
        events: vec![NewEvent::new(
            now,
            event(AppointmentUpdate {
                appointment_id: a.id,
                starts_at: a.starts_at,
                words: Some(words.to_owned()),
                by: "customer reply".into(),
                via: None,
            }),
        )],
        tasks: Vec::new(),
    };
    Some(Change::Outcome {
        record: Box::new(record),
        closing: None,
        if_moved: IfMoved::Skip,
    })
}

/// How the hand-off reads the reply: as classified, except that a confirmation with no appointment
/// ahead to confirm is an appointment request (a person books the time the customer proposes).
pub(super) fn as_handed_over<'c>(
    state: &LeadState,
    c: Option<&'c Classification>,
    now: Timestamp,
) -> Option<Cow<'c, Classification>> {
    let c = c?;
    let booked = state
        .appointment
        .is_some_and(|a| a.status.is_open() && a.ends_at > now);
    if !c.has(Intent::Confirm) || booked || c.has(Intent::Appointment) {
        return Some(Cow::Borrowed(c));
    }
    let mut proposal = c.clone();
    proposal.intents.retain(|i| *i != Intent::Other);
    proposal.intents.push(Intent::Appointment);
    proposal
        .intents
        .sort_by_key(|i| Intent::ALL.iter().position(|a| a == i));
    Some(Cow::Owned(proposal))
}
