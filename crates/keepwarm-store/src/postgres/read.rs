//! Leads and claimed touches read by id on PostgreSQL: a few set queries (`= ANY($1)`), assembled
//! into rows here.

use std::collections::HashMap;

use keepwarm_domain::{LeadId, LeadStatus, SourceKind, Stage};
use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::types::Json;
use sqlx::{PgExecutor, Row};

use super::touch_row;
use crate::records::{ClaimedTouch, ContactRow, EnrollmentRow, LeadRow};
use crate::sqlite::{opt_ts, ts, word};
use crate::{Result, StoreError};

/// Leads by id, with contacts and latest enrollment, in no particular order.
pub(super) async fn fetch_leads(pool: &sqlx::PgPool, ids: &[i64]) -> Result<Vec<LeadRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Three independent reads on three of the pool's connections at once: one round trip of
    // waiting instead of three (the claim path reads leads for every batch).
    let (leads, contacts, enrollments) = tokio::try_join!(
        sqlx::query("SELECT * FROM leads WHERE id = ANY($1)")
            .bind(ids)
            .fetch_all(pool),
        sqlx::query(
            "SELECT lead_id, kind, value, usable, reason FROM lead_contacts WHERE lead_id = ANY($1)
             ORDER BY lead_id, kind DESC, position",
        )
        .bind(ids)
        .fetch_all(pool),
        sqlx::query("SELECT * FROM enrollments WHERE lead_id = ANY($1) ORDER BY id")
            .bind(ids)
            .fetch_all(pool),
    )?;
    let mut contacts_by_lead: HashMap<i64, Vec<ContactRow>> = HashMap::new();
    for c in &contacts {
        contacts_by_lead
            .entry(c.try_get("lead_id")?)
            .or_default()
            .push(ContactRow {
                kind: c.try_get("kind")?,
                value: c.try_get("value")?,
                usable: c.try_get("usable")?,
                reason: c.try_get("reason")?,
            });
    }
    let mut latest: HashMap<i64, &PgRow> = HashMap::new();
    for e in &enrollments {
        latest.insert(e.try_get("lead_id")?, e);
    }
    leads
        .iter()
        .map(|l| {
            let id: i64 = l.try_get("id")?;
            let enrollment = latest.remove(&id).map(enrollment_row).transpose()?;
            let Json(payload): Json<Value> = l.try_get("payload")?;
            Ok(LeadRow {
                id: LeadId(id),
                dealership: l.try_get("dealership")?,
                received_at: ts(l.try_get("received_at")?)?,
                created_at: ts(l.try_get("created_at")?)?,
                source_kind: word::<SourceKind>(l.try_get("source_kind")?)?,
                provider: l.try_get("provider")?,
                provider_lead_id: l.try_get("provider_lead_id")?,
                display_name: l.try_get("display_name")?,
                payload,
                segment: l.try_get("segment")?,
                segment_rule: l.try_get("segment_rule")?,
                owner_id: l.try_get("owner_id")?,
                stage: word::<Stage>(l.try_get("stage")?)?,
                status: word::<LeadStatus>(l.try_get("status")?)?,
                stop_reason: l.try_get("stop_reason")?,
                opted_out: l.try_get("opted_out")?,
                contacts: contacts_by_lead.remove(&id).unwrap_or_default(),
                enrollment,
            })
        })
        .collect()
}

fn enrollment_row(e: &PgRow) -> Result<EnrollmentRow> {
    Ok(EnrollmentRow {
        id: e.try_get("id")?,
        cadence_name: e.try_get("cadence_name")?,
        cadence_version: e.try_get("cadence_version")?,
        anchor_at: ts(e.try_get("anchor_at")?)?,
        status: word::<LeadStatus>(e.try_get("status")?)?,
        started_at: ts(e.try_get("started_at")?)?,
        ended_at: opt_ts(e.try_get("ended_at")?)?,
        end_reason: e.try_get("end_reason")?,
    })
}

/// Touch rows as read (a claim's `RETURNING`), each with its lead and the variants that lead
/// already received from its block, ordered by due time.
pub(super) async fn with_leads(pool: &sqlx::PgPool, rows: &[PgRow]) -> Result<Vec<ClaimedTouch>> {
    let mut touches = rows.iter().map(touch_row).collect::<Result<Vec<_>>>()?;
    touches.sort_by_key(|t| (t.due_at, t.id));
    let mut lead_ids: Vec<i64> = touches.iter().map(|t| t.lead_id.0).collect();
    lead_ids.sort_unstable();
    lead_ids.dedup();
    let (leads, used) =
        tokio::try_join!(fetch_leads(pool, &lead_ids), used_variants(pool, &lead_ids))?;
    let leads: HashMap<i64, LeadRow> = leads.into_iter().map(|l| (l.id.0, l)).collect();
    touches
        .into_iter()
        .map(|touch| {
            let lead = leads
                .get(&touch.lead_id.0)
                .cloned()
                .ok_or_else(|| StoreError::Corrupt(format!("touch {} has no lead", touch.id)))?;
            let used_variants = used
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

/// The variants each lead already received, by lead and block.
async fn used_variants<'e>(
    db: impl PgExecutor<'e>,
    leads: &[i64],
) -> Result<HashMap<(i64, String), Vec<usize>>> {
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT lead_id, block, variant FROM touches
         WHERE lead_id = ANY($1) AND state = 'sent' AND variant IS NOT NULL ORDER BY id",
    )
    .bind(leads)
    .fetch_all(db)
    .await?;
    let mut used: HashMap<(i64, String), Vec<usize>> = HashMap::new();
    for (lead, block, variant) in rows {
        used.entry((lead, block))
            .or_default()
            .push(variant as usize);
    }
    Ok(used)
}
