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

use crate::cadence::Channel;
use crate::compliance::apply::Cap;
use crate::compliance::calendar::Calendar;
use crate::compliance::rules::Basis;
use crate::compliance::MessagePurpose;
use crate::hours::WeeklyHours;

/// How far ahead [`ContactWindow::next_open`] looks before deciding the window never opens.
pub const HORIZON_DAYS: i64 = 400;

/// Which channels a part of a window limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Scope {
    /// Every channel (business hours, the dealership's holidays).
    #[default]
    All,
    /// Calls, voicemail drops and texts (the state-by-state contact rules).
    Phone,
    /// E-mail only (its own configurable hours).
    Email,
    /// E-mail that answers the customer's own inquiry (a conversational block), alone: its own
    /// hours replace every other part, business hours included (`contact.email_reply_hours`,
    /// default any time). No other message reads it.
    EmailReply,
}

impl Scope {
    /// Whether a part with this scope limits `channel`.
    pub fn covers(self, channel: Channel) -> bool {
        match self {
            Scope::All => true,
            Scope::Phone => channel.needs_phone(),
            Scope::Email => !channel.needs_phone(),
            Scope::EmailReply => false,
        }
    }
}

/// Weekly hours in one time zone, with dates on which they do not apply.
#[derive(Debug, Clone)]
pub struct ZoneHours {
    /// The zone the hours are read in.
    pub zone: TimeZone,
    /// The open hours per weekday.
    pub hours: WeeklyHours,
    /// Local dates on which nothing is open (holidays).
    pub closed: BTreeSet<Date>,
    /// Holidays by rule (a state's legal holidays), closed like `closed`.
    pub holidays: Option<Calendar>,
    /// The channels these hours limit.
    pub scope: Scope,
    /// The first local date the hours limit (a rule's effective date); earlier dates are open.
    pub from: Option<Date>,
    /// The first local date the hours no longer limit (a rule's end); it and later dates are open.
    pub until: Option<Date>,
    /// What imposes these hours, for explanations (`US-FL.hours`); empty for business hours.
    pub source: String,
}

impl ZoneHours {
    /// Hours with no closed dates, on every channel and every date.
    pub fn new(zone: TimeZone, hours: WeeklyHours) -> Self {
        Self {
            zone,
            hours,
            closed: BTreeSet::new(),
            holidays: None,
            scope: Scope::All,
            from: None,
            until: None,
            source: String::new(),
        }
    }

    /// Whether local `date` is closed whatever the hours.
    fn closed_on(&self, date: Date) -> bool {
        self.closed.contains(&date) || self.holidays.as_ref().is_some_and(|c| c.contains(date))
    }

    /// Whether the hours limit local `date` at all.
    fn in_force(&self, date: Date) -> bool {
        self.from.is_none_or(|f| date >= f) && self.until.is_none_or(|u| date < u)
    }

