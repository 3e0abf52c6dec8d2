//! Case tables for a customer's message and for outcomes: `(state, reply, now) -> changes`, with
//! the defects 3 to 6 as cases of their own. Each change is one line (`line`), so a table
//! reads as what the reply does; a failure prints the whole list.

use std::sync::OnceLock;

use keepwarm_classify::Classifier;
use rstest::rstest;

use super::payload::AppointmentWrite;
use super::tests::{at, escalation, lead, step_at, summary, with, NOW};
use super::*;
use crate::appointment::{AppointmentKind, AppointmentStatus};
use crate::{EmailAddress, LeadId, PhoneNumber, Stage};

/// The customer's number (lead 7's, and lead 9's: the same person asked twice).
const PHONE: &str = "+13125550123";

fn classifier() -> &'static Classifier {
    static CLASSIFIER: OnceLock<Classifier> = OnceLock::new();
    CLASSIFIER.get_or_init(Classifier::default_set)
}

/// A text `body` from [`PHONE`], read by the built-in classifier, with MessageSid `SM1`.
fn text(body: &str) -> Event {
    Event::ReplyReceived(Box::new(Reply {
        channel: ReplyChannel::Sms(PhoneNumber::parse(PHONE, "US").expect("number")),
        body: body.to_owned(),
        media: Vec::new(),
        classification: Some(classifier().classify(body)),
        provider_id: Some("SM1".into()),
    }))
}

/// An e-mail answer `body` from the customer.
fn email(body: &str) -> Event {
    Event::ReplyReceived(Box::new(Reply {
        channel: ReplyChannel::Email(EmailAddress::parse("dana@example.com").expect("address")),
        body: body.to_owned(),
        media: Vec::new(),
        classification: Some(classifier().classify(body)),
        provider_id: Some("email-reply:<m1@example.com>".into()),
    }))
}

/// Lead 7 with the number, which lead 9 has too.
fn texting() -> LeadState {
    with(lead(), |s| {
        s.dealership = "main".into();
        s.phone = Some(PHONE.into());
        s.contact.leads = vec![(LeadId(7), false), (LeadId(9), false)];
    })
}

/// Lead 7 with an appointment tomorrow at 10:00 Chicago, reminders running.
fn booked(status: AppointmentStatus) -> LeadState {
    with(texting(), |s| {
        s.stage = Stage::AppointmentSet;
        s.appointment_cadence = true;
        s.appointment = Some(Appointment {
            id: 4,
            kind: AppointmentKind::Sales,
            status,
            starts_at: at("2026-12-02T16:00:00Z"),
            ends_at: at("2026-12-02T17:00:00Z"),
        });
    })
}

/// Lead 7 handed over: paused, with an unacknowledged escalation and an open reply task.
fn escalated() -> LeadState {
    with(texting(), |s| {
        s.status = crate::LeadStatus::Paused;
        s.stage = Stage::Contacted;
        s.escalations = vec![escalation(21, "sam", 0, &["sam"])];
        s.tasks = vec![OpenTask {
            id: 5,
            owner: "sam".into(),
            kind: "reply".into(),
        }];
    })
}

/// One line per change, with what a reply's case is about.
pub(super) fn line(change: &Change) -> String {
    match change {
        Change::Task(t) => format!("task {} for {}", t.kind, t.owner_id),
        Change::Timer { kind, .. } => format!("timer {kind}"),
        Change::OpenEscalation { escalation, .. } => format!(
            "escalation {} to {}",
            escalation.intents.join(","),
            escalation.assignee
        ),
        Change::Revoke(r) => format!(
            "revoke {} {} via {}",
            r.contact,
            r.channels.join(","),
            r.via
        ),
        Change::RestoreConsent { contact, .. } => format!("restore {contact}"),
        Change::SetReplyLanguage { language } => format!("language {language}"),
        Change::Outcome {
            record, closing, ..
        } => {
            let mut parts = vec!["outcome".to_owned()];
            if let Some((from, to)) = record.stage {
                parts.push(format!("{from}->{to}"));
            }
            if let Some(AppointmentWrite::Status { id, to, .. }) = &record.appointment {
                parts.push(format!("appointment {id} {to}"));
            }
            if let Some(c) = closing {
                parts.push(format!("closing \"{}\"", c.reason));
            }
            parts.join(" ")
        }
        other => summary(other),
    }
}

