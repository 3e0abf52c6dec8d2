//! The data of conversation events: what the customer said, consent, escalations, and the
//! messages to staff and customers that go through the outbound queue.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cadence::Channel;

/// What the outbound queue adds to an event when it finishes the message the event is about.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OutboundNote {
    /// The queued message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbound_id: Option<i64>,
    /// Why it could not be sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `inbound_message` and `inbound_call`: the customer wrote or called.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboundMessage {
    /// `sms`, `email` or `call`.
    pub channel: String,
    /// The customer's number (E.164).
    pub from: String,
    /// What they said.
    pub body: String,
    /// Pictures and files sent with it (`[{url, content_type}]`).
    pub media: Value,
    /// The classifier's labels and explanations (`null` when not classified).
    pub classification: Value,
}

/// `opt_out_possible`: a reply that may mean "stop".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptOutPossible {
    /// The reply.
    pub words: String,
    /// The classifier's explanation of the phrase that made it doubtful (`null` when none).
    pub cue: Value,
}

/// `opt_out_hold_confirmed` and `opt_out_hold_released`: a person decided a held opt-out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptOutHoldDecided {
    /// Who decided.
    pub by: String,
    /// When the hold began.
    pub held_at: Timestamp,
}

/// `channel_revoked` and `consent_already_revoked`: the customer revoked consent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelRevoked {
    /// The channels (`sms`, `call`, `email`, or `all`).
    pub channels: Vec<String>,
    /// What they said (or `unsubscribe link`).
    pub words: String,
    /// How it arrived, when not a reply (the unsubscribe link).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

/// `consent_restored`: the customer gave consent again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsentRestored {
    /// The number or address.
    pub contact: String,
}

/// `opt_out_confirmed`: the one confirmation text went out (also `help_replied`: the answer to a
/// HELP keyword went out).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptOutConfirmed {
    /// The customer's number.
    pub to: String,
    /// The text.
    pub body: String,
    /// The queued message.
    #[serde(flatten)]
    pub outbound: OutboundNote,
}

/// `opt_out_confirmation_failed`: the confirmation could not be sent (also `help_reply_failed`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptOutConfirmationFailed {
    /// The customer's number.
    pub to: String,
    /// The queued message and the error.
    #[serde(flatten)]
    pub outbound: OutboundNote,
}

/// `escalated`: a reply needs a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Escalated {
    /// The escalation; `None` until the store opens it and names it here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation_id: Option<i64>,
    /// The intents that need a person.
    pub intents: Vec<String>,
    /// Who must answer.
    pub assignee: String,
    /// When they must acknowledge by.
    pub sla_due_at: Timestamp,
    /// Why them (`owner`, or an on-shift teammate).
    pub reason: String,
}

/// `escalation_breached`: the deadline passed; the next person up the chain was told.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EscalationBreached {
    /// The escalation.
    pub escalation_id: i64,
    /// How far up the chain it is.
    pub level: i64,
    /// Who was told.
    pub told: String,
    /// Who did not acknowledge.
    pub unacknowledged_by: String,
    /// The deadline that passed.
    pub sla_due_at: Timestamp,
}

/// `escalation_unanswered`: nobody is left to tell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EscalationUnanswered {
    /// The escalation.
    pub escalation_id: i64,
}

/// `escalation_acknowledged`: a person took the escalation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EscalationAcknowledged {
    /// The escalation.
    pub escalation_id: i64,
    /// Who.
    pub by: String,
    /// Whether before the deadline.
    pub within_sla: bool,
    /// How, when not acknowledged directly (`staff message`: the person wrote to the customer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

/// `escalation_reassigned`: the escalation moved to another person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EscalationReassigned {
    /// The escalation.
    pub escalation_id: i64,
    /// Who had it.
    pub from: String,
    /// Who has it now.
    pub to: String,
    /// Why, when it followed the lead to a new owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The person who moved it (absent on events recorded before it was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// `escalation_closed`: the escalation ended without an acknowledgement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EscalationClosed {
    /// The escalation.
    pub escalation_id: i64,
    /// Why.
    pub reason: String,
    /// Who closed the lead.
    pub by: String,
}

/// `staff_notified`: the alert about an escalation went to a staff member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffNotified {
    /// The escalation; `None` until the store fills in the one opened in the same change set.
    pub escalation_id: Option<i64>,
    /// Who was alerted.
    pub staff: String,
    /// Their number or address.
    pub to: String,
    /// The queued message.
    #[serde(flatten)]
    pub outbound: OutboundNote,
}

/// `staff_notification_failed`: the alert could not be sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffNotificationFailed {
    /// The escalation; `None` until the store fills in the one opened in the same change set.
    pub escalation_id: Option<i64>,
    /// Who was to be alerted.
    pub staff: String,
    /// The queued message and the error.
    #[serde(flatten)]
    pub outbound: OutboundNote,
}

/// `resume_held_back`: automation stays paused; the resume timer re-armed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResumeHeldBack {
    /// Why.
    pub reason: String,
    /// When the timer fires again.
    pub retry_at: Timestamp,
}

/// `going_cold_alert`: the manager was told the lead is going cold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoingColdAlert {
    /// The manager.
    pub manager: String,
    /// The lead's owner.
    pub owner: String,
    /// Why the lead is going cold.
    pub why: String,
    /// The queued message.
    #[serde(flatten)]
    pub outbound: OutboundNote,
}

/// `going_cold_alert_failed`: that alert could not be sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoingColdAlertFailed {
    /// The manager.
    pub manager: String,
    /// The queued message and the error.
    #[serde(flatten)]
    pub outbound: OutboundNote,
}

/// `manager_alerted` and `manager_alert_failed`: an alert to a manager about the lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManagerAlert {
    /// The manager.
    pub manager: String,
    /// The queued message (and the error, when it failed).
    #[serde(flatten)]
    pub outbound: OutboundNote,
}

/// `staff_message_queued`, `staff_message_sent` and `staff_message_failed`: a person's own message to
/// the customer, queued, then sent or refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffMessage {
    /// Who wrote it.
    pub by: String,
    /// Their name.
    pub name: String,
    /// How it goes out.
    pub channel: Channel,
    /// The customer's number or address.
    pub to: String,
    /// The e-mail subject.
    pub subject: Option<String>,
    /// The text.
    pub body: String,
    /// Whether it answers the customer (the conversation is the person's now).
    pub conversational: bool,
    /// The queued message (sent and failed only).
    #[serde(flatten)]
    pub outbound: OutboundNote,
}
