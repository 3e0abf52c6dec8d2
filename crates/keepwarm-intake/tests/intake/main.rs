//! Integration tests for `keepwarm-intake`: the shared ADF corpus, lead e-mails, CSV exports, and
//! properties over arbitrary input.

mod adf;
mod csv;
mod email;
mod helpers;
mod properties;
