//! The fifth blind set: written by someone who never saw the rules, the code or the other sets
//! (`tests/data/HELDOUT5.md`, its brief and sources in `tests/data/blind5/`), kept outside the
//! repository while the classifier was tuned, then copied in and scored once.
//!
//! Its first, untouched score (2026-12-05, commit 6fb0ed6: opt-out recall 0.904 precision 0.970,
//! stopped 0.960, needs-a-person recall 0.921 precision 0.966, trade-in F1 0.863, credit F1
//! 0.897, urgent F1 0.681, exact 0.669) is the held-out figure the README quotes. **Since session
//! 7 the learned model trains on this set** (`build.rs`), so what this test measures is
//! in-sample: it says the classifier still reads the replies it learned from, not how it reads a
//! new writer (the crossval tool's set-5 row, with a model trained without it, estimates that;
//! only a sixth writer measures it). It is a regression floor at the in-sample score of that
//! session, so a later change cannot quietly lose stop requests or labels here.

use crate::labelled_set::{evaluate, load, print_blind_summary};

const HELD_OUT_BLIND5: &str = include_str!("../data/heldout_blind5.jsonl");

#[test]
fn the_fifth_blind_set_keeps_its_in_sample_score() {
    let set = load("heldout_blind5.jsonl", HELD_OUT_BLIND5);
    assert!(set.len() >= 600, "only {} held-out replies", set.len());
    let s = evaluate(
        "held-out (heldout_blind5.jsonl, fifth writer, in-sample)",
        &set,
    );
    print_blind_summary("fifth blind set", &s);
    // In-sample score at the end of session 7 (set 5 in the model's training data, the slot
    // rules written after reading its misses): every stop request stops automation (certain or
    // possible opt-out), 172 of 177 are certain, needs-a-person 0.986 / 0.978, exact 0.789, one
    // reply's channels under-revoked. The floors sit just under it.
    let floors = [
        (
            "stopped (certain or possible) recall",
            s.stopped.recall(),
            1.0,
        ),
        ("certain opt-out recall", s.opt_out.recall(), 172.0 / 177.0),
        ("certain opt-out precision", s.opt_out.precision(), 0.97),
        ("needs-a-person recall", s.handoff.recall(), 0.975),
        // 0.97 until session 8, when a reply with no handoff label started to get the model's
        // likeliest one from p=0.07 (recall first: crossval on the writers no rule was tuned
        // to, needs-a-person recall 0.914 -> 0.970, precision 0.963 -> 0.937).
        ("needs-a-person precision", s.handoff.precision(), 0.93),
        ("exact label set", s.exact_rate(), 0.78),
    ];
    for (name, got, floor) in floors {
        assert!(
            got >= floor - 1e-9,
            "{name} {got:.3} fell below its in-sample floor {floor:.3}:\n{}",
            s.mistakes.join("\n")
        );
    }
    assert!(
        s.under_revoked.len() <= 1,
        "more channels under-revoked than at the first score:\n{}",
        s.under_revoked.join("\n")
    );
}
