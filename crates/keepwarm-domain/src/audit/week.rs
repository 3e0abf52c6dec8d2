//! ISO weeks (`2026-W47`) and their bounds in a dealership's time zone: Monday 00:00 local to the
//! next Monday 00:00 local, so a week across a DST change is 167 or 169 hours long.

use std::fmt;
use std::str::FromStr;

use jiff::civil::{ISOWeekDate, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// An ISO 8601 week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoWeek {
    year: i16,
    week: i8,
}

impl IsoWeek {
    /// The week with this ISO year and number, if it exists (week 53 only in long years).
    pub fn new(year: i16, week: i8) -> Option<Self> {
        ISOWeekDate::new(year, week, Weekday::Monday)
            .ok()
            .map(|_| Self { year, week })
    }

    /// The ISO week an instant falls in, in `zone`.
    pub fn containing(at: Timestamp, zone: &TimeZone) -> Self {
        let d = at.to_zoned_datetime(zone.clone()).date().iso_week_date();
        Self {
            year: d.year(),
            week: d.week(),
        }
    }

    /// The ISO year.
    pub fn year(self) -> i16 {
        self.year
    }

    /// The week number, 1 to 53.
    pub fn week(self) -> i8 {
        self.week
    }

    /// Its Monday.
    pub fn monday(self) -> jiff::civil::Date {
        ISOWeekDate::new(self.year, self.week, Weekday::Monday)
            .map(|d| d.date())
            .unwrap_or_default()
    }

    /// `[Monday 00:00, next Monday 00:00)` in `zone`.
    pub fn bounds(self, zone: &TimeZone) -> (Timestamp, Timestamp) {
        let start = self.monday();
        let end = start.saturating_add(7.days());
        let at = |d: jiff::civil::Date| {
            d.to_zoned_datetime(zone.clone())
                .map(|z| z.timestamp())
                .unwrap_or(Timestamp::UNIX_EPOCH)
        };
        (at(start), at(end))
    }

    /// The week `n` weeks before this one.
    pub fn minus(self, n: i64) -> Self {
        let d = self.monday().saturating_sub((7 * n).days()).iso_week_date();
        Self {
            year: d.year(),
            week: d.week(),
        }
    }

    /// The seed a sample uses when none is given: `year * 100 + week` (202647 for 2026-W47).
    pub fn default_seed(self) -> u64 {
        u64::try_from(i64::from(self.year) * 100 + i64::from(self.week)).unwrap_or(0)
    }
}

impl fmt::Display for IsoWeek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-W{:02}", self.year, self.week)
    }
}

impl FromStr for IsoWeek {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{s}` is not an ISO week like 2026-W47");
        let (year, week) = s.trim().split_once(['W', 'w']).ok_or_else(bad)?;
        let year: i16 = year
            .strip_suffix('-')
            .unwrap_or(year)
            .parse()
            .map_err(|_| bad())?;
        let week: i8 = week.parse().map_err(|_| bad())?;
        if !(1900..=2200).contains(&year) {
            return Err(format!("`{s}`: year {year} is outside 1900..=2200"));
        }
        Self::new(year, week).ok_or_else(|| format!("`{s}`: {year} has no week {week}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_parse_and_print_in_iso_form() {
        let w: IsoWeek = "2026-W47".parse().unwrap();
        assert_eq!((w.year(), w.week()), (2026, 47));
        assert_eq!(w.to_string(), "2026-W47");
        assert_eq!(w.monday().to_string(), "2026-11-16");
        assert_eq!(w.minus(47).to_string(), "2025-W52");
        assert_eq!(w.default_seed(), 202_647);
    }

    #[test]
    fn weeks_that_do_not_exist_are_refused_with_the_reason() {
        assert!("2026-W54"
            .parse::<IsoWeek>()
            .unwrap_err()
            .contains("no week 54"));
        assert!("2027-W53".parse::<IsoWeek>().is_err(), "2027 has 52 weeks");
        assert!("2026-W53".parse::<IsoWeek>().is_ok(), "2026 has 53");
        assert!("last week".parse::<IsoWeek>().is_err());
        assert!("2026-W0".parse::<IsoWeek>().is_err());
    }

    #[test]
    fn a_week_runs_from_monday_midnight_local_and_follows_daylight_saving() {
        let chicago = TimeZone::get("America/Chicago").unwrap();
        let (start, end) = "2026-W45".parse::<IsoWeek>().unwrap().bounds(&chicago);
        assert_eq!(start.to_string(), "2026-11-02T06:00:00Z");
        assert_eq!(end.to_string(), "2026-11-09T06:00:00Z");
        // The week of the fall-back change (Sunday 2026-11-01) is 169 hours long.
        let (s, e) = "2026-W44".parse::<IsoWeek>().unwrap().bounds(&chicago);
        assert_eq!(e.duration_since(s).as_hours(), 169);
        assert_eq!(
            IsoWeek::containing("2026-11-02T05:59:00Z".parse().unwrap(), &chicago).to_string(),
            "2026-W44"
        );
    }
}
