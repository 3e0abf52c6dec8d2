//! `keepwarm bench`: the figures the README quotes, measured, printed as one JSON object.
//!
//! - dispatch: N leads are ingested while the contact window is closed, then the manual clock moves to
//!   the opening and every due touch (a text and an e-mail per lead) is dispatched through the sandbox
//!   channel on a SQLite file database; touches per second over that drain.
//! - latency: with the real clock and an always-open window, leads are posted one at a time over HTTP
//!   on loopback and the time until the first touch is in the outbox is measured.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use jiff::Timestamp;
use keepwarm_domain::config::Config;
use keepwarm_domain::hours::WeeklyHours;
use keepwarm_domain::lead::parse_lead_json;
use keepwarm_engine::worker::spawn_worker;
use keepwarm_engine::{ManualClock, SystemClock};
use keepwarm_server::ServerSettings;
use serde_json::json;

use super::{load, open_engine};

/// Runs the benchmark.
pub async fn run(leads: usize, latency_leads: usize) -> anyhow::Result<ExitCode> {
    let config = match load(None) {
        Ok(c) => c.config,
        Err(code) => return Ok(code),
    };
    let dispatch = dispatch_throughput(config.clone(), leads).await?;
    let latency = first_touch_latency(config, latency_leads).await?;
    let report = json!({
        "machine": {"cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0), "os": std::env::consts::OS, "arch": std::env::consts::ARCH},
        "dispatch": dispatch,
        "first_touch_latency_ms": latency,
    });
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(ExitCode::SUCCESS)
}

fn lead_json(i: usize, received_at: Option<Timestamp>) -> Vec<u8> {
    let mut doc = json!({
        "source": {"kind": "internet", "provider": "bench"},
        "customer": {"first_name": format!("Bench{i}"), "phones": [format!("+1312555{:04}", i % 10_000)], "emails": [format!("lead{i}@example.com")]},
        "vehicles": [{"interest": "buy", "year": 2024, "make": "Honda", "model": "CR-V"}],
    });
    if let Some(t) = received_at {
        doc["received_at"] = json!(t);
    }
    serde_json::to_vec(&doc).unwrap_or_default()
}

async fn dispatch_throughput(config: Config, leads: usize) -> anyhow::Result<serde_json::Value> {
    let dir = tempfile::tempdir()?;
    let db = format!("sqlite://{}", dir.path().join("bench.db").display());
    // 02:00 in Chicago on a Tuesday: the window is closed until the store opens at 09:00.
    let start: Timestamp = "2026-12-01T08:00:00Z".parse()?;
    let opening: Timestamp = "2026-12-01T15:00:00Z".parse()?;
    let clock = ManualClock::new(start);
    let engine = open_engine(config, &db, Arc::new(clock)).await?;
    let region = "US";
    let t = Instant::now();
    for i in 0..leads {
        let lead =
            parse_lead_json(&lead_json(i, None), region).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        engine
            .ingest(lead)
            .await
            .context("ingesting a bench lead")?;
    }
    let ingest_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let touches = engine.advance_to(opening).await.context("dispatching")?;
    let secs = t.elapsed().as_secs_f64();
    let sent = engine.store().outbox(None).await?.len();
    anyhow::ensure!(
        sent == touches,
        "outbox has {sent} messages for {touches} dispatched touches"
    );
    Ok(json!({
        "database": "sqlite (file, WAL)",
        "channel": "sandbox",
        "leads": leads,
        "touches": touches,
        "seconds": round(secs),
        "touches_per_sec": round(touches as f64 / secs),
        "ingest_leads_per_sec": round(leads as f64 / ingest_secs),
    }))
}

async fn first_touch_latency(
    mut config: Config,
    samples: usize,
) -> anyhow::Result<serde_json::Value> {
    config.legal_hours = WeeklyHours::always();
    for d in &mut config.dealerships {
        d.hours.insert("sales".into(), WeeklyHours::always());
        d.holidays.clear();
    }
    let dir = tempfile::tempdir()?;
    let db = format!("sqlite://{}", dir.path().join("latency.db").display());
    let engine = open_engine(config, &db, Arc::new(SystemClock)).await?;
    let worker = spawn_worker(engine.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let settings = ServerSettings {
        api_token: "bench".into(),
        sandbox: true,
        email_secret: None,
    };
    let server = tokio::spawn(keepwarm_server::serve(
        listener,
        engine.clone(),
        settings,
        std::future::pending(),
    ));
    let client = reqwest::Client::new();
    let mut millis = Vec::with_capacity(samples);
    for i in 0..samples {
        let t = Instant::now();
        let response = client
            .post(format!("http://{address}/api/v1/leads"))
            .bearer_auth("bench")
            .header("content-type", "application/json")
            .body(lead_json(i, None))
            .send()
            .await?;
        anyhow::ensure!(
            response.status() == 201,
            "POST /api/v1/leads answered {}",
            response.status()
        );
        let id = response.json::<serde_json::Value>().await?["id"]
            .as_i64()
            .unwrap_or_default();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if !engine
                .store()
                .outbox(Some(keepwarm_domain::LeadId(id)))
                .await?
                .is_empty()
            {
                break;
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "lead {id} got no first touch within 10 s"
            );
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        millis.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    worker.abort();
    server.abort();
    millis.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        millis
            .get(((millis.len() as f64 * p).ceil() as usize).saturating_sub(1))
            .copied()
            .unwrap_or(0.0)
    };
    Ok(json!({
        "samples": samples,
        "p50": round(pct(0.50)),
        "p99": round(pct(0.99)),
        "max": round(millis.last().copied().unwrap_or(0.0)),
        "path": "HTTP POST /api/v1/leads on loopback -> ingest -> worker wake -> sandbox outbox",
    }))
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
