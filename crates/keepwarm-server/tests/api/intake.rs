//! Leads in: segmentation, ownership, and bad input that gets a clear error and stores nothing.

use serde_json::{json, Value};

use crate::helpers::{inquiry, spawn_app, TOKEN, TUESDAY_9AM_CHICAGO};

#[tokio::test]
async fn requests_without_the_token_are_refused() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let response = app
        .client
        .get(format!("{}/api/v1/leads", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let response = app
        .client
        .get(format!("{}/api/v1/leads", app.address))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let health = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let _ = TOKEN;
}

#[tokio::test]
async fn bad_leads_get_a_clear_error_and_nothing_is_stored() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let cases: Vec<(Value, u16, &str)> = vec![
        (json!({"source": {"kind": "fax"}}), 422, "source.kind"),
        (json!({"customer": {}}), 422, "."),
        (
            json!({"source": {"kind": "internet"}, "customer": {"phone": "3125550100"}}),
            422,
            "customer.phone",
        ),
        (
            json!({"source": {"kind": "internet"}, "vehicles": [{"year": "2024"}]}),
            422,
            "vehicles[0].year",
        ),
        (
            json!({"source": {"kind": "internet"}, "received_at": "yesterday"}),
            422,
            "received_at",
        ),
        (
            json!({"source": {"kind": "internet"}, "received_at": "2030-01-01T00:00:00Z"}),
            422,
            "received_at",
        ),
        (
            json!({"source": {"kind": "internet"}, "dealership": "elsewhere"}),
            422,
            "dealership",
        ),
        (
            json!({"source": {"kind": "internet"}, "vehicles": [{"vin": "NOTAVIN"}]}),
            422,
            "vehicles[0].vin",
        ),
    ];
    for (body, status, field) in cases {
        let response = app.post("/api/v1/leads", &body).await;
        assert_eq!(response.status().as_u16(), status, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["fields"][0]["field"], field, "{body} -> {error}");
    }
    let response = app
        .post_raw("/api/v1/leads", "application/json", "{not json")
        .await;
    assert_eq!(response.status(), 422);
    let response = app.post_raw("/api/v1/leads", "text/plain", "hello").await;
    assert_eq!(response.status(), 415);
    let huge = format!(
        "{{\"source\":{{\"kind\":\"internet\"}},\"comments\":\"{}\"}}",
        "x".repeat(2 * 1024 * 1024)
    );
    let response = app
        .post_raw("/api/v1/leads", "application/json", huge)
        .await;
    assert_eq!(response.status(), 413);

    let leads: Vec<Value> = app.get("/api/v1/leads").await.json().await.unwrap();
    assert!(leads.is_empty(), "nothing may be stored: {leads:?}");
    assert!(app.outbox(None).await.is_empty());
}

#[tokio::test]
async fn a_lead_nobody_can_reach_is_kept_paused_with_a_task() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let response = app
        .post("/api/v1/leads", &json!({"source": {"kind": "internet"}, "customer": {"first_name": "Lee", "phones": ["call me maybe"]}}))
        .await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["warnings"][0]["field"], "customer.phones[0]");
    let id = body["id"].as_i64().unwrap();
    let lead = app.lead(id).await;
    assert_eq!(lead["status"], "paused", "{lead}");
    assert_eq!(lead["contacts"][0]["usable"], false);
    let tasks: Vec<Value> = app.get("/api/v1/tasks").await.json().await.unwrap();
    assert_eq!(tasks[0]["kind"], "fix_contact");
    app.advance("P3D").await;
    assert!(app.outbox(Some(id)).await.is_empty());
}

#[tokio::test]
async fn leads_are_segmented_by_source_age_and_service_history() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let cases = [
        (
            json!({"source": {"kind": "walk_in"}, "customer": {"phones": ["(312) 555-0150"]}}),
            "unsold_showroom",
            "showroom-visit",
        ),
        (
            json!({"source": {"kind": "internet"}, "received_at": "2026-09-01T12:00:00Z", "customer": {"phones": ["(312) 555-0151"]}}),
            "aged_internet",
            "internet-older-than-30-days",
        ),
        (
            json!({"source": {"kind": "service"}, "service": {"last_visit_at": "2025-06-01T12:00:00Z", "need": "oil change"}, "customer": {"emails": ["s@example.com"]}}),
            "service_defection",
            "service-visit-over-12-months",
        ),
        (
            json!({"source": {"kind": "phone"}, "customer": {"phones": ["(312) 555-0152"]}}),
            "new_inquiry",
            "fresh-inquiry",
        ),
    ];
    for (body, segment, rule) in cases {
        let id = app.create_lead(&body).await;
        let lead = app.lead(id).await;
        assert_eq!(lead["segment"], segment, "{body}");
        assert_eq!(lead["segment_rule"], rule);
        let events = app.timeline(id).await;
        assert_eq!(events[1]["kind"], "segmented");
        assert_eq!(events[1]["data"]["rule"], rule);
    }
    // The service lead belongs to the service team.
    let leads: Vec<Value> = app
        .get("/api/v1/leads?segment=service_defection")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(leads[0]["owner"]["id"], "riley");
}

#[tokio::test]
async fn owners_rotate_and_staff_off_shift_are_skipped() {
    // Tuesday 09:00 CST: Sam (09-18) and Jordan (08-17) are on shift, Alex starts at 11:00.
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let mut owners = Vec::new();
    for i in 0..3 {
        let id = app
            .create_lead(&inquiry(&format!("(312) 555-016{i}")))
            .await;
        owners.push(
            app.lead(id).await["owner"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(owners, ["sam", "jordan", "sam"]);
}
