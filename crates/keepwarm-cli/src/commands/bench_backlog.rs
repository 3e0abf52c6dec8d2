//! `keepwarm bench --only backlog`: the embedded SQLite default under a large future backlog, the
//! figure issue 12 asks of it: `serve`'s memory and the worker's idle tick cost with 0, 100,000 and
//! 1,000,000 touches due over the next 30 days (`--backlog` sets the largest), and how long `serve`
//! takes to be ready.
//!
//! One template lead is ingested; each touch of the backlog is a copy of its lead, contact,
//! enrollment and first touch with its own phone number and a due time spread over 30 days from an
//! hour ahead (written with SQL, a statement per table per 100,000, so building the backlog is not
//! part of any figure). At each size:
//! - `serve` (this binary, release or not as it was built) is started on the file; the time until
//!   `GET /readyz` answers 200 is measured, then its resident memory (`VmRSS`, and the peak
//!   `VmHWM`) is read from `/proc` after it has been idle for a few seconds, and it is stopped;
//! - an engine on the same file with the real clock runs the worker's idle tick (a drain that finds
//!   nothing due: the claim, the look at every queue, the next due instant) repeatedly; its mean and
//!   worst time.
//!
//! Always SQLite: PostgreSQL's backlog figure is in `scripts/pgbench` (docs/PERFORMANCE.md).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use jiff::Timestamp;
use keepwarm_domain::config::Config;
use keepwarm_domain::lead::parse_lead_json;
use keepwarm_engine::{Clock, SystemClock};
use serde_json::json;
use sqlx::{Connection, SqliteConnection};

use super::bench_db::BenchDb;
use super::create_engine;

/// The backlog sizes measured for a largest size of `largest`: none, a tenth, all.
pub(super) fn sizes(largest: usize) -> [usize; 3] {
    [0, largest / 10, largest]
}

/// A copied lead, enrollment and touch has id `CLONE_BASE + g`.
const CLONE_BASE: i64 = 1_000;
/// Rows written per statement while the backlog is built.
const CHUNK: usize = 100_000;
/// Idle ticks timed at each size.
const TICKS: usize = 50;
/// How long `serve` idles before its memory is read.
const SETTLE: Duration = Duration::from_secs(3);

/// Runs the figure at each of `sizes` (ascending).
pub(super) async fn backlog(config: Config, sizes: &[usize]) -> anyhow::Result<serde_json::Value> {
    let db = BenchDb::fresh(None, "backlog").await?;
    let url = db.url().to_owned();
    add_template(config.clone(), &url).await?;
    let mut conn = SqliteConnection::connect(&url)
        .await
        .context("opening the bench database")?;
    let start = SystemClock.now() + jiff::SignedDuration::from_hours(1);
    let month_ms: i64 = 30 * 86_400_000;
    let mut put = 0;
    let mut rows = Vec::new();
    for &size in sizes {
        let t = Instant::now();
        while put < size {
            let n = CHUNK.min(size - put);
            add_copies(&mut conn, put, n, start, month_ms, size.max(1)).await?;
            put += n;
        }
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut conn)
            .await?;
        let built_secs = t.elapsed().as_secs_f64();
        let serve = measure_serve(&url).await?;
        let tick = idle_ticks(config.clone(), &url).await?;
        rows.push(json!({
            "future_touches": size,
            "database_mb": round(file_mb(&url)),
            "serve": serve,
            "idle_tick_ms": tick,
            "backlog_written_s": round(built_secs),
        }));
    }
    drop(conn);
    db.remove().await?;
    Ok(json!({
        "database": "sqlite (file, WAL)",
        "backlog": "each touch its own lead, due over 30 days from an hour ahead",
        "by_size": rows,
    }))
}

/// The template lead (id 1), its own touches cancelled so that nothing is ever due.
async fn add_template(config: Config, url: &str) -> anyhow::Result<()> {
    let engine = create_engine(config, url, Arc::new(SystemClock)).await?;
    let doc = json!({
        "source": {"kind": "internet", "provider": "bench"},
        "customer": {"first_name": "Backlog", "phones": ["+13125550199"]},
    });
    let lead =
        parse_lead_json(&serde_json::to_vec(&doc)?, "US").map_err(|e| anyhow::anyhow!("{e:?}"))?;
    engine
        .ingest(lead)
        .await
        .context("ingesting the template lead")?;
    drop(engine);
    let mut conn = SqliteConnection::connect(url).await?;
    sqlx::query("UPDATE touches SET state = 'cancelled' WHERE lead_id = 1")
        .execute(&mut conn)
        .await?;
    let first: i64 = sqlx::query_scalar("SELECT MIN(id) FROM touches WHERE lead_id = 1")
        .fetch_one(&mut conn)
        .await
        .context("the template lead has no touch")?;
    anyhow::ensure!(
        first == 1,
        "the template lead's first touch is {first}, not 1"
    );
    Ok(())
}

