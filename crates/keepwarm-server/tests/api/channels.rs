//! Real channels end to end: texts and calls through (a local fake of) Twilio's API, e-mail through a
//! real SMTP server, delivery reports, answered calls, unsubscribe links, and what every provider
//! refusal does to the lead.

use mail_parser::MessageParser;
use serde_json::{json, Value};

use crate::helpers::{inquiry, spawn_app, TestApp, PUBLIC_URL, TUESDAY_9AM_CHICAGO};
use crate::live::{spawn_live_app, LiveApp, DEALER_NUMBER};
use keepwarm_email::TestSmtpServer;

async fn live() -> LiveApp {
    spawn_live_app(TUESDAY_9AM_CHICAGO, TestSmtpServer::builder()).await
}

fn kinds(timeline: &[Value]) -> Vec<String> {
    timeline
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn story(app: &TestApp, id: i64) -> String {
    app.story(id).await
}

#[tokio::test]
async fn a_cadence_with_text_email_call_and_voicemail_runs_against_twilio_and_smtp() {
    let live = live().await;
    let app = &live.app;
    let id = app.create_lead(&inquiry("(312) 555-0142")).await;

    // Day 0: the text went to Twilio from the dealership's number with a status callback naming
    // its touch; the e-mail went through SMTP.
    let texts = live.twilio.requests();
    let creates: Vec<_> = texts
        .iter()
        .filter(|r| r.operation.as_deref() == Some("CreateMessage"))
        .collect();
    assert_eq!(creates.len(), 1, "{}", story(app, id).await);
    let sms = creates[0];
    assert_eq!(sms.param("To"), Some("+13125550142"));
    assert_eq!(sms.param("From"), Some(DEALER_NUMBER));
    assert!(sms.param("Body").unwrap().contains("Reply STOP to opt out"));
    let callback = sms.param("StatusCallback").unwrap();
    assert!(callback.starts_with(&format!("{PUBLIC_URL}/webhooks/twilio/status?touch=")));

    let emails = live.emails();
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0].rcpt_tos, ["dana3125550142@example.com"]);
    let parsed = MessageParser::default().parse(&emails[0].data).unwrap();
    assert!(parsed.body_text(0).unwrap().contains("100 Lake Shore Dr"));
    assert!(parsed.body_html(0).unwrap().contains("100 Lake Shore Dr"));
    assert_eq!(
        parsed.header_raw("List-Unsubscribe-Post").unwrap().trim(),
        "List-Unsubscribe=One-Click"
    );
    assert!(parsed
        .header_raw("List-Unsubscribe")
        .unwrap()
        .contains(&format!("{PUBLIC_URL}/u/")));

    // Delivery reports: `delivered`, then a late `sent`, then `delivered` again: recorded once,
    // never moved backwards.
    let sid = live.twilio.messages()[0].sid.clone();
    let path = callback.trim_start_matches(PUBLIC_URL).to_owned();
    for status in ["delivered", "sent", "delivered"] {
        let r = live
            .twilio_webhook(
                &path,
                &[
                    ("MessageSid", &sid),
                    ("MessageStatus", status),
                    ("To", "+13125550142"),
                ],
            )
            .await;
        assert_eq!(r.status(), 200);
    }
    let timeline = app.timeline(id).await;
    let reports: Vec<&Value> = timeline
        .iter()
        .filter(|e| e["kind"] == "delivery_status")
        .collect();
    assert_eq!(reports.len(), 1, "{}", story(app, id).await);
    assert_eq!(reports[0]["data"]["status"], "delivered");

    // Day 1, 11:00: an automated call with answering-machine detection; a person answers and is
    // connected to the owner.
    app.advance("P1DT2H").await;
    let calls: Vec<_> = live
        .twilio
        .requests()
        .into_iter()
        .filter(|r| r.operation.as_deref() == Some("CreateCall"))
        .collect();
    assert_eq!(calls.len(), 1, "{}", story(app, id).await);
    assert_eq!(calls[0].param("MachineDetection"), Some("DetectMessageEnd"));
    assert_eq!(calls[0].param("From"), Some(DEALER_NUMBER));
    let url = calls[0].param("Url").unwrap().to_owned();
    assert!(url.starts_with(&format!("{PUBLIC_URL}/webhooks/twilio/voice?touch=")));
    let voice = url.trim_start_matches(PUBLIC_URL).to_owned();
    let twiml = live
        .twilio_webhook(&voice, &[("CallSid", "CA01"), ("AnsweredBy", "human")])
        .await
        .text()
        .await
        .unwrap();
    assert!(
        twiml.contains(&format!(
            "<Dial callerId=\"{DEALER_NUMBER}\">+13125550111</Dial>"
        )),
        "{twiml}"
    );

    // Day 2: the voicemail step; a machine gets the message after the beep.
    app.advance("P1D").await;
    let calls: Vec<_> = live
        .twilio
        .requests()
        .into_iter()
        .filter(|r| r.operation.as_deref() == Some("CreateCall"))
        .collect();
    assert_eq!(calls.len(), 2);
    let voice = calls[1]
        .param("Url")
        .unwrap()
        .trim_start_matches(PUBLIC_URL)
        .to_owned();
    let twiml = live
        .twilio_webhook(
            &voice,
            &[("CallSid", "CA02"), ("AnsweredBy", "machine_end_beep")],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        twiml.contains("<Say voice=\"Polly.Joanna\">Hi, this is Sam from Lakeside Motors."),
        "{twiml}"
    );
    assert!(twiml.ends_with("<Hangup/></Response>"), "{twiml}");
    // Twilio (or anyone replaying a signed request) asks again: the same answer, recorded once.
    for _ in 0..2 {
        let again = live
            .twilio_webhook(
                &voice,
                &[("CallSid", "CA02"), ("AnsweredBy", "machine_end_beep")],
            )
            .await;
        assert_eq!(again.status(), 200);
    }
    let voicemails = kinds(&app.timeline(id).await)
        .iter()
        .filter(|k| *k == "voicemail_left")
        .count();
    assert_eq!(voicemails, 1, "{}", story(app, id).await);
    // A signed voice request naming a text's touch is refused: no call was placed for it.
    let text_touch = path.replace("/webhooks/twilio/status", "/webhooks/twilio/voice");
    let refused = live
        .twilio_webhook(&text_touch, &[("CallSid", "CA03"), ("AnsweredBy", "human")])
        .await;
    assert_eq!(refused.status(), 409, "{}", refused.text().await.unwrap());

    app.advance("P3D").await;
    let lead = app.lead(id).await;
    assert_eq!(lead["status"], "completed", "{}", story(app, id).await);
    let kinds = kinds(&app.timeline(id).await);
    assert_eq!(kinds.iter().filter(|k| *k == "touch_sent").count(), 6);
    assert!(kinds.contains(&"voicemail_left".to_owned()));
    assert_eq!(live.emails().len(), 2);
    assert!(
        live.twilio.violations().is_empty(),
        "{:?}",
        live.twilio.violations()
    );
}

