//! Lead e-mails: ADF in every place providers put it, plain-text leads, and mail that is no lead.

use keepwarm_domain::lead::{Condition, PhoneKind, VehicleInterest};
use keepwarm_intake::email::{leads_from_email, EmailKind, LeadEmail};
use keepwarm_intake::{IntakeError, IntakeOptions};
use rstest::rstest;

use crate::helpers::{assert_valid, assert_warned, codes, fixture, new_york, received};

fn email(name: &str) -> LeadEmail {
    let parsed = leads_from_email(
        &fixture(&format!("email/{name}")),
        &IntakeOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"));
    parsed.leads.iter().for_each(assert_valid);
    parsed
}

#[rstest]
#[case(
    "cars_multipart_alternative.eml",
    EmailKind::Adf,
    1,
    Some("Cars.com"),
    "Maria"
)]
#[case(
    "autotrader_mixed_base64_attachment.eml",
    EmailKind::Adf,
    1,
    Some("Autotrader"),
    "Derek"
)]
#[case(
    "truecar_quoted_printable.eml",
    EmailKind::Adf,
    1,
    Some("TrueCar"),
    "Kenji"
)]
#[case(
    "edmunds_html_escaped_adf.eml",
    EmailKind::Adf,
    1,
    Some("Edmunds"),
    "Priya"
)]
#[case(
    "website_html_pre_adf.eml",
    EmailKind::Adf,
    1,
    Some("Dealer Website"),
    "Tom"
)]
#[case("forwarded_lead.eml", EmailKind::Adf, 1, Some("Cars.com"), "Maria")]
#[case(
    "cargurus_plain_text.eml",
    EmailKind::PlainText,
    1,
    Some("CarGurus"),
    "Alex"
)]
#[case(
    "autotrader_plain_text.eml",
    EmailKind::PlainText,
    1,
    Some("Autotrader"),
    "Shanice"
)]
fn each_lead_email_gives_its_lead_and_provider(
    #[case] name: &str,
    #[case] kind: EmailKind,
    #[case] count: usize,
    #[case] provider: Option<&str>,
    #[case] first_name: &str,
) {
    let parsed = email(name);
    assert_eq!(parsed.kind, kind, "{name}");
    assert_eq!(parsed.leads.len(), count, "{name}");
    let lead = &parsed.leads[0].input;
    assert_eq!(lead.source.provider.as_deref(), provider, "{name}");
    assert_eq!(
        lead.customer.first_name.as_deref(),
        Some(first_name),
        "{name}"
    );
}

#[test]
fn the_headers_are_reported_for_the_caller() {
    let parsed = email("cars_multipart_alternative.eml");
    assert_eq!(parsed.from.as_deref(), Some("leads@cars.com"));
    assert_eq!(
        parsed.subject.as_deref(),
        Some("New Cars.com lead: 2021 Toyota RAV4")
    );
    assert_eq!(
        parsed.message_id.as_deref(),
        Some("20260302151504.8842113@mail.cars.com")
    );
}

#[test]
fn an_adf_without_provider_takes_it_from_the_sender_with_a_warning() {
    let parsed = email("cars_multipart_alternative.eml");
    let lead = &parsed.leads[0];
    assert_warned(lead, "provider_from_sender");
    assert_eq!(
        lead.input.source.provider_lead_id.as_deref(),
        Some("CC-8842113")
    );
    assert_eq!(lead.input.customer.postal_code.as_deref(), Some("60614"));
    assert_eq!(lead.input.vehicles[0].odometer, Some(31250));
    assert_eq!(lead.input.vehicles[0].price, Some(27995.0));
}

#[test]
fn a_base64_adf_attachment_is_read_with_its_resend_flag_and_trade_in() {
    let parsed = email("autotrader_mixed_base64_attachment.eml");
    let lead = &parsed.leads[0];
    assert!(lead.resend);
    assert_eq!(lead.input.customer.phones, ["+16145550187"]);
    assert_warned(lead, "phone_skipped");
    let trade = &lead.input.vehicles[1];
    assert_eq!(trade.interest, Some(VehicleInterest::TradeIn));
    assert_eq!(trade.odometer, Some(118_000));
    assert!(lead
        .input
        .comments
        .as_deref()
        .is_some_and(|c| c.contains("Some rust on the tailgate")));
    assert_eq!(
        lead.input
            .timeframe
            .as_ref()
            .and_then(|t| t.description.as_deref()),
        Some("Within 2 weeks")
    );
}

