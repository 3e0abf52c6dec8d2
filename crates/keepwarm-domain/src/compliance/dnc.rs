//! The National Do Not Call registry: reading the registry's download one line at a time, and
//! whether a listed number may still get an automated solicitation.
//!
//! A listed number gets automated solicitations only with the person's signed written permission
//! naming the dealership (47 CFR 64.1200(c)(2)(ii)) or an established business relationship
//! (64.1200(f)(5)): a purchase within the last 18 months or an inquiry within the last 3.
//! [`standing`] says which of them lets a listed number through, or that none does; the written
//! consent is the consent evidence's, the purchase the lead's `purchased_at` (a sale date from a
//! DMS export or the lead document), the inquiry the lead's. E-mail is not covered by the registry.
//! A registry copy older than 31 days is stale (the FTC requires a refresh at least every 31 days).

use jiff::civil::Date;
use jiff::{Span, Timestamp, ToSpan};
use serde::Serialize;

/// How old a registry copy may be, in days.
pub const STALE_AFTER_DAYS: i64 = 31;
/// The longest line accepted (a number with separators and a line ending).
pub const MAX_LINE: usize = 64;

/// One line of a registry download: `Ok(Some(number))` for a 10-digit North American number
/// (separators `-`, `,`, `.`, spaces and parentheses allowed), `Ok(None)` for a blank line, `Err`
/// saying what is wrong.
pub fn parse_line(line: &str) -> Result<Option<i64>, String> {
    let text = line.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.len() > MAX_LINE {
        return Err(format!("longer than {MAX_LINE} characters"));
    }
    let mut digits = String::with_capacity(10);
    for ch in text.chars() {
        match ch {
            '0'..='9' => digits.push(ch),
            '-' | ',' | '.' | ' ' | '(' | ')' => {}
            other => {
                return Err(format!(
                    "`{text}` has `{other}`; expected a 10-digit number"
                ))
            }
        }
    }
    let digits = match digits.len() {
        11 if digits.starts_with('1') => &digits[1..],
        _ => digits.as_str(),
    };
    if digits.len() != 10 {
        return Err(format!("`{text}` is not a 10-digit number"));
    }
    if !matches!(digits.as_bytes()[0], b'2'..=b'9') {
        return Err(format!("`{text}` has no valid area code"));
    }
    digits
        .parse()
        .map(Some)
        .map_err(|_| format!("`{text}` is not a number"))
}

/// How long an inquiry makes an established business relationship, in months.
pub const INQUIRY_MONTHS: i64 = 3;
/// How long a purchase makes an established business relationship, in months.
pub const PURCHASE_MONTHS: i64 = 18;

/// Whether `at` lies within `span` before `now` (and not after it).
fn within(at: Timestamp, span: Span, now: Timestamp) -> bool {
    let since = now
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .checked_sub(span);
    at <= now && since.is_ok_and(|s| at >= s.timestamp())
}

/// Whether the inquiry received at `inquiry` still makes an established business relationship at
/// `now` (within 3 months).
pub fn inquiry_relationship(inquiry: Timestamp, now: Timestamp) -> bool {
    within(inquiry, INQUIRY_MONTHS.months(), now)
}

/// Whether a purchase at `purchase` still makes an established business relationship at `now`
/// (within 18 months; a date in the future makes none).
pub fn purchase_relationship(purchase: Timestamp, now: Timestamp) -> bool {
    within(purchase, PURCHASE_MONTHS.months(), now)
}

/// Where a number stands with the National Do Not Call list for an automated solicitation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "standing", rename_all = "snake_case")]
pub enum Standing {
    /// Not on the list in force: the registry does not hold it.
    NotListed,
    /// Listed, let through by signed written consent naming the dealership.
    WrittenConsent,
    /// Listed, let through by a purchase within 18 months.
    Purchase {
        /// When the customer bought.
        at: Timestamp,
    },
    /// Listed, let through by an inquiry within 3 months.
    Inquiry {
        /// When the customer asked.
        at: Timestamp,
    },
    /// Listed with none of them: automated solicitations are skipped.
    Held {
        /// Why, for the timeline and `compliance explain`.
        reason: String,
    },
}

