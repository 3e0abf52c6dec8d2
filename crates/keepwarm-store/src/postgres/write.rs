//! The dispatcher's batched write on PostgreSQL: the results of a batch of touches, their next
//! touches, tasks and timeline events, in one transaction.
//!
//! Only touches still `sending` under the worker's lease take a result, and those rows are locked
//! first (`FOR UPDATE`), so a worker that took the lease over meanwhile and this one cannot both
//! record a result.
//!
//! The write is a handful of statements whatever the batch's size: the results in one `UPDATE`,
//! the next touches in one multi-row `INSERT`, the timeline events in another. Each statement is a
//! round trip to the server inside an open transaction, so a statement per touch (three per sent
//! text, as this once was) made the round trips, not the work, the limit on throughput.

use std::collections::{HashMap, HashSet};

use keepwarm_domain::LeadId;
use sqlx::{Postgres, QueryBuilder, Transaction};

use super::{insert_events, insert_task, ROWS};
use crate::finish::{plans_new_step, result_columns};
use crate::records::{NewEvent, TouchOutcome, TouchResult};
use crate::sqlite::{ms, touch_scheduled};
use crate::Result;

/// Records a batch of touches `worker` dispatched and plans what follows.
pub(super) async fn finish_touches(
    tx: &mut Transaction<'_, Postgres>,
    worker: &str,
    outcomes: &[TouchOutcome],
) -> Result<()> {
    let ids: Vec<i64> = outcomes.iter().map(|o| o.touch_id).collect();
    let sending: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM touches WHERE id = ANY($1) AND state = 'sending' AND lease_owner = $2
         ORDER BY id FOR UPDATE",
    )
    .bind(&ids)
    .bind(worker)
    .fetch_all(&mut **tx)
    .await?;
    let outcomes: Vec<&TouchOutcome> = outcomes
        .iter()
        .filter(|o| sending.contains(&o.touch_id))
        .collect();
    if outcomes.is_empty() {
        return Ok(());
    }
    update_touches(tx, &outcomes).await?;
    for o in &outcomes {
        end_enrollment(tx, o).await?;
    }
    let planned = already_planned(tx, &outcomes).await?;
    let next_ids = insert_next_touches(tx, &outcomes, &planned).await?;
    // Per outcome: the step's own events first, then the next step's scheduling, then its tasks
    // (each inserted with its own `task_created` event): the timeline reads in the order things
    // happened, and event ids follow the order of one multi-row insert.
    let mut scheduled: Vec<Option<NewEvent>> = Vec::with_capacity(outcomes.len());
    for o in &outcomes {
        scheduled.push(match &o.next {
            Some(_) if !plans_new_step(o, &planned) => None,
            Some(next) => {
                let id = next_ids
                    .get(&(o.enrollment_id, next.step_index as i64))
                    .copied()
                    .ok_or_else(|| {
                        crate::StoreError::Corrupt(format!(
                            "touch {}'s next step was not inserted",
                            o.touch_id
                        ))
                    })?;
                Some(NewEvent::new(o.at, touch_scheduled(id, next, false)))
            }
            None => None,
        });
    }
    let mut events: Vec<(LeadId, &NewEvent)> = Vec::new();
    for (o, next) in outcomes.iter().zip(&scheduled) {
        events.extend(o.events.iter().map(|e| (o.lead_id, e)));
        events.extend(next.iter().map(|e| (o.lead_id, e)));
    }
    insert_events(tx, &events).await?;
    for o in &outcomes {
        for task in &o.tasks {
            insert_task(tx, o.lead_id, task, o.at).await?;
        }
    }
    complete_enrollments(tx, &outcomes, &planned).await
}

/// The (enrollment, step) pairs among `outcomes`' next touches that already have a touch (a
/// deferred touch planned the step after it beside itself, on another channel).
async fn already_planned(
    tx: &mut Transaction<'_, Postgres>,
    outcomes: &[&TouchOutcome],
) -> Result<HashSet<(i64, i64)>> {
    let (enrollments, steps): (Vec<i64>, Vec<i64>) =
        crate::finish::next_steps(outcomes).into_iter().unzip();
    if enrollments.is_empty() {
        return Ok(HashSet::new());
    }
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT t.enrollment_id, t.step_index
         FROM unnest($1::bigint[], $2::bigint[]) AS p (enrollment_id, step_index)
         JOIN touches t USING (enrollment_id, step_index)",
    )
    .bind(&enrollments)
    .bind(&steps)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().collect())
}

