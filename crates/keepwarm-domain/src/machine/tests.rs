//! Case tables for the machine: `(state, event, now) -> changes`, one table per group of
//! transitions, with the defects as cases of their own. Each change is summed up in one
//! line (`summary`) so that a table reads as what happens; a failure prints the whole list.

use jiff::Timestamp;
use rstest::rstest;

use super::*;
use crate::config::{load_config, starter, Config};
use crate::conversation::ConversationFacts;
use crate::follow_up::FollowUpRefusal;
use crate::plan::contact_window;
use crate::{LeadId, LeadStatus, TimelineEvent};

/// The starter configuration (shared by the machine's other case tables).
pub(super) fn config() -> Config {
    load_config(&starter::files())
        .expect("starter config")
        .config
}

/// An instant from its RFC 3339 text.
pub(super) fn at(s: &str) -> Timestamp {
    s.parse().expect("instant")
}

/// 2026-12-01 is a Tuesday; 16:00Z is 10:00 in Chicago, inside every window.
pub(super) const NOW: &str = "2026-12-01T16:00:00Z";

fn staff(id: &str) -> crate::routing::Staff {
    config().staff_member(id).expect("starter staff").clone()
}

/// A lead of the starter's sales team (manager morgan), owned by sam.
pub(super) fn lead() -> LeadState {
    LeadState {
        name: Some("Dana Whitfield".into()),
        ..LeadState::new(LeadId(7), "lakeside", "new_inquiry", "sam")
    }
}

fn paused(mut state: LeadState) -> LeadState {
    state.status = LeadStatus::Paused;
    state
}

pub(super) fn with(mut state: LeadState, f: impl FnOnce(&mut LeadState)) -> LeadState {
    f(&mut state);
    state
}

pub(super) fn escalation(id: i64, assignee: &str, level: i64, notified: &[&str]) -> OpenEscalation {
    OpenEscalation {
        id,
        assignee: assignee.into(),
        level,
        notified: notified.iter().map(|s| (*s).to_owned()).collect(),
        intents: vec!["appointment_request".into()],
        reply: "Can I come see it Saturday?".into(),
        created_at: at("2026-12-01T15:50:00Z"),
        sla_due_at: at("2026-12-01T15:55:00Z"),
        next_deadline_at: Some(at("2026-12-01T15:55:00Z")),
    }
}

/// Runs the machine with the starter configuration and a Chicago window.
pub(super) fn run(state: &LeadState, event: Event, now: &str) -> Result<Vec<String>, Refusal> {
    step_at(state, event, now, &Cadences::new())
        .map(|changes| changes.iter().map(summary).collect())
}

/// The changes `event` makes at `now`, with the starter configuration, a Chicago window and
/// `cadences`.
pub(super) fn step_at(
    state: &LeadState,
    event: Event,
    now: &str,
    cadences: &Cadences,
) -> Result<Vec<Change>, Refusal> {
    let config = config();
    let dealership = config.dealership(None).expect("starter dealership").clone();
    let window = contact_window(
        &["America/Chicago".to_owned()],
        config.legal_hours,
        dealership.business_hours("sales"),
    );
    let rules = Rules {
        config: &config,
        window: Some(&window),
        cadences,
    };
    step(state, &event, &rules, at(now))
}

/// One line per change: what it does, with the values a case is about.
pub(super) fn summary(change: &Change) -> String {
    match change {
        Change::Events(events) => {
            let kinds: Vec<&str> = events.iter().map(|e| e.event.kind()).collect();
            format!("events {}", kinds.join(" "))
        }
        Change::Stop { lead, opt_out, .. } => format!("stop {lead} opt_out={opt_out}"),
        Change::Pause { lead, .. } => format!("pause {lead}"),
        Change::Resume { reschedule, .. } => {
            let touches: Vec<String> = reschedule
                .iter()
                .map(|(t, due)| format!("{t}@{due}"))
                .collect();
            format!("resume {}", touches.join(" "))
        }
        Change::SetOwner { owner } => format!("owner {owner}"),
        Change::MoveTask { task, to } => format!("move task {task} to {to}"),
        Change::MoveEscalation { escalation, to } => {
            format!("move escalation {escalation} to {to}")
        }
        Change::Timer { kind, due_at } => format!("timer {kind} {due_at}"),
        Change::StageAtLeast { stage, via, .. } => format!("stage at least {stage} via {via}"),
        Change::CompleteTask { task, outcome, .. } => format!("complete task {task} {outcome}"),
        Change::MarkContactUnusable(c) => format!("unusable {} {}: {}", c.kind, c.value, c.reason),
        Change::Enqueue(m) => format!("enqueue {} to {}", m.purpose.as_str(), m.recipient),
        Change::Escalation { escalation, change } => match change {
            EscalationChange::Escalate {
                level,
                told,
                next_deadline,
                ..
            } => format!(
                "escalate {escalation} level {level} told {told} next {}",
                next_deadline.map_or("none".to_owned(), |t| t.to_string())
            ),
            EscalationChange::Acknowledge { by, .. } => format!("acknowledge {escalation} by {by}"),
            EscalationChange::Reassign { to, .. } => format!("reassign {escalation} to {to}"),
        },
        other => format!("{other:?}"),
    }
}

