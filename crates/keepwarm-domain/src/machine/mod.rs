//! The lead state machine: `step(state, event, rules, now) -> changes`.
//!
//! Every decision about one lead that does not need a provider is a transition here, a plain
//! function over plain data: the driver (keepwarm-engine) loads the lead's [`LeadState`] in one
//! read, calls [`step`], and hands the [`Change`]s to the store, which applies them whole in one
//! transaction and decides nothing. A [`Refusal`] means the event cannot change the lead as it is
//! (the API answers 409 with its wording); an empty list means the event has nothing left to do (a
//! timer whose reason went away).
//!
//! Transitions are grouped by file: a person's actions on the follow-up (`staff.rs`), escalations
//! (`escalation.rs`), timers (`timers.rs`), a customer's message (`reply.rs`, with the hand-off in
//! `hand_off.rs`, consent in `consent.rs` and the appointment in `appointment_reply.rs`), outcomes
//! (`outcome.rs`), a new inquiry matching the
//! lead (`intake.rs`) and the send-time decision for a due touch (`dispatch.rs`). Alerts to staff
//! are built in `alerts.rs`, the words of messages from the lead's data in `context.rs`. Each group
//! is tested with case tables (`tests.rs`, `tests_reply.rs`, `tests_intake.rs`, `tests_dispatch.rs`).
//!
//! This module must not do IO or read a clock: `now` is a parameter.

mod alerts;
pub mod applied;
mod appointment_reply;
pub mod change;
pub mod consent;
pub mod context;
pub mod dispatch;
pub mod enroll;
mod escalation;
mod hand_off;
pub mod intake;
mod no_show;
pub mod opt_out_hold;
pub mod outcome;
pub mod payload;
pub mod reply;
mod staff;
pub mod state;
mod timers;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use jiff::Timestamp;

use crate::cadence::CadenceSnapshot;
use crate::config::Config;
use crate::follow_up::FollowUpRefusal;
use crate::routing::Staff;
use crate::window::ContactWindow;

pub use alerts::{escalation_alert, staff_address, staff_alert, staff_message};
pub use change::{Change, ChangeSet, IfMoved};
pub use consent::ChannelRefusal;
pub use dispatch::{touch_due, DispatchDecision, DueTouch};
pub use hand_off::{MissedCall, RECENT_MESSAGES};
pub use intake::{MatchedInquiry, ReopenPlan};
pub use outcome::{plan_reminder_from, OutcomeRequest};
pub use payload::*;
pub use reply::{Reply, ReplyChannel, ReplyMedia};
pub use state::{
    Appointment, ContactFacts, ConversationLine, HeldTouch, LeadState, OpenEscalation, OpenTask,
};
pub use timers::{handoff_timers, nurture_timer, talking_pause};

