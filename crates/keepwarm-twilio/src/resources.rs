//! The shapes crossing the REST boundary: what the caller asks for ([`SendMessage`],
//! [`CreateCall`]) and what Twilio answers ([`MessageResource`], [`CallResource`]). Owns their
//! form encoding and the reading of Twilio's RFC 2822 dates; does no IO.

use crate::callbacks::{CallStatus, DeliveryStatus};
use crate::twiml::Twiml;
use jiff::Timestamp;
use url::Url;

/// Who a text is sent from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Sender {
    /// A Twilio phone number in E.164 (`From`).
    Number(String),
    /// A Messaging Service SID, `MG` + 32 hex (`MessagingServiceSid`); Twilio picks the number.
    MessagingService(String),
}

impl Sender {
    /// The number or SID, which also keys the [`crate::SendRateLimiter`].
    pub fn as_str(&self) -> &str {
        match self {
            Sender::Number(s) | Sender::MessagingService(s) => s,
        }
    }
}

/// A text to send (Twilio's CreateMessage).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendMessage {
    /// The recipient, E.164 (`To`).
    pub to: String,
    /// The sender (`From` or `MessagingServiceSid`).
    pub from: Sender,
    /// The text (`Body`).
    pub body: String,
    /// Where Twilio posts status callbacks for this message (`StatusCallback`).
    pub status_callback: Option<Url>,
}

impl SendMessage {
    /// The form parameters, named as in Twilio's OpenAPI description.
    pub fn form(&self) -> Vec<(&'static str, String)> {
        let mut form = vec![("To", self.to.clone())];
        match &self.from {
            Sender::Number(n) => form.push(("From", n.clone())),
            Sender::MessagingService(sid) => form.push(("MessagingServiceSid", sid.clone())),
        }
        form.push(("Body", self.body.clone()));
        if let Some(url) = &self.status_callback {
            form.push(("StatusCallback", url.to_string()));
        }
        form
    }
}

/// What Twilio does when the called party answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallInstructions {
    /// Fetch TwiML from this URL (`Url`).
    Url(Url),
    /// Run this TwiML (`Twiml`, at most 4000 characters).
    Twiml(Twiml),
}

/// Answering machine detection (`MachineDetection`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MachineDetection {
    /// Report `AnsweredBy` as soon as Twilio knows (`Enable`).
    Enable,
    /// Wait for the end of a voicemail greeting, to leave a message (`DetectMessageEnd`).
    DetectMessageEnd,
}

impl MachineDetection {
    /// The value Twilio expects.
    pub fn as_str(self) -> &'static str {
        match self {
            MachineDetection::Enable => "Enable",
            MachineDetection::DetectMessageEnd => "DetectMessageEnd",
        }
    }
}

/// A call to place (Twilio's CreateCall).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateCall {
    /// Who to call, E.164 (`To`).
    pub to: String,
    /// The caller ID: a Twilio number or verified caller ID, E.164 (`From`).
    pub from: String,
    /// What to do once answered (`Url` or `Twiml`).
    pub instructions: CallInstructions,
    /// Where Twilio posts call status callbacks (`StatusCallback`).
    pub status_callback: Option<Url>,
    /// The progress events posted to `status_callback` (`StatusCallbackEvent`, one parameter each:
    /// `initiated`, `ringing`, `answered`, `completed`); empty leaves Twilio's default, `completed`
    /// only.
    pub status_events: Vec<String>,
    /// Answering machine detection (`MachineDetection`); `None` leaves it off.
    pub machine_detection: Option<MachineDetection>,
    /// With machine detection, run it in the background and post `AnsweredBy` here
    /// (`AsyncAmd=true`, `AsyncAmdStatusCallback`); `None` blocks the call until detection ends.
    pub async_amd_callback: Option<Url>,
    /// Seconds to let it ring (`Timeout`; Twilio's default is 60, maximum 600).
    pub timeout_seconds: Option<u32>,
}

impl CreateCall {
    /// The form parameters, named as in Twilio's OpenAPI description.
    pub fn form(&self) -> Vec<(&'static str, String)> {
        let mut form = vec![("To", self.to.clone()), ("From", self.from.clone())];
        match &self.instructions {
            CallInstructions::Url(url) => form.push(("Url", url.to_string())),
            CallInstructions::Twiml(twiml) => form.push(("Twiml", twiml.as_str().to_owned())),
        }
        if let Some(url) = &self.status_callback {
            form.push(("StatusCallback", url.to_string()));
            for event in &self.status_events {
                form.push(("StatusCallbackEvent", event.clone()));
            }
        }
        if let Some(detection) = self.machine_detection {
            form.push(("MachineDetection", detection.as_str().to_owned()));
            if let Some(url) = &self.async_amd_callback {
                form.push(("AsyncAmd", "true".to_owned()));
                form.push(("AsyncAmdStatusCallback", url.to_string()));
            }
        }
        if let Some(seconds) = self.timeout_seconds {
            form.push(("Timeout", seconds.to_string()));
        }
        form
    }
}

