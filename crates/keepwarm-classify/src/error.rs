//! The crate's one error type.
//!
//! Errors only arise while loading a phrase set; classifying text never
//! fails. Every message names the rule at fault so a dealership editing its
//! TOML sees one clear line.

use std::fmt;

/// Why a phrase set could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClassifyError {
    /// The text is not valid TOML, or does not have the phrase-set shape
    /// (unknown key, wrong type). `message` carries the parser's line and
    /// column.
    InvalidToml {
        /// The TOML parser's description of the problem.
        message: String,
    },
    /// Two rules in one file share an `id`.
    DuplicateRule {
        /// The repeated id.
        id: String,
    },
    /// A rule's `label` (or an entry of `suppressed_by`) is not one of the
    /// intent names, or is `other`, which is never matched by a rule.
    UnknownLabel {
        /// The rule's id.
        rule: String,
        /// The unrecognised label.
        label: String,
    },
    /// A rule's `revokes` lists something other than `sms`, `email`,
    /// `call` or `all`.
    UnknownChannel {
        /// The rule's id.
        rule: String,
        /// The unrecognised channel.
        channel: String,
    },
    /// A rule's `lang` is neither `en` nor `es`.
    UnknownLanguage {
        /// The rule's id.
        rule: String,
        /// The unrecognised language tag.
        lang: String,
    },
    /// A rule has an empty `phrases` list.
    NoPhrases {
        /// The rule's id.
        rule: String,
    },
    /// A rule's `parts` build no phrase (a slot is empty) or more than the
    /// limit.
    BadParts {
        /// The rule's id.
        rule: String,
        /// How many phrases they would build.
        count: usize,
        /// The most a rule may build.
        max: usize,
    },
    /// A phrase (or `unless` phrase) has no words left after normalisation,
    /// for example `""` or `"!!"`.
    EmptyPhrase {
        /// The rule's id.
        rule: String,
        /// The phrase as written.
        phrase: String,
    },
    /// `revokes` was set on a rule whose label is not `opt_out`.
    RevokesOnNonOptOut {
        /// The rule's id.
        rule: String,
    },
}

impl fmt::Display for ClassifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidToml { message } => {
                write!(f, "invalid phrase set: {}", message.trim_end())
            }
            Self::DuplicateRule { id } => write!(f, "rule \"{id}\" is defined twice"),
            Self::UnknownLabel { rule, label } => {
                write!(f, "rule \"{rule}\" uses unknown label \"{label}\"")
            }
            Self::UnknownChannel { rule, channel } => write!(
                f,
                "rule \"{rule}\" revokes unknown channel \"{channel}\" (expected sms, email, call or all)"
            ),
            Self::UnknownLanguage { rule, lang } => write!(
                f,
                "rule \"{rule}\" has unknown lang \"{lang}\" (expected en or es)"
            ),
            Self::NoPhrases { rule } => write!(f, "rule \"{rule}\" has no phrases"),
            Self::BadParts { rule, count, max } => write!(
                f,
                "rule \"{rule}\": parts build {count} phrases; each slot needs an entry and at most {max} phrases may be built"
            ),
            Self::EmptyPhrase { rule, phrase } => write!(
                f,
                "rule \"{rule}\" has phrase \"{phrase}\" with no words after normalisation"
            ),
            Self::RevokesOnNonOptOut { rule } => write!(
                f,
                "rule \"{rule}\" sets revokes but its label is not opt_out"
            ),
        }
    }
}

impl std::error::Error for ClassifyError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_names_the_rule_on_one_line() {
        let err = ClassifyError::UnknownLabel {
            rule: "x.y".into(),
            label: "trade".into(),
        };
        let text = err.to_string();
        assert!(text.contains("x.y") && text.contains("trade"));
        assert!(!text.contains('\n'));
    }
}