fn reply_lines(state: &LeadState, event: Event) -> Vec<String> {
    let changes = step_at(state, event, NOW, &Cadences::new()).expect("not refused");
    changes.iter().map(line).collect()
}

fn lines(expected: &[&str]) -> Vec<String> {
    expected.iter().map(|l| (*l).to_owned()).collect()
}

/// What every message starts with.
const RECORDED: [&str; 2] = [
    "events inbound_message",
    "stage at least contacted via reply",
];

/// A hand-off's tail: the owner's alert and the timers that bring automation back.
const HANDED: [&str; 3] = [
    "enqueue staff_alert to +13125550111",
    "timer resume_after_silence",
    "timer going_cold",
];

fn then(head: &[&str], tail: &[&str]) -> Vec<String> {
    head.iter().chain(tail).map(|l| (*l).to_owned()).collect()
}

#[rstest]
#[case::an_opt_out_stops_every_lead_with_the_number_and_queues_one_confirmation(
    texting(), text("STOP"), then(&RECORDED, &[
        "revoke +13125550123 all via sms reply",
        "stop 7 opt_out=true",
        "stop 9 opt_out=true",
        "enqueue opt_out_confirmation to +13125550123"]))]
#[case::an_opt_out_already_in_the_ledger_is_only_recorded(
    with(texting(), |s| s.contact.revoked = lines(&["all"])), text("STOP"),
    then(&RECORDED, &["events consent_already_revoked"]))]
#[case::a_lead_already_opted_out_is_not_stopped_twice(
    with(texting(), |s| s.contact.leads = vec![(LeadId(7), false), (LeadId(9), true)]),
    text("STOP"), then(&RECORDED, &[
        "revoke +13125550123 all via sms reply",
        "stop 7 opt_out=true",
        "enqueue opt_out_confirmation to +13125550123"]))]
// Fail closed: held on every lead with the number, a person decides, nothing is confirmed and
// automation never resumes by itself (no hand-off timers).
#[case::a_possible_opt_out_holds_every_lead_and_asks_a_person(
    texting(), text("how did you get my number"), then(&RECORDED, &[
        "pause 7",
        "pause 9",
        "events opt_out_possible",
        "task confirm_opt_out for sam",
        "events customer_waiting",
        "escalation possible_opt_out to sam",
        "enqueue staff_alert to +13125550111"]))]
// Defect 6: the lost lead's escalation and task are closed with the reason.
#[case::bought_elsewhere_loses_the_lead_and_closes_its_work(
    escalated(), text("I already bought a car somewhere else"), then(&RECORDED, &[
        "outcome contacted->lost closing \"lead lost: bought elsewhere\""]))]
#[case::a_lost_lead_saying_it_again_changes_no_stage(
    with(texting(), |s| s.stage = Stage::Lost), text("I already bought a car somewhere else"),
    lines(&RECORDED))]
#[case::a_wrong_number_revokes_it_and_asks_for_the_right_contact(
    texting(), text("wrong number"), then(&RECORDED, &[
        "task fix_contact for sam",
        "revoke +13125550123 all via wrong number reply"]))]
#[case::a_hot_reply_is_handed_to_the_owner_with_an_escalation(
    texting(), text("Can I come see it Saturday?"), then(&RECORDED, &[
        "pause 7",
        "task reply for sam",
        "events customer_waiting",
        "escalation appointment to sam",
        HANDED[0], HANDED[1], HANDED[2]]))]
#[case::not_now_waits_for_the_nurture_timer_with_no_task(
    texting(), text("not right now, maybe in a few months"), then(&RECORDED, &[
        "pause 7",
        "events customer_waiting",
        "timer nurture"]))]
#[case::a_plain_confirmation_confirms_the_appointment_and_bothers_nobody(
    booked(AppointmentStatus::Scheduled), text("Yes, I'll be there"), then(&RECORDED, &[
        "outcome appointment 4 confirmed"]))]
