//! Builds the e-mail for one touch: a `multipart/alternative` text + HTML message rendered from one
//! message block, from the dealership's address, with the dealership's footer, RFC 8058
//! unsubscribe headers, a Message-ID derived from the caller's key, and attachments.
//!
//! No IO and no clock: the date is part of the input. Sending is [`crate::smtp`]'s job.
//!
//! # MIME structure
//!
//! Without attachments:
//!
//! ```text
//! multipart/alternative
//!   text/plain; charset=utf-8
//!   text/html; charset=utf-8
//! ```
//!
//! With attachments, and with a calendar invite (`text/calendar` with a `method` parameter):
//!
//! ```text
//! multipart/mixed
//!   multipart/alternative
//!     text/plain; charset=utf-8
//!     text/html; charset=utf-8
//!     text/calendar; method=REQUEST; charset=UTF-8    (inline iMIP part, the invite itself)
//!   text/calendar; method=REQUEST; charset=UTF-8      (Content-Disposition: attachment; filename="invite.ics")
//!   …other attachments
//! ```
//!
//! This is the structure Google Calendar and Thunderbird's Lightning send (the same calendar
//! object twice): Gmail and Outlook show Accept/Decline from the inline part in the first child
//! of `multipart/mixed` (Outlook only looks for iMIP data there), while clients that ignore iMIP
//! in `multipart/alternative` still offer the `.ics` attachment. RFC 6047 allows one calendar
//! object per message, so only the first calendar attachment gets the inline part.

use std::time::SystemTime;

use jiff::Timestamp;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Attachment as MimeAttachment, Mailbox, MultiPart, SinglePart};
use lettre::{Address, Message};

use crate::render::{render_html, render_text};

/// An e-mail address with an optional display name (`"Sunrise Motors" <sales@sunrise.example>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedAddress {
    /// The display name, if any; encoded as needed, never containing a line break.
    pub name: Option<String>,
    /// The address itself, `local@domain`.
    pub address: String,
}

impl NamedAddress {
    /// An address with a display name.
    pub fn new(name: impl Into<String>, address: impl Into<String>) -> Self {
        NamedAddress {
            name: Some(name.into()),
            address: address.into(),
        }
    }

    /// An address without a display name.
    pub fn bare(address: impl Into<String>) -> Self {
        NamedAddress {
            name: None,
            address: address.into(),
        }
    }
}

/// The dealership's identity printed at the foot of every e-mail (CAN-SPAM wants the postal
/// address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DealershipFooter {
    /// The dealership's name as customers know it.
    pub dealership_name: String,
    /// The postal address, one line per element.
    pub postal_address: Vec<String>,
    /// The phone number to print, if any.
    pub phone: Option<String>,
}

/// Where the recipient can unsubscribe: the signed `https://…/u/TOKEN` link (also used for
/// RFC 8058 one-click), and optionally a `mailto:` alternative for `List-Unsubscribe`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsubscribeLink {
    /// The one-click URL; must be `https://` (RFC 8058 requires HTTPS).
    pub url: String,
    /// An optional `mailto:` URI (`mailto:unsubscribe@dealer.example?subject=unsubscribe`).
    pub mailto: Option<String>,
}

/// A file attached to the e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The file name shown to the recipient (`invite.ics`).
    pub filename: String,
    /// The MIME content type with its parameters (`application/pdf`,
    /// `text/calendar; method=REQUEST; charset=UTF-8`).
    pub content_type: String,
    /// The file's bytes.
    pub content: Vec<u8>,
}

impl Attachment {
    /// An iCalendar invitation (`METHOD:REQUEST` inside `ics`) as `invite.ics` with content type
    /// `text/calendar; method=REQUEST; charset=UTF-8`; [`compose`] also adds it as the inline
    /// calendar alternative mail clients turn into Accept/Decline buttons.
    pub fn calendar_invite(ics: impl Into<Vec<u8>>) -> Self {
        Attachment {
            filename: "invite.ics".to_owned(),
            content_type: "text/calendar; method=REQUEST; charset=UTF-8".to_owned(),
            content: ics.into(),
        }
    }
}

/// A stable Message-ID, `<KEY.keepwarm@DOMAIN>`, derived from a caller's key (e.g. the touch id).
/// Sending the same touch twice yields the same id, which is what lets crash reconciliation find
/// out whether a touch already went out.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MessageId(String);

