//! The kill switch through the whole server: engaged, a new lead's day-0 text is held with the
//! reason on its timeline and nothing automated reaches the customer; released, the held text goes
//! through the gate (inside the window, under the caps); every flip is attributed on the history.

use serde_json::{json, Value};

use crate::helpers::{inquiry, spawn_app, TestApp};

async fn customer_texts(app: &TestApp, lead: i64) -> usize {
    customer_messages(app, lead, "sms").await
}

/// Messages to the lead's customer on `channel` (`*`: any).
async fn customer_messages(app: &TestApp, lead: i64, channel: &str) -> usize {
    app.outbox(Some(lead))
        .await
        .iter()
        .filter(|m| m["recipient_kind"] == "customer")
        .filter(|m| channel == "*" || m["channel"] == channel)
        .count()
}

async fn flip(app: &TestApp, path: &str, engaged: bool, reason: &str) -> (u16, Value) {
    let response = app
        .post(
            path,
            &json!({"engaged": engaged, "reason": reason, "by": "morgan"}),
        )
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

#[tokio::test]
async fn an_engaged_kill_switch_holds_every_automated_message_and_its_release_sends_them_through_the_gate(
) {
    // Tuesday 09:00 in Chicago.
    let app = spawn_app("2026-12-01T15:00:00Z").await;
    let (status, engaged) = flip(
        &app,
        "/api/v1/dealerships/main/kill-switch",
        true,
        "carrier complaint under review",
    )
    .await;
    assert_eq!(status, 200, "{engaged}");
    assert_eq!(engaged["engaged"], true, "{engaged}");
    assert_eq!(engaged["holding"], true, "{engaged}");

    let lead = app.create_lead(&inquiry("(312) 555-0142")).await;
    app.advance("PT2H").await;
    assert_eq!(
        customer_messages(&app, lead, "*").await,
        0,
        "{}",
        app.story(lead).await
    );
    let timeline = app.timeline(lead).await;
    let story = app.story(lead).await;
    let held = timeline
        .iter()
        .find(|e| e["kind"] == "touch_held")
        .unwrap_or_else(|| panic!("no hold on the timeline:\n{story}"));
    let reason = held["data"]["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("kill switch") && reason.contains("morgan") && reason.contains("carrier"),
        "{reason}"
    );

    // Released in the evening, after 21:00 in Chicago: the held texts go back on the queue but
    // wait for the window to open rather than going at once. (The first-response e-mail, an answer
    // to the inquiry, follows `contact.email_reply_hours` and goes: the text's deferral does not
    // hold it.)
    app.advance_to("2026-12-02T03:30:00Z").await;
    let (status, released) = flip(
        &app,
        "/api/v1/dealerships/main/kill-switch",
        false,
        "review done",
    )
    .await;
    assert_eq!(status, 200, "{released}");
    assert_eq!(released["engaged"], false, "{released}");
    assert!(
        released["released_touches"].as_u64().unwrap_or(0) >= 1,
        "{released}"
    );
    assert_eq!(
        customer_texts(&app, lead).await,
        0,
        "sent outside the window on release:\n{}",
        app.story(lead).await
    );
    app.advance_to("2026-12-02T15:30:00Z").await;
    let sent = app.outbox(Some(lead)).await;
    let story = app.story(lead).await;
    let first = sent
        .iter()
        .find(|m| m["recipient_kind"] == "customer" && m["channel"] == "sms")
        .unwrap_or_else(|| panic!("nothing sent after release:\n{story}"));
    assert_eq!(first["at"], "2026-12-02T15:00:00Z", "{first}");

    // The history names who flipped it and why, newest first.
    let status: Value = app
        .get("/api/v1/dealerships/main/kill-switch")
        .await
        .json()
        .await
        .expect("json");
    let history = status["history"].as_array().expect("history");
    assert_eq!(history.len(), 2, "{status}");
    assert_eq!(history[0]["engaged"], false);
    assert_eq!(history[0]["by"], "morgan");
    assert_eq!(history[1]["reason"], "carrier complaint under review");
}

#[tokio::test]
async fn every_dealerships_switch_holds_a_dealership_whose_own_switch_is_released() {
    let app = spawn_app("2026-12-01T15:00:00Z").await;
    let (status, _) = flip(&app, "/api/v1/kill-switch", true, "provider outage").await;
    assert_eq!(status, 200);
    let lead = app.create_lead(&inquiry("(312) 555-0143")).await;
    // Releasing the dealership's own switch does not release what every dealership's holds.
    let (_, own) = flip(
        &app,
        "/api/v1/dealerships/main/kill-switch",
        false,
        "not this one",
    )
    .await;
    assert_eq!(own["holding"], true, "{own}");
    assert_eq!(own["released_touches"], 0, "{own}");
    app.advance("PT1H").await;
    assert_eq!(
        customer_texts(&app, lead).await,
        0,
        "{}",
        app.story(lead).await
    );
    let (_, every) = flip(&app, "/api/v1/kill-switch", false, "provider back").await;
    assert_eq!(every["holding"], false, "{every}");
    app.advance("PT1M").await;
    assert!(
        customer_texts(&app, lead).await >= 1,
        "{}",
        app.story(lead).await
    );
}

#[tokio::test]
async fn a_flip_without_a_reason_or_for_an_unknown_dealership_is_refused_and_changes_nothing() {
    let app = spawn_app("2026-12-01T15:00:00Z").await;
    let path = "/api/v1/dealerships/main/kill-switch";
    let (status, body) = flip(&app, path, true, "   ").await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("reason"), "{body}");
    let (status, body) = flip(&app, "/api/v1/dealerships/nowhere/kill-switch", true, "x").await;
    assert_eq!(status, 404, "{body}");
    let response = app
        .post(
            path,
            &json!({"engaged": "yes", "reason": "x", "by": "morgan"}),
        )
        .await;
    assert_eq!(response.status(), 422);
    let response = app
        .post(
            path,
            &json!({"engaged": true, "reason": "x", "by": "nobody"}),
        )
        .await;
    assert_eq!(response.status(), 422);
    let status: Value = app.get(path).await.json().await.expect("json");
    assert_eq!(status["engaged"], false, "{status}");
    assert_eq!(status["history"], json!([]), "{status}");
}
