//! `/healthz` (the process answers) and `/readyz` (the database and every live transport are up),
//! both without the API token.

use keepwarm_email::TestSmtpServer;
use serde_json::Value;

use crate::helpers::{inquiry, spawn_app, TestApp, TUESDAY_9AM_CHICAGO};
use crate::live::spawn_live_app;

async fn unauthenticated(app: &TestApp, path: &str) -> (u16, Value) {
    let response = app
        .client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn a_server_with_its_database_and_transports_up_is_ready() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let (status, body) = unauthenticated(&app, "/readyz").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ready", "{body}");
    assert_eq!(body["database"], "ok", "{body}");
    assert_eq!(body["reasons"], serde_json::json!([]), "{body}");
}

#[tokio::test]
async fn a_twilio_outage_makes_the_server_unready_but_still_alive() {
    let live = spawn_live_app(TUESDAY_9AM_CHICAGO, TestSmtpServer::builder()).await;
    let (status, body) = unauthenticated(&live.app, "/readyz").await;
    assert_eq!(status, 200, "before the outage: {body}");
    live.twilio.fail_next(1000, 503);
    live.app.create_lead(&inquiry("(312) 555-0160")).await;
    let (status, body) = unauthenticated(&live.app, "/readyz").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "not_ready", "{body}");
    let reasons = body["reasons"].to_string();
    assert!(reasons.contains("twilio is down since"), "{body}");
    assert!(
        !reasons.contains("555"),
        "no provider text on an open endpoint: {body}"
    );
    let (status, body) = unauthenticated(&live.app, "/healthz").await;
    assert_eq!(status, 200, "the process is alive: {body}");
    assert_eq!(body["status"], "ok");
}
