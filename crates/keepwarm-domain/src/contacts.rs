//! The contact points of a lead document, normalized: what tools reading the document rely on.
//!
//! Owns [`PhoneInput`], [`EmailInput`], [`PhoneKind`] and [`normalize_contacts`], which turns the
//! phone numbers and e-mail addresses of a [`CustomerInput`] as they were given into their
//! normalized form — E.164 numbers with the extension in its own field and the kind of line kept,
//! lower-cased addresses — each with the text it was read from, for audit. It does no IO; which
//! numbers are valid is [`PhoneNumber`]'s and [`EmailAddress`]'s business.

use serde::{Deserialize, Serialize};

use crate::contact::{EmailAddress, PhoneNumber};
use crate::lead::{word_enum, CustomerInput, UnusableContact};

word_enum! {
    /// What kind of line a phone number is, as the sender said.
    PhoneKind {
        /// A mobile (cell) phone: it can take texts.
        Mobile = "mobile",
        /// A home phone.
        Home = "home",
        /// A work phone.
        Work = "work",
    }
}

/// One phone number of a lead document, normalized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneInput {
    /// The number in E.164 form (`+18135550139`), without extension.
    pub number: String,
    /// The extension written after the number (`204` from `ext. 204`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    /// The kind of line, when the sender said (`mobile`, `home`, `work`).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<PhoneKind>,
    /// The text the number was read from, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<String>,
}

/// One e-mail address of a lead document, normalized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailInput {
    /// The address, lower-cased.
    pub address: String,
    /// The text the address was read from, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<String>,
}

/// Normalizes the customer's contact points in place and returns those that cannot be used.
///
/// Every entry of `phones` that is a valid number becomes its E.164 form and gets a
/// [`PhoneInput`] in `phone_numbers` (extension apart, the kind from `kinds` — the raw text and
/// what the sender said it is — or from an entry given already, and the original text); every
/// valid entry of `emails` is lower-cased and gets an [`EmailInput`]. A number or address given
/// twice is kept once. Entries that cannot be used stay in `phones` / `emails` as given, so that
/// nothing a sender wrote is lost, and are returned, named by their place in the normalized lists.
/// Entries given only in `phone_numbers` or `email_addresses` count as given too. Running it
/// twice changes nothing the second time.
pub fn normalize_contacts(
    customer: &mut CustomerInput,
    region: &str,
    kinds: &[(String, PhoneKind)],
) -> Vec<UnusableContact> {
    let mut unusable = Vec::new();
    let (phones, entries) = normalize_phones(customer, region, kinds, &mut unusable);
    customer.phones = phones;
    customer.phone_numbers = entries;
    let (emails, entries) = normalize_emails(customer, &mut unusable);
    customer.emails = emails;
    customer.email_addresses = entries;
    unusable
}

fn normalize_phones(
    customer: &CustomerInput,
    region: &str,
    kinds: &[(String, PhoneKind)],
    unusable: &mut Vec<UnusableContact>,
) -> (Vec<String>, Vec<PhoneInput>) {
    let given_entries = &customer.phone_numbers;
    let mut given: Vec<String> = customer.phones.clone();
    for entry in given_entries {
        let known = |text: &String| {
            text.trim() == entry.number || entry.original.as_deref() == Some(text.as_str())
        };
        if !given.iter().any(known) {
            given.push(entry.number.clone());
        }
    }
    let mut phones: Vec<String> = Vec::new();
    let mut entries: Vec<PhoneInput> = Vec::new();
    for raw in given {
        let earlier = given_entries
            .iter()
            .find(|e| e.number == raw.trim() || e.original.as_deref() == Some(raw.as_str()));
        let hint = kinds
            .iter()
            .find(|(text, _)| *text == raw)
            .map(|(_, kind)| *kind);
        let entry =
            PhoneNumber::parse_with_extension(&raw, region).map(|(number, extension)| PhoneInput {
                number: number.as_str().to_owned(),
                extension: extension.or_else(|| earlier.and_then(|e| e.extension.clone())),
                kind: hint.or_else(|| earlier.and_then(|e| e.kind)),
                original: earlier
                    .and_then(|e| e.original.clone())
                    .or_else(|| Some(raw.clone())),
            });
        match entry {
            Ok(entry) if phones.contains(&entry.number) => {}
            Ok(entry) => {
                phones.push(entry.number.clone());
                entries.push(entry);
            }
            Err(e) => {
                unusable.push(UnusableContact {
                    field: format!("customer.phones[{}]", phones.len()),
                    value: raw.clone(),
                    reason: e.to_string(),
                });
                phones.push(raw);
            }
        }
    }
    (phones, entries)
}