impl MessageId {
    /// `<{key}.keepwarm@{domain}>`. `key` is 1 to 128 ASCII letters, digits, `-` or `_`
    /// (`touch-123`); `domain` is a host name (`sunrise-motors.example`).
    pub fn from_key(key: &str, domain: &str) -> Result<Self, ComposeError> {
        let key_ok = !key.is_empty()
            && key.len() <= 128
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        let domain_ok = !domain.is_empty()
            && domain.len() <= 253
            && domain.split('.').all(|label| {
                !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !key_ok || !domain_ok {
            return Err(ComposeError::InvalidMessageId {
                key: key.to_owned(),
                domain: domain.to_owned(),
            });
        }
        Ok(MessageId(format!(
            "<{key}.keepwarm@{}>",
            domain.to_ascii_lowercase()
        )))
    }

    /// The id with its angle brackets, as it appears in the `Message-ID` header.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for MessageId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Everything one e-mail is made of; [`compose`] turns it into a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    /// The dealership's sending address and name.
    pub from: NamedAddress,
    /// Where replies should go, if not to `from` (e.g. the salesperson).
    pub reply_to: Option<NamedAddress>,
    /// The recipient.
    pub to: NamedAddress,
    /// The subject line.
    pub subject: String,
    /// The message block: plain text, paragraphs separated by blank lines, may contain URLs.
    pub body: String,
    /// The dealership footer printed in both alternatives.
    pub footer: DealershipFooter,
    /// The unsubscribe link for the footer and the `List-Unsubscribe` headers.
    pub unsubscribe: UnsubscribeLink,
    /// The `Message-ID`.
    pub message_id: MessageId,
    /// The `Date` header.
    pub date: Timestamp,
    /// Attachments, in order.
    pub attachments: Vec<Attachment>,
}

/// Why an e-mail could not be composed. All of them are mistakes in the input: retrying the same
/// input fails the same way.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// `from`, `reply_to` or `to` is not an e-mail address lettre accepts.
    #[error("{field} `{value}` is not an e-mail address")]
    InvalidAddress {
        /// Which field: `from`, `reply_to` or `to`.
        field: &'static str,
        /// The rejected address.
        value: String,
    },
    /// The subject, a display name or an attachment's file name or content type contains a
    /// line break or another control character (a header injection attempt, or a bug).
    #[error("{field} contains a line break or another control character")]
    ControlCharacterInHeader {
        /// Which field.
        field: &'static str,
    },
    /// [`MessageId::from_key`] got a key or domain outside the allowed characters.
    #[error("cannot make a Message-ID from key `{key}` and domain `{domain}`")]
    InvalidMessageId {
        /// The key given.
        key: String,
        /// The domain given.
        domain: String,
    },
    /// The unsubscribe URL is not `https://…` (RFC 8058), the mailto is not `mailto:…`, or either
    /// contains spaces, `<`, `>`, `,` or control characters.
    #[error(
        "unsubscribe link `{0}` is not an https URL (or mailto: URI) usable in List-Unsubscribe"
    )]
    InvalidUnsubscribeLink(String),
    /// An attachment's content type does not parse as a MIME type.
    #[error("attachment `{filename}` has content type `{content_type}`, which is not a MIME type")]
    InvalidContentType {
        /// The attachment's file name.
        filename: String,
        /// The content type given.
        content_type: String,
    },
    /// The date cannot be represented as a system time.
    #[error("date {0} is out of range")]
    DateOutOfRange(Timestamp),
    /// lettre refused to build the message (should not happen once the checks above pass).
    #[error("could not build the message")]
    Build(#[source] lettre::error::Error),
}

/// `List-Unsubscribe: <https://…/u/TOKEN>, <mailto:…>` (RFC 2369).
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(s.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribePost)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

fn check_header_text(field: &'static str, value: &str) -> Result<(), ComposeError> {
    if value.chars().any(char::is_control) {
        return Err(ComposeError::ControlCharacterInHeader { field });
    }
    Ok(())
}

fn mailbox(field: &'static str, named: &NamedAddress) -> Result<Mailbox, ComposeError> {
    if let Some(name) = &named.name {
        check_header_text(field, name)?;
    }
    let address: Address =
        named
            .address
            .trim()
            .parse()
            .map_err(|_| ComposeError::InvalidAddress {
                field,
                value: named.address.clone(),
            })?;
    Ok(Mailbox::new(named.name.clone(), address))
}

fn list_unsubscribe(link: &UnsubscribeLink) -> Result<ListUnsubscribe, ComposeError> {
    let usable = |uri: &str, scheme: &str| {
        uri.len() > scheme.len()
            && uri
                .get(..scheme.len())
                .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
            && !uri
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ','))
    };
    // RFC 8058 wants https; plain http is accepted only for this machine (development, tests).
    let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|p| usable(&link.url, p) && link.url[p.len()..].starts_with([':', '/']));
    if !usable(&link.url, "https://") && !loopback {
        return Err(ComposeError::InvalidUnsubscribeLink(link.url.clone()));
    }
    let mut value = format!("<{}>", link.url);
    if let Some(mailto) = &link.mailto {
        if !usable(mailto, "mailto:") {
            return Err(ComposeError::InvalidUnsubscribeLink(mailto.clone()));
        }
        value.push_str(&format!(", <{mailto}>"));
    }
    Ok(ListUnsubscribe(value))
}

