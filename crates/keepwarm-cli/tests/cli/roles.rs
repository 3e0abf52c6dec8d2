//! Process roles: `serve --no-worker` records work and never sends, `keepwarm worker` sends it with
//! no HTTP API (probes only), and several of each share one database.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::server::{get_json, Server, TOKEN};

/// A running `keepwarm worker`.
pub struct Worker {
    pub child: Child,
    /// `http://ADDR` of its probes, when started with them.
    pub health: Option<String>,
}

impl Worker {
    /// `keepwarm worker --db DB ARGS…` with extra environment variables; waits for its start-up line.
    pub fn start(db: &str, args: &[&str], env: &[(&str, &str)]) -> Worker {
        let mut child = Command::new(env!("CARGO_BIN_EXE_keepwarm"))
            .args(["worker", "--db", db])
            .args(args)
            .envs(env.iter().copied())
            .env_remove("KEEPWARM_CONFIG")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn keepwarm worker");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.starts_with("keepwarm worker ") {
                    let health = line
                        .split("health at ")
                        .nth(1)
                        .and_then(|rest| rest.strip_suffix("/healthz)"))
                        .map(str::to_owned);
                    let _ = tx.send(Ok(health));
                } else if line.starts_with("error") {
                    let _ = tx.send(Err(line));
                }
            }
        });
        let health = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the worker did not start")
            .unwrap_or_else(|e| panic!("the worker failed to start: {e}"));
        Worker { child, health }
    }

    /// SIGKILL: no shutdown code runs.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends `signal` to `child` and waits (at most `limit`) for its exit code.
