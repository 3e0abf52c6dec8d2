//! People in the conversation over real transports: a person's message is checked again when it is
//! actually sent, goes out by e-mail under the person's name, and the customer's e-mail reply comes
//! back onto the lead.

use serde_json::json;

use crate::helpers::{inquiry, TUESDAY_9AM_CHICAGO};
use crate::live::{spawn_live_app, LiveApp};
use crate::staff::{post_as, token_for};
use keepwarm_email::TestSmtpServer;

async fn live() -> LiveApp {
    spawn_live_app(TUESDAY_9AM_CHICAGO, TestSmtpServer::builder()).await
}

/// A lead, its owner and the owner's token.
async fn lead_and_owner(live: &LiveApp, phone: &str) -> (i64, String, String) {
    let id = live.app.create_lead(&inquiry(phone)).await;
    let owner = live.app.lead(id).await["owner"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = token_for(&live.app, &owner).await;
    (id, owner, token)
}

#[tokio::test]
async fn a_queued_message_delayed_past_closing_is_not_sent_at_night() {
    let live = live().await;
    let app = &live.app;
    let (id, _, token) = lead_and_owner(&live, "(312) 555-0951").await;
    // Tuesday 19:50 in Chicago: ten minutes before the sales hours end.
    app.advance_to("2026-12-02T01:50:00Z").await;
    live.twilio.fail_next(1000, 503);
    let text = "Hi Dana, Sam here: the CR-V is still on the lot.";
    let queued = post_as(
        app,
        &token,
        &format!("/api/v1/leads/{id}/messages"),
        &json!({"channel": "sms", "body": text}),
    )
    .await;
    assert_eq!(queued.status(), 202, "inside the window when asked");
    // Twilio is down until 20:01; the queue retries every five minutes.
    app.advance("PT11M").await;
    live.twilio.clear_faults();
    app.advance("PT10M").await;
    assert!(
        live.twilio.messages().iter().all(|m| m.body.as_deref() != Some(text)),
        "sent at night:\n{}",
        app.story(id).await
    );
    let timeline = app.timeline(id).await;
    let failed = timeline
        .iter()
        .find(|e| e["kind"] == "staff_message_failed")
        .unwrap_or_else(|| panic!("no staff_message_failed:\n{:#?}", timeline));
    let error = failed["data"]["error"].as_str().unwrap_or_default();
    assert!(error.contains("when the queued message was to be sent"), "{failed}");
}
