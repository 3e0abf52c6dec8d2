//! The gate with the state table: case tables per state at the edges of their hours, Sundays and
//! holidays, DST days, numbers in several zones, a number and an address in different states, the
//! caps, and a property over zones × dates × jurisdictions checked against an independent reading
//! of the table.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use proptest::prelude::*;
use rstest::rstest;

use super::place::Recipient;
use super::rules::{Limit, RuleTable, BUILT_IN, BUILT_IN_TABLE};
use super::{check, Check, Purpose, Rule, Verdict};
use crate::cadence::Channel;
use crate::hours::WeeklyHours;
use crate::plan::{recipient_window, OwnHours};
use crate::window::{ContactWindow, ZoneHours};

fn window(jurisdictions: &[&str], zones: &[&str]) -> ContactWindow {
    window_of(&BUILT_IN_TABLE, jurisdictions, zones)
}

/// The window of `table` for a recipient, with the dealership always open and e-mail 08:00-21:00.
fn window_of(table: &RuleTable, jurisdictions: &[&str], zones: &[&str]) -> ContactWindow {
    let recipient = Recipient {
        zones: zones.iter().map(|z| (*z).to_owned()).collect(),
        jurisdictions: jurisdictions.iter().map(|j| (*j).to_owned()).collect(),
    };
    let open = ZoneHours::new(TimeZone::UTC, WeeklyHours::always());
    let own = OwnHours {
        phone: WeeklyHours::always(),
        email: WeeklyHours::every_day(crate::hours::DayHours::parse("08:00-21:00").unwrap()),
        email_reply: WeeklyHours::always(),
    };
    recipient_window(table, &recipient, own, open)
}

fn local(zone: &str, when: &str) -> Timestamp {
    let dt: DateTime = when.parse().unwrap();
    dt.to_zoned_datetime(TimeZone::get(zone).unwrap())
        .unwrap()
        .timestamp()
}

/// The gate's verdict on an automated marketing step with written consent.
fn verdict_at(w: &ContactWindow, channel: Channel, sent: &[Timestamp], at: Timestamp) -> Verdict {
    verdict_with(w, channel, sent, super::MessagePurpose::Marketing, at)
}

/// The gate's verdict on an automated step of `purpose` with written consent.
fn verdict_with(
    w: &ContactWindow,
    channel: Channel,
    sent: &[Timestamp],
    purpose: super::MessagePurpose,
    at: Timestamp,
) -> Verdict {
    check(
        &Check {
            purpose: Purpose::CadenceTouch,
            channel,
            window: w,
            opted_out: false,
            revoked: &[],
            sent_recently: sent,
            message: purpose,
            automated: true,
            basis: Some(super::rules::Basis::ExpressWritten),
        },
        at,
    )
}

fn sends(verdict: &Verdict) -> bool {
    matches!(verdict, Verdict::Send)
}

#[test]
fn the_built_in_table_parses_and_every_figure_has_its_citation_and_date() {
    let table = RuleTable::parse(BUILT_IN).expect("the built-in table parses");
    assert_eq!(table, *BUILT_IN_TABLE);
    assert!(table.rules.len() >= 40, "{} rows", table.rules.len());
    for rule in &table.rules {
        assert!(!rule.citation.trim().is_empty(), "{}", rule.id);
        assert!(
            table.jurisdictions.contains_key(&rule.jurisdiction),
            "{}",
            rule.id
        );
    }
}

