//! Lead e-mails (raw RFC 5322, as an MTA pipe or an inbound-parse service forwards them) → leads.
//!
//! Owns [`leads_from_email`]: it parses the message with `mail-parser`, looks for ADF in every place
//! providers put it, and falls back to reading a plain-text lead by its labels. Where to look, in
//! order (the first place that yields a lead wins, so an ADF sent both as attachment and in the body
//! is read once):
//! 1. attachments that are XML (`text/xml`, `application/xml`, `application/x-adf+xml`, any
//!    `+xml` type, or a `.xml`/`.adf` file name), in any transfer encoding;
//! 2. plain-text bodies containing `<adf>`;
//! 3. HTML bodies containing `<adf>` as markup (often inside `<pre>`) or HTML-escaped
//!    (`&lt;adf&gt;`);
//!
//! and the same inside a forwarded message (`message/rfc822`). An e-mail without usable ADF whose
//! text reads like a provider's plain-text lead (`Name: … Phone: … Vehicle: …`) becomes one lead
//! with a `parsed_heuristically` warning; anything else is [`EmailKind::Unrecognized`], with no
//! leads, for a person to look at. Only bytes that are not a message at all are an error.
//!
//! A lead without a readable date of its own (no `<requestdate>`, no "Date Submitted:" line) is
//! dated by the e-mail's `Date:` header, or else by the moment it arrived, with a warning.

mod find;
mod plain;
mod reply;
mod sender;

use jiff::Timestamp;
use mail_parser::MessageParser;

use crate::adf::{leads_from_adf_sent_by, Sender};
use crate::error::IntakeError;
use crate::lead::{codes, IntakeLead, IntakeOptions, IntakeWarning};

pub use reply::{read_reply, ReplyEmail};
pub use sender::provider_for_domain;

/// What kind of lead e-mail this was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailKind {
    /// It carried an ADF document (in a body or an attachment).
    Adf,
    /// It had no ADF; a plain-text lead was read from its labels.
    PlainText,
    /// Nothing in it looked like a lead.
    Unrecognized,
}

/// What was found in one lead e-mail.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LeadEmail {
    /// The sender's address (`leads@cars.com`), without display name.
    pub from: Option<String>,
    /// The Subject header, decoded.
    pub subject: Option<String>,
    /// The Message-ID header, without angle brackets.
    pub message_id: Option<String>,
    /// How the leads were found.
    pub kind: EmailKind,
    /// The leads found (none when [`EmailKind::Unrecognized`]).
    pub leads: Vec<IntakeLead>,
    /// Problems with the e-mail itself rather than with one lead: an ADF document that was found
    /// but could not be read (`adf_unreadable`, naming where it was and the parser's line and
    /// column).
    pub warnings: Vec<IntakeWarning>,
}

/// Parses a raw e-mail and returns the leads in it.
///
/// Fails only when `raw` is not an e-mail message at all; an e-mail with nothing recognizable is
/// `Ok` with [`EmailKind::Unrecognized`] and no leads.
pub fn leads_from_email(raw: &[u8], opts: &IntakeOptions) -> Result<LeadEmail, IntakeError> {
    let email = read_email(raw, opts)?;
    if email.kind != EmailKind::Unrecognized {
        return Ok(email);
    }
    // A message cut off in transit leaves its last part unterminated, and the parser drops it
    // with the lead it holds: close what was left open and read it again.
    let Some(closed) = close_open_multiparts(raw) else {
        return Ok(email);
    };
    match read_email(&closed, opts) {
        Ok(mut repaired) if repaired.kind != EmailKind::Unrecognized => {
            repaired.warnings.push(IntakeWarning::new(
                codes::MESSAGE_TRUNCATED,
                "the message ends inside a MIME part (cut off in transit?); read up to its end",
            ));
            Ok(repaired)
        }
        _ => Ok(email),
    }
}

/// Most multipart boundaries closed when repairing a truncated message.
const MAX_BOUNDARIES: usize = 16;

