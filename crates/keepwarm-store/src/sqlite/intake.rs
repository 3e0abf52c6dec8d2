//! Intake storage: contacts and enrollments of new and merged leads, duplicate matching, raw inbound
//! documents and imported CSV rows.

use crate::rows::document_row;
use std::collections::HashSet;

use jiff::Timestamp;
use keepwarm_domain::dedupe::MatchCandidate;
use keepwarm_domain::{EmailAddress, LeadId, LeadStatus, PhoneNumber, TimelineEvent};
use sha2::{Digest, Sha256};
use sqlx::sqlite::SqlitePool;
use sqlx::{QueryBuilder, Row, Sqlite, Transaction};

use super::ids::{reserve_ids, Counter};
use super::{insert_touch, kinds, ms, stop_in};
use crate::intake::{best_matches, match_keys, ContactMatch};
use crate::records::{DocumentRow, NewDocument, NewEnrollment};
use crate::{Result, StoreError};

/// A contact row to insert: kind, value, usable, reason.
pub(super) type ContactValues = (&'static str, String, bool, Option<String>);

/// Adds usable phones and e-mails, then `unusable` rows, after the lead's existing contacts.
pub(super) async fn insert_contacts(
    tx: &mut Transaction<'_, Sqlite>,
    lead: LeadId,
    phones: &[PhoneNumber],
    emails: &[EmailAddress],
    unusable: Vec<ContactValues>,
) -> Result<()> {
    let rows: Vec<ContactValues> = phones
        .iter()
        .map(|p| ("phone", p.as_str().to_owned(), true, None))
        .chain(
            emails
                .iter()
                .map(|e| ("email", e.as_str().to_owned(), true, None)),
        )
        .chain(unusable)
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    let start: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(position), -1) + 1 FROM lead_contacts WHERE lead_id = ?",
    )
    .bind(lead.0)
    .fetch_one(&mut **tx)
    .await?;
    let mut q = QueryBuilder::<Sqlite>::new(
        "INSERT INTO lead_contacts (lead_id, position, kind, value, usable, reason) ",
    );
    q.push_values(
        rows.iter().enumerate(),
        |mut b, (i, (kind, value, usable, reason))| {
            b.push_bind(lead.0)
                .push_bind(start + i as i64)
                .push_bind(*kind)
                .push_bind(value.as_str())
                .push_bind(*usable as i64)
                .push_bind(reason.as_deref());
        },
    );
    q.build().execute(&mut **tx).await?;
    Ok(())
}

