//! Consent evidence per contact point and channel: what the customer agreed to (the basis), where
//! (a form, a provider, a keyword, a person), to which disclosure, when, and which dealership it
//! names — and the strongest basis a lead's evidence gives one message.
//!
//! Evidence arrives on the lead document (`consent`, from the lead JSON or an ADF `<consent>`
//! element) or, for a source whose documents carry none, from the per-source default in settings
//! (`[consent]`), written onto the document at intake so the record says what was assumed and when.
//! Consent that names another dealership counts for none of this one's messages; written consent
//! that names no dealership counts only as express consent (47 CFR 64.1200(f)(9) needs the seller's
//! name). This module only reads and validates; the gate ([`super::check`]) decides.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::rules::Basis;
use crate::cadence::Channel;

/// How strong a record's consent is (`none` records that the source gives none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentBasis {
    /// Signed written consent to automated marketing calls and texts.
    ExpressWritten,
    /// Consent in any form (the customer gave the number asking to be contacted).
    Express,
    /// No consent: recorded so that coverage reports say so.
    None,
}

impl ConsentBasis {
    /// The basis as the rule table compares it (`None` for none).
    pub fn basis(self) -> Option<Basis> {
        match self {
            ConsentBasis::ExpressWritten => Some(Basis::ExpressWritten),
            ConsentBasis::Express => Some(Basis::Express),
            ConsentBasis::None => None,
        }
    }

    /// The word used in configuration and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentBasis::ExpressWritten => "express_written",
            ConsentBasis::Express => "express",
            ConsentBasis::None => "none",
        }
    }
}

/// Where consent was given. At least one field says where.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentSource {
    /// The web form's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_url: Option<String>,
    /// The lead provider that collected it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// The keyword the customer texted (`JOIN`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyword: Option<String>,
    /// The staff id of the person who took it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff: Option<String>,
    /// A default of the settings (`consent.sources` or `consent.providers`), not a record the
    /// source sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<String>,
}

impl ConsentSource {
    /// Whether any field says where.
    pub fn is_empty(&self) -> bool {
        self.form_url.is_none()
            && self.provider.is_none()
            && self.keyword.is_none()
            && self.staff.is_none()
            && self.settings.is_none()
    }
}

/// One consent record on a lead: one contact point (or all of them), some channels (or all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentInput {
    /// The phone number or e-mail address it covers, as one of the lead's own; every contact point
    /// of the lead when left out. Normalized like the lead's contacts (E.164, lower case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// The channels it covers (`sms`, `call`, `email`); every channel when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<String>,
    /// `express_written`, `express` or `none`.
    pub basis: ConsentBasis,
    /// Where it was given.
    #[serde(default, skip_serializing_if = "ConsentSource::is_empty")]
    pub source: ConsentSource,
    /// The disclosure the customer agreed to: its text or its version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disclosure: Option<String>,
    /// When it was given (RFC 3339); the inquiry's time when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Timestamp>,
    /// The id of the dealership the consent names. Written consent that names none counts as
    /// express consent; consent naming another dealership counts for none of this one's messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dealership: Option<String>,
}

/// The channel words a record may name.
pub const CHANNELS: &[&str] = &["sms", "call", "email"];

/// Most consent records on one lead.
pub const MAX_RECORDS: usize = 20;

impl ConsentInput {
    /// Whether the record covers `contact` (a normalized phone or lower-cased address) on
    /// `channel` (`sms`, `call`, `email`).
    pub fn covers(&self, contact: &str, channel: &str) -> bool {
        self.contact.as_deref().is_none_or(|c| c == contact)
            && (self.channels.is_empty() || self.channels.iter().any(|c| c == channel))
    }
}

/// `records` with each one that names no contact written out once per contact point of
/// `contacts` (normalized), so that it covers exactly the contact points the customer gave with it.
pub fn per_contact(records: Vec<ConsentInput>, contacts: &[String]) -> Vec<ConsentInput> {
    records
        .into_iter()
        .flat_map(|r| match r.contact {
            Some(_) => vec![r],
            None => contacts
                .iter()
                .map(|c| ConsentInput {
                    contact: Some(c.clone()),
                    ..r.clone()
                })
                .collect(),
        })
        .collect()
}

/// The strongest basis `records` give a message to `contact` on `channel` from `dealership`:
/// records naming another dealership are ignored, and written consent naming none counts as
/// express.
pub fn basis_for(
    records: &[ConsentInput],
    contact: &str,
    channel: Channel,
    dealership: &str,
) -> Option<Basis> {
    let word = super::ledger_channel(channel);
    records
        .iter()
        .filter(|r| r.covers(contact, word))
        .filter(|r| r.dealership.as_deref().is_none_or(|d| d == dealership))
        .filter_map(|r| match (r.basis.basis(), r.dealership.is_some()) {
            (Some(Basis::ExpressWritten), false) => Some(Basis::Express),
            (basis, _) => basis,
        })
        .max()
}

/// The words of a basis held, for reasons and reports.
pub fn basis_text(basis: Option<Basis>) -> &'static str {
    match basis {
        Some(Basis::ExpressWritten) => "express_written",
        Some(Basis::Express) => "express",
        None => "none",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(
        contact: Option<&str>,
        channels: &[&str],
        basis: ConsentBasis,
        d: Option<&str>,
    ) -> ConsentInput {
        ConsentInput {
            contact: contact.map(str::to_owned),
            channels: channels.iter().map(|c| (*c).to_owned()).collect(),
            basis,
            source: ConsentSource {
                form_url: Some("https://dealer.example/form".into()),
                ..ConsentSource::default()
            },
            disclosure: Some("v3".into()),
            at: None,
            dealership: d.map(str::to_owned),
        }
    }

    #[test]
    fn the_strongest_record_for_the_contact_channel_and_dealership_is_the_basis() {
        use ConsentBasis::{Express, ExpressWritten, None as Nothing};
        let phone = "+13125550142";
        let cases: Vec<(Vec<ConsentInput>, Channel, Option<Basis>)> = vec![
            (vec![], Channel::Sms, None),
            (
                vec![record(None, &[], ExpressWritten, Some("main"))],
                Channel::Sms,
                Some(Basis::ExpressWritten),
            ),
            // Written consent that names no dealership is only express.
            (
                vec![record(None, &[], ExpressWritten, None)],
                Channel::Sms,
                Some(Basis::Express),
            ),
            // Naming another dealership counts for nothing here.
            (
                vec![record(None, &[], ExpressWritten, Some("other"))],
                Channel::Sms,
                None,
            ),
            // Another contact point or channel is not covered.
            (
                vec![record(
                    Some("+13125550100"),
                    &[],
                    ExpressWritten,
                    Some("main"),
                )],
                Channel::Sms,
                None,
            ),
            (
                vec![record(
                    Some(phone),
                    &["email"],
                    ExpressWritten,
                    Some("main"),
                )],
                Channel::Sms,
                None,
            ),
            (
                vec![record(Some(phone), &["call"], ExpressWritten, Some("main"))],
                Channel::Voicemail,
                Some(Basis::ExpressWritten),
            ),
            (
                vec![
                    record(None, &[], Nothing, Some("main")),
                    record(Some(phone), &["sms"], Express, None),
                ],
                Channel::Sms,
                Some(Basis::Express),
            ),
        ];
        for (i, (records, channel, expected)) in cases.into_iter().enumerate() {
            assert_eq!(
                basis_for(&records, phone, channel, "main"),
                expected,
                "case {i}"
            );
        }
    }
}