#[case::a_confirmation_of_a_confirmed_appointment_changes_nothing_more(
    booked(AppointmentStatus::Confirmed), text("Yes, I'll be there"), lines(&RECORDED))]
// Reminders keep going while a person answers: no pause.
#[case::cancelling_the_appointment_asks_to_move_it_and_hands_it_over(
    booked(AppointmentStatus::Scheduled), text("I need to cancel my appointment"),
    then(&RECORDED, &[
        "task reply for sam",
        "events customer_waiting",
        "outcome appointment 4 reschedule_requested",
        "escalation reschedule to sam",
        HANDED[0], HANDED[1], HANDED[2]]))]
// Nothing booked ahead: "yes, I'll be there" is a time the customer proposes. A person books it,
// on the escalation clock (before, it was only a reply task and waited like small talk).
#[case::a_confirmation_after_the_appointment_is_a_new_time_to_book(
    with(booked(AppointmentStatus::Scheduled), |s| {
        s.appointment_cadence = false;
        s.appointment = s.appointment.map(|a| Appointment {
            starts_at: at("2026-11-30T16:00:00Z"),
            ends_at: at("2026-11-30T17:00:00Z"),
            ..a
        });
    }),
    text("Yes, I'll be there"), then(&RECORDED, &[
        "pause 7",
        "task reply for sam",
        "events customer_waiting",
        "escalation appointment to sam",
        HANDED[0], HANDED[1], HANDED[2]]))]
#[case::i_will_be_there_at_3_with_nothing_booked_is_an_appointment_to_book(
    texting(), text("I'll be there at 3"), then(&RECORDED, &[
        "pause 7",
        "task reply for sam",
        "events customer_waiting",
        "escalation appointment to sam",
        HANDED[0], HANDED[1], HANDED[2]]))]
// One question open at a time: a nudge while the escalation waits goes to whoever has it, on
// that escalation, instead of opening a second one on its own clock.
#[case::a_reply_while_an_escalation_is_open_is_attached_to_it(
    escalated(), text("Hello? Any update?"), then(&RECORDED, &[
        "task reply for sam",
        "events customer_waiting",
        HANDED[0], HANDED[1], HANDED[2]]))]
#[case::a_hot_reply_while_an_escalation_is_open_is_attached_to_it(
    escalated(), text("Can I come see it Saturday?"), then(&RECORDED, &[
        "task reply for sam",
        "events customer_waiting",
        HANDED[0], HANDED[1], HANDED[2]]))]
// A possible opt-out is a different decision: it always gets its own escalation.
#[case::a_possible_opt_out_while_an_escalation_is_open_opens_its_own(
    escalated(), text("how did you get my number"), then(&RECORDED, &[
        "pause 7",
        "pause 9",
        "events opt_out_possible",
        "task confirm_opt_out for sam",
        "events customer_waiting",
        "escalation possible_opt_out to sam",
        "enqueue staff_alert to +13125550111"]))]
#[case::a_spanish_reply_switches_the_leads_language(
    texting(), text("Hola, todavía tienen la camioneta? Me interesa"), then(&RECORDED, &[
        "pause 7",
        "task reply for sam",
        "events customer_waiting",
        "language es",
        "events language_changed",
        "escalation vehicle_question to sam",
        HANDED[0], HANDED[1], HANDED[2]]))]
#[case::a_spanish_reply_to_a_lead_written_in_spanish_changes_no_language(
    with(texting(), |s| s.document.customer.preferred_language = Some("es".into())),
    text("Hola, todavía tienen la camioneta? Me interesa"), then(&RECORDED, &[
        "pause 7",
        "task reply for sam",
        "events customer_waiting",
        "escalation vehicle_question to sam",
        HANDED[0], HANDED[1], HANDED[2]]))]
#[case::start_restores_consent(
    with(texting(), |s| s.contact.revoked = lines(&["all"])), text("START"), then(&RECORDED, &[
        "pause 7",
        "task reply for sam",
        "events customer_waiting",
        "escalation needs_review to sam",
        HANDED[0], HANDED[1], HANDED[2],
        "restore +13125550123",
        "events consent_restored"]))]
