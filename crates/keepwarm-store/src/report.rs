//! The funnel report's facts, assembled the same way on both backends: each backend reads three
//! JSON arrays (the leads received in the range, their stage, touch and acknowledgement events,
//! their escalations, with the fields below) in its own SQL, and [`assemble`] turns them into
//! [`ReportLead`]s.

use std::collections::HashMap;

use keepwarm_domain::report::ReportLead;
use keepwarm_domain::Stage;
use keepwarm_domain::TimelineEvent;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::sqlite::{ts, word};
use crate::{Result, StoreError};

fn rows<T: DeserializeOwned>(text: &str) -> Result<Vec<T>> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("report rows: {e}")))
}

#[derive(Deserialize)]
struct LeadJson {
    id: i64,
    dealership: String,
    segment: String,
    source_kind: String,
    provider: Option<String>,
    owner_id: String,
    stage: String,
    received_at: i64,
    created_at: i64,
    cadence: Option<String>,
}

#[derive(Deserialize)]
struct EventJson {
    lead_id: i64,
    at: i64,
    kind: String,
    to: Option<String>,
    from: Option<String>,
    by: Option<String>,
}

#[derive(Deserialize)]
struct EscalationJson {
    lead_id: i64,
    created_at: i64,
    sla_due_at: i64,
    acknowledged_at: Option<i64>,
}

/// Who records a stage as a person (not the customer's reply, an import or keepwarm itself).
fn by_a_person(by: Option<&str>) -> bool {
    !matches!(
        by,
        None | Some("customer reply" | "import" | "keepwarm" | "intake")
    )
}

/// The report's facts from the three arrays a backend read (as text): leads (`LeadJson`'s
/// fields), events (`EventJson`'s) and escalations (`EscalationJson`'s).
pub(crate) fn assemble(leads: &str, events: &str, escalations: &str) -> Result<Vec<ReportLead>> {
    let leads: Vec<LeadJson> = rows(leads)?;
    let events: Vec<EventJson> = rows(events)?;
    let escalations: Vec<EscalationJson> = rows(escalations)?;
    let mut events_by: HashMap<i64, Vec<EventJson>> = HashMap::new();
    for e in events {
        events_by.entry(e.lead_id).or_default().push(e);
    }
    let mut escalations_by: HashMap<i64, Vec<EscalationJson>> = HashMap::new();
    for e in escalations {
        escalations_by.entry(e.lead_id).or_default().push(e);
    }
    leads
        .into_iter()
        .map(|l| {
            let current: Stage = word(&l.stage)?;
            let events = events_by.remove(&l.id).unwrap_or_default();
            let mut furthest = if current == Stage::Lost {
                Stage::New
            } else {
                current
            };
            let mut lost = current == Stage::Lost;
            let mut first_touch: Option<i64> = None;
            let mut first_human: Option<i64> = None;
            for e in &events {
                match e.kind.as_str() {
                    TimelineEvent::STAGE_CHANGED => {
                        for s in [e.to.as_deref(), e.from.as_deref()].into_iter().flatten() {
                            match word::<Stage>(s)? {
                                Stage::Lost => lost |= e.to.as_deref() == Some("lost"),
                                s => furthest = furthest.max(s),
                            }
                        }
                        if by_a_person(e.by.as_deref()) {
                            first_human = Some(first_human.map_or(e.at, |h| h.min(e.at)));
                        }
                    }
                    TimelineEvent::TOUCH_SENT => {
                        first_touch = Some(first_touch.map_or(e.at, |t| t.min(e.at)))
                    }
                    TimelineEvent::ESCALATION_ACKNOWLEDGED => {
                        first_human = Some(first_human.map_or(e.at, |h| h.min(e.at)))
                    }
                    _ => {}
                }
            }
            let escalations = escalations_by
                .remove(&l.id)
                .unwrap_or_default()
                .into_iter()
                .map(|e| {
                    Ok((
                        ts(e.created_at)?,
                        ts(e.sla_due_at)?,
                        e.acknowledged_at.map(ts).transpose()?,
                    ))
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(ReportLead {
                dealership: l.dealership,
                segment: l.segment,
                cadence: l.cadence.unwrap_or_else(|| "none".into()),
                source: match l.provider {
                    Some(p) => format!("{}/{p}", l.source_kind),
                    None => l.source_kind,
                },
                owner: l.owner_id,
                received_at: ts(l.received_at)?,
                stored_at: ts(l.created_at)?,
                furthest,
                lost,
                first_touch_at: first_touch.map(ts).transpose()?,
                first_human_at: first_human.map(ts).transpose()?,
                escalations,
            })
        })
        .collect()
}
