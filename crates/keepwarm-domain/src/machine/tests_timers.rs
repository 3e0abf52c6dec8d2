//! Case tables for the `nurture` timer (it moved here from the engine), and for the enrollment
//! planner every way into a cadence shares.

use rstest::rstest;

use super::enroll::{plan_enrollment, Enrolling};
use super::tests::{at, config, lead, strings, summary, with, NOW};
use super::*;
use crate::conversation::ConversationFacts;
use crate::lead::LeadInput;
use crate::{LeadStatus, PhoneNumber};

/// The starter configuration's cadences, as the driver keeps them.
fn cadences() -> Cadences {
    let config = config();
    config
        .cadences
        .values()
        .map(|c| {
            let snapshot = crate::cadence::CadenceSnapshot::new(c, &config.blocks);
            (c.name.clone(), (snapshot.version(), Arc::new(snapshot)))
        })
        .collect()
}

/// Lead 7 (main dealership, a Chicago number) paused by a "not now" 30 days ago.
fn said_not_now() -> LeadState {
    with(lead(), |s| {
        s.dealership = "main".into();
        s.phone = Some("+13125550103".into());
        s.status = LeadStatus::Paused;
        s.segment_rule = "default".into();
        s.conversation = ConversationFacts {
            open_escalation: false,
            last_customer_at: Some(at("2026-10-31T15:00:00Z")),
            last_person_at: None,
        };
    })
}

fn nurture_fired() -> Event {
    Event::TimerFired {
        kind: TimerKind::Nurture,
        set_at: at("2026-10-31T16:00:00Z"),
    }
}

/// One line per change, with a reopening's cadence, status and first touch.
fn lines(state: &LeadState) -> Vec<String> {
    let changes = super::tests::step_at(state, nurture_fired(), NOW, &cadences()).expect("decided");
    changes
        .iter()
        .map(|c| match c {
            Change::Reopen(r) => format!(
                "reopen {} {} first step {:?}",
                r.enrollment.cadence_name,
                r.status,
                r.enrollment.first_touch.as_ref().map(|t| t.step_index)
            ),
            Change::Task(t) => format!("task {} for {}", t.kind, t.owner_id),
            other => summary(other),
        })
        .collect()
}

#[rstest]
#[case::a_quiet_customer_moves_to_long_term_nurture(said_not_now(), &[
    "events nurture_enrolled enrolled",
    "reopen long_term_nurture active first step Some(0)",
])]
// Defect 2: a hot question before the "not now" that nobody took keeps automation quiet: the timer
// re-arms, the timeline says why, and the manager hears the lead is going cold.
#[case::an_unacknowledged_escalation_holds_nurture_back(
    with(said_not_now(), |s| s.conversation.open_escalation = true), &[
    "timer nurture 2026-12-04T16:00:00Z",
    "events resume_held_back",
    "enqueue manager_alert to +13125550119",
])]
// Once a cycle: the silence timer already held the lead back a day ago, so nurture only re-arms
// for the end of that cycle (both fire together next time) and the manager is not told again.
#[case::a_lead_held_back_earlier_in_the_cycle_is_not_alerted_twice(
    with(said_not_now(), |s| {
        s.conversation.open_escalation = true;
        s.last_held_back_at = Some(at("2026-11-30T16:00:00Z"));
    }), &["timer nurture 2026-12-03T16:00:00Z"])]
#[case::a_lead_held_back_a_whole_cycle_ago_is_alerted_again(
    with(said_not_now(), |s| {
        s.conversation.open_escalation = true;
        s.last_held_back_at = Some(at("2026-11-28T16:00:00Z"));
    }), &[
    "timer nurture 2026-12-04T16:00:00Z",
    "events resume_held_back",
    "enqueue manager_alert to +13125550119",
])]
#[case::a_customer_who_spoke_since_is_in_a_conversation(
    with(said_not_now(), |s| s.conversation.last_customer_at = Some(at("2026-11-20T15:00:00Z"))),
    &[])]
#[case::a_lead_resumed_meanwhile_is_left_alone(
    with(said_not_now(), |s| s.status = LeadStatus::Active), &[])]
#[case::a_stopped_lead_is_left_alone(
    with(said_not_now(), |s| s.status = LeadStatus::Stopped), &[])]
#[case::an_opted_out_lead_is_never_nurtured(with(said_not_now(), |s| s.opted_out = true), &[])]
// No usable contact any more: enrolled paused, and the owner is asked to fix the contact.
#[case::an_unreachable_lead_is_enrolled_paused_with_a_task(
    with(said_not_now(), |s| s.phone = None), &[
    "events nurture_enrolled enrolled follow_up_paused",
    "reopen long_term_nurture paused first step Some(0)",
    "task fix_contact for sam",
])]
fn the_nurture_timer_moves_a_quiet_lead_to_long_term_nurture(
    #[case] state: LeadState,
    #[case] expected: &[&str],
) {
    assert_eq!(lines(&state), strings(expected));
}

#[test]
fn no_nurture_cadence_configured_means_the_timer_does_nothing() {
    let mut config = config();
    config.conversations.nurture_cadence = None;
    let rules = Rules {
        config: &config,
        window: None,
        cadences: &cadences(),
    };
    assert_eq!(
        step(&said_not_now(), &nurture_fired(), &rules, at(NOW)),
        Ok(Vec::new())
    );
}

