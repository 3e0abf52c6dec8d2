//! The driver of the lead state machine ([`keepwarm_domain::machine`]): load the lead's state in
//! one read, step, apply the changes in one transaction. Nothing here decides what an event does;
//! it only gathers what the machine needs and carries its answer to the store.

use keepwarm_domain::lead::LeadInput;
use keepwarm_domain::machine::{
    step, Appointment, ChangeSet, ContactFacts, ConversationLine, Event, HeldTouch, LeadState,
    OpenEscalation, OpenTask, Refusal, Rules, RECENT_MESSAGES,
};
use keepwarm_domain::window::ContactWindow;
use keepwarm_domain::{LeadId, LeadStatus, TimelineEvent};
use keepwarm_store::{Applied, LeadRow, StoreError};

use crate::context::{comments_language, window_for, zones_for};
use crate::outcomes::is_appointment_cadence;
use crate::{Engine, EngineError, Result};

/// Events that mean someone on staff did something on the lead (what a `going_cold` timer waits
/// for).
const STAFF_ACTED: &[&str] = &[
    TimelineEvent::STAGE_CHANGED,
    TimelineEvent::FOLLOW_UP_RESUMED,
    TimelineEvent::FOLLOW_UP_STOPPED,
    TimelineEvent::OWNER_ASSIGNED,
    TimelineEvent::ESCALATION_REASSIGNED,
    TimelineEvent::TASK_COMPLETED,
];

impl Engine {
    /// What the machine knows of `lead`: its row, held touches, open work, conversation, its
    /// appointment.
    pub(crate) async fn lead_state(&self, lead: &LeadRow) -> Result<LeadState> {
        let store = self.store();
        let work = store.open_work(lead.id).await?;
        let mut escalations = Vec::with_capacity(work.escalations.len());
        for (id, _) in &work.escalations {
            if let Some(e) = store.escalation(*id).await? {
                escalations.push(OpenEscalation {
                    id: e.id,
                    assignee: e.owner,
                    level: e.level,
                    notified: e.notified,
                    intents: e.intents,
                    reply: e.context["reply"].as_str().unwrap_or_default().to_owned(),
                    created_at: e.created_at,
                    sla_due_at: e.sla_due_at,
                    next_deadline_at: e.next_deadline_at,
                });
            }
        }
        Ok(LeadState {
            id: lead.id,
            dealership: lead.dealership.clone(),
            segment: lead.segment.clone(),
            segment_rule: lead.segment_rule.clone(),
            name: lead.display_name.clone(),
            owner: lead.owner_id.clone(),
            status: lead.status,
            stage: lead.stage,
            opted_out: lead.opted_out,
            phone: lead.phone().map(|p| p.as_str().to_owned()),
            email: lead.email().map(|e| e.as_str().to_owned()),
            held_touches: store
                .held_touches(lead.id)
                .await?
                .into_iter()
                .map(|t| HeldTouch {
                    id: t.id,
                    due_at: t.due_at,
                })
                .collect(),
            tasks: work
                .tasks
                .into_iter()
                .map(|(id, owner, kind)| OpenTask { id, owner, kind })
                .collect(),
            escalations,
            conversation: store.conversation_facts(lead.id).await?,
            last_staff_action_at: store.last_event_at(lead.id, STAFF_ACTED).await?,
            received_at: lead.received_at,
            document: serde_json::from_value(lead.payload.clone()).unwrap_or_default(),
            comments_language: None,
            appointment: store
                .latest_appointment(lead.id)
                .await?
                .map(|a| Appointment {
                    id: a.id,
                    kind: a.kind,
                    status: a.status,
                    starts_at: a.starts_at,
                    ends_at: a.ends_at,
                }),
            appointment_cadence: false,
            contact: ContactFacts::default(),
            recent_messages: Vec::new(),
            opt_out_hold: None,
            last_held_back_at: None,
        })
    }

    /// [`Engine::lead_state`] with what a customer's message from `contact` (an E.164 number or an
    /// address) needs besides: the ledger and the other leads for the contact, the conversation so
    /// far, the language of the customer's comments, whether reminders are running.
    pub(crate) async fn reply_state(&self, lead: &LeadRow, contact: &str) -> Result<LeadState> {
        let store = self.store();
        let mut state = self.lead_state(lead).await?;
        state.comments_language =
            comments_language(&state.document, &self.classifier).map(str::to_owned);
        state.appointment_cadence = match &lead.enrollment {
            Some(e) if e.status == LeadStatus::Active => {
                is_appointment_cadence(&*self.snapshot(&e.cadence_name, &e.cadence_version).await?)
            }
            _ => false,
        };
        state.contact = self.contact_facts(contact).await?;
        state.recent_messages = store
            .recent_conversation(lead.id, RECENT_MESSAGES as u32)
            .await?
            .into_iter()
            .map(|m| ConversationLine {
                at: m.at,
                inbound: m.direction == "inbound",
                channel: m.channel,
                body: m.body,
            })
            .collect();
        Ok(state)
    }

