//! Plain-text lead e-mails (CarGurus, Autotrader and many dealer-website forms) read by their
//! labels.
//!
//! Owns [`lead_from_text`]. It is a heuristic and says so: every lead it returns carries a
//! `parsed_heuristically` warning. It recognizes `Label: value` lines (also `Label<TAB>value`, and a
//! label alone with its value on the next line), matching labels case-, space- and
//! punctuation-insensitively against the variants providers use (a parenthesised aside such as
//! `Comments (optional):` does not count). A text counts as a lead only when it gives a phone
//! number or e-mail address *and* a name or a vehicle, so that a newsletter's "Phone: … Email: …"
//! footer is not taken for a customer.
//!
//! - "Lead Source:" (and the like) names the provider, before the sender's domain does.
//! - "Date Submitted:" (and the like) dates the lead, in any form `keepwarm_adf` reads dates; a
//!   time without offset is in the dealership's zone. Without one (or when it cannot be read), the
//!   e-mail's `Date:` header dates the lead, with a warning.
//! - The customer's message ("Comments:", "Message:", "Customer Comments:", "Questions/Comments:",
//!   ...) is kept whole, over as many lines as it runs.
//! - The phone label's kind of line (`Cell`, `Home Phone`, `Work Phone`) is kept.

use jiff::Timestamp;
use keepwarm_adf::{read_written_date, WrittenDate};
use keepwarm_domain::lead::{
    AddressInput, CustomerInput, LeadInput, PhoneKind, SourceInput, VehicleInput, VehicleInterest,
};
use keepwarm_domain::SourceKind;

use crate::adf::Sender;
use crate::lead::{
    codes, date_by_fallback, normalize_lead_contacts, IntakeLead, IntakeOptions, IntakeWarning,
};
use crate::limits::{enforce_limits, TextPolicy};
use crate::text::{
    clean, normalize_label, normalize_language, parse_amount, parse_vehicle_description,
    parse_whole, split_full_name,
};

/// What a label stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Name,
    FirstName,
    LastName,
    Phone(Option<PhoneKind>),
    Email,
    Zip,
    Street,
    City,
    State,
    Language,
    ContactPreference,
    LeadSource,
    DateSubmitted,
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
    ("phone", Label::Phone(None)),
    ("phonenumber", Label::Phone(None)),
    ("telephone", Label::Phone(None)),
    ("tel", Label::Phone(None)),
    ("dayphone", Label::Phone(None)),
    ("bestphone", Label::Phone(None)),
    ("primaryphone", Label::Phone(None)),
    ("customerphone", Label::Phone(None)),
    ("buyerphone", Label::Phone(None)),
    ("cell", Label::Phone(Some(PhoneKind::Mobile))),
    ("cellphone", Label::Phone(Some(PhoneKind::Mobile))),
    ("mobile", Label::Phone(Some(PhoneKind::Mobile))),
    ("mobilephone", Label::Phone(Some(PhoneKind::Mobile))),
    ("cellnumber", Label::Phone(Some(PhoneKind::Mobile))),
    ("mobilenumber", Label::Phone(Some(PhoneKind::Mobile))),
    ("homephone", Label::Phone(Some(PhoneKind::Home))),
    ("eveningphone", Label::Phone(Some(PhoneKind::Home))),
    ("workphone", Label::Phone(Some(PhoneKind::Work))),
    ("businessphone", Label::Phone(Some(PhoneKind::Work))),
    ("officephone", Label::Phone(Some(PhoneKind::Work))),
    ("email", Label::Email),
    ("emailaddress", Label::Email),
    ("customeremail", Label::Email),
    ("buyeremail", Label::Email),
    ("zip", Label::Zip),
    ("zipcode", Label::Zip),
    ("postalcode", Label::Zip),
    ("address", Label::Street),
    ("streetaddress", Label::Street),
    ("street", Label::Street),
    ("address1", Label::Street),
    ("city", Label::City),
    ("state", Label::State),
    ("province", Label::State),
    ("language", Label::Language),
    ("preferredlanguage", Label::Language),
    ("languagepreference", Label::Language),
    ("preferredcontact", Label::ContactPreference),
    ("preferredcontactmethod", Label::ContactPreference),
    ("contactpreference", Label::ContactPreference),
    ("bestwaytocontact", Label::ContactPreference),
    ("leadsource", Label::LeadSource),
    ("source", Label::LeadSource),
    ("leadprovider", Label::LeadSource),
    ("provider", Label::LeadSource),
    ("datesubmitted", Label::DateSubmitted),
    ("submitted", Label::DateSubmitted),
    ("submittedon", Label::DateSubmitted),
    ("submissiondate", Label::DateSubmitted),
    ("leaddate", Label::DateSubmitted),
    ("requestdate", Label::DateSubmitted),
    ("inquirydate", Label::DateSubmitted),
    ("datereceived", Label::DateSubmitted),
    ("receivedon", Label::DateSubmitted),
    ("datetime", Label::DateSubmitted),
    ("date", Label::DateSubmitted),
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
    ("listingprice", Label::Price),
    ("vehicleprice", Label::Price),
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
    ("commentsquestions", Label::Comments),
    ("questionsorcomments", Label::Comments),
    ("commentsorquestions", Label::Comments),
    ("customerquestions", Label::Comments),
    ("customerquestion", Label::Comments),
    ("customernotes", Label::Comments),
    ("additionalcommentsquestions", Label::Comments),
    ("additionalquestionscomments", Label::Comments),
    ("additionalinformation", Label::Comments),
    ("additionalinfo", Label::Comments),
    ("yourmessage", Label::Comments),
    ("yourcomments", Label::Comments),
    ("yourquestion", Label::Comments),
    ("buyermessage", Label::Comments),
    ("buyercomments", Label::Comments),
    ("messagefromcustomer", Label::Comments),
    ("messagefrombuyer", Label::Comments),
    ("leadcomments", Label::Comments),
    ("inquiry", Label::Comments),
    ("note", Label::Comments),
    ("notes", Label::Comments),
    ("leadid", Label::LeadId),
    ("referenceid", Label::LeadId),
    ("reference", Label::LeadId),
    ("timeframe", Label::Timeframe),
    ("purchasetimeframe", Label::Timeframe),
];

