//! The data of touch events: planned, sent, failed, moved, skipped, and what the provider reported.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::is_false;
use crate::cadence::Channel;

/// `touch_scheduled`: a touch was planned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TouchScheduled {
    /// The touch.
    pub touch_id: i64,
    /// The cadence step, counted from 1.
    pub step: usize,
    /// How it goes out.
    pub channel: Channel,
    /// The message block.
    pub block: String,
    /// When the cadence wants it.
    pub target_at: Timestamp,
    /// When it may go out (inside the contact window).
    pub due_at: Timestamp,
    /// Whether it was held at once (follow-up is paused).
    pub held: bool,
}

/// `touch_unplannable`: the first touch to plan (the cadence's first step, or the first after the
/// day-0 steps a caller skipped) has no legal time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TouchUnplannable {
    /// The cadence step, counted from 1.
    pub step: usize,
    /// Why.
    pub reason: String,
    /// The time zones the customer may be in.
    pub zones: Vec<String>,
}

/// `touch_sent`: a touch went out. Three writers: the dispatcher (every field but `mode` and
/// `reconciled`), reconciliation of a send a stopped worker made (`reconciled`, no planning
/// fields), and a call step that became a task for its owner (`mode: task`, `to` the owner).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TouchSent {
    /// The touch.
    pub touch_id: i64,
    /// The cadence step, counted from 1.
    pub step: usize,
    /// How it went out.
    pub channel: Channel,
    /// The message block.
    pub block: String,
    /// The block variant used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<usize>,
    /// Whether a generic variant stood in for one that lacked lead data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fell_back: Option<bool>,
    /// Whether the variant repeated one already sent to the lead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeated: Option<bool>,
    /// `customer`, or `staff` for a call task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_kind: Option<String>,
    /// The address it went to (the owner's staff id for a call task).
    pub to: Option<String>,
    /// `task` for a call step carried out by a person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// When the cadence wanted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_at: Option<Timestamp>,
    /// When it was due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<Timestamp>,
    /// When it went out.
    pub sent_at: Timestamp,
    /// Whether reconciliation found it sent after its worker stopped.
    #[serde(default, skip_serializing_if = "is_false")]
    pub reconciled: bool,
    /// The provider's id for the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
    /// For an automated marketing call or text: the consent basis the contact's evidence gave and
    /// the basis its jurisdictions required, as the gate saw them when it let the touch go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<SentConsent>,
}

/// The consent a marketing touch was sent on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentConsent {
    /// The basis the evidence gave (`express_written`, `express`, `none`).
    pub basis: String,
    /// The basis required.
    pub required: String,
}

/// `touch_failed`: the channel refused a touch; the cadence goes on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TouchFailed {
    /// The touch.
    pub touch_id: i64,
    /// The channel that refused it.
    pub channel: Channel,
    /// The provider's reason.
    pub reason: String,
    /// Whether the carrier says the recipient opted out.
    #[serde(default, skip_serializing_if = "is_false")]
    pub opted_out: bool,
    /// Whether the address was unreachable and the lead has no other channel for the step.
    #[serde(default, skip_serializing_if = "is_false")]
    pub unreachable: bool,
}

/// `touch_rerouted`: a touch moved to another channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TouchRerouted {
    /// The touch.
    pub touch_id: i64,
    /// The channel that could not reach the customer.
    pub from: Channel,
    /// The channel it goes by now.
    pub to: Channel,
    /// Why.
    pub reason: String,
}

/// `touch_delayed`: a touch waits for its provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TouchDelayed {
    /// The touch.
    pub touch_id: i64,
    /// The provider's trouble.
    pub reason: String,
    /// When it is tried again.
    pub retry_at: Timestamp,
}

/// `touch_deferred`: a due touch was not legal to send now and moved to the next opening.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TouchDeferred {
    /// The touch.
    pub touch_id: i64,
    /// The cadence step, counted from 1.
    pub step: usize,
    /// How it goes out.
    pub channel: Channel,
    /// When it was due.
    pub due_at: Timestamp,
    /// When it goes out now.
    pub deferred_to: Timestamp,
    /// The rule that moved it (`contact_window`).
    pub rule: String,
    /// Why, in words.
    pub reason: String,
}

/// `touch_skipped`: a step was not sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TouchSkipped {
    /// The touch, when one was scheduled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub touch_id: Option<i64>,
    /// The cadence step, counted from 1.
    pub step: usize,
    /// How it would have gone out.
    pub channel: Channel,
    /// The message block (steps skipped at enrollment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block: Option<String>,
    /// Why.
    pub reason: String,
}

/// `touch_cancelled`: a due touch was cancelled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TouchCancelled {
    /// The touch.
    pub touch_id: i64,
    /// The cadence step, counted from 1.
    pub step: usize,
    /// Why.
    pub reason: String,
}

/// `touch_held` and `touch_released`: a touch and why it was held or scheduled again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TouchNote {
    /// The touch.
    pub touch_id: i64,
    /// Why.
    pub reason: String,
}

/// `touch_uncertain`: whether a touch went out is unknown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TouchUncertain {
    /// The touch.
    pub touch_id: i64,
    /// Why it is unknown.
    pub reason: String,
    /// What happens next.
    pub then: String,
}

/// `delivery_status`: the provider reported on a touch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryStatus {
    /// The touch.
    pub touch_id: i64,
    /// The provider's message id.
    pub provider_id: String,
    /// The reported status (`queued`, `sent`, `delivered`, `undelivered`, `failed`).
    pub status: String,
    /// The provider's error code, when any.
    pub error_code: Option<String>,
}
