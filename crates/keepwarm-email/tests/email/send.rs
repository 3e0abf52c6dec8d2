//! Sending through `SmtpMailer` to a real SMTP server process (aiosmtpd), reading the message
//! back, and the classification of refusals and connection failures.

use std::time::Duration;

use mail_parser::MimeHeaders;

use keepwarm_email::{
    compose, Secret, SmtpConfig, SmtpCredentials, SmtpMailer, SmtpSecurity, SmtpSendError,
    TestSmtpServer,
};

use crate::helpers::{
    claim, invite_email, outline, parse, sent_at, signer, start_server, touch_email, unfold, INVITE,
};

#[tokio::test]
async fn a_touch_sent_over_smtp_arrives_whole() {
    let server = start_server(TestSmtpServer::builder());
    let mailer = SmtpMailer::new(server.smtp_config()).unwrap();
    let message = compose(&touch_email("dana.lee@example.com")).unwrap();

    let receipt = mailer.send(&message).await.unwrap();

    assert_eq!(receipt.code, 250);
    assert!(receipt.message.contains("queued as"), "{receipt:?}");
    assert_eq!(
        receipt.message_id.as_deref(),
        Some("<touch-123.keepwarm@sunrise-motors.example>")
    );
    let received = server.messages().unwrap();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].mail_from, "sales@sunrise-motors.example");
    assert_eq!(received[0].rcpt_tos, ["dana.lee@example.com"]);

    let parsed = parse(&received[0].data);
    assert_eq!(
        outline(&parsed),
        ["multipart/alternative", "  text/plain", "  text/html"]
    );
    assert_eq!(
        parsed.message_id(),
        Some("touch-123.keepwarm@sunrise-motors.example")
    );
    assert_eq!(
        parsed.header_raw("List-Unsubscribe-Post").unwrap().trim(),
        "List-Unsubscribe=One-Click"
    );
    let list_unsubscribe = unfold(parsed.header_raw("List-Unsubscribe").unwrap());
    let url = list_unsubscribe
        .trim()
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap();
    let token = url
        .strip_prefix("https://keepwarm.sunrise-motors.example/u/")
        .unwrap();
    assert_eq!(signer().verify(token, sent_at()), Ok(claim()));
    for part in [parsed.body_text(0).unwrap(), parsed.body_html(0).unwrap()] {
        assert!(part.contains("1200 Route 9 North"), "{part}");
        assert!(part.contains(url), "{part}");
    }
}

#[tokio::test]
async fn a_calendar_invite_arrives_intact() {
    let server = start_server(TestSmtpServer::builder());
    let mailer = SmtpMailer::new(server.smtp_config()).unwrap();
    mailer
        .send(&compose(&invite_email("dana.lee@example.com")).unwrap())
        .await
        .unwrap();

    let received = server.messages().unwrap();
    let parsed = parse(&received[0].data);
    assert_eq!(
        outline(&parsed),
        [
            "multipart/mixed",
            "  multipart/alternative",
            "    text/plain",
            "    text/html",
            "    text/calendar; method=REQUEST",
            "  text/calendar; method=REQUEST attachment invite.ics",
        ]
    );
    let attachment = parsed.attachments().last().unwrap();
    assert_eq!(attachment.attachment_name(), Some("invite.ics"));
    assert_eq!(attachment.contents(), INVITE.as_bytes());
}

#[tokio::test]
async fn one_mailer_sends_several_messages_in_a_row() {
    let server = start_server(TestSmtpServer::builder());
    let mailer = SmtpMailer::new(server.smtp_config()).unwrap();
    for to in ["a@example.com", "b@example.com", "c@example.com"] {
        mailer
            .send(&compose(&touch_email(to)).unwrap())
            .await
            .unwrap();
    }
    let recipients: Vec<Vec<String>> = server
        .messages()
        .unwrap()
        .into_iter()
        .map(|m| m.rcpt_tos)
        .collect();
    assert_eq!(
        recipients,
        [["a@example.com"], ["b@example.com"], ["c@example.com"]]
    );
}

#[tokio::test]
async fn a_recipient_refused_with_550_is_a_permanent_failure() {
    let server = start_server(TestSmtpServer::builder().reject_recipient(
        "gone@example.com",
        550,
        "5.1.1 <gone@example.com>: Recipient address rejected: User unknown",
    ));
    let mailer = SmtpMailer::new(server.smtp_config()).unwrap();

    let error = mailer
        .send(&compose(&touch_email("gone@example.com")).unwrap())
        .await
        .unwrap_err();

    assert_eq!(
        error,
        SmtpSendError::Permanent {
            code: 550,
            message: "5.1.1 <gone@example.com>: Recipient address rejected: User unknown"
                .to_owned(),
        }
    );
    assert!(!error.is_transient());
    assert!(server.messages().unwrap().is_empty());
}

