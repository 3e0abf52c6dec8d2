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

    /// Fills every placeholder in `template`, or `None` if any is missing. Values that came from
    /// the lead (every placeholder not [`Placeholder::always_filled`]) go through
    /// [`clean_lead_value`] first: one that cannot be sent counts as missing, so the variant is
    /// passed over for one that does not use it.
    pub fn render(&self, template: &str) -> Option<String> {
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(open) = rest.find("{{") {
            let after = &rest[open + 2..];
            let Some(close) = after.find("}}") else { break };
            out.push_str(&rest[..open]);
            let name = after[..close].trim();
            let value = self.get(name)?;
            let from_lead = Placeholder::from_name(name).is_none_or(|p| !p.always_filled());
            if from_lead {
                out.push_str(&clean_lead_value(value)?);
            } else {
                out.push_str(value);
            }
            rest = &after[close + 2..];
        }
        out.push_str(rest);
        Some(out)
    }
}

/// Longest value taken from a lead into a message, in characters: a longer one is cut at a word.
pub const MAX_LEAD_VALUE_CHARS: usize = 60;

/// A value from a lead (a name, a model, a comment) made fit to put in a text the dealership sends:
/// control, bidi and zero-width characters removed, runs of white space made one space, cut to
/// [`MAX_LEAD_VALUE_CHARS`] at a word. `None` when it holds a link or a phone number: whoever filled
/// in the lead form must not be able to make the dealership text `Visit http://evil.example`.
pub fn clean_lead_value(value: &str) -> Option<String> {
    let visible =
        crate::text::strip_invisible(&value.replace(['\n', '\r', '\t'], " ")).into_owned();
    let words: Vec<&str> = visible.split_whitespace().collect();
    if words.iter().any(|w| looks_like_link(w)) || has_phone_number(&visible) {
        return None;
    }
    let mut out = String::new();
    for word in words {
        let extra = usize::from(!out.is_empty()) + word.chars().count();
        if out.chars().count() + extra > MAX_LEAD_VALUE_CHARS {
            if out.is_empty() {
                out = word.chars().take(MAX_LEAD_VALUE_CHARS).collect();
            }
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    (!out.is_empty()).then_some(out)
}

/// `http://…`, `www.…`, or a bare domain (`evil.example`, `bit.ly/x`).
fn looks_like_link(word: &str) -> bool {
    let lower = word.to_lowercase();
    if lower.contains("://") || lower.starts_with("www.") {
        return true;
    }
    let host = lower
        .trim_matches(|c: char| !c.is_alphanumeric())
        .split('/')
        .next()
        .unwrap_or_default();
    let mut labels = host.split('.');
    let first = labels.next().unwrap_or_default();
    let rest: Vec<&str> = labels.collect();
    !first.is_empty()
        && first.chars().any(|c| c.is_ascii_alphabetic())
        && rest
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()))
        && rest.iter().all(|l| !l.is_empty())
}

/// Seven or more digits in a row, allowing the separators a phone number is written with.
fn has_phone_number(text: &str) -> bool {
    let mut digits = 0;
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits += 1;
            if digits >= 7 {
                return true;
            }
        } else if !matches!(c, ' ' | '-' | '.' | '(' | ')' | '+') {
            digits = 0;
        }
    }
    false
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

