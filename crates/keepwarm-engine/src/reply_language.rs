//! The language a customer's replies set: when the lead document names no language of its own, a
//! reply written in another language than the one the lead is written to switches the following
//! touches and confirmations to it, recorded on the timeline (`language_changed`). Staff-facing
//! messages are not affected: staff get their own language.
//!
//! The decision is keepwarm-domain's `reply_language_change`; this module only reads the lead and
//! returns the changes for the reply's change set.

use jiff::Timestamp;
use keepwarm_classify::Classification;
use keepwarm_domain::language::reply_language_change;
use keepwarm_domain::lead::LeadInput;
use keepwarm_domain::timeline::LanguageChanged;
use keepwarm_domain::TimelineEvent;
use keepwarm_store::{Change, LeadRow, NewEvent};

use crate::context::language_for;
use crate::Engine;

impl Engine {
    /// The changes a reply makes to the lead's language: none, or the new reply language and the
    /// event saying so.
    pub(crate) fn plan_reply_language(
        &self,
        lead: &LeadRow,
        reply: &str,
        classification: Option<&Classification>,
        now: Timestamp,
    ) -> Vec<Change> {
        let Some(classification) = classification else {
            return Vec::new();
        };
        let config = self.config();
        let Some(dealership) = config.dealership(Some(&lead.dealership)) else {
            return Vec::new();
        };
        let input: LeadInput = serde_json::from_value(lead.payload.clone()).unwrap_or_default();
        let current = language_for(&input, config, dealership, &self.classifier);
        let Some(to) = reply_language_change(
            &input,
            reply,
            classification.language.as_str(),
            &current,
            &config.languages(),
        ) else {
            return Vec::new();
        };
        vec![
            Change::SetReplyLanguage {
                language: to.clone(),
            },
            Change::Events(vec![NewEvent::new(
                now,
                TimelineEvent::LanguageChanged(LanguageChanged {
                    from: current,
                    to,
                    words: reply.trim().to_owned(),
                }),
            )]),
        ]
    }
}
