//! How the binary starts and stops in production: SIGTERM and SIGINT end `serve` cleanly, `--db`
//! URLs are checked before anything connects (no password echoed, no empty database created by a
//! typo), and a reader that closes the pipe early ends a command quietly.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::server::Server;

const CLOCK: &str = "2026-03-02T15:00:00Z";

fn keepwarm(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keepwarm"))
        .args(args)
        .current_dir(dir)
        .env_remove("KEEPWARM_CONFIG")
        .env_remove("KEEPWARM_DB")
        .output()
        .expect("run keepwarm")
}

/// Sends `signal` (`TERM`, `INT`) to the server and returns its exit code, or fails after `limit`.
fn stop_with(mut server: Server, signal: &str, limit: Duration) -> Option<i32> {
    let pid = server.child.id().to_string();
    let sent = Command::new("kill")
        .args([&format!("-{signal}"), &pid])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -{signal} {pid}");
    let start = Instant::now();
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            return status.code();
        }
        if start.elapsed() > limit {
            server.kill();
            panic!("serve did not exit within {limit:?} of SIG{signal}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn serve_exits_zero_within_the_grace_after_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("k.db").display());
    let server = Server::start_with(&db, CLOCK, None, &[("KEEPWARM_SHUTDOWN_GRACE", "5s")]);
    assert_eq!(
        stop_with(server, "TERM", Duration::from_secs(10)),
        Some(0),
        "SIGTERM must end serve with status 0, not kill it"
    );
}

#[test]
fn serve_exits_zero_after_sigint() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("k.db").display());
    let server = Server::start_with(&db, CLOCK, None, &[("KEEPWARM_SHUTDOWN_GRACE", "5s")]);
    assert_eq!(stop_with(server, "INT", Duration::from_secs(10)), Some(0));
}

#[test]
fn an_unsupported_database_url_names_its_scheme_and_never_the_password() {
    let dir = tempfile::tempdir().unwrap();
    for command in [&["leads", "list"][..], &["ingest", "x.json"][..]] {
        let out = keepwarm(
            &[
                command,
                &["--db", "postgres://user:secret@db.example.com/keepwarm"],
            ]
            .concat(),
            dir.path(),
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{command:?}: {err}");
        assert!(err.contains("`postgres:`"), "{command:?}: {err}");
        assert!(
            !err.contains("secret"),
            "{command:?} echoed the password: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{command:?}: {err}");
    }
}

#[test]
fn reading_commands_refuse_a_missing_database_instead_of_creating_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = ["--db", "sqlite://nothere.db"];
    for command in [
        &["report", "funnel"][..],
        &["cadence", "history", "new_inquiry"][..],
        &["audit", "--week", "2026-W10"][..],
        &["leads", "list"][..],
    ] {
        let out = keepwarm(&[command, &db[..]].concat(), dir.path());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{command:?}: {err}");
        assert!(
            err.starts_with("error: --db: no database at nothere.db"),
            "{command:?}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{command:?}: {err}");
        assert!(
            !dir.path().join("nothere.db").exists(),
            "{command:?} created the database"
        );
    }
}

#[test]
fn ingest_creates_the_database_it_is_pointed_at() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("lead.json"),
        r#"{"source":{"kind":"internet"},"customer":{"first_name":"Ana","phones":["312-555-0101"]}}"#,
    )
    .unwrap();
    let out = keepwarm(
        &["ingest", "--db", "sqlite://fresh.db", "lead.json"],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("fresh.db").exists());
}

#[test]
fn a_reader_closing_the_pipe_early_ends_ingest_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("first_name,last_name,phone\n");
    for i in 0..5000 {
        csv.push_str(&format!("Ana{i},Lopez,312-555-{:04}\n", i % 10_000));
    }
    std::fs::write(dir.path().join("leads.csv"), csv).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_keepwarm"))
        .args(["ingest", "leads.csv", "--dry-run", "--json"])
        .current_dir(dir.path())
        .env_remove("KEEPWARM_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with('{'), "{first}");
    // The reader (and with it the pipe) is dropped here, like `| head -1`.
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
}