/// Something that happened to a lead.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A person (or the opt-out path) ends the follow-up; with `opt_out` the lead is also marked
    /// opted out.
    Stop {
        /// Why.
        reason: String,
        /// Who.
        actor: String,
        /// Mark the lead opted out.
        opt_out: bool,
    },
    /// A person holds the follow-up until resumed.
    Pause {
        /// Why.
        reason: String,
        /// Who.
        actor: String,
    },
    /// A person takes the paused follow-up up again.
    Resume {
        /// Why.
        reason: String,
        /// Who.
        actor: String,
    },
    /// A person gives the lead a new owner; its open work follows.
    Reassign {
        /// The new owner (a configured staff member).
        to: Staff,
        /// Why.
        reason: String,
        /// Who.
        actor: String,
    },
    /// A person takes one of the lead's escalations.
    Acknowledge {
        /// The escalation.
        escalation: i64,
        /// The staff member.
        by: String,
    },
    /// A person hands one of the lead's escalations to someone else.
    ReassignEscalation {
        /// The escalation.
        escalation: i64,
        /// The new assignee (a configured staff member).
        to: Staff,
        /// The person who hands it on.
        by: String,
    },
    /// A person finishes one of the lead's open tasks (the outcome word checked at the edge:
    /// `done`, or for a `call` task `connected`, `voicemail_left`, `no_answer`, `wrong_number`).
    CompleteTask {
        /// The task.
        task: i64,
        /// Its kind (`call`, `reply`, ...).
        kind: String,
        /// The outcome word.
        outcome: String,
        /// The person's note.
        note: Option<String>,
        /// Who.
        by: String,
    },
    /// One of the lead's timers fell due.
    TimerFired {
        /// Which.
        kind: TimerKind,
        /// When it was set (what happened since counts against it).
        set_at: Timestamp,
    },
    /// An escalation's deadline passed unacknowledged.
    EscalationDeadline {
        /// The escalation.
        escalation: i64,
    },
    /// A customer's message arrived: a text, a call, an e-mail answer (see `reply.rs`).
    ReplyReceived(Box<Reply>),
    /// A person, an import or the DMS recorded an outcome (a stage, an appointment).
    Outcome(Box<OutcomeRequest>),
    // Intake, dispatch and delivery (core-intake): keep this block together.
    /// A new inquiry matched this lead (same phone or e-mail in the dealership): merged, recorded,
    /// handed to a person to check, or re-opening the follow-up (`intake.rs`).
    InquiryMatched {
        /// The inquiry and what the match found.
        inquiry: Box<MatchedInquiry>,
    },
    /// The customer used the unsubscribe link of an e-mail about the lead: e-mail consent for
    /// `contact` is revoked (`consent.rs`).
    Unsubscribed {
        /// The address, as the signed link names it.
        contact: String,
        /// How (`unsubscribe link`, `one-click`).
        via: String,
    },
    /// A provider reported on a message or call it carried for the lead.
    DeliveryReport {
        /// The report.
        report: DeliveryRecord,
    },
    /// A person decided the lead's held opt-out (`opt_out_hold.rs`).
    OptOutHoldDecided {
        /// Confirm or release.
        decision: opt_out_hold::HoldDecision,
        /// The staff member.
        by: String,
    },
    /// A customer's call to the store rang out with nobody answering (`hand_off.rs`).
    CallMissed(Box<MissedCall>),
    /// A channel refused to carry a message for good: the recipient opted out at the carrier or
    /// the mail server, or the address cannot be reached (`consent.rs`).
    ChannelRefused(Box<ChannelRefusal>),
}

impl Event {
    /// The key that makes the event's change set apply once (a reply's provider message id).
    pub fn idempotency_key(&self) -> Option<&str> {
        match self {
            Event::ReplyReceived(reply) => reply.provider_id.as_deref(),
            Event::CallMissed(call) => Some(&call.idempotency_key),
            _ => None,
        }
    }
}

/// A timer the machine decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerKind {
    /// After a hand-off: automation resumes if the customer stayed silent and nobody is owed an
    /// answer.
    ResumeAfterSilence,
    /// After a hand-off: the manager hears if nobody on staff acted on the lead.
    GoingCold,
    /// At an appointment's end plus the grace period: an appointment with no show recorded was
    /// missed.
    NoShow,
    /// After "not now" and the configured delay: the paused lead moves to the long-term nurture
    /// cadence if the customer stayed silent.
    Nurture,
}

impl TimerKind {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            TimerKind::ResumeAfterSilence => "resume_after_silence",
            TimerKind::GoingCold => "going_cold",
            TimerKind::NoShow => "no_show",
            TimerKind::Nurture => "nurture",
        }
    }

    /// The timer kind a stored word names, if any.
    pub fn parse(word: &str) -> Option<Self> {
        [
            TimerKind::ResumeAfterSilence,
            TimerKind::GoingCold,
            TimerKind::NoShow,
            TimerKind::Nurture,
        ]
        .into_iter()
        .find(|k| k.as_str() == word)
    }
}

/// The current version of every configured cadence: name to `(version, snapshot)`.
pub type Cadences = BTreeMap<String, (String, Arc<CadenceSnapshot>)>;

/// What the machine decides by: the configuration, the lead's contact window (where held touches
/// may be rescheduled) when the driver could place the lead, and the cadences enrollments use.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    /// The configuration in force.
    pub config: &'a Config,
    /// Legal hours in every zone the lead may be in.
    pub window: Option<&'a ContactWindow>,
    /// The current version of every configured cadence.
    pub cadences: &'a Cadences,
}

