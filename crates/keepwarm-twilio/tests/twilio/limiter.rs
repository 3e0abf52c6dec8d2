//! The per-number send rate limiter, under tokio's paused clock.

use keepwarm_twilio::{RateLimit, SendRateLimiter};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

#[tokio::test(start_paused = true)]
async fn one_number_sends_at_its_rate_while_another_number_is_not_held_up() {
    let limiter = Arc::new(SendRateLimiter::new(Some(RateLimit::per_second(1, 1))));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..3 {
        let limiter = Arc::clone(&limiter);
        tasks.push(tokio::spawn(async move {
            limiter.acquire("+13125550100").await;
            start.elapsed()
        }));
    }
    let other = {
        let limiter = Arc::clone(&limiter);
        tokio::spawn(async move {
            limiter.acquire("+13125550101").await;
            start.elapsed()
        })
    };
    let mut waits = Vec::new();
    for task in tasks {
        waits.push(task.await.unwrap());
    }
    waits.sort();
    assert_eq!(
        waits,
        [
            Duration::ZERO,
            Duration::from_secs(1),
            Duration::from_secs(2)
        ]
    );
    assert_eq!(other.await.unwrap(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn a_quiet_number_regains_its_burst() {
    let limiter = SendRateLimiter::new(Some(RateLimit::one_every(Duration::from_millis(500), 2)));
    let start = Instant::now();
    for _ in 0..4 {
        limiter.acquire("+13125550100").await;
    }
    assert_eq!(start.elapsed(), Duration::from_secs(1));
    tokio::time::advance(Duration::from_secs(10)).await;
    let again = Instant::now();
    limiter.acquire("+13125550100").await;
    limiter.acquire("+13125550100").await;
    assert_eq!(
        again.elapsed(),
        Duration::ZERO,
        "two sends at once after a quiet spell"
    );
}

#[tokio::test(start_paused = true)]
async fn an_unlimited_limiter_never_waits() {
    let limiter = SendRateLimiter::unlimited();
    let start = Instant::now();
    for _ in 0..1000 {
        limiter.acquire("+13125550100").await;
    }
    assert_eq!(start.elapsed(), Duration::ZERO);
}
