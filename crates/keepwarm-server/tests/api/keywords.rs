//! Carrier and Canadian keywords from outside: a Toronto number answering ARRET is opted out and
//! confirmed once; a reply that opts out and says the customer bought elsewhere does both; START
//! re-subscribes on the record; HELP is answered at most once a day.

use serde_json::Value;

use crate::helpers::{inquiry, spawn_app, TestApp};

async fn customer_texts(app: &TestApp, lead: i64) -> Vec<Value> {
    app.outbox(Some(lead))
        .await
        .into_iter()
        .filter(|m| m["recipient_kind"] == "customer")
        .collect()
}

#[tokio::test]
async fn a_canadian_number_answering_arret_is_opted_out_with_one_confirmation_and_no_more_texts() {
    let app = spawn_app("2026-12-01T15:00:00Z").await;
    let lead = app.create_lead(&inquiry("(416) 555-0142")).await;
    app.advance("PT1M").await;
    let before = customer_texts(&app, lead).await.len();
    app.reply("+14165550142", "ARRÊT").await;
    let view = app.lead(lead).await;
    assert_eq!(view["opted_out"], true, "{view}\n{}", app.story(lead).await);
    let after = customer_texts(&app, lead).await;
    assert_eq!(after.len(), before + 1, "one confirmation: {after:?}");
    app.advance("P10D").await;
    assert_eq!(
        customer_texts(&app, lead).await.len(),
        before + 1,
        "{}",
        app.story(lead).await
    );
    let lead2 = app.create_lead(&inquiry("(514) 555-0142")).await;
    app.reply("+15145550142", "arret").await;
    assert_eq!(app.lead(lead2).await["opted_out"], true);
}

#[tokio::test]
async fn stop_texting_me_i_bought_elsewhere_opts_out_and_marks_the_lead_lost() {
    let app = spawn_app("2026-12-01T15:00:00Z").await;
    let lead = app.create_lead(&inquiry("(312) 555-0177")).await;
    app.advance("PT1M").await;
    app.reply(
        "+13125550177",
        "stop texting me, I bought a Camry elsewhere",
    )
    .await;
    let view = app.lead(lead).await;
    let story = app.story(lead).await;
    assert_eq!(view["stage"], "lost", "{view}\n{story}");
    let timeline = app.timeline(lead).await;
    assert!(
        timeline
            .iter()
            .any(|e| e.to_string().contains("bought") && e["kind"] != "inbound_message"),
        "the second meaning is not recorded:\n{story}"
    );
    // The text channel is revoked: no automated text goes again.
    let texts = customer_texts(&app, lead).await.len();
    app.advance("P10D").await;
    let later: Vec<Value> = customer_texts(&app, lead)
        .await
        .into_iter()
        .filter(|m| m["channel"] == "sms")
        .collect();
    assert!(later.len() <= texts, "{}", app.story(lead).await);
}

#[tokio::test]
async fn start_re_subscribes_on_the_record_and_help_is_answered_once_a_day() {
    let app = spawn_app("2026-12-01T15:00:00Z").await;
    let lead = app.create_lead(&inquiry("(312) 555-0188")).await;
    app.advance("PT1M").await;
    app.reply("+13125550188", "STOP").await;
    app.reply("+13125550188", "START").await;
    let story = app.story(lead).await;
    assert!(
        app.timeline(lead).await.iter().any(|e| e["kind"]
            .as_str()
            .unwrap_or("")
            .contains("resubscri")
            || e["kind"]
                .as_str()
                .unwrap_or("")
                .contains("consent_restored")),
        "{story}"
    );
    let before = customer_texts(&app, lead).await.len();
    app.reply("+13125550188", "HELP").await;
    app.reply("+13125550188", "HELP").await;
    let help: Vec<Value> = customer_texts(&app, lead).await[before..].to_vec();
    assert_eq!(help.len(), 1, "{help:#?}\n{}", app.story(lead).await);
}
