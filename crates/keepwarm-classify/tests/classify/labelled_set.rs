//! Precision and recall per label over the labelled replies, with the
//! targets the product depends on asserted.
//!
//! The tuning set (`replies.jsonl`, written by whoever tunes the rules, see
//! `tests/data/tuning/`) is held to every target. The other sets were
//! written by people who never saw the rules; they are held to the opt-out
//! targets only and print the rest. Every one in the classifier's label
//! scheme (blind sets 1, 3, 4, 5 and 6, and the training sets 7a and 7b;
//! `src/model/corpora.rs`) is training data for the learned model, so
//! their figures here are in-sample: the crossval tool scores each with a
//! model trained without it, and only the seventh blind set measures a new
//! writer.

use keepwarm_classify::{Channel, Classification, Classifier, Intent};
use serde::Deserialize;
use std::collections::BTreeSet;

const DATA: &str = include_str!("../data/replies.jsonl");
/// Replies written blind after the rules. Their first score (opt-out recall
/// 81%, escalation recall 76%) exposed four missed opt-outs, which were then
/// fixed; only the opt-out rules were changed for them, so the other labels
/// still show an out-of-sample score. Held to the opt-out targets only.
const HELD_OUT: &str = include_str!("../data/heldout.jsonl");
/// 800 replies written by a separate writer who never saw the rules, the
/// tuning set or the code (see `tests/data/HELDOUT.md`), added to the crate
/// only after the tuning was committed. The learned model now trains on it.
/// Held to the opt-out target; every other figure is printed, not asserted.
const HELD_OUT_BLIND: &str = include_str!("../data/heldout_blind.jsonl");
/// 652 replies by a third writer who never saw the rules, the tuning set, the
/// code or the other sets (see `tests/data/HELDOUT3.md`), written on
/// 2026-12-05 in the classifier's own label scheme and scored first with
/// nothing changed (`HELDOUT3.md`). The rules were then fixed for the kinds
/// of stop request it showed and the learned model now trains on it. Held
/// to the fail-closed opt-out target; every other figure is printed, not
/// asserted.
/// 753 replies by a fourth writer who never saw the rules, the code or the
/// other sets (see `tests/data/HELDOUT4.md`), written on 2026-12-05 and added
/// only after the classifier of that day (rules and learned model) was
/// committed; its first, untouched score is the held-out figure the README
/// quotes. The learned model has trained on it since, so its figures here
/// are in-sample (the crossval test scores it with a model trained without
/// it). Held to its first opt-out score; every other figure is printed, not
/// asserted.
const HELD_OUT_BLIND4: &str = include_str!("../data/heldout_blind4.jsonl");
const HELD_OUT_BLIND3: &str = include_str!("../data/heldout_blind3.jsonl");

#[derive(Deserialize)]
pub(crate) struct Labelled {
    text: String,
    labels: Vec<Intent>,
    #[serde(default)]
    revoked_channels: Vec<Channel>,
    #[serde(default)]
    resubscribe: bool,
    /// A reply that may mean stop without saying so for certain: it must
    /// at least raise the possible-opt-out signal.
    #[serde(default)]
    possible_opt_out: bool,
}

/// True positives, false positives and false negatives of one label (shared with `blind_set_two`).
#[derive(Default, Clone, Copy)]
pub(crate) struct Counts {
    pub(crate) tp: usize,
    pub(crate) fp: usize,
    pub(crate) fn_: usize,
}

