//! The store conformance suite: every test body runs against each backend ([`store_test!`]): SQLite
//! in memory, SQLite in a file, and PostgreSQL (a fresh database per test on the server
//! `KEEPWARM_TEST_PG` names, by default `postgres://root@127.0.0.1:5432/postgres`; unreachable, the
//! PostgreSQL tests fail).
#![allow(
    clippy::unwrap_used,
    reason = "a failed set-up step in a test should fail the test loudly"
)]

use jiff::{Timestamp, ToSpan};
use keepwarm_domain::cadence::Channel;
use keepwarm_domain::timeline::{OutboundNote, StaffNotified};
use keepwarm_domain::{LeadId, LeadStatus, PhoneNumber, SourceKind, Stage, TimelineEvent};
use keepwarm_store::*;
use serde_json::json;

/// A fresh, empty store of one backend, and what must live as long as it: the temporary directory
/// of a file-backed SQLite store, or the PostgreSQL database created for the test (dropped after).
struct Fresh {
    /// The store's URL, for a second store on the same database (another process).
    url: String,
    store: SharedStore,
    _dir: Option<tempfile::TempDir>,
    _database: Option<testing::TestDatabase>,
}

impl Fresh {
    async fn sqlite_memory() -> Self {
        let url = "sqlite::memory:".to_owned();
        Self {
            store: connect(&url).await.unwrap(),
            url,
            _dir: None,
            _database: None,
        }
    }

    async fn sqlite_file() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("conformance.db").display());
        Self {
            store: connect(&url).await.unwrap(),
            url,
            _dir: Some(dir),
            _database: None,
        }
    }

    /// A database of its own on the test server ([`testing::PG_ENV`]); fails when it is unreachable.
    async fn postgres() -> Self {
        let database = testing::TestDatabase::create().await;
        let url = database.url.clone();
        Self {
            store: connect(&url).await.unwrap(),
            url,
            _dir: None,
            _database: Some(database),
        }
    }
}

/// One test per backend, like ripgrep's `rgtest!`: `store_test!(name, |store| { .. })` makes the
/// tests `name::sqlite_memory`, `name::sqlite_file` and `name::postgres`, each on a fresh store
/// (`|store, url|` also binds the store's URL). A list of backends before the closure runs the body
/// on those only: a test left off PostgreSQL covers what that backend does not have yet.
macro_rules! store_test {
    ($name:ident, |$($bind:ident),+| $body:block) => {
        store_test!($name, [sqlite_memory, sqlite_file, postgres], |$($bind),+| $body);
    };
    ($name:ident, [$($backend:ident),+], |$store:ident| $body:block) => {
        store_test!($name, [$($backend),+], |$store, _url| $body);
    };
    ($name:ident, [$($backend:ident),+], |$store:ident, $url:ident| $body:block) => {
        mod $name {
            use super::*;
            $(
                #[tokio::test]
                async fn $backend() {
                    let fresh = Fresh::$backend().await;
                    let $store = fresh.store.clone();
                    let $url = fresh.url.clone();
                    $body
                }
            )+
        }
    };
}

fn t0() -> Timestamp {
    "2026-12-01T15:00:00Z".parse().unwrap()
}

/// An event as the store sees it: a kind and whatever data (the store does not look inside).
fn event(at: Timestamp, kind: &str, data: serde_json::Value) -> NewEvent {
    NewEvent::new(at, TimelineEvent::from_stored(kind, data))
}

/// The worker most tests claim as.
const WORKER: &str = "worker-a";

/// A lease that outlasts every test that does not look at leases.
fn lease() -> Timestamp {
    t0() + 24.hours()
}

async fn save_version(store: &SharedStore) {
    store
        .save_cadence_version(&NewCadenceVersion {
            name: "c".into(),
            version: "v1".into(),
            label: None,
            snapshot: "{}".into(),
            at: t0(),
        })
        .await
        .unwrap();
}

/// A staff action's change set on `lead` at [`t0`], with no idempotency key.
fn set(lead: LeadId, changes: Vec<Change>) -> ChangeSet {
    ChangeSet {
        lead,
        at: t0(),
        idempotency_key: None,
        changes,
    }
}

fn lead(phone: &str, due: Timestamp, version: &str) -> NewLeadRecord {
    NewLeadRecord {
        dealership: "main".into(),
        received_at: t0(),
        created_at: t0(),
        source_kind: SourceKind::Internet,
        provider: None,
        provider_lead_id: None,
        display_name: Some("Dana".into()),
        payload: json!({"source": {"kind": "internet"}}),
        phones: vec![PhoneNumber::parse(phone, "US").unwrap()],
        emails: vec![],
        unusable: vec![],
        segment: "new_inquiry".into(),
        segment_rule: "fresh".into(),
        owner_id: "sam".into(),
        status: LeadStatus::Active,
        events: vec![event(t0(), "received", json!({}))],
        enrollment: Some(NewEnrollment {
            cadence_name: "c".into(),
            cadence_version: version.into(),
            anchor_at: t0(),
            first_touch: Some(NewTouch {
                step_index: 0,
                channel: Channel::Sms,
                block: "b".into(),
                target_at: due,
                due_at: due,
            }),
        }),
        tasks: vec![],
        document_id: None,
    }
}

