//! The chaos test (issue 12 point 5): three `keepwarm worker`s and two `keepwarm serve --no-worker`s
//! on one PostgreSQL database, texting through a fake Twilio that outlives every process and records
//! every request. Leads arrive over HTTP at either HTTP process, customers answer (hot replies that
//! escalate, opt-outs, plain answers), staff acknowledge some escalations (by API and by texting the
//! alert's number back) and leave the others to breach up the manager chain on a one-minute clock,
//! while a random process is killed with SIGKILL every few seconds and started again. Then
//! everything drains and the fake's record is held against the database ([`verdict`]): no message
//! sent twice, none lost, every escalation alerted exactly once per person told, every opt-out
//! confirmed exactly once.
//!
//! It takes about three minutes, so it is `#[ignore]`d in the plain test run and run by `.ci/run`:
//! `cargo test -p keepwarm --test cli chaos -- --ignored --nocapture`. `KEEPWARM_CHAOS_SEED`
//! replays a seed (the timing of the processes still varies); `KEEPWARM_CHAOS_SECONDS` sets how
//! long processes are killed (at least 60); `KEEPWARM_CHAOS_KEEP=1` keeps the database afterwards.

mod fleet;
mod verdict;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use keepwarm_twilio::fake::{FakeTwilio, FAKE_ACCOUNT_SID, FAKE_AUTH_TOKEN};
use serde_json::json;
use sqlx::PgPool;

use crate::server::{seed, Rng, TOKEN};
use fleet::{Fleet, HttpAddresses};
use verdict::{Expected, Reply};

/// The dealership's texting number in `channels.toml`.
const SMS_FROM: &str = "+13125550100";
/// What Twilio calls the server by (webhook signatures are computed over it).
const PUBLIC_URL: &str = "https://keepwarm.example.com";
/// A customer who wants a person now: an appointment and a trade-in question (escalates).
const HOT: &str =
    "Can I come by Saturday at 10 to test drive it? And what would you give me for my 2017 Accord?";
/// A certain opt-out.
const STOP: &str = "STOP";
/// An answer that needs nobody at once.
const NEUTRAL: &str = "Thanks, still looking around";

/// How many kills a run must have made (of both roles) to count.
const MIN_KILLS: usize = 20;

/// The phases of the run, from the moment every process is up.
#[derive(Clone, Copy)]
struct Phases {
    /// Processes are killed until then.
    kills_end: Duration,
    /// Leads arrive until then.
    leads_end: Duration,
    /// Hot replies are sent until then, so that their deadlines (one minute, then one more) fall
    /// due during the kills and the drain.
    hot_end: Duration,
}

impl Phases {
    fn from_env() -> Phases {
        let seconds = std::env::var("KEEPWARM_CHAOS_SECONDS")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(90)
            .max(60);
        Phases {
            kills_end: Duration::from_secs(seconds),
            leads_end: Duration::from_secs(seconds * 5 / 6),
            hot_end: Duration::from_secs(seconds * 4 / 9),
        }
    }
}

/// The always-open starter configuration texting through the fake Twilio (e-mail in the sandbox,
/// calls as tasks) with the shortest escalation clock: one minute to acknowledge, one more before
/// the next manager hears.
fn write_config(dir: &Path, api_base: &str) {
    let channels = format!(
        "[twilio]\napi_base = \"{api_base}\"\nmessages_per_second = 0\nburst = 1\n\n\
         [[dealership]]\nid = \"main\"\nsms = \"twilio\"\nsms_from = \"{SMS_FROM}\"\n\
         voice = \"sandbox\"\nemail = \"sandbox\"\n"
    );
    crate::roles::always_open_config(dir, Some(&channels));
    let settings = std::fs::read_to_string(dir.join("settings.toml"))
        .unwrap()
        .replace("ack_minutes = 5", "ack_minutes = 1")
        .replace(
            "second_deadline_minutes = 10",
            "second_deadline_minutes = 1",
        )
        .replace("credit_finance = 10", "credit_finance = 1");
    assert!(settings.contains("ack_minutes = 1"), "{settings}");
    std::fs::write(dir.join("settings.toml"), settings).unwrap();
}

