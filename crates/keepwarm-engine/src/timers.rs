//! Follow-up timers: what a reply sets in motion for later.
//!
//! - `resume_after_silence`: after a hand-off the cadence stays paused; if the customer says nothing
//!   more for the configured days, automation resumes where it stopped.
//! - `nurture`: a "not now" reply pauses follow-up; after the configured delay (and no word from the
//!   customer meanwhile) the lead is re-enrolled in the long-term nurture cadence.
//! - `going_cold`: after a hand-off, if nobody on staff does anything on the lead for the configured
//!   hours, the team's manager is alerted.
//! - `no_show`: at an appointment's end plus the grace period, an appointment with no show recorded
//!   is marked missed and the no-show recovery cadence starts (see `appointments.rs`).
//!
//! Each timer fires once; when it fires it re-checks the lead, so a timer whose reason went away does
//! nothing.

use jiff::{Timestamp, ToSpan};
use keepwarm_domain::conversation::{decide_resume, ResumeDecision};
use keepwarm_domain::lead::LeadInput;
use keepwarm_domain::timeline::{
    GoingColdAlert, GoingColdAlertFailed, NurtureEnrolled, OutboundNote, ResumeHeldBack,
};
use keepwarm_domain::TimelineEvent;
use keepwarm_domain::{LeadId, LeadStatus};
use keepwarm_store::{
    Change, LeadRow, MergeRecord, NewEvent, NewOutbound, OutboundPurpose, Reopen, TimerRow,
};

use crate::outbound::{staff_address, to_staff};
use crate::{Engine, EngineError, Result};

/// Events that mean the customer spoke.
const CUSTOMER_SPOKE: &[&str] = &[TimelineEvent::INBOUND_MESSAGE, TimelineEvent::INBOUND_CALL];
/// Events that mean someone on staff did something on the lead.
const STAFF_ACTED: &[&str] = &[
    TimelineEvent::STAGE_CHANGED,
    TimelineEvent::FOLLOW_UP_RESUMED,
    TimelineEvent::FOLLOW_UP_STOPPED,
    TimelineEvent::OWNER_ASSIGNED,
    TimelineEvent::ESCALATION_REASSIGNED,
    TimelineEvent::TASK_COMPLETED,
];

impl Engine {
    /// The timers a hand-off starts, as changes of the reply's change set.
    pub(crate) fn plan_handoff_timers(&self, now: Timestamp) -> Result<Vec<Change>> {
        let rules = &self.config().conversations;
        // Checked: a clock near the end of time gives a timer that never fires, not a panic.
        let later = |span: jiff::Span| -> Result<Timestamp> {
            Ok(now.checked_add(span).unwrap_or(Timestamp::MAX))
        };
        Ok(vec![
            Change::Timer {
                kind: "resume_after_silence".into(),
                due_at: later((i64::from(rules.resume_after_silence_days) * 24).hours())?,
            },
            Change::Timer {
                kind: "going_cold".into(),
                due_at: later(i64::from(rules.going_cold_hours).hours())?,
            },
        ])
    }

    /// The nurture timer a "not now" starts, when a nurture cadence is configured.
    pub(crate) fn plan_nurture_timer(&self, now: Timestamp) -> Result<Vec<Change>> {
        let rules = &self.config().conversations;
        if rules.nurture_cadence.is_none() {
            return Ok(Vec::new());
        }
        let due_at = now
            .checked_add((i64::from(rules.not_now_delay_days) * 24).hours())
            .unwrap_or(Timestamp::MAX);
        Ok(vec![Change::Timer {
            kind: "nurture".into(),
            due_at,
        }])
    }

