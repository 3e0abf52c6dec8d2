//! Cross-writer validation of the learned model (a test tool, not shipped).
//!
//! Trains a model the way `build.rs` does, on the tuning set plus every
//! writer's set but one (`corpora::WRITER_SETS`), and classifies the
//! left-out set with it through the shipped classifier, once per set (and,
//! with `KEEPWARM_CROSSVAL_SWEEP=1`, at other model thresholds too): the
//! figures say how the rules plus a model read a writer the model never
//! saw. Two pools are printed: every writer, and only the writers no rule
//! was tuned to (the rules have seen the other sets' kinds of miss, so their
//! figures are optimistic for a new writer). `KEEPWARM_CROSSVAL_DUMP=dir`
//! writes every prediction, one JSON line per reply, per set and setting.
//! Run with `cargo test -p keepwarm-classify --lib crossval -- --ignored --nocapture`
//! (add `--config 'profile.dev.package.keepwarm-classify.opt-level=3'` for
//! a run in seconds rather than minutes; the figures are the same).

use super::corpora::{parse_rows, WRITER_SETS};
use super::features::MODEL_LABELS;
use super::train::{examples_for, to_bytes, train_with, DECAY, EPOCHS, RATE};
use super::Model;
use crate::combine::Thresholds;
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
    parse_rows(&text)
        .unwrap_or_default()
        .into_iter()
        .map(|r| Row {
            text: r.text,
            labels: r.labels.iter().filter_map(|l| l.parse().ok()).collect(),
        })
        .collect()
}

/// A model trained as `build.rs` trains the shipped one, on `sets`, with
/// the training settings `(epochs, rate, decay)`.
fn trained_on(sets: &[&str], settings: (usize, f32, f32)) -> Model {
    let engine = Engine::compile(&PhraseSet::default_set());
    let mut examples = Vec::new();
    for row in sets.iter().flat_map(|s| load(s)) {
        let labels = MODEL_LABELS
            .iter()
            .map(|l| row.labels.iter().any(|i| i.as_str() == *l))
            .collect();
        examples.extend(examples_for(&engine, &row.text, labels));
    }
    let (epochs, rate, decay) = settings;
    let weights = train_with(&examples, MODEL_LABELS.len(), epochs, rate, decay);
    Model::from_bytes(&to_bytes(&weights))
}