fn sent(c: &ClaimedTouch, next_due: Option<Timestamp>) -> TouchOutcome {
    TouchOutcome {
        touch_id: c.touch.id,
        lead_id: c.lead.id,
        enrollment_id: c.touch.enrollment_id,
        at: t0(),
        result: TouchResult::Sent {
            variant: Some(0),
            recipient: "+13125550100".into(),
            body: "hi".into(),
            provider_id: Some("SM0001".into()),
        },
        next: next_due.map(|d| NewTouch {
            step_index: 1,
            channel: Channel::Email,
            block: "b2".into(),
            target_at: d,
            due_at: d,
        }),
        complete: next_due.is_none(),
        events: vec![event(t0(), "touch_sent", json!({"touch_id": c.touch.id}))],
        tasks: vec![],
    }
}

store_test!(
    a_lead_that_cannot_be_stored_whole_is_not_stored_at_all,
    |store| {
        // No such cadence version: the enrollment's foreign key fails after the lead row went in.
        let result = store
            .create_lead(&lead("312-555-0101", t0(), "missing"))
            .await;
        assert!(result.is_err());
        assert!(store
            .list_leads(&LeadFilter::default())
            .await
            .unwrap()
            .is_empty());
        assert!(store.timeline(LeadId(1)).await.unwrap().is_empty());
    }
);

