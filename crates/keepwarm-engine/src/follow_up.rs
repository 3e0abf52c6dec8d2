//! Changes to a lead's follow-up from outside the cadence: stop, pause, resume, reassignment, and
//! inbound messages from the customer.

use keepwarm_domain::lead::{
    parse_lead_json, validate_lead, CustomerInput, LeadInput, SourceInput,
};
use keepwarm_domain::machine::{Event, Reply, ReplyChannel};
use keepwarm_domain::{LeadId, PhoneNumber, SourceKind, Stage};
use keepwarm_store::{Applied, Change, ChangeSet, LeadRow};
use serde::Serialize;

use crate::{Engine, EngineError, Result};

/// Longest inbound message body accepted, in bytes (a long e-mail reply is cut by the caller).
pub const MAX_INBOUND_BODY: usize = 16 * 1024;

/// A message from a customer.
#[derive(Debug, Clone)]
pub struct InboundMessage {
    /// The sender's number as received.
    pub from: String,
    /// The text.
    pub body: String,
    /// `sms` or `call`.
    pub channel: String,
    /// The provider's id for the message (Twilio's MessageSid); a second delivery changes nothing.
    pub provider_id: Option<String>,
    /// Pictures and files sent with it (an MMS): where the provider keeps each and its media type.
    /// A message may be media alone.
    pub media: Vec<InboundMedia>,
}

/// A file sent with a customer's message.
pub use keepwarm_domain::machine::ReplyMedia as InboundMedia;

/// What an inbound message did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InboundOutcome {
    /// The lead it landed on.
    pub lead_id: i64,
    /// Whether a new lead was created for an unknown number.
    pub created: bool,
    /// Whether this message was delivered before (nothing was changed this time).
    pub duplicate: bool,
    /// The reply's labels (empty for calls).
    pub intents: Vec<String>,
    /// The escalation a hot reply opened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalation: Option<i64>,
    /// For a staff member's reply: the escalation it acknowledged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged: Option<i64>,
}

