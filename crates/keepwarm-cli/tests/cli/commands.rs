//! The commands' exit codes and one-line errors.

use std::process::{Command, Output};

fn keepwarm(args: &[&str], dir: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keepwarm"))
        .args(args)
        .current_dir(dir)
        .env_remove("KEEPWARM_CONFIG")
        .env_remove("KEEPWARM_DB")
        .output()
        .expect("run keepwarm")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn init_writes_a_configuration_that_check_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let out = keepwarm(&["init", "conf"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let out = keepwarm(&["check", "--config", "conf"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ok: 1 dealership(s)"));
    let again = keepwarm(&["init", "conf"], dir.path());
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn check_names_the_file_and_line_of_each_error() {
    let dir = tempfile::tempdir().unwrap();
    assert!(keepwarm(&["init", "conf"], dir.path()).status.success());
    let path = dir.path().join("conf/cadences/new_inquiry.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen(
            "block = \"appointment_options\"",
            "block = \"trade_appraisal\"",
            1,
        ),
    )
    .unwrap();
    let out = keepwarm(&["check", "--config", "conf"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.lines()
            .any(|l| l.starts_with("error: cadences/new_inquiry.toml:")
                && l.ends_with("step 3 uses unknown block \"trade_appraisal\"")),
        "{err}"
    );
    assert!(!err.contains("panicked"));
}

#[test]
fn ingest_stores_good_leads_and_names_the_bad_ones() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("leads.json");
    std::fs::write(
        &file,
        r#"[{"source":{"kind":"internet"},"customer":{"first_name":"Ana","phones":["312-555-0101"]}},
            {"source":{"kind":"fax"}}]"#,
    )
    .unwrap();
    let out = keepwarm(
        &["ingest", "--db", "sqlite://k.db", "leads.json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("leads.json[1]: source.kind:"),
        "{}",
        stderr(&out)
    );
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("leads.json[0]: lead 1 created (new_inquiry, owner "));
    let list = keepwarm(
        &["leads", "list", "--db", "sqlite://k.db", "--json"],
        dir.path(),
    );
    assert!(list.status.success());
    assert_eq!(String::from_utf8_lossy(&list.stdout).lines().count(), 1);
    let timeline = keepwarm(
        &["leads", "timeline", "1", "--db", "sqlite://k.db"],
        dir.path(),
    );
    assert!(String::from_utf8_lossy(&timeline.stdout).contains("touch_scheduled"));
}

#[test]
fn dry_run_prints_normalized_leads_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.json"),
        r#"{"source":{"kind":"phone"},"customer":{"phones":["bad"]}}"#,
    )
    .unwrap();
    let out = keepwarm(
        &[
            "ingest",
            "--db",
            "sqlite://k.db",
            "--dry-run",
            "--json",
            "a.json",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["source"]["kind"], "phone");
    assert_eq!(line["warnings"][0]["code"], "unusable_contact");
    assert!(line["warnings"][0]["message"]
        .as_str()
        .unwrap()
        .starts_with("customer.phones[0]"));
    assert!(!dir.path().join("k.db").exists());
}

#[test]
fn dry_run_json_carries_normalized_contacts_and_reads_dates_in_the_dealerships_zone() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("lead.xml"),
        r#"<adf><prospect><requestdate>02/13/2026 01:15:22 PM</requestdate>
        <customer><contact><name part="full">Dana Diaz</name>
        <email>Dana.Diaz@Example.COM</email>
        <phone type="cellphone">(813) 555-0139</phone>
        <phone type="work">(813) 555-0140 ext. 204</phone>
        <address><street>1200 Bayshore Blvd</street><city>Tampa</city><regioncode>FL</regioncode>
        <postalcode>33606</postalcode></address></contact></customer>
        <provider><name>AutoClassifieds</name></provider></prospect></adf>"#,
    )
    .unwrap();
    let out = keepwarm(&["ingest", "--dry-run", "--json", "lead.xml"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The starter dealership is in America/Chicago: 1:15:22 PM there is 19:15:22 UTC.
    assert_eq!(line["received_at"], "2026-02-13T19:15:22Z");
    let customer = &line["customer"];
    assert_eq!(
        customer["phones"],
        serde_json::json!(["+18135550139", "+18135550140"])
    );
    assert_eq!(
        customer["phone_numbers"][1],
        serde_json::json!({"number": "+18135550140", "extension": "204", "type": "work",
            "original": "(813) 555-0140 ext. 204"})
    );
    assert_eq!(customer["phone_numbers"][0]["type"], "mobile");
    assert_eq!(
        customer["emails"],
        serde_json::json!(["dana.diaz@example.com"])
    );
    assert_eq!(
        customer["email_addresses"][0]["original"],
        "Dana.Diaz@Example.COM"
    );
    assert_eq!(customer["address"]["city"], "Tampa");
    let codes: Vec<&str> = line["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w["code"].as_str())
        .collect();
    assert!(codes.contains(&"date_offset_assumed"), "{codes:?}");
}

#[test]
fn bad_arguments_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = keepwarm(&["serve", "--clock", "tomorrow"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        "error: --clock: `tomorrow` is neither `system` nor `manual:RFC3339`"
    );
    let out = keepwarm(
        &["leads", "show", "1", "--db", "mysql://nowhere"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        "error: --db: unsupported database `mysql:` URL (expected sqlite://PATH, sqlite::memory: or postgres://USER@HOST/DB)"
    );
    let out = keepwarm(
        &["ingest", "--db", "sqlite://k.db", "missing.json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn classify_prints_labels_with_their_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let out = keepwarm(&["classify", "please stop texting me"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["intents"], serde_json::json!(["opt_out"]));
    assert!(result["explanations"][0]["rule"].is_string());
}

#[test]
fn classify_jsonl_answers_every_line_in_order() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_keepwarm"))
        .args(["classify", "--jsonl"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"text\": \"what would my trade be worth?\"}\nbroken\n{\"text\": \"I stopped by yesterday\"}\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "a bad line is reported in the exit code"
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["intents"], serde_json::json!(["trade_in"]));
    assert!(lines[1]["error"].as_str().unwrap().starts_with("line 2"));
    assert!(!lines[2]["intents"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("opt_out")));
}

#[test]
fn the_funnel_report_prints_json_and_refuses_unknown_groupings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.json"),
        r#"{"source":{"kind":"phone"},"customer":{"phones":["312-555-0199"]}}"#,
    )
    .unwrap();
    assert!(
        keepwarm(&["ingest", "--db", "sqlite://k.db", "a.json"], dir.path())
            .status
            .success()
    );
    let out = keepwarm(
        &[
            "report",
            "funnel",
            "--db",
            "sqlite://k.db",
            "--format",
            "json",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().last().unwrap()["leads"], 1);
    let bad = keepwarm(
        &["report", "funnel", "--db", "sqlite://k.db", "--by", "color"],
        dir.path(),
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).starts_with("error: --by: unknown grouping `color`"));
}

#[test]
fn cadence_history_shows_each_version_and_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    assert!(keepwarm(&["init", "conf"], dir.path()).status.success());
    std::fs::write(
        dir.path().join("a.json"),
        r#"{"source":{"kind":"phone"},"customer":{"phones":["312-555-0198"]}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.json"),
        r#"{"source":{"kind":"phone"},"customer":{"phones":["312-555-0197"]}}"#,
    )
    .unwrap();
    let ingest = |file: &str| {
        keepwarm(
            &["ingest", "--config", "conf", "--db", "sqlite://k.db", file],
            dir.path(),
        )
    };
    assert!(ingest("a.json").status.success());
    let blocks = dir.path().join("conf/blocks.toml");
    let text = std::fs::read_to_string(&blocks).unwrap();
    std::fs::write(
        &blocks,
        text.replacen(
            "Thanks for reaching out.",
            "Thanks for getting in touch.",
            1,
        ),
    )
    .unwrap();
    assert!(ingest("b.json").status.success());
    let out = keepwarm(
        &[
            "cadence",
            "history",
            "new_inquiry",
            "--config",
            "conf",
            "--db",
            "sqlite://k.db",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.lines()
            .filter(|l| l.contains("1 enrollment(s)"))
            .count(),
        2,
        "{text}"
    );
    assert!(
        text.contains("variant 3 reworded") && text.contains("Thanks for getting in touch."),
        "{text}"
    );
    assert!(text.contains("(current)"));
    let missing = keepwarm(
        &["cadence", "history", "nope", "--db", "sqlite://k.db"],
        dir.path(),
    );
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn outcomes_import_reports_every_row_and_a_second_import_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("leads.json"),
        r#"[{"received_at":"2026-10-01T15:00:00Z","source":{"kind":"internet"},"customer":{"first_name":"Ana","phones":["312-555-0101"]}},
            {"received_at":"2026-10-01T15:00:00Z","source":{"kind":"internet"},"customer":{"first_name":"Ben","phones":["312-555-0102"]}},
            {"received_at":"2026-10-01T15:00:00Z","source":{"kind":"internet"},"customer":{"first_name":"Cy","emails":["cy@example.com"]}}]"#,
    )
    .unwrap();
    let db = ["--db", "sqlite://k.db"];
    let out = keepwarm(
        &[&["ingest"][..], &db, &["leads.json"]].concat(),
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::write(
        dir.path().join("dms.csv"),
        "Lead ID,Cell Phone,E-mail,Deal Status,Sold Date,Notes\r\n\
         ,(312) 555-0101,,Show,10/20/2026 10:30 AM,\r\n\
         ,(312) 555-0101,,Sold,10/22/2026,\r\n\
         2,,,Delivered,2026-10-21,\r\n\
         ,,CY@example.com,Dead,10/23/2026,bought elsewhere\r\n\
         ,(312) 555-0199,,Sold,10/23/2026,\r\n\
         ,(312) 555-0101,,pending,10/23/2026,\r\n\
         x7,,,Sold,10/23/2026,\r\n\
         ,(312) 555-0102,,Sold,next tuesday,\r\n",
    )
    .unwrap();
    let import = |extra: &[&str]| {
        keepwarm(
            &[&["outcomes", "import"][..], &db, extra, &["dms.csv"]].concat(),
            dir.path(),
        )
    };
    let dry = import(&["--dry-run"]);
    assert!(
        String::from_utf8_lossy(&dry.stdout)
            .contains("row 2: lead 1 showed: would be applied (by phone)"),
        "{}",
        String::from_utf8_lossy(&dry.stdout)
    );
    let first = import(&[]);
    assert_eq!(
        first.status.code(),
        Some(2),
        "rows needing a person make the exit code 2"
    );
    let report = String::from_utf8_lossy(&first.stdout).into_owned();
    let expected = [
        "row 2: lead 1 showed: applied (by phone)",
        "row 3: lead 1 sold: applied (by phone)",
        "row 4: lead 2 sold: applied (by lead id)",
        "row 5: lead 3 lost: applied (by email)",
        "row 6: sold: no match: no lead with phone +13125550199",
        "row 7: invalid stage: `pending` is not showed, sold or lost",
        "row 8: invalid lead_id: `x7` is not a lead id",
    ];
    for line in expected {
        assert!(
            report.lines().any(|l| l == line),
            "missing `{line}` in:\n{report}"
        );
    }
    assert!(
        report.lines().any(|l| l.starts_with(
            "row 9: lead 2 sold: invalid (by phone) at: `next tuesday` is not a date"
        )),
        "{report}"
    );
    assert!(
        stderr(&first).contains(
            "8 row(s): 4 applied, 0 already recorded, 1 no match, 0 ambiguous, 3 invalid"
        ),
        "{}",
        stderr(&first)
    );

    let timeline = |id: &str| {
        let out = keepwarm(
            &[&["leads"][..], &db, &["timeline", id, "--json"]].concat(),
            dir.path(),
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let before: Vec<String> = ["1", "2", "3"].iter().map(|id| timeline(id)).collect();
    assert!(before[0].contains(r#""via":"import""#), "{}", before[0]);
    assert!(before[0].contains(r#""to":"sold""#), "{}", before[0]);

    let second = import(&["--json"]);
    let rows: Vec<serde_json::Value> = String::from_utf8_lossy(&second.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let results: Vec<&str> = rows.iter().map(|r| r["result"].as_str().unwrap()).collect();
    assert_eq!(
        results,
        [
            "already_recorded",
            "already_recorded",
            "already_recorded",
            "already_recorded",
            "no_match",
            "invalid",
            "invalid",
            "invalid",
        ]
    );
    let after: Vec<String> = ["1", "2", "3"].iter().map(|id| timeline(id)).collect();
    assert_eq!(before, after, "a second import changes nothing");
}

#[test]
fn outcomes_import_refuses_a_file_without_a_stage_column() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("x.csv"),
        "Phone,Date\n312-555-0101,10/20/2026\n",
    )
    .unwrap();
    let out = keepwarm(
        &["outcomes", "import", "--db", "sqlite://k.db", "x.csv"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: x.csv: no column holds a stage"),
        "{err}"
    );
}

#[test]
fn check_reports_live_channels_without_their_secrets_and_steps_on_a_channel_that_is_off() {
    let dir = tempfile::tempdir().unwrap();
    assert!(keepwarm(&["init", "conf"], dir.path()).status.success());
    let path = dir.path().join("conf/channels.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace(
            "sms = \"sandbox\"",
            "sms = \"twilio\"\nsms_from = \"+1 312 555 0100\"",
        )
        .replace("email = \"sandbox\"", "email = \"off\""),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_keepwarm"))
        .args(["check", "--config", "conf"])
        .current_dir(dir.path())
        .env_remove("KEEPWARM_CONFIG")
        .env_remove("KEEPWARM_TWILIO_ACCOUNT_SID")
        .env_remove("KEEPWARM_TWILIO_AUTH_TOKEN")
        .env_remove("KEEPWARM_PUBLIC_URL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(
            "cadence `new_inquiry` step 2 is an email step but email is off for dealership `main`"
        ),
        "{err}"
    );

    // With e-mail back on, only the missing secrets are left to report.
    std::fs::write(
        &path,
        text.replace(
            "sms = \"sandbox\"",
            "sms = \"twilio\"\nsms_from = \"+1 312 555 0100\"",
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_keepwarm"))
        .args(["check", "--config", "conf"])
        .current_dir(dir.path())
        .env_remove("KEEPWARM_CONFIG")
        .env_remove("KEEPWARM_TWILIO_ACCOUNT_SID")
        .env("KEEPWARM_TWILIO_AUTH_TOKEN", "secret-token-value")
        .env_remove("KEEPWARM_PUBLIC_URL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("KEEPWARM_TWILIO_ACCOUNT_SID is not set"),
        "{err}"
    );
    assert!(err.contains("KEEPWARM_PUBLIC_URL is not set"), "{err}");
    assert!(!err.contains("AUTH_TOKEN is not set"), "{err}");
    assert!(
        !err.contains("secret-token-value"),
        "a secret never reaches the output"
    );
}

#[test]
fn the_audit_prints_markdown_json_or_html_and_names_a_bad_week() {
    let dir = tempfile::tempdir().unwrap();
    let db = ["--db", "sqlite://k.db"];
    // The audit of an empty database: `ingest` creates it (reading commands refuse a missing file).
    std::fs::write(dir.path().join("none.json"), "[]").unwrap();
    keepwarm(&[&["ingest", "none.json"][..], &db].concat(), dir.path());
    assert!(dir.path().join("k.db").exists());
    let out = keepwarm(
        &[&["audit", "--week", "2026-W45"][..], &db].concat(),
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let md = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(md.starts_with("# Follow-up audit 2026-W45 — main"), "{md}");
    let out = keepwarm(
        &[
            &[
                "audit", "--week", "2026-W45", "--format", "json", "--seed", "3",
            ][..],
            &db,
        ]
        .concat(),
        dir.path(),
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (json["schema_version"].clone(), json["seed"].clone()),
        (1.into(), 3.into())
    );
    let out = keepwarm(
        &[
            &["audit", "--week", "2026-W45", "--format", "html"][..],
            &db,
        ]
        .concat(),
        dir.path(),
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("<!DOCTYPE html>"));
    for (args, message) in [
        (
            &["audit", "--week", "2026-W54"][..],
            "error: --week: `2026-W54`: 2026 has no week 54",
        ),
        (
            &["audit", "--week", "2026-W45", "--format", "pdf"][..],
            "error: --format: unknown format `pdf`",
        ),
        (
            &["audit", "--week", "2026-W45", "--dealership", "north"][..],
            "error: --dealership: `north` is not in dealerships.toml",
        ),
    ] {
        let out = keepwarm(&[args, &db].concat(), dir.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).starts_with(message),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn check_says_when_the_weekly_audit_is_mailed() {
    let dir = tempfile::tempdir().unwrap();
    assert!(keepwarm(&["init", "conf"], dir.path()).status.success());
    let path = dir.path().join("conf/settings.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text + "\n[audit.delivery]\nrecipients = [\"morgan\"]\nweekday = \"friday\"\ntime = \"16:00\"\n",
    )
    .unwrap();
    let out = keepwarm(&["check", "--config", "conf"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("weekly audit e-mail: Fridays at 16:00 to morgan"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_csv_salesperson_names_the_owner_and_an_unknown_one_is_routed_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("crm.csv"),
        "First Name,Cell Phone,Salesperson\nAna,312-555-0161,\"RIVERA, SAM\"\nBo,312-555-0162,Jim Beam\n",
    )
    .unwrap();
    let out = keepwarm(
        &["ingest", "--db", "sqlite://k.db", "--json", "crm.csv"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0]["outcome"]["owner"], "sam", "{}", rows[0]);
    let warnings = rows[1]["outcome"]["warnings"].to_string();
    assert!(
        warnings.contains("`Jim Beam` is not a staff member") && warnings.contains("routing"),
        "{}",
        rows[1]
    );
    let plain = keepwarm(&["ingest", "--db", "sqlite://k2.db", "crm.csv"], dir.path());
    assert!(plain.status.success(), "{}", stderr(&plain));
    assert!(
        stderr(&plain).contains("crm.csv:row 3: owner: `Jim Beam` is not a staff member"),
        "{}",
        stderr(&plain)
    );
}

#[test]
fn check_with_a_database_warns_when_the_do_not_call_copy_is_missing_or_older_than_31_days() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("kw.db").display());
    let out = keepwarm(&["check", "--db", &db], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: no do-not-call registry copy is imported"),
        "{}",
        stderr(&out)
    );
    let file = dir.path().join("dnc.txt");
    std::fs::write(&file, "3125550190\n").unwrap();
    let out = keepwarm(
        &[
            "dnc",
            "import",
            file.to_str().unwrap(),
            "--date",
            "2020-01-02",
            "--db",
            &db,
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = keepwarm(&["check", "--db", &db], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("registry copy is of 2020-01-02, older than 31 days"),
        "{}",
        stderr(&out)
    );
    // Without a database, check reads none and says nothing about the list.
    let out = keepwarm(&["check"], dir.path());
    assert!(!stderr(&out).contains("do-not-call"), "{}", stderr(&out));
}