/// Starts an enrollment and its first touch (held when the follow-up starts paused).
pub(super) async fn insert_enrollment(
    tx: &mut Transaction<'_, Sqlite>,
    lead: LeadId,
    e: &NewEnrollment,
    status: LeadStatus,
    at: Timestamp,
) -> Result<(i64, Option<i64>)> {
    let enrollment_id: i64 = sqlx::query_scalar(
        "INSERT INTO enrollments (lead_id, cadence_name, cadence_version, anchor_at, status, started_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(lead.0)
    .bind(&e.cadence_name)
    .bind(&e.cadence_version)
    .bind(ms(e.anchor_at))
    .bind(status.as_str())
    .bind(ms(at))
    .fetch_one(&mut **tx)
    .await?;
    let touch = match &e.first_touch {
        Some(t) => {
            Some(insert_touch(tx, lead, enrollment_id, t, at, status == LeadStatus::Paused).await?)
        }
        None => None,
    };
    Ok((enrollment_id, touch))
}

/// Links a lead to the inbound document it came from.
pub(super) async fn link_document(
    tx: &mut Transaction<'_, Sqlite>,
    lead: LeadId,
    document: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO lead_documents (lead_id, document_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(lead.0)
    .bind(document)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The best matching lead for each inquiry, from one aggregated query over all their contacts.
pub(super) async fn find_matches(
    pool: &SqlitePool,
    dealership: &str,
    inquiries: &[(Vec<PhoneNumber>, Vec<EmailAddress>)],
) -> Result<Vec<Option<MatchCandidate>>> {
    let (phones, emails) = match_keys(inquiries);
    if phones.is_empty() && emails.is_empty() {
        return Ok(vec![None; inquiries.len()]);
    }
    // Two index lookups (kind, value) and (kind, lower(value)), not a scan of every contact; the
    // per-lead facts come from indexed lookups of the matched leads only.
    let rows: String = sqlx::query_scalar(&format!(
        "SELECT json_group_array(json_object('id', l.id, 'stage', l.stage, 'status', l.status,
                    'opted_out', l.opted_out, 'last_inquiry_at', COALESCE(l.last_inquiry_at, l.received_at),
                    'kind', c.kind, 'value', c.value,
                    'name', COALESCE(json_extract(l.payload, '$.customer.first_name'),
                                     json_extract(l.payload, '$.customer.full_name')),
                    'last_stage_change_at', (SELECT MAX(e.at) FROM events e
                                             WHERE e.lead_id = l.id AND e.kind IN ({stage_changed})),
                    'open_escalation', EXISTS (SELECT 1 FROM escalations x
                                               WHERE x.lead_id = l.id AND x.status IN ('open', 'breached'))))
         FROM (SELECT lead_id, kind, value FROM lead_contacts
               WHERE kind = 'phone' AND value IN (SELECT value FROM json_each(?1)) AND usable = 1
               UNION ALL
               SELECT lead_id, kind, lower(value) FROM lead_contacts
               WHERE kind = 'email' AND lower(value) IN (SELECT value FROM json_each(?2)) AND usable = 1) AS c
         JOIN leads l ON l.id = c.lead_id
         WHERE l.dealership = ?3",
        stage_changed = kinds::kind_list(&[TimelineEvent::STAGE_CHANGED])
    ))
    .bind(serde_json::to_string(&phones).unwrap_or_else(|_| "[]".into()))
    .bind(serde_json::to_string(&emails).unwrap_or_else(|_| "[]".into()))
    .bind(dealership)
    .fetch_one(pool)
    .await?;
    let rows: Vec<ContactMatch> =
        serde_json::from_str(&rows).map_err(|e| StoreError::Corrupt(format!("matches: {e}")))?;
    best_matches(inquiries, &rows)
}

/// Folds a later inquiry into a lead: its document, its latest inquiry time, its new contacts.
pub(super) async fn merge_inquiry_in(
    tx: &mut Transaction<'_, Sqlite>,
    lead: LeadId,
    m: &keepwarm_domain::machine::InquiryMerge,
) -> Result<()> {
    let document = serde_json::to_string(&m.document)
        .map_err(|e| StoreError::Corrupt(format!("lead {lead} document: {e}")))?;
    let updated = sqlx::query(
        "UPDATE leads SET payload = ?, last_inquiry_at = MAX(COALESCE(last_inquiry_at, received_at), ?) WHERE id = ?",
    )
    .bind(document)
    .bind(ms(m.received_at))
    .bind(lead.0)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    found(updated, lead)?;
    insert_contacts(tx, lead, &m.new_phones, &m.new_emails, Vec::new()).await
}

/// Starts a lead's follow-up again: the enrollment in force ends, the lead takes the new segment,
/// owner and status (and stage `new` when asked), and the new enrollment starts.
pub(super) async fn reopen_in(
    tx: &mut Transaction<'_, Sqlite>,
    lead: LeadId,
    r: &keepwarm_domain::machine::Reopening,
    at: Timestamp,
) -> Result<()> {
    stop_in(tx, lead, &r.end_reason, "intake", at, false).await?;
    let updated = sqlx::query(
        "UPDATE leads SET segment = ?, segment_rule = ?, owner_id = ?, status = ?, stop_reason = NULL,
             stage = CASE WHEN ? THEN 'new' ELSE stage END
         WHERE id = ?",
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
    insert_enrollment(tx, lead, &r.enrollment, r.status, at).await?;
    Ok(())
}

/// Not found when an update of `lead` changed no row.
fn found(updated: u64, lead: LeadId) -> Result<()> {
    if updated == 0 {
        return Err(StoreError::NotFound(format!("lead {lead}")));
    }
    Ok(())
}

/// Keeps a raw document.
pub(super) async fn store_document(pool: &SqlitePool, d: &NewDocument) -> Result<i64> {
    let sha = hex::encode(Sha256::digest(&d.body));
    Ok(sqlx::query_scalar(
        "INSERT INTO inbound_documents (received_at, channel, content_type, sha256, size, body, status)
         VALUES (?, ?, ?, ?, ?, ?, 'received') RETURNING id",
    )
    .bind(ms(d.received_at))
    .bind(&d.channel)
    .bind(&d.content_type)
    .bind(sha)
    .bind(d.body.len() as i64)
    .bind(&d.body)
    .fetch_one(pool)
    .await?)
}

/// Keeps several documents, with ids reserved from the table's counter.
pub(super) async fn store_documents(
    tx: &mut Transaction<'_, Sqlite>,
    documents: &[NewDocument],
) -> Result<Vec<i64>> {
    let [first] = reserve_ids(tx, [(Counter::InboundDocuments, documents.len())]).await?;
    let ids: Vec<i64> = (first..first + documents.len() as i64).collect();
    for (chunk, first) in documents.chunks(500).zip((0..).step_by(500)) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO inbound_documents (id, received_at, channel, content_type, sha256, size, body, status) ",
        );
        q.push_values(chunk.iter().enumerate(), |mut b, (i, d)| {
            b.push_bind(ids[first + i])
                .push_bind(ms(d.received_at))
                .push_bind(d.channel.as_str())
                .push_bind(d.content_type.as_deref())
                .push_bind(hex::encode(Sha256::digest(&d.body)))
                .push_bind(d.body.len() as i64)
                .push_bind(d.body.as_slice())
                .push_bind("received");
        });
        q.build().execute(&mut **tx).await?;
    }
    Ok(ids)
}