#[rstest]
#[case("US.hours", "all", Some("08:00-21:00"))]
#[case("US-FL.hours", "all", Some("08:00-20:00"))]
#[case("US-OK.hours", "all", Some("08:00-20:00"))]
#[case("US-MD.hours", "all", Some("08:00-20:00"))]
#[case("US-WA.hours", "all", Some("08:00-20:00"))]
#[case("US-MA.hours", "all", Some("08:00-20:00"))]
#[case("US-TX.hours", "mon-sat", Some("09:00-21:00"))]
#[case("US-TX.sunday", "sun", Some("12:00-21:00"))]
#[case("US-CT.hours", "all", Some("09:00-20:00"))]
#[case("US-KY.hours", "all", Some("10:00-21:00"))]
#[case("US-MI.hours", "all", Some("09:00-21:00"))]
#[case("US-MN.hours", "all", Some("09:00-21:00"))]
#[case("US-NM.hours", "all", Some("09:00-21:00"))]
#[case("US-NV.hours", "all", Some("09:00-20:00"))]
#[case("US-AL.sunday", "sun", None)]
#[case("US-LA.sunday", "sun", None)]
#[case("US-MS.sunday", "sun", None)]
#[case("US-UT.sunday", "sun", None)]
#[case("US-RI.sunday", "sun", None)]
#[case("US-PA.sunday", "sun", Some("13:30-21:00"))]
#[case("CA.weekdays", "mon-fri", Some("09:00-21:30"))]
#[case("CA.weekends", "sat-sun", Some("10:00-18:00"))]
fn the_issues_hours_are_in_the_table(
    #[case] id: &str,
    #[case] days: &str,
    #[case] hours: Option<&str>,
) {
    let rule = BUILT_IN_TABLE.rules.iter().find(|r| r.id == id).expect(id);
    match &rule.limit {
        Limit::Hours { days: d, hours: h } => {
            assert_eq!(super::rules::days_text(d), days, "{id}");
            assert_eq!(h.map(|h| h.to_string()).as_deref(), hours, "{id}");
        }
        other => panic!("{id}: {other:?}"),
    }
}

#[rstest]
#[case("US-FL.cap", 3, 24)]
#[case("US-OK.cap", 3, 24)]
#[case("US-MD.cap", 3, 24)]
#[case("US-ME.cap", 1, 8)]
fn the_issues_caps_are_in_the_table(#[case] id: &str, #[case] max: u32, #[case] per: u32) {
    let rule = BUILT_IN_TABLE.rules.iter().find(|r| r.id == id).expect(id);
    assert_eq!(
        rule.limit,
        Limit::Cap {
            max,
            per_hours: per
        }
    );
}

#[test]
fn an_override_row_replaces_the_built_in_one_and_a_bad_row_names_its_field() {
    let over = r#"
        [[rule]]
        id = "US-FL.hours"
        jurisdiction = "US-FL"
        kind = "hours"
        days = "all"
        hours = "09:00-19:00"
        citation = "dealer policy"
        effective = "2026-01-01"
    "#;
    let table = BUILT_IN_TABLE.merged(over, "compliance.toml").unwrap();
    assert_eq!(table.rules.len(), BUILT_IN_TABLE.rules.len());
    let fl = table.rules.iter().find(|r| r.id == "US-FL.hours").unwrap();
    assert_eq!(fl.origin, "compliance.toml");
    let no_citation = over.replace("citation = \"dealer policy\"", "");
    let err = BUILT_IN_TABLE
        .merged(&no_citation, "compliance.toml")
        .unwrap_err();
    assert!(err.to_string().contains("citation"), "{err}");
    let bad_hours = over.replace("09:00-19:00", "9-7");
    let err = BUILT_IN_TABLE
        .merged(&bad_hours, "compliance.toml")
        .unwrap_err();
    assert!(
        err.to_string().contains("US-FL.hours") && err.to_string().contains("hours"),
        "{err}"
    );
}

