//! The read model, documents, staff tokens, inventory and the reports' facts, on every backend:
//! what each operation answers after the writes a lead's life makes.

use keepwarm_domain::thread::{Direction, Who};

use super::*;

/// A lead on `phone` (first touch due at `t0`) and its id; the cadence version is saved first.
async fn stored(store: &SharedStore, phone: &str) -> LeadId {
    save_version(store).await;
    store
        .create_lead(&lead(phone, t0(), "v1"))
        .await
        .unwrap()
        .id
}

fn document(body: &[u8]) -> NewDocument {
    NewDocument {
        received_at: t0(),
        channel: "api_adf".into(),
        content_type: Some("application/xml".into()),
        body: body.to_vec(),
    }
}

store_test!(
    documents_are_kept_whole_linked_to_their_leads_and_listed_newest_first,
    |store| {
        let id = stored(&store, "312-555-0701").await;
        let ids = store
            .store_documents(&[document(b"<adf>1</adf>"), document(b"<adf>2</adf>")])
            .await
            .unwrap();
        assert_eq!(ids.len(), 2);
        assert!(ids[0] < ids[1], "{ids:?}");
        let third = store.store_document(&document(b"not adf")).await.unwrap();
        store
            .finish_documents(&[DocumentResult {
                id: ids[0],
                status: "parsed".into(),
                detail: None,
                leads: vec![id, id],
            }])
            .await
            .unwrap();
        store
            .finish_document(third, "unrecognized", Some("no <adf>"), &[])
            .await
            .unwrap();
        let (row, body) = store.document(ids[0]).await.unwrap().unwrap();
        assert_eq!(body, b"<adf>1</adf>");
        assert_eq!(
            (row.status.as_str(), row.lead_ids, row.size),
            ("parsed", vec![id.0], 12)
        );
        let page = Page {
            limit: 2,
            after: None,
        };
        let listed: Vec<i64> = store
            .documents(None, &page)
            .await
            .unwrap()
            .iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(listed, [third, ids[1]]);
        let after = Page {
            limit: 10,
            after: Some(vec![ids[1]]),
        };
        let rest = store.documents(None, &after).await.unwrap();
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].id, ids[0]);
        let unrecognized = store.documents(Some("unrecognized"), &page).await.unwrap();
        assert_eq!(unrecognized.len(), 1);
        assert_eq!(unrecognized[0].detail.as_deref(), Some("no <adf>"));
        assert!(store.document(third + 100).await.unwrap().is_none());
    }
);

store_test!(imported_rows_are_remembered_once_per_key, |store| {
    let id = stored(&store, "312-555-0702").await;
    let keys = vec!["a".to_owned(), "b".to_owned(), "c".to_owned()];
    assert!(store.imported_rows(&keys).await.unwrap().is_empty());
    store
        .record_imported_rows(&[("a".into(), Some(id)), ("b".into(), None)], t0())
        .await
        .unwrap();
    store
        .record_imported_rows(&[("a".into(), None)], t0())
        .await
        .unwrap();
    let mut found: Vec<String> = store
        .imported_rows(&keys)
        .await
        .unwrap()
        .into_iter()
        .collect();
    found.sort();
    assert_eq!(found, ["a", "b"]);
});

store_test!(
    an_inquiry_matches_the_dealerships_lead_by_phone_or_any_case_of_its_email,
    |store| {
        save_version(&store).await;
        let mut first = lead("312-555-0703", t0(), "v1");
        first.emails = vec![keepwarm_domain::EmailAddress::parse("Dana@Example.com").unwrap()];
        let id = store.create_lead(&first).await.unwrap().id;
        let phone = PhoneNumber::parse("312-555-0703", "US").unwrap();
        let email = keepwarm_domain::EmailAddress::parse("dana@example.COM").unwrap();
        let other = PhoneNumber::parse("312-555-0799", "US").unwrap();
        let found = store
            .find_matches(
                "main",
                &[
                    (vec![phone.clone()], vec![]),
                    (vec![], vec![email.clone()]),
                    (vec![other], vec![]),
                ],
            )
            .await
            .unwrap();
        let leads: Vec<Option<LeadId>> = found.iter().map(|m| m.as_ref().map(|m| m.lead)).collect();
        assert_eq!(leads, [Some(id), Some(id), None]);
        let by_email = found[1].as_ref().unwrap();
        assert!(by_email.email_matches);
        assert_eq!(by_email.status, LeadStatus::Active);
        assert!(!by_email.open_escalation && !by_email.opted_out);
        assert_eq!(by_email.last_inquiry_at, t0());
        assert!(store
            .find_match("elsewhere", &[phone], &[email])
            .await
            .unwrap()
            .is_none());
        assert!(store.find_match("main", &[], &[]).await.unwrap().is_none());
    }
);