#[case::help_is_answered_through_the_queue(
    texting(), text("HELP"), then(&RECORDED, &[
        "pause 7",
        "task reply for sam",
        "events customer_waiting",
        "enqueue help_reply to +13125550123",
        "escalation needs_review to sam",
        HANDED[0], HANDED[1], HANDED[2]]))]
#[case::an_email_opt_out_revokes_the_channel_it_names(
    texting(), email("Please stop emailing me"), then(&RECORDED, &[
        "revoke dana@example.com email via email reply",
        "events channel_revoked"]))]
#[case::a_hot_email_is_handed_over_like_a_text(
    texting(), email("Can I come see it Saturday?"), then(&RECORDED, &[
        "pause 7",
        "task reply for sam",
        "escalation appointment to sam",
        HANDED[0], HANDED[1], HANDED[2],
        "events customer_waiting"]))]
#[case::a_closing_email_loses_the_lead(
    texting(), email("We bought a different car already, thanks"), then(&RECORDED, &[
        "outcome contacted->lost closing \"lead lost: bought elsewhere\""]))]
fn a_customers_message(
    #[case] state: LeadState,
    #[case] reply: Event,
    #[case] expected: Vec<String>,
) {
    assert_eq!(reply_lines(&state, reply), expected);
}

/// Defect 5: the escalation quotes what was actually sent and received (sent touches and the
/// customer's messages, whatever the channel), then the reply itself.
#[test]
fn a_hot_replys_escalation_quotes_the_conversation_so_far() {
    let state = with(texting(), |s| {
        s.recent_messages = vec![
            ConversationLine {
                at: at("2026-11-30T15:00:00Z"),
                inbound: false,
                channel: "sms".into(),
                body: "Hi Dana, the CR-V you asked about is here.".into(),
            },
            ConversationLine {
                at: at("2026-11-30T15:05:00Z"),
                inbound: true,
                channel: "sms".into(),
                body: "Is it the blue one?".into(),
            },
        ];
    });
    let changes = step_at(
        &state,
        text("Can I come see it Saturday?"),
        NOW,
        &Cadences::new(),
    )
    .expect("handed over");
    let context = changes
        .iter()
        .find_map(|c| match c {
            Change::OpenEscalation { escalation, .. } => Some(escalation.context.clone()),
            _ => None,
        })
        .expect("an escalation");
    assert_eq!(
        context["recent_messages"],
        serde_json::json!([
            "2026-11-30T15:00:00Z sms us: Hi Dana, the CR-V you asked about is here.",
            "2026-11-30T15:05:00Z sms customer: Is it the blue one?",
            "2026-12-01T16:00:00Z sms customer: Can I come see it Saturday?",
        ]),
        "{context:#}"
    );
    assert_eq!(context["from"], PHONE);
}

/// Defect 3: a reply's whole effect is the answer to one event, which carries the provider's
/// message id as the key its one change set is applied under (a replay of the key does nothing).
#[test]
fn a_replys_whole_effect_is_one_answer_keyed_by_its_message_id() {
    let event = text("Can I come see it Saturday?");
    assert_eq!(event.idempotency_key(), Some("SM1"));
    let first = step_at(&texting(), event.clone(), NOW, &Cadences::new()).expect("handed over");
    let again = step_at(&texting(), event, NOW, &Cadences::new()).expect("handed over");
    assert_eq!(
        first, again,
        "the same reply to the same lead decides the same"
    );
    assert!(first
        .iter()
        .any(|c| matches!(c, Change::OpenEscalation { .. })));
    assert!(first.iter().any(|c| matches!(c, Change::Timer { .. })));
}

