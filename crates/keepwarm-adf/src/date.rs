//! ISO 8601-ish dates → RFC 3339.
//!
//! Owns date repair: one-digit months, days and hours, a space instead of
//! `T`, `/` separators, offsets written `-0500`, `-05` or `UTC`, and missing
//! offsets (the configured default is assumed). Values it cannot read are
//! reported, never guessed: `03/05/2024` is ambiguous and stays unread.
//! Pure functions, no clock.

use crate::warning::WarningCode;

/// A normalized date (or `None`) and the repairs it needed.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct DateOutcome {
    pub(crate) value: Option<String>,
    pub(crate) repairs: Vec<(WarningCode, String)>,
}

/// Whether a date-only value may stay a date or must become a date-time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    /// Always RFC 3339 date-time; a bare date becomes midnight.
    DateTime,
    /// `YYYY-MM-DD` for a bare date, RFC 3339 when a time is given.
    DateOrDateTime,
}

struct Parsed {
    date: (u32, u32, u32),
    time: Option<(u32, u32, u32, String)>,
    offset: Option<Offset>,
    strict: bool,
}

enum Offset {
    Utc,
    Minutes(i32, bool),
}

/// Normalizes `raw`, assuming `default_offset` minutes where none is given.
pub(crate) fn normalize_date(raw: &str, want: Want, default_offset: i16) -> DateOutcome {
    let raw = raw.trim();
    if raw.is_empty() {
        return DateOutcome::default();
    }
    let Some(parsed) = parse(raw) else {
        return DateOutcome {
            value: None,
            repairs: vec![(
                WarningCode::InvalidDate,
                format!("could not read date {raw:?}; left out"),
            )],
        };
    };
    let mut repairs = Vec::new();
    let (y, mo, d) = parsed.date;
    let date = format!("{y:04}-{mo:02}-{d:02}");
    if parsed.time.is_none() && want == Want::DateOrDateTime {
        if !parsed.strict {
            repairs.push(normalized(raw, &date));
        }
        return DateOutcome {
            value: Some(date),
            repairs,
        };
    }
    let (h, mi, s, frac) = parsed.time.clone().unwrap_or((0, 0, 0, String::new()));
    let offset = match parsed.offset {
        Some(Offset::Utc) => "Z".to_owned(),
        Some(Offset::Minutes(m, negative_zero)) => format_offset(m, negative_zero),
        None => {
            let assumed = format_offset(i32::from(default_offset), false);
            let what = if parsed.time.is_some() {
                "date-time"
            } else {
                "date without time read as midnight,"
            };
            repairs.push((
                WarningCode::DateOffsetAssumed,
                format!("{what} {raw:?} has no UTC offset; assumed {assumed}"),
            ));
            assumed
        }
    };
    let value = format!("{date}T{h:02}:{mi:02}:{s:02}{frac}{offset}");
    if !parsed.strict {
        repairs.insert(0, normalized(raw, &value));
    }
    DateOutcome {
        value: Some(value),
        repairs,
    }
}

fn normalized(raw: &str, value: &str) -> (WarningCode, String) {
    (
        WarningCode::DateNormalized,
        format!("rewrote date {raw:?} as {value}"),
    )
}

fn format_offset(minutes: i32, negative_zero: bool) -> String {
    let sign = if minutes < 0 || negative_zero {
        '-'
    } else {
        '+'
    };
    let abs = minutes.unsigned_abs();
    format!("{sign}{:02}:{:02}", abs / 60, abs % 60)
}

/// A cursor over ASCII input.
struct Cursor<'a> {
    rest: &'a str,
}

