//! Messages that fit the customer (issue 17): what they told us is used and never asked again, the
//! claims made are true for their vehicle, they are written to in their language, wordings rotate
//! across leads, greetings never break, and the source can name the owner.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp, TUESDAY_9AM_CHICAGO};

/// Every customer-facing text and e-mail body the lead got.
async fn bodies(app: &TestApp, id: i64) -> Vec<String> {
    app.outbox(Some(id))
        .await
        .iter()
        .filter(|m| m["recipient_kind"] != "staff")
        .map(|m| m["body"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The variants sent to a lead, step by step, from its timeline.
async fn variants(app: &TestApp, id: i64) -> Vec<String> {
    app.timeline(id)
        .await
        .iter()
        .filter(|e| e["kind"] == "touch_sent" && e["data"]["channel"] != "call")
        .map(|e| format!("{} {}", e["data"]["block"], e["data"]["variant"]))
        .collect()
}

fn lead(phone: &str, extra: Value) -> Value {
    let mut lead = json!({
        "source": {"kind": "internet"},
        "customer": {"first_name": "Dana", "phones": [phone], "emails": [format!("d{}@example.com", &phone[phone.len() - 4..])]},
    });
    if let (Some(l), Some(e)) = (lead.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            l.insert(k.clone(), v.clone());
        }
    }
    lead
}

#[tokio::test]
async fn a_lead_that_gave_a_payment_a_trade_in_and_a_timeline_is_never_asked_how_they_will_pay() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let mut ids = Vec::new();
    for n in 0..4 {
        ids.push(
            app.create_lead(&lead(
                &format!("(312) 555-07{n}1"),
                json!({
                    "vehicles": [{"year": 2024, "make": "Honda", "model": "CR-V"},
                                 {"interest": "trade-in", "year": 2015, "make": "Ford", "model": "Focus"}],
                    "payment": {"monthly_target": 400},
                    "timeframe": {"description": "this weekend"},
                }),
            ))
            .await,
        );
    }
    app.advance("P15D").await;
    for id in ids {
        let sent = bodies(&app, id).await;
        assert!(sent.len() >= 5, "{}", app.story(id).await);
        for body in &sent {
            let lower = body.to_lowercase();
            assert!(
                !lower.contains("finance, lease or pay cash"),
                "lead {id} was asked what it told us: {body}"
            );
        }
        let first = &sent[0];
        assert!(
            first.contains("$400")
                && first.contains("2015 Ford Focus")
                && first.contains("this weekend"),
            "the first text uses what the customer gave: {first}"
        );
    }
}

#[tokio::test]
async fn a_spanish_speaking_lead_gets_every_touch_and_the_stop_confirmation_in_spanish() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let by_tag = app
        .create_lead(&lead(
            "(312) 555-0721",
            json!({"customer": {"first_name": "Lucía", "phones": ["(312) 555-0721"], "emails": ["lucia@example.com"], "preferred_language": "es"},
                   "vehicles": [{"year": 2024, "make": "Toyota", "model": "RAV4"}]}),
        ))
        .await;
    let by_words = app
        .create_lead(&lead(
            "(312) 555-0722",
            json!({"comments": "Hola, me interesa la camioneta. ¿Todavía la tienen? Gracias"}),
        ))
        .await;
    app.advance("P15D").await;
    for id in [by_tag, by_words] {
        let sent = bodies(&app, id).await;
        assert!(sent.len() >= 5, "{}", app.story(id).await);
        for body in &sent {
            assert!(
                body.starts_with("Hola") && !body.contains("Reply") && !body.contains("Thanks"),
                "lead {id} got English: {body}"
            );
        }
        assert!(
            sent[0].contains("Responde STOP para darte de baja"),
            "{}",
            sent[0]
        );
    }
    app.reply("+13125550721", "STOP").await;
    let confirmation = app
        .outbox(Some(by_tag))
        .await
        .into_iter()
        .filter(|m| m["touch_id"].is_null())
        .map(|m| m["body"].as_str().unwrap_or_default().to_owned())
        .collect::<Vec<_>>();
    assert_eq!(confirmation.len(), 1, "{confirmation:?}");
    assert!(
        confirmation[0].contains("te dimos de baja") && confirmation[0].contains("START"),
        "{}",
        confirmation[0]
    );
}

