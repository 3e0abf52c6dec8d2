//! The sandbox channel's own small store: the outbox, one row per message it "sent".
//!
//! [`OutboxStore`] is all the sandbox needs to keep: record messages (once per touch or queued
//! message, whatever happens), list them, and find one again for reconciliation. It lives in the
//! `outbox` table of the store's own database (its schema is one of the store's migrations, on each
//! backend), reached through the pools the store opened, so that an in-memory SQLite database is
//! shared too: [`SqliteOutbox`] on SQLite, [`PgOutbox`] on PostgreSQL. Nothing else reads or writes
//! that table. The two differ only in SQL text; what a row means is written once, here.

use std::sync::Arc;

use async_trait::async_trait;
use jiff::Timestamp;
use keepwarm_domain::LeadId;
use serde::{Deserialize, Serialize};

use crate::ChannelError;

mod postgres;
mod sqlite;

pub use postgres::PgOutbox;
pub use sqlite::SqliteOutbox;

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
    /// An e-mail's Message-ID, angle brackets included, as SMTP would send it.
    pub message_id: Option<String>,
    /// An e-mail's Reply-To: the lead's reply address for a customer's e-mail about a lead.
    pub reply_to: Option<String>,
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
    /// An e-mail's Message-ID (what a customer's reply names in `In-Reply-To`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// An e-mail's Reply-To (the lead's reply address).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
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

fn unavailable(e: impl std::fmt::Display) -> ChannelError {
    ChannelError::Unavailable(format!("outbox: {e}"))
}

/// Rows per multi-row insert: well under either backend's bound-parameter limit at 10 columns.
const CHUNK: usize = 1000;

/// The stored attachments of a message, as JSON text.
fn attachments_json(e: &NewOutbox) -> String {
    serde_json::to_string(&e.attachments).unwrap_or_else(|_| "[]".into())
}

/// An outbox row, read by column name on either backend (both store instants as milliseconds
/// and the attachments as JSON text, selected as text on PostgreSQL).
fn outbox_row<'r, R>(r: &'r R) -> Result<OutboxRow, ChannelError>
where
    R: sqlx::Row,
    &'r str: sqlx::ColumnIndex<R>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let at: i64 = r.try_get("at").map_err(unavailable)?;
    let attachments: String = r.try_get("attachments").map_err(unavailable)?;
    Ok(OutboxRow {
        id: r.try_get("id").map_err(unavailable)?,
        touch_id: r.try_get("touch_id").map_err(unavailable)?,
        lead_id: r
            .try_get::<Option<i64>, _>("lead_id")
            .map_err(unavailable)?
            .map(LeadId),
        at: Timestamp::from_millisecond(at).map_err(unavailable)?,
        channel: r.try_get("channel").map_err(unavailable)?,
        recipient_kind: r.try_get("recipient_kind").map_err(unavailable)?,
        to: r.try_get("recipient").map_err(unavailable)?,
        subject: r.try_get("subject").map_err(unavailable)?,
        body: r.try_get("body").map_err(unavailable)?,
        attachments: serde_json::from_str(&attachments).map_err(unavailable)?,
        message_id: r.try_get("message_id").map_err(unavailable)?,
        reply_to: r.try_get("reply_to").map_err(unavailable)?,
    })
}
