//! The figures `/metrics` reads at scrape time: how much work is waiting and how old the oldest
//! is, and how many escalations are waiting for a person. Counts only; nothing about any lead.

use jiff::Timestamp;
use sqlx::{Row, SqlitePool};

use super::{ms, opt_ts};
use crate::{QueueStats, Result};

/// Reads the queue and escalation figures as of `now`.
pub(super) async fn queue_stats(pool: &SqlitePool, now: Timestamp) -> Result<QueueStats> {
    let touches = sqlx::query(
        "SELECT COUNT(*) AS due, MIN(due_at) AS oldest FROM touches
         WHERE state = 'scheduled' AND due_at <= ?",
    )
    .bind(ms(now))
    .fetch_one(pool)
    .await?;
    let outbound: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbound_messages WHERE state = 'queued' AND due_at <= ?",
    )
    .bind(ms(now))
    .fetch_one(pool)
    .await?;
    let escalations = sqlx::query(
        "SELECT COALESCE(SUM(status = 'open'), 0) AS open,
                COALESCE(SUM(status = 'breached'), 0) AS breached
         FROM escalations WHERE status IN ('open', 'breached')",
    )
    .fetch_one(pool)
    .await?;
    Ok(QueueStats {
        touches_due: touches.try_get("due")?,
        oldest_due_at: opt_ts(touches.try_get("oldest")?)?,
        outbound_due: outbound,
        escalations_open: escalations.try_get("open")?,
        escalations_breached: escalations.try_get("breached")?,
    })
}
