//! The dispatcher's batched write: the results of a batch of touches, their next touches, tasks and
//! timeline events, in a handful of statements inside one transaction.
//!
//! Each set of rows is one multi-row statement with bound parameters, for the same reason reads are
//! aggregated (see `read.rs`): per-statement hand-offs to sqlx's SQLite thread dominate otherwise.
//! (Binding the rows as one JSON array instead was measured slower: SQLite re-parses the element
//! text for every `json_extract`.) New touch and task ids are reserved up front from each table's counter
//! (`ids.rs`), so that the `touch_scheduled` and `task_created` events can name them.

use super::{task_created, touch_scheduled};
use std::collections::HashSet;

use jiff::Timestamp;
use keepwarm_domain::LeadId;
use sqlx::{QueryBuilder, Sqlite, Transaction};

use super::ids::{reserve_ids, Counter};
use super::ms;
use crate::finish::result_columns;
use crate::records::{NewEvent, TouchOutcome, TouchResult};
use crate::Result;

/// Which of a JSON list of touch ids (`?1`) are still `sending` under `?2`'s lease. By id (`NOT
/// INDEXED` leaves the rowid): the planner would otherwise walk every `sending` touch of every
/// worker through `touches_due`.
pub(super) const STILL_SENDING: &str = "SELECT json_group_array(id) FROM touches NOT INDEXED
     WHERE id IN (SELECT value FROM json_each(?1)) AND state = 'sending' AND lease_owner = ?2";

/// Which of a JSON list of `[enrollment, step]` pairs (`?1`) already have a touch, through the
/// table's unique (enrollment, step) index.
pub(super) const ALREADY_PLANNED: &str = "SELECT t.enrollment_id, t.step_index FROM json_each(?1)
     JOIN touches t ON t.enrollment_id = json_extract(json_each.value, '$[0]')
         AND t.step_index = json_extract(json_each.value, '$[1]')";

