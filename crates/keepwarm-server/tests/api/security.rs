//! Issue 16: hostile documents and requests cannot stall, bloat or abuse the service.

use std::time::{Duration, Instant};

use crate::helpers::{spawn_app, TUESDAY_9AM_CHICAGO};

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