#[tokio::test]
async fn leads_that_share_an_owner_get_different_wordings() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let mut leads = Vec::new();
    for n in 0..9 {
        let id = app
            .create_lead(&lead(
                &format!("(312) 555-08{n}2"),
                json!({"vehicles": [{"year": 2023, "make": "Mazda", "model": "CX-5"}]}),
            ))
            .await;
        leads.push(id);
    }
    app.advance("P15D").await;
    let mut by_owner: std::collections::BTreeMap<String, Vec<Vec<String>>> =
        std::collections::BTreeMap::new();
    for id in &leads {
        let owner = app.lead(*id).await["owner"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        by_owner
            .entry(owner)
            .or_default()
            .push(variants(&app, *id).await);
    }
    // Round robin gives each of three salespeople every third lead. With the starter's few
    // wordings per step this end-to-end check is weak (a rotation by lead id passes it too); the
    // regression test of that defect is the domain's
    // `wording_spreads_across_leads_that_share_an_owner_by_round_robin`.
    for (owner, sequences) in &by_owner {
        assert!(sequences.len() >= 3, "{by_owner:?}");
        let distinct: std::collections::BTreeSet<_> = sequences.iter().collect();
        assert!(
            distinct.len() >= 2,
            "{owner}'s leads got the same wordings at every step: {sequences:?}"
        );
    }
}

#[tokio::test]
async fn greetings_keep_the_name_and_a_customer_named_like_the_owner_hears_the_owners_full_name() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    // No vehicle: the specific variants cannot fill, the fallback still greets by name.
    let id = app
        .create_lead(&lead("(312) 555-0731", json!({"customer": {"first_name": "Sam", "phones": ["(312) 555-0731"], "emails": ["sam.k@example.com"]}, "owner": "sam"})))
        .await;
    let nameless = app
        .create_lead(&lead(
            "(312) 555-0732",
            json!({"customer": {"phones": ["(312) 555-0732"], "emails": ["x@example.com"]}}),
        ))
        .await;
    app.advance("P15D").await;
    let sent = bodies(&app, id).await;
    assert!(sent.len() >= 5, "{}", app.story(id).await);
    for body in &sent {
        assert!(
            body.starts_with("Hi Sam,")
                && !body.contains("Hi Sam, it's Sam at")
                && !body.contains("Sam at Lakeside"),
            "{body}"
        );
        assert!(
            !body.starts_with("Hello,") && !body.starts_with("Hi,"),
            "{body}"
        );
    }
    assert!(sent[0].contains("Sam Rivera"), "{}", sent[0]);
    for body in bodies(&app, nameless).await {
        assert!(body.starts_with("Hi there,"), "{body}");
    }
}

#[tokio::test]
async fn a_new_truck_is_offered_no_used_car_language_and_no_vehicle_is_said_to_be_here_unchecked() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let mut ids = Vec::new();
    for (n, condition) in ["new", "new", "used", "used"].iter().enumerate() {
        ids.push(
            app.create_lead(&lead(
                &format!("(312) 555-07{n}4"),
                json!({"vehicles": [{"condition": condition, "year": 2026, "make": "Ford", "model": "F-150"}]}),
            ))
            .await,
        );
    }
    app.advance("P15D").await;
    for id in ids {
        for body in bodies(&app, id).await {
            let lower = body.to_lowercase();
            assert!(!lower.contains("inspection report"), "lead {id}: {body}");
            assert!(
                !lower.contains(" is here"),
                "no inventory says so; lead {id}: {body}"
            );
            assert!(
                !lower.contains("no appointment needed"),
                "lead {id}: {body}"
            );
        }
    }
}