impl Cursor<'_> {
    /// Reads `min..=max` digits.
    fn digits(&mut self, min: usize, max: usize) -> Option<(u32, usize)> {
        let len = self
            .rest
            .bytes()
            .take(max)
            .take_while(u8::is_ascii_digit)
            .count();
        if len < min {
            return None;
        }
        let value = self.rest.get(..len)?.parse().ok()?;
        self.rest = self.rest.get(len..)?;
        Some((value, len))
    }

    fn eat(&mut self, options: &[char]) -> Option<char> {
        let c = self.rest.chars().next().filter(|c| options.contains(c))?;
        self.rest = self.rest.get(c.len_utf8()..)?;
        Some(c)
    }
}

fn parse(raw: &str) -> Option<Parsed> {
    let mut c = Cursor { rest: raw };
    let mut strict = true;
    let (y, ylen) = c.digits(4, 4)?;
    let sep = c.eat(&['-', '/'])?;
    strict &= sep == '-';
    let (mo, molen) = c.digits(1, 2)?;
    c.eat(&[sep])?;
    let (d, dlen) = c.digits(1, 2)?;
    strict &= ylen == 4 && molen == 2 && dlen == 2;
    if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) || y == 0 {
        return None;
    }
    let mut time = None;
    if let Some(t) = c.eat(&['T', 't', ' ']) {
        strict &= t == 'T';
        let (h, hlen) = c.digits(1, 2)?;
        c.eat(&[':'])?;
        let (mi, milen) = c.digits(2, 2)?;
        let mut s = 0;
        let mut frac = String::new();
        if c.eat(&[':']).is_some() {
            s = c.digits(2, 2)?.0;
            if c.eat(&['.', ',']).is_some() {
                let (_, flen) = Cursor { rest: c.rest }.digits(1, 9)?;
                frac = format!(".{}", c.rest.get(..flen)?);
                c.rest = c.rest.get(flen..)?;
            }
        } else {
            strict = false;
        }
        strict &= hlen == 2 && milen == 2;
        if h > 23 || mi > 59 || s > 60 {
            return None;
        }
        time = Some((h, mi, s, frac));
    }
    let rest = c.rest.trim_start();
    strict &= rest.len() == c.rest.len();
    let offset = parse_offset(rest, &mut strict)?;
    if offset.is_some() && time.is_none() {
        return None;
    }
    Some(Parsed {
        date: (y, mo, d),
        time,
        offset,
        strict,
    })
}

