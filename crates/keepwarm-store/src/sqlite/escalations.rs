//! Escalations in SQLite.

use jiff::Timestamp;
use keepwarm_domain::LeadId;
use serde::Deserialize;
use serde_json::Value;
use sqlx::sqlite::SqlitePool;
use sqlx::{Sqlite, Transaction};

use super::{insert_events, ms, opt_ts, ts, word};
use crate::records::{EscalationChange, EscalationRow, NewEscalation, NewEvent};
use crate::{Result, StoreError};

#[derive(Deserialize)]
struct Json {
    id: i64,
    lead_id: i64,
    intents: Value,
    context: Value,
    created_at: i64,
    sla_due_at: i64,
    assignee_id: String,
    level: i64,
    status: String,
    next_deadline_at: Option<i64>,
    breached_at: Option<i64>,
    acknowledged_at: Option<i64>,
    acknowledged_by: Option<String>,
    notified: Value,
}

const SELECT: &str = "SELECT json_group_array(json_object(
        'id', id, 'lead_id', lead_id, 'intents', json(intents), 'context', json(context),
        'created_at', created_at, 'sla_due_at', sla_due_at, 'assignee_id', assignee_id, 'level', level,
        'status', status, 'next_deadline_at', next_deadline_at, 'breached_at', breached_at,
        'acknowledged_at', acknowledged_at, 'acknowledged_by', acknowledged_by, 'notified', json(notified)))";

fn strings(v: Value) -> Vec<String> {
    serde_json::from_value(v).unwrap_or_default()
}

async fn rows(
    pool: &SqlitePool,
    filter: &str,
    bind: Option<i64>,
    text: Option<&str>,
) -> Result<Vec<EscalationRow>> {
    let sql = format!("{SELECT} FROM (SELECT * FROM escalations {filter})");
    let mut q = sqlx::query_scalar::<_, String>(&sql);
    if let Some(b) = bind {
        q = q.bind(b);
    }
    if let Some(t) = text {
        q = q.bind(t);
    }
    let json = q.fetch_one(pool).await?;
    let rows: Vec<Json> = serde_json::from_str(&json)
        .map_err(|e| StoreError::Corrupt(format!("escalations: {e}")))?;
    rows.into_iter()
        .map(|r| {
            Ok(EscalationRow {
                id: r.id,
                lead_id: LeadId(r.lead_id),
                intents: strings(r.intents),
                context: r.context,
                created_at: ts(r.created_at)?,
                sla_due_at: ts(r.sla_due_at)?,
                owner: r.assignee_id,
                level: r.level,
                status: word(&r.status)?,
                next_deadline_at: opt_ts(r.next_deadline_at)?,
                breached_at: opt_ts(r.breached_at)?,
                acknowledged_at: opt_ts(r.acknowledged_at)?,
                acknowledged_by: r.acknowledged_by,
                notified: strings(r.notified),
            })
        })
        .collect()
}

/// Opens an escalation inside `tx`, with its event (which gets the id).
pub(super) async fn create_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    e: &NewEscalation,
    event: &NewEvent,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO escalations (lead_id, intents, context, created_at, sla_due_at, assignee_id, level, status,
             next_deadline_at, short_code, notified)
         VALUES (?, ?, ?, ?, ?, ?, 0, 'open', ?, '', ?) RETURNING id",
    )
    .bind(e.lead.0)
    .bind(serde_json::to_string(&e.intents).unwrap_or_else(|_| "[]".into()))
    .bind(e.context.to_string())
    .bind(ms(e.at))
    .bind(ms(e.sla_due_at))
    .bind(&e.assignee)
    .bind(ms(e.sla_due_at))
    .bind(serde_json::to_string(&e.notified).unwrap_or_else(|_| "[]".into()))
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("UPDATE escalations SET short_code = ? WHERE id = ?")
        .bind(id.to_string())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let mut event = event.clone();
    event.event.name_escalation(id);
    insert_events(tx, &[(e.lead, &event)]).await?;
    Ok(id)
}

pub(super) async fn one(pool: &SqlitePool, id: i64) -> Result<Option<EscalationRow>> {
    Ok(rows(pool, "WHERE id = ?", Some(id), None).await?.pop())
}

