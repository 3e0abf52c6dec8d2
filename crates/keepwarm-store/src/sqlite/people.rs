//! People's data on SQLite: finding a person's rows, exporting them as JSON, erasing them in one
//! transaction, the suppression list, raw-document retention and the hourly intake cap's counts and
//! held inquiries.
//!
//! Erasure deletes rather than redacts wherever a row is about the person (their leads and
//! everything hanging off them), and redacts only text that is about something else (a weekly
//! report, another lead's timeline) but quotes their contact. The database runs with
//! `secure_delete`, so deleted content is overwritten in the file, and the write-ahead log is
//! checkpointed after an erasure, so the old pages do not linger there either.

use crate::rows::held_row;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use async_trait::async_trait;
use jiff::Timestamp;
use keepwarm_domain::people::Mentions;
use keepwarm_domain::LeadId;
use serde_json::{Map, Value};
use sqlx::sqlite::SqliteRow;
use sqlx::{Column, Row, Sqlite, SqlitePool, Transaction, TypeInfo, ValueRef};

use super::outbound::insert_outbound;
use super::{id_list, ms, SqliteStore};
use crate::people::*;
use crate::people::{export_tables, quoted_forms, ERASED, LEAD_TABLES, SCAN_PAGE, SEARCH_ROUNDS};
use crate::{NewOutbound, Result};

/// Text columns stored as JSON: exported as JSON, not as strings holding JSON.
const JSON_COLUMNS: &[&str] = &[
    "payload",
    "data",
    "context",
    "intents",
    "notified",
    "attachments",
    "on_sent",
    "on_failed",
    "lead",
    "contacts",
    "counts",
];

fn list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

fn lead_ids(found: &PersonFound) -> String {
    id_list(&found.leads.iter().map(|l| l.0).collect::<Vec<_>>())
}

/// The condition selecting a table's rows about a found person (`?1` lead ids, `?2` contacts,
/// `?3` document ids, `?4` held ids), for the tables export and erasure look at.
fn person_rows(table: &str) -> &'static str {
    match table {
        "leads" => "id IN (SELECT value FROM json_each(?1))",
        "outbound_messages" | "outbox" => {
            "lead_id IN (SELECT value FROM json_each(?1)) OR lower(recipient) IN (SELECT value FROM json_each(?2))"
        }
        "consent_ledger" => "lower(contact) IN (SELECT value FROM json_each(?2))",
        "inbound_documents" => "id IN (SELECT value FROM json_each(?3))",
        "held_inquiries" => "id IN (SELECT value FROM json_each(?4))",
        _ => "lead_id IN (SELECT value FROM json_each(?1))",
    }
}

/// A row as a JSON object, column by column, whatever the table.
fn row_json(r: &SqliteRow) -> Value {
    let mut map = Map::new();
    for (i, column) in r.columns().iter().enumerate() {
        let name = column.name();
        let value = match r.try_get_raw(i) {
            Ok(raw) if raw.is_null() => Value::Null,
            Ok(raw) => match raw.type_info().name() {
                "INTEGER" => Value::from(r.get::<i64, _>(i)),
                "REAL" => Value::from(r.get::<f64, _>(i)),
                "BLOB" => {
                    Value::from(String::from_utf8_lossy(&r.get::<Vec<u8>, _>(i)).into_owned())
                }
                _ => {
                    let text: String = r.get(i);
                    match serde_json::from_str::<Value>(&text) {
                        Ok(v) if JSON_COLUMNS.contains(&name) && !v.is_string() => v,
                        _ => Value::from(text),
                    }
                }
            },
            Err(_) => Value::Null,
        };
        map.insert(name.to_owned(), value);
    }
    Value::Object(map)
}

/// Leads holding any of `contacts`.
async fn leads_with(pool: &SqlitePool, contacts: &[String]) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT lead_id FROM lead_contacts
         WHERE (kind = 'phone' AND value IN (SELECT value FROM json_each(?1)))
            OR (kind = 'email' AND lower(value) IN (SELECT value FROM json_each(?1)))
         ORDER BY lead_id",
    )
    .bind(list(contacts))
    .fetch_all(pool)
    .await?)
}

/// The usable contacts of these leads, normalized.
async fn contacts_of(pool: &SqlitePool, leads: &[i64]) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT CASE kind WHEN 'email' THEN lower(value) ELSE value END FROM lead_contacts
         WHERE usable = 1 AND lead_id IN (SELECT value FROM json_each(?))",
    )
    .bind(id_list(leads))
    .fetch_all(pool)
    .await?)
}

/// The names on these leads.
async fn names_of(pool: &SqlitePool, leads: &[i64]) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT display_name,
                json_extract(payload, '$.customer.first_name') AS first_name,
                json_extract(payload, '$.customer.last_name') AS last_name,
                json_extract(payload, '$.customer.full_name') AS full_name
         FROM leads WHERE id IN (SELECT value FROM json_each(?))",
    )
    .bind(id_list(leads))
    .fetch_all(pool)
    .await?;
    let mut names = BTreeSet::new();
    for r in &rows {
        for column in ["display_name", "first_name", "last_name", "full_name"] {
            if let Ok(Some(name)) = r.try_get::<Option<String>, _>(column) {
                if !name.trim().is_empty() {
                    names.insert(name.trim().to_owned());
                }
            }
        }
    }
    Ok(names.into_iter().collect())
}

