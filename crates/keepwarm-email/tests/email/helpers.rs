//! Shared fixtures: a sample touch e-mail, a signer, a started test server, and a MIME outline of
//! a parsed message so structure assertions print the whole tree when they fail.

use jiff::Timestamp;
use keepwarm_email::{
    unsubscribe_url, Attachment, DealershipFooter, MessageId, NamedAddress, OutgoingEmail, Secret,
    TestSmtpServer, UnsubscribeClaim, UnsubscribeLink, UnsubscribeSigner,
};
use mail_parser::{MessageParser, MimeHeaders, PartType};

pub const BASE_URL: &str = "https://keepwarm.sunrise-motors.example";

pub fn signer() -> UnsubscribeSigner {
    UnsubscribeSigner::new("k1", Secret::new("test-key-test-key-test-key-test-key"))
        .expect("a 35-byte key is long enough")
}

pub fn sent_at() -> Timestamp {
    "2026-03-02T15:04:05Z".parse().expect("a valid instant")
}

pub fn claim() -> UnsubscribeClaim {
    UnsubscribeClaim {
        dealership: "sunrise-motors".to_owned(),
        contact: "dana.lee@example.com".to_owned(),
        lead_id: Some(1234),
        issued_at: sent_at(),
    }
}

pub const INVITE: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//keepwarm//appointments//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:appt-77@sunrise-motors.example\r\nDTSTAMP:20260302T150405Z\r\nDTSTART:20260305T170000Z\r\nDTEND:20260305T173000Z\r\nSUMMARY:Test drive: 2024 Honda Civic\r\nORGANIZER;CN=Sunrise Motors:mailto:sales@sunrise-motors.example\r\nATTENDEE;CN=Dana Lee;RSVP=TRUE:mailto:dana.lee@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

/// A touch e-mail to `to`, with the signed unsubscribe link, no attachments.
pub fn touch_email(to: &str) -> OutgoingEmail {
    let token = signer().sign(&claim());
    OutgoingEmail {
        from: NamedAddress::new("Sunrise Motors", "sales@sunrise-motors.example"),
        reply_to: Some(NamedAddress::new("Sam Ortiz", "sam@sunrise-motors.example")),
        to: NamedAddress::new("Dana Lee", to),
        subject: "Your 2024 Civic — still interested?".to_owned(),
        body: "Hi Dana,\n\nThe 2024 Civic you asked about is still on the lot. See it here: https://sunrise-motors.example/inventory/civic-2024?ref=email&id=7.\n\nTalk soon,\nSam <Sales> & Co"
            .to_owned(),
        footer: DealershipFooter {
            dealership_name: "Sunrise Motors".to_owned(),
            postal_address: vec![
                "1200 Route 9 North".to_owned(),
                "Springfield, IL 62701".to_owned(),
            ],
            phone: Some("(217) 555-0100".to_owned()),
        },
        unsubscribe: UnsubscribeLink {
            url: unsubscribe_url(BASE_URL, &token),
            mailto: Some("mailto:unsubscribe@sunrise-motors.example?subject=unsubscribe".to_owned()),
        },
        message_id: MessageId::from_key("touch-123", "sunrise-motors.example").expect("a valid key"),
        date: sent_at(),
        attachments: Vec::new(),
    }
}

/// The same touch with the appointment invite attached.
pub fn invite_email(to: &str) -> OutgoingEmail {
    OutgoingEmail {
        subject: "Your test drive is confirmed".to_owned(),
        message_id: MessageId::from_key("appt-77", "sunrise-motors.example").expect("a valid key"),
        attachments: vec![Attachment::calendar_invite(INVITE)],
        ..touch_email(to)
    }
}

/// Starts the test SMTP server or fails the test with the reason.
pub fn start_server(builder: keepwarm_email::test_server::TestSmtpServerBuilder) -> TestSmtpServer {
    builder
        .start()
        .unwrap_or_else(|e| panic!("the test SMTP server must start for these tests: {e}"))
}

pub fn parse(bytes: &[u8]) -> mail_parser::Message<'_> {
    MessageParser::default().parse(bytes).unwrap_or_else(|| {
        panic!(
            "mail-parser could not parse:\n{}",
            String::from_utf8_lossy(bytes)
        )
    })
}

/// The MIME tree, one line per part: `type/subtype[; method=M][ attachment FILE]`, indented by
/// depth.
pub fn outline(message: &mail_parser::Message<'_>) -> Vec<String> {
    fn walk(message: &mail_parser::Message<'_>, id: u32, depth: usize, out: &mut Vec<String>) {
        let part = &message.parts[id as usize];
        let mut line = "  ".repeat(depth);
        match part.content_type() {
            Some(ct) => {
                line.push_str(&format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("")));
                if let Some(method) = ct.attribute("method") {
                    line.push_str(&format!("; method={method}"));
                }
            }
            None => line.push_str("text/plain (default)"),
        }
        if let Some(disposition) = part.content_disposition() {
            line.push_str(&format!(" {}", disposition.ctype()));
        }
        if let Some(name) = part.attachment_name() {
            line.push_str(&format!(" {name}"));
        }
        out.push(line);
        if let PartType::Multipart(children) = &part.body {
            for child in children {
                walk(message, *child, depth + 1, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(message, 0, 0, &mut out);
    out
}

/// A header value with its folding undone (`\r\n ` → ` `) and trimmed.
pub fn unfold(raw: &str) -> String {
    raw.replace("\r\n", "").replace('\n', "").trim().to_owned()
}