#[tokio::test]
async fn a_walk_in_texted_the_next_morning_is_not_thanked_for_coming_in_today() {
    // 20:30 in Chicago: the evening thank-you cannot go out before the store closes.
    let app = spawn_app("2026-12-02T02:30:00Z").await;
    let id = app
        .create_lead(&lead(
            "(312) 555-0741",
            json!({"source": {"kind": "walk_in"}, "vehicles": [{"year": 2025, "make": "Kia", "model": "Telluride"}]}),
        ))
        .await;
    app.advance("PT16H").await;
    let sent = bodies(&app, id).await;
    assert_eq!(sent.len(), 1, "{}", app.story(id).await);
    assert!(
        sent[0].contains("yesterday") && !sent[0].contains("today"),
        "{}",
        sent[0]
    );
}

/// A walk-in's thank-you names the day of the visit as of the day it goes out, whatever the hour
/// of the visit, the store's hours or a holiday between. `(visit, entered, advance, said)`: when
/// the customer came in, when the lead was entered (a walk-in may be typed in later), how long the
/// clock runs, and the words the text must use.
#[tokio::test]
async fn a_walk_ins_first_text_says_today_yesterday_or_the_weekday_as_of_the_day_it_goes_out() {
    let cases = [
        // Tuesday 10:00 in Chicago: thanked at 18:00 the same day.
        (
            "2026-12-01T16:00:00Z",
            "2026-12-01T16:00:00Z",
            "PT10H",
            "today",
        ),
        // Tuesday 19:30: 18:00 has passed but the store is open; at once, the same day.
        (
            "2026-12-02T01:30:00Z",
            "2026-12-02T01:30:00Z",
            "PT1H",
            "today",
        ),
        // Tuesday 20:30: the store has closed; Wednesday morning.
        (
            "2026-12-02T02:30:00Z",
            "2026-12-02T02:30:00Z",
            "PT16H",
            "yesterday",
        ),
        // Saturday 19:30 (sales close at 19:00): Sunday at 11:00.
        (
            "2026-12-06T01:30:00Z",
            "2026-12-06T01:30:00Z",
            "PT20H",
            "yesterday",
        ),
        // Wednesday 20:30 before Thanksgiving (a holiday): Friday morning.
        (
            "2026-11-26T02:30:00Z",
            "2026-11-26T02:30:00Z",
            "PT40H",
            "on Wednesday",
        ),
        // A Saturday visit typed in on Monday morning: sent at once.
        (
            "2026-12-05T21:00:00Z",
            "2026-12-07T15:00:00Z",
            "PT1H",
            "on Saturday",
        ),
    ];
    for (n, (visit, entered, advance, said)) in cases.into_iter().enumerate() {
        let app = spawn_app(entered).await;
        let phone = format!("(312) 555-076{n}");
        let id = app
            .create_lead(&lead(
                &phone,
                json!({"source": {"kind": "walk_in"}, "received_at": visit,
                       "vehicles": [{"year": 2025, "make": "Kia", "model": "Telluride"}]}),
            ))
            .await;
        app.advance(advance).await;
        let sent = bodies(&app, id).await;
        let first = sent.first().cloned().unwrap_or_default();
        let others = ["today", "yesterday", "on Saturday", "on Wednesday"];
        assert!(
            first.contains(said) && others.iter().all(|o| *o == said || !first.contains(o)),
            "visit {visit}, entered {entered}: expected {said:?} in {first:?}\n{}",
            app.story(id).await
        );
    }
}

