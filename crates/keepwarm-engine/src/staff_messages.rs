//! A person's own message to a customer, sent from the store's number or address (issue 13).
//!
//! The message goes through the same compliance gate as automation
//! ([`keepwarm_domain::staff_message::decide`]): an opted-out or revoked contact is refused naming
//! the revocation; outside the contact window it is refused with the next opening, unless it answers
//! the customer's own message within the configured minutes (recorded as conversational). What
//! sending does is one change set, applied whole: the message on the durable outbound queue, the
//! lead's open escalations acknowledged, the lead marked `contacted`, its automation paused until
//! the conversation goes quiet, and the person's words on the timeline.

use jiff::Timestamp;
use keepwarm_domain::blocks::{render_block, rotation_seed, Choice};
use keepwarm_domain::cadence::Channel;
use keepwarm_domain::compliance::{self, Rule};
use keepwarm_domain::condition::MessageFacts;
use keepwarm_domain::lead::LeadInput;
use keepwarm_domain::machine::talking_pause;
use keepwarm_domain::routing::Staff;
use keepwarm_domain::staff_message::{self, Decision, EmailSender};
use keepwarm_domain::timeline::{OutboundNote, StaffMessage as StaffMessageEvent, TaskCompleted};
use keepwarm_domain::TimelineEvent;
use keepwarm_domain::{LeadId, Stage};
use keepwarm_store::{
    Applied, Change, ChangeSet, LeadRow, NewEvent, NewOutbound, OutboundPurpose, OutboundRow,
    RevocationInForce,
};
use serde::Serialize;

use crate::context::{language_for, message_context, window_for, zones_for};
use crate::{Engine, EngineError, Result};

/// Longest text message a person may send, in characters (Twilio's limit for one message).
pub const MAX_SMS_CHARS: usize = 1600;
/// Longest e-mail body a person may send, in bytes.
pub const MAX_EMAIL_BYTES: usize = 16 * 1024;
/// Longest e-mail subject, in characters.
const MAX_SUBJECT_CHARS: usize = 200;
/// Longest idempotency key, in bytes.
const MAX_KEY: usize = 200;

/// A person's message, as asked for.
#[derive(Debug, Clone)]
pub struct StaffMessage {
    /// `sms` or `email`.
    pub channel: String,
    /// The text; when a `block` is named too, this is the block's text as the person edited it.
    pub body: Option<String>,
    /// An approved block to render with the lead's context.
    pub block: Option<String>,
    /// The e-mail subject (e-mail only).
    pub subject: Option<String>,
    /// The staff member sending it.
    pub by: String,
    /// The client's key for this send: a request replayed with the same key sends nothing more.
    pub idempotency_key: Option<String>,
}

/// What sending did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StaffMessageSent {
    /// The lead.
    pub lead_id: i64,
    /// `sms` or `email`.
    pub channel: String,
    /// Where it goes.
    pub to: String,
    /// What it says.
    pub body: String,
    /// The e-mail subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Who sent it.
    pub by: String,
    /// It answers the customer's own recent message (it may go outside the contact window).
    pub conversational: bool,
    /// The escalations it acknowledged.
    pub acknowledged: Vec<i64>,
    /// The same request was sent before: nothing was queued this time.
    pub duplicate: bool,
}

/// A rendered draft of an approved block, for a person to edit before sending.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Draft {
    /// The block.
    pub block: String,
    /// Its channel.
    pub channel: Channel,
    /// The e-mail subject.
    pub subject: Option<String>,
    /// The text.
    pub body: String,
}

impl Engine {
    /// Renders approved block `block` for a lead, for a person to edit and send.
    pub async fn draft_message(&self, id: LeadId, block: &str, by: &str) -> Result<Draft> {
        let lead = self.existing(id).await?;
        let staff = self.sender(by)?;
        let (subject, body, channel) = self.render_for(&lead, block, staff)?;
        Ok(Draft {
            block: block.to_owned(),
            channel,
            subject,
            body,
        })
    }

