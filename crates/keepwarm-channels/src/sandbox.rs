//! The sandbox channel: every message is recorded in the outbox ([`crate::OutboxStore`]) instead of
//! leaving the machine. It is what `keepwarm serve` runs with by default, what demos and black-box tests read,
//! and it is exactly-once by construction: the outbox has one row per touch at most.

use async_trait::async_trait;
use jiff::Timestamp;

use crate::{
    Channel, ChannelError, Delivered, Delivery, Message, NewOutbox, OutboxAttachment, SharedOutbox,
};

/// Records messages in the outbox.
pub struct SandboxChannel {
    outbox: SharedOutbox,
}

impl SandboxChannel {
    /// A sandbox writing to `outbox`.
    pub fn new(outbox: SharedOutbox) -> Self {
        Self { outbox }
    }
}

fn outbox_entry(m: &Message) -> NewOutbox {
    NewOutbox {
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
        let entries: Vec<NewOutbox> = messages.iter().map(outbox_entry).collect();
        match self.outbox.insert(&entries).await {
            Ok(_) => messages.iter().map(|_| Ok(Delivery::default())).collect(),
            Err(e) => messages.iter().map(|_| Err(e.clone())).collect(),
        }
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
            provider_id: Some(format!("outbox-{}", r.id)),
            to: r.to,
            body: r.body,
            at: r.at,
        }))
    }
}
