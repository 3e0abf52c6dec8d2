//! Consent evidence from outside (issue 11 point 5): a lead's `consent` records, the settings'
//! default per source, and the gate holding automated marketing texts without written consent
//! naming the dealership — while the answer to the inquiry, e-mail and informational messages go.

use serde_json::{json, Value};

use crate::helpers::{inquiry, spawn_app, TestApp};

async fn texts(app: &TestApp, lead: i64) -> Vec<String> {
    app.outbox(Some(lead))
        .await
        .iter()
        .filter(|m| m["recipient_kind"] == "customer" && m["channel"] == "sms")
        .map(|m| m["body"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn with_consent(phone: &str, consent: Value) -> Value {
    let mut lead = inquiry(phone);
    lead["consent"] = consent;
    lead
}

#[tokio::test]
async fn a_marketing_text_needs_written_consent_naming_the_dealership_and_the_owner_is_asked_once()
{
    // Tuesday 09:00 in Chicago.
    let app = spawn_app("2026-12-01T15:00:00Z").await;
    let express = app
        .create_lead(&with_consent(
            "(312) 555-0171",
            json!([{"basis": "express", "source": {"provider": "Cars.com"}}]),
        ))
        .await;
    let other_store = app
        .create_lead(&with_consent(
            "(312) 555-0172",
            json!([{"basis": "express_written", "source": {"form_url": "https://other.example/form"},
                    "disclosure": "tcpa-v2", "dealership": "elsewhere"}]),
        ))
        .await;
    let written = app
        .create_lead(&with_consent(
            "(312) 555-0173",
            json!([{"contact": "312-555-0173", "channels": ["sms"], "basis": "express_written",
                    "source": {"form_url": "https://dealer.example/quote"}, "disclosure": "tcpa-v3",
                    "at": "2026-12-01T14:58:00Z", "dealership": "main"}]),
        ))
        .await;
    // No record of its own: the starter's default for internet leads (express_written) is written
    // onto the lead at intake.
    let defaulted = app.create_lead(&inquiry("(312) 555-0174")).await;
    app.advance("P8D").await;

    for lead in [express, other_store] {
        let story = app.story(lead).await;
        let sent = texts(&app, lead).await;
        // The answer to the customer's own inquiry goes; the cadence's marketing texts do not.
        assert_eq!(sent.len(), 1, "{sent:?}\n{story}");
        assert!(
            story.contains("needs express_written consent (US.consent)"),
            "no reason on the timeline:\n{story}"
        );
        let asks: Vec<Value> = app
            .tasks(None)
            .await
            .into_iter()
            .filter(|t| t["lead_id"] == lead && t["kind"] == "ask_consent")
            .collect();
        assert_eq!(
            asks.len(),
            1,
            "one task to ask for consent: {asks:?}\n{story}"
        );
        let emails = app
            .outbox(Some(lead))
            .await
            .iter()
            .filter(|m| m["channel"] == "email")
            .count();
        assert!(emails >= 2, "e-mail is not held:\n{story}");
    }
    for lead in [written, defaulted] {
        let sent = texts(&app, lead).await;
        assert!(sent.len() >= 3, "{sent:?}\n{}", app.story(lead).await);
    }
    let document = app.lead(defaulted).await;
    let consent = &document["lead"]["consent"];
    assert_eq!(consent[0]["basis"], "express_written", "{document}");
    assert_eq!(consent[0]["dealership"], "main", "{document}");
    assert_eq!(
        consent[0]["source"]["settings"], "consent.sources.internet",
        "{document}"
    );
}

#[tokio::test]
async fn a_consent_record_for_a_number_the_lead_does_not_have_is_refused_naming_the_field() {
    let app = spawn_app("2026-12-01T15:00:00Z").await;
    let response = app
        .post(
            "/api/v1/leads",
            &with_consent(
                "(312) 555-0175",
                json!([{"contact": "(312) 555-0100", "basis": "express_written", "source": {"staff": "sam"}}]),
            ),
        )
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert!(body.to_string().contains("consent[0].contact"), "{body}");
    let leads: Value = app.get("/api/v1/leads").await.json().await.unwrap();
    assert!(!leads.to_string().contains("555-0175"), "{leads}");
}

#[tokio::test]
async fn appointment_reminders_go_to_a_customer_whose_consent_is_only_express() {
    // Tuesday 09:00 in Chicago; the appointment Thursday 10:00.
    let app = spawn_app("2026-12-01T15:00:00Z").await;
    let lead = app
        .create_lead(&with_consent(
            "(312) 555-0175",
            json!([{"basis": "express", "source": {"provider": "Cars.com"}}]),
        ))
        .await;
    let booked = app
        .post(
            &format!("/api/v1/leads/{lead}/outcomes"),
            &json!({"stage": "appointment_set",
                    "appointment": {"at": "2026-12-03T16:00:00Z", "kind": "sales"}, "by": "sam"}),
        )
        .await;
    assert_eq!(booked.status(), 200);
    app.advance_to("2026-12-03T16:30:00Z").await;
    let story = app.story(lead).await;
    // Informational messages need no written consent: the confirmation and both reminders go.
    let blocks: Vec<String> = app
        .timeline(lead)
        .await
        .iter()
        .filter(|e| e["kind"] == "touch_sent" && e["data"]["channel"] == "sms")
        .filter_map(|e| e["data"]["block"].as_str().map(str::to_owned))
        .filter(|b| b.starts_with("appointment"))
        .collect();
    assert_eq!(
        blocks,
        [
            "appointment_confirmation",
            "appointment_reminder_day_before",
            "appointment_reminder_soon"
        ],
        "{story}"
    );
    assert!(!story.contains("touch_skipped"), "{story}");
}
