//! The SMTP transport: each e-mail composed by `keepwarm-email` (text and HTML from the same
//! block, the dealership's footer and postal address, a signed unsubscribe link with RFC 8058
//! one-click headers, attachments such as calendar invites) and handed to the configured relay.
//!
//! Refusals map to keepwarm's terms by the relay's reply: a mailbox that does not exist (550, 551,
//! 553) is [`ChannelError::Unreachable`] — the address is marked unusable and the step moves to a
//! text — any other 5xx is [`ChannelError::Rejected`], 4xx and connection failures are
//! [`ChannelError::Unavailable`], and a relay that refuses our login is unavailable too (an operator
//! must fix it; touches wait).
//!
//! An e-mail to a customer about a lead has the lead's reply address as its `Reply-To`
//! ([`keepwarm_email::reply_to`]), so the answer finds the lead without `In-Reply-To`.
//!
//! SMTP cannot be asked afterwards whether a message went out, so reconciliation counts an e-mail
//! a crash left in flight as sent: at most once. Its Message-ID is derived from the touch, so a
//! receiving system can drop a duplicate if one ever happened.

use async_trait::async_trait;
use jiff::Timestamp;
use keepwarm_domain::config::{ChannelSettings, Dealership};
use keepwarm_email::{
    compose, unsubscribe_url, Attachment, DealershipFooter, NamedAddress, OutgoingEmail,
    SmtpMailer, SmtpSendError, UnsubscribeClaim, UnsubscribeLink, UnsubscribeSigner,
};

use crate::email_ids::{lead_reply_address, message_id};
use crate::{Address, Channel, ChannelError, Delivered, Delivery, Message};

/// Sends e-mail through an SMTP relay.
pub struct SmtpChannel {
    mailer: SmtpMailer,
    signer: UnsubscribeSigner,
    dealerships: Vec<Dealership>,
    settings: ChannelSettings,
    public_url: Option<String>,
}

impl SmtpChannel {
    /// An SMTP transport. `public_url` is where customers reach this server's `/u/{token}`
    /// unsubscribe page; e-mails to customers are not sent without it.
    pub fn new(
        mailer: SmtpMailer,
        signer: UnsubscribeSigner,
        dealerships: Vec<Dealership>,
        settings: ChannelSettings,
        public_url: Option<String>,
    ) -> Self {
        Self {
            mailer,
            signer,
            dealerships,
            settings,
            public_url,
        }
    }

    fn outgoing(&self, m: &Message) -> Result<OutgoingEmail, ChannelError> {
        let Address::Email(to) = &m.to else {
            return Err(ChannelError::Rejected(format!(
                "smtp cannot deliver to {}",
                m.to
            )));
        };
        let d = self
            .dealerships
            .iter()
            .find(|d| d.id == m.dealership)
            .ok_or_else(|| {
                ChannelError::Rejected(format!("unknown dealership `{}`", m.dealership))
            })?;
        let from = d.email.as_ref().ok_or_else(|| {
            ChannelError::Unavailable(format!("dealership `{}` has no e-mail address", d.id))
        })?;
        let public_url = self.public_url.as_deref().ok_or_else(|| {
            ChannelError::Unavailable(
                "e-mail needs KEEPWARM_PUBLIC_URL for its unsubscribe link".into(),
            )
        })?;
        let token = self.signer.sign(&UnsubscribeClaim {
            dealership: d.id.clone(),
            contact: to.match_key(),
            lead_id: m.lead_id.map(|l| l.0),
            issued_at: m.at,
        });
        let name = match &m.sender {
            Some(sender) => sender.name.clone(),
            None => self
                .settings
                .for_dealership(&d.id)
                .email_from_name
                .unwrap_or_else(|| d.brand.clone()),
        };
        // A customer's answer to anything about a lead comes back to the dealership's mailbox
        // tagged with the lead (`sales+TAG@`), so it finds the lead without `In-Reply-To`.
        let reply_to = lead_reply_address(m, from.as_str(), &self.signer)
            .map(|address| NamedAddress::new(name.clone(), address))
            .or_else(|| {
                m.sender.as_ref().and_then(|s| {
                    s.reply_to
                        .as_ref()
                        .map(|r| NamedAddress::new(s.name.clone(), r.clone()))
                })
            });
        Ok(OutgoingEmail {
            from: NamedAddress::new(name, from.as_str()),
            reply_to,
            to: NamedAddress::bare(to.as_str()),
            subject: m
                .subject
                .clone()
                .unwrap_or_else(|| format!("A note from {}", d.brand)),
            body: m.body.clone(),
            footer: DealershipFooter {
                dealership_name: d.name.clone(),
                postal_address: d.address.split(", ").map(str::to_owned).collect(),
                phone: d.phone.as_ref().map(|p| p.national()),
            },
            unsubscribe: UnsubscribeLink {
                url: unsubscribe_url(public_url, &token),
                mailto: None,
            },
            message_id: message_id(m, from.as_str())?,
            date: m.at,
            attachments: m
                .attachments
                .iter()
                .map(|a| Attachment {
                    filename: a.filename.clone(),
                    content_type: a.content_type.clone(),
                    content: a.data.clone(),
                })
                .collect(),
        })
    }
}

/// The relay's refusal in keepwarm's terms.
fn map_error(e: &SmtpSendError) -> ChannelError {
    let reason = e.to_string();
    match e {
        SmtpSendError::Permanent {
            code: 550 | 551 | 553,
            ..
        } => ChannelError::Unreachable(reason),
        SmtpSendError::Permanent { .. } => ChannelError::Rejected(reason),
        _ => ChannelError::Unavailable(reason),
    }
}

#[async_trait]
impl Channel for SmtpChannel {
    fn name(&self) -> &'static str {
        "smtp"
    }

    async fn send(&self, m: &Message) -> Result<Delivery, ChannelError> {
        let outgoing = self.outgoing(m)?;
        let id = outgoing.message_id.as_str().to_owned();
        let email = compose(&outgoing).map_err(|e| ChannelError::Rejected(e.to_string()))?;
        match self.mailer.send(&email).await {
            Ok(_) => Ok(Delivery {
                provider_id: Some(id),
            }),
            Err(e) => Err(map_error(&e)),
        }
    }

    async fn lookup(
        &self,
        m: &Message,
        since: Timestamp,
    ) -> Result<Option<Delivered>, ChannelError> {
        // SMTP keeps no record we can ask: count it as sent (at most once).
        Ok(Some(Delivered {
            to: m.to.to_string(),
            body: m.body.clone(),
            at: since,
            provider_id: None,
        }))
    }
}