// 2026-12-02 is a Wednesday, 2026-12-05 a Saturday, 2026-12-06 a Sunday, 2026-12-25 a Friday.
#[rstest]
#[case::fl_weekday_1959(&["US-FL"], "America/New_York", "2026-12-02T19:59", true)]
#[case::fl_weekday_2000(&["US-FL"], "America/New_York", "2026-12-02T20:00", false)]
#[case::fl_weekday_2001(&["US-FL"], "America/New_York", "2026-12-02T20:01", false)]
#[case::fl_morning_0759(&["US-FL"], "America/New_York", "2026-12-02T07:59", false)]
#[case::fl_morning_0800(&["US-FL"], "America/New_York", "2026-12-02T08:00", true)]
#[case::fl_sunday(&["US-FL"], "America/New_York", "2026-12-06T10:00", true)]
#[case::fl_holiday(&["US-FL"], "America/New_York", "2026-12-25T10:00", true)]
#[case::ok_2000(&["US-OK"], "America/Chicago", "2026-12-02T20:00", false)]
#[case::md_1959(&["US-MD"], "America/New_York", "2026-12-02T19:59", true)]
#[case::wa_2001(&["US-WA"], "America/Los_Angeles", "2026-12-02T20:01", false)]
#[case::federal_only_2059(&["US-NY"], "America/New_York", "2026-12-02T20:59", true)]
#[case::federal_only_2100(&["US-NY"], "America/New_York", "2026-12-02T21:00", false)]
#[case::tx_0859(&["US-TX"], "America/Chicago", "2026-12-02T08:59", false)]
#[case::tx_0900(&["US-TX"], "America/Chicago", "2026-12-02T09:00", true)]
#[case::tx_2059(&["US-TX"], "America/Chicago", "2026-12-02T20:59", true)]
#[case::tx_sunday_1159(&["US-TX"], "America/Chicago", "2026-12-06T11:59", false)]
#[case::tx_sunday_1200(&["US-TX"], "America/Chicago", "2026-12-06T12:00", true)]
#[case::ct_2000(&["US-CT"], "America/New_York", "2026-12-02T20:00", false)]
#[case::ky_0959(&["US-KY"], "America/New_York", "2026-12-02T09:59", false)]
#[case::nv_2001(&["US-NV"], "America/Los_Angeles", "2026-12-02T20:01", false)]
#[case::al_sunday(&["US-AL"], "America/Chicago", "2026-12-06T12:00", false)]
#[case::al_holiday(&["US-AL"], "America/Chicago", "2026-12-25T12:00", false)]
#[case::al_weekday_2030(&["US-AL"], "America/Chicago", "2026-12-02T20:30", true)]
#[case::ms_holiday(&["US-MS"], "America/Chicago", "2026-12-25T12:00", true)]
#[case::ms_sunday(&["US-MS"], "America/Chicago", "2026-12-06T12:00", false)]
#[case::ri_1759(&["US-RI"], "America/New_York", "2026-12-02T17:59", true)]
#[case::ri_1800(&["US-RI"], "America/New_York", "2026-12-02T18:00", false)]
#[case::ri_saturday_1700(&["US-RI"], "America/New_York", "2026-12-05T17:00", false)]
#[case::pa_sunday_1329(&["US-PA"], "America/New_York", "2026-12-06T13:29", false)]
#[case::pa_sunday_1330(&["US-PA"], "America/New_York", "2026-12-06T13:30", true)]
#[case::on_2129(&["CA-ON"], "America/Toronto", "2026-12-02T21:29", true)]
#[case::on_2130(&["CA-ON"], "America/Toronto", "2026-12-02T21:30", false)]
#[case::on_saturday_1800(&["CA-ON"], "America/Toronto", "2026-12-05T18:00", false)]
#[case::unknown_0959(&[], "America/Chicago", "2026-12-02T09:59", false)]
#[case::unknown_1000(&[], "America/Chicago", "2026-12-02T10:00", true)]
// Unknown: every row at once, so Kentucky's 10:00 and Rhode Island's 18:00 bound a weekday.
#[case::unknown_1759(&[], "America/Chicago", "2026-12-02T17:59", true)]
#[case::unknown_1800(&[], "America/Chicago", "2026-12-02T18:00", false)]
#[case::unknown_saturday_1700(&[], "America/Chicago", "2026-12-05T17:00", false)]
#[case::unknown_sunday(&[], "America/Chicago", "2026-12-06T14:00", false)]
#[case::unknown_holiday(&[], "America/Chicago", "2026-12-25T12:00", false)]
fn a_text_goes_only_inside_every_applicable_states_hours(
    #[case] jurisdictions: &[&str],
    #[case] zone: &str,
    #[case] when: &str,
    #[case] goes: bool,
) {
    let w = window(jurisdictions, &[zone]);
    let verdict = verdict_at(&w, Channel::Sms, &[], local(zone, when));
    assert_eq!(sends(&verdict), goes, "{verdict:?}");
    if !goes {
        assert!(
            matches!(
                verdict,
                Verdict::Defer {
                    rule: Rule::ContactWindow,
                    ..
                }
            ),
            "{verdict:?}"
        );
    }
}

