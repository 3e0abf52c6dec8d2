//! Issue 16: people's data on request — export everything held about a person, erase it leaving
//! nothing findable in the database file, refuse the erased person forever after; raw-document
//! retention; the hourly cap on new leads per source.

use std::path::Path;

use keepwarm_engine::{ImportRow, IngestOptions, RowOutcome};
use keepwarm_store::NewDocument;
use serde_json::{json, Value};
use sqlx::{Column, Row, ValueRef};

use crate::helpers::{
    spawn_app, spawn_app_configured, spawn_app_on, starter_config, TestApp, EMAIL_SECRET,
    TUESDAY_9AM_CHICAGO,
};

const PHONE: &str = "+13125550777";
const EMAIL: &str = "zeb.quigley@example.net";

/// Every way the person is written down: the strings no table may hold after the erasure.
const TRACES: &[&str] = &[PHONE, "3125550777", "555-0777", EMAIL, "Zebulon", "Quigley"];

fn adf(prospects: &str) -> String {
    format!("<?xml version=\"1.0\"?><?ADF VERSION \"1.0\"?><adf>{prospects}</adf>")
}

fn prospect(first: &str, last: &str, phone: &str, email: &str, provider: &str) -> String {
    format!(
        r#"<prospect status="new"><requestdate>2026-12-01T08:55:00-06:00</requestdate>
        <vehicle interest="buy" status="used"><year>2021</year><make>Toyota</make><model>RAV4</model></vehicle>
        <customer><contact><name part="first">{first}</name><name part="last">{last}</name>
        <email>{email}</email><phone type="cellphone">{phone}</phone></contact>
        <comments>Is it still there?</comments></customer>
        <provider><name part="full">{provider}</name></provider></prospect>"#
    )
}

fn zebulon() -> String {
    adf(&prospect(
        "Zebulon",
        "Quigley",
        "(312) 555-0777",
        EMAIL,
        "Cars.com",
    ))
}

fn email_of(from: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: internet@lakeside-motors.example.com\r\nSubject: New lead\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
}

async fn post_email(app: &TestApp, message: String) -> reqwest::Response {
    app.client
        .post(format!(
            "{}/webhooks/email?token={EMAIL_SECRET}",
            app.address
        ))
        .body(message)
        .send()
        .await
        .unwrap()
}

async fn post_adf(app: &TestApp, body: String) -> reqwest::Response {
    app.post_raw("/api/v1/leads/adf", "application/xml", body)
        .await
}

/// Zebulon as a lead with a life: an ADF inquiry, the first touches, a question that escalates,
/// and STOP. Returns the lead's id.
async fn zebulon_with_history(app: &TestApp) -> i64 {
    let response = post_adf(app, zebulon()).await;
    assert_eq!(response.status(), 201);
    let outcome: Value = response.json().await.unwrap();
    let id = outcome["leads"][0]["id"].as_i64().unwrap();
    app.advance("26h").await;
    app.reply(PHONE, "Can I come in Saturday morning to see it?")
        .await;
    app.advance("1h").await;
    app.reply(PHONE, "STOP").await;
    app.advance("10m").await;
    id
}

