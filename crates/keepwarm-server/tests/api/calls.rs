//! Calls through the store's number against the fake Twilio (checked against Twilio's OpenAPI
//! description): a person's click-to-call rings them first and dials the customer with the store's
//! number, and calls to the store ring the owner, then the team, then voicemail; a call nobody
//! answered gets one text back and a call-back task, however often Twilio retries.

use keepwarm_twilio::fake::RecordedRequest;
use serde_json::{json, Value};

use crate::helpers::{inquiry, TestApp, PUBLIC_URL, TUESDAY_9AM_CHICAGO};
use crate::live::{spawn_live_app, LiveApp, DEALER_NUMBER};
use crate::staff::{post_as, token_for};
use keepwarm_email::TestSmtpServer;

async fn live() -> LiveApp {
    spawn_live_app(TUESDAY_9AM_CHICAGO, TestSmtpServer::builder()).await
}

/// The staff phones of the starter configuration.
fn phone_of(staff: &str) -> &'static str {
    match staff {
        "sam" => "+13125550111",
        "alex" => "+13125550112",
        "jordan" => "+13125550113",
        other => panic!("no phone for {other}"),
    }
}

fn creates(live: &LiveApp, operation: &str) -> Vec<RecordedRequest> {
    live.twilio
        .requests()
        .into_iter()
        .filter(|r| r.operation.as_deref() == Some(operation))
        .collect()
}