/// `kind` with `data` on `lead` at `at`, through a change set.
async fn record(store: &SharedStore, lead: LeadId, at: Timestamp, kind: &str, data: Value) {
    let mut s = set(lead, vec![Change::Events(vec![event(at, kind, data)])]);
    s.at = at;
    store.apply(&s).await.unwrap();
}

use serde_json::Value;

store_test!(
    the_conversation_shows_both_ways_and_the_customer_waits_until_a_person_answers,
    |store| {
        let id = stored(&store, "312-555-0704").await;
        let claimed = store.claim_due(t0(), WORKER, lease(), 10).await.unwrap();
        store
            .finish_touches(WORKER, &[sent(&claimed[0], None)])
            .await
            .unwrap();
        let asked = t0() + 5.minutes();
        record(
            &store,
            id,
            asked,
            TimelineEvent::INBOUND_MESSAGE,
            json!({"channel": "sms", "from": "+13125550704", "body": "Is it still there?",
                   "media": [], "classification": {}}),
        )
        .await;
        record(
            &store,
            id,
            asked,
            TimelineEvent::CUSTOMER_WAITING,
            json!({"owner": "sam", "sla_due_at": "2026-12-01T15:20:00Z", "hot": true}),
        )
        .await;

        let thread = store.conversation(id).await.unwrap();
        let shape: Vec<(Direction, &str)> = thread
            .iter()
            .map(|e| (e.direction, e.body.as_str()))
            .collect();
        assert_eq!(
            shape,
            [
                (Direction::Outbound, "hi"),
                (Direction::Inbound, "Is it still there?")
            ]
        );
        assert_eq!(thread[0].who, Who::Automation);
        assert_eq!(thread[1].who, Who::Customer);
        let recent = store.recent_conversation(id, 10).await.unwrap();
        let recent: Vec<(&str, &str)> = recent
            .iter()
            .map(|e| (e.direction.as_str(), e.body.as_str()))
            .collect();
        assert_eq!(
            recent,
            [("outbound", "hi"), ("inbound", "Is it still there?")]
        );
        assert_eq!(
            store.lead_of_message("SM0001").await.unwrap(),
            Some(id),
            "the touch went out as SM0001"
        );
        assert_eq!(store.lead_of_message("SM9999").await.unwrap(), None);

        let waiting = store.waiting(None, None).await.unwrap();
        assert_eq!(waiting.len(), 1);
        let w = &waiting[0];
        assert_eq!(
            (
                w.lead_id,
                w.since,
                w.hot,
                w.last_message.as_str(),
                w.owner.as_str()
            ),
            (id, asked, true, "Is it still there?", "sam")
        );
        assert_eq!(w.due_at, "2026-12-01T15:20:00Z".parse().unwrap());
        assert!(store.waiting(Some("alex"), None).await.unwrap().is_empty());
        let facts = store.conversation_facts(id).await.unwrap();
        assert_eq!(
            (
                facts.last_customer_at,
                facts.last_person_at,
                facts.open_escalation
            ),
            (Some(asked), None, false)
        );

        let answered = asked + 2.minutes();
        record(
            &store,
            id,
            answered,
            TimelineEvent::STAFF_MESSAGE_SENT,
            json!({"by": "sam", "name": "Sam", "channel": "sms", "body": "Yes it is"}),
        )
        .await;
        assert!(store.waiting(None, Some(id)).await.unwrap().is_empty());
        let facts = store.conversation_facts(id).await.unwrap();
        assert_eq!(facts.last_person_at, Some(answered));
    }
);

store_test!(
    queue_figures_count_due_work_and_escalations_waiting_for_a_person,
    |store| {
        stored(&store, "312-555-0705").await;
        stored(&store, "312-555-0706").await;
        let stats = store.queue_stats(t0()).await.unwrap();
        assert_eq!(
            (stats.touches_due, stats.oldest_due_at, stats.outbound_due),
            (2, Some(t0()), 0)
        );
        assert_eq!((stats.escalations_open, stats.escalations_breached), (0, 0));
        let before = store.queue_stats(t0() - 1.minutes()).await.unwrap();
        assert_eq!((before.touches_due, before.oldest_due_at), (0, None));
    }
);

