//! A lead's timeline as readers see it: each entry a typed [`TimelineEvent`], serialized in the
//! API's documented shape.

use jiff::Timestamp;
use keepwarm_domain::{LeadId, TimelineEvent};
use serde::Serialize;
use serde_json::Value;

/// One entry of a lead's timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEntry {
    /// Id (the timeline's order).
    pub id: i64,
    /// The lead.
    pub lead_id: LeadId,
    /// When.
    pub at: Timestamp,
    /// What, with its details.
    pub event: TimelineEvent,
}

/// The shape [`TimelineEntry`]'s `Serialize` writes, for the API's description (still named
/// `EventRow` there: the documented shape did not change).
#[derive(utoipa::ToSchema)]
#[schema(as = EventRow)]
#[allow(dead_code, reason = "only its schema is used")]
struct TimelineEntryShape {
    /// Id (the timeline's order).
    id: i64,
    /// The lead.
    lead_id: i64,
    /// When.
    at: Timestamp,
    /// What happened (`lead_received`, `touch_sent`, `reply_received`, ...).
    kind: String,
    /// The event's details; their keys depend on `kind`.
    data: Value,
}

impl utoipa::PartialSchema for TimelineEntry {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        TimelineEntryShape::schema()
    }
}

impl utoipa::ToSchema for TimelineEntry {
    fn name() -> std::borrow::Cow<'static, str> {
        TimelineEntryShape::name()
    }
}

/// `{"id", "lead_id", "at", "kind", "data"}`, the data's keys in the order they are stored (sorted),
/// so the API serves an entry byte for byte as it always did.
impl Serialize for TimelineEntry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut row = s.serialize_struct("EventRow", 5)?;
        row.serialize_field("id", &self.id)?;
        row.serialize_field("lead_id", &self.lead_id)?;
        row.serialize_field("at", &self.at)?;
        row.serialize_field("kind", self.event.kind())?;
        row.serialize_field("data", &self.event.data())?;
        row.end()
    }
}
