//! Due work claimed on PostgreSQL by any number of workers in any number of processes.
//!
//! Each claim is one statement: the oldest due rows are picked with `FOR UPDATE SKIP LOCKED` (rows
//! another claimer is taking right now are passed over, not waited for) and leased to the worker
//! in the same statement. Two claimers never get the same row, and a claim never blocks behind
//! another. The picks walk the partial indexes on what is pending (`touches_scheduled`,
//! `touches_sending`, `follow_up_timers_pending`), so a large future backlog does not slow them.

use jiff::Timestamp;
use keepwarm_domain::LeadId;
use sqlx::Row;

use super::{insert_events, read, PgStore};
use crate::records::{ClaimedTouch, NewEvent, TimerRow};
use crate::sqlite::{ms, opt_ts, ts};
use crate::Agenda;
use crate::Result;

/// Which touches a claim takes.
#[derive(Debug, Clone, Copy)]
pub(super) enum Claim {
    /// Scheduled touches due at or before `now`.
    Due,
    /// `sending` touches whose lease ran out at or before `now` (or that have none).
    Expired,
}

/// Claims up to `limit` touches for `worker` until `lease_until`, oldest due first, and reads them
/// with their leads. A due touch gets `claimed_at = now`; a taken-over one keeps its claim time.
pub(super) async fn claim(
    store: &PgStore,
    which: Claim,
    now: Timestamp,
    worker: &str,
    lease_until: Timestamp,
    limit: u32,
) -> Result<Vec<ClaimedTouch>> {
    let (condition, order, claimed_at) = match which {
        Claim::Due => ("state = 'scheduled' AND due_at <= $1", "due_at, id", "$1"),
        Claim::Expired => (
            "state = 'sending' AND (lease_until IS NULL OR lease_until <= $1)",
            "lease_until NULLS FIRST, id",
            "t.claimed_at",
        ),
    };
    // The claimed rows come back from the claim itself, so reading the batch takes one more round
    // trip (leads, contacts, enrollments and used variants, side by side), not two.
    let rows = sqlx::query(&format!(
        "WITH picked AS (
             SELECT id FROM touches WHERE {condition} ORDER BY {order} LIMIT $4
             FOR UPDATE SKIP LOCKED)
         UPDATE touches t SET state = 'sending', claimed_at = {claimed_at}, lease_owner = $2,
             lease_until = $3
         FROM picked WHERE t.id = picked.id
         RETURNING t.*"
    ))
    .bind(ms(now))
    .bind(worker)
    .bind(ms(lease_until))
    .bind(i64::from(limit))
    .fetch_all(&store.pool)
    .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    read::with_leads(&store.pool, &rows).await
}

/// Puts a `sending` touch leased to `worker` back to `scheduled`, with its event; a touch whose
/// lease another worker took over is left alone.
pub(super) async fn release(
    store: &PgStore,
    touch: i64,
    worker: &str,
    event: &NewEvent,
) -> Result<()> {
    let mut tx = store.begin().await?;
    let lead: Option<i64> = sqlx::query_scalar(
        "UPDATE touches SET state = 'scheduled', claimed_at = NULL, lease_owner = NULL,
             lease_until = NULL
         WHERE id = $1 AND state = 'sending' AND lease_owner = $2
         RETURNING lead_id",
    )
    .bind(touch)
    .bind(worker)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(lead) = lead {
        insert_events(&mut tx, &[(LeadId(lead), event)]).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The earliest instant a scheduled touch is due or a `sending` touch's lease runs out.
pub(super) async fn next_at(store: &PgStore) -> Result<Option<Timestamp>> {
    let at: Option<i64> = sqlx::query_scalar(
        "SELECT LEAST(
             (SELECT MIN(due_at) FROM touches WHERE state = 'scheduled'),
             (SELECT MIN(COALESCE(lease_until, 0)) FROM touches WHERE state = 'sending'))",
    )
    .fetch_one(&store.pool)
    .await?;
    opt_ts(at)
}

/// Every queue's next instant in one statement: the same minimums as [`next_at`],
/// [`next_timer_at`], `escalations::next_deadline` and `outbound::next_at`, each walking its partial
/// index, so the worker learns what to do next in one round trip instead of four.
pub(super) async fn agenda(store: &PgStore) -> Result<Agenda> {
    let row = sqlx::query(
        "SELECT
             (SELECT MIN(due_at) FROM touches WHERE state = 'scheduled') AS touches,
             (SELECT MIN(COALESCE(lease_until, 0)) FROM touches WHERE state = 'sending') AS leases,
             (SELECT MIN(next_deadline_at) FROM escalations
              WHERE status != 'acknowledged' AND next_deadline_at IS NOT NULL) AS escalations,
             (SELECT MIN(GREATEST(due_at, COALESCE(lease_until, 0))) FROM follow_up_timers
              WHERE fired_at IS NULL) AS timers,
             LEAST(
                 (SELECT MIN(due_at) FROM outbound_messages WHERE state = 'queued'),
                 (SELECT MIN(lease_until) FROM outbound_messages WHERE state = 'sending'))
                 AS outbound",
    )
    .fetch_one(&store.pool)
    .await?;
    Ok(Agenda {
        touches: opt_ts(row.try_get("touches")?)?,
        leases: opt_ts(row.try_get("leases")?)?,
        escalations: opt_ts(row.try_get("escalations")?)?,
        timers: opt_ts(row.try_get("timers")?)?,
        outbound: opt_ts(row.try_get("outbound")?)?,
    })
}

/// Claims unfired timers due at `now` whose lease (if any) ran out, for `worker`.
pub(super) async fn claim_timers(
    store: &PgStore,
    now: Timestamp,
    worker: &str,
    lease_until: Timestamp,
) -> Result<Vec<TimerRow>> {
    let rows = sqlx::query(
        "WITH picked AS (
             SELECT id FROM follow_up_timers
             WHERE fired_at IS NULL AND due_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
             ORDER BY due_at, id
             FOR UPDATE SKIP LOCKED)
         UPDATE follow_up_timers t SET claimed_by = $2, lease_until = $3
         FROM picked WHERE t.id = picked.id
         RETURNING t.id, t.lead_id, t.kind, t.due_at, t.created_at",
    )
    .bind(ms(now))
    .bind(worker)
    .bind(ms(lease_until))
    .fetch_all(&store.pool)
    .await?;
    let mut timers: Vec<TimerRow> = rows
        .iter()
        .map(|r| {
            Ok(TimerRow {
                id: r.try_get("id")?,
                lead_id: LeadId(r.try_get("lead_id")?),
                kind: r.try_get("kind")?,
                due_at: ts(r.try_get("due_at")?)?,
                created_at: ts(r.try_get("created_at")?)?,
            })
        })
        .collect::<Result<_>>()?;
    timers.sort_by_key(|t| (t.due_at, t.id));
    Ok(timers)
}