/// A text that fits in `max_segments` SMS segments: `rendered` when it does, else the shortest
/// variant of `block` that renders for this lead and fits. `None` when none fits: the text would be
/// split into more messages than the dealership allows (a lead value of thousands of characters,
/// a variant grown past the limit), and it is not sent.
pub fn fit_sms(
    block: &Block,
    context: &MessageContext,
    rendered: Rendered,
    max_segments: usize,
) -> Option<Rendered> {
    let fits = |text: &str| crate::sms::sms_length(text).segments <= max_segments;
    if fits(&rendered.body) {
        return Some(rendered);
    }
    block
        .variants
        .iter()
        .enumerate()
        .filter_map(|(i, v)| Some((i, context.render(&v.text)?)))
        .filter(|(_, body)| fits(body))
        .min_by_key(|(_, body)| crate::sms::sms_length(body).segments)
        .map(|(variant, body)| Rendered {
            variant,
            subject: None,
            body,
            fell_back: true,
            repeated: rendered.repeated,
        })
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

    #[test]
    fn lead_values_with_links_or_phone_numbers_are_not_put_in_messages() {
        for hostile in [
            "Honda Visit http://evil.example now",
            "Civic www.evil.example",
            "Civic, see evil.example/deal",
            "Call 312-555-0199",
            "Text (312) 555 0199",
        ] {
            assert_eq!(clean_lead_value(hostile), None, "{hostile}");
        }
        for fine in [
            "2022 Honda Civic EX-L",
            "CR-V 1.5T",
            "Mr. O'Brien",
            "F-150 Lariat 4x4",
        ] {
            assert_eq!(clean_lead_value(fine).as_deref(), Some(fine), "{fine}");
        }
    }

    #[test]
    fn lead_values_are_cut_at_a_word_and_cleaned_of_invisible_characters() {
        let long = "Accord ".repeat(300);
        let cleaned = clean_lead_value(&long).unwrap_or_default();
        assert!(cleaned.chars().count() <= MAX_LEAD_VALUE_CHARS, "{cleaned}");
        assert!(cleaned.starts_with("Accord Accord") && !cleaned.ends_with(' '));
        assert_eq!(
            clean_lead_value("An\u{202E}na\u{0}\n Lee\u{200B}").as_deref(),
            Some("Anna Lee")
        );
    }

    #[test]
    fn a_variant_using_a_hostile_lead_value_falls_back_to_the_generic_one() {
        let b = block(&[
            "Hi {{first_name}}, the {{vehicle}} is here",
            "Hi from {{dealership}}",
        ]);
        let mut cx = MessageContext::default();
        cx.set(Placeholder::FirstName, "Ann");
        cx.set(
            Placeholder::Vehicle,
            "2022 Honda Visit http://evil.example now",
        );
        cx.set(Placeholder::Dealership, "Lakeside Honda");
        let r = render_block(&b, &cx, &[], 0).unwrap_or_else(|| panic!("no variant"));
        assert_eq!(r.body, "Hi from Lakeside Honda");
        assert!(r.fell_back);
        cx.set(Placeholder::Vehicle, "Civic ".repeat(400));
        let r = render_block(&b, &cx, &[], 0).unwrap_or_else(|| panic!("no variant"));
        assert!(r.body.len() < 100, "{}", r.body);
    }

    #[test]
    fn a_text_over_the_segment_limit_at_send_time_goes_shorter_or_not_at_all() {
        let long = format!(
            "Hi {{{{first_name}}}}, {}",
            "thanks for asking about the truck. ".repeat(6)
        );
        let b = block(&[
            &long,
            "Hi {{first_name}}, it's {{owner_first_name}}. Any questions?",
        ]);
        let cx = context(false);
        let rendered = render_block(&b, &cx, &[], 0).unwrap_or_else(|| panic!("no variant"));
        assert_eq!(rendered.variant, 0, "the specific variant is chosen first");
        assert!(crate::sms::sms_length(&rendered.body).segments > 1);
        let fitted = fit_sms(&b, &cx, rendered.clone(), 1).unwrap_or_else(|| panic!("none fits"));
        assert_eq!(
            (fitted.variant, fitted.body.as_str(), fitted.fell_back),
            (1, "Hi Dana, it's Sam. Any questions?", true)
        );
        assert_eq!(
            fit_sms(&b, &cx, rendered.clone(), 2).map(|r| r.variant),
            Some(0)
        );
        let only_long = block(&[&long]);
        assert!(fit_sms(&only_long, &cx, rendered, 1).is_none());
    }

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
