//! Stop, pause, resume, reassignment, stage changes and replies.

use serde_json::{json, Value};

use crate::helpers::{inquiry, spawn_app, TUESDAY_9AM_CHICAGO};

#[tokio::test]
async fn a_stopped_lead_gets_nothing_more() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0180")).await;
    let response = app
        .post(
            &format!("/api/v1/leads/{id}/stop"),
            &json!({"reason": "customer asked by phone", "by": "morgan"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let lead: Value = response.json().await.unwrap();
    assert_eq!(lead["status"], "stopped");
    assert_eq!(lead["stop_reason"], "customer asked by phone");
    app.advance("P15D").await;
    assert_eq!(
        app.outbox(Some(id)).await.len(),
        2,
        "only day 0 went out: {}",
        app.story(id).await
    );
    let events = app.timeline(id).await;
    let stop = events
        .iter()
        .find(|e| e["kind"] == "follow_up_stopped")
        .expect("stop event");
    assert_eq!(stop["data"]["reason"], "customer asked by phone");
    assert_eq!(stop["data"]["cancelled_touches"], 1);
    let again = app
        .post(
            &format!("/api/v1/leads/{id}/stop"),
            &json!({"reason": "again", "by": "morgan"}),
        )
        .await;
    assert_eq!(again.status(), 409);
}

#[tokio::test]
async fn an_opted_out_lead_can_never_be_resumed_or_touched() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0186")).await;
    let response = app
        .post(
            &format!("/api/v1/leads/{id}/stop"),
            &json!({"reason": "asked by phone not to be contacted", "opt_out": true, "by": "morgan"}),
        )
        .await;
    let lead: Value = response.json().await.unwrap();
    assert_eq!(lead["opted_out"], true);
    assert_eq!(lead["status"], "stopped");
    let resume = app
        .post(
            &format!("/api/v1/leads/{id}/resume"),
            &json!({"reason": "try again", "by": "morgan"}),
        )
        .await;
    assert_eq!(resume.status(), 409);
    app.advance("P15D").await;
    assert_eq!(app.outbox(Some(id)).await.len(), 2);
}

#[tokio::test]
async fn pause_holds_touches_and_resume_plans_them_inside_the_window() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0181")).await;
    let response = app
        .post(
            &format!("/api/v1/leads/{id}/pause"),
            &json!({"reason": "on vacation", "by": "morgan"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    app.advance("P3D").await;
    assert_eq!(
        app.outbox(Some(id)).await.len(),
        2,
        "{}",
        app.story(id).await
    );
    // Friday 2026-12-04 15:00Z = 09:00 CST: resume; the held day-1 text goes out at once.
    let response = app
        .post(
            &format!("/api/v1/leads/{id}/resume"),
            &json!({"reason": "back", "by": "morgan"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let outbox = app.outbox(Some(id)).await;
    assert_eq!(outbox.len(), 3, "{}", app.story(id).await);
    assert_eq!(outbox[2]["at"], "2026-12-04T15:00:00Z");
    let resume_again = app
        .post(
            &format!("/api/v1/leads/{id}/resume"),
            &json!({"reason": "x", "by": "morgan"}),
        )
        .await;
    assert_eq!(resume_again.status(), 409);
    let missing_reason = app
        .post(
            &format!("/api/v1/leads/{id}/pause"),
            &json!({"reason": " ", "by": "morgan"}),
        )
        .await;
    assert_eq!(missing_reason.status(), 422);
}

#[tokio::test]
async fn an_appointment_ends_the_follow_up_cadence() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0182")).await;
    let response = app
        .post(
            &format!("/api/v1/leads/{id}/outcomes"),
            &json!({"stage": "appointment_set", "appointment": {"at": "2026-12-03T16:00:00Z", "kind": "sales"}, "by": "morgan"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let lead: Value = response.json().await.unwrap();
    assert_eq!(lead["stage"], "appointment_set");
    assert_eq!(lead["cadence"]["name"], "appointment_reminders");
    app.advance("P15D").await;
    let timeline = app.timeline(id).await;
    let set_at = timeline
        .iter()
        .position(|e| e["kind"] == "stage_changed")
        .unwrap();
    let follow_up_after: Vec<&Value> = timeline[set_at..]
        .iter()
        .filter(|e| e["kind"] == "touch_sent")
        .filter(|e| {
            let block = e["data"]["block"].as_str().unwrap_or("");
            !block.starts_with("appointment_") && !block.starts_with("no_show_")
        })
        .collect();
    assert!(
        follow_up_after.is_empty(),
        "follow-up touches after the appointment was set:\n{}",
        app.story(id).await
    );
    let back = app
        .post(
            &format!("/api/v1/leads/{id}/outcomes"),
            &json!({"stage": "contacted", "by": "morgan"}),
        )
        .await;
    assert_eq!(back.status(), 409);
    let lost = app
        .post(
            &format!("/api/v1/leads/{id}/outcomes"),
            &json!({"stage": "lost", "by": "morgan"}),
        )
        .await;
    assert_eq!(lost.status(), 422, "lost needs a reason");
}

#[tokio::test]
async fn reassignment_is_on_the_timeline() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0183")).await;
    let response = app
        .post(
            &format!("/api/v1/leads/{id}/owner"),
            &json!({"owner": "alex", "reason": "speaks Spanish", "by": "morgan"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let lead: Value = response.json().await.unwrap();
    assert_eq!(lead["owner"], json!({"id": "alex", "name": "Alex Chen"}));
    let events = app.timeline(id).await;
    let last = events
        .iter()
        .rev()
        .find(|e| e["kind"] == "owner_assigned")
        .unwrap();
    assert_eq!(last["data"]["from"], "sam");
    let unknown = app
        .post(
            &format!("/api/v1/leads/{id}/owner"),
            &json!({"owner": "nobody", "reason": "x", "by": "morgan"}),
        )
        .await;
    assert_eq!(unknown.status(), 422);
    let missing = app.get("/api/v1/leads/9999").await;
    assert_eq!(missing.status(), 404);
    let bad = app.get("/api/v1/leads/abc").await;
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn a_reply_marks_the_lead_contacted_and_hands_it_to_its_owner() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0184")).await;
    let response = app
        .post(
            "/api/v1/sandbox/inbound",
            &json!({"from": "+13125550184", "body": "Is it still available?", "channel": "sms"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"lead_id": id, "created": false, "duplicate": false, "intents": ["vehicle_question"], "escalation": 1})
    );
    let lead = app.lead(id).await;
    assert_eq!(lead["stage"], "contacted");
    assert_eq!(lead["status"], "paused");
    // Within the silence after a hand-off (3 days) nothing automated goes out.
    app.advance("P2D").await;
    let to_customer = app
        .outbox(Some(id))
        .await
        .into_iter()
        .filter(|m| m["recipient_kind"] == "customer")
        .count();
    assert_eq!(
        to_customer,
        2,
        "no automated texts after a reply: {}",
        app.story(id).await
    );
    let tasks: Vec<Value> = app
        .get("/api/v1/tasks?owner=sam")
        .await
        .json()
        .await
        .unwrap();
    assert!(tasks.iter().any(|t| t["kind"] == "reply"
        && t["body"]
            .as_str()
            .unwrap()
            .contains("Is it still available?")));
}

#[tokio::test]
async fn a_text_from_an_unknown_number_becomes_a_lead() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let response = app
        .post(
            "/api/v1/sandbox/inbound",
            &json!({"from": "(312) 555-0185", "body": "Do you have any used Tacomas?"}),
        )
        .await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["created"], true);
    let lead = app.lead(body["lead_id"].as_i64().unwrap()).await;
    assert_eq!(lead["source"]["kind"], "sms");
    assert_eq!(lead["segment"], "new_inquiry");
    assert_eq!(lead["stage"], "contacted");
    let bad = app
        .post(
            "/api/v1/sandbox/inbound",
            &json!({"from": "nope", "body": "hi"}),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let error: Value = bad.json().await.unwrap();
    assert_eq!(error["fields"][0]["field"], "from");
}

#[tokio::test]
async fn a_call_from_an_unknown_number_is_captured_as_a_phone_lead() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let response = app
        .post(
            "/api/v1/sandbox/inbound",
            &json!({"from": "(312) 555-0187", "body": "", "channel": "call"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["created"], true);
    let lead = app.lead(body["lead_id"].as_i64().unwrap()).await;
    assert_eq!(lead["source"]["kind"], "phone");
    assert_eq!(lead["stage"], "contacted");
    let tasks: Vec<Value> = app.get("/api/v1/tasks").await.json().await.unwrap();
    assert!(tasks
        .iter()
        .any(|t| t["kind"] == "call" && t["body"].as_str().unwrap().contains("Call them back")));
    let fax = app
        .post(
            "/api/v1/sandbox/inbound",
            &json!({"from": "(312) 555-0187", "body": "x", "channel": "fax"}),
        )
        .await;
    assert_eq!(fax.status(), 422);
}
