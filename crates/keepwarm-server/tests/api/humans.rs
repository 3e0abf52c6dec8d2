//! People in the conversation over real transports: a person's message is checked again when it is
//! actually sent, goes out by e-mail under the person's name, and the customer's e-mail reply comes
//! back onto the lead.

use serde_json::{json, Value};

use crate::helpers::{inquiry, TestApp, EMAIL_SECRET, TUESDAY_9AM_CHICAGO};
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
    // Answers come back to the dealership's mailbox, tagged with the lead.
    let reply_to = parsed.reply_to().and_then(|a| a.first()).unwrap();
    let address = reply_to.address().unwrap();
    assert!(
        address.starts_with(&format!("sales+{id}-"))
            && address.ends_with("@lakeside-motors.example.com"),
        "{address}"
    );
    assert!(parsed.message_id().is_some());
}

/// The Message-ID (with angle brackets) of the newest e-mail the SMTP server received with this
/// subject.
fn message_id_of(live: &LiveApp, subject: &str) -> String {
    let emails = live.emails();
    let found = emails
        .iter()
        .rev()
        .filter_map(|m| MessageParser::default().parse(&m.data))
        .find(|p| p.subject() == Some(subject))
        .unwrap_or_else(|| panic!("no e-mail with subject {subject}"));
    format!("<{}>", found.message_id().unwrap())
}

async fn post_email(live: &LiveApp, raw: &str) -> reqwest::Response {
    post_email_to(&live.app, raw).await
}

/// A raw e-mail to the server's e-mail webhook.
async fn post_email_to(app: &TestApp, raw: &str) -> reqwest::Response {
    app.client
        .post(format!(
            "{}/webhooks/email?token={EMAIL_SECRET}",
            app.address
        ))
        .header("content-type", "message/rfc822")
        .body(raw.to_owned())
        .send()
        .await
        .unwrap()
}

/// How many leads there are.
async fn lead_count(app: &TestApp) -> usize {
    app.get("/api/v1/leads")
        .await
        .json::<Vec<Value>>()
        .await
        .unwrap()
        .len()
}

fn reply_to(answers: &str, message_id: &str, body: &str) -> String {
    reply_from("dana3125550953@example.com", answers, message_id, body)
}

/// Dana's answer from `from` to the e-mail `answers`.
fn reply_from(from: &str, answers: &str, message_id: &str, body: &str) -> String {
    format!(
        "From: Dana Reyes <{from}>\r\n\
To: sales@lakeside-motors.example.com\r\n\
Subject: Re: Your CR-V\r\n\
Message-ID: {message_id}\r\n\
In-Reply-To: {answers}\r\n\
References: {answers}\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
{body}\r\n"
    )
}

