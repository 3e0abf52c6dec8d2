//! What happens after a channel answers: recording the send, and what each refusal means.
//!
//! - delivered → `sent`, with the provider's id for later delivery callbacks;
//! - the carrier says the recipient opted out (Twilio 21610) → recorded exactly as a STOP reply:
//!   consent revoked on every channel, follow-up stopped on every lead with the number;
//! - the address cannot receive this channel (Twilio 21211/21614, an SMTP mailbox that does not
//!   exist) → the contact is marked unusable everywhere and the same step moves to the next channel
//!   the lead can receive, or fails when there is none;
//! - any other refusal → the touch fails with the provider's reason on the timeline;
//! - the provider is unreachable → the touch waits and is retried, and the managers are
//!   told once per outage.
//!
//! Call steps done by a person never reach a channel: they become a task in the owner's list.

use std::collections::HashMap;

use jiff::{Timestamp, ToSpan};
use keepwarm_channels::{Address, ChannelError, Delivery, RecipientKind};
use keepwarm_domain::cadence::{Channel as ChannelKind, Step};
use keepwarm_domain::config::Transport;
use keepwarm_domain::lead::LeadInput;
use keepwarm_domain::timeline::{
    ManagerAlert, OutboundNote, TouchDelayed, TouchFailed, TouchRerouted, TouchSent,
};
use keepwarm_domain::LeadId;
use keepwarm_domain::TimelineEvent;
use keepwarm_store::{ClaimedTouch, NewEvent, NewTask, TouchOutcome, TouchResult};

use crate::consent::forbids;
use crate::context::vehicle_name;
use crate::dispatch::Pending;
use crate::{Engine, Result};
use keepwarm_domain::machine::{staff_message, ChannelRefusal, Event};
use keepwarm_store::OutboundPurpose;

/// How long a touch waits when its provider is unreachable before it is tried again.
const RETRY_AFTER_MINUTES: i64 = 5;

impl Engine {
    /// The outcome of a touch the channel answered for.
    pub(crate) fn record_send(
        &self,
        p: Pending,
        result: std::result::Result<Delivery, ChannelError>,
        revoked: &HashMap<String, Vec<String>>,
        now: Timestamp,
    ) -> TouchOutcome {
        let c = &p.claimed;
        let failed = |reason: String, event: TouchFailed| {
            let mut o = self.finished(
                c,
                &p.facts,
                &p.snapshot,
                now,
                TouchResult::Failed { reason },
                vec![],
            );
            o.events
                .insert(0, NewEvent::new(now, TimelineEvent::TouchFailed(event)));
            o
        };
        let refused = |reason: &str| TouchFailed {
            touch_id: c.touch.id,
            channel: p.message.kind,
            reason: reason.to_owned(),
            opted_out: false,
            unreachable: false,
        };
        match result {
            Ok(delivery) => {
                let mut o = self.finished(
                    c,
                    &p.facts,
                    &p.snapshot,
                    now,
                    TouchResult::Sent {
                        variant: Some(p.variant),
                        recipient: p.message.to.to_string(),
                        body: p.message.body.clone(),
                        provider_id: delivery.provider_id.clone(),
                    },
                    vec![],
                );
                let sent = TouchSent {
                    provider_id: delivery.provider_id,
                    ..p.sent
                };
                o.events.insert(
                    0,
                    NewEvent::new(now, TimelineEvent::TouchSent(Box::new(sent))),
                );
                o
            }
            Err(ChannelError::Rejected(reason)) => failed(reason.clone(), refused(&reason)),
            Err(ChannelError::OptedOut(reason)) => failed(
                format!("recipient opted out at the carrier: {reason}"),
                TouchFailed {
                    opted_out: true,
                    ..refused(&reason)
                },
            ),
            Err(ChannelError::Unreachable(reason)) => {
                match self.next_channel(c, p.message.kind, revoked) {
                    Some(channel) => TouchOutcome {
                        touch_id: c.touch.id,
                        lead_id: c.lead.id,
                        enrollment_id: c.touch.enrollment_id,
                        at: now,
                        result: TouchResult::Reroute {
                            channel,
                            reason: reason.clone(),
                            due: now,
                        },
                        next: None,
                        complete: false,
                        events: vec![NewEvent::new(
                            now,
                            TimelineEvent::TouchRerouted(TouchRerouted {
                                touch_id: c.touch.id,
                                from: p.message.kind,
                                to: channel,
                                reason: reason.clone(),
                            }),
                        )],
                        tasks: vec![],
                    },
                    None => failed(
                        format!("{reason}; the lead has no other channel for this step"),
                        TouchFailed {
                            unreachable: true,
                            ..refused(&reason)
                        },
                    ),
                }
            }
            Err(ChannelError::Unavailable(reason) | ChannelError::Uncertain(reason)) => {
                let due = now
                    .checked_add(RETRY_AFTER_MINUTES.minutes())
                    .unwrap_or(Timestamp::MAX);
                TouchOutcome {
                    touch_id: c.touch.id,
                    lead_id: c.lead.id,
                    enrollment_id: c.touch.enrollment_id,
                    at: now,
                    result: TouchResult::Retry {
                        reason: reason.clone(),
                        due,
                    },
                    next: None,
                    complete: false,
                    events: vec![NewEvent::new(
                        now,
                        TimelineEvent::TouchDelayed(TouchDelayed {
                            touch_id: c.touch.id,
                            reason: reason.clone(),
                            retry_at: due,
                        }),
                    )],
                    tasks: vec![],
                }
            }
        }
    }

