//! Two-way texting: a person writes to the customer from the store's number, under the same
//! consent rules and contact window as automation, and every word lands on the lead.

use serde_json::{json, Value};

use crate::helpers::{inquiry, spawn_app, TestApp, TUESDAY_9AM_CHICAGO};
use crate::staff::{get_as, post_as, token_for};

/// A lead, its owner and the owner's token.
async fn lead_and_owner(app: &TestApp, phone: &str) -> (i64, String, String) {
    let id = app.create_lead(&inquiry(phone)).await;
    let owner = app.lead(id).await["owner"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = token_for(app, &owner).await;
    (id, owner, token)
}

async fn send(app: &TestApp, token: &str, id: i64, body: &Value) -> reqwest::Response {
    post_as(app, token, &format!("/api/v1/leads/{id}/messages"), body).await
}

/// The customer messages in the outbox with this text.
async fn sent_to_customer(app: &TestApp, id: i64, text: &str) -> Vec<Value> {
    app.outbox(Some(id))
        .await
        .into_iter()
        .filter(|m| m["recipient_kind"] == "customer" && m["body"] == text)
        .collect()
}

#[tokio::test]
async fn a_staff_reply_goes_out_from_the_store_and_acknowledges_the_escalation() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let (id, owner, token) = lead_and_owner(&app, "(312) 555-0931").await;
    let hot = app
        .reply("+13125550931", "Can I come see it Saturday morning?")
        .await;
    let escalation = hot["escalation"].as_i64().expect("an escalation");
    app.advance("PT2M").await;

    let text = "Saturday at 10 works. I'll have it pulled up front. - Sam";
    let response = send(&app, &token, id, &json!({"channel": "sms", "body": text})).await;
    assert_eq!(response.status(), 202);
    let sent: Value = response.json().await.unwrap();
    assert_eq!(sent["by"], owner.as_str());
    assert_eq!(sent["to"], "+13125550931");
    assert_eq!(sent["conversational"], true, "{sent}");
    assert_eq!(sent["acknowledged"], json!([escalation]));

    let out = sent_to_customer(&app, id, text).await;
    assert_eq!(out.len(), 1, "{}", app.story(id).await);
    assert_eq!(out[0]["to"], "+13125550931");
    assert_eq!(out[0]["channel"], "sms");
    let e: Value = app
        .get("/api/v1/escalations?status=acknowledged")
        .await
        .json()
        .await
        .unwrap();
    let e = e.as_array().unwrap().iter().find(|e| e["id"] == escalation);
    assert_eq!(
        e.map(|e| e["acknowledged_by"].clone()),
        Some(json!(owner)),
        "{}",
        app.story(id).await
    );
    let story = app.story(id).await;
    let timeline = app.timeline(id).await;
    let said = timeline
        .iter()
        .find(|e| e["kind"] == "staff_message_sent")
        .unwrap_or_else(|| panic!("no staff_message_sent:\n{story}"));
    assert_eq!(said["data"]["by"], owner.as_str());
    assert_eq!(said["data"]["body"], text);
    assert_eq!(app.lead(id).await["stage"], "contacted");
}

#[tokio::test]
async fn sending_pauses_automation_until_the_conversation_goes_quiet() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let (id, owner, token) = lead_and_owner(&app, "(312) 555-0932").await;
    assert_eq!(app.lead(id).await["status"], "active");
    let response = send(
        &app,
        &token,
        id,
        &json!({"channel": "sms", "body": "Hi Dana, Sam here. Still looking at the CR-V?"}),
    )
    .await;
    assert_eq!(response.status(), 202);
    let sent: Value = response.json().await.unwrap();
    assert_eq!(sent["conversational"], false, "{sent}");
    let lead = app.lead(id).await;
    assert_eq!(lead["status"], "paused", "{}", app.story(id).await);
    assert_eq!(lead["stage"], "contacted");
    let timeline = app.timeline(id).await;
    let paused = timeline
        .iter()
        .find(|e| e["kind"] == "follow_up_paused")
        .unwrap();
    assert_eq!(paused["data"]["by"], owner.as_str());

    // Three quiet days (the starter's resume_after_silence_days): automation takes over again.
    app.advance("P3DT1H").await;
    assert_eq!(
        app.lead(id).await["status"],
        "active",
        "{}",
        app.story(id).await
    );
}

#[tokio::test]
async fn a_message_to_an_opted_out_customer_is_refused_naming_the_revocation() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let (id, _, token) = lead_and_owner(&app, "(312) 555-0933").await;
    app.reply("+13125550933", "STOP").await;
    let before = app.outbox(Some(id)).await.len();

    let response = send(
        &app,
        &token,
        id,
        &json!({"channel": "sms", "body": "Sorry to see you go, one last thing"}),
    )
    .await;
    assert_eq!(response.status(), 409);
    let body: Value = response.json().await.unwrap();
    let error = body["error"].as_str().unwrap();
    assert!(
        error.contains("\"STOP\"") && error.contains("sms reply"),
        "the refusal names the revocation: {error}"
    );
    assert_eq!(app.outbox(Some(id)).await.len(), before, "nothing was sent");
    let timeline = app.timeline(id).await;
    assert!(
        timeline
            .iter()
            .all(|e| !e["kind"].as_str().unwrap().starts_with("staff_message")),
        "{}",
        app.story(id).await
    );
}