/// When the next timer is due: the earliest unfired timer, or the end of a live lease.
pub(super) async fn next_timer_at(store: &PgStore) -> Result<Option<Timestamp>> {
    let next: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(GREATEST(due_at, COALESCE(lease_until, 0))) FROM follow_up_timers
         WHERE fired_at IS NULL",
    )
    .fetch_one(&store.pool)
    .await?;
    opt_ts(next)
}

/// The frequency caps' count: sent calls and texts to a list of numbers (`$1`) finished after `$2`
/// (the partial index `touches_recipient_sent`).
pub(super) const PHONE_SENDS: &str = "SELECT recipient, finished_at FROM touches
     WHERE state = 'sent' AND channel IN ('sms', 'call', 'voicemail')
       AND finished_at > $2 AND recipient = ANY($1)
     ORDER BY finished_at";

/// [`crate::WorkQueue::reserve_phone_sends`] on PostgreSQL. Each number's advisory transaction lock
/// (taken in sorted order, so two reservations cannot deadlock) makes a reservation wait for any
/// other one of the same number to commit; it then sees that one's touches in flight, and its own
/// are recorded before the locks go.
pub(super) async fn reserve_phone_sends(
    store: &PgStore,
    worker: &str,
    holds: &[(i64, String)],
    since: Timestamp,
) -> Result<std::collections::HashMap<String, Vec<Timestamp>>> {
    if holds.is_empty() {
        return Ok(Default::default());
    }
    let ids: Vec<i64> = holds.iter().map(|(id, _)| *id).collect();
    let phones: Vec<String> = holds.iter().map(|(_, p)| p.clone()).collect();
    let mut tx = store.begin().await?;
    sqlx::query(
        "SELECT pg_advisory_xact_lock(k) FROM (
             SELECT DISTINCT hashtextextended('keepwarm cap' || p, 0) AS k
             FROM unnest($1::text[]) AS p ORDER BY k) AS keys",
    )
    .bind(&phones)
    .execute(&mut *tx)
    .await?;
    let mut rows: Vec<(String, i64)> = sqlx::query_as(PHONE_SENDS)
        .bind(&phones)
        .bind(ms(since))
        .fetch_all(&mut *tx)
        .await?;
    let in_flight: Vec<(String, i64)> = sqlx::query_as(
        "SELECT recipient, COALESCE(claimed_at, due_at) FROM touches
         WHERE state = 'sending' AND channel IN ('sms', 'call', 'voicemail')
           AND recipient = ANY($1) AND NOT id = ANY($2)",
    )
    .bind(&phones)
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE touches t SET recipient = h.phone
         FROM unnest($1::bigint[], $2::text[]) AS h (id, phone)
         WHERE t.id = h.id AND t.state = 'sending' AND t.lease_owner = $3",
    )
    .bind(&ids)
    .bind(&phones)
    .bind(worker)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    rows.extend(in_flight);
    crate::sqlite::sends_by_phone(rows)
}
