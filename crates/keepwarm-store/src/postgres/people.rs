//! People's data on PostgreSQL: finding a person's rows, exporting them as JSON, erasing them in
//! one transaction, the suppression list, raw-document retention and the hourly intake cap. Which
//! tables, in which order, and which forms of a contact are redacted is shared with SQLite
//! (`crate::people`); the SQL is here.
//!
//! PostgreSQL keeps deleted row versions until vacuum reclaims them (see docs/postgres.md): an
//! erasure is final for every reader at once, and gone from the files after the next vacuum.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use async_trait::async_trait;
use jiff::Timestamp;
use keepwarm_domain::people::Mentions;
use keepwarm_domain::LeadId;
use serde_json::Value;
use sqlx::types::Json;
use sqlx::{PgPool, Postgres, Row, Transaction};

use super::outbound::insert_outbound;
use super::PgStore;
use crate::people::*;
use crate::people::{export_tables, quoted_forms, ERASED, LEAD_TABLES, SCAN_PAGE, SEARCH_ROUNDS};
use crate::rows::{held_row, Columns};
use crate::sqlite::ms;
use crate::{NewOutbound, Result, StoreError};

/// The found person's ids and contacts as the CTE `p` every statement below joins:
/// `p.leads`, `p.contacts`, `p.documents`, `p.held`.
const PERSON: &str = "WITH p AS (SELECT $1::bigint[] AS leads, $2::text[] AS contacts,
                                        $3::bigint[] AS documents, $4::bigint[] AS held)";

/// The condition selecting a table's rows (aliased `t`) about a found person.
fn person_rows(table: &str) -> &'static str {
    match table {
        "leads" => "t.id = ANY(p.leads)",
        "outbound_messages" | "outbox" => {
            "t.lead_id = ANY(p.leads) OR lower(t.recipient) = ANY(p.contacts)"
        }
        "consent_ledger" => "lower(t.contact) = ANY(p.contacts)",
        "inbound_documents" => "t.id = ANY(p.documents)",
        "held_inquiries" => "t.id = ANY(p.held)",
        _ => "t.lead_id = ANY(p.leads)",
    }
}

fn lead_ids(found: &PersonFound) -> Vec<i64> {
    found.leads.iter().map(|l| l.0).collect()
}

/// Leads holding any of `contacts`.
async fn leads_with(pool: &PgPool, contacts: &[String]) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT lead_id FROM lead_contacts
         WHERE (kind = 'phone' AND value = ANY($1)) OR (kind = 'email' AND lower(value) = ANY($1))
         ORDER BY lead_id",
    )
    .bind(contacts)
    .fetch_all(pool)
    .await?)
}

/// The usable contacts of these leads, normalized.
async fn contacts_of(pool: &PgPool, leads: &[i64]) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT CASE kind WHEN 'email' THEN lower(value) ELSE value END FROM lead_contacts
         WHERE usable AND lead_id = ANY($1)",
    )
    .bind(leads)
    .fetch_all(pool)
    .await?)
}

/// The names on these leads.
async fn names_of(pool: &PgPool, leads: &[i64]) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT display_name, payload #>> '{customer,first_name}' AS first_name,
                payload #>> '{customer,last_name}' AS last_name,
                payload #>> '{customer,full_name}' AS full_name
         FROM leads WHERE id = ANY($1)",
    )
    .bind(leads)
    .fetch_all(pool)
    .await?;
    let mut names = BTreeSet::new();
    for r in &rows {
        for column in ["display_name", "first_name", "last_name", "full_name"] {
            if let Some(name) = r.opt_text(column)? {
                if !name.trim().is_empty() {
                    names.insert(name.trim().to_owned());
                }
            }
        }
    }
    Ok(names.into_iter().collect())
}

