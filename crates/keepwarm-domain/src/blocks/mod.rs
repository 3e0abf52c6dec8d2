//! Approved message blocks: their variants, `{{placeholders}}`, rendering and the choice of variant.
//!
//! A block is approved text for one channel in several variants. A variant is written in one
//! language, may carry a condition (`when`, see [`crate::condition`]) and may declare what it asks
//! the customer (`asks`), so that a customer is never asked what they already told us. Rendering
//! fills placeholders from the lead's real context and never produces a broken or empty
//! placeholder: a placeholder may carry its own fallback (`{{first_name|there}}`), and a variant
//! whose context is missing is passed over for the block's fallback variants (those that need
//! nothing from the lead). Choosing is `choose`'s: the lead's facts first, then a rotation seeded
//! by lead and step.

mod choose;
mod clean;

pub use choose::{fit_sms, render_block, rotation_seed, Choice};
pub use clean::{clean_lead_value, clean_value, MAX_LEAD_VALUE_CHARS};

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::cadence::Channel;
use crate::condition::{Condition, Fact, MessageFacts};

/// A block of approved text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    /// Its name, used by cadence steps.
    pub name: String,
    /// The channel the text is written for.
    pub channel: Channel,
    /// The variants, in configured order.
    pub variants: Vec<Variant>,
    /// Whether values from the lead may bring links and phone numbers into this block's text
    /// (`allow_lead_links = true`); off by default, so a lead form cannot make the dealership text
    /// someone else's link or number.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_lead_links: bool,
    /// What the block's messages are for (`purpose = "informational"`); marketing by default, and
    /// left out of the cadence version when it is, so blocks that never declared one keep their
    /// versions.
    #[serde(
        default,
        skip_serializing_if = "crate::compliance::MessagePurpose::is_marketing"
    )]
    pub purpose: crate::compliance::MessagePurpose,
}

impl Block {
    /// The languages the block has variants in, in first-seen order.
    pub fn languages(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for v in &self.variants {
            if !out.contains(&v.language.as_str()) {
                out.push(&v.language);
            }
        }
        out
    }

    /// Every lead fact that can change which variant this block sends: the facts its conditions
    /// read, what its variants ask about, and the lead placeholders they use (as names).
    pub fn facts(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut add = |name: &str| {
            if !out.iter().any(|n| n == name) {
                out.push(name.to_owned());
            }
        };
        if self.languages().len() > 1 {
            add(Fact::Language.name());
        }
        for v in &self.variants {
            for f in v.when.iter().flat_map(Condition::facts) {
                add(f.name());
            }
            for t in &v.asks {
                add(t.fact().name());
            }
            for p in v.placeholders() {
                if Placeholder::from_name(p).is_some_and(|p| !p.always_filled()) {
                    add(p);
                }
            }
        }
        out
    }
}

/// One wording of a block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    /// E-mail subject line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The text, with `{{placeholders}}`.
    pub text: String,
    /// The language it is written in (`en` unless given).
    #[serde(
        default = "default_language",
        skip_serializing_if = "is_default_language"
    )]
    pub language: String,
    /// The condition under which it may be sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    /// What it asks the customer; it is not sent to a lead who already told us.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub asks: Vec<Topic>,
}

/// The language of a variant that does not name one.
pub const DEFAULT_LANGUAGE: &str = "en";

fn default_language() -> String {
    DEFAULT_LANGUAGE.to_owned()
}

fn is_default_language(language: &String) -> bool {
    language == DEFAULT_LANGUAGE
}

impl Variant {
    /// An English variant with no subject, condition or question declared.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            subject: None,
            text: text.into(),
            language: default_language(),
            when: None,
            asks: Vec::new(),
        }
    }

    /// Every placeholder name in the subject and text (without fallbacks).
    pub fn placeholders(&self) -> Vec<&str> {
        let mut names: Vec<&str> = placeholders_in(&self.text);
        if let Some(subject) = &self.subject {
            names.extend(placeholders_in(subject));
        }
        names
    }

    /// Whether the variant can be sent to any lead: every placeholder is always filled (owner,
    /// dealership) or carries its own fallback.
    pub fn is_generic(&self) -> bool {
        let mut slots = slots_in(&self.text);
        if let Some(subject) = &self.subject {
            slots.extend(slots_in(subject));
        }
        slots.iter().all(|(name, fallback)| {
            fallback.is_some()
                || Placeholder::from_name(name).is_some_and(Placeholder::always_filled)
        })
    }

    /// Whether it is one of its block's fallbacks: generic, unconditional and asking nothing a
    /// lead might already have told us.
    pub fn is_fallback(&self) -> bool {
        self.is_generic() && self.when.is_none() && self.asks.is_empty()
    }

    /// Whether its condition and questions allow it for a lead with these facts.
    pub fn allowed_for(&self, facts: &MessageFacts) -> bool {
        self.when.as_ref().is_none_or(|w| w.holds(facts))
            && !self.asks.iter().any(|t| t.known(facts))
    }
}

