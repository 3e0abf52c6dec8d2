//! People in the conversation over real transports: a person's message is checked again when it is
//! actually sent, goes out by e-mail under the person's name, and the customer's e-mail reply comes
//! back onto the lead.

use serde_json::json;

use crate::helpers::{inquiry, TUESDAY_9AM_CHICAGO};
use crate::live::{spawn_live_app, LiveApp};
use crate::staff::{post_as, token_for};
use keepwarm_email::TestSmtpServer;
use mail_parser::MessageParser;

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
        live.twilio
            .messages()
            .iter()
            .all(|m| m.body.as_deref() != Some(text)),
        "sent at night:\n{}",
        app.story(id).await
    );
    let timeline = app.timeline(id).await;
    let failed = timeline
        .iter()
        .find(|e| e["kind"] == "staff_message_failed")
        .unwrap_or_else(|| panic!("no staff_message_failed:\n{:#?}", timeline));
    let error = failed["data"]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("when the queued message was to be sent"),
        "{failed}"
    );
}

#[tokio::test]
async fn a_persons_email_goes_from_the_store_under_their_name_with_a_reply_to() {
    let live = live().await;
    let app = &live.app;
    let (id, owner, token) = lead_and_owner(&live, "(312) 555-0952").await;
    let before = live.emails().len();
    let sent = post_as(
        app,
        &token,
        &format!("/api/v1/leads/{id}/messages"),
        &json!({"channel": "email", "subject": "Your CR-V", "body": "Hi Dana,\n\nIt is ready for you.\n\nSam"}),
    )
    .await;
    assert_eq!(sent.status(), 202);
    let emails = live.emails();
    assert_eq!(emails.len(), before + 1, "{}", app.story(id).await);
    let raw = &emails.last().unwrap().data;
    let parsed = MessageParser::default().parse(raw).unwrap();
    assert_eq!(parsed.subject(), Some("Your CR-V"));
    let from = parsed.from().and_then(|a| a.first()).unwrap();
    let name = app
        .engine
        .config()
        .staff_member(&owner)
        .unwrap()
        .name
        .clone();
    assert_eq!(
        (from.name(), from.address()),
        (
            Some(format!("{name} at Lakeside Motors").as_str()),
            Some("sales@lakeside-motors.example.com")
        )
    );
    let reply_to = parsed.reply_to().and_then(|a| a.first()).unwrap();
    assert_eq!(
        reply_to.address(),
        Some("sales@lakeside-motors.example.com")
    );
    assert!(parsed.message_id().is_some());
}
