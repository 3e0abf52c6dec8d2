//! Defects of the core found from outside, each reproduced as it was seen: a restart in the middle
//! of the night, a staff alert during an outage, a worker that died holding a message, a hot reply
//! nobody answered, an escalation's context under a real channel.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use jiff::Timestamp;
use keepwarm_channels::{
    Channel, ChannelError, Delivered, Delivery, Message, RecipientKind, SandboxChannel,
};
use serde_json::{json, Value};

use crate::helpers::{
    fresh_store, inquiry, launch, spawn_app, spawn_app_at, starter_config, test_settings,
    FreshStore, KeptDatabase, TestApp, TUESDAY_9AM_CHICAGO, TWILIO_TOKEN,
};

/// The sandbox, except that staff messages fail as if the provider were down while `down` is set.
struct StaffOutage {
    inner: SandboxChannel,
    down: Arc<AtomicBool>,
}

#[async_trait]
impl Channel for StaffOutage {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    async fn send(&self, m: &Message) -> Result<Delivery, ChannelError> {
        if m.recipient_kind == RecipientKind::Staff && self.down.load(Ordering::SeqCst) {
            return Err(ChannelError::Unavailable("503 from the provider".into()));
        }
        self.inner.send(m).await
    }

    async fn lookup(
        &self,
        m: &Message,
        since: Timestamp,
    ) -> Result<Option<Delivered>, ChannelError> {
        self.inner.lookup(m, since).await
    }
}

fn kinds(timeline: &[Value], kind: &str) -> Vec<Value> {
    timeline
        .iter()
        .filter(|e| e["kind"] == kind)
        .cloned()
        .collect()
}

#[tokio::test]
async fn an_overdue_text_after_a_night_restart_waits_for_the_customers_morning() {
    let db = KeptDatabase::create().await;
    let id;
    {
        // Tuesday 12:00 in San Francisco (14:00 at the store in Chicago).
        let app = spawn_app_at(&db, "2026-12-01T20:00:00Z").await;
        id = app.create_lead(&inquiry("(415) 555-0142")).await;
        assert_eq!(
            app.outbox(Some(id)).await.len(),
            2,
            "day 0: text and e-mail"
        );
    }
    // The server was down until Thursday 13:30Z: 05:30 in San Francisco, 07:30 at the store. The
    // day-1 text (due Wednesday) is overdue.
    let app = spawn_app_at(&db, "2026-12-03T13:30:00Z").await;
    app.advance("PT1M").await;
    let texts_at_night: Vec<Value> = app
        .outbox(Some(id))
        .await
        .into_iter()
        .filter(|m| m["channel"] == "sms" && m["at"].as_str() >= Some("2026-12-03"))
        .collect();
    assert!(
        texts_at_night.is_empty(),
        "texted at 05:30 local: {texts_at_night:?}\n{}",
        app.story(id).await
    );
    let timeline = app.timeline(id).await;
    let deferred = kinds(&timeline, "touch_deferred");
    assert!(!deferred.is_empty(), "{}", app.story(id).await);
    assert_eq!(deferred[0]["data"]["rule"], "contact_window");
    let to: Timestamp = deferred[0]["data"]["deferred_to"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        to,
        "2026-12-03T16:00:00Z".parse::<Timestamp>().unwrap(),
        "08:00 in San Francisco"
    );
    assert!(
        deferred[0]["data"]["reason"]
            .as_str()
            .unwrap()
            .contains("America/Los_Angeles"),
        "{}",
        deferred[0]["data"]
    );
    app.advance_to("2026-12-03T16:00:00Z").await;
    let sent: Vec<Value> = app
        .outbox(Some(id))
        .await
        .into_iter()
        .filter(|m| m["channel"] == "sms" && m["at"].as_str() >= Some("2026-12-03"))
        .collect();
    assert_eq!(sent.len(), 1, "{}", app.story(id).await);
    assert_eq!(sent[0]["at"], "2026-12-03T16:00:00Z");
}

