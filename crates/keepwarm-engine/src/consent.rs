//! Consent: opt-outs from replies, the ledger, the one confirmation, and the dispatcher's refusal to
//! send on a revoked channel whatever asks.
//!
//! A full opt-out (STOP, "take me off your list", any reasonable means) revokes every channel for the
//! number, stops every cadence of every lead with that number, and sends exactly one confirmation
//! with no marketing. A channel-specific revocation ("stop calling, texting is fine") revokes that
//! channel only; the dispatcher then skips that channel's steps. START/UNSTOP restores consent.

use jiff::Timestamp;
use keepwarm_channels::RecipientKind;
use keepwarm_classify::Classification;
use keepwarm_domain::cadence::Channel as ChannelKind;
use keepwarm_domain::language::{lead_language, opt_out_confirmation};
use keepwarm_domain::lead::LeadInput;
use keepwarm_domain::timeline::{
    ChannelRevoked, ConsentRestored, OptOutConfirmationFailed, OptOutConfirmed, OutboundNote,
};
use keepwarm_domain::PhoneNumber;
use keepwarm_domain::TimelineEvent;
use keepwarm_store::{Change, LeadRow, NewEvent, NewOutbound, OutboundPurpose, Revocation};

use crate::{Engine, Result};

/// The ledger's channel word for a cadence channel.
pub(crate) fn ledger_channel(kind: ChannelKind) -> &'static str {
    match kind {
        ChannelKind::Sms => "sms",
        ChannelKind::Email => "email",
        ChannelKind::Call | ChannelKind::Voicemail => "call",
    }
}

/// Whether `revoked` (the ledger's channels in force for a contact) forbids `kind`.
pub(crate) fn forbids(revoked: Option<&Vec<String>>, kind: ChannelKind) -> Option<String> {
    let revoked = revoked?;
    if revoked.iter().any(|c| c == "all") {
        return Some("all".into());
    }
    let channel = ledger_channel(kind);
    revoked
        .iter()
        .any(|c| c == channel)
        .then(|| channel.to_owned())
}

impl Engine {
    /// Stops follow-up, marked opted out, on every lead with `phone` that is not already.
    pub(crate) async fn opt_out_everywhere(
        &self,
        phone: &PhoneNumber,
        reason: &str,
        actor: &str,
    ) -> Result<()> {
        for id in self.store().leads_with_phone(phone).await? {
            match self.store().lead(id).await? {
                Some(row) if !row.opted_out => {
                    let stop = Change::Stop {
                        lead: id,
                        reason: reason.to_owned(),
                        actor: actor.to_owned(),
                        opt_out: true,
                    };
                    self.apply_changes(id, vec![stop]).await?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// What an opt-out reply from `phone` on `lead` does, as changes of the reply's change set:
    /// the ledger, a stop on every lead with the number, one confirmation. `revoked` is the ledger's
    /// channels in force for the number before the reply.
    pub(crate) async fn plan_opt_out(
        &self,
        lead: &LeadRow,
        phone: &PhoneNumber,
        classification: &Classification,
        words: &str,
        revoked: &[String],
        now: Timestamp,
    ) -> Result<Vec<Change>> {
        // Recall first: a reply that names one channel ("stop texting me") revokes everything unless
        // the customer says another channel is still welcome ("stop calling, texting is fine").
        let all = classification.revoked_channels.is_all()
            || classification.revoked_channels.channels().is_empty()
            || !keeps_another_channel(words);
        let channels: Vec<String> = if all {
            vec!["all".into()]
        } else {
            classification
                .revoked_channels
                .channels()
                .into_iter()
                .map(|c| match c {
                    keepwarm_classify::Channel::Call => "call".to_owned(),
                    keepwarm_classify::Channel::Email => "email".to_owned(),
                    keepwarm_classify::Channel::Sms => "sms".to_owned(),
                })
                .collect()
        };
        let fresh =
            !revoked.iter().any(|c| c == "all") && channels.iter().any(|c| !revoked.contains(c));
        if !fresh {
            return Ok(vec![Change::Events(vec![NewEvent::new(
                now,
                TimelineEvent::ConsentAlreadyRevoked(ChannelRevoked {
                    channels,
                    words: words.to_owned(),
                    via: None,
                }),
            )])]);
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
            for id in self.store().leads_with_phone(phone).await? {
                if let Some(row) = self.store().lead(id).await?.filter(|r| !r.opted_out) {
                    changes.push(Change::Stop {
                        lead: row.id,
                        reason: reason.clone(),
                        actor: "customer".into(),
                        opt_out: true,
                    });
                }
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
        changes.push(Change::Enqueue(self.opt_out_confirmation(
            lead,
            phone,
            all,
            &channels,
            now,
            Some(classification.language.as_str()),
        )));
        Ok(changes)
    }

    /// The one confirmation an opt-out gets, in the customer's language (the lead document's, else
    /// that of the words they opted out with, `said_in`, else of their comments, else the
    /// dealership's): no marketing, how to come back.
    pub(crate) fn opt_out_confirmation(
        &self,
        lead: &LeadRow,
        phone: &PhoneNumber,
        all: bool,
        channels: &[String],
        now: Timestamp,
        said_in: Option<&str>,
    ) -> NewOutbound {
        let config = self.config();
        let dealership = config.dealership(Some(&lead.dealership));
        let brand = dealership.map_or("We", |d| d.brand.as_str());
        let input: LeadInput = serde_json::from_value(lead.payload.clone()).unwrap_or_default();
        let language = match dealership {
            None => keepwarm_domain::blocks::DEFAULT_LANGUAGE.to_owned(),
            Some(d) => match said_in.filter(|l| *l != "und") {
                Some(words) => lead_language(&input, Some(words), &d.language, &config.languages()),
                None => crate::context::language_for(&input, config, d, &self.classifier),
            },
        };
        let channels: Vec<&str> = channels.iter().map(String::as_str).collect();
        let body = opt_out_confirmation(&language, brand, all, &channels);
        NewOutbound {
            lead_id: Some(lead.id),
            purpose: OutboundPurpose::OptOutConfirmation,
            channel: ChannelKind::Sms.as_str().to_owned(),
            recipient_kind: RecipientKind::Customer.as_str().to_owned(),
            recipient: phone.as_str().to_owned(),
            subject: None,
            body: body.clone(),
            attachments: Vec::new(),
            dealership: lead.dealership.clone(),
            dedupe_key: None,
            on_sent: Some(Box::new(NewEvent::new(
                now,
                TimelineEvent::OptOutConfirmed(OptOutConfirmed {
                    to: phone.as_str().to_owned(),
                    body,
                    outbound: OutboundNote::default(),
                }),
            ))),
            on_failed: Some(Box::new(NewEvent::new(
                now,
                TimelineEvent::OptOutConfirmationFailed(OptOutConfirmationFailed {
                    to: phone.as_str().to_owned(),
                    outbound: OutboundNote::default(),
                }),
            ))),
            due_at: now,
            sender: None,
        }
    }

    /// START/UNSTOP: consent for the number is restored (follow-up does not restart by itself).
    /// `revoked` is the ledger's channels in force for the number.
    pub(crate) fn plan_resubscribe(
        phone: &PhoneNumber,
        revoked: &[String],
        now: Timestamp,
    ) -> Vec<Change> {
        if revoked.is_empty() {
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
}

/// Whether the reply says some channel is still welcome ("texting is fine", "email only", "call me
/// instead"), which is what makes a revocation channel-specific.
pub(crate) fn keeps_another_channel(words: &str) -> bool {
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

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
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
