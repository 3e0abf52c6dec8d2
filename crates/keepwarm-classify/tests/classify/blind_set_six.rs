//! The sixth blind set: written by someone who never saw the rules, the code or the other sets
//! (`tests/data/HELDOUT6.md`, its brief and sources in `tests/data/blind6/`), kept outside the
//! repository while the classifier was tuned in session 7, then copied in and scored once on the
//! merged classifier (the set's honest, first score is in the README).
//!
//! **Since session 8 the learned model trains on it** (`src/model/corpora.rs`; no rule was
//! written for its rows), so this test is in-sample: the crossval tool's set-6 row, with a model
//! trained without it, estimates how a new writer fares. CI holds it to its first score so a later
//! change cannot stop fewer stop requests on it.

use crate::labelled_set::{assert_first_score, evaluate, load, print_blind_summary};

const HELD_OUT_BLIND6: &str = include_str!("../data/heldout_blind6.jsonl");

#[test]
fn the_sixth_blind_set_stops_no_fewer_than_its_first_score() {
    let set = load("heldout_blind6.jsonl", HELD_OUT_BLIND6);
    assert!(set.len() >= 650, "only {} held-out replies", set.len());
    let s = evaluate("held-out (heldout_blind6.jsonl, sixth writer, blind)", &set);
    print_blind_summary("sixth blind set", &s);
    // First score (2026-12-06, session 7's merged classifier): 174 of 182 stop requests stopped
    // automation (certain or possible opt-out) and two replies' channels were under-revoked.
    assert_first_score(&s, 174, 182, 2);
}
