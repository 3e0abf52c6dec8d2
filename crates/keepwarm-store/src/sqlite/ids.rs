//! Ids for batches: a block reserved from a table's own counter in one statement.
//!
//! A batch (a CSV chunk of new leads, a dispatcher batch's next touches) needs its rows' ids before it
//! inserts them, so that contacts, touches and timeline events can name them without a round trip
//! per row. The ids come from the table's AUTOINCREMENT counter (`sqlite_sequence`), which only
//! grows, so an id is never handed out twice, not even after the row holding the highest id is
//! deleted; the caller's `BEGIN IMMEDIATE` transaction holds the write lock, so another process
//! cannot take the same block. (On PostgreSQL the same is `nextval` over `generate_series`.)

use sqlx::{Sqlite, Transaction};

use crate::{Result, StoreError};

/// A table whose ids come from its counter.
#[derive(Debug, Clone, Copy)]
pub(super) enum Counter {
    Leads,
    Enrollments,
    Touches,
    Tasks,
    InboundDocuments,
}

impl Counter {
    fn table(self) -> &'static str {
        match self {
            Self::Leads => "leads",
            Self::Enrollments => "enrollments",
            Self::Touches => "touches",
            Self::Tasks => "tasks",
            Self::InboundDocuments => "inbound_documents",
        }
    }
}

