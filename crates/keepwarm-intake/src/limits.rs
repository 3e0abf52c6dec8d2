//! The last step of every intake path: make a lead document fit what `validate_lead` accepts.
//!
//! Owns [`enforce_limits`], which leaves out (with a warning) every value the domain would refuse —
//! a model year out of range, a negative price, a VIN of the wrong shape, contacts or vehicles over
//! the limits — so that one bad value never costs the whole lead. It mirrors the checks of
//! `keepwarm_domain::lead::validate_lead`; the format modules still call `validate_lead` afterwards.

use keepwarm_domain::lead::{LeadInput, VehicleInput, MAX_CONTACTS, MAX_TEXT_FIELD, MAX_VEHICLES};

use crate::lead::{codes, IntakeWarning};

/// What to do with a text longer than [`MAX_TEXT_FIELD`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextPolicy {
    /// Cut it at the limit, with a warning (feeds: a long comment is still a lead).
    Truncate,
    /// Leave it, so that `validate_lead` refuses it (CSV: a giant cell means a broken quote).
    Keep,
}

/// Leaves out every value `validate_lead` would refuse, recording a warning for each. `name` turns
/// a document path (`vehicles[0].vin`) into the words used in the warning (the path itself, or the
/// CSV column it came from).
pub(crate) fn enforce_limits(
    input: &mut LeadInput,
    warnings: &mut Vec<IntakeWarning>,
    policy: TextPolicy,
    name: &dyn Fn(&str) -> String,
) {
    let customer = &mut input.customer;
    dedupe(&mut customer.phones, |p| {
        p.chars().filter(char::is_ascii_digit).collect()
    });
    dedupe(&mut customer.emails, |e| e.to_lowercase());
    for (list, what) in [
        (&mut customer.phones, "phone numbers"),
        (&mut customer.emails, "e-mail addresses"),
    ] {
        if list.len() > MAX_CONTACTS {
            warnings.push(IntakeWarning::new(
                codes::TOO_MANY_CONTACTS,
                format!("{} {what} given; kept the first {MAX_CONTACTS}", list.len()),
            ));
            list.truncate(MAX_CONTACTS);
        }
    }
    if let Some(pref) = &customer.preferred_contact {
        if !["sms", "email", "phone", "call", "text"].contains(&pref.to_lowercase().as_str()) {
            warnings.push(IntakeWarning::new(
                codes::UNKNOWN_CONTACT_PREFERENCE,
                format!(
                    "{}: unknown contact preference `{pref}`; left out",
                    name("customer.preferred_contact")
                ),
            ));
            customer.preferred_contact = None;
        }
    }
    if input.vehicles.len() > MAX_VEHICLES {
        warnings.push(IntakeWarning::new(
            codes::TOO_MANY_VEHICLES,
            format!(
                "{} vehicles given; kept the first {MAX_VEHICLES}",
                input.vehicles.len()
            ),
        ));
        input.vehicles.truncate(MAX_VEHICLES);
    }
    for (i, v) in input.vehicles.iter_mut().enumerate() {
        fit_vehicle(v, &format!("vehicles[{i}]"), warnings, name);
    }
    if let Some(v) = input.service.as_mut().and_then(|s| s.vehicle.as_mut()) {
        fit_vehicle(v, "service.vehicle", warnings, name);
    }
    if let Some(p) = input.payment.as_mut() {
        for (field, value) in [
            ("payment.monthly_target", &mut p.monthly_target),
            ("payment.down_payment", &mut p.down_payment),
        ] {
            if value.is_some_and(|v| !v.is_finite() || v < 0.0) {
                warnings.push(IntakeWarning::new(
                    codes::INVALID_PRICE,
                    format!("{}: not a positive amount; left out", name(field)),
                ));
                *value = None;
            }
        }
    }
    if policy == TextPolicy::Truncate {
        truncate_texts(input, warnings, name);
    }
}

/// Whether `vin` has the shape of a VIN: 17 letters and digits, without I, O or Q.
pub(crate) fn is_vin(vin: &str) -> bool {
    vin.len() == 17
        && vin
            .chars()
            .all(|c| c.is_ascii_alphanumeric() && !matches!(c, 'I' | 'O' | 'Q' | 'i' | 'o' | 'q'))
}

/// Whether `year` can be a model year (the domain's range).
pub(crate) fn is_model_year(year: u16) -> bool {
    (1900..=2100).contains(&year)
}

fn fit_vehicle(
    v: &mut VehicleInput,
    path: &str,
    warnings: &mut Vec<IntakeWarning>,
    name: &dyn Fn(&str) -> String,
) {
    if let Some(year) = v.year.filter(|y| !is_model_year(*y)) {
        warnings.push(IntakeWarning::new(
            codes::INVALID_YEAR,
            format!(
                "{}: {year} is not a model year; left out",
                name(&format!("{path}.year"))
            ),
        ));
        v.year = None;
    }
    if let Some(price) = v.price.filter(|p| !p.is_finite() || *p < 0.0) {
        warnings.push(IntakeWarning::new(
            codes::INVALID_PRICE,
            format!(
                "{}: {price} is not a positive amount; left out",
                name(&format!("{path}.price"))
            ),
        ));
        v.price = None;
    }
    if let Some(vin) = v.vin.take() {
        let cleaned = vin.trim().to_ascii_uppercase();
        if is_vin(&cleaned) {
            v.vin = Some(cleaned);
        } else {
            warnings.push(IntakeWarning::new(
                codes::INVALID_VIN,
                format!(
                    "{}: `{vin}` is not a 17-character VIN; left out",
                    name(&format!("{path}.vin"))
                ),
            ));
        }
    }
}

