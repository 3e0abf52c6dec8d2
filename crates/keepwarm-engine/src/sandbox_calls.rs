//! Playing out a click-to-call the sandbox placed (issue 13): with the default set-up nothing
//! rings, so the person at the keyboard says how the call went and keepwarm records the legs and
//! statuses exactly as Twilio's callbacks would have ([`Engine::call_progress`] for the staff leg,
//! [`Engine::bridge_ended`] for the customer leg): the thread shows the call, a connected call
//! acknowledges escalations, marks the lead contacted and completes the call task it started from.
//!
//! Only a call the sandbox placed (its id starts with [`SANDBOX_CALL_PREFIX`]) can be played out:
//! a real provider's call reports for itself.

use keepwarm_channels::SANDBOX_CALL_PREFIX;
use keepwarm_domain::timeline::CallRequested;
use keepwarm_domain::{LeadId, TimelineEvent};
use serde::Serialize;

use crate::calls::CallReport;
use crate::{Engine, EngineError, Result};

/// How the staff member's phone answers: `answered`, `no-answer` or `busy`.
const STAFF_ANSWERS: [&str; 3] = ["answered", "no-answer", "busy"];
/// How the customer's leg ends (Twilio's `DialCallStatus`): `completed` (they talked),
/// `no-answer`, `busy` or `failed`.
const CUSTOMER_ENDS: [&str; 4] = ["completed", "no-answer", "busy", "failed"];
/// The longest call the sandbox plays out, in seconds.
const MAX_SECONDS: u64 = 4 * 3600;

/// How a simulated call goes.
#[derive(Debug, Clone)]
pub struct CallScript {
    /// `answered`, `no-answer` or `busy`.
    pub staff: String,
    /// `completed`, `no-answer`, `busy` or `failed`.
    pub customer: String,
    /// How long the customer and the person talked (a `completed` customer leg).
    pub duration_seconds: u64,
}

/// What playing out a call recorded.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlayedCall {
    /// The lead.
    pub lead_id: i64,
    /// The sandbox's id of the call.
    pub call_sid: String,
    /// Each leg's statuses, in order (`staff: ringing`, `customer: completed`...), as recorded.
    pub statuses: Vec<String>,
    /// The customer leg's outcome (`connected`, `no_answer`, `failed`); none when the staff
    /// member never answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

impl Engine {
    /// Plays out the lead's latest click-to-call as `script` says; see the module doc.
    pub async fn play_sandbox_call(&self, id: LeadId, script: &CallScript) -> Result<PlayedCall> {
        check_script(script)?;
        self.existing(id).await?;
        let (requested, call_sid) = self.latest_call(id).await?;
        let report = |status: &str, duration_seconds: Option<u64>| CallReport {
            lead: id,
            by: requested.by.clone(),
            task: requested.task_id,
            call_sid: call_sid.clone(),
            status: status.to_owned(),
            duration_seconds,
        };
        let mut statuses = Vec::new();
        for status in ["initiated", "ringing"] {
            if self.call_progress(&report(status, None)).await? {
                statuses.push(format!("staff: {status}"));
            }
        }
        let mut outcome = None;
        if script.staff == "answered" {
            if self.call_progress(&report("in-progress", None)).await? {
                statuses.push("staff: in-progress".into());
            }
            let talked = (script.customer == "completed").then_some(script.duration_seconds);
            let customer = report(&script.customer, Some(talked.unwrap_or(0)));
            if self.bridge_ended(&customer).await? {
                statuses.push(format!("customer: {}", script.customer));
                outcome = Some(keepwarm_domain::calls::customer_outcome(&script.customer).into());
            }
            let whole = report("completed", Some(talked.unwrap_or(0)));
            if self.call_progress(&whole).await? {
                statuses.push("staff: completed".into());
            }
        } else if self.call_progress(&report(&script.staff, Some(0))).await? {
            statuses.push(format!("staff: {}", script.staff));
        }
        if statuses.is_empty() {
            return Err(EngineError::Conflict(format!(
                "call {call_sid} on lead {id} was played out already"
            )));
        }
        Ok(PlayedCall {
            lead_id: id.0,
            call_sid,
            statuses,
            outcome,
        })
    }

    /// The lead's latest click-to-call: who asked for it (and for which task), and the id the
    /// sandbox gave it.
    async fn latest_call(&self, id: LeadId) -> Result<(CallRequested, String)> {
        let timeline = self.store().timeline(id).await?;
        let mut latest: Option<(CallRequested, Option<String>)> = None;
        for entry in timeline {
            match entry.event {
                TimelineEvent::CallRequested(r) => latest = Some((r, None)),
                TimelineEvent::CallProgress(p) if p.leg == "staff" && p.direction == "outbound" => {
                    if let (Some((_, sid @ None)), Some(placed)) = (&mut latest, p.call_sid) {
                        *sid = Some(placed);
                    }
                }
                _ => {}
            }
        }
        match latest {
            Some((requested, Some(sid))) if sid.starts_with(SANDBOX_CALL_PREFIX) => {
                Ok((requested, sid))
            }
            Some((_, Some(sid))) => Err(EngineError::Conflict(format!(
                "call {sid} was placed through a real provider, which reports on it itself"
            ))),
            _ => Err(EngineError::NotFound(format!(
                "a click-to-call placed on lead {id}"
            ))),
        }
    }
}

/// The script's words, checked.
fn check_script(script: &CallScript) -> Result<()> {
    if !STAFF_ANSWERS.contains(&script.staff.as_str()) {
        return Err(EngineError::field(
            "staff",
            format!(
                "`{}` is not how a phone answers (expected {})",
                script.staff,
                STAFF_ANSWERS.join(", ")
            ),
        ));
    }
    if !CUSTOMER_ENDS.contains(&script.customer.as_str()) {
        return Err(EngineError::field(
            "customer",
            format!(
                "`{}` is not how the customer's leg ends (expected {})",
                script.customer,
                CUSTOMER_ENDS.join(", ")
            ),
        ));
    }
    if script.duration_seconds > MAX_SECONDS {
        return Err(EngineError::field(
            "duration_seconds",
            format!("at most {MAX_SECONDS} seconds"),
        ));
    }
    Ok(())
}