#[test]
fn an_email_follows_its_own_hours_not_the_states() {
    let w = window(&["US-FL"], &["America/New_York"]);
    let evening = local("America/New_York", "2026-12-02T20:30");
    assert!(!sends(&verdict_at(&w, Channel::Sms, &[], evening)));
    assert!(sends(&verdict_at(&w, Channel::Email, &[], evening)));
    let late = local("America/New_York", "2026-12-02T21:30");
    assert!(!sends(&verdict_at(&w, Channel::Email, &[], late)));
}

/// The gate's verdict on a message of `purpose` (a cadence step, sent by the machine).
fn verdict_of(
    w: &ContactWindow,
    channel: Channel,
    purpose: super::MessagePurpose,
    at: Timestamp,
) -> Verdict {
    verdict_with(w, channel, &[], purpose, at)
}

#[test]
fn an_email_answering_the_customers_inquiry_follows_the_reply_hours_alone() {
    use super::MessagePurpose::{Conversational, Marketing};
    let recipient = Recipient {
        zones: vec!["America/Chicago".into()],
        jurisdictions: vec!["US-IL".into()],
    };
    let hours = |h: &str| WeeklyHours::every_day(crate::hours::DayHours::parse(h).unwrap());
    let business = ZoneHours::new(
        TimeZone::get("America/Chicago").unwrap(),
        hours("09:00-20:00"),
    );
    let window = |reply: WeeklyHours| {
        let own = OwnHours {
            phone: hours("08:00-21:00"),
            email: hours("08:00-21:00"),
            email_reply: reply,
        };
        recipient_window(&BUILT_IN_TABLE, &recipient, own, business.clone())
    };
    let night = local("America/Chicago", "2026-12-02T23:30");
    // The default: any time, business hours or not.
    let w = window(WeeklyHours::always());
    assert_eq!(
        verdict_of(&w, Channel::Email, Conversational, night),
        Verdict::Send
    );
    // A marketing e-mail keeps email_hours and the business hours; a conversational text keeps the
    // phone rows.
    for (channel, purpose) in [(Channel::Email, Marketing), (Channel::Sms, Conversational)] {
        match verdict_of(&w, channel, purpose, night) {
            Verdict::Defer { until, .. } => {
                assert_eq!(
                    until,
                    local("America/Chicago", "2026-12-03T09:00"),
                    "{channel:?}"
                )
            }
            other => panic!("{channel:?} {purpose:?}: {other:?}"),
        }
    }
    // Reply hours of the dealer's own.
    let w = window(hours("07:00-22:00"));
    match verdict_of(&w, Channel::Email, Conversational, night) {
        Verdict::Defer { until, .. } => {
            assert_eq!(until, local("America/Chicago", "2026-12-03T07:00"))
        }
        other => panic!("{other:?}"),
    }
}

#[rstest]
// DST starts 2026-03-08 at 02:00: 08:00 EDT is 12:00Z.
#[case("2026-03-08T11:59:00Z", Some("2026-03-08T12:00:00Z"))]
#[case("2026-03-08T12:00:00Z", None)]
#[case("2026-03-08T23:59:00Z", None)] // 19:59 EDT
#[case("2026-03-09T00:00:00Z", Some("2026-03-09T12:00:00Z"))] // 20:00 EDT
// DST ends 2026-11-01 at 02:00: 08:00 EST is 13:00Z.
#[case("2026-11-01T12:30:00Z", Some("2026-11-01T13:00:00Z"))]
#[case("2026-11-02T00:59:00Z", None)] // 19:59 EST
#[case("2026-11-02T01:00:00Z", Some("2026-11-02T13:00:00Z"))] // 20:00 EST
fn florida_hours_hold_across_dst_days(#[case] now: &str, #[case] until: Option<&str>) {
    let w = window(&["US-FL"], &["America/New_York"]);
    let verdict = verdict_at(&w, Channel::Sms, &[], now.parse().unwrap());
    match until {
        None => assert_eq!(verdict, Verdict::Send, "{now}"),
        Some(u) => match verdict {
            Verdict::Defer { until, .. } => assert_eq!(until, u.parse::<Timestamp>().unwrap()),
            other => panic!("{now}: {other:?}"),
        },
    }
}