/// Records a document's parse result and links its leads (new leads were linked when stored;
/// merged ones are linked here).
pub(super) async fn finish_document(
    tx: &mut Transaction<'_, Sqlite>,
    id: i64,
    status: &str,
    detail: Option<&str>,
    leads: &[LeadId],
) -> Result<()> {
    sqlx::query("UPDATE inbound_documents SET status = ?, detail = ?, leads = ? WHERE id = ?")
        .bind(status)
        .bind(detail)
        .bind(leads.len() as i64)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if !leads.is_empty() {
        let mut q =
            QueryBuilder::<Sqlite>::new("INSERT INTO lead_documents (lead_id, document_id) ");
        q.push_values(leads, |mut b, lead| {
            b.push_bind(lead.0).push_bind(id);
        });
        q.push(" ON CONFLICT DO NOTHING");
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

const DOCUMENT_COLUMNS: &str =
    "d.id, d.received_at, d.channel, d.content_type, d.sha256, d.size, d.status, d.detail,
     (SELECT json_group_array(lead_id) FROM lead_documents WHERE document_id = d.id) AS lead_ids";

/// One document with its body.
pub(super) async fn document(pool: &SqlitePool, id: i64) -> Result<Option<(DocumentRow, Vec<u8>)>> {
    let row = sqlx::query(&format!(
        "SELECT {DOCUMENT_COLUMNS}, d.body FROM inbound_documents d WHERE d.id = ?"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?;
    row.map(|r| Ok((document_row(&r)?, r.get::<Vec<u8>, _>("body"))))
        .transpose()
}

/// Documents, newest first.
pub(super) async fn documents(
    pool: &SqlitePool,
    status: Option<&str>,
    page: &crate::Page,
) -> Result<Vec<DocumentRow>> {
    let after = page.after.as_ref().and_then(|k| k.first().copied());
    let rows = sqlx::query(&format!(
        "SELECT {DOCUMENT_COLUMNS} FROM inbound_documents d
         WHERE (?1 IS NULL OR d.status = ?1) AND (?3 IS NULL OR d.id < ?3)
         ORDER BY d.id DESC LIMIT ?2"
    ))
    .bind(status)
    .bind(i64::from(page.limit.max(1)))
    .bind(after)
    .fetch_all(pool)
    .await?;
    rows.iter().map(document_row).collect()
}

/// Which keys are already imported.
pub(super) async fn imported_rows(pool: &SqlitePool, keys: &[String]) -> Result<HashSet<String>> {
    if keys.is_empty() {
        return Ok(HashSet::new());
    }
    let found: String = sqlx::query_scalar(
        "SELECT json_group_array(row_key) FROM import_rows WHERE row_key IN (SELECT value FROM json_each(?))",
    )
    .bind(serde_json::to_string(keys).unwrap_or_else(|_| "[]".into()))
    .fetch_one(pool)
    .await?;
    Ok(serde_json::from_str::<Vec<String>>(&found)
        .unwrap_or_default()
        .into_iter()
        .collect())
}

/// Remembers imported rows.
pub(super) async fn record_imported_rows(
    tx: &mut Transaction<'_, Sqlite>,
    rows: &[(String, Option<LeadId>)],
    at: Timestamp,
) -> Result<()> {
    for chunk in rows.chunks(1000) {
        let mut q =
            QueryBuilder::<Sqlite>::new("INSERT INTO import_rows (row_key, lead_id, imported_at) ");
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

/// Records the channels of a revocation that are not already revoked and in force.
pub(super) async fn revoke_consent(
    tx: &mut Transaction<'_, Sqlite>,
    r: &crate::records::Revocation,
) -> Result<bool> {
    let active: String = sqlx::query_scalar(
        "SELECT json_group_array(channel) FROM consent_ledger WHERE contact = ? AND restored_at IS NULL",
    )
    .bind(&r.contact)
    .fetch_one(&mut **tx)
    .await?;
    let active: Vec<String> = serde_json::from_str(&active).unwrap_or_default();
    let fresh = keepwarm_domain::machine::applied::fresh_revocations(&active, &r.channels);
    for channel in &fresh {
        sqlx::query(
            "INSERT INTO consent_ledger (contact, channel, revoked_at, words, via) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&r.contact)
        .bind(channel.as_str())
        .bind(ms(r.at))
        .bind(&r.words)
        .bind(&r.via)
        .execute(&mut **tx)
        .await?;
    }
    Ok(!fresh.is_empty())
}

/// The revoked channels in force per contact.
pub(super) async fn revoked_channels(
    pool: &SqlitePool,
    contacts: &[String],
) -> Result<std::collections::HashMap<String, Vec<String>>> {
    let mut out: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
    if contacts.is_empty() {
        return Ok(out);
    }
    let rows: String = sqlx::query_scalar(
        "SELECT json_group_array(json_array(contact, channel)) FROM consent_ledger
         WHERE restored_at IS NULL AND contact IN (SELECT value FROM json_each(?))",
    )
    .bind(serde_json::to_string(contacts).unwrap_or_else(|_| "[]".into()))
    .fetch_one(pool)
    .await?;
    let rows: Vec<(String, String)> =
        serde_json::from_str(&rows).map_err(|e| StoreError::Corrupt(format!("consent: {e}")))?;
    for (contact, channel) in rows {
        out.entry(contact).or_default().push(channel);
    }
    Ok(out)
}
