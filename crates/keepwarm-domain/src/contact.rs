//! Validated contact points: E.164 phone numbers (through the `phonenumber` crate, a port of Google's
//! libphonenumber), e-mail addresses, and the time zones a recipient is likely to be in.
//!
//! Raw strings from outside become these types once, at the edge; everything past that point can rely
//! on them being well formed. The zone look-ups use libphonenumber's own prefix-to-zone map
//! (`data/phone_time_zones.txt`) and a coarse US ZIP3 table for postal codes.

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// A phone number that libphonenumber accepts as valid, kept in E.164 form (`+13125550123`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

/// Why a phone number was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// The text could not be read as a phone number at all (letters, too short, ...).
    #[error("`{0}` is not a phone number")]
    Unparseable(String),
    /// It parses, but no number plan has such a number (unassigned area code, wrong length).
    #[error("`{0}` is not a valid phone number")]
    Invalid(String),
    /// The default region given was not an ISO 3166 alpha-2 code.
    #[error("unknown region `{0}`")]
    UnknownRegion(String),
}

impl PhoneNumber {
    /// Parses `raw` (national or international form) with `default_region` (ISO 3166 alpha-2, e.g.
    /// `US`) used for numbers without a country code, and keeps it only if it is a valid number.
    pub fn parse(raw: &str, default_region: &str) -> Result<Self, PhoneError> {
        Self::parse_with_extension(raw, default_region).map(|(number, _)| number)
    }

    /// [`PhoneNumber::parse`], also returning the extension written after the number
    /// (`(813) 555-0139 ext. 204`, `x204`, `#204` give `204`). The number itself never carries
    /// the extension: a text message goes to the line, not to the desk.
    pub fn parse_with_extension(
        raw: &str,
        default_region: &str,
    ) -> Result<(Self, Option<String>), PhoneError> {
        let region: phonenumber::country::Id = default_region
            .to_ascii_uppercase()
            .parse()
            .map_err(|_| PhoneError::UnknownRegion(default_region.to_owned()))?;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.len() > 40 {
            return Err(PhoneError::Unparseable(raw.to_owned()));
        }
        let parsed = phonenumber::parse(Some(region), trimmed)
            .map_err(|_| PhoneError::Unparseable(raw.to_owned()))?;
        if !phonenumber::is_valid(&parsed) {
            return Err(PhoneError::Invalid(raw.to_owned()));
        }
        let extension = parsed
            .extension()
            .map(|e| e.to_string())
            .filter(|e| !e.is_empty());
        Ok((
            Self(parsed.format().mode(phonenumber::Mode::E164).to_string()),
            extension,
        ))
    }

    /// The E.164 text, `+` and digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A number read back from keepwarm's own store, where only [`PhoneNumber::parse`]'s E.164 output
    /// is ever written. Only its form is checked again (`+`, then 8 to 15 digits, no leading zero),
    /// not the number plan: re-validating every stored number against libphonenumber's metadata
    /// took an eighth of the dispatcher's time. `None` for text that was never such a number.
    pub fn from_stored(value: &str) -> Option<Self> {
        let digits = value.strip_prefix('+')?;
        let well_formed = (8..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        well_formed.then(|| Self(value.to_owned()))
    }

    /// The number as people write it in its own country (`(312) 555-0123`).
    pub fn national(&self) -> String {
        // Every number of the North American plan is written alike; formatting it by hand skips a
        // parse of the number against the plan's metadata (a tenth of the dispatcher's time).
        if let Some(nanp) = self.nanp_national() {
            return nanp;
        }
        match phonenumber::parse(None, &self.0) {
            Ok(n) => n.format().mode(phonenumber::Mode::National).to_string(),
            Err(_) => self.0.clone(),
        }
    }

    /// `(NPA) NXX-XXXX` for a ten-digit number of the North American plan (country code 1).
    fn nanp_national(&self) -> Option<String> {
        let digits = self.0.strip_prefix("+1")?;
        if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(format!(
            "({}) {}-{}",
            &digits[..3],
            &digits[3..6],
            &digits[6..]
        ))
    }

    /// The number as someone in `home` (ISO 3166 alpha-2) dials it: national format for a number
    /// of that country (`(312) 555-0123`), international with the country code otherwise
    /// (`+44 20 7946 0958`).
    pub fn for_people(&self, home: &str) -> String {
        match phonenumber::parse(None, &self.0) {
            Ok(n) => {
                let region = n.country().id().map(|r| r.as_ref().to_owned());
                let mode = if region.as_deref() == Some(&home.to_ascii_uppercase()) {
                    phonenumber::Mode::National
                } else {
                    phonenumber::Mode::International
                };
                n.format().mode(mode).to_string()
            }
            Err(_) => self.0.clone(),
        }
    }

    /// The IANA zones libphonenumber maps this number to, most specific prefix first. Empty when the
    /// number only maps to its whole country and that country spans several zones (toll-free and
    /// non-geographic numbers): then the number says nothing useful about where the person is.
    pub fn time_zones(&self) -> Vec<&'static str> {
        let digits = &self.0[1..];
        let map = &*PHONE_ZONES;
        for len in (1..=digits.len().min(map.longest_prefix)).rev() {
            let prefix = &digits[..len];
            if let Some(zones) = map.by_prefix.get(prefix) {
                let whole_country = zones.len() > 1 && is_country_code(prefix);
                return if whole_country {
                    Vec::new()
                } else {
                    zones.clone()
                };
            }
        }
        Vec::new()
    }
}

