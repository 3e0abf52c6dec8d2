//! keepwarm's intake formats, turned into normalized lead documents.
//!
//! Three doors lead in, each producing [`IntakeLead`]s whose `input` already passes
//! [`keepwarm_domain::lead::validate_lead`]:
//! - [`adf::leads_from_adf`]: an ADF/XML document (one lead per `<prospect>`);
//! - [`email::leads_from_email`]: a raw lead e-mail (ADF in a body or an attachment, or a
//!   plain-text provider e-mail read by its labels);
//! - [`csv::read_csv`]: an aged-lead or service-customer export from a CRM or DMS, row by row.
//!
//! The crate does no IO and reads no clock: callers hand it bytes (or a reader) and get values back.
//! Nothing a sender can put in a document makes it panic. A value that cannot be used (a price that
//! is not a number, a VIN of the wrong length) is left out of the lead with an [`IntakeWarning`]; the
//! lead itself is never dropped for it. Only input that cannot be read at all is an [`IntakeError`].
#![forbid(unsafe_code)]
// Parsing untrusted input must never panic; tests may.
#![cfg_attr(
    not(test),
    warn(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod adf;
mod consent;
pub mod csv;
pub mod email;
mod error;
mod lead;
mod limits;
mod text;

pub use error::IntakeError;
pub use lead::{codes, IntakeLead, IntakeOptions, IntakeWarning};
