//! Approved message blocks: their variants, `{{placeholders}}`, rendering and rotation.
//!
//! A block is approved text for one channel in several variants. Rendering fills placeholders from
//! the lead's real context and never produces a broken or empty placeholder: a variant whose context
//! is missing is passed over, and the approved generic variants (those that use only the owner's and
//! dealership's names) are the fallback. Rotation gives a lead a variant it has not had, and spreads
//! variants across leads.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::cadence::Channel;

/// A block of approved text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    /// Its name, used by cadence steps.
    pub name: String,
    /// The channel the text is written for.
    pub channel: Channel,
    /// The variants, in configured order.
    pub variants: Vec<Variant>,
}

/// One wording of a block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    /// E-mail subject line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The text, with `{{placeholders}}`.
    pub text: String,
}

impl Variant {
    /// Every placeholder in the subject and text.
    pub fn placeholders(&self) -> Vec<&str> {
        let mut names = placeholders_in(&self.text);
        if let Some(subject) = &self.subject {
            names.extend(placeholders_in(subject));
        }
        names
    }

    /// Whether the variant uses only placeholders that are always filled (owner, dealership), so it
    /// can be sent to any lead.
    pub fn is_generic(&self) -> bool {
        self.placeholders()
            .iter()
            .all(|p| Placeholder::from_name(p).is_some_and(|p| p.always_filled()))
    }
}

