//! ADF → lead documents, on every sample of the shared corpus and on multi-prospect and resend
//! documents.

use keepwarm_domain::compliance::consent::ConsentBasis;
use keepwarm_domain::lead::{Condition, PhoneKind, VehicleInterest};
use keepwarm_domain::SourceKind;
use keepwarm_intake::adf::leads_from_adf;
use keepwarm_intake::IntakeOptions;
use keepwarm_intake::{IntakeError, IntakeLead};
use rstest::rstest;

use crate::helpers::{
    adf_corpus_dir, assert_valid, assert_warned, codes, fixture, new_york, pretty, read, received,
};

fn corpus(n: u32) -> Vec<IntakeLead> {
    let bytes = read(adf_corpus_dir().join(format!("idknerdyshit_adf_{n}.xml")));
    let leads = leads_from_adf(&bytes, &IntakeOptions::default())
        .unwrap_or_else(|e| panic!("corpus {n}: {e}"));
    leads.iter().for_each(assert_valid);
    leads
}

fn only(mut leads: Vec<IntakeLead>) -> IntakeLead {
    assert_eq!(leads.len(), 1, "expected one lead");
    leads.remove(0)
}

#[test]
fn every_corpus_sample_gives_leads_that_pass_validation() {
    let mut seen = 0;
    for entry in std::fs::read_dir(adf_corpus_dir())
        .into_iter()
        .flatten()
        .flatten()
    {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "xml") {
            let leads = leads_from_adf(&read(path.clone()), &IntakeOptions::default())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            leads.iter().for_each(assert_valid);
            seen += 1;
        }
    }
    assert_eq!(seen, 11, "the corpus has eleven samples");
}

#[rstest]
#[case::spec_example_vendor_without_contact(1, &[None])]
#[case::vendor_contact_with_name_and_email(2, &[Some("Sales <sales@example.test>")])]
#[case::second_prospect_without_vendor(3, &[None, None])]
#[case::no_vendor(4, &[None])]
#[case::no_vendor_cdata(5, &[None])]
#[case::no_vendor_mixed_content(6, &[None])]
#[case::no_vendor_entities(7, &[None])]
#[case::no_vendor_custom_entity(8, &[None])]
#[case::empty_prospect(9, &[None])]
#[case::no_vendor_pricecomment(10, &[None])]
#[case::no_vendor_extension(11, &[None])]
fn every_corpus_sample_names_the_owner_its_vendor_contact_gives(
    #[case] n: u32,
    #[case] expected: &[Option<&str>],
) {
    let owners: Vec<Option<String>> = corpus(n).into_iter().map(|l| l.input.owner).collect();
    assert_eq!(
        owners,
        expected
            .iter()
            .map(|o| o.map(str::to_owned))
            .collect::<Vec<_>>(),
        "corpus {n}"
    );
}

#[rstest]
#[case::full_name_and_email(
    r#"<name part="full">Sam Rivera</name><email>sam@lakeside.example</email><phone>312-555-0111</phone>"#,
    Some("Sam Rivera <sam@lakeside.example>")
)]
#[case::name_parts(
    r#"<name part="first">Alex</name><name part="last">Chen</name>"#,
    Some("Alex Chen")
)]
#[case::email_only(
    "<email>riley@lakeside.example</email>",
    Some("riley@lakeside.example")
)]
#[case::phone_only("<phone>312-555-0111</phone>", None)]
fn a_vendor_contact_names_the_owner_by_name_and_email(
    #[case] contact: &str,
    #[case] expected: Option<&str>,
) {
    let xml = format!(
        r#"<?xml version="1.0"?><?adf version="1.0"?><adf><prospect><requestdate>2026-03-02T10:00:00-06:00</requestdate>
<customer><contact><name part="full">Ann Lee</name><email>ann@example.com</email></contact></customer>
<vendor><vendorname>Lakeside Motors</vendorname><contact>{contact}</contact></vendor></prospect></adf>"#
    );
    let lead = only(
        leads_from_adf(xml.as_bytes(), &IntakeOptions::default()).unwrap_or_else(|e| panic!("{e}")),
    );
    assert_valid(&lead);
    assert_eq!(lead.input.owner.as_deref(), expected);
    assert_eq!(
        lead.input.customer.full_name.as_deref(),
        Some("Ann Lee"),
        "the customer keeps their own name"
    );
}

