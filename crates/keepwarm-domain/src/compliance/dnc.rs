//! The National Do Not Call registry: reading the registry's download one line at a time, and
//! whether a listed number may still get an automated solicitation.
//!
//! A listed number gets automated calls and texts only with an established business relationship
//! (47 CFR 64.1200(f)(5): an inquiry within the last 3 months, a purchase within 18) or the person's
//! written permission. keepwarm knows the inquiry: a lead received within 3 months is one. It does
//! not yet keep signed written consent per number, so a listed number with an older inquiry gets no
//! automated calls or texts (e-mail is not covered by the registry). A registry copy older than 31
//! days is stale (the FTC requires a refresh at least every 31 days).

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

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

/// Whether the inquiry received at `inquiry` still makes an established business relationship at
/// `now` (within 3 months).
pub fn inquiry_relationship(inquiry: Timestamp, now: Timestamp) -> bool {
    let zone = jiff::tz::TimeZone::UTC;
    let since = now.to_zoned_datetime(zone).checked_sub(3.months());
    since.is_ok_and(|s| inquiry >= s.timestamp())
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

    #[test]
    fn a_registry_copy_goes_stale_after_31_days() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert!(!stale(d("2026-11-01"), d("2026-12-02")));
        assert!(stale(d("2026-11-01"), d("2026-12-03")));
    }
}
