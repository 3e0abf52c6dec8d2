//! Staff identities: a personal token acts as one person, sees what their role gives them, and
//! cannot be used to act as anyone else.

use serde_json::{json, Value};

use crate::helpers::{inquiry, spawn_app, spawn_app_on, TestApp, TUESDAY_9AM_CHICAGO};

/// A fresh personal token for staff member `id`.
pub async fn token_for(app: &TestApp, id: &str) -> String {
    app.engine
        .create_staff_token(id, "laptop")
        .await
        .expect("token")
        .token
}

pub async fn get_as(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

pub async fn post_as(app: &TestApp, token: &str, path: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(format!("{}{path}", app.address))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// A lead and its owner's id.
async fn owned_lead(app: &TestApp, phone: &str) -> (i64, String) {
    let id = app.create_lead(&inquiry(phone)).await;
    let owner = app.lead(id).await["owner"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (id, owner)
}

#[tokio::test]
async fn a_staff_token_acts_as_its_holder_on_the_timeline() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let (id, owner) = owned_lead(&app, "(312) 555-0901").await;
    let token = token_for(&app, &owner).await;
    let response = post_as(
        &app,
        &token,
        &format!("/api/v1/leads/{id}/pause"),
        &json!({"reason": "customer is travelling"}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let timeline = app.timeline(id).await;
    let paused = timeline
        .iter()
        .find(|e| e["kind"] == "follow_up_paused")
        .unwrap_or_else(|| panic!("no pause on the timeline: {timeline:?}"));
    assert_eq!(paused["data"]["by"], owner.as_str(), "{paused}");
}

#[tokio::test]
async fn a_staff_token_cannot_act_as_someone_else() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let (id, owner) = owned_lead(&app, "(312) 555-0902").await;
    let token = token_for(&app, &owner).await;
    let other = if owner == "sam" { "jordan" } else { "sam" };
    let forged = post_as(
        &app,
        &token,
        &format!("/api/v1/leads/{id}/outcomes"),
        &json!({"stage": "contacted", "by": other}),
    )
    .await;
    assert_eq!(forged.status(), 403);
    let body: Value = forged.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains(other), "{body}");
    assert_eq!(app.lead(id).await["stage"], "new", "nothing was recorded");

    let own = post_as(
        &app,
        &token,
        &format!("/api/v1/leads/{id}/outcomes"),
        &json!({"stage": "contacted"}),
    )
    .await;
    assert_eq!(own.status(), 200);
    let timeline = app.timeline(id).await;
    let changed = timeline
        .iter()
        .find(|e| e["kind"] == "stage_changed")
        .unwrap();
    assert_eq!(changed["data"]["by"], owner.as_str(), "{changed}");
}

#[tokio::test]
async fn a_sales_token_cannot_read_another_owners_lead() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let (id, owner) = owned_lead(&app, "(312) 555-0903").await;
    let colleague = if owner == "sam" { "jordan" } else { "sam" };
    let theirs = token_for(&app, colleague).await;
    for path in [
        format!("/api/v1/leads/{id}"),
        format!("/api/v1/leads/{id}/timeline"),
        format!("/api/v1/leads/{id}/messages/draft?block=appointment_options"),
    ] {
        let response = get_as(&app, &theirs, &path).await;
        assert_eq!(response.status(), 404, "{path}");
    }
    let paused = post_as(
        &app,
        &theirs,
        &format!("/api/v1/leads/{id}/pause"),
        &json!({"reason": "mine now"}),
    )
    .await;
    assert_eq!(paused.status(), 404);
    let listed: Vec<Value> = get_as(&app, &theirs, "/api/v1/leads")
        .await
        .json()
        .await
        .unwrap();
    assert!(listed.iter().all(|l| l["id"] != id), "{listed:?}");

    let service = token_for(&app, "riley").await;
    assert_eq!(
        get_as(&app, &service, &format!("/api/v1/leads/{id}"))
            .await
            .status(),
        404
    );
    let manager = token_for(&app, "morgan").await;
    assert_eq!(
        get_as(&app, &manager, &format!("/api/v1/leads/{id}"))
            .await
            .status(),
        200
    );
    let mine = token_for(&app, &owner).await;
    let listed: Vec<Value> = get_as(&app, &mine, "/api/v1/leads")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["id"], id);
}

