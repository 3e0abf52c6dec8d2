//! Repair of single values: enumerations, phone kinds and numbers.
//!
//! Owns the vocabulary mapping from what feeds send (`Used`, `BUY`,
//! `tradein`, `mobile`, `$25,000`) to the normalized lead's values. Each
//! function returns the value and, when it had to repair something, the
//! warning to record. Pure functions over strings.

use crate::warning::WarningCode;

/// A repaired value and the repair, if one was needed.
pub(crate) type Outcome<T> = (Option<T>, Option<(WarningCode, String)>);

/// DTD values of `vehicle@interest`.
pub(crate) const INTEREST: &[&str] = &["buy", "lease", "sell", "trade-in", "test-drive"];
/// Common spellings of `vehicle@interest` outside the DTD.
pub(crate) const INTEREST_ALIASES: &[(&str, &str)] = &[
    ("tradein", "trade-in"),
    ("trade", "trade-in"),
    ("testdrive", "test-drive"),
    ("purchase", "buy"),
];
/// DTD values of `vehicle@status`.
pub(crate) const CONDITION: &[&str] = &["new", "used"];
/// Common spellings of `vehicle@status` outside the DTD.
pub(crate) const CONDITION_ALIASES: &[(&str, &str)] = &[
    ("preowned", "used"),
    ("certified", "used"),
    ("certifiedpreowned", "used"),
    ("cpo", "used"),
];
/// DTD values of `phone@time`.
pub(crate) const PHONE_TIME: &[&str] = &["morning", "afternoon", "evening", "nopreference", "day"];
/// Common spellings of `phone@time` outside the DTD.
pub(crate) const PHONE_TIME_ALIASES: &[(&str, &str)] =
    &[("anytime", "nopreference"), ("any", "nopreference")];
/// DTD values of `name@part`, plus `surname` which some feeds send.
pub(crate) const NAME_PART: &[&str] = &["first", "middle", "last", "surname", "suffix", "full"];

/// Matches `raw` against `allowed`, repairing case, separators and known
/// aliases. An unknown value is kept lower-cased with a warning.
pub(crate) fn normalize_enum(
    raw: &str,
    field: &str,
    allowed: &[&str],
    aliases: &[(&str, &str)],
) -> Outcome<String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return (None, None);
    }
    if allowed.contains(&trimmed) {
        return (Some(trimmed.to_owned()), None);
    }
    let squashed = squash(trimmed);
    let found = allowed
        .iter()
        .find(|a| squash(a) == squashed)
        .copied()
        .or_else(|| {
            aliases
                .iter()
                .find(|(k, _)| *k == squashed)
                .map(|(_, v)| *v)
        });
    match found {
        Some(value) => (
            Some(value.to_owned()),
            Some((
                WarningCode::EnumValueNormalized,
                format!("read {field} {trimmed:?} as {value:?}"),
            )),
        ),
        None => {
            let lower = trimmed.to_lowercase();
            let message = format!("{field} {trimmed:?} is not an ADF value; kept as {lower:?}");
            (Some(lower), Some((WarningCode::UnknownEnumValue, message)))
        }
    }
}

/// Maps a phone `type` to a kind: the DTD's `voice`, `cellphone`, `fax`,
/// `pager`, or `home` / `work` for those common non-DTD types (they say
/// more than `voice` would). Missing means `voice`, the DTD default.
pub(crate) fn normalize_phone_kind(raw: Option<&str>) -> (String, Option<(WarningCode, String)>) {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return ("voice".to_owned(), None);
    };
    if ["voice", "cellphone", "fax", "pager"].contains(&raw) {
        return (raw.to_owned(), None);
    }
    let kind = match squash(raw).as_str() {
        "voice" | "phone" | "telephone" | "tel" | "landline" => "voice",
        "cellphone" | "cell" | "mobile" | "mobilephone" | "cellular" | "wireless" | "sms" => {
            "cellphone"
        }
        "fax" | "facsimile" => "fax",
        "pager" | "beeper" => "pager",
        "home" | "homephone" | "residence" => "home",
        "work" | "workphone" | "office" | "business" | "businessphone" => "work",
        other => {
            let message = format!("phone type {raw:?} is not an ADF value; kept as {other:?}");
            return (
                other.to_owned(),
                Some((WarningCode::UnknownEnumValue, message)),
            );
        }
    };
    let message =
        if kind == raw.to_lowercase() && !["voice", "cellphone", "fax", "pager"].contains(&kind) {
            format!("phone type {raw:?} is not an ADF type; kept as kind {kind:?}")
        } else {
            format!("read phone type {raw:?} as {kind:?}")
        };
    (
        kind.to_owned(),
        Some((WarningCode::PhoneKindNormalized, message)),
    )
}