#[tokio::test]
async fn the_source_can_name_the_owner_and_an_unknown_one_is_routed_with_a_warning() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    for (named, owner) in [
        ("jordan", "jordan"),
        ("Alex Chen", "alex"),
        ("riley@lakeside-motors.example.com", "riley"),
        ("RIVERA, SAM", "sam"),
        ("  álex   CHEN ", "alex"),
    ] {
        let digits: String = named
            .chars()
            .filter(char::is_ascii_alphabetic)
            .take(4)
            .collect();
        let id = app
            .create_lead(&json!({"source": {"kind": "walk_in"}, "owner": named,
                "customer": {"first_name": "Ann", "emails": [format!("{digits}@example.com")]}}))
            .await;
        assert_eq!(app.lead(id).await["owner"]["id"], owner, "{named}");
    }
    let response = app
        .post(
            "/api/v1/leads",
            &json!({"source": {"kind": "walk_in"}, "owner": "Pat Nobody", "customer": {"first_name": "Ann", "emails": ["nobody@example.com"]}}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let outcome: Value = response.json().await.unwrap_or_default();
    let warned = |warnings: &Value| {
        warnings.as_array().into_iter().flatten().any(|w| {
            w["field"] == "owner"
                && w["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("Pat Nobody") && m.contains("routing"))
        })
    };
    assert!(
        warned(&outcome["warnings"]),
        "in the intake report: {outcome}"
    );
    assert!(
        outcome["owner"].as_str().is_some_and(|o| !o.is_empty()),
        "routing chose an owner: {outcome}"
    );
    let id = outcome["id"].as_i64().unwrap_or_default();
    let received = app
        .timeline(id)
        .await
        .into_iter()
        .find(|e| e["kind"] == "received")
        .unwrap_or_default();
    assert!(
        warned(&received["data"]["warnings"]),
        "on the lead's timeline: {}",
        app.story(id).await
    );
}

/// An ADF lead whose vendor contact is `contact`.
fn adf_with_vendor_contact(phone: &str, contact: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><?adf version="1.0"?><adf><prospect><requestdate>2026-12-01T08:50:00-06:00</requestdate>
<vehicle interest="buy" status="used"><year>2023</year><make>Honda</make><model>CR-V</model></vehicle>
<customer><contact><name part="first">Dana</name><name part="last">Reyes</name><phone type="cellphone">{phone}</phone></contact></customer>
<vendor><vendorname>Lakeside Motors</vendorname><contact>{contact}</contact></vendor>
<provider><name part="full">Cars.com</name></provider></prospect></adf>"#
    )
}

#[tokio::test]
async fn an_adf_vendor_contact_names_the_owner_and_a_generic_one_is_routed_with_a_warning() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let post = |body: String| app.post_raw("/api/v1/leads/adf", "application/xml", body);
    let cases = [
        (
            "(312) 555-0751",
            r#"<name part="full">Alex Chen</name><email>alex@lakeside-motors.example.com</email>"#,
            Some("alex"),
        ),
        (
            "(312) 555-0752",
            r#"<name part="first">Riley</name><name part="last">Okafor</name>"#,
            Some("riley"),
        ),
        (
            "(312) 555-0753",
            r#"<name part="full">Internet Sales</name><email>sales@lakeside-motors.example.com</email>"#,
            None,
        ),
    ];
    for (phone, contact, owner) in cases {
        let response = post(adf_with_vendor_contact(phone, contact)).await;
        assert_eq!(response.status(), 201);
        let outcome: Value = response.json().await.unwrap_or_default();
        let lead = &outcome["leads"][0];
        let warnings = lead["warnings"].to_string();
        match owner {
            Some(owner) => {
                assert_eq!(lead["owner"], owner, "{contact}: {outcome}");
                assert!(!warnings.contains("\"owner\""), "{warnings}");
            }
            None => {
                assert!(
                    warnings.contains("Internet Sales <sales@lakeside-motors.example.com>")
                        && warnings.contains("routing"),
                    "{outcome}"
                );
                assert_ne!(lead["owner"], "", "{outcome}");
            }
        }
    }
    // The shared corpus's only vendor contact is a generic "Sales" one.
    let corpus = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../keepwarm-adf/tests/fixtures/corpus/idknerdyshit_adf_2.xml"),
    )
    .unwrap_or_default();
    let response = app
        .post_raw("/api/v1/leads/adf", "application/xml", corpus)
        .await;
    assert_eq!(response.status(), 201);
    let outcome: Value = response.json().await.unwrap_or_default();
    assert!(
        outcome["leads"][0]["warnings"]
            .to_string()
            .contains("`Sales <sales@example.test>` is not a staff member"),
        "{outcome}"
    );
}

