//! `keepwarm staff token`: a token printed once acts as its holder on a running server until it is
//! revoked; the list never shows a token.

use std::process::{Command, Output};

use crate::server::Server;

fn keepwarm(args: &[&str], dir: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keepwarm"))
        .args(args)
        .current_dir(dir)
        .env_remove("KEEPWARM_CONFIG")
        .env_remove("KEEPWARM_DB")
        .output()
        .expect("run keepwarm")
}

async fn status(server: &Server, token: &str, path: &str) -> u16 {
    reqwest::Client::new()
        .get(format!("{}{path}", server.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_token_created_at_the_terminal_acts_as_its_holder_until_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("k.db");
    let db = format!("sqlite://{}", db_path.display());
    let server = Server::start(&db, "2026-12-01T15:00:00Z");

    let created = keepwarm(
        &[
            "staff", "token", "create", "sam", "--name", "laptop", "--db", &db,
        ],
        dir.path(),
    );
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let token = String::from_utf8_lossy(&created.stdout).trim().to_owned();
    assert!(token.starts_with("kws_") && token.len() == 68, "{token}");
    let unknown = keepwarm(
        &["staff", "token", "create", "mallory", "--db", &db],
        dir.path(),
    );
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown staff member `mallory`"));

    assert_eq!(status(&server, &token, "/api/v1/tasks").await, 200);
    assert_eq!(status(&server, &token, "/api/v1/reports/funnel").await, 403);

    let list = keepwarm(
        &["staff", "token", "list", "--json", "--db", &db],
        dir.path(),
    );
    let listed = String::from_utf8_lossy(&list.stdout).into_owned();
    assert!(
        listed.contains("\"staff_id\":\"sam\"") && listed.contains("\"name\":\"laptop\""),
        "{listed}"
    );
    assert!(
        !listed.contains(&token[4..]),
        "the list never shows a token"
    );

    let revoked = keepwarm(&["staff", "token", "revoke", "1", "--db", &db], dir.path());
    assert!(
        revoked.status.success(),
        "{}",
        String::from_utf8_lossy(&revoked.stderr)
    );
    assert_eq!(status(&server, &token, "/api/v1/tasks").await, 401);
    let again = keepwarm(&["staff", "token", "revoke", "1", "--db", &db], dir.path());
    assert_eq!(again.status.code(), Some(2));
    server.kill();
}

fn set_password(id: &str, stdin: &str, db: &str, dir: &std::path::Path) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_keepwarm"))
        .args(["staff", "set-password", id, "--db", db])
        .current_dir(dir)
        .env_remove("KEEPWARM_CONFIG")
        .env_remove("KEEPWARM_DB")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run keepwarm");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn a_password_set_from_stdin_signs_its_holder_in_to_the_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("k.db").display());
    let server = Server::start(&db, "2026-12-01T15:00:00Z");
    let short = set_password("sam", "short\n", &db, dir.path());
    assert_eq!(short.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&short.stderr).contains("password"));
    let unknown = set_password("mallory", "a long enough passphrase\n", &db, dir.path());
    assert_eq!(unknown.status.code(), Some(2));
    let set = set_password("sam", "a long enough passphrase\n", &db, dir.path());
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let sign_in = |password: &'static str| {
        client
            .post(format!("{}/login", server.address))
            .form(&[("login", "sam"), ("password", password)])
            .send()
    };
    assert_eq!(
        sign_in("a long enough passphrase").await.unwrap().status(),
        303
    );
    assert_eq!(
        sign_in("a long enough passphrase\n")
            .await
            .unwrap()
            .status(),
        401,
        "the line break was not part of the password"
    );
}
