//! An appointment's whole life on the manual clock: booked, confirmed by e-mail with a calendar
//! invite and by text, reminded at the right local times, confirmed or moved by the customer, shown
//! or missed.

use keepwarm_domain::ics::read_properties;
use serde_json::{json, Value};

use crate::helpers::{inquiry, spawn_app, TestApp, TUESDAY_9AM_CHICAGO};

/// Thursday 2026-12-03 10:00 in Chicago.
const THURSDAY_10AM: &str = "2026-12-03T16:00:00Z";

async fn book(app: &TestApp, id: i64, at: &str) -> reqwest::Response {
    app.post(
        &format!("/api/v1/leads/{id}/outcomes"),
        &json!({"stage": "appointment_set", "appointment": {"at": at, "kind": "sales"}, "by": "sam"}),
    )
    .await
}

async fn outcome(app: &TestApp, id: i64, body: Value) -> reqwest::Response {
    let mut body = body;
    if body.get("by").is_none() {
        body["by"] = json!("sam");
    }
    app.post(&format!("/api/v1/leads/{id}/outcomes"), &body)
        .await
}

async fn reply(app: &TestApp, from: &str, body: &str) -> Value {
    let response = app
        .post(
            "/api/v1/sandbox/inbound",
            &json!({"from": from, "body": body}),
        )
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn appointment(app: &TestApp, id: i64) -> Value {
    let list: Vec<Value> = app
        .get(&format!("/api/v1/appointments?lead={id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    list[0].clone()
}

/// `(block, sent_at)` of every touch sent to the lead, in order.
async fn sent(app: &TestApp, id: i64) -> Vec<(String, String)> {
    app.timeline(id)
        .await
        .iter()
        .filter(|e| e["kind"] == "touch_sent")
        .map(|e| {
            (
                e["data"]["block"].as_str().unwrap().to_owned(),
                e["data"]["sent_at"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn has_invite(message: &Value) -> bool {
    message["attachments"]
        .as_array()
        .is_some_and(|a| !a.is_empty())
}

fn invite_of(message: &Value) -> String {
    let attachments = message["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 1, "{message}");
    assert_eq!(attachments[0]["filename"], "invite.ics");
    assert_eq!(
        attachments[0]["content_type"],
        "text/calendar; method=REQUEST; charset=UTF-8"
    );
    attachments[0]["content"].as_str().unwrap().to_owned()
}

fn property<'a>(props: &'a [(String, String)], name: &str) -> &'a str {
    props
        .iter()
        .find(|(n, _)| n == name || n.starts_with(&format!("{name};")))
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} in {props:?}"))
}

#[tokio::test]
async fn a_booked_appointment_is_confirmed_at_once_with_an_invite_and_reminded_at_local_times() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0701")).await;
    let response = book(&app, id, THURSDAY_10AM).await;
    assert_eq!(response.status(), 200);
    let lead: Value = response.json().await.unwrap();
    assert_eq!(lead["stage"], "appointment_set");
    assert_eq!(lead["cadence"]["name"], "appointment_reminders");
    assert_eq!(lead["appointment"]["status"], "scheduled");
    assert_eq!(lead["appointment"]["ends_at"], "2026-12-03T17:00:00Z");

    let outbox = app.outbox(Some(id)).await;
    let sms = outbox
        .iter()
        .find(|m| m["channel"] == "sms" && m["body"].as_str().unwrap().contains("all set"))
        .unwrap_or_else(|| panic!("no confirmation text in {outbox:#?}"));
    let text = sms["body"].as_str().unwrap();
    assert!(
        text.contains("Thursday, December 3 at 10:00 AM") && text.contains("Reply C to confirm"),
        "{text}"
    );
    let email = outbox
        .iter()
        .find(|m| m["channel"] == "email" && has_invite(m))
        .unwrap_or_else(|| panic!("no confirmation e-mail in {outbox:#?}"));
    assert!(email["subject"]
        .as_str()
        .unwrap()
        .contains("Thursday, December 3"));
    let props = read_properties(&invite_of(email)).expect("a valid RFC 5545 invite");
    assert_eq!(property(&props, "METHOD"), "REQUEST");
    assert_eq!(property(&props, "DTSTART"), "20261203T160000Z");
    assert_eq!(property(&props, "DTEND"), "20261203T170000Z");
    assert_eq!(property(&props, "SEQUENCE"), "0");
    assert_eq!(
        property(&props, "UID"),
        format!(
            "appointment-{}@lakeside-motors.example.com",
            lead["appointment"]["id"]
        )
    );
    assert_eq!(
        property(&props, "LOCATION"),
        "100 Lake Shore Dr, Chicago, IL 60601"
    );
    assert_eq!(
        property(&props, "ORGANIZER"),
        "mailto:sales@lakeside-motors.example.com"
    );
    assert_eq!(
        property(&props, "ATTENDEE"),
        "mailto:dana3125550701@example.com"
    );

    app.advance_to("2026-12-03T16:30:00Z").await;
    let reminders: Vec<(String, String)> = sent(&app, id)
        .await
        .into_iter()
        .filter(|(block, _)| block.starts_with("appointment_reminder"))
        .collect();
    assert_eq!(
        reminders,
        [
            // The day before at the appointment's own time: Wednesday 10:00 CST.
            (
                "appointment_reminder_day_before".to_owned(),
                "2026-12-02T16:00:00Z".to_owned()
            ),
            // Two hours before is 08:00, before the store opens; moved to 09:00, still before 10:00.
            (
                "appointment_reminder_soon".to_owned(),
                "2026-12-03T15:00:00Z".to_owned()
            ),
        ],
        "{}",
        app.story(id).await
    );
}

#[tokio::test]
async fn a_one_word_confirmation_marks_the_appointment_confirmed_without_a_hand_off() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    for (n, words) in ["C", "confirm", "Yes", "see you then", "Sí"]
        .iter()
        .enumerate()
    {
        let phone = format!("+1312555072{n}");
        let id = app.create_lead(&inquiry(&phone)).await;
        assert_eq!(book(&app, id, THURSDAY_10AM).await.status(), 200);
        let answer = reply(&app, &phone, words).await;
        assert!(answer["escalation"].is_null(), "{words}: {answer}");
        assert_eq!(
            appointment(&app, id).await["status"],
            "confirmed",
            "{words}"
        );
        let lead = app.lead(id).await;
        assert_eq!(lead["status"], "active", "{words}: reminders keep going");
        assert!(
            app.timeline(id)
                .await
                .iter()
                .any(|e| e["kind"] == "appointment_confirmed"),
            "{}",
            app.story(id).await
        );
    }
    let tasks: Vec<Value> = app.get("/api/v1/tasks").await.json().await.unwrap();
    assert!(
        tasks.iter().all(|t| t["kind"] != "reply"),
        "a confirmation needs no answer from a person: {tasks:#?}"
    );
}

#[tokio::test]
async fn a_reschedule_request_escalates_to_the_owner_and_a_new_time_replans_the_reminders() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0731")).await;
    book(&app, id, THURSDAY_10AM).await;
    let answer = reply(
        &app,
        "+13125550731",
        "can't make it thursday, can we move it?",
    )
    .await;
    assert!(answer["escalation"].is_i64(), "{answer}");
    assert!(answer["intents"]
        .as_array()
        .unwrap()
        .contains(&json!("reschedule")));
    assert_eq!(
        appointment(&app, id).await["status"],
        "reschedule_requested"
    );
    let escalations: Vec<Value> = app.get("/api/v1/escalations").await.json().await.unwrap();
    assert_eq!(escalations[0]["owner"], app.lead(id).await["owner"]["id"]);

    // Sam calls back and moves it to Friday 2026-12-04 15:00 CST.
    let moved = book(&app, id, "2026-12-04T21:00:00Z").await;
    assert_eq!(moved.status(), 200);
    let a = appointment(&app, id).await;
    assert_eq!(
        (a["status"].as_str(), a["sequence"].as_i64()),
        (Some("scheduled"), Some(1))
    );
    assert_eq!(a["starts_at"], "2026-12-04T21:00:00Z");
    let emails: Vec<Value> = app
        .outbox(Some(id))
        .await
        .into_iter()
        .filter(has_invite)
        .collect();
    assert_eq!(emails.len(), 2);
    let first = read_properties(&invite_of(&emails[0])).unwrap();
    let second = read_properties(&invite_of(&emails[1])).unwrap();
    assert_eq!(property(&first, "UID"), property(&second, "UID"));
    assert_eq!(property(&second, "SEQUENCE"), "1");
    assert_eq!(property(&second, "DTSTART"), "20261204T210000Z");

    app.advance_to("2026-12-04T20:00:00Z").await;
    let reminders: Vec<(String, String)> = sent(&app, id)
        .await
        .into_iter()
        .filter(|(block, _)| block.starts_with("appointment_reminder"))
        .collect();
    assert_eq!(
        reminders,
        [
            (
                "appointment_reminder_day_before".to_owned(),
                "2026-12-03T21:00:00Z".to_owned()
            ),
            (
                "appointment_reminder_soon".to_owned(),
                "2026-12-04T19:00:00Z".to_owned()
            ),
        ],
        "only the new time's reminders go out:\n{}",
        app.story(id).await
    );
}

#[tokio::test]
async fn a_missed_appointment_starts_the_no_show_recovery_cadence() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0741")).await;
    book(&app, id, THURSDAY_10AM).await;
    // The appointment ends at 11:00; two hours' grace make it a no-show at 13:00 CST.
    app.advance_to("2026-12-03T18:59:00Z").await;
    assert_eq!(appointment(&app, id).await["status"], "scheduled");
    app.advance_to("2026-12-03T19:01:00Z").await;
    assert_eq!(appointment(&app, id).await["status"], "no_show");
    let lead = app.lead(id).await;
    assert_eq!(lead["cadence"]["name"], "no_show_recovery");
    assert_eq!(lead["stage"], "appointment_set", "a no-show is not a stage");
    let recovery = sent(&app, id).await;
    assert_eq!(
        recovery.last().unwrap(),
        &(
            "no_show_checkin".to_owned(),
            "2026-12-03T19:00:00Z".to_owned()
        ),
        "{}",
        app.story(id).await
    );
    let text = app.outbox(Some(id)).await.last().unwrap()["body"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(text.contains("Sorry we missed you"), "{text}");
    let tasks: Vec<Value> = app.get("/api/v1/tasks").await.json().await.unwrap();
    assert!(
        tasks.iter().any(|t| t["lead_id"] == id
            && t["body"]
                .as_str()
                .unwrap()
                .contains("missed their sales appointment (Thursday, December 3 at 10:00 AM)")),
        "the owner is asked to call: {tasks:#?}"
    );

    // Booking again ends the recovery and starts the reminders for the new time.
    assert_eq!(book(&app, id, "2026-12-08T16:00:00Z").await.status(), 200);
    assert_eq!(
        app.lead(id).await["cadence"]["name"],
        "appointment_reminders"
    );
}

/// Defect 2 through a missed appointment: the customer asked to move it, nobody took the
/// escalation, the appointment passed. The recovery texts ("Sorry we missed you") must not talk
/// over the question: they wait, held, until a person has taken it and answered.
#[tokio::test]
async fn a_missed_appointment_does_not_text_over_a_reschedule_request_nobody_took() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0742")).await;
    book(&app, id, THURSDAY_10AM).await;
    let answer = reply(
        &app,
        "+13125550742",
        "can't make it thursday, can we move it?",
    )
    .await;
    assert!(answer["escalation"].is_i64(), "{answer}");
    let before = app.outbox(Some(id)).await.len();
    app.advance_to("2026-12-03T19:01:00Z").await;
    assert_eq!(appointment(&app, id).await["status"], "no_show");
    let lead = app.lead(id).await;
    assert_eq!(
        (lead["cadence"]["name"].as_str(), lead["status"].as_str()),
        (Some("no_show_recovery"), Some("paused")),
        "{}",
        app.story(id).await
    );
    app.advance("P4D").await;
    let to_customer: Vec<Value> = app.outbox(Some(id)).await[before..]
        .iter()
        .filter(|m| m["recipient_kind"] == "customer")
        .cloned()
        .collect();
    assert!(
        to_customer.is_empty(),
        "nothing to the customer while the question waits: {to_customer:#?}\n{}",
        app.story(id).await
    );
    let kinds: Vec<String> = (app.timeline(id).await.iter())
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    assert!(kinds.contains(&"resume_held_back".to_owned()), "{kinds:?}");
    assert!(kinds.contains(&"going_cold_alert".to_owned()), "{kinds:?}");

    // Sam takes it and answers (the reply task); the next silence lets the recovery go on.
    app.post("/api/v1/escalations/1/ack", &json!({"by": "sam"}))
        .await;
    let tasks: Vec<Value> = app.get("/api/v1/tasks").await.json().await.unwrap();
    let task = tasks
        .iter()
        .find(|t| t["lead_id"] == id && t["kind"] == "reply" && t["status"] == "open")
        .and_then(|t| t["id"].as_i64())
        .expect("the reply task");
    app.post(
        &format!("/api/v1/tasks/{task}/complete"),
        &json!({"outcome": "done", "by": "sam"}),
    )
    .await;
    app.advance("P4D").await;
    assert!(
        sent(&app, id)
            .await
            .iter()
            .any(|(b, _)| b == "no_show_checkin"),
        "{}",
        app.story(id).await
    );
}

#[tokio::test]
async fn a_show_recorded_in_time_means_no_recovery() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0751")).await;
    book(&app, id, THURSDAY_10AM).await;
    app.advance_to("2026-12-03T16:20:00Z").await;
    let showed = outcome(&app, id, json!({"stage": "showed", "by": "sam"})).await;
    assert_eq!(showed.status(), 200);
    app.advance("P10D").await;
    assert_eq!(appointment(&app, id).await["status"], "showed");
    assert!(
        sent(&app, id)
            .await
            .iter()
            .all(|(b, _)| !b.starts_with("no_show")),
        "{}",
        app.story(id).await
    );
    let stage_changes: Vec<Value> = app
        .timeline(id)
        .await
        .into_iter()
        .filter(|e| e["kind"] == "stage_changed")
        .collect();
    let last = &stage_changes.last().unwrap()["data"];
    assert_eq!(
        (last["from"].as_str(), last["to"].as_str()),
        (Some("appointment_set"), Some("showed"))
    );
    assert_eq!(
        (last["by"].as_str(), last["via"].as_str()),
        (Some("sam"), Some("api"))
    );
}

#[tokio::test]
async fn recording_the_same_outcome_twice_changes_nothing() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0761")).await;
    assert_eq!(book(&app, id, THURSDAY_10AM).await.status(), 200);
    let before = app.timeline(id).await.len();
    assert_eq!(book(&app, id, THURSDAY_10AM).await.status(), 200);
    assert_eq!(
        app.timeline(id).await.len(),
        before,
        "{}",
        app.story(id).await
    );
    let sold = json!({"stage": "sold", "at": "2026-12-01T15:00:00Z"});
    assert_eq!(outcome(&app, id, sold.clone()).await.status(), 200);
    let after_sale = app.timeline(id).await.len();
    assert_eq!(outcome(&app, id, sold).await.status(), 200);
    assert_eq!(app.timeline(id).await.len(), after_sale);
}