#[rstest]
// California keeps the federal 08:00-21:00. DST starts 2026-03-08 at 02:00 PST: 08:00 PDT is 15:00Z,
// never 16:00Z (an hour late, read as PST) or 14:00Z (early).
#[case("2026-03-08T05:30:00Z", Some("2026-03-08T15:00:00Z"))] // Saturday 21:30 PST
#[case("2026-03-08T09:30:00Z", Some("2026-03-08T15:00:00Z"))] // 01:30 PST, before the jump
#[case("2026-03-08T14:59:00Z", Some("2026-03-08T15:00:00Z"))] // 07:59 PDT
#[case("2026-03-08T15:00:00Z", None)]
#[case("2026-03-09T03:59:00Z", None)] // 20:59 PDT
#[case("2026-03-09T04:00:00Z", Some("2026-03-09T15:00:00Z"))] // 21:00 PDT
// DST ends 2026-11-01 at 02:00 PDT: 08:00 PST is 16:00Z.
#[case("2026-11-01T04:30:00Z", Some("2026-11-01T16:00:00Z"))] // Saturday 21:30 PDT
#[case("2026-11-01T09:30:00Z", Some("2026-11-01T16:00:00Z"))] // the second 01:30 (PST)
#[case("2026-11-01T15:59:00Z", Some("2026-11-01T16:00:00Z"))] // 07:59 PST
#[case("2026-11-01T16:00:00Z", None)]
#[case("2026-11-02T04:59:00Z", None)] // 20:59 PST
#[case("2026-11-02T05:00:00Z", Some("2026-11-02T16:00:00Z"))] // 21:00 PST
fn california_hours_hold_across_dst_days(#[case] now: &str, #[case] until: Option<&str>) {
    let w = window(&["US-CA"], &["America/Los_Angeles"]);
    let verdict = verdict_at(&w, Channel::Sms, &[], now.parse().unwrap());
    match until {
        None => assert_eq!(verdict, Verdict::Send, "{now}"),
        Some(u) => match verdict {
            Verdict::Defer { until, .. } => {
                assert_eq!(until, u.parse::<Timestamp>().unwrap(), "{now}")
            }
            other => panic!("{now}: {other:?}"),
        },
    }
}

#[test]
fn a_number_in_two_zones_waits_for_the_later_morning_and_the_earlier_evening() {
    // The Florida panhandle's 850 spans Eastern and Central time.
    let w = window(&["US-FL"], &["America/New_York", "America/Chicago"]);
    // 08:30 EST is 07:30 CST: Chicago is not open until 08:00 CST = 14:00Z.
    let verdict = verdict_at(
        &w,
        Channel::Sms,
        &[],
        local("America/New_York", "2026-12-02T08:30"),
    );
    assert!(
        matches!(verdict, Verdict::Defer { until, .. } if until == "2026-12-02T14:00:00Z".parse::<Timestamp>().unwrap()),
        "{verdict:?}"
    );
    // 19:30 CST is 20:30 EST: New York is closed.
    assert!(!sends(&verdict_at(
        &w,
        Channel::Sms,
        &[],
        local("America/Chicago", "2026-12-02T19:30")
    )));
}

