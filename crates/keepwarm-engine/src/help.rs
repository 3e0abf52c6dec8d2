//! The HELP keyword: a customer who texts HELP, INFO or AYUDA gets the carriers' HELP response at
//! once, whatever the hour — who is writing, how to reach a person, how to stop — in their language
//! (the lead's, else the keyword's), through the durable outbound queue like the opt-out
//! confirmation. The reply is still read as usual: a person sees it.
//!
//! The words are keepwarm-domain's `help_reply`, linted with the dealership's brand by `check`.

use jiff::Timestamp;
use keepwarm_channels::RecipientKind;
use keepwarm_domain::cadence::Channel as ChannelKind;
use keepwarm_domain::language::{help_keyword, help_reply, lead_language};
use keepwarm_domain::lead::LeadInput;
use keepwarm_domain::timeline::{OptOutConfirmationFailed, OptOutConfirmed, OutboundNote};
use keepwarm_domain::{PhoneNumber, TimelineEvent};
use keepwarm_store::{Change, LeadRow, NewEvent, NewOutbound, OutboundPurpose};

use crate::Engine;

impl Engine {
    /// The HELP reply a text asks for, when it is a lone HELP keyword.
    pub(crate) fn plan_help_reply(
        &self,
        lead: &LeadRow,
        phone: &PhoneNumber,
        body: &str,
        now: Timestamp,
    ) -> Option<Change> {
        let keyword_language = help_keyword(body)?;
        let config = self.config();
        let dealership = config.dealership(Some(&lead.dealership))?;
        let input: LeadInput = serde_json::from_value(lead.payload.clone()).unwrap_or_default();
        let language = lead_language(
            &input,
            Some(keyword_language),
            &dealership.language,
            &config.languages(),
        );
        let number = dealership.phone.as_ref().map(PhoneNumber::national);
        let text = help_reply(&language, &dealership.brand, number.as_deref());
        let to = phone.as_str().to_owned();
        Some(Change::Enqueue(NewOutbound {
            sender: None,
            lead_id: Some(lead.id),
            purpose: OutboundPurpose::HelpReply,
            channel: ChannelKind::Sms.as_str().to_owned(),
            recipient_kind: RecipientKind::Customer.as_str().to_owned(),
            recipient: to.clone(),
            subject: None,
            body: text.clone(),
            attachments: Vec::new(),
            dealership: lead.dealership.clone(),
            dedupe_key: None,
            on_sent: Some(Box::new(NewEvent::new(
                now,
                TimelineEvent::HelpReplied(OptOutConfirmed {
                    to: to.clone(),
                    body: text,
                    outbound: OutboundNote::default(),
                }),
            ))),
            on_failed: Some(Box::new(NewEvent::new(
                now,
                TimelineEvent::HelpReplyFailed(OptOutConfirmationFailed {
                    to,
                    outbound: OutboundNote::default(),
                }),
            ))),
            due_at: now,
        }))
    }
}