#[tokio::test]
async fn a_vehicle_is_said_to_be_here_only_while_the_inventory_feed_has_it_available() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let feed = keepwarm_domain::inventory::parse_inventory(
        "vin,stock,status\n5XYP5DGC0SG000001,K1,available\n5XYP5DGC0SG000002,K2,sold\n",
    )
    .unwrap_or_default();
    app.engine.import_inventory(None, &feed).await.unwrap();
    let mut ids = Vec::new();
    for (n, vin) in ["5XYP5DGC0SG000001", "5XYP5DGC0SG000002"]
        .iter()
        .enumerate()
    {
        ids.push(
            app.create_lead(&lead(
                &format!("(312) 555-07{n}5"),
                json!({"vehicles": [{"condition": "used", "vin": vin, "year": 2025, "make": "Kia", "model": "Telluride"}]}),
            ))
            .await,
        );
    }
    app.advance("P3D").await;
    let said_here = |sent: &[String]| sent.iter().any(|b| b.contains("Telluride is here"));
    let in_stock = bodies(&app, ids[0]).await;
    assert!(said_here(&in_stock), "{}", app.story(ids[0]).await);
    assert!(
        in_stock.iter().any(|b| b.contains("inspection report")),
        "a used vehicle in stock may be offered its report: {in_stock:?}"
    );
    let sold = bodies(&app, ids[1]).await;
    assert!(!said_here(&sold), "{sold:?}");
}

#[tokio::test]
async fn a_price_is_said_only_to_a_lead_whose_document_gives_it() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let priced = app
        .create_lead(&lead(
            "(312) 555-0771",
            json!({"vehicles": [{"year": 2024, "make": "Honda", "model": "Pilot", "price": 41995}]}),
        ))
        .await;
    let unpriced = app
        .create_lead(&lead(
            "(312) 555-0772",
            json!({"vehicles": [{"year": 2024, "make": "Honda", "model": "Pilot"}]}),
        ))
        .await;
    app.advance("P15D").await;
    let sent = bodies(&app, priced).await;
    assert!(
        sent.iter().any(|b| b.contains("listed at $41,995")),
        "{}",
        app.story(priced).await
    );
    for body in bodies(&app, unpriced).await {
        assert!(!body.contains('$') && !body.contains("listed at"), "{body}");
    }
}

