//! The vocabulary of a classification: intents, channels and languages.
//!
//! Pure value types with stable string names; they own the names that appear
//! in TOML phrase sets and in serialised results, and nothing else.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a customer's reply means, as one of a fixed set of labels.
///
/// Serialises to the snake_case name (`"opt_out"`, `"trade_in"`, ...).
/// Variants are declared in the order results list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// Consent revoked for at least one channel; see
    /// [`Classification::revoked_channels`](crate::Classification::revoked_channels).
    OptOut,
    /// The number or address does not belong to the lead.
    WrongNumber,
    /// The customer already bought a vehicle somewhere else.
    BoughtElsewhere,
    /// The customer is not (or no longer) interested.
    NotInterested,
    /// Interested, but not yet: follow up later.
    NotNow,
    /// Mentions a vehicle to trade in or asks what theirs is worth.
    TradeIn,
    /// Credit, financing, loans, rates, leases.
    CreditFinance,
    /// Needs a vehicle urgently (today, ASAP, broke down).
    UrgentTimeline,
    /// Price, payments, down payment, fees, discounts.
    PricePayment,
    /// Wants to visit, test drive, or asks about hours and location.
    Appointment,
    /// Needs to move, cancel or is late for an appointment.
    Reschedule,
    /// Confirms or agrees ("yes", "see you then", 👍).
    Confirm,
    /// Asks about a vehicle: availability, features, history.
    VehicleQuestion,
    /// Service department: repairs, maintenance, recalls, warranty claims.
    Service,
    /// Wants a person: a call, a manager, "is this a bot?".
    HumanRequest,
    /// Gratitude or enthusiasm.
    Positive,
    /// Nothing else matched. Never produced together with another intent.
    Other,
}

impl Intent {
    /// Every intent, in result order.
    pub const ALL: [Intent; 17] = [
        Intent::OptOut,
        Intent::WrongNumber,
        Intent::BoughtElsewhere,
        Intent::NotInterested,
        Intent::NotNow,
        Intent::TradeIn,
        Intent::CreditFinance,
        Intent::UrgentTimeline,
        Intent::PricePayment,
        Intent::Appointment,
        Intent::Reschedule,
        Intent::Confirm,
        Intent::VehicleQuestion,
        Intent::Service,
        Intent::HumanRequest,
        Intent::Positive,
        Intent::Other,
    ];

    /// The snake_case name used in TOML and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Intent::OptOut => "opt_out",
            Intent::WrongNumber => "wrong_number",
            Intent::BoughtElsewhere => "bought_elsewhere",
            Intent::NotInterested => "not_interested",
            Intent::NotNow => "not_now",
            Intent::TradeIn => "trade_in",
            Intent::CreditFinance => "credit_finance",
            Intent::UrgentTimeline => "urgent_timeline",
            Intent::PricePayment => "price_payment",
            Intent::Appointment => "appointment",
            Intent::Reschedule => "reschedule",
            Intent::Confirm => "confirm",
            Intent::VehicleQuestion => "vehicle_question",
            Intent::Service => "service",
            Intent::HumanRequest => "human_request",
            Intent::Positive => "positive",
            Intent::Other => "other",
        }
    }

    /// Whether this intent should hand the lead to a person (the
    /// "escalate" class): trade-in, credit, urgency, price, appointment,
    /// reschedule, vehicle question, service or a request for a human.
    pub fn is_handoff(self) -> bool {
        matches!(
            self,
            Intent::TradeIn
                | Intent::CreditFinance
                | Intent::UrgentTimeline
                | Intent::PricePayment
                | Intent::Appointment
                | Intent::Reschedule
                | Intent::VehicleQuestion
                | Intent::Service
                | Intent::HumanRequest
        )
    }

    pub(crate) fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

impl fmt::Display for Intent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Intent {
    type Err = ();

    /// Parses a snake_case intent name; `Err(())` for anything else.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Intent::ALL
            .iter()
            .copied()
            .find(|i| i.as_str() == s)
            .ok_or(())
    }
}

/// What a rule contributes when it matches: an intent, the re-subscribe
/// signal (`START`, `UNSTOP`, a lone `YES`) or the possible-opt-out signal,
/// neither of which is an intent.
///
/// Serialises to the intent's name, `"resubscribe"` or `"possible_opt_out"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Signal {
    /// The rule yields this intent.
    Intent(Intent),
    /// The rule sets [`Classification::resubscribe`](crate::Classification::resubscribe).
    Resubscribe,
    /// The reply may revoke consent but does not say so for certain ("how
    /// did you get my number", "why do you keep texting"): the rule sets
    /// [`Classification::possible_opt_out`](crate::Classification::possible_opt_out)
    /// and asks for review, without the `opt_out` intent.
    PossibleOptOut,
}

