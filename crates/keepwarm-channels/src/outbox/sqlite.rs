//! The outbox in the store's SQLite database.

use async_trait::async_trait;
use keepwarm_domain::LeadId;
use sqlx::sqlite::SqlitePool;
use sqlx::{QueryBuilder, Sqlite};

use super::{attachments_json, outbox_row, unavailable, NewOutbox, OutboxRow, OutboxStore, CHUNK};
use crate::ChannelError;

/// The outbox in the store's SQLite database.
#[derive(Debug, Clone)]
pub struct SqliteOutbox {
    writer: SqlitePool,
    reader: SqlitePool,
}

impl SqliteOutbox {
    /// The outbox through the store's pools: writes and reconciliation lookups through `writer`
    /// (so they see what was just written), lists through `reader`.
    pub fn new(writer: SqlitePool, reader: SqlitePool) -> Self {
        Self { writer, reader }
    }

    async fn entry(&self, query: &str, id: i64) -> Result<Option<OutboxRow>, ChannelError> {
        sqlx::query(query)
            .bind(id)
            .fetch_optional(&self.writer)
            .await
            .map_err(unavailable)?
            .as_ref()
            .map(outbox_row)
            .transpose()
    }
}

#[async_trait]
impl OutboxStore for SqliteOutbox {
    async fn insert(&self, entries: &[NewOutbox]) -> Result<u64, ChannelError> {
        if entries.is_empty() {
            return Ok(0);
        }
        let mut inserted = 0;
        let mut tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(unavailable)?;
        for chunk in entries.chunks(CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO outbox (touch_id, outbound_id, lead_id, at, channel, recipient_kind, recipient, subject, body, attachments, message_id, reply_to) ",
            );
            q.push_values(chunk, |mut b, e| {
                b.push_bind(e.touch_id)
                    .push_bind(e.outbound_id)
                    .push_bind(e.lead_id.map(|l| l.0))
                    .push_bind(e.at.as_millisecond())
                    .push_bind(&e.channel)
                    .push_bind(&e.recipient_kind)
                    .push_bind(&e.recipient)
                    .push_bind(&e.subject)
                    .push_bind(&e.body)
                    .push_bind(attachments_json(e))
                    .push_bind(&e.message_id)
                    .push_bind(&e.reply_to);
            });
            q.push(" ON CONFLICT DO NOTHING");
            inserted += q
                .build()
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?
                .rows_affected();
        }
        tx.commit().await.map_err(unavailable)?;
        Ok(inserted)
    }

    async fn list(&self, lead: Option<LeadId>) -> Result<Vec<OutboxRow>, ChannelError> {
        // Two statements, not `?1 IS NULL OR ...`, so that one lead's list uses the lead index.
        let query = match lead {
            Some(lead) => {
                sqlx::query("SELECT * FROM outbox WHERE lead_id = ? ORDER BY id").bind(lead.0)
            }
            None => sqlx::query("SELECT * FROM outbox ORDER BY id"),
        };
        query
            .fetch_all(&self.reader)
            .await
            .map_err(unavailable)?
            .iter()
            .map(outbox_row)
            .collect()
    }

    async fn page(
        &self,
        lead: Option<LeadId>,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<OutboxRow>, ChannelError> {
        sqlx::query(
            "SELECT * FROM outbox WHERE (?1 IS NULL OR lead_id = ?1) AND id > ?2
             ORDER BY id LIMIT ?3",
        )
        .bind(lead.map(|l| l.0))
        .bind(after.unwrap_or(0))
        .bind(i64::from(limit.max(1)))
        .fetch_all(&self.reader)
        .await
        .map_err(unavailable)?
        .iter()
        .map(outbox_row)
        .collect()
    }

    async fn for_touch(&self, touch: i64) -> Result<Option<OutboxRow>, ChannelError> {
        self.entry("SELECT * FROM outbox WHERE touch_id = ?", touch)
            .await
    }

    async fn for_outbound(&self, outbound: i64) -> Result<Option<OutboxRow>, ChannelError> {
        self.entry("SELECT * FROM outbox WHERE outbound_id = ?", outbound)
            .await
    }
}
