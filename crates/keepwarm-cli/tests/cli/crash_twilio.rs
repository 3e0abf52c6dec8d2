//! Kill the process at random instants while it texts through Twilio (a local fake that outlives
//! every killed process and records every request): no text is created twice, none is lost, and
//! the e-mails in the sandbox outbox go out exactly once too.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use jiff::{Timestamp, ToSpan};
use keepwarm_twilio::fake::{FakeTwilio, RecordedRequest, FAKE_ACCOUNT_SID, FAKE_AUTH_TOKEN};
use serde_json::{json, Value};

use crate::server::{seed, touch_of, Rng, Server, TOKEN};

const LEADS: usize = 100;
/// The starter `new_inquiry` cadence: texts on days 0, 1, 2 and 7; e-mails on days 0, 4 and 14;
/// a call on day 2 that is a task for the owner.
const SMS_PER_LEAD: usize = 4;
const EMAILS_PER_LEAD: usize = 3;
const SMS_FROM: &str = "+13125550100";
const PUBLIC_URL: &str = "https://keepwarm.example.com";

/// The starter configuration with dealership `main` texting through the fake Twilio, unthrottled;
/// e-mail stays in the sandbox and call steps stay tasks.
fn write_config(dir: &Path, api_base: &str) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_keepwarm"))
        .arg("init")
        .arg(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "keepwarm init: {out:?}");
    let channels = format!(
        r#"[twilio]
api_base = "{api_base}"
messages_per_second = 0
burst = 1

[[dealership]]
id = "main"
sms = "twilio"
sms_from = "{SMS_FROM}"
voice = "sandbox"
email = "sandbox"
"#
    );
    std::fs::write(dir.join("channels.toml"), channels).unwrap();
}

use crate::server::get_json as get;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_process_while_texting_through_twilio_never_duplicates_or_loses_a_text() {
    let dir = tempfile::tempdir().unwrap();
    kill_while_texting(&format!(
        "sqlite://{}",
        dir.path().join("crash.db").display()
    ))
    .await;
}

/// The same on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_killing_the_process_while_texting_never_duplicates_or_loses_a_text() {
    let database = keepwarm_store::testing::TestDatabase::create().await;
    kill_while_texting(&database.url).await;
}

