//! What every intake path returns: a normalized lead and the doubts about it.
//!
//! Owns [`IntakeLead`], [`IntakeWarning`], the stable warning [`codes`], the [`IntakeOptions`]
//! every path reads, and the rule for dating a lead whose own date is missing or unreadable
//! ([`date_by_fallback`]). It decides nothing else about when to warn; the format modules do.

use jiff::tz::TimeZone;
use jiff::Timestamp;
use keepwarm_domain::lead::{normalize_contacts, LeadInput, PhoneKind};
use serde::{Deserialize, Serialize};

/// What intake needs to know about where a document arrived.
#[derive(Debug, Clone, PartialEq)]
pub struct IntakeOptions {
    /// The dealership's zone: a time written without a UTC offset (`02/13/2026 01:15 PM`) is read
    /// in it, with a warning. Default UTC.
    pub time_zone: TimeZone,
    /// When the document arrived. A lead whose own date is missing or unreadable (and, for an
    /// e-mail, whose `Date:` header is too) is dated by it, with a warning. `None` leaves such a
    /// lead undated, with a warning: the engine then dates it when it stores it.
    pub arrived_at: Option<Timestamp>,
    /// ISO 3166 alpha-2 region for phone numbers written without a country code. Default `US`.
    pub region: String,
}

impl Default for IntakeOptions {
    fn default() -> Self {
        Self {
            time_zone: TimeZone::UTC,
            arrived_at: None,
            region: "US".to_owned(),
        }
    }
}

/// Dates a lead that has no date of its own: by the e-mail's `Date:` header when there is one,
/// else by the moment the document arrived, else not at all; the warning says which, and why
/// (`why`: "requestdate missing or unreadable", ...).
pub(crate) fn date_by_fallback(
    input: &mut LeadInput,
    why: &str,
    email_date: Option<Timestamp>,
    opts: &IntakeOptions,
    warnings: &mut Vec<IntakeWarning>,
) {
    if input.received_at.is_some() {
        return;
    }
    let (at, code, message) = match (email_date, opts.arrived_at) {
        (Some(at), _) => (
            Some(at),
            codes::RECEIVED_AT_FROM_EMAIL_DATE,
            format!("{why}; dated by the e-mail's Date header, {at}"),
        ),
        (None, Some(at)) => (
            Some(at),
            codes::RECEIVED_AT_FROM_ARRIVAL,
            format!("{why}; dated by the moment it arrived, {at}"),
        ),
        (None, None) => (
            None,
            codes::RECEIVED_AT_FROM_ARRIVAL,
            format!("{why}; it will be dated by the moment it is stored"),
        ),
    };
    input.received_at = at;
    warnings.push(IntakeWarning::new(code, message));
}

/// Normalizes the lead's contacts (E.164, lower-cased addresses, originals kept; see
/// `keepwarm_domain::contacts`), with the kinds of line the sender named. Contacts that cannot be
/// used stay as given; `validate_lead` reports them.
pub(crate) fn normalize_lead_contacts(
    input: &mut LeadInput,
    kinds: &[(String, PhoneKind)],
    opts: &IntakeOptions,
) {
    normalize_contacts(&mut input.customer, &opts.region, kinds);
}

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
    /// A date that could not be read; left out (the lead's own date then falls back, see
    /// `received_at_from_email_date` and `received_at_from_arrival`).
    pub const INVALID_DATE: &str = "invalid_date";
    /// A time without a UTC offset was read in the dealership's zone (the ADF parser's code).
    pub const DATE_OFFSET_ASSUMED: &str = "date_offset_assumed";
    /// The lead had no readable date of its own and was dated by the e-mail's `Date:` header.
    pub const RECEIVED_AT_FROM_EMAIL_DATE: &str = "received_at_from_email_date";
    /// The lead had no readable date of its own (nor an e-mail `Date:`) and is dated by the moment
    /// it arrived.
    pub const RECEIVED_AT_FROM_ARRIVAL: &str = "received_at_from_arrival";
    /// A consent record with an unreadable basis, channel or date (kept as basis `none`), or one
    /// that says neither where nor by whom it was given (left out).
    pub const INVALID_CONSENT: &str = "invalid_consent";
    /// A preferred language keepwarm cannot name; left out.
    pub const UNKNOWN_LANGUAGE: &str = "unknown_language";
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
