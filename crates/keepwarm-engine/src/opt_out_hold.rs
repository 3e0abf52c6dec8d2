//! A possible opt-out held for a person: "how did you get my number?" may mean stop. keepwarm fails
//! closed — automation to the number stops at once with no confirmation text — and a person
//! decides: confirm (the ledger revokes every channel, every lead with the number stops, the one
//! confirmation goes out) or release (the held leads resume where they were).

use keepwarm_domain::machine::Event;
use keepwarm_domain::timeline::OptOutHoldDecided;
use keepwarm_domain::TimelineEvent;
use keepwarm_domain::{LeadId, LeadStatus};
use keepwarm_store::{Applied, Change, ChangeSet, NewEvent, Revocation};

use crate::{Engine, EngineError, Result};

/// What a person decided about a held opt-out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldDecision {
    /// The customer meant stop.
    Confirm,
    /// The customer did not mean stop: automation resumes.
    Release,
}

impl Engine {
    /// Carries out a person's decision on the lead's held opt-out.
    pub async fn decide_opt_out_hold(
        &self,
        id: LeadId,
        decision: HoldDecision,
        by: &str,
    ) -> Result<()> {
        if self.config().staff_member(by).is_none() {
            return Err(EngineError::field(
                "by",
                format!("unknown staff member `{by}`"),
            ));
        }
        let lead = self.existing(id).await?;
        let held = self
            .store()
            .last_event_at(id, &[TimelineEvent::OPT_OUT_POSSIBLE])
            .await?;
        let decided = self
            .store()
            .last_event_at(
                id,
                &[
                    TimelineEvent::OPT_OUT_HOLD_CONFIRMED,
                    TimelineEvent::OPT_OUT_HOLD_RELEASED,
                ],
            )
            .await?;
        let Some(held_at) = held.filter(|h| decided.is_none_or(|d| d < *h)) else {
            return Err(EngineError::Conflict(format!(
                "lead {id} has no opt-out waiting for a decision"
            )));
        };
        let phone = lead.phone().ok_or_else(|| {
            EngineError::Conflict(format!("lead {id} has no usable phone number"))
        })?;
        let now = self.now();
        let mut changes = Vec::new();
        let others = self.store().leads_with_phone(&phone).await?;
        match decision {
            HoldDecision::Confirm => {
                changes.push(Change::Revoke(Revocation {
                    contact: phone.as_str().to_owned(),
                    channels: vec!["all".into()],
                    at: now,
                    words: format!("confirmed by {by}"),
                    via: "staff confirmed a possible opt-out".into(),
                }));
                for other in &others {
                    changes.push(Change::Stop {
                        lead: *other,
                        reason: format!("opt-out confirmed by {by}"),
                        actor: by.to_owned(),
                        opt_out: true,
                    });
                }
                changes.push(Change::Events(vec![NewEvent::new(
                    now,
                    TimelineEvent::OptOutHoldConfirmed(OptOutHoldDecided {
                        by: by.to_owned(),
                        held_at,
                    }),
                )]));
                changes.push(Change::Enqueue(self.opt_out_confirmation(
                    &lead,
                    &phone,
                    true,
                    &["all".to_owned()],
                    now,
                    None,
                )));
            }
            HoldDecision::Release => {
                changes.push(Change::Events(vec![NewEvent::new(
                    now,
                    TimelineEvent::OptOutHoldReleased(OptOutHoldDecided {
                        by: by.to_owned(),
                        held_at,
                    }),
                )]));
            }
        }
        let set = ChangeSet {
            lead: id,
            at: now,
            idempotency_key: None,
            changes,
        };
        if self.store().apply(&set).await? == Applied::Duplicate {
            return Ok(());
        }
        // The person's decision answers the escalation and its task.
        for e in self.store().escalations(None).await? {
            if e.lead_id == id && matches!(e.status.as_str(), "open" | "breached") {
                match self.acknowledge_escalation(e.id, by).await {
                    Ok(_) | Err(EngineError::Conflict(_)) => {}
                    Err(err) => return Err(err),
                }
            }
        }
        for task in self.store().tasks(None).await? {
            if task.lead_id == id && task.status == "open" && task.kind == "confirm_opt_out" {
                match self.complete_task(task.id, "done", None, by).await {
                    Ok(_) | Err(EngineError::Conflict(_)) => {}
                    Err(err) => return Err(err),
                }
            }
        }
        if decision == HoldDecision::Release {
            for other in others {
                if self.existing(other).await?.status == LeadStatus::Paused {
                    let event = Event::Resume {
                        reason: format!("{by} released the held opt-out"),
                        actor: by.to_owned(),
                    };
                    match self.drive_lead(other, event).await {
                        Ok(_) | Err(EngineError::Conflict(_)) => {}
                        Err(err) => return Err(err),
                    }
                }
            }
        }
        self.after_change().await
    }
}
