//! What a customer's message does to consent and to the words they get: an opt-out (the ledger,
//! every lead with the number stopped, one confirmation through the durable outbound queue),
//! START/UNSTOP, the HELP keyword's answer, and the language their replies set.
//!
//! A full opt-out (STOP, "take me off your list", any reasonable means) revokes every channel for
//! the number; a channel-specific one ("stop calling, texting is fine") only that channel.

use jiff::Timestamp;
use keepwarm_classify::{Channel as ClassifiedChannel, Classification};

use super::alerts::truncate;
use super::change::Change;
use super::context::language_for;
use super::payload::{NewEvent, NewOutbound, OutboundPurpose, RefusedContact, Revocation};
use super::state::LeadState;
use super::Rules;
use crate::blocks::DEFAULT_LANGUAGE;
use crate::cadence::Channel;
use crate::language::{
    help_keyword, help_reply, lead_language, opt_out_confirmation, opt_out_confirmation_email,
    reply_language_change,
};
use crate::timeline::{
    ChannelRevoked, ConsentRestored, LanguageChanged, OptOutConfirmationFailed, OptOutConfirmed,
    OutboundNote,
};
use crate::{EmailAddress, PhoneNumber, TimelineEvent};

/// The ledger's words for the channels an opt-out names: `all` when it names none (or every one).
fn revoked_channels(c: &Classification, all: bool) -> Vec<String> {
    if all {
        return vec!["all".into()];
    }
    c.revoked_channels
        .channels()
        .into_iter()
        .map(|ch| {
            match ch {
                ClassifiedChannel::Call => "call",
                ClassifiedChannel::Email => "email",
                ClassifiedChannel::Sms => "sms",
            }
            .to_owned()
        })
        .collect()
}

/// Nothing but a `consent_already_revoked` event when the ledger already holds every channel an
/// opt-out names for the contact (the customer is confirmed once); `None` when it is news.
fn already_revoked(
    state: &LeadState,
    channels: &[String],
    words: &str,
    via: Option<String>,
    now: Timestamp,
) -> Option<Vec<Change>> {
    let revoked = &state.contact.revoked;
    let fresh =
        !revoked.iter().any(|c| c == "all") && channels.iter().any(|c| !revoked.contains(c));
    (!fresh).then(|| {
        vec![Change::Events(vec![NewEvent::new(
            now,
            TimelineEvent::ConsentAlreadyRevoked(ChannelRevoked {
                channels: channels.to_vec(),
                words: words.to_owned(),
                via,
            }),
        )])]
    })
}

/// An opt-out by text from `phone`: the ledger, a stop on every lead with the number, one
/// confirmation. Nothing but an event when the ledger already holds it.
pub(super) fn opt_out_by_text(
    state: &LeadState,
    phone: &PhoneNumber,
    c: &Classification,
    words: &str,
    rules: &Rules<'_>,
    now: Timestamp,
) -> Vec<Change> {
    // Recall first: a reply that names one channel ("stop texting me") revokes everything unless
    // the customer says another channel is still welcome ("stop calling, texting is fine").
    let all = c.revoked_channels.is_all()
        || c.revoked_channels.channels().is_empty()
        || !keeps_another_channel(words);
    let channels = revoked_channels(c, all);
    if let Some(already) = already_revoked(state, &channels, words, None, now) {
        return already;
    }
    let mut changes = vec![Change::Revoke(Revocation {
        contact: phone.as_str().to_owned(),
        channels: channels.clone(),
        at: now,
        words: words.to_owned(),
        via: "sms reply".into(),
    })];
    if all {
        let reason = format!("opted out by text: \"{}\"", truncate(words, 160));
        for (lead, _) in state.contact.leads.iter().filter(|(_, out)| !out) {
            changes.push(Change::Stop {
                lead: *lead,
                reason: reason.clone(),
                actor: "customer".into(),
                opt_out: true,
            });
        }
    } else {
        changes.push(Change::Events(vec![NewEvent::new(
            now,
            TimelineEvent::ChannelRevoked(ChannelRevoked {
                channels: channels.clone(),
                words: words.to_owned(),
                via: None,
            }),
        )]));
    }
    let said_in = Some(c.language.as_str());
    changes.push(Change::Enqueue(confirmation(
        state, phone, all, &channels, said_in, rules, now,
    )));
    changes
}