impl Engine {
    pub(crate) async fn existing(&self, id: LeadId) -> Result<LeadRow> {
        self.store()
            .lead(id)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("lead {id}")))
    }

    /// Ends a lead's follow-up for `reason`. With `opt_out` the lead is also marked opted out: the
    /// dispatcher refuses every further touch to it, whatever asks.
    pub async fn stop(&self, id: LeadId, reason: &str, actor: &str, opt_out: bool) -> Result<()> {
        let event = Event::Stop {
            reason: reason.to_owned(),
            actor: actor.to_owned(),
            opt_out,
        };
        self.drive_lead(id, event).await?;
        if opt_out {
            self.telemetry.opted_out(id, actor);
        }
        Ok(())
    }

    /// Holds a lead's follow-up until resumed.
    pub async fn pause(&self, id: LeadId, reason: &str, actor: &str) -> Result<()> {
        let event = Event::Pause {
            reason: reason.to_owned(),
            actor: actor.to_owned(),
        };
        self.drive_lead(id, event).await?;
        Ok(())
    }

    /// Applies a staff action's changes to one lead, whole, in one transaction.
    pub(crate) async fn apply_changes(&self, lead: LeadId, changes: Vec<Change>) -> Result<()> {
        let set = ChangeSet {
            lead,
            at: self.now(),
            idempotency_key: None,
            changes,
        };
        self.store().apply(&set).await?;
        Ok(())
    }

    /// Resumes a paused lead: held touches are planned again from now, inside the contact window.
    pub async fn resume(&self, id: LeadId, reason: &str, actor: &str) -> Result<()> {
        let event = Event::Resume {
            reason: reason.to_owned(),
            actor: actor.to_owned(),
        };
        self.drive_lead(id, event).await?;
        self.after_change().await
    }

    /// Records a stage change with no appointment (see [`Engine::record_outcome`]). Stages only move
    /// forward, except `lost`, which can happen at any point and needs a reason. From
    /// `appointment_set` on, the follow-up cadence ends.
    pub async fn set_stage(
        &self,
        id: LeadId,
        stage: Stage,
        reason: Option<&str>,
        by: &str,
    ) -> Result<crate::OutcomeResult> {
        let input = crate::OutcomeInput {
            stage,
            at: None,
            reason: reason.map(str::to_owned),
            appointment: None,
            by: by.to_owned(),
            via: if by == "customer reply" {
                "reply"
            } else {
                "api"
            }
            .to_owned(),
        };
        self.record_outcome(id, input).await
    }

    /// Gives a lead a new owner. Its open work follows it in the same change set: open tasks and
    /// unacknowledged escalations move to the new owner (reason `lead reassigned`), and the new
    /// owner's alert about each moved escalation is queued with them, so a crash cannot leave an
    /// escalation with someone who was never told. Returns what moved.
    pub async fn reassign(
        &self,
        id: LeadId,
        owner: &str,
        reason: &str,
        actor: &str,
    ) -> Result<keepwarm_store::LeadWork> {
        let lead = self.existing(id).await?;
        let staff = self.config().staff_member(owner).cloned().ok_or_else(|| {
            EngineError::field("owner", format!("unknown staff member `{owner}`"))
        })?;
        let event = Event::Reassign {
            to: staff,
            reason: reason.to_owned(),
            actor: actor.to_owned(),
        };
        let state = self.lead_state(&lead).await?;
        self.drive(&lead, event).await?;
        let moved = keepwarm_store::LeadWork {
            escalations: state
                .escalations
                .iter()
                .filter(|e| e.assignee != owner)
                .map(|e| e.id)
                .collect(),
            tasks: state
                .tasks
                .iter()
                .filter(|t| t.owner != owner)
                .map(|t| t.id)
                .collect(),
        };
        self.after_change().await?;
        Ok(moved)
    }

    /// Takes a customer's message: checks it, finds (or creates) its lead, classifies it, and steps
    /// the lead through it ([`keepwarm_domain::machine`], `reply.rs`, decides what it does); the whole
    /// effect is one change set keyed by the provider's message id. A number that matches no lead
    /// becomes a new lead, so nobody who texts the store is lost.
    pub async fn inbound(&self, message: InboundMessage) -> Result<InboundOutcome> {
        let call = match message.channel.as_str() {
            "sms" => false,
            "call" => true,
            other => {
                return Err(EngineError::field(
                    "channel",
                    format!("unsupported channel `{other}` (expected sms or call)"),
                ))
            }
        };
        if !call && message.body.trim().is_empty() && message.media.is_empty() {
            return Err(EngineError::field("body", "must not be empty"));
        }
        if message.body.len() > MAX_INBOUND_BODY {
            return Err(EngineError::field(
                "body",
                format!("longer than {MAX_INBOUND_BODY} bytes"),
            ));
        }
        let region = self
            .config()
            .dealerships
            .first()
            .map_or("US", |d| d.country.as_str());
        let phone = PhoneNumber::parse(&message.from, region)
            .map_err(|e| EngineError::field("from", e.to_string()))?;
        // A staff member answering an alert: acknowledge the escalation it names; never a lead.
        if let Some(staff) = self
            .config()
            .staff
            .iter()
            .find(|s| s.phone.as_ref() == Some(&phone))
            .cloned()
        {
            let acknowledged = self.staff_reply(&staff, &message.body).await?;
            return Ok(InboundOutcome {
                lead_id: acknowledged.as_ref().map_or(0, |e| e.lead_id.0),
                created: false,
                duplicate: false,
                intents: Vec::new(),
                escalation: None,
                acknowledged: acknowledged.map(|e| e.id),
            });
        }
        let (lead_id, created) = match self.store().find_lead_by_phone(&phone).await? {
            Some(id) => (id, false),
            None => {
                let input = LeadInput {
                    source: SourceInput {
                        kind: if call {
                            SourceKind::Phone
                        } else {
                            SourceKind::Sms
                        },
                        provider: Some(if call { "inbound call" } else { "inbound text" }.into()),
                        provider_lead_id: None,
                    },
                    customer: CustomerInput {
                        phones: vec![phone.as_str().to_owned()],
                        ..Default::default()
                    },
                    comments: Some(message.body.clone()).filter(|b| !b.trim().is_empty()),
                    ..Default::default()
                };
                let lead = validate_lead(input, region).map_err(EngineError::Validation)?;
                (LeadId(self.ingest(lead).await?.id), true)
            }
        };
        let lead = self.existing(lead_id).await?;
        // Texts are read by the reply classifier; a call is a conversation a person must return.
        let classification = (!call && !message.body.trim().is_empty())
            .then(|| self.classifier.classify(&message.body));
        let labels = intent_labels(classification.as_ref());
        let opt_out = classification
            .as_ref()
            .is_some_and(|c| c.has(keepwarm_classify::Intent::OptOut));
        let reply = Reply {
            channel: if call {
                ReplyChannel::Call(phone.clone())
            } else {
                ReplyChannel::Sms(phone.clone())
            },
            body: message.body,
            media: message.media,
            classification,
            provider_id: message.provider_id,
        };
        let state = self.reply_state(&lead, phone.as_str()).await?;
        let applied = self
            .drive_state(&lead, &state, Event::ReplyReceived(Box::new(reply)))
            .await?;
        let (fresh, escalation) = match applied {
            Some(Applied::Applied { escalation }) => (true, escalation),
            Some(Applied::Duplicate) | None => (false, None),
        };
        if fresh {
            self.telemetry.reply_received(lead_id, &labels, escalation);
            if opt_out {
                self.telemetry.opted_out(lead_id, "reply");
            }
        }
        // Alerts and confirmations are queued: send them now (manual clock) or wake the worker.
        self.after_change().await?;
        Ok(InboundOutcome {
            lead_id: lead_id.0,
            created,
            duplicate: !fresh,
            intents: labels.iter().map(|l| (*l).to_owned()).collect(),
            escalation,
            acknowledged: None,
        })
    }

    /// Parses a lead document with the default dealership's region and ingests it.
    pub async fn ingest_json(&self, json: &[u8]) -> Result<crate::IngestOutcome> {
        let region = self
            .config()
            .dealerships
            .first()
            .map_or("US", |d| d.country.as_str());
        let lead = parse_lead_json(json, region).map_err(EngineError::Validation)?;
        self.ingest(lead).await
    }
}

/// The reply's labels, as the API lists them (none when it was not classified).
pub(crate) fn intent_labels(c: Option<&keepwarm_classify::Classification>) -> Vec<&'static str> {
    c.map(|c| c.intents.iter().map(|i| i.as_str()).collect())
        .unwrap_or_default()
}
