//! The status words of tasks, escalations and queued messages, as enums.
//!
//! Each is stored as its word and served as the same word (`"open"`), so the JSON does not change;
//! comparing with a word (`status == "open"`) still reads naturally where a word is at hand.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Declares a status enum with its words, parsing, display and comparison with a word.
macro_rules! status_enum {
    ($(#[$doc:meta])* $name:ident, $what:literal { $($(#[$vdoc:meta])* $variant:ident = $word:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $word)] $variant,)+
        }

        impl $name {
            /// Every status, in order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The word stored and served.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $word,)+
                }
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(word: &str) -> Result<Self, String> {
                match word {
                    $($word => Ok(Self::$variant),)+
                    other => Err(format!(
                        concat!("`{}` is not a ", $what, " status (expected {})"),
                        other,
                        Self::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, word: &&str) -> bool {
                self.as_str() == *word
            }
        }
    };
}

status_enum! {
    /// Where a task stands.
    TaskStatus, "task" {
        /// Someone has to do it.
        Open = "open",
        /// Done (or closed with its lead).
        Done = "done",
    }
}

status_enum! {
    /// Where an escalation stands.
    EscalationStatus, "escalation" {
        /// Waiting for its first person, inside its deadline.
        Open = "open",
        /// Its first deadline passed unacknowledged.
        Breached = "breached",
        /// A person took it.
        Acknowledged = "acknowledged",
        /// Closed without an acknowledgement (its lead closed).
        Closed = "closed",
    }
}

status_enum! {
    /// Where a queued outbound message stands.
    OutboundState, "outbound message" {
        /// Waiting to be claimed.
        Queued = "queued",
        /// Claimed by a worker and being handed to its channel.
        Sending = "sending",
        /// Handed to its channel.
        Sent = "sent",
        /// Refused for good.
        Failed = "failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_reads_back_from_its_word_and_serializes_as_it() {
        for s in TaskStatus::ALL {
            assert_eq!(s.as_str().parse::<TaskStatus>(), Ok(*s));
            assert_eq!(serde_json::to_value(s).ok(), Some(s.as_str().into()));
        }
        for s in EscalationStatus::ALL {
            assert_eq!(s.as_str().parse::<EscalationStatus>(), Ok(*s));
            assert_eq!(serde_json::to_value(s).ok(), Some(s.as_str().into()));
        }
        for s in OutboundState::ALL {
            assert_eq!(s.as_str().parse::<OutboundState>(), Ok(*s));
            assert_eq!(serde_json::to_value(s).ok(), Some(s.as_str().into()));
        }
    }

    #[test]
    fn an_unknown_word_is_refused_with_the_words_known() {
        assert_eq!(
            "pending".parse::<TaskStatus>(),
            Err("`pending` is not a task status (expected open, done)".to_owned())
        );
    }
}
