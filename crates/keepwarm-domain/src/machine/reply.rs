//! A customer's message (a text, a call, an e-mail answer): everything it does to the lead, decided
//! at once from the lead as loaded, so the driver applies it as one change set together with the
//! provider's message id (defect 3: a crash leaves all of it or none, a redelivery does nothing).
//!
//! - Every message is recorded and marks the lead contacted.
//! - An opt-out revokes consent and stops every lead with the number, with one confirmation queued
//!   on the durable outbound queue; a *possible* opt-out fails closed: automation to the number is
//!   held, a person gets a task and an escalation, and no confirmation is sent.
//! - "Bought elsewhere" / "not interested" ends the lead as lost, closing its escalations and tasks.
//! - A wrong number revokes the number and asks the owner to find the right contact.
//! - A plain confirmation of an upcoming appointment is recorded, not handed to anyone; a request
//!   to move it is marked and handed over; a "confirmation" with nothing booked is a time the
//!   customer proposes, handed over as an appointment request (`appointment_reply.rs`).
//! - "Not now" holds the lead for the nurture timer.
//! - Anything else hands the lead to its owner: automation paused (appointment reminders keep
//!   going), a task, the "waiting on us" clock, and for hot or doubtful words an escalation with its
//!   context and the hand-off timers, or, while one is still open, the new words to whoever has it
//!   (`hand_off.rs`).
//! - START restores consent, HELP gets the carriers' answer, and a reply in another language
//!   switches the lead's language.

use jiff::Timestamp;
use keepwarm_classify::{Classification, Intent};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::alerts::truncate;
use super::appointment_reply::{
    appointment_change, appointment_reply, as_handed_over, AppointmentReply,
};
use super::change::Change;
use super::consent;
use super::hand_off::{escalate, new_task, owner_name, task_text, waiting, Handed};
use super::outcome::closing_reply;
use super::payload::{NewEvent, Revocation};
use super::state::LeadState;
use super::timers::nurture_timer;
use super::{Refusal, Rules};
use crate::timeline::{InboundMessage, OptOutPossible};
use crate::{EmailAddress, LeadStatus, PhoneNumber, Stage, TimelineEvent};

/// A customer's message, as received and read at the edge.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// How it came and from whom.
    pub channel: ReplyChannel,
    /// The customer's own words (for an e-mail, without the quoted history).
    pub body: String,
    /// Pictures and files sent with it (an MMS).
    pub media: Vec<ReplyMedia>,
    /// How the classifier read it (`None` for a call or a message with no words).
    pub classification: Option<Classification>,
    /// The provider's id for the message (Twilio's MessageSid, the e-mail's Message-ID): the
    /// change set's idempotency key.
    pub provider_id: Option<String>,
}

/// How a customer's message came, and from whom.
#[derive(Debug, Clone, PartialEq)]
pub enum ReplyChannel {
    /// A text from this number.
    Sms(PhoneNumber),
    /// A call from this number.
    Call(PhoneNumber),
    /// An e-mail answering one keepwarm sent, from this address.
    Email(EmailAddress),
}

/// A file sent with a customer's message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyMedia {
    /// Where the provider keeps it.
    pub url: String,
    /// Its media type (`image/jpeg`), when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
}

/// What the message `reply` does to the lead in `state` at `now`.
pub(super) fn received(
    state: &LeadState,
    reply: &Reply,
    rules: &Rules<'_>,
    now: Timestamp,
) -> Result<Vec<Change>, Refusal> {
    match &reply.channel {
        ReplyChannel::Sms(phone) => by_phone(state, reply, phone, false, rules, now),
        ReplyChannel::Call(phone) => by_phone(state, reply, phone, true, rules, now),
        ReplyChannel::Email(from) => by_email(state, reply, from, rules, now),
    }
}

