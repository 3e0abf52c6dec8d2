//! Hot replies reach a named person at once, with the context, on a clock that escalates.

use serde_json::{json, Value};

use crate::helpers::{inquiry, spawn_app, TestApp, TUESDAY_9AM_CHICAGO};

async fn reply(app: &TestApp, from: &str, body: &str) -> Value {
    let response = app
        .post(
            "/api/v1/sandbox/inbound",
            &json!({"from": from, "body": body}),
        )
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn staff_alerts(outbox: &[Value]) -> Vec<(String, String)> {
    outbox
        .iter()
        .filter(|m| m["recipient_kind"] == "staff" && m["channel"] == "sms")
        .map(|m| {
            (
                m["to"].as_str().unwrap().to_owned(),
                m["body"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_hot_reply_alerts_the_owner_then_the_manager_then_the_chain() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0801")).await;
    let outcome = reply(
        &app,
        "+13125550801",
        "what would you give me for my 2015 Focus? and do you finance?",
    )
    .await;
    let escalation = outcome["escalation"].as_i64().expect("an escalation");
    let intents = outcome["intents"].as_array().unwrap();
    assert!(
        intents.contains(&json!("trade_in")) && intents.contains(&json!("credit_finance")),
        "{outcome}"
    );
    assert_eq!(app.lead(id).await["status"], "paused");

    let alerts = staff_alerts(&app.outbox(Some(id)).await);
    assert_eq!(alerts.len(), 1);
    assert_eq!(
        alerts[0].0, "+13125550111",
        "Sam owns the lead and is on shift"
    );
    assert!(
        alerts[0].1.contains("2015 Focus") && alerts[0].1.contains(&format!("Reply {escalation}")),
        "{}",
        alerts[0].1
    );
    let open: Vec<Value> = app
        .get("/api/v1/escalations?status=open")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(
        (open[0]["owner"].clone(), open[0]["notified"].clone()),
        (json!("sam"), json!(["sam"]))
    );
    assert_eq!(open[0]["context"]["vehicle"], "2022 Honda CR-V EX");

    // trade_in: 5 minutes (credit_finance alone would allow 10; the shortest applies).
    app.advance("PT6M").await;
    let breached: Vec<Value> = app
        .get("/api/v1/escalations?status=breached")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(breached.len(), 1, "{}", app.story(id).await);
    assert_eq!(breached[0]["notified"], json!(["sam", "morgan"]));
    assert_eq!(
        staff_alerts(&app.outbox(Some(id)).await)[1].0,
        "+13125550119",
        "Morgan manages sales"
    );
    app.advance("PT11M").await;
    let chain: Vec<Value> = app
        .get("/api/v1/escalations?status=breached")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(chain[0]["notified"], json!(["sam", "morgan", "pat"]));
    assert_eq!(chain[0]["level"], 2);

    let ack = app
        .post(
            &format!("/api/v1/escalations/{escalation}/ack"),
            &json!({"by": "morgan"}),
        )
        .await;
    assert_eq!(ack.status(), 200);
    let row: Value = ack.json().await.unwrap();
    assert_eq!(
        (row["status"].clone(), row["acknowledged_by"].clone()),
        (json!("acknowledged"), json!("morgan"))
    );
    let again = app
        .post(
            &format!("/api/v1/escalations/{escalation}/ack"),
            &json!({"by": "sam"}),
        )
        .await;
    assert_eq!(again.status(), 409);
    app.advance("PT30M").await;
    assert_eq!(
        staff_alerts(&app.outbox(Some(id)).await).len(),
        3,
        "no alerts after the acknowledgement"
    );
}

#[tokio::test]
async fn staff_acknowledge_by_replying_with_the_number_and_off_shift_owners_are_covered() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0802")).await;
    // Alex starts at 11:00 on Tuesdays: off shift now.
    app.post(
        &format!("/api/v1/leads/{id}/owner"),
        &json!({"owner": "alex", "reason": "test", "by": "morgan"}),
    )
    .await;
    let outcome = reply(&app, "+13125550802", "can I come see it today at 5?").await;
    let escalation = outcome["escalation"].as_i64().unwrap();
    let open: Vec<Value> = app
        .get("/api/v1/escalations?status=open")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        open[0]["owner"], "sam",
        "an on-shift teammate covers for Alex"
    );
    // Sam texts back the number from the alert.
    let ack = reply(&app, "+13125550111", &format!("{escalation} got it")).await;
    assert_eq!(ack["acknowledged"], escalation);
    let done: Vec<Value> = app
        .get("/api/v1/escalations?status=acknowledged")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(done[0]["acknowledged_by"], "sam");
    let leads: Vec<Value> = app.get("/api/v1/leads").await.json().await.unwrap();
    assert_eq!(leads.len(), 1, "a staff member's text never becomes a lead");
}

#[tokio::test]
async fn reassigning_an_escalation_names_who_handed_it_on_and_nobody_can_act_as_another() {
    use crate::staff::{post_as, token_for};
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0809")).await;
    let outcome = reply(&app, "+13125550809", "Can I come see it Saturday morning?").await;
    let escalation = outcome["escalation"].as_i64().expect("an escalation");
    let path = format!("/api/v1/escalations/{escalation}/reassign");

    // The shared token must say who does it.
    let anonymous = app.post(&path, &json!({"owner": "alex"})).await;
    assert_eq!(anonymous.status(), 422);
    let answer: Value = anonymous.json().await.unwrap();
    assert_eq!(answer["fields"][0]["field"], "by", "{answer}");
    // A manager's token is its holder, and cannot name someone else.
    let morgan = token_for(&app, "morgan").await;
    let forged = post_as(&app, &morgan, &path, &json!({"owner": "alex", "by": "pat"})).await;
    assert_eq!(forged.status(), 403);
    // A salesperson does not hand escalations on.
    let sam = token_for(&app, "sam").await;
    let sales = post_as(&app, &sam, &path, &json!({"owner": "alex"})).await;
    assert_eq!(sales.status(), 403);

    let moved = post_as(&app, &morgan, &path, &json!({"owner": "alex"})).await;
    assert_eq!(moved.status(), 200, "{}", app.story(id).await);
    let back = app
        .post(&path, &json!({"owner": "jordan", "by": "pat"}))
        .await;
    assert_eq!(back.status(), 200);
    let handed: Vec<(String, String)> = app
        .timeline(id)
        .await
        .iter()
        .filter(|e| e["kind"] == "escalation_reassigned")
        .map(|e| {
            (
                e["data"]["to"].as_str().unwrap().to_owned(),
                e["data"]["by"].as_str().unwrap_or("nobody").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        handed,
        [
            ("alex".to_owned(), "morgan".to_owned()),
            ("jordan".to_owned(), "pat".to_owned())
        ],
        "{}",
        app.story(id).await
    );
}
