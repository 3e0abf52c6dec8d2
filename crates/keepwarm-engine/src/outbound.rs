//! The worker's side of the durable outbound queue: every message that is not a cadence touch
//! (staff alerts, escalation hand-offs, opt-out confirmations, manager alerts, weekly reports) is
//! queued by the decision that wants it, in the same transaction, and sent from here.
//!
//! One step claims a batch with a lease, passes each message through the compliance gate, hands the
//! batch to the channel with no transaction open, and records every result with the timeline event
//! the decision asked for. Messages whose lease ran out while `sending` (their process died) are
//! looked up at the channel first: delivered ones are recorded as sent, the others queued again, so
//! none is lost and none is sent twice.

use jiff::{Timestamp, ToSpan};
use keepwarm_channels::{Address, Attachment, ChannelError, Message, RecipientKind};
use keepwarm_domain::cadence::Channel as ChannelKind;
use keepwarm_domain::compliance::kill_switch::holding;
use keepwarm_domain::{EmailAddress, PhoneNumber};
use keepwarm_store::{NewOutbound, OutboundFinish, OutboundPurpose, OutboundResult, OutboundRow};

use crate::{Engine, Result};

/// How many queued messages one step claims.
const BATCH: u32 = 256;
/// How long a message waits after its channel was down.
const RETRY_MINUTES: i64 = 5;

/// The channel message for a queued row; `Err` when its address no longer parses.
fn message_of(m: &OutboundRow, now: Timestamp) -> std::result::Result<Message, String> {
    let kind: ChannelKind = m
        .channel
        .parse()
        .map_err(|e| format!("unknown channel `{}`: {e}", m.channel))?;
    let to = match kind {
        ChannelKind::Email => Address::Email(
            EmailAddress::parse(&m.recipient).map_err(|e| format!("{}: {e}", m.recipient))?,
        ),
        _ => Address::Phone(
            PhoneNumber::parse(&m.recipient, "US").map_err(|e| format!("{}: {e}", m.recipient))?,
        ),
    };
    Ok(Message {
        touch_id: None,
        outbound_id: Some(m.id),
        lead_id: m.lead_id,
        kind,
        recipient_kind: if m.recipient_kind == "customer" {
            RecipientKind::Customer
        } else {
            RecipientKind::Staff
        },
        to,
        subject: m.subject.clone(),
        body: m.body.clone(),
        at: now,
        dealership: m.dealership.clone(),
        attachments: m
            .attachments
            .iter()
            .map(|a| Attachment {
                filename: a.filename.clone(),
                content_type: a.content_type.clone(),
                data: a.content.clone().into_bytes(),
            })
            .collect(),
        sender: m.sender.clone(),
    })
}

