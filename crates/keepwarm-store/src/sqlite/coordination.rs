//! [`Coordination`] on SQLite: no notifications (processes sharing a file share a machine, and
//! their workers poll), and the send schedule as one upsert on the writer, which SQLite's write
//! lock serializes across processes.

use std::time::Duration;

use async_trait::async_trait;
use sqlx::Row;

use super::SqliteStore;
use crate::coordination::{interval_ms, slot_wait, Coordination};
use crate::Result;

/// Now in milliseconds since the Unix epoch by SQLite's clock ('now' is fixed for one statement).
const NOW_MS: &str = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";

#[async_trait]
impl Coordination for SqliteStore {
    async fn reserve_send_slot(
        &self,
        sender: &str,
        interval: Duration,
        burst: u32,
    ) -> Result<Duration> {
        let interval = interval_ms(interval);
        let row = sqlx::query(&format!(
            "INSERT INTO send_pacing (sender, next_free) VALUES (?1, {NOW_MS} + ?2)
             ON CONFLICT (sender) DO UPDATE SET next_free = MAX(next_free, {NOW_MS}) + ?2
             RETURNING next_free - ?2 AS schedule, {NOW_MS} AS now"
        ))
        .bind(sender)
        .bind(interval)
        .fetch_one(&self.writer)
        .await?;
        Ok(slot_wait(
            row.try_get("now")?,
            row.try_get("schedule")?,
            interval,
            burst,
        ))
    }
}
