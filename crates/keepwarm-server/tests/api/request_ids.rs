//! Every response carries `x-request-id`: the client's own when it is sane, a new one otherwise.

use crate::helpers::{spawn_app, TUESDAY_9AM_CHICAGO};

fn is_generated(id: &str) -> bool {
    id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit())
}

#[tokio::test]
async fn every_response_carries_a_request_id_whatever_its_status() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let mut seen = Vec::new();
    for (path, token, status) in [
        ("/healthz", false, 200),
        ("/api/v1/leads", true, 200),
        ("/api/v1/leads", false, 401),
        ("/api/v1/leads/not-a-number", true, 400),
        ("/no/such/route", true, 404),
    ] {
        let mut request = app.client.get(format!("{}{path}", app.address));
        if token {
            request = request.bearer_auth(crate::helpers::TOKEN);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), status, "{path}");
        let id = response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(is_generated(&id), "{path}: {id}");
        seen.push(id);
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 5, "ids repeat: {seen:?}");
}

#[tokio::test]
async fn a_sane_incoming_request_id_is_kept_and_any_other_replaced() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let long = "x".repeat(129);
    for (sent, kept) in [
        ("edge-7f3a.42:1_b", true),
        ("has space", false),
        ("semi;colon", false),
        (long.as_str(), false),
    ] {
        let response = app
            .client
            .get(format!("{}/healthz", app.address))
            .header("x-request-id", sent)
            .send()
            .await
            .unwrap();
        let id = response.headers()["x-request-id"].to_str().unwrap();
        if kept {
            assert_eq!(id, sent);
        } else {
            assert!(is_generated(id), "{sent:?} gave {id}");
        }
    }
}
