//! What names an e-mail keepwarm sends, the same on every transport that carries e-mail (SMTP, and
//! the sandbox's outbox): its Message-ID, derived from the touch or queued message so a resend has
//! the same one, and for a customer's e-mail about a lead the lead's signed reply address
//! (`sales+TAG@`). A customer's answer finds its lead by either (`In-Reply-To`/`References`, or
//! the address it was sent to).

use keepwarm_email::reply_to::reply_address;
use keepwarm_email::{MessageId, UnsubscribeSigner};

use crate::{ChannelError, Message, RecipientKind};

/// The Message-ID of `m`, sent from the address `from`: `<KEY.keepwarm@DOMAIN>` with the key of
/// the touch, the queued message, or the lead and instant.
pub(crate) fn message_id(m: &Message, from: &str) -> Result<MessageId, ChannelError> {
    let domain = from.rsplit('@').next().unwrap_or("keepwarm.invalid");
    let key = match (m.touch_id, m.outbound_id, m.lead_id) {
        (Some(t), _, _) => format!("touch-{t}"),
        (None, Some(o), _) => format!("outbound-{o}"),
        (None, None, Some(l)) => format!("lead-{}-{}", l.0, m.at.as_millisecond()),
        (None, None, None) => format!("note-{}", m.at.as_millisecond()),
    };
    MessageId::from_key(&key, domain).map_err(|e| ChannelError::Rejected(e.to_string()))
}

/// The lead's reply address on the dealership's address `from`, for a customer's e-mail about a
/// lead; `None` for any other e-mail.
pub(crate) fn lead_reply_address(
    m: &Message,
    from: &str,
    signer: &UnsubscribeSigner,
) -> Option<String> {
    match (m.lead_id, m.recipient_kind) {
        (Some(lead), RecipientKind::Customer) => reply_address(from, &signer.reply_tag(lead.0)),
        _ => None,
    }
}
