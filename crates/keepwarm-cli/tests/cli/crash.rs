//! Kill the process at random instants while it dispatches: no touch is ever sent twice and none is
//! lost.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use jiff::{Timestamp, ToSpan};
use serde_json::{json, Value};

use crate::server::{seed, Rng, Server, TOKEN};

const LEADS: usize = 150;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_process_during_dispatch_never_duplicates_or_loses_a_touch() {
    let dir = tempfile::tempdir().unwrap();
    kill_during_dispatch(&format!(
        "sqlite://{}",
        dir.path().join("crash.db").display()
    ))
    .await;
}

/// The same on PostgreSQL: claims there are `FOR UPDATE SKIP LOCKED` with a lease, and a killed
/// process's transaction is rolled back by the server when its connection drops.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_killing_the_process_during_dispatch_never_duplicates_or_loses_a_touch() {
    let database = keepwarm_store::testing::TestDatabase::create().await;
    kill_during_dispatch(&database.url).await;
}

/// Creates the leads on `db`, then moves the clock a day at a time, killing the process at a
/// random instant of most moves, and checks every touch was sent exactly once.
async fn kill_during_dispatch(db: &str) {
    let db = db.to_owned();
    // KEEPWARM_CRASH_SEED replays a run.
    let seed = seed("KEEPWARM_CRASH_SEED");
    eprintln!("crash test seed {seed}");
    let mut rng = Rng(seed);
    let client = reqwest::Client::new();
    // 02:00 CST: leads arrive while the window is closed; everything is sent by clock moves.
    let start: Timestamp = "2026-12-01T08:00:00Z".parse().unwrap();

    let server = Server::start(&db, &start.to_string());
    for i in 0..LEADS {
        let lead = json!({
            "source": {"kind": "internet"},
            "customer": {"first_name": format!("Crash{i}"), "phones": [format!("+1312555{:04}", 2000 + i)], "emails": [format!("c{i}@example.com")]},
        });
        let r = client
            .post(format!("{}/api/v1/leads", server.address))
            .bearer_auth(TOKEN)
            .json(&lead)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }

    let mut server = Some(server);
    let mut clock = start;
    let mut kills = 0;
    for day in 1..=16 {
        let target = start + (day * 24).hours();
        let s = server.take().unwrap();
        let url = format!("{}/api/v1/sandbox/clock", s.address);
        let request = client
            .post(url)
            .bearer_auth(TOKEN)
            .json(&json!({"to": target.to_string()}))
            .timeout(Duration::from_secs(60))
            .send();
        let advance = tokio::spawn(request);
        tokio::time::sleep(Duration::from_millis(rng.below(60))).await;
        if rng.below(4) > 0 {
            s.kill();
            kills += 1;
            let _ = advance.await;
            // The clock of the killed process is gone; restart at the instant it was moving to.
            clock = target;
            server = Some(Server::start(&db, &clock.to_string()));
        } else {
            let response = advance.await.unwrap().unwrap();
            assert_eq!(response.status(), 200);
            clock = target;
            server = Some(s);
        }
    }
    assert!(kills > 0, "seed {seed} killed nothing");
    let s = server.take().unwrap();
    let r = client
        .post(format!("{}/api/v1/sandbox/clock", s.address))
        .bearer_auth(TOKEN)
        .json(&json!({"to": (clock + 240.hours()).to_string()}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // The outbox is paged: follow `x-next-cursor` to the last page.
    let mut outbox: Vec<Value> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{}/api/v1/sandbox/outbox?limit=1000", s.address);
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let r = client.get(url).bearer_auth(TOKEN).send().await.unwrap();
        cursor = r
            .headers()
            .get("x-next-cursor")
            .map(|v| v.to_str().unwrap().to_owned());
        let page: Vec<Value> = r.json().await.unwrap();
        outbox.extend(page);
        if cursor.is_none() {
            break;
        }
    }
    // Seven of the eight steps are messages (the outbox); the call step is a task for the owner.
    let tasks: Vec<Value> = client
        .get(format!("{}/api/v1/tasks", s.address))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let outbox: Vec<Value> = outbox
        .into_iter()
        .chain(tasks.into_iter().filter(|t| t["kind"] == "call"))
        .collect();
    let mut per_lead: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for m in &outbox {
        per_lead
            .entry(m["lead_id"].as_i64().unwrap())
            .or_default()
            .push(m["touch_id"].as_i64().unwrap());
    }
    let touches: BTreeSet<i64> = outbox
        .iter()
        .map(|m| m["touch_id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        touches.len(),
        outbox.len(),
        "seed {seed}: a touch was sent twice"
    );
    assert_eq!(per_lead.len(), LEADS, "seed {seed}");
    for (lead, sent) in &per_lead {
        assert_eq!(
            sent.len(),
            8,
            "seed {seed}: lead {lead} got {} of 8 touches",
            sent.len()
        );
    }
    let leads: Vec<Value> = client
        .get(format!("{}/api/v1/leads?limit=1000", s.address))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        leads.iter().all(|l| l["status"] == "completed"),
        "seed {seed}: not every cadence completed"
    );
    // How many touches a kill caught in flight, settled at the next start (for the log; which ones
    // depends on timing).
    let mut interrupted = 0;
    for l in &leads {
        let events: Vec<Value> = client
            .get(format!("{}/api/v1/leads/{}/timeline", s.address, l["id"]))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        interrupted += events
            .iter()
            .filter(|e| e["kind"] == "touch_released" || e["data"]["reconciled"] == true)
            .count();
    }
    eprintln!("{kills} kills; {interrupted} touches were caught in flight and reconciled");
    s.kill();
}
