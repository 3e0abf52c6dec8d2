//! A customer's e-mail answer to a message keepwarm sent (issue 13): an inbound message on that
//! lead, classified, escalated and threaded like a text, never a new lead document.
//!
//! An e-mail arriving at the e-mail webhook is a reply when it is addressed to a lead's reply
//! address (`sales+TAG@…`, a signed tag), or when one of the Message-IDs it answers
//! (`In-Reply-To`, then `References`) is one keepwarm sent to a customer and it comes from that
//! lead's own address. The classifier reads the
//! customer's own words (quoted history and signature cut off,
//! [`keepwarm_classify::reply_words`]); the raw message is kept as a stored document linked to the
//! lead. What the reply does is decided by the lead state machine
//! ([`keepwarm_domain::machine`], `reply.rs`: an opt-out by address, a closing, or a hand-off to
//! the owner) and applied as one change set keyed by its Message-ID, so a redelivered e-mail
//! changes nothing.

use keepwarm_classify::reply_words;
use keepwarm_domain::machine::{Event, Reply, ReplyChannel};
use keepwarm_domain::{EmailAddress, LeadId};
use keepwarm_intake::email::{read_reply, ReplyEmail};
use keepwarm_store::{Applied, NewDocument};
use serde::Serialize;

use crate::documents::{DocumentKind, DocumentOutcome};
use crate::follow_up::intent_labels;
use crate::{Engine, EngineError, InboundOutcome, Result};

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
    ///
    /// `tagged` reads a recipient address: the lead its reply tag names (`sales+TAG@…`, see
    /// `keepwarm_email::reply_to`), if the tag is genuine. A tagged reply is the lead's whoever
    /// sends it (the tag proves it answers keepwarm's e-mail); a reply matched only by the
    /// Message-IDs it answers (which are not secret) is the lead's only when it comes from one of
    /// the lead's own addresses.
    pub async fn receive_email(
        &self,
        raw: Vec<u8>,
        content_type: Option<String>,
        tagged: &(dyn Fn(&str) -> Option<i64> + Send + Sync),
    ) -> Result<EmailReceived> {
        // The MIME parse runs off the async threads: a body can be 10 MiB.
        let copy = raw.clone();
        let reply = tokio::task::spawn_blocking(move || read_reply(&copy))
            .await
            .map_err(|e| EngineError::Inconsistent(format!("reading an e-mail: {e}")))?;
        if let Some(reply) = reply {
            let by_tag = reply.recipients.iter().find_map(|r| tagged(r)).map(LeadId);
            let lead = match by_tag {
                Some(lead) => self.store().lead(lead).await?.map(|l| l.id),
                None => self.lead_answered_by(&reply).await?,
            };
            if let Some(lead) = lead {
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
    /// Only a reply from one of the lead's own addresses counts: Message-IDs are derived from
    /// touch ids, so anyone could name one.
    pub async fn lead_answered_by(&self, reply: &ReplyEmail) -> Result<Option<LeadId>> {
        let Some(from) = reply.from.as_deref() else {
            return Ok(None);
        };
        for id in &reply.answers {
            let Some(lead) = self.store().lead_of_message(id).await? else {
                continue;
            };
            let known = self.store().lead(lead).await?.is_some_and(|l| {
                l.contacts
                    .iter()
                    .any(|c| c.kind == "email" && c.value.eq_ignore_ascii_case(from.trim()))
            });
            return Ok(known.then_some(lead));
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
        let labels: Vec<String> = intent_labels(classification.as_ref())
            .into_iter()
            .map(str::to_owned)
            .collect();
        let event = Event::ReplyReceived(Box::new(Reply {
            channel: ReplyChannel::Email(from.clone()),
            body: own,
            media: Vec::new(),
            classification,
            provider_id: reply
                .message_id
                .as_ref()
                .map(|m| format!("email-reply:{m}")),
        }));
        let document = self
            .store()
            .store_document(&NewDocument {
                received_at: now,
                channel: "email_reply".into(),
                content_type,
                body: raw,
            })
            .await?;
        let state = self.reply_state(&lead, from.as_str()).await?;
        let applied = self.drive_state(&lead, &state, event).await?;
        let (fresh, escalation) = match applied {
            Some(Applied::Applied { escalation }) => (true, escalation),
            Some(Applied::Duplicate) | None => (false, None),
        };
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
            escalation,
            acknowledged: None,
        })
    }
}

/// `text` cut to at most `max` bytes at a character boundary.
fn truncated(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default().to_owned()
}
