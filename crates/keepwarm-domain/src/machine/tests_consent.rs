//! Case tables for what used to be decided in the engine: a person's decision on a held opt-out, a
//! call nobody answered, and a channel's lasting refusal (`opt_out_hold.rs`, `hand_off.rs`,
//! `consent.rs`). Each change is one line, so a table reads as what the event does.

use rstest::rstest;

use super::opt_out_hold::{released_leads, waiting_hold, HoldDecision, CONFIRM_OPT_OUT};
use super::tests::{at, escalation, lead, step_at, with, NOW};
use super::tests_reply::line;
use super::*;
use crate::{LeadId, LeadStatus, PhoneNumber};

/// The customer's number (lead 7's, and lead 9's).
const PHONE: &str = "+13125550123";

fn phone() -> PhoneNumber {
    PhoneNumber::parse(PHONE, "US").expect("number")
}

/// Lead 7 held by "how did you get my number?": paused, an escalation and a `confirm_opt_out`
/// task open, held a minute ago; lead 9 has the number too.
fn held() -> LeadState {
    with(lead(), |s| {
        s.status = LeadStatus::Paused;
        s.phone = Some(PHONE.into());
        s.contact.leads = vec![(LeadId(7), false), (LeadId(9), false)];
        s.escalations = vec![escalation(21, "sam", 0, &["sam"])];
        s.tasks = vec![
            OpenTask {
                id: 5,
                owner: "sam".into(),
                kind: CONFIRM_OPT_OUT.into(),
            },
            OpenTask {
                id: 6,
                owner: "sam".into(),
                kind: "call".into(),
            },
        ];
        s.opt_out_hold = Some(at("2026-12-01T15:59:00Z"));
    })
}

fn decide(decision: HoldDecision) -> Event {
    Event::OptOutHoldDecided {
        decision,
        by: "sam".into(),
    }
}

/// The changes `event` makes at [`NOW`], one line each.
fn run(state: &LeadState, event: Event, now: &str) -> Result<Vec<String>, Refusal> {
    step_at(state, event, now, &Cadences::new()).map(|c| c.iter().map(line).collect())
}

fn lines(expected: &[&str]) -> Vec<String> {
    expected.iter().map(|l| (*l).to_owned()).collect()
}

#[rstest]
#[case::a_confirmed_opt_out_revokes_stops_every_lead_confirms_once_and_closes_the_ask(
    held(), decide(HoldDecision::Confirm), lines(&[
        "revoke +13125550123 all via staff confirmed a possible opt-out",
        "stop 7 opt_out=true",
        "stop 9 opt_out=true",
        "events opt_out_hold_confirmed",
        "enqueue opt_out_confirmation to +13125550123",
        "acknowledge 21 by sam",
        "events escalation_acknowledged",
        "complete task 5 done",
        "events task_completed"]))]
#[case::a_released_hold_resumes_the_lead_and_closes_the_ask(
    held(), decide(HoldDecision::Release), lines(&[
        "events opt_out_hold_released",
        "acknowledge 21 by sam",
        "events escalation_acknowledged",
        "complete task 5 done",
        "events task_completed",
        "resume "]))]
#[case::a_release_of_a_lead_a_person_stopped_meanwhile_does_not_resume_it(
    with(held(), |s| s.status = LeadStatus::Stopped), decide(HoldDecision::Release), lines(&[
        "events opt_out_hold_released",
        "acknowledge 21 by sam",
        "events escalation_acknowledged",
        "complete task 5 done",
        "events task_completed"]))]
fn a_person_decides_a_held_opt_out(
    #[case] state: LeadState,
    #[case] event: Event,
    #[case] expected: Vec<String>,
) {
    let changes = run(&state, event, NOW).expect("not refused");
    assert_eq!(changes, expected, "{changes:#?}");
}

#[test]
fn a_decision_with_no_hold_waiting_or_no_number_is_refused() {
    let none = with(held(), |s| s.opt_out_hold = None);
    assert_eq!(
        run(&none, decide(HoldDecision::Confirm), NOW),
        Err(Refusal::NoOptOutHold)
    );
    let no_phone = with(held(), |s| s.phone = None);
    assert_eq!(
        run(&no_phone, decide(HoldDecision::Release), NOW),
        Err(Refusal::NoPhone)
    );
}

#[test]
fn a_hold_waits_until_a_decision_comes_after_it() {
    let (early, late) = (at("2026-12-01T15:00:00Z"), at("2026-12-01T16:00:00Z"));
    assert_eq!(waiting_hold(None, None), None);
    assert_eq!(waiting_hold(Some(early), None), Some(early));
    assert_eq!(waiting_hold(Some(early), Some(late)), None);
    // Held again after the last decision: a new question for a person.
    assert_eq!(waiting_hold(Some(late), Some(early)), Some(late));
}