impl Signal {
    /// The name used in TOML and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::Intent(i) => i.as_str(),
            Signal::Resubscribe => "resubscribe",
            Signal::PossibleOptOut => "possible_opt_out",
        }
    }
}

impl From<Signal> for String {
    fn from(s: Signal) -> Self {
        s.as_str().to_owned()
    }
}

impl TryFrom<String> for Signal {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        match s.as_str() {
            "resubscribe" => return Ok(Signal::Resubscribe),
            "possible_opt_out" => return Ok(Signal::PossibleOptOut),
            _ => {}
        }
        match s.parse::<Intent>() {
            Ok(Intent::Other) | Err(()) => Err(format!("unknown label \"{s}\"")),
            Ok(i) => Ok(Signal::Intent(i)),
        }
    }
}

/// A way the dealership reaches the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Voice calls.
    Call,
    /// E-mail.
    Email,
    /// Text messages (SMS/MMS).
    Sms,
}

/// A set of channels, serialised as a sorted list such as
/// `["call", "email", "sms"]` (all three means a global opt-out).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "Vec<Channel>", from = "Vec<Channel>")]
pub struct ChannelSet {
    bits: u8,
}

impl ChannelSet {
    /// No channel.
    pub const NONE: ChannelSet = ChannelSet { bits: 0 };
    /// Every channel: a global opt-out.
    pub const ALL: ChannelSet = ChannelSet { bits: 0b111 };

    /// The set holding just `channel`.
    pub fn only(channel: Channel) -> Self {
        ChannelSet {
            bits: 1 << channel as u8,
        }
    }

    /// Whether `channel` is in the set.
    pub fn contains(self, channel: Channel) -> bool {
        self.bits & (1 << channel as u8) != 0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.bits == 0
    }

    /// Whether every channel is in the set.
    pub fn is_all(self) -> bool {
        self.bits == Self::ALL.bits
    }

    /// The union of both sets.
    pub fn union(self, other: ChannelSet) -> Self {
        ChannelSet {
            bits: self.bits | other.bits,
        }
    }

    /// The channels in the set, in name order.
    pub fn channels(self) -> Vec<Channel> {
        [Channel::Call, Channel::Email, Channel::Sms]
            .into_iter()
            .filter(|c| self.contains(*c))
            .collect()
    }
}

impl From<ChannelSet> for Vec<Channel> {
    fn from(set: ChannelSet) -> Self {
        set.channels()
    }
}

impl From<Vec<Channel>> for ChannelSet {
    fn from(list: Vec<Channel>) -> Self {
        list.into_iter()
            .fold(ChannelSet::NONE, |acc, c| acc.union(ChannelSet::only(c)))
    }
}

/// The reply's language, as far as a word count can tell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Language {
    /// English.
    #[serde(rename = "en")]
    English,
    /// Spanish.
    #[serde(rename = "es")]
    Spanish,
    /// Undetermined: no marker words (emoji, numbers, a name).
    #[default]
    #[serde(rename = "und")]
    Undetermined,
}

impl Language {
    /// The BCP 47 tag: `en`, `es` or `und`.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Spanish => "es",
            Language::Undetermined => "und",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[test]
    fn every_intent_name_round_trips() {
        for intent in Intent::ALL {
            assert_eq!(intent.as_str().parse::<Intent>(), Ok(intent));
            let json = serde_json::to_string(&intent).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", intent.as_str()));
        }
    }

    #[rstest]
    #[case("resubscribe", Some(Signal::Resubscribe))]
    #[case("possible_opt_out", Some(Signal::PossibleOptOut))]
    #[case("opt_out", Some(Signal::Intent(Intent::OptOut)))]
    #[case("other", None)]
    #[case("trade", None)]
    fn signals_parse_from_their_names(#[case] name: &str, #[case] expected: Option<Signal>) {
        assert_eq!(Signal::try_from(name.to_owned()).ok(), expected);
    }

    #[test]
    fn a_channel_set_serialises_as_a_sorted_list() {
        let set = ChannelSet::only(Channel::Sms).union(ChannelSet::only(Channel::Call));
        let json = serde_json::to_string(&set).unwrap_or_default();
        assert_eq!(json, r#"["call","sms"]"#);
        assert!(ChannelSet::ALL.is_all());
    }
}
