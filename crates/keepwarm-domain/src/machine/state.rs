//! What the machine knows about one lead when an event arrives: loaded by the driver in one read,
//! never written by the machine (it answers with changes instead).

use jiff::Timestamp;

use crate::conversation::ConversationFacts;
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
}

impl LeadState {
    /// A lead with nothing open: active, new, owned by `owner` (the base of the case tables, and
    /// of drivers that fill in only what an event needs).
    pub fn new(id: LeadId, dealership: &str, segment: &str, owner: &str) -> Self {
        Self {
            id,
            dealership: dealership.to_owned(),
            segment: segment.to_owned(),
            name: None,
            owner: owner.to_owned(),
            status: LeadStatus::Active,
            stage: Stage::New,
            opted_out: false,
            phone: None,
            held_touches: Vec::new(),
            tasks: Vec::new(),
            escalations: Vec::new(),
            conversation: ConversationFacts::default(),
            last_staff_action_at: None,
        }
    }

    /// The name staff see in an alert: the customer's, or the lead's number.
    pub fn customer(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| format!("lead {}", self.id))
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