    /// The channel a step moves to when `failed` cannot reach the lead: e-mail for a phone that
    /// cannot take texts or calls, a text for an address that bounced — if the lead has it, has not
    /// revoked it, and the dealership has it on.
    fn next_channel(
        &self,
        c: &ClaimedTouch,
        failed: ChannelKind,
        revoked: &HashMap<String, Vec<String>>,
    ) -> Option<ChannelKind> {
        let channels = self.config().channels.for_dealership(&c.lead.dealership);
        let (candidate, contact) = match failed {
            ChannelKind::Email => (ChannelKind::Sms, c.lead.phone()?.as_str().to_owned()),
            _ => (ChannelKind::Email, c.lead.email()?.match_key()),
        };
        let allowed = channels.transport(candidate) != Transport::Off
            && forbids(revoked.get(&contact), candidate).is_none();
        allowed.then_some(candidate)
    }

    /// Carries out what a refusal means beyond the touch (the machine's
    /// `Event::ChannelRefused`): a carrier opt-out revokes consent and stops every lead with the
    /// number; an unreachable address is marked unusable everywhere.
    pub(crate) async fn apply_refusal(
        &self,
        lead: LeadId,
        address: &Address,
        error: &ChannelError,
    ) -> Result<()> {
        let refusal = match (error, address) {
            (ChannelError::OptedOut(reason), Address::Phone(phone)) => {
                ChannelRefusal::PhoneOptedOut {
                    phone: phone.clone(),
                    reason: reason.clone(),
                }
            }
            (ChannelError::OptedOut(reason), Address::Email(email)) => {
                ChannelRefusal::EmailOptedOut {
                    address: email.clone(),
                    reason: reason.clone(),
                }
            }
            (ChannelError::Unreachable(reason), address) => {
                let (kind, value) = match address {
                    Address::Phone(p) => ("phone", p.as_str().to_owned()),
                    Address::Email(e) => ("email", e.as_str().to_owned()),
                };
                ChannelRefusal::Unreachable {
                    kind: kind.into(),
                    value,
                    reason: reason.clone(),
                }
            }
            _ => return Ok(()),
        };
        let row = self.existing(lead).await?;
        let mut state = self.lead_state(&row).await?;
        if let ChannelRefusal::PhoneOptedOut { phone, .. } = &refusal {
            state.contact = self.contact_facts(phone.as_str()).await?;
        }
        let carrier = matches!(refusal, ChannelRefusal::PhoneOptedOut { .. });
        self.drive_state(&row, &state, Event::ChannelRefused(Box::new(refusal)))
            .await?;
        if carrier {
            self.telemetry.opted_out(lead, "carrier");
        }
        Ok(())
    }

