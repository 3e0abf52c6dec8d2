//! One person, one lead: what a new inquiry does when the same person is already known.
//!
//! Within a dealership, an inquiry whose phone (E.164) or e-mail matches an existing lead may be the
//! same person. [`decide_intake`] takes what is known of the matching lead, the inquiry and the
//! time, and decides, in this order:
//!
//! 1. Nobody matches: a new lead.
//! 2. Another first name on the same phone, and none of the inquiry's e-mails is the lead's: maybe
//!    another person (a family member, a recycled number). Nothing is merged and nothing re-opens;
//!    the inquiry is recorded on the lead and its owner gets a task to check.
//! 3. The inquiry is dated before the lead's last stage change (an old row in an aged list): it
//!    cannot say anything new about a lead that has moved on since. It is recorded on the timeline
//!    only: no contacts added, no enrollment, no stage change.
//! 4. The person opted out: never re-enrolled automatically; the inquiry goes to the owner as a task.
//! 5. A provider resend of an open lead merges; an open lead whose last inquiry is recent (the
//!    duplicate window, 30 days by default) merges too: no second cadence, owner kept.
//! 6. Otherwise the lead's follow-up re-opens under the inquiry's segment, with the reason recorded
//!    — unless an escalation on the lead is unacknowledged: a person is handling that conversation,
//!    so the inquiry merges and goes to the owner instead of restarting automation.
//!
//! The store only applies the decision; nothing here reads a database or the clock.

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
    /// The customer's name as the lead knows it: the first name, or the full name when only that
    /// is known. Compared by its first word.
    pub name: Option<String>,
    /// Whether one of the inquiry's e-mail addresses is a usable address of the lead.
    pub email_matches: bool,
    /// When the lead's stage last changed (its latest `stage_changed` event), if it ever did.
    pub last_stage_change_at: Option<Timestamp>,
    /// Whether an escalation on the lead is still unacknowledged (open or breached).
    pub open_escalation: bool,
}

/// What the decision needs to know of the new inquiry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InquiryFacts {
    /// When the inquiry was made, as the source says; `now` when it does not say.
    pub received_at: Option<Timestamp>,
    /// The customer's name as the inquiry gives it: the first name, or the full name when only
    /// that is given.
    pub name: Option<String>,
    /// The provider marked it a resend of an earlier inquiry.
    pub resend: bool,
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
    /// Record the inquiry on the lead's timeline and change nothing else: no contacts, no
    /// enrollment, no stage change, no task.
    Record {
        /// The lead.
        lead: LeadId,
        /// Why only recorded.
        reason: String,
    },
    /// Maybe another person on the lead's phone: record the inquiry on the lead and give its owner
    /// a task to check; nothing is merged and nothing re-opens.
    CheckPerson {
        /// The lead.
        lead: LeadId,
        /// Why it may be someone else.
        reason: String,
    },
}

impl IntakeDecision {
    /// The lead the inquiry lands on, unless it creates one.
    pub fn lead(&self) -> Option<LeadId> {
        match self {
            Self::Create => None,
            Self::Merge { lead, .. }
            | Self::Reopen { lead, .. }
            | Self::MergeForOwner { lead, .. }
            | Self::Record { lead, .. }
            | Self::CheckPerson { lead, .. } => Some(*lead),
        }
    }
}

/// The first word of a name, lower case, for comparing first names (`"Dana Reyes"` → `dana`).
pub fn first_name_key(name: &str) -> Option<String> {
    name.split_whitespace()
        .next()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
}

