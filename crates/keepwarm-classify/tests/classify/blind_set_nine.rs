//! The ninth blind set: written in session 10 by someone who never saw the rules, the code or the
//! other sets (`tests/data/HELDOUT9.md`, its brief and sources in `tests/data/blind9/`), kept outside
//! the repository while the classifier was tuned on set 8, then copied in and scored once on the
//! merged classifier. That first score is the README's held-out figure.

use crate::labelled_set::{assert_first_score, evaluate, load, print_blind_summary};

const HELD_OUT_BLIND9: &str = include_str!("../data/heldout_blind9.jsonl");

#[test]
fn the_ninth_blind_set_stops_no_fewer_than_its_first_score() {
    let set = load("heldout_blind9.jsonl", HELD_OUT_BLIND9);
    assert!(set.len() >= 700, "only {} held-out replies", set.len());
    let s = evaluate("held-out (heldout_blind9.jsonl, ninth writer, blind)", &set);
    print_blind_summary("ninth blind set", &s);
    // First score (2026-12-06, session 10's merged classifier, scored once): 137 of 138 stop
    // requests stopped automation (132 certain, 5 possible opt-outs); the one missed asked for the
    // price by text, "not a phone call" (a switch of channel the writer counts as revoking calls).
    // One was under-revoked: "I don't want any more calls, texts, or emails" revoked calls only.
    assert_first_score(&s, 137, 138, 1);
}
