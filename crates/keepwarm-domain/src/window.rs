//! Contact windows: the instants at which a touch may go out.
//!
//! A [`ContactWindow`] is the intersection of several [`ZoneHours`] — weekly hours read in one IANA
//! zone, minus closed dates. The default for a touch is the recipient's legal hours (08:00–21:00) in
//! every zone the recipient may be in, intersected with the dealership's business hours for the
//! segment's department in the dealership's zone, holidays excluded. All arithmetic goes through
//! jiff's time-zone database, so DST transitions are exact.

use std::collections::BTreeSet;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

use crate::hours::WeeklyHours;

/// How far ahead [`ContactWindow::next_open`] looks before deciding the window never opens.
pub const HORIZON_DAYS: i64 = 400;

/// Weekly hours in one time zone, with dates on which they do not apply.
#[derive(Debug, Clone)]
pub struct ZoneHours {
    /// The zone the hours are read in.
    pub zone: TimeZone,
    /// The open hours per weekday.
    pub hours: WeeklyHours,
    /// Local dates on which nothing is open (holidays).
    pub closed: BTreeSet<Date>,
}

impl ZoneHours {
    /// Hours with no closed dates.
    pub fn new(zone: TimeZone, hours: WeeklyHours) -> Self {
        Self {
            zone,
            hours,
            closed: BTreeSet::new(),
        }
    }

    /// Whether `t` is inside the hours.
    pub fn is_open(&self, t: Timestamp) -> bool {
        let local = t.to_zoned_datetime(self.zone.clone());
        let date = local.date();
        if self.closed.contains(&date) {
            return false;
        }
        let minute = minute_of_day(&local);
        self.hours
            .on(date.weekday())
            .is_some_and(|h| h.contains(minute))
    }

    /// The first instant at or after `t` inside the hours, or `None` within [`HORIZON_DAYS`].
    pub fn next_open(&self, t: Timestamp) -> Option<Timestamp> {
        let local = t.to_zoned_datetime(self.zone.clone());
        let today = local.date();
        let now_minute = minute_of_day(&local);
        for offset in 0..=HORIZON_DAYS {
            let date = today.checked_add(offset.days()).ok()?;
            if self.closed.contains(&date) {
                continue;
            }
            let Some(h) = self.hours.on(date.weekday()) else {
                continue;
            };
            if offset == 0 {
                if h.contains(now_minute) {
                    return Some(t);
                }
                if now_minute >= h.start {
                    continue;
                }
            }
            let opening = local_instant(date, h.start, &self.zone)?;
            // A DST gap can push a local opening time later; never answer with an instant before `t`.
            if opening >= t && self.is_open(opening) {
                return Some(opening);
            }
        }
        None
    }
}

fn minute_of_day(z: &jiff::ZonedDateTime) -> u16 {
    let time = z.time();
    time.hour() as u16 * 60 + time.minute() as u16
}

/// The instant of local `date` at `minute` past midnight in `zone` (compatible disambiguation: a
/// time skipped by DST moves forward, a repeated time takes its first occurrence).
pub fn local_instant(date: Date, minute: u16, zone: &TimeZone) -> Option<Timestamp> {
    let time = jiff::civil::Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0).ok()?;
    let zoned = date
        .to_datetime(time)
        .to_zoned_datetime(zone.clone())
        .ok()?;
    Some(zoned.timestamp())
}

/// The intersection of several zone hours: an instant is allowed when every part is open.
#[derive(Debug, Clone, Default)]
pub struct ContactWindow {
    parts: Vec<ZoneHours>,
}

impl ContactWindow {
    /// A window open when every part is open. With no parts, always open.
    pub fn new(parts: Vec<ZoneHours>) -> Self {
        Self { parts }
    }

    /// The parts of the window.
    pub fn parts(&self) -> &[ZoneHours] {
        &self.parts
    }

    /// Whether `t` is allowed.
    pub fn is_open(&self, t: Timestamp) -> bool {
        self.parts.iter().all(|p| p.is_open(t))
    }

