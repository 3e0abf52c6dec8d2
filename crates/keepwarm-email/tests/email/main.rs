//! keepwarm-email's integration tests: one binary. Composition is checked by parsing the bytes
//! with mail-parser; sending goes through `SmtpMailer` to a real aiosmtpd process
//! (`TestSmtpServer`), which fails the test, never skips it, when it cannot start.

mod compose;
mod helpers;
mod send;
