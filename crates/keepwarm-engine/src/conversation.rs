//! People in the conversation (issue 13): a customer's message that needs a person puts the lead in
//! its owner's "waiting on us" queue with a response-time clock, and people write internal notes.
//!
//! Waiting is recorded as a `customer_waiting` event in the reply's own change set; a person's
//! message to the customer answers it (the read model compares the two). Hot messages are due
//! within the escalation SLA of their labels; the others within `waiting_sla_minutes` counted
//! inside the segment's business hours ([`keepwarm_domain::thread::answer_due`]).

use jiff::Timestamp;
use keepwarm_classify::Classification;
use keepwarm_domain::thread::answer_due;
use keepwarm_domain::timeline::{CustomerWaiting, NoteAdded};
use keepwarm_domain::{LeadId, TimelineEvent};
use keepwarm_store::{Change, LeadRow, NewEvent};

use crate::{Engine, EngineError, Result};

/// Longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;

impl Engine {
    /// The change that puts `lead` in its owner's waiting queue for a customer's message received at
    /// `now`; nothing when `needs_answer` is false (an opt-out, a plain confirmation, a closing).
    pub(crate) fn plan_waiting(
        &self,
        lead: &LeadRow,
        classification: Option<&Classification>,
        needs_answer: bool,
        now: Timestamp,
    ) -> Option<Change> {
        if !needs_answer {
            return None;
        }
        let config = self.config();
        let hot = classification.filter(|c| c.escalates());
        let hot_minutes = hot.map(|c| {
            config
                .escalation
                .ack_minutes_for(c.intents.iter().map(|i| i.as_str()))
        });
        let department = config
            .segment(&lead.segment)
            .map_or("sales", |s| s.hours.as_str());
        let hours = config
            .dealership(Some(&lead.dealership))
            .map(|d| d.business_hours(department))
            .unwrap_or_else(|| {
                keepwarm_domain::window::ZoneHours::new(
                    jiff::tz::TimeZone::UTC,
                    keepwarm_domain::hours::WeeklyHours::always(),
                )
            });
        let due = answer_due(
            now,
            hot_minutes,
            config.conversations.waiting_sla_minutes,
            &hours,
        );
        Some(Change::Events(vec![NewEvent::new(
            now,
            TimelineEvent::CustomerWaiting(CustomerWaiting {
                owner: lead.owner_id.clone(),
                sla_due_at: due,
                hot: hot.is_some(),
            }),
        )]))
    }

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
