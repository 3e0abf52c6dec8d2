//! Trains the learned fallback model from the tuning corpus at build time.
//!
//! Reads `tests/data/replies.jsonl`, extracts the same features the crate
//! uses at run time (the feature, normalisation and quoted-history code is
//! shared through `#[path]`), trains one logistic regression per label and
//! writes the weights to `$OUT_DIR/model.bin`, which the crate embeds. No
//! network, no randomness: the same corpus gives the same bytes.

#![allow(
    dead_code,
    reason = "the shared modules carry helpers only the crate itself uses"
)]

#[path = "src/model/features.rs"]
mod features;
#[path = "src/normalize.rs"]
mod normalize;
#[path = "src/quoted.rs"]
mod quoted;
#[path = "src/model/train.rs"]
mod train;

use features::{features, MAX_FEATURES, MODEL_LABELS};
use train::{to_bytes, train, Example};

const CORPUS: &str = "tests/data/replies.jsonl";

fn main() {
    println!("cargo:rerun-if-changed={CORPUS}");
    for f in [
        "src/normalize.rs",
        "src/quoted.rs",
        "src/model/features.rs",
        "src/model/train.rs",
    ] {
        println!("cargo:rerun-if-changed={f}");
    }
    let text = match std::fs::read_to_string(CORPUS) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {CORPUS}: {e}");
            std::process::exit(1);
        }
    };
    let mut examples = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let row: serde_json::Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("error: {CORPUS} line {}: {e}", i + 1);
                std::process::exit(1);
            }
        };
        let reply = row.get("text").and_then(|t| t.as_str()).unwrap_or("");
        let labels: Vec<&str> = row
            .get("labels")
            .and_then(|l| l.as_array())
            .map(|l| l.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        let own = reply.get(..quoted::own_words_len(reply)).unwrap_or(reply);
        let n = normalize::normalize(own);
        examples.push(Example {
            buckets: features(&n, MAX_FEATURES)
                .into_iter()
                .map(|f| f.bucket)
                .collect(),
            labels: MODEL_LABELS.iter().map(|l| labels.contains(l)).collect(),
        });
    }
    let weights = train(&examples, MODEL_LABELS.len());
    let out = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".to_owned());
    let path = std::path::Path::new(&out).join("model.bin");
    if let Err(e) = std::fs::write(&path, to_bytes(&weights)) {
        eprintln!("error: cannot write {}: {e}", path.display());
        std::process::exit(1);
    }
}
