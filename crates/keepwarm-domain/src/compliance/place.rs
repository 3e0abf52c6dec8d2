//! Where a recipient may be, in law: the jurisdictions of the phone's area code and of the lead's
//! address (state or province, else the ZIP or postal code). Both count — a Florida number whose
//! owner lives in Texas is under both states' rules — and a recipient with neither is unknown
//! ([`Recipient::jurisdictions`] empty), which the rules read as "every row applies".

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::contact::PhoneNumber;

/// Where a recipient may be: time zones for the hours, jurisdictions for the rules.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Recipient {
    /// IANA zones the recipient may be in.
    pub zones: Vec<String>,
    /// ISO 3166-2 subdivisions (`US-FL`, `CA-ON`) from the phone and the address, sorted; empty
    /// when neither says.
    pub jurisdictions: Vec<String>,
}

/// The jurisdictions of a phone number's area code (NANP numbers only).
pub fn phone_jurisdictions(phone: &PhoneNumber) -> Vec<String> {
    let digits = phone.as_str();
    let Some(area) = digits.strip_prefix("+1").and_then(|d| d.get(..3)) else {
        return Vec::new();
    };
    AREA_CODES
        .get(area)
        .map(|r| r.iter().map(|s| (*s).to_owned()).collect())
        .unwrap_or_default()
}

/// The jurisdiction of an address: its region (`FL`, `Florida`, `ON`) read in its country (US
/// when absent), else its postal code (a US ZIP or a Canadian postal code).
pub fn address_jurisdiction(
    region: Option<&str>,
    country: Option<&str>,
    postal_code: Option<&str>,
) -> Option<String> {
    let country = country
        .map(|c| c.trim().to_ascii_uppercase())
        .filter(|c| !c.is_empty());
    let canada = matches!(country.as_deref(), Some("CA" | "CAN" | "CANADA"));
    let us = country.is_none()
        || matches!(
            country.as_deref(),
            Some("US" | "USA" | "UNITED STATES" | "UNITED STATES OF AMERICA")
        );
    if let Some(region) = region.map(str::trim).filter(|r| !r.is_empty()) {
        let code = region_code(region, canada);
        if let Some(code) = code {
            return Some(code);
        }
    }
    let postal = postal_code?.trim();
    if us || country.is_none() {
        if let Some(state) = zip_state(postal) {
            return Some(format!("US-{state}"));
        }
    }
    if canada || country.is_none() {
        return canadian_postal_province(postal).map(|p| format!("CA-{p}"));
    }
    None
}

/// The recipient's jurisdictions from the phone and the address, sorted and without repeats.
pub fn recipient_jurisdictions(
    phone: Option<&PhoneNumber>,
    address: Option<String>,
) -> Vec<String> {
    let mut out: Vec<String> = phone.map(phone_jurisdictions).unwrap_or_default();
    out.extend(address);
    out.sort();
    out.dedup();
    out
}

fn region_code(region: &str, canada: bool) -> Option<String> {
    let upper = region.to_ascii_uppercase();
    let (country, table): (&str, &[(&str, &str)]) = if canada {
        ("CA", PROVINCES)
    } else {
        ("US", STATES)
    };
    table
        .iter()
        .find(|(code, name)| *code == upper || name.eq_ignore_ascii_case(region))
        .map(|(code, _)| format!("{country}-{code}"))
}

/// The state of a US ZIP code from its first three digits.
pub fn zip_state(postal_code: &str) -> Option<&'static str> {
    let digits: String = postal_code
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .filter(char::is_ascii_digit)
        .collect();
    if digits.len() != 5 && digits.len() != 9 {
        return None;
    }
    let zip3: u16 = digits[..3].parse().ok()?;
    ZIP3_STATES
        .iter()
        .find(|(lo, hi, _)| (*lo..=*hi).contains(&zip3))
        .map(|(_, _, s)| *s)
}

fn canadian_postal_province(postal: &str) -> Option<&'static str> {
    let compact: Vec<char> = postal.chars().filter(|c| !c.is_whitespace()).collect();
    let shaped = compact.len() == 6
        && compact.iter().enumerate().all(|(i, c)| {
            if i % 2 == 0 {
                c.is_ascii_alphabetic()
            } else {
                c.is_ascii_digit()
            }
        });
    if !shaped {
        return None;
    }
    Some(match compact[0].to_ascii_uppercase() {
        'A' => "NL",
        'B' => "NS",
        'C' => "PE",
        'E' => "NB",
        'G' | 'H' | 'J' => "QC",
        'K' | 'L' | 'M' | 'N' | 'P' => "ON",
        'R' => "MB",
        'S' => "SK",
        'T' => "AB",
        'V' => "BC",
        'X' => "NT",
        'Y' => "YT",
        _ => return None,
    })
}

