//! People's work on PostgreSQL, inside a change set's transaction: moving a task or an escalation
//! to someone else, completing a task, acknowledging a lead's escalations. Each changes a row only
//! in the state the decision saw (an open task, an unacknowledged escalation); the caller turns
//! "nothing changed" into a conflict, so the whole set is refused.

use jiff::Timestamp;
use keepwarm_domain::timeline::EscalationAcknowledged;
use keepwarm_domain::{LeadId, TimelineEvent};
use sqlx::{Postgres, Transaction};

use super::insert_events;
use crate::sqlite::{ms, ts};
use crate::{NewEvent, Result, StoreError};

/// Gives an open task of `lead` to `to`; a task done meanwhile is a conflict.
pub(super) async fn move_task(
    tx: &mut Transaction<'_, Postgres>,
    lead: LeadId,
    task: i64,
    to: &str,
) -> Result<()> {
    let moved = sqlx::query(
        "UPDATE tasks SET owner_id = $1 WHERE id = $2 AND lead_id = $3 AND status = 'open'",
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

/// Gives an unacknowledged escalation of `lead` to `to`; one acknowledged or closed meanwhile is a
/// conflict.
pub(super) async fn move_escalation(
    tx: &mut Transaction<'_, Postgres>,
    lead: LeadId,
    escalation: i64,
    to: &str,
) -> Result<()> {
    let moved = sqlx::query(
        "UPDATE escalations SET assignee_id = $1
         WHERE id = $2 AND lead_id = $3 AND status IN ('open', 'breached')",
    )
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

/// Marks an open task of `lead` done; whether it was open.
pub(super) async fn complete_task(
    tx: &mut Transaction<'_, Postgres>,
    lead: LeadId,
    id: i64,
    outcome: &str,
    note: Option<&str>,
    by: &str,
    at: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE tasks SET status = 'done', completed_at = $1, outcome = $2, note = $3,
             completed_by = $4
         WHERE id = $5 AND lead_id = $6 AND status = 'open'",
    )
    .bind(ms(at))
    .bind(outcome)
    .bind(note)
    .bind(by)
    .bind(id)
    .bind(lead.0)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// Acknowledges every open or breached escalation of `lead` for `by`, each with its event.
pub(super) async fn acknowledge_open(
    tx: &mut Transaction<'_, Postgres>,
    lead: LeadId,
    by: &str,
    via: &str,
    at: Timestamp,
) -> Result<()> {
    let open: Vec<(i64, i64)> = sqlx::query_as(
        "UPDATE escalations SET status = 'acknowledged', acknowledged_at = $1,
             acknowledged_by = $2, next_deadline_at = NULL
         WHERE lead_id = $3 AND status IN ('open', 'breached')
         RETURNING id, sla_due_at",
    )
    .bind(ms(at))
    .bind(by)
    .bind(lead.0)
    .fetch_all(&mut **tx)
    .await?;
    let mut events = Vec::with_capacity(open.len());
    let mut open = open;
    open.sort_unstable();
    for (id, sla_due_at) in open {
        events.push(NewEvent::new(
            at,
            TimelineEvent::EscalationAcknowledged(EscalationAcknowledged {
                escalation_id: id,
                by: by.to_owned(),
                within_sla: at <= ts(sla_due_at)?,
                via: Some(via.to_owned()),
            }),
        ));
    }
    let rows: Vec<(LeadId, &NewEvent)> = events.iter().map(|e| (lead, e)).collect();
    insert_events(tx, &rows).await
}
