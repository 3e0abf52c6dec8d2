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
    /// Open tasks: `(id, owner, kind)`.
    pub tasks: Vec<(i64, String, String)>,
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

/// `AND ...` for each condition of `filter`, then its order and limit (soonest first), on either
/// backend's query builder.
pub(crate) fn push_appointment_filter<'a, DB: sqlx::Database>(
    q: &mut sqlx::QueryBuilder<'a, DB>,
    filter: &AppointmentFilter,
) where
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    &'static str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    use crate::sqlite::ms;
    if let Some(lead) = filter.lead {
        q.push(" AND lead_id = ").push_bind(lead.0);
    }
    if let Some(status) = filter.status {
        q.push(" AND status = ").push_bind(status.as_str());
    }
    if let Some(from) = filter.from {
        q.push(" AND starts_at >= ").push_bind(ms(from));
    }
    if let Some(to) = filter.to {
        q.push(" AND starts_at < ").push_bind(ms(to));
    }
    if let Some((starts_at, id)) = filter.after {
        q.push(" AND (starts_at > ")
            .push_bind(ms(starts_at))
            .push(" OR (starts_at = ")
            .push_bind(ms(starts_at))
            .push(" AND id > ")
            .push_bind(id)
            .push("))");
    }
    q.push(" ORDER BY starts_at, id LIMIT ")
        .push_bind(i64::from(filter.limit.unwrap_or(500)));
}
