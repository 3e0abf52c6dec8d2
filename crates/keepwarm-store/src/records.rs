//! The records that cross the store boundary: `New*` structs to insert, bare nouns for rows read
//! back, and the changes the engine asks for.

use jiff::Timestamp;
use keepwarm_domain::cadence::Channel;
use keepwarm_domain::lead::UnusableContact;
use keepwarm_domain::{EmailAddress, LeadId, LeadStatus, PhoneNumber, SourceKind, Stage};

pub use keepwarm_domain::machine::{
    DeliveryRecord, EscalationChange, NewEnrollment, NewEscalation, NewEvent, NewTask, NewTouch,
    OutboxAttachment, RefusedContact, Revocation,
};
use serde::Serialize;
use serde_json::Value;

/// A cadence version to keep.
#[derive(Debug, Clone)]
pub struct NewCadenceVersion {
    /// Cadence name.
    pub name: String,
    /// Version hash.
    pub version: String,
    /// Human label.
    pub label: Option<String>,
    /// The snapshot as JSON.
    pub snapshot: String,
    /// When it was first kept.
    pub at: Timestamp,
}

/// A new lead, complete with everything that happens on arrival.
#[derive(Debug, Clone)]
pub struct NewLeadRecord {
    /// Dealership id.
    pub dealership: String,
    /// When the inquiry was made.
    pub received_at: Timestamp,
    /// When keepwarm stored it.
    pub created_at: Timestamp,
    /// Source kind.
    pub source_kind: SourceKind,
    /// Lead provider.
    pub provider: Option<String>,
    /// The provider's id.
    pub provider_lead_id: Option<String>,
    /// The customer's name for lists.
    pub display_name: Option<String>,
    /// The normalized lead document.
    pub payload: Value,
    /// Usable phones.
    pub phones: Vec<PhoneNumber>,
    /// Usable e-mail addresses.
    pub emails: Vec<EmailAddress>,
    /// Contact points that cannot be used.
    pub unusable: Vec<UnusableContact>,
    /// Segment.
    pub segment: String,
    /// The rule that chose it.
    pub segment_rule: String,
    /// Owner staff id.
    pub owner_id: String,
    /// Initial follow-up status.
    pub status: LeadStatus,
    /// Events on arrival, in order.
    pub events: Vec<NewEvent>,
    /// The enrollment, if any.
    pub enrollment: Option<NewEnrollment>,
    /// Tasks on arrival.
    pub tasks: Vec<NewTask>,
    /// The raw inbound document it came from, if stored.
    pub document_id: Option<i64>,
}

/// Ids of a stored lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreatedLead {
    /// The lead.
    pub id: LeadId,
    /// Its enrollment.
    pub enrollment_id: Option<i64>,
    /// Its first touch.
    pub touch_id: Option<i64>,
}

/// What became of one new lead given to [`crate::ChangeSets::create_leads`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadCreation {
    /// Stored.
    Created(CreatedLead),
    /// Not stored: a lead of the same dealership already has one of its usable phones or e-mail
    /// addresses (stored by another process since the caller looked, or earlier in the same call),
    /// so the inquiry belongs to that lead.
    Matched(LeadId),
}

/// A contact point of a lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ContactRow {
    /// `phone` or `email`.
    pub kind: String,
    /// E.164 number, address, or the raw text when unusable.
    pub value: String,
    /// Whether messages can go to it.
    pub usable: bool,
    /// Why not, when unusable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// An enrollment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnrollmentRow {
    /// Id.
    pub id: i64,
    /// Cadence name.
    pub cadence_name: String,
    /// Pinned version.
    pub cadence_version: String,
    /// What day offsets count from.
    pub anchor_at: Timestamp,
    /// Status.
    pub status: LeadStatus,
    /// When it started.
    pub started_at: Timestamp,
    /// When it ended.
    pub ended_at: Option<Timestamp>,
    /// Why it ended.
    pub end_reason: Option<String>,
}

