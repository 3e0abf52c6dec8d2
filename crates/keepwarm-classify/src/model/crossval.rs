//! Cross-writer validation of the learned model (a test tool, not shipped).
//!
//! Trains a model the way `build.rs` does, on the tuning set plus every
//! blind writer's set but one, and classifies the left-out set with it
//! through the shipped classifier, once per blind set: the figures say how
//! the rules plus a model read a writer the model never saw. (The rules
//! have seen the blind sets' kinds of miss, so even these are optimistic
//! for a new writer; only a set nobody has read measures that.) Run with
//! `cargo test -p keepwarm-classify --lib crossval -- --ignored --nocapture`.

use super::features::MODEL_LABELS;
use super::train::{examples_for, to_bytes, train};
use super::Model;
use crate::intent::Intent;
use crate::matcher::Engine;
use crate::phrases::PhraseSet;
use crate::Classifier;
use std::collections::BTreeSet;

struct Row {
    text: String,
    labels: BTreeSet<Intent>,
}

fn load(name: &str) -> Vec<Row> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| Row {
            text: v
                .get("text")
                .and_then(|t| t.as_str())
                .unwrap_or("")
                .to_owned(),
            labels: v
                .get("labels")
                .and_then(|l| l.as_array())
                .into_iter()
                .flatten()
                .filter_map(|l| l.as_str()?.parse().ok())
                .collect(),
        })
        .collect()
}

/// A model trained as `build.rs` trains the shipped one, on `sets`.
fn trained_on(sets: &[&str]) -> Model {
    let engine = Engine::compile(&PhraseSet::default_set());
    let mut examples = Vec::new();
    for row in sets.iter().flat_map(|s| load(s)) {
        let labels = MODEL_LABELS
            .iter()
            .map(|l| row.labels.iter().any(|i| i.as_str() == *l))
            .collect();
        examples.extend(examples_for(&engine, &row.text, labels));
    }
    Model::from_bytes(&to_bytes(&train(&examples, MODEL_LABELS.len())))
}

#[derive(Default, Clone, Copy)]
struct Counts {
    tp: f64,
    fp: f64,
    fn_: f64,
}

impl Counts {
    fn add(&mut self, expected: bool, predicted: bool) {
        match (expected, predicted) {
            (true, true) => self.tp += 1.0,
            (false, true) => self.fp += 1.0,
            (true, false) => self.fn_ += 1.0,
            (false, false) => {}
        }
    }
    fn precision(self) -> f64 {
        self.tp / (self.tp + self.fp).max(1.0)
    }
    fn recall(self) -> f64 {
        self.tp / (self.tp + self.fn_).max(1.0)
    }
    fn f1(self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        2.0 * p * r / (p + r).max(1e-9)
    }
}

/// Prints one line of figures for `classifier` on `set`.
fn report(title: &str, classifier: &Classifier, set: &[Row]) {
    let mut exact = 0usize;
    let mut per = [Counts::default(); Intent::ALL.len()];
    let mut person = Counts::default();
    let mut stopped = Counts::default();
    for row in set {
        let got = classifier.classify(&row.text);
        let predicted: BTreeSet<Intent> = got.intents.iter().copied().collect();
        exact += usize::from(predicted == row.labels);
        for (c, i) in per.iter_mut().zip(Intent::ALL) {
            c.add(row.labels.contains(&i), predicted.contains(&i));
        }
        person.add(row.labels.iter().any(|i| i.is_handoff()), got.escalates());
        stopped.add(row.labels.contains(&Intent::OptOut), got.stops_automation());
    }
    let opt_out = per
        .get(Intent::OptOut as usize)
        .copied()
        .unwrap_or_default();
    let f1 = |i: Intent| per.get(i as usize).copied().unwrap_or_default().f1();
    println!(
        "{title}: exact label set {:.3}; opt-out recall {:.3} precision {:.3}; stopped recall {:.3}; needs-a-person recall {:.3} precision {:.3}; trade_in F1 {:.3}; credit_finance F1 {:.3}; urgent_timeline F1 {:.3}",
        exact as f64 / set.len().max(1) as f64,
        opt_out.recall(),
        opt_out.precision(),
        stopped.recall(),
        person.recall(),
        person.precision(),
        f1(Intent::TradeIn),
        f1(Intent::CreditFinance),
        f1(Intent::UrgentTimeline),
    );
}

/// The blind sets in the classifier's own label scheme, each left out in
/// turn (`build.rs` trains the shipped model on all of them).
const BLIND_SETS: [&str; 3] = [
    "heldout_blind.jsonl",
    "heldout_blind3.jsonl",
    "heldout_blind4.jsonl",
];

#[test]
#[ignore = "a measuring tool: trains two models and prints figures"]
fn crossval() {
    for unseen in BLIND_SETS {
        let mut sets = vec!["replies.jsonl"];
        sets.extend(BLIND_SETS.iter().filter(|s| **s != unseen));
        let model: &'static Model = Box::leak(Box::new(trained_on(&sets)));
        let set = load(unseen);
        let rules = Classifier::default_set().rules_only();
        report(&format!("{unseen}, rules only"), &rules, &set);
        let both = Classifier::default_set().with_model(model);
        report(
            &format!("{unseen}, rules + model trained without it"),
            &both,
            &set,
        );
    }
}
