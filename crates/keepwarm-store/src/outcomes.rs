//! The records of outcomes and appointments: what the engine asks the store to record when a lead
//! moves through its stages, and the appointments read back.

use jiff::Timestamp;
use keepwarm_domain::appointment::{AppointmentKind, AppointmentStatus};
use keepwarm_domain::{LeadId, Stage};

use crate::records::{NewEnrollment, NewEvent, NewTask};

/// A stored appointment: the same as its view ([`crate::views::AppointmentView`]), since nothing
/// about an appointment is internal to the store.
pub type AppointmentRow = crate::views::AppointmentView;

/// Which appointments to list.
#[derive(Debug, Clone, Default)]
pub struct AppointmentFilter {
    /// One lead's.
    pub lead: Option<LeadId>,
    /// With this status.
    pub status: Option<AppointmentStatus>,
    /// Starting at or after.
    pub from: Option<Timestamp>,
    /// Starting before.
    pub to: Option<Timestamp>,
    /// At most this many (default 500).
    pub limit: Option<u32>,
    /// Only appointments listed after this one's start and id, for paging.
    pub after: Option<(Timestamp, i64)>,
}

/// What happens to a lead's appointment.
#[derive(Debug, Clone, PartialEq)]
pub enum AppointmentWrite {
    /// A new appointment, `scheduled`.
    New {
        /// Sales or service.
        kind: AppointmentKind,
        /// Start.
        starts_at: Timestamp,
        /// End.
        ends_at: Timestamp,
    },
    /// The open appointment moves: new times, `scheduled` again, sequence plus one.
    Move {
        /// The appointment.
        id: i64,
        /// Sales or service.
        kind: AppointmentKind,
        /// New start.
        starts_at: Timestamp,
        /// New end.
        ends_at: Timestamp,
    },
    /// The appointment's status changes (only if it is still `from`).
    Status {
        /// The appointment.
        id: i64,
        /// The status it must still have; otherwise nothing is recorded.
        from: AppointmentStatus,
        /// The new status.
        to: AppointmentStatus,
    },
}

/// One outcome, recorded in one transaction: a stage change, what happens to the appointment, the
/// cadence that ends and the one that starts, timers and events.
#[derive(Debug, Clone)]
pub struct OutcomeRecord {
    /// The lead.
    pub lead: LeadId,
    /// When it was recorded.
    pub now: Timestamp,
    /// Who recorded it.
    pub by: String,
    /// The stage change: `(from, to)`; refused as a conflict if the lead is no longer at `from`.
    pub stage: Option<(Stage, Stage)>,
    /// When the stage change happened (the `stage_changed` event's time).
    pub at: Timestamp,
    /// Why (lost).
    pub reason: Option<String>,
    /// How it came (`api`, `import`, `reply`, `timer`).
    pub via: String,
    /// Ends the running cadence (and cancels its waiting touches) with this reason.
    pub stop: Option<String>,
    /// The appointment change.
    pub appointment: Option<AppointmentWrite>,
    /// A cadence to start (the lead's follow-up becomes active on it).
    pub enrollment: Option<NewEnrollment>,
    /// Timers to set: `(kind, due)`.
    pub timers: Vec<(String, Timestamp)>,
    /// More events for the timeline.
    pub events: Vec<NewEvent>,
    /// Tasks for people (call a customer who missed their appointment).
    pub tasks: Vec<NewTask>,
}

/// What recording an outcome did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordedOutcome {
    /// Whether anything was recorded (`false`: a status change found the appointment moved on).
    pub changed: bool,
    /// The appointment written, if any.
    pub appointment: Option<i64>,
}

/// A lead's open work and whose it is: what a reassignment moves (see
/// [`crate::ChangeSets::open_work`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenWork {
    /// Open tasks: `(id, owner)`.
    pub tasks: Vec<(i64, String)>,
    /// Unacknowledged (open or breached) escalations: `(id, assignee)`.
    pub escalations: Vec<(i64, String)>,
}

/// A lead's open work that moved or closed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeadWork {
    /// Unacknowledged escalations, by id.
    pub escalations: Vec<i64>,
    /// Open tasks, by id.
    pub tasks: Vec<i64>,
}

/// Closes a lead's open work (its unacknowledged escalations and open tasks) because the lead is
/// over: see [`crate::Change::Outcome`].
#[derive(Debug, Clone)]
pub struct WorkClosing {
    /// Why (`lead lost: bought elsewhere`); kept on each escalation and task and in their events.
    pub reason: String,
    /// Who closed it (the outcome's recorder).
    pub by: String,
    /// When.
    pub at: Timestamp,
}

/// An inquiry kept on a lead's timeline without changing the lead: no contacts, no enrollment, no
/// stage change, its latest-inquiry time left alone. See [`crate::ChangeSets::record_inquiry`].
#[derive(Debug, Clone)]
pub struct InquiryNote {
    /// The lead.
    pub lead: LeadId,
    /// When it was recorded.
    pub at: Timestamp,
    /// Its events (`inquiry_recorded`).
    pub events: Vec<NewEvent>,
    /// Tasks for people (check whether it is the same person).
    pub tasks: Vec<NewTask>,
    /// The raw document it came from, linked to the lead.
    pub document_id: Option<i64>,
}