#[tokio::test]
async fn an_export_holds_everything_the_api_shows_about_the_person() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = zebulon_with_history(&app).await;
    let other = app
        .create_lead(&crate::helpers::inquiry("(312) 555-0402"))
        .await;

    let contact = app.engine.person_contact(" (312) 555-0777 ").unwrap();
    let export = serde_json::to_value(app.engine.export_person(&contact).await.unwrap()).unwrap();
    let by_email = app
        .engine
        .person_contact("Zeb.Quigley@Example.NET")
        .unwrap();
    let again = serde_json::to_value(app.engine.export_person(&by_email).await.unwrap()).unwrap();
    assert_eq!(
        export["tables"], again["tables"],
        "the phone and the address find the same person"
    );

    assert_eq!(
        export["leads"],
        json!([id]),
        "only their lead, not lead {other}"
    );
    let tables = &export["tables"];
    let ids = |rows: &Value| -> Vec<i64> {
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .collect()
    };
    let timeline = app.timeline(id).await;
    assert_eq!(
        ids(&tables["events"]),
        ids(&Value::from(timeline.clone())),
        "timeline"
    );
    let outbox = app.outbox(Some(id)).await;
    assert!(!outbox.is_empty());
    assert_eq!(
        ids(&tables["outbox"]),
        ids(&Value::from(outbox)),
        "messages sent"
    );
    let tasks: Vec<Value> = app
        .tasks(None)
        .await
        .into_iter()
        .filter(|t| t["lead_id"] == json!(id))
        .collect();
    assert_eq!(ids(&tables["tasks"]), ids(&Value::from(tasks)), "tasks");
    let escalations: Vec<Value> = app.get("/api/v1/escalations").await.json().await.unwrap();
    let theirs: Vec<Value> = escalations
        .into_iter()
        .filter(|e| e["lead_id"] == json!(id))
        .collect();
    assert!(!theirs.is_empty());
    assert_eq!(
        ids(&tables["escalations"]),
        ids(&Value::from(theirs)),
        "escalations"
    );
    let lead = app.lead(id).await;
    assert_eq!(tables["leads"][0]["display_name"], lead["name"]);
    let received: Vec<&Value> = timeline
        .iter()
        .filter(|e| e["data"].to_string().contains("Saturday morning"))
        .collect();
    assert!(
        !received.is_empty(),
        "the customer's own message is on the timeline"
    );
    assert!(tables["consent_ledger"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["words"] == "STOP"));
    assert!(
        !tables["touches"].as_array().unwrap().is_empty(),
        "touches with their texts"
    );
    assert!(
        !tables["outbound_messages"].as_array().unwrap().is_empty(),
        "queued alerts"
    );
    let documents = tables["inbound_documents"].as_array().unwrap();
    assert_eq!(documents.len(), 1);
    assert!(documents[0]["body"]
        .as_str()
        .unwrap()
        .contains("(312) 555-0777"));
}

#[tokio::test]
async fn a_bad_contact_is_refused_naming_it() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let error = app
        .engine
        .person_contact("call me maybe")
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("contact: `call me maybe` is not a usable phone number"),
        "{error}"
    );
    assert!(!error.contains('\n'));
}

/// Every text and blob in every table of the database file, and the file's raw bytes, searched for
/// the person: the places each trace was found.
async fn traces_in(db: &Path) -> Vec<String> {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=ro", db.display()))
        .await
        .unwrap();
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(&pool)
            .await
            .unwrap();
    let mut found = Vec::new();
    for table in tables {
        for row in sqlx::query(&format!("SELECT * FROM \"{table}\""))
            .fetch_all(&pool)
            .await
            .unwrap()
        {
            for (i, column) in row.columns().iter().enumerate() {
                if row.try_get_raw(i).unwrap().is_null() {
                    continue;
                }
                let text = match row.try_get::<String, _>(i) {
                    Ok(t) => t,
                    Err(_) => match row.try_get::<Vec<u8>, _>(i) {
                        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
                        Err(_) => continue,
                    },
                };
                let digits: String = text.chars().filter(char::is_ascii_digit).collect();
                for trace in TRACES {
                    if text.contains(trace) || (trace.len() == 10 && digits.contains(trace)) {
                        found.push(format!("{table}.{}: {trace}", column.name()));
                    }
                }
            }
        }
    }
    pool.close().await;
    for suffix in ["", "-wal"] {
        let path = format!("{}{suffix}", db.display());
        let bytes = std::fs::read(&path).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        for trace in TRACES {
            if text.contains(trace) {
                found.push(format!("file {path}: {trace}"));
            }
        }
    }
    found
}

#[tokio::test]
async fn an_erased_person_leaves_nothing_findable_in_the_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keepwarm.db");
    let app = spawn_app_on(&db, TUESDAY_9AM_CHICAGO).await;
    let id = zebulon_with_history(&app).await;
    let by_email = post_email(&app, email_of("leads@cars.com", &zebulon())).await;
    assert_eq!(by_email.status(), 200);
    let other = app
        .create_lead(&crate::helpers::inquiry("(312) 555-0402"))
        .await;
    assert!(
        !traces_in(&db).await.is_empty(),
        "the search finds the person before"
    );

    let contact = app
        .engine
        .person_contact("zeb.quigley@example.net")
        .unwrap();
    let report = app
        .engine
        .erase_person(&contact, "privacy@lakeside")
        .await
        .unwrap();
    assert_eq!(report.leads, 1);
    assert_eq!(report.suppressed, 2, "their phone and their address");

    let left = traces_in(&db).await;
    assert!(
        left.is_empty(),
        "still findable after erasure:\n{}",
        left.join("\n")
    );
    assert_eq!(app.get(&format!("/api/v1/leads/{id}")).await.status(), 404);
    assert_eq!(
        app.lead(other).await["id"],
        json!(other),
        "other people are untouched"
    );
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=ro", db.display()))
        .await
        .unwrap();
    let (by, counts): (String, String) = sqlx::query_as("SELECT by, counts FROM erasures")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(by, "privacy@lakeside");
    let counts: Value = serde_json::from_str(&counts).unwrap();
    assert_eq!(counts["leads"], 1, "{counts}");
    assert!(counts["events"].as_u64().unwrap() > 5, "{counts}");
    assert_eq!(
        counts["inbound_documents"], 2,
        "the ADF and the e-mail: {counts}"
    );
}

