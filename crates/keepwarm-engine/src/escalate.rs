//! Escalations: a hot reply handed to a named person, with the whole context, on a clock.
//!
//! The owner is told at once through their own channel (an on-shift teammate when the owner is off
//! shift). Unacknowledged at the deadline, the team's manager is told and the escalation is marked
//! breached; still unacknowledged at the second deadline, the next manager in the chain is told.
//! Staff acknowledge by API or by replying to the alert with its number.
//!
//! Opening an escalation (with its context) is planned here as part of a reply's change set; what
//! happens to an open one — acknowledged, handed on, moved up its chain at a deadline — is decided
//! by the lead state machine ([`keepwarm_domain::machine`]) and only driven from here.

use jiff::{Timestamp, ToSpan};
use keepwarm_classify::Classification;
use keepwarm_domain::lead::LeadInput;
use keepwarm_domain::machine::{escalation_alert, Event};
use keepwarm_domain::routing::Staff;
use keepwarm_domain::timeline::Escalated;
use keepwarm_domain::PhoneNumber;
use keepwarm_domain::TimelineEvent;
use keepwarm_store::{Change, EscalationRow, LeadRow, NewEscalation, NewEvent, ESCALATION_ID};
use serde_json::json;

use crate::context::message_context;
use crate::{Engine, EngineError, Result};

/// What the customer did that a person must take up: their words (for a call, what happened).
pub(crate) struct Said<'a> {
    /// Their number or address.
    pub from: &'a str,
    /// Their words.
    pub body: &'a str,
    /// The classifier's labels, as JSON (`null` for a call).
    pub intents: serde_json::Value,
    /// Why it chose them.
    pub explanations: serde_json::Value,
}

impl Engine {
    /// Hands a hot reply to a person: the escalation and its alert, as changes of the reply's
    /// change set (the alert names the escalation by [`keepwarm_store::ESCALATION_ID`] until the
    /// store assigns it).
    pub(crate) async fn plan_escalation(
        &self,
        lead: &LeadRow,
        from: &str,
        body: &str,
        classification: &Classification,
        now: Timestamp,
    ) -> Result<Vec<Change>> {
        let mut labels: Vec<&str> = classification
            .intents
            .iter()
            .filter(|i| i.is_handoff())
            .map(|i| i.as_str())
            .collect();
        // Doubt is a reason for a person too: a possible opt-out, or a reply the classifier is not
        // sure of.
        if classification.possible_opt_out.is_some() {
            labels.insert(0, "possible_opt_out");
        } else if labels.is_empty() && classification.needs_review() {
            labels.push("needs_review");
        }
        let said = Said {
            from,
            body,
            intents: json!(classification.intents),
            explanations: json!(classification.explanations),
        };
        self.plan_handoff(lead, &said, &labels, now).await
    }

