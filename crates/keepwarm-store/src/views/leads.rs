//! The lead as readers see it: [`LeadView`], in the shape `GET /api/v1/leads/{id}` serves.

use jiff::Timestamp;
use keepwarm_domain::access::LeadScope;
use keepwarm_domain::{LeadId, LeadStatus, SourceKind, Stage};
use serde::Serialize;
use serde_json::Value;

use super::AppointmentView;
use crate::records::{ContactRow, EnrollmentRow, LeadRow};

/// A lead, for reading: who, where from, whose, where it stands, its cadence and (in single-lead
/// answers) its latest appointment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadView {
    /// Id.
    pub id: LeadId,
    /// Dealership.
    pub dealership: String,
    /// When the inquiry was made.
    pub received_at: Timestamp,
    /// When keepwarm stored it.
    pub created_at: Timestamp,
    /// Where it came from.
    pub source: SourceView,
    /// The customer's name for lists.
    pub name: Option<String>,
    /// Contact points, usable or not.
    pub contacts: Vec<ContactRow>,
    /// Segment.
    pub segment: String,
    /// The rule that chose it.
    pub segment_rule: String,
    /// Whose lead it is.
    pub owner: OwnerView,
    /// Stage.
    pub stage: Stage,
    /// Follow-up status.
    pub status: LeadStatus,
    /// Why follow-up stopped.
    pub stop_reason: Option<String>,
    /// Opted out of everything.
    pub opted_out: bool,
    /// The latest enrollment.
    pub cadence: Option<CadenceView>,
    /// The latest appointment (in single-lead answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appointment: Option<AppointmentView>,
    /// The normalized lead document.
    pub lead: Value,
}

/// Where a lead came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceView {
    /// Source kind.
    pub kind: SourceKind,
    /// Lead provider.
    pub provider: Option<String>,
    /// The provider's id.
    pub provider_lead_id: Option<String>,
}

/// A lead's owner: the staff id, and their name when the reader resolved it
/// ([`LeadView::name_owner`]; the store does not hold staff names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnerView {
    /// Staff id.
    pub id: String,
    /// Name.
    pub name: Option<String>,
}

/// A lead's cadence enrollment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CadenceView {
    /// Cadence name.
    pub name: String,
    /// Pinned version.
    pub version: String,
    /// Status.
    pub status: LeadStatus,
    /// When it started.
    pub started_at: Timestamp,
    /// When it ended.
    pub ended_at: Option<Timestamp>,
}

impl LeadView {
    /// Names the owner with `name` (the staff directory's name for the owner's id, if any).
    pub fn name_owner(mut self, name: impl FnOnce(&str) -> Option<String>) -> Self {
        self.owner.name = name(&self.owner.id);
        self
    }

    /// Adds the lead's latest appointment.
    pub fn with_appointment(mut self, appointment: Option<AppointmentView>) -> Self {
        self.appointment = appointment;
        self
    }

    /// What decides who may see the lead.
    pub fn scope(&self) -> LeadScope<'_> {
        LeadScope {
            owner: &self.owner.id,
            segment: &self.segment,
        }
    }
}

impl LeadRow {
    /// What decides who may see the lead.
    pub fn scope(&self) -> LeadScope<'_> {
        LeadScope {
            owner: &self.owner_id,
            segment: &self.segment,
        }
    }
}

impl From<EnrollmentRow> for CadenceView {
    fn from(e: EnrollmentRow) -> Self {
        Self {
            name: e.cadence_name,
            version: e.cadence_version,
            status: e.status,
            started_at: e.started_at,
            ended_at: e.ended_at,
        }
    }
}

impl From<LeadRow> for LeadView {
    fn from(lead: LeadRow) -> Self {
        Self {
            id: lead.id,
            dealership: lead.dealership,
            received_at: lead.received_at,
            created_at: lead.created_at,
            source: SourceView {
                kind: lead.source_kind,
                provider: lead.provider,
                provider_lead_id: lead.provider_lead_id,
            },
            name: lead.display_name,
            contacts: lead.contacts,
            segment: lead.segment,
            segment_rule: lead.segment_rule,
            owner: OwnerView {
                id: lead.owner_id,
                name: None,
            },
            stage: lead.stage,
            status: lead.status,
            stop_reason: lead.stop_reason,
            opted_out: lead.opted_out,
            cadence: lead.enrollment.map(CadenceView::from),
            appointment: None,
            lead: lead.payload,
        }
    }
}