    /// Sends a person's message to the lead's customer as the dealership; see the module doc.
    pub async fn send_staff_message(
        &self,
        id: LeadId,
        message: StaffMessage,
    ) -> Result<StaffMessageSent> {
        let lead = self.existing(id).await?;
        let staff = self.sender(&message.by)?.clone();
        let channel = match message.channel.as_str() {
            "sms" => Channel::Sms,
            "email" => Channel::Email,
            other => {
                return Err(EngineError::field(
                    "channel",
                    format!(
                        "`{other}` is not a channel a person can write on (expected sms or email)"
                    ),
                ))
            }
        };
        let (subject, body) = self.compose(&lead, &message, channel, &staff)?;
        let to = match channel {
            Channel::Email => lead.email().map(|e| e.to_string()),
            _ => lead.phone().map(|p| p.as_str().to_owned()),
        }
        .ok_or_else(|| {
            EngineError::Conflict(format!(
                "lead {id} has no usable {} to write to",
                if channel == Channel::Email {
                    "e-mail address"
                } else {
                    "phone number"
                }
            ))
        })?;
        let now = self.now();
        let conversational = self.gate(&lead, channel, &to, now).await?;
        let acknowledged: Vec<i64> = self
            .store()
            .escalations(None)
            .await?
            .into_iter()
            .filter(|e| e.lead_id == id && (e.status == "open" || e.status == "breached"))
            .map(|e| e.id)
            .collect();
        let mut changes = self.plan_staff_message(
            &lead,
            &staff,
            channel,
            &to,
            &subject,
            &body,
            conversational,
            now,
        );
        changes.extend(self.reply_tasks_answered(id, &staff, channel, now).await?);
        let set = ChangeSet {
            lead: id,
            at: now,
            idempotency_key: message
                .idempotency_key
                .as_ref()
                .map(|k| format!("staff-message:{}:{k}", staff.id)),
            changes,
        };
        let duplicate = self.store().apply(&set).await? == Applied::Duplicate;
        self.after_change().await?;
        Ok(StaffMessageSent {
            lead_id: id.0,
            channel: message.channel,
            to,
            body,
            subject,
            by: staff.id,
            conversational,
            acknowledged: if duplicate { Vec::new() } else { acknowledged },
            duplicate,
        })
    }

    /// For a person's queued message, why it may no longer go now that it is actually being sent:
    /// the customer opted out or revoked the channel after it was queued, or the moment is outside
    /// the contact window (a send delayed by an outage past closing, or past the minutes in which an
    /// answer is conversational). `None` when it may go, and for every message that is not a
    /// person's.
    pub(crate) async fn refused_at_send(
        &self,
        m: &OutboundRow,
        now: Timestamp,
    ) -> Result<Option<String>> {
        if m.purpose != OutboundPurpose::StaffMessage {
            return Ok(None);
        }
        let Some(lead) = m.lead_id else {
            return Ok(None);
        };
        let Some(lead) = self.store().lead(lead).await? else {
            return Ok(Some(format!("lead {lead} no longer exists")));
        };
        let channel: Channel = m.channel.parse().unwrap_or(Channel::Sms);
        let (decision, revocations) = self.decide_for(&lead, channel, &m.recipient, now).await?;
        Ok(match decision {
            Decision::Send { .. } => None,
            Decision::Refused {
                rule: Rule::ContactWindow,
                reason,
                ..
            } => Some(format!(
                "{reason} when the queued message was to be sent; it was not sent"
            )),
            Decision::Refused { reason, .. } if lead.opted_out => Some(format!(
                "lead {} opted out after the message was queued ({reason})",
                lead.id
            )),
            Decision::Refused { reason, .. } => Some(format!(
                "the customer revoked consent after the message was queued: {}",
                refusal(&lead, channel, &reason, &revocations)
            )),
        })
    }

    /// Completing the lead's open `reply` tasks: a person's message is the answer they ask for.
    /// (A task completed by someone else meanwhile refuses the set as a conflict; the person sends
    /// again and it goes.)
    async fn reply_tasks_answered(
        &self,
        id: LeadId,
        staff: &Staff,
        channel: Channel,
        now: Timestamp,
    ) -> Result<Vec<Change>> {
        let work = self.store().open_work(id).await?;
        let mut changes = Vec::new();
        for (task, _, kind) in work.tasks.into_iter().filter(|(_, _, k)| k == "reply") {
            let note = format!("answered by {} message", channel.as_str());
            changes.push(Change::CompleteTask {
                task,
                outcome: "done".into(),
                note: Some(note.clone()),
                by: staff.id.clone(),
            });
            changes.push(Change::Events(vec![NewEvent::new(
                now,
                TimelineEvent::TaskCompleted(TaskCompleted {
                    task_id: task,
                    kind,
                    outcome: "done".into(),
                    note: Some(note),
                    by: staff.id.clone(),
                }),
            )]));
        }
        Ok(changes)
    }

    /// The staff member `by` names.
    pub(crate) fn sender(&self, by: &str) -> Result<&Staff> {
        self.config()
            .staff_member(by)
            .ok_or_else(|| EngineError::field("by", format!("unknown staff member `{by}`")))
    }

