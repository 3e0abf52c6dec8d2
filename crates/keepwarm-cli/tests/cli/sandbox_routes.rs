//! The sandbox routes (clock, outbox, fake inbound texts) exist only in a sandbox or simulated run:
//! with live channels, `POST /api/v1/sandbox/inbound {"body": "STOP"}` wrote a consent-ledger row
//! indistinguishable from a real text (issue 16, defect 4).

use serde_json::json;

use crate::server::{Server, TOKEN};

async fn post_stop(server: &Server) -> u16 {
    reqwest::Client::new()
        .post(format!("{}/api/v1/sandbox/inbound", server.address))
        .bearer_auth(TOKEN)
        .json(&json!({"from": "+13125550188", "body": "STOP"}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn with_the_system_clock_and_without_sandbox_the_sandbox_routes_are_not_mounted() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("kw.db").display());
    let server = Server::start_args(&db, &["--clock", "system"], &[]);
    assert!(
        server.banner.contains("sandbox routes off"),
        "{}",
        server.banner
    );
    let status = post_stop(&server).await;
    server.kill();
    assert_eq!(status, 404);
}

#[tokio::test]
async fn with_sandbox_the_sandbox_routes_are_mounted_and_the_start_up_line_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("kw.db").display());
    let server = Server::start_args(&db, &["--clock", "system", "--sandbox"], &[]);
    assert!(
        server.banner.contains("sandbox routes on"),
        "{}",
        server.banner
    );
    let status = post_stop(&server).await;
    server.kill();
    assert_ne!(status, 404);
}