/// Documents whose body mentions a contact, read a page at a time.
async fn documents_mentioning(pool: &PgPool, contacts: &[String]) -> Result<Vec<i64>> {
    let mentions = Mentions::new(contacts);
    let mut found = Vec::new();
    let mut after = 0_i64;
    loop {
        let page = sqlx::query(
            "SELECT id, body FROM inbound_documents WHERE id > $1 AND purged_at IS NULL
             ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(SCAN_PAGE)
        .fetch_all(pool)
        .await?;
        let Some(last) = page.last() else {
            return Ok(found);
        };
        after = last.int("id")?;
        for r in &page {
            if mentions.in_bytes(&r.bytes("body")?) {
                found.push(r.int("id")?);
            }
        }
    }
}

async fn find_person(pool: &PgPool, contact: &str) -> Result<PersonFound> {
    let mut contacts = BTreeSet::from([contact.to_owned()]);
    let mut leads = Vec::new();
    for _ in 0..SEARCH_ROUNDS {
        let known: Vec<String> = contacts.iter().cloned().collect();
        leads = leads_with(pool, &known).await?;
        let before = contacts.len();
        contacts.extend(contacts_of(pool, &leads).await?);
        if contacts.len() == before {
            break;
        }
    }
    let contacts: Vec<String> = contacts.into_iter().collect();
    let held: Vec<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, document_id FROM held_inquiries h WHERE EXISTS (
             SELECT 1 FROM jsonb_array_elements_text(h.contacts) c WHERE c = ANY($1))
         ORDER BY id",
    )
    .bind(&contacts)
    .fetch_all(pool)
    .await?;
    let linked: Vec<i64> =
        sqlx::query_scalar("SELECT document_id FROM lead_documents WHERE lead_id = ANY($1)")
            .bind(&leads)
            .fetch_all(pool)
            .await?;
    let mut documents: BTreeSet<i64> = linked.into_iter().collect();
    documents.extend(held.iter().filter_map(|(_, d)| *d));
    documents.extend(documents_mentioning(pool, &contacts).await?);
    Ok(PersonFound {
        names: names_of(pool, &leads).await?,
        leads: leads.into_iter().map(LeadId).collect(),
        contacts,
        documents: documents.into_iter().collect(),
        held: held.into_iter().map(|(id, _)| id).collect(),
    })
}

/// Every row about the person, table by table, as JSON objects (column → value). Document bodies
/// are shown as text, as on SQLite.
async fn export_person(pool: &PgPool, found: &PersonFound) -> Result<BTreeMap<String, Vec<Value>>> {
    let mut tables = BTreeMap::new();
    for table in export_tables() {
        // A document's body is binary: taken out of the JSON and put back as text below.
        let (row, body) = match table {
            "inbound_documents" => ("to_jsonb(t) - 'body'", "t.body"),
            _ => ("to_jsonb(t)", "NULL::bytea"),
        };
        let rows = sqlx::query(&format!(
            "{PERSON} SELECT {row} AS row, {body} AS body FROM {table} t, p WHERE {}
             ORDER BY t.ctid",
            person_rows(table),
        ))
        .bind(lead_ids(found))
        .bind(&found.contacts)
        .bind(&found.documents)
        .bind(&found.held)
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let Json(mut row): Json<Value> = r.try_get("row")?;
            let body: Option<Vec<u8>> = r.try_get("body")?;
            if let (Some(body), Value::Object(map)) = (body, &mut row) {
                map.insert(
                    "body".into(),
                    Value::from(String::from_utf8_lossy(&body).into_owned()),
                );
            }
            out.push(row);
        }
        tables.insert(table.to_owned(), out);
    }
    Ok(tables)
}

/// Replaces `form` with [`ERASED`] in `columns` of `table`'s rows matching `scope`; returns the rows
/// changed. A `jsonb` column is replaced in its text and read back as JSON.
async fn redact(
    tx: &mut Transaction<'_, Postgres>,
    table: &str,
    columns: &[(&str, bool)],
    scope: &str,
    form: &str,
) -> Result<u64> {
    let sets: Vec<String> = columns
        .iter()
        .map(|(c, json)| match json {
            true => format!("{c} = replace({c}::text, $1, '{ERASED}')::jsonb"),
            false => format!("{c} = replace({c}, $1, '{ERASED}')"),
        })
        .collect();
    let finds: Vec<String> = columns
        .iter()
        .map(|(c, _)| format!("strpos({c}::text, $1) > 0"))
        .collect();
    let changed = sqlx::query(&format!(
        "UPDATE {table} SET {} WHERE ({scope}) AND ({})",
        sets.join(", "),
        finds.join(" OR ")
    ))
    .bind(form)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(changed)
}