    /// Hands what the customer did (`said`: a reply, a call nobody answered) to a person under
    /// `labels`: the escalation on its clock and its alert, as changes of the caller's change set.
    pub(crate) async fn plan_handoff(
        &self,
        lead: &LeadRow,
        said: &Said<'_>,
        labels: &[&str],
        now: Timestamp,
    ) -> Result<Vec<Change>> {
        let (from, body) = (said.from, said.body);
        let config = self.config();
        let dealership = config.dealership(Some(&lead.dealership)).ok_or_else(|| {
            EngineError::Inconsistent(format!("dealership {} is not configured", lead.dealership))
        })?;
        let minutes = config.escalation.ack_minutes_for(labels.iter().copied());
        // Checked: a clock at the end of time gives a deadline that never comes, not a panic.
        let sla_due_at = now
            .checked_add((minutes as i64).minutes())
            .unwrap_or(Timestamp::MAX);
        let owner = config.staff_member(&lead.owner_id);
        let assignee = match owner {
            Some(o) if o.on_shift(now, &dealership.time_zone) => o.clone(),
            Some(o) => config
                .team_members(&o.team)
                .into_iter()
                .find(|s| s.on_shift(now, &dealership.time_zone))
                .cloned()
                .unwrap_or_else(|| o.clone()),
            None => {
                return Err(EngineError::Inconsistent(format!(
                    "owner {} is not configured",
                    lead.owner_id
                )))
            }
        };
        let input: LeadInput = serde_json::from_value(lead.payload.clone()).unwrap_or_default();
        // Staff read the alert in the dealership's own words.
        let context = message_context(
            &input,
            owner,
            dealership,
            keepwarm_domain::blocks::DEFAULT_LANGUAGE,
            now,
        );
        // What was said before, both ways, from what was actually sent and received (whatever
        // the channel), so the person handed the lead never has to look it up.
        let mut recent: Vec<String> = self
            .store()
            .recent_conversation(lead.id, 3)
            .await?
            .into_iter()
            .map(|m| {
                let who = if m.direction == "inbound" {
                    "customer"
                } else {
                    "us"
                };
                format!("{} {} {who}: {}", m.at, m.channel, truncate(&m.body, 300))
            })
            .collect();
        // The reply itself is recorded in the same change set as the escalation.
        recent.push(format!("{now} sms customer: {}", truncate(body, 300)));
        let context_json = json!({
            "reply": body,
            "from": from,
            "customer": lead.display_name,
            "intents": said.intents,
            "explanations": said.explanations,
            "recent_messages": recent,
            "vehicle": context.get("vehicle"),
            "trade_in": context.get("trade_in"),
            "payment": context.get("payment"),
            "service_need": context.get("service_need"),
            "segment": lead.segment,
            "owner": lead.owner_id,
        });
        let escalation = NewEscalation {
            lead: lead.id,
            intents: labels.iter().map(|l| (*l).to_owned()).collect(),
            context: context_json,
            at: now,
            sla_due_at,
            assignee: assignee.id.clone(),
            notified: vec![assignee.id.clone()],
        };
        let reason = if owner.is_some_and(|o| o.id != assignee.id) {
            "owner off shift; on-shift teammate"
        } else {
            "owner"
        };
        let event = NewEvent::new(
            now,
            TimelineEvent::Escalated(Escalated {
                escalation_id: None,
                intents: labels.iter().map(|l| (*l).to_owned()).collect(),
                assignee: assignee.id.clone(),
                sla_due_at,
                reason: reason.into(),
            }),
        );
        let id = ESCALATION_ID;
        // A number reads as people dial it; an e-mail address as it is.
        let shown =
            PhoneNumber::parse(from, "US").map_or_else(|_| from.to_owned(), |p| p.national());
        let customer = lead.display_name.clone().unwrap_or_else(|| shown.clone());
        let mut details: Vec<String> = Vec::new();
        for (label, key) in [
            ("Vehicle", "vehicle"),
            ("Trade", "trade_in"),
            ("Payment", "payment"),
            ("Service", "service_need"),
        ] {
            if let Some(v) = context.get(key) {
                details.push(format!("{label}: {v}"));
            }
        }
        let text = format!(
            "HOT LEAD ({}): {customer} {} wrote: \"{}\". {} Reply {id} to acknowledge within {minutes} min.",
            labels.join(", "),
            shown,
            truncate(body, 300),
            if details.is_empty() { String::new() } else { format!("{}.", details.join("; ")) },
        );
        let mut changes = vec![Change::OpenEscalation { escalation, event }];
        changes.extend(
            escalation_alert(lead.id, &lead.dealership, &assignee, None, &text, now)
                .map(Change::Enqueue),
        );
        Ok(changes)
    }

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

    /// Hands an unacknowledged escalation to someone else, who is told at once.
    pub async fn reassign_escalation(&self, id: i64, to: &str) -> Result<EscalationRow> {
        let (_, lead) = self.escalation_and_lead(id).await?;
        let staff =
            self.config().staff_member(to).cloned().ok_or_else(|| {
                EngineError::field("owner", format!("unknown staff member `{to}`"))
            })?;
        let event = Event::ReassignEscalation {
            escalation: id,
            to: staff,
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

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}
