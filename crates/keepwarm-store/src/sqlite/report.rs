//! The facts the funnel report aggregates, read from leads, the timeline and escalations.

use std::collections::HashMap;

use jiff::Timestamp;
use keepwarm_domain::report::ReportLead;
use keepwarm_domain::{Stage, TimelineEvent};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use sqlx::sqlite::SqlitePool;

use super::{kinds, ms, ts, word};
use crate::{Result, StoreError};

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

async fn json<T: DeserializeOwned>(
    pool: &SqlitePool,
    sql: &str,
    from: i64,
    to: i64,
) -> Result<Vec<T>> {
    let text: String = sqlx::query_scalar(sql)
        .bind(from)
        .bind(to)
        .fetch_one(pool)
        .await?;
    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("report rows: {e}")))
}

const IN_RANGE: &str = "SELECT id FROM leads WHERE received_at >= ?1 AND received_at < ?2";

/// Who records a stage as a person (not the customer's reply, an import or keepwarm itself).
fn by_a_person(by: Option<&str>) -> bool {
    !matches!(
        by,
        None | Some("customer reply" | "import" | "keepwarm" | "intake")
    )
}

/// Facts for every lead received in `[from, to)`.
pub(super) async fn report_leads(
    pool: &SqlitePool,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<ReportLead>> {
    let (from, to) = (ms(from), ms(to));
    let leads: Vec<LeadJson> = json(
        pool,
        &format!(
            "SELECT json_group_array(json_object('id', l.id, 'dealership', l.dealership,
                 'segment', COALESCE((SELECT json_extract(s.data, '$.segment') FROM events s
                                      WHERE s.lead_id = l.id AND s.kind IN ({segmented}) ORDER BY s.id LIMIT 1),
                                     l.segment),
                 'source_kind', l.source_kind, 'provider', l.provider, 'owner_id', l.owner_id, 'stage', l.stage,
                 'received_at', l.received_at, 'created_at', l.created_at,
                 'cadence', (SELECT e.cadence_name || '@' || e.cadence_version FROM enrollments e
                             WHERE e.lead_id = l.id ORDER BY e.id LIMIT 1)))
             FROM leads l WHERE l.id IN ({IN_RANGE})",
            segmented = kinds::kind_list(&[TimelineEvent::SEGMENTED])
        ),
        from,
        to,
    )
    .await?;
    let events: Vec<EventJson> = json(
        pool,
        &format!(
            "SELECT json_group_array(json_object('lead_id', lead_id, 'at', at, 'kind', kind,
                 'to', json_extract(data, '$.to'), 'from', json_extract(data, '$.from'), 'by', json_extract(data, '$.by')))
             FROM events WHERE lead_id IN ({IN_RANGE})
               AND kind IN ({})",
            kinds::kind_list(&[
                TimelineEvent::STAGE_CHANGED,
                TimelineEvent::TOUCH_SENT,
                TimelineEvent::ESCALATION_ACKNOWLEDGED,
            ])
        ),
        from,
        to,
    )
    .await?;
    let escalations: Vec<EscalationJson> = json(
        pool,
        &format!(
            "SELECT json_group_array(json_object('lead_id', lead_id, 'created_at', created_at,
                 'sla_due_at', sla_due_at, 'acknowledged_at', acknowledged_at))
             FROM escalations WHERE lead_id IN ({IN_RANGE})"
        ),
        from,
        to,
    )
    .await?;
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
