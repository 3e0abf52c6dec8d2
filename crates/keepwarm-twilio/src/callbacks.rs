//! Twilio's status callbacks, typed: [`MessageStatusUpdate`] from a message's `StatusCallback`
//! and [`CallStatusUpdate`] from a call's, with [`DeliveryStatus`]'s rule for refusing an update
//! that goes backwards. Parsing only: the caller checks the signature
//! ([`crate::validate`]) and records the update.

use std::collections::HashMap;

/// Why callback parameters could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    /// A parameter Twilio always sends is absent or empty.
    #[error("the status callback has no {0}")]
    Missing(&'static str),
    /// A parameter has a value this crate does not know.
    #[error("the status callback's {param} is {value:?}, which is not a known value")]
    Invalid {
        /// The parameter's name.
        param: &'static str,
        /// The value received.
        value: String,
    },
}

/// A message's status (`MessageStatus` in callbacks, `status` in the API; Twilio's
/// `message_enum_status`).
///
/// # The ordering rule
///
/// Callbacks can arrive out of order and be repeated, so an update is applied only when it
/// [advances](DeliveryStatus::advances_from) the recorded status. Statuses are ranked:
///
/// | rank | statuses |
/// | --- | --- |
/// | 0 | `accepted`, `scheduled` |
/// | 1 | `queued`, `receiving` |
/// | 2 | `sending` |
/// | 3 | `sent` |
/// | 4 (final) | `delivered`, `undelivered`, `failed`, `canceled`, `partially_delivered`, `received` |
/// | 5 (final) | `read` |
///
/// An update advances when its rank is strictly higher. So `sent` never replaces `delivered`,
/// one final outcome never replaces another (`failed` after `delivered` is refused, and so is a
/// repeat of the same status), and `read` (WhatsApp) may still follow `delivered`. `Unknown`
/// never advances: a status Twilio adds later is logged by the caller, not applied; and any
/// known status replaces a recorded `Unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Accepted by a Messaging Service, not yet queued.
    Accepted,
    /// Scheduled for later.
    Scheduled,
    /// Queued at Twilio.
    Queued,
    /// Being sent.
    Sending,
    /// Handed to the carrier.
    Sent,
    /// The carrier confirmed delivery.
    Delivered,
    /// The carrier could not deliver it (see the error code).
    Undelivered,
    /// Twilio could not send it (see the error code).
    Failed,
    /// The recipient read it (WhatsApp and RCS only).
    Read,
    /// Some parts were delivered.
    PartiallyDelivered,
    /// Canceled before sending.
    Canceled,
    /// Inbound, being received.
    Receiving,
    /// Inbound, received.
    Received,
    /// A status this crate does not know.
    #[serde(other)]
    Unknown,
}

impl DeliveryStatus {
    /// Parses Twilio's spelling (`queued`, `partially_delivered`...); unknown spellings give
    /// [`DeliveryStatus::Unknown`].
    pub fn parse(text: &str) -> Self {
        serde_json::from_value(serde_json::Value::String(text.to_owned()))
            .unwrap_or(DeliveryStatus::Unknown)
    }

    /// The rank in the ordering rule (see the type's docs); `None` for `Unknown`.
    pub fn rank(self) -> Option<u8> {
        use DeliveryStatus::*;
        Some(match self {
            Accepted | Scheduled => 0,
            Queued | Receiving => 1,
            Sending => 2,
            Sent => 3,
            Delivered | Undelivered | Failed | Canceled | PartiallyDelivered | Received => 4,
            Read => 5,
            Unknown => return None,
        })
    }

    /// Whether no further outcome is expected (`read` may still follow `delivered`).
    pub fn is_final(self) -> bool {
        self.rank().is_some_and(|rank| rank >= 4)
    }

    /// Whether the message did not reach the recipient (`failed`, `undelivered`, `canceled`).
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            DeliveryStatus::Failed | DeliveryStatus::Undelivered | DeliveryStatus::Canceled
        )
    }

    /// Whether an update to `self` should replace the recorded `previous` (the ordering rule).
    pub fn advances_from(self, previous: DeliveryStatus) -> bool {
        match (self.rank(), previous.rank()) {
            (Some(new), Some(old)) => new > old,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }
}

/// A message status callback (the form Twilio posts to a message's `StatusCallback`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageStatusUpdate {
    /// `MessageSid`: the message the update is about.
    pub message_sid: String,
    /// `MessageStatus`.
    pub status: DeliveryStatus,
    /// `ErrorCode`, on `failed` and `undelivered` (e.g. 30003 unreachable, 30007 filtered).
    pub error_code: Option<u32>,
    /// `To`.
    pub to: Option<String>,
    /// `From`.
    pub from: Option<String>,
    /// `AccountSid`, to check the callback is for this account.
    pub account_sid: Option<String>,
}

impl MessageStatusUpdate {
    /// Reads the callback's form parameters. `MessageSid` and `MessageStatus` (or the older
    /// `SmsSid`/`SmsStatus`) are required; an unknown status is kept as
    /// [`DeliveryStatus::Unknown`], an `ErrorCode` that is not a number is an error.
    pub fn from_params(params: &[(String, String)]) -> Result<Self, CallbackError> {
        let p = Params::new(params);
        let message_sid = p
            .get("MessageSid")
            .or_else(|| p.get("SmsSid"))
            .ok_or(CallbackError::Missing("MessageSid"))?;
        let status = p
            .get("MessageStatus")
            .or_else(|| p.get("SmsStatus"))
            .ok_or(CallbackError::Missing("MessageStatus"))?;
        Ok(MessageStatusUpdate {
            message_sid: message_sid.to_owned(),
            status: DeliveryStatus::parse(status),
            error_code: p.number("ErrorCode")?,
            to: p.owned("To"),
            from: p.owned("From"),
            account_sid: p.owned("AccountSid"),
        })
    }
}

