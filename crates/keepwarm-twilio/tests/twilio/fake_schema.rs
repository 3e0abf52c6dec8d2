//! The fake checks requests against Twilio's OpenAPI description, and answers in its shapes.

use crate::helpers::{spawn_app, text, DEALER, LEAD};
use keepwarm_twilio::fake::{FakeTwilio, FAKE_ACCOUNT_SID, FAKE_AUTH_TOKEN};
use keepwarm_twilio::TwilioError;

async fn post_raw(
    fake: &FakeTwilio,
    resource: &str,
    form: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    let url = format!(
        "{}/2010-04-01/Accounts/{FAKE_ACCOUNT_SID}/{resource}",
        fake.base_url()
    );
    let response = reqwest::Client::new()
        .post(url)
        .basic_auth(FAKE_ACCOUNT_SID, Some(FAKE_AUTH_TOKEN))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn a_message_without_to_is_refused_and_recorded_as_a_violation() {
    let fake = FakeTwilio::start().await.unwrap();
    let (status, body) =
        post_raw(&fake, "Messages.json", &[("From", DEALER), ("Body", "hi")]).await;
    assert_eq!(status, 400);
    assert!(
        body["message"].as_str().unwrap().contains("To is missing"),
        "{body}"
    );
    let violations = fake.violations();
    assert_eq!(violations.len(), 1);
    assert_eq!(violations[0].operation, "CreateMessage");
    assert!(fake.messages().is_empty());
}

#[tokio::test]
async fn a_status_callback_that_twilio_would_refuse_is_caught() {
    let app = spawn_app().await;
    let mut message = text(LEAD, "hi");
    message.status_callback = Some("https://dealer_site.example/status".parse().unwrap());
    let err = app.client.send_message(&message).await.unwrap_err();
    assert!(
        matches!(err, TwilioError::Rejected { status: 400, .. }),
        "{err:?}"
    );
    let violations = app.fake.violations();
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert!(
        violations[0].problems[0].starts_with("StatusCallback="),
        "{violations:?}"
    );
}

#[tokio::test]
async fn an_unknown_machine_detection_value_and_a_bad_number_are_caught() {
    let fake = FakeTwilio::start().await.unwrap();
    let (status, _) = post_raw(
        &fake,
        "Calls.json",
        &[
            ("To", "3125550142"),
            ("From", DEALER),
            ("Url", "https://keepwarm.example/twiml"),
            ("MachineDetection", "Detect"),
        ],
    )
    .await;
    assert_eq!(status, 400);
    let problems = &fake.violations()[0].problems;
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems
        .iter()
        .any(|p| p.starts_with("MachineDetection=") && p.contains("Enable")));
    assert!(problems.iter().any(|p| p.starts_with("To=")));
}

#[tokio::test]
async fn unknown_parameters_and_missing_instructions_are_caught() {
    let fake = FakeTwilio::start().await.unwrap();
    let (status, _) = post_raw(
        &fake,
        "Calls.json",
        &[
            ("To", LEAD),
            ("From", DEALER),
            ("Statuscallback", "https://keepwarm.example/s"),
        ],
    )
    .await;
    assert_eq!(status, 400);
    let problems = &fake.violations()[0].problems;
    assert!(
        problems
            .iter()
            .any(|p| p.contains("Statuscallback is not in the operation's schema")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("one of Url, Twiml or ApplicationSid")),
        "{problems:?}"
    );
}

#[tokio::test]
async fn a_message_answer_has_every_property_of_the_spec_response_schema() {
    let fake = FakeTwilio::start().await.unwrap();
    let (status, body) = post_raw(
        &fake,
        "Messages.json",
        &[("To", LEAD), ("From", DEALER), ("Body", "hi")],
    )
    .await;
    assert_eq!(status, 201);
    let mut expected = fake.response_properties("CreateMessage");
    let mut got: Vec<String> = body.as_object().unwrap().keys().cloned().collect();
    expected.sort();
    got.sort();
    assert_eq!(got, expected);
    let sid = body["sid"].as_str().unwrap();
    assert!(
        sid.len() == 34 && sid.starts_with("SM") && sid[2..].bytes().all(|b| b.is_ascii_hexdigit()),
        "{sid}"
    );
    assert_eq!(body["date_created"], "Thu, 01 Jan 2026 00:00:00 +0000");
    assert_eq!(body["status"], "queued");
    assert!(fake.violations().is_empty());
}

#[tokio::test]
async fn a_call_answer_has_every_property_of_the_spec_response_schema() {
    let fake = FakeTwilio::start().await.unwrap();
    let (status, body) = post_raw(
        &fake,
        "Calls.json",
        &[
            ("To", LEAD),
            ("From", DEALER),
            ("Twiml", "<Response><Hangup/></Response>"),
        ],
    )
    .await;
    assert_eq!(status, 201);
    let mut expected = fake.response_properties("CreateCall");
    let mut got: Vec<String> = body.as_object().unwrap().keys().cloned().collect();
    expected.sort();
    got.sort();
    assert_eq!(got, expected);
    assert!(fake.violations().is_empty());
}

#[tokio::test]
async fn a_request_without_credentials_is_refused_with_20003() {
    let fake = FakeTwilio::start().await.unwrap();
    let url = format!(
        "{}/2010-04-01/Accounts/{FAKE_ACCOUNT_SID}/Messages.json",
        fake.base_url()
    );
    let response = reqwest::Client::new().get(url).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 401);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], 20003);
    assert!(!fake.requests()[0].authorized);
}

#[tokio::test]
async fn latency_is_added_to_every_answer() {
    let app = spawn_app().await;
    app.fake.set_latency(std::time::Duration::from_millis(150));
    let started = std::time::Instant::now();
    app.client.send_message(&text(LEAD, "hi")).await.unwrap();
    assert!(started.elapsed() >= std::time::Duration::from_millis(150));
    app.assert_no_violations();
}