fn stop(opt_out: bool) -> Event {
    Event::Stop {
        reason: "customer asked".into(),
        actor: "sam".into(),
        opt_out,
    }
}

fn pause() -> Event {
    Event::Pause {
        reason: "on holiday".into(),
        actor: "sam".into(),
    }
}

fn resume() -> Event {
    Event::Resume {
        reason: "back".into(),
        actor: "sam".into(),
    }
}

fn held(state: LeadState, touches: &[(i64, &str)]) -> LeadState {
    with(paused(state), |s| {
        s.held_touches = touches
            .iter()
            .map(|(id, due)| HeldTouch {
                id: *id,
                due_at: at(due),
            })
            .collect();
    })
}

#[rstest]
#[case::stop_an_active_lead(lead(), stop(false), NOW, &["stop 7 opt_out=false"])]
#[case::an_opt_out_marks_a_completed_lead(
    with(lead(), |s| s.status = LeadStatus::Completed), stop(true), NOW, &["stop 7 opt_out=true"])]
#[case::pause_an_active_lead(lead(), pause(), NOW, &["pause 7"])]
#[case::a_held_touch_due_before_now_goes_out_now(
    held(lead(), &[(3, "2026-11-30T16:00:00Z")]), resume(), NOW, &["resume 3@2026-12-01T16:00:00Z"])]
#[case::a_held_touch_still_ahead_keeps_its_time(
    held(lead(), &[(3, "2026-12-02T16:00:00Z")]), resume(), NOW, &["resume 3@2026-12-02T16:00:00Z"])]
// Defect 1's rule for resumes: at 05:30 in Chicago nothing may go out; the touch moves to the
// next legal opening.
#[case::a_resume_before_the_window_opens_waits_for_it(
    held(lead(), &[(3, "2026-11-30T16:00:00Z")]), resume(), "2026-12-01T11:30:00Z",
    &["resume 3@2026-12-01T15:00:00Z"])]
#[case::a_resume_with_nothing_held_only_resumes(held(lead(), &[]), resume(), NOW, &["resume "])]
fn a_person_changes_the_follow_up(
    #[case] state: LeadState,
    #[case] event: Event,
    #[case] now: &str,
    #[case] expected: &[&str],
) {
    assert_eq!(run(&state, event, now), Ok(strings(expected)));
}

#[rstest]
#[case::stop_a_stopped_lead(with(lead(), |s| s.status = LeadStatus::Stopped), stop(false))]
#[case::stop_an_opted_out_lead(with(lead(), |s| s.opted_out = true), stop(true))]
#[case::pause_a_paused_lead(paused(lead()), pause())]
#[case::resume_an_active_lead(lead(), resume())]
#[case::resume_an_opted_out_lead(with(paused(lead()), |s| s.opted_out = true), resume())]
fn a_follow_up_in_the_wrong_state_refuses_the_action(
    #[case] state: LeadState,
    #[case] event: Event,
) {
    assert!(matches!(run(&state, event, NOW), Err(Refusal::FollowUp(_))));
}

#[test]
fn a_refusal_says_what_the_follow_up_is() {
    let state = with(lead(), |s| s.status = LeadStatus::Completed);
    assert_eq!(
        run(&state, pause(), NOW),
        Err(Refusal::FollowUp(FollowUpRefusal::NotActive(
            LeadStatus::Completed
        )))
    );
    assert_eq!(
        Refusal::FollowUp(FollowUpRefusal::NotActive(LeadStatus::Completed)).to_string(),
        "follow-up is completed, not active"
    );
}