/// An opt-out by e-mail: the channels it names revoked for the address (everything when it names
/// none), the lead stopped as opted out when everything is, and one confirmation e-mail to the
/// address. Nothing but an event when the ledger already holds it (the same e-mail resent, or a
/// second "stop" after the first): the customer is confirmed once.
pub(super) fn opt_out_by_email(
    state: &LeadState,
    from: &EmailAddress,
    c: &Classification,
    words: &str,
    rules: &Rules<'_>,
    now: Timestamp,
) -> Vec<Change> {
    let all = c.revoked_channels.is_all() || c.revoked_channels.channels().is_empty();
    let channels = revoked_channels(c, all);
    let via = Some("email reply".to_owned());
    if let Some(already) = already_revoked(state, &channels, words, via.clone(), now) {
        return already;
    }
    let mut changes = vec![
        Change::Revoke(Revocation {
            contact: from.match_key(),
            channels: channels.clone(),
            at: now,
            words: words.to_owned(),
            via: "email reply".into(),
        }),
        Change::Events(vec![NewEvent::new(
            now,
            TimelineEvent::ChannelRevoked(ChannelRevoked {
                channels: channels.clone(),
                words: words.to_owned(),
                via,
            }),
        )]),
    ];
    if all && !state.opted_out {
        changes.push(Change::Stop {
            lead: state.id,
            reason: format!("opted out by e-mail: \"{}\"", truncate(words, 160)),
            actor: "customer".into(),
            opt_out: true,
        });
    }
    changes.push(Change::Enqueue(email_confirmation(
        state, from, all, &channels, c, rules, now,
    )));
    changes
}

/// The one confirmation e-mail an opt-out by e-mail gets, answering it at the address it came from,
/// in the customer's language (as [`confirmation`] chooses it).
fn email_confirmation(
    state: &LeadState,
    from: &EmailAddress,
    all: bool,
    channels: &[String],
    c: &Classification,
    rules: &Rules<'_>,
    now: Timestamp,
) -> NewOutbound {
    let (brand, language) = brand_and_language(state, Some(c.language.as_str()), rules);
    let channels: Vec<&str> = channels.iter().map(String::as_str).collect();
    let (subject, body) = opt_out_confirmation_email(&language, brand, all, &channels);
    let mut message = confirmed(state, from.as_str(), body, now);
    message.channel = Channel::Email.as_str().to_owned();
    message.subject = Some(subject);
    message
}

/// The e-mail unsubscribe link (`/u/{token}`) for `contact`: e-mail consent revoked for the address
/// with a `channel_revoked` event; nothing when the ledger already holds it (`revoked`: the
/// channels in force for the address). Texts and calls are not touched.
pub fn unsubscribe(
    revoked: &[String],
    contact: &str,
    via: &str,
    now: Timestamp,
) -> Option<(Revocation, NewEvent)> {
    if revoked.iter().any(|c| c == "all" || c == "email") {
        return None;
    }
    let revocation = Revocation {
        contact: contact.to_lowercase(),
        channels: vec!["email".into()],
        at: now,
        words: "unsubscribe link".into(),
        via: via.to_owned(),
    };
    let event = NewEvent::new(
        now,
        TimelineEvent::ChannelRevoked(ChannelRevoked {
            channels: vec!["email".into()],
            words: "unsubscribe link".into(),
            via: Some(via.to_owned()),
        }),
    );
    Some((revocation, event))
}

/// [`unsubscribe`] as the changes of the lead's set: the link named a lead.
pub(super) fn unsubscribed(
    state: &LeadState,
    contact: &str,
    via: &str,
    now: Timestamp,
) -> Vec<Change> {
    unsubscribe(&state.contact.revoked, contact, via, now)
        .map(|(revocation, event)| vec![Change::Revoke(revocation), Change::Events(vec![event])])
        .unwrap_or_default()
}

/// A channel's lasting refusal to carry a message about the lead, as the sender reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelRefusal {
    /// The number opted out at the carrier (Twilio 21610).
    PhoneOptedOut {
        /// The number.
        phone: PhoneNumber,
        /// The carrier's words.
        reason: String,
    },
    /// The mail server refused the address for good (the recipient unsubscribed there).
    EmailOptedOut {
        /// The address.
        address: EmailAddress,
        /// The server's words.
        reason: String,
    },
    /// The number or address cannot be reached (not a mobile number, a hard bounce).
    Unreachable {
        /// `phone` or `email`.
        kind: String,
        /// The E.164 number or the address, as stored.
        value: String,
        /// The provider's words.
        reason: String,
    },
}

