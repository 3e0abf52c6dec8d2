//! A lead's conversation thread and the "waiting on us" queue, built the same way on both
//! backends from the rows each reads in its own SQL (see the backends' `conversation` modules):
//! touches sent to the customer, the outbound queue's messages to the customer, and the timeline's
//! inbound messages and calls, logged calls and notes.

use jiff::Timestamp;
use keepwarm_domain::thread::{Direction, Medium, ThreadEntry, Waiting, Who};
use keepwarm_domain::{LeadId, TimelineEvent};

use crate::rows::Columns;
use crate::{NewEvent, Result, StoreError};

/// The kinds of event that mean a person answered the customer: their message, and (with the
/// conditions in the backends' `waiting`) a connected call they logged or a reply task they
/// completed.
pub(crate) const ANSWERS: [&str; 4] = [
    TimelineEvent::STAFF_MESSAGE_QUEUED,
    TimelineEvent::STAFF_MESSAGE_SENT,
    TimelineEvent::CALL_LOGGED,
    TimelineEvent::TASK_COMPLETED,
];

/// The kinds of event the thread shows, bound in this order by the backends' event query.
pub(crate) const THREAD_EVENTS: [&str; 7] = [
    TimelineEvent::INBOUND_MESSAGE,
    TimelineEvent::INBOUND_CALL,
    TimelineEvent::CALL_LOGGED,
    TimelineEvent::NOTE_ADDED,
    TimelineEvent::CALL_PROGRESS,
    TimelineEvent::CALL_MISSED,
    TimelineEvent::VOICEMAIL_RECEIVED,
];

/// A thread entry with its place in the timeline's sequence: the id of the event that recorded it
/// (a customer's message, a person's note; a touch's `touch_sent` or `touch_failed`; a queued
/// message's event when it was sent or failed), `None` for a message still waiting to go.
pub(crate) type Sequenced = (Option<i64>, ThreadEntry);

/// The thread entries of `rows` with their `seq` column, skipping the rows `entry` leaves out.
pub(crate) fn entries<R: Columns>(
    rows: &[R],
    entry: fn(&R) -> Result<Option<ThreadEntry>>,
) -> Result<Vec<Sequenced>> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        if let Some(e) = entry(r)? {
            out.push((r.opt_int("seq")?, e));
        }
    }
    Ok(out)
}

/// The thread in order: by time, and at the same instant by the timeline's sequence, so a
/// customer's message comes before the answer written the same second (a manual clock, a fast
/// person). What has not gone yet comes last among its instant.
pub(crate) fn ordered(mut entries: Vec<Sequenced>) -> Vec<ThreadEntry> {
    entries.sort_by_key(|(seq, e)| (e.at, seq.unwrap_or(i64::MAX)));
    entries.into_iter().map(|(_, e)| e).collect()
}

/// A touch that reached (or was refused for) the customer: `at, channel, body, state,
/// delivery_status, detail, delivery_error`. `None` for a channel the thread does not show.
pub(crate) fn touch_entry(r: &impl Columns) -> Result<Option<ThreadEntry>> {
    let Some(channel) = Medium::of_channel(&r.text("channel")?) else {
        return Ok(None);
    };
    let state = r.text("state")?;
    let status = r
        .opt_text("delivery_status")?
        .unwrap_or_else(|| state.clone());
    let detail = match r.opt_text("delivery_error")? {
        Some(error) => Some(error),
        None if state == "failed" => r.opt_text("detail")?,
        None => None,
    };
    Ok(Some(ThreadEntry {
        at: r.instant("at")?,
        direction: Direction::Outbound,
        channel,
        who: Who::Automation,
        body: r.text("body")?,
        subject: None,
        status,
        detail,
    }))
}

/// A message to the customer on the outbound queue: `created_at, finished_at, channel, subject,
/// body, state, detail, on_sent`. A person's message is named by the event it records when sent.
pub(crate) fn queued_entry(r: &impl Columns) -> Result<Option<ThreadEntry>> {
    let Some(channel) = Medium::of_channel(&r.text("channel")?) else {
        return Ok(None);
    };
    let on_sent = r.opt_json("on_sent")?;
    let who = match on_sent.and_then(|e| serde_json::from_value::<NewEvent>(e).ok()) {
        Some(NewEvent {
            event: TimelineEvent::StaffMessageSent(m),
            ..
        }) => Who::Staff {
            id: m.by,
            name: Some(m.name),
        },
        _ => Who::Automation,
    };
    let at = match r.opt_instant("finished_at")? {
        Some(at) => at,
        None => r.instant("created_at")?,
    };
    let state = r.text("state")?;
    Ok(Some(ThreadEntry {
        at,
        direction: Direction::Outbound,
        channel,
        who,
        body: r.text("body")?,
        subject: r.opt_text("subject")?,
        detail: if state == "failed" {
            r.opt_text("detail")?
        } else {
            None
        },
        status: state,
    }))
}