async fn owner_of(app: &TestApp, id: i64) -> String {
    app.lead(id).await["owner"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn conversation(app: &TestApp, id: i64) -> Vec<Value> {
    let body: Value = app
        .get(&format!("/api/v1/leads/{id}/conversation"))
        .await
        .json()
        .await
        .unwrap();
    body["entries"]
        .as_array()
        .or_else(|| body.as_array())
        .cloned()
        .unwrap_or_else(|| panic!("no entries in {body}"))
}

fn count(timeline: &[Value], kind: &str) -> usize {
    timeline.iter().filter(|e| e["kind"] == kind).count()
}

/// The path and query of a URL keepwarm gave Twilio.
fn path_of(url: &str) -> String {
    url.trim_start_matches(PUBLIC_URL).replace("&amp;", "&")
}

#[tokio::test]
async fn click_to_call_rings_the_staff_phone_then_dials_the_customer_from_the_store_number() {
    let live = live().await;
    let app = &live.app;
    let id = app.create_lead(&inquiry("(312) 555-0951")).await;
    let owner = owner_of(app, id).await;
    let token = token_for(app, &owner).await;
    let before = creates(&live, "CreateCall").len();

    let response = post_as(
        app,
        &token,
        &format!("/api/v1/leads/{id}/calls"),
        &json!({}),
    )
    .await;
    assert_eq!(response.status(), 202, "{}", app.story(id).await);
    let placed: Value = response.json().await.unwrap();
    assert_eq!(placed["by"], owner.as_str());

    let calls = creates(&live, "CreateCall");
    assert_eq!(calls.len(), before + 1);
    let call = calls.last().unwrap();
    // The staff leg: the person's phone, from the store's number.
    assert_eq!(call.param("To"), Some(phone_of(&owner)));
    assert_eq!(call.param("From"), Some(DEALER_NUMBER));
    // The customer leg: dialled with the store's number as caller ID once the person answers.
    let twiml = call.param("Twiml").unwrap();
    assert!(
        twiml.contains(&format!("callerId=\"{DEALER_NUMBER}\""))
            && twiml.contains("<Number>+13125550951</Number>"),
        "{twiml}"
    );
    let status = call.param("StatusCallback").unwrap();
    assert!(
        status.starts_with(&format!(
            "{PUBLIC_URL}/webhooks/twilio/calls/status?lead={id}&by={owner}"
        )),
        "{status}"
    );
    assert_eq!(
        call.params("StatusCallbackEvent"),
        ["initiated", "ringing", "answered", "completed"]
    );
    assert!(
        live.twilio.violations().is_empty(),
        "{:?}",
        live.twilio.violations()
    );

    // Progress lands once per status, however often Twilio posts it.
    let sid = placed["call_sid"].as_str().unwrap().to_owned();
    for s in ["ringing", "in-progress", "in-progress"] {
        let r = live
            .twilio_webhook(&path_of(status), &[("CallSid", &sid), ("CallStatus", s)])
            .await;
        assert_eq!(r.status(), 200);
    }
    let dial = twiml
        .split("action=\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .unwrap();
    for _ in 0..2 {
        let r = live
            .twilio_webhook(
                &path_of(dial),
                &[
                    ("CallSid", &sid),
                    ("DialCallStatus", "completed"),
                    ("DialCallDuration", "185"),
                ],
            )
            .await;
        assert_eq!(r.status(), 200);
    }
    let timeline = app.timeline(id).await;
    let story = app.story(id).await;
    assert_eq!(count(&timeline, "call_requested"), 1, "{story}");
    // queued (placed), ringing, in-progress, and the customer leg's end.
    assert_eq!(count(&timeline, "call_progress"), 4, "{story}");
    let thread = conversation(app, id).await;
    let ended = thread
        .iter()
        .find(|e| e["channel"] == "call" && e["body"].as_str().unwrap().contains("connected"))
        .unwrap_or_else(|| panic!("no connected call in {thread:?}"));
    assert!(ended["body"].as_str().unwrap().contains("3m05s"), "{ended}");
    assert_eq!(ended["who"]["id"], owner.as_str());
    assert_eq!(app.lead(id).await["stage"], "contacted");
}

#[tokio::test]
async fn a_click_to_call_to_an_opted_out_customer_is_refused_naming_the_revocation() {
    let live = live().await;
    let app = &live.app;
    let id = app.create_lead(&inquiry("(312) 555-0952")).await;
    let owner = owner_of(app, id).await;
    let token = token_for(app, &owner).await;
    let stop = live
        .twilio_webhook(
            "/webhooks/twilio/sms",
            &[
                ("MessageSid", "SM00000000000000000000000000000952"),
                ("From", "+13125550952"),
                ("To", DEALER_NUMBER),
                ("Body", "STOP"),
            ],
        )
        .await;
    assert_eq!(stop.status(), 200);
    let before = creates(&live, "CreateCall").len();

    let response = post_as(
        app,
        &token,
        &format!("/api/v1/leads/{id}/calls"),
        &json!({}),
    )
    .await;
    assert_eq!(response.status(), 409);
    let body: Value = response.json().await.unwrap();
    let error = body["error"].as_str().unwrap();
    assert!(error.contains("STOP"), "{error}");
    assert_eq!(creates(&live, "CreateCall").len(), before, "no call placed");
}

/// A call from `from` to the store's number, as Twilio posts it.
async fn ring_store(live: &LiveApp, sid: &str, from: &str) -> reqwest::Response {
    live.twilio_webhook(
        "/webhooks/twilio/voice",
        &[
            ("CallSid", sid),
            ("From", from),
            ("To", DEALER_NUMBER),
            ("CallStatus", "ringing"),
            ("Direction", "inbound"),
        ],
    )
    .await
}

/// The `<Dial>` action URL in a TwiML answer, as a path.
fn dial_action(twiml: &str) -> String {
    let action = twiml
        .split("<Dial action=\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .unwrap_or_else(|| panic!("no <Dial action> in {twiml}"));
    path_of(action)
}

fn lead_in(action: &str) -> i64 {
    action
        .split("lead=")
        .nth(1)
        .and_then(|t| t.split('&').next())
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("no lead in {action}"))
}

#[tokio::test]
async fn an_unknown_caller_becomes_a_phone_lead_and_rings_the_owner_first() {
    let live = live().await;
    let app = &live.app;
    let sid = "CA00000000000000000000000000000961";
    let response = ring_store(&live, sid, "+13125550961").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/xml"));
    let twiml = response.text().await.unwrap();
    let action = dial_action(&twiml);
    let id = lead_in(&action);
    let owner = owner_of(app, id).await;
    assert_eq!(
        twiml,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Dial action=\"{PUBLIC_URL}/webhooks/twilio/voice/dial?lead={id}&amp;round=0\" \
             method=\"POST\" timeout=\"20\"><Number>{}</Number></Dial></Response>",
            phone_of(&owner)
        )
    );
    let timeline = app.timeline(id).await;
    let received = timeline.iter().find(|e| e["kind"] == "received").unwrap();
    assert_eq!(received["data"]["source"]["kind"], "phone", "{received}");
    assert_eq!(count(&timeline, "inbound_call"), 1);
    // The caller is on the line: the cadence's day-0 text and e-mail are skipped, not sent.
    let story = app.story(id).await;
    assert_eq!(count(&timeline, "touch_skipped"), 2, "{story}");
    assert_eq!(count(&timeline, "touch_sent"), 0, "{story}");
    assert!(creates(&live, "CreateMessage").is_empty(), "{story}");

    // Twilio retries the webhook: the same lead, nothing recorded twice.
    let again = ring_store(&live, sid, "+13125550961")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(lead_in(&dial_action(&again)), id);
    assert_eq!(count(&app.timeline(id).await, "inbound_call"), 1);
}

#[tokio::test]
async fn an_unanswered_call_gets_exactly_one_text_back_and_a_call_back_task_despite_retries() {
    let live = live().await;
    let app = &live.app;
    let caller = "+13125550962";
    let sid = "CA00000000000000000000000000000962";
    let first = ring_store(&live, sid, caller).await.text().await.unwrap();
    let owner_round = dial_action(&first);
    let id = lead_in(&owner_round);
    let owner = owner_of(app, id).await;
    let no_answer = [
        ("CallSid", sid),
        ("From", caller),
        ("To", DEALER_NUMBER),
        ("CallStatus", "in-progress"),
        ("DialCallStatus", "no-answer"),
        ("DialCallDuration", "0"),
    ];

    // The owner did not pick up: the team's other on-shift member rings next.
    let team = live
        .twilio_webhook(&owner_round, &no_answer)
        .await
        .text()
        .await
        .unwrap();
    let team_round = dial_action(&team);
    assert!(team_round.ends_with("round=1"), "{team}");
    assert!(!team.contains(phone_of(&owner)), "{team}");
    assert!(team.contains("<Number>+1312555011"), "{team}");

    // Nobody did: voicemail, and the missed call's work — however often Twilio retries.
    for _ in 0..3 {
        let voicemail = live
            .twilio_webhook(&team_round, &no_answer)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            voicemail.contains("<Say") && voicemail.contains("<Record action=\""),
            "{voicemail}"
        );
    }
    ring_store(&live, sid, caller).await;

    // The caller gets one text, the text-back: the new lead's cadence does not also send its
    // day-0 text to someone who just called (the call is the first response). Being the first
    // text to the number, it carries the opt-out words.
    let texts: Vec<_> = creates(&live, "CreateMessage")
        .into_iter()
        .filter(|r| r.param("To") == Some(caller))
        .collect();
    let story = app.story(id).await;
    assert_eq!(texts.len(), 1, "{story}");
    assert_eq!(texts[0].param("From"), Some(DEALER_NUMBER));
    let body = texts[0].param("Body").unwrap();
    assert!(
        body.contains("missed your call") && body.contains("Reply STOP to opt out"),
        "{body}"
    );
    let tasks: Vec<Value> = app
        .tasks(Some(&owner))
        .await
        .into_iter()
        .filter(|t| t["lead_id"] == id && t["kind"] == "call")
        .collect();
    assert_eq!(tasks.len(), 1, "{story}");
    let timeline = app.timeline(id).await;
    assert_eq!(count(&timeline, "call_missed"), 1, "{story}");
    assert_eq!(count(&timeline, "escalated"), 1, "{story}");
    assert_eq!(count(&timeline, "missed_call_texted"), 1, "{story}");
    let waiting: Value = app
        .get(&format!("/api/v1/conversations?waiting=true&owner={owner}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        waiting.to_string().contains(&format!("\"lead_id\":{id}")),
        "{waiting}"
    );

    // The voicemail's recording is kept on the lead, once.
    let record = voicemail_action(&live, &team_round, &no_answer).await;
    for _ in 0..2 {
        let r = live
            .twilio_webhook(
                &record,
                &[
                    ("CallSid", sid),
                    (
                        "RecordingUrl",
                        "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
                    ),
                    ("RecordingDuration", "14"),
                ],
            )
            .await;
        assert_eq!(r.status(), 200);
    }
    let thread = conversation(app, id).await;
    let voicemails: Vec<_> = thread
        .iter()
        .filter(|e| e["channel"] == "voicemail")
        .collect();
    assert_eq!(voicemails.len(), 1, "{thread:?}");
    assert!(voicemails[0]["body"]
        .as_str()
        .unwrap()
        .contains("/Recordings/RE1"));
}

