//! A backup taken while a touch is claimed and on its way out restores to a database that, once
//! started, sends that touch once and nothing recorded sent again.

use std::collections::BTreeMap;
use std::time::Duration;

use keepwarm_store::sqlite::backup;
use serde_json::Value;

use crate::helpers::{inquiry, spawn_app_on, TestApp, TUESDAY_9AM_CHICAGO};

/// How many times the sandbox outbox holds each touch of the lead.
async fn sends_per_touch(app: &TestApp, id: i64) -> BTreeMap<i64, usize> {
    let mut sends = BTreeMap::new();
    for m in app.outbox(Some(id)).await {
        if let Some(touch) = m["touch_id"].as_i64() {
            *sends.entry(touch).or_default() += 1;
        }
    }
    sends
}

#[tokio::test]
async fn a_backup_taken_mid_dispatch_restores_and_sends_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keepwarm.db");
    let url = format!("sqlite://{}", db.display());
    let copy = dir.path().join("backup.db");

    let app = spawn_app_on(&db, TUESDAY_9AM_CHICAGO).await;
    let id = app.create_lead(&inquiry("(312) 555-0960")).await;
    let day0 = sends_per_touch(&app, id).await;
    assert!(!day0.is_empty(), "{}", app.story(id).await);
    // The next touch falls due; the dispatcher claims it (it is `sending`) and, before the
    // channel answers, the backup is taken.
    let store = app.engine.store().clone();
    let due = store.next_due_at().await.unwrap().expect("a next touch");
    app.engine.clock().as_manual().unwrap().set(due);
    // Claimed by a worker whose lease runs out before the restored service looks again.
    let lease = due
        .checked_add(jiff::SignedDuration::from_secs(30))
        .unwrap();
    let claimed = store
        .claim_due(due, "worker-before-backup", lease, 256)
        .await
        .unwrap();
    assert!(!claimed.is_empty());
    let in_flight: Vec<i64> = claimed.iter().map(|c| c.touch.id).collect();
    backup::backup(&url, &copy).await.unwrap();

    // A restore never replaces a database a process has open.
    let refused = backup::restore(&copy, &url).await.unwrap_err().to_string();
    assert!(refused.contains("in use"), "{refused}");
    drop((app, store, claimed));
    let mut restored = Err(refused);
    for _ in 0..100 {
        restored = backup::restore(&copy, &url)
            .await
            .map_err(|e| e.to_string());
        if restored.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    restored.unwrap();

    // Started on the restore: the claimed touch is looked up, released and sent, once.
    let app = spawn_app_on(&db, &due.to_string()).await;
    app.advance("PT1M").await;
    let after = sends_per_touch(&app, id).await;
    for (touch, count) in &after {
        assert_eq!(
            *count,
            1,
            "touch {touch} sent {count} times:\n{}",
            app.story(id).await
        );
    }
    for touch in day0.keys().chain(&in_flight) {
        assert!(
            after.contains_key(touch),
            "touch {touch} never sent:\n{}",
            app.story(id).await
        );
    }
    let timeline: Vec<Value> = app.timeline(id).await;
    let released = timeline
        .iter()
        .filter(|e| e["kind"] == "touch_released")
        .count();
    assert_eq!(released, in_flight.len(), "{}", app.story(id).await);
}
