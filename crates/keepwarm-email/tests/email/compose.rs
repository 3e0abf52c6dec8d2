//! Composition, checked on the bytes lettre produces, parsed back with mail-parser.

use keepwarm_email::{compose, Attachment, ComposeError, MessageId};
use mail_parser::MimeHeaders;

use crate::helpers::{
    claim, invite_email, outline, parse, sent_at, signer, touch_email, unfold, INVITE,
};

#[test]
fn a_touch_is_multipart_alternative_text_and_html() {
    let bytes = compose(&touch_email("dana.lee@example.com"))
        .unwrap()
        .formatted();
    let message = parse(&bytes);
    assert_eq!(
        outline(&message),
        ["multipart/alternative", "  text/plain", "  text/html"],
        "{}",
        String::from_utf8_lossy(&bytes)
    );
}

#[test]
fn the_headers_carry_sender_recipient_subject_date_and_the_stable_message_id() {
    let bytes = compose(&touch_email("dana.lee@example.com"))
        .unwrap()
        .formatted();
    let message = parse(&bytes);
    let from = message.from().unwrap().first().unwrap();
    assert_eq!(from.name(), Some("Sunrise Motors"));
    assert_eq!(from.address(), Some("sales@sunrise-motors.example"));
    let reply_to = message.reply_to().unwrap().first().unwrap();
    assert_eq!(reply_to.address(), Some("sam@sunrise-motors.example"));
    assert_eq!(
        message.to().unwrap().first().unwrap().address(),
        Some("dana.lee@example.com")
    );
    assert_eq!(
        message.subject(),
        Some("Your 2024 Civic — still interested?")
    );
    assert_eq!(
        message.message_id(),
        Some("touch-123.keepwarm@sunrise-motors.example")
    );
    assert_eq!(
        message.date().unwrap().to_timestamp(),
        sent_at().as_second()
    );
}

#[test]
fn composing_the_same_touch_twice_gives_the_same_message_id() {
    let first = compose(&touch_email("dana.lee@example.com"))
        .unwrap()
        .formatted();
    let second = compose(&touch_email("dana.lee@example.com"))
        .unwrap()
        .formatted();
    assert_eq!(parse(&first).message_id(), parse(&second).message_id());
}

#[test]
fn the_rfc_8058_one_click_headers_are_present_and_the_link_verifies() {
    let bytes = compose(&touch_email("dana.lee@example.com"))
        .unwrap()
        .formatted();
    let message = parse(&bytes);
    let list_unsubscribe = unfold(message.header_raw("List-Unsubscribe").unwrap());
    let https = list_unsubscribe
        .strip_prefix('<')
        .and_then(|s| s.split_once('>'))
        .map(|(url, _)| url)
        .unwrap();
    assert!(
        https.starts_with("https://keepwarm.sunrise-motors.example/u/v1."),
        "{list_unsubscribe}"
    );
    assert!(
        list_unsubscribe
            .ends_with(", <mailto:unsubscribe@sunrise-motors.example?subject=unsubscribe>"),
        "{list_unsubscribe}"
    );
    assert_eq!(
        message.header_raw("List-Unsubscribe-Post").unwrap().trim(),
        "List-Unsubscribe=One-Click"
    );
    let token = https.rsplit('/').next().unwrap();
    assert_eq!(signer().verify(token, sent_at()), Ok(claim()));
}