#[test]
fn an_unconfigured_dealership_refuses_rather_than_guess() {
    let state = with(said_not_now(), |s| s.dealership = "gone".into());
    assert_eq!(
        super::tests::step_at(&state, nurture_fired(), NOW, &cadences()),
        Err(Refusal::Unplaced)
    );
}

#[rstest]
// A new inquiry counts from when the customer asked; the first touch is inside the window.
#[case::a_received_cadence_counts_from_the_inquiry(
    None,
    true,
    "new_inquiry",
    "2026-12-01T15:58:00Z"
)]
#[case::a_named_cadence_counts_from_now(Some("long_term_nurture"), true, "long_term_nurture", NOW)]
#[case::an_unreachable_lead_is_planned_paused(None, false, "new_inquiry", "2026-12-01T15:58:00Z")]
fn an_enrollment_pins_the_current_version_and_plans_its_first_touch(
    #[case] cadence: Option<&str>,
    #[case] reachable: bool,
    #[case] name: &str,
    #[case] anchor: &str,
) {
    let config = config();
    let dealership = config.dealership(Some("main")).expect("starter").clone();
    let phone = PhoneNumber::parse("+13125550103", "US").expect("phone");
    let document = LeadInput::default();
    let enrolling = Enrolling {
        segment: "new_inquiry",
        cadence,
        owner: "sam",
        document: &document,
        phone: reachable.then_some(&phone),
        reachable,
        dealership: &dealership,
        received_at: at("2026-12-01T15:58:00Z"),
        skip_day_zero: None,
    };
    let cadences = cadences();
    let planned = plan_enrollment(&enrolling, &config, &cadences, at(NOW)).expect("planned");
    assert_eq!(planned.enrollment.cadence_name, name);
    assert_eq!(planned.enrollment.cadence_version, cadences[name].0);
    assert_eq!(planned.enrollment.anchor_at, at(anchor));
    let first = planned.first_due().expect("a first touch");
    assert!(first >= at(NOW), "{first}");
    let expected = if reachable {
        LeadStatus::Active
    } else {
        LeadStatus::Paused
    };
    assert_eq!(planned.status, expected);
    assert_eq!(planned.tasks.len(), usize::from(!reachable));
}

#[test]
fn an_unknown_segment_or_cadence_is_refused_by_name() {
    let config = config();
    let dealership = config.dealership(Some("main")).expect("starter").clone();
    let document = LeadInput::default();
    let mut enrolling = Enrolling {
        segment: "no_such_segment",
        cadence: None,
        owner: "sam",
        document: &document,
        phone: None,
        reachable: false,
        dealership: &dealership,
        received_at: at(NOW),
        skip_day_zero: None,
    };
    let cadences = cadences();
    assert_eq!(
        plan_enrollment(&enrolling, &config, &cadences, at(NOW)),
        Err(Refusal::SegmentUnknown("no_such_segment".into()))
    );
    enrolling.cadence = Some("no_such_cadence");
    assert_eq!(
        plan_enrollment(&enrolling, &config, &cadences, at(NOW)),
        Err(Refusal::CadenceUnknown("no_such_cadence".into()))
    );
}

/// A cadence whose day-0 steps a caller skipped, at a store never open: the step that cannot be
/// planned is the first one after the skipped ones, and the timeline says so.
#[test]
fn an_unplannable_step_after_skipped_day_zero_steps_is_named_by_its_own_number() {
    let config = config();
    let mut dealership = config.dealership(Some("main")).expect("starter").clone();
    dealership.hours.clear();
    let phone = PhoneNumber::parse("+13125550103", "US").expect("phone");
    let document = LeadInput::default();
    let enrolling = Enrolling {
        segment: "new_inquiry",
        cadence: None,
        owner: "sam",
        document: &document,
        phone: Some(&phone),
        reachable: true,
        dealership: &dealership,
        received_at: at(NOW),
        skip_day_zero: Some("answered by call"),
    };
    let cadences = cadences();
    let planned = plan_enrollment(&enrolling, &config, &cadences, at(NOW)).expect("planned");
    let day_zero = cadences["new_inquiry"]
        .1
        .cadence
        .steps
        .iter()
        .take_while(|s| s.day == 0)
        .count();
    assert!(day_zero > 0, "the starter's new_inquiry has day-0 steps");
    let steps: Vec<(String, usize)> = planned
        .events
        .iter()
        .filter_map(|e| match &e.event {
            crate::TimelineEvent::TouchSkipped(s) => Some(("skipped".to_owned(), s.step)),
            crate::TimelineEvent::TouchUnplannable(u) => Some(("unplannable".to_owned(), u.step)),
            _ => None,
        })
        .collect();
    let mut expected: Vec<(String, usize)> =
        (1..=day_zero).map(|n| ("skipped".to_owned(), n)).collect();
    expected.push(("unplannable".to_owned(), day_zero + 1));
    assert_eq!(steps, expected, "{:#?}", planned.events);
    assert_eq!(planned.first_due(), None);
}

#[test]
fn a_held_back_alert_is_queued_once_per_cycle_whichever_worker_fires_first() {
    let state = with(said_not_now(), |s| {
        s.conversation.open_escalation = true;
        s.last_held_back_at = Some(at("2026-11-28T16:00:00Z"));
    });
    let changes = super::tests::step_at(&state, nurture_fired(), NOW, &cadences()).expect("held");
    let keys: Vec<Option<&str>> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Enqueue(m) => Some(m.dedupe_key.as_deref()),
            _ => None,
        })
        .collect();
    assert_eq!(keys, [Some("held-back:7:after:2026-11-28T16:00:00Z")]);
}
