//! The router: one [`Channel`] in front of every transport, choosing for each message the transport
//! its dealership configured for its kind (`channels.toml`), and keeping each transport's health.
//!
//! The engine only ever talks to a router, so a dealership can text through Twilio, e-mail through
//! an SMTP relay and keep calls in the sandbox without the engine knowing. A kind that is `off`
//! for the dealership is refused with a reason; a transport that is configured but not available in
//! this process (its credentials missing) is reported unavailable, so touches wait rather than
//! vanish.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;
use jiff::Timestamp;
use keepwarm_domain::config::{ChannelSettings, Transport};

use crate::{Channel, ChannelError, Delivered, Delivery, Message, SharedChannel, TransportHealth};

/// Routes messages to transports by dealership and kind.
pub struct Router {
    settings: ChannelSettings,
    sandbox: SharedChannel,
    twilio: Option<SharedChannel>,
    smtp: Option<SharedChannel>,
    force_sandbox: bool,
    health: Mutex<BTreeMap<&'static str, Health>>,
}

#[derive(Debug, Default, Clone)]
struct Health {
    down_since: Option<Timestamp>,
    last_error: Option<String>,
    sent: u64,
    failed: u64,
}

impl Router {
    /// A router that sends everything to `sandbox` until transports are added.
    pub fn new(settings: ChannelSettings, sandbox: SharedChannel) -> Self {
        Self {
            settings,
            sandbox,
            twilio: None,
            smtp: None,
            force_sandbox: false,
            health: Mutex::new(BTreeMap::new()),
        }
    }

    /// Adds the Twilio transport (texts, calls, voicemail).
    pub fn with_twilio(mut self, twilio: SharedChannel) -> Self {
        self.twilio = Some(twilio);
        self
    }

    /// Adds the SMTP transport (e-mail).
    pub fn with_smtp(mut self, smtp: SharedChannel) -> Self {
        self.smtp = Some(smtp);
        self
    }

    /// Sends everything to the sandbox whatever `channels.toml` says (`keepwarm serve --sandbox`).
    pub fn sandbox_only(mut self) -> Self {
        self.force_sandbox = true;
        self
    }

    /// The transport a message goes through.
    fn route(&self, m: &Message) -> Result<(&'static str, &SharedChannel), ChannelError> {
        self.route_kind(&m.dealership, m.kind)
    }

    /// The transport that carries `kind` for `dealership`.
    fn route_kind(
        &self,
        dealership: &str,
        kind: keepwarm_domain::cadence::Channel,
    ) -> Result<(&'static str, &SharedChannel), ChannelError> {
        if self.force_sandbox {
            return Ok(("sandbox", &self.sandbox));
        }
        let transport = self.settings.for_dealership(dealership).transport(kind);
        let missing = |what: &str| {
            ChannelError::Unavailable(format!(
                "{what} is configured for dealership `{dealership}` but not available in this process (credentials missing?)"
            ))
        };
        match transport {
            Transport::Sandbox => Ok(("sandbox", &self.sandbox)),
            Transport::Twilio => self
                .twilio
                .as_ref()
                .map(|c| ("twilio", c))
                .ok_or_else(|| missing("twilio")),
            Transport::Smtp => self
                .smtp
                .as_ref()
                .map(|c| ("smtp", c))
                .ok_or_else(|| missing("smtp")),
            Transport::Off => Err(ChannelError::Rejected(format!(
                "{kind} is off for dealership `{dealership}` (channels.toml)"
            ))),
        }
    }

    fn note(
        &self,
        transport: &'static str,
        at: Timestamp,
        result: &Result<Delivery, ChannelError>,
    ) {
        let Ok(mut health) = self.health.lock() else {
            return;
        };
        let h = health.entry(transport).or_default();
        match result {
            Ok(_) => {
                h.sent += 1;
                h.down_since = None;
            }
            Err(e) => {
                h.failed += 1;
                if let ChannelError::Unavailable(reason) = e {
                    h.down_since.get_or_insert(at);
                    h.last_error = Some(reason.clone());
                } else {
                    h.last_error = Some(e.to_string());
                }
            }
        }
    }
}

#[async_trait]
impl Channel for Router {
    fn name(&self) -> &'static str {
        "router"
    }

    async fn send(&self, message: &Message) -> Result<Delivery, ChannelError> {
        let result = match self.route(message) {
            Ok((name, channel)) => {
                let r = channel.send(message).await;
                self.note(name, message.at, &r);
                r
            }
            Err(e) => Err(e),
        };
        result
    }

    async fn send_batch(&self, messages: &[Message]) -> Vec<Result<Delivery, ChannelError>> {
        let mut results: Vec<Option<Result<Delivery, ChannelError>>> = vec![None; messages.len()];
        // Group by transport, keeping each message's position.
        let mut groups: BTreeMap<&'static str, (&SharedChannel, Vec<usize>)> = BTreeMap::new();
        for (i, m) in messages.iter().enumerate() {
            match self.route(m) {
                Ok((name, channel)) => groups
                    .entry(name)
                    .or_insert((channel, Vec::new()))
                    .1
                    .push(i),
                Err(e) => results[i] = Some(Err(e)),
            }
        }
        let sends = groups.into_iter().map(|(name, (channel, idx))| async move {
            let batch: Vec<Message> = idx.iter().map(|&i| messages[i].clone()).collect();
            (name, idx, channel.send_batch(&batch).await)
        });
        for (name, idx, answers) in futures::future::join_all(sends).await {
            for (i, r) in idx.into_iter().zip(answers) {
                self.note(name, messages[i].at, &r);
                results[i] = Some(r);
            }
        }
        results
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| {
                    Err(ChannelError::Unavailable(
                        "no answer from the transport".into(),
                    ))
                })
            })
            .collect()
    }

    async fn lookup(
        &self,
        message: &Message,
        since: Timestamp,
    ) -> Result<Option<Delivered>, ChannelError> {
        let (_, channel) = self.route(message)?;
        channel.lookup(message, since).await
    }

    async fn bridge_call(&self, call: &crate::BridgeCall) -> Result<Delivery, ChannelError> {
        let (name, channel) =
            self.route_kind(&call.dealership, keepwarm_domain::cadence::Channel::Call)?;
        let result = channel.bridge_call(call).await;
        // Calls are not timestamped by the caller; an outage is dated by the next message.
        if result.is_ok() {
            self.note(name, Timestamp::UNIX_EPOCH, &result);
        }
        result
    }

    fn health(&self) -> Vec<TransportHealth> {
        let Ok(health) = self.health.lock() else {
            return Vec::new();
        };
        health
            .iter()
            .map(|(name, h)| TransportHealth {
                transport: (*name).to_owned(),
                status: if h.down_since.is_some() { "down" } else { "ok" },
                down_since: h.down_since,
                last_error: h.last_error.clone(),
                sent: h.sent,
                failed: h.failed,
            })
            .collect()
    }
}
