//! People's work and the messages around it, for reading: tasks, escalations, appointments and
//! queued outbound messages.

use jiff::Timestamp;
use keepwarm_domain::appointment::{AppointmentKind, AppointmentStatus};
use keepwarm_domain::LeadId;
use serde::Serialize;
use serde_json::Value;

use super::{EscalationStatus, OutboundState, TaskStatus};
use crate::outbound::{OutboundPurpose, OutboundRow};
use crate::outcomes::AppointmentRow;
use crate::records::{EscalationRow, OutboxAttachment, TaskRow};
use crate::{Result, StoreError};

/// A task, for reading (`GET /api/v1/tasks`).
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

impl TryFrom<TaskRow> for TaskView {
    type Error = StoreError;

    fn try_from(t: TaskRow) -> Result<Self> {
        Ok(Self {
            status: read_word(&t.status, "task", t.id)?,
            id: t.id,
            lead_id: t.lead_id,
            owner_id: t.owner_id,
            kind: t.kind,
            touch_id: t.touch_id,
            due_at: t.due_at,
            body: t.body,
            created_at: t.created_at,
            completed_at: t.completed_at,
            outcome: t.outcome,
            note: t.note,
            completed_by: t.completed_by,
        })
    }
}

/// An escalation, for reading (`GET /api/v1/escalations`).
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

impl TryFrom<EscalationRow> for EscalationView {
    type Error = StoreError;

    fn try_from(e: EscalationRow) -> Result<Self> {
        Ok(Self {
            status: read_word(&e.status, "escalation", e.id)?,
            id: e.id,
            lead_id: e.lead_id,
            intents: e.intents,
            context: e.context,
            created_at: e.created_at,
            sla_due_at: e.sla_due_at,
            owner: e.owner,
            level: e.level,
            next_deadline_at: e.next_deadline_at,
            breached_at: e.breached_at,
            acknowledged_at: e.acknowledged_at,
            acknowledged_by: e.acknowledged_by,
            notified: e.notified,
        })
    }
}

/// An appointment, for reading (`GET /api/v1/appointments`, and on its lead).
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

impl From<AppointmentRow> for AppointmentView {
    fn from(a: AppointmentRow) -> Self {
        Self {
            id: a.id,
            lead_id: a.lead_id,
            kind: a.kind,
            starts_at: a.starts_at,
            ends_at: a.ends_at,
            status: a.status,
            sequence: a.sequence,
            set_by: a.set_by,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
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

    fn task(status: &str) -> TaskRow {
        let at = Timestamp::UNIX_EPOCH;
        TaskRow {
            id: 7,
            lead_id: LeadId(3),
            owner_id: "sam".into(),
            kind: "call".into(),
            touch_id: None,
            due_at: at,
            status: status.into(),
            body: "Call Ana".into(),
            created_at: at,
            completed_at: None,
            outcome: None,
            note: None,
            completed_by: None,
        }
    }

    #[test]
    fn a_task_view_serializes_exactly_as_its_row_did() {
        for status in ["open", "done"] {
            let row = task(status);
            let before = serde_json::to_string(&row).ok();
            let view = TaskView::try_from(row).ok();
            assert_eq!(view.map(|v| serde_json::to_string(&v).ok()), Some(before));
        }
    }

    #[test]
    fn a_task_with_a_status_word_this_version_does_not_know_is_reported_corrupt() {
        match TaskView::try_from(task("pending")) {
            Err(StoreError::Corrupt(why)) => assert!(why.contains("task 7"), "{why}"),
            other => panic!("expected a corrupt row, got {other:?}"),
        }
    }
}
