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
#![forbid(unsafe_code)]

pub mod compose;
mod render;
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