#[tokio::test]
async fn a_message_at_ten_at_night_waits_unless_it_answers_the_customer() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let (id, _, token) = lead_and_owner(&app, "(312) 555-0934").await;
    // Tuesday 22:00 in Chicago.
    app.advance_to("2026-12-02T04:00:00Z").await;
    let text = "Hi Dana, are you free to talk tomorrow?";
    let refused = send(&app, &token, id, &json!({"channel": "sms", "body": text})).await;
    assert_eq!(refused.status(), 409);
    let body: Value = refused.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("22:00"), "{body}");
    // The window opens at 09:00 on Wednesday: the store's sales hours, inside the legal hours.
    assert_eq!(body["next_opening"], "2026-12-02T15:00:00Z", "{body}");
    assert!(sent_to_customer(&app, id, text).await.is_empty());

    // The customer writes at 22:00; an answer within the hour is conversational.
    app.reply("+13125550934", "is the CR-V still there?").await;
    app.advance("PT10M").await;
    let answer = "Yes it is! Want to see it tomorrow after 5?";
    let response = send(&app, &token, id, &json!({"channel": "sms", "body": answer})).await;
    assert_eq!(response.status(), 202);
    let sent: Value = response.json().await.unwrap();
    assert_eq!(sent["conversational"], true);
    assert_eq!(sent_to_customer(&app, id, answer).await.len(), 1);
    let timeline = app.timeline(id).await;
    let said = timeline
        .iter()
        .find(|e| e["kind"] == "staff_message_sent")
        .unwrap();
    assert_eq!(said["data"]["conversational"], true);

    // Past the hour, the window rules again.
    app.advance("PT55M").await;
    let late = send(
        &app,
        &token,
        id,
        &json!({"channel": "sms", "body": "Still there?"}),
    )
    .await;
    assert_eq!(late.status(), 409);
}

#[tokio::test]
async fn a_replayed_request_sends_once() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let (id, _, token) = lead_and_owner(&app, "(312) 555-0935").await;
    let text = "Hi Dana, the CR-V is ready for a test drive today.";
    let mut statuses = Vec::new();
    for _ in 0..2 {
        let response = app
            .client
            .post(format!("{}/api/v1/leads/{id}/messages", app.address))
            .bearer_auth(&token)
            .header("Idempotency-Key", "b2c1e0a4-send-1")
            .json(&json!({"channel": "sms", "body": text}))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [202, 200]);
    assert_eq!(sent_to_customer(&app, id, text).await.len(), 1);
    let queued = app
        .timeline(id)
        .await
        .iter()
        .filter(|e| e["kind"] == "staff_message_queued")
        .count();
    assert_eq!(queued, 1, "{}", app.story(id).await);
}

#[tokio::test]
async fn a_message_from_an_approved_block_is_drafted_with_the_leads_context() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let (id, _, token) = lead_and_owner(&app, "(312) 555-0936").await;
    let draft: Value = get_as(
        &app,
        &token,
        &format!("/api/v1/leads/{id}/messages/draft?block=appointment_options"),
    )
    .await
    .json()
    .await
    .unwrap();
    let text = draft["body"].as_str().unwrap();
    assert!(text.contains("Dana") && !text.contains("{{"), "{draft}");
    assert_eq!(draft["channel"], "sms");

    let response = send(
        &app,
        &token,
        id,
        &json!({"channel": "sms", "block": "appointment_options"}),
    )
    .await;
    assert_eq!(response.status(), 202);
    assert_eq!(sent_to_customer(&app, id, text).await.len(), 1);

    let edited = format!("{text} Saturday works best for us.");
    let response = send(
        &app,
        &token,
        id,
        &json!({"channel": "sms", "block": "appointment_options", "body": edited}),
    )
    .await;
    assert_eq!(response.status(), 202);
    assert_eq!(sent_to_customer(&app, id, &edited).await.len(), 1);
}

#[tokio::test]
async fn a_bad_message_is_refused_naming_the_field() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let (id, _, token) = lead_and_owner(&app, "(312) 555-0937").await;
    let cases = [
        (json!({"channel": "sms", "body": "  "}), "body"),
        (json!({"channel": "sms"}), "body"),
        (json!({"channel": "fax", "body": "hi"}), "channel"),
        (json!({"channel": "sms", "block": "no_such_block"}), "block"),
        (
            json!({"channel": "email", "block": "appointment_options"}),
            "block",
        ),
        (
            json!({"channel": "sms", "body": "hi", "subject": "x"}),
            "subject",
        ),
        (json!({"channel": "sms", "body": "x".repeat(1601)}), "body"),
        (json!({"channel": "sms", "body": "hi", "bcc": "x"}), "bcc"),
    ];
    for (body, field) in cases {
        let response = send(&app, &token, id, &body).await;
        assert_eq!(response.status(), 422, "{body}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["fields"][0]["field"], field, "{body}: {answer}");
    }
    assert!(app
        .timeline(id)
        .await
        .iter()
        .all(|e| e["kind"] != "staff_message_queued"));
}

#[tokio::test]
async fn an_email_goes_to_the_customers_address_with_a_subject() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let (id, _, token) = lead_and_owner(&app, "(312) 555-0938").await;
    let response = send(
        &app,
        &token,
        id,
        &json!({"channel": "email", "subject": "Your CR-V", "body": "Hi Dana,\n\nIt's ready.\n\nSam"}),
    )
    .await;
    assert_eq!(response.status(), 202);
    let out: Vec<Value> = app
        .outbox(Some(id))
        .await
        .into_iter()
        .filter(|m| m["subject"] == "Your CR-V")
        .collect();
    assert_eq!(out.len(), 1, "{}", app.story(id).await);
    assert_eq!(out[0]["to"], "dana3125550938@example.com");
    assert_eq!(out[0]["channel"], "email");
}