/// A call's status (`CallStatus`; Twilio's `call_enum_status`, plus `initiated` which status
/// callbacks report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallStatus {
    /// Waiting to be placed.
    Queued,
    /// Twilio started dialling (status callback event `initiated`).
    Initiated,
    /// Ringing.
    Ringing,
    /// Answered and running.
    InProgress,
    /// Ended after being answered.
    Completed,
    /// The line was busy.
    Busy,
    /// The call could not be placed.
    Failed,
    /// Nobody answered within the timeout.
    NoAnswer,
    /// Canceled before it was answered.
    Canceled,
    /// A status this crate does not know.
    #[serde(other)]
    Unknown,
}

impl CallStatus {
    /// Parses Twilio's spelling (`in-progress`, `no-answer`...).
    pub fn parse(text: &str) -> Self {
        serde_json::from_value(serde_json::Value::String(text.to_owned()))
            .unwrap_or(CallStatus::Unknown)
    }

    /// Whether the call is over.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            CallStatus::Completed
                | CallStatus::Busy
                | CallStatus::Failed
                | CallStatus::NoAnswer
                | CallStatus::Canceled
        )
    }
}

/// Who answered, by answering machine detection (`AnsweredBy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnsweredBy {
    /// A person.
    Human,
    /// A machine, reported as soon as detected (`MachineDetection=Enable`).
    MachineStart,
    /// A machine, after the greeting's beep (`DetectMessageEnd`): leave a message now.
    MachineEndBeep,
    /// A machine, after silence following the greeting.
    MachineEndSilence,
    /// A machine, greeting ended some other way.
    MachineEndOther,
    /// A fax machine.
    Fax,
    /// Detection could not decide.
    Unknown,
}

impl AnsweredBy {
    /// Parses Twilio's spelling (`human`, `machine_end_beep`...).
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "human" => AnsweredBy::Human,
            "machine_start" => AnsweredBy::MachineStart,
            "machine_end_beep" => AnsweredBy::MachineEndBeep,
            "machine_end_silence" => AnsweredBy::MachineEndSilence,
            "machine_end_other" => AnsweredBy::MachineEndOther,
            "fax" => AnsweredBy::Fax,
            "unknown" => AnsweredBy::Unknown,
            _ => return None,
        })
    }

    /// Whether a machine answered (any `machine_*`, or a fax).
    pub fn is_machine(self) -> bool {
        !matches!(self, AnsweredBy::Human | AnsweredBy::Unknown)
    }
}

/// A voice status callback, or an asynchronous AMD callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallStatusUpdate {
    /// `CallSid`.
    pub call_sid: String,
    /// `CallStatus`; an AMD callback that carries none reads as `in-progress`.
    pub status: CallStatus,
    /// `AnsweredBy`, when machine detection ran.
    pub answered_by: Option<AnsweredBy>,
    /// `CallDuration` in seconds, on `completed`.
    pub duration_seconds: Option<u32>,
    /// `To`.
    pub to: Option<String>,
    /// `From`.
    pub from: Option<String>,
    /// `AccountSid`.
    pub account_sid: Option<String>,
}

impl CallStatusUpdate {
    /// Reads the callback's form parameters. `CallSid` is required; an `AnsweredBy` this crate
    /// does not know is an error, so a new detection result is never taken for a human.
    pub fn from_params(params: &[(String, String)]) -> Result<Self, CallbackError> {
        let p = Params::new(params);
        let call_sid = p.get("CallSid").ok_or(CallbackError::Missing("CallSid"))?;
        let answered_by = match p.get("AnsweredBy") {
            None => None,
            Some(value) => {
                Some(
                    AnsweredBy::parse(value).ok_or_else(|| CallbackError::Invalid {
                        param: "AnsweredBy",
                        value: value.to_owned(),
                    })?,
                )
            }
        };
        Ok(CallStatusUpdate {
            call_sid: call_sid.to_owned(),
            status: p
                .get("CallStatus")
                .map_or(CallStatus::InProgress, CallStatus::parse),
            answered_by,
            duration_seconds: p.number("CallDuration")?,
            to: p.owned("To"),
            from: p.owned("From"),
            account_sid: p.owned("AccountSid"),
        })
    }
}

/// Form parameters by name; the first non-empty value of a name wins.
struct Params<'a>(HashMap<&'a str, &'a str>);

impl<'a> Params<'a> {
    fn new(params: &'a [(String, String)]) -> Self {
        let mut map = HashMap::new();
        for (key, value) in params {
            if !value.trim().is_empty() {
                map.entry(key.as_str()).or_insert(value.trim());
            }
        }
        Params(map)
    }

    fn get(&self, name: &str) -> Option<&'a str> {
        self.0.get(name).copied()
    }

    fn owned(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_owned)
    }

    fn number(&self, name: &'static str) -> Result<Option<u32>, CallbackError> {
        self.get(name)
            .map(|value| {
                value.parse().map_err(|_| CallbackError::Invalid {
                    param: name,
                    value: value.to_owned(),
                })
            })
            .transpose()
    }
}