#[test]
fn the_spec_example_maps_every_follow_up_field() {
    let lead = only(corpus(1));
    let i = &lead.input;
    assert_eq!(i.source.kind, SourceKind::Internet);
    assert_eq!(i.source.provider.as_deref(), Some("CarPoint"));
    assert_eq!(i.source.provider_lead_id.as_deref(), Some("38889"));
    assert_eq!(
        i.received_at.map(|t| t.to_string()).as_deref(),
        Some("2000-03-30T23:30:20Z")
    );
    assert_eq!(i.customer.first_name.as_deref(), Some("John"));
    assert_eq!(i.customer.last_name.as_deref(), Some("Doe"));
    assert_eq!(i.customer.phones, ["393-999-3922"]);
    assert_eq!(i.customer.emails, ["jdoe@example.com"]);
    assert_eq!(i.customer.preferred_contact.as_deref(), Some("email"));
    let v = &i.vehicles[0];
    assert_eq!(v.interest, Some(VehicleInterest::Buy));
    assert_eq!(v.condition, Some(Condition::Used));
    assert_eq!(v.year, Some(1997));
    assert_eq!(v.make.as_deref(), Some("Chevrolet"));
    assert_eq!(v.model.as_deref(), Some("Blazer"));
    assert_eq!(v.vin.as_deref(), Some("1GNDT13W5V2200000"));
    assert_eq!(v.price, Some(26995.0));
    assert_eq!(i.comments.as_deref(), Some("Can deliver by Thursday?"));
    assert!(!lead.resend);
}

#[test]
fn the_maximal_sample_maps_trim_stock_odometer_timeframe_and_vehicle_comments() {
    let lead = only(corpus(2));
    let i = &lead.input;
    assert_eq!(i.source.provider.as_deref(), Some("Provider"));
    assert_eq!(i.source.provider_lead_id.as_deref(), Some("P-1"));
    assert_eq!(i.customer.full_name.as_deref(), Some("Jane Doe"));
    assert_eq!(i.customer.phones, ["555-0100"]);
    assert_eq!(i.customer.postal_code.as_deref(), Some("48201"));
    let v = &i.vehicles[0];
    assert_eq!(v.condition, Some(Condition::New));
    assert_eq!(v.trim.as_deref(), Some("Touring"));
    assert_eq!(v.stock.as_deref(), Some("STK-1"));
    assert_eq!(v.vin.as_deref(), Some("1HGCM82633A004352"));
    assert_eq!(v.odometer, Some(123));
    assert_eq!(v.price, Some(25000.0));
    let tf = i.timeframe.clone().unwrap_or_default();
    assert_eq!(tf.description.as_deref(), Some("soon"));
    assert_eq!(tf.earliest.as_deref(), Some("2024-02-01"));
    assert_eq!(tf.latest.as_deref(), Some("2024-03-01"));
    assert_eq!(
        i.comments.as_deref(),
        Some("Customer comment\n\nAbout the 2024 Honda Civic: Vehicle comment")
    );
}

#[test]
fn two_prospects_give_two_leads_and_the_second_is_a_resend() {
    let leads = corpus(3);
    assert_eq!(leads.len(), 2);
    assert!(!leads[0].resend);
    assert!(leads[1].resend);
    assert_eq!(
        leads[0].input.source.provider.as_deref(),
        Some("Dealer One")
    );
    assert_eq!(leads[0].input.vehicles[0].model.as_deref(), Some("Camry"));
    assert_eq!(leads[1].input.vehicles[0].model.as_deref(), Some("F-150"));
    // "one" and "two" are not dates: the leads come without a received time.
    assert_eq!(leads[0].input.received_at, None);
    assert_warned(&leads[0], "invalid_date");
}

#[rstest]
#[case(4, "<b>hi</b>")]
#[case(5, "before]]>after")]
#[case(7, "Jane & \u{a0} Co")]
fn comments_keep_cdata_and_entities(#[case] n: u32, #[case] expected: &str) {
    let lead = only(corpus(n));
    assert_eq!(lead.input.comments.as_deref(), Some(expected));
    assert_eq!(lead.input.customer.emails, ["a@example.com"]);
}

#[test]
fn mixed_content_in_comments_keeps_its_text() {
    let lead = only(corpus(6));
    let comments = lead.input.comments.unwrap_or_default();
    assert!(comments.contains("VIP"), "{comments}");
    assert_warned_code(&codes_of(6), "mixed_content");
}

