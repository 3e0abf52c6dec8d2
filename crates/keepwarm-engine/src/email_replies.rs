//! A customer's e-mail answer to a message keepwarm sent (issue 13): an inbound message on that
//! lead, classified, escalated and threaded like a text, never a new lead document.
//!
//! An e-mail arriving at the e-mail webhook is a reply when one of the Message-IDs it answers
//! (`In-Reply-To`, then `References`) is one keepwarm sent to a customer. The classifier reads the
//! customer's own words (quoted history and signature cut off,
//! [`keepwarm_classify::reply_words`]); the raw message is kept as a stored document linked to the
//! lead. What the reply does is one change set keyed by its Message-ID, so a redelivered e-mail
//! changes nothing: the words on the timeline, the lead contacted, an opt-out (e-mail consent for
//! the address, or everything and the lead stopped when no other channel is kept), a closing (the
//! lead lost), and otherwise a hand-off to the owner (automation paused, a reply task, an
//! escalation for hot words, the "waiting on us" clock).

use keepwarm_classify::{reply_words, Classification, Intent};
use keepwarm_domain::timeline::{ChannelRevoked, InboundMessage};
use keepwarm_domain::{EmailAddress, LeadId, LeadStatus, Stage, TimelineEvent};
use keepwarm_intake::email::{read_reply, ReplyEmail};
use serde::Serialize;

use crate::documents::{DocumentKind, DocumentOutcome};
use keepwarm_store::{
    Applied, Change, ChangeSet, LeadRow, NewDocument, NewEvent, NewTask, Revocation,
};
use serde_json::json;

use crate::{Engine, EngineError, InboundOutcome, OutcomeInput, Result};

/// Longest customer text kept on the timeline from an e-mail, in bytes.
const MAX_REPLY_TEXT: usize = 16 * 1024;

/// What the e-mail webhook did with a message.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum EmailReceived {
    /// A customer's reply to a message keepwarm sent, recorded on its lead.
    Reply {
        /// What it did on the lead.
        reply: InboundOutcome,
    },
    /// A lead e-mail, kept and parsed as a document.
    Document(DocumentOutcome),
}

impl Engine {
    /// Takes an e-mail from the webhook: a reply to a message keepwarm sent to a customer becomes
    /// that customer's message on its lead ([`Engine::email_reply`]); anything else is a lead
    /// document ([`Engine::ingest_document`]).
    pub async fn receive_email(
        &self,
        raw: Vec<u8>,
        content_type: Option<String>,
    ) -> Result<EmailReceived> {
        // The MIME parse runs off the async threads: a body can be 10 MiB.
        let copy = raw.clone();
        let reply = tokio::task::spawn_blocking(move || read_reply(&copy))
            .await
            .map_err(|e| EngineError::Inconsistent(format!("reading an e-mail: {e}")))?;
        if let Some(reply) = reply {
            if let Some(lead) = self.lead_answered_by(&reply).await? {
                let outcome = self.email_reply(lead, &reply, raw, content_type).await?;
                return Ok(EmailReceived::Reply { reply: outcome });
            }
        }
        let outcome = self
            .ingest_document(DocumentKind::Email, "email", content_type, raw)
            .await?;
        Ok(EmailReceived::Document(outcome))
    }

    /// The lead an e-mail answers: the lead of the first Message-ID it answers that keepwarm sent
    /// to a customer; `None` when it answers nothing keepwarm sent.
    pub async fn lead_answered_by(&self, reply: &ReplyEmail) -> Result<Option<LeadId>> {
        for id in &reply.answers {
            if let Some(lead) = self.store().lead_of_message(id).await? {
                return Ok(Some(lead));
            }
        }
        Ok(None)
    }

    /// Records `reply` (the raw e-mail `raw`) as the customer's message on `lead`; see the module
    /// documentation.
    pub async fn email_reply(
        &self,
        lead: LeadId,
        reply: &ReplyEmail,
        raw: Vec<u8>,
        content_type: Option<String>,
    ) -> Result<InboundOutcome> {
        let lead = self.existing(lead).await?;
        let from = reply
            .from
            .as_deref()
            .and_then(|f| EmailAddress::parse(f).ok())
            .ok_or_else(|| {
                EngineError::field("From", "the reply has no readable sender address")
            })?;
        let now = self.now();
        let own = truncated(reply_words(&reply.text), MAX_REPLY_TEXT);
        let classification = (!own.is_empty()).then(|| self.classifier.classify(&own));
        let has = |i: Intent| {
            classification
                .as_ref()
                .is_some_and(|c| c.intents.contains(&i))
        };
        let opt_out = has(Intent::OptOut);
        let closing = has(Intent::BoughtElsewhere) || has(Intent::NotInterested);
        let labels: Vec<String> = classification
            .as_ref()
            .map(|c| c.intents.iter().map(|i| i.as_str().to_owned()).collect())
            .unwrap_or_default();
        let mut changes = vec![
            Change::Events(vec![NewEvent::new(
                now,
                TimelineEvent::InboundMessage(InboundMessage {
                    channel: "email".into(),
                    from: from.to_string(),
                    body: own.clone(),
                    media: json!([]),
                    classification: json!(classification),
                }),
            )]),
            Change::StageAtLeast {
                stage: Stage::Contacted,
                by: "customer reply".into(),
                via: "reply".into(),
            },
        ];
        if let (true, Some(c)) = (opt_out, &classification) {
            changes.extend(email_opt_out(&lead, &from, c, &own, now));
        } else if closing {
            changes.extend(
                self.plan_closing(&lead, has(Intent::BoughtElsewhere), now)
                    .await?,
            );
        } else {
            changes.extend(
                self.plan_email_handoff(&lead, &from, &own, classification.as_ref(), now)
                    .await?,
            );
        }
        let document = self
            .store()
            .store_document(&NewDocument {
                received_at: now,
                channel: "email_reply".into(),
                content_type,
                body: raw,
            })
            .await?;
        let set = ChangeSet {
            lead: lead.id,
            at: now,
            idempotency_key: reply
                .message_id
                .as_ref()
                .map(|m| format!("email-reply:{m}")),
            changes,
        };
        let applied = self.store().apply(&set).await?;
        let fresh = applied != Applied::Duplicate;
        let detail = if fresh {
            "a reply on the lead"
        } else {
            "a reply seen before"
        };
        self.store()
            .finish_document(document, "reply", Some(detail), &[lead.id])
            .await?;
        self.after_change().await?;
        Ok(InboundOutcome {
            lead_id: lead.id.0,
            created: false,
            duplicate: !fresh,
            intents: labels,
            escalation: match applied {
                Applied::Applied { escalation } => escalation,
                Applied::Duplicate => None,
            },
            acknowledged: None,
        })
    }