    /// The subject and text to send: the person's text, or the named block rendered for the lead.
    fn compose(
        &self,
        lead: &LeadRow,
        message: &StaffMessage,
        channel: Channel,
        staff: &Staff,
    ) -> Result<(Option<String>, String)> {
        if let Some(key) = &message.idempotency_key {
            if key.is_empty() || key.len() > MAX_KEY || key.chars().any(char::is_control) {
                return Err(EngineError::field(
                    "Idempotency-Key",
                    format!("must be 1 to {MAX_KEY} bytes of printable text"),
                ));
            }
        }
        let rendered = match &message.block {
            Some(block) => {
                let (subject, body, block_channel) = self.render_for(lead, block, staff)?;
                if block_channel != channel {
                    return Err(EngineError::field(
                        "block",
                        format!("block `{block}` is written for {block_channel}, not {channel}"),
                    ));
                }
                Some((subject, body))
            }
            None => None,
        };
        let body = match (&message.body, &rendered) {
            (Some(body), _) => body.trim().to_owned(),
            (None, Some((_, body))) => body.clone(),
            (None, None) => {
                return Err(EngineError::field(
                    "body",
                    "give the text, or a block to render",
                ))
            }
        };
        if body.is_empty() {
            return Err(EngineError::field("body", "must not be empty"));
        }
        match channel {
            Channel::Sms if body.chars().count() > MAX_SMS_CHARS => {
                return Err(EngineError::field(
                    "body",
                    format!("longer than {MAX_SMS_CHARS} characters (one text message)"),
                ))
            }
            Channel::Email if body.len() > MAX_EMAIL_BYTES => {
                return Err(EngineError::field(
                    "body",
                    format!("longer than {MAX_EMAIL_BYTES} bytes"),
                ))
            }
            _ => {}
        }
        let subject = match channel {
            Channel::Email => {
                let subject = message
                    .subject
                    .as_deref()
                    .map(str::trim)
                    .map(str::to_owned)
                    .or_else(|| rendered.and_then(|(s, _)| s))
                    .unwrap_or_else(|| format!("A note from {}", staff.name));
                if subject.is_empty()
                    || subject.chars().count() > MAX_SUBJECT_CHARS
                    || subject.chars().any(char::is_control)
                {
                    return Err(EngineError::field(
                        "subject",
                        format!("must be 1 to {MAX_SUBJECT_CHARS} characters on one line"),
                    ));
                }
                Some(subject)
            }
            _ if message.subject.is_some() => {
                return Err(EngineError::field(
                    "subject",
                    "only an e-mail has a subject",
                ))
            }
            _ => None,
        };
        Ok((subject, body))
    }

    /// Renders approved block `name` for `lead`, signed by `staff`.
    pub(crate) fn render_for(
        &self,
        lead: &LeadRow,
        name: &str,
        staff: &Staff,
    ) -> Result<(Option<String>, String, Channel)> {
        let config = self.config();
        let block = config
            .blocks
            .get(name)
            .ok_or_else(|| EngineError::field("block", format!("unknown block `{name}`")))?;
        let dealership = self.lead_dealership(lead)?;
        let mut input: LeadInput = serde_json::from_value(lead.payload.clone()).unwrap_or_default();
        input.received_at = Some(lead.received_at);
        let now = self.now();
        let language = language_for(&input, config, dealership, &self.classifier);
        let context = message_context(&input, Some(staff), dealership, &language, now);
        // A draft makes no claim the inventory would have to prove: `in_stock` stays false.
        let facts = MessageFacts::of(&input, &language, false, now);
        let choice = Choice {
            context: &context,
            facts: &facts,
            used: &[],
            seed: rotation_seed(lead.id.0, name, 0),
        };
        let rendered = render_block(block, &choice).ok_or_else(|| {
            EngineError::field(
                "block",
                format!("block `{name}` cannot be rendered for lead {}", lead.id),
            )
        })?;
        Ok((rendered.subject, rendered.body, block.channel))
    }

    /// Who a person's e-mail is from: their name at the dealership, answers to the dealership's
    /// address.
    fn email_sender(&self, lead: &LeadRow, staff: &Staff) -> EmailSender {
        let dealership = self.lead_dealership(lead).ok();
        let mut sender = EmailSender::of(
            &staff.name,
            dealership.map_or(lead.dealership.as_str(), |d| d.brand.as_str()),
        );
        sender.reply_to = dealership.and_then(|d| d.email.as_ref().map(|e| e.to_string()));
        sender
    }

    pub(crate) fn lead_dealership(
        &self,
        lead: &LeadRow,
    ) -> Result<&keepwarm_domain::config::Dealership> {
        self.config()
            .dealership(Some(&lead.dealership))
            .ok_or_else(|| {
                EngineError::Inconsistent(format!(
                    "dealership {} is not configured",
                    lead.dealership
                ))
            })
    }