crate::lead::word_enum! {
    /// What a variant asks the customer about (`asks = ["payment"]`).
    Topic {
        /// How they will pay: finance, lease or cash, a monthly target, money down.
        Payment = "payment",
        /// Their trade-in.
        TradeIn = "trade_in",
        /// When they mean to buy.
        Timeframe = "timeframe",
        /// Which vehicle they want.
        Vehicle = "vehicle",
        /// When they could come in.
        VisitTime = "visit_time",
    }
}

impl Topic {
    /// The fact that says the customer already told us.
    pub fn fact(self) -> Fact {
        match self {
            Topic::Payment => Fact::PaymentKnown,
            Topic::TradeIn => Fact::TradeIn,
            Topic::Timeframe => Fact::TimeframeKnown,
            Topic::Vehicle => Fact::VehicleKnown,
            Topic::VisitTime => Fact::WindowsKnown,
        }
    }

    /// Whether the lead already told us.
    pub fn known(self, facts: &MessageFacts) -> bool {
        match self {
            Topic::Payment => facts.payment_known,
            Topic::TradeIn => facts.trade_in,
            Topic::Timeframe => facts.timeframe_known,
            Topic::Vehicle => facts.vehicle_known,
            Topic::VisitTime => facts.windows_known,
        }
    }
}

/// The placeholder names inside `text`, in order, without the braces or fallbacks. A `{{` with no
/// closing `}}` is not a placeholder.
pub fn placeholders_in(text: &str) -> Vec<&str> {
    slots_in(text).into_iter().map(|(name, _)| name).collect()
}

/// Each placeholder in `text` as `(name, fallback)`: `{{first_name|there}}` is
/// `("first_name", Some("there"))`.
pub fn slots_in(text: &str) -> Vec<(&str, Option<&str>)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else { break };
        out.push(split_slot(&after[..close]));
        rest = &after[close + 2..];
    }
    out
}

fn split_slot(inner: &str) -> (&str, Option<&str>) {
    match inner.split_once('|') {
        Some((name, fallback)) => (name.trim(), Some(fallback.trim())),
        None => (inner.trim(), None),
    }
}

macro_rules! placeholders {
    ($($variant:ident = $name:literal, $always:literal, $doc:literal;)+) => {
        /// The placeholders a message block may use.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Placeholder {
            $(#[doc = $doc] $variant),+
        }

        impl Placeholder {
            /// Every placeholder.
            pub const ALL: &'static [Placeholder] = &[$(Placeholder::$variant),+];

            /// The name written between the braces.
            pub fn name(self) -> &'static str {
                match self { $(Placeholder::$variant => $name),+ }
            }

            /// Whether every lead has a value for it (owner and dealership facts).
            pub fn always_filled(self) -> bool {
                match self { $(Placeholder::$variant => $always),+ }
            }

            /// The placeholder with this name.
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $($name => Some(Placeholder::$variant),)+ _ => None }
            }
        }
    };
}