#[test]
fn a_release_takes_up_the_other_leads_with_the_number_by_their_own_resume() {
    let others = released_leads(&held(), HoldDecision::Release, "sam");
    let ids: Vec<LeadId> = others.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, vec![LeadId(9)]);
    assert!(matches!(others[0].1, Event::Resume { .. }));
    assert!(released_leads(&held(), HoldDecision::Confirm, "sam").is_empty());
}

/// Lead 7 of the starter dealership, calling from its number.
fn caller(status: LeadStatus) -> LeadState {
    with(lead(), |s| {
        s.dealership = "main".into();
        s.phone = Some(PHONE.into());
        s.status = status;
    })
}

fn missed(text_back: bool) -> Event {
    let outbound = NewOutbound {
        purpose: OutboundPurpose::MissedCallText,
        ..staff_alert_stub()
    };
    Event::CallMissed(Box::new(MissedCall {
        call_sid: "CA1".into(),
        from: phone(),
        rang: vec!["sam".into(), "alex".into()],
        text_back: if text_back {
            Ok(outbound)
        } else {
            Err("the customer opted out".into())
        },
        idempotency_key: "twilio-voice:CA1:missed".into(),
    }))
}

/// A queued message to the customer, for the text back.
fn staff_alert_stub() -> NewOutbound {
    let config = super::tests::config();
    let sam = config.staff_member("sam").expect("sam").clone();
    alerts::escalation_alert(LeadId(7), "lakeside", &sam, None, "text", at(NOW))
        .expect("sam has a number")
}

#[rstest]
#[case::a_missed_call_on_a_running_follow_up_pauses_it_and_hands_the_lead_to_a_person(
    caller(LeadStatus::Active), missed(true), lines(&[
        "events call_missed",
        "task call for sam",
        "enqueue missed_call_text to +13125550111",
        "pause 7",
        "timer resume_after_silence",
        "timer going_cold"]))]
#[case::a_missed_call_on_a_paused_lead_sets_no_second_pause_and_no_text_it_may_not_send(
    caller(LeadStatus::Paused), missed(false), lines(&["events call_missed", "task call for sam"]))]
fn a_call_nobody_answered_is_handed_to_a_person(
    #[case] state: LeadState,
    #[case] event: Event,
    #[case] head: Vec<String>,
) {
    let changes = run(&state, event, NOW).expect("not refused");
    assert_eq!(changes[..head.len()], head[..], "{changes:#?}");
    // The hand-off's tail: an escalation on its clock with its alert, the lead waiting on us.
    let tail: Vec<&str> = changes[head.len()..]
        .iter()
        .map(|l| l.split(' ').next().unwrap_or_default())
        .collect();
    assert_eq!(tail, ["escalation", "enqueue", "events"], "{changes:#?}");
}

#[test]
fn a_missed_call_is_applied_once_per_call() {
    assert_eq!(
        missed(true).idempotency_key(),
        Some("twilio-voice:CA1:missed")
    );
}

#[rstest]
#[case::a_carrier_opt_out_stops_every_lead_with_the_number_not_yet_opted_out(
    ChannelRefusal::PhoneOptedOut { phone: phone(), reason: "21610".into() },
    lines(&[
        "revoke +13125550123 all via carrier opt-out (Twilio 21610)",
        "stop 7 opt_out=true"]))]
#[case::a_mail_server_refusal_revokes_email_only(
    ChannelRefusal::EmailOptedOut {
        address: crate::EmailAddress::parse("Dana@Example.com").expect("address"),
        reason: "550 unsubscribed".into(),
    },
    lines(&["revoke dana@example.com email via mail server refusal"]))]
#[case::an_unreachable_number_is_marked_unusable(
    ChannelRefusal::Unreachable {
        kind: "phone".into(), value: PHONE.into(), reason: "not a mobile number".into(),
    },
    lines(&["unusable phone +13125550123: not a mobile number"]))]
fn a_channel_refusal_changes_consent_or_the_contact(
    #[case] refusal: ChannelRefusal,
    #[case] expected: Vec<String>,
) {
    let state = with(lead(), |s| {
        s.phone = Some(PHONE.into());
        s.contact.leads = vec![(LeadId(7), false), (LeadId(9), true)];
    });
    let changes = run(&state, Event::ChannelRefused(Box::new(refusal)), NOW).expect("not refused");
    assert_eq!(changes, expected, "{changes:#?}");
}
