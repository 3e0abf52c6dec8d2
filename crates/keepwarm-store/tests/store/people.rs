//! People's data and the workspace's reads, on every backend: finding, exporting and erasing a
//! person, the suppression list, the hourly intake cap's held inquiries, sign-in sessions, search
//! and the Today lists.

use super::*;

/// Dana on `phone`, with an e-mail and a linked document mentioning her number; returns the lead.
async fn dana(store: &SharedStore, phone: &str) -> LeadId {
    save_version(store).await;
    let mut record = lead(phone, t0() + 1.hours(), "v1");
    record.emails = vec![keepwarm_domain::EmailAddress::parse("dana@example.com").unwrap()];
    record.payload = json!({"customer": {"first_name": "Dana", "last_name": "Reyes"}});
    let id = store.create_lead(&record).await.unwrap().id;
    let document = store
        .store_document(&NewDocument {
            received_at: t0(),
            channel: "api_adf".into(),
            content_type: None,
            body: format!("<adf><phone>{phone}</phone></adf>").into_bytes(),
        })
        .await
        .unwrap();
    store
        .finish_document(document, "parsed", None, &[id])
        .await
        .unwrap();
    id
}

store_test!(
    a_person_is_found_exported_and_erased_with_everything_that_names_them,
    |store| {
        let id = dana(&store, "312-555-0801").await;
        let other = store
            .create_lead(&lead("312-555-0802", t0() + 1.hours(), "v1"))
            .await
            .unwrap()
            .id;
        // Another lead's timeline quotes Dana's number: redacted, not deleted.
        let quote = event(
            t0(),
            "note_added",
            json!({"by": "sam", "name": "Sam",
            "body": "same person as +13125550801"}),
        );
        store
            .apply(&set(other, vec![Change::Events(vec![quote])]))
            .await
            .unwrap();

        let found = store.find_person("dana@example.com").await.unwrap();
        assert_eq!(found.leads, [id]);
        assert_eq!(found.contacts, ["+13125550801", "dana@example.com"]);
        assert!(
            ["Dana", "Reyes"]
                .iter()
                .all(|n| found.names.iter().any(|f| f == n)),
            "{:?}",
            found.names
        );
        assert_eq!(found.documents.len(), 1);

        let export = store.export_person(&found).await.unwrap();
        assert_eq!(export["leads"].len(), 1);
        assert_eq!(export["leads"][0]["id"], json!(id.0));
        assert_eq!(
            export["leads"][0]["payload"]["customer"]["first_name"], "Dana",
            "JSON columns are exported as JSON"
        );
        assert_eq!(export["lead_contacts"].len(), 2);
        assert_eq!(
            export["inbound_documents"][0]["body"], "<adf><phone>312-555-0801</phone></adf>",
            "a document's body is exported as text"
        );
        assert!(export["events"].len() >= 2);

        let erased = store
            .erase_person(&PersonErasure {
                found: found.clone(),
                kind: "email".into(),
                by: "morgan".into(),
                at: t0() + 2.hours(),
                suppress: vec![("hash-of-dana".into(), "email".into())],
            })
            .await
            .unwrap();
        assert_eq!(erased.counts["leads"], 1);
        assert_eq!(erased.counts["lead_contacts"], 2);
        assert_eq!(erased.counts["inbound_documents"], 1);
        assert!(erased.counts["redacted"] >= 1, "{:?}", erased.counts);
        assert!(store.lead(id).await.unwrap().is_none());
        assert!(store.timeline(id).await.unwrap().is_empty());
        let (document, body) = store.document(found.documents[0]).await.unwrap().unwrap();
        assert!(body.is_empty());
        assert_eq!(document.size, 0);
        let quoted = serde_json::to_string(&store.timeline(other).await.unwrap()).unwrap();
        assert!(!quoted.contains("+13125550801"), "{quoted}");
        assert!(quoted.contains("[erased]"), "{quoted}");
        assert!(store
            .find_person("dana@example.com")
            .await
            .unwrap()
            .leads
            .is_empty());

        let hashes = vec!["hash-of-dana".to_owned(), "someone-else".to_owned()];
        let suppressed = store.suppressed(&hashes).await.unwrap();
        assert_eq!(suppressed.into_iter().collect::<Vec<_>>(), ["hash-of-dana"]);
        store.count_suppressed(&hashes, t0()).await.unwrap();
    }
);