#[tokio::test]
async fn an_erased_person_arriving_again_is_refused_and_recorded_without_their_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keepwarm.db");
    let app = spawn_app_on(&db, TUESDAY_9AM_CHICAGO).await;
    zebulon_with_history(&app).await;
    let contact = app.engine.person_contact("312.555.0777").unwrap();
    app.engine
        .erase_person(&contact, "privacy@lakeside")
        .await
        .unwrap();

    // ADF over HTTP, with someone else in the same document.
    let both = adf(&format!(
        "{}{}",
        prospect(
            "Zebulon",
            "Quigley",
            "312-555-0777",
            "other@example.org",
            "Cars.com"
        ),
        prospect(
            "Ada",
            "Byrne",
            "(312) 555-0403",
            "ada@example.org",
            "Cars.com"
        ),
    ));
    let response = post_adf(&app, both).await;
    assert_eq!(response.status(), 201);
    let outcome: Value = response.json().await.unwrap();
    assert_eq!(outcome["leads"].as_array().unwrap().len(), 1, "{outcome}");
    assert_eq!(
        outcome["refused"][0]["field"], "prospect[0].customer",
        "{outcome}"
    );
    assert!(outcome["refused"][0]["message"]
        .as_str()
        .unwrap()
        .contains("erased on request"));
    // By e-mail, alone.
    let response = post_email(&app, email_of("leads@cars.com", &zebulon())).await;
    assert_eq!(response.status(), 422);
    // A CSV row (as `keepwarm ingest` imports one), by address only.
    let csv = format!("first_name,last_name,email\nZebulon,Quigley,{EMAIL}\n");
    let document = app
        .engine
        .store()
        .store_document(&NewDocument {
            received_at: app.now(),
            channel: "cli_csv".into(),
            content_type: Some("text/csv".into()),
            body: csv.into_bytes(),
        })
        .await
        .unwrap();
    let row = keepwarm_domain::lead::parse_lead_json(
        json!({"source": {"kind": "internet"}, "customer": {"first_name": "Zebulon", "last_name": "Quigley", "emails": [EMAIL]}})
            .to_string()
            .as_bytes(),
        "US",
    )
    .unwrap();
    let outcomes = app
        .engine
        .import_chunk(vec![ImportRow {
            key: "row-1".into(),
            lead: row,
            options: IngestOptions {
                document_id: Some(document),
                ..IngestOptions::default()
            },
        }])
        .await
        .unwrap();
    assert!(
        matches!(&outcomes[0], RowOutcome::Refused { message } if message.contains("erased")),
        "{outcomes:?}"
    );
    // A text from the number: not taken in as a new lead.
    let text = app
        .post(
            "/api/v1/sandbox/inbound",
            &json!({"from": PHONE, "body": "hello?"}),
        )
        .await;
    assert_eq!(text.status(), 422);

    let leads: Vec<Value> = app.get("/api/v1/leads").await.json().await.unwrap();
    assert_eq!(leads.len(), 1, "only Ada: {leads:?}");
    let left = traces_in(&db).await;
    assert!(
        left.is_empty(),
        "the refusals kept their data:\n{}",
        left.join("\n")
    );
    let documents: Vec<Value> = app.get("/api/v1/documents").await.json().await.unwrap();
    assert!(documents.len() >= 3);
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=ro", db.display()))
        .await
        .unwrap();
    let refused: i64 = sqlx::query_scalar("SELECT sum(refused) FROM suppressed_contacts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(
        refused >= 4,
        "each refusal is counted, without the person: {refused}"
    );
}

