//! The learned model behind the rules: a linear model over hashed word and
//! letter n-gram features and the ids of the rules that matched, trained at
//! build time from the labelled corpora (see `build.rs`).
//!
//! Owns applying the embedded weights to a normalised reply and explaining
//! each score by its strongest features. It never decides an opt-out: the
//! classifier turns a high opt-out score into a *possible* opt-out only, and
//! `combine` decides how its scores weigh against the rules' labels.

#[cfg(test)]
pub(crate) mod corpora;
#[cfg(test)]
mod crossval;
pub(crate) mod features;
#[cfg(test)]
pub(crate) mod train;

use crate::intent::Intent;
use crate::normalize::Normalized;
use features::{reply_features, BUCKETS, MODEL_LABELS};
use std::sync::OnceLock;

/// Weights trained by `build.rs`: biases, then one row of buckets per label.
static WEIGHTS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/model.bin"));

/// One label the model scored.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scored {
    pub intent: Intent,
    pub probability: f32,
    /// The features that pushed hardest towards the label, strongest first
    /// (only for labels scored at or above the explanation threshold).
    pub top_features: Vec<String>,
}

/// The decoded model.
pub(crate) struct Model {
    labels: Vec<Intent>,
    bias: Vec<f32>,
    weights: Vec<f32>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("labels", &self.labels.len())
            .field("buckets", &BUCKETS)
            .finish()
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl Model {
    /// The model embedded at build time, decoded once per process.
    pub fn built_in() -> &'static Model {
        static MODEL: OnceLock<Model> = OnceLock::new();
        MODEL.get_or_init(|| Model::from_bytes(WEIGHTS))
    }

    /// Decodes little-endian `f32`s laid out as `train::to_bytes` writes
    /// them; a buffer of the wrong size gives a model that scores nothing.
    pub fn from_bytes(bytes: &[u8]) -> Model {
        let floats: Vec<f32> = bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let labels: Vec<Intent> = MODEL_LABELS
            .iter()
            .filter_map(|l| l.parse::<Intent>().ok())
            .collect();
        if floats.len() != labels.len() * (BUCKETS + 1) {
            return Model {
                labels: Vec::new(),
                bias: Vec::new(),
                weights: Vec::new(),
            };
        }
        let (bias, weights) = floats.split_at(labels.len());
        Model {
            bias: bias.to_vec(),
            weights: weights.to_vec(),
            labels,
        }
    }

    /// Every label's probability for the reply whose matched rules are
    /// `rule_ids`, highest first. Labels at or above `explain_from` also get
    /// their strongest features.
    pub fn score(&self, n: &Normalized, rule_ids: &[&str], explain_from: f32) -> Vec<Scored> {
        let feats = reply_features(n, rule_ids);
        if feats.is_empty() {
            return Vec::new();
        }
        let scale = 1.0 / (feats.len() as f32).sqrt();
        let weight = |li: usize, bucket: usize| {
            self.weights
                .get(li * BUCKETS + bucket)
                .copied()
                .unwrap_or(0.0)
                * scale
        };
        let mut out: Vec<Scored> = self
            .labels
            .iter()
            .enumerate()
            .map(|(li, &intent)| {
                let bias = self.bias.get(li).copied().unwrap_or(0.0);
                let z = feats.iter().fold(bias, |z, f| z + weight(li, f.bucket));
                let probability = sigmoid(z);
                let mut top_features = Vec::new();
                if probability >= explain_from {
                    let mut contributions: Vec<(f32, &str)> = feats
                        .iter()
                        .map(|f| (weight(li, f.bucket), f.name.as_str()))
                        .filter(|c| c.0 > 0.0)
                        .collect();
                    contributions.sort_by(|a, b| b.0.total_cmp(&a.0));
                    contributions.dedup_by(|a, b| a.1 == b.1);
                    top_features = contributions
                        .iter()
                        .take(4)
                        .map(|c| c.1.to_owned())
                        .collect();
                }
                Scored {
                    intent,
                    probability,
                    top_features,
                }
            })
            .collect();
        out.sort_by(|a, b| b.probability.total_cmp(&a.probability));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;
    use features::{features, MAX_FEATURES};

    #[test]
    fn the_model_labels_are_every_intent_but_other_in_order() {
        let names: Vec<&str> = Intent::ALL
            .iter()
            .filter(|i| **i != Intent::Other)
            .map(|i| i.as_str())
            .collect();
        assert_eq!(names, MODEL_LABELS);
    }

    #[test]
    fn the_embedded_weights_decode_to_every_label() {
        let m = Model::built_in();
        assert_eq!(m.labels.len(), MODEL_LABELS.len());
        assert_eq!(m.weights.len(), MODEL_LABELS.len() * BUCKETS);
    }

    #[test]
    fn a_weight_file_of_the_wrong_size_scores_nothing_instead_of_panicking() {
        let m = Model::from_bytes(&[0, 0, 128]);
        assert!(m.score(&normalize("need a car asap"), &[], 0.0).is_empty());
    }

    #[test]
    fn training_twice_gives_the_same_weights() {
        let examples = || {
            ["need a car today", "what rate with bad credit", "thanks"]
                .iter()
                .enumerate()
                .map(|(i, t)| train::Example {
                    buckets: features(&normalize(t), MAX_FEATURES)
                        .into_iter()
                        .map(|f| f.bucket)
                        .collect(),
                    labels: (0..MODEL_LABELS.len()).map(|l| l == i).collect(),
                })
                .collect::<Vec<_>>()
        };
        let a = train::to_bytes(&train::train(&examples(), MODEL_LABELS.len()));
        let b = train::to_bytes(&train::train(&examples(), MODEL_LABELS.len()));
        assert!(a == b);
    }

    #[test]
    fn scores_are_explained_by_features_of_the_reply() {
        let scored = Model::built_in().score(
            &normalize("my transmission died, need a car asap"),
            &[],
            0.3,
        );
        let best = scored.first();
        assert!(
            best.is_some_and(|s| s.probability >= 0.3 && !s.top_features.is_empty()),
            "{scored:?}"
        );
    }
}
