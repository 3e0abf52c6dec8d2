//! Timers a hand-off starts, and what each does when it fires.
//!
//! - `resume_after_silence`: if the customer said nothing since the hand-off, automation resumes —
//!   unless a person still owes the customer an answer (an unacknowledged escalation, or the
//!   customer's message left unanswered): then the timer re-arms, the timeline says why, and the
//!   manager hears the lead is going cold.
//! - `going_cold`: if nobody on staff did anything on the lead since the hand-off, the manager is
//!   alerted.
//!
//! A timer whose reason went away does nothing (an empty list of changes).

use jiff::Timestamp;

use super::alerts::going_cold_alert;
use super::change::Change;
use super::payload::NewEvent;
use super::state::LeadState;
use super::{later, staff, Rules, TimerKind};
use crate::config::ConversationRules;
use crate::conversation::{decide_resume, ResumeDecision};
use crate::timeline::ResumeHeldBack;
use crate::{LeadStatus, TimelineEvent};

/// The timers a hand-off starts, as changes of the reply's set.
pub fn handoff_timers(rules: &ConversationRules, now: Timestamp) -> Vec<Change> {
    vec![
        Change::Timer {
            kind: TimerKind::ResumeAfterSilence.as_str().into(),
            due_at: later(now, i64::from(rules.resume_after_silence_days) * 24),
        },
        Change::Timer {
            kind: TimerKind::GoingCold.as_str().into(),
            due_at: later(now, i64::from(rules.going_cold_hours)),
        },
    ]
}

/// The nurture timer a "not now" starts, when a nurture cadence is configured.
pub fn nurture_timer(rules: &ConversationRules, now: Timestamp) -> Vec<Change> {
    if rules.nurture_cadence.is_none() {
        return Vec::new();
    }
    vec![Change::Timer {
        kind: "nurture".into(),
        due_at: later(now, i64::from(rules.not_now_delay_days) * 24),
    }]
}

/// What a timer set at `set_at` does when it fires at `now`.
pub(super) fn fired(
    state: &LeadState,
    kind: TimerKind,
    set_at: Timestamp,
    rules: &Rules<'_>,
    now: Timestamp,
) -> Result<Vec<Change>, super::Refusal> {
    match kind {
        TimerKind::ResumeAfterSilence => Ok(resume_after_silence(state, set_at, rules, now)),
        TimerKind::GoingCold => Ok(going_cold(state, set_at, rules, now)),
        TimerKind::NoShow => super::no_show::fired(state, rules, now),
    }
}

fn resume_after_silence(
    state: &LeadState,
    set_at: Timestamp,
    rules: &Rules<'_>,
    now: Timestamp,
) -> Vec<Change> {
    let spoke_since = state
        .conversation
        .last_customer_at
        .is_some_and(|at| at > set_at);
    if state.status != LeadStatus::Paused || state.opted_out || spoke_since {
        return Vec::new();
    }
    let days = rules.config.conversations.resume_after_silence_days;
    if let ResumeDecision::NotYet { reason } = decide_resume(&state.conversation) {
        // A person owes the customer an answer: automation stays quiet, the timer re-arms, and
        // the manager hears the lead is going cold.
        let again = later(now, i64::from(days) * 24);
        let text = format!("{reason}; automated follow-up stays paused until someone answers");
        let mut changes = vec![
            Change::Timer {
                kind: TimerKind::ResumeAfterSilence.as_str().into(),
                due_at: again,
            },
            Change::Events(vec![NewEvent::new(
                now,
                TimelineEvent::ResumeHeldBack(ResumeHeldBack {
                    reason,
                    retry_at: again,
                }),
            )]),
        ];
        changes.extend(going_cold_alert(rules.config, state, &text, now).map(Change::Enqueue));
        return changes;
    }
    let reason = format!(
        "no word from the customer for {days} days after the hand-off; automated follow-up resumes"
    );
    // A follow-up that cannot resume (no legal hour left) stays paused: nothing to do.
    staff::resume(state, &reason, "keepwarm", rules, now).unwrap_or_default()
}

fn going_cold(
    state: &LeadState,
    set_at: Timestamp,
    rules: &Rules<'_>,
    now: Timestamp,
) -> Vec<Change> {
    let over = matches!(state.status, LeadStatus::Stopped | LeadStatus::Completed);
    let acted_since = state.last_staff_action_at.is_some_and(|at| at > set_at);
    if over || state.opted_out || acted_since {
        return Vec::new();
    }
    let hours = rules.config.conversations.going_cold_hours;
    let text = format!(
        "handed to {} {hours} h ago and nobody has touched it since",
        state.owner
    );
    going_cold_alert(rules.config, state, &text, now)
        .map(Change::Enqueue)
        .into_iter()
        .collect()
}