store_test!(
    due_touches_are_claimed_once_even_by_concurrent_claimers,
    |store| {
        save_version(&store).await;
        for i in 0..20 {
            store
                .create_lead(&lead(&format!("312-555-{:04}", 100 + i), t0(), "v1"))
                .await
                .unwrap();
        }
        let later = store
            .create_lead(&lead("312-555-0999", t0() + 1.hour(), "v1"))
            .await
            .unwrap();
        let (a, b) = tokio::join!(
            store.claim_due(t0(), WORKER, lease(), 7),
            store.claim_due(t0(), "worker-b", lease(), 7)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        let rest = store.claim_due(t0(), WORKER, lease(), 100).await.unwrap();
        let mut ids: Vec<i64> = a
            .iter()
            .chain(&b)
            .chain(&rest)
            .map(|c| c.touch.id)
            .collect();
        assert_eq!(ids.len(), 20);
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 20, "a touch was claimed twice");
        assert!(store
            .claim_due(t0(), WORKER, lease(), 100)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(store.next_due_at().await.unwrap(), Some(t0() + 1.hour()));
        // The worker's one look at every queue tells the later touch and the claims' lease apart.
        let agenda = store.agenda().await.unwrap();
        assert_eq!(
            (agenda.touches, agenda.leases),
            (Some(t0() + 1.hour()), Some(lease()))
        );
        assert_eq!(
            (agenda.escalations, agenda.timers, agenda.outbound),
            (None, None, None)
        );
        assert!(ids.iter().all(|id| Some(*id) != later.touch_id));
        let sending = store
            .reclaim_expired_touches(lease(), WORKER, lease() + 1.hour(), 100)
            .await
            .unwrap();
        assert_eq!(sending.len(), 20);
    }
);

/// Claims everything due at `t0` for `worker`, a few touches at a time.
async fn claim_all(store: &SharedStore, worker: &str) -> Vec<ClaimedTouch> {
    let mut all = Vec::new();
    loop {
        let batch = store.claim_due(t0(), worker, lease(), 3).await.unwrap();
        if batch.is_empty() {
            return all;
        }
        all.extend(batch);
        tokio::task::yield_now().await;
    }
}

store_test!(
    two_workers_on_one_database_claim_disjoint_touches_and_only_the_lease_holder_finishes,
    |store, url| {
        // A second process: its own connections to the same database (an in-memory database
        // exists only behind its own store).
        let other = if url.contains(":memory:") {
            store.clone()
        } else {
            connect(&url).await.unwrap()
        };
        save_version(&store).await;
        for i in 0..30 {
            store
                .create_lead(&lead(&format!("312-555-{:04}", 200 + i), t0(), "v1"))
                .await
                .unwrap();
        }
        let (a, b) = tokio::join!(claim_all(&store, "worker-a"), claim_all(&other, "worker-b"));
        let ids =
            |claimed: &[ClaimedTouch]| -> Vec<i64> { claimed.iter().map(|c| c.touch.id).collect() };
        let mut all: Vec<i64> = ids(&a).into_iter().chain(ids(&b)).collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(
            all.len(),
            30,
            "claimed {} and {}: not disjoint or not all",
            a.len(),
            b.len()
        );
        assert_eq!(a.len() + b.len(), 30);

        // Nobody takes over a live lease.
        let early = other
            .reclaim_expired_touches(lease() - 1.minute(), "worker-b", lease(), 100)
            .await
            .unwrap();
        assert!(early.is_empty(), "took over live leases: {:?}", ids(&early));
        // Worker b records its results in time; worker a stalls past its lease, and b takes a's
        // touches over to reconcile them.
        let finished: Vec<TouchOutcome> = b.iter().map(|c| sent(c, None)).collect();
        other.finish_touches("worker-b", &finished).await.unwrap();
        let Some(stalled) = a.first() else {
            panic!("worker a claimed nothing")
        };
        let taken = other
            .reclaim_expired_touches(lease(), "worker-b", lease() + 1.hour(), 100)
            .await
            .unwrap();
        assert_eq!(ids(&taken), ids(&a), "b takes over exactly a's touches");
        assert_eq!(
            taken[0].touch.claimed_at, stalled.touch.claimed_at,
            "claim time kept"
        );
        // a's late result and release change nothing: no next touch, no event, still b's.
        let before = store.timeline(stalled.lead.id).await.unwrap().len();
        store
            .finish_touches("worker-a", &[sent(stalled, Some(t0() + 48.hours()))])
            .await
            .unwrap();
        let event = event(t0(), "touch_released", json!({}));
        store
            .release_touch(stalled.touch.id, "worker-a", &event)
            .await
            .unwrap();
        assert_eq!(store.timeline(stalled.lead.id).await.unwrap().len(), before);
        let row = store.touch(stalled.touch.id).await.unwrap().unwrap();
        assert_eq!(
            row.state, "sending",
            "a late result moved a touch it no longer held"
        );
        // b's result counts.
        other
            .finish_touches("worker-b", &[sent(stalled, Some(t0() + 48.hours()))])
            .await
            .unwrap();
        let row = store.touch(stalled.touch.id).await.unwrap().unwrap();
        assert_eq!(row.state, "sent");
        assert_eq!(
            store.timeline(stalled.lead.id).await.unwrap().len(),
            before + 2
        );
    }
);

store_test!(
    a_result_moves_a_touch_once_and_plans_the_next_one,
    |store| {
        save_version(&store).await;
        let created = store
            .create_lead(&lead("312-555-0102", t0(), "v1"))
            .await
            .unwrap();
        let claimed = store.claim_due(t0(), WORKER, lease(), 10).await.unwrap();
        assert_eq!(claimed[0].lead.phone().unwrap().as_str(), "+13125550102");
        let next_due = t0() + 24.hours();
        store
            .finish_touches(WORKER, &[sent(&claimed[0], Some(next_due))])
            .await
            .unwrap();
        // Recording the same result again (a retried batch) changes nothing and plans nothing more.
        store
            .finish_touches(
                WORKER,
                &[TouchOutcome {
                    next: None,
                    events: vec![],
                    ..sent(&claimed[0], None)
                }],
            )
            .await
            .unwrap();
        assert_eq!(store.next_due_at().await.unwrap(), Some(next_due));
        let lead = store.lead(created.id).await.unwrap().unwrap();
        assert_eq!(
            lead.status,
            LeadStatus::Active,
            "the retried completion must not complete the lead"
        );
        let kinds: Vec<String> = store
            .timeline(created.id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.event.kind().to_owned())
            .collect();
        assert_eq!(
            kinds,
            [
                "received",
                "touch_scheduled",
                "touch_sent",
                "touch_scheduled"
            ]
        );
        let again = store
            .claim_due(next_due, WORKER, lease(), 10)
            .await
            .unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(
            again[0].used_variants, [0usize; 0],
            "variants are per block: b2 has none yet"
        );
    }
);

store_test!(
    a_batch_of_results_plans_each_leads_next_touch_and_keeps_each_timeline_in_order,
    |store| {
        save_version(&store).await;
        let mut leads = Vec::new();
        for phone in ["312-555-0111", "312-555-0112", "312-555-0113"] {
            leads.push(
                store
                    .create_lead(&lead(phone, t0(), "v1"))
                    .await
                    .unwrap()
                    .id,
            );
        }
        let claimed = store.claim_due(t0(), WORKER, lease(), 10).await.unwrap();
        assert_eq!(claimed.len(), 3);
        // Each lead's next touch is due a day later than the one before; the last outcome also
        // makes a task, and the second plans nothing (its cadence is complete).
        let mut finished = Vec::new();
        for (i, c) in claimed.iter().enumerate() {
            let mut o = sent(c, (i != 1).then(|| t0() + (24 * (i as i64 + 1)).hours()));
            if i == 2 {
                o.tasks.push(NewTask {
                    owner_id: "sam".into(),
                    kind: "call".into(),
                    touch_id: Some(c.touch.id),
                    due_at: t0(),
                    body: "call".into(),
                });
            }
            finished.push(o);
        }
        store.finish_touches(WORKER, &finished).await.unwrap();
        let kinds = |lead: LeadId| {
            let store = store.clone();
            async move {
                store
                    .timeline(lead)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|e| (e.event.kind().to_owned(), e.event.data()))
                    .collect::<Vec<_>>()
            }
        };
        for (i, lead) in leads.iter().enumerate() {
            let timeline = kinds(*lead).await;
            let names: Vec<&str> = timeline.iter().map(|(k, _)| k.as_str()).collect();
            let expected: &[&str] = match i {
                0 => &[
                    "received",
                    "touch_scheduled",
                    "touch_sent",
                    "touch_scheduled",
                ],
                1 => &["received", "touch_scheduled", "touch_sent"],
                _ => &[
                    "received",
                    "touch_scheduled",
                    "touch_sent",
                    "touch_scheduled",
                    "task_created",
                ],
            };
            assert_eq!(names, expected, "lead {i}: {timeline:?}");
        }
        // Each scheduling event names the touch planned for its own lead, due when planned.
        for (i, due) in [(0usize, t0() + 24.hours()), (2, t0() + 72.hours())] {
            let timeline = kinds(leads[i]).await;
            let touch_id = timeline[3].1["touch_id"].as_i64().unwrap();
            let next = store.claim_due(due, WORKER, lease(), 10).await.unwrap();
            let mine: Vec<&ClaimedTouch> = next.iter().filter(|c| c.lead.id == leads[i]).collect();
            assert_eq!(mine.len(), 1, "lead {i}: {next:?}");
            assert_eq!(mine[0].touch.id, touch_id, "lead {i}");
            assert_eq!(mine[0].touch.due_at, due, "lead {i}");
            assert_eq!(mine[0].touch.step_index, 1, "lead {i}");
        }
        assert_eq!(store.tasks(Some("sam")).await.unwrap().len(), 1);
    }
);