/// Marks complete the enrollments (and leads) of outcomes that finished their cadence, or whose
/// next step was already planned, once none of the enrollment's touches is still scheduled, held or
/// sending. Each enrollment row is locked first, in id order: two transactions finishing its last
/// two live touches at once (the cadence's last step and a deferred touch beside it) run the check
/// one after the other, so the second sees the first's touch finished and completes it.
async fn complete_enrollments(
    tx: &mut Transaction<'_, Postgres>,
    outcomes: &[&TouchOutcome],
    planned: &HashSet<(i64, i64)>,
) -> Result<()> {
    let mut done: Vec<&TouchOutcome> = outcomes
        .iter()
        .copied()
        .filter(|o| o.complete || (o.next.is_some() && !plans_new_step(o, planned)))
        .collect();
    done.sort_by_key(|o| o.enrollment_id);
    for o in done {
        sqlx::query("SELECT id FROM enrollments WHERE id = $1 FOR UPDATE")
            .bind(o.enrollment_id)
            .execute(&mut **tx)
            .await?;
        let completed = sqlx::query(
            "UPDATE enrollments SET status = 'completed', ended_at = $1,
                 end_reason = 'cadence complete'
             WHERE id = $2 AND ended_at IS NULL AND NOT EXISTS (
                 SELECT 1 FROM touches WHERE lead_id = $3 AND enrollment_id = $2
                     AND state IN ('scheduled', 'held', 'sending'))",
        )
        .bind(ms(o.at))
        .bind(o.enrollment_id)
        .bind(o.lead_id.0)
        .execute(&mut **tx)
        .await?;
        if completed.rows_affected() > 0 {
            sqlx::query(
                "UPDATE leads SET status = 'completed' WHERE id = $1 AND status = 'active'",
            )
            .bind(o.lead_id.0)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// Inserts every outcome's next touch (`scheduled`) in multi-row statements; their ids by
/// (enrollment, step), which the table keeps unique.
async fn insert_next_touches(
    tx: &mut Transaction<'_, Postgres>,
    outcomes: &[&TouchOutcome],
    planned: &HashSet<(i64, i64)>,
) -> Result<HashMap<(i64, i64), i64>> {
    let next: Vec<(&TouchOutcome, &crate::records::NewTouch)> = outcomes
        .iter()
        .filter(|o| plans_new_step(o, planned))
        .filter_map(|o| o.next.as_ref().map(|n| (*o, n)))
        .collect();
    let mut ids = HashMap::with_capacity(next.len());
    for chunk in next.chunks(ROWS) {
        let mut q = QueryBuilder::<Postgres>::new(
            "INSERT INTO touches (enrollment_id, lead_id, step_index, channel, block, target_at,
                 due_at, state) ",
        );
        q.push_values(chunk, |mut b, (o, n)| {
            b.push_bind(o.enrollment_id)
                .push_bind(o.lead_id.0)
                .push_bind(n.step_index as i64)
                .push_bind(n.channel.as_str())
                .push_bind(&n.block)
                .push_bind(ms(n.target_at))
                .push_bind(ms(n.due_at))
                .push_bind("scheduled");
        });
        q.push(" RETURNING enrollment_id, step_index, id");
        let rows: Vec<(i64, i64, i64)> = q.build_query_as().fetch_all(&mut **tx).await?;
        ids.extend(rows.into_iter().map(|(e, s, id)| ((e, s), id)));
    }
    Ok(ids)
}

/// Sets every touch's result in one statement and ends its lease.
async fn update_touches(
    tx: &mut Transaction<'_, Postgres>,
    outcomes: &[&TouchOutcome],
) -> Result<()> {
    let mut q = QueryBuilder::<Postgres>::new(
        "UPDATE touches SET
             state = j.state,
             finished_at = j.finished_at,
             variant = j.variant,
             recipient = j.recipient,
             body = j.body,
             detail = j.detail,
             due_at = COALESCE(j.due_at, touches.due_at),
             provider_id = COALESCE(j.provider_id, touches.provider_id),
             channel = COALESCE(j.channel, touches.channel),
             claimed_at = CASE WHEN j.state = 'scheduled' THEN NULL ELSE touches.claimed_at END,
             lease_owner = NULL,
             lease_until = NULL
         FROM (",
    );
    q.push_values(outcomes, |mut b, o| {
        let c = result_columns(o);
        b.push_bind(o.touch_id)
            .push_bind(c.state)
            .push_bind(c.finished_at)
            .push_bind(c.variant)
            .push_bind(c.recipient)
            .push_bind(c.body)
            .push_bind(c.detail)
            .push_bind(c.due_at)
            .push_bind(c.provider_id)
            .push_bind(c.channel);
    });
    q.push(
        ") AS j (id, state, finished_at, variant, recipient, body, detail, due_at, provider_id, channel)
         WHERE touches.id = j.id AND touches.state = 'sending'",
    );
    q.build().execute(&mut **tx).await?;
    Ok(())
}

/// Ends the enrollment (and the lead's follow-up) of an outcome that stopped it.
async fn end_enrollment(tx: &mut Transaction<'_, Postgres>, o: &TouchOutcome) -> Result<()> {
    if let TouchResult::Ended { status, reason } = &o.result {
        sqlx::query(
            "UPDATE enrollments SET status = $1, ended_at = $2, end_reason = $3
             WHERE id = $4 AND ended_at IS NULL",
        )
        .bind(status.as_str())
        .bind(ms(o.at))
        .bind(reason)
        .bind(o.enrollment_id)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "UPDATE leads SET status = $1, stop_reason = COALESCE(stop_reason, $2)
             WHERE id = $3 AND status IN ('active', 'paused')",
        )
        .bind(status.as_str())
        .bind(reason)
        .bind(o.lead_id.0)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
