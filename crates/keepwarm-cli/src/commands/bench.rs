//! `keepwarm bench`: the figures the README quotes, measured, printed as one JSON object.
//!
//! - dispatch: N leads are ingested while the contact window is closed, then the manual clock moves to
//!   the opening and every due touch (a text and an e-mail per lead) is dispatched through the sandbox
//!   channel on a SQLite file database; touches per second over that drain.
//! - Twilio dispatch: the same drain with texts going through the Twilio channel (the router, the
//!   `TwilioChannel` adapter and its REST client) to a local fake Twilio on loopback, per-number
//!   rate limit off. The leads (distinct numbers) have only a phone: their day-0 texts go to the
//!   fake and their e-mail step is skipped; texts per second over the drain. The fake checks
//!   every request against Twilio's OpenAPI description (it has no switch to skip that), so its
//!   validation is part of the figure.
//! - latency: with the real clock and an always-open window, leads are posted one at a time over HTTP
//!   on loopback and the time until the first touch is in the outbox is measured.
//! - ADF over HTTP: ADF/XML documents (one prospect each, distinct shoppers) posted to
//!   `/api/v1/leads/adf` by several concurrent clients on loopback; leads stored per second.
//! - CSV import: a generated 100,000-row aged-lead export imported through the same path as
//!   `keepwarm ingest FILE.csv` (parse, validate, segment, own, enroll, store in chunks).
//! - classifier: the 481 labelled replies classified over and over on one thread.
//! - reply to staff notification: hot replies posted one at a time over HTTP with the real clock,
//!   timed until the owner's alert is in the outbox.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use jiff::Timestamp;
use keepwarm_domain::config::{Config, DealershipChannels, Transport};
use keepwarm_domain::contact::PhoneNumber;
use keepwarm_domain::hours::WeeklyHours;
use keepwarm_domain::lead::parse_lead_json;
use keepwarm_engine::worker::spawn_worker;
use keepwarm_engine::{Engine, ManualClock, SystemClock};
use keepwarm_server::ServerSettings;
use keepwarm_twilio::fake::{FakeTwilio, FAKE_ACCOUNT_SID, FAKE_AUTH_TOKEN};
use serde_json::json;

use super::bench_db::BenchDb;
use super::channels::{self, ChannelEnv};
use super::{create_engine, create_store, load};

/// One figure of the benchmark, for `--only`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Figure {
    /// Touches dispatched per second through the sandbox.
    Dispatch,
    /// Texts per second through the Twilio channel and a fake Twilio.
    TwilioDispatch,
    /// Lead-to-first-touch latency.
    FirstTouchLatency,
    /// ADF leads over HTTP per second.
    AdfOverHttp,
    /// The 100,000-row CSV import.
    CsvImport,
    /// Replies classified per second.
    Classifier,
    /// Reply-to-staff-alert latency.
    ReplyToStaffAlert,
    /// Inbound text to "waiting on us" visible in the waiting queue.
    ReplyToWaiting,
    /// A call to the store nobody answers to its text-back leaving through the durable queue.
    MissedCallTextBack,
    /// The workspace's pages (Today, Inbox, a lead, search, Reports) rendered over HTTP with
    /// `--page-leads` leads and ten timeline events per lead, and a live update's delay.
    WorkspacePages,
    /// `serve`'s memory, its time to ready and the worker's idle tick with no future backlog, a
    /// tenth of `--backlog` and all of it, on SQLite.
    Backlog,
}

/// How much each figure measures (the `keepwarm bench` options of the same names).
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// Leads for the throughput runs.
    pub leads: usize,
    /// Leads posted one at a time for the latency runs.
    pub latency_leads: usize,
    /// ADF documents posted over HTTP.
    pub adf_leads: usize,
    /// Rows in the generated CSV import.
    pub csv_rows: usize,
    /// Leads behind the workspace's pages.
    pub page_leads: usize,
    /// The largest future backlog of the `backlog` figure.
    pub backlog: usize,
}

