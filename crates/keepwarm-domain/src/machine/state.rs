//! What the machine knows about one lead when an event arrives: loaded by the driver in one read,
//! never written by the machine (it answers with changes instead).

use jiff::Timestamp;

use crate::appointment::{AppointmentKind, AppointmentStatus};
use crate::conversation::ConversationFacts;
use crate::lead::LeadInput;
use crate::{LeadId, LeadStatus, Stage};

/// A lead as the machine sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadState {
    /// The lead.
    pub id: LeadId,
    /// Its dealership's id.
    pub dealership: String,
    /// Its segment (which team's manager hears about it).
    pub segment: String,
    /// The rule that chose the segment.
    pub segment_rule: String,
    /// The customer's name for lists and alerts, if known.
    pub name: Option<String>,
    /// Its owner (a staff id).
    pub owner: String,
    /// The follow-up status.
    pub status: LeadStatus,
    /// The stage.
    pub stage: Stage,
    /// The customer opted out of everything.
    pub opted_out: bool,
    /// The first usable phone number (E.164), if any.
    pub phone: Option<String>,
    /// The first usable e-mail address, if any.
    pub email: Option<String>,
    /// Touches waiting on a pause.
    pub held_touches: Vec<HeldTouch>,
    /// Open tasks.
    pub tasks: Vec<OpenTask>,
    /// Unacknowledged (open or breached) escalations.
    pub escalations: Vec<OpenEscalation>,
    /// Whose turn it is in the conversation.
    pub conversation: ConversationFacts,
    /// The latest thing someone on staff did on the lead (a stage change, a resume, a stop, a new
    /// owner, a moved escalation, a completed task).
    pub last_staff_action_at: Option<Timestamp>,
    /// When the lead was received.
    pub received_at: Timestamp,
    /// The lead document (what the customer told us), for the words of messages and alerts.
    pub document: LeadInput,
    /// The language of the customer's comments on the lead, as the reply classifier reads them.
    pub comments_language: Option<String>,
    /// The lead's latest appointment, whatever its status.
    pub appointment: Option<Appointment>,
    /// The lead's follow-up is running an appointment cadence (reminders, which keep going while a
    /// person answers the customer).
    pub appointment_cadence: bool,
    /// What is known of the contact a customer's message came from (empty for other events).
    pub contact: ContactFacts,
    /// The latest messages of the conversation both ways (sent touches and the customer's
    /// messages), oldest first: what an escalation's context quotes.
    pub recent_messages: Vec<ConversationLine>,
    /// When a possible opt-out held the lead for a person's decision, if none was made since
    /// (loaded for that decision only).
    pub opt_out_hold: Option<Timestamp>,
    /// When automation on the lead was last held back for a person (`resume_held_back`), if ever
    /// (loaded for timers only).
    pub last_held_back_at: Option<Timestamp>,
}

impl LeadState {
    /// A lead with nothing open: active, new, owned by `owner` (the base of the case tables, and
    /// of drivers that fill in only what an event needs).
    pub fn new(id: LeadId, dealership: &str, segment: &str, owner: &str) -> Self {
        Self {
            id,
            dealership: dealership.to_owned(),
            segment: segment.to_owned(),
            segment_rule: String::new(),
            name: None,
            owner: owner.to_owned(),
            status: LeadStatus::Active,
            stage: Stage::New,
            opted_out: false,
            phone: None,
            email: None,
            held_touches: Vec::new(),
            tasks: Vec::new(),
            escalations: Vec::new(),
            conversation: ConversationFacts::default(),
            last_staff_action_at: None,
            received_at: Timestamp::UNIX_EPOCH,
            document: LeadInput::default(),
            comments_language: None,
            appointment: None,
            appointment_cadence: false,
            contact: ContactFacts::default(),
            recent_messages: Vec::new(),
            opt_out_hold: None,
            last_held_back_at: None,
        }
    }

    /// The name staff see in an alert: the customer's, or the lead's number.
    pub fn customer(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| format!("lead {}", self.id))
    }

    /// An escalation on the lead is still unacknowledged: a person owes the customer an answer,
    /// and automation must not talk over it (defect 2).
    pub fn escalation_open(&self) -> bool {
        self.conversation.open_escalation || !self.escalations.is_empty()
    }

    /// The unacknowledged escalation `id`, if it is one of this lead's.
    pub fn escalation(&self, id: i64) -> Option<&OpenEscalation> {
        self.escalations.iter().find(|e| e.id == id)
    }
}

/// A touch held by a pause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeldTouch {
    /// The touch.
    pub id: i64,
    /// When it was due before the pause.
    pub due_at: Timestamp,
}

/// An open task and whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenTask {
    /// The task.
    pub id: i64,
    /// Its owner.
    pub owner: String,
    /// Its kind (`call`, `reply`, `confirm_opt_out`, ...).
    pub kind: String,
}

/// An unacknowledged escalation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenEscalation {
    /// The escalation.
    pub id: i64,
    /// Who has it now.
    pub assignee: String,
    /// 0 owner, 1 manager, 2 next in the chain.
    pub level: i64,
    /// Staff told, in order.
    pub notified: Vec<String>,
    /// The reply's labels.
    pub intents: Vec<String>,
    /// What the customer wrote.
    pub reply: String,
    /// When it was opened.
    pub created_at: Timestamp,
    /// When it had to be acknowledged.
    pub sla_due_at: Timestamp,
    /// When its clock next moves it up the chain.
    pub next_deadline_at: Option<Timestamp>,
}

/// A lead's appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appointment {
    /// The appointment.
    pub id: i64,
    /// Sales or service.
    pub kind: AppointmentKind,
    /// Where it stands.
    pub status: AppointmentStatus,
    /// Start.
    pub starts_at: Timestamp,
    /// End.
    pub ends_at: Timestamp,
}

/// What the ledger and the other leads say about the phone number or address a message came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactFacts {
    /// Every lead with the contact (this one too), and whether each is already opted out.
    pub leads: Vec<(LeadId, bool)>,
    /// The consent ledger's revocations in force for the contact: `all`, or some of `sms`, `call`,
    /// `email`.
    pub revoked: Vec<String>,
}

/// One message of a lead's conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationLine {
    /// When.
    pub at: Timestamp,
    /// The customer wrote or called (else it was sent to them).
    pub inbound: bool,
    /// `sms`, `email`, `call`.
    pub channel: String,
    /// What was said.
    pub body: String,
}
