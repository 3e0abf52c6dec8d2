//! The conversation read model on SQLite (issue 13): a lead's whole thread, the "waiting on us"
//! queue, and which lead an e-mail reply answers.
//!
//! The thread is built from what the store already keeps: touches sent to the customer (automation),
//! the outbound queue's messages to the customer (a person's messages, opt-out confirmations), and
//! the timeline's inbound messages and calls, logged calls and notes. Kind words come from
//! [`TimelineEvent`]'s constants, bound as parameters (or, for the partial index, built into the
//! statement from the constant).

use jiff::Timestamp;
use keepwarm_domain::thread::{Direction, Medium, ThreadEntry, Waiting, Who};
use keepwarm_domain::{LeadId, TimelineEvent};
use sqlx::{Row, SqlitePool};

use super::ts;
use crate::{NewEvent, Result, StoreError};

/// The kinds of event that mean a person answered the customer: their message, and (with the
/// conditions in [`waiting`]) a connected call they logged or a reply task they completed.
const ANSWERS: [&str; 4] = [
    TimelineEvent::STAFF_MESSAGE_QUEUED,
    TimelineEvent::STAFF_MESSAGE_SENT,
    TimelineEvent::CALL_LOGGED,
    TimelineEvent::TASK_COMPLETED,
];

/// A lead's thread, oldest first.
pub(super) async fn thread(pool: &SqlitePool, lead: LeadId) -> Result<Vec<ThreadEntry>> {
    let mut entries = touches(pool, lead).await?;
    entries.extend(queued(pool, lead).await?);
    entries.extend(events(pool, lead).await?);
    entries.sort_by_key(|e| e.at);
    Ok(entries)
}

/// Touches that reached (or were refused for) the customer. Call tasks are touches too, but their
/// recipient is a staff id, not a number or an address: they are left out.
async fn touches(pool: &SqlitePool, lead: LeadId) -> Result<Vec<ThreadEntry>> {
    let rows = sqlx::query(
        "SELECT COALESCE(finished_at, due_at) AS at, channel, body, state, delivery_status, detail,
                delivery_error
         FROM touches
         WHERE lead_id = ?1 AND state IN ('sent', 'failed') AND body IS NOT NULL
           AND (recipient LIKE '+%' OR recipient LIKE '%@%')",
    )
    .bind(lead.0)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .filter_map(|r| {
            let channel = Medium::of_channel(r.get::<&str, _>("channel"))?;
            let state: String = r.get("state");
            let status = r
                .get::<Option<String>, _>("delivery_status")
                .unwrap_or_else(|| state.clone());
            let detail = r
                .get::<Option<String>, _>("delivery_error")
                .or_else(|| (state == "failed").then(|| r.get("detail")).flatten());
            Some(ts(r.get("at")).map(|at| ThreadEntry {
                at,
                direction: Direction::Outbound,
                channel,
                who: Who::Automation,
                body: r.get("body"),
                subject: None,
                status,
                detail,
            }))
        })
        .collect()
}

/// Messages to the customer on the outbound queue: a person's (named by the event it records when
/// sent) and the opt-out confirmation (automation).
async fn queued(pool: &SqlitePool, lead: LeadId) -> Result<Vec<ThreadEntry>> {
    let rows = sqlx::query(
        "SELECT created_at, finished_at, channel, subject, body, state, detail, on_sent
         FROM outbound_messages WHERE lead_id = ?1 AND recipient_kind = 'customer' ORDER BY id",
    )
    .bind(lead.0)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .filter_map(|r| {
            let channel = Medium::of_channel(r.get::<&str, _>("channel"))?;
            let on_sent: Option<String> = r.get("on_sent");
            let who = match on_sent.and_then(|e| serde_json::from_str::<NewEvent>(&e).ok()) {
                Some(NewEvent {
                    event: TimelineEvent::StaffMessageSent(m),
                    ..
                }) => Who::Staff {
                    id: m.by,
                    name: Some(m.name),
                },
                _ => Who::Automation,
            };
            let at = r
                .get::<Option<i64>, _>("finished_at")
                .unwrap_or(r.get("created_at"));
            let state: String = r.get("state");
            Some(ts(at).map(|at| ThreadEntry {
                at,
                direction: Direction::Outbound,
                channel,
                who,
                body: r.get("body"),
                subject: r.get("subject"),
                detail: (state == "failed").then(|| r.get("detail")).flatten(),
                status: state,
            }))
        })
        .collect()
}