async fn voicemail_action(live: &LiveApp, path: &str, params: &[(&str, &str)]) -> String {
    let twiml = live
        .twilio_webhook(path, params)
        .await
        .text()
        .await
        .unwrap();
    let action = twiml
        .split("<Record action=\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .unwrap_or_else(|| panic!("no <Record action> in {twiml}"));
    path_of(action)
}

#[tokio::test]
async fn a_call_task_is_completed_by_the_click_to_call_it_started() {
    let live = live().await;
    let app = &live.app;
    let caller = "+13125550963";
    let sid = "CA00000000000000000000000000000963";
    let first = ring_store(&live, sid, caller).await.text().await.unwrap();
    let mut round = dial_action(&first);
    let id = lead_in(&round);
    // Nobody answers any round: a call-back task.
    loop {
        let next = live
            .twilio_webhook(
                &round,
                &[
                    ("CallSid", sid),
                    ("From", caller),
                    ("CallStatus", "in-progress"),
                    ("DialCallStatus", "busy"),
                ],
            )
            .await
            .text()
            .await
            .unwrap();
        if !next.contains("<Dial") {
            break;
        }
        round = dial_action(&next);
    }
    let owner = owner_of(app, id).await;
    let story = app.story(id).await;
    let task = app
        .tasks(Some(&owner))
        .await
        .into_iter()
        .find(|t| t["lead_id"] == id && t["kind"] == "call")
        .unwrap_or_else(|| panic!("no call task: {story}"));
    let token = token_for(app, &owner).await;
    let response = post_as(
        app,
        &token,
        &format!("/api/v1/leads/{id}/calls"),
        &json!({"task": task["id"]}),
    )
    .await;
    assert_eq!(response.status(), 202);
    let placed: Value = response.json().await.unwrap();
    let call = creates(&live, "CreateCall").pop().unwrap();
    let dial = call
        .param("Twiml")
        .unwrap()
        .split("action=\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .map(path_of)
        .unwrap();
    assert!(dial.contains(&format!("task={}", task["id"])), "{dial}");
    let r = live
        .twilio_webhook(
            &dial,
            &[
                ("CallSid", placed["call_sid"].as_str().unwrap()),
                ("DialCallStatus", "completed"),
                ("DialCallDuration", "42"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    let timeline = app.timeline(id).await;
    let story = app.story(id).await;
    let logged = timeline
        .iter()
        .find(|e| e["kind"] == "call_logged")
        .unwrap_or_else(|| panic!("no call_logged:\n{story}"));
    assert_eq!(logged["data"]["outcome"], "connected");
    assert_eq!(logged["data"]["task_id"], task["id"]);
    // The customer was answered: off the waiting queue.
    let waiting: Value = app
        .get(&format!("/api/v1/conversations?waiting=true&owner={owner}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        !waiting.to_string().contains(&format!("\"lead_id\":{id}")),
        "{waiting}"
    );
}

#[tokio::test]
async fn call_webhooks_need_twilios_signature_over_the_exact_url() {
    let live = live().await;
    let app = &live.app;
    let unsigned = app
        .client
        .post(format!("{}/webhooks/twilio/voice", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("X-Twilio-Signature", "bm90IGEgc2lnbmF0dXJl")
        .body("CallSid=CA1&From=%2B13125550964&To=%2B13125550100")
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 403);
    let leads: Value = app.get("/api/v1/leads").await.json().await.unwrap();
    assert!(
        !leads.to_string().contains("5550964"),
        "no lead from an unsigned call"
    );

    // A signature for one lead's callback does not carry over to another lead's.
    let id = app.create_lead(&inquiry("(312) 555-0965")).await;
    let params = [("CallSid", "CA2"), ("CallStatus", "ringing")];
    let owned: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let signature = keepwarm_twilio::compute_signature(
        keepwarm_twilio::fake::FAKE_AUTH_TOKEN,
        &format!("{PUBLIC_URL}/webhooks/twilio/calls/status?lead={id}&by=sam"),
        &owned,
    );
    let moved = app
        .client
        .post(format!(
            "{}/webhooks/twilio/calls/status?lead={}&by=sam",
            app.address,
            id + 1
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("X-Twilio-Signature", signature)
        .body("CallSid=CA2&CallStatus=ringing")
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 403);
    for path in [
        "/webhooks/twilio/calls/dial?lead=1&by=sam",
        "/webhooks/twilio/voice/dial?lead=1&round=0",
        "/webhooks/twilio/voice/recording?lead=1",
    ] {
        let r = app
            .client
            .post(format!("{}{path}", app.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("CallSid=CA3")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{path}");
    }
}

#[tokio::test]
async fn call_status_callbacks_out_of_order_never_move_a_call_backwards() {
    let live = live().await;
    let app = &live.app;
    let id = app.create_lead(&inquiry("(312) 555-0966")).await;
    let owner = owner_of(app, id).await;
    let token = token_for(app, &owner).await;
    let response = post_as(
        app,
        &token,
        &format!("/api/v1/leads/{id}/calls"),
        &json!({}),
    )
    .await;
    assert_eq!(response.status(), 202);
    let placed: Value = response.json().await.unwrap();
    let sid = placed["call_sid"].as_str().unwrap().to_owned();
    let call = creates(&live, "CreateCall").pop().unwrap();
    let status = path_of(call.param("StatusCallback").unwrap());

    // Twilio's `completed` overtakes `ringing` and `in-progress`; then everything is retried.
    for (s, duration) in [
        ("completed", Some("61")),
        ("ringing", None),
        ("in-progress", None),
        ("completed", Some("61")),
        ("ringing", None),
    ] {
        let mut params = vec![("CallSid", sid.as_str()), ("CallStatus", s)];
        params.extend(duration.map(|d| ("CallDuration", d)));
        let r = live.twilio_webhook(&status, &params).await;
        assert_eq!(r.status(), 200, "{s}");
    }
    let story = app.story(id).await;
    let staff_leg: Vec<String> = app
        .timeline(id)
        .await
        .iter()
        .filter(|e| e["kind"] == "call_progress" && e["data"]["leg"] == "staff")
        .map(|e| e["data"]["status"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(staff_leg, ["queued", "completed"], "{story}");
    let thread = conversation(app, id).await;
    let last_call = thread
        .iter()
        .rev()
        .find(|e| e["channel"] == "call")
        .unwrap_or_else(|| panic!("no call in {thread:?}"));
    assert_eq!(last_call["status"], "completed", "{thread:?}");
}

#[tokio::test]
async fn a_staff_phone_calling_the_store_rings_their_team_and_never_becomes_a_lead() {
    let live = live().await;
    let app = &live.app;
    let sam = phone_of("sam");
    let sid = "CA00000000000000000000000000000967";
    for _ in 0..2 {
        let response = ring_store(&live, sid, sam).await;
        assert_eq!(response.status(), 200);
        let twiml = response.text().await.unwrap();
        // The team-mates ring, never the caller; no callback names a lead.
        assert!(
            twiml.contains("<Dial")
                && (twiml.contains(phone_of("alex")) || twiml.contains(phone_of("jordan")))
                && !twiml.contains(&format!("<Number>{sam}</Number>"))
                && !twiml.contains("action="),
            "{twiml}"
        );
    }
    let leads: Value = app.get("/api/v1/leads").await.json().await.unwrap();
    assert_eq!(leads, json!([]), "a staff call is no lead");
    assert!(
        creates(&live, "CreateMessage").is_empty(),
        "and gets no text"
    );
}

/// Places a click-to-call on a new lead by its owner: `(lead, call sid, status callback path, dial
/// action path)`.
async fn placed_call(live: &LiveApp, phone: &str) -> (i64, String, String, String) {
    let app = &live.app;
    let id = app.create_lead(&inquiry(phone)).await;
    let owner = owner_of(app, id).await;
    let token = token_for(app, &owner).await;
    let response = post_as(
        app,
        &token,
        &format!("/api/v1/leads/{id}/calls"),
        &json!({}),
    )
    .await;
    assert_eq!(response.status(), 202, "{}", app.story(id).await);
    let placed: Value = response.json().await.unwrap();
    let sid = placed["call_sid"].as_str().unwrap().to_owned();
    let call = creates(live, "CreateCall").pop().unwrap();
    let status = path_of(call.param("StatusCallback").unwrap());
    let twiml = call.param("Twiml").unwrap();
    let dial = twiml
        .split("action=\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .unwrap();
    (id, sid, status, path_of(dial))
}

#[tokio::test]
async fn a_click_to_call_the_customer_answered_pauses_automation_like_a_persons_text() {
    let live = live().await;
    let app = &live.app;
    let (id, sid, _, dial) = placed_call(&live, "(312) 555-0967").await;
    assert_eq!(app.lead(id).await["status"], "active");
    let r = live
        .twilio_webhook(
            &dial,
            &[
                ("CallSid", &sid),
                ("DialCallStatus", "completed"),
                ("DialCallDuration", "95"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    let story = app.story(id).await;
    assert_eq!(app.lead(id).await["status"], "paused", "{story}");
    let timeline = app.timeline(id).await;
    let paused = timeline
        .iter()
        .find(|e| e["kind"] == "follow_up_paused")
        .unwrap_or_else(|| panic!("{story}"));
    assert!(
        paused["data"]["reason"]
            .as_str()
            .unwrap()
            .contains("on the phone with the customer"),
        "{paused}"
    );
    // Like a text, the pause lifts once the conversation goes quiet: no touch goes out meanwhile.
    let sent_before = count(&timeline, "touch_sent");
    app.advance("P2D").await;
    assert_eq!(
        count(&app.timeline(id).await, "touch_sent"),
        sent_before,
        "{}",
        app.story(id).await
    );
}

#[tokio::test]
async fn an_inbound_call_a_person_answered_pauses_automation() {
    let live = live().await;
    let app = &live.app;
    let caller = "+13125550968";
    let id = app.create_lead(&inquiry("(312) 555-0968")).await;
    assert_eq!(app.lead(id).await["status"], "active");
    let sid = "CA00000000000000000000000000000968";
    let twiml = ring_store(&live, sid, caller).await.text().await.unwrap();
    let round = dial_action(&twiml);
    assert_eq!(lead_in(&round), id);
    let r = live
        .twilio_webhook(
            &round,
            &[
                ("CallSid", sid),
                ("From", caller),
                ("To", DEALER_NUMBER),
                ("CallStatus", "in-progress"),
                ("DialCallStatus", "completed"),
                ("DialCallDuration", "240"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    let story = app.story(id).await;
    let lead = app.lead(id).await;
    assert_eq!(lead["status"], "paused", "{story}");
    assert_eq!(lead["stage"], "contacted", "{story}");
}

#[tokio::test]
async fn concurrent_status_callbacks_for_one_call_apply_once_and_never_backwards() {
    let live = live().await;
    let app = &live.app;
    for n in 0..6 {
        let (id, sid, status, dial) = placed_call(&live, &format!("(312) 555-097{n}")).await;
        // Twilio posts the same call's callbacks at once: the staff leg's end with a late
        // `ringing`, and two different ends of the customer leg.
        let staff_leg = |s: &'static str| {
            let (sid, status) = (sid.clone(), status.clone());
            let live = &live;
            async move {
                live.twilio_webhook(&status, &[("CallSid", &sid), ("CallStatus", s)])
                    .await
                    .status()
            }
        };
        let customer_leg = |s: &'static str| {
            let (sid, dial) = (sid.clone(), dial.clone());
            let live = &live;
            async move {
                live.twilio_webhook(
                    &dial,
                    &[
                        ("CallSid", &sid),
                        ("DialCallStatus", s),
                        ("DialCallDuration", "30"),
                    ],
                )
                .await
                .status()
            }
        };
        let statuses = tokio::join!(
            staff_leg("completed"),
            staff_leg("ringing"),
            customer_leg("completed"),
            customer_leg("no-answer"),
        );
        assert_eq!(
            [statuses.0, statuses.1, statuses.2, statuses.3].map(|s| s.as_u16()),
            [200; 4]
        );
        let story = app.story(id).await;
        let timeline = app.timeline(id).await;
        let leg = |name: &str| -> Vec<String> {
            timeline
                .iter()
                .filter(|e| e["kind"] == "call_progress" && e["data"]["leg"] == name)
                .map(|e| e["data"]["status"].as_str().unwrap().to_owned())
                .collect()
        };
        let staff = leg("staff");
        assert!(
            staff == ["queued", "completed"] || staff == ["queued", "ringing", "completed"],
            "the staff leg moved backwards: {staff:?}\n{story}"
        );
        assert_eq!(leg("customer").len(), 1, "two ends of one leg:\n{story}");
    }
}

#[tokio::test]
async fn in_the_sandbox_click_to_call_is_simulated_and_played_out_leg_by_leg() {
    let app = crate::helpers::spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0964")).await;
    let owner = owner_of(&app, id).await;
    let token = token_for(&app, &owner).await;
    let placed = post_as(
        &app,
        &token,
        &format!("/api/v1/leads/{id}/calls"),
        &json!({}),
    )
    .await;
    assert_eq!(placed.status(), 202, "{}", app.story(id).await);
    let placed: Value = placed.json().await.unwrap();
    let sid = placed["call_sid"].as_str().unwrap().to_owned();
    assert!(sid.starts_with("CAsandbox"), "{placed}");
    assert_eq!(placed["staff_phone"], phone_of(&owner));
    // The outbox says who would ring.
    let outbox = app.outbox(Some(id)).await;
    assert!(
        outbox.iter().any(|m| m["channel"] == "call"
            && m["to"] == phone_of(&owner)
            && m["body"].as_str().unwrap().contains("+13125550964")),
        "{outbox:#?}"
    );

    for (body, field) in [
        (json!({"lead": id, "staff": "maybe"}), "staff"),
        (json!({"lead": id, "customer": "hung up"}), "customer"),
        (
            json!({"lead": id, "duration_seconds": 999_999}),
            "duration_seconds",
        ),
    ] {
        let r = app.post("/api/v1/sandbox/calls", &body).await;
        assert_eq!(r.status(), 422, "{body}");
        assert!(r.text().await.unwrap().contains(field), "{body}");
    }
    let played = app
        .post(
            "/api/v1/sandbox/calls",
            &json!({"lead": id, "duration_seconds": 95}),
        )
        .await;
    assert_eq!(played.status(), 200);
    let played: Value = played.json().await.unwrap();
    assert_eq!(played["call_sid"], sid.as_str());
    assert_eq!(played["outcome"], "connected", "{played}");
    assert_eq!(
        played["statuses"],
        json!([
            "staff: initiated",
            "staff: ringing",
            "staff: in-progress",
            "customer: completed",
            "staff: completed"
        ])
    );
    let calls: Vec<String> = conversation(&app, id)
        .await
        .into_iter()
        .filter(|e| e["channel"] == "call")
        .map(|e| e["body"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        calls
            .iter()
            .any(|b| b.starts_with("Call to the customer: completed, connected (1m35s)")),
        "{calls:#?}"
    );
    assert_eq!(app.lead(id).await["stage"], "contacted");
    // Once only.
    let again = app
        .post("/api/v1/sandbox/calls", &json!({"lead": id}))
        .await;
    assert_eq!(again.status(), 409);
    // A lead nobody called.
    let other = app.create_lead(&inquiry("(312) 555-0965")).await;
    let none = app
        .post("/api/v1/sandbox/calls", &json!({"lead": other}))
        .await;
    assert_eq!(none.status(), 404);
}
