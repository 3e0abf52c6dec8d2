//! Plain-text lead e-mails (CarGurus, Autotrader and many dealer-website forms) read by their
//! labels.
//!
//! Owns [`lead_from_text`]. It is a heuristic and says so: every lead it returns carries a
//! `parsed_heuristically` warning. It recognizes `Label: value` lines (also `Label<TAB>value`, and a
//! label alone with its value on the next line), matching labels case-, space- and
//! punctuation-insensitively against the variants providers use. A text counts as a lead only when
//! it gives a phone number or e-mail address *and* a name or a vehicle, so that a newsletter's
//! "Phone: … Email: …" footer is not taken for a customer.

use keepwarm_domain::lead::{CustomerInput, LeadInput, SourceInput, VehicleInput, VehicleInterest};
use keepwarm_domain::SourceKind;

use crate::lead::{codes, IntakeLead, IntakeWarning};
use crate::limits::{enforce_limits, TextPolicy};
use crate::text::{
    clean, normalize_label, parse_amount, parse_vehicle_description, parse_whole, split_full_name,
};

/// What a label stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Name,
    FirstName,
    LastName,
    Phone,
    Email,
    Zip,
    Vehicle,
    Year,
    Make,
    Model,
    Trim,
    Vin,
    Stock,
    Price,
    Mileage,
    TradeIn,
    Comments,
    LeadId,
    Timeframe,
}

/// Label variants (normalized: lower-case letters and digits) and what they stand for.
const LABELS: &[(&str, Label)] = &[
    ("name", Label::Name),
    ("customername", Label::Name),
    ("fullname", Label::Name),
    ("buyername", Label::Name),
    ("contactname", Label::Name),
    ("customer", Label::Name),
    ("firstname", Label::FirstName),
    ("lastname", Label::LastName),
    ("phone", Label::Phone),
    ("phonenumber", Label::Phone),
    ("telephone", Label::Phone),
    ("tel", Label::Phone),
    ("cell", Label::Phone),
    ("cellphone", Label::Phone),
    ("mobile", Label::Phone),
    ("mobilephone", Label::Phone),
    ("homephone", Label::Phone),
    ("workphone", Label::Phone),
    ("dayphone", Label::Phone),
    ("eveningphone", Label::Phone),
    ("customerphone", Label::Phone),
    ("buyerphone", Label::Phone),
    ("email", Label::Email),
    ("emailaddress", Label::Email),
    ("customeremail", Label::Email),
    ("buyeremail", Label::Email),
    ("zip", Label::Zip),
    ("zipcode", Label::Zip),
    ("postalcode", Label::Zip),
    ("vehicle", Label::Vehicle),
    ("vehicleofinterest", Label::Vehicle),
    ("vehicleinterest", Label::Vehicle),
    ("interestedin", Label::Vehicle),
    ("car", Label::Vehicle),
    ("listing", Label::Vehicle),
    ("year", Label::Year),
    ("make", Label::Make),
    ("model", Label::Model),
    ("trim", Label::Trim),
    ("vin", Label::Vin),
    ("stock", Label::Stock),
    ("stocknumber", Label::Stock),
    ("stockno", Label::Stock),
    ("price", Label::Price),
    ("listprice", Label::Price),
    ("listedprice", Label::Price),
    ("askingprice", Label::Price),
    ("mileage", Label::Mileage),
    ("miles", Label::Mileage),
    ("odometer", Label::Mileage),
    ("tradein", Label::TradeIn),
    ("tradeinvehicle", Label::TradeIn),
    ("trade", Label::TradeIn),
    ("comments", Label::Comments),
    ("comment", Label::Comments),
    ("message", Label::Comments),
    ("customercomments", Label::Comments),
    ("customermessage", Label::Comments),
    ("additionalcomments", Label::Comments),
    ("questions", Label::Comments),
    ("questionscomments", Label::Comments),
    ("leadid", Label::LeadId),
    ("referenceid", Label::LeadId),
    ("reference", Label::LeadId),
    ("timeframe", Label::Timeframe),
    ("purchasetimeframe", Label::Timeframe),
];

