//! Timers a hand-off starts, and what each does when it fires.
//!
//! - `resume_after_silence`: if the customer said nothing since the hand-off, automation resumes —
//!   unless a person still owes the customer an answer (an unacknowledged escalation, or the
//!   customer's message left unanswered): then the timer re-arms, the timeline says why, and the
//!   manager hears the lead is going cold.
//! - `going_cold`: if nobody on staff did anything on the lead since the hand-off, the manager is
//!   alerted.
//! - `nurture`: after "not now" and the configured delay with no word from the customer, the paused
//!   lead is enrolled in the long-term nurture cadence — unless an escalation on it is still
//!   unacknowledged: then, as for a resume, the timer re-arms and the manager hears the lead is
//!   going cold (defect 2: automation never talks over a question nobody took).
//!
//! A timer whose reason went away does nothing (an empty list of changes).

use jiff::Timestamp;

use super::alerts::going_cold_alert;
use super::change::Change;
use super::enroll::{plan_enrollment, Enrolling};
use super::payload::{NewEvent, Reopening};
use super::state::LeadState;
use super::{later, staff, Refusal, Rules, TimerKind};
use crate::config::ConversationRules;
use crate::conversation::{decide_resume, ResumeDecision};
use crate::timeline::{NurtureEnrolled, ResumeHeldBack};
use crate::{LeadStatus, PhoneNumber, TimelineEvent};

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

/// A person talking with the customer (a text or e-mail they sent, a call they answered or made
/// that connected) pauses an active lead's automation until the conversation goes quiet: a pause
/// with `reason` by `actor`, and the `resume_after_silence` timer. Nothing for a lead that is not
/// active (already paused, stopped, completed).
pub fn talking_pause(
    lead: crate::LeadId,
    status: LeadStatus,
    reason: String,
    actor: &str,
    rules: &ConversationRules,
    now: Timestamp,
) -> Vec<Change> {
    if status != LeadStatus::Active {
        return Vec::new();
    }
    vec![
        Change::Pause {
            lead,
            reason,
            actor: actor.to_owned(),
        },
        Change::Timer {
            kind: TimerKind::ResumeAfterSilence.as_str().into(),
            due_at: later(now, i64::from(rules.resume_after_silence_days) * 24),
        },
    ]
}

/// The nurture timer a "not now" starts, when a nurture cadence is configured.
pub fn nurture_timer(rules: &ConversationRules, now: Timestamp) -> Vec<Change> {
    if rules.nurture_cadence.is_none() {
        return Vec::new();
    }
    vec![Change::Timer {
        kind: TimerKind::Nurture.as_str().into(),
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
) -> Result<Vec<Change>, Refusal> {
    match kind {
        TimerKind::ResumeAfterSilence => Ok(resume_after_silence(state, set_at, rules, now)),
        TimerKind::GoingCold => Ok(going_cold(state, set_at, rules, now)),
        TimerKind::NoShow => super::no_show::fired(state, rules, now),
        TimerKind::Nurture => nurture(state, set_at, rules, now),
    }
}

/// Whether the customer wrote or called after `set_at`.
fn spoke_since(state: &LeadState, set_at: Timestamp) -> bool {
    state
        .conversation
        .last_customer_at
        .is_some_and(|at| at > set_at)
}

fn resume_after_silence(
    state: &LeadState,
    set_at: Timestamp,
    rules: &Rules<'_>,
    now: Timestamp,
) -> Vec<Change> {
    if state.status != LeadStatus::Paused || state.opted_out || spoke_since(state, set_at) {
        return Vec::new();
    }
    let days = rules.config.conversations.resume_after_silence_days;
    if let ResumeDecision::NotYet { reason } = decide_resume(&state.conversation) {
        return held_back(state, TimerKind::ResumeAfterSilence, reason, rules, now);
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

/// A person owes the customer an answer: automation stays quiet, the timer `kind` re-arms after
/// `resume_after_silence_days`, the timeline says why, and the manager hears the lead is going cold.
///
/// Once a cycle: when another timer of the lead (the silence timer and the nurture timer may both
/// wait on the same answer) already held it back within the cycle, this one only re-arms for the
/// end of that cycle, so both fire together and the manager hears once. Two workers firing both at
/// the same instant queue the alert under one dedupe key, so the second is dropped.
fn held_back(
    state: &LeadState,
    kind: TimerKind,
    reason: String,
    rules: &Rules<'_>,
    now: Timestamp,
) -> Vec<Change> {
    let hours = i64::from(rules.config.conversations.resume_after_silence_days) * 24;
    if let Some(cycle_end) = state.last_held_back_at.map(|t| later(t, hours)) {
        if now < cycle_end {
            return vec![Change::Timer {
                kind: kind.as_str().into(),
                due_at: cycle_end,
            }];
        }
    }
    let again = later(now, hours);
    let text = format!("{reason}; automated follow-up stays paused until someone answers");
    let mut changes = vec![
        Change::Timer {
            kind: kind.as_str().into(),
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
    let since = state
        .last_held_back_at
        .map_or_else(|| "never".to_owned(), |t| t.to_string());
    changes.extend(
        going_cold_alert(rules.config, state, &text, now).map(|mut alert| {
            alert.dedupe_key = Some(format!("held-back:{}:after:{since}", state.id));
            Change::Enqueue(alert)
        }),
    );
    changes
}

/// The `nurture` timer: the paused lead moves to the long-term nurture cadence.
fn nurture(
    state: &LeadState,
    set_at: Timestamp,
    rules: &Rules<'_>,
    now: Timestamp,
) -> Result<Vec<Change>, Refusal> {
    let config = rules.config;
    let Some(cadence) = config.conversations.nurture_cadence.as_deref() else {
        return Ok(Vec::new());
    };
    if state.status != LeadStatus::Paused || state.opted_out || spoke_since(state, set_at) {
        return Ok(Vec::new());
    }
    // "Not now" itself needs no answer; a hot question before it that nobody took does.
    if state.escalation_open() {
        let reason = "an escalation on the lead is still unacknowledged".to_owned();
        return Ok(held_back(state, TimerKind::Nurture, reason, rules, now));
    }
    let dealership = config
        .dealership(Some(&state.dealership))
        .ok_or(Refusal::Unplaced)?;
    let phone = state
        .phone
        .as_deref()
        .and_then(|p| PhoneNumber::parse(p, "US").ok());
    let enrolling = Enrolling {
        segment: &state.segment,
        cadence: Some(cadence),
        owner: &state.owner,
        document: &state.document,
        phone: phone.as_ref(),
        reachable: phone.is_some() || state.email.is_some(),
        dealership,
        received_at: now,
        skip_day_zero: None,
    };
    let planned = plan_enrollment(&enrolling, config, rules.cadences, now)?;
    let mut events = vec![NewEvent::new(
        now,
        TimelineEvent::NurtureEnrolled(NurtureEnrolled {
            cadence: cadence.to_owned(),
            reason: "the customer said not now".into(),
        }),
    )];
    events.extend(planned.events);
    let mut changes = vec![
        Change::Events(events),
        Change::Reopen(Box::new(Reopening {
            segment: state.segment.clone(),
            segment_rule: state.segment_rule.clone(),
            owner: state.owner.clone(),
            status: planned.status,
            reset_stage: false,
            end_reason: "moved to long-term nurture after \"not now\"".into(),
            enrollment: planned.enrollment,
        })),
    ];
    changes.extend(planned.tasks.into_iter().map(Change::Task));
    Ok(changes)
}