/// Copies the template into backlog touches `from .. from + n`, touch `g` due at
/// `start + g * span / size`, one statement per table.
async fn add_copies(
    conn: &mut SqliteConnection,
    from: usize,
    n: usize,
    start: Timestamp,
    span_ms: i64,
    size: usize,
) -> anyhow::Result<()> {
    let series = "WITH RECURSIVE s(g) AS (SELECT ?1 UNION ALL SELECT g + 1 FROM s WHERE g < ?2)";
    let phone = "'+1312' || (2000000 + g)";
    let statements = [
        format!(
            "{series} INSERT INTO leads (id, dealership, received_at, created_at, source_kind,
                 provider, display_name, payload, segment, segment_rule, owner_id, stage, status,
                 opted_out, last_inquiry_at)
             SELECT {CLONE_BASE} + g, t.dealership, t.received_at, t.created_at, t.source_kind,
                 t.provider, t.display_name,
                 json_set(t.payload, '$.customer.phones', json_array({phone}),
                     '$.customer.phone_numbers',
                     json_array(json_object('number', {phone}, 'original', {phone}))),
                 t.segment, t.segment_rule, t.owner_id, t.stage, t.status, 0, t.last_inquiry_at
             FROM s, leads t WHERE t.id = 1"
        ),
        format!(
            "{series} INSERT INTO lead_contacts (lead_id, position, kind, value, usable)
             SELECT {CLONE_BASE} + g, 0, 'phone', {phone}, 1 FROM s"
        ),
        format!(
            "{series} INSERT INTO enrollments (id, lead_id, cadence_name, cadence_version,
                 anchor_at, status, started_at)
             SELECT {CLONE_BASE} + g, {CLONE_BASE} + g, x.cadence_name, x.cadence_version,
                 x.anchor_at, 'active', x.started_at
             FROM s, enrollments x WHERE x.lead_id = 1"
        ),
        format!(
            "{series} INSERT INTO touches (id, enrollment_id, lead_id, step_index, channel, block,
                 target_at, due_at, state)
             SELECT {CLONE_BASE} + g, {CLONE_BASE} + g, {CLONE_BASE} + g, x.step_index, x.channel,
                 x.block, ?3 + (g * ?4) / ?5, ?3 + (g * ?4) / ?5, 'scheduled'
             FROM s, touches x WHERE x.id = 1"
        ),
    ];
    let last = i64::try_from(from + n).context("backlog size")? - 1;
    let mut tx = conn.begin().await?;
    for sql in &statements {
        sqlx::query(sql)
            .bind(i64::try_from(from).context("backlog size")?)
            .bind(last)
            .bind(start.as_millisecond())
            .bind(span_ms)
            .bind(i64::try_from(size).context("backlog size")?)
            .execute(&mut *tx)
            .await
            .context("writing the backlog")?;
    }
    tx.commit().await?;
    Ok(())
}

/// Starts `serve` on the file: how long until it is ready, and its memory once idle.
async fn measure_serve(url: &str) -> anyhow::Result<serde_json::Value> {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0")?;
        probe.local_addr()?.port()
    };
    let exe = std::env::current_exe().context("finding this binary")?;
    let started = Instant::now();
    let mut child = tokio::process::Command::new(exe)
        .args([
            "serve",
            "--db",
            url,
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .env("KEEPWARM_API_TOKEN", "bench")
        .env("RUST_LOG", "error")
        .env_remove("KEEPWARM_CONFIG")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting keepwarm serve")?;
    let pid = child.id().context("serve exited at once")?;
    let client = reqwest::Client::new();
    let ready_url = format!("http://127.0.0.1:{port}/readyz");
    let ready = loop {
        if let Ok(r) = client.get(&ready_url).send().await {
            if r.status().is_success() {
                break started.elapsed();
            }
        }
        if let Some(status) = child.try_wait()? {
            anyhow::bail!("keepwarm serve exited ({status}) before it was ready");
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(600),
            "keepwarm serve was not ready within 10 minutes"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    tokio::time::sleep(SETTLE).await;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .context("reading serve's memory from /proc (Linux only)")?;
    child.kill().await?;
    Ok(json!({
        "ready_s": round(ready.as_secs_f64()),
        "rss_mb": kib_field(&status, "VmRSS:").map(|k| round(k / 1024.0)),
        "peak_rss_mb": kib_field(&status, "VmHWM:").map(|k| round(k / 1024.0)),
    }))
}

/// The worker's tick with nothing due, timed [`TICKS`] times on an engine of its own.
async fn idle_ticks(config: Config, url: &str) -> anyhow::Result<serde_json::Value> {
    let engine = create_engine(config, url, Arc::new(SystemClock)).await?;
    let mut ms = Vec::with_capacity(TICKS);
    for _ in 0..TICKS {
        let t = Instant::now();
        let sent = engine.drain().await.context("an idle tick")?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(sent == 0, "an idle tick sent {sent} touches");
    }
    ms.sort_by(f64::total_cmp);
    let mean = ms.iter().sum::<f64>() / ms.len() as f64;
    Ok(json!({
        "ticks": ms.len(),
        "mean": round3(mean),
        "median": round3(ms[ms.len() / 2]),
        "max": round3(ms[ms.len() - 1]),
    }))
}

/// A `kB` line of `/proc/<pid>/status`, in KiB.
fn kib_field(status: &str, name: &str) -> Option<f64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

fn file_mb(url: &str) -> f64 {
    let path = url.trim_start_matches("sqlite://");
    std::fs::metadata(path).map_or(0.0, |m| m.len() as f64 / 1_048_576.0)
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
