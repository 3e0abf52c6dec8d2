//! The kill switch through the whole server: engaged, a new lead's day-0 text is held with the
//! reason on its timeline and nothing automated reaches the customer; released, the held text goes
//! through the gate (inside the window, under the caps); every flip is attributed on the history.
//! A switch engaged between a batch's claim and its send holds what was claimed.

use jiff::{SignedDuration, Timestamp};
use serde_json::{json, Value};

use crate::helpers::{inquiry, open_all_hours, spawn_app, spawn_app_configured, TestApp, TOKEN};

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

/// Customer texts to `phone`, oldest first: (when, lead).
async fn texts_to(app: &TestApp, phone: &str) -> Vec<(Timestamp, i64)> {
    let mut sent: Vec<(Timestamp, i64)> = app
        .outbox(None)
        .await
        .into_iter()
        .filter(|m| m["channel"] == "sms" && m["recipient_kind"] == "customer" && m["to"] == phone)
        .filter_map(|m| Some((m["at"].as_str()?.parse().ok()?, m["lead_id"].as_i64()?)))
        .collect();
    // Stable: texts sent at one instant keep the outbox's order.
    sent.sort_by_key(|(at, _)| *at);
    sent
}

#[tokio::test]
async fn a_switch_engaged_between_a_batchs_claim_and_its_send_holds_the_claimed_touches() {
    let mut config = open_all_hours();
    for id in ["north", "south", "east"] {
        let mut d = config.dealerships[0].clone();
        d.id = id.into();
        config.dealerships.push(d);
    }
    // Tuesday 07:00 in Miami: Florida's texting window opens at 08:00 (13:00Z).
    let app = spawn_app_configured(config, "sqlite::memory:", "2026-12-01T12:00:00Z").await;
    let miami = "+13055550142";
    let mut florida = Vec::new();
    for dealership in ["main", "north", "south", "east"] {
        let mut lead = inquiry("(305) 555-0142");
        lead["dealership"] = json!(dealership);
        lead["source"]["provider_lead_id"] = json!(format!("cars-{dealership}"));
        // Asked two days ago: automated solicitations, which Florida caps at 3 a day.
        lead["received_at"] = json!("2026-11-29T15:00:00Z");
        florida.push(app.create_lead(&lead).await);
    }
    let stopper = app.create_lead(&inquiry("(312) 555-0150")).await;
    let buyer = app.create_lead(&inquiry("(312) 555-0151")).await;
    app.advance("PT1M").await;
    assert!(texts_to(&app, miami).await.is_empty());

    // 08:00 in Miami: the dispatcher claims the Florida texts and has read the switches (none
    // engaged) when it stops; the switch is engaged; then it goes on to send.
    let paused = app.engine.pause_after_next_switch_read();
    let clock = app
        .client
        .post(format!("{}/api/v1/sandbox/clock", app.address))
        .bearer_auth(TOKEN)
        .json(&json!({"to": "2026-12-01T13:00:30Z"}))
        .send();
    let clock = tokio::spawn(clock);
    tokio::time::timeout(std::time::Duration::from_secs(30), paused.reached)
        .await
        .expect("the dispatcher never read the switches")
        .expect("pause dropped");
    let (status, body) = flip(&app, "/api/v1/kill-switch", true, "carrier review").await;
    assert_eq!(status, 200, "{body}");
    let engaged_at = app.now();
    paused.go.send(()).expect("dispatcher waiting");
    assert_eq!(
        clock.await.expect("clock task").expect("clock").status(),
        200
    );

    let mut stories = String::new();
    for lead in &florida {
        stories.push_str(&app.story(*lead).await);
        stories.push('\n');
    }
    assert!(
        texts_to(&app, miami).await.is_empty(),
        "claimed texts left after the switch was engaged:\n{stories}"
    );
    let mut held = 0;
    for lead in &florida {
        let timeline = app.timeline(*lead).await;
        let texts: Vec<&Value> = timeline
            .iter()
            .filter(|e| e["kind"] == "touch_scheduled" && e["data"]["channel"] == "sms")
            .map(|e| &e["data"]["touch_id"])
            .collect();
        held += timeline
            .iter()
            .filter(|e| e["kind"] == "touch_held" && texts.contains(&&e["data"]["touch_id"]))
            .filter(|e| e["data"]["reason"].to_string().contains("kill switch"))
            .count();
    }
    // The gate let three texts through (the fourth is over Florida's cap): the switch holds those
    // three. (What comes due after the switch is engaged is held before it is decided.)
    assert_eq!(held, 3, "{stories}");

    // Engaged: an opt-out is confirmed and a staff alert goes; nothing automated does.
    app.reply("+13125550150", "STOP").await;
    let outcome = app
        .reply("+13125550151", "Can I come see it Saturday?")
        .await;
    assert!(outcome["escalation"].as_i64().is_some(), "{outcome}");
    app.advance_to("2026-12-01T14:30:00Z").await;
    let confirmations: Vec<Value> = app
        .outbox(Some(stopper))
        .await
        .into_iter()
        .filter(|m| m["recipient_kind"] == "customer")
        .collect();
    assert_eq!(
        confirmations.len(),
        1,
        "{confirmations:?}\n{}",
        app.story(stopper).await
    );
    assert!(
        app.outbox(Some(buyer))
            .await
            .iter()
            .any(|m| m["recipient_kind"] == "staff"),
        "no staff alert:\n{}",
        app.story(buyer).await
    );
    let automated: Vec<Value> = app
        .outbox(None)
        .await
        .into_iter()
        .filter(|m| m["recipient_kind"] == "customer" && m["lead_id"] != json!(stopper))
        .filter(|m| m["at"].as_str().and_then(|a| a.parse::<Timestamp>().ok()) >= Some(engaged_at))
        .collect();
    assert!(automated.is_empty(), "sent while engaged: {automated:#?}");

    // Released: the held texts go in their order, under the cap; the capped one later.
    let (_, released) = flip(&app, "/api/v1/kill-switch", false, "review done").await;
    assert!(
        released["released_touches"].as_u64().unwrap_or(0) >= 3,
        "{released}"
    );
    app.advance("PT1M").await;
    let sent = texts_to(&app, miami).await;
    let now: Timestamp = "2026-12-01T14:30:00Z".parse().unwrap();
    let on_release: Vec<i64> = sent
        .iter()
        .filter(|(at, _)| *at == now)
        .map(|(_, lead)| *lead)
        .collect();
    assert_eq!(on_release, florida[..3], "{sent:?}");
    app.advance_to("2026-12-04T23:00:00Z").await;
    let all = texts_to(&app, miami).await;
    for (at, _) in &all {
        let within = all
            .iter()
            .filter(|(s, _)| s <= at && at.duration_since(*s) < SignedDuration::from_hours(24))
            .count();
        assert!(
            within <= 3,
            "{within} texts in the 24 h up to {at}: {all:?}"
        );
    }
    assert!(
        all.iter().any(|(_, lead)| *lead == florida[3]),
        "the capped text never went: {all:?}\n{}",
        app.story(florida[3]).await
    );
}
