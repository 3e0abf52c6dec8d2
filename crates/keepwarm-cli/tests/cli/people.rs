//! `keepwarm tasks | escalations | conversation | reply`: the people's side at a terminal, with
//! local times and names, against the database a running server writes.

use std::process::{Command, Output};

use serde_json::{json, Value};

use crate::server::{Server, TOKEN};

fn keepwarm(args: &[&str], dir: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keepwarm"))
        .args(args)
        .current_dir(dir)
        .env_remove("KEEPWARM_CONFIG")
        .env_remove("KEEPWARM_DB")
        .output()
        .expect("run keepwarm")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

async fn post(server: &Server, path: &str, body: &Value) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", server.address))
        .bearer_auth(TOKEN)
        .json(body)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.unwrap()
}

/// `keepwarm reply`, which must succeed.
fn reply_ok(id: &str, said: &str, owner: &str, db: &str, dir: &std::path::Path) -> Output {
    let reply = keepwarm(&["reply", id, said, "--as", owner, "--db", db], dir);
    assert!(
        reply.status.success(),
        "{}",
        String::from_utf8_lossy(&reply.stderr)
    );
    reply
}

/// Dana Reyes's inquiry at `phone`: the lead's id and owner.
async fn dana(server: &Server, phone: &str) -> (String, String) {
    let lead = post(
        server,
        "/api/v1/leads",
        &json!({
            "source": {"kind": "internet", "provider": "Cars.com"},
            "customer": {"first_name": "Dana", "last_name": "Reyes", "phones": [phone]},
            "vehicles": [{"interest": "buy", "year": 2022, "make": "Honda", "model": "CR-V"}],
        }),
    )
    .await;
    let id = lead["id"].as_i64().unwrap().to_string();
    (id, lead["owner"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_salesperson_reads_tasks_escalations_and_the_conversation_and_replies_from_the_terminal()
{
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("k.db").display());
    // Tuesday 9:00 in Chicago on the server's manual clock, which the CLI keeps.
    let server = Server::start(&db, "2026-12-01T15:00:00Z");
    let (id, owner) = dana(&server, "(312) 555-0981").await;
    let owner_name = match owner.as_str() {
        "sam" => "Sam Rivera",
        "alex" => "Alex Chen",
        "jordan" => "Jordan Castellanos",
        other => panic!("unexpected owner {other}"),
    };
    post(
        &server,
        "/api/v1/sandbox/inbound",
        &json!({"from": "+13125550981", "body": "Can I come see it Saturday morning?"}),
    )
    .await;

    let tasks = keepwarm(&["tasks", "--owner", &owner, "--db", &db], dir.path());
    assert!(
        tasks.status.success(),
        "{}",
        String::from_utf8_lossy(&tasks.stderr)
    );
    let text = stdout(&tasks);
    assert!(
        text.contains("Dana Reyes") && text.contains(owner_name) && text.contains("reply"),
        "{text}"
    );
    assert!(
        text.contains("CST") || text.contains("CDT"),
        "local times: {text}"
    );
    assert!(
        !text.contains(&format!(" {owner} ")),
        "names, not ids: {text}"
    );

    let escalations = keepwarm(
        &["escalations", "--status", "open", "--db", &db],
        dir.path(),
    );
    let text = stdout(&escalations);
    assert!(
        text.contains("Dana Reyes") && text.contains("open"),
        "{text}"
    );

    let said = "Saturday at 10 works, see you then!";
    let reply = reply_ok(&id, said, &owner, &db, dir.path());
    assert!(
        stdout(&reply).contains("+13125550981"),
        "{}",
        stdout(&reply)
    );

    let thread = keepwarm(&["conversation", &id, "--db", &db], dir.path());
    let text = stdout(&thread);
    let customer = text
        .lines()
        .position(|l| l.contains("<- text") && l.contains("Saturday morning"));
    let answer = text
        .lines()
        .position(|l| l.contains("-> text") && l.contains(owner_name) && l.contains(said));
    assert!(
        customer.is_some() && answer.is_some() && customer < answer,
        "{text}"
    );
    assert!(!text.contains("waiting on us"), "answered: {text}");

    for (args, code) in [
        (vec!["tasks", "--owner", "mallory"], 2),
        (vec!["escalations", "--status", "lost"], 2),
        (vec!["conversation", "999999"], 2),
        (vec!["reply", &id, "hi", "--as", "mallory"], 2),
    ] {
        let mut args = args.clone();
        args.extend(["--db", &db]);
        let out = keepwarm(&args, dir.path());
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).starts_with("error: "),
            "{args:?}"
        );
    }
    server.kill();
}

#[tokio::test]
async fn a_reply_from_the_terminal_keeps_the_servers_manual_clock() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("k.db").display());
    // Tuesday 9:00 in Chicago, days before the machine's own clock.
    let server = Server::start(&db, "2026-12-01T15:00:00Z");
    let (id, owner) = dana(&server, "(312) 555-0982").await;
    post(
        &server,
        "/api/v1/sandbox/clock",
        &json!({"advance": "PT10M"}),
    )
    .await;
    post(
        &server,
        "/api/v1/sandbox/inbound",
        &json!({"from": "+13125550982", "body": "Is the CR-V still there?"}),
    )
    .await;

    let said = "It is, come by any time today.";
    reply_ok(&id, said, &owner, &db, dir.path());
    // Queued at the server's 9:10, so the server sends it on its next minute.
    post(
        &server,
        "/api/v1/sandbox/clock",
        &json!({"advance": "PT1M"}),
    )
    .await;
    let outbox = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/sandbox/outbox?lead={id}",
            server.address
        ))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let sent = outbox
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["body"] == said)
        .unwrap_or_else(|| panic!("not sent by the server: {outbox:#}"));
    assert_eq!(sent["at"], "2026-12-01T15:10:00Z", "{sent}");
    let thread = keepwarm(&["conversation", &id, "--db", &db], dir.path());
    let text = stdout(&thread);
    assert!(
        text.lines()
            .any(|l| l.contains(said) && l.contains("Tue Dec 1 09:10")),
        "{text}"
    );
    server.kill();
}
