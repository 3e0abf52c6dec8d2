//! How this process takes part in the work queue: whether it dispatches at all, and how long the
//! claims it takes are its own. Several processes can share one database in any mix of roles
//! (`serve`, `serve --no-worker`, `worker`); exactly-once rests on the leases, never on the roles.

use jiff::{SignedDuration, Timestamp};

/// The lease on a claimed touch when none is configured. It must outlast sending one batch: at one
/// text a second through a single number (Twilio's pace for a long code), 256 texts take over four
/// minutes.
const TOUCH_LEASE: SignedDuration = SignedDuration::from_mins(10);
/// The lease on queued messages, timers and escalation work when none is configured.
const QUEUE_LEASE: SignedDuration = SignedDuration::from_mins(5);

/// How a process takes part in the work queue.
#[derive(Debug, Clone, Copy)]
pub struct WorkerOptions {
    /// Whether this process runs the dispatcher. `false` (`serve --no-worker`): it records work
    /// and wakes the workers of other processes, and never sends.
    pub dispatches: bool,
    /// How long every claim this process takes is its own before another worker may reconcile it;
    /// `None` for the built-in leases (10 minutes on touches, 5 on queued messages and timers).
    /// A dead worker's claims come back after this long, so shorter means faster recovery, but it
    /// must outlast the slowest batch: a lease that runs out mid-send lets another worker
    /// reconcile a message before it was sent, and that message can then go twice.
    pub lease: Option<SignedDuration>,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            dispatches: true,
            lease: None,
        }
    }
}

impl WorkerOptions {
    /// The end of a lease on a touch claimed at `now`.
    pub(crate) fn touch_lease_until(&self, now: Timestamp) -> Timestamp {
        until(now, self.lease.unwrap_or(TOUCH_LEASE))
    }

    /// The end of a lease on a queued message or timer claimed at `now`.
    pub(crate) fn queue_lease_until(&self, now: Timestamp) -> Timestamp {
        until(now, self.lease.unwrap_or(QUEUE_LEASE))
    }
}

fn until(now: Timestamp, lease: SignedDuration) -> Timestamp {
    now.checked_add(lease).unwrap_or(Timestamp::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configured_lease_replaces_both_built_in_ones() {
        let now: Timestamp = "2026-12-01T15:00:00Z".parse().unwrap();
        let built_in = WorkerOptions::default();
        assert_eq!(built_in.touch_lease_until(now), now + TOUCH_LEASE);
        assert_eq!(built_in.queue_lease_until(now), now + QUEUE_LEASE);
        let short = WorkerOptions {
            lease: Some(SignedDuration::from_secs(8)),
            ..WorkerOptions::default()
        };
        assert_eq!(
            short.touch_lease_until(now),
            now + SignedDuration::from_secs(8)
        );
        assert_eq!(
            short.queue_lease_until(now),
            now + SignedDuration::from_secs(8)
        );
    }
}