/// Country calling codes are 1 to 3 digits and the prefix table holds them as bare entries; a bare
/// entry of that length mapping to many zones is a country-wide default.
fn is_country_code(prefix: &str) -> bool {
    prefix.len() <= 3
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = PhoneError;
    /// Accepts only text already in E.164 form that is also a valid number.
    fn try_from(value: String) -> Result<Self, Self::Error> {
        if !value.starts_with('+') {
            return Err(PhoneError::Unparseable(value));
        }
        Self::parse(&value, "US")
    }
}

impl From<PhoneNumber> for String {
    fn from(value: PhoneNumber) -> Self {
        value.0
    }
}

struct PhoneZoneMap {
    by_prefix: HashMap<&'static str, Vec<&'static str>>,
    longest_prefix: usize,
}

static PHONE_ZONES: LazyLock<PhoneZoneMap> = LazyLock::new(|| {
    let text: &'static str = include_str!("../data/phone_time_zones.txt");
    let mut by_prefix = HashMap::new();
    let mut longest_prefix = 0;
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        if let Some((prefix, zones)) = line.split_once('|') {
            longest_prefix = longest_prefix.max(prefix.len());
            by_prefix.insert(prefix, zones.split('&').collect());
        }
    }
    PhoneZoneMap {
        by_prefix,
        longest_prefix,
    }
});

/// The zones for a US ZIP code, from its first three digits; empty when unknown or not a US ZIP.
///
/// This is a coarse table (by state, with the well-known splits inside states that span two zones);
/// the phone number is preferred when it maps to a zone.
pub fn us_zip_time_zones(postal_code: &str) -> Vec<&'static str> {
    let digits: String = postal_code
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    if digits.len() != 5 && digits.len() != 9 {
        return Vec::new();
    }
    let Ok(zip3) = digits[..3].parse::<u16>() else {
        return Vec::new();
    };
    ZIP3_ZONES
        .iter()
        .find(|(lo, hi, _)| (*lo..=*hi).contains(&zip3))
        .map(|(_, _, zones)| zones.to_vec())
        .unwrap_or_default()
}

const ET: &str = "America/New_York";
const CT: &str = "America/Chicago";
const MT: &str = "America/Denver";
const PT: &str = "America/Los_Angeles";

