//! Open work follows its lead: a reassignment moves the lead's open tasks and unacknowledged
//! escalations to the new owner, an outcome that ends the lead (sold, lost) closes them, and an
//! inquiry that must not change a lead is kept on its timeline only. Each in one transaction with
//! the change that causes it. The engine decides when; this module only applies.

use jiff::Timestamp;
use keepwarm_domain::LeadId;
use sqlx::{Sqlite, Transaction};

use super::{insert_events, ms, SqliteStore};
use crate::followthrough::closed_work_events;
use crate::outcomes::{LeadWork, OpenWork, WorkClosing};
use crate::records::NewEvent;
use crate::{Result, StoreError};

/// Escalation statuses that still wait for a person.
const UNACKNOWLEDGED: &str = "('open', 'breached')";
/// See [`crate::ChangeSets::open_work`].
pub(super) async fn open_work(store: &SqliteStore, lead: LeadId) -> Result<OpenWork> {
    let mut tx = store.write_tx().await?;
    let tasks = sqlx::query_as(
        "SELECT id, owner_id, kind FROM tasks WHERE lead_id = ? AND status = 'open' ORDER BY id",
    )
    .bind(lead.0)
    .fetch_all(&mut *tx)
    .await?;
    let escalations = open_escalations(&mut tx, lead).await?;
    tx.commit().await?;
    Ok(OpenWork { tasks, escalations })
}

/// Gives an open task of `lead` to `to` inside `tx`; a task no longer open is a conflict.
pub(super) async fn move_task(
    tx: &mut Transaction<'_, Sqlite>,
    lead: LeadId,
    task: i64,
    to: &str,
) -> Result<()> {
    let moved = sqlx::query(
        "UPDATE tasks SET owner_id = ? WHERE id = ? AND lead_id = ? AND status = 'open'",
    )
    .bind(to)
    .bind(task)
    .bind(lead.0)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if moved == 0 {
        return Err(StoreError::Conflict(format!(
            "task {task} is no longer open; try again"
        )));
    }
    Ok(())
}

/// Gives an unacknowledged escalation of `lead` to `to` inside `tx`; one acknowledged or closed
/// meanwhile is a conflict.
pub(super) async fn move_escalation(
    tx: &mut Transaction<'_, Sqlite>,
    lead: LeadId,
    escalation: i64,
    to: &str,
) -> Result<()> {
    let moved = sqlx::query(&format!(
        "UPDATE escalations SET assignee_id = ? WHERE id = ? AND lead_id = ? AND status IN {UNACKNOWLEDGED}"
    ))
    .bind(to)
    .bind(escalation)
    .bind(lead.0)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if moved == 0 {
        return Err(StoreError::Conflict(format!(
            "escalation {escalation} was acknowledged meanwhile; try again"
        )));
    }
    Ok(())
}
/// Closes the lead's unacknowledged escalations and open tasks inside `tx`, with their events.
pub(super) async fn close_open_work(
    tx: &mut Transaction<'_, Sqlite>,
    lead: LeadId,
    closing: &WorkClosing,
) -> Result<LeadWork> {
    let at: Timestamp = closing.at;
    let mut escalations: Vec<i64> = sqlx::query_scalar(&format!(
        "UPDATE escalations SET status = 'closed', next_deadline_at = NULL, closed_at = ?, closed_reason = ?
         WHERE lead_id = ? AND status IN {UNACKNOWLEDGED} RETURNING id"
    ))
    .bind(ms(at))
    .bind(&closing.reason)
    .bind(lead.0)
    .fetch_all(&mut **tx)
    .await?;
    let mut tasks: Vec<(i64, String)> = sqlx::query_as(
        "UPDATE tasks SET status = 'done', outcome = 'closed', note = ?, completed_by = ?, completed_at = ?
         WHERE lead_id = ? AND status = 'open' RETURNING id, kind",
    )
    .bind(&closing.reason)
    .bind(&closing.by)
    .bind(ms(at))
    .bind(lead.0)
    .fetch_all(&mut **tx)
    .await?;
    let events = closed_work_events(closing, &mut escalations, &mut tasks);
    let closed = LeadWork {
        escalations,
        tasks: tasks.iter().map(|(id, _)| *id).collect(),
    };
    let rows: Vec<(LeadId, &NewEvent)> = events.iter().map(|e| (lead, e)).collect();
    insert_events(tx, &rows).await?;
    Ok(closed)
}

/// The lead's unacknowledged escalations: `(id, assignee)`, oldest first.
async fn open_escalations(
    tx: &mut Transaction<'_, Sqlite>,
    lead: LeadId,
) -> Result<Vec<(i64, String)>> {
    Ok(sqlx::query_as(&format!(
        "SELECT id, assignee_id FROM escalations WHERE lead_id = ? AND status IN {UNACKNOWLEDGED} ORDER BY id"
    ))
    .bind(lead.0)
    .fetch_all(&mut **tx)
    .await?)
}