async fn erase_person(store: &PgStore, e: &PersonErasure) -> Result<ErasureRecord> {
    let found = &e.found;
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let mut tx = store.begin().await?;
    for table in [
        "outbound_messages",
        "outbox",
        "consent_ledger",
        "held_inquiries",
    ]
    .into_iter()
    .chain(LEAD_TABLES.iter().copied())
    .chain(["leads"])
    {
        let deleted = sqlx::query(&format!(
            "{PERSON} DELETE FROM {table} t USING p WHERE {}",
            person_rows(table)
        ))
        .bind(lead_ids(found))
        .bind(&found.contacts)
        .bind(&found.documents)
        .bind(&found.held)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        counts.insert(table.to_owned(), deleted);
    }
    let blanked = sqlx::query(
        "UPDATE inbound_documents SET body = '\\x'::bytea, size = 0, sha256 = '', purged_at = $2,
             detail = 'body erased on request'
         WHERE id = ANY($1)",
    )
    .bind(&found.documents)
    .bind(ms(e.at))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    counts.insert("inbound_documents".into(), blanked);
    let mut redacted = 0;
    for form in quoted_forms(found, false) {
        redacted += redact(&mut tx, "events", &[("data", true)], "true", &form).await?;
        redacted += redact(&mut tx, "tasks", &[("body", false)], "true", &form).await?;
        redacted += redact(&mut tx, "escalations", &[("context", true)], "true", &form).await?;
    }
    for form in quoted_forms(found, true) {
        for table in ["outbound_messages", "outbox"] {
            redacted += redact(
                &mut tx,
                table,
                &[("body", false), ("subject", false)],
                "lead_id IS NULL",
                &form,
            )
            .await?;
        }
    }
    counts.insert("redacted".into(), redacted);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO erasures (at, by, kind, counts) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(ms(e.at))
    .bind(&e.by)
    .bind(&e.kind)
    .bind(Json(&counts))
    .fetch_one(&mut *tx)
    .await?;
    for (hash, kind) in &e.suppress {
        sqlx::query(
            "INSERT INTO suppressed_contacts (hash, kind, erasure_id, created_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT (hash) DO NOTHING",
        )
        .bind(hash)
        .bind(kind)
        .bind(id)
        .bind(ms(e.at))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(ErasureRecord { id, counts })
}

async fn record_intake_quota(
    store: &PgStore,
    uses: &[QuotaUse],
    held: &[NewHeldInquiry],
    alerts: &[NewOutbound],
    now: Timestamp,
) -> Result<Vec<i64>> {
    let mut tx = store.begin().await?;
    for u in uses {
        sqlx::query(
            "INSERT INTO intake_quota (source_key, hour, admitted, held) VALUES ($1, $2, $3, $4)
             ON CONFLICT (source_key, hour) DO UPDATE SET
                 admitted = intake_quota.admitted + excluded.admitted,
                 held = intake_quota.held + excluded.held",
        )
        .bind(&u.source_key)
        .bind(u.hour)
        .bind(u.admitted)
        .bind(u.held)
        .execute(&mut *tx)
        .await?;
    }
    let mut ids = Vec::with_capacity(held.len());
    for h in held {
        let lead: Value = serde_json::from_str(&h.lead)
            .map_err(|e| StoreError::Corrupt(format!("held inquiry lead: {e}")))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO held_inquiries (held_at, source_key, reason, document_id, resend, lead,
                 contacts)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(ms(h.held_at))
        .bind(&h.source_key)
        .bind(&h.reason)
        .bind(h.document_id)
        .bind(h.resend)
        .bind(Json(lead))
        .bind(Json(&h.contacts))
        .fetch_one(&mut *tx)
        .await?;
        ids.push(id);
    }
    for alert in alerts {
        insert_outbound(&mut tx, alert, None, now).await?;
    }
    tx.commit().await?;
    Ok(ids)
}

#[async_trait]
impl People for PgStore {
    async fn find_person(&self, contact: &str) -> Result<PersonFound> {
        find_person(&self.pool, contact).await
    }

    async fn export_person(&self, found: &PersonFound) -> Result<BTreeMap<String, Vec<Value>>> {
        export_person(&self.pool, found).await
    }

    async fn erase_person(&self, erasure: &PersonErasure) -> Result<ErasureRecord> {
        erase_person(self, erasure).await
    }

    async fn suppressed(&self, hashes: &[String]) -> Result<HashSet<String>> {
        if hashes.is_empty() {
            return Ok(HashSet::new());
        }
        let found: Vec<String> =
            sqlx::query_scalar("SELECT hash FROM suppressed_contacts WHERE hash = ANY($1)")
                .bind(hashes)
                .fetch_all(&self.pool)
                .await?;
        Ok(found.into_iter().collect())
    }

    async fn count_suppressed(&self, hashes: &[String], at: Timestamp) -> Result<()> {
        sqlx::query(
            "UPDATE suppressed_contacts SET refused = refused + 1, last_refused_at = $1
             WHERE hash = ANY($2)",
        )
        .bind(ms(at))
        .bind(hashes)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn forget_documents(&self, ids: &[i64], at: Timestamp) -> Result<u64> {
        Ok(sqlx::query(
            "UPDATE inbound_documents SET body = '\\x'::bytea, size = 0, sha256 = '', purged_at = $1
             WHERE id = ANY($2)",
        )
        .bind(ms(at))
        .bind(ids)
        .execute(&self.pool)
        .await?
        .rows_affected())
    }

    async fn purge_documents(&self, before: Timestamp, at: Timestamp) -> Result<u64> {
        Ok(sqlx::query(
            "UPDATE inbound_documents SET body = '\\x'::bytea, purged_at = $1
             WHERE purged_at IS NULL AND received_at < $2",
        )
        .bind(ms(at))
        .bind(ms(before))
        .execute(&self.pool)
        .await?
        .rows_affected())
    }

    async fn intake_quota(&self, keys: &[String], hour: i64) -> Result<HashMap<String, i64>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT source_key, admitted FROM intake_quota WHERE hour = $1 AND source_key = ANY($2)",
        )
        .bind(hour)
        .bind(keys)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().collect())
    }

    async fn record_intake_quota(
        &self,
        uses: &[QuotaUse],
        held: &[NewHeldInquiry],
        alerts: &[NewOutbound],
        now: Timestamp,
    ) -> Result<Vec<i64>> {
        record_intake_quota(self, uses, held, alerts, now).await
    }

    async fn held_inquiries(&self, open: bool) -> Result<Vec<HeldInquiryRow>> {
        sqlx::query(
            "SELECT * FROM held_inquiries WHERE (NOT $1 OR released_at IS NULL) ORDER BY id",
        )
        .bind(open)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(held_row)
        .collect()
    }

    async fn release_held(
        &self,
        id: i64,
        by: &str,
        at: Timestamp,
    ) -> Result<Option<HeldInquiryRow>> {
        sqlx::query(
            "UPDATE held_inquiries SET released_at = $1, released_by = $2
             WHERE id = $3 AND released_at IS NULL RETURNING *",
        )
        .bind(ms(at))
        .bind(by)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(held_row)
        .transpose()
    }

    async fn link_released(&self, id: i64, lead: LeadId) -> Result<()> {
        sqlx::query("UPDATE held_inquiries SET lead_id = $1 WHERE id = $2")
            .bind(lead.0)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