static AREA_CODES: LazyLock<HashMap<&'static str, Vec<&'static str>>> = LazyLock::new(|| {
    include_str!("../../data/area_code_regions.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| l.split_once('|'))
        .map(|(code, regions)| (code, regions.split('&').collect()))
        .collect()
});

/// USPS ZIP3 ranges to states (military and territory ranges left out: they say nothing about a
/// state's rules).
const ZIP3_STATES: &[(u16, u16, &str)] = &[
    (5, 5, "NY"),
    (10, 27, "MA"),
    (28, 29, "RI"),
    (30, 38, "NH"),
    (39, 49, "ME"),
    (50, 54, "VT"),
    (55, 55, "MA"),
    (56, 59, "VT"),
    (60, 69, "CT"),
    (70, 89, "NJ"),
    (100, 149, "NY"),
    (150, 196, "PA"),
    (197, 199, "DE"),
    (200, 200, "DC"),
    (201, 201, "VA"),
    (202, 205, "DC"),
    (206, 219, "MD"),
    (220, 246, "VA"),
    (247, 268, "WV"),
    (270, 289, "NC"),
    (290, 299, "SC"),
    (300, 319, "GA"),
    (320, 339, "FL"),
    (341, 349, "FL"),
    (350, 369, "AL"),
    (370, 385, "TN"),
    (386, 397, "MS"),
    (398, 399, "GA"),
    (400, 427, "KY"),
    (430, 459, "OH"),
    (460, 479, "IN"),
    (480, 499, "MI"),
    (500, 528, "IA"),
    (530, 549, "WI"),
    (550, 567, "MN"),
    (569, 569, "DC"),
    (570, 577, "SD"),
    (580, 588, "ND"),
    (590, 599, "MT"),
    (600, 629, "IL"),
    (630, 658, "MO"),
    (660, 679, "KS"),
    (680, 693, "NE"),
    (700, 715, "LA"),
    (716, 729, "AR"),
    (730, 732, "OK"),
    (733, 733, "TX"),
    (734, 749, "OK"),
    (750, 799, "TX"),
    (800, 816, "CO"),
    (820, 831, "WY"),
    (832, 838, "ID"),
    (840, 847, "UT"),
    (850, 865, "AZ"),
    (870, 884, "NM"),
    (885, 885, "TX"),
    (889, 898, "NV"),
    (900, 961, "CA"),
    (967, 968, "HI"),
    (970, 979, "OR"),
    (980, 994, "WA"),
    (995, 999, "AK"),
];

const STATES: &[(&str, &str)] = &[
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("DC", "District of Columbia"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("HI", "Hawaii"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("ME", "Maine"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", "West Virginia"),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
];

const PROVINCES: &[(&str, &str)] = &[
    ("AB", "Alberta"),
    ("BC", "British Columbia"),
    ("MB", "Manitoba"),
    ("NB", "New Brunswick"),
    ("NL", "Newfoundland and Labrador"),
    ("NS", "Nova Scotia"),
    ("NT", "Northwest Territories"),
    ("NU", "Nunavut"),
    ("ON", "Ontario"),
    ("PE", "Prince Edward Island"),
    ("QC", "Quebec"),
    ("SK", "Saskatchewan"),
    ("YT", "Yukon"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("+13055550123", &["US-FL"])]
    #[case("+14055550123", &["US-OK"])]
    #[case("+14165550123", &["CA-ON"])]
    #[case("+12125550123", &["US-NY"])]
    #[case("+442079460000", &[])]
    fn an_area_code_names_its_state(#[case] phone: &str, #[case] expected: &[&str]) {
        let phone = PhoneNumber::parse(phone, "US").unwrap();
        assert_eq!(phone_jurisdictions(&phone), expected);
    }

    #[rstest]
    #[case(Some("FL"), None, None, Some("US-FL"))]
    #[case(Some("Texas"), Some("US"), None, Some("US-TX"))]
    #[case(None, None, Some("73301"), Some("US-TX"))]
    #[case(None, None, Some("33101-1234"), Some("US-FL"))]
    #[case(None, None, Some("04101"), Some("US-ME"))]
    #[case(Some("ON"), Some("CA"), None, Some("CA-ON"))]
    #[case(None, Some("Canada"), Some("H2X 1Y4"), Some("CA-QC"))]
    #[case(None, None, Some("nowhere"), None)]
    #[case(Some("Bavaria"), Some("DE"), None, None)]
    fn an_address_names_its_state_or_province(
        #[case] region: Option<&str>,
        #[case] country: Option<&str>,
        #[case] postal: Option<&str>,
        #[case] expected: Option<&str>,
    ) {
        assert_eq!(
            address_jurisdiction(region, country, postal).as_deref(),
            expected
        );
    }

    #[test]
    fn a_number_and_an_address_that_disagree_give_both_states() {
        let phone = PhoneNumber::parse("+13055550123", "US").unwrap();
        let address = address_jurisdiction(Some("TX"), None, None);
        assert_eq!(
            recipient_jurisdictions(Some(&phone), address),
            ["US-FL", "US-TX"]
        );
    }
}