/// A timeline event of one of [`THREAD_EVENTS`]: `at, kind, data`.
pub(crate) fn event_entry(r: &impl Columns) -> Result<Option<ThreadEntry>> {
    let at = r.instant("at")?;
    let entry = match TimelineEvent::from_stored(&r.text("kind")?, r.json("data")?) {
        TimelineEvent::InboundMessage(m) | TimelineEvent::InboundCall(m) => ThreadEntry {
            at,
            direction: Direction::Inbound,
            channel: Medium::of_channel(&m.channel).unwrap_or(Medium::Sms),
            who: Who::Customer,
            body: m.body,
            subject: None,
            status: "received".into(),
            detail: None,
        },
        TimelineEvent::CallLogged(c) => ThreadEntry {
            at,
            direction: Direction::Outbound,
            channel: Medium::Call,
            who: Who::Staff {
                id: c.by,
                name: None,
            },
            body: match c.note {
                Some(note) => format!("{}: {note}", c.outcome),
                None => c.outcome,
            },
            subject: None,
            status: "logged".into(),
            detail: None,
        },
        TimelineEvent::CallProgress(c) => call_entry(at, c),
        TimelineEvent::CallMissed(m) => ThreadEntry {
            at,
            direction: Direction::Inbound,
            channel: Medium::Call,
            who: Who::Customer,
            body: if m.rang.is_empty() {
                "Missed call (nobody on shift to ring)".to_owned()
            } else {
                format!("Missed call (rang {})", m.rang.join(", "))
            },
            subject: None,
            status: "missed".into(),
            detail: m.no_text_back.map(|why| format!("no text-back: {why}")),
        },
        TimelineEvent::VoicemailReceived(v) => ThreadEntry {
            at,
            direction: Direction::Inbound,
            channel: Medium::Voicemail,
            who: Who::Customer,
            body: match v.duration_seconds {
                Some(s) => format!("Voicemail ({s} s): {}", v.recording_url),
                None => format!("Voicemail: {}", v.recording_url),
            },
            subject: None,
            status: "received".into(),
            detail: None,
        },
        TimelineEvent::NoteAdded(n) => ThreadEntry {
            at,
            direction: Direction::Internal,
            channel: Medium::Note,
            who: Who::Staff {
                id: n.by,
                name: Some(n.name),
            },
            body: n.body,
            subject: None,
            status: "logged".into(),
            detail: None,
        },
        _ => return Ok(None),
    };
    Ok(Some(entry))
}

/// A call's progress as a thread entry: which way, who was on it, its status, and its duration and
/// outcome once it ended.
fn call_entry(at: Timestamp, c: keepwarm_domain::timeline::CallProgress) -> ThreadEntry {
    let inbound = c.direction == "inbound";
    let mut body = match (inbound, c.leg.as_str()) {
        (true, _) => "Customer's call".to_owned(),
        (false, "customer") => "Call to the customer".to_owned(),
        (false, _) => "Click-to-call: ringing the staff phone".to_owned(),
    };
    body.push_str(": ");
    body.push_str(&c.status);
    if let Some(outcome) = &c.outcome {
        body.push_str(&format!(", {outcome}"));
    }
    if let Some(s) = c.duration_seconds {
        body.push_str(&format!(" ({}m{:02}s)", s / 60, s % 60));
    }
    ThreadEntry {
        at,
        direction: if inbound {
            Direction::Inbound
        } else {
            Direction::Outbound
        },
        channel: Medium::Call,
        who: match c.by {
            Some(id) => Who::Staff { id, name: None },
            None if inbound => Who::Customer,
            None => Who::Automation,
        },
        body,
        subject: None,
        status: c.status,
        detail: c.error,
    }
}

/// Folds the rows of `customer_waiting` events (`lead_id, owner_id, display_name, dealership,
/// segment, at, due` (the SLA as RFC 3339 text), `hot` (0/1), `said`), ordered by lead and time,
/// into one wait per lead, oldest wait first.
pub(crate) fn fold_waiting<R: Columns>(rows: &[R]) -> Result<Vec<Waiting>> {
    let mut out: Vec<Waiting> = Vec::new();
    for r in rows {
        let id = LeadId(r.int("lead_id")?);
        let at = r.instant("at")?;
        let due: Timestamp = r
            .opt_text("due")?
            .unwrap_or_default()
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("customer_waiting sla_due_at: {e}")))?;
        let hot = r.opt_int("hot")?.unwrap_or(0) != 0;
        let said = r.opt_text("said")?;
        match out.last_mut() {
            Some(w) if w.lead_id == id => {
                w.hot |= hot;
                w.last_message = said.unwrap_or_default();
            }
            _ => out.push(Waiting {
                lead_id: id,
                owner: r.text("owner_id")?,
                customer: r.opt_text("display_name")?,
                dealership: r.text("dealership")?,
                segment: r.text("segment")?,
                since: at,
                due_at: due,
                hot,
                last_message: said.unwrap_or_default(),
            }),
        }
    }
    out.sort_by_key(|w| (w.since, w.lead_id.0));
    Ok(out)
}
