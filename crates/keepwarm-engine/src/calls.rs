//! Click-to-call (issue 13): a person asks keepwarm to connect them to a customer; the store's
//! number rings the person's phone, and once they answer dials the customer with the store's number
//! as caller ID.
//!
//! The compliance gate applies to the customer leg exactly as to a person's text
//! ([`keepwarm_domain::staff_message::decide`] on the call channel): an opted-out or revoked number
//! is refused naming the revocation, outside the contact window the request is refused with the
//! next opening. The request is recorded before the provider is asked (`call_requested`), and what
//! the provider answered after (`call_progress`). The provider's status callbacks land on the
//! conversation once per call and status; a connected customer leg acknowledges the lead's
//! escalations, marks it contacted, and completes the call task the call was started from.

use keepwarm_channels::{BridgeCall, ChannelError};
use keepwarm_domain::cadence::Channel;
use keepwarm_domain::calls::{call_stage, customer_outcome};
use keepwarm_domain::machine::talking_pause;
use keepwarm_domain::timeline::{CallProgress, CallRequested};
use keepwarm_domain::{LeadId, Stage, TimelineEvent};
use keepwarm_store::{Change, ChangeSet, NewEvent};
use serde::Serialize;

use crate::{Engine, EngineError, Result};

/// A click-to-call the provider accepted.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CallPlaced {
    /// The lead.
    pub lead_id: i64,
    /// The provider's id of the call.
    pub call_sid: Option<String>,
    /// Who is rung first.
    pub by: String,
    /// Their phone.
    pub staff_phone: String,
    /// The customer's phone, dialled once they answer.
    pub customer_phone: String,
    /// The call task the call carries out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_id: Option<i64>,
}

/// A provider's report on one leg of a click-to-call, as its signed callback named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallReport {
    /// The lead the callback URL names.
    pub lead: LeadId,
    /// The staff member it names.
    pub by: String,
    /// The call task it names.
    pub task: Option<i64>,
    /// The provider's id of the call.
    pub call_sid: String,
    /// The status word (`ringing`, `in-progress`, `completed`, `no-answer`...).
    pub status: String,
    /// How long the leg lasted, once it ended.
    pub duration_seconds: Option<u64>,
}

