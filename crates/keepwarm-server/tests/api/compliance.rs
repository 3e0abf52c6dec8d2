//! The state rules through the whole server: frequency caps counted across dealerships, and a
//! state's hours read from the area code.

use jiff::Timestamp;
use serde_json::{json, Value};

use crate::helpers::{inquiry, open_all_hours, spawn_app_configured, starter_config};

/// Texts to `phone` in the sandbox outbox, oldest first.
async fn texts_to(app: &crate::helpers::TestApp, phone: &str) -> Vec<Timestamp> {
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

#[tokio::test]
async fn one_floridian_gets_at_most_three_texts_a_day_across_every_dealership_number() {
    let mut config = starter_config();
    for id in ["north", "south", "east"] {
        let mut d = config.dealerships[0].clone();
        d.id = id.into();
        config.dealerships.push(d);
    }
    // Tuesday 10:00 in Miami, 09:00 at the store in Chicago.
    let app = spawn_app_configured(config, "sqlite::memory:", "2026-12-01T15:00:00Z").await;
    let mut leads = Vec::new();
    for dealership in ["main", "north", "south", "east"] {
        let mut lead = inquiry("(305) 555-0142");
        lead["dealership"] = json!(dealership);
        lead["source"]["provider_lead_id"] = json!(format!("cars-{dealership}"));
        // Asked two days ago: the first text no longer answers a fresh inquiry (that would be
        // conversational, which the caps do not count) but is an automated solicitation.
        lead["received_at"] = json!("2026-11-29T15:00:00Z");
        leads.push(app.create_lead(&lead).await);
        app.advance("PT1M").await;
    }
    let day_zero = texts_to(&app, "+13055550142").await;
    assert_eq!(
        day_zero.len(),
        3,
        "{day_zero:?}\n{}",
        app.story(leads[3]).await
    );
    let story = app.story(leads[3]).await;
    let timeline = app.timeline(leads[3]).await;
    let capped = timeline
        .iter()
        .find(|e| e["kind"] == "touch_deferred")
        .unwrap_or_else(|| panic!("no deferral:\n{story}"));
    assert!(capped["data"].to_string().contains("US-FL.cap"), "{capped}");

    // Why was it held? The gate asked again, with the rows it read and the touch's history.
    let touch = capped["data"]["touch_id"].as_i64().expect("touch id");
    let response = app
        .get(&format!("/api/v1/touches/{touch}/compliance"))
        .await;
    assert_eq!(response.status(), 200);
    let why: Value = response.json().await.unwrap();
    let e = &why["explanation"];
    assert_eq!(e["recipient_jurisdictions"], json!(["US-FL"]), "{why:#}");
    assert_eq!(
        e["evaluated_jurisdictions"],
        json!(["US", "US-FL"]),
        "{why:#}"
    );
    // Asked at its new due time, the first text has left the period: it will go then.
    assert_eq!(e["at"], "2026-12-02T15:00:00Z", "{why:#}");
    assert_eq!(e["verdict"]["verdict"], "send", "{why:#}");
    assert_eq!(e["recent_sends"], 2, "{why:#}");
    let ids: Vec<&str> = e["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(
        ids.contains(&"US-FL.cap") && ids.contains(&"US.hours"),
        "{ids:?}"
    );
    assert!(
        why["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["kind"] == "touch_deferred"),
        "{why:#}"
    );
    assert_eq!(
        app.get("/api/v1/touches/999999/compliance").await.status(),
        404
    );
    assert_eq!(
        app.get("/api/v1/touches/abc/compliance").await.status(),
        400
    );

    // Three days on, every lead's texts have gone, never more than 3 in any 24 hours.
    app.advance_to("2026-12-04T23:00:00Z").await;
    let all = texts_to(&app, "+13055550142").await;
    for (i, t) in all.iter().enumerate() {
        let within = all[..=i]
            .iter()
            .filter(|s| t.duration_since(**s) < jiff::SignedDuration::from_hours(24))
            .count();
        assert!(
            within <= 3,
            "{} texts in the 24 h up to {t}: {all:?}",
            within
        );
    }
    let fourth: Vec<Value> = app
        .outbox(Some(leads[3]))
        .await
        .into_iter()
        .filter(|m| m["channel"] == "sms")
        .collect();
    assert!(
        !fourth.is_empty(),
        "the capped lead's text was dropped:\n{}",
        app.story(leads[3]).await
    );
}

#[tokio::test]
async fn a_texas_number_waits_for_nine_oclock_though_the_federal_window_is_open() {
    // Tuesday 08:30 in Dallas, the store open around the clock: the federal window is open,
    // Texas's 09:00 is not.
    let app =
        spawn_app_configured(open_all_hours(), "sqlite::memory:", "2026-12-01T14:30:00Z").await;
    let id = app.create_lead(&inquiry("(214) 555-0142")).await;
    assert!(
        texts_to(&app, "+12145550142").await.is_empty(),
        "{}",
        app.story(id).await
    );
    app.advance_to("2026-12-01T15:00:30Z").await;
    let sent = texts_to(&app, "+12145550142").await;
    assert_eq!(
        sent.first(),
        Some(&"2026-12-01T15:00:00Z".parse().unwrap()),
        "{}",
        app.story(id).await
    );
}

#[tokio::test]
async fn the_weekly_compliance_report_counts_a_cap_deferral_and_an_opt_out_honoured_at_once() {
    // Tuesday 08:30 in Dallas: the Texas number's first text is planned for 09:00.
    let app =
        spawn_app_configured(open_all_hours(), "sqlite::memory:", "2026-12-01T14:30:00Z").await;
    app.create_lead(&inquiry("(214) 555-0142")).await;
    let chicago = app.create_lead(&inquiry("(312) 555-0142")).await;
    app.advance("PT40M").await;
    app.reply("+13125550142", "STOP").await;
    app.advance("P2D").await;
    let response = app
        .get("/api/v1/compliance/report?week=2026-W49&format=json")
        .await;
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    let opt_outs = report["opt_outs"].as_array().unwrap();
    assert_eq!(
        opt_outs.len(),
        1,
        "{report:#}\n{}",
        app.story(chicago).await
    );
    assert_eq!(opt_outs[0]["lead"], chicago);
    assert_eq!(opt_outs[0]["seconds"], 0, "{report:#}");
    assert_eq!(report["sent_after_revocation"], 0, "{report:#}");
    let md = app
        .get("/api/v1/compliance/report?week=2026-W49&format=md")
        .await
        .text()
        .await
        .unwrap();
    assert!(md.contains("must be 0"), "{md}");
    assert_eq!(
        app.get("/api/v1/compliance/report?week=nope")
            .await
            .status(),
        400
    );
}

async fn kill_switch(app: &crate::helpers::TestApp, engaged: bool) {
    let body = json!({"engaged": engaged, "reason": "carrier review", "by": "morgan"});
    let response = app
        .post("/api/v1/dealerships/main/kill-switch", &body)
        .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_text_deferred_for_floridas_evening_does_not_hold_the_email_step_beside_it() {
    // Tuesday 19:55 in Miami. The day-0 text (step 1) and e-mail (step 2) are due at once; a
    // kill switch holds them until 20:15, when Florida's texting window (08:00-20:00) has closed.
    let app =
        spawn_app_configured(open_all_hours(), "sqlite::memory:", "2026-12-02T00:55:00Z").await;
    kill_switch(&app, true).await;
    let id = app.create_lead(&inquiry("(305) 555-0142")).await;
    app.advance_to("2026-12-02T01:15:00Z").await;
    kill_switch(&app, false).await;
    app.advance("PT1M").await;
    let story = app.story(id).await;
    let outbox = app.outbox(Some(id)).await;
    let sent = |channel: &str| -> Vec<String> {
        outbox
            .iter()
            .filter(|m| m["channel"] == channel && m["recipient_kind"] == "customer")
            .map(|m| m["at"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    // The e-mail goes now; the text waits for 08:00 with the reason on the timeline.
    assert_eq!(sent("email"), ["2026-12-02T01:15:00Z"], "{story}");
    assert!(sent("sms").is_empty(), "{story}");
    let timeline = app.timeline(id).await;
    let deferred = timeline
        .iter()
        .find(|e| e["kind"] == "touch_deferred")
        .unwrap_or_else(|| panic!("no deferral:\n{story}"));
    assert_eq!(deferred["data"]["channel"], "sms", "{deferred}");
    assert_eq!(
        deferred["data"]["deferred_to"], "2026-12-02T13:00:00Z",
        "{deferred}"
    );
    assert!(
        deferred["data"]["reason"]
            .to_string()
            .contains("US-FL.hours"),
        "{deferred}"
    );
    // The step after the e-mail (day 1's text at 10:30) is planned on its own time, not behind the
    // deferred text.
    let day_one = timeline
        .iter()
        .find(|e| e["kind"] == "touch_scheduled" && e["data"]["step"] == 3)
        .unwrap_or_else(|| panic!("step 3 not planned:\n{story}"));
    assert_eq!(day_one["at"], "2026-12-02T01:15:00Z", "{story}");
    assert_eq!(day_one["data"]["due_at"], "2026-12-02T15:30:00Z", "{story}");

    // At 08:00 the text goes; at 10:30 day 1's. Every step once, the cadence going on.
    app.advance_to("2026-12-02T16:00:00Z").await;
    let story = app.story(id).await;
    let outbox = app.outbox(Some(id)).await;
    let steps: Vec<i64> = app
        .timeline(id)
        .await
        .iter()
        .filter(|e| e["kind"] == "touch_sent")
        .filter_map(|e| e["data"]["step"].as_i64())
        .collect();
    assert_eq!(steps, [2, 1, 3], "{story}");
    let texts: Vec<&str> = outbox
        .iter()
        .filter(|m| m["channel"] == "sms" && m["recipient_kind"] == "customer")
        .filter_map(|m| m["at"].as_str())
        .collect();
    assert_eq!(
        texts,
        ["2026-12-02T13:00:00Z", "2026-12-02T15:30:00Z"],
        "{story}"
    );
    assert_eq!(app.lead(id).await["status"], "active", "{story}");
}