/// Reads a lead from labelled text; `None` when the text does not read like a lead.
pub(crate) fn lead_from_text(text: &str, sender_provider: Option<&str>) -> Option<IntakeLead> {
    let pairs = labelled_values(text);
    let mut input = LeadInput {
        source: SourceInput {
            kind: SourceKind::Internet,
            provider: sender_provider.map(str::to_owned),
            provider_lead_id: None,
        },
        ..LeadInput::default()
    };
    let mut vehicle = VehicleInput::default();
    let mut trade: Option<VehicleInput> = None;
    let mut warnings = vec![IntakeWarning::new(
        codes::PARSED_HEURISTICALLY,
        "read from a plain-text e-mail by its labels, not from ADF; check the fields",
    )];
    let mut comments: Vec<String> = Vec::new();
    let c: &mut CustomerInput = &mut input.customer;
    for (label, value) in pairs {
        match label {
            Label::Name => {
                let parts = split_full_name(&value);
                c.first_name = c.first_name.take().or(parts.first);
                c.last_name = c.last_name.take().or(parts.last);
                c.full_name = c.full_name.take().or(parts.full);
            }
            Label::FirstName => c.first_name = clean(&value),
            Label::LastName => c.last_name = clean(&value),
            Label::Phone => {
                if value.chars().filter(char::is_ascii_digit).count() >= 7 {
                    c.phones.push(value);
                }
            }
            Label::Email => {
                if let Some(email) = value.split_whitespace().find(|w| w.contains('@')) {
                    let email = email
                        .trim_matches(|ch: char| matches!(ch, '<' | '>' | '(' | ')' | ',' | ';'));
                    c.emails
                        .push(email.trim_start_matches("mailto:").to_owned());
                }
            }
            Label::Zip => c.postal_code = clean(&value),
            Label::Vehicle => {
                if let Some(v) = parse_vehicle_description(&value) {
                    vehicle = VehicleInput {
                        stock: vehicle.stock.take(),
                        vin: vehicle.vin.take(),
                        price: vehicle.price,
                        odometer: vehicle.odometer,
                        ..v
                    };
                }
            }
            Label::Year => vehicle.year = value.trim().parse().ok(),
            Label::Make => vehicle.make = clean(&value),
            Label::Model => vehicle.model = clean(&value),
            Label::Trim => vehicle.trim = clean(&value),
            Label::Vin => vehicle.vin = clean(&value),
            Label::Stock => vehicle.stock = clean(&value),
            Label::Price => {
                vehicle.price = parse_amount(&value);
                if vehicle.price.is_none() {
                    warnings.push(IntakeWarning::new(
                        codes::INVALID_PRICE,
                        format!("Price: `{value}` is not an amount; left out"),
                    ));
                }
            }
            Label::Mileage => {
                vehicle.odometer = parse_whole(&value).and_then(|m| u32::try_from(m).ok())
            }
            Label::TradeIn => {
                let lower = value.trim().to_ascii_lowercase();
                if !["no", "none", "n/a", "false", "0"].contains(&lower.as_str()) {
                    trade = parse_vehicle_description(&value).map(|v| VehicleInput {
                        interest: Some(VehicleInterest::TradeIn),
                        ..v
                    });
                }
            }
            Label::Comments => comments.push(value),
            Label::LeadId => input.source.provider_lead_id = clean(&value),
            Label::Timeframe => {
                input.timeframe = clean(&value).map(|d| keepwarm_domain::lead::TimeframeInput {
                    description: Some(d),
                    ..Default::default()
                });
            }
        }
    }
    let c = &input.customer;
    let has_contact = !c.phones.is_empty() || !c.emails.is_empty();
    let has_vehicle = vehicle != VehicleInput::default();
    let has_name = c.first_name.is_some() || c.last_name.is_some() || c.full_name.is_some();
    if !has_contact || !(has_name || has_vehicle) {
        return None;
    }
    if has_vehicle {
        input.vehicles.push(vehicle);
    }
    input.vehicles.extend(trade);
    input.comments = clean_comments(&comments);
    enforce_limits(&mut input, &mut warnings, TextPolicy::Truncate, &|path| {
        path.to_owned()
    });
    Some(IntakeLead {
        input,
        warnings,
        resend: false,
    })
}

fn clean_comments(parts: &[String]) -> Option<String> {
    let text = parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    (!text.is_empty()).then_some(text)
}

/// The `(label, value)` pairs of the text, in order. A comments value runs on over the following
/// lines until the next label, two blank lines, or a signature line (`--`, `__`).
fn labelled_values(text: &str) -> Vec<(Label, String)> {
    let lines: Vec<&str> = text.lines().map(tidy_line).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(line) = lines.get(i) {
        i += 1;
        let Some((label, value)) = split_label(line) else {
            continue;
        };
        let mut value = value.to_owned();
        if label == Label::Comments {
            let mut blanks = 0;
            let mut body: Vec<&str> = vec![value.as_str()];
            while let Some(next) = lines.get(i) {
                if split_label(next).is_some() || next.starts_with("--") || next.starts_with("__") {
                    break;
                }
                blanks = if next.is_empty() { blanks + 1 } else { 0 };
                if blanks >= 2 {
                    break;
                }
                body.push(next);
                i += 1;
            }
            value = body.join("\n").trim().to_owned();
        } else if value.is_empty() {
            // A label alone on its line: the value is the next non-empty line, unless that is a label.
            while let Some(next) = lines.get(i) {
                if next.is_empty() {
                    i += 1;
                    continue;
                }
                if split_label(next).is_none() {
                    value = (*next).to_owned();
                    i += 1;
                }
                break;
            }
        }
        if !value.is_empty() {
            out.push((label, value));
        }
    }
    out
}

/// A line without quoting (`> `), bullets or bold markers, trimmed.
fn tidy_line(line: &str) -> &str {
    line.trim()
        .trim_start_matches(['>', ' '])
        .trim_start_matches(['*', '•'])
        .trim_start_matches(' ')
        .trim_end()
}

fn split_label(line: &str) -> Option<(Label, &str)> {
    let (raw_label, value) = match line.split_once(':') {
        Some(pair) => pair,
        None => line.split_once('\t')?,
    };
    if raw_label.len() > 40 {
        return None;
    }
    let key = normalize_label(raw_label.trim_end_matches('*'));
    LABELS
        .iter()
        .find(|(known, _)| *known == key)
        .map(|(_, label)| (*label, value.trim().trim_matches('*').trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_alone_takes_its_value_from_the_next_line() {
        let pairs = labelled_values("Name:\nJane Roe\nE-mail:\njane@example.com\n");
        assert_eq!(
            pairs,
            [
                (Label::Name, "Jane Roe".to_owned()),
                (Label::Email, "jane@example.com".to_owned())
            ]
        );
    }

    #[test]
    fn a_newsletter_footer_with_a_phone_and_an_email_is_not_a_lead() {
        let text = "Spring deals!\nPhone: 800-555-0100\nEmail: info@example.com\n";
        assert!(lead_from_text(text, None).is_none());
    }

    #[test]
    fn comments_run_on_until_the_next_label() {
        let pairs = labelled_values("Comments: Is it\navailable?\n\nPhone: 312-555-0100");
        assert_eq!(pairs[0], (Label::Comments, "Is it\navailable?".to_owned()));
    }
}