#[tokio::test]
async fn a_sales_token_sees_only_its_own_tasks_and_escalations_and_no_manager_resources() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let (id, owner) = owned_lead(&app, "(312) 555-0904").await;
    let hot = app
        .reply("+13125550904", "Can I come see it Saturday morning?")
        .await;
    let escalation = hot["escalation"].as_i64().expect("an escalation");
    let colleague = if owner == "sam" { "jordan" } else { "sam" };
    let theirs = token_for(&app, colleague).await;
    let tasks: Vec<Value> = get_as(&app, &theirs, "/api/v1/tasks")
        .await
        .json()
        .await
        .unwrap();
    assert!(tasks.iter().all(|t| t["lead_id"] != id), "{tasks:?}");
    assert_eq!(
        get_as(&app, &theirs, &format!("/api/v1/tasks?owner={owner}"))
            .await
            .status(),
        403
    );
    let escalations: Vec<Value> = get_as(&app, &theirs, "/api/v1/escalations")
        .await
        .json()
        .await
        .unwrap();
    assert!(escalations.is_empty(), "{escalations:?}");
    let ack = post_as(
        &app,
        &theirs,
        &format!("/api/v1/escalations/{escalation}/ack"),
        &json!({}),
    )
    .await;
    assert_eq!(ack.status(), 404);
    for path in [
        "/api/v1/reports/funnel",
        "/api/v1/documents",
        "/api/v1/channels",
    ] {
        assert_eq!(get_as(&app, &theirs, path).await.status(), 403, "{path}");
    }

    let mine = token_for(&app, &owner).await;
    let ack = post_as(
        &app,
        &mine,
        &format!("/api/v1/escalations/{escalation}/ack"),
        &json!({}),
    )
    .await;
    assert_eq!(ack.status(), 200);
    let ack: Value = ack.json().await.unwrap();
    assert_eq!(ack["acknowledged_by"], owner.as_str(), "{ack}");
    let manager = token_for(&app, "morgan").await;
    assert_eq!(
        get_as(&app, &manager, "/api/v1/reports/funnel")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn a_revoked_or_unknown_token_acts_as_nobody() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let issued = app.engine.create_staff_token("sam", "phone").await.unwrap();
    assert_eq!(
        get_as(&app, &issued.token, "/api/v1/tasks").await.status(),
        200
    );
    app.engine
        .revoke_staff_token(issued.record.id)
        .await
        .unwrap();
    assert_eq!(
        get_as(&app, &issued.token, "/api/v1/tasks").await.status(),
        401
    );
    let again = app.engine.revoke_staff_token(issued.record.id).await;
    assert!(again.is_err(), "revoking twice is a conflict");
    let mut guessed = issued.token.clone();
    guessed.pop();
    guessed.push('0');
    assert_eq!(get_as(&app, &guessed, "/api/v1/tasks").await.status(), 401);
    assert!(
        app.engine
            .create_staff_token("nobody", "laptop")
            .await
            .is_err(),
        "a token for someone not on the staff"
    );
}

#[tokio::test]
async fn the_shared_token_must_name_who_does_a_human_action() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let (id, _) = owned_lead(&app, "(312) 555-0905").await;
    let unnamed = app
        .post(
            &format!("/api/v1/leads/{id}/messages"),
            &json!({"channel": "sms", "body": "Hi, it's the store"}),
        )
        .await;
    assert_eq!(unnamed.status(), 422);
    let body: Value = unnamed.json().await.unwrap();
    assert_eq!(body["fields"][0]["field"], "by", "{body}");
    let unknown = app
        .post(
            &format!("/api/v1/leads/{id}/messages"),
            &json!({"channel": "sms", "body": "Hi", "by": "mallory"}),
        )
        .await;
    assert_eq!(unknown.status(), 422);
}

#[tokio::test]
async fn every_human_action_with_the_shared_token_names_by_and_a_staff_token_cannot_name_another() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let (id, owner) = owned_lead(&app, "(312) 555-0906").await;
    let other = if owner == "sam" { "jordan" } else { "sam" };
    let token = token_for(&app, &owner).await;
    // (action, body without `by`)
    let cases = [
        ("stop", json!({"reason": "asked by phone"})),
        ("pause", json!({"reason": "travelling"})),
        ("resume", json!({"reason": "back"})),
        (
            "owner",
            json!({"owner": "alex", "reason": "speaks Spanish"}),
        ),
        ("outcomes", json!({"stage": "contacted"})),
    ];
    for (action, body) in &cases {
        let path = format!("/api/v1/leads/{id}/{action}");
        let unnamed = app.post(&path, body).await;
        assert_eq!(unnamed.status(), 422, "{action} without by");
        let answer: Value = unnamed.json().await.unwrap();
        assert_eq!(answer["fields"][0]["field"], "by", "{action}: {answer}");
        let mut forged = body.clone();
        forged["by"] = json!(other);
        assert_eq!(
            post_as(&app, &token, &path, &forged).await.status(),
            403,
            "{action} by someone else"
        );
    }
    let lead = app.lead(id).await;
    assert_eq!(
        (lead["status"].as_str(), lead["stage"].as_str()),
        (Some("active"), Some("new")),
        "nothing was done:\n{}",
        app.story(id).await
    );
    let named = app
        .post(
            &format!("/api/v1/leads/{id}/pause"),
            &json!({"reason": "travelling", "by": "morgan"}),
        )
        .await;
    assert_eq!(named.status(), 200);
    let timeline = app.timeline(id).await;
    let paused = timeline
        .iter()
        .find(|e| e["kind"] == "follow_up_paused")
        .unwrap();
    assert_eq!(paused["data"]["by"], "morgan", "{paused}");
}

#[tokio::test]
async fn only_a_digest_of_a_token_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keepwarm.db");
    let app = spawn_app_on(&db, TUESDAY_9AM_CHICAGO).await;
    let issued = app
        .engine
        .create_staff_token("sam", "laptop")
        .await
        .unwrap();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT staff_id, token_hash FROM staff_tokens")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "sam");
    assert_eq!(
        rows[0].1,
        keepwarm_engine::staff_tokens::token_digest(&issued.token)
    );
    let secret = &issued.token[keepwarm_engine::staff_tokens::STAFF_TOKEN_PREFIX.len()..];
    assert_eq!(secret.len(), 64, "256 bits in hex");
    assert!(!rows[0].1.contains(secret));
}
