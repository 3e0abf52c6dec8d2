//! Dates as lead providers write them → RFC 3339.
//!
//! Owns date reading and repair, for ADF and for the other intake formats
//! (through [`read_written_date`]). Accepted, in this order:
//! - ISO 8601 and its common slips: one-digit months, days and hours, a
//!   space instead of `T`, `/` separators, offsets written `-0500`, `-05`
//!   or `UTC`, no offset at all;
//! - RFC 2822, as e-mail headers write dates (`Thu, 19 Feb 2026 11:20:45
//!   -0800`, obsolete zone names such as `EST` included; a weekday that does
//!   not match the date is ignored), read by `jiff`;
//! - US order, as US web forms and exports write dates: `MM/DD/YYYY` or
//!   `M-D-YY`, or `February 19, 2026`, optionally after a weekday, with an
//!   optional 12- or 24-hour time (`01:15:22 PM`, `13:15`, `1:15pm`, after
//!   `at` or not) and an optional offset or US zone abbreviation (`EST`);
//!   also an ISO date followed by such a time (`2026-02-13 01:15 PM EST`)
//!   and JavaScript's `Thu Feb 19 2026 11:20:45 GMT-0800 (Pacific Standard
//!   Time)`.
//!
//! A time without an offset is read in the configured zone (the
//! dealership's) and reported. Day-first dates are never guessed:
//! `13/02/2026` stays unread and is reported. Pure functions, no clock.

use jiff::civil::{Date, DateTime};
use jiff::fmt::strtime::BrokenDownTime;
use jiff::tz::TimeZone;
use jiff::Timestamp;

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

