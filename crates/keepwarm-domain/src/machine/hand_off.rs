//! Handing a customer's message to a person: the escalation a hot (or doubtful) reply opens, with
//! everything the person needs in its context and alert, the "waiting on us" clock, and the owner's
//! task.
//!
//! A lead has one question open at a time: a message that comes while an escalation is still
//! unacknowledged ("Hello? Any update?") is attached to it, its words sent to whoever has it,
//! instead of opening a second escalation on its own clock.
//!
//! The escalation's context quotes what was actually sent and received (sent touches and the
//! customer's messages, [`LeadState::recent_messages`]), whatever the channel.

use jiff::{Timestamp, ToSpan};
use keepwarm_classify::Classification;
use serde_json::json;

use super::alerts::{escalation_alert, truncate};
use super::change::Change;
use super::context::message_context;
use super::payload::{NewEscalation, NewEvent, NewOutbound, NewTask};
use super::reply::Reply;
use super::state::{LeadState, OpenEscalation};
use super::timers::handoff_timers;
use super::{Refusal, Rules};
use crate::blocks::DEFAULT_LANGUAGE;
use crate::thread::answer_due;
use crate::timeline::{CallMissed, CustomerWaiting, Escalated};
use crate::window::ZoneHours;
use crate::{LeadStatus, PhoneNumber, TimelineEvent};

/// How many earlier messages an escalation's context quotes.
pub const RECENT_MESSAGES: usize = 3;

/// The customer's message a person is handed.
pub(super) struct Handed<'a> {
    /// The number or address it came from, as stored.
    pub from: &'a str,
    /// `sms`, `call`, `email`.
    pub channel: &'a str,
    /// What the customer wrote (trimmed).
    pub body: &'a str,
    /// How the classifier read it.
    pub classification: &'a Classification,
}

/// Opens an escalation for `reply` and queues its alert, as changes of the reply's set (the alert
/// names the escalation by [`super::ESCALATION_ID`] until the store assigns it).
fn open_escalation(
    state: &LeadState,
    reply: &Handed<'_>,
    rules: &Rules<'_>,
    now: Timestamp,
) -> Result<Vec<Change>, Refusal> {
    let c = reply.classification;
    let mut labels: Vec<&str> = c
        .intents
        .iter()
        .filter(|i| i.is_handoff())
        .map(|i| i.as_str())
        .collect();
    // Doubt is a reason for a person too: a possible opt-out, or a reply the classifier is not sure
    // of.
    if c.possible_opt_out.is_some() {
        labels.insert(0, "possible_opt_out");
    } else if labels.is_empty() && c.needs_review() {
        labels.push("needs_review");
    }
    let said = Said {
        from: reply.from,
        channel: reply.channel,
        body: reply.body,
        intents: json!(c.intents),
        explanations: json!(c.explanations),
    };
    hand_to_person(state, &said, &labels, rules, now)
}

/// Hands a message that needs a person to one: a new escalation with its alert, or, while one is
/// still unacknowledged, the new words to whoever has it. `resumable`: automation may come back by
/// itself after the customer's silence, so the hand-off timers start (a held opt-out is not: a
/// person decides, and it always opens its own escalation).
pub(super) fn escalate(
    state: &LeadState,
    reply: &Handed<'_>,
    resumable: bool,
    rules: &Rules<'_>,
    now: Timestamp,
) -> Result<Vec<Change>, Refusal> {
    let open = state.escalations.iter().max_by_key(|e| e.created_at);
    let mut changes = match open.filter(|_| resumable) {
        Some(open) => attach(state, open, reply, rules, now),
        None => open_escalation(state, reply, rules, now)?,
    };
    // Re-armed on an attached message too: the earlier timers see the customer spoke since and
    // stand down.
    if resumable {
        changes.extend(handoff_timers(&rules.config.conversations, now));
    }
    Ok(changes)
}

/// The customer wrote again while `open` waits: whoever has it hears the new words.
fn attach(
    state: &LeadState,
    open: &OpenEscalation,
    reply: &Handed<'_>,
    rules: &Rules<'_>,
    now: Timestamp,
) -> Vec<Change> {
    let Some(assignee) = rules.config.staff_member(&open.assignee) else {
        return Vec::new();
    };
    let shown = PhoneNumber::parse(reply.from, "US")
        .map_or_else(|_| reply.from.to_owned(), |p| p.national());
    let customer = state.name.clone().unwrap_or(shown);
    let text = format!(
        "STILL WAITING ({}): {customer} wrote again: \"{}\". Reply {} to acknowledge.",
        open.intents.join(", "),
        truncate(reply.body, 300),
        open.id,
    );
    escalation_alert(
        state.id,
        &state.dealership,
        assignee,
        Some(open.id),
        &text,
        now,
    )
    .map(Change::Enqueue)
    .into_iter()
    .collect()
}