/// Documents whose body mentions a contact, read a page at a time.
async fn documents_mentioning(pool: &SqlitePool, contacts: &[String]) -> Result<Vec<i64>> {
    let mentions = Mentions::new(contacts);
    let mut found = Vec::new();
    let mut after = 0_i64;
    loop {
        let page = sqlx::query(
            "SELECT id, body FROM inbound_documents WHERE id > ? AND purged_at IS NULL
             ORDER BY id LIMIT ?",
        )
        .bind(after)
        .bind(SCAN_PAGE)
        .fetch_all(pool)
        .await?;
        let Some(last) = page.last() else {
            return Ok(found);
        };
        after = last.get("id");
        for r in &page {
            if mentions.in_bytes(&r.get::<Vec<u8>, _>("body")) {
                found.push(r.get("id"));
            }
        }
    }
}

async fn find_person(pool: &SqlitePool, contact: &str) -> Result<PersonFound> {
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
             SELECT 1 FROM json_each(h.contacts) c WHERE c.value IN (SELECT value FROM json_each(?)))
         ORDER BY id",
    )
    .bind(list(&contacts))
    .fetch_all(pool)
    .await?;
    let linked: Vec<i64> = sqlx::query_scalar(
        "SELECT document_id FROM lead_documents WHERE lead_id IN (SELECT value FROM json_each(?))",
    )
    .bind(id_list(&leads))
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

async fn export_person(
    pool: &SqlitePool,
    found: &PersonFound,
) -> Result<BTreeMap<String, Vec<Value>>> {
    let mut tables = BTreeMap::new();
    for table in export_tables() {
        let rows = sqlx::query(&format!(
            "SELECT * FROM {table} WHERE {} ORDER BY rowid",
            person_rows(table)
        ))
        .bind(lead_ids(found))
        .bind(list(&found.contacts))
        .bind(id_list(&found.documents))
        .bind(id_list(&found.held))
        .fetch_all(pool)
        .await?;
        tables.insert(table.to_owned(), rows.iter().map(row_json).collect());
    }
    Ok(tables)
}

/// Replaces `form` with [`ERASED`] in `columns` of `table`'s rows matching `scope`; returns the rows
/// changed.
async fn redact(
    tx: &mut Transaction<'_, Sqlite>,
    table: &str,
    columns: &[&str],
    scope: &str,
    form: &str,
) -> Result<u64> {
    let sets: Vec<String> = columns
        .iter()
        .map(|c| format!("{c} = replace({c}, ?1, '{ERASED}')"))
        .collect();
    let finds: Vec<String> = columns
        .iter()
        .map(|c| format!("instr({c}, ?1) > 0"))
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

async fn erase_person(store: &SqliteStore, e: &PersonErasure) -> Result<ErasureRecord> {
    let found = &e.found;
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let mut tx = store.write_tx().await?;
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
        let deleted = sqlx::query(&format!("DELETE FROM {table} WHERE {}", person_rows(table)))
            .bind(lead_ids(found))
            .bind(list(&found.contacts))
            .bind(id_list(&found.documents))
            .bind(id_list(&found.held))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        counts.insert(table.to_owned(), deleted);
    }
    let blanked = sqlx::query(
        "UPDATE inbound_documents SET body = x'', size = 0, sha256 = '', purged_at = ?2,
             detail = 'body erased on request'
         WHERE id IN (SELECT value FROM json_each(?1))",
    )
    .bind(id_list(&found.documents))
    .bind(ms(e.at))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    counts.insert("inbound_documents".into(), blanked);
    let mut redacted = 0;
    for form in quoted_forms(found, false) {
        redacted += redact(&mut tx, "events", &["data"], "1", &form).await?;
        redacted += redact(&mut tx, "tasks", &["body"], "1", &form).await?;
        redacted += redact(&mut tx, "escalations", &["context"], "1", &form).await?;
    }
    for form in quoted_forms(found, true) {
        for table in ["outbound_messages", "outbox"] {
            redacted += redact(
                &mut tx,
                table,
                &["body", "subject"],
                "lead_id IS NULL",
                &form,
            )
            .await?;
        }
    }
    counts.insert("redacted".into(), redacted);
    let counted = serde_json::to_string(&counts).unwrap_or_else(|_| "{}".into());
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO erasures (at, by, kind, counts) VALUES (?, ?, ?, ?) RETURNING id",
    )
    .bind(ms(e.at))
    .bind(&e.by)
    .bind(&e.kind)
    .bind(counted)
    .fetch_one(&mut *tx)
    .await?;
    for (hash, kind) in &e.suppress {
        sqlx::query(
            "INSERT INTO suppressed_contacts (hash, kind, erasure_id, created_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (hash) DO NOTHING",
        )
        .bind(hash)
        .bind(kind)
        .bind(id)
        .bind(ms(e.at))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    checkpoint(store).await?;
    Ok(ErasureRecord { id, counts })
}

