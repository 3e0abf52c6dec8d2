//! The change-set interpreter, change by change, through [`ChangeSets::apply`] only: what each kind
//! of change does to the store, and that a refused set leaves nothing behind (not even its
//! idempotency key). Each body runs on every backend ([`store_test!`]).

use super::*;

/// A lead with one open `call` task for `sam`; returns the lead and the task's id.
async fn lead_with_task(store: &SharedStore, phone: &str) -> (LeadId, i64) {
    save_version(store).await;
    let mut record = lead(phone, t0() + 1.hours(), "v1");
    record.tasks = vec![NewTask {
        owner_id: "sam".into(),
        kind: "call".into(),
        touch_id: None,
        due_at: t0() + 2.hours(),
        body: "Call Dana".into(),
    }];
    let id = store.create_lead(&record).await.unwrap().id;
    let task = store.tasks(Some("sam")).await.unwrap()[0].id;
    (id, task)
}

/// Opens an escalation on `lead` for `sam` through a change set; returns its id.
async fn open_escalation(store: &SharedStore, lead: LeadId) -> i64 {
    let open = Change::OpenEscalation {
        escalation: NewEscalation {
            lead,
            intents: vec!["appointment".into()],
            context: json!({}),
            at: t0(),
            sla_due_at: t0() + 5.minutes(),
            assignee: "sam".into(),
            notified: vec!["sam".into()],
        },
        event: event(t0(), "escalated", json!({})),
    };
    match store.apply(&set(lead, vec![open])).await.unwrap() {
        Applied::Applied {
            escalation: Some(id),
        } => id,
        other => panic!("opening an escalation answered {other:?}"),
    }
}

fn kinds_of(timeline: &[TimelineEntry]) -> Vec<&str> {
    timeline.iter().map(|e| e.event.kind()).collect()
}

store_test!(
    a_reassignment_moves_the_lead_its_open_task_and_its_open_escalation_together,
    [sqlite_memory, sqlite_file],
    |store| {
        let (id, task) = lead_with_task(&store, "312-555-0301").await;
        let escalation = open_escalation(&store, id).await;
        let changes = vec![
            Change::SetOwner {
                owner: "alex".into(),
            },
            Change::MoveTask {
                task,
                to: "alex".into(),
            },
            Change::MoveEscalation {
                escalation,
                to: "alex".into(),
            },
        ];
        store.apply(&set(id, changes)).await.unwrap();
        let lead = store.show_lead(id).await.unwrap().unwrap();
        assert_eq!(lead.owner.id, "alex");
        let task = store.show_task(task).await.unwrap().unwrap();
        assert_eq!(
            (task.owner_id.as_str(), task.status),
            ("alex", TaskStatus::Open)
        );
        let escalation = store.show_escalation(escalation).await.unwrap().unwrap();
        assert_eq!(
            (escalation.owner.as_str(), escalation.status),
            ("alex", EscalationStatus::Open)
        );
    }
);

store_test!(
    a_set_whose_task_was_closed_meanwhile_is_refused_whole_and_keeps_no_key,
    [sqlite_memory, sqlite_file],
    |store| {
        let (id, task) = lead_with_task(&store, "312-555-0302").await;
        let done = set(
            id,
            vec![Change::CompleteTask {
                task,
                outcome: "connected".into(),
                note: None,
                by: "sam".into(),
            }],
        );
        store.apply(&done).await.unwrap();
        // A task completes once: the second completion refuses its whole set.
        assert!(matches!(
            store.apply(&done).await,
            Err(StoreError::Conflict(_))
        ));
        let mut refused = set(
            id,
            vec![
                Change::SetOwner {
                    owner: "alex".into(),
                },
                Change::MoveTask {
                    task,
                    to: "alex".into(),
                },
            ],
        );
        refused.idempotency_key = Some("reassign:1".into());
        let outcome = store.apply(&refused).await;
        assert!(
            matches!(outcome, Err(StoreError::Conflict(_))),
            "{outcome:?}"
        );
        let lead = store.show_lead(id).await.unwrap().unwrap();
        assert_eq!(
            lead.owner.id, "sam",
            "the owner change went with the refusal"
        );
        // The key was not kept: the same key applies once the set no longer conflicts.
        refused.changes.truncate(1);
        assert_eq!(
            store.apply(&refused).await.unwrap(),
            Applied::Applied { escalation: None }
        );
        assert_eq!(store.show_lead(id).await.unwrap().unwrap().owner.id, "alex");
    }
);

