//! The seventh blind set: written in session 8 by someone who never saw the rules, the code or the
//! other sets (`tests/data/HELDOUT7.md`, its brief and sources in `tests/data/blind7/`), kept outside
//! the repository while the classifier was tuned, then copied in and scored once on the merged
//! classifier. That first score is the README's held-out figure.
//!
//! Since the eighth writer was commissioned it is training data (`src/model/corpora.rs`), and
//! the rules of `untuned_set_kinds` were written for kinds of stop request it showed, so its
//! figures here are in-sample. CI holds the set to its first score so a later change cannot stop
//! fewer stop requests on it.

use crate::labelled_set::{assert_first_score, evaluate, load, print_blind_summary};

const HELD_OUT_BLIND7: &str = include_str!("../data/heldout_blind7.jsonl");

#[test]
fn the_seventh_blind_set_stops_no_fewer_than_its_first_score() {
    let set = load("heldout_blind7.jsonl", HELD_OUT_BLIND7);
    assert!(set.len() >= 800, "only {} held-out replies", set.len());
    let s = evaluate(
        "held-out (heldout_blind7.jsonl, seventh writer, blind)",
        &set,
    );
    print_blind_summary("seventh blind set", &s);
    // First score (2026-12-06, session 8's merged classifier): 201 of 202 stop requests
    // stopped automation (certain or possible opt-out) and no reply's channels were under-revoked.
    assert_first_score(&s, 201, 202, 0);
}