impl Counts {
    pub(crate) fn add(&mut self, expected: bool, predicted: bool) {
        match (expected, predicted) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            (false, false) => {}
        }
    }
    pub(crate) fn precision(self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub(crate) fn recall(self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub(crate) fn f1(self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

pub(crate) fn load(name: &str, data: &str) -> Vec<Labelled> {
    data.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| match serde_json::from_str(l) {
            Ok(r) => r,
            Err(e) => panic!("{name} line {}: {e}", i + 1),
        })
        .collect()
}

fn row(name: &str, c: Counts) -> String {
    format!(
        "| {name:<24} | {:>4} | {:>3} | {:>3} | {:>7.1}% | {:>6.1}% | {:>5.3} |",
        c.tp + c.fn_,
        c.fp,
        c.fn_,
        100.0 * c.precision(),
        100.0 * c.recall(),
        c.f1()
    )
}

fn show(text: &str, got: &Classification) -> String {
    let why: Vec<String> = got
        .explanations
        .iter()
        .map(|e| format!("{}<-{}:{:?}", e.label.as_str(), e.rule, e.matched))
        .collect();
    let review = got
        .review
        .as_ref()
        .map_or(String::new(), |r| format!(" review={}", r.reason.as_str()));
    format!("{text:?} -> {:?}{review} [{}]", got.intents, why.join(", "))
}

/// The figures one split is judged on.
pub(crate) struct Summary {
    per_label: [Counts; Intent::ALL.len()],
    /// Certain opt-outs (`intents` holds `opt_out`).
    pub(crate) opt_out: Counts,
    /// Automation stopped: a certain or a possible opt-out.
    pub(crate) stopped: Counts,
    /// Any handoff label (what the engine escalates on).
    pub(crate) handoff: Counts,
    /// A handoff label or the low-confidence review flag.
    person: Counts,
    exact: (usize, usize),
    pub(crate) mistakes: Vec<String>,
    pub(crate) under_revoked: Vec<String>,
    resubscribe_wrong: Vec<String>,
    possible_missed: Vec<String>,
    silent_other: Vec<String>,
}

impl Summary {
    fn label(&self, intent: Intent) -> Counts {
        Intent::ALL
            .iter()
            .position(|i| *i == intent)
            .and_then(|i| self.per_label.get(i))
            .copied()
            .unwrap_or_default()
    }
    pub(crate) fn exact_rate(&self) -> f64 {
        ratio(self.exact.0, self.exact.1)
    }
}

pub(crate) fn evaluate(title: &str, set: &[Labelled]) -> Summary {
    let classifier = Classifier::default_set();
    let mut s = Summary {
        per_label: [Counts::default(); Intent::ALL.len()],
        opt_out: Counts::default(),
        stopped: Counts::default(),
        handoff: Counts::default(),
        person: Counts::default(),
        exact: (0, 0),
        mistakes: Vec::new(),
        under_revoked: Vec::new(),
        resubscribe_wrong: Vec::new(),
        possible_missed: Vec::new(),
        silent_other: Vec::new(),
    };
    let mut channels_exact = (0usize, 0usize);
    let mut by_language = [(0usize, 0usize); 3];

    for r in set {
        let got = classifier.classify(&r.text);
        let expected: BTreeSet<Intent> = r.labels.iter().copied().collect();
        let predicted: BTreeSet<Intent> = got.intents.iter().copied().collect();
        for (i, intent) in Intent::ALL.iter().enumerate() {
            if let Some(c) = s.per_label.get_mut(i) {
                c.add(expected.contains(intent), predicted.contains(intent));
            }
        }
        let wants_stop = expected.contains(&Intent::OptOut);
        s.opt_out.add(wants_stop, got.has(Intent::OptOut));
        s.stopped.add(
            wants_stop || r.possible_opt_out,
            got.has(Intent::OptOut) || got.possible_opt_out.is_some(),
        );
        let wants_person = expected.iter().any(|i| i.is_handoff());
        s.handoff.add(wants_person, got.escalates());
        s.person
            .add(wants_person, got.escalates() || got.needs_review());
        let lang = match got.language.as_str() {
            "en" => 0,
            "es" => 1,
            _ => 2,
        };
        if let Some(l) = by_language.get_mut(lang) {
            l.1 += 1;
            l.0 += usize::from(expected == predicted);
        }
        s.exact.1 += 1;
        if expected == predicted {
            s.exact.0 += 1;
        } else {
            s.mistakes.push(format!(
                "  expected {:?}: {}",
                expected,
                show(&r.text, &got)
            ));
        }
        if wants_stop && got.has(Intent::OptOut) {
            channels_exact.1 += 1;
            if got.revoked_channels.channels() == r.revoked_channels {
                channels_exact.0 += 1;
            }
            if r.revoked_channels
                .iter()
                .any(|c| !got.revoked_channels.contains(*c))
            {
                s.under_revoked.push(show(&r.text, &got));
            }
        }
        if r.possible_opt_out && got.possible_opt_out.is_none() && !got.has(Intent::OptOut) {
            s.possible_missed.push(show(&r.text, &got));
        }
        if got.intents == [Intent::Other] && !r.text.trim().is_empty() && !got.needs_review() {
            s.silent_other.push(show(&r.text, &got));
        }
        if got.resubscribe != r.resubscribe {
            s.resubscribe_wrong.push(show(&r.text, &got));
        }
    }

    println!("\nkeepwarm-classify on {} {title} replies", set.len());
    println!("| label                    | gold |  fp |  fn | precision | recall |    F1 |");
    println!("|--------------------------|------|-----|-----|-----------|--------|-------|");
    for (intent, c) in Intent::ALL.iter().zip(s.per_label.iter()) {
        println!("{}", row(intent.as_str(), *c));
    }
    println!("{}", row("OPT-OUT stopped (+maybe)", s.stopped));
    println!("{}", row("NEEDS A PERSON (handoff)", s.handoff));
    println!("{}", row("  handoff or review flag", s.person));
    println!(
        "exact label set: {}/{} = {:.1}% (en {}/{}, es {}/{}, und {}/{})",
        s.exact.0,
        s.exact.1,
        100.0 * s.exact_rate(),
        by_language[0].0,
        by_language[0].1,
        by_language[1].0,
        by_language[1].1,
        by_language[2].0,
        by_language[2].1,
    );
    println!(
        "channel sets exact on the certain opt-outs found: {}/{}; under-revoked: {}",
        channels_exact.0,
        channels_exact.1,
        s.under_revoked.len()
    );
    for u in &s.under_revoked {
        println!("  under-revoked: {u}");
    }
    println!("replies with any label difference: {}", s.mistakes.len());
    for m in &s.mistakes {
        println!("{m}");
    }
    s
}

fn assert_opt_outs_are_never_lost(s: &Summary) {
    assert_eq!(
        s.opt_out.recall(),
        1.0,
        "missed opt-outs (legal violation):\n{}",
        s.mistakes.join("\n")
    );
    assert!(
        s.under_revoked.is_empty(),
        "channels under-revoked:\n{}",
        s.under_revoked.join("\n")
    );
}

#[test]
fn the_labelled_replies_meet_every_target() {
    let set = load("replies.jsonl", DATA);
    assert!(set.len() >= 1500, "only {} labelled replies", set.len());
    let s = evaluate("tuning (replies.jsonl)", &set);
    assert_opt_outs_are_never_lost(&s);
    let targets = [
        ("opt_out precision", s.opt_out.precision(), 0.97),
        ("needs-a-person recall", s.handoff.recall(), 0.97),
        ("needs-a-person precision", s.handoff.precision(), 0.90),
        ("trade_in F1", s.label(Intent::TradeIn).f1(), 0.92),
        (
            "credit_finance F1",
            s.label(Intent::CreditFinance).f1(),
            0.92,
        ),
        (
            "urgent_timeline F1",
            s.label(Intent::UrgentTimeline).f1(),
            0.92,
        ),
        ("exact label set", s.exact_rate(), 0.85),
    ];
    for (name, got, target) in targets {
        assert!(got >= target, "{name} {got:.3} < {target}");
    }
    assert!(
        s.possible_missed.is_empty(),
        "maybe-stops without the possible-opt-out signal:\n{}",
        s.possible_missed.join("\n")
    );
    assert!(
        s.silent_other.is_empty(),
        "replies that silently became other:\n{}",
        s.silent_other.join("\n")
    );
    assert!(
        s.resubscribe_wrong.is_empty(),
        "resubscribe wrong:\n{}",
        s.resubscribe_wrong.join("\n")
    );
}

#[test]
fn held_out_replies_lose_no_opt_out() {
    let s = evaluate(
        "held-out (heldout.jsonl, older)",
        &load("heldout.jsonl", HELD_OUT),
    );
    assert_opt_outs_are_never_lost(&s);
}

#[test]
fn the_blind_held_out_replies_lose_no_opt_out() {
    let set = load("heldout_blind.jsonl", HELD_OUT_BLIND);
    assert!(set.len() >= 600, "only {} held-out replies", set.len());
    let s = evaluate("held-out (heldout_blind.jsonl, written blind)", &set);
    println!(
        "held-out summary (first, untouched score: opt-out recall 0.919 precision 0.878, stopped recall 0.987, needs-a-person recall 0.924 precision 0.920, trade_in F1 0.879, credit_finance F1 0.913, urgent_timeline F1 0.651, exact 0.627): opt-out recall {:.3} precision {:.3}; stopped (certain or possible) recall {:.3}; needs-a-person recall {:.3} precision {:.3}; trade_in F1 {:.3}; credit_finance F1 {:.3}; urgent_timeline F1 {:.3}; exact label set {:.3}",
        s.opt_out.recall(),
        s.opt_out.precision(),
        s.stopped.recall(),
        s.handoff.recall(),
        s.handoff.precision(),
        s.label(Intent::TradeIn).f1(),
        s.label(Intent::CreditFinance).f1(),
        s.label(Intent::UrgentTimeline).f1(),
        s.exact_rate(),
    );
    // Fail closed: a possible opt-out stops automation as a certain one
    // does, and a person confirms it; what must never happen is a stop
    // request that automation keeps texting through.
    assert_eq!(
        s.stopped.recall(),
        1.0,
        "opt-outs that did not even stop automation:\n{}",
        s.mistakes.join("\n")
    );
    assert!(
        s.under_revoked.is_empty(),
        "channels under-revoked:\n{}",
        s.under_revoked.join("\n")
    );
}

#[test]
fn the_third_blind_set_loses_no_opt_out() {
    let set = load("heldout_blind3.jsonl", HELD_OUT_BLIND3);
    assert!(set.len() >= 600, "only {} held-out replies", set.len());
    let s = evaluate("held-out (heldout_blind3.jsonl, third writer, blind)", &set);
    print_blind_summary("third blind set", &s);
    assert_eq!(
        s.stopped.recall(),
        1.0,
        "opt-outs that did not even stop automation:\n{}",
        s.mistakes.join("\n")
    );
    assert!(
        s.under_revoked.is_empty(),
        "channels under-revoked:\n{}",
        s.under_revoked.join("\n")
    );
}

#[test]
fn the_fourth_blind_set_loses_no_opt_out() {
    let set = load("heldout_blind4.jsonl", HELD_OUT_BLIND4);
    assert!(set.len() >= 600, "only {} held-out replies", set.len());
    let s = evaluate(
        "held-out (heldout_blind4.jsonl, fourth writer, blind)",
        &set,
    );
    print_blind_summary("fourth blind set", &s);
    // Its first, untouched score (HELDOUT4.md) missed 3 of 169 stop requests
    // and under-revoked 3; the kinds of miss were then fixed (rules and my
    // own tuning rows), so this is in-sample now and held where sets 1 and
    // 3 are: none lost, none under-revoked. Only the fifth set says how a
    // new writer fares.
    assert_eq!(
        s.stopped.recall(),
        1.0,
        "opt-outs that did not even stop automation:\n{}",
        s.mistakes.join("\n")
    );
    assert!(
        s.under_revoked.is_empty(),
        "channels under-revoked:\n{}",
        s.under_revoked.join("\n")
    );
}

/// The figures the targets name, on one line.
/// Holds a blind set to its first score: at least `stopped` of `stop_requests` stop requests stop
/// automation (certain or possible opt-out), and at most `under_revoked` replies' channels are
/// under-revoked.
pub(crate) fn assert_first_score(
    s: &Summary,
    stopped: usize,
    stop_requests: usize,
    under_revoked: usize,
) {
    assert!(
        s.stopped.recall() >= stopped as f64 / stop_requests as f64 - 1e-9,
        "fewer stop requests stopped automation than at the first score:\n{}",
        s.mistakes.join("\n")
    );
    assert!(
        s.under_revoked.len() <= under_revoked,
        "more channels under-revoked than at the first score:\n{}",
        s.under_revoked.join("\n")
    );
}

pub(crate) fn print_blind_summary(name: &str, s: &Summary) {
    println!(
        "{name}: opt-out recall {:.3} precision {:.3}; stopped (certain or possible) recall {:.3} precision {:.3}; needs-a-person recall {:.3} precision {:.3}; trade_in F1 {:.3}; credit_finance F1 {:.3}; urgent_timeline F1 {:.3}; exact label set {:.3}",
        s.opt_out.recall(),
        s.opt_out.precision(),
        s.stopped.recall(),
        s.stopped.precision(),
        s.handoff.recall(),
        s.handoff.precision(),
        s.label(Intent::TradeIn).f1(),
        s.label(Intent::CreditFinance).f1(),
        s.label(Intent::UrgentTimeline).f1(),
        s.exact_rate(),
    );
}
