//! Features of a reply for the learned model: words, word pairs, the
//! letter triples and quadruples of each word, and the rules that matched
//! it, each hashed into a fixed number of buckets.
//!
//! Shared verbatim by the build script (which trains the model) and the
//! crate (which applies it), so both see the same features. It owns only
//! feature extraction: no weights, no labels.

use crate::normalize::Normalized;

/// Number of hash buckets (a power of two).
pub(crate) const BUCKETS: usize = 1 << 14;

/// One feature: its name (for explanations) and its bucket.
pub(crate) struct Feature {
    pub name: String,
    pub bucket: usize,
}

fn bucket(name: &str) -> usize {
    // FNV-1a: stable across platforms and Rust versions, unlike std's hasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (h as usize) & (BUCKETS - 1)
}

fn push(out: &mut Vec<Feature>, name: String) {
    let bucket = bucket(&name);
    out.push(Feature { name, bucket });
}

/// The features of a normalised reply, at most `limit` of them.
pub(crate) fn features(n: &Normalized, limit: usize) -> Vec<Feature> {
    let mut out = Vec::with_capacity(64);
    let mut prev: Option<(u32, &str)> = None;
    for (i, t) in n.tokens.iter().enumerate() {
        if out.len() >= limit {
            break;
        }
        let w = n.word(i);
        if t.symbol {
            push(&mut out, format!("s:{w}"));
            prev = None;
            continue;
        }
        push(&mut out, format!("w:{w}"));
        if let Some((clause, p)) = prev {
            if clause == t.clause {
                push(&mut out, format!("b:{p} {w}"));
            }
        }
        prev = Some((t.clause, w));
        let padded: Vec<char> = std::iter::once('<')
            .chain(w.chars())
            .chain(std::iter::once('>'))
            .collect();
        for size in 3..=4 {
            if padded.len() <= size {
                continue;
            }
            for gram in padded.windows(size) {
                push(&mut out, format!("c:{}", gram.iter().collect::<String>()));
            }
        }
    }
    out
}

/// Features naming the rules that matched a reply (`r:opt_out.sms_only`)
/// and the label family of each (`g:opt_out`), so the model can learn how
/// far each rule is to be trusted.
pub(crate) fn rule_features(rule_ids: &[&str]) -> Vec<Feature> {
    let mut out = Vec::with_capacity(rule_ids.len() * 2);
    for id in rule_ids {
        push(&mut out, format!("r:{id}"));
        let family = id.split('.').next().unwrap_or(id);
        push(&mut out, format!("g:{family}"));
    }
    out
}

/// Every feature of a reply: its words (at most [`MAX_FEATURES`]) and the
/// ids of the rules that matched it.
pub(crate) fn reply_features(n: &Normalized, rule_ids: &[&str]) -> Vec<Feature> {
    let mut out = features(n, MAX_FEATURES);
    out.extend(rule_features(rule_ids));
    out
}

/// The labels the model scores, in weight order: every intent but `other`
/// (which is the absence of all of them).
pub(crate) const MODEL_LABELS: [&str; 16] = [
    "opt_out",
    "wrong_number",
    "bought_elsewhere",
    "not_interested",
    "not_now",
    "trade_in",
    "credit_finance",
    "urgent_timeline",
    "price_payment",
    "appointment",
    "reschedule",
    "confirm",
    "vehicle_question",
    "service",
    "human_request",
    "positive",
];

/// Most features taken from one reply (a long e-mail stays cheap).
pub(crate) const MAX_FEATURES: usize = 400;