pub(super) async fn list(pool: &SqlitePool, status: Option<&str>) -> Result<Vec<EscalationRow>> {
    match status {
        Some(s) => {
            rows(
                pool,
                "WHERE status = ? ORDER BY id DESC LIMIT 1000",
                None,
                Some(s),
            )
            .await
        }
        None => rows(pool, "ORDER BY id DESC LIMIT 1000", None, None).await,
    }
}

/// One page of escalations, newest first: those with an id below the page's key.
pub(super) async fn page(
    pool: &SqlitePool,
    status: Option<&str>,
    page: &crate::Page,
) -> Result<Vec<EscalationRow>> {
    let after = page.after.as_ref().and_then(|k| k.first().copied());
    // Both numbers are integers, not text from outside: safe to write into the statement.
    let condition = format!(
        "WHERE {} id < {} ORDER BY id DESC LIMIT {}",
        if status.is_some() {
            "status = ? AND"
        } else {
            ""
        },
        after.unwrap_or(i64::MAX),
        page.limit.max(1)
    );
    rows(pool, &condition, None, status).await
}

pub(super) async fn due(pool: &SqlitePool, now: Timestamp) -> Result<Vec<EscalationRow>> {
    rows(
        pool,
        "WHERE next_deadline_at IS NOT NULL AND next_deadline_at <= ? AND status != 'acknowledged' ORDER BY next_deadline_at, id",
        Some(ms(now)),
        None,
    )
    .await
}

pub(super) async fn next_deadline(pool: &SqlitePool) -> Result<Option<Timestamp>> {
    let next: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(next_deadline_at) FROM escalations WHERE status != 'acknowledged' AND next_deadline_at IS NOT NULL",
    )
    .fetch_one(pool)
    .await?;
    opt_ts(next)
}

/// Applies `change` to escalation `id` if it is still unacknowledged (and, for a move up the
/// chain, its deadline is still the one seen due); the escalation's lead, or `None` when nothing
/// changed.
pub(super) async fn change_in(
    tx: &mut Transaction<'_, Sqlite>,
    id: i64,
    change: &EscalationChange,
) -> Result<Option<LeadId>> {
    // An escalation moved up its chain is claimed by the deadline its worker saw due.
    let deadline = match change {
        EscalationChange::Escalate { deadline, .. } => Some(deadline.map(ms)),
        _ => None,
    };
    let row: Option<(i64, String)> = sqlx::query_as(
        "SELECT lead_id, notified FROM escalations WHERE id = ?1 AND status IN ('open', 'breached')
             AND (?2 = 0 OR next_deadline_at IS ?3)",
    )
    .bind(id)
    .bind(i64::from(deadline.is_some()))
    .bind(deadline.flatten())
    .fetch_optional(&mut **tx)
    .await?;
    let Some((lead, notified)) = row else {
        return Ok(None);
    };
    let mut notified: Vec<String> = serde_json::from_str(&notified).unwrap_or_default();
    match change {
        EscalationChange::Escalate {
            level,
            told,
            next_deadline,
            at,
            ..
        } => {
            notified.push(told.clone());
            sqlx::query(
                "UPDATE escalations SET level = ?, assignee_id = ?, status = 'breached',
                     breached_at = COALESCE(breached_at, ?), next_deadline_at = ?, notified = ?
                 WHERE id = ?",
            )
            .bind(level)
            .bind(told)
            .bind(ms(*at))
            .bind(next_deadline.map(ms))
            .bind(serde_json::to_string(&notified).unwrap_or_default())
            .bind(id)
            .execute(&mut **tx)
            .await?;
        }
        EscalationChange::Acknowledge { by, at } => {
            sqlx::query(
                "UPDATE escalations SET status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?,
                     next_deadline_at = NULL WHERE id = ?",
            )
            .bind(ms(*at))
            .bind(by)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        }
        EscalationChange::Reassign { to, at: _ } => {
            notified.push(to.clone());
            sqlx::query("UPDATE escalations SET assignee_id = ?, notified = ? WHERE id = ?")
                .bind(to)
                .bind(serde_json::to_string(&notified).unwrap_or_default())
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(Some(LeadId(lead)))
}
