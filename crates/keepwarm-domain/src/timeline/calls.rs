//! The data of events about calls through the store's number (issue 13): a person's click-to-call,
//! how each call moved on, a call nobody answered, and the voicemail the caller left.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// `call_requested`: a person asked keepwarm to ring them and connect them to the customer
/// (click-to-call); recorded before the provider is asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallRequested {
    /// Who.
    pub by: String,
    /// Their name.
    pub name: String,
    /// Their phone, rung first.
    pub staff_phone: String,
    /// The customer's phone, dialled once they answer.
    pub customer_phone: String,
    /// The call task the call carries out, completed by its outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<i64>,
}

/// `call_progress`: a call through the store's number moved on (placed, ringing, answered,
/// completed, not answered), with its duration and outcome once it ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallProgress {
    /// The provider's id of the call (`CA...`); `None` when it could not be placed.
    pub call_sid: Option<String>,
    /// `outbound` (a person called the customer) or `inbound` (the customer called the store).
    pub direction: String,
    /// `staff` (the leg ringing a staff member) or `customer` (the leg to the customer).
    pub leg: String,
    /// The staff member on the call, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// The provider's status word (`queued`, `ringing`, `in-progress`, `completed`, `no-answer`,
    /// `busy`, `failed`, `canceled`).
    pub status: String,
    /// How long the conversation lasted, once it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u64>,
    /// How it ended for the customer: `connected`, `no_answer`, `busy`, `failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// Why it could not be placed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `call_missed`: the customer called the store and nobody answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallMissed {
    /// The provider's id of the call.
    pub call_sid: String,
    /// The caller's number.
    pub from: String,
    /// The staff members rung, in order.
    pub rang: Vec<String>,
    /// Whether a text-back was queued.
    pub texted_back: bool,
    /// Why no text-back was queued, when none was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_text_back: Option<String>,
    /// When the owner's call-back task is due.
    pub call_back_due_at: Timestamp,
}

/// `voicemail_received`: the caller left a voicemail; the recording stays with the provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VoicemailReceived {
    /// The provider's id of the call.
    pub call_sid: String,
    /// Where the recording is.
    pub recording_url: String,
    /// Its length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u64>,
}
