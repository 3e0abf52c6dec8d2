//! Outcomes, appointments, delivery reports and refused contacts on PostgreSQL, inside a change
//! set's transaction. Each write changes a row only in the state the decision saw (the lead's
//! stage, an open appointment, a lower delivery rank), so a set racing another one in a second
//! process is refused or skipped, never applied twice.

use jiff::Timestamp;
use keepwarm_domain::machine::applied;
use keepwarm_domain::timeline::ContactUnusable;
use keepwarm_domain::{LeadId, Stage, TimelineEvent};
use sqlx::{Postgres, QueryBuilder, Transaction};

use super::apply::stop_in;
use super::intake::insert_enrollment;
use super::{insert_events, insert_task};
use crate::followthrough::{closed_work_events, delivery_event, delivery_rank, delivery_refused};
use crate::outcomes::*;
use crate::records::{DeliveryRecord, NewEvent, RefusedContact};
use crate::rows::appointment_row;
use crate::sqlite::{ms, word};
use crate::{Result, StoreError};

/// Records an outcome (see the SQLite backend's `record_outcome`). The lead's row is locked first,
/// so the stage it checks is the stage it changes.
pub(super) async fn record_outcome(
    tx: &mut Transaction<'_, Postgres>,
    o: &OutcomeRecord,
) -> Result<RecordedOutcome> {
    let lead = o.lead;
    let current: Option<String> =
        sqlx::query_scalar("SELECT stage FROM leads WHERE id = $1 FOR UPDATE")
            .bind(lead.0)
            .fetch_optional(&mut **tx)
            .await?;
    let current: Stage =
        word(&current.ok_or_else(|| StoreError::NotFound(format!("lead {lead}")))?)?;
    let stage_changed = applied::outcome_stage(lead, current, o).map_err(StoreError::Conflict)?;
    if let Some((_, to)) = o.stage {
        sqlx::query("UPDATE leads SET stage = $1 WHERE id = $2")
            .bind(to.as_str())
            .bind(lead.0)
            .execute(&mut **tx)
            .await?;
    }
    let appointment = match &o.appointment {
        None => None,
        Some(write) => match write_appointment(tx, lead, write, &o.by, o.now).await? {
            Some(id) => Some(id),
            None => {
                return Ok(RecordedOutcome {
                    changed: false,
                    appointment: None,
                })
            }
        },
    };
    if let Some(event) = &stage_changed {
        insert_events(tx, &[(lead, event)]).await?;
    }
    if let Some(reason) = &o.stop {
        stop_in(tx, lead, reason, &o.by, o.now, false).await?;
    }
    if let Some(status) = o.status {
        sqlx::query("UPDATE leads SET status = $1, stop_reason = NULL WHERE id = $2")
            .bind(status.as_str())
            .bind(lead.0)
            .execute(&mut **tx)
            .await?;
    }
    if let Some(enrollment) = &o.enrollment {
        let status = o.status.ok_or_else(|| {
            StoreError::Corrupt(format!(
                "an outcome on lead {lead} starts a cadence in no status"
            ))
        })?;
        insert_enrollment(tx, lead, enrollment, status, o.now).await?;
    }
    for (kind, due) in &o.timers {
        sqlx::query(
            "INSERT INTO follow_up_timers (lead_id, kind, due_at, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(lead.0)
        .bind(kind)
        .bind(ms(*due))
        .bind(ms(o.now))
        .execute(&mut **tx)
        .await?;
    }
    let more: Vec<(LeadId, &NewEvent)> = o.events.iter().map(|e| (lead, e)).collect();
    insert_events(tx, &more).await?;
    for task in &o.tasks {
        insert_task(tx, lead, task, o.now).await?;
    }
    Ok(RecordedOutcome {
        changed: true,
        appointment,
    })
}

/// Writes the appointment change; `None` when a status change found the appointment moved on.
async fn write_appointment(
    tx: &mut Transaction<'_, Postgres>,
    lead: LeadId,
    write: &AppointmentWrite,
    by: &str,
    now: Timestamp,
) -> Result<Option<i64>> {
    match write {
        AppointmentWrite::New {
            kind,
            starts_at,
            ends_at,
        } => {
            // The partial unique index on open appointments refuses a second one; in a savepoint
            // (the caller's), so the refusal leaves the transaction usable.
            let id = sqlx::query_scalar(
                "INSERT INTO appointments (lead_id, kind, starts_at, ends_at, status, sequence,
                     set_by, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, 'scheduled', 0, $5, $6, $6) RETURNING id",
            )
            .bind(lead.0)
            .bind(kind.as_str())
            .bind(ms(*starts_at))
            .bind(ms(*ends_at))
            .bind(by)
            .bind(ms(now))
            .fetch_one(&mut **tx)
            .await
            .map_err(|e| match e {
                sqlx::Error::Database(d) if d.is_unique_violation() => {
                    StoreError::Conflict(format!("lead {lead} already has an open appointment"))
                }
                e => e.into(),
            })?;
            Ok(Some(id))
        }
        AppointmentWrite::Move {
            id,
            kind,
            starts_at,
            ends_at,
        } => {
            let moved = sqlx::query(
                "UPDATE appointments SET kind = $1, starts_at = $2, ends_at = $3,
                     status = 'scheduled', sequence = sequence + 1, set_by = $4, updated_at = $5
                 WHERE id = $6 AND lead_id = $7
                   AND status IN ('scheduled', 'confirmed', 'reschedule_requested')",
            )
            .bind(kind.as_str())
            .bind(ms(*starts_at))
            .bind(ms(*ends_at))
            .bind(by)
            .bind(ms(now))
            .bind(id)
            .bind(lead.0)
            .execute(&mut **tx)
            .await?
            .rows_affected();
            if moved == 0 {
                return Err(StoreError::Conflict(format!(
                    "appointment {id} is no longer open"
                )));
            }
            Ok(Some(*id))
        }
        AppointmentWrite::Status { id, from, to } => {
            let changed = sqlx::query(
                "UPDATE appointments SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
            )
            .bind(to.as_str())
            .bind(ms(now))
            .bind(id)
            .bind(from.as_str())
            .execute(&mut **tx)
            .await?
            .rows_affected();
            Ok((changed > 0).then_some(*id))
        }
    }
}