/// Records a batch of touches `worker` dispatched and plans what follows.
pub(super) async fn finish_touches(
    tx: &mut Transaction<'_, Sqlite>,
    worker: &str,
    outcomes: &[TouchOutcome],
) -> Result<()> {
    // Only touches still `sending` under `worker`'s lease take a result. A result recorded twice (a
    // retried batch) or after another worker took the lease over (this one was too slow, and the
    // other reconciles the touch with the channel) must not plan a second next step, complete
    // twice or repeat events.
    let ids: Vec<i64> = outcomes.iter().map(|o| o.touch_id).collect();
    let sending: String = sqlx::query_scalar(STILL_SENDING)
        .bind(super::id_list(&ids))
        .bind(worker)
        .fetch_one(&mut **tx)
        .await?;
    let sending: HashSet<i64> = serde_json::from_str::<Vec<i64>>(&sending)
        .map_err(|e| crate::StoreError::Corrupt(format!("sending ids: {e}")))?
        .into_iter()
        .collect();
    let outcomes: Vec<&TouchOutcome> = outcomes
        .iter()
        .filter(|o| sending.contains(&o.touch_id))
        .collect();
    if outcomes.is_empty() {
        return Ok(());
    }
    let outcomes = outcomes.as_slice();
    update_touches(tx, outcomes).await?;
    for o in outcomes {
        end_enrollment(tx, o).await?;
    }
    let planned = already_planned(tx, outcomes).await?;
    let new_next = |o: &TouchOutcome| crate::finish::plans_new_step(o, &planned);
    let next_count = outcomes.iter().filter(|o| new_next(o)).count();
    let tasks_count = outcomes.iter().map(|o| o.tasks.len()).sum();
    let [mut next_touch_id, mut next_task_id] = reserve_ids(
        tx,
        [
            (Counter::Touches, next_count),
            (Counter::Tasks, tasks_count),
        ],
    )
    .await?;
    let mut touches: Vec<TouchValues<'_>> = Vec::new();
    let mut tasks: Vec<TaskValues<'_>> = Vec::new();
    let mut events: Vec<EventValues> = Vec::new();
    let push_event = |events: &mut Vec<EventValues>, lead: LeadId, e: &NewEvent| {
        events.push(EventValues {
            lead_id: lead.0,
            at: ms(e.at),
            kind: e.event.kind().to_owned(),
            data: e.event.data().to_string(),
        });
    };
    for o in outcomes {
        // The step's own events first, then the next step's scheduling, then tasks: the timeline
        // reads in the order things happened.
        for e in &o.events {
            push_event(&mut events, o.lead_id, e);
        }
        if let Some(next) = o.next.as_ref().filter(|_| new_next(o)) {
            let id = next_touch_id;
            next_touch_id += 1;
            touches.push(TouchValues {
                id,
                enrollment_id: o.enrollment_id,
                lead_id: o.lead_id.0,
                step_index: next.step_index as i64,
                channel: next.channel.as_str(),
                block: &next.block,
                target_at: ms(next.target_at),
                due_at: ms(next.due_at),
            });
            let scheduled = NewEvent::new(o.at, touch_scheduled(id, next, false));
            push_event(&mut events, o.lead_id, &scheduled);
        }
        for task in &o.tasks {
            let id = next_task_id;
            next_task_id += 1;
            tasks.push(TaskValues {
                id,
                lead_id: o.lead_id.0,
                owner_id: &task.owner_id,
                kind: &task.kind,
                touch_id: task.touch_id,
                due_at: ms(task.due_at),
                body: &task.body,
                created_at: ms(o.at),
            });
            let created = NewEvent::new(o.at, task_created(id, task));
            push_event(&mut events, o.lead_id, &created);
        }
    }
    for chunk in touches.chunks(ROWS_PER_STATEMENT) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO touches (id, enrollment_id, lead_id, step_index, channel, block, target_at, due_at, state) ",
        );
        q.push_values(chunk, |mut b, t| {
            b.push_bind(t.id)
                .push_bind(t.enrollment_id)
                .push_bind(t.lead_id)
                .push_bind(t.step_index)
                .push_bind(t.channel)
                .push_bind(t.block)
                .push_bind(t.target_at)
                .push_bind(t.due_at)
                .push_bind("scheduled");
        });
        q.build().execute(&mut **tx).await?;
    }
    for chunk in tasks.chunks(ROWS_PER_STATEMENT) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO tasks (id, lead_id, owner_id, kind, touch_id, due_at, status, body, created_at) ",
        );
        q.push_values(chunk, |mut b, t| {
            b.push_bind(t.id)
                .push_bind(t.lead_id)
                .push_bind(t.owner_id)
                .push_bind(t.kind)
                .push_bind(t.touch_id)
                .push_bind(t.due_at)
                .push_bind("open")
                .push_bind(t.body)
                .push_bind(t.created_at);
        });
        q.build().execute(&mut **tx).await?;
    }
    insert_event_rows(tx, &events).await?;
    for o in outcomes {
        let next_existed = o.next.is_some() && !new_next(o);
        if o.complete || next_existed {
            complete_enrollment(tx, o).await?;
        }
    }
    Ok(())
}

