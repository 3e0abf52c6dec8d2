//! The data of the lead's own events: intake, segment and owner, enrollment, follow-up status,
//! stage, and contacts.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::contact::{EmailAddress, PhoneNumber};
use crate::lead::{FieldError, SourceInput, Stage, VehicleInput};

/// `received`: a new lead arrived.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Received {
    /// Where it came from.
    pub source: SourceInput,
    /// When the customer asked.
    pub received_at: Timestamp,
    /// What intake repaired or could not use.
    pub warnings: Vec<FieldError>,
    /// The stored source document, when there is one.
    pub document_id: Option<i64>,
    /// The consent basis the lead's evidence gives a text to its first phone number from its
    /// dealership (`express_written`, `express`, `none`), when it has a phone: the report's
    /// coverage by source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<String>,
}

/// `segmented`: the lead's segment and the rule that chose it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segmented {
    /// The segment.
    pub segment: String,
    /// The rule that fired, or `fallback`.
    pub rule: String,
}

/// `owner_assigned`: who owns the lead now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnerAssigned {
    /// The owner's staff id.
    pub owner: String,
    /// The owner's name, when configured.
    pub name: Option<String>,
    /// The team the owner was chosen from (intake only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Why this owner.
    pub reason: String,
    /// The previous owner (reopening and reassignment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Who reassigned the lead (reassignment only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// `enrolled`: the cadence version the lead follows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Enrolled {
    /// The cadence's name.
    pub cadence: String,
    /// Its version hash.
    pub version: String,
    /// Its human label.
    pub label: Option<String>,
    /// The instant its day offsets count from.
    pub anchor_at: Timestamp,
}

/// `nurture_enrolled`: a "not now" customer moved to the nurture cadence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NurtureEnrolled {
    /// The nurture cadence.
    pub cadence: String,
    /// Why.
    pub reason: String,
}

/// `cadence_completed`: the cadence has no more steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CadenceCompleted {
    /// The cadence's name.
    pub cadence: String,
}

/// What a later inquiry said, as `inquiry_merged` and `inquiry_recorded` keep it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inquiry {
    /// Where it came from.
    pub source: SourceInput,
    /// When the customer asked.
    pub received_at: Timestamp,
    /// Its vehicles.
    pub vehicles: Vec<VehicleInput>,
    /// Its free text.
    pub comments: Option<String>,
    /// Whether the provider said it resent an earlier lead.
    pub resend: bool,
    /// What intake repaired or could not use.
    pub warnings: Vec<FieldError>,
    /// The stored source document, when there is one.
    pub document_id: Option<i64>,
}

/// `inquiry_merged`: a later inquiry merged into the lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InquiryMerged {
    /// Why it was merged here.
    pub reason: String,
    /// What it said.
    #[serde(flatten)]
    pub inquiry: Inquiry,
}

/// `inquiry_recorded`: a later inquiry kept on the lead without changing it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InquiryRecorded {
    /// Why it was only recorded.
    pub reason: String,
    /// Whether a person must check who it is (a task was created).
    pub check_person: bool,
    /// Who it names.
    pub customer: RecordedCustomer,
    /// What it said.
    #[serde(flatten)]
    pub inquiry: Inquiry,
}

/// The person a recorded inquiry names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedCustomer {
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// The whole name when the parts are not known.
    pub full_name: Option<String>,
    /// Usable phone numbers.
    pub phones: Vec<PhoneNumber>,
    /// Usable e-mail addresses.
    pub emails: Vec<EmailAddress>,
}

/// `follow_up_reopened`: a closed lead's follow-up started again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUpReopened {
    /// Why.
    pub reason: String,
}

/// `follow_up_paused`: automated follow-up is on hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUpPaused {
    /// Why.
    pub reason: String,
    /// Who paused it (`intake`, a staff id, ...).
    pub by: String,
    /// How many scheduled touches were held (not at intake, where none exist yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_touches: Option<u64>,
}

/// `follow_up_resumed`: automated follow-up goes on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUpResumed {
    /// Why.
    pub reason: String,
    /// Who resumed it.
    pub by: String,
    /// The held touches planned again.
    pub rescheduled: Vec<Rescheduled>,
}

/// A held touch planned again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rescheduled {
    /// The touch.
    pub touch_id: i64,
    /// Its new due time.
    pub due_at: Timestamp,
}

/// `follow_up_stopped`: automated follow-up ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUpStopped {
    /// Why.
    pub reason: String,
    /// Who stopped it.
    pub by: String,
    /// Whether the customer was marked opted out.
    pub opted_out: bool,
    /// How many waiting touches were cancelled.
    pub cancelled_touches: u64,
}

/// `stage_changed`: the lead's stage moved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageChanged {
    /// The stage before.
    pub from: Stage,
    /// The stage after.
    pub to: Stage,
    /// Who or what moved it.
    pub by: String,
    /// Why, when given.
    #[serde(default)]
    pub reason: Option<String>,
    /// When it happened, as reported (outcomes may be reported after the fact).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Timestamp>,
    /// How it was reported (`api`, `csv`, `reply`, a source kind, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// When keepwarm recorded it, when that differs from `at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_at: Option<Timestamp>,
}

/// `outcome_skipped`: an outcome was not applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeSkipped {
    /// Why.
    pub reason: String,
}

/// `contact_unusable`: a phone number or address cannot be used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactUnusable {
    /// `phone` or `email`.
    pub kind: String,
    /// The number or address.
    pub value: String,
    /// Why it cannot be used.
    pub reason: String,
}

/// `language_changed`: the customer's replies changed the language they are written to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LanguageChanged {
    /// The language they were written to (`en`).
    pub from: String,
    /// The language following touches and confirmations use (`es`).
    pub to: String,
    /// The reply it was read from.
    pub words: String,
}
