//! People's data: naming a person by one contact point, and recognizing where raw text mentions
//! them. Export and erasure (keepwarm-engine, keepwarm-store) use these to find everything held
//! about a person; nothing here reads or writes anything.

use crate::{EmailAddress, PhoneNumber};

/// A person, named by one of their contact points, normalized the way intake normalizes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonContact {
    /// A phone number (E.164).
    Phone(PhoneNumber),
    /// An e-mail address.
    Email(EmailAddress),
}

impl PersonContact {
    /// Reads a phone number or an e-mail address as intake would: numbers in any common format
    /// (read in `region` when they carry no country code), addresses compared without case.
    pub fn parse(raw: &str, region: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.contains('@') {
            EmailAddress::parse(raw)
                .map(PersonContact::Email)
                .map_err(|e| format!("`{raw}` is not a usable e-mail address: {e}"))
        } else {
            PhoneNumber::parse(raw, region)
                .map(PersonContact::Phone)
                .map_err(|e| format!("`{raw}` is not a usable phone number: {e}"))
        }
    }

    /// `phone` or `email`.
    pub fn kind(&self) -> &'static str {
        match self {
            PersonContact::Phone(_) => "phone",
            PersonContact::Email(_) => "email",
        }
    }

    /// The normalized form stored and compared everywhere: E.164, or the lower-cased address.
    pub fn key(&self) -> String {
        match self {
            PersonContact::Phone(p) => p.as_str().to_owned(),
            PersonContact::Email(e) => e.match_key(),
        }
    }
}

/// The kind of a normalized contact key: `phone` when it is E.164, else `email`.
pub fn contact_kind(key: &str) -> &'static str {
    if key.starts_with('+') {
        "phone"
    } else {
        "email"
    }
}

/// Recognizes a person's contact points in raw text (a stored e-mail, an ADF document, a CSV
/// file), however the text writes them: addresses without regard to case, phone numbers by their
/// digits with the usual separators (`(813) 555-0139`, `813.555.0139`, `+1 813 555 0139`) ignored.
#[derive(Debug, Clone, Default)]
pub struct Mentions {
    emails: Vec<String>,
    phone_digits: Vec<String>,
}

impl Mentions {
    /// A matcher for these normalized contacts (E.164 numbers and lower-cased addresses).
    pub fn new(contacts: &[String]) -> Self {
        let mut m = Mentions::default();
        for c in contacts {
            if contact_kind(c) == "phone" {
                let national: String = PhoneNumber::parse(c, "US")
                    .map(|p| p.national())
                    .unwrap_or_default()
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect();
                // The national digits also match the full international form, which contains them.
                if national.len() >= 6 {
                    m.phone_digits.push(national);
                } else {
                    m.phone_digits
                        .push(c.chars().filter(char::is_ascii_digit).collect());
                }
            } else if !c.is_empty() {
                m.emails.push(c.to_lowercase());
            }
        }
        m
    }

    /// Whether `body` mentions any of the contacts.
    pub fn in_bytes(&self, body: &[u8]) -> bool {
        self.in_text(&String::from_utf8_lossy(body))
    }

    /// Whether `text` mentions any of the contacts.
    pub fn in_text(&self, text: &str) -> bool {
        if !self.emails.is_empty() {
            let lower = text.to_lowercase();
            if self.emails.iter().any(|e| lower.contains(e.as_str())) {
                return true;
            }
        }
        if self.phone_digits.is_empty() {
            return false;
        }
        let digits = collapse_digits(text);
        self.phone_digits
            .iter()
            .any(|d| digits.contains(d.as_str()))
    }
}

/// The text's digit runs with phone separators between digits removed; anything else becomes one
/// `|`, so digits from unrelated places never join.
fn collapse_digits(text: &str) -> String {
    let mut out = String::with_capacity(text.len() / 4);
    for ch in text.chars() {
        if ch.is_ascii_digit() {
            out.push(ch);
        } else if matches!(ch, ' ' | '-' | '(' | ')' | '.' | '+' | '/' | '\u{a0}') {
            continue;
        } else if !out.ends_with('|') {
            out.push('|');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("(813) 555-0139", "+18135550139")]
    #[case("813.555.0139", "+18135550139")]
    #[case("+1 813 555 0139", "+18135550139")]
    #[case(" JANE@Example.COM ", "jane@example.com")]
    fn a_contact_is_normalized_like_intake_does(#[case] raw: &str, #[case] key: &str) {
        assert_eq!(PersonContact::parse(raw, "US").unwrap().key(), key);
    }

    #[rstest]
    #[case("call me")]
    #[case("12")]
    #[case("not@")]
    fn a_bad_contact_is_refused(#[case] raw: &str) {
        assert!(PersonContact::parse(raw, "US").is_err());
    }

    #[rstest]
    #[case("<phone>(813) 555-0139</phone>", true)]
    #[case("Phone: 813.555.0139\r\n", true)]
    #[case("tel +1 813 555 0139", true)]
    #[case("<email>Jane@Example.com</email>", true)]
    #[case("<phone>(813) 555-0140</phone>", false)]
    #[case("813 555 x 0139", false)]
    #[case("jane@example.org", false)]
    fn mentions_are_found_however_the_text_writes_them(#[case] text: &str, #[case] found: bool) {
        let m = Mentions::new(&["+18135550139".into(), "jane@example.com".into()]);
        assert_eq!(m.in_text(text), found, "{text}");
    }
}