    /// Fires every timer due at `now`; returns how many did something.
    ///
    /// Timers are claimed with a lease and marked fired once their work is done. A worker that dies
    /// in between leaves the timer to fire again after the lease: each handler re-checks the lead
    /// (a resumed lead is not resumed twice), so a timer's work happens at least once and its
    /// visible effects once.
    pub(crate) async fn run_due_timers(&self, now: Timestamp) -> Result<usize> {
        let lease_until = now
            .checked_add(crate::outbound::LEASE_MINUTES.minutes())
            .unwrap_or(Timestamp::MAX);
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
                "resume_after_silence" => self.fire_resume(&lead, &timer, now).await?,
                "nurture" => self.fire_nurture(&lead, &timer, now).await?,
                "going_cold" => self.fire_going_cold(&lead, &timer, now).await?,
                "no_show" => self.fire_no_show(&lead, &timer, now).await?,
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

    async fn fire_resume(&self, lead: &LeadRow, timer: &TimerRow, now: Timestamp) -> Result<bool> {
        if lead.status != LeadStatus::Paused
            || lead.opted_out
            || self
                .spoke_since(lead.id, timer.created_at, CUSTOMER_SPOKE)
                .await?
        {
            return Ok(false);
        }
        let days = self.config().conversations.resume_after_silence_days;
        let facts = self.store().conversation_facts(lead.id).await?;
        if let ResumeDecision::NotYet { reason } = decide_resume(&facts) {
            // A person owes the customer an answer: automation stays quiet, the timer re-arms, and
            // the manager hears the lead is going cold.
            let again = now
                .checked_add((i64::from(days) * 24).hours())
                .unwrap_or(Timestamp::MAX);
            let event = NewEvent::new(
                now,
                TimelineEvent::ResumeHeldBack(ResumeHeldBack {
                    reason: reason.to_string(),
                    retry_at: again,
                }),
            );
            let text = format!("{reason}; automated follow-up stays paused until someone answers");
            let mut changes = vec![
                Change::Timer {
                    kind: "resume_after_silence".into(),
                    due_at: again,
                },
                Change::Events(vec![event]),
            ];
            changes.extend(self.going_cold_alert(lead, &text, now).map(Change::Enqueue));
            self.apply_changes(lead.id, changes).await?;
            self.wake.notify_one();
            return Ok(true);
        }
        let reason = format!("no word from the customer for {days} days after the hand-off; automated follow-up resumes");
        match self.resume_held(lead.id, &reason, "keepwarm").await {
            Ok(()) => Ok(true),
            Err(EngineError::Conflict(_)) => Ok(false),
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
        let record = MergeRecord {
            lead: lead.id,
            at: now,
            received_at: lead.received_at,
            payload: lead.payload.clone(),
            new_phones: Vec::new(),
            new_emails: Vec::new(),
            events,
            reopen: Some(Reopen {
                segment: lead.segment.clone(),
                segment_rule: lead.segment_rule.clone(),
                owner_id: lead.owner_id.clone(),
                status: planned.status,
                reset_stage: false,
                end_reason: "moved to long-term nurture after \"not now\"".into(),
                enrollment: planned.enrollment,
            }),
            tasks: planned.tasks,
            document_id: None,
        };
        self.store().merge_inquiry(&record).await?;
        Ok(true)
    }

    async fn fire_going_cold(
        &self,
        lead: &LeadRow,
        timer: &TimerRow,
        now: Timestamp,
    ) -> Result<bool> {
        if matches!(lead.status, LeadStatus::Stopped | LeadStatus::Completed) || lead.opted_out {
            return Ok(false);
        }
        if self
            .spoke_since(lead.id, timer.created_at, STAFF_ACTED)
            .await?
        {
            return Ok(false);
        }
        let hours = self.config().conversations.going_cold_hours;
        let text = format!(
            "handed to {} {hours} h ago and nobody has touched it since",
            lead.owner_id
        );
        let Some(alert) = self.going_cold_alert(lead, &text, now) else {
            return Ok(false);
        };
        self.apply_changes(lead.id, vec![Change::Enqueue(alert)])
            .await?;
        self.wake.notify_one();
        Ok(true)
    }

    /// A "going cold" alert about `lead` for its team's manager, if the team has one to tell.
    fn going_cold_alert(&self, lead: &LeadRow, why: &str, now: Timestamp) -> Option<NewOutbound> {
        let config = self.config();
        let team = config
            .routes
            .get(&lead.segment)
            .cloned()
            .unwrap_or_default();
        let manager = config
            .teams
            .iter()
            .find(|t| t.name == team)
            .and_then(|t| t.manager.as_deref())
            .and_then(|m| config.staff_member(m))
            .cloned()?;
        let customer = lead
            .display_name
            .clone()
            .unwrap_or_else(|| format!("lead {}", lead.id));
        let text = format!("GOING COLD: {customer} (lead {}): {why}.", lead.id);
        let (kind, to) = staff_address(&manager)?;
        let message = to_staff(
            OutboundPurpose::ManagerAlert,
            Some(lead.id),
            &lead.dealership,
            kind,
            &to,
            format!("Going cold: {customer}"),
            text,
            NewEvent::new(
                now,
                TimelineEvent::GoingColdAlert(GoingColdAlert {
                    manager: manager.id.clone(),
                    owner: lead.owner_id.clone(),
                    why: why.to_owned(),
                    outbound: OutboundNote::default(),
                }),
            ),
            NewEvent::new(
                now,
                TimelineEvent::GoingColdAlertFailed(GoingColdAlertFailed {
                    manager: manager.id.clone(),
                    outbound: OutboundNote::default(),
                }),
            ),
            now,
        );
        Some(message)
    }
}