/// A four-digit model year.
pub(crate) fn parse_year(raw: &str) -> Outcome<u16> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return (None, None);
    }
    match trimmed.parse::<u16>() {
        Ok(year) if trimmed.len() == 4 && (1000..=9999).contains(&year) => (Some(year), None),
        _ => (None, Some(invalid("year", trimmed))),
    }
}

/// A price as a plain decimal string; `$`, `,`, spaces and a currency
/// code are removed with a warning.
pub(crate) fn parse_price(raw: &str) -> Outcome<String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return (None, None);
    }
    let cleaned: String = trimmed
        .trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '$')
        .trim_end_matches(|c: char| c.is_ascii_alphabetic())
        .chars()
        .filter(|c| !matches!(c, ',' | '$' | ' ' | '\u{A0}'))
        .collect();
    let digits = cleaned.strip_prefix('-').unwrap_or(&cleaned);
    let mut parts = digits.split('.');
    let whole = parts.next().unwrap_or_default();
    let frac = parts.next();
    let valid = !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
        && parts.next().is_none();
    if !valid {
        return (None, Some(invalid("price", trimmed)));
    }
    let repair = (cleaned != trimmed).then(|| {
        (
            WarningCode::NumberNormalized,
            format!("read price {trimmed:?} as {cleaned:?}"),
        )
    });
    (Some(cleaned), repair)
}

/// An odometer reading as a whole number; separators and units are
/// removed, decimals dropped, with a warning.
pub(crate) fn parse_odometer(raw: &str) -> Outcome<u64> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return (None, None);
    }
    if let Ok(value) = trimmed.parse::<u64>() {
        return (Some(value), None);
    }
    let cleaned: String = trimmed
        .trim_end_matches(|c: char| c.is_alphabetic() || c == '.' || c.is_whitespace())
        .chars()
        .filter(|c| !matches!(c, ',' | '_' | ' ' | '\u{A0}'))
        .collect();
    let whole = match cleaned.split_once('.') {
        Some((w, f)) if f.bytes().all(|b| b.is_ascii_digit()) => w,
        Some(_) => "",
        None => cleaned.as_str(),
    };
    match whole.parse::<u64>() {
        Ok(value) => (
            Some(value),
            Some((
                WarningCode::NumberNormalized,
                format!("read odometer {trimmed:?} as {value}"),
            )),
        ),
        Err(_) => (None, Some(invalid("odometer", trimmed))),
    }
}

fn invalid(field: &str, raw: &str) -> (WarningCode, String) {
    (
        WarningCode::InvalidNumber,
        format!("could not read {field} {raw:?}; left out"),
    )
}

