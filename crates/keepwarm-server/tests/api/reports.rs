//! The funnel report reconciles with what happened, to the lead.

use serde_json::{json, Value};

use crate::helpers::{inquiry, spawn_app, TUESDAY_9AM_CHICAGO};

#[tokio::test]
async fn the_funnel_counts_exactly_what_the_timelines_say() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let a = app.create_lead(&inquiry("(312) 555-0901")).await;
    let b = app.create_lead(&inquiry("(312) 555-0902")).await;
    let c = app.create_lead(&inquiry("(312) 555-0903")).await;
    let d = app.create_lead(&json!({"source": {"kind": "walk_in"}, "customer": {"first_name": "Wa", "phones": ["(312) 555-0904"]}})).await;
    // a: replies with a hot question (contacted, escalated), acknowledged at once, then sets, shows, buys.
    app.post(
        "/api/v1/sandbox/inbound",
        &json!({"from": "+13125550901", "body": "Can I come see it Saturday?"}),
    )
    .await;
    app.advance("PT2M").await;
    app.post("/api/v1/escalations/1/ack", &json!({"by": "sam"}))
        .await;
    let saturday = json!({"at": "2026-12-05T16:00:00Z", "kind": "sales"});
    for body in [
        json!({"stage": "appointment_set", "appointment": saturday, "by": "sam"}),
        json!({"stage": "showed", "by": "sam"}),
        json!({"stage": "sold", "by": "sam"}),
    ] {
        let response = app
            .post(&format!("/api/v1/leads/{a}/outcomes"), &body)
            .await;
        assert_eq!(response.status(), 200);
    }
    // b: bought elsewhere (contacted, then lost).
    app.post(
        "/api/v1/sandbox/inbound",
        &json!({"from": "+13125550902", "body": "I already bought one somewhere else"}),
    )
    .await;
    // c: nothing. d: a showroom visitor whose appointment a person recorded.
    let response = app
        .post(
            &format!("/api/v1/leads/{d}/outcomes"),
            &json!({"stage": "appointment_set", "appointment": saturday, "by": "morgan"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let _ = (b, c);

    let rows: Vec<Value> = app
        .get("/api/v1/reports/funnel?by=segment")
        .await
        .json()
        .await
        .unwrap();
    let new_inquiry = rows.iter().find(|r| r["group"] == "new_inquiry").unwrap();
    let counts = |r: &Value| {
        [
            "leads",
            "contacted",
            "appointment_set",
            "showed",
            "sold",
            "lost",
        ]
        .map(|k| r[k].as_u64().unwrap())
    };
    assert_eq!(counts(new_inquiry), [3, 2, 1, 1, 1, 1], "{new_inquiry}");
    assert_eq!(new_inquiry["contact_rate"]["rate"], 0.6667);
    assert_eq!(new_inquiry["escalations"], 1);
    assert_eq!(new_inquiry["acknowledged_within_sla"], 1);
    assert_eq!(new_inquiry["median_minutes_to_acknowledge"], 2.0);
    // Every day-0 text went out at the moment the lead arrived.
    assert_eq!(new_inquiry["speed_to_first_touch"]["median_minutes"], 0.0);
    let showroom = rows
        .iter()
        .find(|r| r["group"] == "unsold_showroom")
        .unwrap();
    // Cumulative: an appointment counts as contact too.
    assert_eq!(counts(showroom), [1, 1, 1, 0, 0, 0], "{showroom}");
    let all = rows.last().unwrap();
    assert_eq!(
        (all["group"].clone(), all["leads"].clone()),
        (json!("all"), json!(4))
    );

    let by_cadence: Vec<Value> = app
        .get("/api/v1/reports/funnel?by=cadence")
        .await
        .json()
        .await
        .unwrap();
    let version = app
        .engine
        .current_version("new_inquiry")
        .unwrap()
        .to_owned();
    assert!(by_cadence
        .iter()
        .any(|r| r["group"] == format!("new_inquiry@{version}")));
    assert!(
        by_cadence[0]["contact_rate"]["low"].as_f64().unwrap()
            <= by_cadence[0]["contact_rate"]["rate"].as_f64().unwrap()
    );
    let bad = app.get("/api/v1/reports/funnel?by=color").await;
    assert_eq!(bad.status(), 422);
    let empty: Vec<Value> = app
        .get("/api/v1/reports/funnel?from=2026-12-02&to=2027-01-01")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(empty.last().unwrap()["leads"], 0);
    let backwards = app.get("/api/v1/reports/funnel?from=2027-01-01").await;
    assert_eq!(
        backwards.status(),
        422,
        "`to` defaults to now, before `from`"
    );
}

#[tokio::test]
async fn speed_to_first_touch_counts_from_when_keepwarm_received_the_lead_not_the_inquiry_date() {
    // A lead whose provider dated the inquiry two days back: keepwarm received it (and texted it)
    // on 1 December, so its speed is 0 minutes, not two days.
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let mut late = inquiry("(312) 555-0911");
    late["received_at"] = json!("2026-11-29T15:00:00Z");
    app.create_lead(&late).await;
    let rows: Vec<Value> = app
        .get("/api/v1/reports/funnel?by=segment&from=2026-11-01")
        .await
        .json()
        .await
        .unwrap();
    let all = rows.iter().find(|r| r["group"] == "all").unwrap();
    assert_eq!(all["leads"], 1, "{all}");
    assert_eq!(
        all["speed_to_first_touch"]["median_minutes"], 0.0,
        "speed from the provider's date: {all}"
    );
}

#[tokio::test]
async fn a_reopened_lead_counts_in_the_segment_it_was_enrolled_in() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0912")).await;
    let sold = app
        .post(
            &format!("/api/v1/leads/{id}/outcomes"),
            &json!({"stage": "sold", "by": "morgan"}),
        )
        .await;
    assert_eq!(sold.status(), 200);
    // Back on the lot: the walk-in reopens the lead in another segment.
    let again = app
        .post(
            "/api/v1/leads",
            &json!({"source": {"kind": "walk_in"}, "customer": {"first_name": "Dana", "last_name": "Reyes", "phones": ["(312) 555-0912"]}}),
        )
        .await;
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["action"], "reopened", "{again}");
    let now = app.lead(id).await["segment"].as_str().unwrap().to_owned();
    assert_ne!(now, "new_inquiry", "the walk-in changed the segment");
    let rows: Vec<Value> = app
        .get("/api/v1/reports/funnel?by=segment")
        .await
        .json()
        .await
        .unwrap();
    let groups: Vec<&str> = rows.iter().map(|r| r["group"].as_str().unwrap()).collect();
    assert_eq!(groups, ["new_inquiry", "all"], "{rows:?}");
    assert_eq!(rows[0]["sold"], 1);
}