/// The training settings to compare: the shipped ones, then any given as
/// `KEEPWARM_CROSSVAL_TRAIN="epochs:rate:decay,..."`.
fn training_settings() -> Vec<(usize, f32, f32)> {
    let mut out = vec![(EPOCHS, RATE, DECAY)];
    let given = std::env::var("KEEPWARM_CROSSVAL_TRAIN").unwrap_or_default();
    for one in given.split(',').filter(|s| !s.is_empty()) {
        let parts: Vec<&str> = one.split(':').collect();
        if let [e, r, d] = parts.as_slice() {
            if let (Ok(e), Ok(r), Ok(d)) = (e.parse(), r.parse(), d.parse()) {
                out.push((e, r, d));
            }
        }
    }
    out
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

/// The figures of one classifier over some labelled replies.
#[derive(Default)]
struct Figures {
    rows: usize,
    exact: usize,
    per: [Counts; Intent::ALL.len()],
    person: Counts,
    stopped: Counts,
    /// Every prediction, when they are to be written out.
    dump: Option<Vec<serde_json::Value>>,
}

impl Figures {
    fn add(&mut self, classifier: &Classifier, set: &[Row]) {
        for row in set {
            let got = classifier.classify(&row.text);
            let predicted: BTreeSet<Intent> = got.intents.iter().copied().collect();
            if let Some(dump) = self.dump.as_mut() {
                let (rules, scores) = classifier.rules_and_scores(&row.text);
                let scores: serde_json::Map<String, serde_json::Value> = scores
                    .iter()
                    .map(|(i, p)| (i.as_str().to_owned(), serde_json::json!(p)))
                    .collect();
                dump.push(serde_json::json!({
                    "rules": rules.iter().map(|i| i.as_str()).collect::<Vec<_>>(),
                    "scores": scores,
                    "text": row.text,
                    "labels": row.labels.iter().map(|i| i.as_str()).collect::<Vec<_>>(),
                    "got": predicted.iter().map(|i| i.as_str()).collect::<Vec<_>>(),
                    "possible_opt_out": got.possible_opt_out.is_some(),
                    "review": got.review.is_some(),
                }));
            }
            self.rows += 1;
            self.exact += usize::from(predicted == row.labels);
            for (c, i) in self.per.iter_mut().zip(Intent::ALL) {
                c.add(row.labels.contains(&i), predicted.contains(&i));
            }
            self.person
                .add(row.labels.iter().any(|i| i.is_handoff()), got.escalates());
            self.stopped
                .add(row.labels.contains(&Intent::OptOut), got.stops_automation());
        }
    }

    /// Every label's F1 with its false positives and negatives, on one line.
    fn print_labels(&self, title: &str) {
        let cells: Vec<String> = Intent::ALL
            .iter()
            .zip(self.per.iter())
            .map(|(i, c)| format!("{} {:.2} (fp {} fn {})", i.as_str(), c.f1(), c.fp, c.fn_))
            .collect();
        println!("{title} per label: {}", cells.join("; "));
    }

    fn print(&self, title: &str) {
        let label = |i: Intent| self.per.get(i as usize).copied().unwrap_or_default();
        let opt_out = label(Intent::OptOut);
        println!(
            "{title}: exact label set {:.3}; opt-out recall {:.3} precision {:.3}; stopped recall {:.3} precision {:.3}; needs-a-person recall {:.3} precision {:.3}; trade_in F1 {:.3}; credit_finance F1 {:.3}; urgent_timeline F1 {:.3}",
            self.exact as f64 / self.rows.max(1) as f64,
            opt_out.recall(),
            opt_out.precision(),
            self.stopped.recall(),
            self.stopped.precision(),
            self.person.recall(),
            self.person.precision(),
            label(Intent::TradeIn).f1(),
            label(Intent::CreditFinance).f1(),
            label(Intent::UrgentTimeline).f1(),
        );
    }
}

/// Threshold settings to compare, by name; `shipped` is the classifier's.
fn settings() -> Vec<(String, Thresholds)> {
    let shipped = Thresholds::SHIPPED;
    let mut out = vec![("shipped".to_owned(), shipped)];
    let sweep = std::env::var("KEEPWARM_CROSSVAL_SWEEP").is_ok();
    if sweep {
        for add in [0.3f32, 0.35, 0.4, 0.45] {
            out.push((
                format!("add next to rules from {add}"),
                Thresholds {
                    add_next_to_rules_from: add,
                    ..shipped
                },
            ));
        }
        for add in [0.2f32, 0.25, 0.4] {
            out.push((
                format!("add alone from {add}"),
                Thresholds {
                    add_from: add,
                    ..shipped
                },
            ));
        }
        for keep in [0.1f32, 0.3] {
            out.push((
                format!("keep from {keep}"),
                Thresholds {
                    keep_from: keep,
                    ..shipped
                },
            ));
        }
        for p in [0.3f32, 0.4, 0.5, 0.6, 0.7] {
            out.push((
                format!("possible opt-out beside rules from {p}"),
                Thresholds {
                    possible_opt_out_beside_rules_from: p,
                    ..shipped
                },
            ));
        }
        for p in [0.0f32, 0.1, 0.2, 0.4, 0.5] {
            out.push((
                format!("demote a rules' opt-out beside a buying signal below {p}"),
                Thresholds {
                    demote_opt_out_below: p,
                    ..shipped
                },
            ));
        }
        for words in [25usize, 35, 80, usize::MAX] {
            out.push((
                format!("demote a rules' opt-out only up to {words} words"),
                Thresholds {
                    demote_opt_out_up_to_words: words,
                    ..shipped
                },
            ));
        }
        for p in [0.05f32, 0.1, 0.15, 1.1] {
            out.push((
                format!("likeliest handoff label from {p}"),
                Thresholds {
                    handoff_from: p,
                    ..shipped
                },
            ));
        }
        for p in [0.05f32, 0.1, 0.2, 0.3] {
            out.push((
                format!("likeliest handoff label beside the rules' labels from {p}"),
                Thresholds {
                    handoff_beside_rules_from: p,
                    ..shipped
                },
            ));
        }
        for p in [0.3f32, 0.4] {
            out.push((
                format!("possible opt-out alone from {p}"),
                Thresholds {
                    possible_opt_out_from: p,
                    ..shipped
                },
            ));
        }
    }
    out
}

#[test]
#[ignore = "a measuring tool: trains a model per writer's set and prints figures"]
fn crossval() {
    for (k, training) in training_settings().into_iter().enumerate() {
        let models: Vec<(&str, &'static Model)> = WRITER_SETS
            .iter()
            .map(|unseen| {
                let mut sets = vec![super::corpora::TUNING];
                sets.extend(
                    WRITER_SETS
                        .iter()
                        .filter(|s| s.file != unseen.file)
                        .map(|s| s.file),
                );
                let model: &'static Model = Box::leak(Box::new(trained_on(&sets, training)));
                (unseen.file, model)
            })
            .collect();
        if k == 0 {
            score_models(&models, &settings(), "");
        } else {
            let (epochs, rate, decay) = training;
            println!("TRAINING epochs {epochs} rate {rate} decay {decay}:");
            let tag = format!("e{epochs}-r{rate}-d{decay}-");
            score_models(&models, &settings()[..1], &tag);
        }
    }
}

/// Scores each left-out set with its model at each threshold setting; a
/// dump's file names start with `tag` (which names the training settings).
fn score_models(models: &[(&str, &'static Model)], settings: &[(String, Thresholds)], tag: &str) {
    let rules = Classifier::default_set().rules_only();
    let untuned = |file: &str| WRITER_SETS.iter().any(|s| s.file == file && !s.rules_tuned);
    for (name, thresholds) in settings {
        let name = name.as_str();
        let mut pooled = Figures::default();
        let mut pooled_untuned = Figures::default();
        for &(unseen, model) in models {
            let set = load(unseen);
            if name == "shipped" {
                let mut alone = Figures::default();
                alone.add(&rules, &set);
                alone.print(&format!("{unseen}, rules only"));
            }
            let both = Classifier::default_set()
                .with_model(model)
                .with_thresholds(*thresholds);
            let dump_to = std::env::var("KEEPWARM_CROSSVAL_DUMP").ok();
            let mut one = Figures {
                dump: dump_to.as_ref().map(|_| Vec::new()),
                ..Figures::default()
            };
            one.add(&both, &set);
            if let (Some(dir), Some(rows)) = (dump_to, one.dump.as_ref()) {
                let lines: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
                let path = format!("{dir}/{tag}{name}-{unseen}");
                if let Err(e) = std::fs::write(&path, lines.join("\n")) {
                    println!("cannot write {path}: {e}");
                }
            }
            one.print(&format!(
                "{unseen}, rules + model trained without it ({name})"
            ));
            pooled.add(&both, &set);
            if untuned(unseen) {
                pooled_untuned.add(&both, &set);
            }
        }
        pooled.print(&format!("ALL WRITERS POOLED ({name})"));
        pooled.print_labels(&format!("ALL WRITERS POOLED ({name})"));
        let title = format!("WRITERS NO RULE WAS TUNED TO, POOLED ({name})");
        if pooled_untuned.rows == 0 {
            println!("{title}: none (every writer's set has had rules tuned to it)");
        } else {
            pooled_untuned.print(&title);
            pooled_untuned.print_labels(&title);
        }
    }
}
