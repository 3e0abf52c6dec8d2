//! Leads: the normalized lead document every intake path produces, its validation, and the words
//! for where a lead stands (stage, follow-up status, source).
//!
//! [`parse_lead_json`] is the one door from untrusted JSON to a [`NewLead`]: structural problems
//! (wrong types, unknown fields, bad dates) are errors naming the field path; contact data that
//! cannot be used (an invalid phone number) is kept as an unusable contact with a warning, because a
//! lead is never dropped for bad contact data. Validation also normalizes the document's contacts
//! (see [`crate::contacts`]): the validated document carries E.164 numbers and lower-cased
//! addresses, each with the text it was read from.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::contact::{EmailAddress, PhoneNumber};
pub use crate::contacts::{normalize_contacts, EmailInput, PhoneInput, PhoneKind};

/// A lead's database id.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct LeadId(pub i64);

impl fmt::Display for LeadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

macro_rules! word_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word used in JSON, TOML and the database.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        // Written out rather than derived: the derive does not see `serde(rename)` through the
        // macro, and would describe the variants' Rust names instead of the words.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),+]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!(
                        "unknown {} `{s}` (expected one of: {})",
                        $crate::lead::user_words(stringify!($name)),
                        [$($text),+].join(", ")
                    )),
                }
            }
        }
    };
}
pub(crate) use word_enum;

/// A type's name in the words a user reads in an error: `SourceKind` is "source kind", `Role` is
/// "role". Messages never show Rust type names.
pub(crate) fn user_words(type_name: &str) -> String {
    let mut words = String::with_capacity(type_name.len() + 4);
    for (i, c) in type_name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            words.push(' ');
        }
        words.extend(c.to_lowercase());
    }
    words
}

word_enum! {
    /// Where a lead came from.
    SourceKind {
        /// A web form, a third-party lead provider, an OEM site.
        Internet = "internet",
        /// A phone call.
        Phone = "phone",
        /// A text message.
        Sms = "sms",
        /// A showroom visitor.
        WalkIn = "walk_in",
        /// A service-lane customer.
        Service = "service",
        /// A list imported from a CRM or DMS.
        Import = "import",
    }
}

word_enum! {
    /// How far a lead has come. Ordered: later stages compare greater, `lost` last.
    Stage {
        /// Not yet reached by a person or a reply.
        New = "new",
        /// The customer answered or a person talked to them.
        Contacted = "contacted",
        /// An appointment is on the calendar.
        AppointmentSet = "appointment_set",
        /// The customer came in.
        Showed = "showed",
        /// The customer bought.
        Sold = "sold",
        /// The customer is gone (bought elsewhere, not interested, ...).
        Lost = "lost",
    }
}

impl Stage {
    /// Whether automated follow-up cadences must stop at this stage: from an appointment on, people
    /// and the appointment reminders take over; sold and lost leads are done.
    pub fn ends_follow_up(self) -> bool {
        self >= Stage::AppointmentSet
    }
}

word_enum! {
    /// The state of a lead's automated follow-up.
    LeadStatus {
        /// Touches are scheduled and go out on time.
        Active = "active",
        /// On hold (a person took over, or someone paused it); resumes from the current step.
        Paused = "paused",
        /// Ended early for a reason (opt-out, stage change, staff decision).
        Stopped = "stopped",
        /// The cadence ran to its last step.
        Completed = "completed",
    }
}

word_enum! {
    /// What the customer wants to do with a vehicle.
    VehicleInterest {
        /// Buy it.
        Buy = "buy",
        /// Lease it.
        Lease = "lease",
        /// Trade it in.
        TradeIn = "trade-in",
        /// Sell it to the dealer.
        Sell = "sell",
        /// Drive it.
        TestDrive = "test-drive",
    }
}

word_enum! {
    /// New or used.
    Condition {
        /// New.
        New = "new",
        /// Used (pre-owned, certified).
        Used = "used",
    }
}

