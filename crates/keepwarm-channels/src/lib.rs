//! keepwarm's channels: how a message leaves the building.
//!
//! [`Channel`] is the boundary every transport implements — the sandbox today, Twilio (SMS, calls,
//! voicemail) and SMTP next. It speaks in domain terms: a [`Message`] to a phone number or e-mail
//! address, for a customer or a staff member. A channel must be idempotent per touch: sending the
//! same touch twice must not deliver it twice, and [`Channel::lookup`] must say whether a touch was
//! already delivered, so that the engine can reconcile after a crash instead of resending blindly.
//! Channels never decide anything about follow-up; the engine does.
#![forbid(unsafe_code)]

mod email_ids;
mod outbox;
mod router;
mod sandbox;
mod smtp;
mod twilio;

use std::sync::Arc;

use async_trait::async_trait;
use jiff::Timestamp;
use keepwarm_domain::cadence::Channel as ChannelKind;
use keepwarm_domain::{EmailAddress, LeadId, PhoneNumber};

pub use outbox::{
    NewOutbox, OutboxAttachment, OutboxRow, OutboxStore, PgOutbox, SharedOutbox, SqliteOutbox,
};
pub use router::Router;
pub use sandbox::SandboxChannel;
pub use smtp::SmtpChannel;
pub use twilio::TwilioChannel;

/// Where a message goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    /// A phone number (SMS, call, voicemail).
    Phone(PhoneNumber),
    /// An e-mail address.
    Email(EmailAddress),
}

impl std::fmt::Display for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Address::Phone(p) => p.fmt(f),
            Address::Email(e) => e.fmt(f),
        }
    }
}

/// Who a message is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecipientKind {
    /// The lead.
    Customer,
    /// A staff member (alerts, call tasks).
    Staff,
}

impl RecipientKind {
    /// `customer` or `staff`.
    pub fn as_str(self) -> &'static str {
        match self {
            RecipientKind::Customer => "customer",
            RecipientKind::Staff => "staff",
        }
    }
}

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The touch it carries out; `None` for staff alerts that are not touches.
    pub touch_id: Option<i64>,
    /// The queued message it carries out (alerts, confirmations, reports); `None` for touches.
    /// Channels use it, like `touch_id`, to deliver each queued message once.
    pub outbound_id: Option<i64>,
    /// The lead it is about; `None` for messages about no lead (a weekly report to a manager).
    pub lead_id: Option<LeadId>,
    /// SMS, e-mail, call or voicemail.
    pub kind: ChannelKind,
    /// Customer or staff.
    pub recipient_kind: RecipientKind,
    /// Where it goes.
    pub to: Address,
    /// E-mail subject.
    pub subject: Option<String>,
    /// The text.
    pub body: String,
    /// When it is sent.
    pub at: Timestamp,
    /// The dealership it is sent for: channels pick the sending identity (number, address, footer)
    /// from it.
    pub dealership: String,
    /// Files attached to an e-mail (an appointment's calendar invite); other channels ignore them.
    pub attachments: Vec<Attachment>,
    /// A person's e-mail: sent under their name, with their Reply-To; `None` for the dealership's
    /// own messages (other channels ignore it).
    pub sender: Option<keepwarm_domain::staff_message::EmailSender>,
}

/// A file attached to a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The file name the recipient sees (`invite.ics`).
    pub filename: String,
    /// Its media type, with parameters (`text/calendar; method=REQUEST; charset=UTF-8`).
    pub content_type: String,
    /// Its bytes.
    pub data: Vec<u8>,
}

/// What a channel reports after accepting a message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Delivery {
    /// The provider's id for the message (Twilio's MessageSid, the outbox id, ...).
    pub provider_id: Option<String>,
}

