//! What both backends record the same way around outcomes, delivery reports and closed work: the
//! timeline events, and the error a refused write answers. Each backend only runs its SQL and
//! hands the rows it changed to these.

use jiff::Timestamp;
use keepwarm_domain::timeline::{DeliveryStatus, EscalationClosed, TaskClosed};
use keepwarm_domain::{LeadId, TimelineEvent};

use crate::outcomes::WorkClosing;
use crate::records::{DeliveryRecord, NewEvent};
use crate::StoreError;

/// The events of closed work: each escalation (by id), then each task (id, kind), in id order.
pub(crate) fn closed_work_events(
    closing: &WorkClosing,
    escalations: &mut [i64],
    tasks: &mut [(i64, String)],
) -> Vec<NewEvent> {
    escalations.sort_unstable();
    tasks.sort_unstable();
    let at: Timestamp = closing.at;
    let mut events: Vec<NewEvent> = escalations
        .iter()
        .map(|id| {
            NewEvent::new(
                at,
                TimelineEvent::EscalationClosed(EscalationClosed {
                    escalation_id: *id,
                    reason: closing.reason.clone(),
                    by: closing.by.clone(),
                }),
            )
        })
        .collect();
    events.extend(tasks.iter().map(|(id, kind)| {
        NewEvent::new(
            at,
            TimelineEvent::TaskClosed(TaskClosed {
                task_id: *id,
                kind: kind.clone(),
                reason: closing.reason.clone(),
                by: closing.by.clone(),
            }),
        )
    }));
    events
}

/// The `rank:status` a delivery report is kept as: ranks sort as text, so one conditional UPDATE
/// can refuse a report at or below the recorded one.
pub(crate) fn delivery_rank(u: &DeliveryRecord) -> String {
    format!("{:03}:{}", u.rank, u.status)
}

/// The event of a delivery report recorded on touch `touch_id`.
pub(crate) fn delivery_event(touch_id: i64, u: &DeliveryRecord) -> NewEvent {
    NewEvent::new(
        u.at,
        TimelineEvent::DeliveryStatus(DeliveryStatus {
            touch_id,
            provider_id: u.provider_id.clone(),
            status: u.status.clone(),
            error_code: u.error.clone(),
        }),
    )
}

/// Why a delivery report changed nothing: the touch it names (`known`) already has a status at or
/// after it, or no touch of `lead` went out under its provider id.
pub(crate) fn delivery_refused(known: Option<i64>, u: &DeliveryRecord, lead: LeadId) -> StoreError {
    match known {
        Some(touch) => StoreError::Conflict(format!(
            "touch {touch} already has a delivery status at or after `{}`",
            u.status
        )),
        None => StoreError::NotFound(format!("a touch of lead {lead} sent as {}", u.provider_id)),
    }
}
