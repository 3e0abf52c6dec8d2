//! [`TwilioError`], the one error type of the REST client, and its classification for the engine.
//! Owns the parsing of Twilio's JSON error body; does no IO.
//!
//! Twilio answers a failed request with an HTTP status and a body such as
//! `{"code": 21610, "message": "Attempt to send to unsubscribed recipient", "more_info":
//! "https://www.twilio.com/docs/errors/21610", "status": 400}`. The code and message are always
//! kept, so nothing Twilio said is dropped on the way to the audit log.

use std::time::Duration;

/// Twilio's JSON error body, as documented with the REST API (`code`, `message`, `more_info`,
/// `status`). Every field is optional here because proxies and outages answer with other bodies.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct TwilioErrorBody {
    /// Twilio's error code, e.g. `21610` (see twilio.com/docs/errors).
    pub code: Option<u32>,
    /// Twilio's human-readable message.
    pub message: Option<String>,
    /// The documentation link Twilio gives for the code.
    pub more_info: Option<String>,
    /// The HTTP status, repeated in the body.
    pub status: Option<u16>,
}

impl TwilioErrorBody {
    /// Parses a response body; a body that is not Twilio's JSON is kept whole as the message.
    pub fn parse(body: &str) -> Self {
        serde_json::from_str::<TwilioErrorBody>(body).unwrap_or_else(|_| TwilioErrorBody {
            message: (!body.trim().is_empty()).then(|| truncate(body.trim(), 500)),
            ..TwilioErrorBody::default()
        })
    }
}

fn truncate(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}

/// Twilio error codes meaning "this recipient cannot be reached on this channel": the number is
/// invalid or cannot take texts or calls. 21211 invalid `To`; 21214 `To` cannot be reached (calls);
/// 21217 `To` does not appear to be valid (calls); 21265 `To` is a short code; 21407 this number
/// type does not support SMS; 21612 `To` not reachable via SMS; 21614 `To` is not a mobile
/// number. Deliberately absent, because they are the dealer's configuration rather than the
/// lead's number: 21401 and 21606 (the sender), 21408 (the account's geographic permissions).
pub const RECIPIENT_UNUSABLE_CODES: &[u32] = &[21211, 21214, 21217, 21265, 21407, 21612, 21614];

/// The code Twilio uses for "recipient has replied STOP" (`Attempt to send to unsubscribed
/// recipient`).
pub const OPTED_OUT_CODE: u32 = 21610;

/// Everything that can go wrong talking to Twilio's REST API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TwilioError {
    /// Twilio refused the message because the recipient opted out (error 21610: they texted
    /// STOP). The engine must stop all texting to this number until they opt back in.
    #[error("Twilio {code}: the recipient has opted out: {message}")]
    RecipientOptedOut {
        /// Always 21610.
        code: u32,
        /// Twilio's message.
        message: String,
    },
    /// The recipient's number can never receive this message (codes in
    /// [`RECIPIENT_UNUSABLE_CODES`]: invalid, landline, unreachable...). Mark the phone unusable.
    #[error("Twilio {code}: the recipient's number is unusable: {message}")]
    InvalidRecipient {
        /// Twilio's code, e.g. 21211 or 21614.
        code: u32,
        /// Twilio's message.
        message: String,
    },
    /// The account SID or auth token was refused (HTTP 401, code 20003) or the account may not
    /// do this (403). Nothing will succeed until configuration changes.
    #[error("Twilio refused the credentials (HTTP {status}, code {code:?}): {message}")]
    Auth {
        /// The HTTP status: 401 or 403.
        status: u16,
        /// Twilio's code, usually 20003.
        code: Option<u32>,
        /// Twilio's message.
        message: String,
    },
    /// Twilio answered 429 (code 20429, too many requests) on every attempt the retry policy
    /// allowed. Nothing was created; send again later, after `retry_after` when given.
    #[error("Twilio rate limited the request after {attempts} attempt(s): {message}")]
    RateLimited {
        /// Twilio's code, usually 20429.
        code: Option<u32>,
        /// Twilio's message.
        message: String,
        /// Twilio's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
        /// How many requests were made.
        attempts: u32,
    },
    /// Twilio was unreachable or failing (a 5xx, a timeout, a connection error) on the last
    /// attempt. Retryable later. When `maybe_sent` is true, the request may have reached Twilio
    /// and created the message or call: reconcile (`TwilioClient::find_sent_message`) before
    /// sending again.
    #[error("Twilio unavailable after {attempts} attempt(s) (HTTP {status:?}, code {code:?}): {message}")]
    Unavailable {
        /// The HTTP status, or `None` for a transport failure.
        status: Option<u16>,
        /// Twilio's code, e.g. 20500, when the body carried one.
        code: Option<u32>,
        /// Twilio's message, or the transport error.
        message: String,
        /// Twilio's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
        /// How many requests were made.
        attempts: u32,
        /// Whether a create request may have taken effect.
        maybe_sent: bool,
    },
    /// Any other 4xx: Twilio understood the request and refused it for a reason that retrying
    /// will not change (a bad `From`, a missing body, an unknown SID...).
    #[error("Twilio rejected the request (HTTP {status}, code {code:?}): {message}")]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// Twilio's code.
        code: Option<u32>,
        /// Twilio's message.
        message: String,
        /// Twilio's documentation link for the code.
        more_info: Option<String>,
    },
    /// Twilio answered success with a body this client cannot read. For a create, the message
    /// or call probably exists: reconcile before sending again.
    #[error("Twilio answered HTTP {status} with an unreadable body: {detail}")]
    InvalidResponse {
        /// The HTTP status.
        status: u16,
        /// What could not be read.
        detail: String,
    },
    /// The request could not be built from the configuration (e.g. a base URL that cannot take
    /// a path, or a SID with characters a path cannot hold). No request was sent.
    #[error("cannot build the Twilio request: {0}")]
    InvalidRequest(String),
}