/// A lead as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadRow {
    /// Id.
    pub id: LeadId,
    /// Dealership.
    pub dealership: String,
    /// When the inquiry was made.
    pub received_at: Timestamp,
    /// When it was stored.
    pub created_at: Timestamp,
    /// Source kind.
    pub source_kind: SourceKind,
    /// Provider.
    pub provider: Option<String>,
    /// Provider's id.
    pub provider_lead_id: Option<String>,
    /// Name for lists.
    pub display_name: Option<String>,
    /// The normalized lead document.
    pub payload: Value,
    /// Segment.
    pub segment: String,
    /// The rule that chose it.
    pub segment_rule: String,
    /// Owner.
    pub owner_id: String,
    /// Stage.
    pub stage: Stage,
    /// Follow-up status.
    pub status: LeadStatus,
    /// Why follow-up stopped.
    pub stop_reason: Option<String>,
    /// Opted out of everything.
    pub opted_out: bool,
    /// Contact points.
    pub contacts: Vec<ContactRow>,
    /// The latest enrollment.
    pub enrollment: Option<EnrollmentRow>,
}

impl LeadRow {
    /// The first usable phone number.
    pub fn phone(&self) -> Option<PhoneNumber> {
        self.contacts
            .iter()
            .filter(|c| c.usable && c.kind == "phone")
            .find_map(|c| PhoneNumber::from_stored(&c.value))
    }

    /// The first usable e-mail address.
    pub fn email(&self) -> Option<EmailAddress> {
        self.contacts
            .iter()
            .filter(|c| c.usable && c.kind == "email")
            .find_map(|c| EmailAddress::parse(&c.value).ok())
    }
}

/// Which leads to list.
#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    /// Only this owner's.
    pub owner: Option<String>,
    /// Only this segment.
    pub segment: Option<String>,
    /// Only this status.
    pub status: Option<LeadStatus>,
    /// At most this many (default 100, at most 1001: a page of 1000 and one to tell whether more
    /// follow).
    pub limit: Option<u32>,
    /// Only leads listed after this lead id (newest first: smaller ids), for paging.
    pub after: Option<i64>,
}

/// A touch as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TouchRow {
    /// Id.
    pub id: i64,
    /// Enrollment.
    pub enrollment_id: i64,
    /// Lead.
    pub lead_id: LeadId,
    /// Step index.
    pub step_index: usize,
    /// Channel.
    pub channel: Channel,
    /// Block.
    pub block: String,
    /// Cadence target.
    pub target_at: Timestamp,
    /// Due time.
    pub due_at: Timestamp,
    /// State: scheduled, sending, sent, failed, skipped, held, cancelled.
    pub state: String,
    /// When a dispatcher claimed it (set while `sending`): reconciliation looks for provider
    /// records from this instant on.
    pub claimed_at: Option<Timestamp>,
    /// What it said, once sent.
    pub body: Option<String>,
}

/// A claimed touch and what dispatch needs to know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedTouch {
    /// The touch.
    pub touch: TouchRow,
    /// Its lead, as it is now.
    pub lead: LeadRow,
    /// Variants of this touch's block the lead already received.
    pub used_variants: Vec<usize>,
}

/// How a dispatched touch ended.
#[derive(Debug, Clone, PartialEq)]
pub enum TouchResult {
    /// Handed to the channel.
    Sent {
        /// The variant used (unknown when the send was recovered after a crash).
        variant: Option<usize>,
        /// Where it went.
        recipient: String,
        /// What it said.
        body: String,
        /// The provider's id for it (Twilio's MessageSid or CallSid), for delivery callbacks.
        provider_id: Option<String>,
    },
    /// The address cannot receive this channel: the same step goes again at `due` on `channel`,
    /// the next channel the lead can receive.
    Reroute {
        /// The channel it moves to.
        channel: Channel,
        /// Why.
        reason: String,
        /// When it goes.
        due: Timestamp,
    },
    /// Passed over; the cadence goes on.
    Skipped {
        /// Why.
        reason: String,
    },
    /// Waiting on a pause.
    Held,
    /// The channel refused it.
    Failed {
        /// Why.
        reason: String,
    },
    /// The channel could not take it now: back to `scheduled` at `due`, never skipped.
    Retry {
        /// Why.
        reason: String,
        /// When to try again.
        due: Timestamp,
    },
    /// Not sent, and the enrollment ends with the lead's follow-up in `status`.
    Ended {
        /// The lead's follow-up status.
        status: LeadStatus,
        /// Why.
        reason: String,
    },
}

