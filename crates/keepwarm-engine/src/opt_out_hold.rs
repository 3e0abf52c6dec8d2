//! A possible opt-out held for a person: "how did you get my number?" may mean stop. keepwarm fails
//! closed — automation to the number stops at once with no confirmation text — and a person
//! decides. What the decision does is the machine's (`keepwarm_domain::machine::opt_out_hold`);
//! this driver loads what it needs (the hold, the leads with the number), applies the decision in
//! one change set, and steps each other lead a release takes up again.

use keepwarm_domain::machine::opt_out_hold::{released_leads, waiting_hold};
use keepwarm_domain::machine::Event;
use keepwarm_domain::{LeadId, TimelineEvent};

use crate::context::comments_language;
use crate::{Engine, EngineError, Result};

pub use keepwarm_domain::machine::opt_out_hold::HoldDecision;

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
        let store = self.store();
        let held = store
            .last_event_at(id, &[TimelineEvent::OPT_OUT_POSSIBLE])
            .await?;
        let decided = store
            .last_event_at(
                id,
                &[
                    TimelineEvent::OPT_OUT_HOLD_CONFIRMED,
                    TimelineEvent::OPT_OUT_HOLD_RELEASED,
                ],
            )
            .await?;
        let mut state = self.lead_state(&lead).await?;
        state.opt_out_hold = waiting_hold(held, decided);
        state.comments_language =
            comments_language(&state.document, &self.classifier).map(str::to_owned);
        if let Some(phone) = lead.phone() {
            state.contact = self.contact_facts(phone.as_str()).await?;
        }
        let mut answered = Vec::with_capacity(state.escalations.len());
        for e in &state.escalations {
            answered.extend(store.escalation(e.id).await?);
        }
        let event = Event::OptOutHoldDecided {
            decision,
            by: by.to_owned(),
        };
        self.drive_state(&lead, &state, event).await?;
        let now = self.now();
        for e in &answered {
            self.telemetry.escalation_acknowledged(e, now);
        }
        for (other, event) in released_leads(&state, decision, by) {
            match self.drive_lead(other, event).await {
                // A lead that is not paused (or cannot be placed in a window) stays as it is.
                Ok(_) | Err(EngineError::Conflict(_)) => {}
                Err(err) => return Err(err),
            }
        }
        self.after_change().await
    }
}