#[test]
fn both_parts_carry_the_body_the_postal_address_and_the_unsubscribe_link() {
    let email = touch_email("dana.lee@example.com");
    let bytes = compose(&email).unwrap().formatted();
    let message = parse(&bytes);
    // Lines travel with CRLF endings.
    let text = message.body_text(0).unwrap().replace("\r\n", "\n");
    let html = message.body_html(0).unwrap().replace("\r\n", "\n");
    for part in [&text, &html] {
        assert!(part.contains("1200 Route 9 North"), "{part}");
        assert!(part.contains("Springfield, IL 62701"), "{part}");
        assert!(part.contains("(217) 555-0100"), "{part}");
        assert!(part.contains(&email.unsubscribe.url), "{part}");
        assert!(part.contains("To stop receiving these e-mails"), "{part}");
    }
    assert!(text.starts_with("Hi Dana,\n\nThe 2024 Civic"), "{text}");
    assert!(text.contains("Sam <Sales> & Co"), "{text}");
    assert!(html.contains("<p>Hi Dana,</p>"), "{html}");
    assert!(
        html.contains("<p>Talk soon,<br>\nSam &lt;Sales&gt; &amp; Co</p>"),
        "{html}"
    );
    assert!(
        html.contains(
            "<a href=\"https://sunrise-motors.example/inventory/civic-2024?ref=email&amp;id=7\">"
        ),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "<a href=\"{}\">Unsubscribe</a>",
            email.unsubscribe.url
        )),
        "{html}"
    );
}

#[test]
fn a_calendar_invite_is_attached_and_offered_inline_the_way_gmail_and_outlook_expect() {
    let bytes = compose(&invite_email("dana.lee@example.com"))
        .unwrap()
        .formatted();
    let message = parse(&bytes);
    assert_eq!(
        outline(&message),
        [
            "multipart/mixed",
            "  multipart/alternative",
            "    text/plain",
            "    text/html",
            "    text/calendar; method=REQUEST",
            "  text/calendar; method=REQUEST attachment invite.ics",
        ],
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    let attachment = message.attachments().last().unwrap();
    assert_eq!(attachment.attachment_name(), Some("invite.ics"));
    assert_eq!(attachment.contents(), INVITE.as_bytes());
    let ct = attachment.content_type().unwrap();
    assert_eq!(
        ct.attribute("charset")
            .map(str::to_ascii_uppercase)
            .as_deref(),
        Some("UTF-8")
    );
}

#[test]
fn any_file_can_be_attached() {
    let mut email = touch_email("dana.lee@example.com");
    let pdf: Vec<u8> = (0u8..=255).cycle().take(3000).collect();
    email.attachments.push(Attachment {
        filename: "trade-in offer.pdf".to_owned(),
        content_type: "application/pdf".to_owned(),
        content: pdf.clone(),
    });
    let bytes = compose(&email).unwrap().formatted();
    let message = parse(&bytes);
    assert_eq!(
        outline(&message),
        [
            "multipart/mixed",
            "  multipart/alternative",
            "    text/plain",
            "    text/html",
            "  application/pdf attachment trade-in offer.pdf",
        ]
    );
    assert_eq!(
        message.attachments().next().unwrap().contents(),
        pdf.as_slice()
    );
}

#[test]
fn header_injection_through_the_subject_is_refused() {
    let mut email = touch_email("dana.lee@example.com");
    email.subject = "Hello\r\nBcc: everyone@example.com".to_owned();
    assert!(matches!(
        compose(&email),
        Err(ComposeError::ControlCharacterInHeader { field: "subject" })
    ));
}

#[test]
fn a_plain_http_unsubscribe_link_is_refused() {
    let mut email = touch_email("dana.lee@example.com");
    email.unsubscribe.url = "http://keepwarm.example/u/abc".to_owned();
    assert!(matches!(
        compose(&email),
        Err(ComposeError::InvalidUnsubscribeLink(_))
    ));
}

#[test]
fn an_invalid_recipient_address_is_refused() {
    let email = touch_email("not an address");
    assert!(matches!(
        compose(&email),
        Err(ComposeError::InvalidAddress { field: "to", .. })
    ));
}

#[test]
fn a_message_id_key_with_odd_characters_is_refused() {
    assert!(matches!(
        MessageId::from_key("touch 1>", "sunrise-motors.example"),
        Err(ComposeError::InvalidMessageId { .. })
    ));
}