/// Reserves `count` consecutive ids of each counter's table, all in one statement; returns the
/// first id of each block, in the order asked (when a count is zero, the id the next reservation
/// starts at, with nothing reserved).
pub(super) async fn reserve_ids<const N: usize>(
    tx: &mut Transaction<'_, Sqlite>,
    blocks: [(Counter, usize); N],
) -> Result<[i64; N]> {
    let counts: serde_json::Map<String, serde_json::Value> = blocks
        .iter()
        .map(|(counter, count)| (counter.table().to_owned(), (*count as i64).into()))
        .collect();
    let last: Vec<(String, i64)> = sqlx::query_as(
        "UPDATE sqlite_sequence SET seq = seq + json_extract(?1, '$.' || name)
         WHERE name IN (SELECT key FROM json_each(?1)) RETURNING name, seq",
    )
    .bind(serde_json::Value::Object(counts).to_string())
    .fetch_all(&mut **tx)
    .await?;
    let mut first = [0; N];
    for (slot, (counter, count)) in first.iter_mut().zip(blocks) {
        let (_, seq) = last
            .iter()
            .find(|(name, _)| name == counter.table())
            .ok_or_else(|| {
                StoreError::Corrupt(format!("the {} table has no id counter", counter.table()))
            })?;
        *slot = seq - count as i64 + 1;
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;
    use keepwarm_domain::{LeadStatus, PhoneNumber, SourceKind};

    use super::super::SqliteStore;
    use crate::records::NewLeadRecord;
    use crate::ChangeSets;

    fn record(phone: &str) -> NewLeadRecord {
        let at: Timestamp = "2026-12-01T15:00:00Z"
            .parse()
            .unwrap_or(Timestamp::UNIX_EPOCH);
        NewLeadRecord {
            dealership: "main".into(),
            received_at: at,
            created_at: at,
            source_kind: SourceKind::Internet,
            provider: None,
            provider_lead_id: None,
            display_name: None,
            payload: serde_json::json!({}),
            phones: PhoneNumber::parse(phone, "US").into_iter().collect(),
            emails: Vec::new(),
            unusable: Vec::new(),
            segment: "new_inquiry".into(),
            segment_rule: "fresh".into(),
            owner_id: "sam".into(),
            status: LeadStatus::Active,
            events: Vec::new(),
            enrollment: None,
            tasks: Vec::new(),
            document_id: None,
        }
    }

    #[tokio::test]
    async fn a_deleted_leads_id_is_never_given_to_a_new_lead() -> crate::Result<()> {
        let store = SqliteStore::connect("sqlite::memory:").await?;
        let first = store.create_lead(&record("312-555-0101")).await?.id;
        // The newest lead goes (a purge, a hand-edit): its id must not come back.
        sqlx::query(
            "DELETE FROM lead_contacts WHERE lead_id = ?1; DELETE FROM leads WHERE id = ?1",
        )
        .bind(first.0)
        .execute(&store.writer)
        .await?;
        let batch = [
            store.create_lead(&record("312-555-0102")).await?.id,
            store.create_lead(&record("312-555-0103")).await?.id,
        ];
        assert!(
            batch.iter().all(|id| id.0 > first.0),
            "{first} was deleted; new leads got {batch:?}"
        );
        // A row inserted with no id (as single inserts do) takes the counter's next value, after
        // the batch's block.
        let single: i64 = sqlx::query_scalar(
            "INSERT INTO leads (dealership, received_at, created_at, source_kind, payload, segment,
                 segment_rule, owner_id, status)
             VALUES ('main', 0, 0, 'internet', '{}', 's', 'r', 'sam', 'active') RETURNING id",
        )
        .fetch_one(&store.writer)
        .await?;
        assert_eq!(single, batch[1].0 + 1);
        Ok(())
    }

    /// Inserts a row into `table` with `insert` (which names no id, as the store's own inserts do;
    /// its one parameter is a lead id, a plain number where the table names no lead)
    /// twice, deletes the newer row, inserts again, and returns `(deleted id, next id)`.
    async fn id_after_deleting_the_newest(
        store: &SqliteStore,
        table: &str,
        insert: &str,
    ) -> crate::Result<(i64, i64)> {
        let insert = format!("{insert} RETURNING id");
        let mut newest = 0;
        for _ in 0..2 {
            newest = sqlx::query_scalar(&insert)
                .bind(store.lead_for_ids().await?)
                .fetch_one(&store.writer)
                .await?;
        }
        sqlx::query(&format!("DELETE FROM {table} WHERE id = ?"))
            .bind(newest)
            .execute(&store.writer)
            .await?;
        let next: i64 = sqlx::query_scalar(&insert)
            .bind(store.lead_for_ids().await?)
            .fetch_one(&store.writer)
            .await?;
        Ok((newest, next))
    }

    impl SqliteStore {
        /// A lead for rows that must name one (the first, created on demand).
        async fn lead_for_ids(&self) -> crate::Result<i64> {
            let known: Option<i64> = sqlx::query_scalar("SELECT MIN(id) FROM leads")
                .fetch_one(&self.writer)
                .await?;
            match known {
                Some(id) => Ok(id),
                None => Ok(self.create_lead(&record("312-555-0109")).await?.id.0),
            }
        }
    }

    /// Asserts that `table`'s next id after its newest row is deleted is a new one.
    async fn assert_ids_never_reused(table: &str, insert: &str) -> crate::Result<()> {
        let store = SqliteStore::connect("sqlite::memory:").await?;
        let (deleted, next) = id_after_deleting_the_newest(&store, table, insert).await?;
        assert!(
            next > deleted,
            "{table}: row {deleted} was deleted and the next row got id {next} (reused)"
        );
        Ok(())
    }

    #[tokio::test]
    async fn a_deleted_events_id_is_never_given_to_a_new_event() -> crate::Result<()> {
        assert_ids_never_reused(
            "events",
            "INSERT INTO events (lead_id, at, kind, data) VALUES (?, 0, 'note', '{}')",
        )
        .await
    }

    #[tokio::test]
    async fn a_deleted_escalations_id_and_short_code_are_never_reused() -> crate::Result<()> {
        assert_ids_never_reused(
            "escalations",
            "INSERT INTO escalations (lead_id, intents, context, created_at, sla_due_at, assignee_id,
                 status, short_code)
             VALUES (?, '[]', '{}', 0, 0, 'sam', 'open', '')",
        )
        .await
    }

    #[tokio::test]
    async fn a_deleted_appointments_id_is_never_given_to_a_new_appointment() -> crate::Result<()> {
        assert_ids_never_reused(
            "appointments",
            "INSERT INTO appointments (lead_id, kind, starts_at, ends_at, status, set_by, created_at,
                 updated_at)
             VALUES (?, 'sales', 0, 0, 'showed', 'sam', 0, 0)",
        )
        .await
    }

    #[tokio::test]
    async fn a_deleted_consent_ledger_entrys_id_is_never_reused() -> crate::Result<()> {
        assert_ids_never_reused(
            "consent_ledger",
            "INSERT INTO consent_ledger (contact, channel, revoked_at, words, via)
             VALUES ('+13125550109', 'all', ?, 'STOP', 'sms reply')",
        )
        .await
    }

    #[tokio::test]
    async fn a_deleted_timers_id_is_never_given_to_a_new_timer() -> crate::Result<()> {
        assert_ids_never_reused(
            "follow_up_timers",
            "INSERT INTO follow_up_timers (lead_id, kind, due_at, created_at)
             VALUES (?, 'going_cold', 0, 0)",
        )
        .await
    }

    #[tokio::test]
    async fn a_deleted_erasures_id_is_never_given_to_a_new_erasure() -> crate::Result<()> {
        assert_ids_never_reused(
            "erasures",
            "INSERT INTO erasures (at, by, kind, counts) VALUES (?, 'ops', 'phone', '{}')",
        )
        .await
    }

    #[tokio::test]
    async fn a_deleted_held_inquirys_id_is_never_given_to_a_new_one() -> crate::Result<()> {
        assert_ids_never_reused(
            "held_inquiries",
            "INSERT INTO held_inquiries (held_at, source_key, reason, lead, contacts)
             VALUES (?, 'provider:cars.com', 'cap', '{}', '[]')",
        )
        .await
    }

    #[tokio::test]
    async fn a_deleted_sandbox_messages_id_is_never_given_to_a_new_one() -> crate::Result<()> {
        assert_ids_never_reused(
            "outbox",
            "INSERT INTO outbox (lead_id, at, channel, recipient_kind, recipient, body)
             VALUES (?, 0, 'sms', 'customer', '+13125550109', 'hi')",
        )
        .await
    }

    #[tokio::test]
    async fn a_deleted_outbound_messages_id_is_never_given_to_a_new_one() -> crate::Result<()> {
        assert_ids_never_reused(
            "outbound_messages",
            "INSERT INTO outbound_messages (lead_id, purpose, channel, recipient_kind, recipient, body,
                 dealership, due_at, created_at)
             VALUES (?, 'staff_alert', 'sms', 'staff', '+13125550109', 'hi', 'main', 0, 0)",
        )
        .await
    }
}
