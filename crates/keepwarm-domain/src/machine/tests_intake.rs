//! Case tables for a new inquiry matching a known lead (`intake.rs`): `(lead, inquiry, now) ->
//! changes`, each change summed up in one line, with defect 7 (a reopen that rewrote history) as a
//! case of its own.

use rstest::rstest;

use super::intake::{merge_input, MatchedInquiry, ReopenPlan};
use super::tests::{at, config};
use super::*;
use crate::dedupe::MatchCandidate;
use crate::lead::parse_lead_json;
use crate::{LeadId, LeadStatus, Stage};

const NOW: &str = "2026-12-01T16:00:00Z";
/// When Dana's lead was lost.
const LOST_AT: &str = "2026-10-01T16:00:00Z";

/// Dana's lead, owned by sam, matched on her phone.
fn dana(stage: Stage, status: LeadStatus) -> LeadState {
    LeadState {
        name: Some("Dana Whitfield".into()),
        stage,
        status,
        phone: Some("+13125550142".into()),
        ..LeadState::new(LeadId(7), "lakeside", "new_inquiry", "sam")
    }
}

/// An inquiry from `first_name` on Dana's phone, with an e-mail of its own, dated `received_at`.
fn inquiry(first_name: &str, received_at: &str, state: &LeadState) -> MatchedInquiry {
    let document = format!(
        r#"{{"source":{{"kind":"import","provider":"aged list"}},"received_at":"{received_at}",
            "customer":{{"first_name":"{first_name}","phones":["(312) 555-0142"],
            "emails":["{}@example.com"]}},
            "vehicles":[{{"year":2024,"make":"Honda","model":"CR-V"}}]}}"#,
        first_name.to_lowercase()
    );
    MatchedInquiry {
        lead: parse_lead_json(document.as_bytes(), "US").expect("inquiry"),
        resend: false,
        document_id: None,
        warnings: Vec::new(),
        matched: MatchCandidate {
            lead: state.id,
            stage: state.stage,
            status: state.status,
            opted_out: state.opted_out,
            last_inquiry_at: at("2026-06-01T16:00:00Z"),
            matched_on: "phone +13125550142".into(),
            name: Some("Dana".into()),
            email_matches: false,
            last_stage_change_at: None,
            open_escalation: false,
        },
        document: parse_lead_json(
            br#"{"source":{"kind":"internet"},"customer":{"first_name":"Dana","phones":["(312) 555-0142"]}}"#,
            "US",
        )
        .expect("document")
        .input,
        contacts: vec!["+13125550142".into()],
        reopen: None,
    }
}

fn lost_in_october(mut m: MatchedInquiry) -> MatchedInquiry {
    m.matched.last_stage_change_at = Some(at(LOST_AT));
    m
}

fn escalated(mut state: LeadState) -> LeadState {
    state.escalations.push(OpenEscalation {
        id: 3,
        assignee: "sam".into(),
        level: 0,
        notified: vec!["sam".into()],
        intents: vec!["appointment_request".into()],
        reply: "Can I come see it Saturday?".into(),
        created_at: at("2026-12-01T15:50:00Z"),
        sla_due_at: at("2026-12-01T15:55:00Z"),
        next_deadline_at: Some(at("2026-12-01T15:55:00Z")),
    });
    state
}

/// What the driver would plan for a re-open: the sales segment, sam kept, a first text.
fn plan() -> ReopenPlan {
    ReopenPlan {
        segment: "new_inquiry".into(),
        segment_rule: "default".into(),
        team: "sales".into(),
        owner: "sam".into(),
        owner_name: Some("Sam".into()),
        owner_reason: "kept: already owns this customer".into(),
        status: LeadStatus::Active,
        enrollment: NewEnrollment {
            cadence_name: "new_inquiry".into(),
            cadence_version: "v1".into(),
            anchor_at: at(NOW),
            first_touch: None,
        },
        events: Vec::new(),
        tasks: Vec::new(),
    }
}

