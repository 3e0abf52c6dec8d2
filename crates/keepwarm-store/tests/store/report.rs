//! The funnel's counts aggregated in SQL ([`ReadModel::report_tallies`]) against the fold over
//! every lead's facts ([`keepwarm_domain::report::tally`] over [`ReadModel::report_leads`]), on a
//! history with the edge cases the Reports page must count right.

use keepwarm_domain::report::{tally, GroupBy, GroupTally};
use serde_json::Value;

use super::*;

const EVERY_GROUPING: [GroupBy; 4] = [
    GroupBy::Segment,
    GroupBy::Cadence,
    GroupBy::Source,
    GroupBy::Owner,
];

/// `kind` with `data` on `lead` at `at`, through a change set.
async fn record(store: &SharedStore, lead: LeadId, at: Timestamp, kind: &str, data: Value) {
    apply_at(
        store,
        lead,
        at,
        vec![Change::Events(vec![event(at, kind, data)])],
    )
    .await;
}

async fn apply_at(store: &SharedStore, lead: LeadId, at: Timestamp, changes: Vec<Change>) {
    let mut s = set(lead, changes);
    s.at = at;
    store.apply(&s).await.unwrap();
}

/// A lead stored at [`t0`] with `edit` applied to the usual record; its id.
async fn stored_with(
    store: &SharedStore,
    phone: &str,
    edit: impl FnOnce(&mut NewLeadRecord),
) -> LeadId {
    let mut record = lead(phone, t0() + (365 * 24).hours(), "v1");
    edit(&mut record);
    store.create_lead(&record).await.unwrap().id
}

/// A hot reply escalated on `lead` at `at`, due `sla` later.
async fn escalate(store: &SharedStore, lead: LeadId, at: Timestamp, sla: jiff::Span) {
    let open = Change::OpenEscalation {
        escalation: NewEscalation {
            lead,
            intents: vec!["appointment".into()],
            context: json!({}),
            at,
            sla_due_at: at + sla,
            assignee: "sam".into(),
            notified: vec!["sam".into()],
        },
        event: event(at, "escalated", json!({})),
    };
    apply_at(store, lead, at, vec![open]).await;
}

async fn acknowledge(store: &SharedStore, lead: LeadId, at: Timestamp) {
    let ack = Change::AcknowledgeEscalations {
        by: "sam".into(),
        via: "staff message".into(),
    };
    apply_at(store, lead, at, vec![ack]).await;
}

async fn outcome(store: &SharedStore, lead: LeadId, at: Timestamp, from: Stage, to: Stage) {
    let record = OutcomeRecord {
        lead,
        now: at,
        by: "sam".into(),
        stage: Some((from, to)),
        at,
        reason: (to == Stage::Lost).then(|| "bought elsewhere".into()),
        via: "api".into(),
        stop: Some(format!("stage is {}", to.as_str())),
        appointment: None,
        enrollment: None,
        status: None,
        timers: Vec::new(),
        events: Vec::new(),
        tasks: Vec::new(),
    };
    let change = Change::Outcome {
        record: Box::new(record),
        closing: None,
        if_moved: IfMoved::Refuse,
    };
    apply_at(store, lead, at, vec![change]).await;
}

/// A history with the edge cases: a lead with no touches and none in a cadence, one reassigned,
/// an escalation acknowledged late and one in time, a lead reopened into another segment, a lead
/// whose imported history says it was sold, a lead lost after its appointment, an imported lead
/// whose inquiry is days older than its storing, another dealership's lead, one out of the period.
async fn seed(store: &SharedStore) {
    save_version(store).await;
    let minutes = |m: i64| t0() + m.minutes();
    // Touched, the customer answered, reopened later into another segment; a hot reply
    // acknowledged 25 minutes late.
    let a = stored_with(store, "312-555-0801", |_| {}).await;
    record(store, a, t0(), "segmented", json!({"segment": "trade_in"})).await;
    record(store, a, minutes(3), "touch_sent", json!({})).await;
    let reply = Change::StageAtLeast {
        stage: Stage::Contacted,
        by: "customer reply".into(),
        via: "sms".into(),
    };
    apply_at(store, a, minutes(9), vec![reply]).await;
    escalate(store, a, minutes(10), 5.minutes()).await;
    acknowledge(store, a, minutes(40)).await;
    record(
        store,
        a,
        minutes(600),
        "segmented",
        json!({"segment": "service"}),
    )
    .await;
    // No cadence, never touched, from a provider.
    stored_with(store, "312-555-0802", |r| {
        r.enrollment = None;
        r.provider = Some("Cars.com".into());
    })
    .await;
    // Reassigned, booked by a person, then lost.
    let c = stored_with(store, "312-555-0803", |r| r.segment = "finance".into()).await;
    record(store, c, minutes(1), "touch_sent", json!({})).await;
    apply_at(
        store,
        c,
        minutes(20),
        vec![Change::SetOwner {
            owner: "alex".into(),
        }],
    )
    .await;
    outcome(store, c, minutes(45), Stage::New, Stage::AppointmentSet).await;
    outcome(store, c, minutes(300), Stage::AppointmentSet, Stage::Lost).await;
    // Escalated and acknowledged within its deadline; two touches, the first counts.
    let d = stored_with(store, "312-555-0804", |_| {}).await;
    record(store, d, minutes(7), "touch_sent", json!({})).await;
    record(store, d, minutes(2), "touch_sent", json!({})).await;
    escalate(store, d, minutes(5), 5.minutes()).await;
    acknowledge(store, d, minutes(8)).await;
    // An imported history: sold, recorded by the import (no person's contact); and an escalation
    // nobody acknowledged.
    let e = stored_with(store, "312-555-0805", |r| {
        r.source_kind = SourceKind::Import;
        r.received_at = t0() - 48.hours();
    })
    .await;
    record(
        store,
        e,
        t0(),
        "stage_changed",
        json!({"from": "new", "to": "sold", "by": "import"}),
    )
    .await;
    escalate(store, e, minutes(30), 5.minutes()).await;
    // Speeds to spread the percentiles: first touches after 4, 11, 13, 50 and 90 minutes.
    for (i, m) in [4, 11, 13, 50, 90].into_iter().enumerate() {
        let id = stored_with(store, &format!("312-555-081{i}"), |r| {
            r.owner_id = if i % 2 == 0 { "sam" } else { "kim" }.into();
        })
        .await;
        record(store, id, minutes(m), "touch_sent", json!({})).await;
    }
    // Another dealership's lead, and one received before the period.
    let other = stored_with(store, "312-555-0820", |r| r.dealership = "other".into()).await;
    record(store, other, minutes(6), "touch_sent", json!({})).await;
    stored_with(store, "312-555-0821", |r| {
        r.received_at = t0() - (30 * 24).hours()
    })
    .await;
}

