//! Escalations of a lead: a person takes one or hands it on, and an unacknowledged one moves up
//! its chain when its deadline passes (the team's manager first, then the next manager not yet
//! told; at the end of the chain its clock stops and it stays breached).

use jiff::{Timestamp, ToSpan};

use super::alerts::{escalation_alert, team_manager, truncate};
use super::change::Change;
use super::payload::{EscalationChange, NewEvent};
use super::staff::new_assignee_alert;
use super::state::LeadState;
use super::{Refusal, Rules};
use crate::routing::{Role, Staff};
use crate::timeline::{
    EscalationAcknowledged, EscalationBreached, EscalationReassigned, EscalationUnanswered,
};
use crate::TimelineEvent;

/// A person takes escalation `id`.
pub(super) fn acknowledge(
    state: &LeadState,
    id: i64,
    by: &str,
    now: Timestamp,
) -> Result<Vec<Change>, Refusal> {
    let e = state.escalation(id).ok_or(Refusal::EscalationClosed(id))?;
    Ok(vec![
        Change::Escalation {
            escalation: id,
            change: EscalationChange::Acknowledge {
                by: by.to_owned(),
                at: now,
            },
        },
        Change::Events(vec![NewEvent::new(
            now,
            TimelineEvent::EscalationAcknowledged(EscalationAcknowledged {
                escalation_id: id,
                by: by.to_owned(),
                within_sla: now <= e.sla_due_at,
                via: None,
            }),
        )]),
    ])
}

/// A person hands escalation `id` to `to`, who is told in the same set.
pub(super) fn reassign(
    state: &LeadState,
    id: i64,
    to: &Staff,
    by: &str,
    now: Timestamp,
) -> Result<Vec<Change>, Refusal> {
    let e = state.escalation(id).ok_or(Refusal::EscalationClosed(id))?;
    let mut changes = vec![
        Change::Escalation {
            escalation: id,
            change: EscalationChange::Reassign {
                to: to.id.clone(),
                at: now,
            },
        },
        Change::Events(vec![NewEvent::new(
            now,
            TimelineEvent::EscalationReassigned(EscalationReassigned {
                escalation_id: id,
                from: e.assignee.clone(),
                to: to.id.clone(),
                reason: None,
                by: Some(by.to_owned()),
            }),
        )]),
    ];
    changes.extend(new_assignee_alert(state, id, to, now).map(Change::Enqueue));
    Ok(changes)
}

/// Escalation `id`'s deadline passed: the next person in its chain is told, or, at the end of the
/// chain, its clock stops. An escalation no longer open (acknowledged meanwhile) has nothing to do.
/// The change is guarded by the deadline seen here, so of two workers that both saw it due exactly
/// one moves it and tells anyone.
pub(super) fn deadline(
    state: &LeadState,
    id: i64,
    rules: &Rules<'_>,
    now: Timestamp,
) -> Result<Vec<Change>, Refusal> {
    let Some(e) = state.escalation(id) else {
        return Ok(Vec::new());
    };
    // Only a deadline due now moves it. Two workers can both see a deadline due; the one that
    // loads the lead after the other moved it finds a later deadline (or a stopped clock), and
    // must neither tell the next manager early nor stop the clock a second time.
    if e.next_deadline_at.is_none_or(|due| due > now) {
        return Ok(Vec::new());
    }
    let config = rules.config;
    let manager = team_manager(config, state).map(|m| m.id.clone());
    let next = if e.level == 0 {
        manager.filter(|m| !e.notified.contains(m))
    } else {
        None
    }
    .or_else(|| {
        config
            .staff
            .iter()
            .find(|s| s.role == Role::Manager && !e.notified.contains(&s.id))
            .map(|s| s.id.clone())
    });
    let Some(next) = next.and_then(|id| config.staff_member(&id)) else {
        // The end of the chain: stop the clock; it stays breached until someone acknowledges.
        return Ok(vec![
            Change::Escalation {
                escalation: id,
                change: EscalationChange::Escalate {
                    deadline: e.next_deadline_at,
                    level: e.level,
                    told: e.assignee.clone(),
                    next_deadline: None,
                    at: now,
                },
            },
            Change::Events(vec![NewEvent::new(
                now,
                TimelineEvent::EscalationUnanswered(EscalationUnanswered { escalation_id: id }),
            )]),
        ]);
    };
    let level = e.level + 1;
    let next_deadline = (level < 2).then(|| {
        now.checked_add((config.escalation.second_deadline_minutes as i64).minutes())
            .unwrap_or(Timestamp::MAX)
    });
    let waited = now
        .since(e.created_at)
        .ok()
        .and_then(|s| s.total(jiff::Unit::Minute).ok())
        .unwrap_or(0.0);
    let text = format!(
        "ESCALATED: {}'s hot reply ({}) has waited {:.0} min without an answer from {}. \"{}\" Reply {id} to take it.",
        state.customer(),
        e.intents.join(", "),
        waited,
        e.assignee,
        truncate(&e.reply, 200),
    );
    let mut changes = vec![
        Change::Escalation {
            escalation: id,
            change: EscalationChange::Escalate {
                deadline: e.next_deadline_at,
                level,
                told: next.id.clone(),
                next_deadline,
                at: now,
            },
        },
        Change::Events(vec![NewEvent::new(
            now,
            TimelineEvent::EscalationBreached(EscalationBreached {
                escalation_id: id,
                level,
                told: next.id.clone(),
                unacknowledged_by: e.assignee.clone(),
                sla_due_at: e.sla_due_at,
            }),
        )]),
    ];
    changes.extend(
        escalation_alert(state.id, &state.dealership, next, Some(id), &text, now)
            .map(Change::Enqueue),
    );
    Ok(changes)
}