#[test]
fn quoted_printable_soft_breaks_and_utf8_are_undone() {
    let parsed = email("truecar_quoted_printable.eml");
    let lead = &parsed.leads[0].input;
    assert_eq!(lead.vehicles[0].trim.as_deref(), Some("Sport Hybrid"));
    assert_eq!(lead.vehicles[0].interest, Some(VehicleInterest::Lease));
    assert!(lead
        .comments
        .as_deref()
        .is_some_and(|c| c.ends_with("Préfère texto.")));
}

#[test]
fn an_html_escaped_adf_is_unescaped_and_its_bad_price_left_out() {
    let parsed = email("edmunds_html_escaped_adf.eml");
    let lead = &parsed.leads[0];
    assert_eq!(
        lead.input.comments.as_deref(),
        Some("Does it have the EyeSight package & a tow hitch?")
    );
    assert_eq!(lead.input.vehicles[0].price, None);
    assert!(codes(lead).contains(&"invalid_number"));
}

#[test]
fn an_adf_in_a_pre_block_with_upper_case_tags_is_read() {
    let parsed = email("website_html_pre_adf.eml");
    let v = &parsed.leads[0].input.vehicles[0];
    assert_eq!(v.vin.as_deref(), Some("1C4HJXDG5LW000002"));
    assert_eq!(v.condition, Some(Condition::Used));
}

#[test]
fn a_cargurus_plain_text_lead_is_read_by_its_labels() {
    let parsed = email("cargurus_plain_text.eml");
    let lead = &parsed.leads[0];
    assert_warned(lead, "parsed_heuristically");
    let i = &lead.input;
    assert_eq!(i.customer.last_name.as_deref(), Some("Kim"));
    assert_eq!(i.customer.phones, ["+18475550124"]);
    assert_eq!(i.customer.emails, ["alex.kim88@example.com"]);
    assert_eq!(i.customer.postal_code.as_deref(), Some("60201"));
    assert_eq!(i.source.provider_lead_id.as_deref(), Some("CG-3390071"));
    let v = &i.vehicles[0];
    assert_eq!(v.condition, Some(Condition::Used));
    assert_eq!(
        (v.year, v.make.as_deref(), v.model.as_deref()),
        (Some(2022), Some("Kia"), Some("Telluride"))
    );
    assert_eq!(v.trim.as_deref(), Some("EX"));
    assert_eq!(v.price, Some(38450.0));
    assert_eq!(v.odometer, Some(24810));
    assert_eq!(v.vin.as_deref(), Some("5XYP34HC1NG000003"));
    assert_eq!(v.stock.as_deref(), Some("K7781"));
    assert_eq!(
        i.comments.as_deref(),
        Some("Hi, is this Telluride still available? I'd like to\nschedule a test drive this weekend.")
    );
}

#[test]
fn an_autotrader_html_table_lead_is_read_with_its_trade_in() {
    let parsed = email("autotrader_plain_text.eml");
    let i = &parsed.leads[0].input;
    assert_eq!(i.customer.last_name.as_deref(), Some("Harris"));
    assert_eq!(i.customer.emails, ["shanice.harris@example.com"]);
    assert_eq!(i.vehicles[0].model.as_deref(), Some("Tahoe"));
    assert_eq!(i.vehicles[0].stock.as_deref(), Some("C9912"));
    assert_eq!(i.vehicles[1].interest, Some(VehicleInterest::TradeIn));
    assert_eq!(i.vehicles[1].model.as_deref(), Some("Pilot"));
    assert!(i
        .comments
        .as_deref()
        .is_some_and(|c| c.contains("pre-approved")));
}

#[test]
fn a_newsletter_is_unrecognized_with_no_leads() {
    let parsed = email("newsletter_not_a_lead.eml");
    assert_eq!(parsed.kind, EmailKind::Unrecognized);
    assert!(parsed.leads.is_empty());
    assert_eq!(parsed.from.as_deref(), Some("news@dealermarketing.example"));
}

#[test]
fn a_broken_adf_is_reported_on_the_email_and_not_an_error() {
    let raw = b"From: leads@cars.com\r\nSubject: lead\r\nContent-Type: text/plain\r\n\r\n<adf><prospect><customer>\r\n";
    let parsed = leads_from_email(raw, &IntakeOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed.kind, EmailKind::Unrecognized);
    assert_eq!(parsed.warnings.len(), 1);
    assert_eq!(parsed.warnings[0].code, "adf_unreadable");
    assert!(
        parsed.warnings[0].message.contains("line 1"),
        "{}",
        parsed.warnings[0].message
    );
}

#[rstest]
#[case(b"")]
#[case(b"\r\n\r\n")]
fn bytes_without_any_header_are_not_an_email(#[case] raw: &[u8]) {
    assert!(matches!(
        leads_from_email(raw, &IntakeOptions::default()),
        Err(IntakeError::NotAnEmail(_))
    ));
}

