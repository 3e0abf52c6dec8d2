//! The data of events about people in the conversation (issue 13): the customer waiting on an
//! answer, and a person's internal note.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// `customer_waiting`: the customer's message needs a person's answer; the lead is in its owner's
/// "waiting on us" queue from the event's instant until a person answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerWaiting {
    /// Whose queue it is in (the lead's owner when the customer wrote).
    pub owner: String,
    /// When the answer is due: the escalation SLA for hot labels, otherwise the response-time SLA
    /// counted inside business hours.
    pub sla_due_at: Timestamp,
    /// Whether the message carried a hot label (it escalated).
    pub hot: bool,
}

/// `note_added`: a person's internal note, on the timeline and in the thread; never sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoteAdded {
    /// Who wrote it.
    pub by: String,
    /// Their name.
    pub name: String,
    /// The note.
    pub body: String,
}
