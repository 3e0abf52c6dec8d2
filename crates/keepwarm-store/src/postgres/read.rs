//! Leads and claimed touches read by id on PostgreSQL: a few set queries (`= ANY($1)`), assembled
//! into rows here.

use std::collections::HashMap;

use keepwarm_domain::{LeadId, LeadStatus, SourceKind, Stage};
use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::types::Json;
use sqlx::Row;

use super::touch_row;
use crate::records::{ClaimedTouch, ContactRow, EnrollmentRow, LeadRow};
use crate::sqlite::read::EnrollmentJson;
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
            let contacts = contacts_by_lead.remove(&id).unwrap_or_default();
            lead_row(l, contacts, enrollment)
        })
        .collect()
}

/// A lead from its `leads` row, with its contacts and latest enrollment read beside it.
fn lead_row(
    l: &PgRow,
    contacts: Vec<ContactRow>,
    enrollment: Option<EnrollmentRow>,
) -> Result<LeadRow> {
    let Json(payload): Json<Value> = l.try_get("payload")?;
    Ok(LeadRow {
        id: LeadId(l.try_get("id")?),
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
        contacts,
        enrollment,
    })
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
/// already received from its block, ordered by due time. One statement: each lead comes with its
/// contacts, latest enrollment and sent variants aggregated beside it, so a claimed batch is read in
/// one round trip (the claim path runs this for every batch).
pub(super) async fn with_leads(pool: &sqlx::PgPool, rows: &[PgRow]) -> Result<Vec<ClaimedTouch>> {
    let mut touches = rows.iter().map(touch_row).collect::<Result<Vec<_>>>()?;
    touches.sort_by_key(|t| (t.due_at, t.id));
    let mut lead_ids: Vec<i64> = touches.iter().map(|t| t.lead_id.0).collect();
    lead_ids.sort_unstable();
    lead_ids.dedup();
    let rows = sqlx::query(
        "SELECT l.*,
             (SELECT COALESCE(jsonb_agg(jsonb_build_object('kind', c.kind, 'value', c.value,
                      'usable', c.usable, 'reason', c.reason) ORDER BY c.kind DESC, c.position),
                  '[]')
              FROM lead_contacts c WHERE c.lead_id = l.id) AS kw_contacts,
             (SELECT to_jsonb(e) FROM enrollments e WHERE e.lead_id = l.id ORDER BY e.id DESC
              LIMIT 1) AS kw_enrollment,
             (SELECT COALESCE(jsonb_agg(jsonb_build_array(u.block, u.variant) ORDER BY u.id), '[]')
              FROM touches u WHERE u.lead_id = l.id AND u.state = 'sent' AND u.variant IS NOT NULL)
                 AS kw_used
         FROM leads l WHERE l.id = ANY($1)",
    )
    .bind(&lead_ids)
    .fetch_all(pool)
    .await?;
    let mut leads: HashMap<i64, (LeadRow, Vec<(String, usize)>)> = HashMap::new();
    for r in &rows {
        let Json(contacts): Json<Vec<ContactJson>> = r.try_get("kw_contacts")?;
        let enrollment: Option<Json<EnrollmentJson>> = r.try_get("kw_enrollment")?;
        let Json(used): Json<Vec<(String, usize)>> = r.try_get("kw_used")?;
        let contacts = contacts.into_iter().map(ContactJson::row).collect();
        let enrollment = enrollment.map(|Json(e)| e.into_row()).transpose()?;
        let lead = lead_row(r, contacts, enrollment)?;
        leads.insert(lead.id.0, (lead, used));
    }
    touches
        .into_iter()
        .map(|touch| {
            let (lead, used) = leads
                .get(&touch.lead_id.0)
                .ok_or_else(|| StoreError::Corrupt(format!("touch {} has no lead", touch.id)))?;
            let used_variants = used
                .iter()
                .filter(|(block, _)| *block == touch.block)
                .map(|(_, variant)| *variant)
                .collect();
            Ok(ClaimedTouch {
                touch,
                lead: lead.clone(),
                used_variants,
            })
        })
        .collect()
}

/// A contact as [`with_leads`] aggregates it.
#[derive(serde::Deserialize)]
struct ContactJson {
    kind: String,
    value: String,
    usable: bool,
    reason: Option<String>,
}

impl ContactJson {
    fn row(self) -> ContactRow {
        ContactRow {
            kind: self.kind,
            value: self.value,
            usable: self.usable,
            reason: self.reason,
        }
    }
}
