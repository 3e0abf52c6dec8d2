//! The fifth blind set: written by someone who never saw the rules, the code or the other sets
//! (`tests/data/HELDOUT5.md`, its brief and sources in `tests/data/blind5/`), kept outside the
//! repository while the classifier was tuned, then copied in and scored once.
//!
//! Its first, untouched score is the latest held-out figure in the README. The model never trains
//! on it (`build.rs` lists its corpora by name). CI holds the set to that first score so a later
//! change cannot lose more stop requests on it; tuning to its rows would make it one more in-sample
//! set, and the next honest figure would need a sixth writer.

use crate::labelled_set::{evaluate, load, print_blind_summary};

const HELD_OUT_BLIND5: &str = include_str!("../data/heldout_blind5.jsonl");

#[test]
fn the_fifth_blind_set_stops_no_fewer_than_its_first_score() {
    let set = load("heldout_blind5.jsonl", HELD_OUT_BLIND5);
    assert!(set.len() >= 600, "only {} held-out replies", set.len());
    let s = evaluate("held-out (heldout_blind5.jsonl, fifth writer, blind)", &set);
    print_blind_summary("fifth blind set", &s);
    // First score (2026-12-05, commit 6fb0ed6): 170 of 177 stop requests stopped automation
    // (certain or possible opt-out) and one reply's channels were under-revoked.
    assert!(
        s.stopped.recall() >= 170.0 / 177.0 - 1e-9,
        "fewer stop requests stopped automation than at the first score:\n{}",
        s.mistakes.join("\n")
    );
    assert!(
        s.under_revoked.len() <= 1,
        "more channels under-revoked than at the first score:\n{}",
        s.under_revoked.join("\n")
    );
}
