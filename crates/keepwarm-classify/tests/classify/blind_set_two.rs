//! The second blind held-out set (`tests/data/heldout_blind2.jsonl`, see
//! `HELDOUT2.md`): scored, printed, and held only to what the product cannot
//! do without: every reply asking to stop must at least stop automation.
//!
//! The writer's labels are coarser than the classifier's, so each is mapped
//! to the intents that act on it. The mapping is fixed here, not tuned.

use keepwarm_classify::{Classification, Classifier, Intent, Signal};
use serde::Deserialize;

use crate::labelled_set::Counts;

const SET: &str = include_str!("../data/heldout_blind2.jsonl");

#[derive(Deserialize)]
struct Row {
    text: String,
    labels: Vec<String>,
    lang: String,
}

/// What the classifier did that answers one of the writer's labels.
fn predicted(label: &str, got: &Classification) -> bool {
    let any = |intents: &[Intent]| intents.iter().any(|i| got.has(*i));
    match label {
        // Certain opt-outs only; "stopped" below also counts the possible ones.
        "opt_out" => got.has(Intent::OptOut),
        "bought_elsewhere" => got.has(Intent::BoughtElsewhere),
        "not_interested" => got.has(Intent::NotInterested),
        "appointment" => any(&[Intent::Appointment, Intent::Reschedule, Intent::Confirm]),
        "trade_in" => got.has(Intent::TradeIn),
        "credit" => any(&[Intent::CreditFinance, Intent::PricePayment]),
        "urgent" => got.has(Intent::UrgentTimeline),
        "question" => any(&[Intent::VehicleQuestion, Intent::PricePayment]),
        "needs_person" => got.escalates(),
        "wrong_number" => got.has(Intent::WrongNumber),
        other => panic!("heldout_blind2.jsonl: unknown label {other}"),
    }
}

const LABELS: [&str; 10] = [
    "opt_out",
    "wrong_number",
    "bought_elsewhere",
    "not_interested",
    "appointment",
    "trade_in",
    "credit",
    "urgent",
    "question",
    "needs_person",
];

#[test]
fn the_second_blind_set_loses_no_opt_out() {
    let classifier = Classifier::default_set();
    let rows: Vec<Row> = SET
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("heldout_blind2.jsonl line {}: {e}", i + 1))
        })
        .collect();
    assert!(rows.len() >= 600, "only {} rows", rows.len());

    let mut per_label = [Counts::default(); LABELS.len()];
    // A stop request must stop automation: a certain opt-out, a possible one
    // (automation pauses and a person confirms), or a wrong number (the
    // contact is marked unusable).
    let mut stopped = Counts::default();
    let mut spanish_stopped = Counts::default();
    let mut person_or_review = Counts::default();
    let mut missed = Vec::new();
    let mut false_stops = Vec::new();
    for r in &rows {
        let got = classifier.classify(&r.text);
        let wants = |l: &str| r.labels.iter().any(|x| x == l);
        for (label, c) in LABELS.iter().zip(per_label.iter_mut()) {
            c.add(wants(label), predicted(label, &got));
        }
        let stops = got.has(Intent::OptOut)
            || got.possible_opt_out.is_some()
            || got.has(Intent::WrongNumber);
        stopped.add(wants("opt_out"), stops);
        if r.lang == "es" {
            spanish_stopped.add(wants("opt_out"), stops);
        }
        person_or_review.add(wants("needs_person"), got.escalates() || got.needs_review());
        if wants("opt_out") && !stops {
            missed.push(format!("{:?} -> {:?}", r.text, got.intents));
        }
        if !wants("opt_out") && stops {
            let mut why: Vec<String> = got
                .explanations
                .iter()
                .chain(&got.possible_opt_out)
                .filter(|e| {
                    matches!(
                        e.label,
                        Signal::Intent(Intent::OptOut | Intent::WrongNumber)
                            | Signal::PossibleOptOut
                    )
                })
                .map(|e| format!("{} on {:?}", e.rule, e.matched))
                .collect();
            why.dedup();
            let why = why.join("; ");
            false_stops.push(format!("{:?} {:?} ({why})", r.text, r.labels));
        }
    }

    println!(
        "\nkeepwarm-classify on the second blind set ({} replies)",
        rows.len()
    );
    println!("| label                 | gold |  fp |  fn | precision | recall |    F1 |");
    println!("|-----------------------|------|-----|-----|-----------|--------|-------|");
    let show = |name: &str, c: Counts| {
        println!(
            "| {name:<21} | {:>4} | {:>3} | {:>3} | {:>8.1}% | {:>5.1}% | {:>5.3} |",
            c.tp + c.fn_,
            c.fp,
            c.fn_,
            100.0 * c.precision(),
            100.0 * c.recall(),
            c.f1()
        );
    };
    for (label, c) in LABELS.iter().zip(per_label.iter()) {
        show(label, *c);
    }
    show("opt_out: stopped", stopped);
    show("  of them Spanish", spanish_stopped);
    show("needs_person or review", person_or_review);
    for f in &false_stops {
        println!("  stopped, but the writer did not ask to stop: {f}");
    }
    for m in &missed {
        println!("  opt-out that did not stop automation: {m}");
    }
    assert!(
        missed.is_empty(),
        "{} stop requests did not stop automation",
        missed.len()
    );
}
