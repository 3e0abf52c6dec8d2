//! The planner: when a cadence step is due.
//!
//! A step's *target* is the anchor plus its day offset (calendar days in the recipient's zone, so a
//! DST change does not shift the local time), at its preferred local time if it has one. Its *due*
//! time is the target, never earlier than `not_before` (the moment of planning, or the previous
//! touch), moved forward into the contact window. The gap between the two is allowed deferral, not
//! lateness.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

use crate::cadence::Step;
use crate::compliance::apply::applicable;
use crate::compliance::place::Recipient;
use crate::compliance::rules::RuleTable;
use crate::compliance::MessagePurpose;
use crate::contact::{us_zip_time_zones, PhoneNumber};
use crate::hours::WeeklyHours;
use crate::window::{local_instant, ContactWindow, Scope, ZoneHours};

/// When a step should go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedTouch {
    /// What the cadence asks for.
    pub target: Timestamp,
    /// The first allowed instant at or after the target (and `not_before`).
    pub due: Timestamp,
}

/// Why a step could not be planned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// The contact window never opens within the planning horizon.
    #[error("no allowed contact time within {} days", crate::window::HORIZON_DAYS)]
    NoWindow,
    /// The date arithmetic overflowed (an absurd offset).
    #[error("the step's day offset is out of range")]
    OutOfRange,
}

/// [`plan_step_for`] a marketing step (the window of its channel, whatever its block's purpose).
pub fn plan_step(
    step: &Step,
    anchor: Timestamp,
    zone: &TimeZone,
    not_before: Timestamp,
    min_date: Option<Date>,
    window: &ContactWindow,
) -> Result<PlannedTouch, PlanError> {
    plan_step_for(
        step,
        MessagePurpose::Marketing,
        anchor,
        zone,
        not_before,
        min_date,
        window,
    )
}

/// Plans `step`, whose block has `purpose`, for a cadence anchored at `anchor`, with day
/// arithmetic in `zone`.
///
/// `min_date` is the earliest local date the step may go out on: the engine passes the day after the
/// previous touch when this step is on a later cadence day, so a lead that came in overnight and got
/// its day-0 reply at opening time does not get its day-1 touch an hour later. A target moved to
/// `min_date` keeps its local time of day.
pub fn plan_step_for(
    step: &Step,
    purpose: MessagePurpose,
    anchor: Timestamp,
    zone: &TimeZone,
    not_before: Timestamp,
    min_date: Option<Date>,
    window: &ContactWindow,
) -> Result<PlannedTouch, PlanError> {
    let local = anchor.to_zoned_datetime(zone.clone());
    let shifted = local
        .checked_add((step.day as i64).days())
        .map_err(|_| PlanError::OutOfRange)?;
    let minute = step
        .at
        .unwrap_or(shifted.time().hour() as u16 * 60 + shifted.time().minute() as u16);
    let date = match min_date {
        Some(min) if shifted.date() < min => min,
        _ => shifted.date(),
    };
    let target = match (step.at, date == shifted.date()) {
        (None, true) => shifted.timestamp(),
        _ => local_instant(date, minute, zone)
            .ok_or(PlanError::OutOfRange)?
            .max(anchor),
    };
    let due = window
        .next_open_for_message(step.channel, purpose, target.max(not_before))
        .ok_or(PlanError::NoWindow)?;
    Ok(PlannedTouch { target, due })
}

/// The zones the recipient may be in: the phone number's (libphonenumber's map), else the postal
/// code's, else the dealership's.
pub fn recipient_zones(
    phone: Option<&PhoneNumber>,
    postal_code: Option<&str>,
    dealership_zone: &str,
) -> Vec<String> {
    let mut zones: Vec<&str> = phone.map(PhoneNumber::time_zones).unwrap_or_default();
    if zones.is_empty() {
        zones = postal_code.map(us_zip_time_zones).unwrap_or_default();
    }
    if zones.is_empty() {
        zones = vec![dealership_zone];
    }
    zones.into_iter().map(str::to_owned).collect()
}

