//! Inbound documents: parsed off the async threads, within a time budget.

use std::time::Duration;

use keepwarm_engine::documents::DocumentKind;

use crate::import::engine;

/// A valid ADF document of about 900 KB: 2,000 prospects.
fn large_adf() -> Vec<u8> {
    let mut xml = String::from("<adf>");
    for i in 0..2_000 {
        xml.push_str(&format!(
            "<prospect><requestdate>2026-11-30T10:00:00-05:00</requestdate>\
             <vehicle interest=\"buy\"><year>2022</year><make>Honda</make><model>Civic</model></vehicle>\
             <customer><contact><name part=\"full\">Person {i}</name>\
             <phone>312-555-{:04}</phone></contact></customer>\
             <vendor><vendorname>Lakeside Honda</vendorname></vendor></prospect>",
            i % 10_000
        ));
    }
    xml.push_str("</adf>");
    xml.into_bytes()
}

#[tokio::test]
async fn a_document_over_its_parse_budget_is_stored_and_held_for_a_person() {
    let engine = engine().await;
    let outcome = engine
        .ingest_document_within(
            DocumentKind::Adf,
            "api_adf",
            None,
            large_adf(),
            Duration::from_nanos(1),
        )
        .await
        .unwrap();
    assert_eq!(outcome.status, "held");
    assert!(outcome.leads.is_empty());
    let (row, body) = engine
        .store()
        .document(outcome.document_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.status, "held");
    assert_eq!(body, large_adf());
    let detail = row.detail.unwrap_or_default();
    assert!(detail.contains("held for a person"), "{detail}");
}

#[tokio::test]
async fn a_document_within_its_budget_is_parsed_as_before() {
    let engine = engine().await;
    let xml = b"<adf><prospect><customer><contact><name part=\"full\">Ann Lee</name>\
        <phone>312-555-0100</phone></contact></customer></prospect></adf>";
    let outcome = engine
        .ingest_document(DocumentKind::Adf, "api_adf", None, xml.to_vec())
        .await
        .unwrap();
    assert_eq!(outcome.status, "parsed");
    assert_eq!(outcome.leads.len(), 1);
}
