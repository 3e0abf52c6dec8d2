//! Consent: opt-outs from replies, the ledger, the one confirmation, and the dispatcher's refusal to
//! send on a revoked channel whatever asks.
//!
//! A full opt-out (STOP, "take me off your list", any reasonable means) revokes every channel for the
//! number, stops every cadence of every lead with that number, and sends exactly one confirmation
//! with no marketing. A channel-specific revocation ("stop calling, texting is fine") revokes that
//! channel only; the dispatcher then skips that channel's steps. START/UNSTOP restores consent.
//!
//! What a reply, a person's decision on a held opt-out or a carrier's refusal does to consent is the
//! lead state machine's (`keepwarm_domain::machine`, `consent.rs` and `opt_out_hold.rs`); this
//! module keeps the ledger check the dispatcher uses.

use keepwarm_domain::cadence::Channel as ChannelKind;

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