/// Decides what an inquiry does, given the best matching lead (see the module doc for the order of
/// the rules). `window_days` is the duplicate window; `now` stands in for an undated inquiry.
pub fn decide_intake(
    candidate: Option<&MatchCandidate>,
    inquiry: &InquiryFacts,
    window_days: u32,
    now: Timestamp,
) -> IntakeDecision {
    let Some(c) = candidate else {
        return IntakeDecision::Create;
    };
    let lead = c.lead;
    let received_at = inquiry.received_at.unwrap_or(now);
    let known = c.name.as_deref().and_then(first_name_key);
    let given = inquiry.name.as_deref().and_then(first_name_key);
    if let (Some(known), Some(given)) = (&known, &given) {
        if known != given && !c.email_matches {
            return IntakeDecision::CheckPerson {
                lead,
                reason: format!(
                    "another first name ({}) on the same {} as {}; check whether it is the same person",
                    inquiry.name.as_deref().unwrap_or_default().trim(),
                    c.matched_on,
                    c.name.as_deref().unwrap_or_default().trim(),
                ),
            };
        }
    }
    if let Some(changed) = c.last_stage_change_at.filter(|at| received_at < *at) {
        return IntakeDecision::Record {
            lead,
            reason: format!(
                "inquiry of {received_at} is older than the lead's last stage change ({changed}, now {}); recorded only ({})",
                c.stage, c.matched_on
            ),
        };
    }
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
    if inquiry.resend && !closed {
        return IntakeDecision::Merge {
            lead,
            reason: format!("provider resend of an existing inquiry ({})", c.matched_on),
        };
    }
    let reopen_reason = if closed {
        format!("new inquiry from a {} lead ({})", c.stage, c.matched_on)
    } else if !recent {
        format!(
            "new inquiry more than {window_days} days after the last one ({})",
            c.matched_on
        )
    } else if running {
        return IntakeDecision::Merge {
            lead,
            reason: format!("same person within {window_days} days ({})", c.matched_on),
        };
    } else {
        format!(
            "new inquiry after follow-up was {} ({})",
            c.status, c.matched_on
        )
    };
    if c.open_escalation {
        return IntakeDecision::Merge {
            lead,
            reason: format!(
                "{reopen_reason}, but an escalation on the lead is unacknowledged: the owner answers, follow-up does not reopen"
            ),
        };
    }
    IntakeDecision::Reopen {
        lead,
        reason: reopen_reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn now() -> Timestamp {
        "2026-12-01T15:00:00Z".parse().unwrap()
    }

    fn days_ago(days: i64) -> Timestamp {
        now() - (days * 24).hours()
    }

    /// The known lead: Dana, matched on her phone.
    fn candidate(stage: Stage, status: LeadStatus, last_inquiry_days_ago: i64) -> MatchCandidate {
        MatchCandidate {
            lead: LeadId(7),
            stage,
            status,
            opted_out: false,
            last_inquiry_at: days_ago(last_inquiry_days_ago),
            matched_on: "phone +13125550142".into(),
            name: Some("Dana".into()),
            email_matches: false,
            last_stage_change_at: None,
            open_escalation: false,
        }
    }

    /// An inquiry from Dana received now.
    fn from_dana() -> InquiryFacts {
        InquiryFacts {
            received_at: None,
            name: Some("Dana".into()),
            resend: false,
        }
    }

    fn action(d: &IntakeDecision) -> &'static str {
        match d {
            IntakeDecision::Create => "create",
            IntakeDecision::Merge { .. } => "merge",
            IntakeDecision::Reopen { .. } => "reopen",
            IntakeDecision::MergeForOwner { .. } => "owner",
            IntakeDecision::Record { .. } => "record",
            IntakeDecision::CheckPerson { .. } => "check",
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
        let c = MatchCandidate {
            opted_out,
            ..candidate(stage, status, days_ago)
        };
        let inquiry = InquiryFacts {
            resend,
            ..from_dana()
        };
        assert_eq!(
            action(&decide_intake(Some(&c), &inquiry, 30, now())),
            expected
        );
    }

    /// The lead's last stage change, the inquiry's date (days before now; `None`: undated) and
    /// whether an escalation is open: an inquiry older than the last stage change is only
    /// recorded, and nothing re-opens while a person is handling an escalation.
    #[rstest]
    // Lost 60 days ago; a row dated 120 days ago (before the loss) never reopens.
    #[case(Stage::Lost, Some(60), Some(120), false, "record")]
    // ... nor one dated a day before the loss.
    #[case(Stage::Lost, Some(60), Some(61), false, "record")]
    // Dated after the loss: a new inquiry from a lost lead reopens.
    #[case(Stage::Lost, Some(60), Some(10), false, "reopen")]
    // Undated (received now), after the loss: reopens.
    #[case(Stage::Lost, Some(60), None, false, "reopen")]
    // Dated at the very instant of the stage change: not before it.
    #[case(Stage::Sold, Some(0), None, false, "reopen")]
    // After the loss but an escalation is unacknowledged: merged for the owner, no reopen.
    #[case(Stage::Lost, Some(60), Some(10), true, "merge")]
    // Completed cadence, last inquiry long ago, escalation open: no reopen.
    #[case(Stage::Contacted, Some(40), None, true, "merge")]
    // Contacted 5 days ago; an inquiry dated 20 days ago is older than that: recorded only.
    #[case(Stage::Contacted, Some(5), Some(20), false, "record")]
    // Never changed stage: the date alone decides nothing.
    #[case(Stage::New, None, Some(45), false, "reopen")]
    fn stale_inquiries_and_open_escalations_never_reopen(
        #[case] stage: Stage,
        #[case] changed_days_ago: Option<i64>,
        #[case] received_days_ago: Option<i64>,
        #[case] open_escalation: bool,
        #[case] expected: &str,
    ) {
        let status = if matches!(stage, Stage::Sold | Stage::Lost) {
            LeadStatus::Stopped
        } else {
            LeadStatus::Completed
        };
        let c = MatchCandidate {
            last_stage_change_at: changed_days_ago.map(days_ago),
            open_escalation,
            ..candidate(stage, status, 200)
        };
        let inquiry = InquiryFacts {
            received_at: received_days_ago.map(days_ago),
            ..from_dana()
        };
        let decision = decide_intake(Some(&c), &inquiry, 30, now());
        assert_eq!(action(&decision), expected, "{decision:?}");
        assert_eq!(decision.lead(), Some(LeadId(7)));
    }

    /// The lead's name, the inquiry's name, whether an e-mail matched too, and what follows.
    #[rstest]
    #[case(Some("Dana"), Some("Maria"), false, "check")]
    #[case(Some("Dana"), Some("maria lopez"), false, "check")]
    #[case(Some("Dana Reyes"), Some("Maria"), false, "check")]
    // An e-mail of hers matches as well: the same person under another name (a nickname).
    #[case(Some("Dana"), Some("Maria"), true, "reopen")]
    #[case(Some("Dana"), Some("DANA"), false, "reopen")]
    #[case(Some("Dana"), Some("Dana R."), false, "reopen")]
    // A name missing on either side says nothing.
    #[case(None, Some("Maria"), false, "reopen")]
    #[case(Some("Dana"), None, false, "reopen")]
    #[case(Some("  "), Some("Maria"), false, "reopen")]
    fn another_first_name_on_the_same_phone_is_a_person_to_check(
        #[case] known: Option<&str>,
        #[case] given: Option<&str>,
        #[case] email_matches: bool,
        #[case] expected: &str,
    ) {
        let c = MatchCandidate {
            name: known.map(str::to_owned),
            email_matches,
            last_stage_change_at: Some(days_ago(60)),
            ..candidate(Stage::Lost, LeadStatus::Stopped, 90)
        };
        let inquiry = InquiryFacts {
            name: given.map(str::to_owned),
            ..from_dana()
        };
        assert_eq!(
            action(&decide_intake(Some(&c), &inquiry, 30, now())),
            expected
        );
    }

    #[test]
    fn the_reported_case_a_stranger_on_a_lost_customers_phone_with_an_old_date_is_checked_not_reopened(
    ) {
        // Dana was lost 60 days ago with her escalation still open; a CSV row for Maria on the same
        // phone, dated 150 days ago, arrives.
        let c = MatchCandidate {
            last_stage_change_at: Some(days_ago(60)),
            open_escalation: true,
            ..candidate(Stage::Lost, LeadStatus::Stopped, 90)
        };
        let inquiry = InquiryFacts {
            received_at: Some(days_ago(150)),
            name: Some("Maria".into()),
            resend: false,
        };
        let decision = decide_intake(Some(&c), &inquiry, 30, now());
        let IntakeDecision::CheckPerson { reason, .. } = &decision else {
            panic!("expected a person to check, got {decision:?}");
        };
        assert!(
            reason.contains("Maria") && reason.contains("Dana"),
            "{reason}"
        );
    }

    #[test]
    fn an_unknown_person_is_a_new_lead() {
        let inquiry = InquiryFacts {
            resend: true,
            ..from_dana()
        };
        assert_eq!(
            decide_intake(None, &inquiry, 30, now()),
            IntakeDecision::Create
        );
    }

    #[rstest]
    #[case("Dana", Some("dana"))]
    #[case("  María José ", Some("maría"))]
    #[case("O'Neil", Some("o'neil"))]
    #[case("\"Dana\"", Some("dana"))]
    #[case("", None)]
    #[case(" - ", None)]
    fn first_names_compare_by_their_first_word(#[case] name: &str, #[case] key: Option<&str>) {
        assert_eq!(first_name_key(name).as_deref(), key);
    }
}
