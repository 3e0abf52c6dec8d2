//! Escalations: a hot reply handed to a named person, with the whole context, on a clock.
//!
//! The owner is told at once through their own channel (an on-shift teammate when the owner is off
//! shift). Unacknowledged at the deadline, the team's manager is told and the escalation is marked
//! breached; still unacknowledged at the second deadline, the next manager in the chain is told.
//! Staff acknowledge by API or by replying to the alert with its number.

use jiff::{Timestamp, ToSpan};
use keepwarm_classify::Classification;
use keepwarm_domain::lead::LeadInput;
use keepwarm_domain::routing::{Role, Staff};
use keepwarm_domain::timeline::{
    Escalated, EscalationAcknowledged, EscalationBreached, EscalationReassigned,
    EscalationUnanswered, OutboundNote, StaffNotificationFailed, StaffNotified,
};
use keepwarm_domain::PhoneNumber;
use keepwarm_domain::TimelineEvent;
use keepwarm_store::{
    Change, EscalationChange, EscalationRow, LeadRow, NewEscalation, NewEvent, NewOutbound,
    OutboundPurpose, ESCALATION_ID,
};
use serde_json::json;

use crate::context::message_context;
use crate::outbound::{staff_address, to_staff};
use crate::{Engine, EngineError, Result};

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
        let config = self.config();
        let dealership = config.dealership(Some(&lead.dealership)).ok_or_else(|| {
            EngineError::Inconsistent(format!("dealership {} is not configured", lead.dealership))
        })?;
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
            "intents": classification.intents,
            "explanations": classification.explanations,
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
        changes.extend(alert_message(lead, &assignee, None, &text, now).map(Change::Enqueue));
        Ok(changes)
    }

    /// Queues an alert to a staff member through their own channel; the timeline records it when the
    /// channel takes it (`staff_notified`) or refuses it (`staff_notification_failed`).
    async fn alert(
        &self,
        lead: &LeadRow,
        staff: &Staff,
        escalation: i64,
        text: &str,
    ) -> Result<()> {
        if let Some(message) = alert_message(lead, staff, Some(escalation), text, self.now()) {
            self.enqueue(&[message]).await?;
        }
        Ok(())
    }

    /// Moves every escalation whose deadline passed up its chain. Returns how many moved.
    pub(crate) async fn run_due_escalations(&self, now: Timestamp) -> Result<usize> {
        let due = self.store().due_escalations(now).await?;
        let mut moved = 0;
        for e in due {
            let Some(lead) = self.store().lead(e.lead_id).await? else {
                continue;
            };
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
                .and_then(|t| t.manager.clone());
            let next = if e.level == 0 {
                manager.filter(|m| !e.notified.contains(m))
            } else {
                None
            }
            .or_else(|| {
                config
                    .staff
                    .iter()
                    .filter(|s| s.role == Role::Manager && !e.notified.contains(&s.id))
                    .map(|s| s.id.clone())
                    .next()
            });
            let Some(next) = next.and_then(|id| config.staff_member(&id).cloned()) else {
                // The end of the chain: stop the clock; it stays breached until someone acknowledges.
                let change = EscalationChange::Escalate {
                    deadline: e.next_deadline_at,
                    level: e.level,
                    told: e.owner.clone(),
                    next_deadline: None,
                    at: now,
                };
                let event = NewEvent::new(
                    now,
                    TimelineEvent::EscalationUnanswered(EscalationUnanswered {
                        escalation_id: e.id,
                    }),
                );
                self.store()
                    .change_escalation(e.id, &change, &event)
                    .await?;
                continue;
            };
            let level = e.level + 1;
            let next_deadline = (level < 2).then(|| {
                now.checked_add((config.escalation.second_deadline_minutes as i64).minutes())
                    .unwrap_or(Timestamp::MAX)
            });
            let change = EscalationChange::Escalate {
                deadline: e.next_deadline_at,
                level,
                told: next.id.clone(),
                next_deadline,
                at: now,
            };
            let event = NewEvent::new(
                now,
                TimelineEvent::EscalationBreached(EscalationBreached {
                    escalation_id: e.id,
                    level,
                    told: next.id.clone(),
                    unacknowledged_by: e.owner.clone(),
                    sla_due_at: e.sla_due_at,
                }),
            );
            if self
                .store()
                .change_escalation(e.id, &change, &event)
                .await?
            {
                self.telemetry.escalation_breached(&e, level);
                let waited = now
                    .since(e.created_at)
                    .ok()
                    .and_then(|s| s.total(jiff::Unit::Minute).ok())
                    .unwrap_or(0.0);
                let customer = lead
                    .display_name
                    .clone()
                    .unwrap_or_else(|| format!("lead {}", lead.id));
                let text = format!(
                    "ESCALATED: {customer}'s hot reply ({}) has waited {:.0} min without an answer from {}. \"{}\" Reply {} to take it.",
                    e.intents.join(", "),
                    waited,
                    e.owner,
                    truncate(e.context["reply"].as_str().unwrap_or_default(), 200),
                    e.id
                );
                self.alert(&lead, &next, e.id, &text).await?;
                moved += 1;
            }
        }
        Ok(moved)
    }

    /// Acknowledges an escalation for `by` (a staff id).
    pub async fn acknowledge_escalation(&self, id: i64, by: &str) -> Result<EscalationRow> {
        let e = self
            .store()
            .escalation(id)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("escalation {id}")))?;
        if self.config().staff_member(by).is_none() {
            return Err(EngineError::field(
                "by",
                format!("unknown staff member `{by}`"),
            ));
        }
        let now = self.now();
        let event = NewEvent::new(
            now,
            TimelineEvent::EscalationAcknowledged(EscalationAcknowledged {
                escalation_id: id,
                by: by.to_owned(),
                within_sla: now <= e.sla_due_at,
                via: None,
            }),
        );
        if !self
            .store()
            .change_escalation(
                id,
                &EscalationChange::Acknowledge {
                    by: by.to_owned(),
                    at: now,
                },
                &event,
            )
            .await?
        {
            return Err(EngineError::Conflict(format!(
                "escalation {id} was already acknowledged"
            )));
        }
        self.telemetry.escalation_acknowledged(&e, now);
        self.store()
            .escalation(id)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("escalation {id}")))
    }

    /// Hands an unacknowledged escalation to someone else, who is told at once.
    pub async fn reassign_escalation(&self, id: i64, to: &str) -> Result<EscalationRow> {
        let e = self
            .store()
            .escalation(id)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("escalation {id}")))?;
        let staff =
            self.config().staff_member(to).cloned().ok_or_else(|| {
                EngineError::field("owner", format!("unknown staff member `{to}`"))
            })?;
        let now = self.now();
        let event = NewEvent::new(
            now,
            TimelineEvent::EscalationReassigned(EscalationReassigned {
                escalation_id: id,
                from: e.owner.clone(),
                to: to.to_owned(),
                reason: None,
            }),
        );
        if !self
            .store()
            .change_escalation(
                id,
                &EscalationChange::Reassign {
                    to: to.to_owned(),
                    at: now,
                },
                &event,
            )
            .await?
        {
            return Err(EngineError::Conflict(format!(
                "escalation {id} was already acknowledged"
            )));
        }
        self.tell_new_assignee(id, &staff).await?;
        self.after_change().await?;
        self.store()
            .escalation(id)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("escalation {id}")))
    }

    /// Queues the alert that tells `staff` an unacknowledged escalation is now theirs.
    pub(crate) async fn tell_new_assignee(&self, id: i64, staff: &Staff) -> Result<()> {
        let Some(e) = self.store().escalation(id).await? else {
            return Ok(());
        };
        if let Some(lead) = self.store().lead(e.lead_id).await? {
            if let Some(message) = self.new_assignee_alert(&lead, id, staff).await? {
                self.enqueue(&[message]).await?;
            }
        }
        Ok(())
    }

    /// The alert telling `staff` that escalation `id` on `lead` is theirs now.
    pub(crate) async fn new_assignee_alert(
        &self,
        lead: &LeadRow,
        id: i64,
        staff: &Staff,
    ) -> Result<Option<NewOutbound>> {
        let Some(e) = self.store().escalation(id).await? else {
            return Ok(None);
        };
        let text = format!(
            "HOT LEAD reassigned to you ({}): \"{}\" Reply {id} to acknowledge.",
            e.intents.join(", "),
            truncate(e.context["reply"].as_str().unwrap_or_default(), 300)
        );
        Ok(alert_message(lead, staff, Some(id), &text, self.now()))
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

/// The queued alert about escalation `escalation` (or, with `None`, the one opened in the same change
/// set) to a staff member through their own channel; `None` when they have no phone or e-mail.
fn alert_message(
    lead: &LeadRow,
    staff: &Staff,
    escalation: Option<i64>,
    text: &str,
    now: Timestamp,
) -> Option<NewOutbound> {
    let (kind, to) = staff_address(staff)?;
    let subject_id = escalation.map_or(ESCALATION_ID.to_owned(), |e| e.to_string());
    Some(to_staff(
        OutboundPurpose::StaffAlert,
        Some(lead.id),
        &lead.dealership,
        kind,
        &to,
        format!("Hot lead: escalation {subject_id}"),
        text.to_owned(),
        NewEvent::new(
            now,
            TimelineEvent::StaffNotified(StaffNotified {
                escalation_id: escalation,
                staff: staff.id.clone(),
                to: to.to_string(),
                outbound: OutboundNote::default(),
            }),
        ),
        NewEvent::new(
            now,
            TimelineEvent::StaffNotificationFailed(StaffNotificationFailed {
                escalation_id: escalation,
                staff: staff.id.clone(),
                outbound: OutboundNote::default(),
            }),
        ),
        now,
    ))
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}
