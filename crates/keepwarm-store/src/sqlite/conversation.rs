//! The conversation read model on SQLite (issue 13): a lead's whole thread, the "waiting on us"
//! queue, and which lead an e-mail reply answers.
//!
//! The thread is built from what the store already keeps: touches sent to the customer (automation),
//! the outbound queue's messages to the customer (a person's messages, opt-out confirmations), and
//! the timeline's inbound messages and calls, logged calls and notes. Kind words come from
//! [`TimelineEvent`]'s constants, bound as parameters (or, for the partial index, built into the
//! statement from the constant).

use keepwarm_domain::thread::{ThreadEntry, Waiting};
use keepwarm_domain::{LeadId, TimelineEvent};
use sqlx::SqlitePool;

use super::kinds;
use crate::thread::{
    entries, event_entry, fold_waiting, ordered, queued_entry, touch_entry, Sequenced, ANSWERS,
    THREAD_EVENTS,
};
use crate::Result;

/// A lead's thread, oldest first.
pub(super) async fn thread(pool: &SqlitePool, lead: LeadId) -> Result<Vec<ThreadEntry>> {
    let mut entries = touches(pool, lead).await?;
    entries.extend(queued(pool, lead).await?);
    entries.extend(events(pool, lead).await?);
    Ok(ordered(entries))
}

/// Touches that reached (or were refused for) the customer. Call tasks are touches too, but their
/// recipient is a staff id, not a number or an address: they are left out.
async fn touches(pool: &SqlitePool, lead: LeadId) -> Result<Vec<Sequenced>> {
    let rows = sqlx::query(&format!(
        "SELECT COALESCE(finished_at, due_at) AS at, channel, body, state, delivery_status, detail,
                delivery_error,
                (SELECT MIN(e.id) FROM events e
                 WHERE e.lead_id = t.lead_id AND e.kind IN ({ended})
                   AND json_extract(e.data, '$.touch_id') = t.id) AS seq
         FROM touches t
         WHERE lead_id = ?1 AND state IN ('sent', 'failed') AND body IS NOT NULL
           AND (recipient LIKE '+%' OR recipient LIKE '%@%')",
        ended = kinds::kind_list(&[TimelineEvent::TOUCH_SENT, TimelineEvent::TOUCH_FAILED])
    ))
    .bind(lead.0)
    .fetch_all(pool)
    .await?;
    entries(&rows, touch_entry)
}

/// Messages to the customer on the outbound queue: a person's (named by the event it records when
/// sent) and the opt-out confirmation (automation).
async fn queued(pool: &SqlitePool, lead: LeadId) -> Result<Vec<Sequenced>> {
    let rows = sqlx::query(
        "SELECT created_at, finished_at, channel, subject, body, state, detail, on_sent,
                (SELECT MIN(e.id) FROM events e
                 WHERE e.lead_id = o.lead_id AND json_extract(e.data, '$.outbound_id') = o.id) AS seq
         FROM outbound_messages o WHERE lead_id = ?1 AND recipient_kind = 'customer' ORDER BY id",
    )
    .bind(lead.0)
    .fetch_all(pool)
    .await?;
    entries(&rows, queued_entry)
}

/// The customer's texts, e-mails and calls, the calls people logged, and notes.
async fn events(pool: &SqlitePool, lead: LeadId) -> Result<Vec<Sequenced>> {
    let rows = sqlx::query(
        "SELECT at, kind, data, id AS seq FROM events WHERE lead_id = ?1
           AND kind IN (?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ORDER BY id",
    )
    .bind(lead.0)
    .bind(THREAD_EVENTS[0])
    .bind(THREAD_EVENTS[1])
    .bind(THREAD_EVENTS[2])
    .bind(THREAD_EVENTS[3])
    .bind(THREAD_EVENTS[4])
    .bind(THREAD_EVENTS[5])
    .bind(THREAD_EVENTS[6])
    .fetch_all(pool)
    .await?;
    entries(&rows, event_entry)
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
    fold_waiting(&rows)
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
