//! The compliance gate: the one function every scheduled touch and every outbound message passes,
//! when it is planned and again at the instant it is sent.
//!
//! Planning already puts a touch inside its window, but the world moves between planning and
//! sending: a server that was down all night restarts at 05:30 in the customer's zone, a reply
//! revokes a channel, a holiday is added. So the dispatcher asks [`check`] with the state as it is
//! at send time and carries out the verdict: send, defer to the next legal opening (with the rule
//! that deferred it on the timeline), or never send.
//!
//! The gate holds: the lead's opt-out and the consent ledger; the contact window for the message's
//! channel — for calls and texts, every hours and holiday row of the recipient's jurisdictions
//! ([`rules`], [`apply`]) in every zone they may be in; for e-mail, its own hours — intersected with
//! the dealership's business hours and holidays; and the frequency caps of those jurisdictions,
//! counted over the automated calls and texts the person got from any dealership number.

pub mod apply;
pub mod calendar;
pub mod consent;
pub mod dnc;
pub mod explain;
pub mod kill_switch;
pub mod place;
pub mod report;
pub mod rules;

use jiff::Timestamp;
use serde::Serialize;

use crate::cadence::Channel;
use crate::window::ContactWindow;

/// Why a message is sent: each purpose has its own rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// An automated step of a cadence to a customer.
    CadenceTouch,
    /// The one confirmation an opt-out gets: sent at once whatever the hour (the customer just
    /// wrote to us; the confirmation carries no marketing).
    OptOutConfirmation,
    /// A message to a staff member (alerts, reports): no customer contact rules apply.
    Staff,
    /// A person's own message to a customer: the same rules as a cadence touch.
    PersonalMessage,
    /// A person's direct answer to the customer's own recent message: consent applies, the contact
    /// window does not (the customer is in the conversation now).
    ConversationalReply,
}

/// What a message says, as its block declares (`purpose = ...` in blocks.toml): the caps, the
/// consent basis and the do-not-call list apply to marketing only. A message that both informs and
/// sells is marketing.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MessagePurpose {
    /// It sells or invites to buy (the default: every cadence step is treated as a solicitation
    /// unless its block says otherwise).
    #[default]
    Marketing,
    /// It informs about something the customer already has or asked for (an appointment
    /// reminder); no sales content.
    Informational,
    /// It answers the customer's own inquiry or message.
    Conversational,
}

impl MessagePurpose {
    /// The word used in blocks.toml.
    pub fn as_str(self) -> &'static str {
        match self {
            MessagePurpose::Marketing => "marketing",
            MessagePurpose::Informational => "informational",
            MessagePurpose::Conversational => "conversational",
        }
    }

    /// The purpose a message of this block has when sent at `now` for an inquiry made at
    /// `inquiry_at`: an answer to the customer's inquiry is conversational only while the inquiry
    /// is fresh ([`CONVERSATIONAL_HOURS`]); later, the same words are a solicitation.
    pub fn as_sent(self, inquiry_at: Timestamp, now: Timestamp) -> MessagePurpose {
        let fresh = now.duration_since(inquiry_at)
            <= jiff::SignedDuration::from_hours(CONVERSATIONAL_HOURS);
        match self {
            MessagePurpose::Conversational if !fresh => MessagePurpose::Marketing,
            purpose => purpose,
        }
    }

    /// Whether this is the default (kept out of serialized blocks, so cadence versions of blocks
    /// that never declared a purpose do not change).
    pub fn is_marketing(&self) -> bool {
        *self == MessagePurpose::Marketing
    }
}

/// How long after the inquiry a conversational block's message still answers it.
pub const CONVERSATIONAL_HOURS: i64 = 24;

/// Which rule decided a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The customer opted out of everything.
    OptedOut,
    /// The consent ledger revokes this channel (or every channel) for the contact.
    ConsentRevoked,
    /// Outside the customer's legal contact hours or the dealership's business hours (including
    /// holidays), in at least one of the customer's zones.
    ContactWindow,
    /// A frequency cap of the customer's jurisdictions is full (FL, OK, MD: 3 per 24 h; ME: 1 per
    /// 8 h); the touch waits until it frees.
    FrequencyCap,
    /// An automated marketing call or text without the consent basis the customer's jurisdictions
    /// require (`express_written` in the federal row): not sent; a person asks for consent.
    ConsentBasis,
}

