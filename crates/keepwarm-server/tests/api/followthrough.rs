//! Open work follows the lead, and a late or foreign inquiry never rewrites its history (issue 10,
//! defects 6 and 7): a reassigned lead takes its open escalation and tasks to the new owner; a sold
//! or lost lead closes them so nothing breaches; an inquiry dated before the lead's last stage
//! change, or from another first name on the same phone, never reopens it; nothing reopens while an
//! escalation is unacknowledged; and a reopen is a `stage_changed` event.

use keepwarm_domain::LeadId;
use serde_json::{json, Value};

use crate::helpers::{inquiry, spawn_app, TestApp, TUESDAY_9AM_CHICAGO};

/// A text from the customer; returns the escalation it opened, failing when it opened none.
async fn hot_reply(app: &TestApp, from: &str) -> i64 {
    let response = app
        .post(
            "/api/v1/sandbox/inbound",
            &json!({"from": from, "body": "Can I come see it Saturday?"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let outcome: Value = response.json().await.unwrap();
    outcome["escalation"]
        .as_i64()
        .unwrap_or_else(|| panic!("the reply opened no escalation: {outcome}"))
}

async fn escalations(app: &TestApp, status: &str) -> Vec<Value> {
    app.get(&format!("/api/v1/escalations?status={status}"))
        .await
        .json()
        .await
        .unwrap()
}

fn events<'a>(timeline: &'a [Value], kind: &str) -> Vec<&'a Value> {
    timeline.iter().filter(|e| e["kind"] == kind).collect()
}

/// Posts an inquiry; answers the response body, failing unless it was accepted.
async fn post_inquiry(app: &TestApp, body: &Value) -> Value {
    let response = app.post("/api/v1/leads", body).await;
    let status = response.status();
    let answer: Value = response.json().await.unwrap();
    assert!(status.is_success(), "{status}: {answer}");
    answer
}

/// Messages the sandbox sent to the customer of a lead.
async fn customer_messages(app: &TestApp, id: i64) -> usize {
    app.outbox(Some(id))
        .await
        .iter()
        .filter(|m| m["recipient_kind"] == "customer")
        .count()
}

#[tokio::test]
async fn a_reassigned_lead_takes_its_open_escalation_and_tasks_to_the_new_owner() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0931")).await;
    assert_eq!(app.lead(id).await["owner"]["id"], "sam");
    let escalation = hot_reply(&app, "+13125550931").await;

    let response = app
        .post(
            &format!("/api/v1/leads/{id}/owner"),
            &json!({"owner": "jordan", "reason": "Sam is at a training all day", "by": "morgan"}),
        )
        .await;
    assert_eq!(response.status(), 200);

    let open = escalations(&app, "open").await;
    assert_eq!(open.len(), 1);
    assert_eq!(
        (open[0]["id"].as_i64(), open[0]["owner"].as_str()),
        (Some(escalation), Some("jordan")),
        "the escalation follows the lead\n{}",
        app.story(id).await
    );
    let timeline = app.timeline(id).await;
    let moved = events(&timeline, "escalation_reassigned");
    assert_eq!(moved.len(), 1, "{}", app.story(id).await);
    assert_eq!(
        (
            &moved[0]["data"]["escalation_id"],
            &moved[0]["data"]["from"],
            &moved[0]["data"]["to"],
            &moved[0]["data"]["reason"]
        ),
        (
            &json!(escalation),
            &json!("sam"),
            &json!("jordan"),
            &json!("lead reassigned")
        )
    );
    // Jordan is told at once, through the queue, like any hand-off.
    let told: Vec<Value> = app
        .outbox(Some(id))
        .await
        .into_iter()
        .filter(|m| m["recipient_kind"] == "staff" && m["to"] == "+13125550113")
        .collect();
    assert_eq!(told.len(), 1, "{}", app.story(id).await);
    assert!(told[0]["body"]
        .as_str()
        .unwrap()
        .contains(&format!("Reply {escalation}")));
    // The reply's task went with it, on the timeline too.
    let lead_tasks = |tasks: Vec<Value>| {
        tasks
            .into_iter()
            .filter(|t| t["lead_id"] == id && t["status"] == "open")
            .count()
    };
    assert_eq!(lead_tasks(app.tasks(Some("sam")).await), 0);
    assert_eq!(lead_tasks(app.tasks(Some("jordan")).await), 1);
    assert_eq!(
        events(&timeline, "task_reassigned").len(),
        1,
        "{}",
        app.story(id).await
    );

    // Unanswered, it breaches on the new owner, not on the one who no longer has the lead.
    app.advance("PT2H").await;
    let timeline = app.timeline(id).await;
    let breached = events(&timeline, "escalation_breached");
    assert!(!breached.is_empty(), "{}", app.story(id).await);
    assert_eq!(
        breached[0]["data"]["unacknowledged_by"],
        "jordan",
        "{}",
        app.story(id).await
    );
}

