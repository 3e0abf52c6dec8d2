//! The change-set interpreter on PostgreSQL: every change of a set, and its idempotency key, in one
//! transaction. The key is inserted first (`ON CONFLICT DO NOTHING`): a second delivery of the same
//! set waits on the first one's row lock and then finds it there, so a set applies once even when
//! two processes receive it at the same instant.

use jiff::Timestamp;
use keepwarm_domain::machine::applied::{self, OutcomeFate};
use keepwarm_domain::{LeadId, Stage};
use sqlx::types::Json;
use sqlx::{Acquire, Postgres, Transaction};

use super::{escalations, insert_events, insert_task, intake, outbound, outcomes, work, PgStore};
use crate::changes::{escalation_changed, outcome_moved, task_completed};
use crate::records::{NewEscalation, Revocation};
use crate::sqlite::{ms, word};
use crate::{Applied, Change, ChangeSet, NewEvent, Result, StoreError};

/// Applies `set`; see [`crate::ChangeSets::apply`].
pub(super) async fn apply(store: &PgStore, set: &ChangeSet) -> Result<Applied> {
    let lead = set.lead;
    let at = set.at;
    let mut tx = store.begin().await?;
    // One lead's sets take its row lock first, so two at once (a call's callbacks, say) queue
    // rather than lock rows in different orders and deadlock.
    sqlx::query("SELECT 1 FROM leads WHERE id = $1 FOR UPDATE")
        .bind(lead.0)
        .execute(&mut *tx)
        .await?;
    if let Some(key) = &set.idempotency_key {
        let fresh = sqlx::query(
            "INSERT INTO inbound_messages (provider_id, lead_id, received_at) VALUES ($1, $2, $3)
             ON CONFLICT (provider_id) DO NOTHING",
        )
        .bind(key)
        .bind(lead.0)
        .bind(ms(at))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if fresh == 0 {
            return Ok(Applied::Duplicate);
        }
    }
    let mut escalation = None;
    for change in &set.changes {
        match change {
            Change::Events(events) => {
                let rows: Vec<(LeadId, &NewEvent)> = events.iter().map(|e| (lead, e)).collect();
                insert_events(&mut tx, &rows).await?;
            }
            Change::StageAtLeast { stage, by, via } => {
                stage_at_least(&mut tx, lead, *stage, by, via, at).await?;
            }
            Change::Pause {
                lead: target,
                reason,
                actor,
            } => {
                pause_in(&mut tx, *target, reason, actor, at).await?;
            }
            Change::Stop {
                lead: target,
                reason,
                actor,
                opt_out,
            } => stop_in(&mut tx, *target, reason, actor, at, *opt_out).await?,
            Change::Resume {
                reason,
                actor,
                reschedule,
            } => resume_in(&mut tx, lead, reason, actor, reschedule, at).await?,
            Change::SetOwner { owner } => {
                sqlx::query("UPDATE leads SET owner_id = $1 WHERE id = $2")
                    .bind(owner)
                    .bind(lead.0)
                    .execute(&mut *tx)
                    .await?;
            }
            Change::SetReplyLanguage { language } => {
                sqlx::query(
                    "UPDATE leads SET payload = jsonb_set(
                         CASE WHEN jsonb_typeof(payload -> 'customer') = 'object' THEN payload
                              ELSE jsonb_set(payload, '{customer}', '{}') END,
                         '{customer,reply_language}', to_jsonb($1::text))
                     WHERE id = $2",
                )
                .bind(language)
                .bind(lead.0)
                .execute(&mut *tx)
                .await?;
            }
            Change::Task(task) => insert_task(&mut tx, lead, task, at).await?,
            Change::Timer { kind, due_at } => {
                sqlx::query(
                    "INSERT INTO follow_up_timers (lead_id, kind, due_at, created_at)
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(lead.0)
                .bind(kind)
                .bind(ms(*due_at))
                .bind(ms(at))
                .execute(&mut *tx)
                .await?;
            }
            Change::OpenEscalation {
                escalation: e,
                event,
            } => escalation = Some(open_escalation(&mut tx, e, event).await?),
            Change::Revoke(revocation) => {
                revoke_consent(&mut tx, revocation).await?;
            }
            Change::RestoreConsent { contact, by } => {
                sqlx::query(
                    "UPDATE consent_ledger SET restored_at = $1, restored_by = $2
                     WHERE contact = $3 AND restored_at IS NULL",
                )
                .bind(ms(at))
                .bind(by)
                .bind(contact)
                .execute(&mut *tx)
                .await?;
            }
            Change::Enqueue(message) => {
                outbound::insert_outbound(&mut tx, message, escalation, at).await?;
            }
            Change::Escalation {
                escalation: id,
                change,
            } => {
                let found = escalations::change_in(&mut tx, *id, change).await?;
                escalation_changed(found, *id, lead)?;
            }
            Change::MoveTask { task, to } => work::move_task(&mut tx, lead, *task, to).await?,
            Change::MoveEscalation { escalation, to } => {
                work::move_escalation(&mut tx, lead, *escalation, to).await?;
            }
            Change::CompleteTask {
                task,
                outcome,
                note,
                by,
            } => {
                let open =
                    work::complete_task(&mut tx, lead, *task, outcome, note.as_deref(), by, at)
                        .await?;
                task_completed(open, *task)?;
            }
            Change::AcknowledgeEscalations { by, via } => {
                work::acknowledge_open(&mut tx, lead, by, via, at).await?;
            }
            Change::Outcome {
                record,
                closing,
                if_moved,
            } => {
                // A savepoint: an outcome the lead moved past can be left out and the rest kept.
                let mut savepoint = tx.begin().await?;
                let moved = outcome_moved(outcomes::record_outcome(&mut savepoint, record).await)?;
                match applied::outcome_fate(moved, *if_moved, at) {
                    OutcomeFate::Keep => {
                        if let Some(closing) = closing {
                            outcomes::close_open_work(&mut savepoint, record.lead, closing).await?;
                        }
                        savepoint.commit().await?;
                    }
                    OutcomeFate::Refuse(why) => return Err(StoreError::Conflict(why)),
                    OutcomeFate::Skip(event) => {
                        savepoint.rollback().await?;
                        insert_events(&mut tx, &[(lead, &event)]).await?;
                    }
                }
            }
            Change::MarkContactUnusable(contact) => {
                outcomes::mark_contact_unusable_in(&mut tx, contact).await?;
            }
            Change::MergeInquiry(merge) => intake::merge_inquiry_in(&mut tx, lead, merge).await?,
            Change::Reopen(reopening) => intake::reopen_in(&mut tx, lead, reopening, at).await?,
            Change::RecordDelivery(report) => {
                outcomes::record_delivery_in(&mut tx, lead, report).await?;
            }
            Change::AdvanceCall {
                call_sid,
                leg,
                stage,
            } => {
                if !advance_call(&mut tx, lead, call_sid, leg, *stage).await? {
                    return Err(StoreError::Conflict(format!(
                        "call {call_sid}'s {leg} leg is already past that status"
                    )));
                }
            }
            Change::LinkDocument { document } => {
                intake::link_document(&mut tx, lead, *document).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(Applied::Applied { escalation })
}

/// Opens an escalation inside `tx`, with its event (which gets the id).
async fn open_escalation(
    tx: &mut Transaction<'_, Postgres>,
    e: &NewEscalation,
    event: &NewEvent,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO escalations (lead_id, intents, context, created_at, sla_due_at, assignee_id,
             level, status, next_deadline_at, short_code, notified)
         VALUES ($1, $2, $3, $4, $5, $6, 0, 'open', $5, '', $7) RETURNING id",
    )
    .bind(e.lead.0)
    .bind(Json(&e.intents))
    .bind(Json(&e.context))
    .bind(ms(e.at))
    .bind(ms(e.sla_due_at))
    .bind(&e.assignee)
    .bind(Json(&e.notified))
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("UPDATE escalations SET short_code = id::text WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let mut event = event.clone();
    event.event.name_escalation(id);
    insert_events(tx, &[(e.lead, &event)]).await?;
    Ok(id)
}

/// Records a revocation unless every channel it names (or `all`) is already revoked; returns
/// whether anything new was recorded. The contact's row lock order is the ledger's: a concurrent
/// revocation of the same contact waits here.
pub(super) async fn revoke_consent(
    tx: &mut Transaction<'_, Postgres>,
    r: &Revocation,
) -> Result<bool> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('keepwarm consent' || $1, 0))")
        .bind(&r.contact)
        .execute(&mut **tx)
        .await?;
    let active: Vec<String> = sqlx::query_scalar(
        "SELECT channel FROM consent_ledger WHERE contact = $1 AND restored_at IS NULL",
    )
    .bind(&r.contact)
    .fetch_all(&mut **tx)
    .await?;
    let fresh = applied::fresh_revocations(&active, &r.channels);
    for channel in &fresh {
        sqlx::query(
            "INSERT INTO consent_ledger (contact, channel, revoked_at, words, via)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&r.contact)
        .bind(channel.as_str())
        .bind(ms(r.at))
        .bind(&r.words)
        .bind(&r.via)
        .execute(&mut **tx)
        .await?;
    }
    Ok(!fresh.is_empty())
}

/// Pauses an active lead inside `tx`: waiting touches are held. Returns whether it was active.
async fn pause_in(
    tx: &mut Transaction<'_, Postgres>,
    lead: LeadId,
    reason: &str,
    actor: &str,
    at: Timestamp,
) -> Result<bool> {
    let changed =
        sqlx::query("UPDATE leads SET status = 'paused' WHERE id = $1 AND status = 'active'")
            .bind(lead.0)
            .execute(&mut **tx)
            .await?
            .rows_affected();
    if changed == 0 {
        return Ok(false);
    }
    let held =
        sqlx::query("UPDATE touches SET state = 'held' WHERE lead_id = $1 AND state = 'scheduled'")
            .bind(lead.0)
            .execute(&mut **tx)
            .await?
            .rows_affected();
    sqlx::query(
        "UPDATE enrollments SET status = 'paused' WHERE lead_id = $1 AND status = 'active'",
    )
    .bind(lead.0)
    .execute(&mut **tx)
    .await?;
    let event = applied::paused(reason, actor, held, at);
    insert_events(tx, &[(lead, &event)]).await?;
    Ok(true)
}

/// Ends a lead's follow-up inside `tx` (see the SQLite backend's `stop_in`).
pub(super) async fn stop_in(
    tx: &mut Transaction<'_, Postgres>,
    lead: LeadId,
    reason: &str,
    actor: &str,
    at: Timestamp,
    opt_out: bool,
) -> Result<()> {
    if opt_out {
        sqlx::query("UPDATE leads SET opted_out = true WHERE id = $1")
            .bind(lead.0)
            .execute(&mut **tx)
            .await?;
    }
    let stopped = sqlx::query(
        "UPDATE leads SET status = 'stopped', stop_reason = $1
         WHERE id = $2 AND status IN ('active', 'paused')",
    )
    .bind(reason)
    .bind(lead.0)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    let cancelled = sqlx::query(
        "UPDATE touches SET state = 'cancelled', detail = $1, finished_at = $2
         WHERE lead_id = $3 AND state IN ('scheduled', 'held')",
    )
    .bind(reason)
    .bind(ms(at))
    .bind(lead.0)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    sqlx::query(
        "UPDATE enrollments SET status = 'stopped', ended_at = $1, end_reason = $2
         WHERE lead_id = $3 AND ended_at IS NULL",
    )
    .bind(ms(at))
    .bind(reason)
    .bind(lead.0)
    .execute(&mut **tx)
    .await?;
    if let Some(event) = applied::stopped(reason, actor, opt_out, stopped, cancelled, at) {
        insert_events(tx, &[(lead, &event)]).await?;
    }
    Ok(())
}

/// Makes a paused lead active again with its held touches rescheduled, and records it.
async fn resume_in(
    tx: &mut Transaction<'_, Postgres>,
    lead: LeadId,
    reason: &str,
    actor: &str,
    reschedule: &[(i64, Timestamp)],
    at: Timestamp,
) -> Result<()> {
    sqlx::query("UPDATE leads SET status = 'active' WHERE id = $1 AND status = 'paused'")
        .bind(lead.0)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "UPDATE enrollments SET status = 'active' WHERE lead_id = $1 AND status = 'paused'",
    )
    .bind(lead.0)
    .execute(&mut **tx)
    .await?;
    for (touch, due) in reschedule {
        sqlx::query(
            "UPDATE touches SET state = 'scheduled', due_at = $1
             WHERE id = $2 AND lead_id = $3 AND state = 'held'",
        )
        .bind(ms(*due))
        .bind(touch)
        .bind(lead.0)
        .execute(&mut **tx)
        .await?;
    }
    let event = applied::resumed(reason, actor, reschedule, at);
    insert_events(tx, &[(lead, &event)]).await
}

/// Moves the lead's stage up to `target` unless it is already there, beyond, or lost. The lead's
/// row is locked first, so two sets raising the stage at once record one change each way at most.
async fn stage_at_least(
    tx: &mut Transaction<'_, Postgres>,
    lead: LeadId,
    target: Stage,
    by: &str,
    via: &str,
    at: Timestamp,
) -> Result<()> {
    let current: String = sqlx::query_scalar("SELECT stage FROM leads WHERE id = $1 FOR UPDATE")
        .bind(lead.0)
        .fetch_one(&mut **tx)
        .await?;
    let current: Stage = word(&current)?;
    if let Some(event) = applied::raise_stage(current, target, by, via, at) {
        sqlx::query("UPDATE leads SET stage = $1 WHERE id = $2")
            .bind(target.as_str())
            .bind(lead.0)
            .execute(&mut **tx)
            .await?;
        insert_events(tx, &[(lead, &event)]).await?;
    }
    Ok(())
}

/// Moves a call's leg on to a status of `stage` (see [`Change::AdvanceCall`]); whether it moved.
async fn advance_call(
    tx: &mut Transaction<'_, Postgres>,
    lead: LeadId,
    call_sid: &str,
    leg: &str,
    stage: Option<u8>,
) -> Result<bool> {
    // `reached` is the furthest known stage (NULL while only unknown words were seen); 4 is ended.
    let moved = sqlx::query(
        "INSERT INTO call_legs (call_sid, leg, lead_id, reached) VALUES ($1, $2, $3, $4)
         ON CONFLICT (call_sid, leg) DO UPDATE SET reached = COALESCE(excluded.reached, call_legs.reached)
         WHERE call_legs.reached IS NULL
            OR (excluded.reached IS NULL AND call_legs.reached < 4)
            OR excluded.reached > call_legs.reached",
    )
    .bind(call_sid)
    .bind(leg)
    .bind(lead.0)
    .bind(stage.map(i32::from))
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(moved > 0)
}
