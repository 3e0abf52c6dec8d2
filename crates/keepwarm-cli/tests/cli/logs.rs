//! What `serve` logs while it works: one line per meaningful event with ids and kinds, the request
//! id on every line logged while answering a request, and never a customer's phone number, e-mail
//! address, name or words.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

const TOKEN: &str = "log-test-token";

#[tokio::test]
async fn serve_logs_each_event_by_id_with_the_request_id_and_nothing_personal() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("k.db").display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_keepwarm"))
        .args(["serve", "--db", &db, "--listen", "127.0.0.1:0"])
        .args([
            "--clock",
            "manual:2026-12-01T15:00:00Z",
            "--log-format",
            "json",
        ])
        .env_remove("KEEPWARM_CONFIG")
        .env("KEEPWARM_API_TOKEN", TOKEN)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = Arc::new(Mutex::new(String::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    let reader = {
        let log = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("keepwarm listening on ") {
                    let address = rest.split_whitespace().next().unwrap_or("").to_owned();
                    let _ = tx.send(address);
                }
                let mut log = log.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        })
    };
    let address = rx.recv_timeout(Duration::from_secs(60)).unwrap();
    let client = reqwest::Client::new();
    let post = |path: &str, body: Value| {
        client
            .post(format!("{address}{path}"))
            .bearer_auth(TOKEN)
            .header("x-request-id", "req-from-the-proxy-1")
            .json(&body)
            .send()
    };
    let lead = json!({
        "source": {"kind": "internet"},
        "customer": {
            "first_name": "Philippa", "last_name": "Quartermaine",
            "phones": ["(312) 555-0877"], "emails": ["philippa.q@example.net"],
        },
        "vehicles": [{"interest": "buy", "year": 2025, "make": "Honda", "model": "CR-V"}],
    });
    let created = post("/api/v1/leads", lead).await.unwrap();
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers()["x-request-id"], "req-from-the-proxy-1");
    let reply = post(
        "/api/v1/sandbox/inbound",
        json!({"from": "+13125550877", "body": "what would you give me for my Zephyrmobile trade?"}),
    )
    .await
    .unwrap();
    assert_eq!(reply.status(), 200);

    assert!(Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    assert_eq!(child.wait().unwrap().code(), Some(0));
    reader.join().unwrap();
    let log = log.lock().unwrap().clone();

    for secret in [
        "555-0877",
        "5550877",
        "philippa",
        "Philippa",
        "Quartermaine",
        "example.net",
        "Zephyrmobile",
    ] {
        assert!(!log.contains(secret), "`{secret}` is in the log:\n{log}");
    }
    let lines: Vec<Value> = log
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let find = |message: &str| {
        lines
            .iter()
            .find(|l| l["message"] == message)
            .unwrap_or_else(|| panic!("no `{message}` line in:\n{log}"))
    };
    assert_eq!(find("lead received")["lead"], 1);
    assert_eq!(find("lead received")["source"], "internet");
    let touch = find("touch finished");
    assert_eq!(
        (touch["result"].as_str(), touch["lead"].as_i64()),
        (Some("sent"), Some(1))
    );
    let reply = find("reply received");
    assert!(
        reply["labels"].as_str().unwrap().contains("trade_in"),
        "{reply}"
    );
    let request = reply["spans"]
        .as_array()
        .and_then(|spans| spans.iter().find(|s| s["name"] == "request"))
        .unwrap_or_else(|| panic!("the reply line is not in a request span: {reply}"));
    assert_eq!(request["request_id"], "req-from-the-proxy-1", "{reply}");
    assert_eq!(request["route"], "/api/v1/sandbox/inbound", "{reply}");
    find("escalation opened");
}