store_test!(pause_holds_and_resume_reschedules, |store| {
    save_version(&store).await;
    let created = store
        .create_lead(&lead("312-555-0104", t0(), "v1"))
        .await
        .unwrap();
    let pause = Change::Pause {
        lead: created.id,
        reason: "x".into(),
        actor: "api".into(),
    };
    store.apply(&set(created.id, vec![pause])).await.unwrap();
    assert!(store
        .claim_due(t0(), WORKER, lease(), 10)
        .await
        .unwrap()
        .is_empty());
    let held = store.held_touches(created.id).await.unwrap();
    assert_eq!(held.len(), 1);
    let due = t0() + 2.hours();
    let resume = Change::Resume {
        reason: "y".into(),
        actor: "api".into(),
        reschedule: vec![(held[0].id, due)],
    };
    store.apply(&set(created.id, vec![resume])).await.unwrap();
    assert_eq!(store.next_due_at().await.unwrap(), Some(due));
    assert_eq!(
        store.lead(created.id).await.unwrap().unwrap().status,
        LeadStatus::Active
    );
});

store_test!(
    a_stage_and_a_stop_in_one_set_cancel_waiting_touches,
    |store| {
        save_version(&store).await;
        let created = store
            .create_lead(&lead("312-555-0105", t0(), "v1"))
            .await
            .unwrap();
        let changes = vec![
            Change::StageAtLeast {
                stage: Stage::AppointmentSet,
                by: "api".into(),
                via: "test".into(),
            },
            Change::Stop {
                lead: created.id,
                reason: "stage is appointment_set".into(),
                actor: "api".into(),
                opt_out: false,
            },
        ];
        store.apply(&set(created.id, changes)).await.unwrap();
        let lead = store.lead(created.id).await.unwrap().unwrap();
        assert_eq!(
            (lead.stage, lead.status),
            (Stage::AppointmentSet, LeadStatus::Stopped)
        );
        assert!(store.next_due_at().await.unwrap().is_none());
        assert_eq!(lead.enrollment.unwrap().status, LeadStatus::Stopped);
    }
);

store_test!(round_robin_remembers_the_last_owner, |store| {
    let team = vec![
        ("a".to_owned(), true),
        ("b".to_owned(), true),
        ("c".to_owned(), false),
    ];
    let mut owners = Vec::new();
    for _ in 0..3 {
        owners.push(
            store
                .rotate_owner("sales", &team)
                .await
                .unwrap()
                .unwrap()
                .owner,
        );
    }
    assert_eq!(owners, ["a", "b", "a"]);
    assert!(store.rotate_owner("empty", &[]).await.unwrap().is_none());
});

store_test!(leads_are_found_by_phone_and_listed_by_filter, |store| {
    save_version(&store).await;
    let a = store
        .create_lead(&lead("312-555-0106", t0(), "v1"))
        .await
        .unwrap();
    let phone = PhoneNumber::parse("(312) 555-0106", "US").unwrap();
    assert_eq!(store.find_lead_by_phone(&phone).await.unwrap(), Some(a.id));
    let other = PhoneNumber::parse("(312) 555-0107", "US").unwrap();
    assert_eq!(store.find_lead_by_phone(&other).await.unwrap(), None);
    let filter = LeadFilter {
        owner: Some("sam".into()),
        ..Default::default()
    };
    assert_eq!(store.list_leads(&filter).await.unwrap().len(), 1);
    let filter = LeadFilter {
        owner: Some("alex".into()),
        ..Default::default()
    };
    assert!(store.list_leads(&filter).await.unwrap().is_empty());
});

fn booking(lead: LeadId, from: Stage) -> OutcomeRecord {
    OutcomeRecord {
        lead,
        now: t0(),
        by: "sam".into(),
        stage: Some((from, Stage::AppointmentSet)),
        at: t0(),
        reason: None,
        via: "api".into(),
        stop: Some("stage is appointment_set".into()),
        appointment: Some(AppointmentWrite::New {
            kind: keepwarm_domain::appointment::AppointmentKind::Sales,
            starts_at: t0() + 48.hours(),
            ends_at: t0() + 49.hours(),
        }),
        enrollment: None,
        status: None,
        timers: vec![("no_show".into(), t0() + 51.hours())],
        events: Vec::new(),
        tasks: Vec::new(),
    }
}

