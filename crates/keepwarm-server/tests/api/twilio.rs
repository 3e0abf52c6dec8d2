//! Twilio's inbound SMS webhook: signed requests only, replays recorded once, empty TwiML back.

use serde_json::Value;

use crate::helpers::{spawn_app, TestApp, PUBLIC_URL, TUESDAY_9AM_CHICAGO, TWILIO_TOKEN};

fn form(params: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish()
}

pub(crate) async fn post_signed(
    app: &TestApp,
    params: &[(&str, &str)],
    signature: Option<String>,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}/webhooks/twilio/sms", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(params));
    if let Some(s) = signature {
        request = request.header("X-Twilio-Signature", s);
    }
    request.send().await.unwrap()
}

pub(crate) fn sign(params: &[(&str, &str)]) -> String {
    let owned: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    keepwarm_twilio::compute_signature(
        TWILIO_TOKEN,
        &format!("{PUBLIC_URL}/webhooks/twilio/sms"),
        &owned,
    )
}

const TEXT: &[(&str, &str)] = &[
    ("MessageSid", "SM0123456789abcdef0123456789abcdef"),
    ("AccountSid", "AC0123456789abcdef0123456789abcdef"),
    ("From", "+13125550601"),
    ("To", "+13125550100"),
    ("Body", "Do you still have the white Tacoma?"),
    ("NumMedia", "0"),
];

#[tokio::test]
async fn unsigned_or_badly_signed_requests_are_refused_and_change_nothing() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    assert_eq!(post_signed(&app, TEXT, None).await.status(), 403);
    assert_eq!(
        post_signed(&app, TEXT, Some("bm9wZQ==".into()))
            .await
            .status(),
        403
    );
    let mut tampered = TEXT.to_vec();
    tampered[4] = ("Body", "STOP");
    assert_eq!(
        post_signed(&app, &tampered, Some(sign(TEXT)))
            .await
            .status(),
        403
    );
    let leads: Vec<Value> = app.get("/api/v1/leads").await.json().await.unwrap();
    assert!(leads.is_empty());
}

#[tokio::test]
async fn a_signed_text_from_an_unknown_number_becomes_a_lead_once() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let response = post_signed(&app, TEXT, Some(sign(TEXT))).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/xml"));
    assert_eq!(
        response.text().await.unwrap(),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>"
    );
    // Twilio retries the same message: nothing changes.
    assert_eq!(
        post_signed(&app, TEXT, Some(sign(TEXT))).await.status(),
        200
    );
    let leads: Vec<Value> = app.get("/api/v1/leads").await.json().await.unwrap();
    assert_eq!(leads.len(), 1);
    let id = leads[0]["id"].as_i64().unwrap();
    assert_eq!(leads[0]["source"]["kind"], "sms");
    let inbound = app
        .timeline(id)
        .await
        .iter()
        .filter(|e| e["kind"] == "inbound_message")
        .count();
    assert_eq!(inbound, 1, "{}", app.story(id).await);
}

#[tokio::test]
async fn a_signed_stop_opts_the_customer_out_everywhere() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app
        .create_lead(&crate::helpers::inquiry("(312) 555-0602"))
        .await;
    let stop = [
        ("MessageSid", "SM99"),
        ("From", "+13125550602"),
        ("To", "+13125550100"),
        ("Body", "Stop texting me please"),
    ];
    assert_eq!(
        post_signed(&app, &stop, Some(sign(&stop))).await.status(),
        200
    );
    let lead = app.lead(id).await;
    assert_eq!(lead["opted_out"], true, "{}", app.story(id).await);
    let confirmations = app
        .outbox(Some(id))
        .await
        .into_iter()
        .filter(|m| m["touch_id"].is_null())
        .count();
    assert_eq!(confirmations, 1);
}

/// A picture-only MMS was refused with 422 and the customer's message lost (issue 16, defect 6).
#[tokio::test]
async fn a_picture_only_mms_is_recorded_on_the_lead_with_its_media_link() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app
        .create_lead(&crate::helpers::inquiry("(312) 555-0603"))
        .await;
    let picture = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM7/Media/ME7";
    let mms = [
        ("MessageSid", "MM7"),
        ("From", "+13125550603"),
        ("To", "+13125550100"),
        ("Body", ""),
        ("NumMedia", "1"),
        ("MediaUrl0", picture),
        ("MediaContentType0", "image/jpeg"),
    ];
    assert_eq!(
        post_signed(&app, &mms, Some(sign(&mms))).await.status(),
        200
    );
    let story = app.story(id).await;
    let timeline = app.timeline(id).await;
    let message = timeline
        .iter()
        .find(|e| e["kind"] == "inbound_message")
        .unwrap_or_else(|| panic!("no inbound message\n{story}"));
    // The link is structured data on the message, not text fed to the reply classifier.
    assert_eq!(
        message["data"]["media"],
        serde_json::json!([{"url": picture, "content_type": "image/jpeg"}]),
        "{story}"
    );
    assert_eq!(message["data"]["body"], "", "{story}");
    assert!(message["data"]["classification"].is_null(), "{story}");
    // Handed to the owner, with the link.
    let task = app
        .tasks(Some("sam"))
        .await
        .into_iter()
        .find(|t| t["lead_id"] == id && t["kind"] == "reply")
        .unwrap_or_else(|| panic!("no reply task\n{story}"));
    assert!(task["body"].as_str().unwrap().contains(picture), "{task}");
    assert_eq!(app.lead(id).await["status"], "paused");
}