/// The normalized lead document, as it arrives (JSON). Unknown fields are refused so that a typo is
/// an error rather than silently lost data.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadInput {
    /// The dealership id from configuration; defaults to the only dealership when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dealership: Option<String>,
    /// When the inquiry was made (RFC 3339); defaults to now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_at: Option<Timestamp>,
    /// Where it came from.
    pub source: SourceInput,
    /// Who it is.
    #[serde(default)]
    pub customer: CustomerInput,
    /// Vehicles of interest and trade-ins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vehicles: Vec<VehicleInput>,
    /// Service context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceInput>,
    /// Payment context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<PaymentInput>,
    /// When the customer means to buy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeframe: Option<TimeframeInput>,
    /// Times the customer said suit them for a visit ("Saturday morning", ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub appointment_windows: Vec<String>,
    /// Free text from the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comments: Option<String>,
    /// The staff member the source names as the lead's owner (the salesperson who met a walk-in):
    /// a staff id, name, e-mail address or `Name <e-mail>` (see `owner::match_owner`). A name that
    /// is nobody, or several people, leaves the owner to routing and the lead carries a warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Consent evidence per contact point and channel: the basis, where it was given, the
    /// disclosure, when, and the dealership it names. A source that sends none gets the settings'
    /// default for it (`[consent]`) at intake, recorded here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consent: Vec<crate::compliance::consent::ConsentInput>,
    /// When the customer last bought a vehicle from the dealership (RFC 3339; a DMS export's sale
    /// date): a purchase within 18 months is an established business relationship, which lets a
    /// number on the National Do Not Call list get automated solicitations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchased_at: Option<Timestamp>,
}

/// Where a lead came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceInput {
    /// The kind of source.
    pub kind: SourceKind,
    /// The lead provider or site (Cars.com, the dealer website, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// The provider's own id for the lead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_lead_id: Option<String>,
}

impl Default for SourceInput {
    fn default() -> Self {
        Self {
            kind: SourceKind::Internet,
            provider: None,
            provider_lead_id: None,
        }
    }
}

/// Who the customer is and how to reach them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// The whole name when the parts are not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// Phone numbers. Given in any common format; in a validated document each usable one is in
    /// E.164 form (`+18135550139`), and one that cannot be used stays as given (with a warning).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<String>,
    /// E-mail addresses. In a validated document each usable one is lower-cased, and one that
    /// cannot be used stays as given (with a warning).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    /// The usable phone numbers of `phones`, in the same order: E.164, the extension apart, the
    /// kind of line when the sender said, and the text each was read from. Filled by validation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phone_numbers: Vec<PhoneInput>,
    /// The usable addresses of `emails`, in the same order, each with the text it was read from.
    /// Filled by validation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub email_addresses: Vec<EmailInput>,
    /// ZIP or postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// The customer's postal address (the postal code is `postal_code`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<AddressInput>,
    /// Preferred language (BCP 47, e.g. `en`, `es`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_language: Option<String>,
    /// The language the customer's own replies are written in, as keepwarm read them (`es`); set
    /// by keepwarm when a reply changes the language the lead is written to, and used only when the
    /// document gives no `preferred_language`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_language: Option<String>,
    /// How the customer prefers to be reached (`sms`, `email`, `phone`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_contact: Option<String>,
}

/// A postal address, without its postal code (that is [`CustomerInput::postal_code`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressInput {
    /// Street lines, in order (`1200 Bayshore Blvd`, `Apt 4B`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub street: Vec<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// State or province (`FL`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Country (`US`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// A vehicle the customer is interested in, or offers in trade.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VehicleInput {
    /// What the customer wants to do with it; `buy` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interest: Option<VehicleInterest>,
    /// New or used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    /// Model year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<u16>,
    /// Make.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub make: Option<String>,
    /// Model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Trim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trim: Option<String>,
    /// VIN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vin: Option<String>,
    /// Stock number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<String>,
    /// Price in the dealership's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<f64>,
    /// Odometer reading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub odometer: Option<u32>,
}

/// Service context: the last visit and what the customer needs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceInput {
    /// When the customer last had the vehicle serviced here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_visit_at: Option<Timestamp>,
    /// What is due or asked for ("oil change", "brake inspection").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub need: Option<String>,
    /// The vehicle being serviced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vehicle: Option<VehicleInput>,
}

/// How the customer means to pay.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentInput {
    /// `cash`, `finance` or `lease`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Monthly payment the customer is aiming for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_target: Option<f64>,
    /// Money down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub down_payment: Option<f64>,
}

/// When the customer means to buy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeframeInput {
    /// In the customer's words ("this weekend", "within 3 months").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Earliest date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earliest: Option<String>,
    /// Latest date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest: Option<String>,
}