/// Defect 4: whatever a reply sends — the opt-out confirmation, the HELP answer, staff alerts —
/// is a message queued on the durable outbound queue; the machine has no other way to send.
#[rstest]
#[case::an_opt_out(text("STOP"), &["opt_out_confirmation"])]
#[case::help(text("HELP"), &["help_reply", "staff_alert"])]
#[case::a_hot_reply(text("Can I come see it Saturday?"), &["staff_alert"])]
#[case::a_possible_opt_out(text("how did you get my number"), &["staff_alert"])]
fn every_message_a_reply_sends_is_queued(#[case] reply: Event, #[case] purposes: &[&str]) {
    let changes = step_at(&texting(), reply, NOW, &Cadences::new()).expect("a reply");
    let queued: Vec<&str> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Enqueue(m) => Some(m.purpose.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(queued, purposes);
}

fn outcome(stage: Stage, reason: Option<&str>) -> Event {
    Event::Outcome(Box::new(OutcomeRequest {
        stage,
        at: None,
        reason: reason.map(str::to_owned),
        appointment: None,
        by: "sam".into(),
        via: "api".into(),
    }))
}

#[rstest]
// Defect 6: a lead that ends closes its open escalations and tasks with the reason.
#[case::sold_closes_the_open_work(escalated(), outcome(Stage::Sold, None),
    &["outcome contacted->sold closing \"lead sold\""])]
#[case::lost_closes_it_with_the_reason(escalated(), outcome(Stage::Lost, Some("price")),
    &["outcome contacted->lost closing \"lead lost: price\""])]
#[case::showed_marks_the_appointment(booked(AppointmentStatus::Confirmed),
    outcome(Stage::Showed, None), &["outcome appointment_set->showed appointment 4 showed"])]
#[case::lost_cancels_the_appointment(booked(AppointmentStatus::Scheduled),
    outcome(Stage::Lost, Some("moved away")),
    &["outcome appointment_set->lost appointment 4 cancelled closing \"lead lost: moved away\""])]
#[case::the_same_stage_again_changes_nothing(escalated(), outcome(Stage::Contacted, None), &[])]
fn an_outcome(#[case] state: LeadState, #[case] event: Event, #[case] expected: &[&str]) {
    assert_eq!(reply_lines(&state, event), lines(expected));
}

#[test]
fn an_outcome_never_moves_the_stage_back() {
    let state = booked(AppointmentStatus::Scheduled);
    assert_eq!(
        step_at(
            &state,
            outcome(Stage::Contacted, None),
            NOW,
            &Cadences::new()
        ),
        Err(Refusal::StageBack {
            from: Stage::AppointmentSet,
            to: Stage::Contacted
        })
    );
}

/// The starter configuration's cadences, as the driver keeps them.
fn cadences() -> Cadences {
    let config = super::tests::config();
    config
        .cadences
        .values()
        .map(|c| {
            let snapshot = crate::cadence::CadenceSnapshot::new(c, &config.blocks);
            (
                c.name.clone(),
                (snapshot.version(), std::sync::Arc::new(snapshot)),
            )
        })
        .collect()
}

fn no_show() -> Event {
    Event::TimerFired {
        kind: TimerKind::NoShow,
        set_at: at("2026-11-29T12:00:00Z"),
    }
}

/// Lead 7's appointment yesterday 10:00–11:00 Chicago (over, grace passed), still `status`.
fn missed(status: AppointmentStatus) -> LeadState {
    with(booked(status), |s| {
        s.appointment = s.appointment.map(|a| Appointment {
            starts_at: at("2026-11-30T16:00:00Z"),
            ends_at: at("2026-11-30T17:00:00Z"),
            ..a
        });
    })
}

fn timer_lines(state: &LeadState, event: Event, now: &str) -> Vec<String> {
    let changes = step_at(state, event, now, &cadences()).expect("not refused");
    changes
        .iter()
        .flat_map(|c| match c {
            Change::Outcome { record, .. } => {
                let mut out = vec![line(c)];
                out.extend(
                    record
                        .tasks
                        .iter()
                        .map(|t| format!("task {} for {}", t.kind, t.owner_id)),
                );
                out.extend(record.enrollment.iter().map(|e| {
                    format!(
                        "enroll {} first step {:?}",
                        e.cadence_name,
                        e.first_touch.as_ref().map(|t| t.step_index)
                    )
                }));
                out.push(format!("stop {:?}", record.stop));
                out
            }
            other => vec![line(other)],
        })
        .collect()
}

