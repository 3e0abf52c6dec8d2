//! Measures classifications per second on one thread over the labelled
//! replies repeated, and prints `{"classifier_replies_per_sec": N}`.
//!
//! Run: `cargo run --release --example throughput`.

use keepwarm_classify::Classifier;
use std::time::Instant;

fn main() {
    let data = include_str!("../tests/data/replies.jsonl");
    let texts: Vec<String> = data
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_owned))
        .collect();
    let classifier = Classifier::default_set();
    let rounds = 200;
    let mut labels = 0usize;
    let started = Instant::now();
    for _ in 0..rounds {
        for text in &texts {
            labels += classifier.classify(text).intents.len();
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let replies = rounds * texts.len();
    let per_sec = if secs > 0.0 {
        replies as f64 / secs
    } else {
        0.0
    };
    eprintln!("{replies} replies, {labels} labels, {secs:.3} s");
    println!(
        "{{\"classifier_replies_per_sec\": {}}}",
        per_sec.round() as u64
    );
}