/// What the gate is asked about one message.
#[derive(Debug, Clone, Copy)]
pub struct Check<'a> {
    /// Why it is sent.
    pub purpose: Purpose,
    /// The channel it goes on.
    pub channel: Channel,
    /// Legal hours in every zone the recipient may be in, intersected with business hours and
    /// holidays.
    pub window: &'a ContactWindow,
    /// The lead opted out of everything.
    pub opted_out: bool,
    /// The ledger's channels revoked and in force for the contact (`all`, `sms`, `email`, `call`).
    pub revoked: &'a [String],
    /// When the person last got automated calls and texts, from any dealership number (at least
    /// the longest cap's period back); counted against the window's caps.
    pub sent_recently: &'a [Timestamp],
    /// What the message's block says it is for. An automated marketing call, voicemail or text
    /// is a solicitation: the caps and the consent basis of the recipient's jurisdictions apply to
    /// it. A conversational e-mail follows the reply hours.
    pub message: MessagePurpose,
    /// The machine sends it (false for a call a person makes from a task).
    pub automated: bool,
    /// The strongest consent basis the contact's evidence gives this channel and dealership
    /// ([`consent::basis_for`]); `None` when there is none.
    pub basis: Option<rules::Basis>,
}

impl Check<'_> {
    /// An automated marketing call, voicemail or text of a cadence.
    pub fn is_solicitation(&self) -> bool {
        self.purpose == Purpose::CadenceTouch
            && self.message == MessagePurpose::Marketing
            && self.automated
            && self.channel.needs_phone()
    }
}

/// The gate's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Send it now.
    Send,
    /// Not now: the first instant it may go.
    Defer {
        /// When it may go.
        until: Timestamp,
        /// The rule that deferred it.
        rule: Rule,
        /// In words, for the timeline.
        reason: String,
    },
    /// Never (consent), or not within the planning horizon (a window that never opens).
    Deny {
        /// The rule that denied it.
        rule: Rule,
        /// In words, for the timeline.
        reason: String,
    },
}

/// The ledger's word for a channel.
pub fn ledger_channel(channel: Channel) -> &'static str {
    match channel {
        Channel::Sms => "sms",
        Channel::Email => "email",
        Channel::Call | Channel::Voicemail => "call",
    }
}

/// Decides one message at `now`.
pub fn check(c: &Check<'_>, now: Timestamp) -> Verdict {
    match c.purpose {
        Purpose::Staff | Purpose::OptOutConfirmation => return Verdict::Send,
        Purpose::CadenceTouch | Purpose::PersonalMessage | Purpose::ConversationalReply => {}
    }
    if c.opted_out {
        return Verdict::Deny {
            rule: Rule::OptedOut,
            reason: "the customer opted out".into(),
        };
    }
    let channel = ledger_channel(c.channel);
    if let Some(revoked) = c.revoked.iter().find(|r| *r == "all" || *r == channel) {
        return Verdict::Deny {
            rule: Rule::ConsentRevoked,
            reason: if revoked == "all" {
                "the customer revoked consent".into()
            } else {
                format!("the customer revoked consent for {channel}")
            },
        };
    }
    if c.purpose == Purpose::ConversationalReply {
        return Verdict::Send;
    }
    let solicitation = c.is_solicitation();
    if let Some((required, rule)) = solicitation
        .then(|| c.window.consent_in_force(now))
        .flatten()
        .filter(|(required, _)| c.basis < Some(*required))
    {
        return Verdict::Deny {
            rule: Rule::ConsentBasis,
            reason: format!(
                "an automated marketing {} needs {} consent ({rule}) and the customer's evidence gives {}",
                ledger_channel(c.channel),
                consent::basis_text(Some(required)),
                consent::basis_text(c.basis)
            ),
        };
    }
    let caps = if solicitation {
        c.window.caps_in_force(now)
    } else {
        Vec::new()
    };
    let capped = apply::cap_release(&caps, c.sent_recently, now);
    let earliest = capped.as_ref().map_or(now, |(t, _)| *t);
    match c.window.next_open_for_message(c.channel, c.message, earliest) {
        Some(until) if until == now => Verdict::Send,
        Some(until) => match capped {
            Some((_, cap)) => Verdict::Defer {
                until,
                rule: Rule::FrequencyCap,
                reason: format!(
                    "{} allows {} automated calls and texts per {} h and they were sent; next opening {until}",
                    cap.id, cap.max, cap.per_hours
                ),
            },
            None => Verdict::Defer {
                until,
                rule: Rule::ContactWindow,
                reason: format!(
                    "outside the contact window at {now} ({}); next opening {until}",
                    closed_parts(c.window, c.channel, now)
                ),
            },
        },
        None => Verdict::Deny {
            rule: Rule::ContactWindow,
            reason: "the contact window never opens for this recipient".into(),
        },
    }
}

