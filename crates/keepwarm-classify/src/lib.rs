//! Deterministic, explainable classification of customer replies to
//! dealership texts and e-mails, in English and Spanish.
//!
//! A [`Classifier`] is built once from a [`PhraseSet`] (the built-in one, a
//! dealership's TOML, or the built-in one with the dealership's overrides
//! merged on top) and then labels replies with every [`Intent`] that
//! applies. Each label comes with an [`Explanation`] naming the rule and
//! phrase that matched and where. Opt-outs also say which channels are
//! revoked, and a lone `START`/`UNSTOP`/`YES` sets
//! [`Classification::resubscribe`]. The rules read English and Spanish, and
//! the commonest stop words of nine more languages; any other reply in a
//! language they do not read fails closed as a possible opt-out.
//!
//! The crate does no IO and never panics on any input.
//!
//! ```
//! use keepwarm_classify::{Classifier, Intent};
//!
//! let classifier = Classifier::default_set();
//! let result = classifier.classify("Stop calling me, texting is fine");
//! assert!(result.has(Intent::OptOut));
//! assert_eq!(serde_json::to_value(&result.revoked_channels).ok(),
//!            Some(serde_json::json!(["call"])));
//! ```
#![forbid(unsafe_code)]

mod classification;
mod combine;
mod error;
mod intent;
mod matcher;
mod model;
mod normalize;
mod phrases;
mod quoted;
mod review;
mod unread;

pub use classification::{Classification, Classifier, Explanation, Span};
pub use error::ClassifyError;
pub use intent::{Channel, ChannelSet, Intent, Language, Signal};
pub use phrases::{PhraseSet, Rule, Scope, Settings, DEFAULT_PHRASES_TOML};
pub use quoted::reply_words;
pub use review::{Review, ReviewReason};
