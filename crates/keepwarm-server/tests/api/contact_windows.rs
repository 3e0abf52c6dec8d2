//! The recipient's contact window through the whole server and the clock's hard days: a server
//! that was down through the night sends nothing before the window opens and the overdue touch
//! waits for the opening with the rule named; on the DST days a touch due across the change goes
//! at the first legal local minute, never an hour early or late.

use jiff::Timestamp;
use serde_json::Value;

use crate::helpers::{inquiry, open_all_hours, spawn_app_configured, KeptDatabase, TestApp};

/// Customer texts to `phone`, oldest first.
async fn texts_to(app: &TestApp, phone: &str) -> Vec<Timestamp> {
    let mut at: Vec<Timestamp> = app
        .outbox(None)
        .await
        .into_iter()
        .filter(|m| m["channel"] == "sms" && m["recipient_kind"] == "customer" && m["to"] == phone)
        .filter_map(|m| m["at"].as_str().and_then(|a| a.parse().ok()))
        .collect();
    at.sort();
    at
}

/// The lead's text deferrals (`touch_deferred` on the sms channel).
async fn text_deferrals(app: &TestApp, lead: i64) -> Vec<Value> {
    app.timeline(lead)
        .await
        .into_iter()
        .filter(|e| e["kind"] == "touch_deferred" && e["data"]["channel"] == "sms")
        .collect()
}

#[tokio::test]
async fn after_a_night_down_an_overdue_florida_text_waits_for_eight_oclock_with_the_rule_named() {
    let db = KeptDatabase::create().await;
    let (overdue, evening);
    {
        // Tuesday 19:55 in Miami, inside Florida's 08:00-20:00. The process stops dispatching (a
        // crash, a deploy) just as a lead arrives: its text, due at once, is not sent.
        let app = spawn_app_configured(open_all_hours(), &db.url, "2026-12-02T00:55:00Z").await;
        app.engine.stop_dispatch();
        overdue = app.create_lead(&inquiry("(305) 555-0143")).await;
        let story = app.story(overdue).await;
        assert!(texts_to(&app, "+13055550143").await.is_empty(), "{story}");
        // 20:15 (the clock moved by hand: nothing dispatches any more): Florida's window has
        // closed; a new lead's text is planned for 08:00.
        let clock = app.engine.clock().as_manual().expect("manual clock");
        clock.set("2026-12-02T01:15:00Z".parse().unwrap());
        evening = app.create_lead(&inquiry("(305) 555-0142")).await;
        let story = app.story(evening).await;
        let planned = app
            .timeline(evening)
            .await
            .into_iter()
            .find(|e| e["kind"] == "touch_scheduled" && e["data"]["channel"] == "sms")
            .unwrap_or_else(|| panic!("no text planned:\n{story}"));
        assert_eq!(planned["data"]["due_at"], "2026-12-02T13:00:00Z", "{story}");
    }
    // Down through the night; restarted at 05:30 in Miami (10:30Z), before the window opens.
    let app = spawn_app_configured(open_all_hours(), &db.url, "2026-12-02T10:30:00Z").await;
    app.advance("PT1M").await;
    let story = app.story(overdue).await;
    assert!(texts_to(&app, "+13055550143").await.is_empty(), "{story}");
    let deferred = text_deferrals(&app, overdue).await;
    assert_eq!(deferred.len(), 1, "{story}");
    assert_eq!(deferred[0]["at"], "2026-12-02T10:30:00Z", "{story}");
    assert_eq!(
        deferred[0]["data"]["deferred_to"], "2026-12-02T13:00:00Z",
        "{story}"
    );
    assert!(
        deferred[0]["data"]["reason"]
            .to_string()
            .contains("US-FL.hours"),
        "{story}"
    );

    // Nothing before 08:00 in Miami; both texts at 08:00 sharp.
    app.advance_to("2026-12-02T12:59:59Z").await;
    assert!(texts_to(&app, "+13055550142").await.is_empty());
    assert!(texts_to(&app, "+13055550143").await.is_empty());
    app.advance_to("2026-12-02T13:00:30Z").await;
    let eight: Timestamp = "2026-12-02T13:00:00Z".parse().unwrap();
    for (lead, phone) in [(evening, "+13055550142"), (overdue, "+13055550143")] {
        assert_eq!(
            texts_to(&app, phone).await,
            [eight],
            "{}",
            app.story(lead).await
        );
    }
}

/// A lead for `phone` arriving at `arrives` (the store open around the clock): when its first text
/// goes, checked to be the only text until a minute after `expected`.
async fn first_text(phone: &str, arrives: &str, expected: &str) {
    let app = spawn_app_configured(open_all_hours(), "sqlite::memory:", arrives).await;
    let lead = app.create_lead(&inquiry(phone)).await;
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let to = format!("+1{digits}");
    let expected: Timestamp = expected.parse().unwrap();
    app.advance_to(&(expected + jiff::SignedDuration::from_secs(60)).to_string())
        .await;
    assert_eq!(
        texts_to(&app, &to).await,
        [expected],
        "{phone} arriving {arrives}:\n{}",
        app.story(lead).await
    );
}

#[tokio::test]
async fn on_the_day_clocks_go_forward_a_text_due_overnight_goes_at_eight_daylight_time() {
    // 2026-03-08, 02:00 -> 03:00. Miami (Florida, 08:00-20:00): 08:00 EDT is 12:00Z.
    first_text(
        "(305) 555-0142",
        "2026-03-08T01:30:00Z",
        "2026-03-08T12:00:00Z",
    )
    .await; // Sat 20:30 EST
    first_text(
        "(305) 555-0143",
        "2026-03-08T06:30:00Z",
        "2026-03-08T12:00:00Z",
    )
    .await; // 01:30 EST
            // Los Angeles (federal, 08:00-21:00): 08:00 PDT is 15:00Z.
    first_text(
        "(213) 555-0142",
        "2026-03-08T05:30:00Z",
        "2026-03-08T15:00:00Z",
    )
    .await; // Sat 21:30 PST
    first_text(
        "(213) 555-0143",
        "2026-03-08T09:30:00Z",
        "2026-03-08T15:00:00Z",
    )
    .await; // 01:30 PST
}

#[tokio::test]
async fn on_the_day_clocks_go_back_a_text_due_overnight_goes_at_eight_standard_time() {
    // 2026-11-01, 02:00 -> 01:00. Miami: 08:00 EST is 13:00Z.
    first_text(
        "(305) 555-0142",
        "2026-11-01T00:30:00Z",
        "2026-11-01T13:00:00Z",
    )
    .await; // Sat 20:30 EDT
    first_text(
        "(305) 555-0143",
        "2026-11-01T06:30:00Z",
        "2026-11-01T13:00:00Z",
    )
    .await; // the second 01:30 (EST)
            // Los Angeles: 08:00 PST is 16:00Z.
    first_text(
        "(213) 555-0142",
        "2026-11-01T04:30:00Z",
        "2026-11-01T16:00:00Z",
    )
    .await; // Sat 21:30 PDT
    first_text(
        "(213) 555-0143",
        "2026-11-01T09:30:00Z",
        "2026-11-01T16:00:00Z",
    )
    .await; // the second 01:30 (PST)
}