#[tokio::test]
async fn a_recipient_refused_with_450_is_a_transient_failure() {
    let server = start_server(TestSmtpServer::builder().reject_recipient(
        "busy@example.com",
        450,
        "4.2.1 <busy@example.com>: Mailbox busy, try again later",
    ));
    let mailer = SmtpMailer::new(server.smtp_config()).unwrap();

    let error = mailer
        .send(&compose(&touch_email("busy@example.com")).unwrap())
        .await
        .unwrap_err();

    assert_eq!(
        error,
        SmtpSendError::Transient {
            code: Some(450),
            message: "4.2.1 <busy@example.com>: Mailbox busy, try again later".to_owned(),
        }
    );
    assert!(error.is_transient());
    // The same mailer still delivers to others afterwards.
    mailer
        .send(&compose(&touch_email("dana.lee@example.com")).unwrap())
        .await
        .unwrap();
    assert_eq!(server.messages().unwrap().len(), 1);
}

#[tokio::test]
async fn a_closed_port_is_a_transient_failure() {
    // Bind and drop a listener: nothing listens on that port any more.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut config = SmtpConfig::new("127.0.0.1", port, SmtpSecurity::None);
    config.timeout = Duration::from_secs(5);
    let mailer = SmtpMailer::new(config).unwrap();

    let error = mailer
        .send(&compose(&touch_email("dana.lee@example.com")).unwrap())
        .await
        .unwrap_err();

    match &error {
        SmtpSendError::Transient {
            code: None,
            message,
        } => {
            assert!(message.to_lowercase().contains("refused"), "{message}");
        }
        other => panic!("expected a transient connection failure, got {other:?}"),
    }
}

#[tokio::test]
async fn starttls_against_a_server_without_it_is_not_silently_downgraded() {
    let server = start_server(TestSmtpServer::builder());
    let mut config = server.smtp_config();
    config.security = SmtpSecurity::StartTls;
    let mailer = SmtpMailer::new(config).unwrap();

    let error = mailer
        .send(&compose(&touch_email("dana.lee@example.com")).unwrap())
        .await
        .unwrap_err();

    match &error {
        SmtpSendError::Config {
            code: None,
            message,
        } => {
            assert!(message.contains("STARTTLS"), "{message}");
        }
        other => panic!("expected a configuration error, got {other:?}"),
    }
    assert!(server.messages().unwrap().is_empty());
}

#[tokio::test]
async fn a_failed_tls_handshake_is_a_transient_failure() {
    let server = start_server(TestSmtpServer::builder());
    let mut config = server.smtp_config();
    config.security = SmtpSecurity::Tls;
    let mailer = SmtpMailer::new(config).unwrap();

    let error = mailer
        .send(&compose(&touch_email("dana.lee@example.com")).unwrap())
        .await
        .unwrap_err();

    assert!(
        matches!(error, SmtpSendError::Transient { code: None, .. }),
        "{error:?}"
    );
    assert!(server.messages().unwrap().is_empty());
}

#[tokio::test]
async fn a_mailer_with_the_right_login_delivers() {
    let server = start_server(TestSmtpServer::builder().require_login("dealer", "s3cret-s3cret"));
    let mut config = server.smtp_config();
    config.credentials = Some(SmtpCredentials {
        username: "dealer".to_owned(),
        password: Secret::new("s3cret-s3cret"),
    });
    let mailer = SmtpMailer::new(config).unwrap();

    mailer
        .send(&compose(&touch_email("dana.lee@example.com")).unwrap())
        .await
        .unwrap();

    assert_eq!(server.messages().unwrap().len(), 1);
}

#[tokio::test]
async fn a_refused_login_is_a_config_failure_with_the_server_code() {
    let server = start_server(TestSmtpServer::builder().require_login("dealer", "s3cret-s3cret"));
    let mut config = server.smtp_config();
    config.credentials = Some(SmtpCredentials {
        username: "dealer".to_owned(),
        password: Secret::new("wrong-password"),
    });
    let mailer = SmtpMailer::new(config).unwrap();

    let error = mailer
        .send(&compose(&touch_email("dana.lee@example.com")).unwrap())
        .await
        .unwrap_err();

    match &error {
        SmtpSendError::Config {
            code: Some(535),
            message,
        } => assert!(
            message.contains("Authentication credentials invalid"),
            "{message}"
        ),
        other => panic!("expected a 535 configuration error, got {other:?}"),
    }
    assert!(!error.is_transient());
}

#[tokio::test]
async fn a_missing_login_is_a_config_failure() {
    let server = start_server(TestSmtpServer::builder().require_login("dealer", "s3cret-s3cret"));
    let mailer = SmtpMailer::new(server.smtp_config()).unwrap();

    let error = mailer
        .send(&compose(&touch_email("dana.lee@example.com")).unwrap())
        .await
        .unwrap_err();

    assert!(
        matches!(
            error,
            SmtpSendError::Config {
                code: Some(530),
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_server_that_stops_answering_is_a_transient_failure_within_the_timeout() {
    let server = start_server(TestSmtpServer::builder().stall_recipient("slow@example.com"));
    let mut config = server.smtp_config();
    config.timeout = Duration::from_secs(1);
    let mailer = SmtpMailer::new(config).unwrap();

    let started = std::time::Instant::now();
    let error = mailer
        .send(&compose(&touch_email("slow@example.com")).unwrap())
        .await
        .unwrap_err();

    assert!(
        matches!(&error, SmtpSendError::Transient { code: None, message } if message.contains("within")),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}
