//! The Twilio transport: texts through the Messages API, automated calls and voicemail drops through
//! the Calls API, for whichever dealership a message is for.
//!
//! Protocol details (form encoding, retries that never duplicate a text, the per-number rate limit,
//! error codes) live in `keepwarm-twilio`; this adapter maps them to keepwarm's terms:
//! a carrier opt-out (21610) is [`ChannelError::OptedOut`], an unusable number (21211, 21614, ...)
//! [`ChannelError::Unreachable`], a provider outage [`ChannelError::Unavailable`], anything else
//! [`ChannelError::Rejected`] with Twilio's code and message. A request that may have reached Twilio
//! before failing is looked up at once; when even that fails the touch is reported
//! [`ChannelError::Uncertain`], so it is reconciled instead of sent again.
//!
//! Every message carries a `StatusCallback` naming its touch, so delivery reports find their touch
//! even when they arrive before the send is recorded.

use async_trait::async_trait;
use futures::StreamExt;
use jiff::Timestamp;
use keepwarm_domain::cadence::Channel as ChannelKind;
use keepwarm_domain::config::ChannelSettings;
use keepwarm_domain::PhoneNumber;
use keepwarm_twilio::{
    CallInstructions, CreateCall, Dial, ErrorClass, MachineDetection, SendMessage, Sender,
    TwilioClient, TwilioError, TwimlResponse,
};
use url::Url;

use crate::{Address, BridgeCall, Channel, ChannelError, Delivered, Delivery, Message};

/// How many requests one batch keeps in flight.
const CONCURRENCY: usize = 32;

/// How far before a claim reconciliation looks for the message. Twilio stamps `date_created` in
/// whole seconds and its clock is not ours, so a text created in the same second as its claim (or
/// on a clock a little behind) must still be found; the body and number must match exactly, and a
/// cadence never sends one number the same words twice within minutes.
const LOOKUP_MARGIN: jiff::SignedDuration = jiff::SignedDuration::from_secs(120);

/// Sends through Twilio.
pub struct TwilioChannel {
    client: TwilioClient,
    settings: ChannelSettings,
    public_url: Option<Url>,
}

impl TwilioChannel {
    /// A Twilio transport. `public_url` is where Twilio reaches this server (status callbacks,
    /// call instructions); without it texts still go out but report no delivery status, and
    /// automated calls cannot be placed.
    pub fn new(client: TwilioClient, settings: ChannelSettings, public_url: Option<Url>) -> Self {
        Self {
            client,
            settings,
            public_url,
        }
    }

    fn callback(&self, path: &str, touch: Option<i64>) -> Option<Url> {
        let mut url = self.public_url.as_ref()?.join(path).ok()?;
        if let Some(t) = touch {
            url.query_pairs_mut().append_pair("touch", &t.to_string());
        }
        Some(url)
    }

    fn sender(&self, m: &Message) -> Result<Sender, ChannelError> {
        let d = self.settings.for_dealership(&m.dealership);
        match (&d.messaging_service_sid, &d.sms_from) {
            (Some(sid), _) => Ok(Sender::MessagingService(sid.clone())),
            (None, Some(from)) => Ok(Sender::Number(from.as_str().to_owned())),
            (None, None) => Err(ChannelError::Unavailable(format!(
                "dealership `{}` has no sms_from or messaging_service_sid in channels.toml",
                m.dealership
            ))),
        }
    }

    async fn send_text(&self, m: &Message, to: &str) -> Result<Delivery, ChannelError> {
        let from = self.sender(m)?;
        let request = SendMessage {
            to: to.to_owned(),
            from: from.clone(),
            body: m.body.clone(),
            status_callback: self.callback("/webhooks/twilio/status", m.touch_id),
        };
        match self.client.send_message(&request).await {
            Ok(resource) => Ok(Delivery {
                provider_id: Some(resource.sid),
            }),
            Err(e) if maybe_sent(&e) => {
                // The request may have created the message: look before anyone sends it again.
                match self
                    .client
                    .find_sent_message(to, &from, &m.body, m.at - LOOKUP_MARGIN)
                    .await
                {
                    Ok(Some(found)) => Ok(Delivery {
                        provider_id: Some(found.sid),
                    }),
                    Ok(None) => Err(ChannelError::Unavailable(e.to_string())),
                    Err(lookup) => Err(ChannelError::Uncertain(format!(
                        "{e}; looking it up failed too: {lookup}"
                    ))),
                }
            }
            Err(e) => Err(map_error(&e)),
        }
    }

    async fn place_call(&self, m: &Message, to: &str) -> Result<Delivery, ChannelError> {
        let from = self.caller_id(&m.dealership)?;
        let instructions = self
            .callback("/webhooks/twilio/voice", m.touch_id)
            .ok_or_else(|| {
                ChannelError::Unavailable(
                    "automated calls need KEEPWARM_PUBLIC_URL (Twilio fetches the call's instructions from it)"
                        .into(),
                )
            })?;
        let request = CreateCall {
            to: to.to_owned(),
            from: from.as_str().to_owned(),
            instructions: CallInstructions::Url(instructions),
            status_callback: self.callback("/webhooks/twilio/status", m.touch_id),
            status_events: Vec::new(),
            // Wait for the end of the greeting so the message lands after the beep.
            machine_detection: Some(MachineDetection::DetectMessageEnd),
            async_amd_callback: None,
            timeout_seconds: Some(self.settings.twilio.ring_seconds),
        };
        match self.client.create_call(&request).await {
            Ok(call) => Ok(Delivery {
                provider_id: Some(call.sid),
            }),
            // Calls cannot be listed by this client: a call that may have been placed is left to
            // reconciliation, which counts it as placed (a second call is worse than none).
            Err(e) if maybe_sent(&e) => Err(ChannelError::Uncertain(e.to_string())),
            Err(e) => Err(map_error(&e)),
        }
    }
}

