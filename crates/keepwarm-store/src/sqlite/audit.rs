//! The weekly audit's facts and the weekly report deliveries, in SQLite.

use std::collections::HashMap;

use jiff::Timestamp;
use keepwarm_domain::audit::{AuditEscalation, AuditLead, AuditTouch, LeadContext};
use keepwarm_domain::lead::LeadInput;
use keepwarm_domain::TimelineEvent;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use sqlx::sqlite::SqlitePool;

use super::{kinds, ms, opt_ts, ts, word};
use crate::records::AuditActivity;
use crate::{Result, StoreError};

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

async fn json<T: DeserializeOwned>(
    pool: &SqlitePool,
    sql: &str,
    binds: (&str, i64, i64, i64),
) -> Result<Vec<T>> {
    let text: String = sqlx::query_scalar(sql)
        .bind(binds.0)
        .bind(binds.1)
        .bind(binds.2)
        .bind(binds.3)
        .fetch_one(pool)
        .await?;
    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("audit rows: {e}")))
}

/// Leads of dealership ?1 active in [?2, ?4): a timeline event in the range, or a touch due in it
/// that is still waiting (a stopped worker leaves no events, and must not hide its leads).
const ACTIVE: &str = "SELECT e.lead_id FROM events e JOIN leads l ON l.id = e.lead_id
         WHERE l.dealership = ?1 AND e.at >= ?2 AND e.at < ?4
     UNION SELECT t.lead_id FROM touches t JOIN leads l ON l.id = t.lead_id
         WHERE l.dealership = ?1 AND t.state IN ('scheduled', 'sending') AND t.due_at >= ?2 AND t.due_at < ?4";
/// The same for the audited week [?3, ?4).
const ACTIVE_IN_WEEK: &str = "SELECT e.lead_id FROM events e JOIN leads l ON l.id = e.lead_id
         WHERE l.dealership = ?1 AND e.at >= ?3 AND e.at < ?4
     UNION SELECT t.lead_id FROM touches t JOIN leads l ON l.id = t.lead_id
         WHERE l.dealership = ?1 AND t.state IN ('scheduled', 'sending') AND t.due_at >= ?3 AND t.due_at < ?4";

/// The facts of leads active in `[from, to)`; touches and escalations of `[week_start, to)`.
pub(super) async fn audit_activity(
    pool: &SqlitePool,
    dealership: &str,
    from: Timestamp,
    week_start: Timestamp,
    to: Timestamp,
) -> Result<AuditActivity> {
    let binds = (dealership, ms(from), ms(week_start), ms(to));
    let leads: Vec<LeadJson> = json(
        pool,
        &format!(
            "SELECT json_group_array(json_object('id', id, 'segment', segment, 'owner_id', owner_id,
                 'display_name', display_name, 'payload', payload))
             FROM leads WHERE id IN ({ACTIVE})"
        ),
        binds,
    )
    .await?;
    let events: Vec<EventJson> = json(
        pool,
        &format!(
            "SELECT json_group_array(json_object('lead_id', lead_id, 'at', at, 'kind', kind,
                 'to', json_extract(data, '$.to')))
             FROM (SELECT lead_id, at, kind, data FROM events
                   UNION ALL SELECT lead_id, due_at, 'touch_waiting', '{{}}' FROM touches
                   WHERE state IN ('scheduled', 'sending'))
             WHERE lead_id IN ({ACTIVE})
               AND ((at >= ?2 AND at < ?4) OR kind IN ({}))",
            kinds::kind_list(&[TimelineEvent::STAGE_CHANGED])
        ),
        binds,
    )
    .await?;
    let touches: Vec<TouchJson> = json(
        pool,
        &format!(
            "SELECT json_group_array(json_object('id', t.id, 'lead_id', t.lead_id, 'step_index', t.step_index,
                 'channel', t.channel, 'block', t.block, 'target_at', t.target_at, 'due_at', t.due_at,
                 'state', t.state, 'finished_at', t.finished_at, 'body', t.body,
                 'first_sms', json(CASE WHEN t.channel = 'sms' AND t.step_index =
                     (SELECT MIN(f.step_index) FROM touches f WHERE f.enrollment_id = t.enrollment_id AND f.channel = 'sms')
                     THEN 'true' ELSE 'false' END)))
             FROM touches t WHERE t.lead_id IN ({ACTIVE_IN_WEEK})
               AND ((t.due_at >= ?3 AND t.due_at < ?4) OR (t.finished_at >= ?3 AND t.finished_at < ?4))"
        ),
        binds,
    )
    .await?;
    let escalations: Vec<EscalationJson> = json(
        pool,
        "SELECT json_group_array(json_object('id', e.id, 'lead_id', e.lead_id, 'segment', l.segment,
             'assignee_id', e.assignee_id, 'notified', e.notified, 'created_at', e.created_at,
             'acknowledged_at', e.acknowledged_at, 'acknowledged_by', e.acknowledged_by))
         FROM escalations e JOIN leads l ON l.id = e.lead_id
         WHERE l.dealership = ?1 AND e.created_at >= ?3 AND e.created_at < ?4 AND ?2 IS NOT NULL",
        binds,
    )
    .await?;

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

/// Claims a week's report for a recipient; `false` when it was claimed before.
pub(super) async fn claim_report_delivery(
    pool: &SqlitePool,
    dealership: &str,
    week: &str,
    recipient: &str,
    at: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO report_deliveries (dealership, week, recipient, claimed_at, status)
         VALUES (?1, ?2, ?3, ?4, 'sending') ON CONFLICT DO NOTHING",
    )
    .bind(dealership)
    .bind(week)
    .bind(recipient)
    .bind(ms(at))
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records how a claimed delivery went.
pub(super) async fn finish_report_delivery(
    pool: &SqlitePool,
    dealership: &str,
    week: &str,
    recipient: &str,
    status: &str,
    detail: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "UPDATE report_deliveries SET status = ?4, detail = ?5
         WHERE dealership = ?1 AND week = ?2 AND recipient = ?3",
    )
    .bind(dealership)
    .bind(week)
    .bind(recipient)
    .bind(status)
    .bind(detail)
    .execute(pool)
    .await?;
    Ok(())
}

/// Recipients already claimed for a week's report.
pub(super) async fn report_recipients(
    pool: &SqlitePool,
    dealership: &str,
    week: &str,
) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT recipient FROM report_deliveries WHERE dealership = ?1 AND week = ?2 ORDER BY recipient",
    )
    .bind(dealership)
    .bind(week)
    .fetch_all(pool)
    .await?)
}
