//! What the read model returns: views built for readers (the API, the CLI, the coming web pages),
//! not database rows.
//!
//! A view carries what a reader shows and nothing the store keeps for itself (leases, claim times,
//! dedupe keys, idempotency keys): statuses as typed enums ([`TaskStatus`], [`EscalationStatus`],
//! [`OutboundState`]), instants as [`jiff::Timestamp`] (ready to be shown in any zone), ids as
//! typed ids where the domain has them. Each view serializes exactly as the API has always
//! answered, so a route returns it as it is.
//!
//! Rows become views in one place, here: `From` where the row is already typed, `TryFrom` where a
//! stored word must be read ([`crate::StoreError::Corrupt`] when it is not one this version
//! knows). The backends build their rows and call these; the server converts the rows the engine
//! hands back after an action the same way. Nothing here does IO or decides anything.

mod leads;
mod status;
mod timeline;
mod work;

pub use leads::{CadenceView, LeadView, OwnerView, SourceView};
pub use status::{EscalationStatus, OutboundState, TaskStatus};
pub use timeline::TimelineEntry;
pub use work::{AppointmentView, EscalationView, OutboundView, TaskView};
