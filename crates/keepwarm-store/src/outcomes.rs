//! The records of outcomes and appointments: what the engine asks the store to record when a lead
//! moves through its stages, and the appointments read back.

use jiff::Timestamp;
use keepwarm_domain::appointment::AppointmentStatus;
use keepwarm_domain::LeadId;

pub use keepwarm_domain::machine::{AppointmentWrite, OutcomeRecord, WorkClosing};

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