/// One problem with a lead document, named by its JSON path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The path of the field (`customer.phones[0]`, `source.kind`); `.` for the document itself.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// A contact point that could not be used, kept so that a person can fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnusableContact {
    /// The field it came from.
    pub field: String,
    /// The text as given.
    pub value: String,
    /// Why it cannot be used.
    pub reason: String,
}

/// A validated lead, ready to be segmented and stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLead {
    /// The document as received, its contacts normalized (kept whole for message context).
    pub input: LeadInput,
    /// Usable phone numbers, in the order given, without duplicates.
    pub phones: Vec<PhoneNumber>,
    /// Usable e-mail addresses, in the order given, without duplicates.
    pub emails: Vec<EmailAddress>,
    /// Contact points given but not usable.
    pub unusable: Vec<UnusableContact>,
}

impl NewLead {
    /// Whether there is any way to reach the customer automatically.
    pub fn is_reachable(&self) -> bool {
        !self.phones.is_empty() || !self.emails.is_empty()
    }

    /// Warnings to report back to whoever sent the lead.
    pub fn warnings(&self) -> Vec<FieldError> {
        self.unusable
            .iter()
            .map(|u| FieldError {
                field: u.field.clone(),
                message: u.reason.clone(),
            })
            .collect()
    }
}

/// Largest accepted text field, in bytes; larger values are refused rather than truncated.
pub const MAX_TEXT_FIELD: usize = 8 * 1024;
/// Most phone numbers or e-mail addresses accepted on one lead.
pub const MAX_CONTACTS: usize = 10;
/// Most vehicles accepted on one lead.
pub const MAX_VEHICLES: usize = 20;

/// Parses and validates a lead document from JSON text. `default_region` (ISO 3166 alpha-2) is used
/// for phone numbers written without a country code.
pub fn parse_lead_json(json: &[u8], default_region: &str) -> Result<NewLead, Vec<FieldError>> {
    let de = &mut serde_json::Deserializer::from_slice(json);
    let value: serde_json::Value = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        vec![FieldError {
            field: if path.is_empty() { ".".into() } else { path },
            message: e.inner().to_string(),
        }]
    })?;
    // serde reads a struct from an array by position: `["Ann", ...]` or `"vehicles": [[null]]`
    // must not become a lead.
    require_objects(&value)?;
    let input: LeadInput = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        vec![FieldError {
            field: if path.is_empty() { ".".into() } else { path },
            message: e.inner().to_string(),
        }]
    })?;
    validate_lead(input, default_region)
}

/// The places of a lead document that hold an object (or `null` where optional); `[]` marks each
/// item of an array.
const OBJECT_PATHS: &[&str] = &[
    "",
    "source",
    "customer",
    "vehicles[]",
    "service",
    "service.vehicle",
    "payment",
    "timeframe",
    "consent[]",
    "consent[].source",
];