/// What a channel's lasting refusal means beyond the one message: an opt-out at the carrier revokes
/// every channel of the number and stops every lead with it not yet opted out (as a STOP would, but
/// with no confirmation: the carrier already answered the customer); one at the mail server
/// revokes e-mail for the address; an unreachable address is marked unusable on every lead.
pub(super) fn channel_refused(
    state: &LeadState,
    refusal: &ChannelRefusal,
    now: Timestamp,
) -> Vec<Change> {
    match refusal {
        ChannelRefusal::PhoneOptedOut { phone, reason } => {
            let mut changes = vec![Change::Revoke(Revocation {
                contact: phone.as_str().to_owned(),
                channels: vec!["all".into()],
                at: now,
                words: reason.clone(),
                via: "carrier opt-out (Twilio 21610)".into(),
            })];
            changes.extend(
                state
                    .contact
                    .leads
                    .iter()
                    .filter(|(_, opted_out)| !opted_out)
                    .map(|(lead, _)| Change::Stop {
                        lead: *lead,
                        reason: format!("opted out at the carrier: {reason}"),
                        actor: "carrier".into(),
                        opt_out: true,
                    }),
            );
            changes
        }
        ChannelRefusal::EmailOptedOut { address, reason } => vec![Change::Revoke(Revocation {
            contact: address.match_key(),
            channels: vec!["email".into()],
            at: now,
            words: reason.clone(),
            via: "mail server refusal".into(),
        })],
        ChannelRefusal::Unreachable {
            kind,
            value,
            reason,
        } => vec![Change::MarkContactUnusable(RefusedContact {
            kind: kind.clone(),
            value: value.clone(),
            reason: reason.clone(),
            at: now,
        })],
    }
}

/// The one confirmation an opt-out gets, in the customer's language (the lead document's, else
/// that of the words they opted out with, `said_in`, else of their comments, else the
/// dealership's): no marketing, how to come back.
pub fn confirmation(
    state: &LeadState,
    phone: &PhoneNumber,
    all: bool,
    channels: &[String],
    said_in: Option<&str>,
    rules: &Rules<'_>,
    now: Timestamp,
) -> NewOutbound {
    let (brand, language) = brand_and_language(state, said_in, rules);
    let channels: Vec<&str> = channels.iter().map(String::as_str).collect();
    let body = opt_out_confirmation(&language, brand, all, &channels);
    confirmed(state, phone.as_str(), body, now)
}

/// The dealership's brand, and the language a confirmation is written in: the lead document's,
/// else that of the words the customer opted out with (`said_in`), else of their comments, else
/// the dealership's.
fn brand_and_language<'r>(
    state: &LeadState,
    said_in: Option<&str>,
    rules: &Rules<'r>,
) -> (&'r str, String) {
    let config = rules.config;
    let dealership = config.dealership(Some(&state.dealership));
    let brand = dealership.map_or("We", |d| d.brand.as_str());
    let input = &state.document;
    let language = match dealership {
        None => DEFAULT_LANGUAGE.to_owned(),
        Some(d) => match said_in.filter(|l| *l != "und") {
            Some(words) => lead_language(input, Some(words), &d.language, &config.languages()),
            None => language_for(input, config, d, state.comments_language.as_deref()),
        },
    };
    (brand, language)
}

/// An opt-out confirmation `body` to `to` (a text; the e-mail sets its channel and subject), with
/// its `opt_out_confirmed` and `opt_out_confirmation_failed` events.
fn confirmed(state: &LeadState, to: &str, body: String, now: Timestamp) -> NewOutbound {
    let to = to.to_owned();
    customer_notice(
        state,
        OutboundPurpose::OptOutConfirmation,
        body.clone(),
        TimelineEvent::OptOutConfirmed(OptOutConfirmed {
            to: to.clone(),
            body,
            outbound: OutboundNote::default(),
        }),
        TimelineEvent::OptOutConfirmationFailed(OptOutConfirmationFailed {
            to: to.clone(),
            outbound: OutboundNote::default(),
        }),
        to,
        now,
    )
}

/// A text to the customer that the law (or the customer's own keyword) calls for, sent whatever
/// the hour through the durable queue (an e-mail once its channel and subject are set).
fn customer_notice(
    state: &LeadState,
    purpose: OutboundPurpose,
    body: String,
    on_sent: TimelineEvent,
    on_failed: TimelineEvent,
    to: String,
    now: Timestamp,
) -> NewOutbound {
    NewOutbound {
        lead_id: Some(state.id),
        purpose,
        channel: Channel::Sms.as_str().to_owned(),
        recipient_kind: "customer".to_owned(),
        recipient: to,
        subject: None,
        body,
        attachments: Vec::new(),
        dealership: state.dealership.clone(),
        dedupe_key: None,
        on_sent: Some(Box::new(NewEvent::new(now, on_sent))),
        on_failed: Some(Box::new(NewEvent::new(now, on_failed))),
        due_at: now,
        sender: None,
    }
}