store_test!(
    a_task_change_gives_its_owner_an_open_task,
    [sqlite_memory, sqlite_file],
    |store| {
        save_version(&store).await;
        let id = store
            .create_lead(&lead("312-555-0303", t0(), "v1"))
            .await
            .unwrap()
            .id;
        let task = Change::Task(NewTask {
            owner_id: "jordan".into(),
            kind: "reply".into(),
            touch_id: None,
            due_at: t0() + 15.minutes(),
            body: "Answer Dana".into(),
        });
        store.apply(&set(id, vec![task])).await.unwrap();
        let page = Page {
            after: None,
            limit: 10,
        };
        let tasks = store.tasks_page(Some("jordan"), &page).await.unwrap();
        assert_eq!(tasks.len(), 1, "{tasks:?}");
        assert_eq!(
            (tasks[0].lead_id, tasks[0].kind.as_str(), tasks[0].status),
            (id, "reply", TaskStatus::Open)
        );
        assert_eq!(tasks[0].due_at, t0() + 15.minutes());
    }
);

store_test!(
    a_revocation_is_in_force_until_its_contact_restores_consent,
    [sqlite_memory, sqlite_file],
    |store| {
        save_version(&store).await;
        let id = store
            .create_lead(&lead("312-555-0304", t0(), "v1"))
            .await
            .unwrap()
            .id;
        let contact = "+13125550304".to_owned();
        let revoke = Change::Revoke(Revocation {
            contact: contact.clone(),
            channels: vec!["sms".into()],
            at: t0(),
            words: "no more texts".into(),
            via: "sms reply".into(),
        });
        store.apply(&set(id, vec![revoke])).await.unwrap();
        let revoked = store
            .revoked_channels(std::slice::from_ref(&contact))
            .await
            .unwrap();
        assert_eq!(revoked.get(&contact), Some(&vec!["sms".to_owned()]));
        let in_force = store.revocations_in_force(&contact).await.unwrap();
        assert_eq!(in_force.len(), 1);
        assert_eq!(in_force[0].words, "no more texts");

        let restore = Change::RestoreConsent {
            contact: contact.clone(),
            by: "customer texted START".into(),
        };
        store.apply(&set(id, vec![restore])).await.unwrap();
        assert!(store
            .revoked_channels(std::slice::from_ref(&contact))
            .await
            .unwrap()
            .get(&contact)
            .is_none_or(Vec::is_empty));
        assert!(store
            .revocations_in_force(&contact)
            .await
            .unwrap()
            .is_empty());
    }
);

store_test!(
    acknowledging_a_leads_escalations_records_who_and_an_event,
    [sqlite_memory, sqlite_file],
    |store| {
        save_version(&store).await;
        let id = store
            .create_lead(&lead("312-555-0305", t0(), "v1"))
            .await
            .unwrap()
            .id;
        let escalation = open_escalation(&store, id).await;
        let ack = Change::AcknowledgeEscalations {
            by: "sam".into(),
            via: "staff message".into(),
        };
        store.apply(&set(id, vec![ack])).await.unwrap();
        let e = store.show_escalation(escalation).await.unwrap().unwrap();
        assert_eq!(e.status, EscalationStatus::Acknowledged);
        assert_eq!(e.acknowledged_by.as_deref(), Some("sam"));
        assert_eq!(e.acknowledged_at, Some(t0()));
        let timeline = store.timeline(id).await.unwrap();
        assert!(
            kinds_of(&timeline).contains(&TimelineEvent::ESCALATION_ACKNOWLEDGED),
            "{:?}",
            kinds_of(&timeline)
        );
        // A second acknowledgement finds nothing open and records nothing more.
        store
            .apply(&set(
                id,
                vec![Change::AcknowledgeEscalations {
                    by: "alex".into(),
                    via: "staff message".into(),
                }],
            ))
            .await
            .unwrap();
        let again = store.show_escalation(escalation).await.unwrap().unwrap();
        assert_eq!(again.acknowledged_by.as_deref(), Some("sam"));
        let acks = store
            .timeline(id)
            .await
            .unwrap()
            .iter()
            .filter(|e| e.event.kind() == TimelineEvent::ESCALATION_ACKNOWLEDGED)
            .count();
        assert_eq!(acks, 1);
    }
);

store_test!(
    the_read_model_lists_views_with_typed_statuses,
    [sqlite_memory, sqlite_file],
    |store| {
        let (id, _) = lead_with_task(&store, "312-555-0306").await;
        let escalation = open_escalation(&store, id).await;
        let page = Page {
            after: None,
            limit: 10,
        };
        let open = store
            .escalations_page(Some(EscalationStatus::Open), &page)
            .await
            .unwrap();
        assert_eq!(open.iter().map(|e| e.id).collect::<Vec<_>>(), [escalation]);
        assert!(store
            .escalations_page(Some(EscalationStatus::Acknowledged), &page)
            .await
            .unwrap()
            .is_empty());
        let listed = store.list_leads(&LeadFilter::default()).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(
            (
                listed[0].id,
                listed[0].owner.id.as_str(),
                listed[0].owner.name.as_deref()
            ),
            (id, "sam", None),
            "the store leaves the owner's name to the reader"
        );
        assert_eq!(listed[0].name.as_deref(), Some("Dana"));
    }
);
