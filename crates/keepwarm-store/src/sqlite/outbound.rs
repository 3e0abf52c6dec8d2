//! The outbound queue on SQLite: queue in the caller's transaction, claim with a lease, reclaim
//! expired leases for reconciliation, finish only while the lease is still the worker's.

use jiff::Timestamp;
use keepwarm_domain::machine::applied::{self, LatestEvent};
use keepwarm_domain::{LeadId, TimelineEvent};

use crate::rows::latest_event;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite, SqlitePool, Transaction};

use super::{insert_events, kinds, ms, opt_ts, ts, word, SqliteStore};
use crate::{
    ConversationEntry, NewEvent, NewOutbound, OutboundFinish, OutboundResult, OutboundRow, Result,
    StoreError, ESCALATION_ID,
};

/// Queues one message inside `tx`. Returns its id, or `None` when a message with the same dedupe
/// key was queued before.
pub(super) async fn insert_outbound(
    tx: &mut Transaction<'_, Sqlite>,
    m: &NewOutbound,
    escalation: Option<i64>,
    now: Timestamp,
) -> Result<Option<i64>> {
    let named = |text: &str| match escalation {
        Some(id) => text.replace(ESCALATION_ID, &id.to_string()),
        None => text.to_owned(),
    };
    let body = named(&m.body);
    let subject = m.subject.as_deref().map(named);
    let event = |e: &Option<Box<NewEvent>>| {
        e.as_ref().map(|e| {
            let mut e = e.clone();
            if let Some(id) = escalation {
                e.event.name_escalation(id);
            }
            serde_json::to_string(&e).unwrap_or_default()
        })
    };
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO outbound_messages (lead_id, purpose, channel, recipient_kind, recipient, subject,
             body, attachments, dealership, dedupe_key, on_sent, on_failed, due_at, created_at,
             sender_name, reply_to)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(m.lead_id.map(|l| l.0))
    .bind(m.purpose.as_str())
    .bind(&m.channel)
    .bind(&m.recipient_kind)
    .bind(&m.recipient)
    .bind(subject)
    .bind(body)
    .bind(serde_json::to_string(&m.attachments).unwrap_or_else(|_| "[]".into()))
    .bind(&m.dealership)
    .bind(&m.dedupe_key)
    .bind(event(&m.on_sent))
    .bind(event(&m.on_failed))
    .bind(ms(m.due_at))
    .bind(ms(now))
    .bind(m.sender.as_ref().map(|s| s.name.as_str()))
    .bind(m.sender.as_ref().and_then(|s| s.reply_to.as_deref()))
    .fetch_optional(&mut **tx)
    .await?;
    Ok(id)
}

fn outbound_row(r: &SqliteRow) -> Result<OutboundRow> {
    Ok(OutboundRow {
        id: r.get("id"),
        lead_id: r.get::<Option<i64>, _>("lead_id").map(LeadId),
        purpose: word(r.get("purpose"))?,
        channel: r.get("channel"),
        recipient_kind: r.get("recipient_kind"),
        recipient: r.get("recipient"),
        subject: r.get("subject"),
        body: r.get("body"),
        attachments: serde_json::from_str(r.get("attachments"))
            .map_err(|e| StoreError::Corrupt(format!("outbound attachments: {e}")))?,
        dealership: r.get("dealership"),
        state: r.get("state"),
        attempts: r.get("attempts"),
        claimed_at: opt_ts(r.get("claimed_at"))?,
        created_at: ts(r.get("created_at"))?,
        sender: r.get::<Option<String>, _>("sender_name").map(|name| {
            keepwarm_domain::staff_message::EmailSender {
                name,
                reply_to: r.get("reply_to"),
            }
        }),
    })
}

/// Queues messages in one transaction.
pub(super) async fn enqueue(
    store: &SqliteStore,
    messages: &[NewOutbound],
    now: Timestamp,
) -> Result<Vec<Option<i64>>> {
    let mut tx = store.write_tx().await?;
    let mut ids = Vec::with_capacity(messages.len());
    for m in messages {
        ids.push(insert_outbound(&mut tx, m, None, now).await?);
    }
    tx.commit().await?;
    Ok(ids)
}

/// Claims queued messages due at `now` (or, with `expired`, messages whose lease ran out while
/// `sending`) for `worker` until `lease_until`.
pub(super) async fn claim(
    store: &SqliteStore,
    now: Timestamp,
    worker: &str,
    lease_until: Timestamp,
    limit: u32,
    expired: bool,
) -> Result<Vec<OutboundRow>> {
    let condition = if expired {
        "state = 'sending' AND lease_until <= ?1"
    } else {
        "state = 'queued' AND due_at <= ?1"
    };
    // Most calls find nothing: answer those with one read, without taking the write lock.
    let any: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT id FROM outbound_messages WHERE {condition} LIMIT 1"
    ))
    .bind(ms(now))
    .fetch_optional(&store.writer)
    .await?;
    if any.is_none() {
        return Ok(Vec::new());
    }
    let mut tx = store.write_tx().await?;
    let rows = sqlx::query(&format!(
        "UPDATE outbound_messages
         SET state = 'sending', lease_owner = ?2, lease_until = ?3, claimed_at = ?1,
             attempts = attempts + {}
         WHERE id IN (SELECT id FROM outbound_messages WHERE {condition} ORDER BY due_at, id LIMIT ?4)
         RETURNING *",
        if expired { 0 } else { 1 }
    ))
    .bind(ms(now))
    .bind(worker)
    .bind(ms(lease_until))
    .bind(i64::from(limit))
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut claimed = rows.iter().map(outbound_row).collect::<Result<Vec<_>>>()?;
    claimed.sort_by_key(|m| m.id);
    Ok(claimed)
}

