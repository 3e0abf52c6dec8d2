//! `keepwarm bench --only workspace-pages`: how long the workspace's pages take to render with a
//! dealership's worth of history behind them (issue 14: 100,000 leads and 1,000,000 timeline
//! events; each page p99 < 50 ms, a live update on an open page < 1 s).
//!
//! The leads come in through the CSV import path (`keepwarm ingest`), a batch a day over 100 days
//! ending today, each inquiry dated and stored on its day (Today's figures read today's leads, not
//! all of them; the 28-day Reports read 28 days' leads), then the timeline is padded
//! with staff notes spread over every lead until it holds ten events per lead, and some customers
//! reply (so Today and the Inbox have people waiting). The server runs on loopback on that SQLite
//! file; a manager and a salesperson sign in with passwords, and each page is fetched over HTTP
//! one request at a time, timed from request to last byte.

use std::sync::Arc;
use std::time::{Duration, Instant};

use keepwarm_domain::config::Config;
use keepwarm_engine::ManualClock;
use keepwarm_server::ServerSettings;
use serde_json::json;

use super::create_engine;

/// Events per lead the timeline is padded to (1,000,000 for 100,000 leads).
const EVENTS_PER_LEAD: i64 = 10;
/// Days the leads arrive over (one batch a day), ending today: a store's history, not 100,000
/// leads all stored this morning.
const DAYS: usize = 100;
/// Customers who reply, so pages have people waiting.
const REPLIES: usize = 200;
/// Requests per page.
const SAMPLES: usize = 40;
const PASSWORD: &str = "bench password 1";

/// Runs the figure with `leads` leads.
pub async fn workspace_pages(config: Config, leads: usize) -> anyhow::Result<serde_json::Value> {
    let dir = tempfile::tempdir()?;
    let db = format!("sqlite://{}", dir.path().join("pages.db").display());
    // 09:00 in Chicago: the store is open, so the replies are answered by people, not deferred.
    let now: jiff::Timestamp = "2026-12-01T15:00:00Z".parse()?;
    let per_day = leads.div_ceil(DAYS).max(1);
    let batches = leads.div_ceil(per_day) as i64;
    let day_back = |back: i64| now - jiff::SignedDuration::from_hours(24 * back);
    // The clock starts on the first batch's day: a manual clock never goes back, so one started
    // today would store every lead today (Today's figures would read all of them).
    let clock = Arc::new(ManualClock::new(day_back(batches - 1)));
    let engine = create_engine(config, &db, clock.clone()).await?;
    let t = Instant::now();
    for (day, first) in (0..leads).step_by(per_day).enumerate() {
        let at = day_back(batches - 1 - day as i64);
        clock.set(at);
        import(&engine, dir.path(), first..(first + per_day).min(leads), at).await?;
    }
    clock.set(now);
    let imported_secs = t.elapsed().as_secs_f64();
    let events = pad_events(&engine, leads as i64 * EVENTS_PER_LEAD).await?;
    for who in ["morgan", "sam"] {
        engine.set_staff_password(who, PASSWORD).await?;
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let settings = ServerSettings {
        api_token: "bench".into(),
        sandbox: true,
        email_secret: None,
        twilio: None,
        unsubscribe: None,
        sandbox_only: true,
        metrics_token: None,
        workspace: Default::default(),
    };
    let server = tokio::spawn(keepwarm_server::serve(
        listener,
        engine.clone(),
        settings,
        std::future::pending(),
    ));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let mut waiting = Vec::new();
    for i in 0..REPLIES.min(leads) {
        let from = super::bench::bench_phone(i * (leads / REPLIES.min(leads)).max(1));
        let response = client
            .post(format!("{base}/api/v1/sandbox/inbound"))
            .bearer_auth("bench")
            .json(&json!({"from": from, "body": "Can I come see it Saturday morning?"}))
            .send()
            .await?;
        anyhow::ensure!(
            response.status().is_success(),
            "reply answered {}",
            response.status()
        );
        waiting.push(from);
    }
    let morgan = sign_in(&client, &base, "morgan").await?;
    let sam = sign_in(&client, &base, "sam").await?;
    let lead = leads as i64 / 2;
    let name = format!("Ana{}", leads / 3);
    let phone = super::bench::bench_phone(leads / 4);
    let pages: Vec<(&str, String, &str)> = vec![
        ("today_manager", "/".into(), &morgan),
        ("today_sales", "/".into(), &sam),
        ("inbox_manager", "/inbox".into(), &morgan),
        ("lead_page", format!("/leads/{lead}"), &morgan),
        ("leads_list", "/leads".into(), &morgan),
        ("search_name", format!("/leads?q={name}"), &morgan),
        (
            "search_phone",
            format!("/leads?q={}", phone.trim_start_matches('+')),
            &morgan,
        ),
        ("search_sales", format!("/leads?q={name}"), &sam),
        ("reports_28_days", "/reports".into(), &morgan),
        (
            "reports_every_lead",
            "/reports?from=2020-01-01".into(),
            &morgan,
        ),
        ("compliance", "/compliance".into(), &morgan),
    ];
    let mut report = json!({
        "leads": leads,
        "events": events,
        "waiting_replies": waiting.len(),
        "import_seconds": super::bench::round(imported_secs),
        "samples_per_page": SAMPLES,
        "path": "HTTP GET on loopback with a signed-in session, request to last byte, one at a time; SQLite file",
    });
    for (figure, path, cookie) in &pages {
        report[*figure] = time_page(&client, &base, path, cookie).await?;
    }
    report["live_update_ms"] = live_update(&client, &base, &morgan, &waiting).await?;
    server.abort();
    Ok(report)
}

/// Imports rows `rows` as leads whose inquiry came in on `day`'s date.
async fn import(
    engine: &Arc<keepwarm_engine::Engine>,
    dir: &std::path::Path,
    rows: std::ops::Range<usize>,
    day: jiff::Timestamp,
) -> anyhow::Result<()> {
    let date = day.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    let path = dir.join(format!("leads-{}.csv", rows.start));
    let mut text =
        String::from("First Name,Last Name,Cell,E-mail,Year,Make,Model,Lead Date,Comments\n");
    let count = rows.len();
    for i in rows {
        text.push_str(&format!(
            "Ana{i},Lopez,{},ana{i}@example.com,2021,Toyota,RAV4,{}/{}/{},bench lead\n",
            super::bench::bench_phone(i),
            date.month(),
            date.day(),
            date.year()
        ));
    }
    std::fs::write(&path, &text)?;
    let files = [path.clone()];
    let args = super::ingest::IngestArgs {
        files: &files,
        dry_run: false,
        json: false,
        map: None,
        source: keepwarm_domain::SourceKind::Import,
    };
    let mut tally = super::ingest::Tally::default();
    let name = path.display().to_string();
    if let Err(super::ingest::Refusal(e)) = super::ingest::csv_file(
        &path,
        &name,
        &keepwarm_intake::IntakeOptions::default(),
        Some(engine),
        &args,
        &mut tally,
    )
    .await
    {
        anyhow::bail!("{e}");
    }
    anyhow::ensure!(tally.ok == count, "imported {} of {count} rows", tally.ok);
    Ok(())
}

/// Adds staff notes, spread evenly over the leads, until the timeline holds `target` events;
/// returns how many it holds.
async fn pad_events(engine: &Arc<keepwarm_engine::Engine>, target: i64) -> anyhow::Result<i64> {
    let keepwarm_store::Pools::Sqlite(pools) = engine.store().pools() else {
        anyhow::bail!("the pages benchmark runs on SQLite");
    };
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM events")
            .fetch_one(&pools.writer)
            .await
    };
    let have = count().await?;
    let leads: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM leads")
        .fetch_one(&pools.writer)
        .await?;
    let missing = (target - have).max(0);
    let per_lead = if leads == 0 {
        0
    } else {
        (missing + leads - 1) / leads
    };
    let at = engine.now().as_millisecond() - 3_600_000;
    sqlx::query(
        "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < ?1)
         INSERT INTO events (lead_id, at, kind, data)
         SELECT l.id, ?2 + n.k, ?3,
                json_object('by', 'sam', 'name', 'Sam Rivera', 'body', 'Called, left a message (' || n.k || ')')
         FROM leads l, n ORDER BY l.id, n.k LIMIT ?4",
    )
    .bind(per_lead)
    .bind(at)
    .bind(keepwarm_domain::TimelineEvent::NOTE_ADDED)
    .bind(missing)
    .execute(&pools.writer)
    .await?;
    Ok(count().await?)
}