fn planned(mut m: MatchedInquiry) -> MatchedInquiry {
    m.reopen = Some(plan());
    m
}

fn run(state: &LeadState, m: MatchedInquiry) -> Result<Vec<String>, Refusal> {
    let config = config();
    let rules = Rules {
        config: &config,
        window: None,
        cadences: &super::Cadences::new(),
    };
    let event = Event::InquiryMatched {
        inquiry: Box::new(m),
    };
    step(state, &event, &rules, at(NOW)).map(|changes| changes.iter().map(summary).collect())
}

fn summary(change: &Change) -> String {
    match change {
        Change::Events(events) => {
            let kinds: Vec<&str> = events.iter().map(|e| e.event.kind()).collect();
            format!("events {}", kinds.join(" "))
        }
        Change::Task(task) => format!("task {} for {}", task.kind, task.owner_id),
        Change::MergeInquiry(m) => {
            let phones: Vec<&str> = m.new_phones.iter().map(|p| p.as_str()).collect();
            let emails: Vec<&str> = m.new_emails.iter().map(|e| e.as_str()).collect();
            format!("merge +[{}] +[{}]", phones.join(" "), emails.join(" "))
        }
        Change::Reopen(r) => format!(
            "reopen {} owner {} reset_stage={}",
            r.segment, r.owner, r.reset_stage
        ),
        Change::LinkDocument { document } => format!("link document {document}"),
        other => format!("{other:?}"),
    }
}

const CHECK: &[&str] = &["events inquiry_recorded", "task check_person for sam"];
const RECORDED: &[&str] = &["events inquiry_recorded"];
const MERGED: &[&str] = &[
    "merge +[] +[dana@example.com]",
    "events inquiry_merged",
    "task reply for sam",
];
const REOPENED: &[&str] = &[
    "merge +[] +[dana@example.com]",
    "events inquiry_merged follow_up_reopened segmented",
    "reopen new_inquiry owner sam reset_stage=false",
];
const REOPENED_LOST: &[&str] = &[
    "merge +[] +[dana@example.com]",
    "events inquiry_merged follow_up_reopened stage_changed segmented",
    "reopen new_inquiry owner sam reset_stage=true",
];

#[rstest]
#[case::defect_7_another_name_on_a_lost_leads_phone_months_before_the_loss_with_an_escalation_open(
    escalated(dana(Stage::Lost, LeadStatus::Stopped)),
    planned(lost_in_october(inquiry("Maria", "2026-07-15T16:00:00Z", &dana(Stage::Lost, LeadStatus::Stopped)))),
    CHECK
)]
#[case::another_first_name_on_the_same_phone_is_a_person_to_check(
    dana(Stage::Contacted, LeadStatus::Active),
    planned(inquiry("Maria", NOW, &dana(Stage::Contacted, LeadStatus::Active))),
    CHECK
)]
#[case::an_inquiry_dated_before_the_last_stage_change_is_recorded_only(
    dana(Stage::Lost, LeadStatus::Stopped),
    planned(lost_in_october(inquiry("Dana", "2026-07-15T16:00:00Z", &dana(Stage::Lost, LeadStatus::Stopped)))),
    RECORDED
)]
#[case::a_lost_lead_shopping_again_after_the_loss_reopens_with_a_stage_changed_event(
    dana(Stage::Lost, LeadStatus::Stopped),
    planned(lost_in_october(inquiry("Dana", NOW, &dana(Stage::Lost, LeadStatus::Stopped)))),
    REOPENED_LOST
)]
#[case::no_reopen_while_an_escalation_is_open_the_owner_hears_instead(
    escalated(dana(Stage::Lost, LeadStatus::Stopped)),
    planned(lost_in_october(inquiry("Dana", NOW, &dana(Stage::Lost, LeadStatus::Stopped)))),
    MERGED
)]
#[case::a_stopped_lead_asking_again_months_later_reopens_at_its_stage(
    dana(Stage::Contacted, LeadStatus::Completed),
    planned(inquiry("Dana", NOW, &dana(Stage::Contacted, LeadStatus::Completed))),
    REOPENED
)]
#[case::the_same_person_within_the_window_merges_and_the_owner_hears(
    dana(Stage::Contacted, LeadStatus::Active),
    planned(recent(inquiry("Dana", NOW, &dana(Stage::Contacted, LeadStatus::Active)))),
    MERGED
)]
fn a_matched_inquiry(
    #[case] state: LeadState,
    #[case] inquiry: MatchedInquiry,
    #[case] expected: &[&str],
) {
    assert_eq!(
        run(&state, inquiry),
        Ok(expected.iter().map(|s| (*s).to_owned()).collect())
    );
}