impl Engine {
    /// Connects person `by` to the lead's customer by phone; see the module doc. `task` is a call
    /// task of the lead that the call's outcome completes.
    pub async fn click_to_call(
        &self,
        id: LeadId,
        by: &str,
        task: Option<i64>,
    ) -> Result<CallPlaced> {
        let lead = self.existing(id).await?;
        let staff = self.sender(by)?.clone();
        let staff_phone = staff.phone.clone().ok_or_else(|| {
            EngineError::field(
                "by",
                format!(
                    "staff member `{}` has no phone in staff.toml to ring",
                    staff.id
                ),
            )
        })?;
        let customer = lead.phone().ok_or_else(|| {
            EngineError::Conflict(format!("lead {id} has no usable phone number"))
        })?;
        if let Some(t) = task {
            match self.store().task(t).await? {
                Some(row) if row.lead_id == id && row.kind == "call" && row.status == "open" => {}
                Some(row) if row.lead_id == id && row.kind == "call" => {
                    return Err(EngineError::Conflict(format!("task {t} is already done")))
                }
                _ => {
                    return Err(EngineError::field(
                        "task",
                        format!("task {t} is not a call task of lead {id}"),
                    ))
                }
            }
        }
        let now = self.now();
        self.gate(&lead, Channel::Call, customer.as_str(), now)
            .await?;
        let requested = TimelineEvent::CallRequested(CallRequested {
            by: staff.id.clone(),
            name: staff.name.clone(),
            staff_phone: staff_phone.as_str().to_owned(),
            customer_phone: customer.as_str().to_owned(),
            task_id: task,
        });
        self.apply_changes(
            id,
            vec![Change::Events(vec![NewEvent::new(now, requested)])],
        )
        .await?;
        let mut reference = vec![
            ("lead".to_owned(), id.0.to_string()),
            ("by".to_owned(), staff.id.clone()),
        ];
        reference.extend(task.map(|t| ("task".to_owned(), t.to_string())));
        let call = BridgeCall {
            dealership: lead.dealership.clone(),
            staff_phone: staff_phone.clone(),
            customer_phone: customer.clone(),
            ring_seconds: self.config().calls.click_to_call_ring_seconds,
            reference,
            at: now,
        };
        let placed = self.channel.bridge_call(&call).await;
        let (call_sid, error) = match &placed {
            Ok(d) => (d.provider_id.clone(), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let placed_status = if error.is_some() { "failed" } else { "queued" };
        let progress = CallProgress {
            call_sid: call_sid.clone(),
            direction: "outbound".into(),
            leg: "staff".into(),
            by: Some(staff.id.clone()),
            status: placed_status.into(),
            duration_seconds: None,
            outcome: error.as_ref().map(|_| "failed".to_owned()),
            error,
        };
        let event = NewEvent::new(self.now(), TimelineEvent::CallProgress(progress));
        let mut changes = vec![Change::Events(vec![event])];
        // The staff leg starts where the provider took it: a later `queued` callback is no news.
        if let Some(sid) = &call_sid {
            changes.push(Change::AdvanceCall {
                call_sid: sid.clone(),
                leg: "staff".into(),
                stage: call_stage(placed_status),
            });
        }
        self.apply_changes(id, changes).await?;
        match placed {
            Ok(_) => Ok(CallPlaced {
                lead_id: id.0,
                call_sid,
                by: staff.id,
                staff_phone: staff_phone.as_str().to_owned(),
                customer_phone: customer.as_str().to_owned(),
                task_id: task,
            }),
            Err(ChannelError::Rejected(why) | ChannelError::Unreachable(why)) => Err(
                EngineError::Conflict(format!("the call could not be placed: {why}")),
            ),
            Err(e) => Err(EngineError::Unavailable(format!(
                "the call could not be placed: {e}"
            ))),
        }
    }

    /// Records a status of the leg ringing the staff member (`initiated`, `ringing`,
    /// `in-progress`, `completed`, `no-answer`...), once per call and status. Returns whether it
    /// was new.
    pub async fn call_progress(&self, report: &CallReport) -> Result<bool> {
        let progress = CallProgress {
            call_sid: Some(report.call_sid.clone()),
            direction: "outbound".into(),
            leg: "staff".into(),
            by: Some(report.by.clone()),
            status: report.status.clone(),
            duration_seconds: report.duration_seconds,
            outcome: None,
            error: None,
        };
        let changes = vec![Change::Events(vec![NewEvent::new(
            self.now(),
            TimelineEvent::CallProgress(progress),
        )])];
        self.apply_once(report, "staff", changes).await
    }

    /// Records how the customer leg ended (Twilio's `<Dial>` action): its status, duration and
    /// outcome, once per call. A conversation acknowledges the lead's escalations and marks it
    /// contacted; the call task the call was started from is completed with the outcome (unless
    /// the call failed, or the task was done meanwhile).
    pub async fn bridge_ended(&self, report: &CallReport) -> Result<bool> {
        let lead = self.existing(report.lead).await?;
        let outcome = customer_outcome(&report.status);
        let progress = CallProgress {
            call_sid: Some(report.call_sid.clone()),
            direction: "outbound".into(),
            leg: "customer".into(),
            by: Some(report.by.clone()),
            status: report.status.clone(),
            duration_seconds: report.duration_seconds,
            outcome: Some(outcome.to_owned()),
            error: None,
        };
        let mut changes = vec![Change::Events(vec![NewEvent::new(
            self.now(),
            TimelineEvent::CallProgress(progress),
        )])];
        if outcome == "connected" {
            changes.push(Change::AcknowledgeEscalations {
                by: report.by.clone(),
                via: "call".into(),
            });
            changes.push(Change::StageAtLeast {
                stage: Stage::Contacted,
                by: report.by.clone(),
                via: "call".into(),
            });
            // A person on the phone with the customer: automation waits, as after their text.
            let name = self
                .config()
                .staff_member(&report.by)
                .map_or(report.by.as_str(), |s| s.name.as_str());
            changes.extend(talking_pause(
                lead.id,
                lead.status,
                format!("{name} is on the phone with the customer"),
                &report.by,
                &self.config().conversations,
                self.now(),
            ));
        }
        let fresh = self.apply_once(report, "customer", changes).await?;
        if let (true, Some(task), false) = (fresh, report.task, outcome == "failed") {
            let note = report
                .duration_seconds
                .map(|s| format!("click-to-call, {}m{:02}s", s / 60, s % 60));
            match self
                .complete_task(task, outcome, note.as_deref(), &report.by)
                .await
            {
                Ok(_) | Err(EngineError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(fresh)
    }

    /// Applies `changes` on the report's lead once per call, leg and status, and only when the
    /// status moves the leg on ([`Change::AdvanceCall`], checked by the store in the same
    /// transaction): Twilio does not promise its callbacks arrive in order or one at a time, and
    /// retries them, so a late, replayed or concurrent report changes nothing. Whether it applied.
    async fn apply_once(
        &self,
        report: &CallReport,
        leg: &str,
        changes: Vec<Change>,
    ) -> Result<bool> {
        let now = self.now();
        let mut guarded = vec![Change::AdvanceCall {
            call_sid: report.call_sid.clone(),
            leg: leg.to_owned(),
            stage: call_stage(&report.status),
        }];
        guarded.extend(changes);
        let set = ChangeSet {
            lead: report.lead,
            at: now,
            idempotency_key: Some(format!(
                "twilio-call:{}:{leg}:{}",
                report.call_sid, report.status
            )),
            changes: guarded,
        };
        let applied = match self.store().apply(&set).await {
            Ok(applied) => applied,
            Err(keepwarm_store::StoreError::Conflict(why)) => {
                tracing::debug!(call = %report.call_sid, leg, status = %report.status, %why, "call status ignored");
                return Ok(false);
            }
            Err(e) => return Err(e.into()),
        };
        self.after_change().await?;
        Ok(applied != keepwarm_store::Applied::Duplicate)
    }
}