/// `raw` with a closing delimiter appended for every multipart boundary it declares but never
/// closes, innermost (last declared) first; `None` when every boundary is closed.
fn close_open_multiparts(raw: &[u8]) -> Option<Vec<u8>> {
    let text = String::from_utf8_lossy(raw);
    // ASCII lower-casing keeps byte offsets, so positions found in `lower` index `text`.
    let lower = text.to_ascii_lowercase();
    let mut boundaries: Vec<&str> = Vec::new();
    let mut from = 0;
    while let Some(at) = lower.get(from..).and_then(|rest| rest.find("boundary=")) {
        let start = from + at + "boundary=".len();
        from = start;
        let rest = text.get(start..).unwrap_or_default();
        let value = match rest.strip_prefix('"') {
            Some(quoted) => quoted.split('"').next(),
            None => rest.split(|c: char| c == ';' || c.is_whitespace()).next(),
        };
        if let Some(b) = value.filter(|b| !b.is_empty() && b.len() <= 70) {
            if !boundaries.contains(&b) {
                boundaries.push(b);
            }
        }
        if boundaries.len() >= MAX_BOUNDARIES {
            break;
        }
    }
    let open: Vec<&str> = boundaries
        .into_iter()
        .rev()
        .filter(|b| !text.contains(&format!("--{b}--")))
        .collect();
    if open.is_empty() {
        return None;
    }
    let mut closed = raw.to_vec();
    for b in open {
        closed.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    }
    Some(closed)
}

/// Parses the MIME structure. mail-parser 0.11 panics on some malformed multipart nestings (the
/// fuzzer found one: a boundary declared by a part whose content type is garbled); a hostile
/// sender must not be able to crash a parse, so a panic inside it is a document that cannot be
/// read.
fn parse_mime(raw: &[u8]) -> Result<mail_parser::Message<'_>, IntakeError> {
    std::panic::catch_unwind(|| MessageParser::default().parse(raw))
        .map_err(|_| {
            IntakeError::NotAnEmail("the MIME structure is malformed and cannot be read".into())
        })?
        .filter(|m| !m.headers().is_empty())
        .ok_or_else(|| IntakeError::NotAnEmail("no message header could be read".into()))
}

fn read_email(raw: &[u8], opts: &IntakeOptions) -> Result<LeadEmail, IntakeError> {
    let message = parse_mime(raw)?;
    let from = message
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty());
    let sender_provider = from.as_deref().and_then(sender::provider_for_address);
    let date = message
        .date()
        .filter(|d| d.is_valid())
        .and_then(|d| Timestamp::from_second(d.to_timestamp()).ok());
    let mut email = LeadEmail {
        from,
        subject: message.subject().map(str::to_owned),
        message_id: message.message_id().map(str::to_owned),
        kind: EmailKind::Unrecognized,
        leads: Vec::new(),
        warnings: Vec::new(),
    };

    for candidate in find::adf_candidates(&message) {
        let provider = match &candidate.forwarded_from {
            Some(original) => sender::provider_for_address(original),
            None => sender_provider.clone(),
        };
        let sender = Sender { provider, date };
        match leads_from_adf_sent_by(&candidate.bytes, opts, &sender) {
            Ok(leads) if !leads.is_empty() => {
                email.kind = EmailKind::Adf;
                email.leads = leads;
                return Ok(email);
            }
            Ok(_) => email.warnings.push(IntakeWarning::new(
                codes::ADF_UNREADABLE,
                format!("{}: an ADF document without any prospect", candidate.place),
            )),
            Err(e) => email.warnings.push(IntakeWarning::new(
                codes::ADF_UNREADABLE,
                format!("{}: {e}", candidate.place),
            )),
        }
    }

    let text = find::body_text(&message);
    let sender = Sender {
        provider: sender_provider,
        date,
    };
    if let Some(lead) = plain::lead_from_text(&text, &sender, opts) {
        email.kind = EmailKind::PlainText;
        email.leads = vec![lead];
    }
    Ok(email)
}
