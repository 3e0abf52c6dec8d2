//! The National Do Not Call list from outside: a registry file with a bad line changes nothing and
//! names the line; a listed number whose inquiry is months old gets no automated texts (its e-mail
//! still goes), while a listed number that inquired today does (an established relationship), and
//! so does one with written consent naming the dealership, and one that bought within 18 months
//! (which `compliance explain` names).

use serde_json::{json, Value};

use keepwarm_domain::compliance::rules::{Basis, Limit};

use crate::helpers::{inquiry, spawn_app, spawn_app_configured, starter_config, TestApp};

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

/// The first `kind` event of the lead on the sms channel.
async fn sms_event(app: &TestApp, lead: i64, kind: &str) -> Value {
    let story = app.story(lead).await;
    app.timeline(lead)
        .await
        .into_iter()
        .find(|e| e["kind"] == kind && e["data"]["channel"] == "sms")
        .unwrap_or_else(|| panic!("no {kind} on sms:\n{story}"))
}

#[tokio::test]
async fn a_purchase_within_18_months_lets_a_listed_number_through_and_explain_names_it() {
    // With the built-in table an automated marketing text needs written consent anyway, which the
    // registry also accepts. A dealer whose `compliance.toml` lowers the consent rows to `express`
    // (texts sent without an autodialer) relies on the relationship instead.
    let mut config = starter_config();
    for rule in &mut config.compliance.rules {
        if let Limit::Consent { basis } = &mut rule.limit {
            *basis = Basis::Express;
        }
    }
    let app = spawn_app_configured(config, "sqlite::memory:", "2026-12-01T15:00:00Z").await;
    import(&app, "3125550197\n3125550198\n").await.unwrap();
    // Both inquired in July (over 3 months ago) with express consent only; one bought in February
    // (10 months ago), the other in March of last year (21 months ago).
    let lead = |phone: &str, purchased_at: &str| {
        let mut lead: Value = inquiry(phone);
        lead["received_at"] = json!("2026-07-01T15:00:00Z");
        lead["consent"] = json!([{"basis": "express", "source": {"provider": "Cars.com"}}]);
        lead["purchased_at"] = json!(purchased_at);
        lead
    };
    let recent = app
        .create_lead(&lead("(312) 555-0197", "2026-02-01T18:00:00Z"))
        .await;
    let old = app
        .create_lead(&lead("(312) 555-0198", "2025-03-01T18:00:00Z"))
        .await;
    app.advance("P20D").await;
    assert!(
        sent_on(&app, recent, "sms").await >= 1,
        "a purchase within 18 months is a relationship:\n{}",
        app.story(recent).await
    );
    assert_eq!(
        sent_on(&app, old, "sms").await,
        0,
        "{}",
        app.story(old).await
    );
    let skipped = sms_event(&app, old, "touch_skipped").await;
    let reason = skipped["data"]["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("National Do Not Call") && reason.contains("last purchase"),
        "{reason}"
    );

    // Why: the purchase let one through; nothing let the other.
    let why = |touch: i64| {
        let app = &app;
        async move {
            let response = app
                .get(&format!("/api/v1/touches/{touch}/compliance"))
                .await;
            assert_eq!(response.status(), 200);
            response.json::<Value>().await.unwrap()
        }
    };
    let sent = sms_event(&app, recent, "touch_sent").await;
    let explained = why(sent["data"]["touch_id"].as_i64().unwrap()).await;
    let standing = &explained["do_not_call"];
    assert_eq!(standing["standing"], "purchase", "{explained:#}");
    assert_eq!(standing["at"], "2026-02-01T18:00:00Z", "{explained:#}");
    let explained = why(skipped["data"]["touch_id"].as_i64().unwrap()).await;
    assert_eq!(
        explained["do_not_call"]["standing"], "held",
        "{explained:#}"
    );
}

#[tokio::test]
async fn a_sale_recorded_in_keepwarm_is_a_relationship_for_the_customers_other_leads() {
    // Consent rows lowered to `express`, as in the test above.
    let mut config = starter_config();
    for rule in &mut config.compliance.rules {
        if let Limit::Consent { basis } = &mut rule.limit {
            *basis = Basis::Express;
        }
    }
    let mut north = config.dealerships[0].clone();
    north.id = "north".into();
    config.dealerships.push(north);
    let app = spawn_app_configured(config, "sqlite::memory:", "2026-12-01T15:00:00Z").await;
    import(&app, "3125550199\n").await.unwrap();
    let lead = |dealership: &str, received_at: &str| {
        let mut lead: Value = inquiry("(312) 555-0199");
        lead["dealership"] = json!(dealership);
        lead["source"]["provider_lead_id"] = json!(format!("cars-{dealership}"));
        lead["received_at"] = json!(received_at);
        lead["consent"] = json!([{"basis": "express", "source": {"provider": "Cars.com"}}]);
        lead
    };
    // Bought at the main store in June (recorded as an outcome); asked the north store in July.
    let bought = app.create_lead(&lead("main", "2026-06-01T15:00:00Z")).await;
    let response = app
        .post(
            &format!("/api/v1/leads/{bought}/outcomes"),
            &json!({"stage": "sold", "at": "2026-06-15T18:00:00Z", "by": "sam"}),
        )
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let asked = app
        .create_lead(&lead("north", "2026-07-01T15:00:00Z"))
        .await;
    app.advance("P5D").await;
    assert!(
        sent_on(&app, asked, "sms").await >= 1,
        "a sale recorded within 18 months is a relationship:\n{}",
        app.story(asked).await
    );
    let sent = sms_event(&app, asked, "touch_sent").await;
    let touch = sent["data"]["touch_id"].as_i64().unwrap();
    let explained: Value = app
        .get(&format!("/api/v1/touches/{touch}/compliance"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        explained["do_not_call"]["standing"], "purchase",
        "{explained:#}"
    );
    assert_eq!(explained["do_not_call"]["at"], "2026-06-15T18:00:00Z");
}
