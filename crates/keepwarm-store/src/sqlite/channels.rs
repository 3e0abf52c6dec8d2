//! What real channels need from SQLite: delivery reports on touches, call-task outcomes, contacts a
//! provider refused, and the service's own keys.

use crate::rows::task_row;
use jiff::Timestamp;
use keepwarm_domain::timeline::ContactUnusable;
use keepwarm_domain::LeadId;
use keepwarm_domain::TimelineEvent;
use sqlx::{Sqlite, Transaction};

use super::{insert_events, ms, touch_row, SqliteStore};
use crate::followthrough::{delivery_event, delivery_rank, delivery_refused};
use crate::records::{DeliveryRecord, NewEvent, RefusedContact, TaskRow, TouchRow};
use crate::Result;

pub(super) async fn touch(store: &SqliteStore, id: i64) -> Result<Option<TouchRow>> {
    sqlx::query("SELECT * FROM touches WHERE id = ?")
        .bind(id)
        .fetch_optional(&store.writer)
        .await?
        .as_ref()
        .map(touch_row)
        .transpose()
}

/// Records a delivery report on a touch of `lead`; see [`crate::Change::RecordDelivery`].
///
/// The rank of the recorded status is kept beside it in `delivery_status` as `rank:status`, so one
/// conditional UPDATE decides and applies in the same statement (no read-then-write race between two
/// callbacks arriving at once).
pub(super) async fn record_delivery_in(
    tx: &mut Transaction<'_, Sqlite>,
    lead: LeadId,
    u: &DeliveryRecord,
) -> Result<()> {
    let stored = delivery_rank(u);
    let touch_id: Option<i64> = sqlx::query_scalar(
        "UPDATE touches SET delivery_status = ?1, delivery_error = COALESCE(?2, delivery_error),
                            delivery_at = ?3, provider_id = COALESCE(provider_id, ?4)
         WHERE (id = ?5 OR (?5 IS NULL AND provider_id = ?4))
           AND (provider_id IS NULL OR provider_id = ?4)
           AND (delivery_status IS NULL OR delivery_status < ?1)
           AND lead_id = ?6
         RETURNING id",
    )
    .bind(&stored)
    .bind(&u.error)
    .bind(ms(u.at))
    .bind(&u.provider_id)
    .bind(u.touch)
    .bind(lead.0)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(touch_id) = touch_id else {
        let known: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM touches WHERE lead_id = ?3
                AND ((id = ?1 AND (provider_id IS NULL OR provider_id = ?2))
                     OR (?1 IS NULL AND provider_id = ?2)) LIMIT 1",
        )
        .bind(u.touch)
        .bind(&u.provider_id)
        .bind(lead.0)
        .fetch_optional(&mut **tx)
        .await?;
        return Err(delivery_refused(known, u, lead));
    };
    let event = delivery_event(touch_id, u);
    insert_events(tx, &[(lead, &event)]).await
}

pub(super) async fn task(store: &SqliteStore, id: i64) -> Result<Option<TaskRow>> {
    sqlx::query("SELECT * FROM tasks WHERE id = ?")
        .bind(id)
        .fetch_optional(&store.writer)
        .await?
        .as_ref()
        .map(task_row)
        .transpose()
}

/// Marks a contact unusable on every lead that has it, with an event on each; the leads changed.
pub(super) async fn mark_contact_unusable_in(
    tx: &mut Transaction<'_, Sqlite>,
    c: &RefusedContact,
) -> Result<Vec<LeadId>> {
    let leads: Vec<i64> = sqlx::query_scalar(
        "UPDATE lead_contacts SET usable = 0, reason = ?
         WHERE kind = ? AND value = ? AND usable = 1 RETURNING lead_id",
    )
    .bind(&c.reason)
    .bind(&c.kind)
    .bind(&c.value)
    .fetch_all(&mut **tx)
    .await?;
    let event = NewEvent::new(
        c.at,
        TimelineEvent::ContactUnusable(ContactUnusable {
            kind: c.kind.clone(),
            value: c.value.clone(),
            reason: c.reason.clone(),
        }),
    );
    let events: Vec<(LeadId, &NewEvent)> = leads.iter().map(|l| (LeadId(*l), &event)).collect();
    insert_events(tx, &events).await?;
    Ok(leads.into_iter().map(LeadId).collect())
}

/// Completes task `id` of `lead` if it is still open; whether it was.
pub(super) async fn complete_task_in(
    tx: &mut Transaction<'_, Sqlite>,
    lead: LeadId,
    id: i64,
    outcome: &str,
    note: Option<&str>,
    by: &str,
    at: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE tasks SET status = 'done', completed_at = ?, outcome = ?, note = ?, completed_by = ?
         WHERE id = ? AND lead_id = ? AND status = 'open'",
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

pub(super) async fn service_key(
    store: &SqliteStore,
    name: &str,
    candidate: &str,
    now: Timestamp,
) -> Result<String> {
    let mut tx = store.write_tx().await?;
    sqlx::query(
        "INSERT INTO service_keys (name, value, created_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(candidate)
    .bind(ms(now))
    .execute(&mut *tx)
    .await?;
    let value: String = sqlx::query_scalar("SELECT value FROM service_keys WHERE name = ?")
        .bind(name)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(value)
}

/// Records the serving process's manual clock (RFC 3339), or removes it for the system clock.
pub(super) async fn record_engine_clock(
    store: &SqliteStore,
    manual: Option<Timestamp>,
) -> Result<()> {
    let mut tx = store.write_tx().await?;
    match manual {
        Some(at) => {
            sqlx::query(
                "INSERT INTO service_keys (name, value, created_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            )
            .bind(crate::ENGINE_CLOCK)
            .bind(at.to_string())
            .bind(ms(at))
            .execute(&mut *tx)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM service_keys WHERE name = ?1")
                .bind(crate::ENGINE_CLOCK)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The manual clock a serving process recorded, if any.
pub(super) async fn engine_clock(pool: &sqlx::SqlitePool) -> Result<Option<Timestamp>> {
    let value: Option<String> =
        sqlx::query_scalar("SELECT value FROM service_keys WHERE name = ?1")
            .bind(crate::ENGINE_CLOCK)
            .fetch_optional(pool)
            .await?;
    crate::parse_engine_clock(value)
}

#[cfg(test)]
mod tests {
    use super::super::SqliteStore;
    use crate::{ReadModel, StoreError};

    #[tokio::test]
    async fn a_task_whose_stored_status_this_version_does_not_know_is_reported_corrupt(
    ) -> crate::Result<()> {
        let store = SqliteStore::connect("sqlite::memory:").await?;
        let task: i64 = sqlx::query_scalar(
            "INSERT INTO leads (dealership, received_at, created_at, source_kind, payload, segment,
                 segment_rule, owner_id, status)
             VALUES ('main', 0, 0, 'internet', '{}', 's', 'r', 'sam', 'active');
             INSERT INTO tasks (lead_id, owner_id, kind, due_at, status, body, created_at)
             VALUES (last_insert_rowid(), 'sam', 'call', 0, 'snoozed', 'Call', 0) RETURNING id",
        )
        .fetch_one(&store.writer)
        .await?;
        match store.show_task(task).await {
            Err(StoreError::Corrupt(why)) => assert!(why.contains("snoozed"), "{why}"),
            other => panic!("expected the task to read as corrupt, got {other:?}"),
        }
        Ok(())
    }
}