/// The result of one dispatched touch and what follows it.
#[derive(Debug, Clone, PartialEq)]
pub struct TouchOutcome {
    /// The touch.
    pub touch_id: i64,
    /// Its lead.
    pub lead_id: LeadId,
    /// Its enrollment.
    pub enrollment_id: i64,
    /// When it finished.
    pub at: Timestamp,
    /// How.
    pub result: TouchResult,
    /// The next touch to schedule. A step the enrollment already has a touch for is not planned
    /// again (a deferred touch planned the step after it beside itself, on another channel): the
    /// store leaves it out, with its `touch_scheduled` event.
    pub next: Option<NewTouch>,
    /// Whether the cadence is complete. The enrollment (and lead) is marked complete only once none
    /// of its touches is still scheduled, held or sending; an outcome whose `next` already existed
    /// completes it the same way when it was the last one live.
    pub complete: bool,
    /// Events to append (the store adds `touch_scheduled` for `next` itself).
    pub events: Vec<NewEvent>,
    /// Tasks to create (a call step's task).
    pub tasks: Vec<NewTask>,
}

/// A task as stored: the same as its view ([`crate::views::TaskView`]), since nothing about a task
/// is internal to the store.
pub type TaskRow = crate::views::TaskView;

/// What recording a delivery report did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryApplied {
    /// Recorded; the touch's lead.
    Recorded(LeadId),
    /// The same or a later status was already recorded: nothing changed.
    Stale,
    /// No touch carries this provider id.
    Unknown,
}

/// A raw inbound document to keep.
#[derive(Debug, Clone)]
pub struct NewDocument {
    /// When it arrived.
    pub received_at: Timestamp,
    /// How it came in (`api_adf`, `email`, `cli_csv`, ...).
    pub channel: String,
    /// Its declared content type.
    pub content_type: Option<String>,
    /// The bytes as received.
    pub body: Vec<u8>,
}

/// A stored inbound document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DocumentRow {
    /// Id.
    pub id: i64,
    /// When it arrived.
    pub received_at: Timestamp,
    /// How it came in.
    pub channel: String,
    /// Declared content type.
    pub content_type: Option<String>,
    /// SHA-256 of the body, hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: i64,
    /// `received`, `parsed`, `partial`, `failed` or `unrecognized`.
    pub status: String,
    /// Errors or warnings.
    pub detail: Option<String>,
    /// Leads it produced or merged into.
    pub lead_ids: Vec<i64>,
}

/// How a document's parse went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentResult {
    /// The document.
    pub id: i64,
    /// `parsed`, `partial`, `failed` or `unrecognized`.
    pub status: String,
    /// Errors or warnings.
    pub detail: Option<String>,
    /// The leads it produced or merged into.
    pub leads: Vec<LeadId>,
}

/// An escalation as stored: the same as its view ([`crate::views::EscalationView`]), since
/// nothing about an escalation is internal to the store.
pub type EscalationRow = crate::views::EscalationView;

/// A follow-up timer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimerRow {
    /// Id.
    pub id: i64,
    /// The lead.
    pub lead_id: LeadId,
    /// `resume_after_silence`, `nurture` or `going_cold`.
    pub kind: String,
    /// When it fires.
    pub due_at: Timestamp,
    /// When it was set.
    pub created_at: Timestamp,
}

/// A kept cadence version and how it was used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CadenceVersionRow {
    /// Version hash.
    pub version: String,
    /// Human label.
    pub label: Option<String>,
    /// The snapshot JSON.
    pub snapshot: Value,
    /// When it was first kept.
    pub kept_at: Timestamp,
    /// First enrollment on it.
    pub first_enrolled_at: Option<Timestamp>,
    /// Latest enrollment on it.
    pub last_enrolled_at: Option<Timestamp>,
    /// Enrollments on it.
    pub enrollments: i64,
}

/// The weekly audit's facts for one dealership: leads active in the week or its baseline weeks,
/// and the week's touches and escalations.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AuditActivity {
    /// Leads with timeline activity in the range, by id.
    pub leads: Vec<keepwarm_domain::audit::AuditLead>,
    /// Touches due or finished in the week, of leads active in it, by id.
    pub touches: Vec<keepwarm_domain::audit::AuditTouch>,
    /// Escalations raised in the week, by id.
    pub escalations: Vec<keepwarm_domain::audit::AuditEscalation>,
}
