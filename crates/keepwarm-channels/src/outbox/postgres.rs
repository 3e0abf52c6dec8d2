//! The outbox in the store's PostgreSQL database.
//!
//! One pool, shared with the store; several processes may record into it at once, and the unique
//! `touch_id` and `outbound_id` columns (with `ON CONFLICT DO NOTHING`) keep one row per message
//! whichever of them gets there first.

use async_trait::async_trait;
use keepwarm_domain::LeadId;
use sqlx::postgres::PgPool;
use sqlx::{Postgres, QueryBuilder};

use super::{attachments_json, outbox_row, unavailable, NewOutbox, OutboxRow, OutboxStore, CHUNK};
use crate::ChannelError;

/// The columns a row is read from; the attachments as text, as on SQLite.
const COLUMNS: &str = "SELECT id, touch_id, lead_id, at, channel, recipient_kind, recipient, \
                       subject, body, attachments::text AS attachments, message_id, reply_to \
                       FROM outbox";

/// The outbox in the store's PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PgOutbox {
    pool: PgPool,
}

impl PgOutbox {
    /// The outbox through the store's pool.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    async fn entry(&self, filter: &str, id: i64) -> Result<Option<OutboxRow>, ChannelError> {
        sqlx::query(&format!("{COLUMNS} WHERE {filter} = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(unavailable)?
            .as_ref()
            .map(outbox_row)
            .transpose()
    }
}

#[async_trait]
impl OutboxStore for PgOutbox {
    async fn insert(&self, entries: &[NewOutbox]) -> Result<u64, ChannelError> {
        if entries.is_empty() {
            return Ok(0);
        }
        let mut inserted = 0;
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        for chunk in entries.chunks(CHUNK) {
            let mut q = QueryBuilder::<Postgres>::new(
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
                    .push_unseparated("::jsonb")
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
        let query = format!("{COLUMNS} WHERE ($1::bigint IS NULL OR lead_id = $1) ORDER BY id");
        sqlx::query(&query)
            .bind(lead.map(|l| l.0))
            .fetch_all(&self.pool)
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
        let query = format!(
            "{COLUMNS} WHERE ($1::bigint IS NULL OR lead_id = $1) AND id > $2 ORDER BY id LIMIT $3"
        );
        sqlx::query(&query)
            .bind(lead.map(|l| l.0))
            .bind(after.unwrap_or(0))
            .bind(i64::from(limit.max(1)))
            .fetch_all(&self.pool)
            .await
            .map_err(unavailable)?
            .iter()
            .map(outbox_row)
            .collect()
    }

    async fn for_touch(&self, touch: i64) -> Result<Option<OutboxRow>, ChannelError> {
        self.entry("touch_id", touch).await
    }

    async fn for_outbound(&self, outbound: i64) -> Result<Option<OutboxRow>, ChannelError> {
        self.entry("outbound_id", outbound).await
    }
}
