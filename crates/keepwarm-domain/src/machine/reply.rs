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
//!   to move it is marked and handed over.
//! - "Not now" holds the lead for the nurture timer.
//! - Anything else hands the lead to its owner: automation paused (appointment reminders keep
//!   going), a task, the "waiting on us" clock, and for hot or doubtful words an escalation with its
//!   context and the hand-off timers.
//! - START restores consent, HELP gets the carriers' answer, and a reply in another language
//!   switches the lead's language.

use jiff::Timestamp;
use keepwarm_classify::{Classification, Intent};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::change::{Change, IfMoved};
use super::consent;
use super::hand_off::{open_escalation, waiting, Handed};
use super::outcome::{outcome, OutcomeRequest};
use super::payload::{AppointmentWrite, NewEvent, NewTask, OutcomeRecord, Revocation};
use super::state::LeadState;
use super::timers::{handoff_timers, nurture_timer};
use super::{Refusal, Rules};
use crate::appointment::AppointmentStatus;
use crate::timeline::{AppointmentUpdate, InboundMessage, OptOutPossible};
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

/// What a reply does to the lead's open appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AppointmentReply {
    /// A plain confirmation: no hand-off, no task.
    Confirms,
    /// A request to move it: handed over like any hot reply, and marked.
    Reschedule,
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
        changes.push(waiting(state, c, rules, now));
    }
    if let Some(c) = c {
        changes.extend(consent::reply_language(state, &reply.body, c, rules, now));
    }
    changes.extend(consent::help(state, phone, &reply.body, rules, now));
    changes.extend(appointment.and_then(|(a, r)| appointment_change(state, a, r, words, now)));
    if let Some(c) = c.filter(|c| hands_over && (c.escalates() || c.needs_review() || maybe_stop)) {
        let handed = Handed {
            from: phone.as_str(),
            channel: reply.channel.word(),
            body: words,
            classification: c,
        };
        changes.extend(open_escalation(state, &handed, rules, now)?);
        // A held opt-out never resumes by itself: a person decides.
        if !maybe_stop {
            changes.extend(handoff_timers(&rules.config.conversations, now));
        }
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
        changes.extend(lost(state, c, rules, now)?);
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
        changes.extend(consent::opt_out_by_email(state, from, c, own, now));
        return Ok(changes);
    }
    if let Some(c) = c.filter(|c| c.has(Intent::BoughtElsewhere) || c.has(Intent::NotInterested)) {
        changes.extend(lost(state, c, rules, now)?);
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
        truncated(own, 300)
    );
    changes.push(Change::Task(new_task(state, "reply", body, now)));
    if let Some(c) = c.filter(|c| c.escalates() || c.needs_review()) {
        let handed = Handed {
            from: from.as_str(),
            channel: reply.channel.word(),
            body: own,
            classification: c,
        };
        changes.extend(open_escalation(state, &handed, rules, now)?);
        changes.extend(handoff_timers(&rules.config.conversations, now));
    }
    changes.push(waiting(state, c, rules, now));
    Ok(changes)
}

/// A closing reply ("bought elsewhere", "not interested"): the lead is lost, decided against the
/// lead as it is after the reply's first-contact stage change (which the same set applies first).
/// A lead that moved meanwhile keeps the rest of the reply's effects (`IfMoved::Skip`).
fn lost(
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

/// What the reply means for the lead's appointment still ahead (or under way), read from its
/// classification: a plain confirmation (nothing hot in it) confirms; a reschedule request is
/// marked.
fn appointment_reply(
    state: &LeadState,
    c: Option<&Classification>,
    now: Timestamp,
) -> Option<(super::state::Appointment, AppointmentReply)> {
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
fn appointment_change(
    state: &LeadState,
    a: super::state::Appointment,
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

/// The owner's name as staff know it (their id when they are no longer configured).
fn owner_name(state: &LeadState, rules: &Rules<'_>) -> String {
    rules
        .config
        .staff_member(&state.owner)
        .map_or(state.owner.clone(), |s| s.name.clone())
}

fn new_task(state: &LeadState, kind: &str, body: String, now: Timestamp) -> NewTask {
    NewTask {
        owner_id: state.owner.clone(),
        kind: kind.into(),
        touch_id: None,
        due_at: now,
        body,
    }
}

/// The owner's task for an inbound text, picture or call.
fn task_text(who: &str, phone: &PhoneNumber, call: bool, reply: &Reply) -> String {
    let body = reply.body.trim();
    let labels: Vec<&str> = reply
        .classification
        .as_ref()
        .map(|c| c.intents.iter().map(|i| i.as_str()).collect())
        .unwrap_or_default();
    let about = if labels.is_empty() || labels == ["other"] {
        String::new()
    } else {
        format!(" [{}]", labels.join(", "))
    };
    let media = match reply.media.as_slice() {
        [] => String::new(),
        [one] => format!(" and a picture: {}", one.url),
        many => format!(
            " and {} pictures: {}",
            many.len(),
            many.iter()
                .map(|m| m.url.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        ),
    };
    let number = phone.national();
    match (call, body.is_empty()) {
        (true, true) => format!("{who} called from {number}. Call them back."),
        (true, false) => {
            format!("{who} called from {number} and said: \"{body}\". Call them back.")
        }
        (false, true) => format!(
            "{who} sent a message with no text{media}. Look at it and answer them personally."
        ),
        (false, false) => {
            format!("{who} replied by text{about}: \"{body}\"{media}. Answer them personally.")
        }
    }
}

/// `text` cut to at most `max` bytes at a character boundary.
fn truncated(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}
