//! Sign-in attempts limited per account and per address, so a password cannot be guessed quickly
//! from one machine or against one person from many.
//!
//! A fixed budget of failures in a sliding window per key (`account:sam`, `address:10.0.0.7`);
//! a key over budget is refused until its oldest failure leaves the window. A successful sign-in
//! clears its account's failures. Kept in memory: a restart forgets, which only ever lets a
//! guesser start over once per restart. Time is a parameter.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use jiff::{SignedDuration, Timestamp};

/// Failures allowed per account in the window.
pub const ACCOUNT_BUDGET: usize = 5;
/// Failures allowed per address in the window (a shared office address signs many people in).
pub const ADDRESS_BUDGET: usize = 20;
/// The window.
pub const WINDOW: SignedDuration = SignedDuration::from_mins(15);
/// Most keys remembered; past it the oldest are forgotten, so a flood of made-up accounts cannot
/// exhaust memory.
const MAX_KEYS: usize = 100_000;

/// The failures of every key.
#[derive(Debug, Default)]
pub struct SignInLimiter {
    failures: Mutex<HashMap<String, VecDeque<Timestamp>>>,
}

impl SignInLimiter {
    /// `None` when these keys may try now, else the seconds until they may.
    pub fn wait(&self, keys: &[(String, usize)], now: Timestamp) -> Option<u64> {
        let mut failures = self.lock();
        keys.iter()
            .filter_map(|(key, budget)| {
                let list = failures.get_mut(key)?;
                forget_old(list, now);
                (list.len() >= *budget).then(|| {
                    let oldest = list.front().copied().unwrap_or(now);
                    (oldest + WINDOW).duration_since(now).as_secs().max(1) as u64
                })
            })
            .max()
    }

    /// Notes a failed attempt against every key.
    pub fn failed(&self, keys: &[(String, usize)], now: Timestamp) {
        let mut failures = self.lock();
        if failures.len() >= MAX_KEYS {
            failures.retain(|_, list| {
                forget_old(list, now);
                !list.is_empty()
            });
            if failures.len() >= MAX_KEYS {
                failures.clear();
            }
        }
        for (key, _) in keys {
            failures.entry(key.clone()).or_default().push_back(now);
        }
    }

    /// Forgets a key's failures (its account signed in).
    pub fn succeeded(&self, key: &str) {
        self.lock().remove(key);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<Timestamp>>> {
        self.failures.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn forget_old(list: &mut VecDeque<Timestamp>, now: Timestamp) {
    while list
        .front()
        .is_some_and(|t| now.duration_since(*t) >= WINDOW)
    {
        list.pop_front();
    }
}

/// The keys an attempt counts against: the account named (as typed, lower-cased) and the address.
pub fn keys(login: &str, address: &str) -> [(String, usize); 2] {
    [
        (
            format!("account:{}", login.trim().to_lowercase()),
            ACCOUNT_BUDGET,
        ),
        (format!("address:{address}"), ADDRESS_BUDGET),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + minute * 60).expect("instant")
    }

    #[test]
    fn an_account_is_refused_after_its_budget_until_the_window_passes() {
        let limiter = SignInLimiter::default();
        let k = keys("Sam", "10.0.0.1");
        for i in 0..ACCOUNT_BUDGET as i64 {
            assert_eq!(limiter.wait(&k, at(i)), None, "attempt {i}");
            limiter.failed(&k, at(i));
        }
        let wait = limiter.wait(&k, at(5)).expect("refused");
        assert_eq!(wait, 10 * 60, "until the first failure is 15 minutes old");
        assert_eq!(
            limiter.wait(&k, at(15)),
            None,
            "the first failure left the window"
        );
        // The same account from another address is refused too; another account is not.
        limiter.failed(&keys("sam", "10.0.0.2"), at(15));
        assert!(limiter.wait(&keys("sam", "10.0.0.9"), at(15)).is_some());
        assert_eq!(limiter.wait(&keys("alex", "10.0.0.9"), at(15)), None);
    }

    #[test]
    fn an_address_is_refused_after_its_budget_across_accounts_and_success_clears_an_account() {
        let limiter = SignInLimiter::default();
        for i in 0..ADDRESS_BUDGET {
            limiter.failed(&keys(&format!("user{i}"), "10.0.0.7"), at(0));
        }
        assert!(limiter.wait(&keys("someone", "10.0.0.7"), at(1)).is_some());
        assert_eq!(limiter.wait(&keys("someone", "10.0.0.8"), at(1)), None);
        limiter.failed(&keys("pat", "10.0.0.8"), at(1));
        limiter.succeeded("account:pat");
        assert_eq!(limiter.wait(&keys("pat", "10.0.0.8"), at(1)), None);
    }
}