store_test!(
    cadence_versions_are_listed_with_their_enrollments,
    |store| {
        stored(&store, "312-555-0707").await;
        stored(&store, "312-555-0708").await;
        store
            .save_cadence_version(&NewCadenceVersion {
                name: "c".into(),
                version: "v2".into(),
                label: Some("shorter".into()),
                snapshot: r#"{"steps": []}"#.into(),
                at: t0() + 1.hours(),
            })
            .await
            .unwrap();
        let versions = store.cadence_versions("c").await.unwrap();
        let shape: Vec<(&str, i64, Option<Timestamp>)> = versions
            .iter()
            .map(|v| (v.version.as_str(), v.enrollments, v.first_enrolled_at))
            .collect();
        assert_eq!(shape, [("v1", 2, Some(t0())), ("v2", 0, None)]);
        assert_eq!(versions[1].snapshot, json!({"steps": []}));
        assert_eq!(versions[1].label.as_deref(), Some("shorter"));
        assert!(store.cadence_versions("none").await.unwrap().is_empty());
    }
);

store_test!(
    a_staff_token_is_found_by_its_digest_until_it_is_revoked,
    |store| {
        let token = |hash: &str| NewStaffToken {
            staff_id: "sam".into(),
            name: "laptop".into(),
            token_hash: hash.into(),
            created_at: t0(),
        };
        let made = store.create_staff_token(&token("aa")).await.unwrap();
        let twice = store.create_staff_token(&token("aa")).await;
        assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
        store.create_staff_token(&token("bb")).await.unwrap();
        assert_eq!(
            store.active_staff_token("aa").await.unwrap().map(|t| t.id),
            Some(made.id)
        );
        let revoked = store
            .revoke_staff_token(made.id, t0() + 1.hours())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(revoked.revoked_at, Some(t0() + 1.hours()));
        assert!(store.active_staff_token("aa").await.unwrap().is_none());
        assert_eq!(store.staff_tokens(Some("sam")).await.unwrap().len(), 2);
        assert!(store.staff_tokens(Some("alex")).await.unwrap().is_empty());
        assert!(store.revoke_staff_token(999, t0()).await.unwrap().is_none());
    }
);

store_test!(
    an_inventory_import_replaces_the_dealerships_stock,
    |store| {
        let keys: Vec<String> = ["VIN1", "VIN2", "VIN3"].map(String::from).to_vec();
        store
            .replace_inventory(
                "main",
                &[("VIN1".into(), true), ("VIN2".into(), false)],
                t0(),
            )
            .await
            .unwrap();
        store
            .replace_inventory("other", &[("VIN3".into(), true)], t0())
            .await
            .unwrap();
        let stock = store.available_stock("main", &keys).await.unwrap();
        assert_eq!(stock.into_iter().collect::<Vec<_>>(), ["VIN1"]);
        store
            .replace_inventory("main", &[("VIN2".into(), true)], t0())
            .await
            .unwrap();
        let stock = store.available_stock("main", &keys).await.unwrap();
        assert_eq!(stock.into_iter().collect::<Vec<_>>(), ["VIN2"]);
        assert!(store.available_stock("main", &[]).await.unwrap().is_empty());
    }
);

store_test!(
    open_work_lists_a_leads_open_tasks_and_unacknowledged_escalations,
    |store| {
        let id = stored(&store, "312-555-0709").await;
        let task = NewTask {
            owner_id: "sam".into(),
            kind: "call".into(),
            touch_id: None,
            due_at: t0(),
            body: "Call Dana".into(),
        };
        store
            .apply(&set(id, vec![Change::Task(task)]))
            .await
            .unwrap();
        let work = store.open_work(id).await.unwrap();
        assert_eq!(work.tasks.len(), 1);
        assert_eq!(work.tasks[0].1, "sam");
        assert!(work.escalations.is_empty());
    }
);