    /// Whether `t` is inside the hours.
    pub fn is_open(&self, t: Timestamp) -> bool {
        let local = t.to_zoned_datetime(self.zone.clone());
        let date = local.date();
        if !self.in_force(date) {
            return true;
        }
        if self.closed_on(date) {
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
            if !self.in_force(date) {
                // Not limited that day: open from its first instant (or now, today).
                let start = if offset == 0 {
                    t
                } else {
                    local_instant(date, 0, &self.zone)?.max(t)
                };
                return Some(start);
            }
            if self.closed_on(date) {
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

/// The intersection of several zone hours: an instant is allowed when every part is open. The
/// recipient's frequency caps travel with it (a cap is also a "not before").
#[derive(Debug, Clone, Default)]
pub struct ContactWindow {
    parts: Vec<ZoneHours>,
    caps: Vec<(Cap, Date, Option<Date>)>,
    consents: Vec<(Basis, String, Date, Option<Date>)>,
}

impl ContactWindow {
    /// A window open when every part is open. With no parts, always open.
    pub fn new(parts: Vec<ZoneHours>) -> Self {
        Self {
            parts,
            caps: Vec::new(),
            consents: Vec::new(),
        }
    }

    /// This window with the consent bases its jurisdictions require of an automated marketing call
    /// or text (each with its rule's id and the dates it is in force).
    pub fn with_consents(mut self, consents: Vec<(Basis, String, Date, Option<Date>)>) -> Self {
        self.consents = consents;
        self
    }

    /// The strongest consent basis required at `t` (by the UTC date), with the rule that requires
    /// it.
    pub fn consent_in_force(&self, t: Timestamp) -> Option<(Basis, String)> {
        let date = t.to_zoned_datetime(TimeZone::UTC).date();
        self.consents
            .iter()
            .filter(|(_, _, from, until)| date >= *from && until.is_none_or(|u| date < u))
            .map(|(basis, id, _, _)| (*basis, id.clone()))
            .max_by_key(|(basis, _)| *basis)
    }

    /// This window with `caps` (each in force from its first date until its last, UTC dates).
    pub fn with_caps(mut self, caps: Vec<(Cap, Date, Option<Date>)>) -> Self {
        self.caps = caps;
        self
    }

    /// The caps in force at `t` (by the UTC date).
    pub fn caps_in_force(&self, t: Timestamp) -> Vec<Cap> {
        let date = t.to_zoned_datetime(TimeZone::UTC).date();
        self.caps
            .iter()
            .filter(|(_, from, until)| date >= *from && until.is_none_or(|u| date < u))
            .map(|(cap, _, _)| cap.clone())
            .collect()
    }

    /// The parts of the window.
    pub fn parts(&self) -> &[ZoneHours] {
        &self.parts
    }

    /// Whether `t` is allowed on every channel's parts at once.
    pub fn is_open(&self, t: Timestamp) -> bool {
        self.parts.iter().all(|p| p.is_open(t))
    }

    /// Whether `t` is allowed for a message on `channel` (parts scoped to other channels ignored).
    pub fn is_open_for(&self, channel: Channel, t: Timestamp) -> bool {
        self.parts
            .iter()
            .filter(|p| p.scope.covers(channel))
            .all(|p| p.is_open(t))
    }

    /// The first instant at or after `t` allowed for `channel`; see [`ContactWindow::next_open`].
    pub fn next_open_for(&self, channel: Channel, t: Timestamp) -> Option<Timestamp> {
        next_common_opening(self.parts.iter().filter(|p| p.scope.covers(channel)), t)
    }

    /// The first instant at or after `t` allowed for a message on `channel` with `purpose`: an
    /// e-mail answering the customer's own inquiry follows the reply hours alone, when the window
    /// has them; everything else is [`ContactWindow::next_open_for`].
    pub fn next_open_for_message(
        &self,
        channel: Channel,
        purpose: MessagePurpose,
        t: Timestamp,
    ) -> Option<Timestamp> {
        let mut reply = self
            .parts
            .iter()
            .filter(|p| p.scope == Scope::EmailReply)
            .peekable();
        match (channel, purpose, reply.peek().is_some()) {
            (Channel::Email, MessagePurpose::Conversational, true) => next_common_opening(reply, t),
            _ => self.next_open_for(channel, t),
        }
    }

    /// The first allowed instant at or after `t`, or `None` if the window does not open within
    /// [`HORIZON_DAYS`] (for example, a recipient whose zones never share an open hour with the
    /// dealership).
    ///
    /// Each part moves the candidate to its own next opening; when no part moves it, every part is
    /// open. No part ever skips an allowed instant (an allowed instant is open in that part, so it is
    /// at or after that part's next opening), so the answer is the earliest one.
    pub fn next_open(&self, t: Timestamp) -> Option<Timestamp> {
        next_common_opening(self.parts.iter(), t)
    }
}

/// The first instant at or after `t` at which every one of `parts` is open.
fn next_common_opening<'a>(
    parts: impl Iterator<Item = &'a ZoneHours> + Clone,
    t: Timestamp,
) -> Option<Timestamp> {
    let limit = t.checked_add((HORIZON_DAYS * 24).hours()).ok()?;
    let mut candidate = t;
    loop {
        let mut moved = false;
        for part in parts.clone() {
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