/// Which zones' hours are closed at `t`, in words, one entry per zone with every rule that closed
/// it (`Wed 05:30 in America/Chicago (US.hours, US-TX.hours, business hours)`): several rows read in
/// one zone are one local time, said once.
fn closed_parts(window: &ContactWindow, channel: Channel, t: Timestamp) -> String {
    let mut zones: Vec<(String, Vec<String>)> = Vec::new();
    for p in window
        .parts()
        .iter()
        .filter(|p| p.scope.covers(channel) && !p.is_open(t))
    {
        let local = t.to_zoned_datetime(p.zone.clone());
        let at = format!(
            "{} in {}",
            local.strftime("%a %H:%M"),
            p.zone.iana_name().unwrap_or("the dealership's zone")
        );
        let source = if p.source.is_empty() {
            "business hours".to_owned()
        } else {
            p.source.clone()
        };
        match zones.iter_mut().find(|(z, _)| *z == at) {
            Some((_, sources)) if !sources.contains(&source) => sources.push(source),
            Some(_) => {}
            None => zones.push((at, vec![source])),
        }
    }
    zones
        .into_iter()
        .map(|(at, sources)| format!("{at} ({})", sources.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hours::{DayHours, WeeklyHours};
    use crate::window::ZoneHours;
    use jiff::tz::TimeZone;

    fn window(zones: &[&str]) -> ContactWindow {
        let hours = WeeklyHours::every_day(DayHours::parse("08:00-21:00").expect("hours"));
        ContactWindow::new(
            zones
                .iter()
                .map(|z| ZoneHours::new(TimeZone::get(z).expect("zone"), hours))
                .collect(),
        )
    }

    fn at(s: &str) -> Timestamp {
        s.parse().expect("instant")
    }

    fn touch<'a>(w: &'a ContactWindow, revoked: &'a [String]) -> Check<'a> {
        Check {
            purpose: Purpose::CadenceTouch,
            channel: Channel::Sms,
            window: w,
            opted_out: false,
            revoked,
            sent_recently: &[],
            message: MessagePurpose::Marketing,
            automated: true,
            basis: Some(rules::Basis::ExpressWritten),
        }
    }

    #[test]
    fn a_touch_gates_on_every_zone_the_recipient_may_be_in() {
        let w = window(&["America/Chicago", "America/Los_Angeles"]);
        // (now, expected): 13:30Z is 07:30 in Chicago and 05:30 in Los Angeles.
        let cases = [
            ("2026-12-02T13:30:00Z", Some("2026-12-02T16:00:00Z")),
            ("2026-12-02T15:59:00Z", Some("2026-12-02T16:00:00Z")),
            ("2026-12-02T16:00:00Z", None),
            ("2026-12-03T02:59:00Z", None),
            ("2026-12-03T03:00:00Z", Some("2026-12-03T16:00:00Z")),
        ];
        for (now, expected) in cases {
            let verdict = check(&touch(&w, &[]), at(now));
            match expected {
                None => assert_eq!(verdict, Verdict::Send, "{now}"),
                Some(until) => match verdict {
                    Verdict::Defer {
                        until: u,
                        rule: Rule::ContactWindow,
                        ..
                    } => assert_eq!(u, at(until), "{now}"),
                    other => panic!("{now}: {other:?}"),
                },
            }
        }
    }

    #[test]
    fn a_deferral_names_each_closed_zones_local_time_once_with_every_rule_that_closed_it() {
        // A Texas number at 05:30 in Chicago: the federal row, Texas's row, the settings' own hours
        // and the business hours are all closed at that one local time.
        let recipient = crate::compliance::place::Recipient {
            zones: vec!["America/Chicago".into()],
            jurisdictions: vec!["US-TX".into()],
        };
        let hours = WeeklyHours::every_day(DayHours::parse("08:00-21:00").expect("hours"));
        let business = ZoneHours::new(TimeZone::get("America/Chicago").expect("zone"), hours);
        let w = crate::plan::recipient_window(
            &crate::compliance::rules::BUILT_IN_TABLE,
            &recipient,
            crate::plan::OwnHours {
                phone: hours,
                email: hours,
                email_reply: WeeklyHours::always(),
            },
            business,
        );
        let Verdict::Defer { reason, .. } = check(&touch(&w, &[]), at("2026-12-02T11:30:00Z"))
        else {
            panic!("not deferred");
        };
        assert_eq!(
            reason.matches("05:30").count(),
            1,
            "the local time is said once: {reason}"
        );
        for rule in [
            "US.hours",
            "US-TX.hours",
            "settings contact.legal_hours",
            "business hours",
        ] {
            assert!(reason.contains(rule), "{rule} missing from: {reason}");
        }
    }

    #[test]
    fn an_answer_to_the_inquiry_is_conversational_only_while_the_inquiry_is_fresh() {
        let asked = at("2026-12-01T15:00:00Z");
        let cases = [
            (
                MessagePurpose::Conversational,
                "2026-12-02T15:00:00Z",
                MessagePurpose::Conversational,
            ),
            (
                MessagePurpose::Conversational,
                "2026-12-02T15:01:00Z",
                MessagePurpose::Marketing,
            ),
            (
                MessagePurpose::Informational,
                "2027-01-02T15:00:00Z",
                MessagePurpose::Informational,
            ),
            (
                MessagePurpose::Marketing,
                "2026-12-01T15:00:00Z",
                MessagePurpose::Marketing,
            ),
        ];
        for (declared, now, expected) in cases {
            assert_eq!(
                declared.as_sent(asked, at(now)),
                expected,
                "{declared:?} at {now}"
            );
        }
    }

    #[test]
    fn consent_denies_whatever_the_hour_and_an_opt_out_confirmation_always_goes() {
        let w = window(&["America/Chicago"]);
        let night = at("2026-12-02T09:00:00Z");
        let all = vec!["all".to_owned()];
        let sms = vec!["sms".to_owned()];
        let calls = vec!["call".to_owned()];
        assert!(matches!(
            check(&touch(&w, &all), night),
            Verdict::Deny {
                rule: Rule::ConsentRevoked,
                ..
            }
        ));
        assert!(matches!(
            check(&touch(&w, &sms), night),
            Verdict::Deny {
                rule: Rule::ConsentRevoked,
                ..
            }
        ));
        assert!(matches!(
            check(&touch(&w, &calls), night),
            Verdict::Defer {
                rule: Rule::ContactWindow,
                ..
            }
        ));
        let mut opted = touch(&w, &[]);
        opted.opted_out = true;
        assert!(matches!(
            check(&opted, night),
            Verdict::Deny {
                rule: Rule::OptedOut,
                ..
            }
        ));
        let confirmation = Check {
            purpose: Purpose::OptOutConfirmation,
            ..touch(&w, &all)
        };
        assert_eq!(check(&confirmation, night), Verdict::Send);
        let staff = Check {
            purpose: Purpose::Staff,
            ..touch(&w, &[])
        };
        assert_eq!(check(&staff, night), Verdict::Send);
    }
}

#[cfg(test)]
mod cases;
