//! The changes a matched inquiry makes (`MergeInquiry`, `Reopen`, `LinkDocument`), through
//! [`ChangeSets::apply`] only, on every backend.

use keepwarm_domain::lead::parse_lead_json;
use keepwarm_domain::machine::{InquiryMerge, Reopening};
use keepwarm_domain::EmailAddress;

use super::*;

/// Dana's lead as `lead` stores it, on the 312 number; returns its id.
async fn dana(store: &SharedStore) -> LeadId {
    save_version(store).await;
    store
        .create_lead(&lead("312-555-0401", t0() + 1.hours(), "v1"))
        .await
        .unwrap()
        .id
}

/// Dana's document after a second inquiry with her e-mail and a vehicle.
fn merge(received_at: Timestamp) -> InquiryMerge {
    let again = parse_lead_json(
        br#"{"source":{"kind":"internet"},"customer":{"first_name":"Dana",
            "phones":["(312) 555-0401"],"emails":["dana@example.com"]},
            "vehicles":[{"year":2024,"make":"Honda","model":"CR-V"}]}"#,
        "US",
    )
    .unwrap();
    InquiryMerge {
        document: again.input,
        received_at,
        new_phones: vec![],
        new_emails: vec![EmailAddress::parse("dana@example.com").unwrap()],
    }
}

fn reopening(reset_stage: bool) -> Reopening {
    Reopening {
        segment: "aged_internet".into(),
        segment_rule: "older than 30 days".into(),
        owner: "alex".into(),
        status: LeadStatus::Active,
        reset_stage,
        end_reason: "superseded by a new inquiry".into(),
        enrollment: NewEnrollment {
            cadence_name: "c".into(),
            cadence_version: "v1".into(),
            anchor_at: t0(),
            first_touch: Some(NewTouch {
                step_index: 0,
                channel: Channel::Sms,
                block: "b".into(),
                target_at: t0() + 3.hours(),
                due_at: t0() + 3.hours(),
            }),
        },
    }
}

store_test!(
    a_merged_inquiry_replaces_the_document_adds_only_new_contacts_and_links_its_document,
    |store| {
        let id = dana(&store).await;
        let document = store
            .store_document(&NewDocument {
                received_at: t0(),
                channel: "api_adf".into(),
                content_type: None,
                body: b"<adf/>".to_vec(),
            })
            .await
            .unwrap();
        let later = t0() + 48.hours();
        let changes = vec![
            Change::MergeInquiry(Box::new(merge(later))),
            Change::Events(vec![event(t0(), "inquiry_merged", json!({}))]),
            Change::LinkDocument { document },
        ];
        store.apply(&set(id, changes)).await.unwrap();
        let view = store.show_lead(id).await.unwrap().unwrap();
        let contacts: Vec<&str> = view.contacts.iter().map(|c| c.value.as_str()).collect();
        assert_eq!(contacts, ["+13125550401", "dana@example.com"]);
        assert_eq!(view.lead["vehicles"][0]["model"], "CR-V", "{}", view.lead);
        let phone = PhoneNumber::parse("312-555-0401", "US").unwrap();
        let matched = store
            .find_match("main", &[phone], &[])
            .await
            .unwrap()
            .unwrap();
        assert_eq!(matched.last_inquiry_at, later);
        let (row, _) = store.document(document).await.unwrap().unwrap();
        assert_eq!(row.lead_ids, [id.0]);
    }
);

store_test!(
    a_reopen_ends_the_enrollment_in_force_and_starts_the_new_one_with_its_first_touch,
    |store| {
        let id = dana(&store).await;
        store
            .apply(&set(
                id,
                vec![Change::Stop {
                    lead: id,
                    reason: "lost".into(),
                    actor: "sam".into(),
                    opt_out: false,
                }],
            ))
            .await
            .unwrap();
        let changes = vec![Change::Reopen(Box::new(reopening(false)))];
        store.apply(&set(id, changes)).await.unwrap();
        let view = store.show_lead(id).await.unwrap().unwrap();
        assert_eq!(
            (
                view.segment.as_str(),
                view.owner.id.as_str(),
                view.status,
                view.stop_reason.as_deref()
            ),
            ("aged_internet", "alex", LeadStatus::Active, None)
        );
        let cadence = view.cadence.expect("an enrollment");
        assert_eq!(
            (cadence.status, cadence.ended_at),
            (LeadStatus::Active, None)
        );
        let due = store
            .claim_due(t0() + 3.hours(), WORKER, lease(), 10)
            .await
            .unwrap();
        assert_eq!(due.len(), 1, "only the new enrollment's first touch is due");
        assert_eq!(
            due[0].touch.enrollment_id,
            due[0].lead.enrollment.as_ref().unwrap().id
        );
    }
);

store_test!(a_reopen_resets_the_stage_only_when_asked, |store| {
    for (phone, reset, expected) in [
        ("312-555-0402", true, Stage::New),
        ("312-555-0403", false, Stage::Contacted),
    ] {
        save_version(&store).await;
        let id = store
            .create_lead(&lead(phone, t0() + 1.hours(), "v1"))
            .await
            .unwrap()
            .id;
        let contacted = Change::StageAtLeast {
            stage: Stage::Contacted,
            by: "sam".into(),
            via: "api".into(),
        };
        store.apply(&set(id, vec![contacted])).await.unwrap();
        let changes = vec![Change::Reopen(Box::new(reopening(reset)))];
        store.apply(&set(id, changes)).await.unwrap();
        let view = store.show_lead(id).await.unwrap().unwrap();
        assert_eq!(view.stage, expected, "reset_stage={reset}");
    }
});

store_test!(
    a_merge_into_a_lead_that_does_not_exist_refuses_the_whole_set,
    |store| {
        let id = dana(&store).await;
        let missing = LeadId(id.0 + 100);
        let changes = vec![
            Change::MergeInquiry(Box::new(merge(t0()))),
            Change::Events(vec![event(t0(), "inquiry_merged", json!({}))]),
        ];
        let refused = store.apply(&set(missing, changes)).await;
        assert!(
            matches!(refused, Err(StoreError::NotFound(_))),
            "{refused:?}"
        );
        assert!(store.timeline(missing).await.unwrap().is_empty());
    }
);