/// What the engine should do about a [`TwilioError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// The recipient opted out: record the revocation, stop texting them.
    OptedOut,
    /// The number cannot receive messages: mark the phone unusable, try another channel.
    RecipientUnusable,
    /// Try again later, not before `retry_after` when given. If `maybe_sent`, reconcile first.
    Retryable {
        /// Twilio's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
        /// Whether the failed request may have created the message or call.
        maybe_sent: bool,
    },
    /// Credentials or configuration are wrong: alert an operator; every send will fail.
    Misconfigured,
    /// This request will never succeed as it is: record the failure with its code.
    Permanent,
}

impl TwilioError {
    /// Builds the error for a non-success HTTP answer; `attempts` is how many requests were made.
    pub fn from_response(
        status: u16,
        body: &TwilioErrorBody,
        retry_after: Option<Duration>,
        attempts: u32,
        maybe_sent: bool,
    ) -> Self {
        let message = body
            .message
            .clone()
            .unwrap_or_else(|| format!("HTTP {status} without a message"));
        match (status, body.code) {
            (_, Some(OPTED_OUT_CODE)) => TwilioError::RecipientOptedOut {
                code: OPTED_OUT_CODE,
                message,
            },
            (_, Some(code)) if RECIPIENT_UNUSABLE_CODES.contains(&code) => {
                TwilioError::InvalidRecipient { code, message }
            }
            (401 | 403, code) | (_, code @ Some(20003)) => TwilioError::Auth {
                status,
                code,
                message,
            },
            (429, code) => TwilioError::RateLimited {
                code,
                message,
                retry_after,
                attempts,
            },
            (500..=599, code) => TwilioError::Unavailable {
                status: Some(status),
                code,
                message,
                retry_after,
                attempts,
                maybe_sent,
            },
            (status, code) => TwilioError::Rejected {
                status,
                code,
                message,
                more_info: body.more_info.clone(),
            },
        }
    }

    /// What the engine should do about this error.
    pub fn class(&self) -> ErrorClass {
        match self {
            TwilioError::RecipientOptedOut { .. } => ErrorClass::OptedOut,
            TwilioError::InvalidRecipient { .. } => ErrorClass::RecipientUnusable,
            TwilioError::Auth { .. } | TwilioError::InvalidRequest(_) => ErrorClass::Misconfigured,
            TwilioError::RateLimited { retry_after, .. } => ErrorClass::Retryable {
                retry_after: *retry_after,
                maybe_sent: false,
            },
            TwilioError::Unavailable {
                retry_after,
                maybe_sent,
                ..
            } => ErrorClass::Retryable {
                retry_after: *retry_after,
                maybe_sent: *maybe_sent,
            },
            // The message or call most likely exists; retrying blindly could duplicate it.
            TwilioError::InvalidResponse { .. } => ErrorClass::Retryable {
                retry_after: None,
                maybe_sent: true,
            },
            TwilioError::Rejected { .. } => ErrorClass::Permanent,
        }
    }

    /// Whether trying again later can succeed (`RateLimited`, `Unavailable`, `InvalidResponse`).
    pub fn is_retryable(&self) -> bool {
        matches!(self.class(), ErrorClass::Retryable { .. })
    }

    /// Twilio's error code, when it gave one.
    pub fn code(&self) -> Option<u32> {
        match self {
            TwilioError::RecipientOptedOut { code, .. }
            | TwilioError::InvalidRecipient { code, .. } => Some(*code),
            TwilioError::Auth { code, .. }
            | TwilioError::RateLimited { code, .. }
            | TwilioError::Unavailable { code, .. }
            | TwilioError::Rejected { code, .. } => *code,
            TwilioError::InvalidResponse { .. } | TwilioError::InvalidRequest(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(status: u16, body: &str) -> ErrorClass {
        TwilioError::from_response(status, &TwilioErrorBody::parse(body), None, 1, false).class()
    }

    #[test]
    fn twilio_codes_map_to_what_the_engine_must_do() {
        assert_eq!(
            classify(400, r#"{"code":21610,"message":"unsubscribed"}"#),
            ErrorClass::OptedOut
        );
        assert_eq!(
            classify(400, r#"{"code":21211,"message":"invalid To"}"#),
            ErrorClass::RecipientUnusable
        );
        assert_eq!(
            classify(400, r#"{"code":21614,"message":"not mobile"}"#),
            ErrorClass::RecipientUnusable
        );
        assert_eq!(
            classify(401, r#"{"code":20003,"message":"auth"}"#),
            ErrorClass::Misconfigured
        );
        assert_eq!(
            classify(400, r#"{"code":21606,"message":"bad From"}"#),
            ErrorClass::Permanent
        );
        assert_eq!(
            classify(429, r#"{"code":20429,"message":"slow down"}"#),
            ErrorClass::Retryable {
                retry_after: None,
                maybe_sent: false
            }
        );
    }

    #[test]
    fn a_body_that_is_not_json_is_kept_as_the_message() {
        let body = TwilioErrorBody::parse("<html>Bad Gateway</html>");
        assert_eq!(body.message.as_deref(), Some("<html>Bad Gateway</html>"));
        assert_eq!(body.code, None);
    }
}
