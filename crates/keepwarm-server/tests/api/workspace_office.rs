//! The workspace's manager screens over HTTP: breached escalations on Today, Reports (the funnel
//! with its intervals, speed to lead, escalation SLA, cadence versions, the audit in-app),
//! Compliance (holds by rule with each touch's explanation, opt-outs, consent coverage) and the
//! read-only Settings. Salespeople are refused all three (403).

use serde_json::json;

use crate::helpers::*;
use crate::workspace::{lead_of, sign_in, with_passwords};

#[tokio::test]
async fn a_breached_escalation_gets_its_own_card_on_today() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    with_passwords(&app).await;
    let id = app
        .create_lead(&lead_of("sam", "+13125550161", "Dana"))
        .await;
    app.reply("+13125550161", "Can I come see it Saturday morning?")
        .await;
    let sam = sign_in(&app, "sam").await;
    let card = |html: &str| {
        let at = html
            .find("id=\"breached-h\"")
            .unwrap_or_else(|| panic!("no breached card: {html}"));
        let card = &html[at..];
        card[..card.find("</section>").unwrap()].to_owned()
    };
    let before = card(&sam.page("/fragments/today").await);
    assert!(before.contains("(0)"), "{before}");
    app.advance("PT20M").await;
    let after = card(&sam.page("/fragments/today").await);
    assert!(
        after.contains("(1)") && after.contains(&format!("href=\"/leads/{id}\"")),
        "{after}\n{}",
        app.story(id).await
    );
    assert!(after.contains("answer was due 15 min ago"), "{after}");
}

#[tokio::test]
async fn reports_show_the_funnel_with_intervals_speed_sla_and_versions_to_managers_only() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    with_passwords(&app).await;
    let dana = app
        .create_lead(&lead_of("sam", "+13125550162", "Dana"))
        .await;
    app.create_lead(&lead_of("alex", "+13125550163", "Quinn"))
        .await;
    app.reply("+13125550162", "Can I come see it Saturday morning?")
        .await;
    app.advance("PT2M").await;
    app.post("/api/v1/escalations/1/ack", &json!({"by": "sam"}))
        .await;

    let sam = sign_in(&app, "sam").await;
    assert_eq!(sam.get("/reports").await.status(), 403);
    assert_eq!(sam.get("/reports/audit").await.status(), 403);

    let morgan = sign_in(&app, "morgan").await;
    let html = morgan.page("/reports").await;
    for part in [
        "Funnel by segment",
        "<svg",
        "aria-label=\"Appointment rate by segment\"",
        "Speed to lead",
        "Escalation SLA by owner",
        "Cadence versions side by side",
        "How each figure is counted",
        "2 leads received",
    ] {
        assert!(html.contains(part), "{part} missing:\n{html}");
    }
    // One of two contacted: 50% with its interval.
    assert!(html.contains("1/2 · 50%"), "{html}");
    let sla = &html[html.find("id=\"sla-h\"").unwrap()..];
    let sla = &sla[..sla.find("</section>").unwrap()];
    assert!(
        sla.contains("Sam Rivera") && sla.contains("100% (21–100%)"),
        "{sla}"
    );
    let by_owner = morgan.page("/reports?by=owner").await;
    assert!(by_owner.contains("Funnel by owner") && by_owner.contains("Alex Chen"));
    let bad = morgan.get("/reports?by=colour").await;
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("by: unknown grouping"));
    let bad = morgan.get("/reports?from=yesterday").await;
    assert_eq!(bad.status(), 422);

    let audit = morgan.page("/reports/audit?week=2026-W49").await;
    assert!(audit.contains("Follow-up audit 2026-W49"), "{audit}");
    assert!(
        audit.contains(&format!("href=\"/leads/{dana}\"")),
        "every lead is a link: {audit}"
    );
    assert_eq!(
        morgan.get("/reports/audit?week=2026-W99").await.status(),
        422
    );
}