    /// The compliance gate for a person's message to `to`: `Ok(conversational)` when it may go,
    /// [`EngineError::Refused`] naming the revocation or the next opening when not.
    pub(crate) async fn gate(
        &self,
        lead: &LeadRow,
        channel: Channel,
        to: &str,
        now: Timestamp,
    ) -> Result<bool> {
        match self.decide_for(lead, channel, to, now).await? {
            (Decision::Send { conversational }, _) => Ok(conversational),
            (
                Decision::Refused {
                    rule: Rule::ContactWindow,
                    reason,
                    next_opening,
                },
                _,
            ) => Err(EngineError::Refused {
                reason: format!("{reason}; nothing was sent"),
                next_opening,
            }),
            (Decision::Refused { reason, .. }, revocations) => Err(EngineError::Refused {
                reason: refusal(lead, channel, &reason, &revocations),
                next_opening: None,
            }),
        }
    }

    /// [`staff_message::decide`] for a message to `to` at `now`, with the revocations in force.
    pub(crate) async fn decide_for(
        &self,
        lead: &LeadRow,
        channel: Channel,
        to: &str,
        now: Timestamp,
    ) -> Result<(Decision, Vec<RevocationInForce>)> {
        let config = self.config();
        let dealership = self.lead_dealership(lead)?;
        let input: LeadInput = serde_json::from_value(lead.payload.clone()).unwrap_or_default();
        let (zones, _) = zones_for(lead.phone().as_ref(), &input, dealership);
        let window = window_for(config, &zones, dealership, &lead.segment);
        let revocations = self
            .store()
            .revocations_in_force(&to.to_lowercase())
            .await?;
        let revoked: Vec<String> = revocations.iter().map(|r| r.channel.clone()).collect();
        let facts = self.store().conversation_facts(lead.id).await?;
        let request = staff_message::Request {
            channel,
            window: &window,
            opted_out: lead.opted_out,
            revoked: &revoked,
            last_customer_at: facts.last_customer_at,
            conversational_minutes: config.conversations.conversational_reply_minutes,
        };
        Ok((staff_message::decide(&request, now), revocations))
    }

    /// The change set of a person's message.
    #[allow(
        clippy::too_many_arguments,
        reason = "a flat description of one message, all decided by the caller"
    )]
    fn plan_staff_message(
        &self,
        lead: &LeadRow,
        staff: &Staff,
        channel: Channel,
        to: &str,
        subject: &Option<String>,
        body: &str,
        conversational: bool,
        now: Timestamp,
    ) -> Vec<Change> {
        let what = StaffMessageEvent {
            by: staff.id.clone(),
            name: staff.name.clone(),
            channel,
            to: to.to_owned(),
            subject: subject.clone(),
            body: body.to_owned(),
            conversational,
            outbound: OutboundNote::default(),
        };
        let mut changes = vec![
            Change::Events(vec![NewEvent::new(
                now,
                TimelineEvent::StaffMessageQueued(what.clone()),
            )]),
            Change::Enqueue(NewOutbound {
                lead_id: Some(lead.id),
                purpose: OutboundPurpose::StaffMessage,
                channel: channel.as_str().to_owned(),
                recipient_kind: "customer".into(),
                recipient: to.to_owned(),
                subject: subject.clone(),
                body: body.to_owned(),
                attachments: Vec::new(),
                dealership: lead.dealership.clone(),
                dedupe_key: None,
                on_sent: Some(Box::new(NewEvent::new(
                    now,
                    TimelineEvent::StaffMessageSent(what.clone()),
                ))),
                on_failed: Some(Box::new(NewEvent::new(
                    now,
                    TimelineEvent::StaffMessageFailed(what),
                ))),
                due_at: now,
                sender: (channel == Channel::Email).then(|| self.email_sender(lead, staff)),
            }),
            Change::AcknowledgeEscalations {
                by: staff.id.clone(),
                via: "staff message".into(),
            },
            Change::StageAtLeast {
                stage: Stage::Contacted,
                by: staff.id.clone(),
                via: "staff message".into(),
            },
        ];
        changes.extend(talking_pause(
            lead.id,
            lead.status,
            format!("{} is talking with the customer", staff.name),
            &staff.id,
            &self.config().conversations,
            now,
        ));
        changes
    }
}

/// A consent refusal in words, naming the revocation in force (what the customer said, how and
/// when).
fn refusal(
    lead: &LeadRow,
    channel: Channel,
    reason: &str,
    revocations: &[RevocationInForce],
) -> String {
    let ledger = compliance::ledger_channel(channel);
    let named = revocations
        .iter()
        .find(|r| r.channel == "all" || r.channel == ledger);
    match named {
        Some(r) => format!(
            "{reason}: \"{}\" ({}, {}, revoked {}); nothing was sent",
            r.words, r.via, r.channel, r.revoked_at
        ),
        None if lead.opted_out => format!(
            "{reason}: lead {} is marked opted out ({}); nothing was sent",
            lead.id,
            lead.stop_reason.as_deref().unwrap_or("no reason recorded")
        ),
        None => format!("{reason}; nothing was sent"),
    }
}
