//! Measures classifications per second on one thread over the labelled
//! replies repeated, with the learned fallback and with the rules alone,
//! and prints `{"classifier_replies_per_sec": N, "rules_only_replies_per_sec": M}`.
//!
//! Run: `cargo run --release --example throughput`. Arguments choose one
//! path and a number of rounds, for a profiler that counts instructions:
//! `valgrind --tool=callgrind target/release/examples/throughput rules 1`
//! (`rules` or `model`; one round is every tuning reply once).

use keepwarm_classify::Classifier;
use std::time::Instant;

fn main() {
    let data = include_str!("../tests/data/replies.jsonl");
    let texts: Vec<String> = data
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_owned))
        .collect();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rounds = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(100usize);
    match args.first().map(String::as_str) {
        Some("rules") => {
            let c = Classifier::default_set().rules_only();
            println!(
                "{{\"rules_only_replies_per_sec\": {}}}",
                per_second(&c, &texts, rounds)
            );
        }
        Some("model") => {
            let c = Classifier::default_set();
            println!(
                "{{\"classifier_replies_per_sec\": {}}}",
                per_second(&c, &texts, rounds)
            );
        }
        _ => {
            let with_model = per_second(&Classifier::default_set(), &texts, rounds);
            let rules_only = per_second(&Classifier::default_set().rules_only(), &texts, rounds);
            println!(
                "{{\"classifier_replies_per_sec\": {with_model}, \"rules_only_replies_per_sec\": {rules_only}}}"
            );
        }
    }
}

fn per_second(classifier: &Classifier, texts: &[String], rounds: usize) -> u64 {
    let mut labels = 0usize;
    let started = Instant::now();
    for _ in 0..rounds {
        for text in texts {
            labels += classifier.classify(text).intents.len();
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let replies = rounds * texts.len();
    eprintln!("{replies} replies, {labels} labels, {secs:.3} s");
    if secs > 0.0 {
        (replies as f64 / secs).round() as u64
    } else {
        0
    }
}