/// Runs the benchmark: every figure, or those in `only`.
pub async fn run(sizes: Sizes, only: &[Figure], db: Option<&str>) -> anyhow::Result<ExitCode> {
    let config = match load(None) {
        Ok(c) => c.config,
        Err(code) => return Ok(code),
    };
    let wanted = |f: Figure| only.is_empty() || only.contains(&f);
    let mut report = json!({
        "machine": {"cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0), "os": std::env::consts::OS, "arch": std::env::consts::ARCH},
    });
    if wanted(Figure::Dispatch) {
        report["dispatch"] = dispatch_throughput(config.clone(), sizes.leads, db).await?;
    }
    if wanted(Figure::TwilioDispatch) {
        report["twilio_dispatch"] = twilio_dispatch(config.clone(), sizes.leads, db).await?;
    }
    if wanted(Figure::FirstTouchLatency) {
        report["first_touch_latency_ms"] =
            first_touch_latency(config.clone(), sizes.latency_leads, db).await?;
    }
    if wanted(Figure::AdfOverHttp) {
        report["adf_over_http"] = adf_over_http(config.clone(), sizes.adf_leads, db).await?;
    }
    if wanted(Figure::CsvImport) {
        report["csv_import"] = csv_import(config.clone(), sizes.csv_rows, db).await?;
    }
    if wanted(Figure::Classifier) {
        report["classifier"] = classifier_throughput();
    }
    if wanted(Figure::ReplyToStaffAlert) {
        report["reply_to_staff_alert_ms"] =
            reply_to_alert_latency(config.clone(), sizes.latency_leads, db).await?;
    }
    if wanted(Figure::ReplyToWaiting) {
        report["reply_to_waiting_ms"] =
            reply_to_waiting_latency(config.clone(), sizes.latency_leads, db).await?;
    }
    if wanted(Figure::MissedCallTextBack) {
        report["missed_call_text_back_ms"] =
            missed_call_text_back_latency(config.clone(), sizes.latency_leads, db).await?;
    }
    if wanted(Figure::WorkspacePages) {
        report["workspace_pages"] =
            super::bench_pages::workspace_pages(config.clone(), sizes.page_leads).await?;
    }
    if wanted(Figure::Backlog) {
        let steps = super::bench_backlog::sizes(sizes.backlog);
        report["backlog"] = super::bench_backlog::backlog(config, &steps).await?;
    }
    crate::outln!("{}", serde_json::to_string_pretty(&report)?);
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

async fn dispatch_throughput(
    config: Config,
    leads: usize,
    server: Option<&str>,
) -> anyhow::Result<serde_json::Value> {
    let bench_db = BenchDb::fresh(server, "dispatch").await?;
    let db = bench_db.url();
    // 02:00 in Chicago on a Tuesday: the window is closed until the store opens at 09:00.
    let start: Timestamp = "2026-12-01T08:00:00Z".parse()?;
    let opening: Timestamp = "2026-12-01T15:00:00Z".parse()?;
    let clock = ManualClock::new(start);
    let engine = create_engine(config, db, Arc::new(clock)).await?;
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
    let sent = keepwarm_engine::sandbox_outbox(engine.store())?
        .list(None)
        .await?
        .len();
    anyhow::ensure!(
        sent == touches,
        "outbox has {sent} messages for {touches} dispatched touches"
    );
    // The weekly audit of the week those leads arrived in (2026-W49): every lead active, each with
    // its day-0 touches.
    let t = Instant::now();
    let audit = engine
        .audit("2026-W49".parse().map_err(anyhow::Error::msg)?, None, None)
        .await
        .context("auditing the bench week")?;
    let audit_secs = t.elapsed().as_secs_f64();
    let active: usize = audit.segments.iter().map(|s| s.active_leads).sum();
    let database = bench_db.describe();
    drop(engine);
    bench_db.remove().await?;
    Ok(json!({
        "database": database,
        "channel": "sandbox",
        "leads": leads,
        "weekly_audit": {"active_leads": active, "sampled_leads": audit.sample.len(), "seconds": round(audit_secs)},
        "touches": touches,
        "seconds": round(secs),
        "touches_per_sec": round(touches as f64 / secs),
        "ingest_leads_per_sec": round(leads as f64 / ingest_secs),
    }))
}

async fn twilio_dispatch(
    mut config: Config,
    leads: usize,
    server: Option<&str>,
) -> anyhow::Result<serde_json::Value> {
    let fake = FakeTwilio::start()
        .await
        .context("starting the fake Twilio")?;
    let dealership = config
        .dealerships
        .first()
        .map(|d| d.id.clone())
        .context("the configuration has no dealership")?;
    config.channels.twilio.api_base = fake.base_url();
    config.channels.twilio.messages_per_second = None;
    config.channels.dealerships.insert(
        dealership,
        DealershipChannels {
            sms: Transport::Twilio,
            sms_from: Some(
                PhoneNumber::parse("+13125550100", "US").map_err(|e| anyhow::anyhow!("{e:?}"))?,
            ),
            ..DealershipChannels::default()
        },
    );
    let env = ChannelEnv {
        twilio_account_sid: Some(FAKE_ACCOUNT_SID.into()),
        twilio_auth_token: Some(FAKE_AUTH_TOKEN.into()),
        public_url: Some("https://keepwarm.example.com".into()),
        ..ChannelEnv::default()
    };
    let bench_db = BenchDb::fresh(server, "twilio_dispatch").await?;
    let db = bench_db.url();
    // As for `dispatch`: leads arrive while the window is closed, sent when it opens.
    let start: Timestamp = "2026-12-01T08:00:00Z".parse()?;
    let opening: Timestamp = "2026-12-01T15:00:00Z".parse()?;
    fake.set_now(opening);
    let store = create_store(db).await?;
    let signer = channels::unsubscribe_signer(&store, &env, start).await?;
    let channel = channels::build(&config, &store, &env, &signer, false)?;
    let engine = Engine::new(config, store, channel, Arc::new(ManualClock::new(start)))
        .await
        .context("starting the engine")?;
    for i in 0..leads {
        let doc = json!({
            "source": {"kind": "internet", "provider": "bench"},
            "customer": {"first_name": format!("Text{i}"), "phones": [bench_phone(i)]},
        });
        let lead = parse_lead_json(&serde_json::to_vec(&doc)?, "US")
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        engine
            .ingest(lead)
            .await
            .context("ingesting a bench lead")?;
    }
    let t = Instant::now();
    let touches = engine.advance_to(opening).await.context("dispatching")?;
    let secs = t.elapsed().as_secs_f64();
    let texts = fake.messages().len();
    let violations = fake.violations();
    anyhow::ensure!(
        violations.is_empty(),
        "the fake Twilio refused requests: {violations:?}"
    );
    anyhow::ensure!(
        texts == leads,
        "the fake Twilio got {texts} texts for {leads} leads ({touches} touches dispatched)"
    );
    let database = bench_db.describe();
    drop(engine);
    bench_db.remove().await?;
    // The leads have no e-mail address, so the drain also skips each lead's day-0 e-mail step;
    // those touches never reach a channel and are reported apart.
    Ok(json!({
        "database": database,
        "channel": "twilio (fake on loopback, OpenAPI validation on, rate limit off)",
        "leads": leads,
        "touches": texts,
        "seconds": round(secs),
        "touches_per_second": round(texts as f64 / secs),
        "skipped_touches_in_drain": touches.saturating_sub(texts),
    }))
}

/// The starter configuration with every window open and everyone on shift, so the real clock never
/// delays what is measured.
fn always_open(mut config: Config) -> Config {
    config.legal_hours = WeeklyHours::always();
    config.email_hours = WeeklyHours::always();
    config.compliance = keepwarm_domain::compliance::rules::RuleTable::default();
    for d in &mut config.dealerships {
        d.hours.insert("sales".into(), WeeklyHours::always());
        d.holidays.clear();
    }
    for s in &mut config.staff {
        s.shift = None;
    }
    config
}

/// The server on a loopback port with the real clock and its worker, on a fresh database.
struct BenchServer {
    address: std::net::SocketAddr,
    engine: Arc<keepwarm_engine::Engine>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    db: Option<BenchDb>,
}

impl BenchServer {
    async fn start(config: Config, server: Option<&str>) -> anyhow::Result<Self> {
        let db = BenchDb::fresh(server, "latency").await?;
        let engine = create_engine(config, db.url(), Arc::new(SystemClock)).await?;
        let worker = spawn_worker(engine.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
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
        let serve =
            keepwarm_server::serve(listener, engine.clone(), settings, std::future::pending());
        let server = tokio::spawn(async move {
            let _ = serve.await;
        });
        Ok(Self {
            address,
            engine,
            tasks: vec![worker, server],
            db: Some(db),
        })
    }

    /// Stops the server and its worker and removes the database.
    async fn finish(mut self) -> anyhow::Result<()> {
        for t in &self.tasks {
            t.abort();
        }
        if let Some(db) = self.db.take() {
            db.remove().await?;
        }
        Ok(())
    }

    /// Waits (up to 10 s) until the lead's outbox satisfies `done`.
    async fn wait_for(
        &self,
        lead: i64,
        what: &str,
        done: impl Fn(&[keepwarm_channels::OutboxRow]) -> bool,
    ) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(10);
        let outbox = keepwarm_engine::sandbox_outbox(self.engine.store())?;
        loop {
            if done(&outbox.list(Some(keepwarm_domain::LeadId(lead))).await?) {
                return Ok(());
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "lead {lead} got no {what} within 10 s"
            );
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
    }
}

impl Drop for BenchServer {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// p50, p99 and max of latency samples in milliseconds.
pub(super) fn latency_summary(mut millis: Vec<f64>, path: &str) -> serde_json::Value {
    millis.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        millis
            .get(((millis.len() as f64 * p).ceil() as usize).saturating_sub(1))
            .copied()
            .unwrap_or(0.0)
    };
    json!({
        "samples": millis.len(),
        "p50": round(pct(0.50)),
        "p99": round(pct(0.99)),
        "max": round(millis.last().copied().unwrap_or(0.0)),
        "path": path,
    })
}

async fn post_json(
    client: &reqwest::Client,
    url: String,
    body: Vec<u8>,
    status: u16,
) -> anyhow::Result<serde_json::Value> {
    let response = client
        .post(&url)
        .bearer_auth("bench")
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await?;
    anyhow::ensure!(
        response.status() == status,
        "POST {url} answered {}",
        response.status()
    );
    Ok(response.json().await?)
}

async fn first_touch_latency(
    config: Config,
    samples: usize,
    server: Option<&str>,
) -> anyhow::Result<serde_json::Value> {
    let bench = BenchServer::start(always_open(config), server).await?;
    let client = reqwest::Client::new();
    let mut millis = Vec::with_capacity(samples);
    for i in 0..samples {
        let t = Instant::now();
        let created = post_json(
            &client,
            format!("http://{}/api/v1/leads", bench.address),
            lead_json(i, None),
            201,
        )
        .await?;
        let id = created["id"].as_i64().unwrap_or_default();
        bench
            .wait_for(id, "first touch", |outbox| !outbox.is_empty())
            .await?;
        millis.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    bench.finish().await?;
    Ok(latency_summary(
        millis,
        "HTTP POST /api/v1/leads on loopback -> ingest -> worker wake -> sandbox outbox",
    ))
}

pub(super) fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A phone number for bench shopper `i`: ten Chicago-area codes, 100,000 distinct valid numbers.
pub(super) fn bench_phone(i: usize) -> String {
    const AREAS: [&str; 10] = [
        "312", "773", "872", "630", "708", "847", "224", "331", "779", "815",
    ];
    format!(
        "+1{}{:07}",
        AREAS[(i / 10_000) % 10],
        2_000_000 + i % 10_000
    )
}

fn adf_document(i: usize) -> String {
    format!(
        r#"<?xml version="1.0"?><?adf version="1.0"?><adf><prospect status="new"><id source="Bench">B{i}</id>
<requestdate>2026-12-01T01:00:00-06:00</requestdate>
<vehicle interest="buy" status="used"><year>2022</year><make>Honda</make><model>CR-V</model></vehicle>
<customer><contact><name part="first">Shopper{i}</name><name part="last">Bench</name>
<email>shopper{i}@example.com</email><phone type="cellphone">{}</phone></contact>
<comments>Is it available?</comments></customer>
<provider><name part="full">Bench Leads</name></provider></prospect></adf>"#,
        bench_phone(i)
    )
}

async fn adf_over_http(
    mut config: Config,
    leads: usize,
    server: Option<&str>,
) -> anyhow::Result<serde_json::Value> {
    const CLIENTS: usize = 16;
    // Every bench lead comes from one provider: the hourly cap on new leads per source would hold
    // all but its first 200 for a person. Intake speed is measured here, not the cap.
    config.intake_limits.max_new_leads_per_source_hour = u32::MAX;
    let bench_db = BenchDb::fresh(server, "adf").await?;
    let db = bench_db.url();
    // A manual clock before opening hours: intake is measured, not dispatch.
    let clock = ManualClock::new("2026-12-01T08:00:00Z".parse()?);
    let engine = create_engine(config, db, Arc::new(clock)).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
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
    let client = reqwest::Client::new();
    let t = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let client = client.clone();
        let url = format!("http://{address}/api/v1/leads/adf");
        tasks.push(tokio::spawn(async move {
            for i in (c..leads).step_by(CLIENTS) {
                let r = client
                    .post(&url)
                    .bearer_auth("bench")
                    .header("content-type", "application/xml")
                    .body(adf_document(i))
                    .send()
                    .await?;
                anyhow::ensure!(
                    r.status() == 201,
                    "POST /api/v1/leads/adf answered {}",
                    r.status()
                );
            }
            Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let secs = t.elapsed().as_secs_f64();
    server.abort();
    let stored = engine
        .store()
        .list_leads(&keepwarm_store::LeadFilter {
            limit: Some(1),
            ..Default::default()
        })
        .await?;
    anyhow::ensure!(
        stored.first().map(|l| l.id.0 as usize) == Some(leads),
        "expected {leads} leads"
    );
    drop(engine);
    bench_db.remove().await?;
    Ok(json!({
        "leads": leads,
        "clients": CLIENTS,
        "seconds": round(secs),
        "leads_per_sec": round(leads as f64 / secs),
        "path": "HTTP POST /api/v1/leads/adf on loopback -> raw document kept -> ADF parse -> duplicate check -> segment, owner, enrollment, first touch",
    }))
}

async fn csv_import(
    config: Config,
    rows: usize,
    server: Option<&str>,
) -> anyhow::Result<serde_json::Value> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("aged.csv");
    let mut text =
        String::from("First Name,Last Name,Cell,E-mail,Year,Make,Model,Lead Date,Comments\n");
    for i in 0..rows {
        text.push_str(&format!(
            "Ana{i},Lopez,{},ana{i}@example.com,2021,Toyota,RAV4,08/01/2026,aged lead\n",
            bench_phone(i)
        ));
    }
    std::fs::write(&path, &text)?;
    let bench_db = BenchDb::fresh(server, "csv").await?;
    let clock = ManualClock::new("2026-12-01T08:00:00Z".parse()?);
    let engine = create_engine(config, bench_db.url(), Arc::new(clock)).await?;
    let files = [path.clone()];
    let args = super::ingest::IngestArgs {
        files: &files,
        dry_run: false,
        json: false,
        map: None,
        source: keepwarm_domain::SourceKind::Import,
    };
    let mut tally = super::ingest::Tally::default();
    let t = Instant::now();
    let name = path.display().to_string();
    if let Err(super::ingest::Refusal(e)) = super::ingest::csv_file(
        &path,
        &name,
        &keepwarm_intake::IntakeOptions::default(),
        Some(&engine),
        &args,
        &mut tally,
    )
    .await
    {
        anyhow::bail!("{e}");
    }
    let secs = t.elapsed().as_secs_f64();
    anyhow::ensure!(
        tally.ok == rows && tally.refused == 0,
        "imported {} of {rows} rows",
        tally.ok
    );
    drop(engine);
    bench_db.remove().await?;
    Ok(json!({
        "rows": rows,
        "seconds": round(secs),
        "rows_per_sec": round(rows as f64 / secs),
        "path": "keepwarm ingest FILE.csv: parse, map columns, validate, duplicate check, segment, owner, enrollment, first touch; 1,000 rows a transaction",
    }))
}

/// The labelled replies of the classifier's own test set.
const REPLIES: &str = include_str!("../../../keepwarm-classify/tests/data/replies.jsonl");

/// Replies per second on one thread, with the learned fallback (the
/// classifier the engine uses) and with the rules alone.
fn classifier_throughput() -> serde_json::Value {
    let texts: Vec<String> = REPLIES
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_owned))
        .collect();
    let classifier = keepwarm_classify::Classifier::default_set();
    let (n, secs, labels) = classify_rounds(&classifier, &texts);
    let (_, rules_secs, _) = classify_rounds(&classifier.clone().rules_only(), &texts);
    json!({
        "replies": n,
        "threads": 1,
        "seconds": round(secs),
        "replies_per_sec": round(n as f64 / secs),
        "rules_only_replies_per_sec": round(n as f64 / rules_secs),
        "labels_found": labels,
    })
}

/// Classifies `texts` 50 times over: (replies, seconds, labels found).
fn classify_rounds(
    classifier: &keepwarm_classify::Classifier,
    texts: &[String],
) -> (usize, f64, usize) {
    let rounds = 50;
    let t = Instant::now();
    let mut labels = 0usize;
    for _ in 0..rounds {
        for text in texts {
            labels += classifier.classify(text).intents.len();
        }
    }
    (texts.len() * rounds, t.elapsed().as_secs_f64(), labels)
}

/// Posts a lead for bench shopper `n`, then the shopper's text `body`; returns the lead and when
/// the text was posted.
async fn lead_then_reply(
    bench: &BenchServer,
    client: &reqwest::Client,
    n: usize,
    body: &str,
) -> anyhow::Result<(i64, Instant)> {
    let phone = bench_phone(n);
    let lead = json!({
        "source": {"kind": "internet"},
        "customer": {"first_name": format!("Shopper{n}"), "phones": [phone]},
        "vehicles": [{"interest": "buy", "year": 2022, "make": "Honda", "model": "CR-V"}],
    });
    let created = post_json(
        client,
        format!("http://{}/api/v1/leads", bench.address),
        lead.to_string().into_bytes(),
        201,
    )
    .await?;
    let id = created["id"].as_i64().unwrap_or_default();
    let t = Instant::now();
    let reply = json!({"from": phone, "body": body});
    post_json(
        client,
        format!("http://{}/api/v1/sandbox/inbound", bench.address),
        reply.to_string().into_bytes(),
        200,
    )
    .await?;
    Ok((id, t))
}

async fn reply_to_alert_latency(
    config: Config,
    samples: usize,
    server: Option<&str>,
) -> anyhow::Result<serde_json::Value> {
    let bench = BenchServer::start(always_open(config), server).await?;
    let client = reqwest::Client::new();
    let mut millis = Vec::with_capacity(samples);
    for i in 0..samples {
        let body = "What would you give me for my trade? Can I come in today?";
        let (id, t) = lead_then_reply(&bench, &client, 50_000 + i, body).await?;
        bench
            .wait_for(id, "staff alert", |outbox| {
                outbox.iter().any(|m| m.recipient_kind == "staff")
            })
            .await?;
        millis.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    bench.finish().await?;
    Ok(latency_summary(millis, "HTTP POST /api/v1/sandbox/inbound on loopback -> classify -> escalation -> owner alert in the outbox"))
}

/// Inbound text to the lead visible in `GET /api/v1/conversations?waiting=true`: the reply is
/// posted, then the queue is read until it lists the lead. Every earlier sample's lead is still
/// waiting, so the last reads list `samples` leads.
async fn reply_to_waiting_latency(
    config: Config,
    samples: usize,
    server: Option<&str>,
) -> anyhow::Result<serde_json::Value> {
    let bench = BenchServer::start(always_open(config), server).await?;
    let client = reqwest::Client::new();
    let mut millis = Vec::with_capacity(samples);
    for i in 0..samples {
        let (id, t) =
            lead_then_reply(&bench, &client, 70_000 + i, "Does it have heated seats?").await?;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let queue: serde_json::Value = client
                .get(format!(
                    "http://{}/api/v1/conversations?waiting=true",
                    bench.address
                ))
                .bearer_auth("bench")
                .send()
                .await?
                .json()
                .await?;
            let listed = queue
                .as_array()
                .is_some_and(|q| q.iter().any(|w| w["lead_id"] == id));
            if listed {
                break;
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "lead {id} was not waiting within 10 s"
            );
        }
        millis.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    bench.finish().await?;
    Ok(latency_summary(millis, "HTTP POST /api/v1/sandbox/inbound on loopback -> classify -> customer_waiting -> listed by GET /api/v1/conversations?waiting=true"))
}

/// A call to the store from an unknown number that nobody answers, to the caller's text-back in the
/// sandbox outbox: the engine's entry points the voice webhooks call (the caller becomes a lead, each
/// round of ringing ends unanswered, the missed call queues the text), then the worker sends it.
/// Each sample's timer starts as the call arrives.
async fn missed_call_text_back_latency(
    config: Config,
    samples: usize,
    server: Option<&str>,
) -> anyhow::Result<serde_json::Value> {
    use keepwarm_engine::{DialEnded, RingNext};
    let bench = BenchServer::start(always_open(config), server).await?;
    let mut millis = Vec::with_capacity(samples);
    for i in 0..samples {
        let phone = bench_phone(90_000 + i);
        let sid = format!("CA{:032x}", 90_000 + i);
        let t = Instant::now();
        let ring = bench.engine.inbound_call(&phone, &sid).await?;
        let mut next = ring.next;
        while let RingNext::Ring { round, .. } = next {
            let ended = DialEnded {
                lead: ring.lead_id,
                round,
                call_sid: sid.clone(),
                from: phone.clone(),
                dial_status: "no-answer".into(),
                duration_seconds: Some(0),
                caller_gone: false,
            };
            next = bench.engine.inbound_dial_ended(&ended).await?;
        }
        bench
            .wait_for(ring.lead_id.0, "missed-call text", |outbox| {
                outbox
                    .iter()
                    .any(|m| m.recipient_kind == "customer" && m.body.contains("missed your call"))
            })
            .await?;
        millis.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    bench.finish().await?;
    Ok(latency_summary(millis, "inbound call from an unknown number (lead created) -> every round unanswered -> missed call -> text-back through the durable queue in the sandbox outbox"))
}