/// Refuses an array (or any other non-object) where the lead document holds an object.
fn require_objects(value: &serde_json::Value) -> Result<(), Vec<FieldError>> {
    fn at<'v>(
        value: &'v serde_json::Value,
        path: &str,
        shown: String,
        out: &mut Vec<(String, &'v serde_json::Value)>,
    ) {
        let Some((head, rest)) = (if path.is_empty() {
            None
        } else {
            Some(path.split_once('.').unwrap_or((path, "")))
        }) else {
            out.push((shown, value));
            return;
        };
        let (name, each) = match head.strip_suffix("[]") {
            Some(name) => (name, true),
            None => (head, false),
        };
        let Some(child) = value.get(name) else { return };
        let shown = if shown.is_empty() {
            name.to_owned()
        } else {
            format!("{shown}.{name}")
        };
        match (each, child.as_array()) {
            (true, Some(items)) => {
                for (i, item) in items.iter().enumerate() {
                    at(item, rest, format!("{shown}[{i}]"), out);
                }
            }
            (true, None) => {}
            (false, _) => at(child, rest, shown, out),
        }
    }
    let mut found = Vec::new();
    for path in OBJECT_PATHS {
        at(value, path, String::new(), &mut found);
    }
    let errors: Vec<FieldError> = found
        .into_iter()
        .filter(|(_, v)| !v.is_object() && !v.is_null())
        .map(|(field, v)| {
            let what = if v.is_array() {
                "an array"
            } else {
                "not an object"
            };
            err(
                if field.is_empty() { "." } else { &field },
                format!("expected a JSON object; got {what}"),
            )
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Validates an already-deserialized lead document (the ADF and CSV paths build [`LeadInput`] values
/// directly and come through here too).
pub fn validate_lead(
    mut input: LeadInput,
    default_region: &str,
) -> Result<NewLead, Vec<FieldError>> {
    strip_invisible_names(&mut input);
    let mut errors = Vec::new();
    check_text_sizes(&input, &mut errors);
    if input.customer.phones.len() > MAX_CONTACTS {
        errors.push(err(
            "customer.phones",
            format!("at most {MAX_CONTACTS} phone numbers"),
        ));
    }
    if input.customer.phone_numbers.len() > MAX_CONTACTS {
        errors.push(err(
            "customer.phone_numbers",
            format!("at most {MAX_CONTACTS} phone numbers"),
        ));
    }
    if input.customer.email_addresses.len() > MAX_CONTACTS {
        errors.push(err(
            "customer.email_addresses",
            format!("at most {MAX_CONTACTS} e-mail addresses"),
        ));
    }
    if input.customer.emails.len() > MAX_CONTACTS {
        errors.push(err(
            "customer.emails",
            format!("at most {MAX_CONTACTS} e-mail addresses"),
        ));
    }
    if input.vehicles.len() > MAX_VEHICLES {
        errors.push(err("vehicles", format!("at most {MAX_VEHICLES} vehicles")));
    }
    for (i, v) in input.vehicles.iter().enumerate() {
        check_vehicle(v, &format!("vehicles[{i}]"), &mut errors);
    }
    if let Some(vehicle) = input.service.as_ref().and_then(|s| s.vehicle.as_ref()) {
        check_vehicle(vehicle, "service.vehicle", &mut errors);
    }
    if let Some(p) = &input.payment {
        for (name, value) in [
            ("monthly_target", p.monthly_target),
            ("down_payment", p.down_payment),
        ] {
            if value.is_some_and(|v| !v.is_finite() || v < 0.0) {
                errors.push(err(
                    &format!("payment.{name}"),
                    "must be a positive amount".into(),
                ));
            }
        }
    }
    if let Some(contact) = &input.customer.preferred_contact {
        if !["sms", "email", "phone", "call", "text"].contains(&contact.to_lowercase().as_str()) {
            errors.push(err(
                "customer.preferred_contact",
                format!("unknown contact preference `{contact}` (expected sms, email or phone)"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let mut input = input;
    let unusable = normalize_contacts(&mut input.customer, default_region, &[]);
    normalize_consent(&mut input, default_region)?;
    let phones: Vec<PhoneNumber> = input
        .customer
        .phone_numbers
        .iter()
        .filter_map(|p| PhoneNumber::parse(&p.number, default_region).ok())
        .collect();
    let emails: Vec<EmailAddress> = input
        .customer
        .email_addresses
        .iter()
        .filter_map(|e| EmailAddress::parse(&e.address).ok())
        .collect();
    Ok(NewLead {
        input,
        phones,
        emails,
        unusable,
    })
}

/// Checks each consent record and writes its contact in the lead's own form: it must be one of the
/// lead's usable contact points, name known channels and say where it was given.
fn normalize_consent(input: &mut LeadInput, default_region: &str) -> Result<(), Vec<FieldError>> {
    use crate::compliance::consent::{CHANNELS, MAX_RECORDS};
    let mut errors = Vec::new();
    if input.consent.len() > MAX_RECORDS {
        errors.push(err(
            "consent",
            format!("at most {MAX_RECORDS} consent records"),
        ));
    }
    let phones: Vec<String> = input
        .customer
        .phone_numbers
        .iter()
        .map(|p| p.number.clone())
        .collect();
    let emails: Vec<String> = input
        .customer
        .email_addresses
        .iter()
        .map(|e| e.address.to_lowercase())
        .collect();
    for (i, record) in input.consent.iter_mut().enumerate() {
        let path = format!("consent[{i}]");
        if let Some(contact) = record.contact.clone() {
            let normal = if contact.contains('@') {
                EmailAddress::parse(&contact)
                    .ok()
                    .map(|e| e.match_key())
                    .filter(|e| emails.contains(e))
            } else {
                PhoneNumber::parse(&contact, default_region)
                    .ok()
                    .map(|p| p.as_str().to_owned())
                    .filter(|p| phones.contains(p))
            };
            match normal {
                Some(n) => record.contact = Some(n),
                None => errors.push(err(
                    &format!("{path}.contact"),
                    format!("`{contact}` is not one of the lead's usable phone numbers or e-mail addresses"),
                )),
            }
        }
        for (j, channel) in record.channels.iter().enumerate() {
            if !CHANNELS.contains(&channel.as_str()) {
                errors.push(err(
                    &format!("{path}.channels[{j}]"),
                    format!("unknown channel `{channel}` (expected sms, call or email)"),
                ));
            }
        }
        if record.source.is_empty() {
            errors.push(err(
                &format!("{path}.source"),
                "say where consent was given: form_url, provider, keyword or staff".into(),
            ));
        }
        let texts = [
            ("disclosure", record.disclosure.as_deref()),
            ("source.form_url", record.source.form_url.as_deref()),
            ("source.provider", record.source.provider.as_deref()),
            ("source.keyword", record.source.keyword.as_deref()),
            ("source.staff", record.source.staff.as_deref()),
            ("dealership", record.dealership.as_deref()),
        ];
        for (name, text) in texts {
            if text.is_some_and(|t| t.len() > MAX_TEXT_FIELD) {
                errors.push(err(
                    &format!("{path}.{name}"),
                    format!("longer than {MAX_TEXT_FIELD} bytes"),
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // A record for every contact point is written out per contact point, so that a later inquiry's
    // numbers merged into the lead are not covered by consent given for these.
    let contacts: Vec<String> = phones.into_iter().chain(emails).collect();
    input.consent =
        crate::compliance::consent::per_contact(std::mem::take(&mut input.consent), &contacts);
    Ok(())
}

/// Names are shown to staff and put in texts: control, bidi-override and zero-width characters
/// are removed (see [`crate::text`]).
fn strip_invisible_names(input: &mut LeadInput) {
    let c = &mut input.customer;
    for name in [&mut c.first_name, &mut c.last_name, &mut c.full_name] {
        if let Some(text) = name.as_mut() {
            if let std::borrow::Cow::Owned(clean) = crate::text::strip_invisible(text) {
                *text = clean;
            }
        }
    }
}

fn err(field: &str, message: String) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message,
    }
}

fn check_vehicle(v: &VehicleInput, path: &str, errors: &mut Vec<FieldError>) {
    if let Some(year) = v.year {
        if !(1900..=2100).contains(&year) {
            errors.push(err(
                &format!("{path}.year"),
                format!("{year} is not a model year"),
            ));
        }
    }
    if v.price.is_some_and(|p| !p.is_finite() || p < 0.0) {
        errors.push(err(
            &format!("{path}.price"),
            "must be a positive amount".into(),
        ));
    }
    if let Some(vin) = &v.vin {
        let ok = vin.len() == 17
            && vin.chars().all(|c| {
                c.is_ascii_alphanumeric() && !matches!(c, 'I' | 'O' | 'Q' | 'i' | 'o' | 'q')
            });
        if !ok {
            errors.push(err(
                &format!("{path}.vin"),
                format!("`{vin}` is not a 17-character VIN"),
            ));
        }
    }
}

fn check_text_sizes(input: &LeadInput, errors: &mut Vec<FieldError>) {
    let c = &input.customer;
    let address = c.address.as_ref();
    for (i, line) in address.iter().flat_map(|a| a.street.iter()).enumerate() {
        if line.len() > MAX_TEXT_FIELD {
            errors.push(err(
                &format!("customer.address.street[{i}]"),
                format!("longer than {MAX_TEXT_FIELD} bytes"),
            ));
        }
    }
    for (name, value) in [
        (
            "customer.address.city",
            address.and_then(|a| a.city.as_ref()),
        ),
        (
            "customer.address.region",
            address.and_then(|a| a.region.as_ref()),
        ),
        (
            "customer.address.country",
            address.and_then(|a| a.country.as_ref()),
        ),
        ("customer.preferred_language", c.preferred_language.as_ref()),
    ] {
        if value.is_some_and(|v| v.len() > MAX_TEXT_FIELD) {
            errors.push(err(name, format!("longer than {MAX_TEXT_FIELD} bytes")));
        }
    }
    let fields: [(&str, Option<&String>); 9] = [
        ("customer.first_name", c.first_name.as_ref()),
        ("customer.last_name", c.last_name.as_ref()),
        ("customer.full_name", c.full_name.as_ref()),
        ("customer.postal_code", c.postal_code.as_ref()),
        ("source.provider", input.source.provider.as_ref()),
        (
            "source.provider_lead_id",
            input.source.provider_lead_id.as_ref(),
        ),
        ("comments", input.comments.as_ref()),
        ("dealership", input.dealership.as_ref()),
        ("owner", input.owner.as_ref()),
    ];
    for (name, value) in fields {
        if value.is_some_and(|v| v.len() > MAX_TEXT_FIELD) {
            errors.push(err(name, format!("longer than {MAX_TEXT_FIELD} bytes")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[rstest::rstest]
    #[case("Role", "role")]
    #[case("SourceKind", "source kind")]
    #[case("SmtpSecurity", "smtp security")]
    fn type_names_become_the_users_words(#[case] name: &str, #[case] words: &str) {
        assert_eq!(user_words(name), words);
    }

    #[test]
    fn an_unknown_word_is_named_without_the_rust_type() {
        let error = "walkin".parse::<SourceKind>().unwrap_err();
        assert!(error.starts_with("unknown source kind `walkin`"), "{error}");
        assert!(!error.contains("SourceKind"), "{error}");
    }

    #[test]
    fn a_json_array_is_refused_as_a_lead_even_when_its_positions_fit() {
        let errors = parse_lead_json(br#" [{"kind": "web"}, {"first_name": "Ann"}]"#, "US")
            .err()
            .unwrap_or_default();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, ".");
        assert!(errors[0].message.contains("JSON object"), "{errors:?}");
    }

    #[test]
    fn arrays_are_refused_wherever_the_lead_holds_an_object() {
        let json = br#"{"source": {"kind": "internet"}, "customer": {"phones": ["312-555-0100"]},
            "vehicles": [{"make": "Honda"}, [null, null]], "service": {"vehicle": ["x"]}}"#;
        let errors = parse_lead_json(json, "US").err().unwrap_or_default();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["vehicles[1]", "service.vehicle"], "{errors:?}");
    }

    #[test]
    fn nul_bidi_override_and_zero_width_characters_are_stripped_from_names() {
        let json = "{\"source\": {\"kind\": \"internet\"}, \"customer\": {\"first_name\": \"A\\u0000nn\u{202E}\", \"last_name\": \"L\u{200B}ee\", \"full_name\": \"Ann\u{2066} Lee\", \"phones\": [\"312-555-0100\"]}}";
        let lead = parse_lead_json(json.as_bytes(), "US").unwrap_or_else(|e| panic!("{e:?}"));
        let c = &lead.input.customer;
        assert_eq!(c.first_name.as_deref(), Some("Ann"));
        assert_eq!(c.last_name.as_deref(), Some("Lee"));
        assert_eq!(c.full_name.as_deref(), Some("Ann Lee"));
    }

    #[test]
    fn a_complete_lead_parses() {
        let json = br#"{"dealership":"main","received_at":"2026-03-02T15:00:00Z",
            "source":{"kind":"internet","provider":"Cars.com","provider_lead_id":"A1"},
            "customer":{"first_name":"Dana","phones":["(312) 555-0123"],"emails":["dana@example.com"]},
            "vehicles":[{"interest":"buy","condition":"used","year":2022,"make":"Honda","model":"CR-V"}],
            "payment":{"monthly_target":450}}"#;
        let lead = parse_lead_json(json, "US").unwrap();
        assert_eq!(lead.phones[0].as_str(), "+13125550123");
        assert_eq!(lead.emails[0].as_str(), "dana@example.com");
        assert!(lead.unusable.is_empty());
    }

    #[test]
    fn consent_evidence_is_kept_with_its_contact_in_the_leads_own_form_and_bad_records_name_their_field(
    ) {
        let json = br#"{"source":{"kind":"internet","provider":"Cars.com"},
            "customer":{"phones":["(312) 555-0123"],"emails":["Dana@Example.com"]},
            "consent":[{"contact":"312-555-0123","channels":["sms","call"],"basis":"express_written",
                        "source":{"form_url":"https://dealer.example/quote"},"disclosure":"tcpa-v3",
                        "at":"2026-03-02T14:59:00Z","dealership":"main"},
                       {"contact":"DANA@example.com","basis":"express","source":{"provider":"Cars.com"}}]}"#;
        let lead = parse_lead_json(json, "US").unwrap();
        let consent = &lead.input.consent;
        assert_eq!(consent[0].contact.as_deref(), Some("+13125550123"));
        assert_eq!(consent[1].contact.as_deref(), Some("dana@example.com"));
        let cases: [(&str, &str); 5] = [
            (
                r#"{"contact":"+13125550199","basis":"express","source":{"staff":"sam"}}"#,
                "consent[0].contact",
            ),
            (
                r#"{"basis":"express","channels":["fax"],"source":{"staff":"sam"}}"#,
                "consent[0].channels[0]",
            ),
            (r#"{"basis":"express"}"#, "consent[0].source"),
            (
                r#"{"basis":"signed","source":{"staff":"sam"}}"#,
                "consent[0].basis",
            ),
            (
                r#"{"basis":"express","source":{"staff":"sam"},"extra":1}"#,
                "consent[0].extra",
            ),
        ];
        for (record, field) in cases {
            let json = format!(
                r#"{{"source":{{"kind":"internet"}},"customer":{{"phones":["3125550123"]}},"consent":[{record}]}}"#
            );
            let errors = parse_lead_json(json.as_bytes(), "US").unwrap_err();
            assert_eq!(errors[0].field, field, "{record}: {errors:?}");
        }
    }

    #[test]
    fn a_wrong_type_names_the_field_path() {
        let json = br#"{"source":{"kind":"internet"},"vehicles":[{"year":"twenty"}]}"#;
        let errors = parse_lead_json(json, "US").unwrap_err();
        assert_eq!(errors[0].field, "vehicles[0].year");
    }

    #[test]
    fn an_unknown_source_kind_is_refused_by_name() {
        let json = br#"{"source":{"kind":"fax"}}"#;
        let errors = parse_lead_json(json, "US").unwrap_err();
        assert_eq!(errors[0].field, "source.kind");
        assert!(errors[0].message.contains("fax"), "{}", errors[0].message);
    }

    #[test]
    fn a_misspelled_field_is_refused() {
        let json = br#"{"source":{"kind":"internet"},"customer":{"phone":"3125550123"}}"#;
        let errors = parse_lead_json(json, "US").unwrap_err();
        assert_eq!(errors[0].field, "customer.phone");
    }

    #[test]
    fn the_validated_document_carries_normalized_contacts() {
        let json = br#"{"source":{"kind":"internet"},"customer":{
            "phones":["(813) 555-0139 ext. 204"],"emails":["Dana.Diaz@Example.COM"]}}"#;
        let lead = parse_lead_json(json, "US").unwrap();
        let c = &lead.input.customer;
        assert_eq!(c.phones, ["+18135550139"]);
        assert_eq!(c.phone_numbers[0].extension.as_deref(), Some("204"));
        assert_eq!(
            c.phone_numbers[0].original.as_deref(),
            Some("(813) 555-0139 ext. 204")
        );
        assert_eq!(c.emails, ["dana.diaz@example.com"]);
        assert_eq!(lead.emails[0].as_str(), "dana.diaz@example.com");
        let again = serde_json::to_vec(&lead.input).unwrap();
        assert_eq!(parse_lead_json(&again, "US").unwrap().input, lead.input);
    }

    #[test]
    fn an_invalid_phone_keeps_the_lead_and_warns() {
        let json = br#"{"source":{"kind":"internet"},"customer":{"phones":["call me"]}}"#;
        let lead = parse_lead_json(json, "US").unwrap();
        assert!(!lead.is_reachable());
        assert_eq!(lead.warnings()[0].field, "customer.phones[0]");
    }

    #[test]
    fn a_bad_vin_and_year_are_both_reported() {
        let json = br#"{"source":{"kind":"internet"},"vehicles":[{"year":1700,"vin":"123"}]}"#;
        let errors = parse_lead_json(json, "US").unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["vehicles[0].year", "vehicles[0].vin"]);
    }

    #[test]
    fn stages_are_ordered() {
        assert!(Stage::AppointmentSet.ends_follow_up());
        assert!(Stage::Lost.ends_follow_up());
        assert!(!Stage::Contacted.ends_follow_up());
    }
}
