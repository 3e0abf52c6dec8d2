//! The REST client against the fake: sends, calls, errors and their classification, retries,
//! and the list/fetch used for crash reconciliation.

use crate::helpers::{spawn_app, text, DEALER, LEAD};
use keepwarm_twilio::fake::{FakeTwilio, FAKE_ACCOUNT_SID};
use keepwarm_twilio::{
    AuthToken, CallInstructions, CreateCall, DeliveryStatus, ErrorClass, MachineDetection,
    MessageFilter, RetryPolicy, Sender, TwilioClient, TwilioError, TwimlResponse,
};
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_text_is_sent_as_a_form_post_with_basic_auth_and_comes_back_queued() {
    let app = spawn_app().await;
    let sent = app
        .client
        .send_message(&text(LEAD, "Hi Dana, it's Sam at Lakeside Honda & Co <3"))
        .await
        .unwrap();

    assert!(
        sent.sid.starts_with("SM") && sent.sid.len() == 34,
        "{}",
        sent.sid
    );
    assert_eq!(sent.status, DeliveryStatus::Queued);
    assert_eq!(sent.to.as_deref(), Some(LEAD));
    assert_eq!(sent.from.as_deref(), Some(DEALER));
    assert_eq!(
        sent.body.as_deref(),
        Some("Hi Dana, it's Sam at Lakeside Honda & Co <3")
    );
    assert!(sent.date_created.is_some());
    let requests = app.fake.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert!(request.authorized);
    assert_eq!(
        request.path,
        format!("/2010-04-01/Accounts/{FAKE_ACCOUNT_SID}/Messages.json")
    );
    assert_eq!(request.param("To"), Some(LEAD));
    assert_eq!(request.param("From"), Some(DEALER));
    assert_eq!(
        request.param("StatusCallback"),
        Some("https://keepwarm.example/webhooks/twilio/status")
    );
    assert_eq!(app.fake.messages().len(), 1);
    app.assert_no_violations();
}

#[tokio::test]
async fn a_messaging_service_sender_is_accepted_by_the_schema() {
    let app = spawn_app().await;
    let mut message = text(LEAD, "hello");
    message.from = Sender::MessagingService("MG0123456789abcdef0123456789abcdef".into());
    let sent = app.client.send_message(&message).await.unwrap();
    assert_eq!(
        sent.messaging_service_sid.as_deref(),
        Some("MG0123456789abcdef0123456789abcdef")
    );
    assert_eq!(app.fake.requests()[0].param("From"), None);
    app.assert_no_violations();
}

#[tokio::test]
async fn each_twilio_error_code_is_classified_for_the_engine() {
    let app = spawn_app().await;
    let cases = [
        ("+13125550001", 21610, ErrorClass::OptedOut),
        ("+13125550002", 21211, ErrorClass::RecipientUnusable),
        ("+13125550003", 21614, ErrorClass::RecipientUnusable),
        ("+13125550004", 21606, ErrorClass::Permanent),
        ("+13125550005", 20003, ErrorClass::Misconfigured),
    ];
    for (number, code, _) in &cases {
        app.fake.fail_to(number, *code);
    }
    for (number, code, class) in cases {
        let err = app
            .client
            .send_message(&text(number, "hi"))
            .await
            .unwrap_err();
        assert_eq!(err.class(), class, "{code}: {err}");
        assert_eq!(err.code(), Some(code), "{err}");
        assert!(!err.to_string().is_empty());
    }
    let err = app
        .client
        .send_message(&text("+13125550001", "hi"))
        .await
        .unwrap_err();
    match err {
        TwilioError::RecipientOptedOut { code, message } => {
            assert_eq!(code, 21610);
            assert_eq!(message, "Attempt to send to unsubscribed recipient");
        }
        other => panic!("expected RecipientOptedOut, got {other:?}"),
    }
    assert_eq!(
        app.fake.requests().len(),
        6,
        "4xx answers are never retried"
    );
    app.assert_no_violations();
}

