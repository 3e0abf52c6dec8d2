//! The normalized lead: what one ADF `<prospect>` becomes.
//!
//! Owns the serde output types. Field names mirror keepwarm's normalized
//! lead JSON exactly so the rest of the project converts them 1:1. The types
//! carry data only; all parsing and repair happens in `map`.
//!
//! Conventions: absent or empty values are `None` / empty lists (serialised
//! as `null` / `[]`); strings are trimmed; phone numbers stay raw.

use serde::{Deserialize, Serialize};

use crate::warning::Warning;

/// Everything parsed from one ADF document.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AdfDocument {
    /// One lead per `<prospect>`, in document order.
    pub prospects: Vec<AdfLead>,
    /// Repairs that concern the whole document (encoding, declarations,
    /// DOCTYPE, root). They are also copied to the front of every lead's
    /// own `warnings`, so a lead stands on its own.
    pub warnings: Vec<Warning>,
    /// The version named by `<?adf version="…"?>`, if present.
    pub adf_version: Option<String>,
    /// Root-level elements and root attributes that are not prospects
    /// (`<p:meta>`, `p:batch="42"`), kept as-is.
    pub extensions: Vec<Extension>,
}

/// One normalized lead.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AdfLead {
    /// `<requestdate>` as RFC 3339, or `None` when absent or unreadable.
    pub received_at: Option<String>,
    /// Where the lead came from.
    pub source: LeadSource,
    /// The person asking.
    pub customer: Customer,
    /// Each `<vehicle>`, in document order.
    pub vehicles: Vec<Vehicle>,
    /// The customer's `<timeframe>`.
    pub timeframe: Option<Timeframe>,
    /// The lead's message: the customer's `<comments>`, or a
    /// `<comments>` placed directly in `<prospect>` when the customer has none.
    pub comments: Option<String>,
    /// `new` or `resend` (DTD default `new`).
    pub status: ProspectStatus,
    /// The prospect's own `<id>` elements, in document order.
    pub ids: Vec<ProspectId>,
    /// Everything the normalized lead has no field for: elements and
    /// attributes outside the DTD, and DTD elements not needed for
    /// follow-up (`colorcombination`, `finance`, vendor contact, …).
    pub extensions: Vec<Extension>,
    /// Repairs made while reading this lead (document-level ones first).
    pub warnings: Vec<Warning>,
}

/// The lead's origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadSource {
    /// Always `"internet"` for ADF.
    pub kind: String,
    /// `<provider><name>`: the lead provider (`Cars.com`).
    pub provider: Option<String>,
    /// The first prospect-level `<id>` value.
    pub provider_lead_id: Option<String>,
    /// `<provider><service>`.
    pub provider_service: Option<String>,
    /// `<vendor><vendorname>`: the dealership the lead is for.
    pub vendor: Option<String>,
    /// `<vendor><contact>`: the dealership's person the lead is for (often the salesperson), when
    /// it names one.
    pub vendor_contact: Option<VendorContact>,
}

/// The person a `<vendor><contact>` names: its name and first e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct VendorContact {
    /// `name part="full"`, or the name parts joined.
    pub name: Option<String>,
    /// The first `<email>`.
    pub email: Option<String>,
}

impl Default for LeadSource {
    fn default() -> Self {
        Self {
            kind: "internet".to_owned(),
            provider: None,
            provider_lead_id: None,
            provider_service: None,
            vendor: None,
            vendor_contact: None,
        }
    }
}

/// The customer and how to reach them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Customer {
    /// `name part="first"`, or derived from a full name.
    pub first_name: Option<String>,
    /// `name part="last"` (or `surname`), or derived from a full name.
    pub last_name: Option<String>,
    /// `name part="full"`, or first/middle/last/suffix joined.
    pub full_name: Option<String>,
    /// Every `<phone>`, in document order.
    pub phones: Vec<Phone>,
    /// Every `<email>`, in document order.
    pub emails: Vec<String>,
    /// Same as `address.postal_code`, for convenience.
    pub postal_code: Option<String>,
    /// The contact's `<address>`.
    pub address: Option<Address>,
    /// `"email"` or `"phone"`: the first channel flagged
    /// `preferredcontact="1"`.
    pub preferred_contact: Option<String>,
    /// The customer's `<comments>`.
    pub comments: Option<String>,
    /// Each `<consent>` under `<customer>`, in document order.
    pub consent: Vec<Consent>,
}