async fn app_with_staff_outage(down: Arc<AtomicBool>) -> TestApp {
    let FreshStore { store, database } = fresh_store().await;
    let channel = Arc::new(StaffOutage {
        inner: SandboxChannel::new(keepwarm_engine::sandbox_outbox(&store).unwrap()),
        down,
    });
    launch(
        starter_config(),
        store,
        channel,
        TUESDAY_9AM_CHICAGO,
        test_settings(TWILIO_TOKEN, None),
    )
    .await
    .holding(database)
}

#[tokio::test]
async fn a_staff_alert_during_an_outage_waits_in_the_queue_and_goes_once_the_provider_is_back() {
    let down = Arc::new(AtomicBool::new(true));
    let app = app_with_staff_outage(down.clone()).await;
    let id = app.create_lead(&inquiry("(312) 555-0931")).await;
    let outcome = app
        .reply("+13125550931", "Can I come see it Saturday?")
        .await;
    let escalation = outcome["escalation"].as_i64().expect("escalated");
    // Sam owns the lead; at 15:05 the deadline also tells the manager, which is another message.
    let staff = |outbox: Vec<Value>| {
        outbox
            .into_iter()
            .filter(|m| m["recipient_kind"] == "staff" && m["to"] == "+13125550111")
            .collect::<Vec<_>>()
    };
    assert!(staff(app.outbox(Some(id)).await).is_empty());
    assert!(kinds(&app.timeline(id).await, "staff_notified").is_empty());

    down.store(false, Ordering::SeqCst);
    app.advance("PT5M").await;
    let alerts = staff(app.outbox(Some(id)).await);
    assert_eq!(alerts.len(), 1, "{}", app.story(id).await);
    assert!(alerts[0]["body"]
        .as_str()
        .unwrap()
        .contains(&format!("Reply {escalation}")));
    let notified: Vec<Value> = kinds(&app.timeline(id).await, "staff_notified")
        .into_iter()
        .filter(|e| e["data"]["staff"] == "sam")
        .collect();
    assert_eq!(notified.len(), 1, "{}", app.story(id).await);
    assert_eq!(notified[0]["data"]["escalation_id"], escalation);
    app.advance("PT30M").await;
    assert_eq!(staff(app.outbox(Some(id)).await).len(), 1, "sent once");
}

