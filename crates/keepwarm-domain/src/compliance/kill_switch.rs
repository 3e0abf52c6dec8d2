//! The kill switch: a person stops every automated message of one dealership (or of every
//! dealership) at once, and starts them again.
//!
//! Engaged, no automated message to a customer leaves for the dealership on any channel — cadence
//! touches (checked again at send time, so work already claimed is held too) and automated texts
//! such as the missed-call text-back. Staff alerts, opt-out confirmations, HELP answers and a
//! person's own messages still go: they are not automated marketing, and the first three are owed
//! to the customer. Released, the touches held meanwhile go back to the queue in their order and
//! pass the gate one by one, so the contact windows and frequency caps still hold (no burst).
//!
//! Pure: the engine reads the switches in force and asks [`holding`]; the store keeps every change
//! as the audit trail.

use jiff::Timestamp;
use serde::Serialize;

/// The scope word of the switch that covers every dealership.
pub const EVERY_DEALERSHIP: &str = "*";

/// The longest reason kept.
pub const MAX_REASON: usize = 500;

/// An engaged kill switch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Engaged {
    /// The dealership's id, or [`EVERY_DEALERSHIP`].
    pub scope: String,
    /// Why, as the person who engaged it said.
    pub reason: String,
    /// Who engaged it.
    pub by: String,
    /// When.
    pub at: Timestamp,
}

impl Engaged {
    /// The hold's reason for the timeline: which switch, who, when and why.
    pub fn hold_reason(&self) -> String {
        let scope = if self.scope == EVERY_DEALERSHIP {
            "every dealership".to_owned()
        } else {
            format!("dealership {}", self.scope)
        };
        format!(
            "kill switch engaged for {scope} by {} at {}: {}",
            self.by, self.at, self.reason
        )
    }
}

/// The engaged switch that holds `dealership`'s automated messages: every dealership's first, then
/// its own; `None` when neither is engaged.
pub fn holding<'a>(engaged: &'a [Engaged], dealership: &str) -> Option<&'a Engaged> {
    engaged
        .iter()
        .find(|e| e.scope == EVERY_DEALERSHIP)
        .or_else(|| engaged.iter().find(|e| e.scope == dealership))
}

/// Checks a reason or a name given for a flip: not blank, at most [`MAX_REASON`] characters, no
/// control characters. Returns it trimmed, or what is wrong.
pub fn checked_text(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("must not be empty".into());
    }
    if text.chars().count() > MAX_REASON {
        return Err(format!("must be at most {MAX_REASON} characters"));
    }
    if text.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engaged(scope: &str) -> Engaged {
        Engaged {
            scope: scope.into(),
            reason: "carrier complaint".into(),
            by: "pat".into(),
            at: "2026-12-01T15:00:00Z".parse().expect("instant"),
        }
    }

    #[test]
    fn a_dealership_is_held_by_its_own_switch_or_every_dealerships_and_by_no_other() {
        let own = [engaged("north")];
        assert_eq!(holding(&own, "north").map(|e| &*e.scope), Some("north"));
        assert_eq!(holding(&own, "south"), None);
        let both = [engaged("north"), engaged(EVERY_DEALERSHIP)];
        assert_eq!(holding(&both, "south").map(|e| &*e.scope), Some("*"));
        assert_eq!(holding(&both, "north").map(|e| &*e.scope), Some("*"));
        assert_eq!(holding(&[], "north"), None);
    }

    #[test]
    fn the_hold_reason_names_the_switch_the_person_and_their_reason() {
        let reason = engaged("north").hold_reason();
        assert!(reason.contains("dealership north"), "{reason}");
        assert!(reason.contains("by pat"), "{reason}");
        assert!(reason.contains("carrier complaint"), "{reason}");
        assert!(engaged("*").hold_reason().contains("every dealership"));
    }

    #[test]
    fn a_reason_must_be_some_printable_text() {
        assert_eq!(checked_text("  audit  "), Ok("audit".into()));
        assert!(checked_text("   ").is_err());
        assert!(checked_text("a\u{7}b").is_err());
        assert!(checked_text(&"x".repeat(MAX_REASON + 1)).is_err());
        assert!(checked_text(&"x".repeat(MAX_REASON)).is_ok());
    }
}
