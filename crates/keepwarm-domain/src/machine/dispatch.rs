//! What a due touch does at the moment it would be sent: [`touch_due`].
//!
//! The dispatcher claims touches in batches of hundreds and asks this once per touch with the
//! lead's state as it is *then* (a reply, an opt-out, a stage change or an escalation may have
//! landed since the touch was planned). It is a plain function over what the claim loaded, not a
//! [`super::step`] over a whole [`super::LeadState`]: loading that per touch would cost a dozen
//! reads each and undo the batch. The driver turns the answer into the touch's result and events.
//!
//! In order: a suppressed contact ends the follow-up; the lead's own state (opted out, stopped,
//! paused, past the cadence's last stage, unreachable on the channel) comes next — a hot reply's
//! escalation pauses the follow-up, so its touches are held there, while an appointment's reminders
//! go on beside a question the owner is answering; then an engaged kill switch holds the touch; a number on the do-not-call list without an
//! established business relationship or written consent skips its marketing phone steps; then the compliance gate as it is now — contact window in every zone the customer may be in, business hours, holidays, the
//! consent ledger, the consent basis a marketing call or text needs, the frequency caps — defers to
//! the next legal opening, skips (asking the owner to get consent when the basis is missing), or
//! ends; a reminder that cannot go before its appointment is skipped.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::cadence::Channel;
use crate::compliance::rules::Basis;
use crate::compliance::{self, MessagePurpose, Verdict};
use crate::engine::{decide_due_touch, DueDecision, LeadState as TouchLead};
use crate::window::ContactWindow;
use crate::LeadStatus;

/// What the dispatcher knows about one due touch.
#[derive(Debug, Clone, Copy)]
pub struct DueTouch<'a> {
    /// The lead's follow-up as it is now.
    pub lead: &'a TouchLead,
    /// The touch's channel.
    pub channel: Channel,
    /// Legal hours in every zone the customer may be in; `None` when the lead's dealership is no
    /// longer configured.
    pub window: Option<&'a ContactWindow>,
    /// The dealership's id, for the reason when it is not configured.
    pub dealership: &'a str,
    /// The ledger's channels revoked and in force for the touch's contact.
    pub revoked: &'a [String],
    /// The contact belongs to a person whose data was erased: never contacted again.
    pub suppressed: Option<&'a str>,
    /// For an appointment reminder: the appointment's start, or why there is no appointment to
    /// remind of.
    pub appointment: Option<Result<Timestamp, &'a str>>,
    /// When the person got automated calls and texts lately, from any dealership number: counted
    /// against their jurisdictions' frequency caps.
    pub sent_recently: &'a [Timestamp],
    /// A kill switch engaged for the lead's dealership (or every dealership), with the hold's
    /// reason: the touch is held until it is released.
    pub halted: Option<&'a str>,
    /// The number is on the National Do Not Call list and the lead gives no established business
    /// relationship, with the reason: the step is skipped on the phone channels.
    pub do_not_call: Option<&'a str>,
    /// What the step's block says it is for.
    pub purpose: MessagePurpose,
    /// The machine sends it (false for a call a person makes from a task).
    pub automated: bool,
    /// The strongest consent basis the contact's evidence gives this channel and dealership.
    pub basis: Option<Basis>,
}

impl DueTouch<'_> {
    /// An automated marketing call, voicemail or text: the caps, the consent basis and the
    /// do-not-call list apply.
    pub fn is_solicitation(&self) -> bool {
        self.purpose == MessagePurpose::Marketing && self.automated && self.channel.needs_phone()
    }
}

