//! Dates as CRM and DMS exports write them, read into timestamps.
//!
//! Accepted: every form `keepwarm_adf::read_written_date` reads — RFC 3339 (`2024-03-05T14:30:00-06:00`,
//! `…Z`) and its slips (`2024-03-05 14:30`, `2024/03/05`); RFC 2822 (`Tue, 05 Mar 2024 14:30:00
//! -0600`); US `MM/DD/YYYY`, `M/D/YYYY`, `M/D/YY` and the same with `-`, or `March 5, 2024`, each
//! optionally followed by a 12- or 24-hour time (`14:30`, `14:30:05.123`, `2:30 PM`) and a zone
//! abbreviation (`CST`). The same reader serves ADF and e-mails, so a date reads the same in every
//! door.
//!
//! The rule for what the export does not say:
//! - **A time without an offset is in the dealership's zone**, with a warning (the zone is given
//!   to [`parse_date`]; an import that does not set one reads UTC).
//! - **A date without a time is noon** in that zone, so the date shown back to staff is the one in
//!   the file.
//! - **Two-digit years** `00`–`68` are 2000–2068 and `69`–`99` are 1969–1999 (the POSIX pivot).
//! - Day-first dates (`13/01/2024`) are refused, not guessed.

use jiff::civil::{DateTime, Time};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use keepwarm_adf::{read_written_date, WrittenDate};

/// A date cell read into an instant, and whether its zone was assumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ReadDate {
    /// The instant.
    pub at: Timestamp,
    /// Whether the cell had no offset, so that it was read in the dealership's zone.
    pub zone_assumed: bool,
}

/// Reads one date cell, reading a time without offset in `zone`; the error says what was expected.
pub(crate) fn parse_date(raw: &str, zone: &TimeZone) -> Result<ReadDate, String> {
    match parse_written(raw)? {
        WrittenTime::Instant(at) => Ok(ReadDate {
            at,
            zone_assumed: false,
        }),
        WrittenTime::Local(dt) => zone
            .to_ambiguous_timestamp(dt)
            .compatible()
            .map(|at| ReadDate {
                at,
                zone_assumed: true,
            })
            .map_err(|e| format!("out of range ({e})")),
    }
}

/// A date as a spreadsheet cell gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WrittenTime {
    /// With a zone or offset (RFC 3339, RFC 2822, `… CST`): an instant.
    Instant(Timestamp),
    /// Without one: a local date and time (noon when only a date is given), to be read in the
    /// dealership's zone.
    Local(DateTime),
}

/// Reads a date cell in any of the forms listed in the module documentation.
pub fn parse_written(raw: &str) -> Result<WrittenTime, String> {
    match read_written_date(raw.trim()) {
        Some(WrittenDate::Instant(at)) => Ok(WrittenTime::Instant(at)),
        Some(WrittenDate::Local(dt)) => Ok(WrittenTime::Local(dt)),
        Some(WrittenDate::Day(day)) => Ok(WrittenTime::Local(day.to_datetime(Time::constant(
            12, 0, 0, 0,
        )))),
        None => Err(
            "not a date (expected MM/DD/YYYY, YYYY-MM-DD or an e-mail date, optionally with a time)"
                .to_owned(),
        ),
    }
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
            parse_date(raw, &TimeZone::UTC).map(|t| t.at.to_string()),
            Ok(expected.to_owned())
        );
    }

    #[rstest]
    #[case("02/13/2026 01:15:22 PM", "2026-02-13T18:15:22Z", true)]
    #[case("2026-02-13 13:15", "2026-02-13T18:15:00Z", true)]
    #[case("02/13/2026", "2026-02-13T17:00:00Z", true)]
    #[case("2026-07-13T13:15:00", "2026-07-13T17:15:00Z", true)]
    #[case("Fri, 13 Feb 2026 13:15:00 -0800", "2026-02-13T21:15:00Z", false)]
    #[case("02/13/2026 1:15 PM CST", "2026-02-13T19:15:00Z", false)]
    fn a_time_without_offset_is_in_the_dealerships_zone(
        #[case] raw: &str,
        #[case] expected: &str,
        #[case] assumed: bool,
    ) {
        let zone = TimeZone::get("America/New_York").unwrap();
        let read = parse_date(raw, &zone).unwrap();
        assert_eq!(read.at.to_string(), expected);
        assert_eq!(read.zone_assumed, assumed);
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
        assert!(
            parse_date(raw, &TimeZone::UTC).is_err(),
            "{raw} was accepted"
        );
    }
}