/// The default contact window: the recipient's legal hours in each of their zones (zones the time-zone
/// database does not know are skipped), intersected with `business` (the dealership's hours for the
/// segment's department, holidays included in it).
pub fn contact_window(
    recipient_zones: &[String],
    legal_hours: WeeklyHours,
    business: ZoneHours,
) -> ContactWindow {
    let mut parts: Vec<ZoneHours> = recipient_zones
        .iter()
        .filter_map(|z| TimeZone::get(z).ok())
        .map(|z| ZoneHours::new(z, legal_hours))
        .collect();
    parts.push(business);
    ContactWindow::new(parts)
}

/// The hours keepwarm's own settings add for a recipient, read in the recipient's zones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnHours {
    /// Calls and texts (`contact.legal_hours`, default 08:00–21:00): a limit on top of the table.
    pub phone: WeeklyHours,
    /// E-mail (`contact.email_hours`), which the state table does not limit.
    pub email: WeeklyHours,
    /// E-mail answering the customer's own inquiry (`contact.email_reply_hours`, default any
    /// time): these hours alone.
    pub email_reply: WeeklyHours,
}

/// The contact window for a recipient: for calls and texts, every hours and holiday row of the
/// recipient's jurisdictions in `table` and the settings' phone hours; for e-mail, the settings'
/// e-mail hours; both in each of the recipient's zones (zones the time-zone database does not know
/// are skipped) and intersected with `business`. The jurisdictions' caps travel with the window.
pub fn recipient_window(
    table: &RuleTable,
    recipient: &Recipient,
    own: OwnHours,
    business: ZoneHours,
) -> ContactWindow {
    let zones: Vec<TimeZone> = recipient
        .zones
        .iter()
        .filter_map(|z| TimeZone::get(z).ok())
        .collect();
    let rows = applicable(table, &recipient.jurisdictions);
    let mut parts = rows.phone_parts(&zones);
    for zone in &zones {
        let own_parts = [
            (Scope::Phone, own.phone),
            (Scope::Email, own.email),
            (Scope::EmailReply, own.email_reply),
        ];
        for (scope, hours) in own_parts {
            let mut part = ZoneHours::new(zone.clone(), hours);
            part.scope = scope;
            part.source = match scope {
                Scope::Email => "settings contact.email_hours".into(),
                Scope::EmailReply => "settings contact.email_reply_hours".into(),
                _ => "settings contact.legal_hours".into(),
            };
            parts.push(part);
        }
    }
    parts.push(business);
    ContactWindow::new(parts)
        .with_caps(rows.caps())
        .with_consents(rows.consents())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cadence::Channel;
    use crate::hours::DayHours;
    use rstest::rstest;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn step(day: u32, at: Option<&str>) -> Step {
        Step {
            day,
            channel: Channel::Sms,
            block: "b".into(),
            at: at.map(|a| crate::hours::parse_time_of_day(a).unwrap()),
            mode: None,
            before: None,
        }
    }

    fn legal() -> WeeklyHours {
        WeeklyHours::every_day(DayHours::parse("08:00-21:00").unwrap())
    }

    fn dealer(zone: &str, hours: &str) -> ZoneHours {
        ZoneHours::new(
            TimeZone::get(zone).unwrap(),
            WeeklyHours::every_day(DayHours::parse(hours).unwrap()),
        )
    }

    fn window(recipient: &[&str], dealer_zone: &str) -> ContactWindow {
        let zones: Vec<String> = recipient.iter().map(|s| s.to_string()).collect();
        contact_window(&zones, legal(), dealer(dealer_zone, "09:00-20:00"))
    }

    /// (anchor, day, at, recipient zones, dealer zone, expected target, expected due)
    #[rstest]
    // Day 0 inside the window goes out at once.
    #[case("2026-06-10T15:00:00Z", 0, None, &["America/Chicago"], "America/Chicago", "2026-06-10T15:00:00Z", "2026-06-10T15:00:00Z")]
    // Day 0 at 23:00 CDT waits for 09:00 CDT (dealer opens later than the legal window).
    #[case("2026-06-11T04:00:00Z", 0, None, &["America/Chicago"], "America/Chicago", "2026-06-11T04:00:00Z", "2026-06-11T14:00:00Z")]
    // Spring forward (March 8, 2026): day 1 keeps 10:00 local, which is 23 hours later.
    #[case("2026-03-07T16:00:00Z", 1, None, &["America/Chicago"], "America/Chicago", "2026-03-08T15:00:00Z", "2026-03-08T15:00:00Z")]
    // Fall back (November 1, 2026): day 1 keeps 10:00 local, 25 hours later.
    #[case("2026-10-31T15:00:00Z", 1, None, &["America/Chicago"], "America/Chicago", "2026-11-01T16:00:00Z", "2026-11-01T16:00:00Z")]
    // A preferred time of day on the DST weekend.
    #[case("2026-03-07T16:00:00Z", 1, Some("09:30"), &["America/Chicago"], "America/Chicago", "2026-03-08T14:30:00Z", "2026-03-08T14:30:00Z")]
    // Arizona recipient, Chicago dealer in summer: 09:00 CDT = 07:00 MST, recipient opens 08:00 MST = 15:00Z.
    #[case("2026-07-15T14:00:00Z", 0, None, &["America/Phoenix"], "America/Chicago", "2026-07-15T14:00:00Z", "2026-07-15T15:00:00Z")]
    // Hawaii recipient, Chicago dealer (09:00-20:00 CDT = 04:00-15:00 HST): 08:00 HST = 18:00Z.
    #[case("2026-07-15T14:00:00Z", 0, None, &["Pacific/Honolulu"], "America/Chicago", "2026-07-15T14:00:00Z", "2026-07-15T18:00:00Z")]
    // Hawaii at 15:30 HST: dealer closed (20:30 CDT), legal opens tomorrow 08:00 HST.
    #[case("2026-07-16T01:30:00Z", 0, None, &["Pacific/Honolulu"], "America/Chicago", "2026-07-16T01:30:00Z", "2026-07-16T18:00:00Z")]
    // A number spanning Eastern and Central at 07:30 CDT / 08:30 EDT: Central's legal hours and the
    // New York dealer (09:00 EDT) both open at 13:00Z.
    #[case("2026-06-10T12:30:00Z", 0, None, &["America/New_York", "America/Chicago"], "America/New_York", "2026-06-10T12:30:00Z", "2026-06-10T13:00:00Z")]
    fn steps_are_planned_into_the_window(
        #[case] anchor: &str,
        #[case] day: u32,
        #[case] at: Option<&str>,
        #[case] recipient: &[&str],
        #[case] dealer_zone: &str,
        #[case] target: &str,
        #[case] due: &str,
    ) {
        let zone = TimeZone::get(recipient[0]).unwrap();
        let p = plan_step(
            &step(day, at),
            ts(anchor),
            &zone,
            ts(anchor),
            None,
            &window(recipient, dealer_zone),
        )
        .unwrap();
        assert_eq!(
            p,
            PlannedTouch {
                target: ts(target),
                due: ts(due)
            }
        );
    }

    #[test]
    fn a_step_is_never_due_before_not_before() {
        let zone = TimeZone::get("America/Chicago").unwrap();
        let w = window(&["America/Chicago"], "America/Chicago");
        let p = plan_step(
            &step(1, None),
            ts("2026-06-10T15:00:00Z"),
            &zone,
            ts("2026-06-20T15:00:00Z"),
            None,
            &w,
        )
        .unwrap();
        assert_eq!(p.due, ts("2026-06-20T15:00:00Z"));
    }

    #[test]
    fn a_later_day_step_never_lands_on_the_previous_touchs_day() {
        let zone = TimeZone::get("America/Chicago").unwrap();
        let w = window(&["America/Chicago"], "America/Chicago");
        // Received 22:00 CST Tuesday; the day-0 reply went out Wednesday 09:00. Day 1 at 10:30 would be
        // Wednesday 10:30; with min_date Thursday it moves to Thursday 10:30 CST.
        let anchor = ts("2026-12-02T04:00:00Z");
        let sent = ts("2026-12-02T15:00:00Z");
        let next_day = sent
            .to_zoned_datetime(zone.clone())
            .date()
            .tomorrow()
            .unwrap();
        let p = plan_step(
            &step(1, Some("10:30")),
            anchor,
            &zone,
            sent,
            Some(next_day),
            &w,
        )
        .unwrap();
        assert_eq!(p.due, ts("2026-12-03T16:30:00Z"));
        let p = plan_step(&step(1, None), anchor, &zone, sent, Some(next_day), &w).unwrap();
        // Without a preferred time the step keeps the anchor's 22:00, then waits for opening on Friday.
        assert_eq!(p.target, ts("2026-12-04T04:00:00Z"));
    }

    #[test]
    fn the_recipient_zone_comes_from_phone_then_zip_then_dealer() {
        let phone = PhoneNumber::parse("602-555-0199", "US").unwrap();
        assert_eq!(
            recipient_zones(Some(&phone), Some("96813"), "America/Chicago"),
            ["America/Phoenix"]
        );
        assert_eq!(
            recipient_zones(None, Some("96813"), "America/Chicago"),
            ["Pacific/Honolulu"]
        );
        assert_eq!(
            recipient_zones(None, None, "America/Chicago"),
            ["America/Chicago"]
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        const ZONES: &[&str] = &[
            "America/New_York",
            "America/Chicago",
            "America/Denver",
            "America/Phoenix",
            "America/Los_Angeles",
            "America/Anchorage",
            "Pacific/Honolulu",
            "Europe/London",
        ];

        fn zone_set() -> impl Strategy<Value = Vec<String>> {
            proptest::sample::subsequence(ZONES, 1..3)
                .prop_map(|zs| zs.into_iter().map(str::to_owned).collect())
        }

        proptest! {
            #[test]
            fn no_planned_touch_falls_outside_its_window(
                anchor_s in 1_735_689_600i64..1_830_297_600i64, // 2025-01-01 .. 2027-12-31
                days in proptest::collection::vec(0u32..30, 1..8),
                recipient in zone_set(),
                dealer in proptest::sample::select(ZONES),
                open in 6u16..12, close in 14u16..23,
            ) {
                let anchor = Timestamp::from_second(anchor_s).unwrap();
                let business = ZoneHours::new(
                    TimeZone::get(dealer).unwrap(),
                    WeeklyHours::every_day(DayHours { start: open * 60, end: close * 60 }),
                );
                let w = contact_window(&recipient, legal(), business);
                let zone = TimeZone::get(&recipient[0]).unwrap();
                let mut sorted = days.clone();
                sorted.sort_unstable();
                let mut previous = anchor;
                for day in sorted {
                    match plan_step(&step(day, None), anchor, &zone, previous, None, &w) {
                        Ok(p) => {
                            prop_assert!(w.is_open(p.due), "due {} is outside the window", p.due);
                            prop_assert!(p.due >= p.target && p.due >= previous);
                            // Earliest: one minute before the due time is either closed or before the target.
                            let before = p.due - 1.minute();
                            prop_assert!(p.due == p.target.max(previous) || !w.is_open(before));
                            previous = p.due;
                        }
                        Err(PlanError::NoWindow) => {}
                        Err(e) => prop_assert!(false, "{e}"),
                    }
                }
            }

            #[test]
            fn targets_never_decrease_with_the_offset(
                anchor_s in 1_735_689_600i64..1_830_297_600i64,
                a in 0u32..60, b in 0u32..60,
                zone in proptest::sample::select(ZONES),
            ) {
                let anchor = Timestamp::from_second(anchor_s).unwrap();
                let tz = TimeZone::get(zone).unwrap();
                let w = ContactWindow::default();
                let (lo, hi) = (a.min(b), a.max(b));
                let p1 = plan_step(&step(lo, None), anchor, &tz, anchor, None, &w).unwrap();
                let p2 = plan_step(&step(hi, None), anchor, &tz, anchor, None, &w).unwrap();
                prop_assert!(p1.target <= p2.target);
            }
        }
    }
}
