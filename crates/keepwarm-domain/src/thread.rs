//! The conversation with a customer as people read it (issue 13): one ordered thread of every
//! text, e-mail and call in both directions, automated and human, with internal notes; and the
//! "waiting on us" queue of customers whose message no person has answered yet.
//!
//! Plain types and rules: the store builds the entries from what it keeps, the API and the pages
//! show them, and [`answer_due`] decides when an answer is due. No IO, and `now` is a parameter.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::window::ZoneHours;
use crate::LeadId;

/// Which way a thread entry went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From the customer.
    Inbound,
    /// To the customer.
    Outbound,
    /// Inside the store (a note): never sent.
    Internal,
}

/// How a thread entry travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Medium {
    /// A text message.
    Sms,
    /// An e-mail.
    Email,
    /// A phone call.
    Call,
    /// A voicemail drop.
    Voicemail,
    /// An internal note.
    Note,
}

impl Medium {
    /// The medium of a stored channel word (`sms`, `email`, `call`, `voicemail`); `None` for
    /// anything else.
    pub fn of_channel(word: &str) -> Option<Self> {
        match word {
            "sms" => Some(Medium::Sms),
            "email" => Some(Medium::Email),
            "call" => Some(Medium::Call),
            "voicemail" => Some(Medium::Voicemail),
            _ => None,
        }
    }
}

/// Who said it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Who {
    /// The customer.
    Customer,
    /// keepwarm's automation (a cadence touch, an opt-out confirmation).
    Automation,
    /// A staff member.
    Staff {
        /// Their id.
        id: String,
        /// Their name, when they are still on the staff.
        name: Option<String>,
    },
}

/// One entry of the thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadEntry {
    /// When it was said (sent, received, logged or written).
    pub at: Timestamp,
    /// Which way.
    pub direction: Direction,
    /// How.
    pub channel: Medium,
    /// Who.
    pub who: Who,
    /// What was said (a call's outcome and note, for calls).
    pub body: String,
    /// The e-mail subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Delivery status for what we sent (`queued`, `sent`, `delivered`, `failed`, ...);
    /// `received` for the customer's words, `logged` for calls and notes people recorded.
    pub status: String,
    /// Why it failed, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A lead in its owner's "waiting on us" queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiting {
    /// The lead.
    pub lead_id: LeadId,
    /// Whose queue.
    pub owner: String,
    /// The customer's name, when known.
    pub customer: Option<String>,
    /// The lead's dealership.
    pub dealership: String,
    /// The lead's segment.
    pub segment: String,
    /// Since when the customer has been waiting: their first message no person answered.
    pub since: Timestamp,
    /// When the answer is due (the SLA of that first message).
    pub due_at: Timestamp,
    /// Whether a waiting message carried a hot label.
    pub hot: bool,
    /// The customer's latest waiting message.
    pub last_message: String,
}

impl Waiting {
    /// How long the customer has waited at `now`.
    pub fn waited(&self, now: Timestamp) -> SignedDuration {
        now.duration_since(self.since).max(SignedDuration::ZERO)
    }

    /// Whether the answer is late at `now`.
    pub fn overdue(&self, now: Timestamp) -> bool {
        now > self.due_at
    }
}

/// The longest response-time SLA counted in business minutes (a bound on [`answer_due`]'s work).
pub const MAX_SLA_MINUTES: u32 = 24 * 60;

/// When an answer to a customer's message received at `now` is due: `hot_minutes` of wall-clock
/// time for a hot message (the escalation SLA), otherwise `sla_minutes` counted inside `hours`
/// (the clock stops while the store is closed, and starts at the next opening).
pub fn answer_due(
    now: Timestamp,
    hot_minutes: Option<u32>,
    sla_minutes: u32,
    hours: &ZoneHours,
) -> Timestamp {
    let minute = SignedDuration::from_mins(1);
    if let Some(m) = hot_minutes {
        return now
            .checked_add(SignedDuration::from_mins(i64::from(m)))
            .unwrap_or(Timestamp::MAX);
    }
    let mut left = sla_minutes.min(MAX_SLA_MINUTES);
    let mut t = now;
    while left > 0 {
        if hours.is_open(t) {
            t = t.checked_add(minute).unwrap_or(Timestamp::MAX);
            left -= 1;
        } else {
            match hours.next_open(t) {
                Some(open) if open > t => t = open,
                // Never open again: the clock runs on wall time.
                _ => {
                    return t
                        .checked_add(SignedDuration::from_mins(i64::from(left)))
                        .unwrap_or(Timestamp::MAX)
                }
            }
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hours::{DayHours, WeeklyHours};
    use jiff::tz::TimeZone;

    fn at(s: &str) -> Timestamp {
        s.parse().expect("instant")
    }

    fn nine_to_eight() -> ZoneHours {
        ZoneHours::new(
            TimeZone::get("America/Chicago").expect("zone"),
            WeeklyHours::every_day(DayHours::parse("09:00-20:00").expect("hours")),
        )
    }

    #[test]
    fn an_answer_is_due_after_the_sla_counted_inside_business_hours() {
        let hours = nine_to_eight();
        // (received, hot minutes, sla minutes, due)
        let cases = [
            // Tuesday 10:00 Chicago: fifteen minutes later.
            ("2026-12-01T16:00:00Z", None, 15, "2026-12-01T16:15:00Z"),
            // Hot: the escalation SLA on the wall clock, even at night.
            ("2026-12-02T04:00:00Z", Some(5), 15, "2026-12-02T04:05:00Z"),
            // 22:00: the clock starts at 09:00 the next morning.
            ("2026-12-02T04:00:00Z", None, 15, "2026-12-02T15:15:00Z"),
            // 19:55: five minutes tonight, ten tomorrow morning.
            ("2026-12-02T01:55:00Z", None, 15, "2026-12-02T15:10:00Z"),
        ];
        for (received, hot, sla, due) in cases {
            assert_eq!(
                answer_due(at(received), hot, sla, &hours),
                at(due),
                "received {received}, hot {hot:?}, sla {sla}"
            );
        }
    }

    #[test]
    fn a_store_never_open_counts_the_sla_on_the_wall_clock() {
        let never = ZoneHours::new(TimeZone::UTC, WeeklyHours::default());
        assert_eq!(
            answer_due(at("2026-12-01T16:00:00Z"), None, 15, &never),
            at("2026-12-01T16:15:00Z")
        );
    }

    #[test]
    fn waiting_knows_how_long_and_whether_late() {
        let w = Waiting {
            lead_id: LeadId(1),
            owner: "sam".into(),
            customer: None,
            dealership: "main".into(),
            segment: "new_inquiry".into(),
            since: at("2026-12-01T16:00:00Z"),
            due_at: at("2026-12-01T16:15:00Z"),
            hot: false,
            last_message: "is it still there?".into(),
        };
        let now = at("2026-12-01T16:20:00Z");
        assert_eq!(w.waited(now), SignedDuration::from_mins(20));
        assert!(w.overdue(now));
        assert!(!w.overdue(at("2026-12-01T16:15:00Z")));
    }
}
