//! Whether a person's own message to a customer may go now (issue 13).
//!
//! A message a salesperson writes obeys the same compliance gate as automation: an opted-out or
//! revoked contact is refused, and outside the customer's contact window it is refused with the next
//! opening. One exception: a direct answer to the customer's own message within the configured
//! minutes is conversational — the customer is in the conversation now — and may go at any hour.
//! Consent still applies to it.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::cadence::Channel;
use crate::compliance::{self, Purpose, Rule, Verdict};
use crate::window::ContactWindow;

/// Who a person's e-mail is from, as the customer sees it: the person's name at the dealership
/// (`"Sam Rivera at Lakeside Motors" <sales@...>`), the address being the dealership's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct EmailSender {
    /// The display name.
    pub name: String,
    /// Where the customer's answer should go (`Reply-To`), when not to the `From` address.
    pub reply_to: Option<String>,
}

impl EmailSender {
    /// `NAME at BRAND`.
    pub fn of(staff_name: &str, brand: &str) -> Self {
        Self {
            name: format!("{staff_name} at {brand}"),
            reply_to: None,
        }
    }
}

/// What deciding a person's message needs.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The channel it goes on.
    pub channel: Channel,
    /// The customer's contact window (legal hours in every zone, business hours, holidays).
    pub window: &'a ContactWindow,
    /// The lead opted out of everything.
    pub opted_out: bool,
    /// The ledger's channels revoked and in force for the contact.
    pub revoked: &'a [String],
    /// When the customer last wrote or called, if ever.
    pub last_customer_at: Option<Timestamp>,
    /// Minutes after the customer's message within which an answer is conversational.
    pub conversational_minutes: u32,
}

/// The decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// Send it now; `conversational` when only the conversational exception let it through (or
    /// would have: it answers the customer within the minutes).
    Send {
        /// A direct answer to the customer's own recent message.
        conversational: bool,
    },
    /// Not sent.
    Refused {
        /// The rule that refused it.
        rule: Rule,
        /// In words.
        reason: String,
        /// When the window next opens (outside-the-window refusals).
        next_opening: Option<Timestamp>,
    },
}

/// Decides a person's message at `now`.
pub fn decide(r: &Request<'_>, now: Timestamp) -> Decision {
    let limit = SignedDuration::from_mins(i64::from(r.conversational_minutes));
    let conversational = r
        .last_customer_at
        .is_some_and(|at| at <= now && now.duration_since(at) <= limit);
    let check = compliance::Check {
        purpose: if conversational {
            Purpose::ConversationalReply
        } else {
            Purpose::PersonalMessage
        },
        channel: r.channel,
        window: r.window,
        opted_out: r.opted_out,
        revoked: r.revoked,
        sent_recently: &[],
        // A person's own message is not an automated solicitation; outside a conversation it keeps
        // the channel's ordinary hours (a conversational reply goes whatever the hour).
        message: compliance::MessagePurpose::Informational,
        automated: false,
        basis: None,
    };
    match compliance::check(&check, now) {
        Verdict::Send => Decision::Send { conversational },
        Verdict::Defer {
            until,
            rule,
            reason,
        } => Decision::Refused {
            rule,
            reason,
            next_opening: Some(until),
        },
        Verdict::Deny { rule, reason } => Decision::Refused {
            rule,
            reason,
            next_opening: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hours::{DayHours, WeeklyHours};
    use crate::window::ZoneHours;
    use jiff::tz::TimeZone;

    fn chicago() -> ContactWindow {
        let hours = WeeklyHours::every_day(DayHours::parse("08:00-21:00").expect("hours"));
        ContactWindow::new(vec![ZoneHours::new(
            TimeZone::get("America/Chicago").expect("zone"),
            hours,
        )])
    }

    fn at(s: &str) -> Timestamp {
        s.parse().expect("instant")
    }

    fn request<'a>(
        window: &'a ContactWindow,
        revoked: &'a [String],
        last: Option<&str>,
    ) -> Request<'a> {
        Request {
            channel: Channel::Sms,
            window,
            opted_out: false,
            revoked,
            last_customer_at: last.map(at),
            conversational_minutes: 60,
        }
    }

    #[test]
    fn a_message_at_ten_at_night_waits_unless_it_answers_the_customer_within_the_hour() {
        let w = chicago();
        // 04:00Z is 22:00 in Chicago; the window opens at 08:00 Chicago (14:00Z).
        let night = at("2026-12-02T04:00:00Z");
        // (customer's last message, expected)
        let cases = [
            (
                None,
                Decision::Refused {
                    rule: Rule::ContactWindow,
                    reason: String::new(),
                    next_opening: Some(at("2026-12-02T14:00:00Z")),
                },
            ),
            (
                Some("2026-12-02T02:59:00Z"),
                Decision::Refused {
                    rule: Rule::ContactWindow,
                    reason: String::new(),
                    next_opening: Some(at("2026-12-02T14:00:00Z")),
                },
            ),
            (
                Some("2026-12-02T03:00:00Z"),
                Decision::Send {
                    conversational: true,
                },
            ),
            (
                Some("2026-12-02T03:55:00Z"),
                Decision::Send {
                    conversational: true,
                },
            ),
        ];
        for (last, expected) in cases {
            let mut decision = decide(&request(&w, &[], last), night);
            if let Decision::Refused { reason, .. } = &mut decision {
                assert!(reason.contains("22:00"), "{reason}");
                reason.clear();
            }
            assert_eq!(decision, expected, "last customer message {last:?}");
        }
    }

    #[test]
    fn consent_refuses_even_a_conversational_answer() {
        let w = chicago();
        let day = at("2026-12-02T18:00:00Z");
        let sms = vec!["sms".to_owned()];
        let revoked = decide(&request(&w, &sms, Some("2026-12-02T17:50:00Z")), day);
        assert!(matches!(
            revoked,
            Decision::Refused {
                rule: Rule::ConsentRevoked,
                next_opening: None,
                ..
            }
        ));
        let mut opted = request(&w, &[], Some("2026-12-02T17:50:00Z"));
        opted.opted_out = true;
        assert!(matches!(
            decide(&opted, day),
            Decision::Refused {
                rule: Rule::OptedOut,
                ..
            }
        ));
        assert_eq!(
            decide(&request(&w, &[], None), day),
            Decision::Send {
                conversational: false
            }
        );
    }
}
