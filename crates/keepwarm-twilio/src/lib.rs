//! Twilio's protocol pieces for keepwarm, as a library that knows nothing of keepwarm's engine,
//! store or channels (the adapter implementing keepwarm's `Channel` trait lives elsewhere and is
//! built on [`TwilioClient`]):
//!
//! - [`signature`]: validating `X-Twilio-Signature` on webhooks (re-exported at the root);
//! - [`client`]: a REST client for Messages (create, list, fetch) and Calls (create), with retries
//!   that never risk a duplicate text ([`RetryPolicy`] says how);
//! - [`error`]: [`TwilioError`], classified for the engine by [`TwilioError::class`];
//! - [`limiter`]: [`SendRateLimiter`], a token bucket per sending number;
//! - [`twiml`]: TwiML documents, escaped;
//! - [`callbacks`]: typed message and voice status callbacks, with the rule that refuses a
//!   delivery status going backwards;
//! - `fake` (feature `fake`): a local fake Twilio that checks every request against Twilio's
//!   OpenAPI description.
//!
//! Times are [`jiff::Timestamp`]s taken as parameters: nothing here reads the system clock; the
//! client only sleeps (through tokio) between retries.
//!
//! Sending a text and acting on the outcome:
//!
//! ```no_run
//! # async fn demo() -> Result<(), keepwarm_twilio::TwilioError> {
//! use keepwarm_twilio::{AuthToken, ErrorClass, SendMessage, Sender, TwilioClient, TwilioConfig};
//!
//! let config = TwilioConfig::new("AC0123456789abcdef0123456789abcdef", AuthToken::new("token"));
//! let client = TwilioClient::new(config)?;
//! let text = SendMessage {
//!     to: "+13125550142".into(),
//!     from: Sender::Number("+13125550100".into()),
//!     body: "Hi Dana, the CR-V is ready for a test drive.".into(),
//!     status_callback: None,
//! };
//! match client.send_message(&text).await {
//!     Ok(message) => println!("queued as {}", message.sid),
//!     Err(error) => match error.class() {
//!         ErrorClass::OptedOut => { /* record the revocation */ }
//!         ErrorClass::RecipientUnusable => { /* mark the phone unusable */ }
//!         ErrorClass::Retryable { maybe_sent: true, .. } => {
//!             /* client.find_sent_message(..) before sending again */
//!         }
//!         ErrorClass::Retryable { retry_after, .. } => { /* reschedule */ }
//!         ErrorClass::Misconfigured | ErrorClass::Permanent => { /* record, alert */ }
//!     },
//! }
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

pub mod callbacks;
pub mod client;
pub mod error;
#[cfg(feature = "fake")]
pub mod fake;
pub mod inbound;
pub mod limiter;
pub mod resources;
pub mod retry;
pub mod secret;
pub mod signature;
pub mod twiml;

pub use callbacks::{
    AnsweredBy, CallStatus, CallStatusUpdate, CallbackError, DeliveryStatus, MessageStatusUpdate,
};
pub use client::{MessageFilter, TwilioClient, TwilioConfig, DEFAULT_BASE_URL};
pub use error::{ErrorClass, TwilioError, TwilioErrorBody};
pub use inbound::{InboundText, MediaLink, MAX_MEDIA};
pub use limiter::{RateLimit, SendRateLimiter, SharedSchedule};
pub use resources::{
    CallInstructions, CallResource, CreateCall, MachineDetection, MessageResource, SendMessage,
    Sender,
};
pub use retry::RetryPolicy;
pub use secret::AuthToken;
pub use signature::{compute_signature, validate, validate_json, SignatureError};
pub use twiml::{Dial, Record, Say, Twiml, TwimlResponse};
