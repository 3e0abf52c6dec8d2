//! Cadences: the ordered steps a segment's leads go through, and their versions.
//!
//! A cadence's version is a hash of its normalized content — its steps *and* the text of every message
//! block they use — plus its optional label. Each enrollment pins the version it started on, and the
//! store keeps every version's snapshot, so editing a cadence never changes what in-flight enrollments
//! do and every outcome can be tied to the exact words that produced it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::blocks::Block;
use crate::lead::word_enum;

word_enum! {
    /// The ways a touch reaches a customer.
    Channel {
        /// A text message.
        Sms = "sms",
        /// An e-mail.
        Email = "email",
        /// A phone call (a task for the owner, or an automated call).
        Call = "call",
        /// A voicemail drop.
        Voicemail = "voicemail",
    }
}

impl Channel {
    /// Whether the channel needs a phone number (otherwise an e-mail address).
    pub fn needs_phone(self) -> bool {
        !matches!(self, Channel::Email)
    }
}

word_enum! {
    /// How a `call` step is carried out.
    CallMode {
        /// A task in the owner's list, with the script and the lead's context; a person dials and
        /// records the outcome.
        Task = "task",
        /// An automated call: a person who answers is connected to the owner, an answering machine
        /// gets the step's voicemail message.
        Automated = "automated",
    }
}

word_enum! {
    /// The instant a cadence's day offsets count from.
    Anchor {
        /// The inquiry's own time: day 0 is the moment the customer asked (new inquiries).
        Received = "received",
        /// The moment the lead was enrolled (aged leads and lists imported long after they came in).
        Enrolled = "enrolled",
        /// The start of the lead's appointment: steps say how long `before` it they go out (reminders),
        /// and a step without `before` goes out at enrollment (the confirmation).
        Appointment = "appointment",
        /// The moment a missed appointment was marked a no-show (recovery cadences); days count like
        /// `enrolled`.
        NoShow = "no_show",
    }
}

impl Anchor {
    /// The stage at which a cadence with this anchor has no more work: follow-up cadences end when an
    /// appointment is set, appointment and no-show cadences when the customer shows (or buys, or is
    /// lost).
    pub fn ends_at(self) -> crate::lead::Stage {
        match self {
            Anchor::Received | Anchor::Enrolled => crate::lead::Stage::AppointmentSet,
            Anchor::Appointment | Anchor::NoShow => crate::lead::Stage::Showed,
        }
    }
}

/// How long before the appointment a reminder goes out: `1d` (the calendar day before, at the
/// step's `at` time or the appointment's own time of day), `2h`, `90m`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Before {
    /// Calendar days before, in the recipient's zone.
    Days(u32),
    /// Minutes before the start.
    Minutes(u32),
}

impl Before {
    /// Parses `1d`, `2h` or `90m` (at most 30 days).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let err = || format!("`{text}` is not an offset like \"1d\", \"2h\" or \"90m\"");
        if text.len() < 2 || !text.is_ascii() {
            return Err(err());
        }
        let (number, unit) = text.split_at(text.len() - 1);
        let n: u32 = number.parse().map_err(|_| err())?;
        let parsed = match unit {
            "d" => Before::Days(n),
            "h" => Before::Minutes(n.checked_mul(60).ok_or_else(err)?),
            "m" => Before::Minutes(n),
            _ => return Err(err()),
        };
        if parsed.approx_minutes() > 30 * 24 * 60 || parsed.approx_minutes() == 0 {
            return Err(format!("`{text}` must be more than 0 and at most 30 days"));
        }
        Ok(parsed)
    }

    /// The offset in minutes, counting a day as 24 hours (for ordering steps).
    pub fn approx_minutes(self) -> u32 {
        match self {
            Before::Days(d) => d.saturating_mul(24 * 60),
            Before::Minutes(m) => m,
        }
    }
}

impl std::fmt::Display for Before {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Before::Days(d) => write!(f, "{d}d"),
            Before::Minutes(m) if m % 60 == 0 => write!(f, "{}h", m / 60),
            Before::Minutes(m) => write!(f, "{m}m"),
        }
    }
}

/// One step of a cadence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Days after the anchor.
    pub day: u32,
    /// How it reaches the customer.
    pub channel: Channel,
    /// The message block it sends (or, for calls, the script).
    pub block: String,
    /// Preferred local time of day in minutes since midnight; without it the step keeps the anchor's
    /// time of day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<u16>,
    /// For `call` steps: a task for a person (the default) or an automated call. Absent from the
    /// snapshot when not set, so versions written before calls could be automated keep their hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<CallMode>,
    /// For appointment-anchored cadences: how long before the appointment the step goes out; `None`
    /// sends it at enrollment (the confirmation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Before>,
}

impl Step {
    /// Whether this step is a call placed by the provider (an automated call or a voicemail drop)
    /// rather than a message or a task for a person.
    pub fn is_automated_call(&self) -> bool {
        match self.channel {
            Channel::Voicemail => true,
            Channel::Call => self.mode == Some(CallMode::Automated),
            Channel::Sms | Channel::Email => false,
        }
    }
}

/// A cadence as configured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cadence {
    /// Its name (one per segment by default).
    pub name: String,
    /// A human label for this revision ("2026-11 shorter day-2 text").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// What day offsets count from.
    pub anchor: Anchor,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// Everything an enrollment needs to run a cadence to its end, frozen at enrollment: the steps and
