//! A customer's e-mail answer to a message keepwarm sent (issue 13): what identifies the message it
//! answers (`In-Reply-To`, `References`, and the per-lead `+TOKEN` recipient address), who wrote it
//! and what it says. Which lead that is, and what the words mean, is decided elsewhere; this module
//! only reads the message.

use super::{find, parse_mime};

/// The parts of an e-mail that tell what it answers and what the customer said.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReplyEmail {
    /// The sender's address, without display name.
    pub from: Option<String>,
    /// The Subject header.
    pub subject: Option<String>,
    /// Its own Message-ID, with angle brackets.
    pub message_id: Option<String>,
    /// The Message-IDs it answers, with angle brackets: `In-Reply-To` first, then `References`
    /// newest first.
    pub answers: Vec<String>,
    /// The recipient addresses (`To`, `Cc`, `Delivered-To`), lower-cased.
    pub recipients: Vec<String>,
    /// The plain text (or the HTML's text), quoted history and signature included.
    pub text: String,
}

/// Most Message-IDs read from `In-Reply-To` and `References` (a long thread's list is capped).
const MAX_ANSWERS: usize = 50;

/// Reads the parts of `raw` that can make it a reply; `None` when it is not an e-mail at all, or
/// names no message it answers and no recipient (it cannot be a reply then).
pub fn read_reply(raw: &[u8]) -> Option<ReplyEmail> {
    let message = parse_mime(raw).ok()?;
    let bracketed = |id: &str| {
        let id = id.trim().trim_start_matches('<').trim_end_matches('>');
        (!id.is_empty()).then(|| format!("<{id}>"))
    };
    let mut answers: Vec<String> = Vec::new();
    let list = |v: &mail_parser::HeaderValue<'_>| -> Vec<String> {
        v.as_text_list()
            .unwrap_or_default()
            .iter()
            .filter_map(|id| bracketed(id))
            .collect()
    };
    answers.extend(list(message.in_reply_to()));
    answers.extend(list(message.references()).into_iter().rev());
    answers.dedup();
    answers.truncate(MAX_ANSWERS);
    let mut recipients: Vec<String> = Vec::new();
    for addresses in [message.to(), message.cc()].into_iter().flatten() {
        recipients.extend(
            addresses
                .iter()
                .filter_map(|a| a.address())
                .map(|a| a.trim().to_lowercase()),
        );
    }
    recipients.extend(
        message
            .header_values("Delivered-To")
            .filter_map(|v| v.as_text())
            .map(|a| a.trim().trim_matches(['<', '>']).to_lowercase()),
    );
    if answers.is_empty() && recipients.is_empty() {
        return None;
    }
    Some(ReplyEmail {
        from: message
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty()),
        subject: message.subject().map(str::to_owned),
        message_id: message.message_id().and_then(bracketed),
        answers,
        recipients,
        text: find::body_text(&message),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_names_the_messages_it_answers_newest_first() {
        let raw = b"From: Dana Reyes <dana@example.com>\r\n\
To: \"Sam Rivera at Lakeside Motors\" <sales+kw7.abc@lakeside.example>\r\n\
Subject: Re: Your CR-V\r\n\
Message-ID: <reply-1@mail.example.com>\r\n\
In-Reply-To: <outbound-12.keepwarm@lakeside.example>\r\n\
References: <touch-3.keepwarm@lakeside.example> <outbound-12.keepwarm@lakeside.example>\r\n\
\r\n\
Saturday works!\r\n\r\nOn Tue, Dec 1, 2026 at 9:03 AM Sam wrote:\r\n> Hi Dana\r\n";
        let reply = read_reply(raw).expect("a reply");
        assert_eq!(reply.from.as_deref(), Some("dana@example.com"));
        assert_eq!(
            reply.answers,
            [
                "<outbound-12.keepwarm@lakeside.example>",
                "<touch-3.keepwarm@lakeside.example>"
            ]
        );
        assert_eq!(reply.recipients, ["sales+kw7.abc@lakeside.example"]);
        assert_eq!(
            reply.message_id.as_deref(),
            Some("<reply-1@mail.example.com>")
        );
        assert!(reply.text.starts_with("Saturday works!"));
    }

    #[test]
    fn bytes_that_are_not_an_email_are_no_reply() {
        assert_eq!(read_reply(b"\x00\x01 not mail"), None);
        assert_eq!(read_reply(b""), None);
    }
}