/// ZIP3 ranges to zones. States that span zones list the zone of the named ZIP3 range where the split
/// is clean, or both zones (the planner then uses the intersection of their windows).
const ZIP3_ZONES: &[(u16, u16, &[&str])] = &[
    (5, 5, &[ET]),
    (6, 9, &["America/Puerto_Rico"]),
    (10, 69, &[ET]),
    (70, 89, &[ET]),
    (100, 149, &[ET]),
    (150, 199, &[ET]),
    (200, 268, &[ET]),
    (270, 323, &[ET]),
    (324, 325, &[CT]),
    (326, 349, &[ET]),
    (350, 369, &[CT]),
    (370, 372, &[CT]),
    (373, 379, &[ET, CT]),
    (380, 397, &[CT]),
    (398, 399, &[ET]),
    (400, 418, &[ET, CT]),
    (420, 427, &[CT, ET]),
    (430, 459, &[ET]),
    (460, 479, &["America/Indiana/Indianapolis", CT]),
    (480, 498, &["America/Detroit"]),
    (499, 499, &["America/Detroit", "America/Menominee"]),
    (500, 528, &[CT]),
    (530, 549, &[CT]),
    (550, 567, &[CT]),
    (570, 577, &[CT, MT]),
    (580, 588, &[CT, MT]),
    (590, 599, &[MT]),
    (600, 629, &[CT]),
    (630, 658, &[CT]),
    (660, 679, &[CT, MT]),
    (680, 693, &[CT, MT]),
    (700, 714, &[CT]),
    (716, 729, &[CT]),
    (730, 749, &[CT]),
    (750, 797, &[CT]),
    (798, 799, &[MT]),
    (800, 816, &[MT]),
    (820, 831, &[MT]),
    (832, 834, &["America/Boise"]),
    (835, 838, &[PT]),
    (840, 847, &[MT]),
    (850, 865, &["America/Phoenix"]),
    (870, 884, &[MT]),
    (885, 885, &[MT]),
    (889, 898, &[PT]),
    (900, 961, &[PT]),
    (967, 968, &["Pacific/Honolulu"]),
    (969, 969, &["Pacific/Guam"]),
    (970, 978, &[PT]),
    (979, 979, &[MT]),
    (980, 994, &[PT]),
    (995, 999, &["America/Anchorage"]),
];

/// An e-mail address that passed a syntax check, kept lower-cased in its domain part.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

/// Why an e-mail address was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an e-mail address")]
pub struct EmailError(pub String);

impl EmailAddress {
    /// Checks the shape `local@domain.tld` (RFC 5321 lengths, no spaces or control characters, a dot
    /// in the domain) and normalizes the domain to lower case.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let bad = || EmailError(raw.to_owned());
        let s = raw.trim();
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(bad)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if !local_ok || !domain_ok {
            return Err(bad());
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }

