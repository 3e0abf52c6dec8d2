//! Whether a person's stop, pause or resume may change a lead's follow-up, decided from the lead's
//! state alone.
//!
//! The engine asks [`decide_follow_up`] before it builds the change set; the store only applies
//! the result (guarded, so a lead that moved meanwhile is left as it is). The refusals' wording is
//! what the API answers with a 409.

use std::fmt;

use crate::LeadStatus;

/// What a lead's follow-up looks like when a person acts on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowUpState {
    /// The follow-up's status.
    pub status: LeadStatus,
    /// The lead opted out (nothing may ever be sent to it again).
    pub opted_out: bool,
}

/// A person's (or the opt-out path's) action on a lead's follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUpAction {
    /// End it; with `opt_out` the lead is also marked opted out, even if it had already ended.
    Stop {
        /// Mark the lead opted out.
        opt_out: bool,
    },
    /// Hold it until resumed.
    Pause,
    /// Take it up again from the held touches.
    Resume,
}

/// Why an action cannot change the follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUpRefusal {
    /// Stop on a follow-up that already ended (or on an opted-out lead).
    AlreadyEnded(FollowUpState),
    /// Pause on a follow-up that is not active.
    NotActive(LeadStatus),
    /// Resume on a follow-up that is not paused.
    NotPaused(LeadStatus),
    /// Resume on an opted-out lead.
    OptedOut,
}

impl fmt::Display for FollowUpRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AlreadyEnded(state) => write!(
                f,
                "follow-up is already {}{}",
                state.status,
                if state.opted_out {
                    " and the lead opted out"
                } else {
                    ""
                }
            ),
            Self::NotActive(status) => write!(f, "follow-up is {status}, not active"),
            Self::NotPaused(status) => write!(f, "follow-up is {status}, not paused"),
            Self::OptedOut => f.write_str("the lead opted out; follow-up cannot resume"),
        }
    }
}

/// Decides whether `action` may change a follow-up in `state`.
pub fn decide_follow_up(
    state: FollowUpState,
    action: FollowUpAction,
) -> Result<(), FollowUpRefusal> {
    let running = matches!(state.status, LeadStatus::Active | LeadStatus::Paused);
    match action {
        FollowUpAction::Stop { opt_out } => {
            if state.opted_out || (!running && !opt_out) {
                return Err(FollowUpRefusal::AlreadyEnded(state));
            }
        }
        FollowUpAction::Pause => {
            if state.status != LeadStatus::Active {
                return Err(FollowUpRefusal::NotActive(state.status));
            }
        }
        FollowUpAction::Resume => {
            if state.status != LeadStatus::Paused {
                return Err(FollowUpRefusal::NotPaused(state.status));
            }
            if state.opted_out {
                return Err(FollowUpRefusal::OptedOut);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use FollowUpAction::{Pause, Resume, Stop};
    use LeadStatus::{Active, Completed, Paused, Stopped};

    fn state(status: LeadStatus, opted_out: bool) -> FollowUpState {
        FollowUpState { status, opted_out }
    }

    #[rstest]
    #[case::stop_active(state(Active, false), Stop { opt_out: false }, true)]
    #[case::stop_paused(state(Paused, false), Stop { opt_out: false }, true)]
    #[case::stop_stopped(state(Stopped, false), Stop { opt_out: false }, false)]
    #[case::stop_completed(state(Completed, false), Stop { opt_out: false }, false)]
    // An opt-out still marks a lead whose cadence already ended: nothing may reach it again.
    #[case::opt_out_completed(state(Completed, false), Stop { opt_out: true }, true)]
    #[case::opt_out_stopped(state(Stopped, false), Stop { opt_out: true }, true)]
    #[case::opt_out_twice(state(Stopped, true), Stop { opt_out: true }, false)]
    #[case::stop_opted_out(state(Active, true), Stop { opt_out: false }, false)]
    #[case::pause_active(state(Active, false), Pause, true)]
    #[case::pause_paused(state(Paused, false), Pause, false)]
    #[case::pause_stopped(state(Stopped, false), Pause, false)]
    #[case::resume_paused(state(Paused, false), Resume, true)]
    #[case::resume_active(state(Active, false), Resume, false)]
    #[case::resume_completed(state(Completed, false), Resume, false)]
    #[case::resume_opted_out(state(Paused, true), Resume, false)]
    fn a_follow_up_changes_only_from_the_states_that_allow_it(
        #[case] state: FollowUpState,
        #[case] action: FollowUpAction,
        #[case] allowed: bool,
    ) {
        assert_eq!(decide_follow_up(state, action).is_ok(), allowed);
    }

    #[test]
    fn a_refusal_says_what_the_follow_up_is() {
        let refusal = decide_follow_up(state(Active, true), Stop { opt_out: false });
        assert_eq!(
            refusal.map_err(|r| r.to_string()),
            Err("follow-up is already active and the lead opted out".to_owned())
        );
        let refusal = decide_follow_up(state(Completed, false), Pause);
        assert_eq!(
            refusal.map_err(|r| r.to_string()),
            Err("follow-up is completed, not active".to_owned())
        );
    }
}