#[rstest]
#[case::a_missed_appointment_is_marked_and_recovered(missed(AppointmentStatus::Scheduled), NOW,
    &["outcome appointment 4 no_show", "task call for sam",
      "enroll no_show_recovery first step Some(0)", "stop Some(\"appointment missed\")"])]
#[case::an_opted_out_customer_gets_a_call_but_no_cadence(
    with(missed(AppointmentStatus::Confirmed), |s| s.opted_out = true), NOW,
    &["outcome appointment 4 no_show", "task call for sam", "stop Some(\"appointment missed\")"])]
// Defect 2: the customer asked to move it and nobody took the escalation; the recovery texts wait,
// held, for the silence timer instead of talking over the question.
#[case::an_unanswered_request_to_move_it_holds_the_recovery_back(
    with(missed(AppointmentStatus::RescheduleRequested),
        |s| s.escalations = vec![escalation(21, "sam", 0, &["sam"])]), NOW,
    &["outcome appointment 4 no_show", "task call for sam",
      "enroll no_show_recovery first step Some(0)", "stop Some(\"appointment missed\")",
      "pause 7", "timer resume_after_silence"])]
#[case::inside_the_grace_period_nothing_happens(missed(AppointmentStatus::Scheduled),
    "2026-11-30T18:30:00Z", &[])]
#[case::a_show_recorded_first_leaves_it_alone(missed(AppointmentStatus::Showed), NOW, &[])]
// A timer left from before a reschedule finds the new appointment still ahead.
#[case::a_moved_appointment_is_not_missed(booked(AppointmentStatus::Scheduled), NOW, &[])]
fn the_no_show_timer(#[case] state: LeadState, #[case] now: &str, #[case] expected: &[&str]) {
    assert_eq!(timer_lines(&state, no_show(), now), lines(expected));
}

#[test]
fn a_booking_starts_the_appointment_cadence_and_the_no_show_timer() {
    let event = Event::Outcome(Box::new(OutcomeRequest {
        stage: Stage::AppointmentSet,
        at: None,
        reason: None,
        appointment: Some(crate::appointment::AppointmentInput {
            at: at("2026-12-03T16:00:00Z"),
            kind: AppointmentKind::Sales,
            duration_minutes: None,
        }),
        by: "sam".into(),
        via: "api".into(),
    }));
    let state = with(texting(), |s| s.stage = Stage::Contacted);
    assert_eq!(
        timer_lines(&state, event.clone(), NOW),
        lines(&[
            "outcome contacted->appointment_set",
            "enroll appointment_reminders first step Some(0)",
            "stop Some(\"stage is appointment_set\")",
        ])
    );
    let changes = step_at(&state, event, NOW, &cadences()).expect("booked");
    let Some(Change::Outcome { record, .. }) = changes.first() else {
        panic!("{changes:?}")
    };
    // The no-show timer: the end (an hour, the default) plus two hours' grace.
    assert_eq!(
        record.timers,
        vec![("no_show".to_owned(), at("2026-12-03T19:00:00Z"))]
    );
}

fn unsubscribed() -> Event {
    Event::Unsubscribed {
        contact: "Dana@Example.com".into(),
        via: "unsubscribe link".into(),
    }
}

#[rstest]
#[case::the_link_revokes_email_for_the_address(texting(), &[
    "revoke dana@example.com email via unsubscribe link",
    "events channel_revoked",
])]
#[case::an_address_already_unsubscribed_changes_nothing(
    with(texting(), |s| s.contact.revoked = lines(&["email"])), &[])]
#[case::an_address_that_opted_out_of_everything_changes_nothing(
    with(texting(), |s| s.contact.revoked = lines(&["all"])), &[])]
// Texts and calls are not the link's business: a revoked sms leaves e-mail to revoke.
#[case::another_channel_revoked_still_revokes_email(
    with(texting(), |s| s.contact.revoked = lines(&["sms"])), &[
    "revoke dana@example.com email via unsubscribe link",
    "events channel_revoked",
])]
fn the_unsubscribe_link(#[case] state: LeadState, #[case] expected: &[&str]) {
    assert_eq!(reply_lines(&state, unsubscribed()), lines(expected));
}
