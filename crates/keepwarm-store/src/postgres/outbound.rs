//! The durable outbound queue on PostgreSQL (staff alerts, opt-out confirmations, reports): queued
//! in the transaction that decides them, claimed with `FOR UPDATE SKIP LOCKED` and a lease, finished
//! only by the lease holder.

use jiff::Timestamp;
use keepwarm_domain::LeadId;
use sqlx::postgres::PgRow;
use sqlx::types::Json;
use sqlx::{Postgres, Row, Transaction};

use super::{insert_events, PgStore};
use crate::sqlite::{ms, opt_ts, ts, word};
use crate::{
    NewEvent, NewOutbound, OutboundFinish, OutboundResult, OutboundRow, Result, StoreError,
    ESCALATION_ID,
};

/// Queues one message inside `tx` (with the escalation id the set opened written into its text
/// and events); `None` when a message with its dedupe key was queued before.
pub(super) async fn insert_outbound(
    tx: &mut Transaction<'_, Postgres>,
    m: &NewOutbound,
    escalation: Option<i64>,
    now: Timestamp,
) -> Result<Option<i64>> {
    let named = |text: &str| match escalation {
        Some(id) => text.replace(ESCALATION_ID, &id.to_string()),
        None => text.to_owned(),
    };
    let event = |e: &Option<Box<NewEvent>>| {
        e.as_ref().map(|e| {
            let mut e = e.clone();
            if let Some(id) = escalation {
                e.event.name_escalation(id);
            }
            Json(e)
        })
    };
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO outbound_messages (lead_id, purpose, channel, recipient_kind, recipient, subject,
             body, attachments, dealership, dedupe_key, on_sent, on_failed, due_at, created_at,
             sender_name, reply_to)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(m.lead_id.map(|l| l.0))
    .bind(m.purpose.as_str())
    .bind(&m.channel)
    .bind(&m.recipient_kind)
    .bind(&m.recipient)
    .bind(m.subject.as_deref().map(named))
    .bind(named(&m.body))
    .bind(Json(&m.attachments))
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

fn outbound_row(r: &PgRow) -> Result<OutboundRow> {
    let Json(attachments) = r.try_get("attachments")?;
    Ok(OutboundRow {
        id: r.try_get("id")?,
        lead_id: r.try_get::<Option<i64>, _>("lead_id")?.map(LeadId),
        purpose: word(r.try_get("purpose")?)?,
        channel: r.try_get("channel")?,
        recipient_kind: r.try_get("recipient_kind")?,
        recipient: r.try_get("recipient")?,
        subject: r.try_get("subject")?,
        body: r.try_get("body")?,
        attachments,
        dealership: r.try_get("dealership")?,
        state: r.try_get("state")?,
        attempts: r.try_get("attempts")?,
        claimed_at: opt_ts(r.try_get("claimed_at")?)?,
        created_at: ts(r.try_get("created_at")?)?,
        sender: r
            .try_get::<Option<String>, _>("sender_name")?
            .map(|name| -> Result<_> {
                Ok(keepwarm_domain::staff_message::EmailSender {
                    name,
                    reply_to: r.try_get("reply_to")?,
                })
            })
            .transpose()?,
    })
}

/// Queues messages in one transaction.
pub(super) async fn enqueue(
    store: &PgStore,
    messages: &[NewOutbound],
    now: Timestamp,
) -> Result<Vec<Option<i64>>> {
    let mut tx = store.begin().await?;
    let mut ids = Vec::with_capacity(messages.len());
    for m in messages {
        ids.push(insert_outbound(&mut tx, m, None, now).await?);
    }
    tx.commit().await?;
    Ok(ids)
}

/// Claims queued messages due at `now` (or, with `expired`, messages whose lease ran out while
/// `sending`) for `worker` until `lease_until`, in one statement.
pub(super) async fn claim(
    store: &PgStore,
    now: Timestamp,
    worker: &str,
    lease_until: Timestamp,
    limit: u32,
    expired: bool,
) -> Result<Vec<OutboundRow>> {
    let (condition, order, attempt) = if expired {
        (
            "state = 'sending' AND lease_until <= $1",
            "lease_until, id",
            0,
        )
    } else {
        ("state = 'queued' AND due_at <= $1", "due_at, id", 1)
    };
    let rows = sqlx::query(&format!(
        "WITH picked AS (
             SELECT id FROM outbound_messages WHERE {condition} ORDER BY {order} LIMIT $4
             FOR UPDATE SKIP LOCKED)
         UPDATE outbound_messages m
         SET state = 'sending', lease_owner = $2, lease_until = $3, claimed_at = $1,
             attempts = m.attempts + {attempt}
         FROM picked WHERE m.id = picked.id
         RETURNING m.*"
    ))
    .bind(ms(now))
    .bind(worker)
    .bind(ms(lease_until))
    .bind(i64::from(limit))
    .fetch_all(&store.pool)
    .await?;
    let mut claimed = rows.iter().map(outbound_row).collect::<Result<Vec<_>>>()?;
    claimed.sort_by_key(|m| m.id);
    Ok(claimed)
}

/// Records results; a result whose lease was taken over by another worker changes nothing.
pub(super) async fn finish(store: &PgStore, finishes: &[OutboundFinish]) -> Result<()> {
    if finishes.is_empty() {
        return Ok(());
    }
    let mut tx = store.begin().await?;
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
             SET state = $1, due_at = COALESCE($2, due_at), provider_id = COALESCE($3, provider_id),
                 detail = $4, finished_at = $5, lease_owner = NULL, lease_until = NULL
             WHERE id = $6 AND state = 'sending' AND lease_owner = $7
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
        let lead: Option<i64> = row.try_get("lead_id")?;
        let event: Option<Json<NewEvent>> = row
            .try_get(column)
            .map_err(|e| StoreError::Corrupt(format!("outbound event: {e}")))?;
        let (Some(lead), Some(Json(mut event))) = (lead, event) else {
            continue;
        };
        event.at = f.at;
        event.event.note_outbound(f.id, detail.as_deref());
        insert_events(&mut tx, &[(LeadId(lead), &event)]).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The earliest instant a queued message is due or a lease expires.
pub(super) async fn next_at(store: &PgStore) -> Result<Option<Timestamp>> {
    let at: Option<i64> = sqlx::query_scalar(
        "SELECT LEAST(
             (SELECT MIN(due_at) FROM outbound_messages WHERE state = 'queued'),
             (SELECT MIN(lease_until) FROM outbound_messages WHERE state = 'sending'))",
    )
    .fetch_one(&store.pool)
    .await?;
    opt_ts(at)
}

/// Queued messages, oldest first, optionally for one lead.
pub(super) async fn list(store: &PgStore, lead: Option<LeadId>) -> Result<Vec<OutboundRow>> {
    let rows = sqlx::query(
        "SELECT * FROM outbound_messages WHERE ($1::bigint IS NULL OR lead_id = $1) ORDER BY id",
    )
    .bind(lead.map(|l| l.0))
    .fetch_all(&store.pool)
    .await?;
    rows.iter().map(outbound_row).collect()
}
