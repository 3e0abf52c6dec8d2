//! Precision and recall per label over the labelled replies, with the
//! targets the product depends on asserted.

use keepwarm_classify::{Channel, Classification, Classifier, Intent};
use serde::Deserialize;
use std::collections::BTreeSet;

const DATA: &str = include_str!("../data/replies.jsonl");
/// Replies written blind after the rules. Their first score (opt-out recall
/// 81%, escalation recall 76%) exposed four missed opt-outs, which were then
/// fixed; only the opt-out rules were changed for them, so the other labels
/// still show an out-of-sample score. Held to the opt-out targets only.
const HELD_OUT: &str = include_str!("../data/heldout.jsonl");

#[derive(Deserialize)]
struct Labelled {
    text: String,
    labels: Vec<Intent>,
    #[serde(default)]
    revoked_channels: Vec<Channel>,
    #[serde(default)]
    resubscribe: bool,
}

#[derive(Default, Clone, Copy)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Counts {
    fn add(&mut self, expected: bool, predicted: bool) {
        match (expected, predicted) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            (false, false) => {}
        }
    }
    fn precision(self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    fn recall(self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

fn load(data: &str) -> Vec<Labelled> {
    data.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| match serde_json::from_str(l) {
            Ok(r) => r,
            Err(e) => panic!("replies.jsonl line {}: {e}", i + 1),
        })
        .collect()
}

fn row(name: &str, c: Counts) -> String {
    format!(
        "| {name:<18} | {:>4} | {:>3} | {:>3} | {:>7.1}% | {:>6.1}% |",
        c.tp + c.fn_,
        c.fp,
        c.fn_,
        100.0 * c.precision(),
        100.0 * c.recall()
    )
}

fn show(text: &str, got: &Classification) -> String {
    let why: Vec<String> = got
        .explanations
        .iter()
        .map(|e| format!("{}<-{}:{:?}", e.label.as_str(), e.rule, e.matched))
        .collect();
    format!("{text:?} -> {:?} [{}]", got.intents, why.join(", "))
}

struct Summary {
    opt_out: Counts,
    escalate: Counts,
    mistakes: Vec<String>,
    under_revoked: Vec<String>,
    resubscribe_wrong: Vec<String>,
}

fn evaluate(title: &str, set: &[Labelled]) -> Summary {
    let classifier = Classifier::default_set();
    let mut per_label = [Counts::default(); Intent::ALL.len()];
    let mut escalate = Counts::default();
    let mut mistakes = Vec::new();
    let mut under_revoked = Vec::new();
    let mut channels_exact = (0usize, 0usize);
    let mut resubscribe_wrong = Vec::new();

    for r in set {
        let got = classifier.classify(&r.text);
        let expected: BTreeSet<Intent> = r.labels.iter().copied().collect();
        let predicted: BTreeSet<Intent> = got.intents.iter().copied().collect();
        for (i, intent) in Intent::ALL.iter().enumerate() {
            if let Some(c) = per_label.get_mut(i) {
                c.add(expected.contains(intent), predicted.contains(intent));
            }
        }
        escalate.add(
            expected.iter().any(|i| i.is_handoff()),
            predicted.iter().any(|i| i.is_handoff()),
        );
        if expected != predicted {
            mistakes.push(format!(
                "  expected {:?}: {}",
                expected,
                show(&r.text, &got)
            ));
        }
        if expected.contains(&Intent::OptOut) {
            channels_exact.1 += 1;
            if got.revoked_channels.channels() == r.revoked_channels {
                channels_exact.0 += 1;
            }
            if r.revoked_channels
                .iter()
                .any(|c| !got.revoked_channels.contains(*c))
            {
                under_revoked.push(show(&r.text, &got));
            }
        }
        if got.resubscribe != r.resubscribe {
            resubscribe_wrong.push(show(&r.text, &got));
        }
    }

    println!("\nkeepwarm-classify on {} {title} replies", set.len());
    println!("| label              | gold |  fp |  fn | precision | recall |");
    println!("|--------------------|------|-----|-----|-----------|--------|");
    for (intent, c) in Intent::ALL.iter().zip(per_label.iter()) {
        println!("{}", row(intent.as_str(), *c));
    }
    println!("{}", row("ESCALATE (any)", escalate));
    println!(
        "opt-out channel sets exact: {}/{}; under-revoked: {}",
        channels_exact.0,
        channels_exact.1,
        under_revoked.len()
    );
    println!("replies with any label difference: {}", mistakes.len());
    for m in &mistakes {
        println!("{m}");
    }

    Summary {
        opt_out: per_label.first().copied().unwrap_or_default(),
        escalate,
        mistakes,
        under_revoked,
        resubscribe_wrong,
    }
}

#[test]
fn the_labelled_replies_meet_the_opt_out_and_escalation_targets() {
    let set = load(DATA);
    assert!(set.len() >= 300, "only {} labelled replies", set.len());
    let s = evaluate("labelled", &set);
    assert_eq!(
        s.opt_out.recall(),
        1.0,
        "missed opt-outs (legal violation):\n{}",
        s.mistakes.join("\n")
    );
    assert!(
        s.opt_out.precision() >= 0.97,
        "opt_out precision {:.3}",
        s.opt_out.precision()
    );
    assert!(
        s.escalate.recall() >= 0.95,
        "escalation recall {:.3}",
        s.escalate.recall()
    );
    assert!(
        s.escalate.precision() >= 0.90,
        "escalation precision {:.3}",
        s.escalate.precision()
    );
    assert!(
        s.under_revoked.is_empty(),
        "channels under-revoked:\n{}",
        s.under_revoked.join("\n")
    );
    assert!(
        s.resubscribe_wrong.is_empty(),
        "resubscribe wrong:\n{}",
        s.resubscribe_wrong.join("\n")
    );
}

#[test]
fn held_out_replies_lose_no_opt_out() {
    let s = evaluate("held-out", &load(HELD_OUT));
    assert_eq!(
        s.opt_out.recall(),
        1.0,
        "missed opt-outs:\n{}",
        s.mistakes.join("\n")
    );
    assert!(
        s.under_revoked.is_empty(),
        "channels under-revoked:\n{}",
        s.under_revoked.join("\n")
    );
}
