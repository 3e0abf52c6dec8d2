//! One person, one lead: what a new inquiry does when the same person is already known.
//!
//! Within a dealership, an inquiry whose phone (E.164) or e-mail matches an existing lead is the same
//! person. If that lead is open and its last inquiry is recent (the duplicate window, 30 days by
//! default) — or the provider marked the inquiry a resend — the inquiry merges into it: no second
//! cadence, owner kept. Otherwise the existing lead's follow-up re-opens under the segment the new
//! inquiry belongs to, with the reason recorded. A person who opted out is never re-enrolled
//! automatically; their inquiry goes to the owner as a task.

use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::lead::{LeadId, LeadStatus, Stage};

/// An existing lead that matches a new inquiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchCandidate {
    /// The lead.
    pub lead: LeadId,
    /// Its stage.
    pub stage: Stage,
    /// Its follow-up status.
    pub status: LeadStatus,
    /// Whether it opted out.
    pub opted_out: bool,
    /// Its latest inquiry (its own, or the latest merged into it).
    pub last_inquiry_at: Timestamp,
    /// What matched (`phone +13125550142`, `email dana@example.com`).
    pub matched_on: String,
}

/// What to do with an inquiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum IntakeDecision {
    /// Nobody matches: a new lead.
    Create,
    /// Merge into the lead; its follow-up goes on as it is.
    Merge {
        /// The lead.
        lead: LeadId,
        /// Why it is the same person.
        reason: String,
    },
    /// Merge into the lead and start follow-up again under the inquiry's segment.
    Reopen {
        /// The lead.
        lead: LeadId,
        /// Why follow-up starts again.
        reason: String,
    },
    /// Merge into the lead without automated follow-up (the person opted out); a person decides.
    MergeForOwner {
        /// The lead.
        lead: LeadId,
        /// Why no automation.
        reason: String,
    },
}

/// Decides what an inquiry received at `received_at` does, given the best matching lead.
pub fn decide_intake(
    candidate: Option<&MatchCandidate>,
    received_at: Timestamp,
    window_days: u32,
    resend: bool,
) -> IntakeDecision {
    let Some(c) = candidate else {
        return IntakeDecision::Create;
    };
    let lead = c.lead;
    if c.opted_out {
        return IntakeDecision::MergeForOwner {
            lead,
            reason: format!(
                "same person ({}) opted out; no automated follow-up",
                c.matched_on
            ),
        };
    }
    let window_start = received_at
        .checked_sub((window_days as i64 * 24).hours())
        .unwrap_or(received_at);
    let recent = c.last_inquiry_at >= window_start;
    let closed = matches!(c.stage, Stage::Sold | Stage::Lost);
    let running = matches!(c.status, LeadStatus::Active | LeadStatus::Paused);
    if resend && !closed {
        return IntakeDecision::Merge {
            lead,
            reason: format!("provider resend of an existing inquiry ({})", c.matched_on),
        };
    }
    if closed {
        return IntakeDecision::Reopen {
            lead,
            reason: format!("new inquiry from a {} lead ({})", c.stage, c.matched_on),
        };
    }
    if !recent {
        return IntakeDecision::Reopen {
            lead,
            reason: format!(
                "new inquiry more than {window_days} days after the last one ({})",
                c.matched_on
            ),
        };
    }
    if running {
        IntakeDecision::Merge {
            lead,
            reason: format!("same person within {window_days} days ({})", c.matched_on),
        }
    } else {
        IntakeDecision::Reopen {
            lead,
            reason: format!(
                "new inquiry after follow-up was {} ({})",
                c.status, c.matched_on
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn now() -> Timestamp {
        "2026-12-01T15:00:00Z".parse().unwrap()
    }

    fn candidate(
        stage: Stage,
        status: LeadStatus,
        opted_out: bool,
        days_ago: i64,
    ) -> MatchCandidate {
        MatchCandidate {
            lead: LeadId(7),
            stage,
            status,
            opted_out,
            last_inquiry_at: now() - (days_ago * 24).hours(),
            matched_on: "phone +13125550142".into(),
        }
    }

    fn action(d: &IntakeDecision) -> &'static str {
        match d {
            IntakeDecision::Create => "create",
            IntakeDecision::Merge { .. } => "merge",
            IntakeDecision::Reopen { .. } => "reopen",
            IntakeDecision::MergeForOwner { .. } => "owner",
        }
    }

    #[rstest]
    #[case(Stage::New, LeadStatus::Active, false, 0, false, "merge")]
    #[case(Stage::Contacted, LeadStatus::Paused, false, 29, false, "merge")]
    #[case(Stage::New, LeadStatus::Active, false, 31, false, "reopen")]
    #[case(Stage::New, LeadStatus::Active, false, 31, true, "merge")]
    #[case(Stage::New, LeadStatus::Completed, false, 20, false, "reopen")]
    #[case(Stage::Sold, LeadStatus::Stopped, false, 2, false, "reopen")]
    #[case(Stage::Lost, LeadStatus::Stopped, false, 2, true, "reopen")]
    #[case(Stage::New, LeadStatus::Stopped, true, 1, false, "owner")]
    fn inquiries_from_known_people_are_decided(
        #[case] stage: Stage,
        #[case] status: LeadStatus,
        #[case] opted_out: bool,
        #[case] days_ago: i64,
        #[case] resend: bool,
        #[case] expected: &str,
    ) {
        let c = candidate(stage, status, opted_out, days_ago);
        assert_eq!(
            action(&decide_intake(Some(&c), now(), 30, resend)),
            expected
        );
    }

    #[test]
    fn an_unknown_person_is_a_new_lead() {
        assert_eq!(decide_intake(None, now(), 30, true), IntakeDecision::Create);
    }
}