/// Writes the write-ahead log into the database and empties it: until then it still holds the
/// pages as they were before a row was deleted or a body removed.
async fn checkpoint(store: &SqliteStore) -> Result<()> {
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&store.writer)
        .await?;
    Ok(())
}

async fn record_intake_quota(
    store: &SqliteStore,
    uses: &[QuotaUse],
    held: &[NewHeldInquiry],
    alerts: &[NewOutbound],
    now: Timestamp,
) -> Result<Vec<i64>> {
    let mut tx = store.write_tx().await?;
    for u in uses {
        sqlx::query(
            "INSERT INTO intake_quota (source_key, hour, admitted, held) VALUES (?, ?, ?, ?)
             ON CONFLICT (source_key, hour) DO UPDATE SET
                 admitted = admitted + excluded.admitted, held = held + excluded.held",
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
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO held_inquiries (held_at, source_key, reason, document_id, resend, lead, contacts)
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(ms(h.held_at))
        .bind(&h.source_key)
        .bind(&h.reason)
        .bind(h.document_id)
        .bind(h.resend)
        .bind(&h.lead)
        .bind(list(&h.contacts))
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
impl People for SqliteStore {
    async fn find_person(&self, contact: &str) -> Result<PersonFound> {
        find_person(&self.writer, contact).await
    }

    async fn export_person(&self, found: &PersonFound) -> Result<BTreeMap<String, Vec<Value>>> {
        export_person(&self.writer, found).await
    }

    async fn erase_person(&self, erasure: &PersonErasure) -> Result<ErasureRecord> {
        erase_person(self, erasure).await
    }

    async fn suppressed(&self, hashes: &[String]) -> Result<HashSet<String>> {
        if hashes.is_empty() {
            return Ok(HashSet::new());
        }
        let found: Vec<String> = sqlx::query_scalar(
            "SELECT hash FROM suppressed_contacts WHERE hash IN (SELECT value FROM json_each(?))",
        )
        .bind(list(hashes))
        .fetch_all(&self.writer)
        .await?;
        Ok(found.into_iter().collect())
    }

    async fn count_suppressed(&self, hashes: &[String], at: Timestamp) -> Result<()> {
        sqlx::query(
            "UPDATE suppressed_contacts SET refused = refused + 1, last_refused_at = ?
             WHERE hash IN (SELECT value FROM json_each(?))",
        )
        .bind(ms(at))
        .bind(list(hashes))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn forget_documents(&self, ids: &[i64], at: Timestamp) -> Result<u64> {
        let forgotten = sqlx::query(
            "UPDATE inbound_documents SET body = x'', size = 0, sha256 = '', purged_at = ?
             WHERE id IN (SELECT value FROM json_each(?))",
        )
        .bind(ms(at))
        .bind(id_list(ids))
        .execute(&self.writer)
        .await?
        .rows_affected();
        checkpoint(self).await?;
        Ok(forgotten)
    }

    async fn purge_documents(&self, before: Timestamp, at: Timestamp) -> Result<u64> {
        // Looked up first on a reader, so the usual case (nothing old) takes no write lock.
        let any: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM inbound_documents WHERE purged_at IS NULL AND received_at < ? LIMIT 1",
        )
        .bind(ms(before))
        .fetch_optional(&self.reader)
        .await?;
        if any.is_none() {
            return Ok(0);
        }
        let purged = sqlx::query(
            "UPDATE inbound_documents SET body = x'', purged_at = ?
             WHERE purged_at IS NULL AND received_at < ?",
        )
        .bind(ms(at))
        .bind(ms(before))
        .execute(&self.writer)
        .await?
        .rows_affected();
        checkpoint(self).await?;
        Ok(purged)
    }

    async fn intake_quota(&self, keys: &[String], hour: i64) -> Result<HashMap<String, i64>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT source_key, admitted FROM intake_quota
             WHERE hour = ? AND source_key IN (SELECT value FROM json_each(?))",
        )
        .bind(hour)
        .bind(list(keys))
        .fetch_all(&self.writer)
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
        let rows = sqlx::query(
            "SELECT * FROM held_inquiries WHERE (?1 = 0 OR released_at IS NULL) ORDER BY id",
        )
        .bind(open)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(held_row).collect()
    }

    async fn release_held(
        &self,
        id: i64,
        by: &str,
        at: Timestamp,
    ) -> Result<Option<HeldInquiryRow>> {
        let row = sqlx::query(
            "UPDATE held_inquiries SET released_at = ?, released_by = ?
             WHERE id = ? AND released_at IS NULL RETURNING *",
        )
        .bind(ms(at))
        .bind(by)
        .bind(id)
        .fetch_optional(&self.writer)
        .await?;
        row.as_ref().map(held_row).transpose()
    }

    async fn link_released(&self, id: i64, lead: LeadId) -> Result<()> {
        sqlx::query("UPDATE held_inquiries SET lead_id = ? WHERE id = ?")
            .bind(lead.0)
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}
