//! The change-set interpreter on SQLite: every change of a set, and its idempotency key, in one
//! `BEGIN IMMEDIATE` transaction.

use keepwarm_domain::machine::applied::{self, OutcomeFate};
use keepwarm_domain::{LeadId, Stage};
use sqlx::{Acquire, Sqlite, Transaction};

use super::outbound::insert_outbound;
use super::{
    channels, escalations, followthrough, insert_events, insert_task, intake, ms, outcomes,
};
use super::{pause_in, stop_in, word, SqliteStore};
use crate::changes::{escalation_changed, outcome_moved, task_completed};
use crate::{Applied, Change, ChangeSet, NewEvent, Result, StoreError};

/// Applies `set`; see [`crate::ChangeSets::apply`].
pub(super) async fn apply(store: &SqliteStore, set: &ChangeSet) -> Result<Applied> {
    let lead = set.lead;
    let at = set.at;
    let mut tx = store.write_tx().await?;
    if let Some(key) = &set.idempotency_key {
        let fresh = sqlx::query(
            "INSERT INTO inbound_messages (provider_id, lead_id, received_at) VALUES (?, ?, ?)
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
                sqlx::query("UPDATE leads SET owner_id = ? WHERE id = ?")
                    .bind(owner)
                    .bind(lead.0)
                    .execute(&mut *tx)
                    .await?;
            }
            Change::SetReplyLanguage { language } => {
                // Only this one key of the stored document changes; a merge rewriting the document
                // carries it over (it reads the stored document first).
                sqlx::query(
                    "UPDATE leads SET payload = json_set(payload, '$.customer.reply_language', ?) WHERE id = ?",
                )
                .bind(language)
                .bind(lead.0)
                .execute(&mut *tx)
                .await?;
            }
            Change::MoveTask { task, to } => {
                followthrough::move_task(&mut tx, lead, *task, to).await?;
            }
            Change::MoveEscalation { escalation, to } => {
                followthrough::move_escalation(&mut tx, lead, *escalation, to).await?;
            }
            Change::Task(task) => insert_task(&mut tx, lead, task, at).await?,
            Change::Timer { kind, due_at } => {
                sqlx::query(
                    "INSERT INTO follow_up_timers (lead_id, kind, due_at, created_at) VALUES (?, ?, ?, ?)",
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
            } => escalation = Some(escalations::create_in(&mut tx, e, event).await?),
            Change::Revoke(revocation) => {
                intake::revoke_consent(&mut tx, revocation).await?;
            }
            Change::RestoreConsent { contact, by } => {
                sqlx::query(
                    "UPDATE consent_ledger SET restored_at = ?, restored_by = ? WHERE contact = ? AND restored_at IS NULL",
                )
                .bind(ms(at))
                .bind(by)
                .bind(contact)
                .execute(&mut *tx)
                .await?;
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
                            followthrough::close_open_work(&mut savepoint, record.lead, closing)
                                .await?;
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
            Change::Enqueue(message) => {
                insert_outbound(&mut tx, message, escalation, at).await?;
            }
            Change::Escalation {
                escalation: id,
                change,
            } => {
                let found = escalations::change_in(&mut tx, *id, change).await?;
                escalation_changed(found, *id, lead)?;
            }
            Change::CompleteTask {
                task,
                outcome,
                note,
                by,
            } => {
                let open = channels::complete_task_in(
                    &mut tx,
                    lead,
                    *task,
                    outcome,
                    note.as_deref(),
                    by,
                    at,
                )
                .await?;
                task_completed(open, *task)?;
            }
            Change::MarkContactUnusable(contact) => {
                channels::mark_contact_unusable_in(&mut tx, contact).await?;
            }
            Change::AcknowledgeEscalations { by, via } => {
                super::staff::acknowledge_open_in(&mut tx, lead, by, via, at).await?;
            }
            Change::MergeInquiry(merge) => intake::merge_inquiry_in(&mut tx, lead, merge).await?,
            Change::Reopen(reopening) => intake::reopen_in(&mut tx, lead, reopening, at).await?,
            Change::RecordDelivery(report) => {
                channels::record_delivery_in(&mut tx, lead, report).await?;
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

/// Makes a paused lead active again with its held touches rescheduled, and records it.
async fn resume_in(
    tx: &mut Transaction<'_, Sqlite>,
    lead: LeadId,
    reason: &str,
    actor: &str,
    reschedule: &[(i64, jiff::Timestamp)],
    at: jiff::Timestamp,
) -> Result<()> {
    sqlx::query("UPDATE leads SET status = 'active' WHERE id = ? AND status = 'paused'")
        .bind(lead.0)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE enrollments SET status = 'active' WHERE lead_id = ? AND status = 'paused'")
        .bind(lead.0)
        .execute(&mut **tx)
        .await?;
    for (touch, due) in reschedule {
        sqlx::query(
            "UPDATE touches SET state = 'scheduled', due_at = ? WHERE id = ? AND lead_id = ? AND state = 'held'",
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

/// Moves the lead's stage up to `target` unless it is already there, beyond, or lost.
async fn stage_at_least(
    tx: &mut Transaction<'_, Sqlite>,
    lead: LeadId,
    target: Stage,
    by: &str,
    via: &str,
    at: jiff::Timestamp,
) -> Result<()> {
    let current: String = sqlx::query_scalar("SELECT stage FROM leads WHERE id = ?")
        .bind(lead.0)
        .fetch_one(&mut **tx)
        .await?;
    let current: Stage = word(&current)?;
    if let Some(event) = applied::raise_stage(current, target, by, via, at) {
        sqlx::query("UPDATE leads SET stage = ? WHERE id = ?")
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
    tx: &mut Transaction<'_, Sqlite>,
    lead: LeadId,
    call_sid: &str,
    leg: &str,
    stage: Option<u8>,
) -> Result<bool> {
    // `reached` is the furthest known stage (NULL while only unknown words were seen); 4 is ended.
    let moved = sqlx::query(
        "INSERT INTO call_legs (call_sid, leg, lead_id, reached) VALUES (?1, ?2, ?3, ?4)
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