#[tokio::test]
async fn each_bad_outcome_field_is_named() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0771")).await;
    let cases = [
        (json!({"stage": "appointment_set"}), "appointment"),
        (
            json!({"stage": "appointment_set", "appointment": {"at": "2026-11-30T16:00:00Z", "kind": "sales"}}),
            "appointment.at",
        ),
        (
            json!({"stage": "appointment_set", "appointment": {"at": "2028-01-01T16:00:00Z", "kind": "sales"}}),
            "appointment.at",
        ),
        (
            json!({"stage": "appointment_set", "appointment": {"at": THURSDAY_10AM, "kind": "parts"}}),
            "appointment.kind",
        ),
        (
            json!({"stage": "appointment_set", "appointment": {"at": THURSDAY_10AM, "kind": "sales", "duration_minutes": 0}}),
            "appointment.duration_minutes",
        ),
        (
            json!({"stage": "appointment_set", "appointment": {"at": "thursday", "kind": "sales"}}),
            "appointment.at",
        ),
        (
            json!({"stage": "showed", "appointment": {"at": THURSDAY_10AM, "kind": "sales"}}),
            "appointment",
        ),
        (
            json!({"stage": "showed", "at": "2026-12-02T15:00:00Z"}),
            "at",
        ),
        (
            json!({"stage": "showed", "at": "2026-11-01T15:00:00Z"}),
            "at",
        ),
        (json!({"stage": "showed", "at": "yesterday"}), "at"),
        (json!({"stage": "lost"}), "reason"),
        (
            json!({"stage": "lost", "reason": "x".repeat(501)}),
            "reason",
        ),
        (json!({"stage": "showed", "by": "nobody"}), "by"),
        (json!({"stage": "bought"}), "stage"),
    ];
    for (body, field) in cases {
        let response = outcome(&app, id, body.clone()).await;
        assert_eq!(response.status(), 422, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["fields"][0]["field"], field, "{body}: {error}");
    }
    assert!(
        app.timeline(id)
            .await
            .iter()
            .all(|e| e["kind"] != "stage_changed"),
        "nothing was recorded"
    );
    let bad_status = app.get("/api/v1/appointments?status=maybe").await;
    assert_eq!(bad_status.status(), 422);
    let error: Value = bad_status.json().await.unwrap();
    assert_eq!(error["fields"][0]["field"], "status");
}

#[tokio::test]
async fn a_question_before_the_appointment_goes_to_the_owner_and_the_reminders_keep_going() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0781")).await;
    book(&app, id, THURSDAY_10AM).await;
    let answer = reply(&app, "+13125550781", "Does it have a third row?").await;
    assert!(answer["escalation"].is_i64(), "{answer}");
    assert_eq!(app.lead(id).await["status"], "active");
    app.advance_to("2026-12-03T16:30:00Z").await;
    let blocks: Vec<String> = sent(&app, id).await.into_iter().map(|(b, _)| b).collect();
    assert!(
        blocks.iter().any(|b| b == "appointment_reminder_soon"),
        "{}",
        app.story(id).await
    );
}
