//! The sandbox channel's own small store: the outbox, one row per message it "sent".
//!
//! [`OutboxStore`] is all the sandbox needs to keep: record messages (once per touch or queued
//! message, whatever happens), list them, and find one again for reconciliation. [`SqliteOutbox`]
//! keeps them in the `outbox` table of the same SQLite database as the store (its schema is one of
//! the store's migrations), through the pools the store opened, so that an in-memory database is
//! shared too. Nothing else reads or writes that table.

use std::sync::Arc;

use async_trait::async_trait;
use jiff::Timestamp;
use keepwarm_domain::LeadId;
use serde::{Deserialize, Serialize};
use sqlx::sqlite::{SqlitePool, SqliteRow};
use sqlx::{QueryBuilder, Row, Sqlite};

use crate::ChannelError;

/// A message the sandbox channel records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutbox {
    /// The touch, for customer messages.
    pub touch_id: Option<i64>,
    /// The queued message it carries out (alerts, confirmations, reports).
    pub outbound_id: Option<i64>,
    /// The lead, when the message is about one.
    pub lead_id: Option<LeadId>,
    /// When it was sent.
    pub at: Timestamp,
    /// Channel.
    pub channel: String,
    /// `customer` or `staff`.
    pub recipient_kind: String,
    /// Phone number or address.
    pub recipient: String,
    /// E-mail subject.
    pub subject: Option<String>,
    /// Body.
    pub body: String,
    /// Attached files.
    pub attachments: Vec<OutboxAttachment>,
}

/// A file attached to a sandbox message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OutboxAttachment {
    /// File name.
    pub filename: String,
    /// Media type.
    pub content_type: String,
    /// The file's text (attachments keepwarm makes are text: calendar invites, HTML reports).
    pub content: String,
}

/// A recorded sandbox message, as `GET /api/v1/sandbox/outbox` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OutboxRow {
    /// Id.
    pub id: i64,
    /// The touch.
    pub touch_id: Option<i64>,
    /// The lead, when the message is about one.
    pub lead_id: Option<LeadId>,
    /// When.
    pub at: Timestamp,
    /// Channel.
    pub channel: String,
    /// `customer` or `staff`.
    pub recipient_kind: String,
    /// Phone number or address.
    pub to: String,
    /// E-mail subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Body.
    pub body: String,
    /// Attached files.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<OutboxAttachment>,
}

/// Where the sandbox keeps what it sent. Failures are [`ChannelError::Unavailable`].
#[async_trait]
pub trait OutboxStore: Send + Sync + 'static {
    /// Records messages in one transaction; a message whose touch or queued message is already
    /// recorded is left out. Returns how many were recorded.
    async fn insert(&self, entries: &[NewOutbox]) -> Result<u64, ChannelError>;

    /// The outbox, oldest first, optionally for one lead.
    async fn list(&self, lead: Option<LeadId>) -> Result<Vec<OutboxRow>, ChannelError>;

    /// One page of the outbox, oldest first, optionally for one lead: at most `limit` entries
    /// with ids above `after` (keyset paging, so entries added meanwhile never shift a page).
    async fn page(
        &self,
        lead: Option<LeadId>,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<OutboxRow>, ChannelError>;

    /// The entry of a touch, if one was recorded.
    async fn for_touch(&self, touch: i64) -> Result<Option<OutboxRow>, ChannelError>;

    /// The entry of a queued message, if one was recorded.
    async fn for_outbound(&self, outbound: i64) -> Result<Option<OutboxRow>, ChannelError>;
}

/// A shared outbox handle.
pub type SharedOutbox = Arc<dyn OutboxStore>;

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

fn unavailable(e: impl std::fmt::Display) -> ChannelError {
    ChannelError::Unavailable(format!("outbox: {e}"))
}

fn outbox_row(r: &SqliteRow) -> Result<OutboxRow, ChannelError> {
    let at: i64 = r.get("at");
    Ok(OutboxRow {
        id: r.get("id"),
        touch_id: r.get("touch_id"),
        lead_id: r.get::<Option<i64>, _>("lead_id").map(LeadId),
        at: Timestamp::from_millisecond(at).map_err(unavailable)?,
        channel: r.get("channel"),
        recipient_kind: r.get("recipient_kind"),
        to: r.get("recipient"),
        subject: r.get("subject"),
        body: r.get("body"),
        attachments: serde_json::from_str(r.get("attachments")).map_err(unavailable)?,
    })
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
        for chunk in entries.chunks(1000) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO outbox (touch_id, outbound_id, lead_id, at, channel, recipient_kind, recipient, subject, body, attachments) ",
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
                    .push_bind(
                        serde_json::to_string(&e.attachments).unwrap_or_else(|_| "[]".into()),
                    );
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
