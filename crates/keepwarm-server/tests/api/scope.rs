//! Every route a staff token reaches, over two dealerships: a manager sees and does everything in
//! their own dealership and nothing in the other (another dealership's lead answers 404, as for one
//! that does not exist); sales and BDC their own leads; service the service segments. Rows that
//! name leads (tasks, escalations, appointments, documents) are kept to the leads the caller sees.

use keepwarm_domain::config::Config;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{inquiry, spawn_app_configured, TestApp, TUESDAY_9AM_CHICAGO};
use crate::staff::{get_as, post_as, token_for};

/// The starter configuration with a second dealership, `north`: Morgan manages `main`, where Sam
/// sells and Riley advises; Pat manages `north`, where Alex sells; Jordan (BDC) and Casey belong to
/// neither, as a shared BDC would.
fn two_dealerships() -> Config {
    let mut config = crate::helpers::starter_config();
    let mut north = config.dealerships[0].clone();
    north.id = "north".into();
    north.name = "Lakeside North".into();
    config.dealerships.push(north);
    for s in &mut config.staff {
        s.dealership = match s.id.as_str() {
            "morgan" | "sam" | "riley" => Some("main".into()),
            "pat" | "alex" => Some("north".into()),
            _ => None,
        };
    }
    config
}

fn lead_in(dealership: &str, owner: &str, phone: &str) -> Value {
    let mut lead = inquiry(phone);
    lead["owner"] = json!(owner);
    lead["dealership"] = json!(dealership);
    lead
}

/// A lead nobody can reach: its owner gets a `fix_contact` task at once.
fn unreachable_lead(dealership: &str, owner: &str, name: &str) -> Value {
    json!({
        "source": {"kind": "internet", "provider": "Cars.com"},
        "dealership": dealership,
        "owner": owner,
        "customer": {"first_name": name},
    })
}

async fn ids_of(app: &TestApp, token: &str, path: &str, key: &str) -> Vec<i64> {
    let response = get_as(app, token, path).await;
    assert_eq!(response.status(), 200, "{path}");
    let rows: Vec<Value> = response.json().await.unwrap();
    rows.iter()
        .map(|r| r[key].as_i64().unwrap_or_else(|| panic!("{key} in {r}")))
        .collect()
}

struct World {
    app: TestApp,
    /// Sam's lead in main, with a hot reply (an escalation) and an appointment.
    main: i64,
    /// Alex's lead in north, likewise.
    north: i64,
    /// Jordan's unreachable leads (a task each), one per dealership.
    main_task_lead: i64,
    north_task_lead: i64,
    /// The lead of an ADF document (ADF lands in the first dealership, main).
    adf_lead: i64,
    adf_document: i64,
}

async fn world() -> World {
    let app = spawn_app_configured(two_dealerships(), "sqlite::memory:", TUESDAY_9AM_CHICAGO).await;
    let main = app
        .create_lead(&lead_in("main", "sam", "(312) 555-0981"))
        .await;
    let north = app
        .create_lead(&lead_in("north", "alex", "(312) 555-0982"))
        .await;
    let main_task_lead = app
        .create_lead(&unreachable_lead("main", "jordan", "Mia"))
        .await;
    let north_task_lead = app
        .create_lead(&unreachable_lead("north", "jordan", "Noa"))
        .await;
    app.reply("+13125550981", "Can I come see it Saturday morning?")
        .await;
    app.reply("+13125550982", "Can I come see it Saturday morning?")
        .await;
    for (id, by) in [(main, "sam"), (north, "alex")] {
        let booked = app
            .post(
                &format!("/api/v1/leads/{id}/outcomes"),
                &json!({"stage": "appointment_set", "by": by,
                        "appointment": {"at": "2026-12-05T16:00:00Z", "kind": "sales"}}),
            )
            .await;
        assert_eq!(booked.status(), 200, "{}", app.story(id).await);
    }
    let adf = app
        .client
        .post(format!("{}/api/v1/leads/adf", app.address))
        .bearer_auth(crate::helpers::TOKEN)
        .header("content-type", "application/xml")
        .body(ADF)
        .send()
        .await
        .unwrap();
    assert_eq!(adf.status(), 201);
    let adf: Value = adf.json().await.unwrap();
    let adf_document = adf["document_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{adf}"));
    let adf_lead = adf["leads"][0]["id"]
        .as_i64()
        .or_else(|| adf["leads"][0]["lead_id"].as_i64())
        .unwrap_or_else(|| panic!("{adf}"));
    World {
        app,
        main,
        north,
        main_task_lead,
        north_task_lead,
        adf_lead,
        adf_document,
    }
}

const ADF: &str = r#"<?xml version="1.0"?>
<adf><prospect status="new">
  <requestdate>2026-12-01T08:30:00-06:00</requestdate>
  <vehicle interest="buy" status="used"><year>2021</year><make>Honda</make><model>CR-V</model></vehicle>
  <customer><contact>
    <name part="first">Ada</name><name part="last">Quinn</name>
    <phone type="voice">(312) 555-0983</phone>
  </contact></customer>
  <vendor><vendorname>Lakeside Motors</vendorname></vendor>
  <provider><name part="full">Cars.com</name></provider>