/// the blocks they use. Its hash is the cadence version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CadenceSnapshot {
    /// The cadence.
    pub cadence: Cadence,
    /// Every block the steps name, by name.
    pub blocks: BTreeMap<String, Block>,
}

impl CadenceSnapshot {
    /// Freezes `cadence` with the blocks it uses. Blocks it names that do not exist are left out (the
    /// configuration check refuses such cadences before this is ever called).
    pub fn new(cadence: &Cadence, blocks: &BTreeMap<String, Block>) -> Self {
        let used = cadence
            .steps
            .iter()
            .filter_map(|s| blocks.get(&s.block).map(|b| (s.block.clone(), b.clone())))
            .collect();
        Self {
            cadence: cadence.clone(),
            blocks: used,
        }
    }

    /// The version: the first 12 hex digits of the SHA-256 of the snapshot's canonical JSON.
    pub fn version(&self) -> String {
        let canonical = serde_json::to_vec(self).unwrap_or_default();
        let digest = Sha256::digest(&canonical);
        hex::encode(&digest[..6])
    }
}

fn describe(step: &Step) -> String {
    let at = step
        .at
        .map(|m| format!(" at {:02}:{:02}", m / 60, m % 60))
        .unwrap_or_default();
    let before = step
        .before
        .map(|b| format!(" {b} before"))
        .unwrap_or_default();
    format!(
        "day {}{before} {} \"{}\"{at}",
        step.day, step.channel, step.block
    )
}

/// What changed from `old` to `new`, one readable line per change (steps by position, then the text
/// of the blocks both use).
pub fn diff(old: &CadenceSnapshot, new: &CadenceSnapshot) -> Vec<String> {
    let mut lines = Vec::new();
    if old.cadence.label != new.cadence.label {
        lines.push(format!(
            "label: {} -> {}",
            old.cadence.label.as_deref().unwrap_or("(none)"),
            new.cadence.label.as_deref().unwrap_or("(none)")
        ));
    }
    if old.cadence.anchor != new.cadence.anchor {
        lines.push(format!(
            "anchor: {} -> {}",
            old.cadence.anchor, new.cadence.anchor
        ));
    }
    let (a, b) = (&old.cadence.steps, &new.cadence.steps);
    for i in 0..a.len().max(b.len()) {
        match (a.get(i), b.get(i)) {
            (Some(x), Some(y)) if x != y => lines.push(format!(
                "step {}: {} -> {}",
                i + 1,
                describe(x),
                describe(y)
            )),
            (Some(x), None) => lines.push(format!("step {} removed: {}", i + 1, describe(x))),
            (None, Some(y)) => lines.push(format!("step {} added: {}", i + 1, describe(y))),
            _ => {}
        }
    }
    for (name, block) in &new.blocks {
        let Some(before) = old.blocks.get(name) else {
            continue;
        };
        if before.variants.len() != block.variants.len() {
            lines.push(format!(
                "block \"{name}\": {} -> {} variants",
                before.variants.len(),
                block.variants.len()
            ));
        }
        for (i, (x, y)) in before.variants.iter().zip(&block.variants).enumerate() {
            if x != y {
                lines.push(format!(
                    "block \"{name}\" variant {} reworded: \"{}\" -> \"{}\"",
                    i + 1,
                    x.text,
                    y.text
                ));
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blocks::Variant;

    fn snapshot(text: &str, label: Option<&str>) -> CadenceSnapshot {
        let cadence = Cadence {
            name: "new_inquiry".into(),
            label: label.map(str::to_owned),
            anchor: Anchor::Received,
            steps: vec![Step {
                day: 0,
                channel: Channel::Sms,
                block: "hello".into(),
                at: None,
                mode: None,
                before: None,
            }],
        };
        let mut blocks = BTreeMap::new();
        blocks.insert(
            "hello".to_owned(),
            Block {
                name: "hello".into(),
                channel: Channel::Sms,
                variants: vec![Variant::new(text)],
                allow_lead_links: false,
                purpose: crate::compliance::MessagePurpose::Marketing,
            },
        );
        CadenceSnapshot::new(&cadence, &blocks)
    }

    #[test]
    fn the_same_content_has_the_same_version() {
        assert_eq!(
            snapshot("Hi", None).version(),
            snapshot("Hi", None).version()
        );
        assert_eq!(snapshot("Hi", None).version().len(), 12);
    }

    #[test]
    fn a_diff_names_reworded_text_and_changed_steps() {
        let old = snapshot("Hi", None);
        let mut new = snapshot("Hello", Some("v2"));
        new.cadence.steps.push(Step {
            day: 2,
            channel: Channel::Email,
            block: "hello".into(),
            at: Some(600),
            mode: None,
            before: None,
        });
        assert_eq!(
            diff(&old, &new),
            [
                "label: (none) -> v2".to_owned(),
                "step 2 added: day 2 email \"hello\" at 10:00".to_owned(),
                "block \"hello\" variant 1 reworded: \"Hi\" -> \"Hello\"".to_owned(),
            ]
        );
        assert!(diff(&old, &old).is_empty());
    }

    #[test]
    fn changing_a_block_text_or_the_label_changes_the_version() {
        let base = snapshot("Hi", None).version();
        assert_ne!(base, snapshot("Hello", None).version());
        assert_ne!(base, snapshot("Hi", Some("v2")).version());
    }
}