impl Standing {
    /// Whether an automated solicitation may go as far as the registry is concerned.
    pub fn allows(&self) -> bool {
        !matches!(self, Standing::Held { .. })
    }

    /// One line saying where the number stands and why.
    pub fn describe(&self) -> String {
        match self {
            Standing::NotListed => "not on the National Do Not Call list".into(),
            Standing::WrittenConsent => {
                "on the National Do Not Call list; let through by written consent naming the dealership (47 CFR 64.1200(c)(2)(ii))".into()
            }
            Standing::Purchase { at } => format!(
                "on the National Do Not Call list; let through by a purchase on {at}, within {PURCHASE_MONTHS} months (47 CFR 64.1200(f)(5))"
            ),
            Standing::Inquiry { at } => format!(
                "on the National Do Not Call list; let through by an inquiry on {at}, within {INQUIRY_MONTHS} months (47 CFR 64.1200(f)(5))"
            ),
            Standing::Held { reason } => reason.clone(),
        }
    }
}

/// What keepwarm knows about a listed number's relationship with the dealership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Relationship {
    /// The number is on the list in force.
    pub listed: bool,
    /// The consent evidence gives signed written consent naming the dealership.
    pub written: bool,
    /// When the customer last asked (the lead's inquiry).
    pub inquiry: Timestamp,
    /// When the customer last bought, if known.
    pub purchase: Option<Timestamp>,
}

/// Where a number stands at `now`: not listed, or the first basis that lets it through (written
/// consent, then a purchase, then an inquiry), or held with the reason naming what is missing.
/// `national` is the number as people read it, for the reason.
pub fn standing(r: &Relationship, national: &str, now: Timestamp) -> Standing {
    if !r.listed {
        return Standing::NotListed;
    }
    if r.written {
        return Standing::WrittenConsent;
    }
    if let Some(at) = r.purchase.filter(|p| purchase_relationship(*p, now)) {
        return Standing::Purchase { at };
    }
    if inquiry_relationship(r.inquiry, now) {
        return Standing::Inquiry { at: r.inquiry };
    }
    let purchase = match r.purchase {
        Some(at) => format!("the last purchase ({at}) is over {PURCHASE_MONTHS} months old"),
        None => "no purchase is on record".to_owned(),
    };
    Standing::Held {
        reason: format!(
            "{national} is on the National Do Not Call list, the last inquiry ({}) is over {INQUIRY_MONTHS} months old and {purchase}: no automated calls or texts without written consent",
            r.inquiry
        ),
    }
}