/// Reads a lead from labelled text; `None` when the text does not read like a lead. `sender`
/// names the provider and dates the lead when the text does not.
pub(crate) fn lead_from_text(
    text: &str,
    sender: &Sender,
    opts: &IntakeOptions,
) -> Option<IntakeLead> {
    let pairs = labelled_values(text);
    let mut input = LeadInput {
        source: SourceInput {
            kind: SourceKind::Internet,
            provider: sender.provider.clone(),
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
    let mut kinds: Vec<(String, PhoneKind)> = Vec::new();
    let mut address = AddressInput::default();
    let mut source_named = false;
    let mut dated = false;
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
            Label::Phone(kind) => {
                if value.chars().filter(char::is_ascii_digit).count() >= 7 {
                    if let Some(kind) = kind {
                        kinds.push((value.clone(), kind));
                    }
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
            Label::Street => address.street.extend(clean(&value)),
            Label::City => address.city = clean(&value),
            Label::State => address.region = clean(&value),
            Label::Language => {
                c.preferred_language = normalize_language(&value);
                if c.preferred_language.is_none() {
                    warnings.push(IntakeWarning::new(
                        codes::UNKNOWN_LANGUAGE,
                        format!("Language: `{value}` is not a language keepwarm knows; left out"),
                    ));
                }
            }
            Label::ContactPreference => c.preferred_contact = contact_preference(&value),
            Label::LeadSource if !source_named => {
                if let Some(source) = clean(&value) {
                    input.source.provider = Some(source);
                    source_named = true;
                }
            }
            Label::LeadSource => {}
            Label::DateSubmitted if !dated => {
                dated = true;
                input.received_at = read_date(&value, opts, &mut warnings);
            }
            Label::DateSubmitted => {}
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
    input.customer.address = (address != AddressInput::default()).then_some(address);
    date_by_fallback(
        &mut input,
        "the e-mail has no readable date line",
        sender.date,
        opts,
        &mut warnings,
    );
    enforce_limits(&mut input, &mut warnings, TextPolicy::Truncate, &|path| {
        path.to_owned()
    });
    normalize_lead_contacts(&mut input, &kinds, opts);
    Some(IntakeLead {
        input,
        warnings,
        resend: false,
    })
}

/// A date line's value as a timestamp; a time without offset is in the dealership's zone (with a
/// warning), a date alone is midnight there. `None`, with a warning, when it cannot be read.
fn read_date(
    value: &str,
    opts: &IntakeOptions,
    warnings: &mut Vec<IntakeWarning>,
) -> Option<Timestamp> {
    let local = match read_written_date(value) {
        Some(WrittenDate::Instant(at)) => return Some(at),
        Some(WrittenDate::Local(dt)) => dt,
        Some(WrittenDate::Day(day)) => day.to_datetime(jiff::civil::Time::midnight()),
        None => {
            warnings.push(IntakeWarning::new(
                codes::INVALID_DATE,
                format!("date line: cannot read `{value}` as a date; left out"),
            ));
            return None;
        }
    };
    let at = opts
        .time_zone
        .to_ambiguous_timestamp(local)
        .compatible()
        .ok()?;
    warnings.push(IntakeWarning::new(
        codes::DATE_OFFSET_ASSUMED,
        format!(
            "date line: `{value}` has no UTC offset; read in the dealership's zone ({})",
            opts.time_zone.iana_name().unwrap_or("UTC")
        ),
    ));
    Some(at)
}

/// A contact preference in the words forms use (`Phone`, `E-mail`, `Text message`).
fn contact_preference(value: &str) -> Option<String> {
    let key = normalize_label(value);
    let word = if key.contains("text") || key.contains("sms") {
        "sms"
    } else if key.contains("mail") {
        "email"
    } else if key.contains("phone") || key.contains("call") {
        "phone"
    } else {
        return clean(value);
    };
    Some(word.to_owned())
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
/// lines until the next label, two blank lines after the message has started, or a signature line
/// (`--`, `__`).
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
                let ends_message = split_label(next).is_some() && !is_speaker_line(next);
                if ends_message || next.starts_with("--") || next.starts_with("__") {
                    break;
                }
                // Blank lines before the message starts (an HTML layout puts the label in one
                // row and the message in paragraphs after the table) do not end it.
                let started = body.iter().any(|l| !l.trim().is_empty());
                blanks = if next.is_empty() && started {
                    blanks + 1
                } else {
                    0
                };
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

/// Whether a line in a message is a chat transcript's turn (`Customer: is it still there?`)
/// rather than a new label: the customer's words stay in the message.
fn is_speaker_line(line: &str) -> bool {
    line.split_once(':')
        .is_some_and(|(label, _)| normalize_label(label) == "customer")
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
    let without_aside = match raw_label.split_once('(') {
        Some((head, tail)) if tail.trim_end().ends_with(')') => head,
        _ => raw_label,
    };
    let key = normalize_label(without_aside.trim_end_matches('*'));
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
        assert!(lead_from_text(text, &Sender::default(), &IntakeOptions::default()).is_none());
    }

    #[test]
    fn a_chat_turn_by_the_customer_stays_in_the_message() {
        let pairs = labelled_values(
            "Additional Comments:\nAgent: Hello\nCustomer: Is it 4x4?\nPhone: 312-555-0100",
        );
        assert_eq!(
            pairs[0],
            (
                Label::Comments,
                "Agent: Hello\nCustomer: Is it 4x4?".to_owned()
            )
        );
        assert_eq!(pairs[1].0, Label::Phone(None));
    }

    #[test]
    fn blank_lines_before_the_message_do_not_end_it() {
        let pairs = labelled_values("Customer Comments:\n\n\n\nIs it blue?\n\n\nFooter");
        assert_eq!(pairs, [(Label::Comments, "Is it blue?".to_owned())]);
    }

    #[test]
    fn a_parenthesised_aside_in_a_label_does_not_count() {
        let pairs = labelled_values("Questions/Comments (optional): Call me\n");
        assert_eq!(pairs, [(Label::Comments, "Call me".to_owned())]);
    }

    #[test]
    fn comments_run_on_until_the_next_label() {
        let pairs = labelled_values("Comments: Is it\navailable?\n\nPhone: 312-555-0100");
        assert_eq!(pairs[0], (Label::Comments, "Is it\navailable?".to_owned()));
    }
}
