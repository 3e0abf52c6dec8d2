//! Case tables for a due touch at send time (`dispatch.rs`): `(lead, touch, now) -> decision`, with
//! defect 1 (a text at 05:30 in the customer's zone after a restart) as a case of its own.

use rstest::rstest;

use super::dispatch::{touch_due, DispatchDecision, DueTouch};
use super::tests::{at, config};
use crate::cadence::Channel;
use crate::compliance::rules::Basis;
use crate::compliance::MessagePurpose;
use crate::engine::LeadState as TouchLead;
use crate::plan::contact_window;
use crate::window::ContactWindow;
use crate::{LeadStatus, Stage};

/// The lead of defect 1: a 415 number (Pacific) at a Chicago store, inside legal hours in both
/// zones and the store's sales hours.
fn window() -> ContactWindow {
    let config = config();
    let dealership = config.dealership(None).expect("starter dealership").clone();
    contact_window(
        &[
            "America/Los_Angeles".to_owned(),
            "America/Chicago".to_owned(),
        ],
        config.legal_hours,
        dealership.business_hours("sales"),
    )
}

fn lead(status: LeadStatus, opted_out: bool) -> TouchLead {
    TouchLead {
        status,
        stage: Stage::New,
        opted_out,
        has_phone: true,
        has_email: false,
        cadence_ends_at: Stage::AppointmentSet,
    }
}

/// What a case changes about the touch besides the lead.
#[derive(Default, Clone, Copy)]
struct Touch {
    revoked: &'static [&'static str],
    suppressed: bool,
    unplaced: bool,
    appointment: Option<Result<&'static str, &'static str>>,
    halted: Option<&'static str>,
    do_not_call: Option<&'static str>,
    /// The block's purpose (marketing when left out).
    purpose: MessagePurpose,
    /// The federal row's `express_written` requirement is on the window.
    written_required: bool,
    /// The basis the contact's evidence gives.
    basis: Option<Basis>,
}

fn decide(lead: TouchLead, touch: Touch, now: &str) -> DispatchDecision {
    let window = match touch.written_required {
        true => window().with_consents(vec![(
            Basis::ExpressWritten,
            "US.consent".into(),
            jiff::civil::date(2013, 10, 16),
            None,
        )]),
        false => window(),
    };
    let revoked: Vec<String> = touch.revoked.iter().map(|s| (*s).to_owned()).collect();
    let due = DueTouch {
        lead: &lead,
        channel: Channel::Sms,
        window: (!touch.unplaced).then_some(&window),
        dealership: "lakeside",
        revoked: &revoked,
        suppressed: touch.suppressed.then_some("the customer's data was erased"),
        appointment: touch.appointment.map(|a| a.map(at)),
        sent_recently: &[],
        halted: touch.halted,
        do_not_call: touch.do_not_call,
        purpose: touch.purpose,
        automated: true,
        basis: touch.basis,
    };
    touch_due(&due, at(now))
}

/// Wednesday 2026-12-02, 13:30Z: 05:30 in San Francisco, 07:30 at the store.
const RESTART: &str = "2026-12-02T13:30:00Z";
/// 12:00 Pacific the same day.
const NOON_PACIFIC: &str = "2026-12-02T20:00:00Z";

fn active() -> TouchLead {
    lead(LeadStatus::Active, false)
}

fn skip(reason: &str) -> DispatchDecision {
    DispatchDecision::Skip {
        reason: reason.into(),
    }
}

fn end(reason: &str) -> DispatchDecision {
    DispatchDecision::End {
        status: LeadStatus::Stopped,
        reason: reason.into(),
    }
}