#[tokio::test]
async fn a_reply_in_spanish_switches_a_lead_without_a_language_to_spanish_and_says_so() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let vehicle = json!({"vehicles": [{"year": 2024, "make": "Toyota", "model": "RAV4"}]});
    let unset = app
        .create_lead(&lead("(312) 555-0781", vehicle.clone()))
        .await;
    let mut english = vehicle.clone();
    english["customer"] = json!({"first_name": "Dana", "phones": ["(312) 555-0782"], "emails": ["d0782@example.com"], "preferred_language": "en"});
    let declared = app.create_lead(&lead("(312) 555-0782", english)).await;
    app.advance("PT1H").await;
    for id in [unset, declared] {
        assert!(
            bodies(&app, id).await.iter().all(|b| b.starts_with("Hi")),
            "written in English first: {}",
            app.story(id).await
        );
    }
    let spanish = "Hola, sí me interesa pero prefiero que me escriban en español";
    for phone in ["+13125550781", "+13125550782"] {
        app.reply(phone, spanish).await;
    }
    let changed = |events: Vec<Value>| {
        events
            .into_iter()
            .filter(|e| e["kind"] == "language_changed")
            .map(|e| (e["data"]["from"].clone(), e["data"]["to"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        changed(app.timeline(unset).await),
        [(json!("en"), json!("es"))],
        "{}",
        app.story(unset).await
    );
    assert!(
        changed(app.timeline(declared).await).is_empty(),
        "the document's language stays"
    );
    let sent_before = [
        bodies(&app, unset).await.len(),
        bodies(&app, declared).await.len(),
    ];
    for id in [unset, declared] {
        let resume = app
            .post(
                &format!("/api/v1/leads/{id}/resume"),
                &json!({"reason": "answered; back to the cadence", "by": "sam"}),
            )
            .await;
        assert_eq!(resume.status(), 200, "{id}");
    }
    app.advance("P15D").await;
    let later = |sent: Vec<String>, from: usize| sent.into_iter().skip(from).collect::<Vec<_>>();
    let unset_later = later(bodies(&app, unset).await, sent_before[0]);
    assert!(!unset_later.is_empty(), "{}", app.story(unset).await);
    for body in &unset_later {
        assert!(
            body.starts_with("Hola"),
            "following touches in Spanish: {body}"
        );
    }
    for body in later(bodies(&app, declared).await, sent_before[1]) {
        assert!(
            body.starts_with("Hi"),
            "the declared language is kept: {body}"
        );
    }
    // A staff alert about the reply stays in the staff's language.
    let staff: Vec<String> = app
        .outbox(Some(unset))
        .await
        .iter()
        .filter(|m| m["recipient_kind"] == "staff")
        .map(|m| m["body"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(staff.iter().all(|b| !b.starts_with("Hola")), "{staff:?}");
}

#[tokio::test]
async fn help_gets_the_carriers_help_reply_in_the_customers_language_whatever_the_hour() {
    // 23:00 in Chicago: outside every contact window, yet the customer just asked.
    let app = spawn_app("2026-12-02T05:00:00Z").await;
    let english = app.create_lead(&lead("(312) 555-0791", json!({}))).await;
    let declared = app
        .create_lead(&lead(
            "(312) 555-0792",
            json!({"customer": {"first_name": "Lucía", "phones": ["(312) 555-0792"], "emails": ["lucia2@example.com"], "preferred_language": "es"}}),
        ))
        .await;
    let by_keyword = app.create_lead(&lead("(312) 555-0793", json!({}))).await;
    let asking = app.create_lead(&lead("(312) 555-0794", json!({}))).await;
    for (phone, words) in [
        ("+13125550791", "HELP"),
        ("+13125550792", "help"),
        ("+13125550793", "Ayuda"),
        ("+13125550794", "can you help me with financing?"),
    ] {
        app.reply(phone, words).await;
    }
    app.advance("PT1M").await;
    let help = |id: i64| {
        let app = &app;
        async move {
            app.outbox(Some(id))
                .await
                .into_iter()
                .filter(|m| m["recipient_kind"] != "staff" && m["touch_id"].is_null())
                .map(|m| m["body"].as_str().unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let sent = help(english).await;
    assert_eq!(sent.len(), 1, "{}", app.story(english).await);
    assert!(
        sent[0].starts_with("Lakeside Motors:")
            && sent[0].contains("(312) 555-0100")
            && sent[0].contains("Reply STOP to opt out"),
        "{}",
        sent[0]
    );
    for id in [declared, by_keyword] {
        let sent = help(id).await;
        assert_eq!(sent.len(), 1, "{}", app.story(id).await);
        assert!(
            sent[0].contains("para ayuda") && sent[0].contains("Responde STOP"),
            "{}",
            sent[0]
        );
    }
    assert!(
        help(asking).await.is_empty(),
        "a question is not the keyword"
    );
    assert!(
        app.timeline(english)
            .await
            .iter()
            .any(|e| e["kind"] == "help_replied"),
        "{}",
        app.story(english).await
    );
}