/// Why an event cannot change the lead as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The follow-up's state does not allow the action.
    FollowUp(FollowUpRefusal),
    /// A reassignment to the lead's current owner.
    AlreadyOwned(String),
    /// The task is not an open one of this lead.
    TaskDone(i64),
    /// The escalation is not an unacknowledged one of this lead.
    EscalationClosed(i64),
    /// Held touches cannot be rescheduled: the contact window never opens.
    NoWindow,
    /// The lead's dealership is not configured (or the lead could not be placed).
    Unplaced,
    /// The lead's owner is not a configured staff member.
    OwnerUnknown(String),
    /// A cadence the event needs is not configured.
    CadenceUnknown(String),
    /// The lead's segment is not configured (its cadence cannot be found).
    SegmentUnknown(String),
    /// No opt-out of the lead is waiting for a person's decision.
    NoOptOutHold,
    /// The lead has no usable phone number.
    NoPhone,
    /// An outcome would move the stage back (only `lost` may come after any stage).
    StageBack {
        /// The lead's stage.
        from: crate::Stage,
        /// The outcome's.
        to: crate::Stage,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::FollowUp(refusal) => refusal.fmt(f),
            Refusal::AlreadyOwned(owner) => write!(f, "is already owned by {owner}"),
            Refusal::TaskDone(id) => write!(f, "task {id} is already done"),
            Refusal::EscalationClosed(id) => write!(f, "escalation {id} was already acknowledged"),
            Refusal::NoWindow => crate::plan::PlanError::NoWindow.fmt(f),
            Refusal::Unplaced => f.write_str("the lead's dealership is not configured"),
            Refusal::OwnerUnknown(owner) => write!(f, "owner {owner} is not configured"),
            Refusal::CadenceUnknown(name) => write!(f, "cadence {name} is not configured"),
            Refusal::SegmentUnknown(name) => write!(f, "segment {name} is not configured"),
            Refusal::NoOptOutHold => f.write_str("has no opt-out waiting for a decision"),
            Refusal::NoPhone => f.write_str("has no usable phone number"),
            Refusal::StageBack { from, to } => write!(f, "is {from}; it cannot go back to {to}"),
        }
    }
}

impl std::error::Error for Refusal {}

/// Decides what `event` does to the lead in `state` at `now`.
pub fn step(
    state: &LeadState,
    event: &Event,
    rules: &Rules<'_>,
    now: Timestamp,
) -> Result<Vec<Change>, Refusal> {
    match event {
        Event::Stop {
            reason,
            actor,
            opt_out,
        } => staff::stop(state, reason, actor, *opt_out),
        Event::Pause { reason, actor } => staff::pause(state, reason, actor),
        Event::Resume { reason, actor } => staff::resume(state, reason, actor, rules, now),
        Event::Reassign { to, reason, actor } => staff::reassign(state, to, reason, actor, now),
        Event::Acknowledge { escalation, by } => {
            escalation::acknowledge(state, *escalation, by, now)
        }
        Event::ReassignEscalation { escalation, to, by } => {
            escalation::reassign(state, *escalation, to, by, now)
        }
        Event::CompleteTask {
            task,
            kind,
            outcome,
            note,
            by,
        } => staff::complete_task(state, *task, kind, outcome, note.as_deref(), by, now),
        Event::TimerFired { kind, set_at } => timers::fired(state, *kind, *set_at, rules, now),
        Event::EscalationDeadline { escalation } => {
            escalation::deadline(state, *escalation, rules, now)
        }
        Event::ReplyReceived(reply) => reply::received(state, reply, rules, now),
        Event::Outcome(request) => outcome::recorded(state, request, rules, now),
        Event::InquiryMatched { inquiry } => intake::matched(state, inquiry, rules, now),
        Event::Unsubscribed { contact, via } => Ok(consent::unsubscribed(state, contact, via, now)),
        // What the report means for the lead (an opt-out at the carrier, a number that cannot
        // receive texts) is the refusal path's, shared with dispatch; the rank guard is the store's.
        Event::DeliveryReport { report } => Ok(vec![Change::RecordDelivery(report.clone())]),
        Event::OptOutHoldDecided { decision, by } => {
            opt_out_hold::decided(state, *decision, by, rules, now)
        }
        Event::CallMissed(call) => hand_off::missed_call(state, call, rules, now),
        Event::ChannelRefused(refusal) => Ok(consent::channel_refused(state, refusal, now)),
    }
}

/// `now` plus `hours`, or the end of time (a timer that never fires, not a panic).
fn later(now: Timestamp, hours: i64) -> Timestamp {
    use jiff::ToSpan;
    now.checked_add(hours.hours()).unwrap_or(Timestamp::MAX)
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_consent;
#[cfg(test)]
mod tests_dispatch;
#[cfg(test)]
mod tests_intake;
#[cfg(test)]
mod tests_reply;
#[cfg(test)]
mod tests_timers;
