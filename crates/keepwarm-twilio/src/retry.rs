//! When the client retries a failed request, and how long it waits. Pure decisions (the client
//! does the sleeping); owns no IO and no clock.
//!
//! # Why creates are retried only when Twilio surely did nothing
//!
//! Twilio's Messages and Calls APIs take no idempotency key: a `POST` that reached Twilio and
//! created a message, but whose answer was lost, cannot be told apart from one that never
//! arrived, and sending it again texts the lead twice. So the client retries a create only when
//! the failure proves nothing was created:
//!
//! - **429** (code 20429): Twilio refused the request before doing anything with it;
//! - **503**: Twilio is not accepting requests (its front door answers this before processing);
//! - **connection errors** (the TCP or TLS connection never opened): nothing was sent.
//!
//! Any other 5xx (500, 502, 504), a timeout or a connection dropped after the request was
//! written may have created the message. Those are returned at once as
//! [`crate::TwilioError::Unavailable`] with `maybe_sent: true`; the engine then reconciles with
//! [`crate::TwilioClient::find_sent_message`] before deciding to send again. Reads (list, fetch)
//! are idempotent, so they are retried after any of these failures.
//!
//! # How long it waits
//!
//! Exponential backoff with full jitter: before retry `n` (1-based) it sleeps a uniformly random
//! duration in `[0, min(max_delay, base_delay * 2^(n-1))]`, which spreads retries from many
//! workers instead of synchronising them. A `Retry-After` header in seconds replaces the backoff
//! when it is at most `max_retry_after`; a longer one ends the retries at once and is handed to
//! the caller as the error's `retry_after`, since a worker should reschedule rather than sleep
//! that long. (`Retry-After` as an HTTP date would need the clock and is treated as absent.)

use std::time::Duration;

/// How many times and how patiently the client retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Requests made at most, the first included; 1 disables retries.
    pub max_attempts: u32,
    /// The backoff cap before the first retry; doubles for each further retry.
    pub base_delay: Duration,
    /// The largest backoff cap.
    pub max_delay: Duration,
    /// The longest `Retry-After` the client sleeps through itself.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// Three attempts, 250 ms base, 4 s cap, `Retry-After` honoured up to 10 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(4),
            max_retry_after: Duration::from_secs(10),
        }
    }
}

/// Whether a request may have side effects at Twilio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// A `POST` creating a message or call: retrying could duplicate it.
    Create,
    /// A `GET`: safe to repeat.
    Read,
}

/// How one attempt failed, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptFailure {
    /// Twilio answered with this HTTP status (429 or 5xx; other statuses are never retried).
    Status(u16),
    /// The connection could not be opened: the request was never sent.
    ConnectFailed,
    /// The request may have been sent, then the connection failed or timed out.
    AfterSend,
}

impl AttemptFailure {
    /// Whether the request may have taken effect at Twilio.
    pub fn maybe_sent(self, kind: RequestKind) -> bool {
        kind == RequestKind::Create
            && match self {
                AttemptFailure::Status(status) => status != 429 && status != 503,
                AttemptFailure::ConnectFailed => false,
                AttemptFailure::AfterSend => true,
            }
    }

    /// Whether this failure may be retried inside the client (see the module docs).
    pub fn is_retryable(self, kind: RequestKind) -> bool {
        let transient = match self {
            AttemptFailure::Status(status) => status == 429 || (500..=599).contains(&status),
            AttemptFailure::ConnectFailed | AttemptFailure::AfterSend => true,
        };
        transient && !self.maybe_sent(kind)
    }
}

impl RetryPolicy {
    /// No retries: one attempt.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The largest backoff before retry `retry` (1-based), before jitter.
    pub fn backoff_cap(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// How long to wait before retry `retry` (1-based) after a failure that may be retried, or
    /// `None` when the client should stop: attempts used up, or a `Retry-After` longer than
    /// `max_retry_after`. `jitter` is a uniform draw in `[0, 1]`.
    pub fn delay_before(
        &self,
        retry: u32,
        retry_after: Option<Duration>,
        jitter: f64,
    ) -> Option<Duration> {
        if retry >= self.max_attempts {
            return None;
        }
        match retry_after {
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait),
            None => Some(self.backoff_cap(retry).mul_f64(jitter.clamp(0.0, 1.0))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_jitter_scales_it() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(5),
        };
        assert_eq!(policy.backoff_cap(1), Duration::from_millis(100));
        assert_eq!(policy.backoff_cap(3), Duration::from_millis(400));
        assert_eq!(policy.backoff_cap(4), Duration::from_millis(500));
        assert_eq!(
            policy.delay_before(2, None, 0.5),
            Some(Duration::from_millis(100))
        );
        assert_eq!(policy.delay_before(2, None, 0.0), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_replaces_backoff_unless_it_is_too_long() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.delay_before(1, Some(Duration::from_secs(2)), 0.9),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            policy.delay_before(1, Some(Duration::from_secs(60)), 0.9),
            None
        );
        assert_eq!(policy.delay_before(3, None, 0.9), None, "attempts used up");
    }

    #[test]
    fn a_create_is_retried_only_when_twilio_surely_did_nothing() {
        use AttemptFailure::*;
        let create = RequestKind::Create;
        assert!(Status(429).is_retryable(create));
        assert!(Status(503).is_retryable(create));
        assert!(ConnectFailed.is_retryable(create));
        assert!(!Status(500).is_retryable(create));
        assert!(Status(500).maybe_sent(create));
        assert!(!AfterSend.is_retryable(create));
        assert!(Status(500).is_retryable(RequestKind::Read));
        assert!(AfterSend.is_retryable(RequestKind::Read));
        assert!(!Status(400).is_retryable(RequestKind::Read));
    }
}