/// A consent record a vendor sent under `<customer>`. ADF 1.0 has no consent element; this is
/// keepwarm's extension, read from attributes and the element's text:
/// `<consent basis="express_written" channels="sms call" at="…" dealership="…" formurl="…">the
/// disclosure</consent>`. Values are kept raw (trimmed, empty ones `None`): the reader of the lead
/// decides what they mean.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Consent {
    /// `basis`: `express_written`, `express` or `none` as written.
    pub basis: Option<String>,
    /// `channels`: the channels it covers, as written (`sms call`, `sms,call`).
    pub channels: Option<String>,
    /// `at`: when it was given, as written.
    pub at: Option<String>,
    /// `dealership`: the dealership it names.
    pub dealership: Option<String>,
    /// `formurl`: the web form it was given on.
    pub form_url: Option<String>,
    /// `disclosure` attribute (a version), else the element's text (whitespace collapsed).
    pub disclosure: Option<String>,
    /// The element's line in the document, for messages.
    pub line: Option<usize>,
}

/// One phone number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone {
    /// The number exactly as sent, trimmed.
    pub number: String,
    /// `voice`, `cellphone`, `fax`, `pager` (the DTD's), or `home` / `work`
    /// for the common non-DTD types; default `voice`.
    pub kind: String,
    /// The `time` attribute (`morning`, `day`, …), lower-cased.
    pub preferred_time: Option<String>,
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Address {
    /// `<street>` lines in order, then `<apartment>`.
    pub street: Vec<String>,
    /// `<city>`.
    pub city: Option<String>,
    /// `<regioncode>`.
    pub region: Option<String>,
    /// `<postalcode>`.
    pub postal_code: Option<String>,
    /// `<country>`.
    pub country: Option<String>,
}

/// A vehicle the customer is interested in (or trading in).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Vehicle {
    /// `buy`, `lease`, `sell`, `trade-in` or `test-drive`; `None` when the
    /// feed did not say (the DTD default `buy` is deliberately not applied).
    pub interest: Option<String>,
    /// `new` or `used` from the `status` attribute; `None` when absent.
    pub condition: Option<String>,
    /// Model year.
    pub year: Option<u16>,
    /// `<make>`.
    pub make: Option<String>,
    /// `<model>`.
    pub model: Option<String>,
    /// `<trim>`.
    pub trim: Option<String>,
    /// `<vin>`, upper-cased.
    pub vin: Option<String>,
    /// `<stock>`.
    pub stock: Option<String>,
    /// The first `<price>` as a plain decimal string (`"25000"`,
    /// `"24999.99"`); further prices are kept as extensions.
    pub price: Option<String>,
    /// `<odometer>` as a whole number.
    pub odometer: Option<u64>,
    /// The vehicle's `<comments>`.
    pub comments: Option<String>,
}

/// When the customer intends to buy.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Timeframe {
    /// `<description>`.
    pub description: Option<String>,
    /// `<earliestdate>`: `YYYY-MM-DD`, or RFC 3339 when it has a time.
    pub earliest: Option<String>,
    /// `<latestdate>`: `YYYY-MM-DD`, or RFC 3339 when it has a time.
    pub latest: Option<String>,
}

/// `<prospect status>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProspectStatus {
    /// A first submission (the DTD default).
    #[default]
    New,
    /// The provider sends this lead again.
    Resend,
}

/// One `<id>` of the prospect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProspectId {
    /// The id text.
    pub value: String,
    /// The `source` attribute: who issued the id.
    pub source: Option<String>,
    /// The `sequence` attribute.
    pub sequence: Option<u32>,
}

/// Data kept verbatim because the normalized lead has no field for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    /// Slash path of element names as written, from the root
    /// (`adf/prospect/vehicle/partner-score`); attributes end in `@name`.
    pub path: String,
    /// Whether the DTD knows this element or attribute.
    pub kind: ExtensionKind,
    /// The element's source text, tags included; `None` for attributes.
    pub xml: Option<String>,
    /// The element's text content (trimmed), or the attribute's value.
    pub text: String,
}

/// Why an [`Extension`] was kept aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExtensionKind {
    /// An element outside the ADF 1.0 DTD.
    Element,
    /// An attribute outside the ADF 1.0 DTD.
    Attribute,
    /// A DTD element the normalized lead does not model.
    Unmapped,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_lead_serialises_with_every_field_of_the_project_schema() {
        let json = serde_json::to_value(AdfLead::default()).unwrap_or_default();
        let keys: Vec<&str> = json
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        for key in [
            "received_at",
            "source",
            "customer",
            "vehicles",
            "timeframe",
            "comments",
            "status",
            "ids",
            "extensions",
            "warnings",
        ] {
            assert!(keys.contains(&key), "missing {key} in {json}");
        }
        assert_eq!(json["source"]["kind"], "internet");
        assert_eq!(json["status"], "new");
    }
}