fn truncate_texts(
    input: &mut LeadInput,
    warnings: &mut Vec<IntakeWarning>,
    name: &dyn Fn(&str) -> String,
) {
    let c = &mut input.customer;
    let mut address_fields: Vec<(String, &mut String)> = Vec::new();
    if let Some(address) = c.address.as_mut() {
        for (i, line) in address.street.iter_mut().enumerate() {
            address_fields.push((format!("customer.address.street[{i}]"), line));
        }
        for (field, value) in [
            ("customer.address.city", &mut address.city),
            ("customer.address.region", &mut address.region),
            ("customer.address.country", &mut address.country),
        ] {
            if let Some(text) = value.as_mut() {
                address_fields.push((field.to_owned(), text));
            }
        }
    }
    if let Some(language) = c.preferred_language.as_mut() {
        address_fields.push(("customer.preferred_language".to_owned(), language));
    }
    for (field, text) in address_fields {
        cut(&field, text, warnings, name);
    }
    let fields: [(&str, &mut Option<String>); 8] = [
        ("customer.first_name", &mut c.first_name),
        ("customer.last_name", &mut c.last_name),
        ("customer.full_name", &mut c.full_name),
        ("customer.postal_code", &mut c.postal_code),
        ("source.provider", &mut input.source.provider),
        (
            "source.provider_lead_id",
            &mut input.source.provider_lead_id,
        ),
        ("comments", &mut input.comments),
        ("dealership", &mut input.dealership),
    ];
    for (field, value) in fields {
        if let Some(text) = value.as_mut() {
            cut(field, text, warnings, name);
        }
    }
}

/// Cuts one text over [`MAX_TEXT_FIELD`] at the limit, with a warning naming it.
fn cut(
    field: &str,
    text: &mut String,
    warnings: &mut Vec<IntakeWarning>,
    name: &dyn Fn(&str) -> String,
) {
    if text.len() > MAX_TEXT_FIELD {
        let was = text.len();
        truncate_at_char(text, MAX_TEXT_FIELD);
        warnings.push(IntakeWarning::new(
            codes::TEXT_TRUNCATED,
            format!("{}: {was} bytes, cut to {} bytes", name(field), text.len()),
        ));
    }
}

/// Cuts `text` to at most `max` bytes without splitting a character.
pub(crate) fn truncate_at_char(text: &mut String, max: usize) {
    if text.len() <= max {
        return;
    }
    let mut end = max;
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
}

fn dedupe(list: &mut Vec<String>, key: impl Fn(&str) -> String) {
    let mut seen: Vec<String> = Vec::new();
    list.retain(|item| {
        let trimmed = item.trim();
        if trimmed.is_empty() {
            return false;
        }
        let k = key(trimmed);
        let k = if k.is_empty() { trimmed.to_owned() } else { k };
        if seen.contains(&k) {
            false
        } else {
            seen.push(k);
            true
        }
    });
}

#[cfg(test)]
mod tests {
    use keepwarm_domain::lead::{validate_lead, CustomerInput, ServiceInput};

    use super::*;

    fn path_name(path: &str) -> String {
        path.to_owned()
    }

    #[test]
    fn every_value_the_domain_refuses_is_left_out_with_a_warning() {
        let mut input = LeadInput {
            customer: CustomerInput {
                phones: (0..12).map(|i| format!("312555{i:04}")).collect(),
                preferred_contact: Some("pigeon".into()),
                ..CustomerInput::default()
            },
            vehicles: vec![VehicleInput {
                year: Some(1700),
                price: Some(-5.0),
                vin: Some("123".into()),
                ..VehicleInput::default()
            }],
            service: Some(ServiceInput {
                vehicle: Some(VehicleInput {
                    vin: Some(" 1hgcm82633a004352 ".into()),
                    ..VehicleInput::default()
                }),
                ..ServiceInput::default()
            }),
            comments: Some("é".repeat(MAX_TEXT_FIELD)),
            ..LeadInput::default()
        };
        let mut warnings = Vec::new();
        enforce_limits(&mut input, &mut warnings, TextPolicy::Truncate, &path_name);
        let codes: Vec<_> = warnings.iter().map(|w| w.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "too_many_contacts",
                "unknown_contact_preference",
                "invalid_year",
                "invalid_price",
                "invalid_vin",
                "text_truncated"
            ]
        );
        assert_eq!(
            input
                .service
                .as_ref()
                .and_then(|s| s.vehicle.as_ref())
                .and_then(|v| v.vin.as_deref()),
            Some("1HGCM82633A004352")
        );
        assert!(validate_lead(input, "US").is_ok());
    }

    #[test]
    fn duplicate_contacts_are_kept_once() {
        let mut input = LeadInput::default();
        input.customer.phones = vec!["(312) 555-0100".into(), "312.555.0100".into(), " ".into()];
        input.customer.emails = vec!["A@example.com".into(), "a@example.com".into()];
        enforce_limits(&mut input, &mut Vec::new(), TextPolicy::Keep, &path_name);
        assert_eq!(input.customer.phones, ["(312) 555-0100"]);
        assert_eq!(input.customer.emails, ["A@example.com"]);
    }
}
