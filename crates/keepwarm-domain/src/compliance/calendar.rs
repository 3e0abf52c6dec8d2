//! Holiday calendars as rules, not lists of dates: `12-25` (a fixed date, observed on the Friday
//! before when it falls on a Saturday and the Monday after when on a Sunday) or `nov/thu/4` (the
//! fourth Thursday of November; `last` for the last one). A calendar answers for any year, so no
//! table of dates runs out.

use jiff::civil::{Date, Weekday};
use jiff::ToSpan;

/// One holiday rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    /// The same month and day every year, with its observed weekday.
    Fixed { month: i8, day: i8 },
    /// The `nth` (1–5, or -1 for the last) `weekday` of `month`.
    Nth {
        month: i8,
        weekday: Weekday,
        nth: i8,
    },
}

/// A set of holiday rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    entries: Vec<Entry>,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

impl Calendar {
    /// Parses `MM-DD` and `month/weekday/nth` entries.
    pub fn parse(entries: &[String]) -> Result<Self, String> {
        let entries = entries
            .iter()
            .map(|e| {
                parse_entry(e).ok_or_else(|| format!("`{e}` is not MM-DD or month/weekday/nth"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { entries })
    }

    /// Whether `date` is a (observed) holiday.
    pub fn contains(&self, date: Date) -> bool {
        self.entries.iter().any(|e| {
            // A 1 January on a Saturday is observed on 31 December of the year before.
            [date.year(), date.year() + 1]
                .into_iter()
                .any(|y| observed(*e, y) == Some(date))
        })
    }

    /// Whether the calendar has no dates.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn parse_entry(text: &str) -> Option<Entry> {
    let text = text.trim().to_ascii_lowercase();
    if let Some((m, d)) = text.split_once('-') {
        let (month, day): (i8, i8) = (m.parse().ok()?, d.parse().ok()?);
        // Checked against a leap year so 02-29 is accepted.
        jiff::civil::Date::new(2024, month, day).ok()?;
        return Some(Entry::Fixed { month, day });
    }
    let mut parts = text.split('/');
    let month_name = parts.next()?;
    let month = MONTHS.iter().position(|m| *m == month_name)? as i8 + 1;
    let weekday = crate::hours::day_index(parts.next()?)?;
    let weekday = Weekday::from_monday_zero_offset(weekday as i8).ok()?;
    let nth = match parts.next()? {
        "last" => -1,
        n => n.parse::<i8>().ok().filter(|n| (1..=5).contains(n))?,
    };
    parts.next().is_none().then_some(Entry::Nth {
        month,
        weekday,
        nth,
    })
}

/// The date `entry` is observed on in `year`.
fn observed(entry: Entry, year: i16) -> Option<Date> {
    match entry {
        Entry::Fixed { month, day } => {
            let date = Date::new(year, month, day).ok()?;
            match date.weekday() {
                Weekday::Saturday => date.checked_sub(1.day()).ok(),
                Weekday::Sunday => date.checked_add(1.day()).ok(),
                _ => Some(date),
            }
        }
        Entry::Nth {
            month,
            weekday,
            nth,
        } => Date::new(year, month, 1)
            .ok()?
            .nth_weekday_of_month(nth, weekday)
            .ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use rstest::rstest;

    fn federal() -> Calendar {
        let entries: Vec<String> = [
            "01-01",
            "jan/mon/3",
            "may/mon/last",
            "07-04",
            "nov/thu/4",
            "12-25",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        Calendar::parse(&entries).unwrap()
    }

    #[rstest]
    #[case(date(2026, 1, 1), true)]
    #[case(date(2026, 1, 19), true)] // third Monday of January
    #[case(date(2026, 5, 25), true)] // last Monday of May
    #[case(date(2026, 7, 3), true)] // 4 July 2026 is a Saturday: observed Friday
    #[case(date(2026, 7, 4), false)]
    #[case(date(2026, 11, 26), true)] // fourth Thursday of November
    #[case(date(2027, 12, 24), true)] // Christmas 2027 is a Saturday
    #[case(date(2027, 12, 31), true)] // 1 January 2028 is a Saturday: observed the year before
    #[case(date(2026, 12, 24), false)]
    fn holidays_are_observed_on_their_weekday(#[case] day: Date, #[case] holiday: bool) {
        assert_eq!(federal().contains(day), holiday, "{day}");
    }

    #[rstest]
    #[case("13-01")]
    #[case("feb/mon/6")]
    #[case("feb/funday/1")]
    #[case("christmas")]
    fn bad_entries_are_refused(#[case] entry: &str) {
        assert!(Calendar::parse(&[entry.to_owned()]).is_err());
    }
}
