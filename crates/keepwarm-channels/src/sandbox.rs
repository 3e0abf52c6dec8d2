//! The sandbox channel: every message is recorded in the outbox ([`crate::OutboxStore`]) instead of
//! leaving the machine. It is what `keepwarm serve` runs with by default, what demos and black-box tests read,
//! and it is exactly-once by construction: the outbox has one row per touch at most.
//!
//! Its e-mails carry what SMTP's do ([`SandboxChannel::with_email`]): a Message-ID, which is the
//! provider id recorded for the message, and the lead's reply address, so a customer's e-mail
//! reply sent to `POST /webhooks/email` threads back onto the lead.
//!
//! A click-to-call is simulated: the call gets an id of its own (`CAsandbox…`,
//! [`crate::SANDBOX_CALL_PREFIX`]) and an outbox row saying who would be rung, and the engine
//! records it as queued, as it would a call Twilio accepted. Its legs are then played out by hand
//! (`POST /api/v1/sandbox/calls`) through the same steps Twilio's callbacks take.

use async_trait::async_trait;
use jiff::Timestamp;

use keepwarm_domain::config::Dealership;
use keepwarm_email::UnsubscribeSigner;

use crate::email_ids::{lead_reply_address, message_id};
use keepwarm_domain::cadence::Channel as ChannelKind;

use crate::{
    BridgeCall, Channel, ChannelError, Delivered, Delivery, Message, NewOutbox, OutboxAttachment,
    SharedOutbox, SANDBOX_CALL_PREFIX,
};

/// Records messages in the outbox.
pub struct SandboxChannel {
    outbox: SharedOutbox,
    email: Option<EmailIdentity>,
}

/// What the sandbox needs to name its e-mails as SMTP does.
struct EmailIdentity {
    signer: UnsubscribeSigner,
    dealerships: Vec<Dealership>,
}

impl SandboxChannel {
    /// A sandbox writing to `outbox`.
    pub fn new(outbox: SharedOutbox) -> Self {
        Self {
            outbox,
            email: None,
        }
    }

    /// E-mails get what SMTP gives them: a Message-ID from the dealership's address, and for a
    /// customer's e-mail about a lead the lead's reply address signed with `signer` (the key the
    /// server checks reply tags with), so a customer's answer threads back onto the lead.
    pub fn with_email(mut self, signer: UnsubscribeSigner, dealerships: Vec<Dealership>) -> Self {
        self.email = Some(EmailIdentity {
            signer,
            dealerships,
        });
        self
    }

    /// The Message-ID and Reply-To of `m`, when it is an e-mail from a dealership with an address.
    fn email_ids(&self, m: &Message) -> (Option<String>, Option<String>) {
        let Some(email) = self.email.as_ref().filter(|_| m.kind == ChannelKind::Email) else {
            return (None, None);
        };
        let from = email
            .dealerships
            .iter()
            .find(|d| d.id == m.dealership)
            .and_then(|d| d.email.as_ref());
        let Some(from) = from else {
            return (None, None);
        };
        let reply_to = lead_reply_address(m, from.as_str(), &email.signer)
            .or_else(|| m.sender.as_ref().and_then(|s| s.reply_to.clone()));
        let id = message_id(m, from.as_str())
            .ok()
            .map(|id| id.as_str().to_owned());
        (id, reply_to)
    }
}

fn outbox_entry(
    m: &Message,
    (message_id, reply_to): (Option<String>, Option<String>),
) -> NewOutbox {
    NewOutbox {
        message_id,
        reply_to,
        touch_id: m.touch_id,
        outbound_id: m.outbound_id,
        lead_id: m.lead_id,
        at: m.at,
        channel: m.kind.as_str().to_owned(),
        recipient_kind: m.recipient_kind.as_str().to_owned(),
        recipient: m.to.to_string(),
        subject: m.subject.clone(),
        body: m.body.clone(),
        attachments: m
            .attachments
            .iter()
            .map(|a| OutboxAttachment {
                filename: a.filename.clone(),
                content_type: a.content_type.clone(),
                content: String::from_utf8_lossy(&a.data).into_owned(),
            })
            .collect(),
    }
}

#[async_trait]
impl Channel for SandboxChannel {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    async fn send(&self, message: &Message) -> Result<Delivery, ChannelError> {
        self.send_batch(std::slice::from_ref(message))
            .await
            .pop()
            .unwrap_or_else(|| Err(ChannelError::Unavailable("no result".into())))
    }

    async fn send_batch(&self, messages: &[Message]) -> Vec<Result<Delivery, ChannelError>> {
        let entries: Vec<NewOutbox> = messages
            .iter()
            .map(|m| outbox_entry(m, self.email_ids(m)))
            .collect();
        match self.outbox.insert(&entries).await {
            // An e-mail's provider id is its Message-ID, as over SMTP: a reply naming it finds the
            // lead.
            Ok(_) => entries
                .into_iter()
                .map(|e| {
                    Ok(Delivery {
                        provider_id: e.message_id,
                    })
                })
                .collect(),
            Err(e) => messages.iter().map(|_| Err(e.clone())).collect(),
        }
    }

    async fn bridge_call(&self, call: &BridgeCall) -> Result<Delivery, ChannelError> {
        let sid = format!("{SANDBOX_CALL_PREFIX}{:023x}", rand::random::<u128>() >> 36);
        let lead_id = call
            .reference
            .iter()
            .find(|(k, _)| k == "lead")
            .and_then(|(_, v)| v.parse().ok())
            .map(keepwarm_domain::LeadId);
        let entry = NewOutbox {
            touch_id: None,
            outbound_id: None,
            lead_id,
            at: call.at,
            channel: "call".into(),
            recipient_kind: "staff".into(),
            recipient: call.staff_phone.as_str().to_owned(),
            subject: None,
            body: format!(
                "Click-to-call {sid}: rings {} first, then dials the customer at {} from the \
                 store's number. Play it out with POST /api/v1/sandbox/calls.",
                call.staff_phone.as_str(),
                call.customer_phone.as_str()
            ),
            attachments: Vec::new(),
            message_id: None,
            reply_to: None,
        };
        self.outbox.insert(&[entry]).await?;
        Ok(Delivery {
            provider_id: Some(sid),
        })
    }

    async fn lookup(
        &self,
        message: &Message,
        _since: Timestamp,
    ) -> Result<Option<Delivered>, ChannelError> {
        let found = match (message.touch_id, message.outbound_id) {
            (Some(touch), _) => self.outbox.for_touch(touch).await?,
            (None, Some(outbound)) => self.outbox.for_outbound(outbound).await?,
            (None, None) => return Ok(None),
        };
        Ok(found.map(|r| Delivered {
            provider_id: r.message_id.or_else(|| Some(format!("outbox-{}", r.id))),
            to: r.to,
            body: r.body,
            at: r.at,
        }))
    }
}