#[tokio::test]
async fn a_customers_email_reply_threads_onto_the_lead_and_is_not_a_new_lead() {
    let live = live().await;
    let app = &live.app;
    let (id, _, token) = lead_and_owner(&live, "(312) 555-0953").await;
    let sent = post_as(
        app,
        &token,
        &format!("/api/v1/leads/{id}/messages"),
        &json!({"channel": "email", "subject": "Your CR-V", "body": "Hi Dana,\n\nIt is ready.\n\nSam"}),
    )
    .await;
    assert_eq!(sent.status(), 202);
    let answered = message_id_of(&live, "Your CR-V");
    app.advance("PT2M").await;
    let leads_before = lead_count(app).await;

    let raw = reply_to(
        &answered,
        "<r1@mail.example.com>",
        "Can I come see it Saturday morning?\r\n\r\n-- \r\nDana Reyes\r\n\r\nOn Tue, Dec 1, 2026 at 9:00 AM Sam Rivera wrote:\r\n> Hi Dana, it is ready. Reply STOP to opt out.",
    );
    let response = post_email(&live, &raw).await;
    assert_eq!(response.status(), 200);
    let outcome: Value = response.json().await.unwrap();
    assert_eq!(outcome["reply"]["lead_id"], id, "{outcome}");
    assert_eq!(outcome["reply"]["duplicate"], false);
    assert!(
        outcome["reply"]["escalation"].is_i64(),
        "a hot reply escalates: {outcome}"
    );

    let leads_after = lead_count(app).await;
    assert_eq!(leads_after, leads_before, "not a new lead");
    let timeline = app.timeline(id).await;
    let inbound: Vec<&Value> = timeline
        .iter()
        .filter(|e| e["kind"] == "inbound_message")
        .collect();
    assert_eq!(inbound.len(), 1, "{}", app.story(id).await);
    assert_eq!(inbound[0]["data"]["channel"], "email");
    assert_eq!(
        inbound[0]["data"]["body"], "Can I come see it Saturday morning?",
        "quoted history and signature are not the customer's words"
    );
    let thread = app
        .get(&format!("/api/v1/leads/{id}/conversation"))
        .await
        .json::<Value>()
        .await
        .unwrap();
    let last = thread["entries"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (last["direction"].as_str(), last["channel"].as_str()),
        (Some("inbound"), Some("email")),
        "{thread:#}"
    );
    assert!(thread["waiting"]["since"].is_string(), "{thread:#}");
    // The raw message is kept, linked to the lead.
    let documents: Vec<Value> = app.get("/api/v1/documents").await.json().await.unwrap();
    assert!(
        documents.iter().any(|d| d["channel"] == "email_reply"),
        "{documents:?}"
    );

    // The same e-mail delivered again changes nothing.
    let again: Value = post_email(&live, &raw).await.json().await.unwrap();
    assert_eq!(again["reply"]["duplicate"], true, "{again}");
    let count = app
        .timeline(id)
        .await
        .iter()
        .filter(|e| e["kind"] == "inbound_message")
        .count();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn an_email_reply_asking_to_stop_revokes_email_for_the_address_and_waits_on_nobody() {
    let live = live().await;
    let app = &live.app;
    let (id, _, _) = lead_and_owner(&live, "(312) 555-0953").await;
    // The cadence's first e-mail went out at once; the customer answers it.
    let first: Vec<Value> = app.timeline(id).await;
    assert!(first
        .iter()
        .any(|e| e["kind"] == "touch_sent" && e["data"]["channel"] == "email"));
    let subject = live
        .emails()
        .iter()
        .filter_map(|m| {
            MessageParser::default()
                .parse(&m.data)
                .and_then(|p| p.subject().map(str::to_owned))
        })
        .next()
        .unwrap();
    let answered = message_id_of(&live, &subject);
    let raw = reply_to(
        &answered,
        "<r2@mail.example.com>",
        "Please stop emailing me.",
    );
    let outcome: Value = post_email(&live, &raw).await.json().await.unwrap();
    assert_eq!(outcome["reply"]["lead_id"], id, "{outcome}");
    assert!(
        outcome["reply"]["intents"]
            .as_array()
            .unwrap()
            .contains(&json!("opt_out")),
        "{outcome}"
    );
    let timeline = app.timeline(id).await;
    let story = app.story(id).await;
    let revoked = timeline
        .iter()
        .find(|e| e["kind"] == "channel_revoked")
        .unwrap_or_else(|| panic!("{story}"));
    assert_eq!(revoked["data"]["channels"], json!(["email"]), "{revoked}");
    let waiting: Vec<Value> = app
        .get("/api/v1/conversations?waiting=true")
        .await
        .json()
        .await
        .unwrap();
    assert!(waiting.iter().all(|w| w["lead_id"] != id), "{waiting:?}");
}

/// The subjects of the e-mails the SMTP server received for `to`.
fn subjects_to(live: &LiveApp, to: &str) -> Vec<String> {
    live.emails()
        .iter()
        .filter(|m| m.rcpt_tos.iter().any(|r| r.eq_ignore_ascii_case(to)))
        .filter_map(|m| {
            MessageParser::default()
                .parse(&m.data)
                .and_then(|p| p.subject().map(str::to_owned))
        })
        .collect()
}

#[tokio::test]
async fn an_email_opt_out_is_confirmed_once_by_email_and_a_second_stop_is_not_confirmed_again() {
    let live = live().await;
    let app = &live.app;
    let (id, _, _) = lead_and_owner(&live, "(312) 555-0954").await;
    let customer = "dana3125550954@example.com";
    let subject = subjects_to(&live, customer)
        .into_iter()
        .next()
        .expect("the cadence's first e-mail");
    let answered = message_id_of(&live, &subject);
    let stop = |message_id: &str, body: &str| {
        reply_to(&answered, message_id, body).replace("dana3125550953@", "dana3125550954@")
    };
    let outcome: Value = post_email(
        &live,
        &stop(
            "<r5@mail.example.com>",
            "Unsubscribe me, please stop emailing me.",
        ),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(outcome["reply"]["lead_id"], id, "{outcome}");
    app.advance("PT1M").await;
    let confirmations = |live: &LiveApp| {
        subjects_to(live, customer)
            .into_iter()
            .filter(|s| s.contains("unsubscribed"))
            .count()
    };
    assert_eq!(confirmations(&live), 1, "{}", app.story(id).await);
    let timeline = app.timeline(id).await;
    let confirmed: Vec<&Value> = timeline
        .iter()
        .filter(|e| e["kind"] == "opt_out_confirmed")
        .collect();
    assert_eq!(confirmed.len(), 1, "{}", app.story(id).await);
    assert_eq!(confirmed[0]["data"]["to"], customer);

    // A second "stop" (another e-mail) is recorded, not confirmed again.
    post_email(
        &live,
        &stop("<r6@mail.example.com>", "I said stop emailing me."),
    )
    .await
    .error_for_status()
    .unwrap();
    app.advance("PT1M").await;
    assert_eq!(confirmations(&live), 1, "{}", app.story(id).await);
    assert!(
        app.timeline(id)
            .await
            .iter()
            .any(|e| e["kind"] == "consent_already_revoked"),
        "{}",
        app.story(id).await
    );
}

/// The Reply-To address of the newest e-mail the SMTP server received with this subject.
fn reply_address_of(live: &LiveApp, subject: &str) -> String {
    let emails = live.emails();
    let found = emails
        .iter()
        .rev()
        .filter_map(|m| MessageParser::default().parse(&m.data))
        .find(|p| p.subject() == Some(subject))
        .unwrap_or_else(|| panic!("no e-mail with subject {subject}"));
    let address = found
        .reply_to()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap_or_else(|| panic!("no Reply-To on {subject}"));
    address.to_owned()
}

fn mail(from: &str, to: &str, message_id: &str, in_reply_to: Option<&str>, body: &str) -> String {
    let answers = in_reply_to
        .map(|a| format!("In-Reply-To: {a}\r\nReferences: {a}\r\n"))
        .unwrap_or_default();
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: Re: Your CR-V\r\nMessage-ID: {message_id}\r\n{answers}\
Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
}

#[tokio::test]
async fn a_reply_to_the_leads_tagged_address_finds_it_and_a_forged_tag_or_stranger_does_not() {
    let live = live().await;
    let app = &live.app;
    let (id, _, token) = lead_and_owner(&live, "(312) 555-0954").await;
    let sent = post_as(
        app,
        &token,
        &format!("/api/v1/leads/{id}/messages"),
        &json!({"channel": "email", "subject": "Your CR-V", "body": "Hi Dana,\n\nIt is ready.\n\nSam"}),
    )
    .await;
    assert_eq!(sent.status(), 202);
    let tagged = reply_address_of(&live, "Your CR-V");
    let answered = message_id_of(&live, "Your CR-V");
    app.advance("PT2M").await;

    // Their mail program dropped In-Reply-To, and they wrote from their work address: the tag
    // alone finds the lead.
    let raw = mail(
        "Dana Reyes <dana@work.example.com>",
        &tagged.to_uppercase(),
        "<t1@mail.example.com>",
        None,
        "Can I come see it Saturday morning?",
    );
    let outcome: Value = post_email(&live, &raw).await.json().await.unwrap();
    assert_eq!(outcome["reply"]["lead_id"], id, "{outcome}");

    // A tag for this lead with another lead's number, or with a MAC not made by our key, is not
    // the lead's; neither is a stranger naming the Message-ID keepwarm sent.
    let (lead, mac) = tagged
        .split_once('@')
        .unwrap()
        .0
        .split_once('+')
        .unwrap()
        .1
        .split_once('-')
        .unwrap();
    let other_lead = lead.parse::<i64>().unwrap() + 1;
    let forged = [
        format!("sales+{other_lead}-{mac}@lakeside-motors.example.com"),
        format!(
            "sales+{lead}-{}@lakeside-motors.example.com",
            "0".repeat(32)
        ),
    ];
    for (n, to) in forged.iter().enumerate() {
        let raw = mail(
            "mallory@example.com",
            to,
            &format!("<f{n}@mail.example.com>"),
            None,
            "STOP",
        );
        let outcome: Value = post_email(&live, &raw).await.json().await.unwrap();
        assert!(outcome.get("reply").is_none(), "{to}: {outcome}");
    }
    let raw = mail(
        "mallory@example.com",
        "sales@lakeside-motors.example.com",
        "<f9@mail.example.com>",
        Some(&answered),
        "STOP",
    );
    let outcome: Value = post_email(&live, &raw).await.json().await.unwrap();
    assert!(outcome.get("reply").is_none(), "a stranger: {outcome}");
    let inbound = app
        .timeline(id)
        .await
        .iter()
        .filter(|e| e["kind"] == "inbound_message")
        .count();
    assert_eq!(inbound, 1, "{}", app.story(id).await);
    assert_eq!(app.lead(id).await["opted_out"], false);
}

/// A customer's e-mail to the store, through the e-mail webhook.
async fn email_webhook(app: &TestApp, raw: &str) -> Value {
    let response = post_email_to(app, raw).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_sandbox_email_carries_a_message_id_and_reply_address_that_thread_the_answer_back() {
    let app = crate::helpers::spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0957")).await;
    let outbox = app.outbox(Some(id)).await;
    let email = outbox
        .iter()
        .find(|m| m["channel"] == "email" && m["recipient_kind"] == "customer")
        .unwrap_or_else(|| panic!("no e-mail: {outbox:#?}"));
    let message_id = email["message_id"].as_str().unwrap_or_default();
    assert!(
        message_id.starts_with('<') && message_id.ends_with("@lakeside-motors.example.com>"),
        "{email:#}"
    );
    let reply_to = email["reply_to"].as_str().unwrap_or_default();
    assert!(
        reply_to.starts_with(&format!("sales+{id}-"))
            && reply_to.ends_with("@lakeside-motors.example.com"),
        "{email:#}"
    );
    let leads = lead_count(&app).await;

    // An answer naming the e-mail in In-Reply-To.
    let raw = reply_from(
        "dana3125550957@example.com",
        message_id,
        "<s1@mail.example.com>",
        "Is it still there?",
    );
    let outcome = email_webhook(&app, &raw).await;
    assert_eq!(outcome["reply"]["lead_id"], id, "{outcome}");
    // An answer to the reply address alone.
    let raw = format!(
        "From: Dana Reyes <dana3125550957@example.com>\r\n\
To: {reply_to}\r\n\
Subject: Re: your CR-V\r\n\
Message-ID: <s2@mail.example.com>\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Does it have heated seats?\r\n"
    );
    let outcome = email_webhook(&app, &raw).await;
    assert_eq!(outcome["reply"]["lead_id"], id, "{outcome}");
    let after = lead_count(&app).await;
    assert_eq!(after, leads, "no new lead");
}
