//! What the changes of [`super::Change`] carry: the events, tasks, escalations, revocations,
//! queued messages, enrollments and outcome records a decision asks the store to keep.
//!
//! Plain data with no IO types: the machine builds them, the store's interpreter writes them as
//! they are. Ids of rows that do not exist yet are assigned by the backend.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::appointment::{AppointmentKind, AppointmentStatus};
use crate::cadence::Channel;
use crate::{LeadId, Stage, TimelineEvent};

/// A timeline event to append. Serialized (in the outbound queue's `on_sent`/`on_failed`) as
/// `{"at", "kind", "data"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEvent {
    /// When it happened.
    pub at: Timestamp,
    /// What happened.
    #[serde(flatten)]
    pub event: TimelineEvent,
}

impl NewEvent {
    /// `event` at `at`.
    pub fn new(at: Timestamp, event: TimelineEvent) -> Self {
        Self { at, event }
    }
}

/// A touch to schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTouch {
    /// The step's index in the cadence.
    pub step_index: usize,
    /// Channel.
    pub channel: Channel,
    /// Message block.
    pub block: String,
    /// The cadence's target time.
    pub target_at: Timestamp,
    /// When it may go out (inside the contact window).
    pub due_at: Timestamp,
}

/// An enrollment to start.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEnrollment {
    /// Cadence name.
    pub cadence_name: String,
    /// Pinned version.
    pub cadence_version: String,
    /// What day offsets count from.
    pub anchor_at: Timestamp,
    /// The first touch, if it could be planned.
    pub first_touch: Option<NewTouch>,
}

/// A task for a person.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTask {
    /// Who must do it.
    pub owner_id: String,
    /// `call`, `fix_contact`, `reply`.
    pub kind: String,
    /// The touch it carries out, for call steps.
    pub touch_id: Option<i64>,
    /// When it is due.
    pub due_at: Timestamp,
    /// What to do, with the lead's context.
    pub body: String,
}

/// A later inquiry folded into a known lead: its document, the inquiry's time and the contacts
/// the lead did not have.
#[derive(Debug, Clone, PartialEq)]
pub struct InquiryMerge {
    /// The lead's document with the inquiry merged in (replaces the stored one).
    pub document: crate::lead::LeadInput,
    /// The inquiry's own time (the lead's latest inquiry becomes the later of the two).
    pub received_at: Timestamp,
    /// Phone numbers the lead did not have yet.
    pub new_phones: Vec<crate::PhoneNumber>,
    /// E-mail addresses the lead did not have yet.
    pub new_emails: Vec<crate::EmailAddress>,
}

/// Follow-up starting again on a known lead: the enrollment in force (if any) ends, the lead takes
/// the new segment, owner and status, and the new enrollment starts with its first touch.
#[derive(Debug, Clone, PartialEq)]
pub struct Reopening {
    /// The segment of the new inquiry.
    pub segment: String,
    /// The rule that chose it.
    pub segment_rule: String,
    /// The owner (a staff id).
    pub owner: String,
    /// The follow-up status (paused when the lead cannot be reached).
    pub status: crate::LeadStatus,
    /// Set the stage back to `new` (a sold or lost lead shopping again; its `stage_changed`
    /// event is in the same set).
    pub reset_stage: bool,
    /// Why the enrollment in force ends.
    pub end_reason: String,
    /// The new enrollment.
    pub enrollment: NewEnrollment,
}

/// A provider's report on a message or call it carried, for the touch it names (or that carries
/// its provider id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// The provider's id (MessageSid / CallSid).
    pub provider_id: String,
    /// The touch, when the report names it.
    pub touch: Option<i64>,
    /// The status word (queued, sent, delivered, undelivered, failed, ...).
    pub status: String,
    /// Its rank in the provider's ordering: a status is recorded only above the recorded one, so a
    /// late `sent` never overwrites `delivered`.
    pub rank: u8,
    /// The provider's error code, if any.
    pub error: Option<String>,
    /// When the report arrived.
    pub at: Timestamp,
}

/// A file attached to a queued message (calendar invites, HTML reports).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxAttachment {
    /// File name.
    pub filename: String,
    /// Media type.
    pub content_type: String,
    /// The file's text (attachments keepwarm makes are text: calendar invites, HTML reports).
    pub content: String,
}

/// A revocation of consent, for the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    /// E.164 number or lower-cased e-mail address.
    pub contact: String,
    /// The channels revoked: `all`, or some of `sms`, `call`, `email`.
    pub channels: Vec<String>,
    /// When.
    pub at: Timestamp,
    /// What the customer said.
    pub words: String,
    /// How it came (`sms reply`, `api`, `carrier error 21610`).
    pub via: String,
}

/// A new escalation.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEscalation {
    /// The lead.
    pub lead: LeadId,
    /// The reply's labels.
    pub intents: Vec<String>,
    /// Everything the person needs so the customer never repeats themselves.
    pub context: Value,
    /// When.
    pub at: Timestamp,
    /// When it must be acknowledged.
    pub sla_due_at: Timestamp,
    /// Who has it.
    pub assignee: String,
    /// Who was told, in order.
    pub notified: Vec<String>,
}