#[tokio::test]
async fn a_queued_message_claimed_by_a_worker_that_died_is_sent_exactly_once() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0932")).await;
    let store = app.engine.store().clone();
    let now = app.now();
    let lease = now.checked_add(jiff::Span::new().minutes(5)).unwrap();
    let message = |body: &str| keepwarm_store::NewOutbound {
        lead_id: Some(keepwarm_domain::LeadId(id)),
        purpose: keepwarm_store::OutboundPurpose::StaffAlert,
        channel: "sms".into(),
        recipient_kind: "staff".into(),
        recipient: "+13125550111".into(),
        subject: None,
        body: body.into(),
        attachments: vec![],
        dealership: "lakeside".into(),
        dedupe_key: None,
        on_sent: Some(Box::new(keepwarm_store::NewEvent::new(
            now,
            keepwarm_domain::TimelineEvent::from_stored("staff_notified", json!({"n": body})),
        ))),
        on_failed: None,
        due_at: now,
        sender: None,
    };
    // Two messages claimed by a worker that then died: the first after the provider took it, the
    // second before it was handed over.
    store
        .enqueue_outbound(
            &[
                message("delivered before the crash"),
                message("never handed over"),
            ],
            now,
        )
        .await
        .unwrap();
    let claimed = store
        .claim_outbound(now, "dead-worker", lease, 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 2);
    let sandbox = SandboxChannel::new(keepwarm_engine::sandbox_outbox(&store).unwrap());
    let mut delivered = Message {
        touch_id: None,
        outbound_id: Some(claimed[0].id),
        lead_id: Some(keepwarm_domain::LeadId(id)),
        kind: keepwarm_domain::cadence::Channel::Sms,
        recipient_kind: RecipientKind::Staff,
        to: keepwarm_channels::Address::Phone(
            keepwarm_domain::PhoneNumber::parse("+13125550111", "US").unwrap(),
        ),
        subject: None,
        body: claimed[0].body.clone(),
        at: now,
        dealership: "lakeside".into(),
        attachments: vec![],
        sender: None,
    };
    sandbox.send(&delivered).await.unwrap();

    // Nothing moves while the lease is the dead worker's.
    app.advance("PT4M").await;
    let staff_bodies = |outbox: Vec<Value>| {
        outbox
            .into_iter()
            .filter(|m| {
                m["recipient_kind"] == "staff" && m["body"].as_str().unwrap_or("").contains("crash")
                    || m["body"] == "never handed over"
            })
            .map(|m| m["body"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        staff_bodies(app.outbox(Some(id)).await),
        ["delivered before the crash"]
    );

    app.advance("PT2M").await;
    let mut bodies = staff_bodies(app.outbox(Some(id)).await);
    bodies.sort();
    assert_eq!(bodies, ["delivered before the crash", "never handed over"]);
    let rows = store
        .outbound_messages(Some(keepwarm_domain::LeadId(id)))
        .await
        .unwrap();
    assert!(rows.iter().all(|r| r.state == "sent"), "{rows:?}");
    assert_eq!(kinds(&app.timeline(id).await, "staff_notified").len(), 2);
    // The dead worker's late answer changes nothing.
    delivered.body.clear();
    store
        .finish_outbound(&[keepwarm_store::OutboundFinish {
            id: claimed[0].id,
            worker: "dead-worker".into(),
            at: app.now(),
            result: keepwarm_store::OutboundResult::Failed {
                reason: "late".into(),
            },
        }])
        .await
        .unwrap();
    let rows = store
        .outbound_messages(Some(keepwarm_domain::LeadId(id)))
        .await
        .unwrap();
    assert!(rows.iter().all(|r| r.state == "sent"), "{rows:?}");
}

/// A channel that records what it sends in memory (a real provider: nothing in the sandbox outbox).
#[derive(Default)]
struct Recording {
    sent: std::sync::Mutex<Vec<Message>>,
}

#[async_trait]
impl Channel for Recording {
    fn name(&self) -> &'static str {
        "recording"
    }

    async fn send(&self, m: &Message) -> Result<Delivery, ChannelError> {
        self.sent.lock().unwrap().push(m.clone());
        Ok(Delivery {
            provider_id: Some(format!("SM{}", self.sent.lock().unwrap().len())),
        })
    }

    async fn lookup(&self, _: &Message, _: Timestamp) -> Result<Option<Delivered>, ChannelError> {
        Ok(None)
    }
}

#[tokio::test]
async fn an_escalation_under_a_real_channel_carries_the_conversation_so_far() {
    let FreshStore { store, database } = fresh_store().await;
    let channel = Arc::new(Recording::default());
    let app = launch(
        starter_config(),
        store,
        channel.clone(),
        TUESDAY_9AM_CHICAGO,
        test_settings(TWILIO_TOKEN, None),
    )
    .await
    .holding(database);
    let id = app.create_lead(&inquiry("(312) 555-0933")).await;
    let outcome = app
        .reply("+13125550933", "Can I come see it Saturday?")
        .await;
    let escalation = outcome["escalation"].as_i64().expect("escalated");
    let all: Vec<Value> = app.get("/api/v1/escalations").await.json().await.unwrap();
    let e = all
        .into_iter()
        .find(|e| e["id"] == escalation)
        .expect("the escalation is listed");
    let recent = e["context"]["recent_messages"]
        .as_array()
        .expect("recent messages");
    let day0 = channel
        .sent
        .lock()
        .unwrap()
        .iter()
        .find(|m| m.kind == keepwarm_domain::cadence::Channel::Sms && m.touch_id.is_some())
        .map(|m| m.body.clone())
        .expect("the day-0 text");
    assert!(
        recent.iter().any(|m| m.as_str().unwrap().contains(&day0)),
        "the day-0 text is missing from {recent:?}"
    );
    assert!(
        recent
            .iter()
            .any(|m| m.as_str().unwrap().contains("Can I come see it Saturday?")),
        "{recent:?}"
    );
    let _ = id;
}

