//! Intake on PostgreSQL: matching inquiries to known leads, folding a later inquiry into one,
//! reopening one, raw inbound documents and imported CSV rows. What is decided is shared with
//! SQLite (`crate::intake`); this module holds the SQL.

use std::collections::HashSet;

use jiff::Timestamp;
use keepwarm_domain::dedupe::MatchCandidate;
use keepwarm_domain::{EmailAddress, LeadId, LeadStatus, PhoneNumber, TimelineEvent};
use sha2::{Digest, Sha256};
use sqlx::{PgPool, Postgres, QueryBuilder, Transaction};

use super::apply::stop_in;
use super::{insert_touch, ROWS};
use crate::intake::{best_matches, match_keys, ContactMatch};
use crate::records::{DocumentRow, NewDocument, NewEnrollment};
use crate::rows::{document_row, Columns};
use crate::sqlite::ms;
use crate::{Page, Result, StoreError};

/// The best matching lead for each inquiry, from one query over all their contacts.
pub(super) async fn find_matches(
    pool: &PgPool,
    dealership: &str,
    inquiries: &[(Vec<PhoneNumber>, Vec<EmailAddress>)],
) -> Result<Vec<Option<MatchCandidate>>> {
    let (phones, emails) = match_keys(inquiries);
    if phones.is_empty() && emails.is_empty() {
        return Ok(vec![None; inquiries.len()]);
    }
    let rows = sqlx::query(
        "SELECT l.id, l.stage, l.status, l.opted_out,
                COALESCE(l.last_inquiry_at, l.received_at) AS last_inquiry_at, c.kind, c.value,
                COALESCE(l.payload #>> '{customer,first_name}', l.payload #>> '{customer,full_name}')
                    AS name,
                (SELECT MAX(e.at) FROM events e WHERE e.lead_id = l.id AND e.kind = $4)
                    AS last_stage_change_at,
                EXISTS (SELECT 1 FROM escalations x
                        WHERE x.lead_id = l.id AND x.status IN ('open', 'breached')) AS open_escalation
         FROM (SELECT lead_id, kind, value FROM lead_contacts
               WHERE kind = 'phone' AND value = ANY($1) AND usable
               UNION ALL
               SELECT lead_id, kind, lower(value) FROM lead_contacts
               WHERE kind = 'email' AND lower(value) = ANY($2) AND usable) AS c
         JOIN leads l ON l.id = c.lead_id
         WHERE l.dealership = $3",
    )
    .bind(&phones)
    .bind(&emails)
    .bind(dealership)
    .bind(TimelineEvent::STAGE_CHANGED)
    .fetch_all(pool)
    .await?;
    let rows = rows
        .iter()
        .map(|r| {
            Ok(ContactMatch {
                id: r.int("id")?,
                stage: r.text("stage")?,
                status: r.text("status")?,
                opted_out: i64::from(r.flag("opted_out")?),
                last_inquiry_at: r.int("last_inquiry_at")?,
                kind: r.text("kind")?,
                value: r.text("value")?,
                name: r.opt_text("name")?,
                last_stage_change_at: r.opt_int("last_stage_change_at")?,
                open_escalation: i64::from(r.flag("open_escalation")?),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    best_matches(inquiries, &rows)
}

/// Adds usable phones and e-mails after the lead's existing contacts.
async fn insert_contacts(
    tx: &mut Transaction<'_, Postgres>,
    lead: LeadId,
    phones: &[PhoneNumber],
    emails: &[EmailAddress],
) -> Result<()> {
    let rows: Vec<(&str, &str)> = phones
        .iter()
        .map(|p| ("phone", p.as_str()))
        .chain(emails.iter().map(|e| ("email", e.as_str())))
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    let start: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(position), -1) + 1 FROM lead_contacts WHERE lead_id = $1",
    )
    .bind(lead.0)
    .fetch_one(&mut **tx)
    .await?;
    let mut q = QueryBuilder::<Postgres>::new(
        "INSERT INTO lead_contacts (lead_id, position, kind, value, usable, reason) ",
    );
    q.push_values(rows.iter().enumerate(), |mut b, (i, (kind, value))| {
        b.push_bind(lead.0)
            .push_bind(start + i as i64)
            .push_bind(*kind)
            .push_bind(*value)
            .push_bind(true)
            .push_bind(None::<String>);
    });
    q.build().execute(&mut **tx).await?;
    Ok(())
}

/// Starts an enrollment and its first touch (held when the follow-up starts paused).
pub(super) async fn insert_enrollment(
    tx: &mut Transaction<'_, Postgres>,
    lead: LeadId,
    e: &NewEnrollment,
    status: LeadStatus,
    at: Timestamp,
) -> Result<()> {
    let enrollment: i64 = sqlx::query_scalar(
        "INSERT INTO enrollments (lead_id, cadence_name, cadence_version, anchor_at, status, started_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(lead.0)
    .bind(&e.cadence_name)
    .bind(&e.cadence_version)
    .bind(ms(e.anchor_at))
    .bind(status.as_str())
    .bind(ms(at))
    .fetch_one(&mut **tx)
    .await?;
    if let Some(t) = &e.first_touch {
        insert_touch(tx, lead, enrollment, t, at, status == LeadStatus::Paused).await?;
    }
    Ok(())
}

/// Links a lead to the inbound document it came from.
pub(super) async fn link_document(
    tx: &mut Transaction<'_, Postgres>,
    lead: LeadId,
    document: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO lead_documents (lead_id, document_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(lead.0)
    .bind(document)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Folds a later inquiry into a lead: its document, its latest inquiry time, its new contacts.
/// The lead's row is locked by the update, so two merges into one lead take turns.
pub(super) async fn merge_inquiry_in(
    tx: &mut Transaction<'_, Postgres>,
    lead: LeadId,
    m: &keepwarm_domain::machine::InquiryMerge,
) -> Result<()> {
    let updated = sqlx::query(
        "UPDATE leads SET payload = $1,
             last_inquiry_at = GREATEST(COALESCE(last_inquiry_at, received_at), $2)
         WHERE id = $3",
    )
    .bind(sqlx::types::Json(&m.document))
    .bind(ms(m.received_at))
    .bind(lead.0)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    found(updated, lead)?;
    insert_contacts(tx, lead, &m.new_phones, &m.new_emails).await
}

/// Starts a lead's follow-up again (see the SQLite backend's `reopen_in`).
pub(super) async fn reopen_in(
    tx: &mut Transaction<'_, Postgres>,
    lead: LeadId,
    r: &keepwarm_domain::machine::Reopening,
    at: Timestamp,
) -> Result<()> {
    stop_in(tx, lead, &r.end_reason, "intake", at, false).await?;
    let updated = sqlx::query(
        "UPDATE leads SET segment = $1, segment_rule = $2, owner_id = $3, status = $4,
             stop_reason = NULL, stage = CASE WHEN $5 THEN 'new' ELSE stage END
         WHERE id = $6",
    )
    .bind(&r.segment)
    .bind(&r.segment_rule)
    .bind(&r.owner)
    .bind(r.status.as_str())
    .bind(r.reset_stage)
    .bind(lead.0)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    found(updated, lead)?;
    insert_enrollment(tx, lead, &r.enrollment, r.status, at).await
}

/// Not found when an update of `lead` changed no row.
fn found(updated: u64, lead: LeadId) -> Result<()> {
    if updated == 0 {
        return Err(StoreError::NotFound(format!("lead {lead}")));
    }
    Ok(())
}

/// Keeps raw documents, in one statement per chunk; their ids in order.
pub(super) async fn store_documents(
    tx: &mut Transaction<'_, Postgres>,
    documents: &[NewDocument],
) -> Result<Vec<i64>> {
    let mut ids = Vec::with_capacity(documents.len());
    for chunk in documents.chunks(500) {
        let mut q = QueryBuilder::<Postgres>::new(
            "INSERT INTO inbound_documents (received_at, channel, content_type, sha256, size, body, status) ",
        );
        q.push_values(chunk, |mut b, d| {
            b.push_bind(ms(d.received_at))
                .push_bind(d.channel.as_str())
                .push_bind(d.content_type.as_deref())
                .push_bind(hex::encode(Sha256::digest(&d.body)))
                .push_bind(d.body.len() as i64)
                .push_bind(d.body.as_slice())
                .push_bind("received");
        });
        // Multi-row VALUES insert in the order given, and identity values are drawn in that order.
        q.push(" RETURNING id");
        let mut chunk_ids: Vec<i64> = q.build_query_scalar().fetch_all(&mut **tx).await?;
        chunk_ids.sort_unstable();
        ids.extend(chunk_ids);
    }
    Ok(ids)
}

/// Records a document's parse result and links its leads.
pub(super) async fn finish_document(
    tx: &mut Transaction<'_, Postgres>,
    id: i64,
    status: &str,
    detail: Option<&str>,
    leads: &[LeadId],
) -> Result<()> {
    sqlx::query("UPDATE inbound_documents SET status = $1, detail = $2, leads = $3 WHERE id = $4")
        .bind(status)
        .bind(detail)
        .bind(leads.len() as i64)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let leads: Vec<i64> = leads.iter().map(|l| l.0).collect();
    sqlx::query(
        "INSERT INTO lead_documents (lead_id, document_id)
         SELECT DISTINCT lead, $2 FROM unnest($1::bigint[]) AS lead ON CONFLICT DO NOTHING",
    )
    .bind(&leads)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

const DOCUMENT_COLUMNS: &str =
    "d.id, d.received_at, d.channel, d.content_type, d.sha256, d.size, d.status, d.detail,
     (SELECT COALESCE(jsonb_agg(lead_id ORDER BY lead_id), '[]') FROM lead_documents
      WHERE document_id = d.id) AS lead_ids";

/// One document with its body.
pub(super) async fn document(pool: &PgPool, id: i64) -> Result<Option<(DocumentRow, Vec<u8>)>> {
    let row = sqlx::query(&format!(
        "SELECT {DOCUMENT_COLUMNS}, d.body FROM inbound_documents d WHERE d.id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?;
    row.map(|r| Ok((document_row(&r)?, r.bytes("body")?)))
        .transpose()
}

/// Documents, newest first.
pub(super) async fn documents(
    pool: &PgPool,
    status: Option<&str>,
    page: &Page,
) -> Result<Vec<DocumentRow>> {
    let after = page.after.as_ref().and_then(|k| k.first().copied());
    let rows = sqlx::query(&format!(
        "SELECT {DOCUMENT_COLUMNS} FROM inbound_documents d
         WHERE ($1::text IS NULL OR d.status = $1) AND ($3::bigint IS NULL OR d.id < $3)
         ORDER BY d.id DESC LIMIT $2"
    ))
    .bind(status)
    .bind(i64::from(page.limit.max(1)))
    .bind(after)
    .fetch_all(pool)
    .await?;
    rows.iter().map(document_row).collect()
}

/// Which keys are already imported.
pub(super) async fn imported_rows(pool: &PgPool, keys: &[String]) -> Result<HashSet<String>> {
    if keys.is_empty() {
        return Ok(HashSet::new());
    }
    let found: Vec<String> =
        sqlx::query_scalar("SELECT row_key FROM import_rows WHERE row_key = ANY($1)")
            .bind(keys)
            .fetch_all(pool)
            .await?;
    Ok(found.into_iter().collect())
}

/// Remembers imported rows.
pub(super) async fn record_imported_rows(
    tx: &mut Transaction<'_, Postgres>,
    rows: &[(String, Option<LeadId>)],
    at: Timestamp,
) -> Result<()> {
    for chunk in rows.chunks(ROWS) {
        let mut q = QueryBuilder::<Postgres>::new(
            "INSERT INTO import_rows (row_key, lead_id, imported_at) ",
        );
        q.push_values(chunk, |mut b, (key, lead)| {
            b.push_bind(key.as_str())
                .push_bind(lead.map(|l| l.0))
                .push_bind(ms(at));
        });
        q.push(" ON CONFLICT (row_key) DO NOTHING");
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}