#[tokio::test]
async fn the_compliance_page_counts_holds_by_rule_and_explains_each_touch() {
    let mut config = starter_config();
    for id in ["north", "south", "east"] {
        let mut d = config.dealerships[0].clone();
        d.id = id.into();
        config.dealerships.push(d);
    }
    let app = spawn_app_configured(config, "sqlite::memory:", TUESDAY_9AM_CHICAGO).await;
    with_passwords(&app).await;
    // One Floridian asks four dealerships: the fourth text waits for the 3-a-day cap.
    for dealership in ["main", "north", "south", "east"] {
        let mut lead = inquiry("(305) 555-0142");
        lead["dealership"] = json!(dealership);
        lead["source"]["provider_lead_id"] = json!(format!("cars-{dealership}"));
        // Two days old: the text is a solicitation, not an answer to a fresh inquiry (uncapped).
        lead["received_at"] = json!("2026-11-29T15:00:00Z");
        app.create_lead(&lead).await;
        app.advance("PT1M").await;
    }
    // Another customer says stop.
    let stopper = app
        .create_lead(&lead_of("sam", "+13125550164", "Robin"))
        .await;
    app.reply("+13125550164", "STOP").await;

    let sam = sign_in(&app, "sam").await;
    assert_eq!(sam.get("/compliance").await.status(), 403);
    let morgan = sign_in(&app, "morgan").await;
    let html = morgan.page("/compliance").await;
    let holds = &html[html.find("id=\"holds-h\"").unwrap()..];
    let holds = &holds[..holds.find("</section>").unwrap()];
    assert!(
        holds.contains("Frequency cap") && holds.contains("Why? (touch"),
        "{holds}"
    );
    let optouts = &html[html.find("id=\"optout-h\"").unwrap()..];
    assert!(
        optouts.contains("Opt-outs (1)")
            && optouts.contains(&format!("href=\"/leads/{stopper}\""))
            && optouts.contains("Honoured at once</dt><dd>1 of 1")
            && optouts.contains("nothing automated after"),
        "{optouts}\n{}",
        app.story(stopper).await
    );
    let coverage = &html[html.find("id=\"coverage-h\"").unwrap()..];
    let coverage = &coverage[..coverage.find("</section>").unwrap()];
    assert!(coverage.contains("Opted out of everything"), "{coverage}");

    // The explanation of the held touch, in words.
    let at = holds.find("href=\"/compliance/touches/").unwrap() + 26;
    let id: String = holds[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let why = morgan.page(&format!("/compliance/touches/{id}")).await;
    assert!(
        why.contains("US-FL.cap") && why.contains("Rules evaluated") && why.contains("US-FL"),
        "{why}"
    );
    assert_eq!(morgan.get("/compliance/touches/999999").await.status(), 404);
    assert_eq!(morgan.get("/compliance/touches/abc").await.status(), 404);
}

#[tokio::test]
async fn settings_show_the_configuration_in_force_to_managers_only() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    with_passwords(&app).await;
    let sam = sign_in(&app, "sam").await;
    assert_eq!(sam.get("/settings").await.status(), 403);
    let nav = sam.page("/").await;
    assert!(
        !nav.contains("href=\"/settings\""),
        "no link to a page Sam cannot open"
    );
    let morgan = sign_in(&app, "morgan").await;
    let html = morgan.page("/settings").await;
    let config = starter_config();
    for part in [
        "America/Chicago",
        "Sam Rivera",
        "Segments and their cadences",
        "Compliance rows in force",
        "US-FL.cap",
        "What keepwarm check found at start",
    ] {
        assert!(html.contains(part), "{part} missing:\n{html}");
    }
    assert!(html.contains(&config.dealerships[0].name));
}

#[tokio::test]
async fn a_manager_engages_and_releases_the_kill_switch_from_the_compliance_page() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    with_passwords(&app).await;
    let morgan = sign_in(&app, "morgan").await;
    let state = || async {
        let status: serde_json::Value = app.get("/api/v1/kill-switch").await.json().await.unwrap();
        status["engaged"].as_bool().unwrap()
    };
    let page = morgan.page("/compliance").await;
    assert!(
        page.contains("Engage: stop every automated message"),
        "{page}"
    );
    let refused = morgan
        .post(
            "/compliance/kill-switch",
            &[("engaged", "true"), ("reason", "no token")],
        )
        .await;
    assert_eq!(refused.status(), 403);
    assert!(
        !state().await,
        "a post without the CSRF token changed nothing"
    );
    let csrf = morgan.csrf().await;
    let empty = morgan
        .post(
            "/compliance/kill-switch",
            &[
                ("csrf", csrf.as_str()),
                ("engaged", "true"),
                ("reason", " "),
            ],
        )
        .await;
    assert_eq!(empty.status(), 422);
    assert!(empty.text().await.unwrap().contains("reason"));
    assert!(!state().await);

    let sam = sign_in(&app, "sam").await;
    let sams = sam.csrf().await;
    let by_sam = sam
        .post(
            "/compliance/kill-switch",
            &[
                ("csrf", sams.as_str()),
                ("engaged", "true"),
                ("reason", "oops"),
            ],
        )
        .await;
    assert_eq!(by_sam.status(), 403, "salespeople cannot flip it");
    assert!(!state().await);

    let engaged = morgan
        .post(
            "/compliance/kill-switch",
            &[
                ("csrf", csrf.as_str()),
                ("engaged", "true"),
                ("reason", "carrier audit"),
            ],
        )
        .await;
    assert_eq!(engaged.status(), 303);
    assert!(state().await);
    let status: serde_json::Value = app.get("/api/v1/kill-switch").await.json().await.unwrap();
    assert_eq!(status["history"][0]["by"], "morgan", "{status}");
    let today = morgan.page("/").await;
    assert!(
        today.contains("Kill switch: <strong class=\"late\">engaged"),
        "{today}"
    );
    let page = morgan.page("/compliance?done=engaged").await;
    assert!(
        page.contains("Release: let automated messages go again")
            && page.contains("carrier audit")
            && page.contains("Morgan Blake"),
        "{page}"
    );
    let released = morgan
        .post(
            "/compliance/kill-switch",
            &[
                ("csrf", csrf.as_str()),
                ("engaged", "false"),
                ("reason", "audit done"),
            ],
        )
        .await;
    assert_eq!(released.status(), 303);
    assert!(!state().await);
}