/// The (enrollment, step) pairs among `outcomes`' next touches that already have a touch.
async fn already_planned(
    tx: &mut Transaction<'_, Sqlite>,
    outcomes: &[&TouchOutcome],
) -> Result<HashSet<(i64, i64)>> {
    let pairs = crate::finish::next_steps(outcomes);
    if pairs.is_empty() {
        return Ok(HashSet::new());
    }
    let rows: Vec<(i64, i64)> = sqlx::query_as(ALREADY_PLANNED)
        .bind(serde_json::to_string(&pairs).unwrap_or_else(|_| "[]".into()))
        .fetch_all(&mut **tx)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Marks `o`'s enrollment and lead complete, once none of the enrollment's touches is still
/// scheduled, held or sending (a deferred touch running beside the cadence's last step finishes it).
async fn complete_enrollment(tx: &mut Transaction<'_, Sqlite>, o: &TouchOutcome) -> Result<()> {
    let done = sqlx::query(
        "UPDATE enrollments SET status = 'completed', ended_at = ?1, end_reason = 'cadence complete'
         WHERE id = ?2 AND ended_at IS NULL AND NOT EXISTS (
             SELECT 1 FROM touches WHERE lead_id = ?3 AND enrollment_id = ?2
                 AND state IN ('scheduled', 'held', 'sending'))",
    )
    .bind(ms(o.at))
    .bind(o.enrollment_id)
    .bind(o.lead_id.0)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() > 0 {
        sqlx::query("UPDATE leads SET status = 'completed' WHERE id = ? AND status = 'active'")
            .bind(o.lead_id.0)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Rows per multi-row statement: well under SQLite's 32,766 bound parameters at nine a row.
const ROWS_PER_STATEMENT: usize = 1000;

/// An event row ready to insert.
pub(super) struct EventValues {
    pub lead_id: i64,
    pub at: i64,
    pub kind: String,
    pub data: String,
}

struct TouchValues<'a> {
    id: i64,
    enrollment_id: i64,
    lead_id: i64,
    step_index: i64,
    channel: &'static str,
    block: &'a str,
    target_at: i64,
    due_at: i64,
}

struct TaskValues<'a> {
    id: i64,
    lead_id: i64,
    owner_id: &'a str,
    kind: &'a str,
    touch_id: Option<i64>,
    due_at: i64,
    body: &'a str,
    created_at: i64,
}

/// Appends events, in order.
pub(super) async fn insert_event_rows(
    tx: &mut Transaction<'_, Sqlite>,
    events: &[EventValues],
) -> Result<()> {
    for chunk in events.chunks(ROWS_PER_STATEMENT) {
        let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO events (lead_id, at, kind, data) ");
        q.push_values(chunk, |mut b, e| {
            b.push_bind(e.lead_id)
                .push_bind(e.at)
                .push_bind(e.kind.as_str())
                .push_bind(e.data.as_str());
        });
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Sets every touch's result in one statement and ends its lease. Only touches still `sending`
/// change, so a result recorded twice (a retried batch) cannot move a touch backwards; the caller
/// has already kept only the touches whose lease is its own.
async fn update_touches(
    tx: &mut Transaction<'_, Sqlite>,
    outcomes: &[&TouchOutcome],
) -> Result<()> {
    for chunk in outcomes.chunks(ROWS_PER_STATEMENT) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "UPDATE touches SET
                 state = j.column2,
                 finished_at = j.column3,
                 variant = j.column4,
                 recipient = j.column5,
                 body = j.column6,
                 detail = j.column7,
                 due_at = COALESCE(j.column8, touches.due_at),
                 provider_id = COALESCE(j.column9, touches.provider_id),
                 channel = COALESCE(j.column10, touches.channel),
                 claimed_at = CASE WHEN j.column2 = 'scheduled' THEN NULL ELSE touches.claimed_at END,
                 lease_owner = NULL,
                 lease_until = NULL
             FROM (",
        );
        q.push_values(chunk, |mut b, o| {
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
        // Only touches still `sending` change, so a result recorded twice cannot move a touch back.
        q.push(") AS j WHERE touches.id = j.column1 AND touches.state = 'sending'");
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Ends the enrollment (and the lead's follow-up) of an outcome that stopped it.
async fn end_enrollment(tx: &mut Transaction<'_, Sqlite>, o: &TouchOutcome) -> Result<()> {
    let at: Timestamp = o.at;
    if let TouchResult::Ended { status, reason } = &o.result {
        sqlx::query(
            "UPDATE enrollments SET status = ?, ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL",
        )
        .bind(status.as_str())
        .bind(ms(at))
        .bind(reason)
        .bind(o.enrollment_id)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "UPDATE leads SET status = ?, stop_reason = COALESCE(stop_reason, ?)
             WHERE id = ? AND status IN ('active', 'paused')",
        )
        .bind(status.as_str())
        .bind(reason)
        .bind(o.lead_id.0)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
