//! One person, one lead: duplicates merge, and follow-up re-opens only when it should.

use serde_json::{json, Value};

use crate::helpers::{inquiry, spawn_app, spawn_app_at, KeptDatabase, TUESDAY_9AM_CHICAGO};

async fn post(app: &crate::helpers::TestApp, body: &Value) -> Value {
    let response = app.post("/api/v1/leads", body).await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

fn kinds(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_same_shopper_from_two_sources_within_minutes_is_one_lead_with_one_cadence() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let first = post(&app, &inquiry("(312) 555-0201")).await;
    assert_eq!(first["action"], "created");
    // The OEM site sends the same shopper with a different phone but the same e-mail.
    let mut second = inquiry("(312) 555-0299");
    second["customer"]["emails"] = json!(["DANA3125550201@example.com"]);
    second["source"] = json!({"kind": "internet", "provider": "Honda.com"});
    second["vehicles"] = json!([{"interest": "buy", "condition": "new", "year": 2025, "make": "Honda", "model": "Pilot"}]);
    let merged = post(&app, &second).await;
    assert_eq!(merged["action"], "merged", "{merged}");
    assert_eq!(merged["id"], first["id"]);
    let id = first["id"].as_i64().unwrap();
    let lead = app.lead(id).await;
    assert_eq!(lead["owner"]["id"], first["owner"]);
    assert_eq!(
        lead["lead"]["vehicles"].as_array().unwrap().len(),
        2,
        "{lead}"
    );
    assert!(lead["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["value"] == "+13125550299"));
    let leads: Vec<Value> = app.get("/api/v1/leads").await.json().await.unwrap();
    assert_eq!(leads.len(), 1);
    // One cadence: day 0 went out once.
    assert_eq!(
        app.outbox(Some(id)).await.len(),
        2,
        "{}",
        app.story(id).await
    );
    let events = app.timeline(id).await;
    assert_eq!(
        kinds(&events).iter().filter(|k| *k == "enrolled").count(),
        1
    );
    let merge = events
        .iter()
        .find(|e| e["kind"] == "inquiry_merged")
        .unwrap();
    assert_eq!(merge["data"]["source"]["provider"], "Honda.com");
    let tasks: Vec<Value> = app.get("/api/v1/tasks").await.json().await.unwrap();
    assert!(tasks
        .iter()
        .any(|t| t["kind"] == "reply" && t["body"].as_str().unwrap().contains("another inquiry")));
}

#[tokio::test]
async fn an_inquiry_after_the_window_reopens_follow_up_on_the_same_lead() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let first = post(&app, &inquiry("(312) 555-0202")).await;
    let id = first["id"].as_i64().unwrap();
    app.advance("P40D").await;
    assert_eq!(app.lead(id).await["status"], "completed");
    let again = post(&app, &inquiry("(312) 555-0202")).await;
    assert_eq!(again["action"], "reopened", "{again}");
    assert_eq!(again["id"], id);
    assert!(
        again["reason"]
            .as_str()
            .unwrap()
            .contains("more than 30 days"),
        "{again}"
    );
    let lead = app.lead(id).await;
    assert_eq!(lead["status"], "active");
    let events = kinds(&app.timeline(id).await);
    assert_eq!(events.iter().filter(|k| *k == "enrolled").count(), 2);
    assert!(events.contains(&"follow_up_reopened".to_owned()));
}

#[tokio::test]
async fn a_sold_customer_shopping_again_starts_fresh_and_a_resend_never_starts_twice() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let first = post(&app, &inquiry("(312) 555-0203")).await;
    let id = first["id"].as_i64().unwrap();
    let resend = post(&app, &inquiry("(312) 555-0203")).await;
    assert_eq!(resend["action"], "merged");
    let sold = app
        .post(
            &format!("/api/v1/leads/{id}/outcomes"),
            &json!({"stage": "sold", "by": "morgan"}),
        )
        .await;
    assert_eq!(sold.status(), 200);
    let again = post(&app, &inquiry("(312) 555-0203")).await;
    assert_eq!(again["action"], "reopened");
    let lead = app.lead(id).await;
    assert_eq!(lead["stage"], "new");
    assert_eq!(lead["status"], "active");
}

#[tokio::test]
async fn an_opted_out_person_is_never_re_enrolled_automatically() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let first = post(&app, &inquiry("(312) 555-0204")).await;
    let id = first["id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/leads/{id}/stop"),
        &json!({"reason": "STOP", "opt_out": true, "by": "morgan"}),
    )
    .await;
    let again = post(&app, &inquiry("(312) 555-0204")).await;
    assert_eq!(again["action"], "merged_for_owner", "{again}");
    app.advance("P3D").await;
    assert_eq!(
        app.outbox(Some(id)).await.len(),
        2,
        "{}",
        app.story(id).await
    );
    let tasks: Vec<Value> = app.get("/api/v1/tasks").await.json().await.unwrap();
    assert!(tasks
        .iter()
        .any(|t| t["body"].as_str().unwrap().contains("opted out earlier")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_shopper_sent_to_two_servers_on_one_database_at_once_is_one_lead() {
    // Two processes on one database (two servers here, each with its own engine and intake
    // queue): Cars.com reaches one and the OEM site the other in the same millisecond. A SQLite
    // file, or on the PostgreSQL run a database where the advisory locks must keep them apart.
    let db = KeptDatabase::create().await;
    let cars = spawn_app_at(&db, TUESDAY_9AM_CHICAGO).await;
    let oem = spawn_app_at(&db, TUESDAY_9AM_CHICAGO).await;
    let rounds = 30;
    for round in 0..rounds {
        let phone = format!("(312) 555-{:04}", 3000 + round);
        let from_cars = inquiry(&phone);
        let mut from_oem = inquiry(&phone);
        from_oem["source"] = json!({"kind": "internet", "provider": "Honda.com", "provider_lead_id": format!("oem-{round}")});
        let (a, b) = tokio::join!(
            cars.post("/api/v1/leads", &from_cars),
            oem.post("/api/v1/leads", &from_oem)
        );
        assert_eq!(
            (a.status().as_u16(), b.status().as_u16()),
            (201, 201),
            "round {round}"
        );
        let (a, b): (Value, Value) = (a.json().await.unwrap(), b.json().await.unwrap());
        let mut actions = [a["action"].as_str().unwrap(), b["action"].as_str().unwrap()];
        actions.sort_unstable();
        assert_eq!(
            (a["id"].clone(), actions),
            (b["id"].clone(), ["created", "merged"]),
            "round {round}: {a}\n{b}"
        );
    }
    let leads: Vec<Value> = cars.get("/api/v1/leads").await.json().await.unwrap();
    assert_eq!(leads.len(), rounds);
}