store_test!(
    an_outcome_is_recorded_whole_and_a_lead_has_one_open_appointment,
    |store| {
        use keepwarm_domain::appointment::AppointmentStatus;
        save_version(&store).await;
        let created = store
            .create_lead(&lead("312-555-0106", t0(), "v1"))
            .await
            .unwrap();
        let outcome = |record: &OutcomeRecord| {
            set(
                created.id,
                vec![Change::Outcome {
                    record: Box::new(record.clone()),
                    closing: None,
                    if_moved: IfMoved::Refuse,
                }],
            )
        };
        store
            .apply(&outcome(&booking(created.id, Stage::New)))
            .await
            .unwrap();
        let a = store.latest_appointment(created.id).await.unwrap().unwrap();
        let id = a.id;
        assert_eq!((a.status, a.sequence), (AppointmentStatus::Scheduled, 0));
        assert_eq!(
            store.next_timer_at().await.unwrap(),
            Some(t0() + 51.hours())
        );
        let lead = store.lead(created.id).await.unwrap().unwrap();
        assert_eq!(
            (lead.stage, lead.status),
            (Stage::AppointmentSet, LeadStatus::Stopped)
        );
        assert!(store.next_due_at().await.unwrap().is_none());

        // A stale `from` stage, or a second open appointment, is a conflict and records nothing.
        let stale = store
            .apply(&outcome(&booking(created.id, Stage::New)))
            .await;
        assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
        let mut second = booking(created.id, Stage::AppointmentSet);
        second.stage = None;
        let twice = store.apply(&outcome(&second)).await;
        assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
        assert_eq!(
            store
                .appointments(&AppointmentFilter::default())
                .await
                .unwrap()
                .len(),
            1
        );

        // A move keeps the id and raises the sequence; a status change from a status it no longer
        // has changes nothing.
        let mut moved = second.clone();
        moved.appointment = Some(AppointmentWrite::Move {
            id,
            kind: keepwarm_domain::appointment::AppointmentKind::Service,
            starts_at: t0() + 72.hours(),
            ends_at: t0() + 73.hours(),
        });
        store.apply(&outcome(&moved)).await.unwrap();
        let a = store.appointment(id).await.unwrap().unwrap();
        assert_eq!((a.sequence, a.starts_at), (1, t0() + 72.hours()));
        let mut confirm = second.clone();
        confirm.timers.clear();
        confirm.appointment = Some(AppointmentWrite::Status {
            id,
            from: AppointmentStatus::Confirmed,
            to: AppointmentStatus::Showed,
        });
        let nothing = store.apply(&outcome(&confirm)).await;
        assert!(
            matches!(nothing, Err(StoreError::Conflict(_))),
            "{nothing:?}"
        );
        assert_eq!(
            store.appointment(id).await.unwrap().unwrap().status,
            AppointmentStatus::Scheduled
        );
    }
);

store_test!(
    a_weekly_report_is_claimed_once_per_dealership_week_and_recipient,
    |store| {
        let at = t0();
        assert!(store
            .claim_report_delivery("main", "2026-W49", "morgan", at)
            .await
            .unwrap(),);
        assert!(
            !store
                .claim_report_delivery("main", "2026-W49", "morgan", at)
                .await
                .unwrap(),
            "claimed twice"
        );
        assert!(store
            .claim_report_delivery("main", "2026-W49", "pat", at)
            .await
            .unwrap());
        assert!(store
            .claim_report_delivery("main", "2026-W50", "morgan", at)
            .await
            .unwrap());
        store
            .finish_report_delivery(
                "main",
                "2026-W49",
                "pat",
                "failed",
                Some("unavailable: smtp"),
            )
            .await
            .unwrap();
        assert_eq!(
            store.report_recipients("main", "2026-W49").await.unwrap(),
            ["morgan", "pat"],
            "a failed send stays claimed"
        );
        let empty = store
            .audit_activity("main", at, at, at + 168.hours())
            .await
            .unwrap();
        assert_eq!(empty, AuditActivity::default());
    }
);

store_test!(
    an_escalation_deadline_is_answered_by_one_worker_only,
    |store| {
        save_version(&store).await;
        let created = store
            .create_lead(&lead("(312) 555-0160", t0(), "v1"))
            .await
            .unwrap();
        let deadline = t0() + 5.minutes();
        let opened = ChangeSet {
            lead: created.id,
            at: t0(),
            idempotency_key: None,
            changes: vec![Change::OpenEscalation {
                escalation: NewEscalation {
                    lead: created.id,
                    intents: vec!["appointment".into()],
                    context: json!({}),
                    at: t0(),
                    sla_due_at: deadline,
                    assignee: "sam".into(),
                    notified: vec!["sam".into()],
                },
                event: event(t0(), "escalated", json!({})),
            }],
        };
        let Applied::Applied {
            escalation: Some(id),
        } = store.apply(&opened).await.unwrap()
        else {
            panic!("the escalation is opened");
        };
        let due = store.due_escalations(deadline).await.unwrap();
        assert_eq!(due.len(), 1);
        // Two workers saw the same deadline due; each moves it up the chain and queues the
        // manager's alert in the same set.
        let moved = ChangeSet {
            lead: created.id,
            at: deadline,
            idempotency_key: None,
            changes: vec![
                Change::Escalation {
                    escalation: id,
                    change: EscalationChange::Escalate {
                        deadline: due[0].next_deadline_at,
                        level: 1,
                        told: "morgan".into(),
                        next_deadline: Some(deadline + 30.minutes()),
                        at: deadline,
                    },
                },
                Change::Events(vec![event(deadline, "escalation_breached", json!({}))]),
                Change::Enqueue(staff_alert(created.id, deadline)),
            ],
        };
        store.apply(&moved).await.unwrap();
        let second = store.apply(&moved).await;
        assert!(
            matches!(second, Err(StoreError::Conflict(_))),
            "the second worker must not escalate (and alert) again: {second:?}"
        );
        let e = store.escalation(id).await.unwrap().unwrap();
        assert_eq!(e.notified, ["sam", "morgan"]);
        let alerts = store.outbound_messages(Some(created.id)).await.unwrap();
        assert_eq!(alerts.len(), 1, "one alert, from the worker that moved it");
    }
);

