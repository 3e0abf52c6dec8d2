//! The eighth blind set: written in session 9 by someone who never saw the rules, the code or the
//! other sets (`tests/data/HELDOUT8.md`, its brief and sources in `tests/data/blind8/`), kept outside
//! the repository while the classifier was tuned, then copied in and scored once on the merged
//! classifier. That first score is the README's held-out figure.
//!
//! Since the ninth writer was commissioned it is training data (`src/model/corpora.rs`), and the
//! rules of `eighth_set_kinds` were written for kinds of error it showed (never its rows), so its
//! figures here are in-sample. CI holds the set to its first score so a later change cannot stop
//! fewer stop requests on it.

use crate::labelled_set::{assert_first_score, evaluate, load, print_blind_summary};

const HELD_OUT_BLIND8: &str = include_str!("../data/heldout_blind8.jsonl");

#[test]
fn the_eighth_blind_set_stops_no_fewer_than_its_first_score() {
    let set = load("heldout_blind8.jsonl", HELD_OUT_BLIND8);
    assert!(set.len() >= 700, "only {} held-out replies", set.len());
    let s = evaluate(
        "held-out (heldout_blind8.jsonl, eighth writer, blind)",
        &set,
    );
    print_blind_summary("eighth blind set", &s);
    // First score (2026-12-06, session 9's merged classifier): all 164 stop requests stopped
    // automation (158 certain, 6 possible opt-outs); two were under-revoked ("calls and texts need
    // to stop" revoked texts only; "stop texting me", which the writer marked for all channels).
    assert_first_score(&s, 164, 164, 2);
}
