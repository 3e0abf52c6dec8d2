//! Weekly opening hours: "09:00-20:00" per weekday, or closed.
//!
//! Used for dealership business hours, staff shifts and the recipient's legal contact hours. This
//! module only parses and answers "which minutes of this weekday are open"; turning that into instants
//! in a time zone is [`crate::window`]'s job.

use std::fmt;

use jiff::civil::Weekday;
use serde::{Deserialize, Serialize};

/// An open interval within one day, in minutes since local midnight: `start` inclusive, `end`
/// exclusive, `end` at most 1440 (24:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayHours {
    /// First open minute.
    pub start: u16,
    /// First closed minute after the opening (1440 = midnight at the end of the day).
    pub end: u16,
}

impl DayHours {
    /// Parses `HH:MM-HH:MM` (24-hour clock; `24:00` allowed as an end).
    pub fn parse(text: &str) -> Result<Self, HoursError> {
        let bad = || HoursError::Malformed(text.to_owned());
        let (a, b) = text.trim().split_once('-').ok_or_else(bad)?;
        let start = parse_hhmm(a).ok_or_else(bad)?;
        let end = parse_hhmm(b).ok_or_else(bad)?;
        if start >= end || start >= 1440 {
            return Err(HoursError::Empty(text.to_owned()));
        }
        Ok(Self { start, end })
    }

    /// Whether `minute` (since local midnight) is inside the interval.
    pub fn contains(&self, minute: u16) -> bool {
        self.start <= minute && minute < self.end
    }

    /// The intersection of two intervals, if they overlap.
    pub fn intersect(&self, other: &DayHours) -> Option<DayHours> {
        let start = self.start.max(other.start);
        let end = self.end.min(other.end);
        (start < end).then_some(DayHours { start, end })
    }
}

impl fmt::Display for DayHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.start / 60,
            self.start % 60,
            self.end / 60,
            self.end % 60
        )
    }
}

fn parse_hhmm(text: &str) -> Option<u16> {
    let (h, m) = text.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let h: u16 = h.parse().ok()?;
    let m: u16 = m.parse().ok()?;
    let total = h.checked_mul(60)?.checked_add(m)?;
    (m < 60 && total <= 1440).then_some(total)
}

/// Parses `HH:MM` into minutes since midnight (00:00 to 23:59).
pub fn parse_time_of_day(text: &str) -> Result<u16, HoursError> {
    match parse_hhmm(text) {
        Some(m) if m < 1440 => Ok(m),
        _ => Err(HoursError::Malformed(text.to_owned())),
    }
}

/// Why a piece of hours text was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HoursError {
    /// Not of the form `HH:MM-HH:MM` (or `HH:MM` for a time of day), or `closed`.
    #[error("`{0}` is not of the form HH:MM-HH:MM or `closed`")]
    Malformed(String),
    /// The interval opens at or after it closes.
    #[error("`{0}` opens at or after it closes")]
    Empty(String),
}

/// Open hours for each day of the week (Monday first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WeeklyHours {
    days: [Option<DayHours>; 7],
}

impl WeeklyHours {
    /// The same interval every day of the week.
    pub fn every_day(hours: DayHours) -> Self {
        Self {
            days: [Some(hours); 7],
        }
    }

    /// Open around the clock, every day.
    pub fn always() -> Self {
        Self::every_day(DayHours {
            start: 0,
            end: 1440,
        })
    }

    /// Builds hours from per-day text keyed by `mon`..`sun` (missing days are closed). Each value is
    /// `HH:MM-HH:MM` or `closed`.
    pub fn from_days<'a>(
        entries: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, (String, HoursError)> {
        let mut days = [None; 7];
        for (day, text) in entries {
            let index = day_index(day)
                .ok_or_else(|| (day.to_owned(), HoursError::Malformed(day.to_owned())))?;
            days[index] = if text.trim().eq_ignore_ascii_case("closed") {
                None
            } else {
                Some(DayHours::parse(text).map_err(|e| (day.to_owned(), e))?)
            };
        }
        Ok(Self { days })
    }

    /// The hours on `weekday`, if open that day.
    pub fn on(&self, weekday: Weekday) -> Option<DayHours> {
        self.days[weekday.to_monday_zero_offset() as usize]
    }

    /// Whether any day has open hours.
    pub fn is_ever_open(&self) -> bool {
        self.days.iter().any(Option::is_some)
    }
}

/// The index (Monday = 0) of a day key such as `mon`, `Tuesday` or `WED`.
pub fn day_index(day: &str) -> Option<usize> {
    let d = day.trim().to_ascii_lowercase();
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .position(|k| d.starts_with(k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("09:00-20:00", 540, 1200)]
    #[case("8:30-17:15", 510, 1035)]
    #[case("00:00-24:00", 0, 1440)]
    fn hours_parse(#[case] text: &str, #[case] start: u16, #[case] end: u16) {
        assert_eq!(DayHours::parse(text).unwrap(), DayHours { start, end });
    }

    #[rstest]
    #[case("9-5")]
    #[case("09:00")]
    #[case("20:00-09:00")]
    #[case("09:60-10:00")]
    #[case("25:00-26:00")]
    fn bad_hours_are_refused(#[case] text: &str) {
        assert!(DayHours::parse(text).is_err());
    }

    #[test]
    fn missing_days_are_closed() {
        let week = WeeklyHours::from_days([("mon", "09:00-17:00"), ("sat", "closed")]).unwrap();
        assert!(week.on(Weekday::Monday).is_some());
        assert!(week.on(Weekday::Saturday).is_none());
        assert!(week.on(Weekday::Sunday).is_none());
    }
}