/// Why a queued message exists; says which rules the compliance gate applies to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboundPurpose {
    /// A hand-off or escalation alert to a staff member.
    StaffAlert,
    /// A lead going cold, a channel down: to a manager.
    ManagerAlert,
    /// The one confirmation a customer's opt-out gets (sent whatever the hour: the customer just
    /// wrote to us, and the law requires it promptly).
    OptOutConfirmation,
    /// The answer to a customer's HELP keyword (sent whatever the hour, like the opt-out
    /// confirmation: the customer just asked for it).
    HelpReply,
    /// The weekly audit e-mail.
    WeeklyReport,
    /// A person's own message to a customer, sent as the dealership (issue 13); consent is checked
    /// again when it is sent.
    StaffMessage,
    /// The one text a caller nobody answered gets from the store's number (issue 13); sent only
    /// when the gate let it through as an answer to the customer's own call.
    MissedCallText,
}

impl OutboundPurpose {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            OutboundPurpose::StaffAlert => "staff_alert",
            OutboundPurpose::ManagerAlert => "manager_alert",
            OutboundPurpose::OptOutConfirmation => "opt_out_confirmation",
            OutboundPurpose::HelpReply => "help_reply",
            OutboundPurpose::WeeklyReport => "weekly_report",
            OutboundPurpose::StaffMessage => "staff_message",
            OutboundPurpose::MissedCallText => "missed_call_text",
        }
    }
}

impl std::str::FromStr for OutboundPurpose {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "staff_alert" => OutboundPurpose::StaffAlert,
            "manager_alert" => OutboundPurpose::ManagerAlert,
            "opt_out_confirmation" => OutboundPurpose::OptOutConfirmation,
            "help_reply" => OutboundPurpose::HelpReply,
            "weekly_report" => OutboundPurpose::WeeklyReport,
            "staff_message" => OutboundPurpose::StaffMessage,
            "missed_call_text" => OutboundPurpose::MissedCallText,
            other => return Err(format!("unknown outbound purpose `{other}`")),
        })
    }
}

/// A message to queue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOutbound {
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
    /// The text. [`ESCALATION_ID`] in it is replaced by the id of the escalation opened in the same
    /// change set (an alert names the escalation to acknowledge before the backend has assigned it).
    pub body: String,
    /// Files attached to an e-mail.
    pub attachments: Vec<OutboxAttachment>,
    /// The dealership it is sent for.
    pub dealership: String,
    /// At most one message is ever queued per key (a week's report to one manager).
    pub dedupe_key: Option<String>,
    /// Recorded on the lead's timeline when the channel accepts it.
    pub on_sent: Option<Box<NewEvent>>,
    /// Recorded on the lead's timeline when the channel refuses it for good.
    pub on_failed: Option<Box<NewEvent>>,
    /// When it may be sent.
    pub due_at: Timestamp,
    /// A person's e-mail: their name and the Reply-To (`None` for the dealership's own messages).
    pub sender: Option<crate::staff_message::EmailSender>,
}

/// The placeholder for the escalation id in a queued alert (see [`NewOutbound::body`]).
pub const ESCALATION_ID: &str = "{escalation_id}";

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
#[derive(Debug, Clone, PartialEq)]
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
    /// A cadence to start, in the follow-up status `status`.
    pub enrollment: Option<NewEnrollment>,
    /// The follow-up status the lead takes (its stop reason cleared), and its new enrollment with
    /// it: `active` for a cadence the outcome starts. Given with every `enrollment`; `None` leaves
    /// the status to `stop`.
    pub status: Option<crate::LeadStatus>,
    /// Timers to set: `(kind, due)`.
    pub timers: Vec<(String, Timestamp)>,
    /// More events for the timeline.
    pub events: Vec<NewEvent>,
    /// Tasks for people (call a customer who missed their appointment).
    pub tasks: Vec<NewTask>,
}

/// Closes a lead's open work (its unacknowledged escalations and open tasks) because the lead is
/// over: see [`super::Change::Outcome`].
#[derive(Debug, Clone, PartialEq)]
pub struct WorkClosing {
    /// Why (`lead lost: bought elsewhere`); kept on each escalation and task and in their events.
    pub reason: String,
    /// Who closed it (the outcome's recorder).
    pub by: String,
    /// When.
    pub at: Timestamp,
}

/// A change to an escalation, applied only if it is still unacknowledged.
#[derive(Debug, Clone, PartialEq)]
pub enum EscalationChange {
    /// The deadline passed: next level, newly told staff, the next deadline (if any). Applied only
    /// while the escalation's deadline is still `deadline` (the one the worker saw due), so of two
    /// workers that both saw it due exactly one moves it and tells anyone.
    Escalate {
        /// The deadline this answers.
        deadline: Option<Timestamp>,
        /// The new level.
        level: i64,
        /// Who was told now.
        told: String,
        /// When the clock next escalates.
        next_deadline: Option<Timestamp>,
        /// When.
        at: Timestamp,
    },
    /// Someone took it.
    Acknowledge {
        /// Who.
        by: String,
        /// When.
        at: Timestamp,
    },
    /// Handed to someone else (who was told).
    Reassign {
        /// The new assignee.
        to: String,
        /// When.
        at: Timestamp,
    },
}

/// A contact a provider refused: it cannot receive this kind of message.
#[derive(Debug, Clone, PartialEq)]
pub struct RefusedContact {
    /// `phone` or `email`.
    pub kind: String,
    /// The E.164 number or the address, as stored.
    pub value: String,
    /// Why (`Twilio 21614: not a mobile number`).
    pub reason: String,
    /// When.
    pub at: Timestamp,
}