</prospect></adf>"#;

/// The routes that read or act on one lead.
fn lead_routes(id: i64) -> Vec<(&'static str, String, Value)> {
    let reason = json!({"reason": "checking"});
    vec![
        ("GET", format!("/api/v1/leads/{id}"), Value::Null),
        ("GET", format!("/api/v1/leads/{id}/timeline"), Value::Null),
        (
            "GET",
            format!("/api/v1/leads/{id}/conversation"),
            Value::Null,
        ),
        (
            "GET",
            format!("/api/v1/leads/{id}/messages/draft?block=first_response"),
            Value::Null,
        ),
        (
            "POST",
            format!("/api/v1/leads/{id}/notes"),
            json!({"body": "a note"}),
        ),
        (
            "POST",
            format!("/api/v1/leads/{id}/messages"),
            json!({"channel": "sms", "body": "Hi"}),
        ),
        ("POST", format!("/api/v1/leads/{id}/calls"), json!({})),
        ("POST", format!("/api/v1/leads/{id}/pause"), reason.clone()),
        ("POST", format!("/api/v1/leads/{id}/resume"), reason.clone()),
        ("POST", format!("/api/v1/leads/{id}/stop"), reason),
        (
            "POST",
            format!("/api/v1/leads/{id}/owner"),
            json!({"owner": "sam", "reason": "x"}),
        ),
        (
            "POST",
            format!("/api/v1/leads/{id}/outcomes"),
            json!({"stage": "contacted"}),
        ),
        (
            "POST",
            format!("/api/v1/leads/{id}/opt-out"),
            json!({"decision": "release"}),
        ),
    ]
}

async fn call(app: &TestApp, token: &str, method: &str, path: &str, body: &Value) -> StatusCode {
    match method {
        "GET" => get_as(app, token, path).await.status(),
        _ => post_as(app, token, path, body).await.status(),
    }
}

#[tokio::test]
async fn a_lead_of_another_dealership_or_owner_is_404_on_every_lead_route() {
    let w = world().await;
    let app = &w.app;
    // (staff, lead, sees it)
    let table = [
        ("morgan", w.main, true),
        ("morgan", w.north, false),
        ("pat", w.north, true),
        ("pat", w.main, false),
        ("sam", w.main, true),
        ("sam", w.north, false),
        ("alex", w.north, true),
        ("alex", w.main, false),
        ("riley", w.main, false),
        ("jordan", w.main, false),
        ("jordan", w.north_task_lead, true),
    ];
    for (who, lead, sees) in table {
        let token = token_for(app, who).await;
        for (method, path, body) in lead_routes(lead) {
            // Only the reads are asked of a lead one sees (the actions would change it).
            if sees && method != "GET" {
                continue;
            }
            let status = call(app, &token, method, &path, &body).await;
            let expected = if sees { 200 } else { 404 };
            assert_eq!(status, expected, "{who} {method} {path}");
        }
    }
    // The touches of a lead one does not see are hidden the same way.
    let touch = app
        .timeline(w.north)
        .await
        .iter()
        .find_map(|e| e["data"]["touch_id"].as_i64())
        .expect("a touch of the north lead");
    let morgan = token_for(app, "morgan").await;
    let path = format!("/api/v1/touches/{touch}/compliance");
    assert_eq!(get_as(app, &morgan, &path).await.status(), 404);
    let pat = token_for(app, "pat").await;
    assert_eq!(get_as(app, &pat, &path).await.status(), 200);
}

