//! The conversation read model on PostgreSQL: a lead's thread, the "waiting on us" queue, which
//! lead a message answers, the latest messages both ways and whose turn it is. Rows become thread
//! entries in `crate::thread`, as on SQLite; only the SQL is here.

use keepwarm_domain::machine::applied::{self, LatestEvent};
use keepwarm_domain::thread::{ThreadEntry, Waiting};
use keepwarm_domain::{LeadId, TimelineEvent};
use sqlx::PgPool;

use crate::rows::{latest_event, Columns};
use crate::thread::{
    entries, event_entry, fold_waiting, ordered, queued_entry, touch_entry, ANSWERS, THREAD_EVENTS,
};
use crate::{ConversationEntry, Result};

/// The kinds of event that are the customer speaking (a text or e-mail, a call).
const CUSTOMER: [&str; 2] = [TimelineEvent::INBOUND_MESSAGE, TimelineEvent::INBOUND_CALL];

/// A lead's thread, oldest first.
pub(super) async fn thread(pool: &PgPool, lead: LeadId) -> Result<Vec<ThreadEntry>> {
    let touches = sqlx::query(
        "SELECT COALESCE(finished_at, due_at) AS at, channel, body, state, delivery_status, detail,
                delivery_error,
                (SELECT MIN(e.id) FROM events e
                 WHERE e.lead_id = t.lead_id AND e.kind = ANY($2)
                   AND e.data ->> 'touch_id' = t.id::text) AS seq
         FROM touches t
         WHERE lead_id = $1 AND state IN ('sent', 'failed') AND body IS NOT NULL
           AND (recipient LIKE '+%' OR recipient LIKE '%@%')",
    )
    .bind(lead.0)
    .bind(&[TimelineEvent::TOUCH_SENT, TimelineEvent::TOUCH_FAILED][..])
    .fetch_all(pool)
    .await?;
    let queued = sqlx::query(
        "SELECT created_at, finished_at, channel, subject, body, state, detail, on_sent,
                (SELECT MIN(e.id) FROM events e
                 WHERE e.lead_id = o.lead_id AND e.data ->> 'outbound_id' = o.id::text) AS seq
         FROM outbound_messages o WHERE lead_id = $1 AND recipient_kind = 'customer' ORDER BY id",
    )
    .bind(lead.0)
    .fetch_all(pool)
    .await?;
    let events = sqlx::query(
        "SELECT at, kind, data, id AS seq FROM events WHERE lead_id = $1 AND kind = ANY($2)
         ORDER BY id",
    )
    .bind(lead.0)
    .bind(&THREAD_EVENTS[..])
    .fetch_all(pool)
    .await?;
    let mut thread = entries(&touches, touch_entry)?;
    thread.extend(entries(&queued, queued_entry)?);
    thread.extend(entries(&events, event_entry)?);
    Ok(ordered(thread))
}

/// Leads whose customer waits on a person's answer, oldest wait first (see the SQLite backend's
/// `waiting` for what counts as an answer).
pub(super) async fn waiting(
    pool: &PgPool,
    owner: Option<&str>,
    lead: Option<LeadId>,
) -> Result<Vec<Waiting>> {
    let rows = sqlx::query(
        "SELECT w.lead_id, l.owner_id, l.display_name, l.dealership, l.segment, w.at,
                w.data ->> 'sla_due_at' AS due,
                CASE WHEN (w.data ->> 'hot')::boolean THEN 1::bigint ELSE 0::bigint END AS hot,
                (SELECT m.data ->> 'body' FROM events m
                 WHERE m.lead_id = w.lead_id AND m.kind = ANY($5) AND m.at <= w.at
                 ORDER BY m.at DESC, m.id DESC LIMIT 1) AS said
         FROM events w JOIN leads l ON l.id = w.lead_id
         WHERE w.kind = $3
           AND NOT l.opted_out AND l.stage NOT IN ('sold', 'lost')
           AND ($1::text IS NULL OR l.owner_id = $1) AND ($2::bigint IS NULL OR w.lead_id = $2)
           AND w.at > COALESCE((SELECT MAX(a.at) FROM events a
                                WHERE a.lead_id = w.lead_id AND (a.kind = ANY($4)
                                  OR (a.kind = ANY($6) AND a.data ->> 'outcome' = 'connected')
                                  OR (a.kind = $7 AND a.data ->> 'kind' = 'reply'))), -1)
         ORDER BY w.lead_id, w.at, w.id",
    )
    .bind(owner)
    .bind(lead.map(|l| l.0))
    .bind(TimelineEvent::CUSTOMER_WAITING)
    .bind(&ANSWERS[..2])
    .bind(&CUSTOMER[..])
    .bind([ANSWERS[2], TimelineEvent::CALL_PROGRESS])
    .bind(ANSWERS[3])
    .fetch_all(pool)
    .await?;
    fold_waiting(&rows)
}

/// The lead a message keepwarm sent with this provider id was about: a touch or a queued message.
pub(super) async fn lead_of_message(pool: &PgPool, provider_id: &str) -> Result<Option<LeadId>> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT lead_id FROM touches WHERE provider_id = $1
         UNION ALL
         SELECT lead_id FROM outbound_messages
         WHERE provider_id = $1 AND lead_id IS NOT NULL AND recipient_kind = 'customer'
         LIMIT 1",
    )
    .bind(provider_id)
    .fetch_optional(pool)
    .await?;
    Ok(id.map(LeadId))
}

/// The latest messages of a lead's conversation, both ways, oldest first.
pub(super) async fn recent_conversation(
    pool: &PgPool,
    lead: LeadId,
    limit: u32,
) -> Result<Vec<ConversationEntry>> {
    let rows = sqlx::query(
        "SELECT at, direction, channel, body FROM (
             SELECT COALESCE(finished_at, due_at) AS at, 'outbound' AS direction, channel, body, id
             FROM touches WHERE lead_id = $1 AND state = 'sent' AND body IS NOT NULL
             UNION ALL
             SELECT at, 'inbound', COALESCE(data ->> 'channel', 'sms'), COALESCE(data ->> 'body', ''),
                    id
             FROM events WHERE lead_id = $1 AND kind = ANY($3)) AS m
         ORDER BY at DESC, direction DESC, id DESC LIMIT $2",
    )
    .bind(lead.0)
    .bind(i64::from(limit))
    .bind(&CUSTOMER[..])
    .fetch_all(pool)
    .await?;
    let mut out = rows
        .iter()
        .map(|r| {
            Ok(ConversationEntry {
                at: r.instant("at")?,
                direction: r.text("direction")?,
                channel: r.text("channel")?,
                body: r.text("body")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    out.reverse();
    Ok(out)
}

/// What a lead's conversation turns on; see [`crate::ChangeSets::conversation_events`].
pub(super) async fn conversation_events(
    pool: &PgPool,
    lead: LeadId,
) -> Result<(bool, Vec<LatestEvent>)> {
    let open: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM escalations WHERE lead_id = $1 AND status IN ('open', 'breached'))",
    )
    .bind(lead.0)
    .fetch_one(pool)
    .await?;
    let rows = sqlx::query(
        "SELECT kind, data ->> 'kind' AS data_kind, data ->> 'outcome' AS outcome, MAX(at) AS at
         FROM events WHERE lead_id = $1 AND kind = ANY($2)
         GROUP BY kind, data_kind, outcome",
    )
    .bind(lead.0)
    .bind(&applied::CONVERSATION_KINDS[..])
    .fetch_all(pool)
    .await?;
    let latest = rows.iter().map(latest_event).collect::<Result<Vec<_>>>()?;
    Ok((open, latest))
}
