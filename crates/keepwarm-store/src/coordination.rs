//! [`Coordination`]: what processes sharing one database tell each other, beyond the rows of work
//! themselves: "work is due now" wake-ups, and a shared schedule of send slots per sending number.
//!
//! Neither is a source of truth. A wake-up only shortens a worker's sleep (workers still look at
//! the store on a timer, and a lost wake-up costs at most that timer); the send schedule only paces
//! providers (a failed reservation falls back to the process's own pacing, never to no pacing).

use std::time::Duration;

use async_trait::async_trait;

use crate::Result;

/// The PostgreSQL channel `NOTIFY` wakes workers on.
pub const WORK_CHANNEL: &str = "keepwarm_work";

/// Wake-ups and pacing shared by every process on one database.
#[async_trait]
pub trait Coordination: Send + Sync + 'static {
    /// Tells workers in every process that work may be due now (PostgreSQL: `NOTIFY keepwarm_work`).
    /// A hint only; SQLite, whose processes share a machine and poll, does nothing.
    async fn announce_work(&self) -> Result<()> {
        Ok(())
    }

    /// Starts listening for [`Coordination::announce_work`] from any process; `None` on a backend
    /// without notifications (SQLite).
    async fn listen_for_work(&self) -> Result<Option<WorkListener>> {
        Ok(None)
    }

    /// Takes the next send slot of `sender` (a number or Messaging Service SID) on a schedule kept
    /// in the database, so every process sending from that number shares one token bucket: at most
    /// `burst` at once, then one per `interval`. Returns how long to wait before using the slot,
    /// measured by the database's clock (so processes on machines whose clocks disagree still
    /// share one schedule). The slot is spent whether or not the caller uses it.
    async fn reserve_send_slot(
        &self,
        sender: &str,
        interval: Duration,
        burst: u32,
    ) -> Result<Duration>;
}

/// A connection listening for work announcements (see [`Coordination::listen_for_work`]).
pub struct WorkListener {
    pub(crate) inner: sqlx::postgres::PgListener,
}

impl std::fmt::Debug for WorkListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkListener")
            .field("channel", &WORK_CHANNEL)
            .finish()
    }
}

impl WorkListener {
    /// Waits for the next announcement. A lost connection is reconnected by the next call; the
    /// error is returned (after a pause, so a caller looping on it does not spin) and the caller
    /// should treat it like an announcement: work may have been announced meanwhile.
    pub async fn next(&mut self) -> Result<()> {
        match self.inner.recv().await {
            Ok(_) => Ok(()),
            Err(e) => {
                tokio::time::sleep(Duration::from_secs(1)).await;
                Err(e.into())
            }
        }
    }
}

/// When a reservation may be used: the GCRA form of a token bucket. `schedule` is the sender's
/// theoretical next slot before this reservation (at least `now`); the bucket lets a send go up to
/// `burst - 1` intervals ahead of it. All in milliseconds of the database's clock.
pub(crate) fn slot_wait(now_ms: i64, schedule_ms: i64, interval_ms: i64, burst: u32) -> Duration {
    let allowance = interval_ms.saturating_mul(i64::from(burst.max(1)) - 1);
    let start = schedule_ms.saturating_sub(allowance).max(now_ms);
    Duration::from_millis(u64::try_from(start - now_ms).unwrap_or(0))
}

/// An interval in whole milliseconds, at least one (a zero interval would never advance the
/// schedule).
pub(crate) fn interval_ms(interval: Duration) -> i64 {
    i64::try_from(interval.as_millis())
        .unwrap_or(i64::MAX)
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_goes_at_once_then_each_slot_waits_one_interval_more() {
        // Reservations at the same instant against a schedule that moves one interval each time.
        let waits: Vec<u128> = (0..5)
            .map(|i| slot_wait(1_000, 1_000 + i * 500, 500, 3).as_millis())
            .collect();
        assert_eq!(waits, vec![0, 0, 0, 500, 1000]);
    }

    #[test]
    fn a_schedule_in_the_past_means_no_wait() {
        assert_eq!(slot_wait(10_000, 10_000, 1_000, 1), Duration::ZERO);
        assert_eq!(interval_ms(Duration::ZERO), 1);
    }
}