fn normalize_emails(
    customer: &CustomerInput,
    unusable: &mut Vec<UnusableContact>,
) -> (Vec<String>, Vec<EmailInput>) {
    let given_entries = &customer.email_addresses;
    let mut given: Vec<String> = customer.emails.clone();
    for entry in given_entries {
        let known = |text: &String| {
            text.trim().to_lowercase() == entry.address
                || entry.original.as_deref() == Some(text.as_str())
        };
        if !given.iter().any(known) {
            given.push(entry.address.clone());
        }
    }
    let mut emails: Vec<String> = Vec::new();
    let mut entries: Vec<EmailInput> = Vec::new();
    for raw in given {
        let earlier = given_entries.iter().find(|e| {
            e.address == raw.trim().to_lowercase() || e.original.as_deref() == Some(raw.as_str())
        });
        let entry = EmailAddress::parse(&raw).map(|address| EmailInput {
            address: address.match_key(),
            original: earlier
                .and_then(|e| e.original.clone())
                .or_else(|| Some(raw.clone())),
        });
        match entry {
            Ok(entry) if emails.contains(&entry.address) => {}
            Ok(entry) => {
                emails.push(entry.address.clone());
                entries.push(entry);
            }
            Err(e) => {
                unusable.push(UnusableContact {
                    field: format!("customer.emails[{}]", emails.len()),
                    value: raw.clone(),
                    reason: e.to_string(),
                });
                emails.push(raw);
            }
        }
    }
    (emails, entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(phones: &[&str], emails: &[&str]) -> CustomerInput {
        CustomerInput {
            phones: phones.iter().map(|p| (*p).to_owned()).collect(),
            emails: emails.iter().map(|e| (*e).to_owned()).collect(),
            ..CustomerInput::default()
        }
    }

    #[test]
    fn phones_become_e164_with_extension_kind_and_original() {
        let mut c = customer(&["(813) 555-0139 ext. 204", "813.555.0140"], &[]);
        let kinds = [("(813) 555-0139 ext. 204".to_owned(), PhoneKind::Work)];
        let unusable = normalize_contacts(&mut c, "US", &kinds);
        assert!(unusable.is_empty());
        assert_eq!(c.phones, ["+18135550139", "+18135550140"]);
        assert_eq!(
            c.phone_numbers[0],
            PhoneInput {
                number: "+18135550139".into(),
                extension: Some("204".into()),
                kind: Some(PhoneKind::Work),
                original: Some("(813) 555-0139 ext. 204".into()),
            }
        );
        assert_eq!(c.phone_numbers[1].kind, None);
    }

    #[test]
    fn emails_are_lower_cased_with_the_original_kept() {
        let mut c = customer(&[], &["Dana.Diaz@Example.COM", "dana.diaz@example.com"]);
        normalize_contacts(&mut c, "US", &[]);
        assert_eq!(c.emails, ["dana.diaz@example.com"]);
        assert_eq!(
            c.email_addresses,
            [EmailInput {
                address: "dana.diaz@example.com".into(),
                original: Some("Dana.Diaz@Example.COM".into()),
            }]
        );
    }

    #[test]
    fn unusable_contacts_stay_as_given_and_are_named_by_their_place() {
        let mut c = customer(&["312-555-0123", "312-555-0123", "call me"], &["nope"]);
        let unusable = normalize_contacts(&mut c, "US", &[]);
        assert_eq!(c.phones, ["+13125550123", "call me"]);
        let fields: Vec<_> = unusable.iter().map(|u| u.field.as_str()).collect();
        assert_eq!(fields, ["customer.phones[1]", "customer.emails[0]"]);
        assert_eq!(c.emails, ["nope"]);
    }

    #[test]
    fn normalizing_twice_changes_nothing() {
        let mut c = customer(&["(813) 555-0139 x204", "bad"], &["A@B.example"]);
        let kinds = [("(813) 555-0139 x204".to_owned(), PhoneKind::Mobile)];
        normalize_contacts(&mut c, "US", &kinds);
        let once = c.clone();
        normalize_contacts(&mut c, "US", &[]);
        assert_eq!(c, once);
    }

    #[test]
    fn numbers_given_only_as_entries_count_as_given() {
        let mut c = CustomerInput {
            phone_numbers: vec![PhoneInput {
                number: "+13125550123".into(),
                extension: None,
                kind: Some(PhoneKind::Home),
                original: None,
            }],
            ..CustomerInput::default()
        };
        normalize_contacts(&mut c, "US", &[]);
        assert_eq!(c.phones, ["+13125550123"]);
        assert_eq!(c.phone_numbers[0].kind, Some(PhoneKind::Home));
    }
}