fn show(tallies: &[GroupTally]) -> String {
    tallies
        .iter()
        .map(|t| format!("{t:?}"))
        .collect::<Vec<_>>()
        .join("\n")
}

store_test!(
    the_funnels_counts_in_sql_are_the_folds_over_every_leads_facts,
    |store| {
        seed(&store).await;
        let (from, to) = (t0() - 72.hours(), t0() + 24.hours());
        let facts = store.report_leads(from, to).await.unwrap();
        for dealership in [None, Some("main"), Some("other"), Some("nobody")] {
            let own: Vec<_> = facts
                .iter()
                .filter(|l| dealership.is_none_or(|d| l.dealership == d))
                .cloned()
                .collect();
            let counted = store
                .report_tallies(from, to, dealership, &EVERY_GROUPING)
                .await
                .unwrap();
            assert_eq!(counted.len(), EVERY_GROUPING.len());
            for (by, sql) in EVERY_GROUPING.iter().zip(&counted) {
                let folded = tally(&own, *by);
                assert_eq!(
                    sql,
                    &folded,
                    "{by:?} of {dealership:?}:\nSQL:\n{}\nfold:\n{}",
                    show(sql),
                    show(&folded)
                );
            }
        }

        // The history is what the comparison covers: the edge cases are in it.
        let every = store
            .report_tallies(from, to, None, &[GroupBy::Segment, GroupBy::Owner])
            .await
            .unwrap();
        let all = every[0].last().unwrap();
        assert_eq!(
            (
                all.group.as_str(),
                all.leads,
                all.contacted,
                all.appointment_set
            ),
            ("all", 11, 3, 2)
        );
        assert_eq!((all.sold, all.lost), (1, 1));
        assert_eq!((all.escalations, all.acknowledged_within_sla), (3, 1));
        assert_eq!(all.to_first_touch.count, 9);
        assert_eq!(
            all.to_first_touch.median,
            Some(jiff::SignedDuration::from_mins(6))
        );
        assert_eq!(
            all.to_first_touch.p90,
            Some(jiff::SignedDuration::from_mins(90))
        );
        assert_eq!(
            (all.to_human.count, all.to_acknowledge.count),
            (3, 2),
            "a's late acknowledgement, d's, c's booking by a person"
        );
        let segments: Vec<&str> = every[0].iter().map(|t| t.group.as_str()).collect();
        assert_eq!(segments, ["finance", "new_inquiry", "trade_in", "all"]);
        let owners: Vec<&str> = every[1].iter().map(|t| t.group.as_str()).collect();
        assert_eq!(
            owners,
            ["alex", "kim", "sam", "all"],
            "c counts with its owner now"
        );
        // A grouping asked twice is counted once and answered twice.
        let twice = store
            .report_tallies(
                from,
                to,
                Some("main"),
                &[GroupBy::Cadence, GroupBy::Cadence],
            )
            .await
            .unwrap();
        assert_eq!(twice[0], twice[1]);
        assert!(
            twice[0].iter().any(|t| t.group == "none"),
            "{}",
            show(&twice[0])
        );

        // A period with no lead: only the `all` tally, every count zero, as the fold says.
        let empty = store
            .report_tallies(
                t0() + 48.hours(),
                t0() + 72.hours(),
                None,
                &[GroupBy::Source],
            )
            .await
            .unwrap();
        assert_eq!(empty, vec![tally(&[], GroupBy::Source)]);
    }
);
