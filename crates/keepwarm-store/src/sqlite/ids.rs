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
}