/// A Message resource as Twilio returns it (the fields keepwarm uses; the rest are ignored).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct MessageResource {
    /// `SM...` or `MM...`.
    pub sid: String,
    /// The account it belongs to.
    pub account_sid: Option<String>,
    /// The recipient.
    pub to: Option<String>,
    /// The sending number (null until Twilio picks one for a Messaging Service).
    pub from: Option<String>,
    /// The Messaging Service used, if any.
    pub messaging_service_sid: Option<String>,
    /// The text.
    pub body: Option<String>,
    /// Where it is in its life.
    pub status: DeliveryStatus,
    /// `outbound-api`, `inbound`...
    pub direction: Option<String>,
    /// When Twilio created it.
    #[serde(default, deserialize_with = "rfc2822::option")]
    pub date_created: Option<Timestamp>,
    /// When it was sent (null while queued or scheduled).
    #[serde(default, deserialize_with = "rfc2822::option")]
    pub date_sent: Option<Timestamp>,
    /// When it last changed.
    #[serde(default, deserialize_with = "rfc2822::option")]
    pub date_updated: Option<Timestamp>,
    /// Twilio's error code once it failed or was undelivered.
    pub error_code: Option<u32>,
    /// Twilio's error message.
    pub error_message: Option<String>,
    /// How many SMS segments it took (a string in Twilio's JSON).
    pub num_segments: Option<String>,
}

/// A Call resource as Twilio returns it (the fields keepwarm uses).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct CallResource {
    /// `CA...`.
    pub sid: String,
    /// The account it belongs to.
    pub account_sid: Option<String>,
    /// Who was called.
    pub to: Option<String>,
    /// The caller ID.
    pub from: Option<String>,
    /// Where it is in its life.
    pub status: CallStatus,
    /// `human`, `machine_start`... once machine detection has answered.
    pub answered_by: Option<String>,
    /// When Twilio created it.
    #[serde(default, deserialize_with = "rfc2822::option")]
    pub date_created: Option<Timestamp>,
}

/// One page of Twilio's ListMessage answer.
#[derive(Debug, Clone, serde::Deserialize)]
pub(crate) struct MessagePage {
    pub messages: Vec<MessageResource>,
    pub next_page_uri: Option<String>,
}

/// Twilio's dates: RFC 2822 (`Thu, 24 Aug 2023 05:01:45 +0000`).
pub mod rfc2822 {
    use jiff::Timestamp;

    /// Parses an RFC 2822 date as Twilio writes it.
    pub fn parse(text: &str) -> Result<Timestamp, jiff::Error> {
        jiff::fmt::rfc2822::DateTimeParser::new().parse_timestamp(text)
    }

    /// Writes a timestamp as Twilio does: in UTC, day zero-padded, `+0000`
    /// (`Thu, 01 Jan 2026 00:00:00 +0000`).
    pub fn format(at: Timestamp) -> String {
        at.to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .strftime("%a, %d %b %Y %H:%M:%S %z")
            .to_string()
    }

    /// serde helper: an optional RFC 2822 date.
    pub fn option<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        let text: Option<String> = serde::Deserialize::deserialize(d)?;
        text.map(|t| parse(&t).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twilio_dates_read_and_write_in_rfc_2822() {
        let at = rfc2822::parse("Thu, 24 Aug 2023 05:01:45 +0000").unwrap();
        assert_eq!(at.to_string(), "2023-08-24T05:01:45Z");
        assert_eq!(rfc2822::format(at), "Thu, 24 Aug 2023 05:01:45 +0000");
        let new_year = rfc2822::parse("Thu, 01 Jan 2026 00:00:00 +0000").unwrap();
        assert_eq!(rfc2822::format(new_year), "Thu, 01 Jan 2026 00:00:00 +0000");
    }

    #[test]
    fn a_messaging_service_sender_is_sent_as_messaging_service_sid() {
        let msg = SendMessage {
            to: "+13125550100".into(),
            from: Sender::MessagingService("MG0123456789abcdef0123456789abcdef".into()),
            body: "hi".into(),
            status_callback: None,
        };
        let form = msg.form();
        assert!(form.iter().any(|(k, _)| *k == "MessagingServiceSid"));
        assert!(!form.iter().any(|(k, _)| *k == "From"));
    }
}