#[rstest]
#[case::inside_every_window_it_goes(
    active(),
    Touch::default(),
    NOON_PACIFIC,
    DispatchDecision::Send
)]
#[case::an_opted_out_lead_ends(
    lead(LeadStatus::Active, true),
    Touch::default(),
    NOON_PACIFIC,
    end("opted out")
)]
#[case::a_paused_lead_holds_the_touch(
    lead(LeadStatus::Paused, false),
    Touch::default(),
    NOON_PACIFIC,
    DispatchDecision::Hold
)]
#[case::an_erased_contact_ends_the_follow_up(
    active(), Touch { suppressed: true, ..Touch::default() }, NOON_PACIFIC, end("the customer's data was erased")
)]
#[case::a_revoked_channel_skips_the_step(
    active(), Touch { revoked: &["sms"], ..Touch::default() }, NOON_PACIFIC,
    skip("the customer revoked consent for sms")
)]
#[case::a_dealership_no_longer_configured_skips(
    active(), Touch { unplaced: true, ..Touch::default() }, NOON_PACIFIC,
    skip("dealership lakeside is no longer configured")
)]
#[case::an_engaged_kill_switch_holds_the_touch_with_its_reason(
    active(), Touch { halted: Some("kill switch engaged"), ..Touch::default() }, NOON_PACIFIC,
    DispatchDecision::Halt { reason: "kill switch engaged".into() }
)]
#[case::an_engaged_kill_switch_holds_even_outside_the_window(
    active(), Touch { halted: Some("kill switch engaged"), ..Touch::default() }, RESTART,
    DispatchDecision::Halt { reason: "kill switch engaged".into() }
)]
#[case::an_opted_out_lead_ends_whatever_the_kill_switch(
    lead(LeadStatus::Active, true), Touch { halted: Some("kill switch engaged"), ..Touch::default() },
    NOON_PACIFIC, end("opted out")
)]
#[case::a_do_not_call_number_without_a_relationship_skips_the_text(
    active(), Touch { do_not_call: Some("on the do-not-call list"), ..Touch::default() }, NOON_PACIFIC,
    skip("on the do-not-call list")
)]
#[case::a_marketing_text_without_written_consent_asks_the_owner_for_it(
    active(), Touch { written_required: true, basis: Some(Basis::Express), ..Touch::default() }, NOON_PACIFIC,
    DispatchDecision::AskConsent { reason: "an automated marketing sms needs express_written consent (US.consent) and the customer's evidence gives express".into() }
)]
#[case::a_marketing_text_without_any_evidence_asks_the_owner_for_it(
    active(), Touch { written_required: true, ..Touch::default() }, NOON_PACIFIC,
    DispatchDecision::AskConsent { reason: "an automated marketing sms needs express_written consent (US.consent) and the customer's evidence gives none".into() }
)]
#[case::a_marketing_text_with_written_consent_goes(
    active(), Touch { written_required: true, basis: Some(Basis::ExpressWritten), ..Touch::default() }, NOON_PACIFIC,
    DispatchDecision::Send
)]
#[case::an_informational_text_needs_no_written_consent(
    active(), Touch { written_required: true, purpose: MessagePurpose::Informational, ..Touch::default() }, NOON_PACIFIC,
    DispatchDecision::Send
)]
#[case::a_do_not_call_number_with_written_consent_gets_the_text(
    active(), Touch { do_not_call: Some("on the do-not-call list"), basis: Some(Basis::ExpressWritten), ..Touch::default() },
    NOON_PACIFIC, DispatchDecision::Send
)]
#[case::a_do_not_call_number_gets_an_informational_text(
    active(), Touch { do_not_call: Some("on the do-not-call list"), purpose: MessagePurpose::Informational, ..Touch::default() },
    NOON_PACIFIC, DispatchDecision::Send
)]
#[case::a_reminder_without_its_appointment_ends(
    active(), Touch { appointment: Some(Err("the appointment was cancelled")), ..Touch::default() },
    NOON_PACIFIC, end("the appointment was cancelled")
)]
fn a_due_touch(
    #[case] lead: TouchLead,
    #[case] touch: Touch,
    #[case] now: &str,
    #[case] expected: DispatchDecision,
) {
    assert_eq!(decide(lead, touch, now), expected);
}

#[test]
fn defect_1_an_overdue_text_at_0530_in_the_customers_zone_is_deferred_to_the_next_legal_opening_with_the_reason(
) {
    match decide(active(), Touch::default(), RESTART) {
        DispatchDecision::Defer {
            until,
            rule,
            reason,
        } => {
            assert_eq!(rule, "contact_window");
            assert!(!reason.is_empty());
            let pacific =
                until.to_zoned_datetime(jiff::tz::TimeZone::get("America/Los_Angeles").unwrap());
            assert!(
                until > at(RESTART) && pacific.hour() >= 8 && pacific.hour() < 21,
                "deferred to {until} ({pacific}): {reason}"
            );
            assert_eq!(
                decide(active(), Touch::default(), &until.to_string()),
                DispatchDecision::Send
            );
        }
        other => panic!("an overdue text at 05:30 Pacific was not deferred: {other:?}"),
    }
}

#[test]
fn a_reminder_that_cannot_go_before_its_appointment_is_skipped() {
    let touch = Touch {
        appointment: Some(Ok("2026-12-02T14:00:00Z")),
        ..Touch::default()
    };
    match decide(active(), touch, RESTART) {
        DispatchDecision::Skip { reason } => {
            assert!(
                reason.ends_with("the appointment starts before then"),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
}