    /// What the ledger and the other leads say about `contact` (an E.164 number or an address):
    /// every lead with the number and whether each is opted out, the revocations in force.
    pub(crate) async fn contact_facts(&self, contact: &str) -> Result<ContactFacts> {
        let store = self.store();
        let mut leads = Vec::new();
        if let Ok(phone) = keepwarm_domain::PhoneNumber::parse(contact, "US") {
            for id in store.leads_with_phone(&phone).await? {
                if let Some(row) = store.lead(id).await? {
                    leads.push((row.id, row.opted_out));
                }
            }
        }
        Ok(ContactFacts {
            leads,
            revoked: store
                .revoked_channels(&[contact.to_owned()])
                .await?
                .remove(contact)
                .unwrap_or_default(),
        })
    }

    /// The lead's contact window, or `None` when its dealership is no longer configured.
    pub(crate) fn lead_window(&self, lead: &LeadRow) -> Option<ContactWindow> {
        let config = self.config();
        let dealership = config.dealership(Some(&lead.dealership))?;
        let input: LeadInput = serde_json::from_value(lead.payload.clone()).unwrap_or_default();
        let (zones, _) = zones_for(lead.phone().as_ref(), &input, dealership);
        Some(window_for(config, &zones, dealership, &lead.segment))
    }

    /// Steps `lead` through `event` and applies what it decided, whole, in one transaction.
    /// Returns `None` when the event had nothing left to do.
    pub(crate) async fn drive(&self, lead: &LeadRow, event: Event) -> Result<Option<Applied>> {
        let state = self.lead_state(lead).await?;
        self.drive_state(lead, &state, event).await
    }

    /// [`Engine::drive`] from a state already loaded.
    pub(crate) async fn drive_state(
        &self,
        lead: &LeadRow,
        state: &LeadState,
        event: Event,
    ) -> Result<Option<Applied>> {
        let window = self.lead_window(lead);
        let rules = Rules {
            config: self.config(),
            window: window.as_ref(),
            cadences: &self.current,
        };
        let now = self.now();
        // A person's action on the lead is told which lead moved.
        let named = matches!(event, Event::Reassign { .. } | Event::Outcome(_));
        let changes = step(state, &event, &rules, now).map_err(|r| refused(lead, r))?;
        if changes.is_empty() {
            return Ok(None);
        }
        let set = ChangeSet {
            lead: lead.id,
            at: now,
            idempotency_key: event.idempotency_key().map(str::to_owned),
            changes,
        };
        match self.store().apply(&set).await {
            Ok(applied) => Ok(Some(applied)),
            // The lead moved between the read and the write (a task closed, an escalation taken).
            Err(StoreError::Conflict(why)) if named => {
                Err(EngineError::Conflict(format!("lead {}: {why}", lead.id)))
            }
            Err(StoreError::Conflict(why)) => Err(EngineError::Conflict(why)),
            Err(e) => Err(e.into()),
        }
    }

    /// [`Engine::drive`] for the lead with id `id`.
    pub(crate) async fn drive_lead(&self, id: LeadId, event: Event) -> Result<Option<Applied>> {
        let lead = self.existing(id).await?;
        self.drive(&lead, event).await
    }
}

/// The error a refusal is answered with (a 409 in the API, in the words it always used).
fn refused(lead: &LeadRow, refusal: Refusal) -> EngineError {
    match refusal {
        Refusal::FollowUp(_) => EngineError::Conflict(format!("lead {}: {refusal}", lead.id)),
        Refusal::AlreadyOwned(_) => EngineError::Conflict(format!("lead {} {refusal}", lead.id)),
        Refusal::TaskDone(_) | Refusal::EscalationClosed(_) | Refusal::NoWindow => {
            EngineError::Conflict(refusal.to_string())
        }
        Refusal::StageBack { .. } | Refusal::NoOptOutHold | Refusal::NoPhone => {
            EngineError::Conflict(format!("lead {} {refusal}", lead.id))
        }
        Refusal::Unplaced => {
            EngineError::Inconsistent(format!("dealership {} is not configured", lead.dealership))
        }
        Refusal::OwnerUnknown(_) | Refusal::CadenceUnknown(_) | Refusal::SegmentUnknown(_) => {
            EngineError::Inconsistent(refusal.to_string())
        }
    }
}