#[tokio::test]
async fn a_send_to_an_erased_person_is_refused_at_send_time() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    zebulon_with_history(&app).await;
    let contact = app.engine.person_contact(PHONE).unwrap();
    app.engine.erase_person(&contact, "privacy").await.unwrap();
    // Something queued to them after all (a message some other path wanted sent).
    let dealership = starter_config().dealerships[0].id.clone();
    app.engine
        .store()
        .enqueue_outbound(
            &[keepwarm_store::NewOutbound {
                lead_id: None,
                purpose: keepwarm_store::OutboundPurpose::OptOutConfirmation,
                channel: "sms".into(),
                recipient_kind: "customer".into(),
                recipient: PHONE.into(),
                subject: None,
                body: "You are unsubscribed.".into(),
                attachments: Vec::new(),
                dealership,
                dedupe_key: None,
                on_sent: None,
                on_failed: None,
                due_at: app.now(),
                sender: None,
            }],
            app.now(),
        )
        .await
        .unwrap();
    app.advance("1m").await;
    let queued = app.engine.store().outbound_messages(None).await.unwrap();
    let theirs: Vec<_> = queued.iter().filter(|m| m.recipient == PHONE).collect();
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].state, "failed");
    let outbox = app.outbox(None).await;
    assert!(
        outbox.iter().all(|m| m["recipient"] != PHONE),
        "nothing reached them"
    );
}

#[tokio::test]
async fn retention_removes_the_bodies_of_old_documents_only() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let old: Value = post_adf(&app, zebulon()).await.json().await.unwrap();
    app.advance("89d").await;
    let recent: Value = post_adf(
        &app,
        adf(&prospect(
            "Ada",
            "Byrne",
            "(312) 555-0403",
            "ada@example.org",
            "Cars.com",
        )),
    )
    .await
    .json()
    .await
    .unwrap();
    app.advance("2d").await;
    app.engine.purge_old_documents().await.unwrap();
    let raw = |id: &Value| format!("/api/v1/documents/{id}/raw");
    let old_body = app
        .get(&raw(&old["document_id"]))
        .await
        .bytes()
        .await
        .unwrap();
    assert!(
        old_body.is_empty(),
        "91 days old: removed by the 90-day default"
    );
    let recent_body = app
        .get(&raw(&recent["document_id"]))
        .await
        .bytes()
        .await
        .unwrap();
    assert!(
        String::from_utf8_lossy(&recent_body).contains("Byrne"),
        "2 days old: kept"
    );
    let lead = old["leads"][0]["id"].as_i64().unwrap();
    assert_eq!(
        app.lead(lead).await["id"],
        json!(lead),
        "the lead it produced stays"
    );
}

#[tokio::test]
async fn a_hostile_sender_posting_500_leads_in_an_hour_gets_the_caps_worth_enrolled() {
    let mut config = starter_config();
    config.intake_limits.max_new_leads_per_source_hour = 50;
    let app = spawn_app_configured(config, "sqlite::memory:", TUESDAY_9AM_CHICAGO).await;
    for batch in 0..50 {
        let prospects: String = (0..10)
            .map(|n| {
                let k = batch * 10 + n;
                prospect(
                    "Visit",
                    "http://evil.example",
                    &format!("(312) 55{:01}-{:04}", k / 10000 + 5, 1000 + k),
                    &format!("victim{k}@example.org"),
                    "Deals Now",
                )
            })
            .collect();
        let response = post_email(&app, email_of("offers@spam.example", &adf(&prospects))).await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    }
    let leads: Vec<Value> = app
        .get("/api/v1/leads?limit=1000")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(leads.len(), 50, "the cap's worth enrolled");
    let held = app.engine.store().held_inquiries(true).await.unwrap();
    assert_eq!(held.len(), 450, "the rest held");
    assert!(
        held[0].reason.contains("sender:offers@spam.example"),
        "{}",
        held[0].reason
    );
    let texted: Vec<Value> = app
        .outbox(None)
        .await
        .into_iter()
        .filter(|m| m["recipient_kind"] == "customer")
        .collect();
    assert!(
        texted.len() <= 50 * 2,
        "only the admitted leads were contacted"
    );
    let alerts: Vec<_> = app
        .engine
        .store()
        .outbound_messages(None)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.subject.as_deref() == Some("Leads held: hourly intake cap"))
        .collect();
    let managers = starter_config()
        .staff
        .iter()
        .filter(|s| s.role == keepwarm_domain::routing::Role::Manager)
        .count();
    assert_eq!(alerts.len(), managers, "one alert per manager, not 450");

    let released = app.engine.release_held(held[0].id, "morgan").await.unwrap();
    assert_eq!(released.action, "created");
    assert!(
        app.engine.release_held(held[0].id, "morgan").await.is_err(),
        "once"
    );
    app.advance("1h").await;
    let later = post_email(
        &app,
        email_of(
            "offers@spam.example",
            &adf(&prospect(
                "Late",
                "Comer",
                "(312) 555-0999",
                "late@example.org",
                "Deals Now",
            )),
        ),
    )
    .await;
    let later: Value = later.json().await.unwrap();
    assert_eq!(
        later["status"], "parsed",
        "a new hour, a new count: {later}"
    );
}
