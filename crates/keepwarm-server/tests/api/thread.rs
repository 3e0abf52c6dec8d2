//! The conversation for people: one thread of everything said both ways, notes, and the "waiting on
//! us" queue that a person's answer clears.

use serde_json::{json, Value};

use crate::helpers::{inquiry, spawn_app, TestApp, TUESDAY_9AM_CHICAGO};
use crate::staff::{get_as, post_as, token_for};

/// A lead, its owner and the owner's token.
async fn lead_and_owner(app: &TestApp, phone: &str) -> (i64, String, String) {
    let id = app.create_lead(&inquiry(phone)).await;
    let owner = app.lead(id).await["owner"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = token_for(app, &owner).await;
    (id, owner, token)
}

async fn conversation(app: &TestApp, token: &str, id: i64) -> Value {
    let response = get_as(app, token, &format!("/api/v1/leads/{id}/conversation")).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn queue(app: &TestApp, query: &str) -> Vec<Value> {
    let response = app.get(&format!("/api/v1/conversations?{query}")).await;
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

fn summary(entries: &Value) -> Vec<(String, String, String)> {
    entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["direction"].as_str().unwrap().to_owned(),
                e["channel"].as_str().unwrap().to_owned(),
                e["who"]["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_conversation_is_one_thread_of_everything_said_both_ways_with_names_and_local_times() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let (id, owner, token) = lead_and_owner(&app, "(312) 555-0961").await;
    app.advance("PT1M").await;
    app.reply("+13125550961", "Can I come see it Saturday morning?")
        .await;
    app.advance("PT2M").await;
    let text = "Saturday at 10 works. - Sam";
    let sent = post_as(
        &app,
        &token,
        &format!("/api/v1/leads/{id}/messages"),
        &json!({"channel": "sms", "body": text}),
    )
    .await;
    assert_eq!(sent.status(), 202);
    app.advance("PT1M").await;
    let note = post_as(
        &app,
        &token,
        &format!("/api/v1/leads/{id}/notes"),
        &json!({"body": "Wants the EX trim, trade-in is a 2015 Focus"}),
    )
    .await;
    assert_eq!(note.status(), 201);

    let thread = conversation(&app, &token, id).await;
    let entries = &thread["entries"];
    let story = app.story(id).await;
    let got = summary(entries);
    let want: Vec<(String, String, String)> = [
        ("outbound", "sms", "automation"),
        ("outbound", "email", "automation"),
        ("inbound", "sms", "customer"),
        ("outbound", "sms", "staff"),
        ("internal", "note", "staff"),
    ]
    .iter()
    .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
    .collect();
    assert_eq!(got, want, "{thread:#}\n{story}");
    let e = entries.as_array().unwrap();
    let name = app
        .engine
        .config()
        .staff_member(&owner)
        .unwrap()
        .name
        .clone();
    assert_eq!(e[3]["body"], text);
    assert_eq!(
        e[3]["who"],
        json!({"kind": "staff", "id": owner, "name": name})
    );
    assert_eq!(e[3]["status"], "sent");
    assert_eq!(e[2]["status"], "received");
    assert_eq!(e[4]["who"]["name"], name.as_str());
    // 15:04Z is 09:04 in Chicago.
    assert_eq!(e[3]["at"], "2026-12-01T15:03:00Z");
    assert_eq!(e[3]["local_time"], "2026-12-01T09:03:00-06:00");
    assert_eq!(thread["time_zone"], "America/Chicago");
    // The note is on the timeline and was never sent.
    assert!(app
        .timeline(id)
        .await
        .iter()
        .any(|e| e["kind"] == "note_added"));
    assert!(app
        .outbox(Some(id))
        .await
        .iter()
        .all(|m| !m["body"].as_str().unwrap().contains("Focus")));
}

#[tokio::test]
async fn a_customer_message_waits_on_us_until_a_person_answers() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let (first, owner, token) = lead_and_owner(&app, "(312) 555-0962").await;
    let (second, _, _) = lead_and_owner(&app, "(312) 555-0963").await;
    assert_eq!(app.lead(first).await["waiting_since"], Value::Null);

    app.advance("PT1M").await;
    app.reply("+13125550962", "Does it have heated seats?")
        .await;
    app.advance("PT1M").await;
    app.reply("+13125550963", "what colors does it come in")
        .await;
    app.advance("PT3M").await;

    let waiting = queue(&app, "waiting=true").await;
    let ids: Vec<i64> = waiting
        .iter()
        .map(|w| w["lead_id"].as_i64().unwrap())
        .collect();
    let mine: Vec<&Value> = waiting.iter().filter(|w| w["lead_id"] == first).collect();
    assert!(ids.contains(&second), "{waiting:?}");
    assert!(
        ids.iter().position(|i| *i == first) < ids.iter().position(|i| *i == second),
        "oldest first: {waiting:?}"
    );
    let w = mine[0];
    assert_eq!(w["since"], "2026-12-01T15:01:00Z", "{w}");
    assert_eq!(w["waited_seconds"], 240, "{w}");
    assert_eq!(w["owner"]["id"], owner.as_str());
    assert_eq!(w["last_message"], "Does it have heated seats?");
    let sla = if w["hot"] == true { "15:06" } else { "15:16" };
    assert_eq!(w["due_at"], format!("2026-12-01T{sla}:00Z"), "{w}");
    assert_eq!(w["overdue"], false);
    assert_eq!(
        app.lead(first).await["waiting_since"],
        "2026-12-01T15:01:00Z"
    );
    let by_owner = queue(&app, &format!("waiting=true&owner={owner}")).await;
    assert!(by_owner.iter().all(|w| w["owner"]["id"] == owner.as_str()));

    // A second message does not restart the clock.
    app.reply("+13125550962", "and a sunroof?").await;
    let w = queue(&app, "waiting=true").await;
    let w = w.iter().find(|w| w["lead_id"] == first).unwrap();
    assert_eq!(w["since"], "2026-12-01T15:01:00Z");
    assert_eq!(w["last_message"], "and a sunroof?");

    // A person's answer clears it.
    let sent = post_as(
        &app,
        &token,
        &format!("/api/v1/leads/{first}/messages"),
        &json!({"channel": "sms", "body": "Yes to both!"}),
    )
    .await;
    assert_eq!(sent.status(), 202);
    let waiting = queue(&app, "waiting=true").await;
    assert!(waiting.iter().all(|w| w["lead_id"] != first), "{waiting:?}");
    assert_eq!(app.lead(first).await["waiting_since"], Value::Null);
    let thread = conversation(&app, &token, first).await;
    assert_eq!(thread["waiting"], Value::Null);

    // So does a reply task done (the person answered another way, say by phone).
    let tasks = app.tasks(None).await;
    let task = tasks
        .iter()
        .find(|t| t["lead_id"] == second && t["kind"] == "reply" && t["status"] == "open")
        .unwrap_or_else(|| panic!("{tasks:?}"));
    let done = app
        .post(
            &format!("/api/v1/tasks/{}/complete", task["id"]),
            &json!({"outcome": "done", "by": "morgan"}),
        )
        .await;
    assert_eq!(done.status(), 200);
    let waiting = queue(&app, "waiting=true").await;
    assert!(
        waiting.iter().all(|w| w["lead_id"] != second),
        "{waiting:?}"
    );
}

#[tokio::test]
async fn an_opt_out_a_closing_or_a_plain_confirmation_waits_on_nobody() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let (stop, _, _) = lead_and_owner(&app, "(312) 555-0964").await;
    let (bought, _, _) = lead_and_owner(&app, "(312) 555-0965").await;
    let (asks, _, _) = lead_and_owner(&app, "(312) 555-0966").await;
    app.reply("+13125550964", "STOP").await;
    app.reply("+13125550965", "I already bought one somewhere else")
        .await;
    app.reply("+13125550966", "Is it still available?").await;
    let waiting: Vec<i64> = queue(&app, "waiting=true")
        .await
        .iter()
        .map(|w| w["lead_id"].as_i64().unwrap())
        .collect();
    assert_eq!(waiting, [asks], "{}", app.story(stop).await);
    let _ = bought;
}

#[tokio::test]
async fn the_waiting_queue_and_the_thread_follow_who_may_see_what() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let (id, owner, _) = lead_and_owner(&app, "(312) 555-0967").await;
    app.reply("+13125550967", "Is it still available?").await;
    let colleague = if owner == "sam" { "jordan" } else { "sam" };
    let theirs = token_for(&app, colleague).await;
    let thread = get_as(&app, &theirs, &format!("/api/v1/leads/{id}/conversation")).await;
    assert_eq!(thread.status(), 404);
    let note = post_as(
        &app,
        &theirs,
        &format!("/api/v1/leads/{id}/notes"),
        &json!({"body": "mine"}),
    )
    .await;
    assert_eq!(note.status(), 404);
    let others = get_as(
        &app,
        &theirs,
        &format!("/api/v1/conversations?waiting=true&owner={owner}"),
    )
    .await;
    assert_eq!(others.status(), 403);
    let own: Vec<Value> = get_as(&app, &theirs, "/api/v1/conversations?waiting=true")
        .await
        .json()
        .await
        .unwrap();
    assert!(own.is_empty(), "{own:?}");
    let manager = token_for(&app, "morgan").await;
    let all: Vec<Value> = get_as(&app, &manager, "/api/v1/conversations?waiting=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all.len(), 1, "{all:?}");
}

#[tokio::test]
async fn a_bad_note_or_queue_request_is_refused_naming_the_field() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let (id, _, token) = lead_and_owner(&app, "(312) 555-0968").await;
    let path = format!("/api/v1/leads/{id}/notes");
    // (token is the owner's, body, field)
    let cases = [
        (true, json!({"body": "  "}), "body"),
        (true, json!({"body": "x".repeat(2001)}), "body"),
        (true, json!({"body": "hi", "extra": 1}), "extra"),
        (false, json!({"body": "hi"}), "by"),
    ];
    for (own, body, field) in cases {
        let response = if own {
            post_as(&app, &token, &path, &body).await
        } else {
            app.post(&path, &body).await
        };
        assert_eq!(response.status(), 422, "{body}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["fields"][0]["field"], field, "{body}: {answer}");
    }
    assert!(app
        .timeline(id)
        .await
        .iter()
        .all(|e| e["kind"] != "note_added"));
    for (query, field) in [
        ("", "waiting"),
        ("waiting=false", "waiting"),
        ("waiting=true&owner=nobody", "owner"),
    ] {
        let response = app.get(&format!("/api/v1/conversations?{query}")).await;
        assert_eq!(response.status(), 422, "{query}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["fields"][0]["field"], field, "{query}: {answer}");
    }
}

#[tokio::test]
async fn a_manager_of_one_dealership_sees_only_its_leads_and_its_waiting_queue() {
    let mut config = crate::helpers::starter_config();
    let mut north = config.dealerships[0].clone();
    north.id = "north".into();
    north.name = "Lakeside North".into();
    config.dealerships.push(north);
    for s in &mut config.staff {
        s.dealership = match s.id.as_str() {
            "morgan" => Some("main".into()),
            "pat" => Some("north".into()),
            _ => None,
        };
    }
    let app =
        crate::helpers::spawn_app_configured(config, "sqlite::memory:", TUESDAY_9AM_CHICAGO).await;
    let main = app.create_lead(&inquiry("(312) 555-0971")).await;
    let mut other = inquiry("(312) 555-0972");
    other["dealership"] = json!("north");
    let north = app.create_lead(&other).await;
    assert_eq!(app.lead(north).await["dealership"], "north");
    app.reply("+13125550971", "Is it still available?").await;
    app.reply("+13125550972", "Is it still available?").await;

    // (manager, lead, status)
    let morgan = token_for(&app, "morgan").await;
    let pat = token_for(&app, "pat").await;
    for (token, lead, status) in [
        (&morgan, main, 200),
        (&morgan, north, 404),
        (&pat, north, 200),
        (&pat, main, 404),
    ] {
        for path in [
            format!("/api/v1/leads/{lead}"),
            format!("/api/v1/leads/{lead}/conversation"),
        ] {
            assert_eq!(get_as(&app, token, &path).await.status(), status, "{path}");
        }
    }
    let queue_of = |token: String| {
        let app = &app;
        async move {
            get_as(app, &token, "/api/v1/conversations?waiting=true")
                .await
                .json::<Vec<Value>>()
                .await
                .unwrap()
                .iter()
                .map(|w| w["lead_id"].as_i64().unwrap())
                .collect::<Vec<i64>>()
        }
    };
    assert_eq!(queue_of(morgan.clone()).await, [main]);
    assert_eq!(queue_of(pat.clone()).await, [north]);
    let leads: Vec<Value> = get_as(&app, &morgan, "/api/v1/leads")
        .await
        .json()
        .await
        .unwrap();
    assert!(leads.iter().all(|l| l["dealership"] == "main"), "{leads:?}");
}

#[tokio::test]
async fn a_persons_message_completes_the_open_reply_task_it_answers() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let (id, owner, token) = lead_and_owner(&app, "(312) 555-0964").await;
    app.advance("PT1M").await;
    app.reply("+13125550964", "Does it come in blue?").await;
    let open = |tasks: &[Value]| {
        tasks
            .iter()
            .filter(|t| t["lead_id"] == id && t["kind"] == "reply" && t["status"] == "open")
            .count()
    };
    assert_eq!(open(&app.tasks(None).await), 1, "{}", app.story(id).await);
    let sent = post_as(
        &app,
        &token,
        &format!("/api/v1/leads/{id}/messages"),
        &json!({"channel": "sms", "body": "It does, in two shades."}),
    )
    .await;
    assert_eq!(sent.status(), 202);
    let tasks = app.tasks(None).await;
    assert_eq!(open(&tasks), 0, "{tasks:#?}\n{}", app.story(id).await);
    let done = tasks
        .iter()
        .find(|t| t["lead_id"] == id && t["kind"] == "reply")
        .unwrap();
    assert_eq!(done["status"], "done", "{done}");
    let timeline = app.timeline(id).await;
    let completed = timeline
        .iter()
        .find(|e| e["kind"] == "task_completed")
        .unwrap_or_else(|| panic!("no task_completed:\n{timeline:#?}"));
    assert_eq!(completed["data"]["by"], owner.as_str(), "{completed}");
    assert_eq!(completed["data"]["kind"], "reply", "{completed}");
}

#[tokio::test]
async fn at_the_same_instant_the_customers_message_comes_before_the_answer_to_it() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let (id, _, token) = lead_and_owner(&app, "(312) 555-0965").await;
    app.advance("PT1M").await;
    // The manual clock does not move between the customer's message and the answer.
    app.reply("+13125550965", "Is it still there?").await;
    let sent = post_as(
        &app,
        &token,
        &format!("/api/v1/leads/{id}/messages"),
        &json!({"channel": "sms", "body": "Yes, it is!"}),
    )
    .await;
    assert_eq!(sent.status(), 202);
    let thread = conversation(&app, &token, id).await;
    let bodies: Vec<&str> = thread["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["body"].as_str().unwrap())
        .collect();
    let asked = bodies.iter().position(|b| *b == "Is it still there?");
    let answered = bodies.iter().position(|b| *b == "Yes, it is!");
    assert!(
        asked.is_some() && asked < answered,
        "{bodies:#?}\n{}",
        app.story(id).await
    );
}
