//! Trains the learned model from the labelled corpora at build time.
//!
//! Reads the tuning set and every writer's set in the classifier's own
//! label scheme (`src/model/corpora.rs`), runs the built-in rules over each reply,
//! extracts the same features the crate uses at run time (words, letter
//! n-grams and the ids of the rules that matched; the feature, rule,
//! normalisation and quoted-history code is shared through `#[path]`),
//! trains one logistic regression per label and writes the weights to
//! `$OUT_DIR/model.bin`, which the crate embeds. No network, no randomness:
//! the same corpora and rules give the same bytes.

#![allow(
    dead_code,
    reason = "the shared modules carry helpers only the crate itself uses"
)]

#[path = "src/model/corpora.rs"]
mod corpora;
#[path = "src/error.rs"]
mod error;
#[path = "src/model/features.rs"]
mod features;
#[path = "src/intent.rs"]
mod intent;
#[path = "src/matcher.rs"]
mod matcher;
#[path = "src/normalize.rs"]
mod normalize;
#[path = "src/phrases.rs"]
mod phrases;
#[path = "src/quoted.rs"]
mod quoted;
#[path = "src/model/train.rs"]
mod train;
#[path = "src/unread.rs"]
mod unread;

use features::MODEL_LABELS;
use train::{examples_for, to_bytes, train};

fn fail(message: String) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1)
}

fn main() {
    let corpora: Vec<String> = std::iter::once(corpora::TUNING)
        .chain(corpora::WRITER_SETS.iter().map(|s| s.file))
        .map(|f| format!("tests/data/{f}"))
        .collect();
    for f in corpora.iter().map(String::as_str).chain([
        "src/default_phrases.toml",
        "src/error.rs",
        "src/intent.rs",
        "src/matcher.rs",
        "src/normalize.rs",
        "src/phrases.rs",
        "src/quoted.rs",
        "src/unread.rs",
        "src/model/corpora.rs",
        "src/model/features.rs",
        "src/model/train.rs",
    ]) {
        println!("cargo:rerun-if-changed={f}");
    }
    let set = phrases::PhraseSet::from_toml(phrases::DEFAULT_PHRASES_TOML)
        .unwrap_or_else(|e| fail(format!("src/default_phrases.toml: {e}")));
    let engine = matcher::Engine::compile(&set);
    let mut examples = Vec::new();
    for corpus in &corpora {
        let text = std::fs::read_to_string(corpus)
            .unwrap_or_else(|e| fail(format!("cannot read {corpus}: {e}")));
        let rows = corpora::parse_rows(&text).unwrap_or_else(|e| fail(format!("{corpus} {e}")));
        for row in rows {
            let labels = MODEL_LABELS
                .iter()
                .map(|l| row.labels.iter().any(|r| r == l))
                .collect();
            examples.extend(examples_for(&engine, &row.text, labels));
        }
    }
    let weights = train(&examples, MODEL_LABELS.len());
    let out = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".to_owned());
    let path = std::path::Path::new(&out).join("model.bin");
    if let Err(e) = std::fs::write(&path, to_bytes(&weights)) {
        fail(format!("cannot write {}: {e}", path.display()));
    }
}