#[test]
fn an_undefined_entity_is_kept_literally_in_the_name() {
    let lead = only(corpus(8));
    assert_eq!(lead.input.customer.full_name.as_deref(), Some("&lol;"));
    assert!(codes(&lead).contains(&"unknown_entity_kept"));
}

#[test]
fn an_empty_prospect_still_gives_a_lead() {
    let lead = only(corpus(9));
    assert_eq!(lead.input.customer, Default::default());
    assert!(lead.input.vehicles.is_empty());
}

#[rstest]
#[case(10)]
#[case(11)]
fn extensions_do_not_disturb_the_vehicle(#[case] n: u32) {
    let lead = only(corpus(n));
    let v = &lead.input.vehicles[0];
    assert_eq!(
        (v.year, v.make.as_deref(), v.model.as_deref()),
        (Some(2024), Some("Honda"), Some("Civic"))
    );
    assert_eq!(lead.input.customer.full_name.as_deref(), Some("A"));
}

#[test]
fn a_document_with_a_dtd_is_refused_with_its_position() {
    let xml = b"<?xml version=\"1.0\"?>\n<!DOCTYPE adf [<!ENTITY x \"y\">]>\n<adf/>";
    let err = leads_from_adf(xml, &IntakeOptions::default()).err();
    let message = err.as_ref().map(IntakeError::to_string).unwrap_or_default();
    assert!(message.contains("line 2"), "{message}");
}

#[test]
fn a_truncated_document_is_an_error_naming_line_and_column() {
    let err = leads_from_adf(b"<adf><prospect><customer>", &IntakeOptions::default());
    assert!(matches!(err, Err(IntakeError::Adf(_))), "{err:?}");
    let message = err.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("line 1, column"), "{message}");
}

#[test]
fn a_resent_multi_prospect_feed_keeps_each_lead_and_its_own_warnings() {
    let xml = fixture("adf/multi_prospect_resend.xml");
    let leads = leads_from_adf(&xml, &IntakeOptions::default()).unwrap_or_default();
    assert_eq!(leads.len(), 3);
    leads.iter().for_each(assert_valid);
    assert_eq!(
        leads.iter().map(|l| l.resend).collect::<Vec<_>>(),
        [true, false, true]
    );
    assert_eq!(
        leads
            .iter()
            .map(|l| l.input.source.provider_lead_id.clone())
            .collect::<Vec<_>>(),
        [
            Some("KBB-1".to_owned()),
            Some("KBB-2".to_owned()),
            Some("KBB-3".to_owned())
        ]
    );
    // The second prospect's year and price are unusable; the lead still comes out without them.
    let v = &leads[1].input.vehicles[0];
    assert_eq!((v.year, v.price), (None, None));
    assert_eq!(v.make.as_deref(), Some("Nissan"));
    assert_warned(&leads[1], "invalid_year");
    // The third has its cell phone first and its fax left out.
    assert_eq!(
        leads[2].input.customer.phones,
        ["+12145550199", "+12145550198"]
    );
    assert_warned(&leads[2], "phone_skipped");
}

fn codes_of(n: u32) -> Vec<String> {
    corpus(n)
        .iter()
        .flat_map(|l| l.warnings.iter().map(|w| w.code.clone()))
        .collect()
}

fn assert_warned_code(codes: &[String], code: &str) {
    assert!(codes.iter().any(|c| c == code), "no {code} in {codes:?}");
}

// ----- documents in the style of providers nobody here wrote (issue 18) -----

fn styled(name: &str, arrived: Option<&str>) -> Vec<IntakeLead> {
    let leads = leads_from_adf(&fixture(&format!("adf/{name}")), &new_york(arrived))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    leads.iter().for_each(assert_valid);
    leads
}

#[test]
fn a_classified_listing_dated_in_us_twelve_hour_time_is_read_in_the_dealerships_zone() {
    let lead = only(styled("classified_us_twelve_hour_date.xml", None));
    // 1:15:22 PM in New York in February is 18:15:22 UTC.
    assert_eq!(received(&lead).as_deref(), Some("2026-02-13T18:15:22Z"));
    assert_warned(&lead, "date_offset_assumed");
    assert!(!codes(&lead).contains(&"invalid_date"), "{}", pretty(&lead));
}

