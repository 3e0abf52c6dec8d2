//! Appointments: their kinds and statuses, when an appointment cadence's messages go out, and how the
//! appointment's time reads in a message.
//!
//! An appointment cadence is anchored at the appointment's start. A step without `before` is the
//! confirmation and goes out at enrollment; a step with `before` is a reminder: `1d` is the calendar
//! day before (at the step's `at` time, else the appointment's own time of day), `2h` is two hours
//! before the start. Every message goes out inside the contact window and before the appointment:
//!
//! - inside the window at its time, it goes out then;
//! - outside, it moves *forward* to the window's next opening if that is still before the start;
//! - otherwise it moves *back* to the last open minute before its time (the evening before, say);
//! - a reminder that would go out in the past, or within [`MIN_GAP`] of the previous message (an
//!   appointment booked for this afternoon needs no "see you in 2 hours" one hour after its
//!   confirmation), or not before the appointment at all, is skipped.
//!
//! Nothing here reads a clock: `not_before` is the moment of planning (or the previous message).

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::cadence::{Before, Step};
use crate::lead::word_enum;
use crate::plan::PlannedTouch;
use crate::window::{local_instant, ContactWindow};

word_enum! {
    /// What the appointment is for.
    AppointmentKind {
        /// A showroom visit: test drive, purchase, appraisal.
        Sales = "sales",
        /// A service-lane visit.
        Service = "service",
    }
}

word_enum! {
    /// Where an appointment stands.
    AppointmentStatus {
        /// Booked; reminders ask the customer to confirm.
        Scheduled = "scheduled",
        /// The customer confirmed.
        Confirmed = "confirmed",
        /// The customer asked to move it; its owner was alerted.
        RescheduleRequested = "reschedule_requested",
        /// The customer came in.
        Showed = "showed",
        /// The customer did not come by the end of the grace period.
        NoShow = "no_show",
        /// Replaced by a new time, or ended because the lead was lost.
        Cancelled = "cancelled",
    }
}

impl AppointmentStatus {
    /// Whether the appointment is still ahead (reminders, confirm and reschedule replies apply).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            AppointmentStatus::Scheduled
                | AppointmentStatus::Confirmed
                | AppointmentStatus::RescheduleRequested
        )
    }
}

/// The shortest time between two messages of an appointment cadence; a reminder closer than this to
/// the previous message is skipped.
pub const MIN_GAP: SignedDuration = SignedDuration::from_hours(2);

/// How far back [`plan_reminder`] looks for the last open minute before a reminder's time.
const LOOK_BACK_MINUTES: i64 = 3 * 24 * 60;

/// Why an appointment cadence step is not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReminderError {
    /// Its time has passed, or it would come too close to the previous message.
    #[error("its time has passed or is within {} h of the previous message", MIN_GAP.as_hours())]
    Passed,
    /// The contact window has no open minute between now and the appointment.
    #[error("the contact window is closed from now until the appointment")]
    NoWindow,
    /// The date arithmetic overflowed.
    #[error("the step's offset is out of range")]
    OutOfRange,
}

/// Plans `step` of an appointment cadence for an appointment starting at `start`, enrolled at
/// `enrolled_at`, with calendar days in `zone` (see the module documentation for the rules).
pub fn plan_reminder(
    step: &Step,
    start: Timestamp,
    enrolled_at: Timestamp,
    zone: &TimeZone,
    not_before: Timestamp,
    window: &ContactWindow,
) -> Result<PlannedTouch, ReminderError> {
    let target = reminder_target(step, start, enrolled_at, zone)?;
    if step.before.is_some() && target < not_before {
        return Err(ReminderError::Passed);
    }
    let earliest = target.max(not_before);
    if earliest >= start {
        return Err(ReminderError::Passed);
    }
    let due = if window.is_open(earliest) {
        earliest
    } else {
        match window.next_open(earliest) {
            Some(next) if next < start => next,
            _ => last_open_before(window, earliest, not_before).ok_or(ReminderError::NoWindow)?,
        }
    };
    if step.before.is_some() && due < not_before + MIN_GAP {
        return Err(ReminderError::Passed);
    }
    Ok(PlannedTouch { target, due })
}

/// The instant a step asks for, before any window.
fn reminder_target(
    step: &Step,
    start: Timestamp,
    enrolled_at: Timestamp,
    zone: &TimeZone,
) -> Result<Timestamp, ReminderError> {
    match step.before {
        None => Ok(enrolled_at),
        Some(Before::Minutes(m)) => start
            .checked_sub(i64::from(m).minutes())
            .map_err(|_| ReminderError::OutOfRange),
        Some(Before::Days(d)) => {
            let local = start.to_zoned_datetime(zone.clone());
            let date: Date = local
                .date()
                .checked_sub(i64::from(d).days())
                .map_err(|_| ReminderError::OutOfRange)?;
            let minute = step
                .at
                .unwrap_or(local.time().hour() as u16 * 60 + local.time().minute() as u16);
            local_instant(date, minute, zone).ok_or(ReminderError::OutOfRange)
        }
    }
}

