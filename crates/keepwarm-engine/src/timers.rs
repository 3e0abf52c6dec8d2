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
//! nothing. What `resume_after_silence`, `going_cold` and `no_show` do is decided by the lead state
//! machine ([`keepwarm_domain::machine`], `timers.rs`, `no_show.rs`); this worker claims them and
//! drives the lead through it. `nurture` is still decided here.

use jiff::Timestamp;
use keepwarm_domain::lead::LeadInput;
use keepwarm_domain::machine::Reopening;
use keepwarm_domain::machine::{Event, TimerKind};
use keepwarm_domain::timeline::NurtureEnrolled;
use keepwarm_domain::TimelineEvent;
use keepwarm_domain::{LeadId, LeadStatus};
use keepwarm_store::{Change, LeadRow, NewEvent, TimerRow};

use crate::{Engine, EngineError, Result};

/// Events that mean the customer spoke.
const CUSTOMER_SPOKE: &[&str] = &[TimelineEvent::INBOUND_MESSAGE, TimelineEvent::INBOUND_CALL];

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
            let Some(lead) = self.store().lead(timer.lead_id).await? else {
                self.store().finish_timer(timer.id, now).await?;
                continue;
            };
            let done = match timer.kind.as_str() {
                "resume_after_silence" => {
                    self.fire(&lead, &timer, TimerKind::ResumeAfterSilence)
                        .await?
                }
                "going_cold" => self.fire(&lead, &timer, TimerKind::GoingCold).await?,
                "nurture" => self.fire_nurture(&lead, &timer, now).await?,
                "no_show" => self.fire(&lead, &timer, TimerKind::NoShow).await?,
                other => {
                    tracing::warn!(timer = timer.id, kind = other, "unknown timer kind");
                    false
                }
            };
            self.store().finish_timer(timer.id, now).await?;
            acted += usize::from(done);
        }
        Ok(acted)
    }

    async fn spoke_since(&self, lead: LeadId, since: Timestamp, kinds: &[&str]) -> Result<bool> {
        Ok(self
            .store()
            .last_event_at(lead, kinds)
            .await?
            .is_some_and(|at| at > since))
    }

    /// Steps the lead through a machine timer; whether it did something.
    async fn fire(&self, lead: &LeadRow, timer: &TimerRow, kind: TimerKind) -> Result<bool> {
        let event = Event::TimerFired {
            kind,
            set_at: timer.created_at,
        };
        match self.drive(lead, event).await {
            Ok(Some(_)) => {
                // It may have queued an alert or made held touches due.
                self.wake_workers().await;
                Ok(true)
            }
            // Nothing left to do, or the lead moved meanwhile (someone acted on it).
            Ok(None) | Err(EngineError::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn fire_nurture(&self, lead: &LeadRow, timer: &TimerRow, now: Timestamp) -> Result<bool> {
        let Some(cadence) = self.config().conversations.nurture_cadence.clone() else {
            return Ok(false);
        };
        if lead.status != LeadStatus::Paused
            || lead.opted_out
            || self
                .spoke_since(lead.id, timer.created_at, CUSTOMER_SPOKE)
                .await?
        {
            return Ok(false);
        }
        let dealership = self
            .config()
            .dealership(Some(&lead.dealership))
            .cloned()
            .ok_or_else(|| {
                EngineError::Inconsistent(format!(
                    "dealership {} is not configured",
                    lead.dealership
                ))
            })?;
        let input: LeadInput = serde_json::from_value(lead.payload.clone()).unwrap_or_default();
        let phones: Vec<_> = lead.phone().into_iter().collect();
        let reachable = !phones.is_empty() || lead.email().is_some();
        let planned = self.plan_enrollment(
            &lead.segment,
            Some(&cadence),
            &lead.owner_id,
            &input,
            &phones,
            reachable,
            &dealership,
            now,
            now,
        )?;
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
                segment: lead.segment.clone(),
                segment_rule: lead.segment_rule.clone(),
                owner: lead.owner_id.clone(),
                status: planned.status,
                reset_stage: false,
                end_reason: "moved to long-term nurture after \"not now\"".into(),
                enrollment: planned.enrollment,
            })),
        ];
        changes.extend(planned.tasks.into_iter().map(Change::Task));
        self.apply_changes(lead.id, changes).await?;
        Ok(true)
    }
}