#[tokio::test]
async fn a_carrier_opt_out_stops_everything_like_a_stop_reply() {
    let live = live().await;
    live.twilio.fail_to("+13125550143", 21610);
    let id = live.app.create_lead(&inquiry("(312) 555-0143")).await;
    let lead = live.app.lead(id).await;
    assert_eq!(lead["opted_out"], true, "{}", story(&live.app, id).await);
    assert_eq!(lead["status"], "stopped");
    let timeline = live.app.timeline(id).await;
    let failed = timeline
        .iter()
        .find(|e| e["kind"] == "touch_failed")
        .unwrap();
    assert!(failed["data"]["reason"].as_str().unwrap().contains("21610"));
    live.app.advance("P15D").await;
    let creates = live
        .twilio
        .requests()
        .iter()
        .filter(|r| r.operation.as_deref() == Some("CreateMessage"))
        .count();
    assert_eq!(creates, 1, "nothing more is attempted");
}

#[tokio::test]
async fn an_invalid_number_moves_the_text_to_email_and_marks_the_phone_unusable() {
    let live = live().await;
    live.twilio.fail_to("+13125550144", 21211);
    let id = live.app.create_lead(&inquiry("(312) 555-0144")).await;
    let timeline = live.app.timeline(id).await;
    let moved = timeline
        .iter()
        .find(|e| e["kind"] == "touch_rerouted")
        .unwrap_or_else(|| panic!("{}", kinds(&timeline).join(", ")));
    assert_eq!(moved["data"]["to"], "email");
    assert!(moved["data"]["reason"].as_str().unwrap().contains("21211"));
    assert!(kinds(&timeline).contains(&"contact_unusable".to_owned()));
    // The first text's words arrived by e-mail, beside the day-0 e-mail.
    let emails = live.emails();
    assert_eq!(emails.len(), 2, "{}", story(&live.app, id).await);
    // Later phone steps are skipped for want of a usable number; nothing else goes to Twilio.
    live.app.advance("P5D").await;
    let creates = live
        .twilio
        .requests()
        .iter()
        .filter(|r| matches!(r.operation.as_deref(), Some("CreateMessage" | "CreateCall")))
        .count();
    assert_eq!(creates, 1, "{}", story(&live.app, id).await);
}