fn recent(mut m: MatchedInquiry) -> MatchedInquiry {
    m.matched.last_inquiry_at = at("2026-11-25T16:00:00Z");
    m
}

#[test]
fn an_opted_out_person_asking_again_goes_to_the_owner_and_is_never_reopened() {
    let state = LeadState {
        opted_out: true,
        ..dana(Stage::Contacted, LeadStatus::Stopped)
    };
    let changes = run(&state, planned(inquiry("Dana", NOW, &state))).expect("settled");
    assert_eq!(changes, MERGED, "{changes:#?}");
}

#[test]
fn a_provider_resend_merges_without_a_task_and_links_its_document() {
    let state = dana(Stage::Contacted, LeadStatus::Active);
    let mut m = recent(inquiry("Dana", NOW, &state));
    m.resend = true;
    m.document_id = Some(41);
    let changes = run(&state, m).expect("settled");
    assert_eq!(
        changes,
        [
            "merge +[] +[dana@example.com]",
            "events inquiry_merged",
            "link document 41"
        ],
    );
}

#[test]
fn a_reopen_the_driver_did_not_plan_is_refused_not_guessed() {
    let state = dana(Stage::Contacted, LeadStatus::Completed);
    assert_eq!(
        run(&state, inquiry("Dana", NOW, &state)),
        Err(Refusal::Unplaced)
    );
}

#[test]
fn a_reopen_under_a_new_owner_says_who_had_the_lead() {
    let state = dana(Stage::Contacted, LeadStatus::Completed);
    let mut m = inquiry("Dana", NOW, &state);
    m.reopen = Some(ReopenPlan {
        owner: "alex".into(),
        ..plan()
    });
    let changes = run(&state, m).expect("settled");
    assert_eq!(
        changes[1],
        "events inquiry_merged follow_up_reopened segmented owner_assigned"
    );
}

#[test]
fn a_merged_inquiry_keeps_its_normalized_lines_and_address_once() {
    let known = parse_lead_json(
        br#"{"source":{"kind":"internet"},"customer":{"first_name":"Dana",
            "phones":["(312) 555-0142"],"emails":["Dana@Example.com"]}}"#,
        "US",
    )
    .unwrap();
    let again = parse_lead_json(
        br#"{"source":{"kind":"internet"},"customer":{"first_name":"Dana",
            "phones":["(312) 555-0142","(813) 555-0139 ext. 204"],"emails":["dana@example.com"],
            "address":{"street":["12 Main St"],"city":"Tampa"}}}"#,
        "US",
    )
    .unwrap();
    let mut stored = known.input.clone();
    merge_input(&mut stored, &again.input);
    merge_input(&mut stored, &again.input);
    assert_eq!(
        stored.customer.emails.len(),
        1,
        "{:?}",
        stored.customer.emails
    );
    assert_eq!(
        stored
            .customer
            .phone_numbers
            .iter()
            .map(|p| (p.number.as_str(), p.extension.as_deref()))
            .collect::<Vec<_>>(),
        [("+13125550142", None), ("+18135550139", Some("204"))]
    );
    assert!(stored.customer.address.is_some());
}
