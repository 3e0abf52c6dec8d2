//! The state lives in the database: a restart mid-cadence continues exactly where it stopped.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::helpers::{inquiry, spawn_app_at, KeptDatabase, TUESDAY_9AM_CHICAGO};

#[tokio::test]
async fn a_restart_mid_cadence_loses_and_repeats_nothing() {
    // A SQLite file, or a PostgreSQL database on the PostgreSQL run.
    let db = KeptDatabase::create().await;
    let id;
    let stopped_at;
    {
        let app = spawn_app_at(&db, TUESDAY_9AM_CHICAGO).await;
        id = app.create_lead(&inquiry("(312) 555-0190")).await;
        app.advance("P3D").await;
        // Four messages by day 3 (the day-2 call is a task, not a message).
        assert_eq!(app.outbox(Some(id)).await.len(), 4);
        stopped_at = app.now().to_string();
    }
    let app = spawn_app_at(&db, &stopped_at).await;
    app.advance("P12D").await;
    let outbox: Vec<Value> = app.outbox(Some(id)).await;
    assert_eq!(outbox.len(), 7, "{}", app.story(id).await);
    let touches: BTreeSet<i64> = outbox
        .iter()
        .map(|m| m["touch_id"].as_i64().unwrap())
        .collect();
    assert_eq!(touches.len(), 7, "no touch twice");
    assert_eq!(app.lead(id).await["status"], "completed");
}
