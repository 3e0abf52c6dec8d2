//! People's work and the messages around it, for reading: tasks, escalations, appointments and
//! queued outbound messages.

use jiff::Timestamp;
use keepwarm_domain::appointment::{AppointmentKind, AppointmentStatus};
use keepwarm_domain::LeadId;
use serde::Serialize;
use serde_json::Value;

use super::{EscalationStatus, OutboundState, TaskStatus};
use crate::outbound::{OutboundPurpose, OutboundRow};
use crate::records::OutboxAttachment;
use crate::{Result, StoreError};

/// A task, for reading (`GET /api/v1/tasks`); also what a decision loads ([`crate::TaskRow`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskView {
    /// Id.
    pub id: i64,
    /// Lead.
    pub lead_id: LeadId,
    /// Who must do it (a staff id).
    pub owner_id: String,
    /// Kind: `call`, `fix_contact`, `reply`, ...
    pub kind: String,
    /// The touch it carries out (call steps).
    pub touch_id: Option<i64>,
    /// Due.
    pub due_at: Timestamp,
    /// Open or done.
    pub status: TaskStatus,
    /// What to do.
    pub body: String,
    /// Created.
    pub created_at: Timestamp,
    /// When it was completed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<Timestamp>,
    /// How it went (calls: connected, voicemail_left, no_answer, wrong_number).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// The person's note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Who completed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_by: Option<String>,
}

impl TaskView {
    /// The key tasks are listed by: open ones first, then by due time and id.
    pub fn list_key(&self) -> Vec<i64> {
        vec![
            i64::from(self.status == TaskStatus::Done),
            self.due_at.as_millisecond(),
            self.id,
        ]
    }
}

/// An escalation, for reading (`GET /api/v1/escalations`); also what a decision loads
/// ([`crate::EscalationRow`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EscalationView {
    /// Id (also the short code staff reply with).
    pub id: i64,
    /// The lead.
    pub lead_id: LeadId,
    /// The reply's labels.
    pub intents: Vec<String>,
    /// What the person needs so the customer never repeats themselves.
    pub context: Value,
    /// When.
    pub created_at: Timestamp,
    /// When it had to be acknowledged.
    pub sla_due_at: Timestamp,
    /// Who has it now (a staff id).
    pub owner: String,
    /// 0 owner, 1 manager, 2 next in the chain.
    pub level: i64,
    /// Where it stands.
    pub status: EscalationStatus,
    /// When the clock next escalates.
    pub next_deadline_at: Option<Timestamp>,
    /// When the first deadline passed unacknowledged.
    pub breached_at: Option<Timestamp>,
    /// When someone acknowledged it.
    pub acknowledged_at: Option<Timestamp>,
    /// Who.
    pub acknowledged_by: Option<String>,
    /// Staff told, in order.
    pub notified: Vec<String>,
}

/// An appointment, for reading (`GET /api/v1/appointments`, and on its lead); also what a decision
/// loads ([`crate::AppointmentRow`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppointmentView {
    /// Id (also in the invite's UID).
    pub id: i64,
    /// The lead.
    pub lead_id: LeadId,
    /// Sales or service.
    pub kind: AppointmentKind,
    /// Start.
    pub starts_at: Timestamp,
    /// End.
    pub ends_at: Timestamp,
    /// Where it stands.
    pub status: AppointmentStatus,
    /// The invite's SEQUENCE: 0, plus one per reschedule.
    pub sequence: i64,
    /// Who set it (`api`, a staff id, `import`).
    pub set_by: String,
    /// Booked.
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
}

/// A message on the durable outbound queue, for reading: what it is, to whom, and where it stands
/// (not its lease or its claim).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboundView {
    /// Id.
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
    /// Where it stands.
    pub state: OutboundState,
    /// How many times it was handed to a channel.
    pub attempts: i64,
    /// When it was queued.
    pub created_at: Timestamp,
}

impl TryFrom<OutboundRow> for OutboundView {
    type Error = StoreError;

    fn try_from(m: OutboundRow) -> Result<Self> {
        Ok(Self {
            state: read_word(&m.state, "outbound message", m.id)?,
            id: m.id,
            lead_id: m.lead_id,
            purpose: m.purpose,
            channel: m.channel,
            recipient_kind: m.recipient_kind,
            recipient: m.recipient,
            subject: m.subject,
            body: m.body,
            attachments: m.attachments,
            dealership: m.dealership,
            attempts: m.attempts,
            created_at: m.created_at,
        })
    }
}

/// A stored status word read as its enum; [`StoreError::Corrupt`] naming the row when it is not
/// one this version knows.
fn read_word<T: std::str::FromStr<Err = String>>(word: &str, what: &str, id: i64) -> Result<T> {
    word.parse()
        .map_err(|e| StoreError::Corrupt(format!("{what} {id}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(status: TaskStatus, outcome: Option<&str>) -> TaskView {
        let at = Timestamp::UNIX_EPOCH;
        TaskView {
            id: 7,
            lead_id: LeadId(3),
            owner_id: "sam".into(),
            kind: "call".into(),
            touch_id: None,
            due_at: at,
            status,
            body: "Call Ana".into(),
            created_at: at,
            completed_at: outcome.map(|_| at),
            outcome: outcome.map(str::to_owned),
            note: None,
            completed_by: outcome.map(|_| "sam".to_owned()),
        }
    }

    #[test]
    fn a_task_serializes_its_status_as_the_word_and_leaves_out_what_did_not_happen() {
        let open = serde_json::to_value(task(TaskStatus::Open, None)).ok();
        assert_eq!(
            open,
            Some(serde_json::json!({
                "id": 7, "lead_id": 3, "owner_id": "sam", "kind": "call", "touch_id": null,
                "due_at": "1970-01-01T00:00:00Z", "status": "open", "body": "Call Ana",
                "created_at": "1970-01-01T00:00:00Z"
            }))
        );
        let done = serde_json::to_value(task(TaskStatus::Done, Some("connected"))).ok();
        assert_eq!(
            done.as_ref()
                .map(|d| (&d["status"], &d["outcome"], &d["completed_by"])),
            Some((&"done".into(), &"connected".into(), &"sam".into()))
        );
    }

    #[test]
    fn tasks_are_listed_open_first_then_by_due_time_and_id() {
        assert_eq!(task(TaskStatus::Open, None).list_key(), [0, 0, 7]);
        assert_eq!(
            task(TaskStatus::Done, Some("connected")).list_key(),
            [1, 0, 7]
        );
    }
}
