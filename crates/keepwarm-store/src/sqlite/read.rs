//! Reads of many rows, each aggregated into one JSON document by SQLite.
//!
//! sqlx runs each SQLite connection on its own thread and hands every result row to the async side
//! through a channel. On the dispatch path that hand-off — not SQLite — was the cost: a profile of
//! `keepwarm bench` showed about half the time in thread wake-ups and futex waits. Aggregating with
//! `json_group_array` makes each query a single hand-off, whatever the number of rows.

use std::collections::HashMap;

use keepwarm_domain::cadence::Channel;
use keepwarm_domain::{LeadId, LeadStatus, SourceKind, Stage};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use sqlx::sqlite::SqlitePool;

use super::{id_list, opt_ts, ts, word};
use crate::records::{ClaimedTouch, ContactRow, EnrollmentRow, LeadRow, TouchRow};
use crate::{Result, StoreError};

/// Runs a query whose single column is a JSON array, and decodes it.
async fn json_rows<T: DeserializeOwned>(
    pool: &SqlitePool,
    sql: &str,
    param: &str,
) -> Result<Vec<T>> {
    let text: Option<String> = sqlx::query_scalar(sql).bind(param).fetch_one(pool).await?;
    let text = text.unwrap_or_else(|| "[]".into());
    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("aggregated rows: {e}")))
}

#[derive(Deserialize)]
struct TouchJson {
    id: i64,
    enrollment_id: i64,
    lead_id: i64,
    step_index: i64,
    channel: String,
    block: String,
    target_at: i64,
    due_at: i64,
    state: String,
    claimed_at: Option<i64>,
    body: Option<String>,
}

pub(super) const TOUCHES: &str = "SELECT json_group_array(json_object(
        'id', id, 'enrollment_id', enrollment_id, 'lead_id', lead_id, 'step_index', step_index,
        'channel', channel, 'block', block, 'target_at', target_at, 'due_at', due_at, 'state', state,
        'claimed_at', claimed_at, 'body', body))
    FROM (SELECT * FROM touches WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY due_at, id)";

impl TouchJson {
    fn into_row(self) -> Result<TouchRow> {
        Ok(TouchRow {
            id: self.id,
            enrollment_id: self.enrollment_id,
            lead_id: LeadId(self.lead_id),
            step_index: self.step_index as usize,
            channel: word::<Channel>(&self.channel)?,
            block: self.block,
            target_at: ts(self.target_at)?,
            due_at: ts(self.due_at)?,
            state: self.state,
            claimed_at: opt_ts(self.claimed_at)?,
            body: self.body,
        })
    }
}

#[derive(Deserialize)]
struct LeadJson {
    id: i64,
    dealership: String,
    received_at: i64,
    created_at: i64,
    source_kind: String,
    provider: Option<String>,
    provider_lead_id: Option<String>,
    display_name: Option<String>,
    /// The lead document as JSON text: left as text in SQL (re-parsing it there costs more).
    payload: String,
    segment: String,
    segment_rule: String,
    owner_id: String,
    stage: String,
    status: String,
    stop_reason: Option<String>,
    opted_out: i64,
}

pub(super) const LEADS: &str = "SELECT json_group_array(json_object(
        'id', id, 'dealership', dealership, 'received_at', received_at, 'created_at', created_at,
        'source_kind', source_kind, 'provider', provider, 'provider_lead_id', provider_lead_id,
        'display_name', display_name, 'payload', payload, 'segment', segment,
        'segment_rule', segment_rule, 'owner_id', owner_id, 'stage', stage, 'status', status,
        'stop_reason', stop_reason, 'opted_out', opted_out))
    FROM leads WHERE id IN (SELECT value FROM json_each(?1))";

#[derive(Deserialize)]
struct ContactJson {
    lead_id: i64,
    kind: String,
    value: String,
    usable: i64,
    reason: Option<String>,
}

pub(super) const CONTACTS: &str = "SELECT json_group_array(json_object(
        'lead_id', lead_id, 'kind', kind, 'value', value, 'usable', usable, 'reason', reason))
    FROM (SELECT * FROM lead_contacts WHERE lead_id IN (SELECT value FROM json_each(?1))
          ORDER BY lead_id, kind DESC, position)";

/// An `enrollments` row as JSON (SQLite's `json_object`, PostgreSQL's `to_jsonb`).
#[derive(Deserialize)]
pub(crate) struct EnrollmentJson {
    id: i64,
    lead_id: i64,
    cadence_name: String,
    cadence_version: String,
    anchor_at: i64,
    status: String,
    started_at: i64,
    ended_at: Option<i64>,
    end_reason: Option<String>,
}

pub(super) const ENROLLMENTS: &str = "SELECT json_group_array(json_object(
        'id', id, 'lead_id', lead_id, 'cadence_name', cadence_name, 'cadence_version', cadence_version,
        'anchor_at', anchor_at, 'status', status, 'started_at', started_at, 'ended_at', ended_at,
        'end_reason', end_reason))
    FROM (SELECT * FROM enrollments WHERE lead_id IN (SELECT value FROM json_each(?1)) ORDER BY id)";

