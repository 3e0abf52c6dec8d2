//! The National Do Not Call list from outside: a registry file with a bad line changes nothing and
//! names the line; a listed number whose inquiry is months old gets no automated texts (its e-mail
//! still goes), while a listed number that inquired today does (an established relationship), and
//! so does one with written consent naming the dealership.

use serde_json::{json, Value};

use crate::helpers::{inquiry, spawn_app, TestApp};

async fn sent_on(app: &TestApp, lead: i64, channel: &str) -> usize {
    app.outbox(Some(lead))
        .await
        .iter()
        .filter(|m| m["recipient_kind"] == "customer" && m["channel"] == channel)
        .count()
}

async fn import(app: &TestApp, text: &str) -> Result<i64, String> {
    let date = "2026-11-25".parse().unwrap();
    app.engine
        .import_dnc(
            std::io::Cursor::new(text.to_owned()),
            "dnc.txt",
            date,
            |_| {},
        )
        .await
        .map(|row| row.numbers)
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn a_registry_file_with_a_bad_line_names_it_and_changes_nothing() {
    let app = spawn_app("2026-12-01T15:00:00Z").await;
    assert_eq!(import(&app, "3125550190\n312-555-0191\n").await, Ok(2));
    let bad = import(&app, "3125550192\n3125550193\n31255501\n").await;
    let message = bad.expect_err("a bad line was accepted");
    assert!(message.contains("line 3"), "{message}");
    let status = app.engine.dnc_status().await.unwrap();
    let row = status.import.expect("the first list is still in force");
    assert_eq!(row.numbers, 2);
    assert!(!status.stale);
    let listed = app
        .engine
        .store()
        .dnc_listed(&["+13125550190".into(), "+13125550192".into()])
        .await
        .unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
}

#[tokio::test]
async fn a_listed_number_with_an_old_inquiry_gets_no_automated_texts_but_a_new_inquiry_does() {
    let app = spawn_app("2026-12-01T15:00:00Z").await;
    import(&app, "3125550194\n3125550195\n3125550196\n")
        .await
        .unwrap();
    // Inquired in July: over 3 months ago, so no established business relationship.
    // Its consent is express only: the starter's written default for internet leads is not assumed
    // when the document brings a record of its own.
    let mut old: Value = inquiry("(312) 555-0194");
    old["received_at"] = json!("2026-07-01T15:00:00Z");
    old["consent"] = json!([{"basis": "express", "source": {"provider": "Cars.com"}}]);
    let old = app.create_lead(&old).await;
    // The same months-old inquiry with written consent naming the dealership: the registry allows
    // automated solicitations with the person's written permission.
    let mut signed: Value = inquiry("(312) 555-0196");
    signed["received_at"] = json!("2026-07-01T15:00:00Z");
    signed["consent"] = json!([{"basis": "express_written", "source": {"form_url": "https://dealer.example/quote"},
                                "disclosure": "tcpa-v3", "dealership": "main"}]);
    let signed = app.create_lead(&signed).await;
    let fresh = app.create_lead(&inquiry("(312) 555-0195")).await;
    app.advance("P20D").await;
    let story = app.story(old).await;
    assert_eq!(sent_on(&app, old, "sms").await, 0, "{story}");
    assert!(
        story.contains("National Do Not Call"),
        "no reason on the timeline:\n{story}"
    );
    assert!(sent_on(&app, old, "email").await >= 1, "{story}");
    assert!(
        sent_on(&app, fresh, "sms").await >= 1,
        "{}",
        app.story(fresh).await
    );
    assert!(
        sent_on(&app, signed, "sms").await >= 1,
        "written consent is an exception to the registry:\n{}",
        app.story(signed).await
    );
}
