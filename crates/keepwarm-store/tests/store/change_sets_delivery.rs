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

/// A call's leg moved on to `status` (with a `call_progress` event), as the click-to-call's status
/// callbacks apply it.
fn call(sid: &str, status: &str) -> Vec<Change> {
    use keepwarm_domain::timeline::CallProgress;
    vec![
        Change::AdvanceCall {
            call_sid: sid.into(),
            leg: "staff".into(),
            stage: keepwarm_domain::calls::call_stage(status),
        },
        Change::Events(vec![NewEvent::new(
            t0(),
            TimelineEvent::CallProgress(CallProgress {
                call_sid: Some(sid.into()),
                direction: "outbound".into(),
                leg: "staff".into(),
                by: None,
                status: status.into(),
                duration_seconds: None,
                outcome: None,
                error: None,
            }),
        )]),
    ]
}

/// Whether each status in turn moved call `sid` on.
async fn moves(store: &SharedStore, id: LeadId, sid: &str, statuses: &[&str]) -> Vec<bool> {
    let mut moved = Vec::new();
    for status in statuses {
        moved.push(match store.apply(&set(id, call(sid, status))).await {
            Ok(_) => true,
            Err(StoreError::Conflict(_)) => false,
            Err(e) => panic!("{status}: {e}"),
        });
    }
    moved
}

store_test!(a_call_leg_moves_only_forwards, |store| {
    // (statuses in arrival order, whether each moved the call on); replays of the same word are
    // the set's idempotency key, not this guard.
    let cases: &[(&[&str], &[bool])] = &[
        (&["ringing"], &[true]),
        (&["queued", "ringing", "in-progress"], &[true, true, true]),
        (&["queued", "completed"], &[true, true]),
        (&["queued", "completed", "ringing"], &[true, true, false]),
        (
            &["queued", "no-answer", "in-progress"],
            &[true, true, false],
        ),
        (&["completed", "no-answer"], &[true, false]),
        (&["ringing", "something-new"], &[true, true]),
        (&["completed", "something-new"], &[true, false]),
        (&["something-new", "ringing"], &[true, true]),
    ];
    save_version(&store).await;
    for (n, (statuses, expected)) in cases.iter().enumerate() {
        let id = store
            .create_lead(&lead(&format!("312-555-06{n:02}"), t0(), "v1"))
            .await
            .unwrap()
            .id;
        let moved = moves(&store, id, &format!("CA{n}"), statuses).await;
        assert_eq!(&moved, expected, "{statuses:?}");
    }
});

store_test!(
    two_endings_of_one_call_arriving_at_once_apply_once,
    |store| {
        save_version(&store).await;
        let id = store
            .create_lead(&lead("312-555-0650", t0(), "v1"))
            .await
            .unwrap()
            .id;
        assert_eq!(moves(&store, id, "CA1", &["ringing"]).await, [true]);
        let ends = ["completed", "no-answer", "busy"].map(|s| set(id, call("CA1", s)));
        let (a, b, c) = tokio::join!(
            store.apply(&ends[0]),
            store.apply(&ends[1]),
            store.apply(&ends[2]),
        );
        let applied = [a, b, c]
            .into_iter()
            .filter(|r| match r {
                Ok(_) => true,
                Err(StoreError::Conflict(_)) => false,
                Err(e) => panic!("{e}"),
            })
            .count();
        assert_eq!(applied, 1);
        let ends = store
            .timeline(id)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.event.kind() == TimelineEvent::CALL_PROGRESS)
            .count();
        assert_eq!(ends, 2, "ringing and one ending");
    }
);