impl EnrollmentJson {
    pub(crate) fn into_row(self) -> Result<EnrollmentRow> {
        Ok(EnrollmentRow {
            id: self.id,
            cadence_name: self.cadence_name,
            cadence_version: self.cadence_version,
            anchor_at: ts(self.anchor_at)?,
            status: word::<LeadStatus>(&self.status)?,
            started_at: ts(self.started_at)?,
            ended_at: opt_ts(self.ended_at)?,
            end_reason: self.end_reason,
        })
    }
}

#[derive(Deserialize)]
struct UsedJson {
    lead_id: i64,
    block: String,
    variant: i64,
}

/// By the batch's leads (`touches_lead`), not by `state = 'sent'`, which the planner would otherwise
/// pick and walk every touch ever sent, once a batch.
pub(super) const USED_VARIANTS: &str =
    "SELECT json_group_array(json_object('lead_id', lead_id, 'block', block, 'variant', variant))
    FROM touches INDEXED BY touches_lead
    WHERE lead_id IN (SELECT value FROM json_each(?1)) AND state = 'sent' AND variant IS NOT NULL";

/// Leads by id, with contacts and latest enrollment, in no particular order.
pub(super) async fn fetch_leads(pool: &SqlitePool, ids: &[i64]) -> Result<Vec<LeadRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = id_list(ids);
    let leads: Vec<LeadJson> = json_rows(pool, LEADS, &list).await?;
    let contacts: Vec<ContactJson> = json_rows(pool, CONTACTS, &list).await?;
    let enrollments: Vec<EnrollmentJson> = json_rows(pool, ENROLLMENTS, &list).await?;
    let mut contacts_by_lead: HashMap<i64, Vec<ContactRow>> = HashMap::new();
    for c in contacts {
        contacts_by_lead
            .entry(c.lead_id)
            .or_default()
            .push(ContactRow {
                kind: c.kind,
                value: c.value,
                usable: c.usable != 0,
                reason: c.reason,
            });
    }
    let mut latest: HashMap<i64, EnrollmentJson> = HashMap::new();
    for e in enrollments {
        latest.insert(e.lead_id, e);
    }
    leads
        .into_iter()
        .map(|l| {
            let enrollment = latest
                .remove(&l.id)
                .map(EnrollmentJson::into_row)
                .transpose()?;
            Ok(LeadRow {
                id: LeadId(l.id),
                dealership: l.dealership,
                received_at: ts(l.received_at)?,
                created_at: ts(l.created_at)?,
                source_kind: word::<SourceKind>(&l.source_kind)?,
                provider: l.provider,
                provider_lead_id: l.provider_lead_id,
                display_name: l.display_name,
                payload: serde_json::from_str::<Value>(&l.payload)
                    .map_err(|e| StoreError::Corrupt(format!("lead {} payload: {e}", l.id)))?,
                segment: l.segment,
                segment_rule: l.segment_rule,
                owner_id: l.owner_id,
                stage: word::<Stage>(&l.stage)?,
                status: word::<LeadStatus>(&l.status)?,
                stop_reason: l.stop_reason,
                opted_out: l.opted_out != 0,
                contacts: contacts_by_lead.remove(&l.id).unwrap_or_default(),
                enrollment,
            })
        })
        .collect()
}

/// Touches by id, each with its lead and the variants that lead already received from its block,
/// ordered by due time.
pub(super) async fn fetch_claimed(pool: &SqlitePool, ids: &[i64]) -> Result<Vec<ClaimedTouch>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let touches: Vec<TouchJson> = json_rows(pool, TOUCHES, &id_list(ids)).await?;
    let mut lead_ids: Vec<i64> = touches.iter().map(|t| t.lead_id).collect();
    lead_ids.sort_unstable();
    lead_ids.dedup();
    let leads: HashMap<i64, LeadRow> = fetch_leads(pool, &lead_ids)
        .await?
        .into_iter()
        .map(|l| (l.id.0, l))
        .collect();
    let used: Vec<UsedJson> = json_rows(pool, USED_VARIANTS, &id_list(&lead_ids)).await?;
    let mut used_by: HashMap<(i64, String), Vec<usize>> = HashMap::new();
    for u in used {
        used_by
            .entry((u.lead_id, u.block))
            .or_default()
            .push(u.variant as usize);
    }
    touches
        .into_iter()
        .map(|t| {
            let touch = t.into_row()?;
            let lead = leads
                .get(&touch.lead_id.0)
                .cloned()
                .ok_or_else(|| StoreError::Corrupt(format!("touch {} has no lead", touch.id)))?;
            let used_variants = used_by
                .get(&(touch.lead_id.0, touch.block.clone()))
                .cloned()
                .unwrap_or_default();
            Ok(ClaimedTouch {
                touch,
                lead,
                used_variants,
            })
        })
        .collect()
}