#[tokio::test]
async fn the_engine_answers_which_escalations_moved_so_the_new_owner_can_be_told() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0932")).await;
    let escalation = hot_reply(&app, "+13125550932").await;
    let moved = app
        .engine
        .reassign(LeadId(id), "jordan", "covering", "api")
        .await
        .unwrap();
    assert_eq!(moved.escalations, vec![escalation]);
    assert_eq!(moved.tasks.len(), 1, "the reply's task");
    // Acknowledged escalations stay with whoever acknowledged them.
    app.post(
        &format!("/api/v1/escalations/{escalation}/ack"),
        &json!({"by": "jordan"}),
    )
    .await;
    let back = app
        .engine
        .reassign(LeadId(id), "sam", "back from training", "api")
        .await
        .unwrap();
    assert!(back.escalations.is_empty(), "{back:?}");
}

#[tokio::test]
async fn a_sold_or_lost_lead_closes_its_open_escalation_and_tasks_so_nothing_breaches() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let mut leads = Vec::new();
    for (phone, outcome) in [
        (
            "(312) 555-0933",
            json!({"stage": "lost", "reason": "bought elsewhere", "by": "sam"}),
        ),
        ("(312) 555-0934", json!({"stage": "sold", "by": "sam"})),
    ] {
        let id = app.create_lead(&inquiry(phone)).await;
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        let escalation = hot_reply(&app, &format!("+1{digits}")).await;
        let response = app
            .post(&format!("/api/v1/leads/{id}/outcomes"), &outcome)
            .await;
        assert_eq!(response.status(), 200);
        leads.push((id, escalation, outcome["stage"].clone()));
    }
    assert!(
        escalations(&app, "open").await.is_empty(),
        "a lead that is over has no open escalation"
    );
    let closed = escalations(&app, "closed").await;
    assert_eq!(closed.len(), 2, "{closed:?}");
    for (id, escalation, stage) in &leads {
        let timeline = app.timeline(*id).await;
        let closing = events(&timeline, "escalation_closed");
        assert_eq!(closing.len(), 1, "{}", app.story(*id).await);
        assert_eq!(closing[0]["data"]["escalation_id"], *escalation);
        let reason = closing[0]["data"]["reason"].as_str().unwrap();
        assert!(
            reason.contains(stage.as_str().unwrap()),
            "the reason names the outcome: {reason}"
        );
        assert_eq!(
            events(&timeline, "task_closed").len(),
            1,
            "{}",
            app.story(*id).await
        );
    }
    let open_tasks: Vec<Value> = app
        .tasks(None)
        .await
        .into_iter()
        .filter(|t| t["status"] == "open")
        .collect();
    assert!(open_tasks.is_empty(), "{open_tasks:?}");

    app.advance("PT2H").await;
    assert!(escalations(&app, "breached").await.is_empty());
    for (id, _, _) in &leads {
        let timeline = app.timeline(*id).await;
        assert!(
            events(&timeline, "escalation_breached").is_empty(),
            "{}",
            app.story(*id).await
        );
        let alerts = app
            .outbox(Some(*id))
            .await
            .into_iter()
            .filter(|m| m["recipient_kind"] == "staff")
            .count();
        assert_eq!(alerts, 1, "only the owner's first alert");
    }
}

