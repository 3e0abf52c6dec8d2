//! Escalations on PostgreSQL: reading them, and changing one only while it is unacknowledged
//! (its row locked for the change, so two workers answering the same deadline change it once).

use jiff::Timestamp;
use keepwarm_domain::LeadId;
use sqlx::postgres::PgRow;
use sqlx::types::Json;
use sqlx::{Postgres, Row, Transaction};

use super::PgStore;
use crate::records::{EscalationChange, EscalationRow};
use crate::sqlite::{ms, opt_ts, ts, word};
use crate::Result;

fn escalation_row(r: &PgRow) -> Result<EscalationRow> {
    let Json(intents) = r.try_get("intents")?;
    let Json(notified) = r.try_get("notified")?;
    let Json(context) = r.try_get("context")?;
    Ok(EscalationRow {
        id: r.try_get("id")?,
        lead_id: LeadId(r.try_get("lead_id")?),
        intents,
        context,
        created_at: ts(r.try_get("created_at")?)?,
        sla_due_at: ts(r.try_get("sla_due_at")?)?,
        owner: r.try_get("assignee_id")?,
        level: r.try_get("level")?,
        status: word(r.try_get("status")?)?,
        next_deadline_at: opt_ts(r.try_get("next_deadline_at")?)?,
        breached_at: opt_ts(r.try_get("breached_at")?)?,
        acknowledged_at: opt_ts(r.try_get("acknowledged_at")?)?,
        acknowledged_by: r.try_get("acknowledged_by")?,
        notified,
    })
}

/// One escalation.
pub(super) async fn one(store: &PgStore, id: i64) -> Result<Option<EscalationRow>> {
    sqlx::query("SELECT * FROM escalations WHERE id = $1")
        .bind(id)
        .fetch_optional(&store.pool)
        .await?
        .as_ref()
        .map(escalation_row)
        .transpose()
}

/// The newest 1,000 escalations, optionally with one status.
pub(super) async fn list(store: &PgStore, status: Option<&str>) -> Result<Vec<EscalationRow>> {
    sqlx::query(
        "SELECT * FROM escalations WHERE ($1::text IS NULL OR status = $1)
         ORDER BY id DESC LIMIT 1000",
    )
    .bind(status)
    .fetch_all(&store.pool)
    .await?
    .iter()
    .map(escalation_row)
    .collect()
}

/// Unacknowledged escalations whose next deadline is at or before `now`.
pub(super) async fn due(store: &PgStore, now: Timestamp) -> Result<Vec<EscalationRow>> {
    sqlx::query(
        "SELECT * FROM escalations
         WHERE next_deadline_at IS NOT NULL AND next_deadline_at <= $1 AND status != 'acknowledged'
         ORDER BY next_deadline_at, id",
    )
    .bind(ms(now))
    .fetch_all(&store.pool)
    .await?
    .iter()
    .map(escalation_row)
    .collect()
}

/// The earliest pending deadline.
pub(super) async fn next_deadline(store: &PgStore) -> Result<Option<Timestamp>> {
    let next: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(next_deadline_at) FROM escalations
         WHERE status != 'acknowledged' AND next_deadline_at IS NOT NULL",
    )
    .fetch_one(&store.pool)
    .await?;
    opt_ts(next)
}

/// Applies `change` to escalation `id` if it is still unacknowledged (and, for a move up the
/// chain, its deadline is still the one seen due); the escalation's lead, or `None` when nothing
/// changed. The row is locked until the set commits: a second worker waits, then finds it moved.
pub(super) async fn change_in(
    tx: &mut Transaction<'_, Postgres>,
    id: i64,
    change: &EscalationChange,
) -> Result<Option<LeadId>> {
    let deadline = match change {
        EscalationChange::Escalate { deadline, .. } => Some(deadline.map(ms)),
        _ => None,
    };
    let row: Option<(i64, Json<Vec<String>>)> = sqlx::query_as(
        "SELECT lead_id, notified FROM escalations WHERE id = $1 AND status IN ('open', 'breached')
             AND (NOT $2 OR next_deadline_at IS NOT DISTINCT FROM $3)
         FOR UPDATE",
    )
    .bind(id)
    .bind(deadline.is_some())
    .bind(deadline.flatten())
    .fetch_optional(&mut **tx)
    .await?;
    let Some((lead, Json(mut notified))) = row else {
        return Ok(None);
    };
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
                "UPDATE escalations SET level = $1, assignee_id = $2, status = 'breached',
                     breached_at = COALESCE(breached_at, $3), next_deadline_at = $4, notified = $5
                 WHERE id = $6",
            )
            .bind(level)
            .bind(told)
            .bind(ms(*at))
            .bind(next_deadline.map(ms))
            .bind(Json(&notified))
            .bind(id)
            .execute(&mut **tx)
            .await?;
        }
        EscalationChange::Acknowledge { by, at } => {
            sqlx::query(
                "UPDATE escalations SET status = 'acknowledged', acknowledged_at = $1,
                     acknowledged_by = $2, next_deadline_at = NULL
                 WHERE id = $3",
            )
            .bind(ms(*at))
            .bind(by)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        }
        EscalationChange::Reassign { to, at: _ } => {
            notified.push(to.clone());
            sqlx::query("UPDATE escalations SET assignee_id = $1, notified = $2 WHERE id = $3")
                .bind(to)
                .bind(Json(&notified))
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(Some(LeadId(lead)))
}

/// One page of escalations, newest first: those with an id below the page's key.
pub(super) async fn page(
    store: &PgStore,
    status: Option<&str>,
    page: &crate::Page,
) -> Result<Vec<EscalationRow>> {
    let after = page.after.as_ref().and_then(|k| k.first().copied());
    sqlx::query(
        "SELECT * FROM escalations WHERE ($1::text IS NULL OR status = $1) AND id < $2
         ORDER BY id DESC LIMIT $3",
    )
    .bind(status)
    .bind(after.unwrap_or(i64::MAX))
    .bind(i64::from(page.limit.max(1)))
    .fetch_all(&store.pool)
    .await?
    .iter()
    .map(escalation_row)
    .collect()
}