#[test]
fn a_classified_listing_carries_normalized_contacts_and_its_address() {
    let lead = only(styled("classified_us_twelve_hour_date.xml", None));
    let c = &lead.input.customer;
    assert_eq!(c.phones, ["+18135550139", "+18135550140"]);
    let numbers: Vec<_> = c
        .phone_numbers
        .iter()
        .map(|p| (p.number.as_str(), p.extension.as_deref(), p.kind))
        .collect();
    assert_eq!(
        numbers,
        [
            ("+18135550139", None, Some(PhoneKind::Mobile)),
            ("+18135550140", Some("204"), Some(PhoneKind::Work)),
        ]
    );
    assert_eq!(
        c.phone_numbers[1].original.as_deref(),
        Some("(813) 555-0140 ext. 204")
    );
    assert_eq!(c.emails, ["dana.diaz@example.com"]);
    assert_eq!(
        c.email_addresses[0].original.as_deref(),
        Some("Dana.Diaz@Example.COM")
    );
    assert_warned(&lead, "phone_skipped");
    let address = c.address.clone().unwrap_or_default();
    assert_eq!(address.street, ["1200 Bayshore Blvd", "Apt 4B"]);
    assert_eq!(address.city.as_deref(), Some("Tampa"));
    assert_eq!(address.region.as_deref(), Some("FL"));
    assert_eq!(c.postal_code.as_deref(), Some("33606"));
    assert_eq!(lead.input.vehicles[0].price, Some(34995.0));
}

#[test]
fn an_oem_form_dated_like_an_email_header_keeps_its_offset() {
    let lead = only(styled("oem_form_rfc2822_date.xml", None));
    assert_eq!(received(&lead).as_deref(), Some("2026-02-19T19:20:45Z"));
    assert!(!codes(&lead).contains(&"date_offset_assumed"));
    let tf = lead.input.timeframe.clone().unwrap_or_default();
    assert_eq!(tf.earliest.as_deref(), Some("2026-02-23"));
    assert_eq!(lead.input.customer.emails, ["mortega77@example.net"]);
    assert_eq!(lead.input.customer.phones, ["+15595550163"]);
    assert_eq!(lead.input.customer.phone_numbers[0].kind, None);
}

#[test]
fn a_price_guide_time_without_offset_is_in_the_dealerships_zone_and_cells_come_first() {
    let lead = only(styled("price_guide_no_offset.xml", None));
    assert_eq!(received(&lead).as_deref(), Some("2026-02-17T14:40:00Z"));
    assert_warned(&lead, "date_offset_assumed");
    let kinds: Vec<_> = lead
        .input
        .customer
        .phone_numbers
        .iter()
        .map(|p| (p.number.as_str(), p.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("+16145550112", Some(PhoneKind::Mobile)),
            ("+16145550111", Some(PhoneKind::Home)),
        ]
    );
    assert_eq!(lead.input.vehicles[0].price, Some(21450.0));
}

#[test]
fn a_chat_widget_date_with_a_month_name_and_zone_abbreviation_is_read() {
    let lead = only(styled("chat_widget_month_name_date.xml", None));
    assert_eq!(received(&lead).as_deref(), Some("2026-02-18T21:05:00Z"));
    assert_eq!(
        lead.input.customer.phone_numbers[0].kind,
        Some(PhoneKind::Mobile)
    );
    let comments = lead.input.comments.clone().unwrap_or_default();
    assert!(comments.contains("Text me please."), "{comments}");
}

#[test]
fn a_dealer_site_date_in_twenty_four_hour_time_is_read() {
    let lead = only(styled("dealer_site_twenty_four_hour_date.xml", None));
    assert_eq!(received(&lead).as_deref(), Some("2026-02-20T21:45:00Z"));
    assert_eq!(lead.input.customer.emails, ["bob.oconnell@example.com"]);
}

#[test]
fn a_date_only_is_midnight_in_the_dealerships_zone_and_an_unreadable_one_falls_back_to_the_arrival()
{
    let leads = styled(
        "aggregator_date_only_and_unreadable.xml",
        Some("2026-02-16T15:00:00Z"),
    );
    assert_eq!(received(&leads[0]).as_deref(), Some("2026-02-16T05:00:00Z"));
    assert_eq!(received(&leads[1]).as_deref(), Some("2026-02-16T15:00:00Z"));
    assert_warned(&leads[1], "invalid_date");
    assert_warned(&leads[1], "received_at_from_arrival");
    assert!(!codes(&leads[0]).contains(&"received_at_from_arrival"));
}