/// Each staff member's alert phone, read from `staff.toml` (`id = ...` then `phone = ...`).
fn staff_phones(dir: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(dir.join("staff.toml")).unwrap();
    let mut phones = BTreeMap::new();
    let mut id = None;
    for line in text.lines() {
        let value = || line.split('"').nth(1).unwrap_or_default().to_owned();
        if line.starts_with("id = ") {
            id = Some(value());
        } else if line.starts_with("phone = ") {
            let digits: String = value().chars().filter(char::is_ascii_digit).collect();
            phones.insert(id.take().unwrap(), format!("+{digits}"));
        }
    }
    phones
}

/// What the drivers share: the HTTP processes' addresses, the fake, the database, and what the
/// customers and staff did (the expectations the verdict checks).
#[derive(Clone)]
struct Drive {
    client: reqwest::Client,
    http: HttpAddresses,
    fake: Arc<FakeTwilio>,
    pool: PgPool,
    expected: Arc<Mutex<Expected>>,
    staff: Arc<BTreeMap<String, String>>,
    /// Requests answered by a process other than the one first tried (it was killed meanwhile).
    retried: Arc<Mutex<usize>>,
}

impl Drive {
    /// Sends a request built by `build` to a live HTTP process, trying again on another when the
    /// connection fails (the process was killed): the same request, so idempotency is exercised.
    async fn send(
        &self,
        rng: &mut Rng,
        build: impl Fn(&str) -> reqwest::RequestBuilder,
    ) -> reqwest::Response {
        for attempt in 0..600 {
            let Some(address) = self.http.pick(rng) else {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            match build(&address)
                .timeout(Duration::from_secs(20))
                .send()
                .await
            {
                Ok(r) => {
                    if attempt > 0 {
                        *self.retried.lock().unwrap() += 1;
                    }
                    return r;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
        panic!("no HTTP process answered in 30 s");
    }

    /// Creates lead `i` at either HTTP process.
    async fn create_lead(&self, rng: &mut Rng, i: usize) {
        let phone = format!("+1312555{:04}", 4000 + i);
        let lead = json!({
            "source": {"kind": "internet"},
            "customer": {
                "first_name": format!("Chaos{i}"),
                "phones": [phone],
                "emails": [format!("chaos{i}@example.com")],
                "address": {"city": "Chicago", "region": "IL", "country": "US"},
            },
        });
        let r = self
            .send(rng, |a| {
                self.client
                    .post(format!("{a}/api/v1/leads"))
                    .bearer_auth(TOKEN)
                    .json(&lead)
            })
            .await;
        let status = r.status().as_u16();
        let text = r.text().await.unwrap_or_default();
        // A retry after a kill may find the lead the first attempt stored: merged, not a second.
        assert!(status == 201 || status == 200, "lead {i}: {status} {text}");
        self.expected.lock().unwrap().leads.insert(phone);
    }

    /// A signed text from `from` to the dealership's number, delivered (with retries under the
    /// same `MessageSid`, as Twilio retries) to either HTTP process.
    async fn text_in(&self, rng: &mut Rng, sid: &str, from: &str, body: &str) {
        let params: Vec<(String, String)> = [
            ("MessageSid", sid),
            ("AccountSid", FAKE_ACCOUNT_SID),
            ("From", from),
            ("To", SMS_FROM),
            ("Body", body),
            ("NumMedia", "0"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let signature = keepwarm_twilio::compute_signature(
            FAKE_AUTH_TOKEN,
            &format!("{PUBLIC_URL}/webhooks/twilio/sms"),
            &params,
        );
        let form = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&params)
            .finish();
        let r = self
            .send(rng, |a| {
                self.client
                    .post(format!("{a}/webhooks/twilio/sms"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("X-Twilio-Signature", &signature)
                    .body(form.clone())
            })
            .await;
        let status = r.status();
        assert_eq!(
            status,
            200,
            "text {sid} from {from}: {}",
            r.text().await.unwrap_or_default()
        );
    }

    /// The customer at `phone` answers their first text with `reply`; for a hot reply that is
    /// acknowledged, its owner then acknowledges the alert (by API, or by texting its number back).
    async fn answer(&self, mut rng: Rng, phone: String, reply: Reply, sid: String) {
        tokio::time::sleep(Duration::from_millis(rng.below(3000))).await;
        let body = match reply {
            Reply::Hot { .. } => HOT,
            Reply::Stop => STOP,
            Reply::Neutral => NEUTRAL,
        };
        self.text_in(&mut rng, &sid, &phone, body).await;
        // Everything the fake received from here on came after the reply was recorded.
        let mark = self.fake.requests().len();
        self.expected
            .lock()
            .unwrap()
            .replies
            .insert(phone.clone(), (reply, mark));
        let Reply::Hot { ack: Some(by_text) } = reply else {
            return;
        };
        let (id, assignee) = self.escalation_alerted(&phone).await;
        tokio::time::sleep(Duration::from_millis(rng.below(2000))).await;
        if by_text {
            let staff_phone = self.staff[&assignee].clone();
            let sid = format!("SM{:032x}", 0xacc0_0000_u64 + id as u64);
            self.text_in(&mut rng, &sid, &staff_phone, &format!("{id}"))
                .await;
        } else {
            let body = json!({"by": assignee});
            let r = self
                .send(&mut rng, |a| {
                    self.client
                        .post(format!("{a}/api/v1/escalations/{id}/ack"))
                        .bearer_auth(TOKEN)
                        .json(&body)
                })
                .await;
            let status = r.status();
            assert_eq!(
                status,
                200,
                "ack of escalation {id}: {}",
                r.text().await.unwrap_or_default()
            );
        }
        self.expected.lock().unwrap().acknowledged.insert(id);
    }

    /// Waits until the escalation of `phone`'s lead exists and its owner's alert reached the fake;
    /// returns the escalation and its assignee.
    async fn escalation_alerted(&self, phone: &str) -> (i64, String) {
        let start = Instant::now();
        loop {
            let row: Option<(i64, String)> = sqlx::query_as(
                "SELECT e.id, e.assignee_id FROM escalations e \
                 JOIN lead_contacts c ON c.lead_id = e.lead_id AND c.kind = 'phone' \
                 WHERE c.value = $1 ORDER BY e.id LIMIT 1",
            )
            .bind(phone)
            .fetch_optional(&self.pool)
            .await
            .unwrap();
            if let Some((id, assignee)) = row {
                let to = self.staff[&assignee].as_str();
                let words = format!("Reply {id} to acknowledge");
                let alerted = self.fake.messages().iter().any(|m| {
                    m.to.as_deref() == Some(to)
                        && m.body.as_deref().is_some_and(|b| b.contains(&words))
                });
                if alerted {
                    return (id, assignee);
                }
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "{phone}'s hot reply was not escalated and alerted within 60 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Customers answer their first text: each lead's phone, the first time a text to it reaches the
/// fake, gets a reply drawn by `rng` (hot ones only before `hot_end`). Returns the answering tasks.
async fn answer_first_texts(
    drive: Drive,
    mut rng: Rng,
    started: Instant,
    phases: Phases,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut answered = std::collections::BTreeSet::new();
    let mut tasks = Vec::new();
    let mut sids = 0u64;
    loop {
        let leads = drive.expected.lock().unwrap().leads.clone();
        for m in drive.fake.messages() {
            let Some(to) = m.to.clone() else { continue };
            if !leads.contains(&to) || !answered.insert(to.clone()) {
                continue;
            }
            let hot_open = started.elapsed() < phases.hot_end;
            let reply = match rng.below(20) {
                0..=6 if hot_open => Reply::Hot {
                    ack: match rng.below(4) {
                        0 => Some(false),
                        1 => Some(true),
                        _ => None,
                    },
                },
                7..=10 => Reply::Stop,
                11..=13 => Reply::Neutral,
                _ => continue,
            };
            sids += 1;
            let sid = format!("SM{:032x}", (rng.0 << 16) ^ sids);
            let task_rng = Rng(rng.0 ^ sids.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
            let d = drive.clone();
            tasks.push(tokio::spawn(async move {
                d.answer(task_rng, to, reply, sid).await;
            }));
        }
        if started.elapsed() > phases.leads_end + Duration::from_secs(10) {
            return tasks;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "three minutes of kill -9 on PostgreSQL; .ci/run runs it with --ignored"]
async fn chaos_five_processes_on_one_postgres_database_killed_at_random() {
    let seed = seed("KEEPWARM_CHAOS_SEED");
    let phases = Phases::from_env();
    eprintln!("chaos test seed {seed} (replay with KEEPWARM_CHAOS_SEED={seed})");
    let mut rng = Rng(seed);
    let database = keepwarm_store::testing::TestDatabase::create().await;
    let fake = Arc::new(FakeTwilio::start().await.unwrap());
    // Twilio stamps messages with its own clock; the processes run on the system clock.
    fake.set_now(keepwarm_engine::Clock::now(&keepwarm_engine::SystemClock));
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("conf");
    write_config(&config, &fake.base_url());
    let staff = Arc::new(staff_phones(&config));
    let mut fleet = Fleet::new(&database.url, &config, PUBLIC_URL);
    fleet.start_all();
    let pool = PgPool::connect(&database.url).await.unwrap();
    let drive = Drive {
        client: reqwest::Client::new(),
        http: fleet.addresses(),
        fake: fake.clone(),
        pool: pool.clone(),
        expected: Arc::default(),
        staff: staff.clone(),
        retried: Arc::default(),
    };
    let started = Instant::now();

    // The killer: a random process every 1-3 s, started again at once (in the background).
    let killer = {
        let mut rng = Rng(rng.0.rotate_left(17) | 1);
        let fake = fake.clone();
        std::thread::spawn(move || {
            // On a busy machine a start can take 20 s and every process may be starting: the
            // kills go on (for at most twice as long) until there were enough of them.
            let killed = |fleet: &Fleet| fleet.kills().values().sum::<usize>();
            while started.elapsed() < phases.kills_end
                || (killed(&fleet) < MIN_KILLS && started.elapsed() < 2 * phases.kills_end)
            {
                std::thread::sleep(Duration::from_millis(1000 + rng.below(2000)));
                // Answers take up to 400 ms, so kills often land between Twilio creating a text
                // and the process recording it.
                fake.set_latency(Duration::from_millis(20 + rng.below(380)));
                fleet.kill_one(&mut rng);
            }
            fleet.wait_all_up();
            fleet
        })
    };
    let leads = {
        let d = drive.clone();
        let mut rng = Rng(rng.0.rotate_left(29) | 1);
        tokio::spawn(async move {
            let mut i = 0;
            while started.elapsed() < phases.leads_end {
                d.create_lead(&mut rng, i).await;
                i += 1;
                tokio::time::sleep(Duration::from_millis(100 + rng.below(300))).await;
            }
            i
        })
    };
    let answers = tokio::spawn(answer_first_texts(
        drive.clone(),
        Rng(rng.below(u64::MAX) | 1),
        started,
        phases,
    ));
    let lead_count = leads.await.unwrap();
    for task in answers.await.unwrap() {
        task.await.unwrap();
    }
    let mut fleet = tokio::task::spawn_blocking(move || killer.join().unwrap())
        .await
        .unwrap();
    let chaos_took = started.elapsed();
    fake.set_latency(Duration::ZERO);

    // Drain: every process up, nothing killed, until nothing is due or in flight and every
    // escalation reached the end of its chain or was acknowledged.
    let drained = verdict::drain(&pool, Duration::from_secs(240)).await;
    let expected = drive.expected.lock().unwrap().clone();
    let report = verdict::check(&pool, &fake, &expected, &staff).await;
    fleet.kill_all();
    let kills = fleet.kills();
    let (mean_start, longest_start) = fleet.start_times();
    if std::env::var_os("KEEPWARM_CHAOS_KEEP").is_some() {
        eprintln!("chaos: database kept: {}", database.url);
        std::mem::forget(database);
    }
    eprintln!(
        "chaos: seed {seed}; {:.0} s of kills ({} kills: {} of `serve --no-worker`, {} of `worker`), \
         restarts took {:.1} s on average ({:.1} s at most), drained in {:.0} s; {lead_count} leads; {} requests retried on the other HTTP process; {report}",
        chaos_took.as_secs_f64(),
        kills.values().sum::<usize>(),
        kills.get("http").copied().unwrap_or(0),
        kills.get("worker").copied().unwrap_or(0),
        mean_start.as_secs_f64(),
        longest_start.as_secs_f64(),
        drained.as_secs_f64(),
        *drive.retried.lock().unwrap(),
    );
    assert!(
        report.problems.is_empty(),
        "seed {seed}: {} problems:\n{}",
        report.problems.len(),
        report.problems.join("\n")
    );
    // The run must have exercised what it claims to.
    assert!(
        kills.values().sum::<usize>() >= MIN_KILLS && kills.len() == 2,
        "too few kills: {kills:?}"
    );
    assert!(lead_count >= 50, "only {lead_count} leads arrived");
    assert!(
        report.acknowledged > 0 && report.breached > 0 && report.confirmations > 0,
        "the run acknowledged, breached or confirmed nothing: {report}"
    );
}