/// Creates the leads on `db`, then moves the clock a day at a time with Twilio answering slowly,
/// killing the process at a random instant of most moves; every text goes out exactly once.
async fn kill_while_texting(db: &str) {
    let seed = seed("KEEPWARM_CRASH_SEED");
    eprintln!("twilio crash test seed {seed}");
    let mut rng = Rng(seed);
    let fake = FakeTwilio::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("conf");
    write_config(&config, &fake.base_url());
    let env = [
        ("KEEPWARM_TWILIO_ACCOUNT_SID", FAKE_ACCOUNT_SID),
        ("KEEPWARM_TWILIO_AUTH_TOKEN", FAKE_AUTH_TOKEN),
        ("KEEPWARM_PUBLIC_URL", PUBLIC_URL),
    ];
    let start_server =
        |clock: Timestamp| Server::start_with(db, &clock.to_string(), Some(&config), &env);
    let client = reqwest::Client::new();
    // 02:00 CST: leads arrive while the window is closed; everything is sent by clock moves.
    let start: Timestamp = "2026-12-01T08:00:00Z".parse().unwrap();

    let server = start_server(start);
    let mut phones = BTreeMap::new();
    for i in 0..LEADS {
        let phone = format!("+1312555{:04}", 2000 + i);
        let lead = json!({
            "source": {"kind": "internet"},
            "customer": {"first_name": format!("Text{i}"), "phones": [phone], "emails": [format!("t{i}@example.com")]},
        });
        let r = client
            .post(format!("{}/api/v1/leads", server.address))
            .bearer_auth(TOKEN)
            .json(&lead)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let created: Value = r.json().await.unwrap();
        phones.insert(phone, created["id"].as_i64().unwrap());
    }

    let mut server = Some(server);
    let mut kills = 0;
    for day in 1..=16 {
        let target = start + (day * 24).hours();
        // Twilio stamps a message with its own (real) clock, never earlier than the claim that
        // led to it; the fake has no real clock, so every text of this advance is stamped with
        // the instant the advance moves to.
        fake.set_now(target);
        // Each answer is delayed after the message is created: a kill in that gap leaves a text
        // at Twilio whose touch is still `sending` in the database.
        fake.set_latency(Duration::from_millis(5 + rng.below(26)));
        let s = server.take().unwrap();
        let request = client
            .post(format!("{}/api/v1/sandbox/clock", s.address))
            .bearer_auth(TOKEN)
            .json(&json!({"to": target.to_string()}))
            .timeout(Duration::from_secs(60))
            .send();
        let advance = tokio::spawn(request);
        tokio::time::sleep(Duration::from_millis(rng.below(300))).await;
        if rng.below(4) > 0 {
            s.kill();
            kills += 1;
            let _ = advance.await;
            // The clock of the killed process is gone; restart at the instant it was moving to.
            server = Some(start_server(target));
        } else {
            let response = advance.await.unwrap().unwrap();
            assert_eq!(response.status(), 200, "seed {seed}");
            server = Some(s);
        }
    }
    assert!(kills > 0, "seed {seed} killed nothing");
    let s = server.take().unwrap();
    let end = start + (26 * 24).hours();
    fake.set_now(end);
    let r = client
        .post(format!("{}/api/v1/sandbox/clock", s.address))
        .bearer_auth(TOKEN)
        .json(&json!({"to": end.to_string()}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "seed {seed}");

    // Every text Twilio created, by the touch its callback names.
    let requests = fake.requests();
    let creates: Vec<&RecordedRequest> = requests
        .iter()
        .filter(|r| r.operation.as_deref() == Some("CreateMessage"))
        .collect();
    assert!(
        fake.violations().is_empty(),
        "seed {seed}: requests broke Twilio's description: {:#?}",
        fake.violations()
    );
    // No failures are injected, so every create made a message.
    assert_eq!(creates.len(), fake.messages().len(), "seed {seed}");
    let mut texts: BTreeMap<i64, Vec<&RecordedRequest>> = BTreeMap::new();
    for r in &creates {
        let touch =
            touch_of(r).unwrap_or_else(|| panic!("seed {seed}: a text without its touch: {r:?}"));
        texts.entry(touch).or_default().push(r);
    }
    let twice: Vec<_> = texts.iter().filter(|(_, rs)| rs.len() > 1).collect();
    assert!(
        twice.is_empty(),
        "seed {seed}: touches texted more than once: {twice:#?}"
    );

    let leads = get(&client, format!("{}/api/v1/leads?limit=1000", s.address)).await;
    let leads = leads.as_array().unwrap();
    assert_eq!(leads.len(), LEADS, "seed {seed}");
    // How kills were settled at the next start: touches found delivered (per channel), and
    // releases of touches the provider never got (one touch can be released more than once).
    let mut reconciled: BTreeMap<String, usize> = BTreeMap::new();
    let mut released = 0;
    let mut planned_sms = BTreeSet::new();
    for l in leads {
        let events = get(
            &client,
            format!("{}/api/v1/leads/{}/timeline", s.address, l["id"]),
        )
        .await;
        let events = events.as_array().unwrap();
        let sms: BTreeSet<i64> = events
            .iter()
            .filter(|e| e["kind"] == "touch_sent" && e["data"]["channel"] == "sms")
            .map(|e| e["data"]["touch_id"].as_i64().unwrap())
            .collect();
        let scheduled: BTreeSet<i64> = events
            .iter()
            .filter(|e| e["kind"] == "touch_scheduled" && e["data"]["channel"] == "sms")
            .map(|e| e["data"]["touch_id"].as_i64().unwrap())
            .collect();
        assert_eq!(
            sms,
            scheduled,
            "seed {seed}: lead {}: the texts sent are not the texts scheduled; timeline: {}",
            l["id"],
            serde_json::to_string_pretty(events).unwrap()
        );
        assert_eq!(
            sms.len(),
            SMS_PER_LEAD,
            "seed {seed}: lead {} has {} texts recorded of {SMS_PER_LEAD}; timeline: {}",
            l["id"],
            sms.len(),
            serde_json::to_string_pretty(events).unwrap()
        );
        assert_eq!(
            l["status"],
            "completed",
            "seed {seed}: lead {} is not completed; timeline: {}",
            l["id"],
            serde_json::to_string_pretty(events).unwrap()
        );
        planned_sms.extend(sms);
        if l["id"] == 1 {
            eprintln!("DEBUG {}", serde_json::to_string_pretty(events).unwrap());
        }
        for e in events {
            if e["kind"] == "touch_released" {
                released += 1;
            } else if e["kind"] == "touch_sent" && e["data"]["reconciled"] == true {
                *reconciled
                    .entry(e["data"]["channel"].as_str().unwrap_or("?").to_owned())
                    .or_default() += 1;
            }
        }
    }
    let texted: BTreeSet<i64> = texts.keys().copied().collect();
    assert_eq!(
        texted, planned_sms,
        "seed {seed}: the texts Twilio got are not the texts the timelines record"
    );
    // Each lead's phone got exactly its four texts, from the dealership's number.
    let mut per_phone: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &creates {
        assert_eq!(r.param("From"), Some(SMS_FROM), "seed {seed}");
        *per_phone.entry(r.param("To").unwrap()).or_default() += 1;
    }
    assert_eq!(per_phone.len(), LEADS, "seed {seed}");
    for (phone, n) in &per_phone {
        assert_eq!(
            *n,
            SMS_PER_LEAD,
            "seed {seed}: {phone} got {n} texts (lead {:?})",
            phones.get(*phone)
        );
    }

    // The e-mails went to the sandbox outbox, each touch once.
    let outbox = get(&client, format!("{}/api/v1/sandbox/outbox", s.address)).await;
    let emails: Vec<&Value> = outbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["recipient_kind"] == "customer")
        .collect();
    assert!(
        emails.iter().all(|m| m["channel"] == "email"),
        "seed {seed}: a customer message other than e-mail went to the sandbox"
    );
    let email_touches: BTreeSet<i64> = emails
        .iter()
        .map(|m| m["touch_id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        email_touches.len(),
        emails.len(),
        "seed {seed}: an e-mail was sent twice"
    );
    assert_eq!(
        emails.len(),
        LEADS * EMAILS_PER_LEAD,
        "seed {seed}: e-mails lost"
    );
    eprintln!(
        "seed {seed}: {kills} kills; {} texts, {} e-mails; caught in flight: {reconciled:?} found \
         delivered at the next start, {released} releases",
        creates.len(),
        emails.len()
    );
    s.kill();
}

/// Twilio reports `date_created` in whole seconds (RFC 2822), while a claim is stored to the
/// millisecond: a text created in the second of its claim reads as created *before* the claim.
/// Reconciliation looks back a margin before the claim, so such a text is found after a crash and
/// not sent again (before the margin, it was released and went out twice).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_created_in_the_second_of_its_claim_is_found_after_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    text_in_the_second_of_its_claim(&format!(
        "sqlite://{}",
        dir.path().join("second.db").display()
    ))
    .await;
}