#[test]
fn without_an_arrival_an_unreadable_date_is_left_to_the_engine_and_says_so() {
    let leads = styled("aggregator_date_only_and_unreadable.xml", None);
    assert_eq!(leads[1].input.received_at, None);
    let warning = leads[1]
        .warnings
        .iter()
        .find(|w| w.code == "received_at_from_arrival")
        .map(|w| w.message.clone())
        .unwrap_or_default();
    assert!(warning.contains("stored"), "{warning}");
}

#[test]
fn no_readable_date_in_the_provider_style_documents_is_left_out() {
    for name in [
        "classified_us_twelve_hour_date.xml",
        "oem_form_rfc2822_date.xml",
        "price_guide_no_offset.xml",
        "chat_widget_month_name_date.xml",
        "dealer_site_twenty_four_hour_date.xml",
    ] {
        for lead in styled(name, None) {
            assert!(
                lead.input.received_at.is_some(),
                "{name}: {}",
                pretty(&lead)
            );
            assert!(
                !codes(&lead).contains(&"invalid_date"),
                "{name}: {}",
                pretty(&lead)
            );
        }
    }
}

#[test]
fn a_consent_element_becomes_the_leads_consent_evidence_and_an_unreadable_one_counts_as_none() {
    let lead = only(
        leads_from_adf(
            &fixture("adf/dealer_form_with_consent.xml"),
            &IntakeOptions::default(),
        )
        .unwrap(),
    );
    assert_valid(&lead);
    let consent = &lead.input.consent;
    assert_eq!(consent.len(), 2, "{}", pretty(&lead));
    let signed = &consent[0];
    assert_eq!(signed.basis, ConsentBasis::ExpressWritten);
    assert_eq!(signed.channels, ["sms", "call"]);
    assert_eq!(signed.dealership.as_deref(), Some("main"));
    assert_eq!(
        signed.source.form_url.as_deref(),
        Some("https://lakeside-motors.example.com/quote")
    );
    assert_eq!(
        signed.source.provider.as_deref(),
        Some("Lakeside Motors Website")
    );
    assert_eq!(
        signed.at,
        Some("2026-12-01T15:54:30Z".parse().unwrap()),
        "{}",
        pretty(&lead)
    );
    let disclosure = signed.disclosure.as_deref().unwrap_or_default();
    assert!(
        disclosure.starts_with("By submitting this form I agree that Lakeside Motors may call"),
        "{disclosure}"
    );
    // `basis="yes"`, a fax channel and "sometime": recorded as none, every problem named.
    let bad = &consent[1];
    assert_eq!(bad.basis, ConsentBasis::None, "{}", pretty(&lead));
    assert!(bad.channels.is_empty());
    let warning = lead
        .warnings
        .iter()
        .find(|w| w.code == "invalid_consent")
        .unwrap_or_else(|| panic!("no invalid_consent warning: {:?}", codes(&lead)));
    for named in [
        "`yes`",
        "`fax`",
        "`sometime`",
        "consent[1]",
        "recorded as basis none",
    ] {
        assert!(
            warning.message.contains(named),
            "{named}: {}",
            warning.message
        );
    }
}

#[test]
fn a_consent_element_that_says_nowhere_it_was_given_is_left_out_with_a_warning() {
    let xml = r#"<adf><prospect><customer><contact><name part="full">Ana Ruiz</name>
        <phone type="cellphone">305-555-0142</phone></contact>
        <consent basis="express_written"/></customer></prospect></adf>"#;
    let lead = only(leads_from_adf(xml.as_bytes(), &IntakeOptions::default()).unwrap());
    assert!(lead.input.consent.is_empty(), "{}", pretty(&lead));
    assert_warned(&lead, "invalid_consent");
    // Without the element, the lead carries no consent of its own (the settings' default applies).
    let plain = xml.replace(r#"<consent basis="express_written"/>"#, "");
    let lead = only(leads_from_adf(plain.as_bytes(), &IntakeOptions::default()).unwrap());
    assert!(lead.input.consent.is_empty());
    assert!(!codes(&lead).contains(&"invalid_consent"));
}
