//! Escalations: a hot reply handed to a named person, with the whole context, on a clock.
//!
//! The owner is told at once through their own channel (an on-shift teammate when the owner is off
//! shift). Unacknowledged at the deadline, the team's manager is told and the escalation is marked
//! breached; still unacknowledged at the second deadline, the next manager in the chain is told.
//! Staff acknowledge by API or by replying to the alert with its number.
//!
//! Opening an escalation (with its context) is part of what a reply does, and what happens to an
//! open one — acknowledged, handed on, moved up its chain at a deadline — is decided by the lead
//! state machine ([`keepwarm_domain::machine`]); this module only drives it.

use jiff::Timestamp;
use keepwarm_domain::machine::Event;
use keepwarm_domain::routing::Staff;
use keepwarm_store::{EscalationRow, LeadRow};

use crate::{Engine, EngineError, Result};

impl Engine {
    /// Moves every escalation whose deadline passed up its chain. Returns how many moved.
    pub(crate) async fn run_due_escalations(&self, now: Timestamp) -> Result<usize> {
        let due = self.store().due_escalations(now).await?;
        let mut moved = 0;
        for e in due {
            let Some(lead) = self.store().lead(e.lead_id).await? else {
                continue;
            };
            let event = Event::EscalationDeadline { escalation: e.id };
            match self.drive(&lead, event).await {
                Ok(Some(_)) => {}
                // Acknowledged meanwhile, or another worker moved it first: nobody is told twice.
                Ok(None) | Err(EngineError::Conflict(_)) => continue,
                Err(err) => return Err(err),
            }
            let Some(after) = self.store().escalation(e.id).await? else {
                continue;
            };
            if after.level > e.level {
                self.telemetry.escalation_breached(&e, after.level);
                moved += 1;
            }
        }
        Ok(moved)
    }

    /// The escalation `id` and its lead.
    async fn escalation_and_lead(&self, id: i64) -> Result<(EscalationRow, LeadRow)> {
        let e = self
            .store()
            .escalation(id)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("escalation {id}")))?;
        let lead = self.existing(e.lead_id).await?;
        Ok((e, lead))
    }

    /// Acknowledges an escalation for `by` (a staff id).
    pub async fn acknowledge_escalation(&self, id: i64, by: &str) -> Result<EscalationRow> {
        let (e, lead) = self.escalation_and_lead(id).await?;
        if self.config().staff_member(by).is_none() {
            return Err(EngineError::field(
                "by",
                format!("unknown staff member `{by}`"),
            ));
        }
        let event = Event::Acknowledge {
            escalation: id,
            by: by.to_owned(),
        };
        self.drive(&lead, event).await?;
        self.telemetry.escalation_acknowledged(&e, self.now());
        self.store()
            .escalation(id)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("escalation {id}")))
    }

    /// Hands an unacknowledged escalation to someone else (who works for the lead's dealership),
    /// who is told at once; `by` is the person who hands it on, on the timeline.
    pub async fn reassign_escalation(&self, id: i64, to: &str, by: &str) -> Result<EscalationRow> {
        let (_, lead) = self.escalation_and_lead(id).await?;
        let staff = self.staff_for_lead(&lead, to)?;
        let event = Event::ReassignEscalation {
            escalation: id,
            to: staff,
            by: by.to_owned(),
        };
        self.drive(&lead, event).await?;
        self.after_change().await?;
        self.store()
            .escalation(id)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("escalation {id}")))
    }

    /// A text from a staff member's phone: an escalation number in it acknowledges that escalation.
    pub(crate) async fn staff_reply(
        &self,
        staff: &Staff,
        body: &str,
    ) -> Result<Option<EscalationRow>> {
        let number: String = body
            .chars()
            .skip_while(|c| !c.is_ascii_digit())
            .take_while(char::is_ascii_digit)
            .collect();
        let Ok(id) = number.parse::<i64>() else {
            return Ok(None);
        };
        match self.acknowledge_escalation(id, &staff.id).await {
            Ok(e) => Ok(Some(e)),
            Err(EngineError::NotFound(_) | EngineError::Conflict(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}