    /// A call step done by a person: the owner gets a task with the script and the lead's context;
    /// the step counts as done and the cadence goes on.
    pub(crate) fn assign_call_task(&self, p: Pending, step: &Step, now: Timestamp) -> TouchOutcome {
        let c = &p.claimed;
        let brief = call_brief(c, &p.facts.input_or_default(), &p.message.body);
        let task = NewTask {
            owner_id: c.lead.owner_id.clone(),
            kind: "call".into(),
            touch_id: Some(c.touch.id),
            due_at: now,
            body: brief.clone(),
        };
        let mut o = self.finished(
            c,
            &p.facts,
            &p.snapshot,
            now,
            TouchResult::Sent {
                variant: Some(p.variant),
                recipient: c.lead.owner_id.clone(),
                body: brief,
                provider_id: None,
            },
            vec![task],
        );
        o.events.insert(
            0,
            NewEvent::new(
                now,
                TimelineEvent::TouchSent(Box::new(TouchSent {
                    touch_id: c.touch.id,
                    step: c.touch.step_index + 1,
                    channel: ChannelKind::Call,
                    block: step.block.clone(),
                    variant: Some(p.variant),
                    fell_back: None,
                    repeated: None,
                    recipient_kind: Some(RecipientKind::Staff.as_str().to_owned()),
                    to: Some(c.lead.owner_id.clone()),
                    mode: Some("task".into()),
                    target_at: Some(c.touch.target_at),
                    due_at: Some(c.touch.due_at),
                    sent_at: now,
                    reconciled: false,
                    provider_id: None,
                    consent: None,
                })),
            ),
        );
        o
    }

    /// Tells every manager (role `manager`), once per outage, that a transport is down and touches are
    /// waiting for it — through a transport that is not the one down.
    pub(crate) async fn alert_outages(&self, now: Timestamp) -> Result<()> {
        let health = self.channel.health();
        let newly_down: Vec<(String, String, Option<Timestamp>)> = {
            let mut alerted = self
                .outages_alerted
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            let mut out = Vec::new();
            for h in &health {
                if h.status == "down" {
                    if alerted.insert(h.transport.clone()) {
                        out.push((
                            h.transport.clone(),
                            h.last_error.clone().unwrap_or_default(),
                            h.down_since,
                        ));
                    }
                } else {
                    alerted.remove(&h.transport);
                }
            }
            out
        };
        let mut queued = Vec::new();
        for (transport, error, since) in newly_down {
            tracing::error!(
                %transport,
                error = crate::telemetry::redacted_text("down", &error),
                "channel down: touches are delayed and retried"
            );
            let config = self.config();
            for manager in config
                .staff
                .iter()
                .filter(|s| s.role == keepwarm_domain::routing::Role::Manager)
            {
                let Some(dealership) = config.dealership(None) else {
                    continue;
                };
                let text = format!(
                    "keepwarm: {transport} is not accepting messages ({error}). Touches are waiting and will be retried every {RETRY_AFTER_MINUTES} minutes; none are skipped."
                );
                let via_email = transport != "smtp";
                let to = match (via_email, &manager.email, &manager.phone) {
                    (true, Some(e), _) => Address::Email(e.clone()),
                    (false, _, Some(p)) => Address::Phone(p.clone()),
                    _ => continue,
                };
                let kind = if via_email {
                    ChannelKind::Email
                } else {
                    ChannelKind::Sms
                };
                let alert = ManagerAlert {
                    manager: manager.id.clone(),
                    outbound: OutboundNote::default(),
                };
                let mut message = staff_message(
                    OutboundPurpose::ManagerAlert,
                    None,
                    &dealership.id,
                    kind,
                    to.to_string(),
                    format!("Channel down: {transport}"),
                    text,
                    NewEvent::new(now, TimelineEvent::ManagerAlerted(alert.clone())),
                    NewEvent::new(now, TimelineEvent::ManagerAlertFailed(alert)),
                    now,
                );
                // Once per outage and manager, whichever process noticed it first.
                message.dedupe_key = Some(format!(
                    "outage:{transport}:{}:{}",
                    since.map(|t| t.as_millisecond()).unwrap_or_default(),
                    manager.id
                ));
                queued.push(message);
            }
        }
        if !queued.is_empty() {
            self.enqueue(&queued).await?;
        }
        Ok(())
    }
}

/// The call task's text: who to call, how, and the script, so the caller never has to look it up.
pub(crate) fn call_brief(c: &ClaimedTouch, input: &LeadInput, script: &str) -> String {
    let name = c
        .lead
        .display_name
        .clone()
        .unwrap_or_else(|| "the customer".into());
    let phone = c.lead.phone().map(|p| p.national()).unwrap_or_default();
    let vehicle = input
        .vehicles
        .first()
        .and_then(vehicle_name)
        .map(|v| format!(" | interested in {v}"))
        .unwrap_or_default();
    format!(
        "Call task: {name} {phone} (lead {}){vehicle}. {script}",
        c.lead.id
    )
}