    /// A closing reply ("bought elsewhere", "not interested"): the lead is lost.
    async fn plan_closing(
        &self,
        lead: &LeadRow,
        bought_elsewhere: bool,
        now: jiff::Timestamp,
    ) -> Result<Vec<Change>> {
        let input = OutcomeInput {
            stage: Stage::Lost,
            at: None,
            reason: Some(
                if bought_elsewhere {
                    "bought elsewhere"
                } else {
                    "not interested"
                }
                .into(),
            ),
            appointment: None,
            by: "customer reply".into(),
            via: "reply".into(),
        };
        let mut contacted = lead.clone();
        if contacted.stage < Stage::Contacted && contacted.stage != Stage::Lost {
            contacted.stage = Stage::Contacted;
        }
        match self.plan_outcome(&contacted, &input, now).await {
            Ok(change) => Ok(change.into_iter().collect()),
            Err(EngineError::Conflict(_)) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    /// Any other reply goes to the lead's owner: automation paused, a reply task, an escalation
    /// for hot or doubtful words, and the waiting clock.
    async fn plan_email_handoff(
        &self,
        lead: &LeadRow,
        from: &EmailAddress,
        own: &str,
        classification: Option<&Classification>,
        now: jiff::Timestamp,
    ) -> Result<Vec<Change>> {
        let who = lead
            .display_name
            .clone()
            .unwrap_or_else(|| from.to_string());
        let mut changes = Vec::new();
        if lead.status == LeadStatus::Active {
            let owner = self
                .config()
                .staff_member(&lead.owner_id)
                .map_or(lead.owner_id.clone(), |s| s.name.clone());
            changes.push(Change::Pause {
                lead: lead.id,
                reason: format!("customer replied by e-mail; {owner} takes over the conversation"),
                actor: "customer reply".into(),
            });
        }
        changes.push(Change::Task(NewTask {
            owner_id: lead.owner_id.clone(),
            kind: "reply".into(),
            touch_id: None,
            due_at: now,
            body: format!(
                "{who} answered by e-mail from {from}: \"{}\"",
                truncated(own, 300)
            ),
        }));
        if let Some(c) = classification.filter(|c| c.escalates() || c.needs_review()) {
            changes.extend(
                self.plan_escalation(lead, from.as_str(), own, c, now)
                    .await?,
            );
            changes.extend(keepwarm_domain::machine::handoff_timers(
                &self.config().conversations,
                now,
            ));
        }
        changes.extend(self.plan_waiting(lead, classification, true, now));
        Ok(changes)
    }
}

/// An opt-out by e-mail: the channels it names revoked for the address (everything when it names
/// none), and the lead stopped as opted out when everything is.
fn email_opt_out(
    lead: &LeadRow,
    from: &EmailAddress,
    c: &Classification,
    words: &str,
    now: jiff::Timestamp,
) -> Vec<Change> {
    let all = c.revoked_channels.is_all() || c.revoked_channels.channels().is_empty();
    let channels: Vec<String> = if all {
        vec!["all".into()]
    } else {
        c.revoked_channels
            .channels()
            .into_iter()
            .map(|ch| match ch {
                keepwarm_classify::Channel::Call => "call".to_owned(),
                keepwarm_classify::Channel::Email => "email".to_owned(),
                keepwarm_classify::Channel::Sms => "sms".to_owned(),
            })
            .collect()
    };
    let mut changes = vec![
        Change::Revoke(Revocation {
            contact: from.to_string().to_lowercase(),
            channels: channels.clone(),
            at: now,
            words: words.to_owned(),
            via: "email reply".into(),
        }),
        Change::Events(vec![NewEvent::new(
            now,
            TimelineEvent::ChannelRevoked(ChannelRevoked {
                channels,
                words: words.to_owned(),
                via: Some("email reply".into()),
            }),
        )]),
    ];
    if all && !lead.opted_out {
        changes.push(Change::Stop {
            lead: lead.id,
            reason: format!("opted out by e-mail: \"{}\"", truncated(words, 160)),
            actor: "customer".into(),
            opt_out: true,
        });
    }
    changes
}

/// `text` cut to at most `max` bytes at a character boundary.
fn truncated(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default().to_owned()
}