store_test!(
    raw_documents_are_forgotten_on_request_and_purged_after_retention,
    |store| {
        dana(&store, "312-555-0803").await;
        let later = store
            .store_document(&NewDocument {
                received_at: t0() + 48.hours(),
                channel: "email".into(),
                content_type: None,
                body: b"later".to_vec(),
            })
            .await
            .unwrap();
        assert_eq!(
            store
                .purge_documents(t0() + 1.hours(), t0() + 50.hours())
                .await
                .unwrap(),
            1
        );
        let (_, body) = store.document(later).await.unwrap().unwrap();
        assert_eq!(body, b"later", "a newer document is kept");
        assert_eq!(store.forget_documents(&[later], t0()).await.unwrap(), 1);
        let (row, body) = store.document(later).await.unwrap().unwrap();
        assert!(body.is_empty());
        assert_eq!((row.size, row.sha256.as_str()), (0, ""));
    }
);

store_test!(
    inquiries_over_the_hourly_cap_are_held_counted_and_released_once,
    |store| {
        let key = "provider:cars.com".to_owned();
        let alert = NewOutbound {
            lead_id: None,
            purpose: OutboundPurpose::ManagerAlert,
            channel: "email".into(),
            recipient_kind: "staff".into(),
            recipient: "morgan@example.com".into(),
            subject: Some("held".into()),
            body: "An inquiry was held".into(),
            attachments: vec![],
            dealership: "main".into(),
            dedupe_key: Some("held:1".into()),
            on_sent: None,
            on_failed: None,
            due_at: t0(),
            sender: None,
        };
        let held = NewHeldInquiry {
            held_at: t0(),
            source_key: key.clone(),
            reason: "over 2 an hour".into(),
            document_id: None,
            resend: true,
            lead: json!({"customer": {"first_name": "Lee"}}).to_string(),
            contacts: vec!["+13125550804".into()],
        };
        let ids = store
            .record_intake_quota(
                &[QuotaUse {
                    source_key: key.clone(),
                    hour: 10,
                    admitted: 2,
                    held: 1,
                }],
                &[held],
                &[alert],
                t0(),
            )
            .await
            .unwrap();
        store
            .record_intake_quota(
                &[QuotaUse {
                    source_key: key.clone(),
                    hour: 10,
                    admitted: 1,
                    held: 0,
                }],
                &[],
                &[],
                t0(),
            )
            .await
            .unwrap();
        let quota = store
            .intake_quota(std::slice::from_ref(&key), 10)
            .await
            .unwrap();
        assert_eq!(quota.get(&key), Some(&3));
        assert!(store.intake_quota(&[key], 11).await.unwrap().is_empty());
        assert_eq!(store.outbound_messages(None).await.unwrap().len(), 1);

        let open = store.held_inquiries(true).await.unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].id, ids[0]);
        assert!(open[0].resend);
        assert_eq!(open[0].lead["customer"]["first_name"], "Lee");
        let found = store.find_person("+13125550804").await.unwrap();
        assert_eq!(found.held, ids);

        let released = store.release_held(ids[0], "morgan", t0()).await.unwrap();
        assert_eq!(released.unwrap().released_by.as_deref(), Some("morgan"));
        assert!(store
            .release_held(ids[0], "pat", t0())
            .await
            .unwrap()
            .is_none());
        let lead_id = LeadId(41);
        store.link_released(ids[0], lead_id).await.unwrap();
        assert!(store.held_inquiries(true).await.unwrap().is_empty());
        let all = store.held_inquiries(false).await.unwrap();
        assert_eq!(all[0].lead_id, Some(41));
    }
);

store_test!(
    a_web_session_lives_until_it_or_all_its_staff_members_sessions_end,
    |store| {
        assert!(store.staff_password("sam").await.unwrap().is_none());
        store
            .set_staff_password("sam", "$argon2id$1", t0())
            .await
            .unwrap();
        store
            .set_staff_password("sam", "$argon2id$2", t0())
            .await
            .unwrap();
        assert_eq!(
            store.staff_password("sam").await.unwrap().as_deref(),
            Some("$argon2id$2")
        );
        let session = |hash: &str| NewWebSession {
            token_hash: hash.into(),
            staff_id: "sam".into(),
            csrf_token: "csrf".into(),
            created_at: t0(),
        };
        let one = store.create_web_session(&session("s1")).await.unwrap();
        store.create_web_session(&session("s2")).await.unwrap();
        store
            .touch_web_session(one.id, t0() + 5.minutes())
            .await
            .unwrap();
        store.touch_web_session(one.id, t0()).await.unwrap();
        let seen = store.web_session("s1").await.unwrap().unwrap();
        assert_eq!(seen.last_seen_at, t0() + 5.minutes(), "never moves back");
        store
            .end_web_session(one.id, t0() + 6.minutes())
            .await
            .unwrap();
        assert!(store
            .web_session("s1")
            .await
            .unwrap()
            .unwrap()
            .ended_at
            .is_some());
        assert_eq!(store.end_staff_sessions("sam", t0()).await.unwrap(), 1);
        assert!(store
            .web_session("s2")
            .await
            .unwrap()
            .unwrap()
            .ended_at
            .is_some());
        assert!(store.web_session("nope").await.unwrap().is_none());
    }
);