    /// The first allowed instant at or after `t`, or `None` if the window does not open within
    /// [`HORIZON_DAYS`] (for example, a recipient whose zones never share an open hour with the
    /// dealership).
    ///
    /// Each part moves the candidate to its own next opening; when no part moves it, every part is
    /// open. No part ever skips an allowed instant (an allowed instant is open in that part, so it is
    /// at or after that part's next opening), so the answer is the earliest one.
    pub fn next_open(&self, t: Timestamp) -> Option<Timestamp> {
        let limit = t.checked_add((HORIZON_DAYS * 24).hours()).ok()?;
        let mut candidate = t;
        loop {
            let mut moved = false;
            for part in &self.parts {
                let next = part.next_open(candidate)?;
                if next > candidate {
                    candidate = next;
                    moved = true;
                }
            }
            if !moved {
                return Some(candidate);
            }
            if candidate > limit {
                return None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hours::DayHours;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn zone(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap()
    }

    fn legal(name: &str) -> ZoneHours {
        ZoneHours::new(
            zone(name),
            WeeklyHours::every_day(DayHours::parse("08:00-21:00").unwrap()),
        )
    }

    #[test]
    fn an_open_instant_is_its_own_answer() {
        let w = ContactWindow::new(vec![legal("America/Chicago")]);
        let t = ts("2026-06-10T15:00:00Z"); // 10:00 CDT
        assert_eq!(w.next_open(t), Some(t));
    }

    #[test]
    fn late_evening_moves_to_eight_the_next_morning() {
        let w = ContactWindow::new(vec![legal("America/Chicago")]);
        // 22:30 CDT on June 10 -> 08:00 CDT June 11 = 13:00Z
        assert_eq!(
            w.next_open(ts("2026-06-11T03:30:00Z")),
            Some(ts("2026-06-11T13:00:00Z"))
        );
    }

    #[test]
    fn arizona_does_not_observe_dst() {
        let w = ContactWindow::new(vec![legal("America/Phoenix")]);
        // 08:00 MST is 15:00Z in both January and July.
        assert_eq!(
            w.next_open(ts("2026-01-15T10:00:00Z")),
            Some(ts("2026-01-15T15:00:00Z"))
        );
        assert_eq!(
            w.next_open(ts("2026-07-15T10:00:00Z")),
            Some(ts("2026-07-15T15:00:00Z"))
        );
    }

    #[test]
    fn two_zones_intersect() {
        let w = ContactWindow::new(vec![legal("America/New_York"), legal("America/Chicago")]);
        // 07:30 CDT = 08:30 EDT: New York is open, Chicago is not until 08:00 CDT = 13:00Z.
        assert_eq!(
            w.next_open(ts("2026-06-10T12:30:00Z")),
            Some(ts("2026-06-10T13:00:00Z"))
        );
        // 20:30 CDT = 21:30 EDT: New York closed, next common opening is 08:00 EDT = 12:00Z.
        assert_eq!(
            w.next_open(ts("2026-06-11T01:30:00Z")),
            Some(ts("2026-06-11T13:00:00Z"))
        );
    }

    #[test]
    fn holidays_are_skipped() {
        let mut dealer = ZoneHours::new(
            zone("America/Chicago"),
            WeeklyHours::every_day(DayHours::parse("09:00-18:00").unwrap()),
        );
        dealer.closed.insert(jiff::civil::date(2026, 12, 25));
        let w = ContactWindow::new(vec![dealer]);
        // Christmas morning 10:00 CST -> Dec 26 09:00 CST = 15:00Z
        assert_eq!(
            w.next_open(ts("2026-12-25T16:00:00Z")),
            Some(ts("2026-12-26T15:00:00Z"))
        );
    }

    #[test]
    fn windows_that_never_meet_never_open() {
        let honolulu = ZoneHours::new(
            zone("Pacific/Honolulu"),
            WeeklyHours::every_day(DayHours::parse("08:00-09:00").unwrap()),
        );
        let new_york = ZoneHours::new(
            zone("America/New_York"),
            WeeklyHours::every_day(DayHours::parse("08:00-09:00").unwrap()),
        );
        let w = ContactWindow::new(vec![honolulu, new_york]);
        assert_eq!(w.next_open(ts("2026-06-10T00:00:00Z")), None);
    }
}