#[test]
fn a_florida_number_owned_by_a_texan_keeps_both_states_hours() {
    let w = window(&["US-FL", "US-TX"], &["America/New_York"]);
    // 08:30 ET: Florida is open, Texas (09:00) is not.
    assert!(!sends(&verdict_at(
        &w,
        Channel::Sms,
        &[],
        local("America/New_York", "2026-12-02T08:30")
    )));
    // 20:30 ET: Texas is open, Florida (20:00) is not.
    assert!(!sends(&verdict_at(
        &w,
        Channel::Sms,
        &[],
        local("America/New_York", "2026-12-02T20:30")
    )));
    // Sunday 11:00: Florida is open, Texas waits for noon.
    assert!(!sends(&verdict_at(
        &w,
        Channel::Sms,
        &[],
        local("America/New_York", "2026-12-06T11:00")
    )));
    assert!(sends(&verdict_at(
        &w,
        Channel::Sms,
        &[],
        local("America/New_York", "2026-12-06T12:00")
    )));
}

#[test]
fn a_fourth_automated_text_in_24_hours_to_a_floridian_waits_until_the_first_leaves_the_period() {
    let w = window(&["US-FL"], &["America/New_York"]);
    let at = |s: &str| local("America/New_York", s);
    let sent = [
        at("2026-12-02T09:00"),
        at("2026-12-02T12:00"),
        at("2026-12-02T15:00"),
    ];
    let now = at("2026-12-02T17:00");
    match verdict_at(&w, Channel::Sms, &sent, now) {
        Verdict::Defer {
            until,
            rule: Rule::FrequencyCap,
            reason,
        } => {
            assert_eq!(until, at("2026-12-03T09:00"));
            assert!(reason.contains("US-FL.cap"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // Two sent: the third goes.
    assert!(sends(&verdict_at(&w, Channel::Sms, &sent[1..], now)));
    // A call counts the same; an e-mail is not capped.
    assert!(!sends(&verdict_at(&w, Channel::Call, &sent, now)));
    assert!(sends(&verdict_at(&w, Channel::Email, &sent, now)));
    // A cap that frees after the window closes waits for the next opening.
    let late = [
        at("2026-12-02T19:00"),
        at("2026-12-02T19:10"),
        at("2026-12-02T19:20"),
    ];
    match verdict_at(&w, Channel::Sms, &late, at("2026-12-02T19:30")) {
        Verdict::Defer { until, .. } => assert_eq!(until, at("2026-12-03T19:00")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn maine_allows_one_automated_call_per_eight_hours_and_texas_has_no_cap() {
    let me = window(&["US-ME"], &["America/New_York"]);
    let at = |s: &str| local("America/New_York", s);
    let sent = [at("2026-12-02T09:00")];
    match verdict_at(&me, Channel::Sms, &sent, at("2026-12-02T12:00")) {
        Verdict::Defer {
            until,
            rule: Rule::FrequencyCap,
            ..
        } => assert_eq!(until, at("2026-12-02T17:00")),
        other => panic!("{other:?}"),
    }
    let tx = window(&["US-TX"], &["America/Chicago"]);
    let many = [
        at("2026-12-02T10:00"),
        at("2026-12-02T11:00"),
        at("2026-12-02T12:00"),
        at("2026-12-02T13:00"),
    ];
    assert!(sends(&verdict_at(
        &tx,
        Channel::Sms,
        &many,
        at("2026-12-02T14:00")
    )));
}

/// An independent reading of the table: whether `t` is allowed for a text to someone in
/// `jurisdictions` and `zone`, computed from the rows directly.
fn allowed_by_table(jurisdictions: &[String], zone: &TimeZone, t: Timestamp) -> bool {
    let local = t.to_zoned_datetime(zone.clone());
    let date: Date = local.date();
    let minute = local.hour() as u16 * 60 + local.minute() as u16;
    let day = date.weekday().to_monday_zero_offset() as usize;
    let applies = |j: &str| {
        jurisdictions.is_empty()
            || jurisdictions
                .iter()
                .any(|r| r == j || r.split('-').next() == Some(j))
    };
    BUILT_IN_TABLE
        .rules
        .iter()
        .filter(|r| applies(&r.jurisdiction) && r.in_force(date))
        .all(|r| match &r.limit {
            Limit::Hours { days, hours } if days[day] => hours.is_some_and(|h| h.contains(minute)),
            Limit::Holidays { dates, .. } => !dates.contains(date),
            _ => true,
        })
}

const ZONES: &[&str] = &[
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Detroit",
    "America/Indiana/Indianapolis",
    "America/Boise",
    "America/Puerto_Rico",
    "America/Toronto",
];
const PLACES: &[&[&str]] = &[
    &[],
    &["US-FL"],
    &["US-TX"],
    &["US-FL", "US-TX"],
    &["US-AL"],
    &["US-RI"],
    &["US-PA"],
    &["US-KY", "US-ME"],
    &["US-NY"],
    &["CA-ON"],
    &["US-OK", "US-UT"],
    &["US-CT", "US-LA"],
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn no_text_is_sent_outside_the_applicable_window(
        zone in 0..ZONES.len(),
        second_zone in 0..ZONES.len(),
        place in 0..PLACES.len(),
        // 2026-01-01 .. 2027-01-01, any minute.
        minute in 0i64..(365 * 24 * 60),
    ) {
        let zones = [ZONES[zone], ZONES[second_zone]];
        let jurisdictions: Vec<String> = PLACES[place].iter().map(|j| (*j).to_owned()).collect();
        let w = window(PLACES[place], &zones);
        let start: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let now = start + jiff::SignedDuration::from_mins(minute);
        let tzs: Vec<TimeZone> = zones.iter().map(|z| TimeZone::get(z).unwrap()).collect();
        let allowed = |t: Timestamp| tzs.iter().all(|z| allowed_by_table(&jurisdictions, z, t));
        match verdict_at(&w, Channel::Sms, &[], now) {
            Verdict::Send => prop_assert!(allowed(now), "sent at {now}"),
            Verdict::Defer { until, .. } => {
                prop_assert!(!allowed(now), "deferred at {now} though allowed");
                prop_assert!(until > now && allowed(until), "deferred to {until}, not allowed");
            }
            Verdict::Deny { .. } => prop_assert!(false, "denied at {now}"),
        }
    }
}

#[test]
fn rules_in_force_later_do_not_limit_earlier_dates() {
    let over = r#"
        [[rule]]
        id = "US-FL.hours"
        jurisdiction = "US-FL"
        kind = "hours"
        days = "all"
        hours = "08:00-20:00"
        citation = "test"
        effective = "2027-01-01"
    "#;
    let table = BUILT_IN_TABLE.merged(over, "compliance.toml").unwrap();
    let w = window_of(&table, &["US-FL"], &["America/New_York"]);
    // 20:30 on 31 December 2026: the federal 21:00 still allows it, Florida's row is not yet in force.
    assert!(sends(&verdict_at(
        &w,
        Channel::Sms,
        &[],
        local("America/New_York", "2026-12-31T20:30")
    )));
    assert!(!sends(&verdict_at(
        &w,
        Channel::Sms,
        &[],
        local("America/New_York", "2027-01-01T20:30")
    )));
}

#[test]
fn a_virginia_number_keeps_its_text_stop_for_ten_years_from_2026() {
    // Va. Code 59.1-514 as amended by SB 1339 (2025): in force from 2026-01-01.
    let richmond = crate::PhoneNumber::parse("(804) 555-0142", "US").unwrap();
    assert_eq!(super::place::phone_jurisdictions(&richmond), ["US-VA"]);
    let date = |s: &str| s.parse::<Date>().unwrap();
    let kept = |on: &str| -> Vec<(String, u32)> {
        BUILT_IN_TABLE
            .rows_of("US-VA", date(on))
            .filter_map(|r| match r.limit {
                Limit::OptOut { keep_years, .. } => Some((r.id.clone(), keep_years)),
                _ => None,
            })
            .collect()
    };
    assert_eq!(kept("2026-07-01"), [("US-VA.opt_out".to_owned(), 10)]);
    assert!(kept("2025-12-31").is_empty());
    let row = BUILT_IN_TABLE
        .rows_of("US-VA", date("2026-07-01"))
        .next()
        .unwrap();
    assert!(row.citation.contains("SB 1339"), "{}", row.citation);
}