pub fn stop(child: &mut Child, signal: &str, limit: Duration) -> Option<i32> {
    let sent = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        assert!(
            start.elapsed() < limit,
            "no exit within {limit:?} of SIG{signal}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The starter configuration, open at every hour of every day (business hours, shifts, the
/// contact window and the federal hours row), so that tests on the system clock send at once
/// whenever they run. `channels` replaces `channels.toml` when given.
pub fn always_open_config(dir: &Path, channels: Option<&str>) {
    let out = Command::new(env!("CARGO_BIN_EXE_keepwarm"))
        .arg("init")
        .arg(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "keepwarm init: {out:?}");
    let all_day = "mon = \"00:00-24:00\"\ntue = \"00:00-24:00\"\nwed = \"00:00-24:00\"\nthu = \"00:00-24:00\"\nfri = \"00:00-24:00\"\nsat = \"00:00-24:00\"\nsun = \"00:00-24:00\"\n";
    std::fs::write(
        dir.join("dealerships.toml"),
        format!(
            "[[dealership]]\nid = \"main\"\nname = \"Lakeside Motors\"\ntime_zone = \"America/Chicago\"\n\
             country = \"US\"\nphone = \"+1 312 555 0100\"\nemail = \"sales@lakeside-motors.example.com\"\n\
             address = \"100 Lake Shore Dr, Chicago, IL 60601\"\n\n\
             [dealership.hours.sales]\n{all_day}\n[dealership.hours.service]\n{all_day}"
        ),
    )
    .unwrap();
    let staff = std::fs::read_to_string(dir.join("staff.toml")).unwrap();
    let staff: String = staff
        .lines()
        .filter(|l| !l.starts_with("shift"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(dir.join("staff.toml"), staff).unwrap();
    let settings = std::fs::read_to_string(dir.join("settings.toml"))
        .unwrap()
        .replace(
            "legal_hours = \"08:00-21:00\"",
            "legal_hours = \"00:00-24:00\"",
        )
        .replace(
            "email_hours = \"08:00-21:00\"",
            "email_hours = \"00:00-24:00\"",
        );
    std::fs::write(dir.join("settings.toml"), settings).unwrap();
    std::fs::write(
        dir.join("compliance.toml"),
        r#"[[rule]]
id = "US.hours"
jurisdiction = "US"
kind = "hours"
days = "all"
hours = "00:00-24:00"
citation = "test configuration: open at every hour"
effective = "2020-01-01"
verified = false
"#,
    )
    .unwrap();
    if let Some(channels) = channels {
        std::fs::write(dir.join("channels.toml"), channels).unwrap();
    }
    let check = Command::new(env!("CARGO_BIN_EXE_keepwarm"))
        .args(["check", "--config"])
        .arg(dir)
        .env(
            "KEEPWARM_TWILIO_ACCOUNT_SID",
            "AC0123456789abcdef0123456789abcdef",
        )
        .env("KEEPWARM_TWILIO_AUTH_TOKEN", "checked-only")
        .env("KEEPWARM_PUBLIC_URL", "https://keepwarm.example.com")
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "the always-open configuration is refused: {}",
        String::from_utf8_lossy(&check.stderr)
    );
}

/// Creates a lead through `server`'s API; returns its id.
pub async fn create_lead(client: &reqwest::Client, server: &str, i: usize) -> i64 {
    let lead = json!({
        "source": {"kind": "internet"},
        "customer": {
            "first_name": format!("Role{i}"),
            "phones": [format!("+1312555{:04}", 3000 + i)],
            "address": {"city": "Chicago", "region": "IL", "country": "US"},
        },
    });
    let r = client
        .post(format!("{server}/api/v1/leads"))
        .bearer_auth(TOKEN)
        .json(&lead)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

/// The kinds of a lead's timeline entries.
async fn timeline_kinds(client: &reqwest::Client, server: &str, lead: i64) -> Vec<String> {
    get_json(client, format!("{server}/api/v1/leads/{lead}/timeline"))
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_only_process_never_sends_and_a_worker_beside_it_does() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("conf");
    always_open_config(&config, None);
    let db = format!("sqlite://{}", dir.path().join("roles.db").display());
    let config_arg = config.to_str().unwrap();
    let http = Server::start_args(
        &db,
        &["--no-worker", "--sandbox", "--config", config_arg],
        &[],
    );
    assert!(http.banner.contains("no worker"), "{}", http.banner);
    let client = reqwest::Client::new();
    let lead = create_lead(&client, &http.address, 1).await;
    // Its first text is due now, but nothing in this process sends it.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let kinds = timeline_kinds(&client, &http.address, lead).await;
    assert!(kinds.contains(&"touch_scheduled".to_owned()), "{kinds:?}");
    assert!(
        !kinds.contains(&"touch_sent".to_owned()),
        "an HTTP-only process sent: {kinds:?}"
    );
    let worker = Worker::start(&db, &["--sandbox", "--config", config_arg], &[]);
    let start = Instant::now();
    loop {
        let kinds = timeline_kinds(&client, &http.address, lead).await;
        if kinds.contains(&"touch_sent".to_owned()) {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the worker never sent the first touch: {kinds:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    worker.kill();
    http.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_answers_its_probes_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("probes.db").display());
    let mut worker = Worker::start(&db, &["--sandbox", "--health-listen", "127.0.0.1:0"], &[]);
    let health = worker
        .health
        .clone()
        .expect("no probe address in the banner");
    let client = reqwest::Client::new();
    let r = client
        .get(format!("{health}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], "ok", "{body}");
    assert_eq!(body["role"], "worker", "{body}");
    let r = client.get(format!("{health}/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(
        stop(&mut worker.child, "TERM", Duration::from_secs(20)),
        Some(0),
        "SIGTERM must end the worker with status 0"
    );
}

#[test]
fn an_http_only_process_refuses_a_manual_clock() {
    let out = Command::new(env!("CARGO_BIN_EXE_keepwarm"))
        .args([
            "serve",
            "--no-worker",
            "--clock",
            "manual:2026-12-01T15:00:00Z",
            "--db",
            "sqlite::memory:",
        ])
        .env_remove("KEEPWARM_CONFIG")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--no-worker needs the system clock"), "{err}");
}

/// The kinds of `lead`'s timeline once it has `kind`, or a failure after `limit`; returns how long
/// that took.
async fn wait_for(
    client: &reqwest::Client,
    server: &str,
    lead: i64,
    kind: &str,
    limit: Duration,
) -> Duration {
    let start = Instant::now();
    loop {
        let kinds = timeline_kinds(client, server, lead).await;
        if kinds.iter().any(|k| k == kind) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < limit,
            "no {kind} within {limit:?}: {kinds:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_a_worker_woken_by_notify_sends_new_work_long_before_its_poll() {
    let database = keepwarm_store::testing::TestDatabase::create().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("conf");
    always_open_config(&config, None);
    let config_arg = config.to_str().unwrap();
    // The worker starts on an empty database, so it sleeps its whole poll interval (30 s) unless
    // something wakes it; the only thing that can is the HTTP process's NOTIFY.
    let worker = Worker::start(&database.url, &["--sandbox", "--config", config_arg], &[]);
    let http = Server::start_args(
        &database.url,
        &["--no-worker", "--sandbox", "--config", config_arg],
        &[],
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let client = reqwest::Client::new();
    let lead = create_lead(&client, &http.address, 7).await;
    let took = wait_for(
        &client,
        &http.address,
        lead,
        "touch_sent",
        Duration::from_secs(25),
    )
    .await;
    assert!(
        took < Duration::from_secs(5),
        "the first touch took {took:?}: the worker was not woken (its poll is 30 s)"
    );
    worker.kill();
    http.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_on_one_number_keep_its_rate_between_them() {
    use keepwarm_twilio::fake::{FakeTwilio, FAKE_ACCOUNT_SID, FAKE_AUTH_TOKEN};
    const PER_SECOND: usize = 5;
    const ROUND: usize = 12;
    let database = keepwarm_store::testing::TestDatabase::create().await;
    let fake = FakeTwilio::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("conf");
    let channels = format!(
        "[twilio]\napi_base = \"{}\"\nmessages_per_second = {PER_SECOND}\nburst = 1\n\n\
         [[dealership]]\nid = \"main\"\nsms = \"twilio\"\nsms_from = \"+13125550100\"\n\
         voice = \"sandbox\"\nemail = \"sandbox\"\n",
        fake.base_url()
    );
    always_open_config(&config, Some(&channels));
    let config_arg = config.to_str().unwrap();
    let env = [
        ("KEEPWARM_TWILIO_ACCOUNT_SID", FAKE_ACCOUNT_SID),
        ("KEEPWARM_TWILIO_AUTH_TOKEN", FAKE_AUTH_TOKEN),
        ("KEEPWARM_PUBLIC_URL", "https://keepwarm.example.com"),
    ];
    let http = Server::start_args(
        &database.url,
        &["--no-worker", "--config", config_arg],
        &env,
    );
    let a = Worker::start(&database.url, &["--config", config_arg], &env);
    let b = Worker::start(&database.url, &["--config", config_arg], &env);
    let pool = sqlx::PgPool::connect(&database.url).await.unwrap();
    let client = reqwest::Client::new();
    // Every text's arrival at the fake, and the most workers ever sending at once, sampled every
    // 10 ms from the moment the first lead is created.
    let fake = std::sync::Arc::new(fake);
    let sampled = std::sync::Arc::new(std::sync::Mutex::new((Vec::<Duration>::new(), 0i64)));
    let sampler = {
        let (fake, sampled, pool) = (fake.clone(), sampled.clone(), pool.clone());
        tokio::spawn(async move {
            let start = Instant::now();
            loop {
                let creates = fake
                    .requests()
                    .iter()
                    .filter(|r| r.operation.as_deref() == Some("CreateMessage"))
                    .count();
                let owners: i64 = sqlx::query_scalar(
                    "SELECT count(DISTINCT lease_owner) FROM touches WHERE state = 'sending'",
                )
                .fetch_one(&pool)
                .await
                .unwrap();
                {
                    let mut s = sampled.lock().unwrap();
                    while s.0.len() < creates {
                        s.0.push(start.elapsed());
                    }
                    s.1 = s.1.max(owners);
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };
    let arrived = || sampled.lock().unwrap().0.len();
    // Two rounds of leads: the second arrives while one worker is still pacing out the first, so
    // the other worker takes it and both send from the number at once.
    for i in 0..ROUND {
        create_lead(&client, &http.address, 100 + i).await;
    }
    let start = Instant::now();
    while arrived() == 0 {
        assert!(start.elapsed() < Duration::from_secs(30), "nothing sent");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    for i in 0..ROUND {
        create_lead(&client, &http.address, 200 + i).await;
    }
    while arrived() < 2 * ROUND {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "only {} of {} texts in 60 s",
            arrived(),
            2 * ROUND
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    sampler.abort();
    let (arrivals, senders_at_once) = sampled.lock().unwrap().clone();
    assert_eq!(
        senders_at_once, 2,
        "the two workers never sent at the same time, so this proves nothing"
    );
    // In any one second the number sent at most its rate (plus the burst of one, plus one for
    // the 20 ms sampling at the window's edges).
    for (i, first) in arrivals.iter().enumerate() {
        let within = arrivals[i..]
            .iter()
            .take_while(|at| **at < *first + Duration::from_secs(1))
            .count();
        assert!(
            within <= PER_SECOND + 2,
            "{within} texts within one second from {first:?}: {arrivals:?}"
        );
    }
    let spread = arrivals[arrivals.len() - 1] - arrivals[0];
    assert!(
        spread >= Duration::from_millis(1000 * (2 * ROUND as u64 - 2) / PER_SECOND as u64),
        "{} texts in {spread:?} at {PER_SECOND}/s: {arrivals:?}",
        arrivals.len()
    );
    a.kill();
    b.kill();
    http.kill();
}
