//! `RecordDelivery` through [`ChangeSets::apply`] only, on every backend: a provider's report is
//! recorded once, only above the status recorded.

use super::*;

/// A lead whose first touch went out as `SM0001`; returns the lead and the touch.
async fn sent_touch(store: &SharedStore) -> (LeadId, i64) {
    save_version(store).await;
    let id = store
        .create_lead(&lead("312-555-0501", t0(), "v1"))
        .await
        .unwrap()
        .id;
    let claimed = store.claim_due(t0(), WORKER, lease(), 10).await.unwrap();
    store
        .finish_touches(WORKER, &[sent(&claimed[0], None)])
        .await
        .unwrap();
    (id, claimed[0].touch.id)
}

fn report(touch: Option<i64>, status: &str, rank: u8) -> Change {
    Change::RecordDelivery(DeliveryRecord {
        provider_id: "SM0001".into(),
        touch,
        status: status.into(),
        rank,
        error: None,
        at: t0() + 1.minutes(),
    })
}

fn statuses(timeline: &[TimelineEntry]) -> usize {
    timeline
        .iter()
        .filter(|e| e.event.kind() == TimelineEvent::DELIVERY_STATUS)
        .count()
}

store_test!(
    a_delivery_report_is_recorded_once_and_never_below_the_recorded_status,
    |store| {
        let (id, touch) = sent_touch(&store).await;
        store
            .apply(&set(id, vec![report(None, "delivered", 3)]))
            .await
            .unwrap();
        let late = store
            .apply(&set(id, vec![report(Some(touch), "sent", 2)]))
            .await;
        assert!(matches!(late, Err(StoreError::Conflict(_))), "{late:?}");
        let again = store
            .apply(&set(id, vec![report(None, "delivered", 3)]))
            .await;
        assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
        assert_eq!(statuses(&store.timeline(id).await.unwrap()), 1);
    }
);

store_test!(
    a_report_for_no_touch_of_the_lead_is_not_found_and_records_nothing,
    |store| {
        let (id, touch) = sent_touch(&store).await;
        let other = store
            .create_lead(&lead("312-555-0502", t0() + 5.hours(), "v1"))
            .await
            .unwrap()
            .id;
        let misplaced = store
            .apply(&set(other, vec![report(Some(touch), "delivered", 3)]))
            .await;
        assert!(
            matches!(misplaced, Err(StoreError::NotFound(_))),
            "{misplaced:?}"
        );
        assert_eq!(statuses(&store.timeline(id).await.unwrap()), 0);
        assert_eq!(statuses(&store.timeline(other).await.unwrap()), 0);
    }
);
