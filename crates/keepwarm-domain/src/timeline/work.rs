//! The data of people's work on a lead: tasks, calls, and appointments.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::appointment::AppointmentKind;

/// `task_created`: a task for a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskCreated {
    /// The task.
    pub task_id: i64,
    /// `call`, `reply`, `fix_contact`, ...
    pub kind: String,
    /// Whose it is.
    pub owner: String,
    /// When it is due.
    pub due_at: Timestamp,
}

/// `task_completed` and `call_logged`: a person finished a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskCompleted {
    /// The task.
    pub task_id: i64,
    /// Its kind.
    pub kind: String,
    /// `done`, or a call's outcome (`connected`, `voicemail_left`, `no_answer`, `wrong_number`).
    pub outcome: String,
    /// The person's note.
    pub note: Option<String>,
    /// Who.
    pub by: String,
}

/// `task_reassigned`: a task followed the lead to a new owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskReassigned {
    /// The task.
    pub task_id: i64,
    /// Whose it was.
    pub from: String,
    /// Whose it is.
    pub to: String,
    /// Why.
    pub reason: String,
}

/// `task_closed`: a task ended without being done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskClosed {
    /// The task.
    pub task_id: i64,
    /// Its kind.
    pub kind: String,
    /// Why.
    pub reason: String,
    /// Who closed the lead.
    pub by: String,
}

/// `call_answered` and `voicemail_left`: what happened on a call touch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallAnswered {
    /// The touch.
    pub touch_id: i64,
    /// The provider's call id.
    pub call_sid: Option<String>,
    /// Who answered, as the provider detected (`human`, `machine_start`, `fax`, ...).
    pub answered_by: Option<String>,
    /// What keepwarm did.
    pub outcome: String,
}

/// `appointment_set` and `appointment_moved`: an appointment was booked (or moved to a new time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentBooked {
    /// The appointment moved (`null` for a new booking, whose id the store assigns).
    pub appointment_id: Option<i64>,
    /// What it is for.
    pub kind: AppointmentKind,
    /// When it starts.
    pub starts_at: Timestamp,
    /// When it ends.
    pub ends_at: Timestamp,
    /// The old start of a moved appointment.
    pub from: Option<Timestamp>,
    /// Who booked it.
    pub by: String,
    /// How it was reported.
    pub via: String,
}

/// `appointment_confirmed`, `appointment_reschedule_requested`, `appointment_showed` and
/// `appointment_cancelled`: an appointment's status moved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentUpdate {
    /// The appointment.
    pub appointment_id: i64,
    /// When it starts.
    pub starts_at: Timestamp,
    /// The customer's words (status moved by a reply).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub words: Option<String>,
    /// Who moved it.
    pub by: String,
    /// How it was reported (status moved by an outcome).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

/// `appointment_no_show`: the customer did not come by the end of the grace period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentNoShow {
    /// The appointment.
    pub appointment_id: i64,
    /// When it started.
    pub starts_at: Timestamp,
    /// When it ended.
    pub ends_at: Timestamp,
    /// Minutes waited after the end.
    pub grace_minutes: u32,
    /// `keepwarm`.
    pub by: String,
}