    /// The address text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form used to recognize the same person: the whole address lower-cased.
    pub fn match_key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("+13125550123", "US", "(312) 555-0123")]
    #[case("+13125550123", "us", "(312) 555-0123")]
    #[case("+442079460018", "US", "+44 20 7946 0018")]
    #[case("+442079460018", "GB", "020 7946 0018")]
    fn a_number_reads_nationally_at_home_and_with_its_country_code_abroad(
        #[case] e164: &str,
        #[case] home: &str,
        #[case] shown: &str,
    ) {
        let number = PhoneNumber::parse(e164, "US").expect("a number");
        assert_eq!(number.for_people(home), shown);
    }

    #[rstest]
    #[case("(312) 555-0123", "US", "+13125550123")]
    #[case("312.555.0123", "US", "+13125550123")]
    #[case("+1 602 555 0199", "GB", "+16025550199")]
    #[case("020 7946 0018", "GB", "+442079460018")]
    fn phone_numbers_are_normalized_to_e164(
        #[case] raw: &str,
        #[case] region: &str,
        #[case] e164: &str,
    ) {
        assert_eq!(PhoneNumber::parse(raw, region).unwrap().as_str(), e164);
    }

    #[rstest]
    #[case("(813) 555-0139 ext. 204", Some("204"))]
    #[case("813-555-0139 x204", Some("204"))]
    #[case("813.555.0139 #204", Some("204"))]
    #[case("(813) 555-0139", None)]
    fn an_extension_is_kept_apart_from_the_number(#[case] raw: &str, #[case] ext: Option<&str>) {
        let (number, extension) = PhoneNumber::parse_with_extension(raw, "US").unwrap();
        assert_eq!(number.as_str(), "+18135550139");
        assert_eq!(extension.as_deref(), ext);
    }

    #[rstest]
    #[case("call me")]
    #[case("")]
    #[case("123")]
    #[case("(999) 555-0123")]
    fn bad_phone_numbers_are_refused(#[case] raw: &str) {
        assert!(PhoneNumber::parse(raw, "US").is_err());
    }

    #[rstest]
    #[case("+16025550199", &["America/Phoenix"])]
    #[case("+18085550100", &["Pacific/Honolulu"])]
    #[case("+13125550123", &["America/Chicago"])]
    fn numbers_map_to_their_zones(#[case] e164: &str, #[case] zones: &[&str]) {
        let n = PhoneNumber::try_from(e164.to_owned()).unwrap();
        assert_eq!(n.time_zones(), zones);
    }

    #[test]
    fn numbers_are_shown_in_national_form() {
        let n = PhoneNumber::parse("+13125550123", "US").unwrap();
        assert_eq!(n.national(), "(312) 555-0123");
    }

    /// The hand-written North American format against libphonenumber's, for a number in every area
    /// code the zone table knows (US, Canada and the Caribbean), and toll-free.
    #[test]
    fn north_american_numbers_are_written_as_libphonenumber_writes_them() {
        let area_codes: Vec<&str> = PHONE_ZONES
            .by_prefix
            .keys()
            .filter(|p| p.len() == 4 && p.starts_with('1'))
            .map(|p| &p[1..])
            .chain(["800", "888"])
            .collect();
        assert!(area_codes.len() > 300, "{} area codes", area_codes.len());
        let mut checked = 0;
        for npa in area_codes {
            let Ok(n) = PhoneNumber::parse(&format!("+1{npa}2345678"), "US") else {
                continue;
            };
            let libphonenumber = phonenumber::parse(None, n.as_str())
                .unwrap()
                .format()
                .mode(phonenumber::Mode::National)
                .to_string();
            assert_eq!(n.national(), libphonenumber, "{n}");
            checked += 1;
        }
        assert!(checked > 300, "only {checked} valid numbers");
    }

    #[rstest]
    #[case("+13125550123", true)]
    #[case("+442079460958", true)]
    #[case("3125550123", false)]
    #[case("+1312555012x", false)]
    #[case("+0312555012", false)]
    #[case("+1234567", false)]
    #[case("+1234567890123456", false)]
    #[case("", false)]
    fn stored_numbers_are_checked_for_their_form(#[case] text: &str, #[case] accepted: bool) {
        let stored = PhoneNumber::from_stored(text);
        assert_eq!(stored.is_some(), accepted, "{text}");
        if let Some(n) = stored {
            assert_eq!(n.as_str(), text);
        }
    }

    #[test]
    fn a_toll_free_number_says_nothing_about_the_zone() {
        let n = PhoneNumber::parse("800-555-0100", "US").unwrap();
        assert!(n.time_zones().is_empty());
    }

    #[test]
    fn an_area_code_that_spans_zones_maps_to_all_of_them() {
        // 605 (South Dakota) is split between Mountain and Central time.
        let n = PhoneNumber::parse("605-555-0100", "US").unwrap();
        assert_eq!(
            n.time_zones(),
            ["America/Denver", "America/North_Dakota/Center"]
        );
    }

    #[rstest]
    #[case("85004", &["America/Phoenix"])]
    #[case("96813", &["Pacific/Honolulu"])]
    #[case("60601-1234", &["America/Chicago"])]
    #[case("ABC", &[])]
    fn zip_codes_map_to_zones(#[case] zip: &str, #[case] zones: &[&str]) {
        assert_eq!(us_zip_time_zones(zip), zones);
    }

    #[rstest]
    #[case("Pat@Example.COM", "Pat@example.com")]
    #[case(" a.b+c@mail.example.org ", "a.b+c@mail.example.org")]
    fn emails_are_accepted(#[case] raw: &str, #[case] expected: &str) {
        assert_eq!(EmailAddress::parse(raw).unwrap().as_str(), expected);
    }

    #[rstest]
    #[case("pat")]
    #[case("pat@example")]
    #[case("pat @example.com")]
    #[case("pat@@example.com")]
    #[case(".pat@example.com")]
    fn bad_emails_are_refused(#[case] raw: &str) {
        assert!(EmailAddress::parse(raw).is_err());
    }
}