fn reassign(to: &str) -> Event {
    Event::Reassign {
        to: staff(to),
        reason: "vacation".into(),
        actor: "morgan".into(),
    }
}

fn busy_lead() -> LeadState {
    with(lead(), |s| {
        s.tasks = vec![
            OpenTask {
                id: 11,
                owner: "sam".into(),
                kind: "call".into(),
            },
            OpenTask {
                id: 12,
                owner: "alex".into(),
                kind: "reply".into(),
            },
        ];
        s.escalations = vec![escalation(21, "sam", 0, &["sam"])];
    })
}

#[rstest]
#[case::a_lead_with_nothing_open(lead(), "alex", &[
    "owner alex",
    "events owner_assigned",
])]
// Defect 6: the open escalation follows the lead, and the new owner is told in the same set.
#[case::open_work_follows_the_lead(busy_lead(), "alex", &[
    "owner alex",
    "move task 11 to alex",
    "move escalation 21 to alex",
    "events owner_assigned task_reassigned escalation_reassigned",
    "enqueue staff_alert to +13125550112",
])]
fn a_new_owner_takes_the_leads_open_work(
    #[case] state: LeadState,
    #[case] to: &str,
    #[case] expected: &[&str],
) {
    assert_eq!(run(&state, reassign(to), NOW), Ok(strings(expected)));
}

#[test]
fn a_lead_cannot_be_given_to_its_owner() {
    assert_eq!(
        run(&lead(), reassign("sam"), NOW),
        Err(Refusal::AlreadyOwned("sam".into()))
    );
}

#[test]
fn the_new_owners_alert_names_the_escalation_and_the_reply() {
    let config = config();
    let rules = Rules {
        config: &config,
        window: None,
        cadences: &Cadences::new(),
    };
    let changes = step(&busy_lead(), &reassign("alex"), &rules, at(NOW)).expect("reassigned");
    let Some(Change::Enqueue(alert)) = changes.last() else {
        panic!("no alert: {changes:#?}");
    };
    assert_eq!(
        alert.body,
        "HOT LEAD reassigned to you (appointment_request): \"Can I come see it Saturday?\" Reply 21 to acknowledge."
    );
    assert_eq!(alert.lead_id, Some(LeadId(7)));
}

fn deadline(id: i64) -> Event {
    Event::EscalationDeadline { escalation: id }
}

fn escalated(e: OpenEscalation) -> LeadState {
    with(lead(), |s| s.escalations = vec![e])
}

#[rstest]
#[case::the_first_deadline_tells_the_teams_manager(
    escalated(escalation(21, "sam", 0, &["sam"])), &[
    "escalate 21 level 1 told morgan next 2026-12-01T16:10:00Z",
    "events escalation_breached",
    "enqueue staff_alert to +13125550119",
])]
#[case::the_second_deadline_tells_the_next_manager(
    escalated(escalation(21, "morgan", 1, &["sam", "morgan"])), &[
    "escalate 21 level 2 told pat next none",
    "events escalation_breached",
    "enqueue staff_alert to +13125550129",
])]
#[case::at_the_end_of_the_chain_the_clock_stops(
    escalated(escalation(21, "pat", 2, &["sam", "morgan", "pat"])), &[
    "escalate 21 level 2 told pat next none",
    "events escalation_unanswered",
])]
#[case::an_escalation_acknowledged_meanwhile_does_nothing(lead(), &[])]
// Two workers saw the first deadline due; the other one moved it first (a new deadline, a minute
// from now): this one must not tell the next manager before that deadline. Found by the chaos
// test (crates/keepwarm-cli/tests/cli/chaos), where pat was told at once.
#[case::a_deadline_another_worker_already_moved_does_nothing(
    escalated(OpenEscalation {
        next_deadline_at: Some(at("2026-12-01T16:01:00Z")),
        ..escalation(21, "morgan", 1, &["sam", "morgan"])
    }), &[])]