/// Normalizes `raw`, reading a time without an offset in `zone`.
pub(crate) fn normalize_date(raw: &str, want: Want, zone: &TimeZone) -> DateOutcome {
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
            let assumed = format_offset(offset_in_zone(&parsed, zone), false);
            let what = if parsed.time.is_some() {
                "date-time"
            } else {
                "date without time read as midnight,"
            };
            let zone_name = zone
                .iana_name()
                .map(|name| format!(" ({name}, the dealership's zone)"))
                .unwrap_or_default();
            repairs.push((
                WarningCode::DateOffsetAssumed,
                format!("{what} {raw:?} has no UTC offset; assumed {assumed}{zone_name}"),
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
    parse_iso(raw)
        .or_else(|| parse_rfc2822(raw))
        .or_else(|| parse_us(raw))
}

/// A date as a lead provider or an export wrote it, read by the same rules
/// as ADF dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WrittenDate {
    /// A date and time with a UTC offset (or `Z`, or a zone abbreviation):
    /// an exact instant.
    Instant(Timestamp),
    /// A date and time without an offset: a wall-clock time, to be read in
    /// the dealership's zone.
    Local(DateTime),
    /// A date without a time.
    Day(Date),
}

/// Reads a date in any of the forms the module accepts (ISO 8601 and its
/// slips, RFC 2822, US order with a 12- or 24-hour time); `None` when it is
/// none of them or names a day that does not exist.
pub fn read_written_date(raw: &str) -> Option<WrittenDate> {
    let parsed = parse(raw.trim())?;
    let (y, mo, d) = parsed.date;
    let date = Date::new(
        i16::try_from(y).ok()?,
        i8::try_from(mo).ok()?,
        i8::try_from(d).ok()?,
    )
    .ok()?;
    let Some((h, mi, s, frac)) = &parsed.time else {
        return Some(WrittenDate::Day(date));
    };
    let nanos = frac_nanos(frac)?;
    let dt = date.at(
        i8::try_from(*h).ok()?,
        i8::try_from(*mi).ok()?,
        // A leap second is read as the second before it.
        i8::try_from((*s).min(59)).ok()?,
        nanos,
    );
    let minutes = match parsed.offset {
        None => return Some(WrittenDate::Local(dt)),
        Some(Offset::Utc) => 0,
        Some(Offset::Minutes(m, _)) => m,
    };
    let offset = jiff::tz::Offset::from_seconds(minutes.checked_mul(60)?).ok()?;
    offset.to_timestamp(dt).ok().map(WrittenDate::Instant)
}

/// Nanoseconds of a `.123` fraction.
fn frac_nanos(frac: &str) -> Option<i32> {
    let digits = frac.strip_prefix('.').unwrap_or("");
    if digits.is_empty() {
        return Some(0);
    }
    let padded: String = digits.chars().chain("000000000".chars()).take(9).collect();
    padded.parse().ok()
}

/// The offset, in minutes, that `zone` has at the parsed wall-clock time
/// (midnight when there is no time); UTC's when the date is out of range.
fn offset_in_zone(parsed: &Parsed, zone: &TimeZone) -> i32 {
    let (y, mo, d) = parsed.date;
    let (h, mi, s) = parsed
        .time
        .as_ref()
        .map_or((0, 0, 0), |(h, mi, s, _)| (*h, *mi, (*s).min(59)));
    let civil = (|| {
        DateTime::new(
            i16::try_from(y).ok()?,
            i8::try_from(mo).ok()?,
            i8::try_from(d).ok()?,
            i8::try_from(h).ok()?,
            i8::try_from(mi).ok()?,
            i8::try_from(s).ok()?,
            0,
        )
        .ok()
    })();
    civil
        .and_then(|dt| zone.to_ambiguous_zoned_datetime(dt).compatible().ok())
        .map_or(0, |zoned| zoned.offset().seconds() / 60)
}

/// RFC 2822 (`Thu, 19 Feb 2026 11:20:45 -0800`), through `jiff`. A
/// weekday that does not match the date is dropped and the date read
/// without it: the date is what the sender meant.
fn parse_rfc2822(raw: &str) -> Option<Parsed> {
    static PARSER: jiff::fmt::rfc2822::DateTimeParser = jiff::fmt::rfc2822::DateTimeParser::new();
    let zoned = PARSER.parse_zoned_datetime(raw).ok().or_else(|| {
        let (_, rest) = raw.split_once(',')?;
        PARSER.parse_zoned_datetime(rest.trim()).ok()
    })?;
    let dt = zoned.datetime();
    Some(Parsed {
        date: civil_date(dt.date())?,
        time: Some((
            u32::try_from(dt.hour()).ok()?,
            u32::try_from(dt.minute()).ok()?,
            u32::try_from(dt.second()).ok()?,
            String::new(),
        )),
        offset: Some(Offset::Minutes(zoned.offset().seconds() / 60, false)),
        strict: false,
    })
}

fn civil_date(date: Date) -> Option<(u32, u32, u32)> {
    Some((
        u32::try_from(date.year()).ok()?,
        u32::try_from(date.month()).ok()?,
        u32::try_from(date.day()).ok()?,
    ))
}

const WEEKDAYS: &[&str] = &[
    "mon",
    "monday",
    "tue",
    "tues",
    "tuesday",
    "wed",
    "wednesday",
    "thu",
    "thur",
    "thurs",
    "thursday",
    "fri",
    "friday",
    "sat",
    "saturday",
    "sun",
    "sunday",
];

/// US zone abbreviations and their UTC offsets in minutes.
const US_ZONES: &[(&str, i32)] = &[
    ("est", -300),
    ("edt", -240),
    ("cst", -360),
    ("cdt", -300),
    ("mst", -420),
    ("mdt", -360),
    ("pst", -480),
    ("pdt", -420),
    ("akst", -540),
    ("akdt", -480),
    ("hst", -600),
];

/// US order: `02/13/2026 01:15:22 PM`, `2-13-26 13:15`, `February 13, 2026
/// at 1:15 pm EST`, `Fri, 02/13/2026`. Dates and times are read by `jiff`'s
/// `strptime`; this function only cuts the text into its parts.
fn parse_us(raw: &str) -> Option<Parsed> {
    let mut lower = raw.trim().to_ascii_lowercase();
    // A trailing zone name in parentheses, as JavaScript writes dates
    // (`… GMT-0800 (Pacific Standard Time)`), says nothing the offset does not.
    if lower.ends_with(')') {
        if let Some(open) = lower.rfind(" (") {
            lower.truncate(open);
        }
    }
    let mut tokens: Vec<&str> = lower.split_whitespace().collect();
    if tokens
        .first()
        .is_some_and(|t| WEEKDAYS.contains(&t.trim_end_matches([',', '.'])))
    {
        tokens.remove(0);
    }
    let first = tokens.first().copied().unwrap_or_default();
    let (date, used) = match us_numeric_date(first).or_else(|| iso_date(first)) {
        Some(date) => (date, 1),
        None => (month_name_date(tokens.get(..3)?)?, 3),
    };
    let mut rest = tokens.get(used..)?.iter().copied().peekable();
    if rest
        .peek()
        .is_some_and(|t| matches!(*t, "at" | "@" | "-" | ","))
    {
        rest.next();
    }
    let mut time = None;
    let mut offset = None;
    if let Some(clock) = rest.next() {
        let mut clock = clock.trim_end_matches(',').to_owned();
        if let Some(meridiem) = rest.peek().map(|t| t.replace('.', "")) {
            if meridiem == "am" || meridiem == "pm" {
                clock.push_str(&meridiem);
                rest.next();
            }
        }
        time = Some(us_time(&clock)?);
        if let Some(zone) = rest.next() {
            offset = Some(us_offset(zone)?);
        }
    }
    if rest.next().is_some() {
        return None;
    }
    Some(Parsed {
        date: civil_date(date)?,
        time,
        offset,
        strict: false,
    })
}

/// `MM/DD/YYYY`, `M/D/YY`, or the same with `-`: month first, always.
fn us_numeric_date(token: &str) -> Option<Date> {
    let sep = if token.contains('/') { '/' } else { '-' };
    let parts: Vec<&str> = token.trim_end_matches(',').split(sep).collect();
    let [m, d, y] = parts.as_slice() else {
        return None;
    };
    let short = |s: &str| (1..=2).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    let year_format = match y.len() {
        4 => "%Y",
        2 => "%y",
        _ => return None,
    };
    if !short(m) || !short(d) || !y.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    BrokenDownTime::parse(format!("%m/%d/{year_format}"), format!("{m}/{d}/{y}"))
        .ok()?
        .to_date()
        .ok()
}

/// `2026-02-13` or `2026/02/13`, for an ISO date followed by what ISO does
/// not write (`2026-02-13 01:15 PM`, `2026-02-13 13:15:22 EST`).
fn iso_date(token: &str) -> Option<Date> {
    let token = token.trim_end_matches(',');
    let sep = if token.contains('/') { "/" } else { "-" };
    if token.split(sep).next().map(str::len) != Some(4) {
        return None;
    }
    BrokenDownTime::parse(format!("%Y{sep}%m{sep}%d"), token)
        .ok()?
        .to_date()
        .ok()
}

/// `February 13, 2026` or `Feb 13 2026`.
fn month_name_date(tokens: &[&str]) -> Option<Date> {
    let [month, day, year] = tokens else {
        return None;
    };
    let day = day.trim_end_matches(',');
    let year = year.trim_end_matches(',');
    if year.len() != 4 || !month.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let text = format!("{month} {day} {year}");
    ["%B %d %Y", "%b %d %Y"]
        .iter()
        .find_map(|f| BrokenDownTime::parse(f, &text).ok()?.to_date().ok())
}

/// `13:15`, `13:15:22`, `13:15:22.250`, `1:15pm`, `01:15:22pm`.
fn us_time(clock: &str) -> Option<(u32, u32, u32, String)> {
    let formats: &[&str] = if clock.ends_with("am") || clock.ends_with("pm") {
        &["%I:%M:%S%.f%p", "%I:%M%p"]
    } else {
        &["%H:%M:%S%.f", "%H:%M"]
    };
    let tm = formats
        .iter()
        .find_map(|f| BrokenDownTime::parse(f, clock).ok())?
        .to_time()
        .ok()?;
    let nanos = tm.subsec_nanosecond();
    let frac = if nanos == 0 {
        String::new()
    } else {
        format!(".{nanos:09}").trim_end_matches('0').to_owned()
    };
    Some((
        u32::try_from(tm.hour()).ok()?,
        u32::try_from(tm.minute()).ok()?,
        u32::try_from(tm.second()).ok()?,
        frac,
    ))
}

/// An offset after a US-order time: a US zone abbreviation, `UTC`, `GMT`,
/// `Z`, or a numeric offset.
fn us_offset(zone: &str) -> Option<Offset> {
    if let Some((_, minutes)) = US_ZONES.iter().find(|(name, _)| *name == zone) {
        return Some(Offset::Minutes(*minutes, false));
    }
    let upper = zone.to_ascii_uppercase();
    let numeric = ["GMT", "UTC"]
        .iter()
        .find_map(|prefix| {
            upper
                .strip_prefix(prefix)
                .filter(|rest| rest.starts_with(['+', '-']))
        })
        .unwrap_or(&upper);
    parse_offset(numeric, &mut false).flatten()
}

/// ISO 8601 and its common slips.
fn parse_iso(raw: &str) -> Option<Parsed> {
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
    #[case::us_order("03/05/2024", Some("2024-03-05T00:00:00+00:00"), &[N, A])]
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
        let out = normalize_date(raw, Want::DateTime, &TimeZone::UTC);
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
        let out = normalize_date(raw, Want::DateOrDateTime, &TimeZone::UTC);
        assert_eq!(out.value.as_deref(), value);
        let got: Vec<_> = out.repairs.iter().map(|(c, _)| *c).collect();
        assert_eq!(got, codes);
    }

    #[test]
    fn the_configured_default_offset_is_used_when_none_is_given() {
        let zone = TimeZone::fixed(jiff::tz::offset(-5));
        let out = normalize_date("2024-03-05T09:05:00", Want::DateTime, &zone);
        assert_eq!(out.value.as_deref(), Some("2024-03-05T09:05:00-05:00"));
    }

    #[rstest]
    #[case::winter("2026-02-13T13:15:22", "2026-02-13T13:15:22-05:00")]
    #[case::summer("2026-07-13T13:15:22", "2026-07-13T13:15:22-04:00")]
    #[case::us_twelve_hour("02/13/2026 01:15:22 PM", "2026-02-13T13:15:22-05:00")]
    #[case::date_only("02/13/2026", "2026-02-13T00:00:00-05:00")]
    fn a_time_without_offset_is_read_in_the_dealerships_zone(
        #[case] raw: &str,
        #[case] expected: &str,
    ) {
        let zone = TimeZone::get("America/New_York").unwrap();
        let out = normalize_date(raw, Want::DateTime, &zone);
        assert_eq!(out.value.as_deref(), Some(expected));
        let assumed = out
            .repairs
            .iter()
            .find(|(c, _)| *c == A)
            .map(|(_, m)| m.as_str())
            .unwrap_or_default();
        assert!(assumed.contains("America/New_York"), "{assumed}");
    }

    #[rstest]
    #[case::rfc2822("Thu, 19 Feb 2026 11:20:45 -0800", "2026-02-19T11:20:45-08:00", &[N])]
    #[case::rfc2822_no_weekday("19 Feb 2026 11:20 EST", "2026-02-19T11:20:00-05:00", &[N])]
    #[case::rfc2822_comment("Thu, 19 Feb 2026 11:20:45 -0800 (PST)", "2026-02-19T11:20:45-08:00", &[N])]
    #[case::rfc2822_wrong_weekday("Wed, 19 Feb 2026 11:20:45 -0800", "2026-02-19T11:20:45-08:00", &[N])]
    #[case::us_twelve_hour("02/13/2026 01:15:22 PM", "2026-02-13T13:15:22+00:00", &[N, A])]
    #[case::us_midnight("2/13/2026 12:05 AM", "2026-02-13T00:05:00+00:00", &[N, A])]
    #[case::us_glued_meridiem("2/13/2026 1:15pm", "2026-02-13T13:15:00+00:00", &[N, A])]
    #[case::us_dotted_meridiem("2/13/2026 1:15 p.m.", "2026-02-13T13:15:00+00:00", &[N, A])]
    #[case::us_twenty_four_hour("02/13/2026 13:15", "2026-02-13T13:15:00+00:00", &[N, A])]
    #[case::us_seconds_fraction("02/13/2026 13:15:22.250", "2026-02-13T13:15:22.25+00:00", &[N, A])]
    #[case::us_dashes_short_year("2-13-26 13:15", "2026-02-13T13:15:00+00:00", &[N, A])]
    #[case::us_zone_abbreviation("02/13/2026 01:15 PM CST", "2026-02-13T13:15:00-06:00", &[N])]
    #[case::us_numeric_offset("02/13/2026 13:15 -0600", "2026-02-13T13:15:00-06:00", &[N])]
    #[case::us_weekday("Fri, 02/13/2026 1:15 PM", "2026-02-13T13:15:00+00:00", &[N, A])]
    #[case::month_name("February 13, 2026 at 1:15 PM EST", "2026-02-13T13:15:00-05:00", &[N])]
    #[case::short_month_name("Feb 13, 2026", "2026-02-13T00:00:00+00:00", &[N, A])]
    #[case::iso_date_twelve_hour("2026-02-13 01:15:22 PM", "2026-02-13T13:15:22+00:00", &[N, A])]
    #[case::iso_date_zone_abbreviation("2026-02-13 13:15:22 EST", "2026-02-13T13:15:22-05:00", &[N])]
    #[case::javascript(
        "Thu Feb 19 2026 11:20:45 GMT-0800 (Pacific Standard Time)",
        "2026-02-19T11:20:45-08:00",
        &[N]
    )]
    fn provider_dates_are_read(
        #[case] raw: &str,
        #[case] value: &str,
        #[case] codes: &[WarningCode],
    ) {
        let out = normalize_date(raw, Want::DateTime, &TimeZone::UTC);
        assert_eq!(out.value.as_deref(), Some(value), "{:?}", out.repairs);
        let got: Vec<_> = out.repairs.iter().map(|(c, _)| *c).collect();
        assert_eq!(got, codes);
    }

    #[rstest]
    #[case::day_first("13/02/2026")]
    #[case::impossible_day("02/30/2026 1:15 PM")]
    #[case::thirteen_pm("02/13/2026 13:15 PM")]
    #[case::three_digit_year("02/13/202")]
    #[case::trailing_words("02/13/2026 1:15 PM please call")]
    #[case::unknown_zone("02/13/2026 1:15 PM XYZ")]
    fn dates_nobody_can_be_sure_of_are_reported(#[case] raw: &str) {
        let out = normalize_date(raw, Want::DateTime, &TimeZone::UTC);
        assert_eq!(out.value, None);
        assert_eq!(out.repairs[0].0, I);
    }

    #[rstest]
    #[case("2026-02-13T13:15:22-05:00", WrittenDate::Instant("2026-02-13T18:15:22Z".parse().unwrap()))]
    #[case("Thu, 19 Feb 2026 11:20:45 -0800", WrittenDate::Instant("2026-02-19T19:20:45Z".parse().unwrap()))]
    #[case("02/13/2026 01:15:22 PM", WrittenDate::Local(jiff::civil::date(2026, 2, 13).at(13, 15, 22, 0)))]
    #[case("3/5/24", WrittenDate::Day(jiff::civil::date(2024, 3, 5)))]
    fn written_dates_keep_what_they_say(#[case] raw: &str, #[case] expected: WrittenDate) {
        assert_eq!(read_written_date(raw), Some(expected));
    }

    proptest! {
        #[test]
        fn any_text_either_normalizes_to_strict_form_or_is_reported(raw in "\\PC{0,40}") {
            let out = normalize_date(&raw, Want::DateTime, &TimeZone::UTC);
            match out.value {
                Some(v) => {
                    let again = normalize_date(&v, Want::DateTime, &TimeZone::UTC);
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
            let out = normalize_date(&raw, Want::DateTime, &TimeZone::UTC);
            prop_assert_eq!(out.value, Some(raw));
        }
    }
}
