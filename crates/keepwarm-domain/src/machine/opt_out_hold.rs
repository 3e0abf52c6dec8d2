//! A person's decision on a held opt-out. A reply that may mean stop ("how did you get my
//! number?") holds every lead with the number, with no confirmation, and asks a person (`reply.rs`);
//! this is their answer. Confirm: the ledger revokes every channel of the number, every lead with it
//! stops (marked opted out) and the one confirmation is queued. Release: the lead's follow-up
//! resumes. Either way the decision answers the lead's escalations and its `confirm_opt_out` task,
//! in the same set.
//!
//! The other leads with the number that a release takes up again each resume through their own
//! [`super::Event::Resume`] (their held touches go back into their own contact window):
//! [`released_leads`] names them for the driver.

use jiff::Timestamp;

use super::change::Change;
use super::consent::confirmation;
use super::payload::{NewEvent, Revocation};
use super::state::LeadState;
use super::{escalation, staff, Event, Refusal, Rules};
use crate::timeline::OptOutHoldDecided;
use crate::{LeadId, LeadStatus, PhoneNumber, TimelineEvent};

/// What a person decided about a held opt-out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldDecision {
    /// The customer meant stop.
    Confirm,
    /// The customer did not mean stop: automation resumes.
    Release,
}

/// The task kind a held opt-out asks a person to do.
pub const CONFIRM_OPT_OUT: &str = "confirm_opt_out";

/// A person (`by`) decided the lead's held opt-out.
pub(super) fn decided(
    state: &LeadState,
    decision: HoldDecision,
    by: &str,
    rules: &Rules<'_>,
    now: Timestamp,
) -> Result<Vec<Change>, Refusal> {
    let held_at = state.opt_out_hold.ok_or(Refusal::NoOptOutHold)?;
    let phone = state
        .phone
        .as_deref()
        .and_then(|p| PhoneNumber::parse(p, "US").ok())
        .ok_or(Refusal::NoPhone)?;
    let decided = OptOutHoldDecided {
        by: by.to_owned(),
        held_at,
    };
    let mut changes = Vec::new();
    match decision {
        HoldDecision::Confirm => {
            changes.push(Change::Revoke(Revocation {
                contact: phone.as_str().to_owned(),
                channels: vec!["all".into()],
                at: now,
                words: format!("confirmed by {by}"),
                via: "staff confirmed a possible opt-out".into(),
            }));
            changes.extend(contact_leads(state).map(|lead| Change::Stop {
                lead,
                reason: format!("opt-out confirmed by {by}"),
                actor: by.to_owned(),
                opt_out: true,
            }));
            changes.push(Change::Events(vec![NewEvent::new(
                now,
                TimelineEvent::OptOutHoldConfirmed(decided),
            )]));
            let all = ["all".to_owned()];
            changes.push(Change::Enqueue(confirmation(
                state, &phone, true, &all, None, rules, now,
            )));
        }
        HoldDecision::Release => {
            changes.push(Change::Events(vec![NewEvent::new(
                now,
                TimelineEvent::OptOutHoldReleased(decided),
            )]));
        }
    }
    // The decision answers the escalation and the task that asked for it.
    for e in &state.escalations {
        changes.extend(escalation::acknowledge(state, e.id, by, now)?);
    }
    for task in state.tasks.iter().filter(|t| t.kind == CONFIRM_OPT_OUT) {
        changes.extend(staff::complete_task(
            state, task.id, &task.kind, "done", None, by, now,
        )?);
    }
    // A lead whose held touches cannot go back into a window stays paused for a person.
    if decision == HoldDecision::Release && state.status == LeadStatus::Paused {
        let reason = format!("{by} released the held opt-out");
        changes.extend(staff::resume(state, &reason, by, rules, now).unwrap_or_default());
    }
    Ok(changes)
}

/// The instant an opt-out was held for a person, if it still waits: the latest
/// `opt_out_possible` (`held`) with no decision (`decided`, the latest confirmation or release) at
/// or after it.
pub fn waiting_hold(held: Option<Timestamp>, decided: Option<Timestamp>) -> Option<Timestamp> {
    held.filter(|h| decided.is_none_or(|d| d < *h))
}

/// The leads a release takes up again besides the decided one, each with the event the driver
/// steps it through: every other lead with the number (a lead that is not paused refuses its
/// resume, and is left as it is).
pub fn released_leads(state: &LeadState, decision: HoldDecision, by: &str) -> Vec<(LeadId, Event)> {
    if decision != HoldDecision::Release {
        return Vec::new();
    }
    contact_leads(state)
        .filter(|lead| *lead != state.id)
        .map(|lead| {
            let event = Event::Resume {
                reason: format!("{by} released the held opt-out"),
                actor: by.to_owned(),
            };
            (lead, event)
        })
        .collect()
}

/// Every lead with the held number: the ones the driver found, and always the lead itself.
fn contact_leads(state: &LeadState) -> impl Iterator<Item = LeadId> + '_ {
    let listed = state.contact.leads.iter().any(|(id, _)| *id == state.id);
    state
        .contact
        .leads
        .iter()
        .map(|(id, _)| *id)
        .chain((!listed).then_some(state.id))
}
