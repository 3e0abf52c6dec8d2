//! Touch claims on SQLite: due touches are claimed for one worker with a lease, touches whose lease
//! expired while `sending` are taken over for reconciliation, and only the lease holder may release
//! a touch (its result is recorded in `write.rs` under the same rule).
//!
//! Every claim runs inside `BEGIN IMMEDIATE`, which holds SQLite's single write lock from the start:
//! two processes on one database file claim disjoint touches.

use std::collections::HashMap;

use jiff::Timestamp;
use keepwarm_domain::LeadId;

use super::{insert_events, ms, opt_ts, read, SqliteStore};
use crate::records::{ClaimedTouch, NewEvent};
use crate::{Result, StoreError};

/// Which touches a claim takes.
#[derive(Debug, Clone, Copy)]
pub(super) enum Claim {
    /// Scheduled touches due at or before `now`.
    Due,
    /// `sending` touches whose lease ran out at or before `now` (or that have none: they were left
    /// by a version without leases).
    Expired,
}

impl Claim {
    fn condition(self) -> &'static str {
        match self {
            Claim::Due => "state = 'scheduled' AND due_at <= ?1",
            Claim::Expired => "state = 'sending' AND (lease_until IS NULL OR lease_until <= ?1)",
        }
    }

    /// The ids of up to `?2` touches to claim at `?1`, oldest due first, as one JSON row: one
    /// hand-off from sqlx's SQLite thread whatever the batch size.
    pub(super) fn ids_sql(self) -> String {
        format!(
            "SELECT json_group_array(id) FROM (
                 SELECT id FROM touches WHERE {} ORDER BY due_at, id LIMIT ?2)",
            self.condition()
        )
    }
}

/// Claims up to `limit` touches for `worker` until `lease_until`, oldest due first, and reads them
/// with their leads. A due touch gets `claimed_at = now`; a taken-over one keeps its claim time, the
/// instant reconciliation looks back from.
pub(super) async fn claim(
    store: &SqliteStore,
    which: Claim,
    now: Timestamp,
    worker: &str,
    lease_until: Timestamp,
    limit: u32,
) -> Result<Vec<ClaimedTouch>> {
    let condition = which.condition();
    // Most calls find nothing: answer those with one read, without taking the write lock.
    let any: Option<i64> =
        sqlx::query_scalar(&format!("SELECT id FROM touches WHERE {condition} LIMIT 1"))
            .bind(ms(now))
            .fetch_optional(&store.writer)
            .await?;
    if any.is_none() {
        return Ok(Vec::new());
    }
    let mut tx = store.write_tx().await?;
    let ids: String = sqlx::query_scalar(&which.ids_sql())
        .bind(ms(now))
        .bind(i64::from(limit))
        .fetch_one(&mut *tx)
        .await?;
    let claimed_at = match which {
        Claim::Due => "?1",
        Claim::Expired => "claimed_at",
    };
    sqlx::query(&format!(
        "UPDATE touches SET state = 'sending', claimed_at = {claimed_at}, lease_owner = ?2,
             lease_until = ?3
         WHERE id IN (SELECT value FROM json_each(?4))"
    ))
    .bind(ms(now))
    .bind(worker)
    .bind(ms(lease_until))
    .bind(&ids)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let ids: Vec<i64> =
        serde_json::from_str(&ids).map_err(|e| StoreError::Corrupt(format!("claimed ids: {e}")))?;
    read::fetch_claimed(&store.writer, &ids).await
}

