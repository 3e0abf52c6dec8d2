//! Consent: opt-outs from replies, the ledger, the one confirmation, and the dispatcher's refusal to
//! send on a revoked channel whatever asks.
//!
//! A full opt-out (STOP, "take me off your list", any reasonable means) revokes every channel for the
//! number, stops every cadence of every lead with that number, and sends exactly one confirmation
//! with no marketing. A channel-specific revocation ("stop calling, texting is fine") revokes that
//! channel only; the dispatcher then skips that channel's steps. START/UNSTOP restores consent.
//!
//! What a reply does to consent is the lead state machine's (`keepwarm_domain::machine`,
//! `consent.rs`); this module keeps the ledger check the dispatcher uses and the confirmation a
//! person's decision on a held opt-out queues.

use jiff::Timestamp;
use keepwarm_domain::cadence::Channel as ChannelKind;
use keepwarm_domain::machine::consent::confirmation;
use keepwarm_domain::machine::{LeadState, Rules};
use keepwarm_domain::PhoneNumber;
use keepwarm_store::{Change, LeadRow, NewOutbound};

use crate::context::comments_language;
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

    /// The one confirmation an opt-out gets (worded by
    /// [`keepwarm_domain::machine::consent::confirmation`]).
    pub(crate) fn opt_out_confirmation(
        &self,
        lead: &LeadRow,
        phone: &PhoneNumber,
        all: bool,
        channels: &[String],
        now: Timestamp,
        said_in: Option<&str>,
    ) -> NewOutbound {
        let mut state = LeadState::new(lead.id, &lead.dealership, &lead.segment, &lead.owner_id);
        state.document = serde_json::from_value(lead.payload.clone()).unwrap_or_default();
        state.comments_language =
            comments_language(&state.document, &self.classifier).map(str::to_owned);
        let rules = Rules {
            config: self.config(),
            window: None,
            cadences: &self.current,
        };
        confirmation(&state, phone, all, channels, said_in, &rules, now)
    }
}