#[tokio::test]
async fn a_wrong_auth_token_is_an_auth_error_and_never_retried() {
    let fake = FakeTwilio::start().await.unwrap();
    let mut config = fake.config();
    config.auth_token = AuthToken::new("wrong-token");
    let client = TwilioClient::new(config).unwrap();
    let err = client.send_message(&text(LEAD, "hi")).await.unwrap_err();
    assert!(
        matches!(
            err,
            TwilioError::Auth {
                status: 401,
                code: Some(20003),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.class(), ErrorClass::Misconfigured);
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn rate_limited_then_accepted_is_retried_with_backoff_and_sends_once() {
    let app = spawn_app().await;
    app.fake.fail_next(2, 429);
    let sent = app.client.send_message(&text(LEAD, "hi")).await.unwrap();
    assert_eq!(sent.status, DeliveryStatus::Queued);
    assert_eq!(app.fake.requests().len(), 3);
    assert_eq!(app.fake.messages().len(), 1);
    app.assert_no_violations();
}

#[tokio::test]
async fn a_503_is_retried_but_a_500_on_a_create_is_not_because_it_may_have_sent() {
    let app = spawn_app().await;
    app.fake.fail_next(1, 503);
    app.client.send_message(&text(LEAD, "first")).await.unwrap();
    assert_eq!(app.fake.requests().len(), 2);

    app.fake.fail_next(1, 500);
    let err = app
        .client
        .send_message(&text(LEAD, "second"))
        .await
        .unwrap_err();
    assert_eq!(
        app.fake.requests().len(),
        3,
        "a 500 on a POST is not retried"
    );
    assert_eq!(
        err.class(),
        ErrorClass::Retryable {
            retry_after: None,
            maybe_sent: true
        }
    );
    app.assert_no_violations();
}

#[tokio::test]
async fn reads_are_retried_after_a_500() {
    let app = spawn_app().await;
    let sent = app.client.send_message(&text(LEAD, "hi")).await.unwrap();
    app.fake.fail_next(2, 500);
    let fetched = app.client.fetch_message(&sent.sid).await.unwrap();
    assert_eq!(fetched.sid, sent.sid);
    assert_eq!(app.fake.requests().len(), 4);
    app.assert_no_violations();
}

#[tokio::test]
async fn persistent_rate_limiting_is_reported_as_retryable_after_the_last_attempt() {
    let app = spawn_app().await;
    app.fake.fail_next(5, 429);
    let err = app
        .client
        .send_message(&text(LEAD, "hi"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            TwilioError::RateLimited {
                attempts: 3,
                code: Some(20429),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.class(),
        ErrorClass::Retryable {
            retry_after: None,
            maybe_sent: false
        }
    );
    assert!(err.is_retryable());
    assert_eq!(app.fake.requests().len(), 3);
    assert!(app.fake.messages().is_empty());
}

#[tokio::test]
async fn retry_after_is_honoured_before_the_next_attempt() {
    let app = spawn_app().await;
    app.fake
        .fail_next_with_retry_after(1, 429, Duration::from_secs(1));
    let started = Instant::now();
    app.client.send_message(&text(LEAD, "hi")).await.unwrap();
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(1), "waited only {waited:?}");
    assert!(waited < Duration::from_secs(3), "waited {waited:?}");
    app.assert_no_violations();
}

#[tokio::test]
async fn a_retry_after_longer_than_the_policy_allows_is_handed_to_the_caller() {
    let app = spawn_app().await;
    app.fake
        .fail_next_with_retry_after(1, 429, Duration::from_secs(30));
    let err = app
        .client
        .send_message(&text(LEAD, "hi"))
        .await
        .unwrap_err();
    assert_eq!(
        err.class(),
        ErrorClass::Retryable {
            retry_after: Some(Duration::from_secs(30)),
            maybe_sent: false
        }
    );
    assert_eq!(app.fake.requests().len(), 1);
}

#[tokio::test]
async fn a_refused_connection_is_retried_then_reported_as_not_sent() {
    // Bind then drop a listener: nothing listens on that port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let fake = FakeTwilio::start().await.unwrap();
    let mut config = fake.config();
    config.base_url = format!("http://127.0.0.1:{port}");
    config.retry = RetryPolicy {
        max_attempts: 2,
        ..config.retry
    };
    let client = TwilioClient::new(config).unwrap();
    let err = client.send_message(&text(LEAD, "hi")).await.unwrap_err();
    match &err {
        TwilioError::Unavailable {
            status: None,
            attempts: 2,
            maybe_sent: false,
            ..
        } => {}
        other => panic!("expected a not-sent Unavailable after 2 attempts, got {other:?}"),
    }
}

#[tokio::test]
async fn credentials_never_appear_in_debug_output() {
    let fake = FakeTwilio::start().await.unwrap();
    let config = fake.config();
    let client = TwilioClient::new(config.clone()).unwrap();
    let token = config.auth_token.expose().to_owned();
    for printed in [
        format!("{config:?}"),
        format!("{client:?}"),
        format!("{}", config.auth_token),
    ] {
        assert!(!printed.contains(&token), "token leaked in {printed}");
        assert!(printed.contains("redacted"), "{printed}");
    }
}

#[tokio::test]
async fn a_call_with_answering_machine_detection_is_placed_with_valid_parameters() {
    let app = spawn_app().await;
    let call = CreateCall {
        to: LEAD.into(),
        from: DEALER.into(),
        instructions: CallInstructions::Twiml(TwimlResponse::new().dial("+13125550177").render()),
        status_callback: Some(
            "https://keepwarm.example/webhooks/twilio/voice/status"
                .parse()
                .unwrap(),
        ),
        machine_detection: Some(MachineDetection::DetectMessageEnd),
        async_amd_callback: Some(
            "https://keepwarm.example/webhooks/twilio/voice/amd"
                .parse()
                .unwrap(),
        ),
        timeout_seconds: Some(20),
        status_events: Vec::new(),
    };
    let created = app.client.create_call(&call).await.unwrap();
    assert!(created.sid.starts_with("CA") && created.sid.len() == 34);
    assert_eq!(created.status, keepwarm_twilio::CallStatus::Queued);
    let request = &app.fake.requests()[0];
    assert_eq!(request.param("MachineDetection"), Some("DetectMessageEnd"));
    assert_eq!(request.param("AsyncAmd"), Some("true"));
    assert_eq!(request.param("Timeout"), Some("20"));
    assert_eq!(app.fake.calls().len(), 1);
    app.assert_no_violations();

    let by_url = CreateCall {
        instructions: CallInstructions::Url(
            "https://keepwarm.example/twiml/connect".parse().unwrap(),
        ),
        machine_detection: None,
        async_amd_callback: None,
        ..call
    };
    app.client.create_call(&by_url).await.unwrap();
    app.assert_no_violations();
}

#[tokio::test]
async fn a_call_asking_for_every_progress_event_names_each_one_and_passes_the_description() {
    let app = spawn_app().await;
    let call = CreateCall {
        to: "+13125550177".into(),
        from: DEALER.into(),
        instructions: CallInstructions::Twiml(
            TwimlResponse::new()
                .dial_with_caller_id(LEAD, DEALER)
                .render(),
        ),
        status_callback: Some(
            "https://keepwarm.example/webhooks/twilio/calls/status?lead=1"
                .parse()
                .unwrap(),
        ),
        status_events: ["initiated", "ringing", "answered", "completed"]
            .map(String::from)
            .to_vec(),
        machine_detection: None,
        async_amd_callback: None,
        timeout_seconds: Some(20),
    };
    app.client.create_call(&call).await.unwrap();
    let request = &app.fake.requests()[0];
    assert_eq!(
        request.params("StatusCallbackEvent"),
        ["initiated", "ringing", "answered", "completed"]
    );
    app.assert_no_violations();
}

#[tokio::test]
async fn reconciliation_finds_the_text_sent_before_a_crash_and_nothing_older() {
    let app = spawn_app().await;
    let before_claim: jiff::Timestamp = "2026-03-02T15:00:00Z".parse().unwrap();
    let claim: jiff::Timestamp = "2026-03-02T15:30:00Z".parse().unwrap();
    app.fake.set_now(before_claim);
    app.client
        .send_message(&text(LEAD, "Still interested in the CR-V?"))
        .await
        .unwrap();
    app.fake.set_now(claim);
    let sent = app
        .client
        .send_message(&text(LEAD, "Still interested in the CR-V?"))
        .await
        .unwrap();
    app.client
        .send_message(&text("+13125550143", "Still interested in the CR-V?"))
        .await
        .unwrap();

    let from = Sender::Number(DEALER.into());
    let found = app
        .client
        .find_sent_message(LEAD, &from, "Still interested in the CR-V?", claim)
        .await
        .unwrap();
    assert_eq!(found.map(|m| m.sid), Some(sent.sid.clone()));

    let later: jiff::Timestamp = "2026-03-02T16:00:00Z".parse().unwrap();
    let none = app
        .client
        .find_sent_message(LEAD, &from, "Still interested in the CR-V?", later)
        .await
        .unwrap();
    assert!(none.is_none());
    let other_body = app
        .client
        .find_sent_message(LEAD, &from, "different text", before_claim)
        .await
        .unwrap();
    assert!(other_body.is_none());
    app.assert_no_violations();
}

#[tokio::test]
async fn listing_follows_next_page_uri_across_pages() {
    let app = spawn_app().await;
    for i in 0..120 {
        app.client
            .send_message(&text(LEAD, &format!("message {i}")))
            .await
            .unwrap();
    }
    let filter = MessageFilter {
        to: Some(LEAD.into()),
        from: Some(DEALER.into()),
        date_sent_on_or_after: Some(jiff::civil::date(2025, 12, 31)),
        limit: None,
    };
    let all = app.client.list_messages(&filter).await.unwrap();
    assert_eq!(all.len(), 120);
    assert_eq!(all[0].body.as_deref(), Some("message 119"), "newest first");
    let list_requests = app
        .fake
        .requests()
        .iter()
        .filter(|r| r.method == "GET")
        .count();
    assert_eq!(list_requests, 3, "50 + 50 + 20");
    let limited = app
        .client
        .list_messages(&MessageFilter {
            limit: Some(10),
            ..filter
        })
        .await
        .unwrap();
    assert_eq!(limited.len(), 10);
    app.assert_no_violations();
}

#[tokio::test]
async fn fetching_reports_the_status_the_fake_was_moved_to_and_an_unknown_sid_is_rejected() {
    let app = spawn_app().await;
    let sent = app.client.send_message(&text(LEAD, "hi")).await.unwrap();
    assert!(app
        .fake
        .set_message_status(&sent.sid, DeliveryStatus::Delivered));
    let fetched = app.client.fetch_message(&sent.sid).await.unwrap();
    assert_eq!(fetched.status, DeliveryStatus::Delivered);

    let err = app
        .client
        .fetch_message("SM00000000000000000000000000000000")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            TwilioError::Rejected {
                status: 404,
                code: Some(20404),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.class(), ErrorClass::Permanent);
    app.assert_no_violations();
}

#[tokio::test]
async fn a_send_that_times_out_is_not_retried_and_reconciliation_finds_what_it_created() {
    let fake = FakeTwilio::start().await.unwrap();
    let mut config = fake.config();
    config.timeout = Duration::from_millis(100);
    let client = TwilioClient::new(config).unwrap();
    let claim: jiff::Timestamp = "2026-03-02T15:30:00Z".parse().unwrap();
    fake.set_now(claim);
    fake.set_latency(Duration::from_millis(400));

    let err = client
        .send_message(&text(LEAD, "See you Saturday"))
        .await
        .unwrap_err();
    assert_eq!(
        err.class(),
        ErrorClass::Retryable {
            retry_after: None,
            maybe_sent: true
        },
        "{err:?}"
    );
    assert_eq!(
        fake.requests().len(),
        1,
        "a send that may have gone out is not retried"
    );
    assert_eq!(
        fake.messages().len(),
        1,
        "Twilio created it even though the answer was lost"
    );

    fake.set_latency(Duration::ZERO);
    let found = client
        .find_sent_message(
            LEAD,
            &Sender::Number(DEALER.into()),
            "See you Saturday",
            claim,
        )
        .await
        .unwrap();
    assert_eq!(found.map(|m| m.sid), Some(fake.messages()[0].sid.clone()));
    assert!(fake.violations().is_empty());
}

#[tokio::test]
async fn the_configured_send_rate_paces_texts_from_one_number() {
    let fake = FakeTwilio::start().await.unwrap();
    let mut config = fake.config();
    config.send_rate = Some(keepwarm_twilio::RateLimit::one_every(
        Duration::from_millis(100),
        1,
    ));
    let client = TwilioClient::new(config).unwrap();
    let started = Instant::now();
    for i in 0..3 {
        client
            .send_message(&text(LEAD, &format!("text {i}")))
            .await
            .unwrap();
    }
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(fake.messages().len(), 3);
}