/// The last open minute strictly before `t` and at or after `floor`.
fn last_open_before(window: &ContactWindow, t: Timestamp, floor: Timestamp) -> Option<Timestamp> {
    let whole = t.as_second() - t.as_second().rem_euclid(60);
    let mut candidate = Timestamp::from_second(whole).ok()?;
    if candidate == t {
        candidate = candidate.checked_sub(1.minute()).ok()?;
    }
    for _ in 0..LOOK_BACK_MINUTES {
        if candidate < floor {
            return None;
        }
        if window.is_open(candidate) {
            return Some(candidate);
        }
        candidate = candidate.checked_sub(1.minute()).ok()?;
    }
    None
}

/// The appointment's day as a message says it: "Saturday, December 5".
pub fn appointment_day(start: Timestamp, zone: &TimeZone) -> String {
    start
        .to_zoned_datetime(zone.clone())
        .strftime("%A, %B %-d")
        .to_string()
}

/// The appointment's time as a message says it: "10:30 AM".
pub fn appointment_time(start: Timestamp, zone: &TimeZone) -> String {
    start
        .to_zoned_datetime(zone.clone())
        .strftime("%-I:%M %p")
        .to_string()
}

/// An appointment as the outcomes API and the CSV import give it, before it is checked against the
/// lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointmentInput {
    /// When it starts (RFC 3339).
    pub at: Timestamp,
    /// Sales or service.
    pub kind: AppointmentKind,
    /// How long it is expected to take; the configured default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_minutes: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cadence::Channel;
    use crate::hours::{DayHours, WeeklyHours};
    use crate::plan::contact_window;
    use crate::window::ZoneHours;
    use rstest::rstest;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn step(before: Option<&str>, at: Option<&str>) -> Step {
        Step {
            day: 0,
            channel: Channel::Sms,
            block: "b".into(),
            at: at.map(|a| crate::hours::parse_time_of_day(a).unwrap()),
            mode: None,
            before: before.map(|b| Before::parse(b).unwrap()),
        }
    }

    /// Chicago customer, Chicago dealer open 09:00-20:00, legal hours 08:00-21:00.
    fn window() -> ContactWindow {
        contact_window(
            &["America/Chicago".to_owned()],
            WeeklyHours::every_day(DayHours::parse("08:00-21:00").unwrap()),
            ZoneHours::new(
                TimeZone::get("America/Chicago").unwrap(),
                WeeklyHours::every_day(DayHours::parse("09:00-20:00").unwrap()),
            ),
        )
    }

    /// (step before, step at, appointment start, planned at, expected due or error)
    #[rstest]
    // Confirmation at once, inside the window.
    #[case(
        None,
        None,
        "2026-12-03T16:00:00Z",
        "2026-12-01T15:00:00Z",
        Ok("2026-12-01T15:00:00Z")
    )]
    // Confirmation of a booking made at 22:00 waits for 09:00 the next morning.
    #[case(
        None,
        None,
        "2026-12-03T16:00:00Z",
        "2026-12-02T04:00:00Z",
        Ok("2026-12-02T15:00:00Z")
    )]
    // Day before, same local time (10:00 CST Thursday -> 10:00 Wednesday).
    #[case(
        Some("1d"),
        None,
        "2026-12-03T16:00:00Z",
        "2026-12-01T15:00:00Z",
        Ok("2026-12-02T16:00:00Z")
    )]
    // Day before at a set time, 17:00.
    #[case(
        Some("1d"),
        Some("17:00"),
        "2026-12-03T16:00:00Z",
        "2026-12-01T15:00:00Z",
        Ok("2026-12-02T23:00:00Z")
    )]
    // Day before an 08:30 appointment: 08:30 is before the dealer opens, so 09:00 that day.
    #[case(
        Some("1d"),
        None,
        "2026-12-03T14:30:00Z",
        "2026-12-01T15:00:00Z",
        Ok("2026-12-02T15:00:00Z")
    )]
    // Two hours before 10:00 is 08:00, outside; the window opens at 09:00, still before the start.
    #[case(
        Some("2h"),
        None,
        "2026-12-03T16:00:00Z",
        "2026-12-01T15:00:00Z",
        Ok("2026-12-03T15:00:00Z")
    )]
    // Two hours before a 09:15 appointment: 07:15; 09:00 is still before it.
    #[case(
        Some("2h"),
        None,
        "2026-12-03T15:15:00Z",
        "2026-12-01T15:00:00Z",
        Ok("2026-12-03T15:00:00Z")
    )]
    // Two hours before a 09:00 appointment: the window opens only at the start, so back to the
    // evening before, 19:59.
    #[case(
        Some("2h"),
        None,
        "2026-12-03T15:00:00Z",
        "2026-12-01T15:00:00Z",
        Ok("2026-12-03T01:59:00Z")
    )]
    // Two hours before 14:00 on the same day it was booked at 13:00: in the past.
    #[case(
        Some("2h"),
        None,
        "2026-12-01T20:00:00Z",
        "2026-12-01T19:00:00Z",
        Err(ReminderError::Passed)
    )]
    // Day before an appointment booked the evening before it: in the past.
    #[case(
        Some("1d"),
        None,
        "2026-12-02T16:00:00Z",
        "2026-12-01T23:00:00Z",
        Err(ReminderError::Passed)
    )]
    // Two hours before 16:00, booked at 13:00: 14:00 is within two hours of the confirmation.
    #[case(
        Some("2h"),
        None,
        "2026-12-01T22:00:00Z",
        "2026-12-01T19:00:00Z",
        Err(ReminderError::Passed)
    )]
    // A confirmation whose appointment starts before the window opens again is not sent.
    #[case(
        None,
        None,
        "2026-12-02T14:30:00Z",
        "2026-12-02T04:00:00Z",
        Err(ReminderError::NoWindow)
    )]
    fn appointment_messages_are_planned_inside_the_window_and_before_the_start(
        #[case] before: Option<&str>,
        #[case] at: Option<&str>,
        #[case] start: &str,
        #[case] now: &str,
        #[case] expected: Result<&str, ReminderError>,
    ) {
        let zone = TimeZone::get("America/Chicago").unwrap();
        let planned = plan_reminder(
            &step(before, at),
            ts(start),
            ts(now),
            &zone,
            ts(now),
            &window(),
        )
        .map(|p| p.due);
        assert_eq!(planned, expected.map(ts));
    }

    #[test]
    fn a_day_before_reminder_keeps_local_time_across_a_dst_change() {
        // Monday 2026-11-02 10:00 CST; the day before is Sunday 2026-11-01 10:00 CST (after fall back).
        let zone = TimeZone::get("America/Chicago").unwrap();
        let p = plan_reminder(
            &step(Some("1d"), None),
            ts("2026-11-02T16:00:00Z"),
            ts("2026-10-30T15:00:00Z"),
            &zone,
            ts("2026-10-30T15:00:00Z"),
            &ContactWindow::default(),
        )
        .unwrap();
        assert_eq!(p.due, ts("2026-11-01T16:00:00Z"));
    }

    #[test]
    fn the_appointment_reads_in_the_dealerships_zone() {
        let zone = TimeZone::get("America/Chicago").unwrap();
        let start = ts("2026-12-05T16:30:00Z");
        assert_eq!(appointment_day(start, &zone), "Saturday, December 5");
        assert_eq!(appointment_time(start, &zone), "10:30 AM");
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn a_planned_message_is_inside_the_window_before_the_start_and_after_planning(
                now_s in 1_764_547_200i64..1_830_297_600i64, // 2025-12-01 .. 2027-12-31
                ahead_minutes in 1i64..(10 * 24 * 60),
                before in proptest::option::of(prop_oneof![
                    (1u32..4).prop_map(Before::Days),
                    (15u32..600).prop_map(Before::Minutes),
                ]),
                open in 6u16..12, close in 13u16..22,
            ) {
                let zone = TimeZone::get("America/Denver").unwrap();
                let w = contact_window(
                    &["America/New_York".to_owned()],
                    WeeklyHours::every_day(DayHours::parse("08:00-21:00").unwrap()),
                    ZoneHours::new(zone.clone(), WeeklyHours::every_day(DayHours { start: open * 60, end: close * 60 })),
                );
                let now = Timestamp::from_second(now_s).unwrap();
                let start = now + ahead_minutes.minutes();
                let step = Step { day: 0, channel: Channel::Sms, block: "b".into(), at: None, mode: None, before };
                if let Ok(p) = plan_reminder(&step, start, now, &zone, now, &w) {
                    prop_assert!(w.is_open(p.due), "due {} is outside the window", p.due);
                    prop_assert!(p.due < start, "due {} is not before the start {start}", p.due);
                    prop_assert!(p.due >= now, "due {} is before planning {now}", p.due);
                    if before.is_some() {
                        prop_assert!(p.due >= now + MIN_GAP);
                    }
                }
            }
        }
    }

    #[rstest]
    #[case("1d", Before::Days(1))]
    #[case("2h", Before::Minutes(120))]
    #[case("90m", Before::Minutes(90))]
    fn offsets_parse(#[case] text: &str, #[case] expected: Before) {
        assert_eq!(Before::parse(text), Ok(expected));
        assert_eq!(Before::parse(&expected.to_string()), Ok(expected));
    }

    #[rstest]
    #[case("")]
    #[case("2")]
    #[case("h")]
    #[case("0h")]
    #[case("-1d")]
    #[case("31d")]
    #[case("2 hours")]
    #[case("２h")]
    fn bad_offsets_are_refused(#[case] text: &str) {
        assert!(Before::parse(text).is_err());
    }
}
