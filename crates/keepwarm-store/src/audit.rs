//! The weekly audit's facts, assembled the same way on both backends: each backend reads four JSON
//! arrays (the active leads, their events, the week's touches and escalations, with the fields
//! below) in its own SQL, and [`assemble`] turns them into [`AuditActivity`].

use std::collections::HashMap;

use jiff::Timestamp;
use keepwarm_domain::audit::{AuditEscalation, AuditLead, AuditTouch, LeadContext};
use keepwarm_domain::lead::LeadInput;
use keepwarm_domain::TimelineEvent;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::records::AuditActivity;
use crate::sqlite::{ms, opt_ts, ts, word};
use crate::{Result, StoreError};

/// The four arrays of JSON objects a backend reads, as text.
pub(crate) struct AuditRows {
    /// Leads: `id, segment, owner_id, display_name, payload` (the document as text).
    pub leads: String,
    /// Their events: `lead_id, at, kind, to` (`to` of a stage change).
    pub events: String,
    /// The week's touches: `TouchJson`'s fields.
    pub touches: String,
    /// The week's escalations: `EscalationJson`'s fields (`notified` as text).
    pub escalations: String,
}

fn rows<T: DeserializeOwned>(text: &str) -> Result<Vec<T>> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("audit rows: {e}")))
}

#[derive(Deserialize)]
struct LeadJson {
    id: i64,
    segment: String,
    owner_id: String,
    display_name: Option<String>,
    payload: String,
}

#[derive(Deserialize)]
struct EventJson {
    lead_id: i64,
    at: i64,
    kind: String,
    to: Option<String>,
}

#[derive(Deserialize)]
struct TouchJson {
    id: i64,
    lead_id: i64,
    step_index: usize,
    channel: String,
    block: String,
    target_at: i64,
    due_at: i64,
    state: String,
    finished_at: Option<i64>,
    body: Option<String>,
    first_sms: bool,
}

#[derive(Deserialize)]
struct EscalationJson {
    id: i64,
    lead_id: i64,
    segment: String,
    assignee_id: String,
    notified: String,
    created_at: i64,
    acknowledged_at: Option<i64>,
    acknowledged_by: Option<String>,
}

/// The audit's facts from what a backend read, for leads active in `[from, to)`.
pub(crate) fn assemble(read: AuditRows, from: Timestamp, to: Timestamp) -> Result<AuditActivity> {
    let leads: Vec<LeadJson> = rows(&read.leads)?;
    let events: Vec<EventJson> = rows(&read.events)?;
    let touches: Vec<TouchJson> = rows(&read.touches)?;
    let escalations: Vec<EscalationJson> = rows(&read.escalations)?;
    let mut by_lead: HashMap<i64, Vec<EventJson>> = HashMap::new();
    for e in events {
        by_lead.entry(e.lead_id).or_default().push(e);
    }
    let reached = |events: &[EventJson], stages: &[&str]| -> Option<i64> {
        events
            .iter()
            .filter(|e| {
                e.kind == TimelineEvent::STAGE_CHANGED
                    && e.to.as_deref().is_some_and(|t| stages.contains(&t))
            })
            .map(|e| e.at)
            .min()
    };
    let (from, to) = (ms(from), ms(to));
    let mut audit_leads = leads
        .into_iter()
        .map(|l| {
            let events = by_lead.remove(&l.id).unwrap_or_default();
            let input: LeadInput = serde_json::from_str(&l.payload).unwrap_or_default();
            let mut activity: Vec<i64> = events
                .iter()
                .filter(|e| e.at >= from && e.at < to)
                .map(|e| e.at)
                .collect();
            activity.sort_unstable();
            activity.dedup();
            Ok(AuditLead {
                id: l.id,
                segment: l.segment,
                owner: l.owner_id,
                name: l.display_name,
                context: LeadContext::from_input(&input),
                activity: activity.into_iter().map(ts).collect::<Result<_>>()?,
                appointment_at: opt_ts(reached(&events, &["appointment_set", "showed", "sold"]))?,
                showed_at: opt_ts(reached(&events, &["showed", "sold"]))?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    audit_leads.sort_by_key(|l| l.id);
    let mut audit_touches = touches
        .into_iter()
        .map(|t| {
            Ok(AuditTouch {
                id: t.id,
                lead_id: t.lead_id,
                step: t.step_index + 1,
                channel: word(&t.channel)?,
                block: t.block,
                target_at: ts(t.target_at)?,
                due_at: ts(t.due_at)?,
                sent_at: if t.state == "sent" {
                    opt_ts(t.finished_at)?
                } else {
                    None
                },
                state: t.state,
                body: t.body,
                first_sms: t.first_sms,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    audit_touches.sort_by_key(|t| t.id);
    let mut audit_escalations = escalations
        .into_iter()
        .map(|e| {
            let notified: Vec<String> = serde_json::from_str(&e.notified).unwrap_or_default();
            Ok(AuditEscalation {
                id: e.id,
                lead_id: e.lead_id,
                segment: e.segment,
                owner: notified.into_iter().next().unwrap_or(e.assignee_id),
                created_at: ts(e.created_at)?,
                acknowledged_at: opt_ts(e.acknowledged_at)?,
                acknowledged_by: e.acknowledged_by,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    audit_escalations.sort_by_key(|e| e.id);
    Ok(AuditActivity {
        leads: audit_leads,
        touches: audit_touches,
        escalations: audit_escalations,
    })
}