/// What the customer did that a person must take up, under labels already chosen: a reply the
/// classifier read, or a call nobody answered.
pub struct Said<'a> {
    /// The number or address it came from, as stored.
    pub from: &'a str,
    /// `sms`, `call`, `email`.
    pub channel: &'a str,
    /// What the customer wrote, or what happened (for a call).
    pub body: &'a str,
    /// The labels as the escalation's context shows them.
    pub intents: serde_json::Value,
    /// Why the classifier chose them (`null` when no classifier read it).
    pub explanations: serde_json::Value,
}

/// A customer's call to the store that rang out, as the driver found it: the text back it
/// planned (through the gate), or why none may go.
#[derive(Debug, Clone, PartialEq)]
pub struct MissedCall {
    /// The provider's id of the call.
    pub call_sid: String,
    /// The caller's number.
    pub from: PhoneNumber,
    /// The staff members rung, in order.
    pub rang: Vec<String>,
    /// The one text back to the caller, or why none may go.
    pub text_back: Result<NewOutbound, String>,
    /// The key that applies the missed call once whatever the provider retries
    /// (`twilio-voice:{call_sid}:missed`).
    pub idempotency_key: String,
}

/// A call to the store nobody answered, handed to a person, whole: the `call_missed` event, the
/// owner's call-back task due within `call_back_minutes`, the text back if one may go, a running
/// follow-up paused for the call-back with the hand-off timers, and an escalation labelled
/// `missed_call` on its clock with its alert, the lead waiting on us.
pub(super) fn missed_call(
    state: &LeadState,
    call: &MissedCall,
    rules: &Rules<'_>,
    now: Timestamp,
) -> Result<Vec<Change>, Refusal> {
    let config = rules.config;
    let due = now
        .checked_add(i64::from(config.calls.call_back_minutes).minutes())
        .unwrap_or(Timestamp::MAX);
    let who = state.name.clone().unwrap_or_else(|| call.from.national());
    let missed = CallMissed {
        call_sid: call.call_sid.clone(),
        from: call.from.as_str().to_owned(),
        rang: call.rang.clone(),
        texted_back: call.text_back.is_ok(),
        no_text_back: call.text_back.as_ref().err().cloned(),
        call_back_due_at: due,
    };
    let mut changes = vec![
        Change::Events(vec![NewEvent::new(now, TimelineEvent::CallMissed(missed))]),
        Change::Task(NewTask {
            owner_id: state.owner.clone(),
            kind: "call".into(),
            touch_id: None,
            due_at: due,
            body: format!(
                "{who} called from {} and nobody answered. Call them back.",
                call.from.national()
            ),
        }),
    ];
    changes.extend(call.text_back.clone().ok().map(Change::Enqueue));
    if state.status == LeadStatus::Active {
        let owner = config
            .staff_member(&state.owner)
            .map_or(state.owner.as_str(), |o| o.name.as_str());
        changes.push(Change::Pause {
            lead: state.id,
            reason: format!("the customer called; {owner} calls them back"),
            actor: "customer call".into(),
        });
        changes.extend(handoff_timers(&config.conversations, now));
    }
    let said = Said {
        from: call.from.as_str(),
        channel: "call",
        body: "called the store and nobody answered",
        intents: json!(["missed_call"]),
        explanations: serde_json::Value::Null,
    };
    changes.extend(hand_to_person(state, &said, &["missed_call"], rules, now)?);
    changes.push(waiting(state, None, rules, now));
    Ok(changes)
}