/// The message on the timeline, and the lead contacted.
fn recorded(reply: &Reply, from: &str, now: Timestamp) -> Vec<Change> {
    let inbound = InboundMessage {
        channel: reply.channel.word().to_owned(),
        from: from.to_owned(),
        body: reply.body.clone(),
        media: json!(reply.media),
        classification: json!(reply.classification),
    };
    let event = match reply.channel {
        ReplyChannel::Call(_) => TimelineEvent::InboundCall(inbound),
        _ => TimelineEvent::InboundMessage(inbound),
    };
    vec![
        Change::Events(vec![NewEvent::new(now, event)]),
        Change::StageAtLeast {
            stage: Stage::Contacted,
            by: "customer reply".into(),
            via: "reply".into(),
        },
    ]
}

impl ReplyChannel {
    /// `sms`, `call`, `email`.
    pub fn word(&self) -> &'static str {
        match self {
            ReplyChannel::Sms(_) => "sms",
            ReplyChannel::Call(_) => "call",
            ReplyChannel::Email(_) => "email",
        }
    }
}

fn has(c: Option<&Classification>, intent: Intent) -> bool {
    c.is_some_and(|c| c.has(intent))
}

/// A text or a call.
fn by_phone(
    state: &LeadState,
    reply: &Reply,
    phone: &PhoneNumber,
    call: bool,
    rules: &Rules<'_>,
    now: Timestamp,
) -> Result<Vec<Change>, Refusal> {
    let c = reply.classification.as_ref();
    let words = reply.body.trim();
    let opt_out = has(c, Intent::OptOut);
    let closing = has(c, Intent::BoughtElsewhere) || has(c, Intent::NotInterested);
    let wrong_number = has(c, Intent::WrongNumber);
    // Fail closed: a reply that may mean "stop" stops automation to the number at once and goes to
    // a person, who confirms the opt-out (the confirmation is sent then) or releases it.
    let maybe_stop = !opt_out && c.is_some_and(|c| c.possible_opt_out.is_some());
    let appointment = appointment_reply(state, c, now);
    let confirms = appointment.is_some_and(|(_, r)| r == AppointmentReply::Confirms);
    let read = as_handed_over(state, c, now);
    let handed_c = read.as_deref();
    // Appointment reminders are not a sales conversation: they keep going while a person answers.
    let reminding = state.appointment_cadence;
    // A reply that ends the conversation needs no pause, no task and no answer.
    let hands_over = !(opt_out || closing || wrong_number || confirms);
    let not_now = has(c, Intent::NotNow) && !c.is_some_and(Classification::escalates);
    let who = state.name.clone().unwrap_or_else(|| phone.national());
    let task = if wrong_number {
        Some((
            "fix_contact",
            format!(
                "{who}: the person at {} says it is a wrong number. Find the right contact.",
                phone.national()
            ),
        ))
    } else if maybe_stop {
        Some(("confirm_opt_out", format!(
            "{who} may be asking us to stop: \"{words}\". Automated messages to {} are held. Confirm the opt-out or release it (POST /api/v1/leads/{}/opt-out).",
            phone.national(),
            state.id
        )))
    } else if hands_over && !not_now {
        Some((
            if call { "call" } else { "reply" },
            task_text(&who, phone, call, reply),
        ))
    } else {
        None
    };
    let mut changes = recorded(reply, phone.as_str(), now);
    if maybe_stop {
        let reason = "the customer may be asking us to stop; held until a person decides";
        for (lead, _) in &state.contact.leads {
            changes.push(Change::Pause {
                lead: *lead,
                reason: reason.into(),
                actor: "customer reply".into(),
            });
        }
        changes.push(Change::Events(vec![NewEvent::new(
            now,
            TimelineEvent::OptOutPossible(OptOutPossible {
                words: words.to_owned(),
                cue: json!(c.and_then(|c| c.possible_opt_out.as_ref())),
            }),
        )]));
    } else if hands_over && state.status == LeadStatus::Active && !reminding {
        changes.push(Change::Pause {
            lead: state.id,
            reason: format!(
                "customer replied; {} takes over the conversation",
                owner_name(state, rules)
            ),
            actor: "customer reply".into(),
        });
    }
    changes.extend(task.map(|(kind, body)| Change::Task(new_task(state, kind, body, now))));
    if hands_over {
        changes.push(waiting(state, handed_c, rules, now));
    }
    if let Some(c) = c {
        changes.extend(consent::reply_language(state, &reply.body, c, rules, now));
    }
    changes.extend(consent::help(state, phone, &reply.body, rules, now));
    changes.extend(appointment.and_then(|(a, r)| appointment_change(state, a, r, words, now)));
    let needs_person = |c: &&Classification| c.escalates() || c.needs_review() || maybe_stop;
    if let Some(c) = handed_c.filter(|c| hands_over && needs_person(c)) {
        let handed = Handed {
            from: phone.as_str(),
            channel: reply.channel.word(),
            body: words,
            classification: c,
        };
        // A held opt-out never resumes by itself: a person decides.
        changes.extend(escalate(state, &handed, !maybe_stop, rules, now)?);
    } else if not_now {
        changes.extend(nurture_timer(&rules.config.conversations, now));
    }
    let Some(c) = c else {
        return Ok(changes);
    };
    if c.resubscribe {
        changes.extend(consent::resubscribe(state, phone, now));
    }
    if opt_out {
        changes.extend(consent::opt_out_by_text(state, phone, c, words, rules, now));
    } else if wrong_number {
        changes.push(Change::Revoke(Revocation {
            contact: phone.as_str().to_owned(),
            channels: vec!["all".into()],
            at: now,
            words: words.to_owned(),
            via: "wrong number reply".into(),
        }));
    }
    // "Stop texting me, I bought a Camry elsewhere" means both: the opt-out above, and the lead is
    // lost with its reason.
    if closing && !wrong_number {
        changes.extend(closing_reply(state, c, rules, now)?);
    }
    Ok(changes)
}