/// What to do with a due touch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum DispatchDecision {
    /// Render and send it.
    Send,
    /// Do not send this step; go on to the next one.
    Skip {
        /// Why.
        reason: String,
    },
    /// Do not send this step (a marketing call or text without the consent basis it needs); go on
    /// to the next one, and give the owner a task to ask the customer for consent.
    AskConsent {
        /// Why.
        reason: String,
    },
    /// Do not send; the follow-up is paused and the touch waits for a resume.
    Hold,
    /// Do not send; a kill switch is engaged and the touch waits for its release.
    Halt {
        /// The hold's reason (which switch, who, when, why).
        reason: String,
    },
    /// Not now: scheduled again at `until`, with a `touch_deferred` event.
    Defer {
        /// The first instant it may go.
        until: Timestamp,
        /// The rule that deferred it (`contact_window`).
        rule: String,
        /// In words, for the timeline.
        reason: String,
    },
    /// Do not send, and end the enrollment.
    End {
        /// The status the follow-up ends in.
        status: LeadStatus,
        /// Why.
        reason: String,
    },
}

/// Decides a due touch at `now` (see the module doc for the order of the rules).
pub fn touch_due(t: &DueTouch<'_>, now: Timestamp) -> DispatchDecision {
    if let Some(reason) = t.suppressed {
        return end(reason.to_owned());
    }
    match decide_due_touch(t.lead, t.channel) {
        DueDecision::Send => {}
        DueDecision::Skip { reason } => return DispatchDecision::Skip { reason },
        DueDecision::Hold => return DispatchDecision::Hold,
        DueDecision::End { status, reason } => return DispatchDecision::End { status, reason },
    }
    if let Some(reason) = t.halted {
        return DispatchDecision::Halt {
            reason: reason.to_owned(),
        };
    }
    // A listed number still gets what it asked for with written consent (47 CFR 64.1200(c)(2)(ii)).
    let written = t.basis == Some(Basis::ExpressWritten);
    if let (Some(reason), true, false) = (t.do_not_call, t.is_solicitation(), written) {
        return DispatchDecision::Skip {
            reason: reason.to_owned(),
        };
    }
    let decision = gate(t, now);
    match (decision, t.appointment) {
        (DispatchDecision::Send, Some(Err(reason))) => end(reason.to_owned()),
        (decision, _) => decision,
    }
}

/// The compliance gate at send time.
fn gate(t: &DueTouch<'_>, now: Timestamp) -> DispatchDecision {
    let Some(window) = t.window else {
        return DispatchDecision::Skip {
            reason: format!("dealership {} is no longer configured", t.dealership),
        };
    };
    let check = compliance::Check {
        purpose: compliance::Purpose::CadenceTouch,
        channel: t.channel,
        window,
        opted_out: t.lead.opted_out,
        revoked: t.revoked,
        sent_recently: t.sent_recently,
        message: t.purpose,
        automated: t.automated,
        basis: t.basis,
    };
    match compliance::check(&check, now) {
        Verdict::Send => DispatchDecision::Send,
        Verdict::Defer {
            until,
            reason,
            rule,
        } => match t.appointment {
            // A reminder that cannot go before its appointment starts is no reminder.
            Some(Ok(starts_at)) if until >= starts_at => DispatchDecision::Skip {
                reason: format!("{reason}; the appointment starts before then"),
            },
            _ => DispatchDecision::Defer {
                until,
                rule: match rule {
                    compliance::Rule::FrequencyCap => "frequency_cap".into(),
                    _ => "contact_window".into(),
                },
                reason,
            },
        },
        Verdict::Deny {
            rule: compliance::Rule::ConsentRevoked,
            reason,
        } if !t.revoked.iter().any(|r| r == "all") => DispatchDecision::Skip { reason },
        Verdict::Deny {
            rule: compliance::Rule::ContactWindow,
            reason,
        } => DispatchDecision::Skip { reason },
        Verdict::Deny {
            rule: compliance::Rule::ConsentBasis,
            reason,
        } => DispatchDecision::AskConsent { reason },
        Verdict::Deny { reason, .. } => end(reason),
    }
}

fn end(reason: String) -> DispatchDecision {
    DispatchDecision::End {
        status: LeadStatus::Stopped,
        reason,
    }
}
