//! ADF/XML and lead e-mail intake over HTTP, and the raw documents they leave.

use serde_json::Value;

use crate::helpers::{spawn_app, TestApp, EMAIL_SECRET, TUESDAY_9AM_CHICAGO};

const ADF: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<?ADF VERSION "1.0"?>
<adf>
  <prospect status="new">
    <id sequence="1" source="Cars.com">CARS-778899</id>
    <requestdate>2026-12-01T08:55:00-06:00</requestdate>
    <vehicle interest="buy" status="Used">
      <year>2022</year><make>Honda</make><model>CR-V</model><trim>EX</trim>
      <vin>7FARW2H83NE012345</vin><stock>P1234</stock><price type="asking">28995</price>
    </vehicle>
    <customer>
      <contact>
        <name part="first">Dana</name><name part="last">Reyes</name>
        <email>dana.reyes@example.com</email>
        <phone type="cellphone">(312) 555-0401</phone>
        <address><postalcode>60601</postalcode></address>
      </contact>
      <comments><![CDATA[Is this still available? Can I come Saturday?]]></comments>
    </customer>
    <vendor><vendorname>Lakeside Motors</vendorname></vendor>
    <provider><name part="full">Cars.com</name><service>New Car Leads</service></provider>
  </prospect>
</adf>"#;

async fn post_adf(app: &TestApp, body: &str) -> reqwest::Response {
    app.post_raw("/api/v1/leads/adf", "application/xml", body.to_owned())
        .await
}

#[tokio::test]
async fn an_adf_lead_is_ingested_and_its_raw_document_kept() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let response = post_adf(&app, ADF).await;
    assert_eq!(response.status(), 201);
    let outcome: Value = response.json().await.unwrap();
    assert_eq!(outcome["status"], "parsed", "{outcome}");
    let lead_id = outcome["leads"][0]["id"].as_i64().unwrap();
    let lead = app.lead(lead_id).await;
    assert_eq!(lead["source"]["provider"], "Cars.com");
    assert_eq!(lead["source"]["provider_lead_id"], "CARS-778899");
    assert_eq!(lead["received_at"], "2026-12-01T14:55:00Z");
    assert_eq!(lead["lead"]["vehicles"][0]["model"], "CR-V");
    assert_eq!(lead["lead"]["vehicles"][0]["condition"], "used");
    assert!(lead["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["value"] == "+13125550401"));
    assert_eq!(app.outbox(Some(lead_id)).await.len(), 2, "day 0 went out");

    let document_id = outcome["document_id"].as_i64().unwrap();
    let doc: Value = app
        .get(&format!("/api/v1/documents/{document_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(doc["status"], "parsed");
    assert_eq!(doc["lead_ids"], serde_json::json!([lead_id]));
    let raw = app
        .get(&format!("/api/v1/documents/{document_id}/raw"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(raw, ADF);

    // The provider sends it again: merged, not a second lead or cadence.
    let again: Value = post_adf(&app, &ADF.replace("status=\"new\"", "status=\"resend\""))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["leads"][0]["action"], "merged");
    assert_eq!(again["leads"][0]["id"], lead_id);
    // Replaying the stored document merges into the same lead too.
    let replay: Value = app
        .post(
            &format!("/api/v1/documents/{document_id}/replay"),
            &serde_json::json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(replay["leads"][0]["id"], lead_id);
    assert_eq!(app.outbox(Some(lead_id)).await.len(), 2);
}

#[tokio::test]
async fn unsafe_or_broken_adf_is_refused_with_a_position_and_kept() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let xxe = r#"<?xml version="1.0"?><!DOCTYPE adf [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><adf><prospect><customer><contact><name part="full">&xxe;</name></contact></customer></prospect></adf>"#;
    let response = post_adf(&app, xxe).await;
    assert_eq!(response.status(), 422);
    let truncated = &ADF[..ADF.len() / 2];
    let response = post_adf(&app, truncated).await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    let message = error["error"].as_str().unwrap();
    assert!(
        message.contains("line") && message.contains("stored as document"),
        "{message}"
    );
    let failed: Vec<Value> = app
        .get("/api/v1/documents?status=failed")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(failed.len(), 2);
    let wrong_type = app
        .post_raw("/api/v1/leads/adf", "application/json", ADF)
        .await;
    assert_eq!(wrong_type.status(), 415);
    let huge = format!("<adf>{}</adf>", "x".repeat(2 * 1024 * 1024));
    assert_eq!(post_adf(&app, &huge).await.status(), 413);
    let leads: Vec<Value> = app.get("/api/v1/leads").await.json().await.unwrap();
    assert!(leads.is_empty());
}

fn lead_email() -> String {
    format!(
        "From: Cars.com Leads <leads@cars.com>\r\nTo: internet@lakeside-motors.example.com\r\nSubject: New lead: 2022 Honda CR-V\r\nMessage-ID: <abc123@cars.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n",
        ADF.replace("<provider><name part=\"full\">Cars.com</name><service>New Car Leads</service></provider>", "")
    )
}

#[tokio::test]
async fn the_email_webhook_needs_its_secret_and_keeps_what_it_cannot_read() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let url = format!("{}/webhooks/email", app.address);
    let without = app
        .client
        .post(&url)
        .body(lead_email())
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), 401);
    let wrong = app
        .client
        .post(format!("{url}?token=nope"))
        .body(lead_email())
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let documents: Vec<Value> = app.get("/api/v1/documents").await.json().await.unwrap();
    assert!(documents.is_empty(), "nothing is stored without the secret");

    let ok = app
        .client
        .post(format!("{url}?token={EMAIL_SECRET}"))
        .body(lead_email())
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let outcome: Value = ok.json().await.unwrap();
    assert_eq!(outcome["email_kind"], "adf", "{outcome}");
    let lead = app.lead(outcome["leads"][0]["id"].as_i64().unwrap()).await;
    assert_eq!(
        lead["source"]["provider"], "Cars.com",
        "the sender's domain names the provider"
    );

    let newsletter = "From: news@example.org\r\nSubject: Our December newsletter\r\nContent-Type: text/plain\r\n\r\nHappy holidays from all of us.\r\n";
    let basic = app
        .client
        .post(&url)
        .basic_auth("mta", Some(EMAIL_SECRET))
        .body(newsletter)
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 200);
    let outcome: Value = basic.json().await.unwrap();
    assert_eq!(outcome["status"], "unrecognized");
    let kept: Vec<Value> = app
        .get("/api/v1/documents?status=unrecognized")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        kept.len(),
        1,
        "an e-mail that is not a lead is kept for a person"
    );
}