/// The customer's texts, e-mails and calls, the calls people logged, and notes.
async fn events(pool: &SqlitePool, lead: LeadId) -> Result<Vec<ThreadEntry>> {
    let rows = sqlx::query(
        "SELECT at, kind, data FROM events WHERE lead_id = ?1
           AND kind IN (?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ORDER BY id",
    )
    .bind(lead.0)
    .bind(TimelineEvent::INBOUND_MESSAGE)
    .bind(TimelineEvent::INBOUND_CALL)
    .bind(TimelineEvent::CALL_LOGGED)
    .bind(TimelineEvent::NOTE_ADDED)
    .bind(TimelineEvent::CALL_PROGRESS)
    .bind(TimelineEvent::CALL_MISSED)
    .bind(TimelineEvent::VOICEMAIL_RECEIVED)
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let data: serde_json::Value = serde_json::from_str(r.get("data"))
            .map_err(|e| StoreError::Corrupt(format!("event data: {e}")))?;
        let at = ts(r.get("at"))?;
        let entry = match TimelineEvent::from_stored(r.get("kind"), data) {
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
            _ => continue,
        };
        out.push(entry);
    }
    Ok(out)
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

/// Leads whose customer waits on a person's answer, oldest wait first; optionally one owner's or
/// one lead's. A lead that opted out or was sold or lost waits on nobody.
pub(super) async fn waiting(
    pool: &SqlitePool,
    owner: Option<&str>,
    lead: Option<LeadId>,
) -> Result<Vec<Waiting>> {
    // The partial index's condition must appear as written for SQLite to use it.
    let sql = format!(
        "SELECT w.lead_id, l.owner_id, l.display_name, l.dealership, l.segment, w.at, json_extract(w.data, '$.sla_due_at') AS due,
                json_extract(w.data, '$.hot') AS hot,
                (SELECT json_extract(m.data, '$.body') FROM events m
                 WHERE m.lead_id = w.lead_id AND m.kind IN (?5, ?6) AND m.at <= w.at
                 ORDER BY m.at DESC, m.id DESC LIMIT 1) AS said
         FROM events w JOIN leads l ON l.id = w.lead_id
         WHERE w.kind = '{waiting}'
           AND l.opted_out = 0 AND l.stage NOT IN ('sold', 'lost')
           AND (?1 IS NULL OR l.owner_id = ?1) AND (?2 IS NULL OR w.lead_id = ?2)
           AND w.at > COALESCE((SELECT MAX(a.at) FROM events a
                                WHERE a.lead_id = w.lead_id AND (a.kind IN (?3, ?4)
                                  OR (a.kind IN (?7, ?9) AND json_extract(a.data, '$.outcome') = 'connected')
                                  OR (a.kind = ?8 AND json_extract(a.data, '$.kind') = 'reply'))), -1)
         ORDER BY w.lead_id, w.at, w.id",
        waiting = TimelineEvent::CUSTOMER_WAITING
    );
    let rows = sqlx::query(&sql)
        .bind(owner)
        .bind(lead.map(|l| l.0))
        .bind(ANSWERS[0])
        .bind(ANSWERS[1])
        .bind(TimelineEvent::INBOUND_MESSAGE)
        .bind(TimelineEvent::INBOUND_CALL)
        .bind(ANSWERS[2])
        .bind(ANSWERS[3])
        .bind(TimelineEvent::CALL_PROGRESS)
        .fetch_all(pool)
        .await?;
    let mut out: Vec<Waiting> = Vec::new();
    for r in &rows {
        let id = LeadId(r.get("lead_id"));
        let at = ts(r.get("at"))?;
        let due: Option<String> = r.get("due");
        let due: Timestamp = due
            .as_deref()
            .unwrap_or_default()
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("customer_waiting sla_due_at: {e}")))?;
        let hot = r.get::<Option<i64>, _>("hot").unwrap_or(0) != 0;
        let said: Option<String> = r.get("said");
        match out.last_mut() {
            Some(w) if w.lead_id == id => {
                w.hot |= hot;
                w.last_message = said.unwrap_or_default();
            }
            _ => out.push(Waiting {
                lead_id: id,
                owner: r.get("owner_id"),
                customer: r.get("display_name"),
                dealership: r.get("dealership"),
                segment: r.get("segment"),
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

/// The lead a message keepwarm sent with this provider id (an e-mail's Message-ID) was about:
/// a touch or a queued message.
pub(super) async fn lead_of_message(
    pool: &SqlitePool,
    provider_id: &str,
) -> Result<Option<LeadId>> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT lead_id FROM touches WHERE provider_id = ?1
         UNION ALL
         SELECT lead_id FROM outbound_messages
         WHERE provider_id = ?1 AND lead_id IS NOT NULL AND recipient_kind = 'customer'
         LIMIT 1",
    )
    .bind(provider_id)
    .fetch_optional(pool)
    .await?;
    Ok(id.map(LeadId))
}