/// Lower-case letters and digits only: `Trade In` → `tradein`.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use WarningCode::{
        EnumValueNormalized as E, InvalidNumber as I, NumberNormalized as N,
        PhoneKindNormalized as P, UnknownEnumValue as U,
    };

    fn code<T>(o: &Outcome<T>) -> Option<WarningCode> {
        o.1.as_ref().map(|(c, _)| *c)
    }

    #[rstest]
    #[case::exact("buy", Some("buy"), None)]
    #[case::upper("BUY", Some("buy"), Some(E))]
    #[case::capital("Lease", Some("lease"), Some(E))]
    #[case::spaced("Trade In", Some("trade-in"), Some(E))]
    #[case::alias("tradein", Some("trade-in"), Some(E))]
    #[case::test_drive("TEST_DRIVE", Some("test-drive"), Some(E))]
    #[case::unknown("Browse", Some("browse"), Some(U))]
    #[case::empty(" ", None, None)]
    fn vehicle_interest_is_normalized(
        #[case] raw: &str,
        #[case] value: Option<&str>,
        #[case] warning: Option<WarningCode>,
    ) {
        let out = normalize_enum(raw, "interest", INTEREST, INTEREST_ALIASES);
        assert_eq!(out.0.as_deref(), value);
        assert_eq!(code(&out), warning);
    }

    #[rstest]
    #[case::used("Used", "used", Some(E))]
    #[case::preowned("Pre-Owned", "used", Some(E))]
    #[case::new("new", "new", None)]
    fn vehicle_condition_is_normalized(
        #[case] raw: &str,
        #[case] value: &str,
        #[case] warning: Option<WarningCode>,
    ) {
        let out = normalize_enum(raw, "status", CONDITION, CONDITION_ALIASES);
        assert_eq!(out.0.as_deref(), Some(value));
        assert_eq!(code(&out), warning);
    }

    #[rstest]
    #[case::missing(None, "voice", None)]
    #[case::dtd(Some("cellphone"), "cellphone", None)]
    #[case::mobile(Some("mobile"), "cellphone", Some(P))]
    #[case::cell(Some("Cell"), "cellphone", Some(P))]
    #[case::home(Some("home"), "home", Some(P))]
    #[case::work(Some("Work"), "work", Some(P))]
    #[case::office(Some("office"), "work", Some(P))]
    #[case::fax_upper(Some("FAX"), "fax", Some(P))]
    #[case::other(Some("satellite"), "satellite", Some(U))]
    fn phone_types_map_to_kinds(
        #[case] raw: Option<&str>,
        #[case] kind: &str,
        #[case] warning: Option<WarningCode>,
    ) {
        let (got, repair) = normalize_phone_kind(raw);
        assert_eq!(got, kind);
        assert_eq!(repair.map(|(c, _)| c), warning);
    }

    #[rstest]
    #[case::plain("26995", Some("26995"), None)]
    #[case::cents("24999.99", Some("24999.99"), None)]
    #[case::dollars("$25,000.00", Some("25000.00"), Some(N))]
    #[case::code("25000 USD", Some("25000"), Some(N))]
    #[case::words("call us", None, Some(I))]
    #[case::two_points("1.2.3", None, Some(I))]
    fn prices_become_plain_decimals(
        #[case] raw: &str,
        #[case] value: Option<&str>,
        #[case] warning: Option<WarningCode>,
    ) {
        let out = parse_price(raw);
        assert_eq!(out.0.as_deref(), value);
        assert_eq!(code(&out), warning);
    }

    #[rstest]
    #[case::plain("123", Some(123), None)]
    #[case::separated("12,345 mi", Some(12345), Some(N))]
    #[case::decimal("12345.6", Some(12345), Some(N))]
    #[case::words("unknown", None, Some(I))]
    fn odometers_become_whole_numbers(
        #[case] raw: &str,
        #[case] value: Option<u64>,
        #[case] warning: Option<WarningCode>,
    ) {
        let out = parse_odometer(raw);
        assert_eq!(out.0, value);
        assert_eq!(code(&out), warning);
    }

    #[rstest]
    #[case::year("1997", Some(1997), None)]
    #[case::short("97", None, Some(I))]
    #[case::text("new", None, Some(I))]
    fn years_are_four_digits(
        #[case] raw: &str,
        #[case] value: Option<u16>,
        #[case] warning: Option<WarningCode>,
    ) {
        let out = parse_year(raw);
        assert_eq!(out.0, value);
        assert_eq!(code(&out), warning);
    }
}