/// Records results; a result whose lease was taken over by another worker changes nothing.
pub(super) async fn finish(store: &SqliteStore, finishes: &[OutboundFinish]) -> Result<()> {
    if finishes.is_empty() {
        return Ok(());
    }
    let mut tx = store.write_tx().await?;
    for f in finishes {
        let (state, due, provider, detail, event_column) = match &f.result {
            OutboundResult::Sent { provider_id } => {
                ("sent", None, provider_id.clone(), None, Some("on_sent"))
            }
            OutboundResult::Failed { reason } => (
                "failed",
                None,
                None,
                Some(reason.clone()),
                Some("on_failed"),
            ),
            OutboundResult::Retry { reason, retry_at } => (
                "queued",
                Some(ms(*retry_at)),
                None,
                Some(reason.clone()),
                None,
            ),
            OutboundResult::Release => ("queued", Some(ms(f.at)), None, None, None),
        };
        let finished = matches!(state, "sent" | "failed").then(|| ms(f.at));
        let row = sqlx::query(
            "UPDATE outbound_messages
             SET state = ?1, due_at = COALESCE(?2, due_at), provider_id = COALESCE(?3, provider_id),
                 detail = ?4, finished_at = ?5, lease_owner = NULL, lease_until = NULL
             WHERE id = ?6 AND state = 'sending' AND lease_owner = ?7
             RETURNING lead_id, on_sent, on_failed",
        )
        .bind(state)
        .bind(due)
        .bind(&provider)
        .bind(&detail)
        .bind(finished)
        .bind(f.id)
        .bind(&f.worker)
        .fetch_optional(&mut *tx)
        .await?;
        let (Some(row), Some(column)) = (row, event_column) else {
            continue;
        };
        let (Some(lead), Some(json)) = (
            row.get::<Option<i64>, _>("lead_id"),
            row.get::<Option<String>, _>(column),
        ) else {
            continue;
        };
        let mut event: NewEvent = serde_json::from_str(&json)
            .map_err(|e| StoreError::Corrupt(format!("outbound event: {e}")))?;
        event.at = f.at;
        event.event.note_outbound(f.id, detail.as_deref());
        insert_events(&mut tx, &[(LeadId(lead), &event)]).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The earliest instant a queued message is due or a lease expires.
pub(super) async fn next_at(pool: &SqlitePool) -> Result<Option<Timestamp>> {
    let at: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(t) FROM (
             SELECT MIN(due_at) AS t FROM outbound_messages WHERE state = 'queued'
             UNION ALL SELECT MIN(lease_until) FROM outbound_messages WHERE state = 'sending')",
    )
    .fetch_one(pool)
    .await?;
    opt_ts(at)
}

/// Queued messages, oldest first, optionally for one lead.
pub(super) async fn list(pool: &SqlitePool, lead: Option<LeadId>) -> Result<Vec<OutboundRow>> {
    let rows = sqlx::query(
        "SELECT * FROM outbound_messages WHERE (?1 IS NULL OR lead_id = ?1) ORDER BY id",
    )
    .bind(lead.map(|l| l.0))
    .fetch_all(pool)
    .await?;
    rows.iter().map(outbound_row).collect()
}

/// The kinds of event that are the customer speaking (a text or e-mail, a call), as a SQL list.
fn customer_kinds() -> String {
    kinds::kind_list(&[TimelineEvent::INBOUND_MESSAGE, TimelineEvent::INBOUND_CALL])
}

/// The latest messages of a lead's conversation, both ways, oldest first.
pub(super) async fn recent_conversation(
    pool: &SqlitePool,
    lead: LeadId,
    limit: u32,
) -> Result<Vec<ConversationEntry>> {
    let rows = sqlx::query(&format!(
        "SELECT at, direction, channel, body FROM (
             SELECT COALESCE(finished_at, due_at) AS at, 'outbound' AS direction, channel, body, id
             FROM touches WHERE lead_id = ?1 AND state = 'sent' AND body IS NOT NULL
             UNION ALL
             SELECT at, 'inbound', COALESCE(json_extract(data, '$.channel'), 'sms'),
                    COALESCE(json_extract(data, '$.body'), ''), id
             FROM events WHERE lead_id = ?1 AND kind IN ({customer}))
         ORDER BY at DESC, direction DESC, id DESC LIMIT ?2",
        customer = customer_kinds(),
    ))
    .bind(lead.0)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    let mut entries = rows
        .iter()
        .map(|r| {
            Ok(ConversationEntry {
                at: ts(r.get("at"))?,
                direction: r.get("direction"),
                channel: r.get("channel"),
                body: r.get("body"),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    entries.reverse();
    Ok(entries)
}

/// What a lead's conversation turns on; see [`crate::ChangeSets::conversation_events`].
pub(super) async fn conversation_events(
    pool: &SqlitePool,
    lead: LeadId,
) -> Result<(bool, Vec<LatestEvent>)> {
    let open: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM escalations WHERE lead_id = ? AND status IN ('open', 'breached'))",
    )
    .bind(lead.0)
    .fetch_one(pool)
    .await?;
    let rows = sqlx::query(&format!(
        "SELECT kind, json_extract(data, '$.kind') AS data_kind,
                json_extract(data, '$.outcome') AS outcome, MAX(at) AS at
         FROM events WHERE lead_id = ? AND kind IN ({kinds})
         GROUP BY kind, data_kind, outcome",
        kinds = kinds::kind_list(&applied::CONVERSATION_KINDS),
    ))
    .bind(lead.0)
    .fetch_all(pool)
    .await?;
    let latest = rows.iter().map(latest_event).collect::<Result<Vec<_>>>()?;
    Ok((open, latest))
}
