//! Follow-up timers: what a reply sets in motion for later.
//!
//! - `resume_after_silence`: after a hand-off the cadence stays paused; if the customer says nothing
//!   more for the configured days, automation resumes where it stopped.
//! - `nurture`: a "not now" reply pauses follow-up; after the configured delay (and no word from the
//!   customer meanwhile) the lead is re-enrolled in the long-term nurture cadence.
//! - `going_cold`: after a hand-off, if nobody on staff does anything on the lead for the configured
//!   hours, the team's manager is alerted.
//! - `no_show`: at an appointment's end plus the grace period, an appointment with no show recorded
//!   is marked missed and the no-show recovery cadence starts.
//!
//! Each timer fires once; when it fires it re-checks the lead, so a timer whose reason went away does
//! nothing. What each does is decided by the lead state machine ([`keepwarm_domain::machine`],
//! `timers.rs`, `no_show.rs`); this worker only claims them and drives the lead through it.

use jiff::Timestamp;
use keepwarm_domain::machine::{Event, TimerKind};
use keepwarm_domain::TimelineEvent;
use keepwarm_store::{LeadRow, TimerRow};

use crate::{Engine, EngineError, Result};

impl Engine {
    /// Fires every timer due at `now`; returns how many did something.
    ///
    /// Timers are claimed with a lease and marked fired once their work is done. A worker that dies
    /// in between leaves the timer to fire again after the lease: each handler re-checks the lead
    /// (a resumed lead is not resumed twice), so a timer's work happens at least once and its
    /// visible effects once.
    pub(crate) async fn run_due_timers(&self, now: Timestamp) -> Result<usize> {
        let lease_until = self.role.queue_lease_until(now);
        let mut acted = 0;
        for timer in self
            .store()
            .claim_due_timers(now, &self.worker, lease_until)
            .await?
        {
            let lead = self.store().lead(timer.lead_id).await?;
            let done = match (lead, TimerKind::parse(&timer.kind)) {
                (Some(lead), Some(kind)) => self.fire(&lead, &timer, kind).await?,
                (None, _) => false,
                (Some(_), None) => {
                    tracing::warn!(timer = timer.id, kind = timer.kind, "unknown timer kind");
                    false
                }
            };
            self.store().finish_timer(timer.id, now).await?;
            acted += usize::from(done);
        }
        Ok(acted)
    }

    /// Steps the lead through a timer; whether it did something.
    async fn fire(&self, lead: &LeadRow, timer: &TimerRow, kind: TimerKind) -> Result<bool> {
        let event = Event::TimerFired {
            kind,
            set_at: timer.created_at,
        };
        let mut state = self.lead_state(lead).await?;
        state.last_held_back_at = self
            .store()
            .last_event_at(lead.id, &[TimelineEvent::RESUME_HELD_BACK])
            .await?;
        match self.drive_state(lead, &state, event).await {
            Ok(Some(_)) => {
                // It may have queued an alert or made touches due.
                self.wake_workers().await;
                Ok(true)
            }
            // Nothing left to do, or the lead moved meanwhile (someone acted on it).
            Ok(None) | Err(EngineError::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }
}
