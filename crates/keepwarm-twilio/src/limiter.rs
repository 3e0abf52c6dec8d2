//! [`SendRateLimiter`]: one token bucket per sending number, shared by every task that sends, and
//! through a [`SharedSchedule`] by every process that sends from the same numbers.
//! Owns only waiting; it reads tokio's clock (pausable in tests), never the system clock.
//!
//! Twilio queues what a number cannot send at once (a US long code sends about one segment a
//! second) and drops what waits too long, so keepwarm paces itself instead: each sender gets a
//! bucket of `burst` tokens refilled at `per_second`, and a send waits for a token. Several
//! processes sending from one number share one bucket kept outside them (keepwarm keeps it in its
//! database); a process whose shared bucket cannot be reached paces on its own bucket meanwhile.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// A token bucket per sender kept outside this process, so that every process sending from a
/// number shares its rate.
pub trait SharedSchedule: Send + Sync + std::fmt::Debug {
    /// Takes `sender`'s next token (at most `burst` at once, then one per `interval`) and says how
    /// long to wait before using it; `Err` with the reason when the schedule cannot be reached.
    fn reserve<'a>(
        &'a self,
        sender: &'a str,
        interval: Duration,
        burst: u32,
    ) -> Pin<Box<dyn Future<Output = Result<Duration, String>> + Send + 'a>>;
}

/// How fast one sender may send.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    interval: Duration,
    burst: u32,
}

impl RateLimit {
    /// `per_second` texts a second, with up to `burst` at once after a quiet spell. Zeros count
    /// as one.
    pub fn per_second(per_second: u32, burst: u32) -> Self {
        RateLimit {
            interval: Duration::from_secs(1) / per_second.max(1),
            burst: burst.max(1),
        }
    }

    /// One text every `interval` (for rates under one a second), with up to `burst` at once.
    pub fn one_every(interval: Duration, burst: u32) -> Self {
        RateLimit {
            interval,
            burst: burst.max(1),
        }
    }

    /// The time one token takes to come back.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// How many sends may go at once after a quiet spell.
    pub fn burst(&self) -> u32 {
        self.burst
    }
}

/// A token bucket per sender; `None` for unlimited. Share it with `Arc`.
#[derive(Debug)]
pub struct SendRateLimiter {
    limit: Option<RateLimit>,
    buckets: Mutex<HashMap<String, Bucket>>,
    shared: Option<Arc<dyn SharedSchedule>>,
}

/// When the bucket would next be full, as a virtual schedule: a sender whose `next_free` is
/// `burst` intervals in the future has no token left.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    next_free: Instant,
}

impl SendRateLimiter {
    /// A limiter applying `limit` to every sender, or none when `limit` is `None`.
    pub fn new(limit: Option<RateLimit>) -> Self {
        SendRateLimiter {
            limit,
            buckets: Mutex::new(HashMap::new()),
            shared: None,
        }
    }

    /// A limiter applying `limit` through `shared`, the bucket every process sending from the
    /// same numbers uses; this process's own bucket only while `shared` cannot be reached.
    pub fn shared(limit: Option<RateLimit>, shared: Arc<dyn SharedSchedule>) -> Self {
        SendRateLimiter {
            shared: Some(shared),
            ..SendRateLimiter::new(limit)
        }
    }

    /// A limiter that never waits.
    pub fn unlimited() -> Self {
        SendRateLimiter::new(None)
    }

    /// The limit applied, if any.
    pub fn limit(&self) -> Option<RateLimit> {
        self.limit
    }

    /// Waits until `sender` (a number or Messaging Service SID) may send one text, and takes
    /// its token. Tokens are handed out in call order. A call dropped while waiting still
    /// spends its token: the sender is never allowed faster than its rate, at worst slower.
    pub async fn acquire(&self, sender: &str) {
        if let (Some(limit), Some(shared)) = (self.limit, &self.shared) {
            match shared.reserve(sender, limit.interval, limit.burst).await {
                Ok(wait) => {
                    if !wait.is_zero() {
                        tokio::time::sleep(wait).await;
                    }
                    return;
                }
                Err(reason) => tracing::warn!(
                    sender,
                    reason,
                    "the shared send schedule cannot be reached; pacing on this process's own"
                ),
            }
        }
        if let Some(wait) = self.reserve(sender, Instant::now()) {
            tokio::time::sleep_until(wait).await;
        }
    }

    /// Takes a token for `sender` at `now` and returns when it may be used, if not at once.
    fn reserve(&self, sender: &str, now: Instant) -> Option<Instant> {
        let limit = self.limit?;
        let mut buckets = match self.buckets.lock() {
            Ok(guard) => guard,
            // A panic elsewhere while holding the lock leaves only a timestamp behind; keep going.
            Err(poisoned) => poisoned.into_inner(),
        };
        let bucket = buckets
            .entry(sender.to_owned())
            .or_insert(Bucket { next_free: now });
        // The earliest this send may go: `burst - 1` intervals before the schedule's end.
        let allowance = limit.interval.saturating_mul(limit.burst - 1);
        let schedule = bucket.next_free.max(now);
        let start = schedule.checked_sub(allowance).unwrap_or(now).max(now);
        bucket.next_free = schedule + limit.interval;
        (start > now).then_some(start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_burst_goes_at_once_then_the_rate_applies() {
        let limiter = SendRateLimiter::new(Some(RateLimit::per_second(2, 3)));
        let start = Instant::now();
        let mut at = Vec::new();
        for _ in 0..5 {
            limiter.acquire("+13125550100").await;
            at.push(start.elapsed().as_millis());
        }
        assert_eq!(at, vec![0, 0, 0, 500, 1000]);
    }

    /// A schedule two limiters share, as two processes share their database's; or one that is down.
    #[derive(Debug)]
    struct Outside {
        local: SendRateLimiter,
        down: bool,
    }

    impl SharedSchedule for Outside {
        fn reserve<'a>(
            &'a self,
            sender: &'a str,
            _interval: Duration,
            _burst: u32,
        ) -> Pin<Box<dyn Future<Output = Result<Duration, String>> + Send + 'a>> {
            Box::pin(async move {
                if self.down {
                    return Err("connection refused".into());
                }
                let now = Instant::now();
                Ok(self
                    .local
                    .reserve(sender, now)
                    .map_or(Duration::ZERO, |at| at - now))
            })
        }
    }

    #[tokio::test(start_paused = true)]
    async fn two_limiters_on_one_shared_schedule_keep_the_numbers_rate_between_them() {
        let limit = Some(RateLimit::per_second(2, 1));
        let outside = Arc::new(Outside {
            local: SendRateLimiter::new(limit),
            down: false,
        });
        let a = SendRateLimiter::shared(limit, outside.clone());
        let b = SendRateLimiter::shared(limit, outside);
        let start = Instant::now();
        let mut at = Vec::new();
        for i in 0..4 {
            let limiter = if i % 2 == 0 { &a } else { &b };
            limiter.acquire("+13125550100").await;
            at.push(start.elapsed().as_millis());
        }
        assert_eq!(at, vec![0, 500, 1000, 1500]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_shared_schedule_that_is_down_falls_back_to_the_processs_own_pace() {
        let limit = Some(RateLimit::per_second(2, 1));
        let down = Arc::new(Outside {
            local: SendRateLimiter::unlimited(),
            down: true,
        });
        let limiter = SendRateLimiter::shared(limit, down);
        let start = Instant::now();
        let mut at = Vec::new();
        for _ in 0..3 {
            limiter.acquire("+13125550100").await;
            at.push(start.elapsed().as_millis());
        }
        assert_eq!(at, vec![0, 500, 1000]);
    }
}
