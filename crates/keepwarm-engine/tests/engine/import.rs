//! Bulk import: new leads in bulk, duplicates merged, rows idempotent.

use std::sync::Arc;

use keepwarm_channels::SandboxChannel;
use keepwarm_domain::config::{load_config, starter};
use keepwarm_domain::lead::parse_lead_json;
use keepwarm_engine::{Engine, ImportRow, IngestOptions, ManualClock, RowOutcome};
use keepwarm_store::LeadFilter;
use serde_json::json;

pub(crate) async fn engine() -> Arc<Engine> {
    let store = keepwarm_store::connect("sqlite::memory:").await.unwrap();
    let channel = Arc::new(SandboxChannel::new(
        keepwarm_engine::sandbox_outbox(&store).unwrap(),
    ));
    let clock = Arc::new(ManualClock::new("2026-12-01T08:00:00Z".parse().unwrap()));
    Engine::new(
        load_config(&starter::files()).unwrap().config,
        store,
        channel,
        clock,
    )
    .await
    .unwrap()
}

fn row(key: &str, phone: &str, name: &str) -> ImportRow {
    let doc = json!({
        "source": {"kind": "import", "provider": "VinSolutions export"},
        "received_at": "2026-08-01T12:00:00Z",
        "customer": {"first_name": name, "phones": [phone]},
        "vehicles": [{"interest": "buy", "year": 2021, "make": "Toyota", "model": "RAV4"}],
    });
    ImportRow {
        key: key.into(),
        lead: parse_lead_json(doc.to_string().as_bytes(), "US").unwrap(),
        options: IngestOptions::default(),
    }
}

fn actions(outcomes: &[RowOutcome]) -> Vec<String> {
    outcomes
        .iter()
        .map(|o| match o {
            RowOutcome::Ingested(i) => i.action.to_owned(),
            RowOutcome::AlreadyImported => "already".into(),
            RowOutcome::Refused { .. } => "refused".into(),
        })
        .collect()
}

#[tokio::test]
async fn an_aged_list_becomes_one_lead_per_person_and_reimporting_it_creates_nothing() {
    let engine = engine().await;
    let rows = vec![
        row("a", "312-555-0301", "Ana"),
        row("b", "312-555-0302", "Ben"),
        row("c", "312-555-0301", "Ana"), // the same person again, another row
        row("d", "312-555-0303", "Cy"),
    ];
    let outcomes = engine.import_chunk(rows.clone()).await.unwrap();
    assert_eq!(
        actions(&outcomes),
        ["created", "created", "merged", "created"]
    );
    if let RowOutcome::Ingested(o) = &outcomes[0] {
        assert_eq!(o.segment, "aged_internet");
        assert_eq!(o.segment_rule, "internet-older-than-30-days");
    }
    let leads = engine
        .store()
        .list_leads(&LeadFilter::default())
        .await
        .unwrap();
    assert_eq!(leads.len(), 3);
    let owners: Vec<&str> = leads.iter().map(|l| l.owner.id.as_str()).collect();
    assert!(
        owners.iter().all(|o| ["sam", "alex", "jordan"].contains(o)),
        "{owners:?}"
    );

    let again = engine.import_chunk(rows).await.unwrap();
    assert_eq!(
        actions(&again),
        ["already", "already", "already", "already"]
    );
    assert_eq!(
        engine
            .store()
            .list_leads(&LeadFilter::default())
            .await
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test]
async fn an_aged_list_never_reopens_a_lost_lead_nor_merges_another_person_into_it() {
    let engine = engine().await;
    let first = engine
        .import_chunk(vec![row("a", "312-555-0311", "Ana")])
        .await
        .unwrap();
    let RowOutcome::Ingested(created) = &first[0] else {
        panic!("not created: {first:?}");
    };
    let lead = keepwarm_domain::LeadId(created.id);
    let lost = keepwarm_engine::OutcomeInput {
        stage: keepwarm_domain::Stage::Lost,
        at: None,
        reason: Some("bought elsewhere".into()),
        appointment: None,
        by: "sam".into(),
        via: "api".into(),
    };
    engine.record_outcome(lead, lost).await.unwrap();

    // The same export again under new keys, rows dated August: Ana herself, and Bea on Ana's phone.
    let outcomes = engine
        .import_chunk(vec![
            row("a2", "312-555-0311", "Ana"),
            row("b", "312-555-0311", "Bea"),
        ])
        .await
        .unwrap();
    assert_eq!(actions(&outcomes), ["recorded", "person_to_check"]);
    let stored = engine.store().lead(lead).await.unwrap().unwrap();
    assert_eq!(stored.stage, keepwarm_domain::Stage::Lost);
    assert_eq!(stored.contacts.len(), 1, "{:?}", stored.contacts);
    let timeline = engine.store().timeline(lead).await.unwrap();
    let kinds: Vec<&str> = timeline.iter().map(|e| e.event.kind()).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "inquiry_recorded").count(),
        2,
        "{kinds:?}"
    );
    assert!(!kinds.contains(&"follow_up_reopened"), "{kinds:?}");
    let checks: Vec<_> = engine
        .store()
        .tasks(Some(&stored.owner_id))
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.kind == "check_person" && t.status == "open")
        .collect();
    assert_eq!(checks.len(), 1, "one person to check: Bea");
}