store_test!(
    the_workspace_searches_leads_and_lists_what_is_overdue_and_untouched,
    |store| {
        save_version(&store).await;
        let mut dana = lead("312-555-0805", t0(), "v1");
        dana.display_name = Some("Dana 100%_Reyes".into());
        let dana = store.create_lead(&dana).await.unwrap().id;
        let mut lee = lead("312-555-0806", t0(), "v1");
        lee.display_name = Some("Lee".into());
        lee.owner_id = "alex".into();
        let lee = store.create_lead(&lee).await.unwrap().id;
        let search = |f: &dyn Fn(&mut LeadSearch)| {
            let mut s = LeadSearch {
                limit: 50,
                ..LeadSearch::default()
            };
            f(&mut s);
            s
        };
        let ids = |leads: Vec<LeadRow>| leads.iter().map(|l| l.id).collect::<Vec<_>>();
        let all = store.search_leads(&search(&|_| {})).await.unwrap();
        assert_eq!(ids(all), [lee, dana]);
        let by_name = search(&|s| s.name = Some("100%_".into()));
        assert_eq!(ids(store.search_leads(&by_name).await.unwrap()), [dana]);
        let literal = search(&|s| s.name = Some("100%x".into()));
        assert!(store.search_leads(&literal).await.unwrap().is_empty());
        let by_phone = search(&|s| s.phone_digits = Some("5550806".into()));
        assert_eq!(ids(store.search_leads(&by_phone).await.unwrap()), [lee]);
        let visible = search(&|s| {
            s.visible = Some(VisibleLeads {
                owner: "alex".into(),
                all_of_segments: vec![],
                unowned_of_segments: vec!["new_inquiry".into()],
                staff: vec!["sam".into(), "alex".into()],
            })
        });
        assert_eq!(ids(store.search_leads(&visible).await.unwrap()), [lee]);

        let task = NewTask {
            owner_id: "sam".into(),
            kind: "call".into(),
            touch_id: None,
            due_at: t0(),
            body: "Call Dana".into(),
        };
        store
            .apply(&set(dana, vec![Change::Task(task)]))
            .await
            .unwrap();
        let overdue = store
            .overdue_tasks(t0() + 1.minutes(), Some("sam"), 10)
            .await
            .unwrap();
        assert_eq!(overdue.len(), 1);
        assert!(store
            .overdue_tasks(t0(), None, 10)
            .await
            .unwrap()
            .is_empty());

        let claimed = store.claim_due(t0(), WORKER, lease(), 1).await.unwrap();
        let touched = claimed[0].lead.id;
        let mut done = sent(&claimed[0], None);
        done.events = vec![event(
            t0() + 1.minutes(),
            TimelineEvent::TOUCH_SENT,
            json!({}),
        )];
        store.finish_touches(WORKER, &[done]).await.unwrap();
        let untouched = store.untouched_leads(t0(), None, 10).await.unwrap();
        assert_eq!(untouched.len(), 1);
        assert_ne!(untouched[0].id, touched);
        let firsts = store.first_touches(t0(), t0() + 1.hours()).await.unwrap();
        let touched_at: Vec<(LeadId, Option<Timestamp>)> = firsts
            .iter()
            .map(|f| (f.lead_id, f.first_touch_at))
            .filter(|(_, at)| at.is_some())
            .collect();
        assert_eq!(touched_at, [(touched, Some(t0() + 1.minutes()))]);
        let loads = store.owner_loads().await.unwrap();
        let loads: Vec<(&str, i64, i64)> = loads
            .iter()
            .map(|l| (l.owner.as_str(), l.active_leads, l.open_tasks))
            .collect();
        // Dana's cadence completed with its only touch: Sam has her task, not her lead.
        assert_eq!(loads, [("alex", 1, 0), ("sam", 0, 1)]);
        assert!(store.latest_event_id().await.unwrap() > 0);
    }
);
