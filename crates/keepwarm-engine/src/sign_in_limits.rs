//! Sign-in attempts limited per account and per address, so a password cannot be guessed quickly
//! from one machine or against one person from many (issue 14).
//!
//! A fixed budget of failures in a sliding window per key (`account:sam`, `address:10.0.0.7`): a
//! key over budget is refused until its oldest failure leaves the window. A successful sign-in
//! clears its account's failures. The failures are kept in the store, so the limit survives a
//! restart and holds across every process serving the workspace on one database. The decision is
//! [`wait_for`], a plain function of the failures and `now`.

use jiff::{SignedDuration, Timestamp};
use keepwarm_store::SignInFailures;

use crate::{Engine, Result};

/// Failures allowed per account in the window.
pub const ACCOUNT_BUDGET: u32 = 5;
/// Failures allowed per address in the window (a shared office address signs many people in).
pub const ADDRESS_BUDGET: u32 = 20;
/// The window.
pub const WINDOW: SignedDuration = SignedDuration::from_mins(15);

/// The keys an attempt counts against, with their budgets: the account named (as typed,
/// lower-cased) and the address.
pub fn keys(login: &str, address: &str) -> [(String, u32); 2] {
    [
        (
            format!("account:{}", login.trim().to_lowercase()),
            ACCOUNT_BUDGET,
        ),
        (format!("address:{address}"), ADDRESS_BUDGET),
    ]
}

/// `None` when an attempt under `keys` may go now, given each key's failures within the window,
/// else the seconds until it may (the longest wait of the keys over budget).
pub fn wait_for(
    keys: &[(String, u32)],
    failures: &[SignInFailures],
    now: Timestamp,
) -> Option<u64> {
    keys.iter()
        .filter_map(|(key, budget)| {
            let f = failures.iter().find(|f| &f.key == key)?;
            (f.count >= *budget)
                .then(|| (f.oldest + WINDOW).duration_since(now).as_secs().max(1) as u64)
        })
        .max()
}

fn names(keys: &[(String, u32)]) -> Vec<String> {
    keys.iter().map(|(k, _)| k.clone()).collect()
}

impl Engine {
    /// `None` when a sign-in under `keys` ([`keys`]) may be tried now, else the seconds to wait.
    pub async fn sign_in_wait(&self, keys: &[(String, u32)]) -> Result<Option<u64>> {
        let now = self.now();
        let failures = self
            .store()
            .sign_in_failures(&names(keys), now - WINDOW)
            .await?;
        Ok(wait_for(keys, &failures, now))
    }

    /// Notes a failed sign-in against every key.
    pub async fn sign_in_failed(&self, keys: &[(String, u32)]) -> Result<()> {
        let now = self.now();
        self.store()
            .record_sign_in_failure(&names(keys), now, now - WINDOW)
            .await?;
        Ok(())
    }

    /// Forgets a key's failures (its account signed in).
    pub async fn sign_in_succeeded(&self, key: &str) -> Result<()> {
        self.store().clear_sign_in_failures(key).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + minute * 60).expect("instant")
    }

    fn failed(key: &str, count: u32, oldest: i64) -> SignInFailures {
        SignInFailures {
            key: key.into(),
            count,
            oldest: at(oldest),
        }
    }

    #[test]
    fn an_account_over_its_budget_waits_until_its_oldest_failure_leaves_the_window() {
        let k = keys("Sam", "10.0.0.1");
        assert_eq!(wait_for(&k, &[failed("account:sam", 4, 0)], at(4)), None);
        assert_eq!(
            wait_for(&k, &[failed("account:sam", 5, 0)], at(5)),
            Some(10 * 60)
        );
        // Another account from the same address is not held by Sam's failures.
        let other = keys("alex", "10.0.0.1");
        assert_eq!(
            wait_for(&other, &[failed("account:sam", 5, 0)], at(5)),
            None
        );
    }

    #[test]
    fn an_address_over_its_budget_holds_every_account_and_the_longest_wait_counts() {
        let k = keys("someone", "10.0.0.7");
        let failures = [
            failed("address:10.0.0.7", ADDRESS_BUDGET, 2),
            failed("account:someone", ACCOUNT_BUDGET, 0),
        ];
        assert_eq!(wait_for(&k, &failures, at(3)), Some(14 * 60));
        assert_eq!(
            wait_for(&keys("someone", "10.0.0.8"), &failures[..1], at(3)),
            None
        );
    }
}
