//! Changes to a lead's follow-up from outside the cadence: stop, pause, resume, reassignment, and
//! inbound messages from the customer.

use keepwarm_classify::Intent;
use keepwarm_domain::lead::{
    parse_lead_json, validate_lead, CustomerInput, LeadInput, SourceInput,
};
use keepwarm_domain::machine::{handoff_timers, nurture_timer, Event};
use keepwarm_domain::timeline::{InboundMessage as TimelineInbound, OptOutPossible};
use keepwarm_domain::TimelineEvent;
use keepwarm_domain::{LeadId, LeadStatus, PhoneNumber, SourceKind, Stage};
use keepwarm_store::{Applied, Change, ChangeSet, LeadRow, NewEvent, NewTask};
use serde::Serialize;
use serde_json::json;

use crate::appointments::AppointmentReply;
use crate::outcomes::is_appointment_cadence;
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InboundMedia {
    /// Where the provider keeps it.
    pub url: String,
    /// Its media type (`image/jpeg`), when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
}

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
        self.wake.notify_one();
        self.after_change().await?;
        Ok(moved)
    }

    /// Takes a customer's message. Until replies are classified, any reply marks the lead contacted
    /// and pauses its cadence for its owner, who gets a task to answer. A number that matches no lead
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
        let now = self.now();
        let owner_name = self
            .config()
            .staff_member(&lead.owner_id)
            .map_or(lead.owner_id.clone(), |s| s.name.clone());
        // Texts are read by the reply classifier; a call is a conversation a person must return.
        let classification = (!call && !message.body.trim().is_empty())
            .then(|| self.classifier.classify(&message.body));
        let has = |intent: Intent| {
            classification
                .as_ref()
                .is_some_and(|c| c.intents.contains(&intent))
        };
        let opt_out = has(Intent::OptOut);
        let closing = has(Intent::BoughtElsewhere) || has(Intent::NotInterested);
        let wrong_number = has(Intent::WrongNumber);
        // Fail closed: a reply that may mean "stop" stops automation to the number at once and
        // goes to a person, who confirms the opt-out (the confirmation is sent then) or releases it.
        let maybe_stop = !opt_out
            && classification
                .as_ref()
                .is_some_and(|c| c.possible_opt_out.is_some());
        // A reply that ends the conversation needs no pause and no task; any other hands the lead
        // to its owner.
        // A plain confirmation of an upcoming appointment is recorded, not handed to anyone.
        let appointment_reply = self
            .appointment_reply(lead_id, classification.as_ref(), now)
            .await?;
        let confirms = matches!(appointment_reply, AppointmentReply::Confirms(_));
        let reminding = match &lead.enrollment {
            Some(e) if e.status == LeadStatus::Active => {
                is_appointment_cadence(&*self.snapshot(&e.cadence_name, &e.cadence_version).await?)
            }
            _ => false,
        };
        let hands_over = !(opt_out || closing || wrong_number || confirms);
        let not_now =
            has(Intent::NotNow) && !classification.as_ref().is_some_and(|c| c.escalates());
        let who = lead
            .display_name
            .clone()
            .unwrap_or_else(|| phone.national());
        let labels: Vec<&str> = classification
            .as_ref()
            .map(|c| c.intents.iter().map(|i| i.as_str()).collect())
            .unwrap_or_default();
        let task = if wrong_number {
            Some(NewTask {
                owner_id: lead.owner_id.clone(),
                kind: "fix_contact".into(),
                touch_id: None,
                due_at: now,
                body: format!(
                    "{who}: the person at {} says it is a wrong number. Find the right contact.",
                    phone.national()
                ),
            })
        } else if maybe_stop {
            Some(NewTask {
                owner_id: lead.owner_id.clone(),
                kind: "confirm_opt_out".into(),
                touch_id: None,
                due_at: now,
                body: format!(
                    "{who} may be asking us to stop: \"{}\". Automated messages to {} are held. Confirm the opt-out or release it (POST /api/v1/leads/{}/opt-out).",
                    message.body.trim(),
                    phone.national(),
                    lead_id
                ),
            })
        } else if hands_over && !not_now {
            Some(NewTask {
                owner_id: lead.owner_id.clone(),
                kind: if call { "call" } else { "reply" }.into(),
                touch_id: None,
                due_at: now,
                body: inbound_task_text(&who, &phone, call, &message, &labels),
            })
        } else {
            None
        };
        // Everything the reply does, decided from the state loaded above and applied whole in one
        // transaction with the provider's message id: a crash leaves all of it or none of it, and
        // Twilio's retry then does the whole work once.
        let revoked = self
            .store()
            .revoked_channels(&[phone.as_str().to_owned()])
            .await?
            .remove(phone.as_str())
            .unwrap_or_default();
        let mut changes = vec![
            Change::Events(vec![NewEvent::new(now, {
                let inbound = TimelineInbound {
                    channel: message.channel.clone(),
                    from: phone.as_str().to_owned(),
                    body: message.body.clone(),
                    media: json!(message.media),
                    classification: json!(classification),
                };
                if call {
                    TimelineEvent::InboundCall(inbound)
                } else {
                    TimelineEvent::InboundMessage(inbound)
                }
            })]),
            Change::StageAtLeast {
                stage: Stage::Contacted,
                by: "customer reply".into(),
                via: "reply".into(),
            },
        ];
        // Appointment reminders are not a sales conversation: they keep going while a person
        // answers.
        if maybe_stop {
            let reason = "the customer may be asking us to stop; held until a person decides";
            for other in self.store().leads_with_phone(&phone).await? {
                changes.push(Change::Pause {
                    lead: other,
                    reason: reason.into(),
                    actor: "customer reply".into(),
                });
            }
            changes.push(Change::Events(vec![NewEvent::new(
                now,
                TimelineEvent::OptOutPossible(OptOutPossible {
                    words: message.body.trim().to_owned(),
                    cue: json!(classification
                        .as_ref()
                        .and_then(|c| c.possible_opt_out.as_ref())),
                }),
            )]));
        } else if hands_over && lead.status == LeadStatus::Active && !reminding {
            changes.push(Change::Pause {
                lead: lead_id,
                reason: format!("customer replied; {owner_name} takes over the conversation"),
                actor: "customer reply".into(),
            });
        }
        changes.extend(task.map(Change::Task));
        let needs_answer = !(opt_out || closing || wrong_number || confirms);
        changes.extend(self.plan_waiting(&lead, classification.as_ref(), needs_answer, now));
        changes.extend(self.plan_reply_language(
            &lead,
            &message.body,
            classification.as_ref(),
            now,
        ));
        changes.extend(self.plan_help_reply(&lead, &phone, &message.body, now));
        changes.extend(
            self.plan_appointment_reply(lead_id, appointment_reply, message.body.trim(), now)
                .await?,
        );
        if let Some(c) = classification
            .as_ref()
            .filter(|c| hands_over && (c.escalates() || c.needs_review() || maybe_stop))
        {
            changes.extend(
                self.plan_escalation(&lead, phone.as_str(), message.body.trim(), c, now)
                    .await?,
            );
            // A held opt-out never resumes by itself: a person decides.
            if !maybe_stop {
                changes.extend(handoff_timers(&self.config().conversations, now));
            }
        } else if not_now {
            changes.extend(nurture_timer(&self.config().conversations, now));
        }
        if let Some(c) = &classification {
            if c.resubscribe {
                changes.extend(Self::plan_resubscribe(&phone, &revoked, now));
            }
            if opt_out {
                changes.extend(
                    self.plan_opt_out(&lead, &phone, c, message.body.trim(), &revoked, now)
                        .await?,
                );
            } else if wrong_number {
                changes.push(Change::Revoke(keepwarm_store::Revocation {
                    contact: phone.as_str().to_owned(),
                    channels: vec!["all".into()],
                    at: now,
                    words: message.body.trim().to_owned(),
                    via: "wrong number reply".into(),
                }));
            } else if closing {
                let reason = if has(Intent::BoughtElsewhere) {
                    "bought elsewhere"
                } else {
                    "not interested"
                };
                let input = crate::OutcomeInput {
                    stage: Stage::Lost,
                    at: None,
                    reason: Some(reason.to_owned()),
                    appointment: None,
                    by: "customer reply".into(),
                    via: "reply".into(),
                };
                // Decided against the lead as it is after this reply's first-contact stage change,
                // which the same change set applies first.
                let mut contacted = lead.clone();
                if contacted.stage < Stage::Contacted && contacted.stage != Stage::Lost {
                    contacted.stage = Stage::Contacted;
                }
                match self.plan_outcome(&contacted, &input, now).await {
                    Ok(change) => changes.extend(change),
                    Err(EngineError::Conflict(_)) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        let set = ChangeSet {
            lead: lead_id,
            at: now,
            idempotency_key: message.provider_id.clone(),
            changes,
        };
        let (fresh, escalation) = match self.store().apply(&set).await? {
            Applied::Applied { escalation } => (true, escalation),
            Applied::Duplicate => (false, None),
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

/// The owner's task for an inbound text, picture or call.
fn inbound_task_text(
    who: &str,
    phone: &PhoneNumber,
    call: bool,
    message: &InboundMessage,
    labels: &[&str],
) -> String {
    let body = message.body.trim();
    let about = if labels.is_empty() || labels == ["other"] {
        String::new()
    } else {
        format!(" [{}]", labels.join(", "))
    };
    let media = match message.media.len() {
        0 => String::new(),
        1 => format!(" and a picture: {}", message.media[0].url),
        n => format!(
            " and {n} pictures: {}",
            message
                .media
                .iter()
                .map(|m| m.url.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        ),
    };
    match (call, body.is_empty()) {
        (true, true) => format!("{who} called from {}. Call them back.", phone.national()),
        (true, false) => format!(
            "{who} called from {} and said: \"{body}\". Call them back.",
            phone.national()
        ),
        (false, true) => format!(
            "{who} sent a message with no text{media}. Look at it and answer them personally."
        ),
        (false, false) => {
            format!("{who} replied by text{about}: \"{body}\"{media}. Answer them personally.")
        }
    }
}