/// Opens an escalation under `labels` for what the customer did and queues its alert.
fn hand_to_person(
    state: &LeadState,
    reply: &Said<'_>,
    labels: &[&str],
    rules: &Rules<'_>,
    now: Timestamp,
) -> Result<Vec<Change>, Refusal> {
    let config = rules.config;
    let dealership = config
        .dealership(Some(&state.dealership))
        .ok_or(Refusal::Unplaced)?;
    let minutes = config.escalation.ack_minutes_for(labels.iter().copied());
    // Checked: a clock at the end of time gives a deadline that never comes, not a panic.
    let sla_due_at = now
        .checked_add((minutes as i64).minutes())
        .unwrap_or(Timestamp::MAX);
    let owner = config
        .staff_member(&state.owner)
        .ok_or_else(|| Refusal::OwnerUnknown(state.owner.clone()))?;
    let assignee = if owner.on_shift(now, &dealership.time_zone) {
        owner
    } else {
        // A teammate of another dealership could not see the lead.
        config
            .team_members(&owner.team)
            .into_iter()
            .filter(|s| crate::access::works_for(s, &state.dealership))
            .find(|s| s.on_shift(now, &dealership.time_zone))
            .unwrap_or(owner)
    };
    // Staff read the alert in the dealership's own words.
    let context = message_context(
        &state.document,
        Some(owner),
        dealership,
        DEFAULT_LANGUAGE,
        now,
    );
    // What was said before, both ways, so the person handed the lead never has to look it up.
    let skip = state.recent_messages.len().saturating_sub(RECENT_MESSAGES);
    let mut recent: Vec<String> = state.recent_messages[skip..]
        .iter()
        .map(|m| {
            let who = if m.inbound { "customer" } else { "us" };
            format!("{} {} {who}: {}", m.at, m.channel, truncate(&m.body, 300))
        })
        .collect();
    // The reply itself is recorded in the same change set as the escalation.
    recent.push(format!(
        "{now} {} customer: {}",
        reply.channel,
        truncate(reply.body, 300)
    ));
    let context_json = json!({
        "reply": reply.body,
        "from": reply.from,
        "customer": state.name,
        "intents": reply.intents,
        "explanations": reply.explanations,
        "recent_messages": recent,
        "vehicle": context.get("vehicle"),
        "trade_in": context.get("trade_in"),
        "payment": context.get("payment"),
        "service_need": context.get("service_need"),
        "segment": state.segment,
        "owner": state.owner,
    });
    let intents: Vec<String> = labels.iter().map(|l| (*l).to_owned()).collect();
    let escalation = NewEscalation {
        lead: state.id,
        intents: intents.clone(),
        context: context_json,
        at: now,
        sla_due_at,
        assignee: assignee.id.clone(),
        notified: vec![assignee.id.clone()],
    };
    let reason = if owner.id != assignee.id {
        "owner off shift; on-shift teammate"
    } else {
        "owner"
    };
    let event = NewEvent::new(
        now,
        TimelineEvent::Escalated(Escalated {
            escalation_id: None,
            intents,
            assignee: assignee.id.clone(),
            sla_due_at,
            reason: reason.into(),
        }),
    );
    // A number reads as people dial it; an e-mail address as it is.
    let shown = PhoneNumber::parse(reply.from, "US")
        .map_or_else(|_| reply.from.to_owned(), |p| p.national());
    let customer = state.name.clone().unwrap_or_else(|| shown.clone());
    let details: Vec<String> = [
        ("Vehicle", "vehicle"),
        ("Trade", "trade_in"),
        ("Payment", "payment"),
        ("Service", "service_need"),
    ]
    .into_iter()
    .filter_map(|(label, key)| context.get(key).map(|v| format!("{label}: {v}")))
    .collect();
    let text = format!(
        "HOT LEAD ({}): {customer} {shown} wrote: \"{}\". {} Reply {} to acknowledge within {minutes} min.",
        labels.join(", "),
        truncate(reply.body, 300),
        if details.is_empty() { String::new() } else { format!("{}.", details.join("; ")) },
        super::ESCALATION_ID,
    );
    let mut changes = vec![Change::OpenEscalation { escalation, event }];
    changes.extend(
        escalation_alert(state.id, &state.dealership, assignee, None, &text, now)
            .map(Change::Enqueue),
    );
    Ok(changes)
}

/// The change that puts the lead in its owner's waiting queue for a customer's message received at
/// `now`: due within the escalation deadline of its labels when it is hot, else within
/// `waiting_sla_minutes` counted inside the segment's business hours.
pub(super) fn waiting(
    state: &LeadState,
    classification: Option<&Classification>,
    rules: &Rules<'_>,
    now: Timestamp,
) -> Change {
    let config = rules.config;
    let hot = classification.filter(|c| c.escalates());
    let hot_minutes = hot.map(|c| {
        config
            .escalation
            .ack_minutes_for(c.intents.iter().map(|i| i.as_str()))
    });
    let department = config
        .segment(&state.segment)
        .map_or("sales", |s| s.hours.as_str());
    let hours = config
        .dealership(Some(&state.dealership))
        .map(|d| d.business_hours(department))
        .unwrap_or_else(|| {
            ZoneHours::new(jiff::tz::TimeZone::UTC, crate::hours::WeeklyHours::always())
        });
    let due = answer_due(
        now,
        hot_minutes,
        config.conversations.waiting_sla_minutes,
        &hours,
    );
    Change::Events(vec![NewEvent::new(
        now,
        TimelineEvent::CustomerWaiting(CustomerWaiting {
            owner: state.owner.clone(),
            sla_due_at: due,
            hot: hot.is_some(),
        }),
    )])
}

/// The owner's name as staff know it (their id when they are no longer configured).
pub(super) fn owner_name(state: &LeadState, rules: &Rules<'_>) -> String {
    rules
        .config
        .staff_member(&state.owner)
        .map_or(state.owner.clone(), |s| s.name.clone())
}

pub(super) fn new_task(state: &LeadState, kind: &str, body: String, now: Timestamp) -> NewTask {
    NewTask {
        owner_id: state.owner.clone(),
        kind: kind.into(),
        touch_id: None,
        due_at: now,
        body,
    }
}

/// The owner's task for an inbound text, picture or call.
pub(super) fn task_text(who: &str, phone: &PhoneNumber, call: bool, reply: &Reply) -> String {
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