/// Closes the lead's unacknowledged escalations and open tasks, with their events.
pub(super) async fn close_open_work(
    tx: &mut Transaction<'_, Postgres>,
    lead: LeadId,
    closing: &WorkClosing,
) -> Result<()> {
    let at = closing.at;
    let mut escalations: Vec<i64> = sqlx::query_scalar(
        "UPDATE escalations SET status = 'closed', next_deadline_at = NULL, closed_at = $1,
             closed_reason = $2
         WHERE lead_id = $3 AND status IN ('open', 'breached') RETURNING id",
    )
    .bind(ms(at))
    .bind(&closing.reason)
    .bind(lead.0)
    .fetch_all(&mut **tx)
    .await?;
    let mut tasks: Vec<(i64, String)> = sqlx::query_as(
        "UPDATE tasks SET status = 'done', outcome = 'closed', note = $1, completed_by = $2,
             completed_at = $3
         WHERE lead_id = $4 AND status = 'open' RETURNING id, kind",
    )
    .bind(&closing.reason)
    .bind(&closing.by)
    .bind(ms(at))
    .bind(lead.0)
    .fetch_all(&mut **tx)
    .await?;
    let events = closed_work_events(closing, &mut escalations, &mut tasks);
    let rows: Vec<(LeadId, &NewEvent)> = events.iter().map(|e| (lead, e)).collect();
    insert_events(tx, &rows).await
}

/// Records a delivery report on a touch of `lead` (see the SQLite backend's `record_delivery_in`:
/// one conditional UPDATE decides and applies, on the rank kept beside the status).
pub(super) async fn record_delivery_in(
    tx: &mut Transaction<'_, Postgres>,
    lead: LeadId,
    u: &DeliveryRecord,
) -> Result<()> {
    let stored = delivery_rank(u);
    let touch_id: Option<i64> = sqlx::query_scalar(
        "UPDATE touches SET delivery_status = $1, delivery_error = COALESCE($2, delivery_error),
                            delivery_at = $3, provider_id = COALESCE(provider_id, $4)
         WHERE (id = $5 OR ($5::bigint IS NULL AND provider_id = $4))
           AND (provider_id IS NULL OR provider_id = $4)
           AND (delivery_status IS NULL OR delivery_status < $1)
           AND lead_id = $6
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
            "SELECT id FROM touches WHERE lead_id = $3
                AND ((id = $1 AND (provider_id IS NULL OR provider_id = $2))
                     OR ($1::bigint IS NULL AND provider_id = $2)) LIMIT 1",
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

/// Marks a contact unusable on every lead that has it, with an event on each.
pub(super) async fn mark_contact_unusable_in(
    tx: &mut Transaction<'_, Postgres>,
    c: &RefusedContact,
) -> Result<()> {
    let leads: Vec<i64> = sqlx::query_scalar(
        "UPDATE lead_contacts SET usable = false, reason = $1
         WHERE kind = $2 AND value = $3 AND usable RETURNING lead_id",
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
    insert_events(tx, &events).await
}

/// Appointments matching `filter`, soonest first.
pub(super) async fn appointments(
    pool: &sqlx::PgPool,
    filter: &AppointmentFilter,
) -> Result<Vec<AppointmentRow>> {
    let mut q = QueryBuilder::<Postgres>::new("SELECT * FROM appointments WHERE true");
    crate::outcomes::push_appointment_filter(&mut q, filter);
    q.build()
        .fetch_all(pool)
        .await?
        .iter()
        .map(appointment_row)
        .collect()
}