/// Why a channel did not accept a message. Every variant carries the provider's reason, which ends
/// up on the lead's timeline: no error is dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    /// The recipient told the carrier to stop (Twilio 21610): recorded exactly as a STOP reply —
    /// consent revoked, follow-up stopped on every lead with the number.
    #[error("recipient opted out at the carrier: {0}")]
    OptedOut(String),
    /// The address can never receive this kind of message (Twilio 21211 invalid number, 21614 not a
    /// mobile number; an SMTP 550 "no such user"): the contact is marked unusable and the step
    /// moves to the next channel the lead can receive.
    #[error("address cannot receive this channel: {0}")]
    Unreachable(String),
    /// The provider refused this message for another reason (any other 4xx): the touch fails with
    /// the reason and the cadence moves on.
    #[error("rejected: {0}")]
    Rejected(String),
    /// The provider could not be reached or asked us to slow down (429, 5xx, timeouts) even after
    /// the adapter's own retries: the touch is delayed and retried, never skipped, and the outage is
    /// reported in [`Channel::health`].
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The request may or may not have reached the provider, and asking it failed too: the touch
    /// stays claimed and is reconciled ([`Channel::lookup`]) before anything is sent again, so it
    /// is neither lost nor sent twice.
    #[error("outcome unknown: {0}")]
    Uncertain(String),
}

/// A transport for messages.
#[async_trait]
pub trait Channel: Send + Sync + 'static {
    /// A short name for logs and the timeline (`sandbox`, `twilio`, `smtp`).
    fn name(&self) -> &'static str;

    /// Sends one message. Sending a touch that was already delivered must not deliver it again.
    async fn send(&self, message: &Message) -> Result<Delivery, ChannelError>;

    /// Sends several messages; the answer has one result per message, in order. The default sends
    /// them one by one; a channel that can batch should.
    async fn send_batch(&self, messages: &[Message]) -> Vec<Result<Delivery, ChannelError>> {
        let mut results = Vec::with_capacity(messages.len());
        for m in messages {
            results.push(self.send(m).await);
        }
        results
    }

    /// Whether `message` (a touch a stopped process had claimed at `since`, rendered again) was
    /// already delivered, for reconciliation after a crash: `Ok(Some(..))` delivered, `Ok(None)`
    /// certainly not, `Err` unknown for now (try again later).
    async fn lookup(
        &self,
        message: &Message,
        since: Timestamp,
    ) -> Result<Option<Delivered>, ChannelError>;

    /// Places a click-to-call ([`BridgeCall`]); `Ok` carries the provider's id for the call. A
    /// channel that cannot place calls refuses it.
    async fn bridge_call(&self, call: &BridgeCall) -> Result<Delivery, ChannelError> {
        Err(ChannelError::Rejected(format!(
            "the {} channel cannot place calls for dealership `{}`",
            self.name(),
            call.dealership
        )))
    }

    /// The state of each transport behind this channel, for operators. Empty when there is nothing
    /// to report.
    fn health(&self) -> Vec<TransportHealth> {
        Vec::new()
    }
}

/// How one transport is doing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct TransportHealth {
    /// `twilio`, `smtp`, `sandbox`.
    pub transport: String,
    /// `ok` or `down`.
    pub status: &'static str,
    /// The first failure of the current outage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub down_since: Option<Timestamp>,
    /// The latest failure's reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Messages it accepted since start-up.
    pub sent: u64,
    /// Messages it could not take since start-up.
    pub failed: u64,
}

/// A delivery found by [`Channel::lookup`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// Where it went.
    pub to: String,
    /// What it said.
    pub body: String,
    /// When.
    pub at: Timestamp,
    /// The provider's id for it.
    pub provider_id: Option<String>,
}

/// A call that rings a staff member's phone and, once they answer, connects them to the customer
/// with the dealership's number as caller ID (click-to-call). Both legs show the dealership's
/// number: the staff member sees the store calling, the customer sees the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgeCall {
    /// The dealership whose number places the call.
    pub dealership: String,
    /// The staff member's phone: rung first.
    pub staff_phone: PhoneNumber,
    /// The customer's phone: dialled once the staff member answers.
    pub customer_phone: PhoneNumber,
    /// Seconds to let each leg ring.
    pub ring_seconds: u32,
    /// What names this call on its callbacks (`lead`, `by`, `task`), appended to their query:
    /// signed by the provider with the URL, so a callback cannot be pointed at another lead.
    pub reference: Vec<(String, String)>,
    /// When it was asked for (the engine's clock; the sandbox records the call at this time).
    pub at: Timestamp,
}

/// The prefix of the call ids the sandbox gives the calls it simulates
/// ([`SandboxChannel`]'s `bridge_call`): only such a call's legs may be played out by hand.
pub const SANDBOX_CALL_PREFIX: &str = "CAsandbox";

/// A shared channel handle.
pub type SharedChannel = Arc<dyn Channel>;
