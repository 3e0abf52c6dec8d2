//! Dates as CRM and DMS exports write them, read into timestamps.
//!
//! Accepted: RFC 3339 (`2024-03-05T14:30:00-06:00`, `…Z`); `YYYY-MM-DD` and `YYYY/MM/DD`;
//! US `MM/DD/YYYY`, `M/D/YYYY`, `M/D/YY` and the same with `-`; each optionally followed by a time
//! (`14:30`, `14:30:05`, `14:30:05.123`, `2:30 PM`, after a space or `T`).
//!
//! The rule for what the export does not say:
//! - **A date without a time is noon UTC** of that day. Noon UTC is the same calendar day in every
//!   US time zone (06:00 in Hawaii, 08:00 in New York), so the date shown back to staff is the one
//!   in the file.
//! - **A time without an offset is UTC.** The import does not know the dealership's zone; for
//!   aged-lead and last-service dates an error of a few hours does not matter.
//! - **Two-digit years** `00`–`68` are 2000–2068 and `69`–`99` are 1969–1999 (the POSIX pivot).

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// Reads one date cell; the error says what was expected.
pub(crate) fn parse_date(raw: &str) -> Result<Timestamp, String> {
    match parse_written(raw)? {
        WrittenTime::Instant(ts) => Ok(ts),
        WrittenTime::Local(dt) => TimeZone::UTC
            .to_timestamp(dt)
            .map_err(|e| format!("out of range ({e})")),
    }
}

/// A date as a spreadsheet cell gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WrittenTime {
    /// With a zone or offset (RFC 3339): an instant.
    Instant(Timestamp),
    /// Without one: a local date and time (noon when only a date is given), to be read in the
    /// dealership's zone.
    Local(DateTime),
}

/// Reads a date cell: RFC 3339, or `MM/DD/YYYY` / `YYYY-MM-DD` with an optional time.
pub fn parse_written(raw: &str) -> Result<WrittenTime, String> {
    let text = raw.trim();
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Ok(WrittenTime::Instant(ts));
    }
    let (date_part, time_part) = match text.find(['T', ' ']) {
        Some(i) => (
            text.get(..i).unwrap_or_default(),
            text.get(i + 1..).unwrap_or_default().trim(),
        ),
        None => (text, ""),
    };
    let (year, month, day) = parse_civil_date(date_part).ok_or_else(expected)?;
    let (hour, minute, second, nanos) = if time_part.is_empty() {
        (12, 0, 0, 0)
    } else {
        parse_time(time_part).ok_or_else(expected)?
    };
    DateTime::new(year, month, day, hour, minute, second, nanos)
        .map(WrittenTime::Local)
        .map_err(|e| format!("not a real date or time ({e})"))
}

fn expected() -> String {
    "not a date (expected MM/DD/YYYY or YYYY-MM-DD, optionally with a time)".to_owned()
}

fn parse_civil_date(text: &str) -> Option<(i16, i8, i8)> {
    let sep = if text.contains('/') { '/' } else { '-' };
    let parts: Vec<&str> = text.split(sep).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let num = |s: &str| -> Option<i32> {
        (!s.is_empty() && s.len() <= 4 && s.chars().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (year, month, day) = if a.len() == 4 {
        (num(a)?, num(b)?, num(c)?)
    } else {
        let year = match c.len() {
            4 => num(c)?,
            2 => {
                let yy = num(c)?;
                if yy <= 68 {
                    2000 + yy
                } else {
                    1900 + yy
                }
            }
            _ => return None,
        };
        (year, num(a)?, num(b)?)
    };
    Some((
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    ))
}

fn parse_time(text: &str) -> Option<(i8, i8, i8, i32)> {
    let lower = text.to_ascii_lowercase();
    let (clock, meridiem) = if let Some(t) = lower.strip_suffix("pm") {
        (t.trim(), Some(true))
    } else if let Some(t) = lower.strip_suffix("am") {
        (t.trim(), Some(false))
    } else {
        (lower.trim().trim_end_matches('z'), None)
    };
    let mut parts = clock.split(':');
    let hour: i8 = parts.next()?.trim().parse().ok()?;
    let minute: i8 = parts.next()?.trim().parse().ok()?;
    let (second, nanos) = match parts.next() {
        None => (0, 0),
        Some(sec) => {
            let (whole, frac) = sec.split_once('.').unwrap_or((sec, ""));
            let nanos = if frac.is_empty() {
                0
            } else {
                let digits: String = frac.chars().take(9).collect();
                let scale = 10_i32.pow(9 - u32::try_from(digits.len()).ok()?);
                digits.parse::<i32>().ok()?.checked_mul(scale)?
            };
            (whole.parse().ok()?, nanos)
        }
    };
    if parts.next().is_some() {
        return None;
    }
    let hour = match meridiem {
        Some(pm) if (1..=12).contains(&hour) => (hour % 12) + if pm { 12 } else { 0 },
        Some(_) => return None,
        None => hour,
    };
    Some((hour, minute, second, nanos))
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case("03/05/2024", "2024-03-05T12:00:00Z")]
    #[case("3/5/24", "2024-03-05T12:00:00Z")]
    #[case("12/31/99", "1999-12-31T12:00:00Z")]
    #[case("2024-03-05", "2024-03-05T12:00:00Z")]
    #[case("2024/03/05", "2024-03-05T12:00:00Z")]
    #[case("03-05-2024", "2024-03-05T12:00:00Z")]
    #[case("3/5/2024 14:30", "2024-03-05T14:30:00Z")]
    #[case("3/5/2024 2:30 PM", "2024-03-05T14:30:00Z")]
    #[case("3/5/2024 12:05 AM", "2024-03-05T00:05:00Z")]
    #[case("2024-03-05 14:30:05.250", "2024-03-05T14:30:05.25Z")]
    #[case("2024-03-05T14:30:05", "2024-03-05T14:30:05Z")]
    #[case("2024-03-05T14:30:05-06:00", "2024-03-05T20:30:05Z")]
    #[case(" 2024-03-05T20:30:05Z ", "2024-03-05T20:30:05Z")]
    fn common_export_dates_are_read(#[case] raw: &str, #[case] expected: &str) {
        assert_eq!(
            parse_date(raw).map(|t| t.to_string()),
            Ok(expected.to_owned())
        );
    }

    #[rstest]
    #[case("02/30/2024")]
    #[case("13/01/2024")]
    #[case("yesterday")]
    #[case("45352")]
    #[case("3/5/2024 25:00")]
    #[case("3/5/2024 13:00 PM")]
    #[case("")]
    fn impossible_or_unknown_dates_are_refused(#[case] raw: &str) {
        assert!(parse_date(raw).is_err(), "{raw} was accepted");
    }
}