/// A staff alert about `lead`, to sam.
fn staff_alert(lead: LeadId, at: Timestamp) -> NewOutbound {
    NewOutbound {
        lead_id: Some(lead),
        purpose: OutboundPurpose::StaffAlert,
        channel: "sms".into(),
        recipient_kind: "staff".into(),
        recipient: "+13125550111".into(),
        subject: Some(format!("escalation {ESCALATION_ID}")),
        body: format!("Reply {ESCALATION_ID} to acknowledge"),
        attachments: vec![],
        dealership: "main".into(),
        dedupe_key: None,
        on_sent: None,
        on_failed: None,
        due_at: at,
        sender: None,
    }
}

store_test!(
    a_change_set_applies_whole_once_per_key_and_names_its_escalation,
    |store| {
        save_version(&store).await;
        let created = store
            .create_lead(&lead("(312) 555-0170", t0(), "v1"))
            .await
            .unwrap();
        let id = created.id;
        let set = ChangeSet {
            lead: id,
            at: t0(),
            idempotency_key: Some("twilio:SM1".into()),
            changes: vec![
                Change::Events(vec![event(t0(), "inbound_message", json!({"body": "hi"}))]),
                Change::StageAtLeast {
                    stage: Stage::Contacted,
                    by: "customer reply".into(),
                    via: "reply".into(),
                },
                Change::Pause {
                    lead: id,
                    reason: "a person takes over".into(),
                    actor: "customer reply".into(),
                },
                Change::OpenEscalation {
                    escalation: NewEscalation {
                        lead: id,
                        intents: vec!["appointment".into()],
                        context: json!({}),
                        at: t0(),
                        sla_due_at: t0() + 5.minutes(),
                        assignee: "sam".into(),
                        notified: vec!["sam".into()],
                    },
                    event: event(t0(), "escalated", json!({})),
                },
                Change::Enqueue(NewOutbound {
                    lead_id: Some(id),
                    purpose: OutboundPurpose::StaffAlert,
                    channel: "sms".into(),
                    recipient_kind: "staff".into(),
                    recipient: "+13125550111".into(),
                    subject: Some(format!("escalation {ESCALATION_ID}")),
                    body: format!("Reply {ESCALATION_ID} to acknowledge"),
                    attachments: vec![],
                    dealership: "main".into(),
                    dedupe_key: None,
                    on_sent: Some(Box::new(NewEvent::new(
                        t0(),
                        TimelineEvent::StaffNotified(StaffNotified {
                            escalation_id: None,
                            staff: "sam".into(),
                            to: "+13125550111".into(),
                            outbound: OutboundNote::default(),
                        }),
                    ))),
                    on_failed: None,
                    due_at: t0(),
                    sender: None,
                }),
                Change::Timer {
                    kind: "going_cold".into(),
                    due_at: t0() + 24.hours(),
                },
            ],
        };
        let Applied::Applied {
            escalation: Some(escalation),
        } = store.apply(&set).await.unwrap()
        else {
            panic!("the first application opens the escalation");
        };
        assert_eq!(store.apply(&set).await.unwrap(), Applied::Duplicate);
        let row = store.lead(id).await.unwrap().unwrap();
        assert_eq!(
            (row.stage, row.status),
            (Stage::Contacted, LeadStatus::Paused)
        );
        let timeline = store.timeline(id).await.unwrap();
        assert_eq!(
            timeline
                .iter()
                .filter(|e| e.event.kind() == "inbound_message")
                .count(),
            1,
            "applied once"
        );
        let queued = store.outbound_messages(Some(id)).await.unwrap();
        assert_eq!(queued.len(), 1);
        assert_eq!(queued[0].body, format!("Reply {escalation} to acknowledge"));
        assert_eq!(
            queued[0].subject.as_deref(),
            Some(&*format!("escalation {escalation}"))
        );
        assert_eq!(
            store.next_timer_at().await.unwrap(),
            Some(t0() + 24.hours())
        );
    }
);

store_test!(
    a_new_lead_someone_already_stored_is_answered_with_that_lead,
    |store| {
        save_version(&store).await;
        let stored = store
            .create_lead(&lead("312-555-0120", t0(), "v1"))
            .await
            .unwrap();
        let again = lead("(312) 555-0120", t0(), "v1");
        let mut fresh = lead("312-555-0121", t0(), "v1");
        fresh.emails = vec![keepwarm_domain::EmailAddress::parse("Dana@Example.com").unwrap()];
        let mut same_email = lead("312-555-0122", t0(), "v1");
        same_email.emails = vec![keepwarm_domain::EmailAddress::parse("dana@example.com").unwrap()];
        let mut elsewhere = lead("312-555-0120", t0(), "v1");
        elsewhere.dealership = "north".into();
        let answers = store
            .create_leads(&[again.clone(), fresh, same_email, elsewhere])
            .await
            .unwrap();
        let LeadCreation::Created(created) = answers[1] else {
            panic!("a new person is stored: {answers:?}");
        };
        assert_eq!(answers[0], LeadCreation::Matched(stored.id));
        // Earlier in the same call counts too (e-mail compared lower-cased).
        assert_eq!(answers[2], LeadCreation::Matched(created.id));
        // Another dealership's lead is someone else.
        assert!(
            matches!(answers[3], LeadCreation::Created(_)),
            "{answers:?}"
        );
        assert!(matches!(
            store.create_lead(&again).await,
            Err(StoreError::Conflict(_))
        ));
    }
);

