//! Issue 16: hostile documents and requests cannot stall, bloat or abuse the service.

use std::sync::Arc;
use std::time::{Duration, Instant};

use keepwarm_channels::SandboxChannel;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{
    fresh_store, launch, spawn_app, starter_config, test_settings, FreshStore, TestApp,
    EMAIL_SECRET, TUESDAY_9AM_CHICAGO, TWILIO_TOKEN,
};

/// Sends only a request's head (the body it announces is never sent) and returns whatever the
/// server answers within a second: nothing, if it waits for the body.
async fn answer_to_head_alone(app: &TestApp, head: &str) -> String {
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Ok(Ok(n)) if n > 0 => answer.extend_from_slice(&buffer[..n]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

fn email_head(query: &str, length: usize) -> String {
    format!(
        "POST /webhooks/email{query} HTTP/1.1\r\nHost: localhost\r\n\
         Content-Type: message/rfc822\r\nContent-Length: {length}\r\n\r\n"
    )
}

const TEN_MIB: usize = 10 * 1024 * 1024;

#[tokio::test]
async fn an_unauthenticated_large_email_is_refused_before_its_body_is_sent() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let answer = answer_to_head_alone(&app, &email_head("?token=wrong", TEN_MIB)).await;
    assert!(answer.starts_with("HTTP/1.1 401"), "answer: {answer:?}");
    assert!(answer.contains("wrong e-mail webhook secret"), "{answer}");
    assert!(!answer.contains("bearer"), "{answer}");
    let answer = answer_to_head_alone(&app, &email_head("", TEN_MIB)).await;
    assert!(answer.starts_with("HTTP/1.1 401"), "answer: {answer:?}");
}

#[tokio::test]
async fn an_email_declaring_more_than_ten_mebibytes_is_refused_citing_the_routes_limit() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let query = format!("?token={EMAIL_SECRET}");
    let answer = answer_to_head_alone(&app, &email_head(&query, TEN_MIB + 1)).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "answer: {answer:?}");
    assert!(answer.contains("limit of 10485760 bytes"), "{answer}");
}

#[tokio::test]
async fn the_email_webhook_without_a_configured_secret_answers_401_saying_so() {
    let FreshStore { store, database } = fresh_store().await;
    let channel = Arc::new(SandboxChannel::new(
        keepwarm_engine::sandbox_outbox(&store).unwrap(),
    ));
    let mut settings = test_settings(TWILIO_TOKEN, None);
    settings.email_secret = None;
    let app = launch(
        starter_config(),
        store,
        channel,
        TUESDAY_9AM_CHICAGO,
        settings,
    )
    .await
    .holding(database);
    let response = app
        .client
        .post(format!("{}/webhooks/email?token=anything", app.address))
        .body("From: a@example.com\r\n\r\nhello")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let body = response.text().await.unwrap();
    assert!(body.contains("not configured"), "{body}");
}

#[tokio::test]
async fn an_unsigned_twilio_webhook_is_refused_before_its_body_is_sent() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let head = "POST /webhooks/twilio/sms HTTP/1.1\r\nHost: localhost\r\n\
        Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 60000\r\n\r\n";
    let answer = answer_to_head_alone(&app, head).await;
    assert!(answer.starts_with("HTTP/1.1 403"), "answer: {answer:?}");
}

#[tokio::test]
async fn a_twilio_webhook_body_larger_than_any_twilio_request_is_refused_citing_the_limit() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let response = app
        .client
        .post(format!("{}/webhooks/twilio/sms", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("X-Twilio-Signature", "bm9wZQ==")
        .body(format!("Body={}", "a".repeat(70_000)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let body = response.text().await.unwrap();
    assert!(body.contains("limit of 65536 bytes"), "{body}");
}

/// One element with 90,000 distinct attributes, 979 KB: parsed with a linear scan per attribute,
/// it took 12 s of CPU on the async threads.
fn hostile_adf() -> Vec<u8> {
    let mut xml = String::from("<adf>\n<prospect><customer><contact><name part=\"full\"");
    for i in 0..90_000 {
        xml.push_str(&format!(" a{i}=\"x\""));
    }
    xml.push_str(">Ann</name><phone>312-555-0100</phone></contact></customer></prospect></adf>");
    xml.into_bytes()
}

#[tokio::test]
async fn healthz_stays_responsive_while_two_hostile_adf_documents_are_processed() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let started = Instant::now();
    let post = |body: Vec<u8>| app.post_raw("/api/v1/leads/adf", "application/xml", body);
    let documents = async { tokio::join!(post(hostile_adf()), post(hostile_adf())) };
    let probe = async {
        let mut slowest = Duration::ZERO;
        for _ in 0..10 {
            let asked = Instant::now();
            let response = app
                .client
                .get(format!("{}/healthz", app.address))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            slowest = slowest.max(asked.elapsed());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        slowest
    };
    let ((first, second), slowest) = tokio::join!(documents, probe);
    for response in [first, second] {
        assert_eq!(response.status(), 422);
        let body = response.text().await.unwrap();
        assert!(body.contains("more than 64 attributes"), "{body}");
    }
    assert!(
        slowest < Duration::from_millis(500),
        "/healthz took {slowest:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_bearer_scheme_is_accepted_in_any_case() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let response = app
            .client
            .get(format!("{}/api/v1/leads", app.address))
            .header(
                "authorization",
                format!("{scheme} {}", crate::helpers::TOKEN),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{scheme}");
    }
}

#[tokio::test]
async fn a_stored_document_is_served_raw_as_an_attachment_browsers_will_not_sniff() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let response = app
        .client
        .post(format!(
            "{}/webhooks/email?token={EMAIL_SECRET}",
            app.address
        ))
        .header("content-type", "text/html")
        .body("<html><script>alert(1)</script></html>")
        .send()
        .await
        .unwrap();
    let outcome: serde_json::Value = response.json().await.unwrap();
    let id = outcome["document_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{outcome}"));
    let raw = app.get(&format!("/api/v1/documents/{id}/raw")).await;
    assert_eq!(raw.status(), 200);
    let header = |name: &str| {
        raw.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("content-type"), "application/octet-stream");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert!(header("content-disposition").starts_with("attachment"));
}

#[tokio::test]
async fn a_json_array_is_refused_where_a_lead_object_is_expected() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let lead = crate::helpers::inquiry("312-555-0177");
    let response = app.post("/api/v1/leads", &serde_json::json!([lead])).await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(body.contains("JSON object"), "{body}");
}
