//! Whose turn it is in a lead's conversation, and whether automation may speak.
//!
//! After a hand-off the cadence is paused for a person. When the silence timer fires, automation
//! may resume only if nobody is owed an answer: an unacknowledged escalation, or a customer message
//! that no person has answered, means a human conversation is still open, and an automated
//! "Would a weekday evening or Saturday morning be easier?" would talk over it.

use jiff::Timestamp;
use serde::Serialize;

/// What the store knows of a lead's conversation when a resume timer fires.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConversationFacts {
    /// An escalation on the lead is open or breached (not acknowledged).
    pub open_escalation: bool,
    /// The customer's latest text or call.
    pub last_customer_at: Option<Timestamp>,
    /// The latest answer by a person: a reply or call task completed, a connected call logged, a
    /// message sent by a staff member.
    pub last_person_at: Option<Timestamp>,
}

impl ConversationFacts {
    /// Since when the customer has been waiting on us, if they spoke last.
    pub fn waiting_since(&self) -> Option<Timestamp> {
        match (self.last_customer_at, self.last_person_at) {
            (Some(c), Some(p)) if p >= c => None,
            (c, _) => c,
        }
    }
}

/// Whether a paused lead's automation may resume after the customer's silence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum ResumeDecision {
    /// Nobody is owed an answer: resume.
    Resume,
    /// A person still owes the customer an answer: keep automation quiet, try again later and tell
    /// the manager the lead is going cold.
    NotYet {
        /// Why, for the timeline.
        reason: String,
    },
}

/// Decides a resume from the conversation's facts.
pub fn decide_resume(facts: &ConversationFacts) -> ResumeDecision {
    if facts.open_escalation {
        return ResumeDecision::NotYet {
            reason: "an escalation on the lead is still unacknowledged".into(),
        };
    }
    if let Some(since) = facts.waiting_since() {
        return ResumeDecision::NotYet {
            reason: format!("the customer's message of {since} has not been answered by a person"),
        };
    }
    ResumeDecision::Resume
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Option<Timestamp> {
        Some(s.parse().expect("instant"))
    }

    #[test]
    fn automation_resumes_only_when_nobody_is_owed_an_answer() {
        let t1 = at("2026-12-01T15:00:00Z");
        let t2 = at("2026-12-01T16:00:00Z");
        // (open escalation, customer spoke, person answered, resumes)
        let cases = [
            (false, None, None, true),
            (false, t1, t2, true),
            (false, t2, t2, true),
            (false, t2, t1, false),
            (false, t1, None, false),
            (true, t1, t2, false),
            (true, None, None, false),
        ];
        for (open_escalation, last_customer_at, last_person_at, resumes) in cases {
            let facts = ConversationFacts {
                open_escalation,
                last_customer_at,
                last_person_at,
            };
            assert_eq!(
                decide_resume(&facts) == ResumeDecision::Resume,
                resumes,
                "{facts:?}"
            );
        }
    }
}
