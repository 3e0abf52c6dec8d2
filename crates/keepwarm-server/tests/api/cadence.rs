//! Cadences run on schedule, inside the contact window, through the manual clock.

use serde_json::Value;

use crate::helpers::{inquiry, spawn_app, TUESDAY_9AM_CHICAGO};

fn schedule(outbox: &[Value]) -> Vec<(String, String, String)> {
    outbox
        .iter()
        .map(|m| {
            (
                m["at"].as_str().unwrap_or_default().to_owned(),
                m["channel"].as_str().unwrap_or_default().to_owned(),
                m["recipient_kind"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn row(at: &str, channel: &str, kind: &str) -> (String, String, String) {
    (at.into(), channel.into(), kind.into())
}

#[tokio::test]
async fn a_new_inquiry_runs_the_whole_fourteen_day_cadence_on_schedule() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0142")).await;

    // Day 0 inside the window goes out at once, without advancing the clock.
    assert_eq!(
        app.outbox(Some(id)).await.len(),
        2,
        "{}",
        app.story(id).await
    );

    app.advance("P15D").await;
    let outbox = app.outbox(Some(id)).await;
    let expected = vec![
        row("2026-12-01T15:00:00Z", "sms", "customer"), // day 0, immediate
        row("2026-12-01T15:00:00Z", "email", "customer"), // day 0, immediate
        row("2026-12-02T16:30:00Z", "sms", "customer"), // day 1, 10:30 CST
        row("2026-12-03T22:30:00Z", "sms", "customer"), // day 2, 16:30
        row("2026-12-05T16:00:00Z", "email", "customer"), // day 4, 10:00 (Saturday)
        row("2026-12-08T18:00:00Z", "sms", "customer"), // day 7, 12:00
        row("2026-12-15T16:00:00Z", "email", "customer"), // day 14, 10:00
    ];
    assert_eq!(
        schedule(&outbox),
        expected,
        "timeline:\n{}",
        app.story(id).await
    );

    let lead = app.lead(id).await;
    assert_eq!(lead["status"], "completed", "{lead}");
    assert_eq!(lead["cadence"]["name"], "new_inquiry");
    assert_eq!(lead["cadence"]["version"].as_str().map(str::len), Some(12));
    assert_eq!(lead["owner"]["id"], "sam");

    // Every message uses the customer's real context and no message repeats a wording.
    assert!(outbox[0]["body"].as_str().unwrap().contains("Dana"));
    assert!(outbox[0]["body"]
        .as_str()
        .unwrap()
        .contains("Reply STOP to opt out"));
    // Day 2's call step is a task in the owner's list at 11:00, with the script and the context.
    let tasks = app.tasks(Some("sam")).await;
    let call = tasks
        .iter()
        .find(|t| t["lead_id"] == id && t["kind"] == "call")
        .unwrap_or_else(|| panic!("no call task: {tasks:?}"));
    assert_eq!(call["due_at"], "2026-12-03T17:00:00Z");
    assert!(call["body"]
        .as_str()
        .unwrap()
        .starts_with("Call task: Dana Reyes (312) 555-0142"));

    let kinds: Vec<String> = app
        .timeline(id)
        .await
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        &kinds[..4],
        ["received", "segmented", "owner_assigned", "enrolled"]
    );
    assert_eq!(kinds.iter().filter(|k| *k == "touch_sent").count(), 8);
    assert_eq!(kinds.last().map(String::as_str), Some("cadence_completed"));

    let tasks: Vec<Value> = app
        .get("/api/v1/tasks?owner=sam")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0]["kind"], "call");
}

#[tokio::test]
async fn an_overnight_lead_waits_for_the_window_and_day_one_is_the_next_day() {
    // 22:00 CST Tuesday.
    let app = spawn_app("2026-12-02T04:00:00Z").await;
    let id = app.create_lead(&inquiry("(312) 555-0143")).await;
    assert!(
        app.outbox(Some(id)).await.is_empty(),
        "nothing goes out at night"
    );
    let lead: Value = app.lead(id).await;
    assert_eq!(lead["status"], "active");

    app.advance_to("2026-12-03T00:00:00Z").await;
    let sent = schedule(&app.outbox(Some(id)).await);
    // The store opens at 09:00 CST = 15:00Z; the day-1 touch waits for Thursday.
    assert_eq!(
        sent,
        vec![
            row("2026-12-02T15:00:00Z", "sms", "customer"),
            row("2026-12-02T15:00:00Z", "email", "customer")
        ],
        "{}",
        app.story(id).await
    );
    app.advance_to("2026-12-04T00:00:00Z").await;
    let sent = schedule(&app.outbox(Some(id)).await);
    assert_eq!(
        sent[2],
        row("2026-12-03T16:30:00Z", "sms", "customer"),
        "{}",
        app.story(id).await
    );
}

#[tokio::test]
async fn a_hawaii_number_is_texted_in_hawaiian_hours() {
    // 09:00 CST = 05:00 HST: the store is open but it is too early in Honolulu (08:00 HST = 18:00Z).
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(808) 555-0100")).await;
    assert!(app.outbox(Some(id)).await.is_empty());
    app.advance("PT4H").await;
    let sent = schedule(&app.outbox(Some(id)).await);
    assert_eq!(
        sent[0],
        row("2026-12-01T18:00:00Z", "sms", "customer"),
        "{}",
        app.story(id).await
    );
}

#[tokio::test]
async fn thanksgiving_is_a_holiday() {
    // Wednesday 2026-11-25 20:30 CST, after sales hours; Thursday is Thanksgiving (configured holiday).
    let app = spawn_app("2026-11-26T02:30:00Z").await;
    let id = app.create_lead(&inquiry("(312) 555-0144")).await;
    app.advance("P2D").await;
    let sent = schedule(&app.outbox(Some(id)).await);
    // Friday 09:00 CST = 15:00Z.
    assert_eq!(
        sent[0],
        row("2026-11-27T15:00:00Z", "sms", "customer"),
        "{}",
        app.story(id).await
    );
}

#[tokio::test]
async fn editing_nothing_keeps_one_version_and_enrollments_pin_it() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let a = app.create_lead(&inquiry("(312) 555-0145")).await;
    let b = app.create_lead(&inquiry("(312) 555-0146")).await;
    let (la, lb) = (app.lead(a).await, app.lead(b).await);
    assert_eq!(la["cadence"]["version"], lb["cadence"]["version"]);
    assert_eq!(
        la["cadence"]["version"].as_str(),
        app.engine.current_version("new_inquiry")
    );
}
