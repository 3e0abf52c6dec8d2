//! When a person must read a reply: the low-confidence flag.
//!
//! Owns the decision that a reply's labels are not enough to act on alone
//! and why: nothing matched (a reply never silently becomes `other`), the
//! reply may mean "stop" without saying so for certain (or is in a language
//! the rules do not read), or a certain
//! opt-out comes with a buying signal (the customer may want one channel
//! closed but still want an answer). It reads finished labels and never
//! changes them.

use crate::classification::Explanation;
use crate::intent::Intent;
use crate::unread::UNREAD_LANGUAGE_RULE;
use serde::{Deserialize, Serialize};

/// Why a reply needs a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewReason {
    /// No rule matched a reply that has text: the label is `other` only
    /// because nothing was understood.
    NoRuleMatched,
    /// A cue that may mean "stop" matched, but no certain opt-out rule.
    PossibleOptOut,
    /// The reply is in a language the rules do not read (neither English
    /// nor Spanish) and no certain opt-out rule matched: it may be a stop
    /// request nobody can tell yet.
    UnreadLanguage,
    /// No rule matched; the labels come from the learned model, whose best
    /// probability is below the confident level.
    LearnedModelUnsure,
    /// The rules gave a handoff label but the learned model found every
    /// such label very unlikely and overruled it: a person reads the reply
    /// all the same.
    ModelOverruledRules,
    /// A certain opt-out together with a handoff intent ("don't call me,
    /// what's the price?"): consent is revoked as asked and a person
    /// decides whether and how to answer.
    OptOutWithBuyingSignal,
}

impl ReviewReason {
    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewReason::NoRuleMatched => "no_rule_matched",
            ReviewReason::PossibleOptOut => "possible_opt_out",
            ReviewReason::UnreadLanguage => "unread_language",
            ReviewReason::LearnedModelUnsure => "learned_model_unsure",
            ReviewReason::ModelOverruledRules => "model_overruled_rules",
            ReviewReason::OptOutWithBuyingSignal => "opt_out_with_buying_signal",
        }
    }
}

/// The low-confidence flag: why, in words a person reads.
///
/// Serialises as `{"reason": "no_rule_matched", "detail": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// The kind of doubt.
    pub reason: ReviewReason,
    /// One sentence for the person who reads the reply.
    pub detail: String,
}

/// The learned model's probability from which its labels stand without a
/// person reading the reply.
const CONFIDENT: f32 = 0.8;

/// Decides the flag from the reply's own words (quoted history removed),
/// its sorted intents, the possible-opt-out cue, when no rule matched the
/// learned model's best probability, and the handoff labels the model
/// overruled (already worded).
pub(crate) fn review(
    own_words: &str,
    intents: &[Intent],
    possible_opt_out: Option<&Explanation>,
    model_confidence: Option<f32>,
    overruled: Option<String>,
) -> Option<Review> {
    if let Some(cue) = possible_opt_out.filter(|c| c.rule == UNREAD_LANGUAGE_RULE) {
        return Some(Review {
            reason: ReviewReason::UnreadLanguage,
            detail: format!(
                "the reply is {}; automated messages stop until a person reads it and confirms an opt-out or releases the hold",
                cue.phrase
            ),
        });
    }
    if let Some(cue) = possible_opt_out {
        return Some(Review {
            reason: ReviewReason::PossibleOptOut,
            detail: format!(
                "\"{}\" may mean the customer wants no more messages ({}); automated messages stop until a person confirms the opt-out or releases it",
                cue.matched, cue.rule
            ),
        });
    }
    if let Some(labels) = overruled {
        return Some(Review {
            reason: ReviewReason::ModelOverruledRules,
            detail: format!(
                "the rules read {labels} but the learned model found it very unlikely; a person should read it"
            ),
        });
    }
    if intents == [Intent::Other] {
        return (!own_words.trim().is_empty()).then(|| Review {
            reason: ReviewReason::NoRuleMatched,
            detail: "no rule understood this reply; a person should read it".to_owned(),
        });
    }
    if let Some(p) = model_confidence.filter(|p| *p < CONFIDENT) {
        return Some(Review {
            reason: ReviewReason::LearnedModelUnsure,
            detail: format!(
                "no rule matched and the learned model is unsure (best p={p:.2}); a person should read it"
            ),
        });
    }
    if intents.contains(&Intent::OptOut) {
        let buying: Vec<&str> = intents
            .iter()
            .filter(|i| i.is_handoff())
            .map(|i| i.as_str())
            .collect();
        if !buying.is_empty() {
            return Some(Review {
                reason: ReviewReason::OptOutWithBuyingSignal,
                detail: format!(
                    "an opt-out together with {}: consent is revoked as asked; a person decides whether to answer",
                    buying.join(", ")
                ),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classification::Span;
    use crate::intent::Signal;

    #[test]
    fn an_unmatched_reply_with_text_needs_review() {
        let r = review("my cousin", &[Intent::Other], None, None, None);
        assert_eq!(r.map(|r| r.reason), Some(ReviewReason::NoRuleMatched));
    }

    #[test]
    fn an_empty_reply_needs_no_review() {
        assert_eq!(review("  ", &[Intent::Other], None, None, None), None);
    }

    #[test]
    fn a_possible_opt_out_needs_review_and_says_what_matched() {
        let cue = Explanation {
            label: Signal::PossibleOptOut,
            rule: "possible_opt_out.where_did_you_get".to_owned(),
            phrase: "who gave you my number".to_owned(),
            matched: "who gave you my number".to_owned(),
            span: Span { start: 0, end: 22 },
        };
        let r = review(
            "who gave you my number",
            &[Intent::Other],
            Some(&cue),
            None,
            None,
        );
        assert_eq!(
            r.as_ref().map(|r| r.reason),
            Some(ReviewReason::PossibleOptOut)
        );
        assert!(r.is_some_and(|r| r.detail.contains("who gave you my number")));
    }

    #[test]
    fn a_label_only_the_unsure_model_gave_needs_review() {
        let r = review("x", &[Intent::Service], None, Some(0.6), None);
        assert_eq!(r.map(|r| r.reason), Some(ReviewReason::LearnedModelUnsure));
        assert_eq!(review("x", &[Intent::Service], None, Some(0.9), None), None);
    }

    #[test]
    fn a_handoff_label_the_model_overruled_still_goes_to_a_person() {
        let r = review(
            "I'll come back when I'm ready",
            &[Intent::NotNow],
            None,
            None,
            Some("appointment (p=0.04)".to_owned()),
        );
        assert_eq!(
            r.as_ref().map(|r| r.reason),
            Some(ReviewReason::ModelOverruledRules)
        );
        assert!(r.is_some_and(|r| r.detail.contains("appointment (p=0.04)")));
    }

    #[test]
    fn an_opt_out_with_a_question_needs_review_but_a_plain_one_does_not() {
        let mixed = review(
            "x",
            &[Intent::OptOut, Intent::PricePayment],
            None,
            None,
            None,
        );
        assert_eq!(
            mixed.map(|r| r.reason),
            Some(ReviewReason::OptOutWithBuyingSignal)
        );
        assert_eq!(
            review(
                "x",
                &[Intent::OptOut, Intent::NotInterested],
                None,
                None,
                None
            ),
            None
        );
    }
}