/// The placeholder names inside `text`, in order, without the braces. A `{{` with no closing `}}`
/// is not a placeholder.
pub fn placeholders_in(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else { break };
        names.push(after[..close].trim());
        rest = &after[close + 2..];
    }
    names
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
    TradeIn = "trade_in", false, "The trade-in vehicle.";
    ServiceNeed = "service_need", false, "What the customer's vehicle needs in service.";
    ServiceVehicle = "service_vehicle", false, "The vehicle being serviced.";
    Payment = "payment", false, "The payment the customer is aiming for (\"around $450 a month\").";
    DownPayment = "down_payment", false, "The money down the customer mentioned.";
    AppointmentWindows = "appointment_windows", false, "The times the customer said suit them.";
    Timeframe = "timeframe", false, "When the customer means to buy.";
    OwnerName = "owner_name", true, "The lead owner's full name.";
    OwnerFirstName = "owner_first_name", true, "The lead owner's first name.";
    Dealership = "dealership", true, "The dealership's name.";
    Brand = "brand", true, "The brand name used in messages.";
    DealershipPhone = "dealership_phone", true, "The dealership's phone number.";
    DealershipAddress = "dealership_address", true, "The dealership's postal address.";
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

    /// Fills every placeholder in `template`, or `None` if any is missing.
    pub fn render(&self, template: &str) -> Option<String> {
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(open) = rest.find("{{") {
            let after = &rest[open + 2..];
            let Some(close) = after.find("}}") else { break };
            out.push_str(&rest[..open]);
            out.push_str(self.get(after[..close].trim())?);
            rest = &after[close + 2..];
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

/// Picks and renders a variant of `block` for a lead.
///
/// `used` lists the variant indexes this lead already received from this block; `spread` is a
/// number that differs between leads (the lead id), so that leads at the same step get different
/// wordings. Returns `None` only when no variant renders at all, which a validated configuration
/// prevents (every block must have a generic variant).
pub fn render_block(
    block: &Block,
    context: &MessageContext,
    used: &[usize],
    spread: u64,
) -> Option<Rendered> {
    let rendered: Vec<(usize, Option<String>, String)> = block
        .variants
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let body = context.render(&v.text)?;
            let subject = match &v.subject {
                Some(s) => Some(context.render(s)?),
                None => None,
            };
            Some((i, subject, body))
        })
        .collect();
    let specific_missing = block
        .variants
        .iter()
        .enumerate()
        .any(|(i, v)| !v.is_generic() && !rendered.iter().any(|(j, _, _)| *j == i));
    let fresh: Vec<_> = rendered
        .iter()
        .filter(|(i, _, _)| !used.contains(i))
        .collect();
    let specific_fresh: Vec<_> = fresh
        .iter()
        .copied()
        .filter(|(i, _, _)| !block.variants[*i].is_generic())
        .collect();
    let (pool, repeated) = if !specific_fresh.is_empty() {
        (specific_fresh, false)
    } else if !fresh.is_empty() {
        (fresh, false)
    } else {
        // Every usable wording was used: repeat the least used one rather than send nothing.
        let least = rendered
            .iter()
            .min_by_key(|(i, _, _)| used.iter().filter(|u| *u == i).count())?;
        (vec![least], true)
    };
    let salt = block
        .name
        .bytes()
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
    let pick = pool[(spread.wrapping_add(salt) % pool.len() as u64) as usize];
    Some(Rendered {
        variant: pick.0,
        subject: pick.1.clone(),
        body: pick.2.clone(),
        fell_back: specific_missing && block.variants[pick.0].is_generic(),
        repeated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(texts: &[&str]) -> Block {
        Block {
            name: "b".into(),
            channel: Channel::Sms,
            variants: texts
                .iter()
                .map(|t| Variant {
                    subject: None,
                    text: (*t).into(),
                })
                .collect(),
        }
    }

    fn context(with_vehicle: bool) -> MessageContext {
        let mut c = MessageContext::default();
        c.set(Placeholder::FirstName, "Dana");
        c.set(Placeholder::OwnerFirstName, "Sam");
        if with_vehicle {
            c.set(Placeholder::Vehicle, "2024 Honda CR-V");
        }
        c
    }

    #[test]
    fn placeholders_are_found() {
        assert_eq!(
            placeholders_in("Hi {{first_name}}, {{ vehicle }} {{broken"),
            ["first_name", "vehicle"]
        );
    }

    #[test]
    fn a_missing_context_falls_back_to_the_generic_variant() {
        let b = block(&[
            "Hi {{first_name}}, the {{vehicle}} is here.",
            "Hi, it's {{owner_first_name}}.",
        ]);
        let r = render_block(&b, &context(false), &[], 0).unwrap();
        assert_eq!(r.body, "Hi, it's Sam.");
        assert!(r.fell_back);
    }

    #[test]
    fn context_specific_variants_come_first() {
        let b = block(&[
            "Hi, it's {{owner_first_name}}.",
            "Hi {{first_name}}, the {{vehicle}} is here.",
        ]);
        for spread in 0..5 {
            let r = render_block(&b, &context(true), &[], spread).unwrap();
            assert_eq!(r.body, "Hi Dana, the 2024 Honda CR-V is here.");
            assert!(!r.fell_back);
        }
    }

    #[test]
    fn a_lead_never_gets_the_same_variant_twice_while_others_remain() {
        let b = block(&["A {{first_name}}", "B {{first_name}}", "C {{first_name}}"]);
        let mut used = Vec::new();
        for _ in 0..3 {
            let r = render_block(&b, &context(true), &used, 7).unwrap();
            assert!(!used.contains(&r.variant));
            used.push(r.variant);
        }
        let r = render_block(&b, &context(true), &used, 7).unwrap();
        assert!(r.repeated);
    }

    #[test]
    fn wording_spreads_across_leads() {
        let b = block(&["A {{first_name}}", "B {{first_name}}", "C {{first_name}}"]);
        let mut seen = std::collections::BTreeSet::new();
        for lead in 0..3 {
            seen.insert(render_block(&b, &context(true), &[], lead).unwrap().variant);
        }
        assert_eq!(seen.len(), 3);
    }

    #[test]
    fn rendering_never_leaves_a_placeholder() {
        let b = block(&["{{first_name}} {{trade_in}}"]);
        assert!(render_block(&b, &context(true), &[], 0).is_none());
    }
}