#[tokio::test]
async fn an_adf_consent_element_is_the_leads_evidence_instead_of_the_settings_default() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    // The ADF above with a consent record of its own (see docs/consent.md).
    let body = ADF.replace(
        "</contact>",
        r#"</contact>
      <consent basis="express_written" channels="sms" dealership="main"
               formurl="https://www.cars.com/lead-form" at="2026-12-01T08:54:00-06:00">tcpa-v7</consent>"#,
    );
    let response = post_adf(&app, &body).await;
    assert_eq!(response.status(), 201);
    let outcome: Value = response.json().await.unwrap();
    let id = outcome["leads"][0]["id"].as_i64().unwrap();
    let lead = app.lead(id).await;
    let consent = &lead["lead"]["consent"];
    let records = consent.as_array().unwrap_or_else(|| panic!("{lead:#}"));
    assert!(!records.is_empty(), "{lead:#}");
    for record in records {
        assert_eq!(record["basis"], "express_written", "{record}");
        assert_eq!(record["channels"], serde_json::json!(["sms"]), "{record}");
        assert_eq!(
            record["source"]["form_url"],
            "https://www.cars.com/lead-form"
        );
        assert_eq!(record["source"]["provider"], "Cars.com");
        assert_eq!(record["disclosure"], "tcpa-v7");
        assert_eq!(record["at"], "2026-12-01T14:54:00Z");
        // Its own record, not the settings' default (which would name `consent.sources...`).
        assert!(record["source"]["settings"].is_null(), "{record}");
    }
}
