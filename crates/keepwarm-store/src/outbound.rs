//! Records of the durable outbound queue: messages that are not cadence touches (staff alerts,
//! escalation hand-offs, opt-out confirmations, manager alerts, weekly reports).
//!
//! A message is queued in the same transaction as the decision that wants it sent; a worker claims it
//! with a lease, hands it to the channel with no transaction open, and records the result with the
//! timeline event the decision asked for. A message whose lease expired while `sending` is looked up
//! at the channel before anything is sent again.

use jiff::Timestamp;
use keepwarm_domain::LeadId;
use serde::Serialize;

use crate::OutboxAttachment;
pub use keepwarm_domain::machine::{NewOutbound, OutboundPurpose, ESCALATION_ID};

/// A queued message as claimed by a worker.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboundRow {
    /// Id (assigned by the database).
    pub id: i64,
    /// The lead it is about, if any.
    pub lead_id: Option<LeadId>,
    /// Why it is sent.
    pub purpose: OutboundPurpose,
    /// `sms` or `email`.
    pub channel: String,
    /// `customer` or `staff`.
    pub recipient_kind: String,
    /// E.164 number or e-mail address.
    pub recipient: String,
    /// E-mail subject.
    pub subject: Option<String>,
    /// The text.
    pub body: String,
    /// Files attached to an e-mail.
    pub attachments: Vec<OutboxAttachment>,
    /// The dealership it is sent for.
    pub dealership: String,
    /// `queued`, `sending`, `sent` or `failed`.
    pub state: String,
    /// How many times it was handed to a channel.
    pub attempts: i64,
    /// When it was (last) claimed.
    pub claimed_at: Option<Timestamp>,
    /// When it was queued.
    pub created_at: Timestamp,
    /// A person's e-mail: their name and the Reply-To.
    pub sender: Option<keepwarm_domain::staff_message::EmailSender>,
}

/// How a claimed message ended.
#[derive(Debug, Clone, PartialEq)]
pub enum OutboundResult {
    /// The channel accepted it.
    Sent {
        /// The provider's id.
        provider_id: Option<String>,
    },
    /// The channel refused it for good.
    Failed {
        /// Why.
        reason: String,
    },
    /// The channel is down: try again at `retry_at`.
    Retry {
        /// Why.
        reason: String,
        /// When to try again.
        retry_at: Timestamp,
    },
    /// It was never handed to a channel (found unsent after a lease expired): queue it again now.
    Release,
}

/// A claimed message's result, recorded by [`crate::WorkQueue::finish_outbound`] only while the
/// claim is still this worker's.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboundFinish {
    /// The message.
    pub id: i64,
    /// The worker whose lease it was.
    pub worker: String,
    /// When.
    pub at: Timestamp,
    /// What happened.
    pub result: OutboundResult,
}

/// One message in a lead's conversation, either way, for the context a person is handed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConversationEntry {
    /// When it was sent or received.
    pub at: Timestamp,
    /// `outbound` (a touch sent to the customer) or `inbound` (the customer's message or call).
    pub direction: String,
    /// `sms`, `email`, `call`, `voicemail`.
    pub channel: String,
    /// What it said.
    pub body: String,
}
