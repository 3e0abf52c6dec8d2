//! A customer's reply through the engine: its whole effect is one change set applied under the
//! provider's message id (defect 3), and nothing the engine sends bypasses the durable outbound
//! queue (defect 4).

use std::path::Path;

use keepwarm_domain::LeadId;
use keepwarm_engine::{Engine, InboundMessage};

use crate::import::engine;

/// What a reply leaves on a lead: its timeline, its tasks, the escalations, the queued messages.
async fn footprint(engine: &Engine, lead: LeadId) -> (usize, usize, usize, usize) {
    let store = engine.store();
    (
        store.timeline(lead).await.unwrap().len(),
        store.tasks(None).await.unwrap().len(),
        store.escalations(None).await.unwrap().len(),
        store.outbound_messages(Some(lead)).await.unwrap().len(),
    )
}

#[tokio::test]
async fn a_replayed_message_sid_changes_nothing_and_the_first_did_everything() {
    let engine = engine().await;
    let lead = engine
        .ingest_json(
            br#"{"source":{"kind":"internet"},
                 "customer":{"first_name":"Dana","phones":["312-555-0123"]}}"#,
        )
        .await
        .unwrap();
    let lead = LeadId(lead.id);
    let message = InboundMessage {
        from: "+13125550123".into(),
        body: "Can I come see it Saturday?".into(),
        channel: "sms".into(),
        provider_id: Some("SM1".into()),
        media: Vec::new(),
    };
    let first = engine.inbound(message.clone()).await.unwrap();
    assert!(!first.duplicate);
    let escalation = first.escalation.expect("a hot reply opens an escalation");
    // The whole effect came with the one set: the escalation, its alert, the task, the timers.
    let store = engine.store();
    assert_eq!(
        store.escalation(escalation).await.unwrap().unwrap().lead_id,
        lead
    );
    let kinds: Vec<String> = store
        .timeline(lead)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.kind().to_owned())
        .collect();
    for kind in [
        "inbound_message",
        "escalated",
        "follow_up_paused",
        "customer_waiting",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} missing: {kinds:?}");
    }
    let before = footprint(&engine, lead).await;
    let again = engine.inbound(message).await.unwrap();
    assert!(again.duplicate);
    assert_eq!(again.escalation, None);
    assert_eq!(footprint(&engine, lead).await, before);
}

/// Every message to a customer or to staff goes through the durable, claimed, reconciled queue:
/// only its two workers (`outbound.rs` for queued messages, `dispatch.rs` for cadence touches)
/// hand messages to a channel.
#[test]
fn only_the_queue_workers_hand_messages_to_a_channel() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut direct = Vec::new();
    for dir in [
        "keepwarm-engine/src",
        "keepwarm-server/src",
        "keepwarm-cli/src",
    ] {
        scan(&root.join(dir), &mut direct);
    }
    assert_eq!(direct, Vec::<String>::new(), "direct channel sends");
}

fn scan(dir: &Path, direct: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            scan(&path, direct);
            continue;
        }
        let worker = path.ends_with("keepwarm-engine/src/outbound.rs")
            || path.ends_with("keepwarm-engine/src/dispatch.rs");
        if path.extension().is_none_or(|e| e != "rs") || worker {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if [
                "send_batch(",
                "channel.send(",
                "channel().send(",
                "Channel::send(",
            ]
            .iter()
            .any(|p| code.contains(p))
            {
                direct.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
            }
        }
    }
}