#[tokio::test]
async fn lists_keep_a_manager_of_one_dealership_to_its_leads() {
    let w = world().await;
    let app = &w.app;
    let morgan = token_for(app, "morgan").await;
    let pat = token_for(app, "pat").await;
    // (list, row key, lead of the row, main's rows, north's rows)
    let lists = [
        ("/api/v1/leads", "id"),
        ("/api/v1/tasks", "lead_id"),
        ("/api/v1/escalations", "lead_id"),
        ("/api/v1/appointments", "lead_id"),
        ("/api/v1/conversations?waiting=true", "lead_id"),
    ];
    let mains = [w.main, w.main_task_lead, w.adf_lead];
    let norths = [w.north, w.north_task_lead];
    for (path, key) in lists {
        let of_morgan = ids_of(app, &morgan, path, key).await;
        let of_pat = ids_of(app, &pat, path, key).await;
        assert!(
            !of_morgan.is_empty() && of_morgan.iter().all(|id| mains.contains(id)),
            "{path}: Morgan manages main only: {of_morgan:?}"
        );
        assert!(
            !of_pat.is_empty() && of_pat.iter().all(|id| norths.contains(id)),
            "{path}: Pat manages north only: {of_pat:?}"
        );
    }
    // Jordan belongs to neither dealership: a manager sees Jordan's work in their own only.
    let tasks = ids_of(app, &morgan, "/api/v1/tasks", "lead_id").await;
    assert!(tasks.contains(&w.main_task_lead) && !tasks.contains(&w.north_task_lead));

    // The raw documents: the ADF made a main lead.
    let docs = ids_of(app, &pat, "/api/v1/documents", "id").await;
    assert!(!docs.contains(&w.adf_document), "{docs:?}");
    let docs = ids_of(app, &morgan, "/api/v1/documents", "id").await;
    assert!(docs.contains(&w.adf_document), "{docs:?}");
    for (token, status) in [(&morgan, 200), (&pat, 404)] {
        for path in [
            format!("/api/v1/documents/{}", w.adf_document),
            format!("/api/v1/documents/{}/raw", w.adf_document),
        ] {
            assert_eq!(get_as(app, token, &path).await.status(), status, "{path}");
        }
    }

    // The funnel counts one's own dealership's leads.
    let funnel: Vec<Value> = get_as(app, &pat, "/api/v1/reports/funnel")
        .await
        .json()
        .await
        .unwrap();
    let all = funnel.iter().find(|r| r["group"] == "all").unwrap();
    assert_eq!(all["leads"], norths.len(), "{funnel:?}");

    // Channels: one's own dealership's senders.
    let channels: Value = get_as(app, &pat, "/api/v1/channels")
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = channels["dealerships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["north"]);

    // What is no one dealership's needs the shared token (or a manager of every dealership).
    let replay = format!("/api/v1/documents/{}/replay", w.adf_document);
    assert_eq!(
        post_as(app, &morgan, &replay, &json!({})).await.status(),
        403
    );
    assert_eq!(
        get_as(app, &morgan, "/api/v1/sandbox/clock").await.status(),
        403
    );
    assert_eq!(app.get("/api/v1/sandbox/clock").await.status(), 200);
    let adf = app
        .client
        .post(format!("{}/api/v1/leads/adf", app.address))
        .bearer_auth(&morgan)
        .header("content-type", "application/xml")
        .body(ADF)
        .send()
        .await
        .unwrap();
    assert_eq!(adf.status(), 403);
}

#[tokio::test]
async fn staff_of_one_dealership_create_and_hand_work_only_within_it() {
    let w = world().await;
    let app = &w.app;
    let alex = token_for(app, "alex").await;
    let created = post_as(app, &alex, "/api/v1/leads", &inquiry("(312) 555-0984")).await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    assert_eq!(
        app.lead(id).await["dealership"],
        "north",
        "Alex's own dealership"
    );
    let mut elsewhere = inquiry("(312) 555-0985");
    elsewhere["dealership"] = json!("main");
    assert_eq!(
        post_as(app, &alex, "/api/v1/leads", &elsewhere)
            .await
            .status(),
        404
    );

    // A lead or an escalation goes only to someone who works for its dealership.
    let handed = app
        .post(
            &format!("/api/v1/leads/{}/owner", w.main),
            &json!({"owner": "alex", "reason": "cover", "by": "morgan"}),
        )
        .await;
    assert_eq!(handed.status(), 422);
    let answer: Value = handed.json().await.unwrap();
    assert_eq!(answer["fields"][0]["field"], "owner", "{answer}");
    let escalation = ids_of(app, crate::helpers::TOKEN, "/api/v1/escalations", "id").await;
    let morgan = token_for(app, "morgan").await;
    let mut refused = 0;
    for e in escalation {
        let r = post_as(
            app,
            &morgan,
            &format!("/api/v1/escalations/{e}/reassign"),
            &json!({"owner": "alex"}),
        )
        .await;
        if r.status() == 422 {
            refused += 1;
        } else {
            assert_eq!(r.status(), 404, "north's escalations are not Morgan's");
        }
    }
    assert!(refused >= 1, "main's escalation cannot go to north's Alex");
}

#[tokio::test]
async fn a_team_spanning_dealerships_hands_each_new_lead_round_robin_to_its_own_dealerships_members(
) {
    // The sales team spans both: Sam works for main, Alex for north, Jordan for both; at noon on
    // a Tuesday all three are on shift.
    let app =
        spawn_app_configured(two_dealerships(), "sqlite::memory:", "2026-12-01T18:00:00Z").await;
    let mut owners: Vec<(&str, String)> = Vec::new();
    for (i, dealership) in ["north", "main", "north", "main", "north", "main", "north"]
        .into_iter()
        .enumerate()
    {
        let mut lead = inquiry(&format!("(312) 555-07{i:02}"));
        lead["dealership"] = json!(dealership);
        let id = app.create_lead(&lead).await;
        let owner = app.lead(id).await["owner"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        owners.push((dealership, owner));
    }
    let of = |d: &str| -> Vec<&str> {
        owners
            .iter()
            .filter(|(x, _)| *x == d)
            .map(|(_, o)| o.as_str())
            .collect()
    };
    // Each dealership's leads take turns among the team members who work for it.
    assert_eq!(
        of("north"),
        ["alex", "jordan", "alex", "jordan"],
        "{owners:?}"
    );
    assert_eq!(of("main"), ["sam", "jordan", "sam"], "{owners:?}");
}
