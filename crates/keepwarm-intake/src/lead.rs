//! What every intake path returns: a normalized lead and the doubts about it.
//!
//! Owns [`IntakeLead`], [`IntakeWarning`] and the stable warning [`codes`]. It decides nothing
//! about when to warn; the format modules do.

use keepwarm_domain::lead::LeadInput;
use serde::{Deserialize, Serialize};

/// A lead found in an inbound document, normalized.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntakeLead {
    /// The normalized lead document; it passes `validate_lead`.
    pub input: LeadInput,
    /// Repairs made and values left out while reading this lead.
    pub warnings: Vec<IntakeWarning>,
    /// Whether the sender says it sent this lead before (ADF `status="resend"`).
    pub resend: bool,
}

/// A repair or a doubt about one lead (never a failure).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeWarning {
    /// Machine-readable kind, `snake_case`: one of [`codes`], or a `keepwarm_adf` warning code
    /// (`date_normalized`, `name_split`, ...) carried over from the ADF parser.
    pub code: String,
    /// What happened, naming the value and where it was.
    pub message: String,
}

impl IntakeWarning {
    /// A warning with a code and a message.
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// The warning codes this crate emits itself (the ADF parser's own codes come through unchanged).
pub mod codes {
    /// A model year outside 1900–2100, or not a number; left out.
    pub const INVALID_YEAR: &str = "invalid_year";
    /// A price that is not a positive amount; left out.
    pub const INVALID_PRICE: &str = "invalid_price";
    /// A VIN that is not 17 valid characters; left out.
    pub const INVALID_VIN: &str = "invalid_vin";
    /// An odometer reading that is not a whole number of a sane size; left out.
    pub const INVALID_ODOMETER: &str = "invalid_odometer";
    /// A date that could not be read; left out.
    pub const INVALID_DATE: &str = "invalid_date";
    /// A vehicle interest keepwarm does not know (`buy`, `lease`, ...); left out.
    pub const UNKNOWN_INTEREST: &str = "unknown_interest";
    /// A vehicle condition other than new or used; left out.
    pub const UNKNOWN_CONDITION: &str = "unknown_condition";
    /// A contact preference keepwarm does not know; left out.
    pub const UNKNOWN_CONTACT_PREFERENCE: &str = "unknown_contact_preference";
    /// A text longer than keepwarm stores was cut at the limit.
    pub const TEXT_TRUNCATED: &str = "text_truncated";
    /// More phone numbers or e-mail addresses than keepwarm keeps; the rest were left out.
    pub const TOO_MANY_CONTACTS: &str = "too_many_contacts";
    /// More vehicles than keepwarm keeps; the rest were left out.
    pub const TOO_MANY_VEHICLES: &str = "too_many_vehicles";
    /// A fax or pager number was left out (it cannot take a call or a text).
    pub const PHONE_SKIPPED: &str = "phone_skipped";
    /// The provider was taken from the e-mail's sender because the ADF named none.
    pub const PROVIDER_FROM_SENDER: &str = "provider_from_sender";
    /// The lead was read from a plain-text e-mail by its labels, not from ADF.
    pub const PARSED_HEURISTICALLY: &str = "parsed_heuristically";
    /// An all-capitals name (common in DMS exports) was written in title case.
    pub const NAME_CASE_NORMALIZED: &str = "name_case_normalized";
    /// CSV cells that were not UTF-8 were read as Windows-1252.
    pub const ENCODING_REPAIRED: &str = "encoding_repaired";
    /// An ADF document found in an e-mail could not be read (e-mail level, see
    /// `LeadEmail::warnings`).
    pub const ADF_UNREADABLE: &str = "adf_unreadable";
    /// The e-mail ended inside a MIME part (cut off in transit); it was read up to its end (e-mail
    /// level, see `LeadEmail::warnings`).
    pub const MESSAGE_TRUNCATED: &str = "message_truncated";
}
