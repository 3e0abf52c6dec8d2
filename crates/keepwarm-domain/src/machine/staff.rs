//! A person's actions on a lead: stop, pause, resume, a new owner (whose open work follows the
//! lead), and a finished task.

use jiff::Timestamp;

use super::alerts::{escalation_alert, truncate};
use super::change::Change;
use super::payload::{NewEvent, RefusedContact};
use super::state::LeadState;
use super::{Refusal, Rules};
use crate::follow_up::{decide_follow_up, FollowUpAction, FollowUpState};
use crate::routing::Staff;
use crate::timeline::{EscalationReassigned, OwnerAssigned, TaskCompleted, TaskReassigned};
use crate::{Stage, TimelineEvent};

/// Why a task or escalation moved to a lead's new owner (their events' `reason`).
pub(crate) const MOVED_WITH_THE_LEAD: &str = "lead reassigned";

/// Refuses an action the lead's follow-up state does not allow.
fn allow(state: &LeadState, action: FollowUpAction) -> Result<(), Refusal> {
    let follow_up = FollowUpState {
        status: state.status,
        opted_out: state.opted_out,
    };
    decide_follow_up(follow_up, action).map_err(Refusal::FollowUp)
}

/// Ends the follow-up (and, with `opt_out`, marks the lead opted out).
pub(super) fn stop(
    state: &LeadState,
    reason: &str,
    actor: &str,
    opt_out: bool,
) -> Result<Vec<Change>, Refusal> {
    allow(state, FollowUpAction::Stop { opt_out })?;
    Ok(vec![Change::Stop {
        lead: state.id,
        reason: reason.to_owned(),
        actor: actor.to_owned(),
        opt_out,
    }])
}

/// Holds the follow-up until resumed.
pub(super) fn pause(state: &LeadState, reason: &str, actor: &str) -> Result<Vec<Change>, Refusal> {
    allow(state, FollowUpAction::Pause)?;
    Ok(vec![Change::Pause {
        lead: state.id,
        reason: reason.to_owned(),
        actor: actor.to_owned(),
    }])
}

/// Takes the follow-up up again: each held touch goes out at the first legal instant at or after
/// its old due time or `now`, whichever is later.
pub(super) fn resume(
    state: &LeadState,
    reason: &str,
    actor: &str,
    rules: &Rules<'_>,
    now: Timestamp,
) -> Result<Vec<Change>, Refusal> {
    allow(state, FollowUpAction::Resume)?;
    let window = rules.window.ok_or(Refusal::Unplaced)?;
    let reschedule = state
        .held_touches
        .iter()
        .map(|touch| {
            window
                .next_open(touch.due_at.max(now))
                .map(|due| (touch.id, due))
                .ok_or(Refusal::NoWindow)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(vec![Change::Resume {
        reason: reason.to_owned(),
        actor: actor.to_owned(),
        reschedule,
    }])
}

/// Gives the lead a new owner. Open tasks and unacknowledged escalations move with it (reason
/// `lead reassigned`), and the new owner is told of each moved escalation in the same set, so a
/// crash cannot leave an escalation with someone who was never told.
pub(super) fn reassign(
    state: &LeadState,
    to: &Staff,
    reason: &str,
    actor: &str,
    now: Timestamp,
) -> Result<Vec<Change>, Refusal> {
    if state.owner == to.id {
        return Err(Refusal::AlreadyOwned(to.id.clone()));
    }
    let mut changes = vec![Change::SetOwner {
        owner: to.id.clone(),
    }];
    let mut events = vec![NewEvent::new(
        now,
        TimelineEvent::OwnerAssigned(OwnerAssigned {
            owner: to.id.clone(),
            name: Some(to.name.clone()),
            team: None,
            reason: reason.to_owned(),
            from: Some(state.owner.clone()),
            by: Some(actor.to_owned()),
        }),
    )];
    for task in state.tasks.iter().filter(|t| t.owner != to.id) {
        changes.push(Change::MoveTask {
            task: task.id,
            to: to.id.clone(),
        });
        events.push(NewEvent::new(
            now,
            TimelineEvent::TaskReassigned(TaskReassigned {
                task_id: task.id,
                from: task.owner.clone(),
                to: to.id.clone(),
                reason: MOVED_WITH_THE_LEAD.to_owned(),
            }),
        ));
    }
    let mut alerts = Vec::new();
    for e in state.escalations.iter().filter(|e| e.assignee != to.id) {
        changes.push(Change::MoveEscalation {
            escalation: e.id,
            to: to.id.clone(),
        });
        events.push(NewEvent::new(
            now,
            TimelineEvent::EscalationReassigned(EscalationReassigned {
                escalation_id: e.id,
                from: e.assignee.clone(),
                to: to.id.clone(),
                reason: Some(MOVED_WITH_THE_LEAD.to_owned()),
                by: Some(actor.to_owned()),
            }),
        ));
        alerts.extend(new_assignee_alert(state, e.id, to, now));
    }
    changes.push(Change::Events(events));
    changes.extend(alerts.into_iter().map(Change::Enqueue));
    Ok(changes)
}

/// The alert telling `staff` that escalation `id` on the lead is theirs now.
pub(super) fn new_assignee_alert(
    state: &LeadState,
    id: i64,
    staff: &Staff,
    now: Timestamp,
) -> Option<super::payload::NewOutbound> {
    let e = state.escalation(id)?;
    let text = format!(
        "HOT LEAD reassigned to you ({}): \"{}\" Reply {id} to acknowledge.",
        e.intents.join(", "),
        truncate(&e.reply, 300)
    );
    escalation_alert(state.id, &state.dealership, staff, Some(id), &text, now)
}

/// A person finishes task `id`. A connected call is human contact (a new lead becomes
/// `contacted`); a wrong number makes the lead's phone unusable everywhere. All of it is one set,
/// so a crash cannot leave a completed call whose stage never moved.
pub(super) fn complete_task(
    state: &LeadState,
    id: i64,
    kind: &str,
    outcome: &str,
    note: Option<&str>,
    by: &str,
    now: Timestamp,
) -> Result<Vec<Change>, Refusal> {
    if !state.tasks.iter().any(|t| t.id == id) {
        return Err(Refusal::TaskDone(id));
    }
    let call = kind == "call";
    let completed = TaskCompleted {
        task_id: id,
        kind: kind.to_owned(),
        outcome: outcome.to_owned(),
        note: note.map(str::to_owned),
        by: by.to_owned(),
    };
    let event = if call {
        TimelineEvent::CallLogged(completed)
    } else {
        TimelineEvent::TaskCompleted(completed)
    };
    let mut changes = vec![
        Change::CompleteTask {
            task: id,
            outcome: outcome.to_owned(),
            note: note.map(str::to_owned),
            by: by.to_owned(),
        },
        Change::Events(vec![NewEvent::new(now, event)]),
    ];
    match (call, outcome) {
        (true, "connected") => changes.push(Change::StageAtLeast {
            stage: Stage::Contacted,
            by: by.to_owned(),
            via: "call connected".into(),
        }),
        (true, "wrong_number") => {
            changes.extend(state.phone.as_ref().map(|phone| {
                Change::MarkContactUnusable(RefusedContact {
                    kind: "phone".into(),
                    value: phone.clone(),
                    reason: format!("wrong number, reported by {by}"),
                    at: now,
                })
            }));
        }
        _ => {}
    }
    Ok(changes)
}