/// An e-mail answer: an opt-out (by address), a closing, or a hand-off to the owner.
fn by_email(
    state: &LeadState,
    reply: &Reply,
    from: &EmailAddress,
    rules: &Rules<'_>,
    now: Timestamp,
) -> Result<Vec<Change>, Refusal> {
    let c = reply.classification.as_ref();
    let own = reply.body.as_str();
    let mut changes = recorded(reply, from.as_str(), now);
    if let Some(c) = c.filter(|c| c.has(Intent::OptOut)) {
        changes.extend(consent::opt_out_by_email(state, from, c, own, rules, now));
        return Ok(changes);
    }
    if let Some(c) = c.filter(|c| c.has(Intent::BoughtElsewhere) || c.has(Intent::NotInterested)) {
        changes.extend(closing_reply(state, c, rules, now)?);
        return Ok(changes);
    }
    let who = state.name.clone().unwrap_or_else(|| from.to_string());
    if state.status == LeadStatus::Active {
        changes.push(Change::Pause {
            lead: state.id,
            reason: format!(
                "customer replied by e-mail; {} takes over the conversation",
                owner_name(state, rules)
            ),
            actor: "customer reply".into(),
        });
    }
    let body = format!(
        "{who} answered by e-mail from {from}: \"{}\"",
        truncate(own, 300)
    );
    changes.push(Change::Task(new_task(state, "reply", body, now)));
    let read = as_handed_over(state, c, now);
    let c = read.as_deref();
    if let Some(c) = c.filter(|c| c.escalates() || c.needs_review()) {
        let handed = Handed {
            from: from.as_str(),
            channel: reply.channel.word(),
            body: own,
            classification: c,
        };
        changes.extend(escalate(state, &handed, true, rules, now)?);
    }
    changes.push(waiting(state, c, rules, now));
    Ok(changes)
}