/// Dana's lead, lost four days after it came in, with the loss dated then.
async fn lost_lead(app: &TestApp, phone: &str) -> i64 {
    let id = app.create_lead(&inquiry(phone)).await;
    app.advance("P4D").await;
    let response = app
        .post(
            &format!("/api/v1/leads/{id}/outcomes"),
            &json!({"stage": "lost", "reason": "went quiet", "by": "morgan"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(app.lead(id).await["stage"], "lost");
    id
}

/// A row of a dealer's CSV export, as the importer posts it: dated, with its own name and e-mail.
fn csv_row(first_name: &str, phone: &str, email: &str, received_at: &str) -> Value {
    json!({
        "source": {"kind": "import", "provider": "VinSolutions export"},
        "received_at": received_at,
        "customer": {"first_name": first_name, "last_name": "Lopez", "phones": [phone], "emails": [email]},
        "vehicles": [{"interest": "buy", "year": 2021, "make": "Toyota", "model": "RAV4"}],
    })
}

#[tokio::test]
async fn an_older_row_for_another_person_on_a_lost_leads_phone_does_not_reopen_it() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = lost_lead(&app, "(312) 555-0935").await;
    let sent_before = customer_messages(&app, id).await;
    let contacts_before = app.lead(id).await["contacts"].clone();

    // Maria, on the same phone, with an inquiry dated months before Dana was lost.
    let answer = post_inquiry(
        &app,
        &csv_row(
            "Maria",
            "(312) 555-0935",
            "maria.lopez@example.com",
            "2026-08-14T16:00:00Z",
        ),
    )
    .await;
    assert_eq!(answer["id"], id, "{answer}");
    assert_eq!(answer["action"], "person_to_check", "{answer}");

    let lead = app.lead(id).await;
    assert_eq!(lead["stage"], "lost", "{}", app.story(id).await);
    assert_ne!(lead["status"], "active");
    assert_eq!(
        lead["contacts"], contacts_before,
        "Maria's e-mail is not Dana's"
    );
    let timeline = app.timeline(id).await;
    assert!(
        events(&timeline, "follow_up_reopened").is_empty()
            && events(&timeline, "inquiry_merged").is_empty(),
        "{}",
        app.story(id).await
    );
    let recorded = events(&timeline, "inquiry_recorded");
    assert_eq!(recorded.len(), 1, "{}", app.story(id).await);
    assert_eq!(recorded[0]["data"]["customer"]["first_name"], "Maria");
    let check: Vec<Value> = app
        .tasks(Some("sam"))
        .await
        .into_iter()
        .filter(|t| t["lead_id"] == id && t["kind"] == "check_person")
        .collect();
    assert_eq!(check.len(), 1, "the owner checks who Maria is");
    assert!(check[0]["body"].as_str().unwrap().contains("Maria"));

    app.advance("P3D").await;
    assert_eq!(
        customer_messages(&app, id).await,
        sent_before,
        "nobody is texted\n{}",
        app.story(id).await
    );
}

#[tokio::test]
async fn an_inquiry_dated_before_the_loss_is_recorded_and_changes_nothing() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = lost_lead(&app, "(312) 555-0936").await;
    let sent_before = customer_messages(&app, id).await;
    let contacts_before = app.lead(id).await["contacts"].clone();

    // Dana herself this time, from an old export, with an address the lead does not have.
    let answer = post_inquiry(
        &app,
        &csv_row(
            "Dana",
            "(312) 555-0936",
            "dana.old@example.com",
            "2026-09-02T16:00:00Z",
        ),
    )
    .await;
    assert_eq!(answer["action"], "recorded", "{answer}");
    let lead = app.lead(id).await;
    assert_eq!(lead["stage"], "lost");
    assert_eq!(lead["contacts"], contacts_before, "no contacts added");
    let timeline = app.timeline(id).await;
    assert_eq!(events(&timeline, "inquiry_recorded").len(), 1);
    assert_eq!(
        events(&timeline, "enrolled").len(),
        1,
        "no second enrollment\n{}",
        app.story(id).await
    );
    app.advance("P3D").await;
    assert_eq!(customer_messages(&app, id).await, sent_before);
}

#[tokio::test]
async fn reopening_a_lost_lead_is_a_stage_change_on_the_timeline() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = lost_lead(&app, "(312) 555-0937").await;
    app.advance("P2D").await;
    let answer = post_inquiry(&app, &inquiry("(312) 555-0937")).await;
    assert_eq!(answer["action"], "reopened", "{answer}");
    assert_eq!(app.lead(id).await["stage"], "new");
    let timeline = app.timeline(id).await;
    let story = app.story(id).await;
    let changes = events(&timeline, "stage_changed");
    let reopen = changes
        .iter()
        .find(|e| e["data"]["from"] == "lost")
        .unwrap_or_else(|| panic!("no stage change from lost\n{story}"));
    let data = &reopen["data"];
    assert_eq!(data["to"], "new");
    assert_eq!(data["by"], "intake");
    assert_eq!(data["via"], "internet");
    assert!(data["reason"].as_str().unwrap().contains("lost"), "{data}");
    assert!(data["at"].is_string(), "{data}");
}

#[tokio::test]
async fn nothing_reopens_while_an_escalation_on_the_lead_is_unacknowledged() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0938")).await;
    // The cadence runs out; weeks later Dana writes back, and nobody answers.
    app.advance("P35D").await;
    assert_eq!(app.lead(id).await["status"], "completed");
    hot_reply(&app, "+13125550938").await;
    app.advance("PT2H").await;
    let sent_before = customer_messages(&app, id).await;

    let answer = post_inquiry(&app, &inquiry("(312) 555-0938")).await;
    assert_eq!(answer["id"], id);
    assert_eq!(answer["action"], "merged", "{answer}");
    assert!(
        answer["reason"]
            .as_str()
            .unwrap()
            .contains("escalation on the lead is unacknowledged"),
        "{answer}"
    );
    assert_ne!(app.lead(id).await["status"], "active");
    app.advance("P2D").await;
    assert_eq!(
        customer_messages(&app, id).await,
        sent_before,
        "no automated text while a person owes her an answer\n{}",
        app.story(id).await
    );
    let tasks: Vec<Value> = app
        .tasks(None)
        .await
        .into_iter()
        .filter(|t| t["lead_id"] == id && t["status"] == "open")
        .collect();
    assert!(
        tasks
            .iter()
            .any(|t| t["body"].as_str().unwrap().contains("another inquiry")),
        "{tasks:?}"
    );
}