/// START/UNSTOP: consent for the number is restored (follow-up does not restart by itself).
pub(super) fn resubscribe(state: &LeadState, phone: &PhoneNumber, now: Timestamp) -> Vec<Change> {
    if state.contact.revoked.is_empty() {
        return Vec::new();
    }
    vec![
        Change::RestoreConsent {
            contact: phone.as_str().to_owned(),
            by: "customer texted START".into(),
        },
        Change::Events(vec![NewEvent::new(
            now,
            TimelineEvent::ConsentRestored(ConsentRestored {
                contact: phone.as_str().to_owned(),
            }),
        )]),
    ]
}

/// The answer a lone HELP keyword gets: who is writing, how to reach a person, how to stop, in the
/// customer's language (the lead's, else the keyword's). At most one a day: a HELP within the last
/// 24 hours was answered already (a keyword bot is not answered in a loop).
pub(super) fn help(
    state: &LeadState,
    phone: &PhoneNumber,
    body: &str,
    rules: &Rules<'_>,
    now: Timestamp,
) -> Option<Change> {
    let keyword_language = help_keyword(body)?;
    let day_ago = now.checked_sub(jiff::SignedDuration::from_hours(24)).ok()?;
    let asked_today = state
        .recent_messages
        .iter()
        .any(|m| m.inbound && m.at > day_ago && help_keyword(&m.body).is_some());
    if asked_today {
        return None;
    }
    let config = rules.config;
    let dealership = config.dealership(Some(&state.dealership))?;
    let language = lead_language(
        &state.document,
        Some(keyword_language),
        &dealership.language,
        &config.languages(),
    );
    let number = dealership.phone.as_ref().map(PhoneNumber::national);
    let text = help_reply(&language, &dealership.brand, number.as_deref());
    let to = phone.as_str().to_owned();
    Some(Change::Enqueue(customer_notice(
        state,
        OutboundPurpose::HelpReply,
        text.clone(),
        TimelineEvent::HelpReplied(OptOutConfirmed {
            to: to.clone(),
            body: text,
            outbound: OutboundNote::default(),
        }),
        TimelineEvent::HelpReplyFailed(OptOutConfirmationFailed {
            to: to.clone(),
            outbound: OutboundNote::default(),
        }),
        to,
        now,
    )))
}

/// When the lead document names no language, a reply written in another language than the one the
/// lead is written to switches the following touches and confirmations to it (`language_changed`).
pub(super) fn reply_language(
    state: &LeadState,
    reply: &str,
    c: &Classification,
    rules: &Rules<'_>,
    now: Timestamp,
) -> Vec<Change> {
    let config = rules.config;
    let Some(dealership) = config.dealership(Some(&state.dealership)) else {
        return Vec::new();
    };
    let current = language_for(
        &state.document,
        config,
        dealership,
        state.comments_language.as_deref(),
    );
    let Some(to) = reply_language_change(
        &state.document,
        reply,
        c.language.as_str(),
        &current,
        &config.languages(),
    ) else {
        return Vec::new();
    };
    vec![
        Change::SetReplyLanguage {
            language: to.clone(),
        },
        Change::Events(vec![NewEvent::new(
            now,
            TimelineEvent::LanguageChanged(LanguageChanged {
                from: current,
                to,
                words: reply.trim().to_owned(),
            }),
        )]),
    ]
}

/// Whether the reply says some channel is still welcome ("texting is fine", "email only", "call me
/// instead"), which is what makes a revocation channel-specific.
pub fn keeps_another_channel(words: &str) -> bool {
    let text = words.to_lowercase();
    let channel = [
        "text", "sms", "call", "phone", "email", "e-mail", "mensaje", "correo", "llam",
    ]
    .iter()
    .any(|c| text.contains(c));
    let welcome = [
        "is fine",
        "are fine",
        "is ok",
        "is okay",
        "are ok",
        "only",
        "instead",
        "prefer",
        "still",
        "está bien",
        "esta bien",
        "solo",
        "mejor",
    ]
    .iter()
    .any(|w| text.contains(w));
    channel && welcome
}

#[cfg(test)]
mod tests {
    use super::keeps_another_channel;

    #[test]
    fn only_an_explicit_welcome_makes_a_revocation_channel_specific() {
        assert!(keeps_another_channel("stop calling me, texting is fine"));
        assert!(keeps_another_channel("don't email me, text only"));
        assert!(keeps_another_channel("no me llamen, mensajes está bien"));
        assert!(!keeps_another_channel("stop texting me please"));
        assert!(!keeps_another_channel("STOP"));
        assert!(!keeps_another_channel("quit calling me"));
    }
}
