//! Clocks. The engine reads time only through [`Clock`]; [`SystemClock`] is the one place in keepwarm
//! that reads the system clock, and [`ManualClock`] moves only when told to (demos, tests, and the
//! simulator).

use std::sync::{Arc, Mutex};

use jiff::Timestamp;

/// A source of the current instant.
pub trait Clock: Send + Sync + 'static {
    /// Now.
    fn now(&self) -> Timestamp;

    /// The manual clock behind this one, if it is manual.
    fn as_manual(&self) -> Option<&ManualClock> {
        None
    }
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(
        clippy::disallowed_methods,
        reason = "the one clock adapter that reads the system clock"
    )]
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that stands still until set.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<Timestamp>>,
}

impl ManualClock {
    /// A clock stopped at `start`.
    pub fn new(start: Timestamp) -> Self {
        Self {
            now: Arc::new(Mutex::new(start)),
        }
    }

    /// Moves the clock to `to`. A manual clock never goes backwards: an earlier instant is ignored.
    pub fn set(&self, to: Timestamp) {
        let mut now = self.now.lock().unwrap_or_else(|p| p.into_inner());
        if to > *now {
            *now = to;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.now.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn as_manual(&self) -> Option<&ManualClock> {
        Some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_forward() {
        let start: Timestamp = "2026-03-02T15:00:00Z".parse().unwrap();
        let clock = ManualClock::new(start);
        clock.set("2026-03-01T00:00:00Z".parse().unwrap());
        assert_eq!(clock.now(), start);
        let later: Timestamp = "2026-03-03T00:00:00Z".parse().unwrap();
        clock.set(later);
        assert_eq!(clock.now(), later);
    }
}