// The other worker reached the end of the chain first and stopped the clock: nothing is appended
// to `notified` and no second `escalation_unanswered` is recorded.
#[case::a_stopped_clock_does_nothing(
    escalated(OpenEscalation {
        next_deadline_at: None,
        ..escalation(21, "pat", 2, &["sam", "morgan", "pat"])
    }), &[])]
fn an_unacknowledged_escalation_moves_up_its_chain(
    #[case] state: LeadState,
    #[case] expected: &[&str],
) {
    assert_eq!(run(&state, deadline(21), NOW), Ok(strings(expected)));
}

#[rstest]
#[case::within_the_deadline("2026-12-01T15:54:00Z", true)]
#[case::after_the_deadline(NOW, false)]
fn an_acknowledgement_says_whether_it_was_in_time(#[case] now: &str, #[case] within: bool) {
    let config = config();
    let rules = Rules {
        config: &config,
        window: None,
        cadences: &Cadences::new(),
    };
    let state = escalated(escalation(21, "sam", 0, &["sam"]));
    let event = Event::Acknowledge {
        escalation: 21,
        by: "sam".into(),
    };
    let changes = step(&state, &event, &rules, at(now)).expect("acknowledged");
    assert_eq!(summary(&changes[0]), "acknowledge 21 by sam");
    let Change::Events(events) = &changes[1] else {
        panic!("no event: {changes:#?}");
    };
    let TimelineEvent::EscalationAcknowledged(ack) = &events[0].event else {
        panic!("not an acknowledgement: {events:#?}");
    };
    assert_eq!(ack.within_sla, within);
}

#[test]
fn an_escalation_acknowledged_before_cannot_be_taken_or_handed_on() {
    for event in [
        Event::Acknowledge {
            escalation: 21,
            by: "sam".into(),
        },
        Event::ReassignEscalation {
            escalation: 21,
            to: staff("alex"),
            by: "morgan".into(),
        },
    ] {
        assert_eq!(run(&lead(), event, NOW), Err(Refusal::EscalationClosed(21)));
    }
}

#[test]
fn a_handed_on_escalation_tells_its_new_assignee() {
    let state = escalated(escalation(21, "sam", 0, &["sam"]));
    let event = Event::ReassignEscalation {
        escalation: 21,
        to: staff("alex"),
        by: "morgan".into(),
    };
    assert_eq!(
        run(&state, event, NOW),
        Ok(strings(&[
            "reassign 21 to alex",
            "events escalation_reassigned",
            "enqueue staff_alert to +13125550112",
        ]))
    );
}

fn fired(kind: TimerKind) -> Event {
    Event::TimerFired {
        kind,
        set_at: at("2026-11-28T16:00:00Z"),
    }
}

/// A lead handed over three days ago, paused, with one touch held.
fn handed_over() -> LeadState {
    held(lead(), &[(3, "2026-11-29T16:00:00Z")])
}

fn facts(open_escalation: bool, customer: Option<&str>, person: Option<&str>) -> ConversationFacts {
    ConversationFacts {
        open_escalation,
        last_customer_at: customer.map(at),
        last_person_at: person.map(at),
    }
}

#[rstest]
#[case::silence_and_nobody_owed_an_answer_resumes(
    with(handed_over(), |s| s.conversation = facts(false, Some("2026-11-28T15:59:00Z"), Some("2026-11-28T15:59:30Z"))),
    &["resume 3@2026-12-01T16:00:00Z"])]
// Defect 2: an unacknowledged escalation keeps automation quiet; the timer re-arms and the
// manager hears the lead is going cold.
#[case::an_unacknowledged_escalation_holds_the_resume_back(
    with(handed_over(), |s| s.conversation = facts(true, Some("2026-11-28T15:59:00Z"), None)), &[
    "timer resume_after_silence 2026-12-04T16:00:00Z",
    "events resume_held_back",
    "enqueue manager_alert to +13125550119",
])]
// Defect 2: the customer's last message is unanswered by a person.
#[case::an_unanswered_customer_message_holds_the_resume_back(
    with(handed_over(), |s| s.conversation = facts(false, Some("2026-11-28T15:59:00Z"), None)), &[
    "timer resume_after_silence 2026-12-04T16:00:00Z",
    "events resume_held_back",
    "enqueue manager_alert to +13125550119",
])]
#[case::a_customer_who_spoke_since_is_in_a_conversation(
    with(handed_over(), |s| s.conversation = facts(false, Some("2026-11-30T10:00:00Z"), Some("2026-11-30T11:00:00Z"))),
    &[])]