impl TwilioChannel {
    /// The number calls for `dealership` come from: its caller ID, else its texting number.
    fn caller_id(&self, dealership: &str) -> Result<PhoneNumber, ChannelError> {
        let d = self.settings.for_dealership(dealership);
        d.caller_id.or(d.sms_from).ok_or_else(|| {
            ChannelError::Unavailable(format!(
                "dealership `{dealership}` has no caller_id or sms_from in channels.toml"
            ))
        })
    }

    /// The click-to-call: Twilio rings the staff member from the dealership's number and, once they
    /// answer, runs TwiML that dials the customer with the same caller ID. Every progress event of
    /// the staff leg is posted to `/webhooks/twilio/calls/status`, and how the customer leg ended to
    /// `/webhooks/twilio/calls/dial`, both naming the call by its reference.
    async fn place_bridge(&self, call: &BridgeCall) -> Result<Delivery, ChannelError> {
        let from = self.caller_id(&call.dealership)?;
        let with_reference = |path: &str| {
            let mut url = self.callback(path, None)?;
            url.query_pairs_mut().extend_pairs(&call.reference);
            Some(url)
        };
        let (Some(status), Some(dial)) = (
            with_reference("/webhooks/twilio/calls/status"),
            with_reference("/webhooks/twilio/calls/dial"),
        ) else {
            return Err(ChannelError::Unavailable(
                "calls need KEEPWARM_PUBLIC_URL (Twilio reports the call's progress to it)".into(),
            ));
        };
        let twiml = TwimlResponse::new()
            .ring(Dial {
                numbers: vec![call.customer_phone.as_str().to_owned()],
                caller_id: Some(from.as_str().to_owned()),
                timeout_seconds: Some(call.ring_seconds),
                action: Some(dial.to_string()),
            })
            .render();
        let request = CreateCall {
            to: call.staff_phone.as_str().to_owned(),
            from: from.as_str().to_owned(),
            instructions: CallInstructions::Twiml(twiml),
            status_callback: Some(status),
            status_events: ["initiated", "ringing", "answered", "completed"]
                .map(String::from)
                .to_vec(),
            machine_detection: None,
            async_amd_callback: None,
            timeout_seconds: Some(call.ring_seconds),
        };
        match self.client.create_call(&request).await {
            Ok(created) => Ok(Delivery {
                provider_id: Some(created.sid),
            }),
            Err(e) if maybe_sent(&e) => Err(ChannelError::Uncertain(e.to_string())),
            Err(e) => Err(map_error(&e)),
        }
    }
}

fn maybe_sent(e: &TwilioError) -> bool {
    matches!(
        e.class(),
        ErrorClass::Retryable {
            maybe_sent: true,
            ..
        }
    )
}

/// Twilio's error in keepwarm's terms, keeping its code and message.
fn map_error(e: &TwilioError) -> ChannelError {
    let reason = e.to_string();
    match e.class() {
        ErrorClass::OptedOut => ChannelError::OptedOut(reason),
        ErrorClass::RecipientUnusable => ChannelError::Unreachable(reason),
        ErrorClass::Retryable { .. } | ErrorClass::Misconfigured => {
            ChannelError::Unavailable(reason)
        }
        ErrorClass::Permanent => ChannelError::Rejected(reason),
    }
}

#[async_trait]
impl Channel for TwilioChannel {
    fn name(&self) -> &'static str {
        "twilio"
    }

    async fn send(&self, m: &Message) -> Result<Delivery, ChannelError> {
        let Address::Phone(to) = &m.to else {
            return Err(ChannelError::Rejected(format!(
                "twilio cannot deliver to {}",
                m.to
            )));
        };
        match m.kind {
            ChannelKind::Sms => self.send_text(m, to.as_str()).await,
            ChannelKind::Call | ChannelKind::Voicemail => self.place_call(m, to.as_str()).await,
            ChannelKind::Email => Err(ChannelError::Rejected(
                "twilio does not carry e-mail".into(),
            )),
        }
    }

    async fn send_batch(&self, messages: &[Message]) -> Vec<Result<Delivery, ChannelError>> {
        // In order, with up to CONCURRENCY requests in flight; the per-number rate limit inside the
        // client paces each sending number.
        let sends: Vec<_> = messages.iter().map(|m| self.send(m)).collect();
        futures::stream::iter(sends)
            .buffered(CONCURRENCY)
            .collect()
            .await
    }

    async fn bridge_call(&self, call: &BridgeCall) -> Result<Delivery, ChannelError> {
        self.place_bridge(call).await
    }

    async fn lookup(
        &self,
        m: &Message,
        since: Timestamp,
    ) -> Result<Option<Delivered>, ChannelError> {
        let Address::Phone(to) = &m.to else {
            return Ok(None);
        };
        match m.kind {
            ChannelKind::Sms => {
                let from = self.sender(m)?;
                let found = self
                    .client
                    .find_sent_message(to.as_str(), &from, &m.body, since - LOOKUP_MARGIN)
                    .await
                    .map_err(|e| ChannelError::Unavailable(e.to_string()))?;
                Ok(found.map(|r| Delivered {
                    to: to.as_str().to_owned(),
                    body: m.body.clone(),
                    at: r.date_created.unwrap_or(since),
                    provider_id: Some(r.sid),
                }))
            }
            // A call cannot be looked up here; counting it as placed means at most one call.
            _ => Ok(Some(Delivered {
                to: to.as_str().to_owned(),
                body: m.body.clone(),
                at: since,
                provider_id: None,
            })),
        }
    }
}
