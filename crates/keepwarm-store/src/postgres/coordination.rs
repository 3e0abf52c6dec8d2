//! [`Coordination`] on PostgreSQL: `LISTEN`/`NOTIFY` on [`WORK_CHANNEL`] to wake workers, and the
//! send schedule as one upsert per reservation (the row lock serializes reservations of one
//! sender across processes; other senders never wait).

use std::time::Duration;

use async_trait::async_trait;
use sqlx::Row;

use super::PgStore;
use crate::coordination::{interval_ms, slot_wait, Coordination, WorkListener, WORK_CHANNEL};
use crate::Result;

#[async_trait]
impl Coordination for PgStore {
    async fn announce_work(&self) -> Result<()> {
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(WORK_CHANNEL)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn listen_for_work(&self) -> Result<Option<WorkListener>> {
        // Its own connection (not one of the pool's), held for the process's life.
        let mut inner = sqlx::postgres::PgListener::connect_with(self.pool()).await?;
        inner.listen(WORK_CHANNEL).await?;
        Ok(Some(WorkListener { inner }))
    }

    async fn reserve_send_slot(
        &self,
        sender: &str,
        interval: Duration,
        burst: u32,
    ) -> Result<Duration> {
        let interval = interval_ms(interval);
        let row = sqlx::query(
            "WITH clock AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now)
             INSERT INTO send_pacing AS p (sender, next_free)
             SELECT $1, clock.now + $2 FROM clock
             ON CONFLICT (sender) DO UPDATE
                SET next_free = GREATEST(p.next_free, (SELECT now FROM clock)) + $2
             RETURNING p.next_free - $2 AS schedule, (SELECT now FROM clock) AS now",
        )
        .bind(sender)
        .bind(interval)
        .fetch_one(self.pool())
        .await?;
        Ok(slot_wait(
            row.try_get("now")?,
            row.try_get("schedule")?,
            interval,
            burst,
        ))
    }
}
