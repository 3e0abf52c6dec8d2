//! keepwarm's e-mail pieces, independent of the engine, the store and the channels (the e-mail
//! channel adapter is built on top of this crate):
//!
//! - [`compose()`]: one touch's e-mail as a lettre [`Message`](lettre::Message): text + HTML from one
//!   message block, the dealership's footer and postal address, RFC 8058 one-click unsubscribe
//!   headers, a stable Message-ID, attachments and calendar invites.
//! - [`unsubscribe`]: signed, expiring unsubscribe tokens for `/u/{token}` links.
//! - [`smtp`]: sending over SMTP with lettre, with failures classified as permanent, transient or
//!   configuration errors.
//! - `test_server` (cargo feature `test-server`): a real SMTP server process for tests.
//!
//! Nothing here reads the clock: dates and `now` are parameters.
//!
//! ```no_run
//! use keepwarm_email::*;
//! # async fn send_touch(now: jiff::Timestamp) -> Result<(), Box<dyn std::error::Error>> {
//! let signer = UnsubscribeSigner::new("k2026", Secret::new("a secret of at least 32 bytes....."))?;
//! let token = signer.sign(&UnsubscribeClaim {
//!     dealership: "sunrise-motors".into(),
//!     contact: "dana@example.com".into(),
//!     lead_id: Some(42),
//!     issued_at: now,
//! });
//! let message = compose(&OutgoingEmail {
//!     from: NamedAddress::new("Sunrise Motors", "sales@sunrise-motors.example"),
//!     reply_to: None,
//!     to: NamedAddress::bare("dana@example.com"),
//!     subject: "Still interested in the Civic?".into(),
//!     body: "Hi Dana,\n\nThe Civic is still here: https://sunrise-motors.example/civic".into(),
//!     footer: DealershipFooter {
//!         dealership_name: "Sunrise Motors".into(),
//!         postal_address: vec!["1200 Route 9 North".into(), "Springfield, IL 62701".into()],
//!         phone: Some("(217) 555-0100".into()),
//!     },
//!     unsubscribe: UnsubscribeLink {
//!         url: unsubscribe_url("https://keepwarm.sunrise-motors.example", &token),
//!         mailto: None,
//!     },
//!     message_id: MessageId::from_key("touch-123", "sunrise-motors.example")?,
//!     date: now,
//!     attachments: vec![],
//! })?;
//! let mailer = SmtpMailer::new(SmtpConfig::new("smtp.example.com", 587, SmtpSecurity::StartTls))?;
//! match mailer.send(&message).await {
//!     Ok(receipt) => println!("accepted: {} {}", receipt.code, receipt.message),
//!     Err(e @ SmtpSendError::Transient { .. }) => println!("retry later: {e}"),
//!     Err(e) => println!("give up and tell someone: {e}"),
//! }
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

pub mod compose;
mod render;
pub mod reply_to;
mod secret;
pub mod smtp;
#[cfg(feature = "test-server")]
pub mod test_server;
pub mod unsubscribe;

pub use compose::{
    compose, Attachment, ComposeError, DealershipFooter, MessageId, NamedAddress, OutgoingEmail,
    UnsubscribeLink,
};
pub use secret::Secret;
pub use smtp::{SmtpConfig, SmtpCredentials, SmtpMailer, SmtpReceipt, SmtpSecurity, SmtpSendError};
#[cfg(feature = "test-server")]
pub use test_server::{ReceivedMessage, TestServerError, TestSmtpServer, TestSmtpServerBuilder};
pub use unsubscribe::{
    unsubscribe_url, SignerError, TokenError, UnsubscribeClaim, UnsubscribeSigner,
};