store_test!(
    a_timer_claimed_by_a_worker_that_died_fires_again_after_its_lease,
    |store| {
        save_version(&store).await;
        let created = store
            .create_lead(&lead("312-555-0190", t0(), "v1"))
            .await
            .unwrap();
        let due = t0() + 1.hours();
        let timer = ChangeSet {
            lead: created.id,
            at: t0(),
            idempotency_key: None,
            changes: vec![Change::Timer {
                kind: "going_cold".into(),
                due_at: due,
            }],
        };
        store.apply(&timer).await.unwrap();
        let lease = due + 5.minutes();
        let first = store.claim_due_timers(due, "a", lease).await.unwrap();
        assert_eq!(first.len(), 1, "the due timer is claimed");
        // Worker a dies without finishing. Another worker leaves it alone while the lease holds...
        let during = due + 1.minutes();
        assert!(store
            .claim_due_timers(during, "b", during + 5.minutes())
            .await
            .unwrap()
            .is_empty());
        assert_eq!(store.next_timer_at().await.unwrap(), Some(lease));
        assert_eq!(store.agenda().await.unwrap().timers, Some(lease));
        // ...and takes it over once the lease has run out, so the timer is not lost.
        let after = lease + 1.minutes();
        let again = store
            .claim_due_timers(after, "b", after + 5.minutes())
            .await
            .unwrap();
        assert_eq!(
            again.iter().map(|t| t.id).collect::<Vec<_>>(),
            vec![first[0].id]
        );
        store.finish_timer(again[0].id, after).await.unwrap();
        assert!(store
            .claim_due_timers(after + 1.hours(), "c", after + 2.hours())
            .await
            .unwrap()
            .is_empty());
        assert_eq!(store.next_timer_at().await.unwrap(), None);
    }
);

mod change_sets;
mod change_sets_delivery;
mod change_sets_intake;
mod compliance;
mod coordination;
mod people;
mod postgres;
mod read_model;
mod report;

store_test!(
    the_same_shopper_delivered_to_two_processes_at_once_makes_one_lead,
    |store, url| {
        // A second process: its own connections to the same database (an in-memory database exists
        // only behind its own store).
        let other = if url.contains(":memory:") {
            store.clone()
        } else {
            connect(&url).await.unwrap()
        };
        save_version(&store).await;
        for round in 0..25 {
            let phone = format!("312-555-{:04}", 3000 + round);
            let cars_com = lead(&phone, t0(), "v1");
            let mut oem_site = lead(&phone, t0(), "v1");
            oem_site.provider = Some("oem".into());
            let (a, b) = tokio::join!(
                store.create_leads(std::slice::from_ref(&cars_com)),
                other.create_leads(std::slice::from_ref(&oem_site))
            );
            let answers: Vec<LeadCreation> = a.unwrap().into_iter().chain(b.unwrap()).collect();
            let created: Vec<LeadId> = answers
                .iter()
                .filter_map(|a| match a {
                    LeadCreation::Created(c) => Some(c.id),
                    LeadCreation::Matched(_) => None,
                })
                .collect();
            assert_eq!(created.len(), 1, "round {round}: {answers:?}");
            assert!(
                answers.contains(&LeadCreation::Matched(created[0])),
                "round {round}: {answers:?}"
            );
            let phone = PhoneNumber::parse(&phone, "US").unwrap();
            assert_eq!(
                store.leads_with_phone(&phone).await.unwrap(),
                [created[0]],
                "round {round}"
            );
        }
    }
);