#[rstest]
#[case("Name: Jo Park\nPhone: 312-555-0100\n")]
#[case("Customer Name: Jo Park\nTelephone: 312-555-0100\n")]
#[case("FULL NAME:\tJo Park\nCell Phone:\t312-555-0100\n")]
#[case("*Name:* Jo Park\n*E-mail:* jo@example.com\n")]
#[case("> Buyer Name: Jo Park\n> Email Address: jo@example.com\n")]
#[case("First Name: Jo\nLast Name: Park\nMobile: 312-555-0100\n")]
fn label_variants_are_recognized(#[case] body: &str) {
    let raw = format!("From: leads@example.com\r\nSubject: Lead\r\n\r\n{body}");
    let parsed = leads_from_email(raw.as_bytes(), &IntakeOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed.kind, EmailKind::PlainText, "{body}");
    assert_eq!(
        parsed.leads[0].input.customer.first_name.as_deref(),
        Some("Jo")
    );
    assert_eq!(
        parsed.leads[0].input.source.provider.as_deref(),
        Some("example.com")
    );
}

// ----- labelled e-mails in the layouts of providers nobody here wrote (issue 18) -----

fn styled(name: &str) -> LeadEmail {
    let parsed = leads_from_email(
        &fixture(&format!("email/{name}")),
        &new_york(Some("2026-02-20T12:00:00Z")),
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"));
    parsed.leads.iter().for_each(assert_valid);
    assert_eq!(parsed.kind, EmailKind::PlainText, "{name}");
    parsed
}

#[test]
fn a_dealer_website_form_names_its_lead_source_date_and_whole_message() {
    let lead = styled("dealer_website_labelled_lead_source.eml")
        .leads
        .remove(0);
    let i = &lead.input;
    assert_eq!(
        i.source.provider.as_deref(),
        Some("Dealer Website - Get ePrice"),
        "the Lead Source line, not the sender's domain"
    );
    // Date Submitted 02/13/2026 01:15 PM, New York.
    assert_eq!(received(&lead).as_deref(), Some("2026-02-13T18:15:00Z"));
    assert_warned(&lead, "date_offset_assumed");
    assert_eq!(
        i.comments.as_deref(),
        Some(
            "Hola, I'd like the out-the-door price with tax and tags.\n\n\
             My wife will come with me; she prefers Spanish. Can we see it\nThursday after 6?"
        )
    );
    assert_eq!(i.customer.preferred_language.as_deref(), Some("es"));
    assert_eq!(i.customer.preferred_contact.as_deref(), Some("sms"));
    assert_eq!(i.customer.emails, ["luis.ramirez@example.com"]);
    let numbers: Vec<_> = i
        .customer
        .phone_numbers
        .iter()
        .map(|p| (p.number.as_str(), p.extension.as_deref(), p.kind))
        .collect();
    assert_eq!(
        numbers,
        [
            ("+18135550181", None, Some(PhoneKind::Mobile)),
            ("+18135550182", Some("310"), Some(PhoneKind::Work)),
        ]
    );
    let address = i.customer.address.clone().unwrap_or_default();
    assert_eq!(address.street, ["4410 W Kennedy Blvd"]);
    assert_eq!(
        (address.city.as_deref(), address.region.as_deref()),
        (Some("Tampa"), Some("FL"))
    );
    let v = &i.vehicles[0];
    assert_eq!((v.year, v.price), (Some(2026), Some(34218.0)));
}

#[test]
fn a_marketplace_message_without_a_date_line_is_dated_by_the_email_header() {
    let lead = styled("marketplace_message_without_date_line.eml")
        .leads
        .remove(0);
    // Date: Wed, 18 Feb 2026 21:07:44 -0600.
    assert_eq!(received(&lead).as_deref(), Some("2026-02-19T03:07:44Z"));
    assert_warned(&lead, "received_at_from_email_date");
    assert_eq!(
        lead.input.source.provider.as_deref(),
        Some("Online Marketplace")
    );
    let comments = lead.input.comments.clone().unwrap_or_default();
    assert!(
        comments.starts_with("Hi! Is this still available? What's the lowest you would go\nif I pay cash?\n\nAlso do you take trades? I have a 2014 Camry."),
        "{comments}"
    );
    assert_eq!(lead.input.customer.emails, ["jcole.tx@example.com"]);
    assert_eq!(lead.input.vehicles[0].price, Some(32900.0));
}

#[test]
fn an_html_table_with_the_message_under_customer_comments_keeps_it() {
    let lead = styled("html_table_customer_comments.eml").leads.remove(0);
    assert_eq!(received(&lead).as_deref(), Some("2026-02-19T19:20:45Z"));
    assert_eq!(lead.input.source.provider.as_deref(), Some("AutoListings"));
    let comments = lead.input.comments.clone().unwrap_or_default();
    for line in [
        "Do you have this in Autumn Green?",
        "I would also like to know about current lease specials.",
        "Thanks, Priya",
    ] {
        assert!(
            comments.contains(line),
            "{line:?} missing from {comments:?}"
        );
    }
    assert_eq!(
        lead.input.customer.phone_numbers[0].kind,
        Some(PhoneKind::Home)
    );
    assert_eq!(lead.input.customer.emails, ["priya.raman@example.org"]);
}

#[test]
fn a_chat_transcript_keeps_the_customers_turns_in_the_message() {
    let lead = styled("chat_transcript_lead.eml").leads.remove(0);
    // Date: 2/17/2026 9:51 AM, New York.
    assert_eq!(received(&lead).as_deref(), Some("2026-02-17T14:51:00Z"));
    assert_eq!(lead.input.source.provider.as_deref(), Some("SiteChat Live"));
    assert_eq!(
        lead.input.customer.full_name.as_deref(),
        Some("Terrence Boyd")
    );
    let comments = lead.input.comments.clone().unwrap_or_default();
    assert!(
        comments.ends_with("[9:49 AM] Customer: Best time to call is after 5.\nCustomer: Also, is the F-150 a 4x4?\n[9:51 AM] Agent: Great, a specialist will reach out."),
        "{comments}"
    );
}

#[test]
fn an_adf_email_without_a_requestdate_is_dated_by_its_date_header() {
    let raw = b"From: leads@cars.com\r\nDate: Thu, 19 Feb 2026 11:20:45 -0800\r\n\
Subject: lead\r\nContent-Type: text/plain\r\n\r\n<adf><prospect><customer><contact>\
<name part=\"full\">Ana Ruiz</name><phone>312-555-0101</phone></contact></customer>\
</prospect></adf>\r\n";
    let parsed = leads_from_email(raw, &new_york(Some("2026-02-20T12:00:00Z")))
        .unwrap_or_else(|e| panic!("{e}"));
    let lead = &parsed.leads[0];
    assert_eq!(received(lead).as_deref(), Some("2026-02-19T19:20:45Z"));
    assert_warned(lead, "received_at_from_email_date");
}

/// A lead e-mail cut off in transit (a relay's size limit, a dropped connection) inside its last
/// part: the parser dropped the unterminated part, and the lead in it with it.
#[rstest]
#[case::after_the_lead("Name: Jo Park\r\nPhone: 312-555-0100\r\n")]
#[case::inside_a_later_line("Name: Jo Park\r\nPhone: 312-555-0100\r\nComments: I would li")]
#[case::inside_base64(
    "Content-Transfer-Encoding: base64\r\n\r\nTmFtZTogSm8gUGFyawpQaG9uZTogMzEyLTU1NS0wMTAwCkNvbW1lbnRzOiBoZWxsbyB0aGVyZQ"
)]
fn a_truncated_message_holding_a_complete_plain_text_lead_still_yields_it(#[case] part: &str) {
    let headers_end = if part.starts_with("Content-Transfer") {
        ""
    } else {
        "\r\n"
    };
    let raw = format!(
        "From: leads@example.com\r\nSubject: Lead\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain; charset=UTF-8\r\n{headers_end}{part}"
    );
    let parsed = leads_from_email(raw.as_bytes(), &IntakeOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed.kind, EmailKind::PlainText, "{raw}");
    assert_eq!(
        parsed.leads[0].input.customer.first_name.as_deref(),
        Some("Jo")
    );
    let codes: Vec<&str> = parsed.warnings.iter().map(|w| w.code.as_str()).collect();
    assert!(codes.contains(&"message_truncated"), "{codes:?}");
}

/// Found by the fuzzer: a forwarded lead whose inner part's content type is garbled makes
/// mail-parser 0.11 panic ("Invalid part ID, could not find multipart"). A hostile sender must not
/// crash a parse: the message is refused as unreadable, and nothing panics.
#[test]
fn a_multipart_structure_that_panics_the_mime_parser_is_refused_not_a_crash() {
    let raw = fixture("email/malformed_multipart_panics_mail_parser.eml");
    let refused = leads_from_email(&raw, &IntakeOptions::default())
        .err()
        .map(|e| e.to_string());
    assert!(
        refused.as_deref().is_some_and(|e| e.contains("malformed")),
        "{refused:?}"
    );
}
