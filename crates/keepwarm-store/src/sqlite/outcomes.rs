//! Outcomes and appointments on SQLite: one transaction per outcome.

use crate::rows::appointment_row;
use jiff::Timestamp;
use keepwarm_domain::machine::applied;
use keepwarm_domain::{LeadId, Stage};
use sqlx::{QueryBuilder, Sqlite, SqlitePool, Transaction};

use super::{insert_events, insert_task, intake::insert_enrollment, ms, stop_in, word};
use crate::outcomes::*;
use crate::records::NewEvent;
use crate::{Result, StoreError};

/// Records an outcome; see [`crate::Store::record_outcome`].
pub(super) async fn record_outcome(
    tx: &mut Transaction<'_, Sqlite>,
    o: &OutcomeRecord,
) -> Result<RecordedOutcome> {
    let lead = o.lead;
    let current: Option<String> = sqlx::query_scalar("SELECT stage FROM leads WHERE id = ?")
        .bind(lead.0)
        .fetch_optional(&mut **tx)
        .await?;
    let current: Stage =
        word(&current.ok_or_else(|| StoreError::NotFound(format!("lead {lead}")))?)?;
    let stage_changed = applied::outcome_stage(lead, current, o).map_err(StoreError::Conflict)?;
    if let Some((_, to)) = o.stage {
        sqlx::query("UPDATE leads SET stage = ? WHERE id = ?")
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
        sqlx::query("UPDATE leads SET status = ?, stop_reason = NULL WHERE id = ?")
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
            "INSERT INTO follow_up_timers (lead_id, kind, due_at, created_at) VALUES (?, ?, ?, ?)",
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
    tx: &mut Transaction<'_, Sqlite>,
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
            let id = sqlx::query_scalar(
                "INSERT INTO appointments (lead_id, kind, starts_at, ends_at, status, sequence, set_by, created_at, updated_at)
                 VALUES (?, ?, ?, ?, 'scheduled', 0, ?, ?, ?) RETURNING id",
            )
            .bind(lead.0)
            .bind(kind.as_str())
            .bind(ms(*starts_at))
            .bind(ms(*ends_at))
            .bind(by)
            .bind(ms(now))
            .bind(ms(now))
            .fetch_one(&mut **tx)
            .await
            .map_err(|e| match e {
                sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(
                    format!("lead {lead} already has an open appointment"),
                ),
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
                "UPDATE appointments SET kind = ?, starts_at = ?, ends_at = ?, status = 'scheduled',
                     sequence = sequence + 1, set_by = ?, updated_at = ?
                 WHERE id = ? AND lead_id = ?
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
                "UPDATE appointments SET status = ?, updated_at = ? WHERE id = ? AND status = ?",
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

/// Appointments matching `filter`, soonest first.
pub(super) async fn appointments(
    pool: &SqlitePool,
    filter: &AppointmentFilter,
) -> Result<Vec<AppointmentRow>> {
    let mut q = QueryBuilder::<Sqlite>::new("SELECT * FROM appointments WHERE 1 = 1");
    crate::outcomes::push_appointment_filter(&mut q, filter);
    q.build()
        .fetch_all(pool)
        .await?
        .iter()
        .map(appointment_row)
        .collect()
}

/// One appointment.
pub(super) async fn appointment(pool: &SqlitePool, id: i64) -> Result<Option<AppointmentRow>> {
    sqlx::query("SELECT * FROM appointments WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(appointment_row)
        .transpose()
}

/// A lead's latest appointment.
pub(super) async fn latest_appointment(
    pool: &SqlitePool,
    lead: LeadId,
) -> Result<Option<AppointmentRow>> {
    sqlx::query("SELECT * FROM appointments WHERE lead_id = ? ORDER BY id DESC LIMIT 1")
        .bind(lead.0)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(appointment_row)
        .transpose()
}