store_test!(
    a_step_planned_beside_a_deferred_touch_is_planned_once_and_the_last_line_to_finish_completes,
    |store| {
        save_version(&store).await;
        let created = store
            .create_lead(&lead("312-555-0221", t0(), "v1"))
            .await
            .unwrap();
        let claimed = store.claim_due(t0(), WORKER, lease(), 10).await.unwrap();
        assert_eq!(claimed.len(), 1);
        // Step 1 (a text) deferred 8 hours; step 2 (an e-mail, the last) planned beside it, now.
        let mut deferred = sent(&claimed[0], Some(t0()));
        deferred.result = TouchResult::Retry {
            reason: "window".into(),
            due: t0() + 8.hours(),
        };
        store.finish_touches(WORKER, &[deferred]).await.unwrap();
        let email = store.claim_due(t0(), WORKER, lease(), 10).await.unwrap();
        assert_eq!(email.len(), 1);
        assert_eq!(email[0].touch.step_index, 1);
        // The e-mail was the cadence's last step, but the deferred text is still waiting.
        store
            .finish_touches(WORKER, &[sent(&email[0], None)])
            .await
            .unwrap();
        let status = |store: SharedStore| async move {
            store.lead(created.id).await.unwrap().unwrap().status
        };
        assert_eq!(status(store.clone()).await, LeadStatus::Active);
        let text = store
            .claim_due(t0() + 8.hours(), WORKER, lease(), 10)
            .await
            .unwrap();
        assert_eq!(text.len(), 1);
        assert_eq!(text[0].touch.step_index, 0);
        let before = store.timeline(created.id).await.unwrap().len();
        // Sent at last, it plans step 2 as any step does: already there, so not again.
        let mut last = sent(&text[0], Some(t0() + 9.hours()));
        last.complete = false;
        store.finish_touches(WORKER, &[last]).await.unwrap();
        let timeline = store.timeline(created.id).await.unwrap();
        assert_eq!(timeline.len(), before + 1, "only the text's own event");
        assert!(store
            .claim_due(t0() + 10.hours(), WORKER, lease(), 10)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(status(store.clone()).await, LeadStatus::Completed);
    }
);

store_test!(
    a_text_another_batch_holds_in_flight_counts_against_the_persons_caps_until_it_ends,
    |store| {
        save_version(&store).await;
        for phone in ["312-555-0211", "312-555-0212"] {
            store.create_lead(&lead(phone, t0(), "v1")).await.unwrap();
        }
        let mut claimed = store.claim_due(t0(), WORKER, lease(), 1).await.unwrap();
        claimed.extend(store.claim_due(t0(), "worker-b", lease(), 1).await.unwrap());
        assert_eq!(claimed.len(), 2);
        let person = "+13125550100".to_owned();
        let since = t0() - 1.hour();
        // The first batch reserves its text: nothing was sent or in flight before it.
        let first = store
            .reserve_phone_sends(WORKER, &[(claimed[0].touch.id, person.clone())], since)
            .await
            .unwrap();
        assert!(first.is_empty(), "{first:?}");
        // The second batch, in flight at the same time, counts the first one's text.
        let second = store
            .reserve_phone_sends("worker-b", &[(claimed[1].touch.id, person.clone())], since)
            .await
            .unwrap();
        assert_eq!(second.get(&person).map(Vec::len), Some(1), "{second:?}");
        // Asked again, the first batch counts the second's text, never its own.
        let again = store
            .reserve_phone_sends(WORKER, &[(claimed[0].touch.id, person.clone())], since)
            .await
            .unwrap();
        assert_eq!(again.get(&person).map(Vec::len), Some(1), "{again:?}");
        // The first text deferred: its reservation lapses; the second's sent: counted once, as sent.
        let mut deferred = sent(&claimed[0], None);
        deferred.result = TouchResult::Retry {
            reason: "cap".into(),
            due: t0() + 8.hours(),
        };
        deferred.complete = false;
        store.finish_touches(WORKER, &[deferred]).await.unwrap();
        store
            .finish_touches("worker-b", &[sent(&claimed[1], None)])
            .await
            .unwrap();
        let after = store.reserve_phone_sends(WORKER, &[], since).await.unwrap();
        assert!(
            after.is_empty(),
            "nothing to reserve, nothing read: {after:?}"
        );
        let counted = store
            .phone_sends_since(std::slice::from_ref(&person), since)
            .await
            .unwrap();
        assert_eq!(counted.get(&person).map(Vec::len), Some(1), "{counted:?}");
        // A worker cannot reserve a touch whose lease is not its own (the deferred one is not even
        // `sending`): it reads the one sent text and reserves nothing.
        let probe = store
            .reserve_phone_sends("worker-c", &[(claimed[0].touch.id, person.clone())], since)
            .await
            .unwrap();
        assert_eq!(probe.get(&person).map(Vec::len), Some(1), "{probe:?}");
        let counted = store
            .phone_sends_since(std::slice::from_ref(&person), since)
            .await
            .unwrap();
        assert_eq!(counted.get(&person).map(Vec::len), Some(1), "{counted:?}");
    }
);

store_test!(
    a_persons_recent_texts_are_counted_across_leads_and_only_when_sent,
    |store| {
        save_version(&store).await;
        // Two leads (two dealerships' inquiries) whose texts went to one number, and one elsewhere.
        for phone in ["312-555-0201", "312-555-0202", "312-555-0203"] {
            store.create_lead(&lead(phone, t0(), "v1")).await.unwrap();
        }
        let claimed = store.claim_due(t0(), WORKER, lease(), 10).await.unwrap();
        assert_eq!(claimed.len(), 3);
        // `sent` records every touch as sent to +13125550100 at t0; the third stays unsent.
        let finished: Vec<TouchOutcome> = claimed[..2].iter().map(|c| sent(c, None)).collect();
        store.finish_touches(WORKER, &finished).await.unwrap();
        let phones = vec!["+13125550100".to_owned(), "+13125550203".to_owned()];
        let recent = store
            .phone_sends_since(&phones, t0() - 1.hour())
            .await
            .unwrap();
        assert_eq!(
            recent.get("+13125550100").map(Vec::len),
            Some(2),
            "{recent:?}"
        );
        assert!(!recent.contains_key("+13125550203"), "{recent:?}");
        // Sends at or before `since` are not counted.
        let later = store.phone_sends_since(&phones, t0()).await.unwrap();
        assert!(later.is_empty(), "{later:?}");
    }
);

store_test!(
    a_servers_manual_clock_is_kept_for_commands_beside_it,
    |store| {
        assert_eq!(store.engine_clock().await.unwrap(), None);
        store.record_engine_clock(Some(t0())).await.unwrap();
        store
            .record_engine_clock(Some(t0() + 1.hours()))
            .await
            .unwrap();
        assert_eq!(store.engine_clock().await.unwrap(), Some(t0() + 1.hours()));
        // A server on the system clock takes its place.
        store.record_engine_clock(None).await.unwrap();
        assert_eq!(store.engine_clock().await.unwrap(), None);
    }
);