store_test!(
    the_funnel_report_reads_each_leads_furthest_stage_and_first_touch,
    |store| {
        let id = stored(&store, "312-555-0710").await;
        let claimed = store.claim_due(t0(), WORKER, lease(), 10).await.unwrap();
        store
            .finish_touches(WORKER, &[sent(&claimed[0], None)])
            .await
            .unwrap();
        store
            .apply(&set(
                id,
                vec![Change::StageAtLeast {
                    stage: Stage::Contacted,
                    by: "customer reply".into(),
                    via: "sms".into(),
                }],
            ))
            .await
            .unwrap();
        let report = store
            .report_leads(t0() - 1.hours(), t0() + 1.hours())
            .await
            .unwrap();
        assert_eq!(report.len(), 1);
        let r = &report[0];
        assert_eq!(
            (r.furthest, r.lost, r.cadence.as_str(), r.source.as_str()),
            (Stage::Contacted, false, "c@v1", "internet")
        );
        assert_eq!(r.first_touch_at, Some(t0()));
        assert_eq!(r.first_human_at, None, "a customer's reply is no person");
        assert_eq!(r.dealership, "main");
        assert_eq!(
            r.stored_at,
            t0(),
            "speed counts from when the store kept it"
        );

        // The compliance page's reads: the timeline by kind, and who can be reached.
        let sent = store
            .events_of_kinds(
                &[keepwarm_domain::TimelineEvent::TOUCH_SENT],
                t0() - 1.hours(),
                t0() + 1.hours(),
                10,
            )
            .await
            .unwrap();
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert_eq!(sent[0].lead_id, id);
        assert!(store
            .report_leads(t0() + 1.hours(), t0() + 2.hours())
            .await
            .unwrap()
            .is_empty());

        let audit = store
            .audit_activity("main", t0() - 1.hours(), t0() - 1.hours(), t0() + 1.hours())
            .await
            .unwrap();
        assert_eq!(audit.leads.len(), 1);
        assert_eq!(audit.leads[0].id, id.0);
        assert_eq!(audit.touches.len(), 1);
        assert!(audit.touches[0].first_sms);
        assert_eq!(audit.touches[0].sent_at, Some(t0()));
        assert!(store
            .audit_activity("other", t0(), t0(), t0() + 1.hours())
            .await
            .unwrap()
            .leads
            .is_empty());
        // Who can be reached: the first lead's cadence is done; a new one is active with a phone.
        stored(&store, "312-555-0711").await;
        let coverage = store.consent_coverage(Some("main")).await.unwrap();
        assert_eq!(
            (coverage.active, coverage.with_phone, coverage.textable),
            (1, 1, 1)
        );
        assert_eq!(
            store.consent_coverage(Some("other")).await.unwrap().active,
            0
        );
    }
);

store_test!(
    failed_sign_ins_count_per_key_within_the_window_and_a_key_is_cleared_alone,
    |store| {
        let keys = |k: &[&str]| k.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        for minute in [0, 1, 2] {
            store
                .record_sign_in_failure(
                    &keys(&["account:sam", "address:10.0.0.1"]),
                    t0() + minute.minutes(),
                    t0() - 15.minutes(),
                )
                .await
                .unwrap();
        }
        let mut seen = store
            .sign_in_failures(
                &keys(&["account:sam", "address:10.0.0.1", "account:alex"]),
                t0(),
            )
            .await
            .unwrap();
        seen.sort_by(|a, b| a.key.cmp(&b.key));
        // After `since` only: the failure at t0 itself is out of the window.
        assert_eq!(
            seen.iter()
                .map(|f| (f.key.as_str(), f.count, f.oldest))
                .collect::<Vec<_>>(),
            [
                ("account:sam", 2, t0() + 1.minutes()),
                ("address:10.0.0.1", 2, t0() + 1.minutes())
            ]
        );
        store.clear_sign_in_failures("account:sam").await.unwrap();
        let left = store
            .sign_in_failures(
                &keys(&["account:sam", "address:10.0.0.1"]),
                t0() - 1.minutes(),
            )
            .await
            .unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(
            (left[0].key.as_str(), left[0].count),
            ("address:10.0.0.1", 3)
        );
        // A later failure forgets the ones that left the window.
        store
            .record_sign_in_failure(
                &keys(&["address:10.0.0.1"]),
                t0() + 20.minutes(),
                t0() + 5.minutes(),
            )
            .await
            .unwrap();
        let left = store
            .sign_in_failures(&keys(&["address:10.0.0.1"]), t0() - 1.minutes())
            .await
            .unwrap();
        assert_eq!(left[0].count, 1);
    }
);