#[case::a_lead_resumed_meanwhile_is_left_alone(with(handed_over(), |s| s.status = LeadStatus::Active), &[])]
#[case::an_opted_out_lead_never_resumes(with(handed_over(), |s| s.opted_out = true), &[])]
fn the_silence_timer_resumes_only_when_nobody_is_owed_an_answer(
    #[case] state: LeadState,
    #[case] expected: &[&str],
) {
    assert_eq!(
        run(&state, fired(TimerKind::ResumeAfterSilence), NOW),
        Ok(strings(expected))
    );
}

#[rstest]
#[case::nobody_acted_since_the_hand_off(handed_over(), &["enqueue manager_alert to +13125550119"])]
#[case::someone_acted_since(
    with(handed_over(), |s| s.last_staff_action_at = Some(at("2026-11-29T10:00:00Z"))), &[])]
#[case::a_stopped_lead_is_not_cold(with(handed_over(), |s| s.status = LeadStatus::Stopped), &[])]
#[case::a_segment_without_a_manager_tells_nobody(
    with(handed_over(), |s| s.segment = "unrouted".into()), &[])]
fn the_going_cold_timer_tells_the_manager_when_nobody_acted(
    #[case] state: LeadState,
    #[case] expected: &[&str],
) {
    assert_eq!(
        run(&state, fired(TimerKind::GoingCold), NOW),
        Ok(strings(expected))
    );
}

#[test]
fn a_hand_off_starts_the_silence_and_going_cold_timers() {
    let rules = config().conversations;
    let changes: Vec<String> = timers::handoff_timers(&rules, at(NOW))
        .iter()
        .map(summary)
        .collect();
    assert_eq!(
        changes,
        strings(&[
            "timer resume_after_silence 2026-12-04T16:00:00Z",
            "timer going_cold 2026-12-02T16:00:00Z",
        ])
    );
    // A clock at the end of time gives timers that never fire, not a panic.
    assert!(timers::handoff_timers(&rules, Timestamp::MAX)
        .iter()
        .all(|c| matches!(c, Change::Timer { due_at, .. } if *due_at == Timestamp::MAX)));
}

fn complete(kind: &str, outcome: &str) -> Event {
    Event::CompleteTask {
        task: 11,
        kind: kind.into(),
        outcome: outcome.into(),
        note: None,
        by: "sam".into(),
    }
}

fn reachable(state: LeadState) -> LeadState {
    with(state, |s| s.phone = Some("+13125550160".into()))
}

#[rstest]
#[case::a_reply_task_is_done(busy_lead(), complete("reply", "done"), &[
    "complete task 11 done",
    "events task_completed",
])]
#[case::a_connected_call_is_human_contact(busy_lead(), complete("call", "connected"), &[
    "complete task 11 connected",
    "events call_logged",
    "stage at least contacted via call connected",
])]
#[case::a_voicemail_is_only_logged(busy_lead(), complete("call", "voicemail_left"), &[
    "complete task 11 voicemail_left",
    "events call_logged",
])]
#[case::a_wrong_number_makes_the_phone_unusable(reachable(busy_lead()), complete("call", "wrong_number"), &[
    "complete task 11 wrong_number",
    "events call_logged",
    "unusable phone +13125550160: wrong number, reported by sam",
])]
#[case::a_wrong_number_on_a_lead_without_a_phone_is_only_logged(busy_lead(), complete("call", "wrong_number"), &[
    "complete task 11 wrong_number",
    "events call_logged",
])]
fn a_finished_task_does_everything_in_one_set(
    #[case] state: LeadState,
    #[case] event: Event,
    #[case] expected: &[&str],
) {
    assert_eq!(run(&state, event, NOW), Ok(strings(expected)));
}

#[test]
fn a_task_done_before_cannot_be_done_again() {
    assert_eq!(
        run(&lead(), complete("reply", "done"), NOW),
        Err(Refusal::TaskDone(11))
    );
    assert_eq!(Refusal::TaskDone(11).to_string(), "task 11 is already done");
}

pub(super) fn strings(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|l| (*l).to_owned()).collect()
}