/// Whether a registry copy dated `registry` is stale on `today`.
pub fn stale(registry: Date, today: Date) -> bool {
    // `until` between dates counts in days by default.
    registry
        .until(today)
        .map_or(true, |span| i64::from(span.get_days()) > STALE_AFTER_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_lines_read_as_ten_digit_numbers_and_name_what_is_wrong() {
        let cases: [(&str, Result<Option<i64>, &str>); 9] = [
            ("3125550100", Ok(Some(3125550100))),
            ("312-555-0100\r", Ok(Some(3125550100))),
            ("312,5550100", Ok(Some(3125550100))),
            ("1 (312) 555-0100", Ok(Some(3125550100))),
            ("   ", Ok(None)),
            ("312555010", Err("not a 10-digit number")),
            ("0125550100", Err("no valid area code")),
            ("312555010x", Err("has `x`")),
            ("+13125550100", Err("has `+`")),
        ];
        for (line, expected) in cases {
            match (parse_line(line), expected) {
                (Ok(got), Ok(want)) => assert_eq!(got, want, "{line:?}"),
                (Err(got), Err(want)) => assert!(got.contains(want), "{line:?}: {got}"),
                (got, want) => panic!("{line:?}: {got:?}, expected {want:?}"),
            }
        }
        assert!(parse_line(&"1".repeat(65)).is_err());
    }

    #[test]
    fn an_inquiry_makes_a_relationship_for_three_months() {
        let now: Timestamp = "2026-12-01T15:00:00Z".parse().unwrap();
        assert!(inquiry_relationship(
            "2026-09-01T15:00:00Z".parse().unwrap(),
            now
        ));
        assert!(!inquiry_relationship(
            "2026-08-31T15:00:00Z".parse().unwrap(),
            now
        ));
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[rstest::rstest]
    #[case::not_listed(false, false, "2020-01-01T00:00:00Z", None, "not_listed")]
    #[case::written_consent_beats_an_old_inquiry(
        true,
        true,
        "2020-01-01T00:00:00Z",
        None,
        "written_consent"
    )]
    #[case::a_purchase_17_months_ago(
        true,
        false,
        "2020-01-01T00:00:00Z",
        Some("2025-07-02T15:00:00Z"),
        "purchase"
    )]
    #[case::a_purchase_exactly_18_months_ago(
        true,
        false,
        "2020-01-01T00:00:00Z",
        Some("2025-06-01T15:00:00Z"),
        "purchase"
    )]
    #[case::a_purchase_18_months_and_a_day_ago(
        true,
        false,
        "2020-01-01T00:00:00Z",
        Some("2025-05-31T15:00:00Z"),
        "held"
    )]
    #[case::a_purchase_dated_in_the_future(
        true,
        false,
        "2020-01-01T00:00:00Z",
        Some("2027-01-01T00:00:00Z"),
        "held"
    )]
    #[case::an_inquiry_3_months_ago(true, false, "2026-09-01T15:00:00Z", None, "inquiry")]
    #[case::an_inquiry_3_months_and_a_day_ago(true, false, "2026-08-31T15:00:00Z", None, "held")]
    #[case::an_old_purchase_and_a_recent_inquiry(
        true,
        false,
        "2026-10-01T15:00:00Z",
        Some("2024-01-01T00:00:00Z"),
        "inquiry"
    )]
    #[case::a_recent_purchase_and_a_recent_inquiry_name_the_purchase(
        true,
        false,
        "2026-11-30T15:00:00Z",
        Some("2026-06-01T00:00:00Z"),
        "purchase"
    )]
    fn a_listed_number_is_let_through_by_written_consent_a_purchase_or_an_inquiry(
        #[case] listed: bool,
        #[case] written: bool,
        #[case] inquiry: &str,
        #[case] purchase: Option<&str>,
        #[case] expected: &str,
    ) {
        let now = at("2026-12-01T15:00:00Z");
        let r = Relationship {
            listed,
            written,
            inquiry: at(inquiry),
            purchase: purchase.map(at),
        };
        let standing = standing(&r, "(312) 555-0100", now);
        let word = serde_json::to_value(&standing).unwrap()["standing"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(word, expected, "{standing:?}");
        assert_eq!(standing.allows(), expected != "held");
        let text = standing.describe();
        match expected {
            "purchase" => assert!(
                text.contains("purchase on") && text.contains("18 months"),
                "{text}"
            ),
            "inquiry" => assert!(
                text.contains("inquiry on") && text.contains("3 months"),
                "{text}"
            ),
            "written_consent" => assert!(text.contains("written consent"), "{text}"),
            "held" => {
                assert!(
                    text.contains("(312) 555-0100") && text.contains("National Do Not Call"),
                    "{text}"
                );
                let purchase_named = if purchase.is_some() {
                    "last purchase"
                } else {
                    "no purchase is on record"
                };
                assert!(text.contains(purchase_named), "{text}");
            }
            _ => assert!(text.contains("not on"), "{text}"),
        }
    }

    #[test]
    fn a_registry_copy_goes_stale_after_31_days() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert!(!stale(d("2026-11-01"), d("2026-12-02")));
        assert!(stale(d("2026-11-01"), d("2026-12-03")));
    }
}