/// Puts a `sending` touch leased to `worker` back to `scheduled`, with its event; a touch whose
/// lease another worker took over is left alone.
pub(super) async fn release(
    store: &SqliteStore,
    touch: i64,
    worker: &str,
    event: &NewEvent,
) -> Result<()> {
    let mut tx = store.write_tx().await?;
    let lead: Option<i64> = sqlx::query_scalar(
        "UPDATE touches SET state = 'scheduled', claimed_at = NULL, lease_owner = NULL,
             lease_until = NULL
         WHERE id = ?1 AND state = 'sending' AND lease_owner = ?2
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
pub(super) async fn next_at(store: &SqliteStore) -> Result<Option<Timestamp>> {
    let at: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(t) FROM (
             SELECT MIN(due_at) AS t FROM touches WHERE state = 'scheduled'
             UNION ALL
             SELECT MIN(COALESCE(lease_until, 0)) FROM touches WHERE state = 'sending')",
    )
    .fetch_one(&store.writer)
    .await?;
    opt_ts(at)
}

/// The earliest scheduled touch's due time and the earliest `sending` touch's lease end (0 for a
/// touch without one), in one statement.
pub(super) async fn next_touch_and_lease(
    store: &SqliteStore,
) -> Result<(Option<Timestamp>, Option<Timestamp>)> {
    let (due, lease): (Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT (SELECT MIN(due_at) FROM touches WHERE state = 'scheduled'),
                (SELECT MIN(COALESCE(lease_until, 0)) FROM touches WHERE state = 'sending')",
    )
    .fetch_one(&store.writer)
    .await?;
    Ok((opt_ts(due)?, opt_ts(lease)?))
}

/// The frequency caps' count: sent calls and texts to a JSON list of numbers (`?1`) finished after
/// `?2`. Named index: without statistics SQLite's planner takes `touches_due` for `state = 'sent'`
/// and walks every touch ever sent, once a batch (half of the dispatcher's SQL time at 10,000
/// touches, and growing with the table); this one reads only the batch's numbers. A statement
/// whose named index cannot serve it fails to prepare, so the index cannot quietly go.
pub(super) const PHONE_SENDS: &str =
    "SELECT recipient, finished_at FROM touches INDEXED BY touches_recipient_sent
     WHERE state = 'sent' AND channel IN ('sms', 'call', 'voicemail')
       AND finished_at > ?2
       AND recipient IN (SELECT value FROM json_each(?1))
     ORDER BY finished_at";

/// Sent touches on the phone channels to each of `phones` after `since`, oldest first.
pub(super) async fn phone_sends_since(
    pool: &sqlx::SqlitePool,
    phones: &[String],
    since: Timestamp,
) -> Result<HashMap<String, Vec<Timestamp>>> {
    if phones.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, i64)> = sqlx::query_as(PHONE_SENDS)
        .bind(serde_json::to_string(phones).unwrap_or_else(|_| "[]".into()))
        .bind(ms(since))
        .fetch_all(pool)
        .await?;
    sends_by_phone(rows)
}

/// The caps' rows (number, instant in milliseconds) as each number's instants, oldest first: both
/// backends' answer to [`crate::WorkQueue::phone_sends_since`] and
/// [`crate::WorkQueue::reserve_phone_sends`].
pub(crate) fn sends_by_phone(
    mut rows: Vec<(String, i64)>,
) -> Result<HashMap<String, Vec<Timestamp>>> {
    rows.sort_by_key(|(_, at)| *at);
    let mut out: HashMap<String, Vec<Timestamp>> = HashMap::new();
    for (phone, at) in rows {
        out.entry(phone).or_default().push(super::ts(at)?);
    }
    Ok(out)
}

/// The touches other batches hold in flight to a JSON list of numbers (`?1`), at their claim time,
/// leaving out the reserving batch's own touches (a JSON list of ids, `?2`). Only in-flight touches
/// are read (the partial `touches_sending` index): a handful per worker, however long the history.
pub(super) const PHONE_SENDS_IN_FLIGHT: &str =
    "SELECT recipient, COALESCE(claimed_at, due_at) FROM touches INDEXED BY touches_sending
     WHERE state = 'sending' AND channel IN ('sms', 'call', 'voicemail')
       AND recipient IN (SELECT value FROM json_each(?1))
       AND id NOT IN (SELECT value FROM json_each(?2))";

/// Sets the recipient of the reserving batch's phone touches (a JSON list of `[id, number]` pairs,
/// `?1`) still leased to `?2`, so the batches after it count them in flight.
pub(super) const RESERVE_PHONES: &str =
    "UPDATE touches NOT INDEXED SET recipient = json_extract(j.value, '$[1]')
     FROM json_each(?1) AS j
     WHERE touches.id = json_extract(j.value, '$[0]') AND state = 'sending' AND lease_owner = ?2";

/// [`crate::WorkQueue::reserve_phone_sends`] on SQLite: the count and the reservation in one
/// `BEGIN IMMEDIATE` transaction, so they are serialized with every other reservation and claim.
pub(super) async fn reserve_phone_sends(
    store: &SqliteStore,
    worker: &str,
    holds: &[(i64, String)],
    since: Timestamp,
) -> Result<HashMap<String, Vec<Timestamp>>> {
    if holds.is_empty() {
        return Ok(HashMap::new());
    }
    let json = |v: serde_json::Value| v.to_string();
    let phones = json(holds.iter().map(|(_, p)| p.as_str()).collect());
    let ids = json(holds.iter().map(|(id, _)| *id).collect());
    let pairs = json(
        holds
            .iter()
            .map(|(id, p)| serde_json::json!([id, p]))
            .collect(),
    );
    let mut tx = store.write_tx().await?;
    let mut rows: Vec<(String, i64)> = sqlx::query_as(PHONE_SENDS)
        .bind(&phones)
        .bind(ms(since))
        .fetch_all(&mut *tx)
        .await?;
    let in_flight: Vec<(String, i64)> = sqlx::query_as(PHONE_SENDS_IN_FLIGHT)
        .bind(&phones)
        .bind(&ids)
        .fetch_all(&mut *tx)
        .await?;
    sqlx::query(RESERVE_PHONES)
        .bind(&pairs)
        .bind(worker)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    rows.extend(in_flight);
    sends_by_phone(rows)
}