/// The same on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_a_text_created_in_the_second_of_its_claim_is_found_after_a_crash() {
    let database = keepwarm_store::testing::TestDatabase::create().await;
    text_in_the_second_of_its_claim(&database.url).await;
}

async fn text_in_the_second_of_its_claim(db: &str) {
    let fake = FakeTwilio::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("conf");
    write_config(&config, &fake.base_url());
    let env = [
        ("KEEPWARM_TWILIO_ACCOUNT_SID", FAKE_ACCOUNT_SID),
        ("KEEPWARM_TWILIO_AUTH_TOKEN", FAKE_AUTH_TOKEN),
        ("KEEPWARM_PUBLIC_URL", PUBLIC_URL),
    ];
    // 10:00:00.600 in Chicago on a Tuesday: the window is open, the first text is due at once.
    let now: Timestamp = "2026-12-01T16:00:00.600Z".parse().unwrap();
    // Twilio's clock agrees with ours to the millisecond.
    fake.set_now(now);
    // The answer is held back long enough to kill the process after Twilio created the text.
    fake.set_latency(Duration::from_secs(5));
    let server = Server::start_with(db, &now.to_string(), Some(&config), &env);
    let client = reqwest::Client::new();
    let lead = json!({
        "source": {"kind": "internet"},
        "customer": {"first_name": "Dana", "phones": ["+13125552999"]},
    });
    // The lead's first text may be sent before the answer to its POST: post in the background.
    let post = tokio::spawn(
        client
            .post(format!("{}/api/v1/leads", server.address))
            .bearer_auth(TOKEN)
            .json(&lead)
            .send(),
    );
    for _ in 0..200 {
        if !fake.messages().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(fake.messages().len(), 1, "the first text was not sent");
    server.kill();
    let _ = post.await;
    fake.set_latency(Duration::ZERO);

    let server = Server::start_with(db, &now.to_string(), Some(&config), &env);
    // Let the restarted worker drain what reconciliation left due.
    let r = client
        .post(format!("{}/api/v1/sandbox/clock", server.address))
        .bearer_auth(TOKEN)
        .json(&json!({"to": (now + 1.minutes()).to_string()}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let events = get(
        &client,
        format!("{}/api/v1/leads/1/timeline", server.address),
    )
    .await;
    let creates: Vec<Option<i64>> = fake
        .requests()
        .iter()
        .filter(|r| r.operation.as_deref() == Some("CreateMessage"))
        .map(touch_of)
        .collect();
    server.kill();
    assert_eq!(
        creates.len(),
        1,
        "the first text was created {} times ({creates:?}); messages: {:#?}; timeline: {}",
        creates.len(),
        fake.messages()
            .iter()
            .map(|m| (&m.sid, m.date_created))
            .collect::<Vec<_>>(),
        serde_json::to_string_pretty(&events).unwrap()
    );
}