/// Whether `content_type` is an iMIP calendar object (`text/calendar` with a `method`), and
/// the inline part's content type if so.
fn calendar_method(content_type: &str) -> Option<String> {
    let mut parts = content_type.split(';').map(str::trim);
    let essence = parts.next()?;
    if !essence.eq_ignore_ascii_case("text/calendar") {
        return None;
    }
    parts.find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("method")
            .then(|| value.trim().trim_matches('"').to_ascii_uppercase())
    })
}

/// Composes the e-mail: see the [module documentation](self) for the MIME structure.
///
/// The `From` header is the dealership's address, `Date` is `email.date`, `Message-ID` is
/// `email.message_id`, and the RFC 8058 headers `List-Unsubscribe` and
/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` are always present.
pub fn compose(email: &OutgoingEmail) -> Result<Message, ComposeError> {
    check_header_text("subject", &email.subject)?;
    let date =
        SystemTime::try_from(email.date).map_err(|_| ComposeError::DateOutOfRange(email.date))?;

    let mut builder = Message::builder()
        .from(mailbox("from", &email.from)?)
        .to(mailbox("to", &email.to)?)
        .subject(email.subject.clone())
        .message_id(Some(email.message_id.as_str().to_owned()))
        .date(date)
        .header(list_unsubscribe(&email.unsubscribe)?)
        .header(ListUnsubscribePost);
    if let Some(reply_to) = &email.reply_to {
        builder = builder.reply_to(mailbox("reply_to", reply_to)?);
    }

    let text = render_text(&email.body, &email.footer, &email.unsubscribe.url);
    let html = render_html(
        &email.subject,
        &email.body,
        &email.footer,
        &email.unsubscribe.url,
    );
    let mut alternative = MultiPart::alternative()
        .singlepart(SinglePart::plain(text))
        .singlepart(SinglePart::html(html));

    let mut attachments = Vec::with_capacity(email.attachments.len());
    let mut inline_calendar_added = false;
    for attachment in &email.attachments {
        check_header_text("attachment filename", &attachment.filename)?;
        check_header_text("attachment content type", &attachment.content_type)?;
        let content_type = ContentType::parse(&attachment.content_type).map_err(|_| {
            ComposeError::InvalidContentType {
                filename: attachment.filename.clone(),
                content_type: attachment.content_type.clone(),
            }
        })?;
        if let Some(method) = calendar_method(&attachment.content_type) {
            if !inline_calendar_added {
                let inline_type =
                    ContentType::parse(&format!("text/calendar; method={method}; charset=UTF-8"))
                        .map_err(|_| ComposeError::InvalidContentType {
                        filename: attachment.filename.clone(),
                        content_type: attachment.content_type.clone(),
                    })?;
                alternative = alternative.singlepart(
                    SinglePart::builder()
                        .header(inline_type)
                        .body(attachment.content.clone()),
                );
                inline_calendar_added = true;
            }
        }
        attachments.push(
            MimeAttachment::new(attachment.filename.clone())
                .body(attachment.content.clone(), content_type),
        );
    }

    let body = if attachments.is_empty() {
        alternative
    } else {
        attachments
            .into_iter()
            .fold(MultiPart::mixed().multipart(alternative), |mixed, part| {
                mixed.singlepart(part)
            })
    };
    builder.multipart(body).map_err(ComposeError::Build)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_are_stable_and_checked() {
        let id = MessageId::from_key("touch-123", "Sunrise-Motors.example").unwrap();
        assert_eq!(id.as_str(), "<touch-123.keepwarm@sunrise-motors.example>");
        assert_eq!(
            id,
            MessageId::from_key("touch-123", "sunrise-motors.example").unwrap()
        );
        for (key, domain) in [
            ("", "a.example"),
            ("touch 1", "a.example"),
            ("touch>1", "a.example"),
            ("t1", ""),
            ("t1", "a..example"),
            ("t1", "a.example>"),
        ] {
            assert!(MessageId::from_key(key, domain).is_err(), "{key} {domain}");
        }
    }

    #[test]
    fn list_unsubscribe_needs_https_and_accepts_a_mailto() {
        let link = |url: &str, mailto: Option<&str>| UnsubscribeLink {
            url: url.to_owned(),
            mailto: mailto.map(str::to_owned),
        };
        assert_eq!(
            list_unsubscribe(&link("https://kw.example/u/t", Some("mailto:u@kw.example")))
                .unwrap()
                .0,
            "<https://kw.example/u/t>, <mailto:u@kw.example>"
        );
        for bad in [
            link("http://kw.example/u/t", None),
            link("https://kw.example/u/t>, <https://evil", None),
            link("https://kw.example/u/t\r\nBcc: x@y.z", None),
            link("https://kw.example/u/t", Some("https://not-mailto")),
        ] {
            assert!(list_unsubscribe(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn calendar_attachments_with_a_method_are_recognized() {
        let method = calendar_method;
        assert_eq!(
            method("text/calendar; method=REQUEST; charset=UTF-8"),
            Some("REQUEST".to_owned())
        );
        assert_eq!(method("text/calendar; charset=UTF-8"), None);
        assert_eq!(method("application/pdf"), None);
    }
}