/// A trigger making every insert into a table fail as a crash would, installed from a second
/// connection to the database: `RAISE(ABORT)` on SQLite, a PL/pgSQL exception on PostgreSQL.
enum CrashTrigger {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// Makes the next write to `table` fail as a crash would.
async fn crash_on_insert(db: &KeptDatabase, table: &str) -> CrashTrigger {
    if db.url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
        sqlx::query(&format!(
            "CREATE TRIGGER crash BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'simulated crash'); END"
        ))
        .execute(&pool)
        .await
        .unwrap();
        return CrashTrigger::Sqlite(pool);
    }
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    sqlx::query(
        "CREATE OR REPLACE FUNCTION simulated_crash() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN RAISE EXCEPTION 'simulated crash'; END $$",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(&format!(
        "CREATE TRIGGER crash BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION simulated_crash()"
    ))
    .execute(&pool)
    .await
    .unwrap();
    CrashTrigger::Postgres(pool)
}

impl CrashTrigger {
    /// Writes to `table` work again.
    async fn remove(self, table: &str) {
        match self {
            CrashTrigger::Sqlite(pool) => {
                sqlx::query("DROP TRIGGER crash")
                    .execute(&pool)
                    .await
                    .unwrap();
            }
            CrashTrigger::Postgres(pool) => {
                sqlx::query(&format!("DROP TRIGGER crash ON {table}"))
                    .execute(&pool)
                    .await
                    .unwrap();
            }
        }
    }
}

/// The defect as it was seen: a reply's effects were 3–8 separate commits, the MessageSid only
/// guarding the first; a crash after it made Twilio's retry a "duplicate", and the escalation, the
/// timers or the opt-out never happened. Now a failure anywhere in the reply leaves nothing, and
/// the retry does the whole work once.
#[tokio::test]
async fn a_reply_interrupted_half_way_is_done_whole_by_twilios_retry() {
    use crate::twilio::{post_signed, sign};
    for (table, body) in [
        ("escalations", "Can I come see it Saturday?"),
        ("consent_ledger", "stop texting me"),
    ] {
        let db = KeptDatabase::create().await;
        let app = spawn_app_at(&db, TUESDAY_9AM_CHICAGO).await;
        let id = app.create_lead(&inquiry("(312) 555-0940")).await;
        let params = [
            ("MessageSid", "SM0000000000000000000000000000c0de"),
            ("From", "+13125550940"),
            ("To", "+13125550100"),
            ("Body", body),
        ];
        let crash = crash_on_insert(&db, table).await;
        let first = post_signed(&app, &params, Some(sign(&params))).await;
        assert!(
            first.status().is_server_error(),
            "{table}: {}",
            first.status()
        );
        crash.remove(table).await;
        // Twilio retries the same message.
        let retry = post_signed(&app, &params, Some(sign(&params))).await;
        assert_eq!(retry.status(), 200, "{table}");
        let again = post_signed(&app, &params, Some(sign(&params))).await;
        assert_eq!(again.status(), 200, "{table}");

        let timeline = app.timeline(id).await;
        assert_eq!(
            kinds(&timeline, "inbound_message").len(),
            1,
            "{}",
            app.story(id).await
        );
        let lead = app.lead(id).await;
        assert_eq!(lead["stage"], "contacted", "{}", app.story(id).await);
        if table == "escalations" {
            let open: Vec<Value> = app
                .get("/api/v1/escalations?status=open")
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(open.len(), 1, "{}", app.story(id).await);
            assert_eq!(lead["status"], "paused");
            assert_eq!(
                kinds(&timeline, "staff_notified").len(),
                1,
                "{}",
                app.story(id).await
            );
        } else {
            assert_eq!(lead["opted_out"], true, "{}", app.story(id).await);
            assert_eq!(
                kinds(&timeline, "opt_out_confirmed").len(),
                1,
                "{}",
                app.story(id).await
            );
        }
    }
}

/// Fail closed on opt-outs: a reply that may mean stop stops automation to the number at once
/// (every lead with it), sends no confirmation, and waits for a person to confirm or release it.
#[tokio::test]
async fn a_possible_opt_out_holds_automation_until_a_person_confirms_or_releases_it() {
    for decision in ["confirm", "release"] {
        let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
        let id = app.create_lead(&inquiry("(312) 555-0950")).await;
        let outcome = app
            .reply("+13125550950", "how did you get my number??")
            .await;
        assert!(
            !outcome["intents"]
                .as_array()
                .unwrap()
                .contains(&json!("opt_out")),
            "a possible opt-out, not a certain one: {outcome}"
        );
        let timeline = app.timeline(id).await;
        assert_eq!(
            kinds(&timeline, "opt_out_possible").len(),
            1,
            "{}",
            app.story(id).await
        );
        assert!(
            kinds(&timeline, "opt_out_confirmed").is_empty(),
            "no confirmation yet"
        );
        assert_eq!(app.lead(id).await["status"], "paused");
        assert!(
            outcome["escalation"].as_i64().is_some(),
            "a person is asked: {outcome}"
        );
        let customer_before = app
            .outbox(Some(id))
            .await
            .into_iter()
            .filter(|m| m["recipient_kind"] == "customer")
            .count();
        app.advance("P5D").await;
        let customer_after = app
            .outbox(Some(id))
            .await
            .into_iter()
            .filter(|m| m["recipient_kind"] == "customer")
            .count();
        assert_eq!(customer_before, customer_after, "{}", app.story(id).await);
        assert_eq!(
            app.lead(id).await["status"],
            "paused",
            "{}",
            app.story(id).await
        );

        let response = app
            .post(
                &format!("/api/v1/leads/{id}/opt-out"),
                &json!({"decision": decision, "by": "sam"}),
            )
            .await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
        let lead = app.lead(id).await;
        let timeline = app.timeline(id).await;
        if decision == "confirm" {
            assert_eq!(lead["opted_out"], true, "{}", app.story(id).await);
            assert_eq!(
                kinds(&timeline, "opt_out_confirmed").len(),
                1,
                "{}",
                app.story(id).await
            );
        } else {
            assert_eq!(lead["status"], "active", "{}", app.story(id).await);
            assert!(kinds(&timeline, "opt_out_confirmed").is_empty());
        }
        let again = app
            .post(
                &format!("/api/v1/leads/{id}/opt-out"),
                &json!({"decision": decision, "by": "sam"}),
            )
            .await;
        assert_eq!(again.status(), 409, "decided once");
    }
}

/// The defect as it was seen: with the clock near the end of representable time, adding the
/// resume delay to it panicked half-way through a reply; the lead was left paused with an
/// escalation and no resume timer, and the client got no answer.
#[tokio::test]
async fn a_reply_near_the_end_of_time_is_answered_and_recorded_whole() {
    let app = spawn_app("9999-12-29T15:00:00Z").await;
    let id = app.create_lead(&inquiry("(312) 555-0960")).await;
    let response = app
        .post(
            "/api/v1/sandbox/inbound",
            &json!({"from": "+13125550960", "body": "Can I come see it Saturday? I have a trade"}),
        )
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let timeline = app.timeline(id).await;
    assert_eq!(kinds(&timeline, "inbound_message").len(), 1);
    assert_eq!(
        kinds(&timeline, "escalated").len(),
        1,
        "{}",
        app.story(id).await
    );
    assert_eq!(app.lead(id).await["status"], "paused");
}

/// A text that would be billed as more segments than the dealership allows is not sent as is, at
/// send time, whatever the lead's values made of it: a shorter variant goes, or the step is
/// skipped with the reason.
#[tokio::test]
async fn no_text_goes_out_over_the_segment_limit() {
    let mut config = crate::helpers::starter_config();
    config.lint.max_sms_segments = 1;
    let app =
        crate::helpers::spawn_app_configured(config, "sqlite::memory:", TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0970")).await;
    app.advance("P15D").await;
    let texts: Vec<Value> = app
        .outbox(Some(id))
        .await
        .into_iter()
        .filter(|m| m["channel"] == "sms")
        .collect();
    for t in &texts {
        let body = t["body"].as_str().unwrap();
        assert!(
            keepwarm_domain::sms::sms_length(body).segments <= 1,
            "over one segment: {body}\n{}",
            app.story(id).await
        );
    }
    let timeline = app.timeline(id).await;
    let fell_back = kinds(&timeline, "touch_sent")
        .iter()
        .any(|e| e["data"]["channel"] == "sms");
    let skipped = kinds(&timeline, "touch_skipped").iter().any(|e| {
        e["data"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("SMS segments"))
    });
    assert!(fell_back || skipped, "{}", app.story(id).await);
}
