//! The README followed literally: its curl sections (the walk-through, getting leads in, outcomes,
//! paging) run top to bottom against `keepwarm serve` started the way the walk-through starts it,
//! in a fresh directory with a fresh SQLite file and the checkout's `examples/`. Every curl must
//! succeed (2xx), every response the README shows (`# {…}` after a command) must be what the server
//! answered, in order, and the table of what the first lead got over 15 days must be the outbox.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

/// The sections whose shell blocks run, in README order.
const SECTIONS: [&str; 4] = [
    "## A walk-through with curl",
    "## Getting leads in",
    "## Outcomes and appointments",
    "## API",
];

fn checkout() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `sh` blocks of one `## ` section.
fn shell_blocks(readme: &str, heading: &str) -> Vec<String> {
    let start = readme
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("README has no section {heading}"));
    let rest = &readme[start + heading.len() + 2..];
    let section = &rest[..rest.find("\n## ").unwrap_or(rest.len())];
    section
        .split("```")
        .skip(1)
        .step_by(2)
        .filter_map(|block| block.strip_prefix("sh\n"))
        .map(str::to_owned)
        .collect()
}

/// The responses a block shows: a `# {` comment line and the `#  ` lines continuing it.
fn documented_responses(block: &str) -> Vec<Value> {
    let mut found = Vec::new();
    let mut pending: Option<String> = None;
    for line in block.lines() {
        let text = line.trim_start();
        if let Some(mut json) = pending.take() {
            if let Some(more) = text.strip_prefix("# ").filter(|m| m.starts_with(' ')) {
                json.push_str(more.trim());
                match serde_json::from_str(&json) {
                    Ok(v) => found.push(v),
                    Err(_) => pending = Some(json),
                }
                continue;
            }
            panic!("README shows a response that is not JSON: {json}");
        }
        if let Some(json) = text.strip_prefix("# {") {
            let json = format!("{{{json}");
            match serde_json::from_str(&json) {
                Ok(v) => found.push(v),
                Err(_) => pending = Some(json),
            }
        }
    }
    found
}

/// Whether `actual` has everything `shown` has (objects by key, anything else equal).
fn contains(actual: &Value, shown: &Value) -> bool {
    match (actual, shown) {
        (Value::Object(a), Value::Object(s)) => s
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|got| contains(got, v))),
        (a, s) => a == s,
    }
}

/// `export A=1 B=2` lines of a block.
fn exports(block: &str) -> Vec<(String, String)> {
    block
        .lines()
        .filter_map(|l| l.trim().strip_prefix("export "))
        .flat_map(|rest| rest.split_whitespace())
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// The value after `flag` on the `keepwarm serve` line.
fn serve_arg(block: &str, flag: &str) -> String {
    let line = block
        .lines()
        .find(|l| l.contains("keepwarm serve"))
        .expect("the walk-through starts `keepwarm serve`");
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| *w == flag)
        .unwrap_or_else(|| panic!("`{line}` has no {flag}"));
    words[at + 1].to_owned()
}

struct Served {
    child: Child,
    address: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &Path, env: &[(String, String)], db: &str, clock: &str) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_keepwarm"))
        .args([
            "serve",
            "--db",
            db,
            "--clock",
            clock,
            "--listen",
            "127.0.0.1:0",
        ])
        .current_dir(dir)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn keepwarm serve");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix("keepwarm listening on ") {
                let address = rest.split_whitespace().next().unwrap_or_default();
                let _ = tx.send(address.trim_start_matches("http://").to_owned());
            }
        }
    });
    let address = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("server did not start");
    Served { child, address }
}

#[test]
fn the_readme_curl_sections_run_top_to_bottom_as_written() {
    let readme = std::fs::read_to_string(checkout().join("README.md")).unwrap();
    let mut blocks: Vec<String> = SECTIONS
        .iter()
        .flat_map(|s| shell_blocks(&readme, s))
        .collect();
    assert!(blocks.len() >= 4, "too few shell blocks: {blocks:#?}");
    let server_block = blocks.remove(0);
    let env = exports(&server_block);
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(checkout().join("examples"), dir.path().join("examples")).unwrap();
    let db = serve_arg(&server_block, "--db");
    let clock = serve_arg(&server_block, "--clock");
    let server = start(dir.path(), &env, &db, &clock);

    // Every curl fails the script on an HTTP error and ends its output with a newline, so each
    // response is one line of the output.
    let mut script = String::from(
        "set -euo pipefail\ncurl() { command curl --fail-with-body --silent --show-error \"$@\"; echo; }\n",
    );
    for block in &blocks {
        script.push_str(
            &block
                .replace("localhost:8080", &server.address)
                .replace("127.0.0.1:8080", &server.address),
        );
        script.push('\n');
    }
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_keepwarm")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(dir.path())
        .env("PATH", path)
        .output()
        .expect("bash");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the README's commands failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );

    let answers: Vec<Value> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let mut next = 0;
    for shown in blocks.iter().flat_map(|b| documented_responses(b)) {
        let Some(at) = answers[next..].iter().position(|a| contains(a, &shown)) else {
            panic!(
                "the README shows {shown}, but no later answer has it; answers from #{next}:\n{}",
                answers[next..]
                    .iter()
                    .map(Value::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        };
        next += at + 1;
    }
    assert!(next > 5, "too few documented responses were checked");
    check_first_lead_table(&readme, &server.address, &env);
}

/// The walk-through's table (`| 2026-12-01 15:00 | sms | customer | … |`) against the outbox:
/// the same messages to the customer at the same minutes, in the 15 days it covers.
fn check_first_lead_table(readme: &str, address: &str, env: &[(String, String)]) {
    let token = env
        .iter()
        .find(|(k, _)| k == "KEEPWARM_API_TOKEN")
        .map(|(_, v)| v.clone())
        .expect("the walk-through exports KEEPWARM_API_TOKEN");
    let section = &readme[readme.find("## A walk-through with curl").unwrap()..];
    let section = &section[..section.find("\n## ").unwrap()];
    let shown: Vec<(String, String)> = section
        .lines()
        .filter(|l| l.starts_with("| 20"))
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells[3] == "customer").then(|| (cells[1].to_owned(), cells[2].to_owned()))
        })
        .collect();
    assert!(shown.len() >= 5, "the table was not found: {shown:?}");
    // "over 15 days" from the first touch; later messages (the appointment's) are not in it.
    let end =
        jiff::Timestamp::from_second(minute_of(&shown[0].0).as_second() + 15 * 24 * 3600).unwrap();
    let fetched = Command::new("curl")
        .args(["--fail-with-body", "--silent", "--show-error", "-H"])
        .arg(format!("Authorization: Bearer {token}"))
        .arg(format!("http://{address}/api/v1/sandbox/outbox?lead=1"))
        .output()
        .expect("curl");
    let outbox: Vec<Value> = serde_json::from_slice(&fetched.stdout).expect("the outbox");
    let sent: Vec<(String, String)> = outbox
        .iter()
        .filter(|m| m["recipient_kind"] == "customer")
        .filter(|m| {
            m["at"]
                .as_str()
                .unwrap()
                .parse::<jiff::Timestamp>()
                .unwrap()
                < end
        })
        .map(|m| {
            let at = m["at"].as_str().unwrap();
            (
                at[..16].replace('T', " "),
                m["channel"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        sent, shown,
        "the README's table of the first lead's 15 days is not what the outbox holds"
    );
}

/// `2026-12-01 15:00` as an instant.
fn minute_of(text: &str) -> jiff::Timestamp {
    format!("{}:00Z", text.replace(' ', "T")).parse().unwrap()
}
