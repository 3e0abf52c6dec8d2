//! The follow-up state machine: what happens to a due touch, and what comes after it.
//!
//! The driver (keepwarm-engine) asks [`decide_due_touch`] at send time, with the lead's state as it is
//! *then* — a reply, an opt-out or a stage change may have landed since the touch was scheduled — and
//! carries out the answer. [`after_step`] says what the enrollment does once a step is finished.
//! Both are plain functions over plain data, tested with case tables.

use serde::{Deserialize, Serialize};

use crate::cadence::{Cadence, Channel};
use crate::lead::{LeadStatus, Stage};

/// What the engine knows about a lead when one of its touches falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeadState {
    /// The follow-up status.
    pub status: LeadStatus,
    /// The stage.
    pub stage: Stage,
    /// Whether the customer opted out of everything.
    pub opted_out: bool,
    /// Whether the lead has a usable phone number.
    pub has_phone: bool,
    /// Whether the lead has a usable e-mail address.
    pub has_email: bool,
    /// The stage at which the touch's cadence has no more work ([`crate::cadence::Anchor::ends_at`]).
    pub cadence_ends_at: Stage,
}

/// What to do with a due touch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum DueDecision {
    /// Render and send it.
    Send,
    /// Do not send this step, and go on to the next one.
    Skip {
        /// Why.
        reason: String,
    },
    /// Do not send; the lead's follow-up is paused and the touch waits for a resume.
    Hold,
    /// Do not send, and end the enrollment.
    End {
        /// The status the lead's follow-up ends in.
        status: LeadStatus,
        /// Why.
        reason: String,
    },
}

/// Decides a due touch on `channel` for a lead in `lead` state.
pub fn decide_due_touch(lead: &LeadState, channel: Channel) -> DueDecision {
    if lead.opted_out {
        return DueDecision::End {
            status: LeadStatus::Stopped,
            reason: "opted out".into(),
        };
    }
    match lead.status {
        LeadStatus::Stopped | LeadStatus::Completed => {
            return DueDecision::End {
                status: lead.status,
                reason: format!("follow-up already {}", lead.status),
            }
        }
        LeadStatus::Paused => return DueDecision::Hold,
        LeadStatus::Active => {}
    }
    if lead.stage >= lead.cadence_ends_at {
        return DueDecision::End {
            status: LeadStatus::Stopped,
            reason: format!("stage is {}", lead.stage),
        };
    }
    let reachable = if channel.needs_phone() {
        lead.has_phone
    } else {
        lead.has_email
    };
    if !reachable {
        let missing = if channel.needs_phone() {
            "phone number"
        } else {
            "e-mail address"
        };
        return DueDecision::Skip {
            reason: format!("no usable {missing} for a {channel} step"),
        };
    }
    DueDecision::Send
}

/// What an enrollment does after finishing (sending or skipping) step `index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterStep {
    /// Plan step `n` next.
    Next(usize),
    /// That was the last step: the cadence is complete.
    Complete,
}

/// The step after `index` in `cadence`.
pub fn after_step(cadence: &Cadence, index: usize) -> AfterStep {
    if index + 1 < cadence.steps.len() {
        AfterStep::Next(index + 1)
    } else {
        AfterStep::Complete
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn lead(status: LeadStatus, stage: Stage, opted_out: bool) -> LeadState {
        LeadState {
            status,
            stage,
            opted_out,
            has_phone: true,
            has_email: false,
            cadence_ends_at: Stage::AppointmentSet,
        }
    }

    fn appointment_lead(stage: Stage) -> LeadState {
        LeadState {
            cadence_ends_at: Stage::Showed,
            ..lead(LeadStatus::Active, stage, false)
        }
    }

    #[rstest]
    #[case(Stage::AppointmentSet, DueDecision::Send)]
    #[case(Stage::Showed, end(LeadStatus::Stopped, "stage is showed"))]
    #[case(Stage::Lost, end(LeadStatus::Stopped, "stage is lost"))]
    fn appointment_reminders_go_out_until_the_customer_shows(
        #[case] stage: Stage,
        #[case] expected: DueDecision,
    ) {
        assert_eq!(
            decide_due_touch(&appointment_lead(stage), Channel::Sms),
            expected
        );
    }

    fn end(status: LeadStatus, reason: &str) -> DueDecision {
        DueDecision::End {
            status,
            reason: reason.into(),
        }
    }

    #[rstest]
    #[case(
        lead(LeadStatus::Active, Stage::New, false),
        Channel::Sms,
        DueDecision::Send
    )]
    #[case(
        lead(LeadStatus::Active, Stage::Contacted, false),
        Channel::Call,
        DueDecision::Send
    )]
    #[case(
        lead(LeadStatus::Active, Stage::New, true),
        Channel::Sms,
        end(LeadStatus::Stopped, "opted out")
    )]
    #[case(
        lead(LeadStatus::Paused, Stage::New, false),
        Channel::Sms,
        DueDecision::Hold
    )]
    #[case(
        lead(LeadStatus::Paused, Stage::New, true),
        Channel::Sms,
        end(LeadStatus::Stopped, "opted out")
    )]
    #[case(
        lead(LeadStatus::Stopped, Stage::New, false),
        Channel::Sms,
        end(LeadStatus::Stopped, "follow-up already stopped")
    )]
    #[case(
        lead(LeadStatus::Active, Stage::AppointmentSet, false),
        Channel::Sms,
        end(LeadStatus::Stopped, "stage is appointment_set")
    )]
    #[case(
        lead(LeadStatus::Active, Stage::Sold, false),
        Channel::Email,
        end(LeadStatus::Stopped, "stage is sold")
    )]
    #[case(lead(LeadStatus::Active, Stage::New, false), Channel::Email, DueDecision::Skip { reason: "no usable e-mail address for a email step".into() })]
    fn due_touches_are_decided(
        #[case] state: LeadState,
        #[case] channel: Channel,
        #[case] expected: DueDecision,
    ) {
        assert_eq!(decide_due_touch(&state, channel), expected);
    }

    #[test]
    fn the_last_step_completes_the_cadence() {
        let cadence = Cadence {
            name: "c".into(),
            label: None,
            anchor: crate::cadence::Anchor::Received,
            steps: vec![
                crate::cadence::Step {
                    day: 0,
                    channel: Channel::Sms,
                    block: "a".into(),
                    at: None,
                    mode: None,
                    before: None,
                },
                crate::cadence::Step {
                    day: 1,
                    channel: Channel::Sms,
                    block: "b".into(),
                    at: None,
                    mode: None,
                    before: None,
                },
            ],
        };
        assert_eq!(after_step(&cadence, 0), AfterStep::Next(1));
        assert_eq!(after_step(&cadence, 1), AfterStep::Complete);
    }
}
