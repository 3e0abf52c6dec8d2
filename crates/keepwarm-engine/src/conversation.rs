//! People in the conversation (issue 13): a customer's message that needs a person puts the lead in
//! its owner's "waiting on us" queue with a response-time clock, and people write internal notes.
//!
//! Waiting is recorded as a `customer_waiting` event in the reply's own change set (the lead state
//! machine decides it, `keepwarm_domain::machine`); a person's
//! message to the customer answers it (the read model compares the two). Hot messages are due
//! within the escalation SLA of their labels; the others within `waiting_sla_minutes` counted
//! inside the segment's business hours ([`keepwarm_domain::thread::answer_due`]).

use keepwarm_domain::timeline::NoteAdded;
use keepwarm_domain::{LeadId, TimelineEvent};
use keepwarm_store::{Change, NewEvent};

use crate::{Engine, EngineError, Result};

/// Longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;

impl Engine {
    /// Writes person `by`'s internal note on a lead: on its timeline and in its thread, never sent.
    pub async fn add_note(&self, id: LeadId, body: &str, by: &str) -> Result<NoteAdded> {
        self.existing(id).await?;
        let staff = self
            .config()
            .staff_member(by)
            .ok_or_else(|| EngineError::field("by", format!("unknown staff member `{by}`")))?;
        let body = body.trim();
        if body.is_empty() {
            return Err(EngineError::field("body", "must not be empty"));
        }
        if body.chars().count() > MAX_NOTE_CHARS {
            return Err(EngineError::field(
                "body",
                format!("longer than {MAX_NOTE_CHARS} characters"),
            ));
        }
        let note = NoteAdded {
            by: staff.id.clone(),
            name: staff.name.clone(),
            body: body.to_owned(),
        };
        let event = NewEvent::new(self.now(), TimelineEvent::NoteAdded(note.clone()));
        self.apply_changes(id, vec![Change::Events(vec![event])])
            .await?;
        Ok(note)
    }
}