async fn sign_in(client: &reqwest::Client, base: &str, who: &str) -> anyhow::Result<String> {
    let response = client
        .post(format!("{base}/login"))
        .form(&[("login", who), ("password", PASSWORD), ("next", "/")])
        .send()
        .await?;
    anyhow::ensure!(
        response.status() == 303,
        "{who}'s sign-in answered {}",
        response.status()
    );
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .ok_or_else(|| anyhow::anyhow!("{who}'s sign-in set no cookie"))?;
    Ok(cookie.to_owned())
}

async fn time_page(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    cookie: &str,
) -> anyhow::Result<serde_json::Value> {
    let mut millis = Vec::with_capacity(SAMPLES);
    let mut bytes = 0;
    for _ in 0..SAMPLES {
        let t = Instant::now();
        let response = client
            .get(format!("{base}{path}"))
            .header("cookie", cookie)
            .send()
            .await?;
        let status = response.status();
        let body = response.bytes().await?;
        millis.push(t.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(status == 200, "GET {path} answered {status}");
        bytes = body.len();
    }
    let mut summary = super::bench::latency_summary(millis, path);
    summary["bytes"] = json!(bytes);
    Ok(summary)
}

/// From a customer's text to the open page's live stream saying something changed.
async fn live_update(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    phones: &[String],
) -> anyhow::Result<serde_json::Value> {
    let mut millis = Vec::new();
    for from in phones.iter().take(20) {
        let mut response = client
            .get(format!("{base}/live"))
            .header("cookie", cookie)
            .send()
            .await?;
        anyhow::ensure!(
            response.status() == 200,
            "GET /live answered {}",
            response.status()
        );
        // A new stream's first poll may report the newest event: let it pass first.
        while let Ok(chunk) =
            tokio::time::timeout(Duration::from_millis(700), response.chunk()).await
        {
            anyhow::ensure!(chunk?.is_some(), "the live stream ended");
        }
        let t = Instant::now();
        let posted = client
            .post(format!("{base}/api/v1/sandbox/inbound"))
            .bearer_auth("bench")
            .json(&json!({"from": from, "body": "Still there?"}))
            .send();
        let (posted, changed) = tokio::join!(
            posted,
            tokio::time::timeout(Duration::from_secs(5), response.chunk())
        );
        posted?;
        anyhow::ensure!(
            matches!(changed, Ok(Ok(Some(_)))),
            "no live update within 5 s"
        );
        millis.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(super::bench::latency_summary(
        millis,
        "POST /api/v1/sandbox/inbound -> the open /live stream's next event",
    ))
}