#[tokio::test]
async fn twilio_asking_to_slow_down_is_retried_and_the_text_goes_once() {
    let live = live().await;
    live.twilio.fail_next(2, 429);
    let id = live.app.create_lead(&inquiry("(312) 555-0145")).await;
    let attempts = live
        .twilio
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/Messages.json") && r.method == "POST")
        .count();
    assert_eq!(attempts, 3);
    assert_eq!(live.twilio.messages().len(), 1);
    let kinds = kinds(&live.app.timeline(id).await);
    assert_eq!(kinds.iter().filter(|k| *k == "touch_sent").count(), 2);
}

#[tokio::test]
async fn a_twilio_outage_delays_texts_and_tells_the_managers_once() {
    let live = live().await;
    live.twilio.fail_next(1000, 503);
    let id = live.app.create_lead(&inquiry("(312) 555-0146")).await;
    let timeline = live.app.timeline(id).await;
    let delayed = timeline
        .iter()
        .find(|e| e["kind"] == "touch_delayed")
        .unwrap_or_else(|| panic!("{}", kinds(&timeline).join(", ")));
    assert_eq!(delayed["data"]["retry_at"], "2026-12-01T15:05:00Z");
    let channels: Value = live.app.get("/api/v1/channels").await.json().await.unwrap();
    let twilio = channels["transports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["transport"] == "twilio")
        .unwrap();
    assert_eq!(twilio["status"], "down", "{channels}");
    // The managers heard about it by e-mail (the working transport), once.
    let alerts = || {
        live.emails()
            .into_iter()
            .filter(|m| {
                MessageParser::default()
                    .parse(&m.data)
                    .and_then(|p| p.subject().map(|s| s.contains("Channel down")))
                    .unwrap_or(false)
            })
            .count()
    };
    let managers = 2;
    assert_eq!(alerts(), managers);
    live.app.advance("PT5M").await;
    assert_eq!(alerts(), managers, "one alert per outage, not per retry");

    live.twilio.clear_faults();
    live.app.advance("PT5M").await;
    assert_eq!(
        live.twilio.messages().len(),
        1,
        "{}",
        story(&live.app, id).await
    );
    let channels: Value = live.app.get("/api/v1/channels").await.json().await.unwrap();
    assert!(
        channels["transports"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["status"] == "ok"),
        "{channels}"
    );
}

#[tokio::test]
async fn any_other_refusal_fails_the_touch_with_twilios_reason_and_the_cadence_goes_on() {
    let live = live().await;
    live.twilio.fail_to("+13125550147", 21408);
    let id = live.app.create_lead(&inquiry("(312) 555-0147")).await;
    let timeline = live.app.timeline(id).await;
    let failed = timeline
        .iter()
        .find(|e| e["kind"] == "touch_failed")
        .unwrap_or_else(|| panic!("{}", kinds(&timeline).join(", ")));
    assert!(
        failed["data"]["reason"].as_str().unwrap().contains("21408"),
        "{failed}"
    );
    assert_eq!(live.app.lead(id).await["status"], "active");
    assert_eq!(live.emails().len(), 1, "the e-mail step still went");
}

#[tokio::test]
async fn a_mailbox_that_does_not_exist_moves_the_email_to_a_text() {
    let live = spawn_live_app(
        TUESDAY_9AM_CHICAGO,
        TestSmtpServer::builder().reject_recipient(
            "dana3125550148@example.com",
            550,
            "5.1.1 no such user",
        ),
    )
    .await;
    let id = live.app.create_lead(&inquiry("(312) 555-0148")).await;
    let timeline = live.app.timeline(id).await;
    let moved = timeline
        .iter()
        .find(|e| e["kind"] == "touch_rerouted")
        .unwrap_or_else(|| panic!("{}", kinds(&timeline).join(", ")));
    assert_eq!(moved["data"]["to"], "sms");
    assert_eq!(
        live.twilio.messages().len(),
        2,
        "{}",
        story(&live.app, id).await
    );
}

#[tokio::test]
async fn status_callbacks_must_be_signed_and_unknown_messages_change_nothing() {
    let live = live().await;
    let r = live
        .app
        .client
        .post(format!(
            "{}/webhooks/twilio/status?touch=1",
            live.app.address
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("MessageSid=SM01&MessageStatus=delivered")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = live
        .twilio_webhook(
            "/webhooks/twilio/status",
            &[
                ("MessageSid", "SMffffffffffffffffffffffffffffffff"),
                ("MessageStatus", "delivered"),
            ],
        )
        .await;
    assert_eq!(
        r.status(),
        200,
        "an unknown message is acknowledged, not retried forever"
    );
    let r = live
        .twilio_webhook(
            "/webhooks/twilio/status?touch=abc",
            &[("MessageSid", "SM01"), ("MessageStatus", "sent")],
        )
        .await;
    assert_eq!(r.status(), 422);
}

fn unsubscribe_link(email: &[u8]) -> String {
    let parsed = MessageParser::default().parse(email).unwrap();
    let header = parsed.header_raw("List-Unsubscribe").unwrap();
    let start = header.find('<').unwrap() + 1;
    let end = header.find('>').unwrap();
    header[start..end].to_owned()
}

#[tokio::test]
async fn the_unsubscribe_link_stops_emails_at_once_and_nothing_else() {
    let live = live().await;
    let id = live.app.create_lead(&inquiry("(312) 555-0149")).await;
    let link = unsubscribe_link(&live.emails()[0].data);
    let path = link.trim_start_matches(PUBLIC_URL).to_owned();
    let url = format!("{}{path}", live.app.address);

    // A link scanner's GET changes nothing; it gets a page with a button.
    let page = live.app.client.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("<form method=\"post\">"));
    let tampered = format!("{url}x");
    assert_eq!(
        live.app
            .client
            .post(&tampered)
            .send()
            .await
            .unwrap()
            .status(),
        400
    );

    // A mail client's RFC 8058 one-click POST.
    let done = live
        .app
        .client
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    assert!(kinds(&live.app.timeline(id).await).contains(&"channel_revoked".to_owned()));

    // The day-4 e-mail is skipped; texts and calls go on.
    live.app.advance("P5D").await;
    assert_eq!(live.emails().len(), 1, "{}", story(&live.app, id).await);
    let timeline = live.app.timeline(id).await;
    assert!(timeline.iter().any(|e| e["kind"] == "touch_skipped"
        && e["data"]["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("email")));
    assert_eq!(live.twilio.messages().len(), 2);
}

#[tokio::test]
async fn an_unsubscribe_link_from_another_key_or_mangled_is_refused() {
    let live = live().await;
    for token in ["nonsense", "v1.k1.e30.AAAA", "v1.k9.e30.AAAA"] {
        let r = live
            .app
            .client
            .post(format!("{}/u/{token}", live.app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{token}");
    }
}

async fn call_task(app: &TestApp, lead: i64) -> Value {
    app.tasks(Some("sam"))
        .await
        .into_iter()
        .find(|t| t["lead_id"] == lead && t["kind"] == "call")
        .unwrap_or_else(|| panic!("no call task"))
}

#[tokio::test]
async fn a_call_task_is_completed_with_its_outcome_once() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0150")).await;
    app.advance("P2DT3H").await;
    let task = call_task(&app, id).await;
    let path = format!("/api/v1/tasks/{}/complete", task["id"]);

    let bad = app
        .post(&path, &json!({"outcome": "chatted", "by": "sam"}))
        .await;
    assert_eq!(bad.status(), 422);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["fields"][0]["field"], "outcome", "{body}");
    let nobody = app
        .post(&path, &json!({"outcome": "connected", "by": "ghost"}))
        .await;
    assert_eq!(nobody.status(), 422);

    let done = app
        .post(
            &path,
            &json!({"outcome": "connected", "note": "wants Saturday", "by": "sam"}),
        )
        .await;
    assert_eq!(done.status(), 200);
    let done: Value = done.json().await.unwrap();
    assert_eq!(done["status"], "done");
    assert_eq!(done["outcome"], "connected");
    assert_eq!(app.lead(id).await["stage"], "contacted");
    let again = app
        .post(&path, &json!({"outcome": "connected", "by": "sam"}))
        .await;
    assert_eq!(again.status(), 409);
    let timeline = app.timeline(id).await;
    let logged = timeline
        .iter()
        .find(|e| e["kind"] == "call_logged")
        .unwrap();
    assert_eq!(logged["data"]["note"], "wants Saturday");
}

#[tokio::test]
async fn a_wrong_number_call_makes_the_phone_unusable() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0151")).await;
    app.advance("P2DT3H").await;
    let task = call_task(&app, id).await;
    let r = app
        .post(
            &format!("/api/v1/tasks/{}/complete", task["id"]),
            &json!({"outcome": "wrong_number", "by": "sam"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(kinds(&app.timeline(id).await).contains(&"contact_unusable".to_owned()));
    app.advance("P1D").await;
    let skipped = app
        .timeline(id)
        .await
        .into_iter()
        .any(|e| e["kind"] == "touch_skipped");
    assert!(skipped, "{}", app.story(id).await);
}