impl Engine {
    /// Sends one batch of queued messages due at `now` (after reconciling messages whose lease
    /// expired). Returns how many were finished.
    pub(crate) async fn run_outbound(&self, now: Timestamp) -> Result<usize> {
        let lease_until = self.role.queue_lease_until(now);
        let mut done = self.reconcile_outbound(now, lease_until).await?;
        let claimed = self
            .store()
            .claim_outbound(now, &self.worker, lease_until, BATCH)
            .await?;
        if claimed.is_empty() {
            return Ok(done);
        }
        let mut finishes = Vec::with_capacity(claimed.len());
        let mut sendable = Vec::new();
        let customers: Vec<String> = claimed
            .iter()
            .filter(|m| m.recipient_kind == RecipientKind::Customer.as_str())
            .map(|m| m.recipient.to_lowercase())
            .collect();
        let erased = self.suppressed_contacts(&customers).await?;
        // The only automated customer message on this queue; the others are owed to the customer
        // (confirmations, HELP answers), a person's own, or to staff.
        let halted = if claimed
            .iter()
            .any(|m| m.purpose == OutboundPurpose::MissedCallText)
        {
            self.engaged_switches().await?
        } else {
            Vec::new()
        };
        for m in &claimed {
            if let (OutboundPurpose::MissedCallText, Some(e)) =
                (m.purpose, holding(&halted, &m.dealership))
            {
                let reason = format!("not sent: {}", e.hold_reason());
                finishes.push(self.outbound_finish(m.id, now, OutboundResult::Failed { reason }));
                continue;
            }
            if m.recipient_kind == RecipientKind::Customer.as_str()
                && erased.contains(&m.recipient.to_lowercase())
            {
                let reason = crate::people::SUPPRESSED_REFUSAL.to_owned();
                finishes.push(self.outbound_finish(m.id, now, OutboundResult::Failed { reason }));
                continue;
            }
            if let Some(reason) = self.refused_at_send(m, now).await? {
                finishes.push(self.outbound_finish(m.id, now, OutboundResult::Failed { reason }));
                continue;
            }
            match message_of(m, now) {
                Ok(message) => sendable.push((m.id, message)),
                Err(reason) => finishes.push(self.outbound_finish(
                    m.id,
                    now,
                    OutboundResult::Failed { reason },
                )),
            }
        }
        let messages: Vec<Message> = sendable.iter().map(|(_, m)| m.clone()).collect();
        let results = self.channel.send_batch(&messages).await;
        for ((id, message), result) in sendable.into_iter().zip(results) {
            if let Err(e) = &result {
                self.telemetry.provider_error(message.kind, None, e);
            }
            let outcome = match result {
                Ok(d) => OutboundResult::Sent {
                    provider_id: d.provider_id,
                },
                Err(ChannelError::Unavailable(reason)) => OutboundResult::Retry {
                    reason,
                    retry_at: now
                        .checked_add(RETRY_MINUTES.minutes())
                        .unwrap_or(Timestamp::MAX),
                },
                // Unknown: the lease runs out and the message is reconciled before any resend.
                Err(ChannelError::Uncertain(reason)) => {
                    tracing::warn!(
                        outbound = id,
                        error = crate::telemetry::redacted_text("uncertain", &reason),
                        "outbound message outcome unknown"
                    );
                    continue;
                }
                Err(e) => OutboundResult::Failed {
                    reason: e.to_string(),
                },
            };
            finishes.push(self.outbound_finish(id, now, outcome));
        }
        done += finishes.len();
        self.store().finish_outbound(&finishes).await?;
        Ok(done)
    }

    /// Settles messages a stopped worker left `sending`: the channel is asked whether each was
    /// delivered; delivered ones are recorded as sent, undelivered ones queued again.
    async fn reconcile_outbound(&self, now: Timestamp, lease_until: Timestamp) -> Result<usize> {
        let expired = self
            .store()
            .reclaim_expired_outbound(now, &self.worker, lease_until, BATCH)
            .await?;
        let mut finishes = Vec::new();
        for m in &expired {
            let Ok(message) = message_of(m, now) else {
                finishes.push(self.outbound_finish(m.id, now, OutboundResult::Release));
                continue;
            };
            let since = m.claimed_at.unwrap_or(m.created_at);
            match self.channel.lookup(&message, since).await {
                Ok(Some(found)) => finishes.push(self.outbound_finish(
                    m.id,
                    now,
                    OutboundResult::Sent {
                        provider_id: found.provider_id,
                    },
                )),
                Ok(None) => finishes.push(self.outbound_finish(m.id, now, OutboundResult::Release)),
                Err(e) => {
                    tracing::warn!(
                        outbound = m.id,
                        error = crate::telemetry::redacted(&e),
                        "cannot reconcile outbound message yet"
                    )
                }
            }
        }
        self.store().finish_outbound(&finishes).await?;
        Ok(finishes.len())
    }

    fn outbound_finish(&self, id: i64, at: Timestamp, result: OutboundResult) -> OutboundFinish {
        OutboundFinish {
            id,
            worker: self.worker.clone(),
            at,
            result,
        }
    }

    /// Queues messages on the durable outbound queue and wakes the worker.
    pub(crate) async fn enqueue(&self, messages: &[NewOutbound]) -> Result<Vec<Option<i64>>> {
        let ids = self.store().enqueue_outbound(messages, self.now()).await?;
        self.wake_workers().await;
        Ok(ids)
    }
}