placeholders! {
    FirstName = "first_name", false, "The customer's first name.";
    LastName = "last_name", false, "The customer's last name.";
    CustomerName = "customer_name", false, "The customer's full name.";
    Vehicle = "vehicle", false, "The vehicle of interest: year, make, model and trim as known.";
    VehicleMake = "vehicle_make", false, "The vehicle of interest's make.";
    VehicleModel = "vehicle_model", false, "The vehicle of interest's model.";
    VehiclePrice = "vehicle_price", false, "The vehicle of interest's price as the lead's document gives it (\"$34,995\"); a variant using it needs `when = \"price_known\"`.";
    TradeIn = "trade_in", false, "The trade-in vehicle.";
    ServiceNeed = "service_need", false, "What the customer's vehicle needs in service.";
    ServiceVehicle = "service_vehicle", false, "The vehicle being serviced.";
    Payment = "payment", false, "The payment the customer is aiming for (\"around $450 a month\").";
    DownPayment = "down_payment", false, "The money down the customer mentioned.";
    AppointmentWindows = "appointment_windows", false, "The times the customer said suit them.";
    Timeframe = "timeframe", false, "When the customer means to buy.";
    OwnerName = "owner_name", true, "The lead owner's full name.";
    OwnerFirstName = "owner_first_name", true, "The lead owner's first name (the full name when the customer has the same first name).";
    Dealership = "dealership", true, "The dealership's name.";
    Brand = "brand", true, "The brand name used in messages.";
    DealershipPhone = "dealership_phone", true, "The dealership's phone number.";
    DealershipAddress = "dealership_address", true, "The dealership's postal address.";
    VisitDay = "visit_day", true, "When the customer asked or visited, as said at send time in the lead's language: \"today\", \"yesterday\", \"on Saturday\".";
    AppointmentDay = "appointment_day", true, "The appointment's day in the dealership's zone (\"Saturday, December 5\"); appointment-anchored cadences only.";
    AppointmentTime = "appointment_time", true, "The appointment's time in the dealership's zone (\"10:30 AM\"); appointment-anchored cadences only.";
}

impl Placeholder {
    /// Whether only appointment-anchored cadences can fill it.
    pub fn needs_appointment(self) -> bool {
        matches!(
            self,
            Placeholder::AppointmentDay | Placeholder::AppointmentTime
        )
    }
}

/// The values available for one message: placeholder name to text. A missing or blank value means
/// the placeholder cannot be filled.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageContext(BTreeMap<String, String>);

impl MessageContext {
    /// Sets a value; blank values are not stored.
    pub fn set(&mut self, placeholder: Placeholder, value: impl Into<String>) {
        let value = value.into();
        let value = value.trim();
        if !value.is_empty() {
            self.0
                .insert(placeholder.name().to_owned(), value.to_owned());
        }
    }

    /// The value for a placeholder name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// Sets the owner's names. When the customer has the same first name ("Hi Alex, Alex at ..."),
    /// the owner is named in full wherever their first name would go. Call after the customer's
    /// first name is set.
    pub fn set_owner(&mut self, full_name: &str, first_name: &str) {
        self.set(Placeholder::OwnerName, full_name);
        let same = self
            .get(Placeholder::FirstName.name())
            .is_some_and(|c| c.trim().eq_ignore_ascii_case(first_name.trim()));
        let shown = if same { full_name } else { first_name };
        self.set(Placeholder::OwnerFirstName, shown);
    }

    /// Fills every placeholder in `template`, or `None` if any is missing and has no fallback.
    /// Values that came from the lead (every placeholder not [`Placeholder::always_filled`]) go
    /// through [`clean_value`] first: one that cannot be sent counts as missing, so its fallback is
    /// used or the variant is passed over. `allow_links` is the block's `allow_lead_links`.
    pub fn render(&self, template: &str, allow_links: bool) -> Option<String> {
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(open) = rest.find("{{") {
            let after = &rest[open + 2..];
            let Some(close) = after.find("}}") else { break };
            out.push_str(&rest[..open]);
            let (name, fallback) = split_slot(&after[..close]);
            let from_lead = Placeholder::from_name(name).is_none_or(|p| !p.always_filled());
            let value = self.get(name).and_then(|value| {
                if from_lead {
                    clean_value(value, allow_links)
                } else {
                    Some(value.to_owned())
                }
            });
            let value = value.or_else(|| fallback.map(str::to_owned))?;
            rest = &after[close + 2..];
            if value.is_empty() && rest.starts_with([',', '.', '!', '?', ';', ':']) {
                // `Hola {{first_name|}}, soy ...` with no name reads `Hola, soy ...`.
                out.truncate(out.trim_end().len());
            }
            out.push_str(&value);
        }
        out.push_str(rest);
        Some(out)
    }
}

/// A rendered message, ready for a channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rendered {
    /// The variant's index in its block.
    pub variant: usize,
    /// E-mail subject, if any.
    pub subject: Option<String>,
    /// The body text.
    pub body: String,
    /// True when a context-specific variant was passed over for missing context and a generic one
    /// was used instead.
    pub fell_back: bool,
    /// True when the lead had already had every usable variant and one had to be repeated.
    pub repeated: bool,
}

#[cfg(test)]
mod tests;