/// `Some(None)` when there is no offset; `None` when the text is not one.
fn parse_offset(text: &str, strict: &mut bool) -> Option<Option<Offset>> {
    match text {
        "" => return Some(None),
        "Z" => return Some(Some(Offset::Utc)),
        "z" | "UTC" | "utc" | "GMT" | "gmt" => {
            *strict = false;
            return Some(Some(Offset::Utc));
        }
        _ => {}
    }
    let mut c = Cursor { rest: text };
    let sign = c.eat(&['+', '-'])?;
    let (h, _) = c.digits(2, 2)?;
    let colon = c.eat(&[':']).is_some();
    let m = if c.rest.is_empty() {
        *strict = false;
        0
    } else {
        *strict &= colon;
        c.digits(2, 2)?.0
    };
    if !c.rest.is_empty() || h > 23 || m > 59 {
        return None;
    }
    let minutes = i32::try_from(h * 60 + m).ok()?;
    Some(Some(if sign == '-' {
        Offset::Minutes(-minutes, minutes == 0)
    } else {
        Offset::Minutes(minutes, false)
    }))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    use WarningCode::{DateNormalized as N, DateOffsetAssumed as A, InvalidDate as I};

    #[rstest]
    #[case::strict("2000-03-30T15:30:20-08:00", Some("2000-03-30T15:30:20-08:00"), &[])]
    #[case::zulu("2024-01-02T03:04:05Z", Some("2024-01-02T03:04:05Z"), &[])]
    #[case::fraction("2024-01-02T03:04:05.25+01:00", Some("2024-01-02T03:04:05.25+01:00"), &[])]
    #[case::one_digit_parts("2024-3-5T9:05:00-0500", Some("2024-03-05T09:05:00-05:00"), &[N])]
    #[case::hour_only_offset("2024-03-05T09:05:00-05", Some("2024-03-05T09:05:00-05:00"), &[N])]
    #[case::no_offset("2024-03-05T09:05:00", Some("2024-03-05T09:05:00+00:00"), &[A])]
    #[case::space_and_no_seconds("2024-03-05 09:05", Some("2024-03-05T09:05:00+00:00"), &[N, A])]
    #[case::utc_word("2024-03-05T09:05:00 UTC", Some("2024-03-05T09:05:00Z"), &[N])]
    #[case::date_only("2024-03-05", Some("2024-03-05T00:00:00+00:00"), &[A])]
    #[case::slashes("2024/03/05T09:05:00Z", Some("2024-03-05T09:05:00Z"), &[N])]
    #[case::negative_zero("2024-03-05T09:05:00-00:00", Some("2024-03-05T09:05:00-00:00"), &[])]
    #[case::words("one", None, &[I])]
    #[case::us_order("03/05/2024", None, &[I])]
    #[case::bad_day("2023-02-29T00:00:00Z", None, &[I])]
    #[case::bad_hour("2024-03-05T25:00:00Z", None, &[I])]
    #[case::bad_offset("2024-03-05T09:05:00+25:00", None, &[I])]
    #[case::trailing("2024-03-05T09:05:00Zjunk", None, &[I])]
    #[case::empty("  ", None, &[])]
    fn request_dates_become_rfc3339(
        #[case] raw: &str,
        #[case] value: Option<&str>,
        #[case] codes: &[WarningCode],
    ) {
        let out = normalize_date(raw, Want::DateTime, 0);
        assert_eq!(out.value.as_deref(), value);
        let got: Vec<_> = out.repairs.iter().map(|(c, _)| *c).collect();
        assert_eq!(got, codes);
    }

    #[rstest]
    #[case::date("2024-02-01", Some("2024-02-01"), &[])]
    #[case::short_date("2024-2-1", Some("2024-02-01"), &[N])]
    #[case::date_time("2024-02-01T10:00:00Z", Some("2024-02-01T10:00:00Z"), &[])]
    fn timeframe_dates_may_stay_dates(
        #[case] raw: &str,
        #[case] value: Option<&str>,
        #[case] codes: &[WarningCode],
    ) {
        let out = normalize_date(raw, Want::DateOrDateTime, 0);
        assert_eq!(out.value.as_deref(), value);
        let got: Vec<_> = out.repairs.iter().map(|(c, _)| *c).collect();
        assert_eq!(got, codes);
    }

    #[test]
    fn the_configured_default_offset_is_used_when_none_is_given() {
        let out = normalize_date("2024-03-05T09:05:00", Want::DateTime, -300);
        assert_eq!(out.value.as_deref(), Some("2024-03-05T09:05:00-05:00"));
    }

    proptest! {
        #[test]
        fn any_text_either_normalizes_to_strict_form_or_is_reported(raw in "\\PC{0,40}") {
            let out = normalize_date(&raw, Want::DateTime, 0);
            match out.value {
                Some(v) => {
                    let again = normalize_date(&v, Want::DateTime, 0);
                    prop_assert_eq!(again.value.as_deref(), Some(v.as_str()));
                    prop_assert!(again.repairs.is_empty());
                }
                None => prop_assert!(raw.trim().is_empty() || !out.repairs.is_empty()),
            }
        }

        #[test]
        fn every_valid_date_time_round_trips(
            y in 1u32..=9999, mo in 1u32..=12, d in 1u32..=28,
            h in 0u32..=23, mi in 0u32..=59, s in 0u32..=59, off in -1439i32..=1439,
        ) {
            let raw = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{}", format_offset(off, false));
            let out = normalize_date(&raw, Want::DateTime, 0);
            prop_assert_eq!(out.value, Some(raw));
        }
    }
}
