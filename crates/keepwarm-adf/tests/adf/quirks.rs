//! One fixture (or inline document) per leniency the parser promises.

use keepwarm_adf::{ProspectStatus, WarningCode};
use rstest::rstest;

use crate::helpers::{assert_warned, codes, only_lead, parse_fixture, parse_ok};

#[test]
fn an_adf_declaration_before_the_xml_declaration_and_without_equals_is_repaired() {
    let doc = parse_fixture("quirks/adf_declaration_first_without_equals.xml");
    assert_eq!(doc.adf_version.as_deref(), Some("1.0"));
    let doc_codes: Vec<_> = doc.warnings.iter().map(|w| w.code).collect();
    assert_eq!(
        doc_codes,
        [
            WarningCode::AdfDeclarationRepaired,
            WarningCode::XmlDeclarationRepaired
        ]
    );
    let lead = only_lead(&doc);
    assert_eq!(
        lead.received_at.as_deref(),
        Some("2024-03-05T09:05:00-05:00")
    );
    assert_eq!(lead.customer.full_name.as_deref(), Some("Ana Lima"));
    assert_eq!(lead.customer.phones[0].number, "555-0142");
    assert_eq!(lead.vehicles[0].model.as_deref(), Some("Telluride"));
    assert_eq!(lead.source.vendor.as_deref(), Some("Example Kia"));
    assert_eq!(
        codes(lead),
        doc_codes,
        "the lead carries the document's repairs"
    );
}

#[test]
fn upper_case_declarations_elements_and_values_are_read() {
    let doc = parse_fixture("quirks/upper_case_everything.xml");
    let lead = only_lead(&doc);
    assert_eq!(lead.received_at.as_deref(), Some("2024-03-05T09:05:00Z"));
    let v = &lead.vehicles[0];
    assert_eq!(v.interest.as_deref(), Some("lease"));
    assert_eq!(v.condition.as_deref(), Some("new"));
    assert_eq!(
        (v.year, v.make.as_deref(), v.model.as_deref()),
        (Some(2025), Some("Subaru"), Some("Outback"))
    );
    assert_eq!(lead.customer.full_name.as_deref(), Some("Li Wei"));
    assert_eq!(lead.customer.phones[0].kind, "voice");
    assert_warned(lead, WarningCode::XmlDeclarationRepaired, "<?XML?>");
    assert_warned(lead, WarningCode::AdfDeclarationRepaired, "<?ADF?>");
    assert_warned(lead, WarningCode::ElementNameCase, "<Vehicle>");
    assert_warned(lead, WarningCode::EndTagRepaired, "</vehicle>");
    assert_warned(lead, WarningCode::EnumValueNormalized, "\"Lease\"");
}

#[test]
fn an_encoding_declaration_that_lies_loses_to_the_utf8_bytes() {
    let doc = parse_fixture("quirks/utf16_declared_on_utf8_bytes.xml");
    let lead = only_lead(&doc);
    assert_eq!(lead.customer.first_name.as_deref(), Some("José"));
    assert_eq!(lead.customer.last_name.as_deref(), Some("Muñoz"));
    assert_eq!(lead.customer.emails, ["jose@example.test"]);
    assert_warned(lead, WarningCode::EncodingDeclarationIgnored, "utf-16");
}

#[test]
fn latin1_bytes_are_read_as_windows_1252_with_a_warning() {
    let doc = parse_ok(b"<adf><prospect><customer><contact><name part=\"full\">Jos\xe9 P\xe9rez</name></contact></customer></prospect></adf>");
    let lead = only_lead(&doc);
    assert_eq!(lead.customer.full_name.as_deref(), Some("José Pérez"));
    assert_warned(lead, WarningCode::EncodingRepaired, "Windows-1252");
}

#[test]
fn latin1_bytes_declared_as_latin1_need_no_warning() {
    let doc = parse_ok(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><adf><prospect><customer><comments>caf\xe9</comments></customer></prospect></adf>");
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    assert_eq!(only_lead(&doc).comments.as_deref(), Some("café"));
}

#[test]
fn a_utf16_document_with_a_byte_order_mark_is_read() {
    let text = r#"<?xml version="1.0" encoding="UTF-16"?><adf><prospect><vehicle><make>Škoda</make></vehicle></prospect></adf>"#;
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let doc = parse_ok(&bytes);
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    assert_eq!(only_lead(&doc).vehicles[0].make.as_deref(), Some("Škoda"));
}

#[test]
fn a_namespaced_root_makes_its_prefix_the_adf_namespace_and_keeps_other_namespaces() {
    let doc = parse_fixture("quirks/namespaced_root.xml");
    assert_eq!(doc.warnings[0].code, WarningCode::NamespacePrefixIgnored);
    let lead = only_lead(&doc);
    assert_eq!(lead.ids[0].value, "NS-77");
    assert_eq!(lead.ids[0].sequence, Some(7));
    assert_eq!(lead.vehicles[0].model.as_deref(), Some("CX-5"));
    assert_eq!(lead.vehicles[0].condition.as_deref(), Some("used"));
    assert_eq!(lead.customer.emails, ["sam@example.test"]);
    let ext: Vec<_> = lead
        .extensions
        .iter()
        .map(|e| (e.path.as_str(), e.text.as_str()))
        .collect();
    assert_eq!(
        ext,
        [
            ("a:adf/a:prospect/a:vehicle/p:score", "88"),
            ("a:adf/a:prospect/p:tracking", "utm-42")
        ]
    );
    assert_eq!(
        lead.extensions[1].xml.as_deref(),
        Some(r#"<p:tracking campaign="spring">utm-42</p:tracking>"#)
    );
}

#[test]
fn elements_out_of_dtd_order_are_all_read_with_warnings() {
    let doc = parse_fixture("quirks/out_of_dtd_order.xml");
    let lead = only_lead(&doc);
    assert_eq!(
        lead.received_at.as_deref(),
        Some("2024-03-05T09:05:00-05:00")
    );
    assert_eq!(lead.source.provider.as_deref(), Some("AutoSite"));
    assert_eq!(
        lead.source.provider_service.as_deref(),
        Some("New Car Leads")
    );
    assert_eq!(lead.source.provider_lead_id.as_deref(), Some("AS-1"));
    assert_eq!(lead.customer.full_name.as_deref(), Some("Kim Ng"));
    assert_eq!(lead.customer.phones[0].kind, "cellphone");
    assert_eq!(lead.comments.as_deref(), Some("Please text me"));
    let v = &lead.vehicles[0];
    assert_eq!(
        (v.year, v.make.as_deref(), v.model.as_deref()),
        (Some(2023), Some("Honda"), Some("Civic"))
    );
    assert_warned(
        lead,
        WarningCode::ElementOutOfOrder,
        "<customer> after <provider>",
    );
    assert_warned(lead, WarningCode::ElementOutOfOrder, "<make> after <model>");
}

#[test]
fn full_names_are_split_unless_they_name_a_business() {
    let doc = parse_fixture("quirks/full_name_only.xml");
    let [person, business, single] = &doc.prospects[..] else {
        panic!("expected three prospects, got {}", doc.prospects.len());
    };
    assert_eq!(person.customer.full_name.as_deref(), Some("Mary Ann Smith"));
    assert_eq!(person.customer.first_name.as_deref(), Some("Mary"));
    assert_eq!(person.customer.last_name.as_deref(), Some("Ann Smith"));
    assert_warned(person, WarningCode::NameSplit, "\"Mary\"");
    assert_eq!(
        business.customer.full_name.as_deref(),
        Some("Acme Fleet Services")
    );
    assert_eq!(business.customer.first_name, None);
    assert!(business.warnings.is_empty());
    assert_eq!(single.customer.first_name.as_deref(), Some("Cher"));
    assert_eq!(single.customer.last_name, None);
    assert_eq!(
        codes(single),
        [WarningCode::NameWithoutPart, WarningCode::NameSplit]
    );
}

#[test]
fn capitalised_and_aliased_enum_values_are_normalized() {
    let doc = parse_fixture("quirks/capitalised_enums.xml");
    let lead = only_lead(&doc);
    assert_eq!(lead.status, ProspectStatus::Resend);
    let got: Vec<_> = lead
        .vehicles
        .iter()
        .map(|v| (v.interest.as_deref(), v.condition.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (Some("buy"), Some("used")),
            (Some("trade-in"), Some("used")),
            (Some("test-drive"), None),
            (Some("browse"), Some("new")),
        ]
    );
    assert_warned(lead, WarningCode::UnknownEnumValue, "\"browse\"");
    assert_warned(lead, WarningCode::EnumValueNormalized, "\"Pre-Owned\"");
}

#[test]
fn non_dtd_phone_types_map_to_kinds_and_numbers_stay_raw() {
    let doc = parse_fixture("quirks/phone_types.xml");
    let lead = only_lead(&doc);
    let phones: Vec<_> = lead
        .customer
        .phones
        .iter()
        .map(|p| {
            (
                p.number.as_str(),
                p.kind.as_str(),
                p.preferred_time.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        phones,
        [
            ("(555) 010-0001", "cellphone", Some("morning")),
            ("555-010-0002", "home", None),
            ("555.010.0003 x12", "work", None),
            ("+1 555 010 0004", "cellphone", Some("evening")),
            ("555-010-0005", "fax", None),
            ("555-010-0006", "voice", None),
        ]
    );
    assert_eq!(lead.customer.preferred_contact.as_deref(), Some("phone"));
    assert_warned(lead, WarningCode::PhoneKindNormalized, "\"mobile\"");
    assert_warned(lead, WarningCode::PhoneKindNormalized, "\"home\"");
}

#[test]
fn odd_dates_are_normalized_or_reported() {
    let doc = parse_fixture("quirks/odd_dates.xml");
    let dates: Vec<_> = doc
        .prospects
        .iter()
        .map(|p| p.received_at.as_deref())
        .collect();
    assert_eq!(
        dates,
        [
            Some("2024-03-05T09:05:00-05:00"),
            Some("2024-03-05T09:05:00-05:00"),
            Some("2024-03-05T09:05:00+00:00"),
            Some("2024-03-05T00:00:00+00:00"),
            // US order with a 12-hour time, as US web forms write it (issue 18).
            Some("2024-03-05T09:05:00+00:00"),
        ]
    );
    let first_codes: Vec<_> = doc.prospects.iter().map(|p| codes(p)[0]).collect();
    assert_eq!(
        first_codes,
        [
            WarningCode::DateNormalized,
            WarningCode::DateNormalized,
            WarningCode::DateOffsetAssumed,
            WarningCode::DateOffsetAssumed,
            WarningCode::DateNormalized,
        ]
    );
    let tf = doc.prospects[4].timeframe.clone().unwrap_or_default();
    assert_eq!(tf.description.as_deref(), Some("within a month"));
    assert_eq!(tf.earliest.as_deref(), Some("2024-03-10"));
    assert_eq!(tf.latest.as_deref(), Some("2024-04-10T17:00:00Z"));
}

#[test]
fn the_default_offset_is_configurable() {
    let opts = keepwarm_adf::ParseOptions {
        time_zone: jiff::tz::TimeZone::fixed(jiff::tz::offset(-5)),
        ..keepwarm_adf::ParseOptions::default()
    };
    let doc = keepwarm_adf::parse_adf(
        b"<adf><prospect><requestdate>2024-03-05T09:05:00</requestdate></prospect></adf>",
        &opts,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        only_lead(&doc).received_at.as_deref(),
        Some("2024-03-05T09:05:00-05:00")
    );
}

#[test]
fn cdata_entities_and_bare_ampersands_become_plain_text() {
    let doc = parse_fixture("quirks/cdata_and_entities.xml");
    let lead = only_lead(&doc);
    assert_eq!(
        lead.vehicles[0].comments.as_deref(),
        Some("Wants <b>M Sport</b> & heated seats")
    );
    assert_eq!(lead.customer.full_name.as_deref(), Some("O'Brien & Sons"));
    assert_eq!(
        lead.customer.comments.as_deref(),
        Some("Call after 5\u{A0}pm — AT&T line, price < $30k, café")
    );
    assert_warned(lead, WarningCode::HtmlEntityReplaced, "&mdash;");
    assert_warned(lead, WarningCode::BareAmpersandKept, "'&'");
}

#[test]
fn a_realistic_dealer_feed_maps_completely() {
    let doc = parse_fixture("quirks/dealer_feed_full.xml");
    let lead = only_lead(&doc);
    assert_eq!(
        lead.received_at.as_deref(),
        Some("2024-05-17T14:22:10-04:00")
    );
    assert_eq!(lead.source.provider.as_deref(), Some("Cars.com"));
    assert_eq!(
        lead.source.provider_lead_id.as_deref(),
        Some("CC-2024-000123")
    );
    assert_eq!(
        lead.source.provider_service.as_deref(),
        Some("Used Vehicle Lead")
    );
    assert_eq!(lead.source.vendor.as_deref(), Some("Example Motors"));
    let ids: Vec<_> = lead
        .ids
        .iter()
        .map(|i| (i.value.as_str(), i.source.as_deref(), i.sequence))
        .collect();
    assert_eq!(
        ids,
        [
            ("CC-2024-000123", Some("Cars.com"), Some(1)),
            ("D-88", Some("DealerCRM"), Some(2))
        ]
    );
    let c = &lead.customer;
    assert_eq!(c.first_name.as_deref(), Some("Dana"));
    assert_eq!(c.last_name.as_deref(), Some("Reyes"));
    assert_eq!(c.full_name.as_deref(), Some("Dana J Reyes Jr"));
    assert_eq!(c.emails, ["dana@example.test", "dana.work@example.test"]);
    assert_eq!(c.phones.len(), 2);
    assert_eq!(c.phones[0].kind, "cellphone");
    assert_eq!(c.preferred_contact.as_deref(), Some("phone"));
    let address = c.address.clone().unwrap_or_default();
    assert_eq!(address.street, ["12 Elm St", "Floor 3", "3B"]);
    assert_eq!(address.city.as_deref(), Some("Columbus"));
    assert_eq!(c.postal_code.as_deref(), Some("43004"));
    let [wanted, trade] = &lead.vehicles[..] else {
        panic!("expected two vehicles");
    };
    assert_eq!(wanted.vin.as_deref(), Some("2T3P1RFV5MW000001"));
    assert_eq!(wanted.price.as_deref(), Some("28995"));
    assert_eq!(wanted.odometer, Some(31402));
    assert_eq!(wanted.trim.as_deref(), Some("XLE Premium"));
    assert_eq!(trade.interest.as_deref(), Some("trade-in"));
    assert_eq!(trade.odometer, Some(140_000));
    assert!(lead
        .extensions
        .iter()
        .any(|e| e.path == "adf/prospect/vehicle/price" && e.text == "34500"));
    assert_eq!(
        codes(lead),
        [WarningCode::NumberNormalized, WarningCode::NumberNormalized]
    );
}

#[rstest]
#[case::unclosed_child(
    "<adf><prospect><vehicle><make>Kia</vehicle></prospect></adf>",
    WarningCode::EndTagRepaired
)]
#[case::stray_end_tag(
    "<adf><prospect><vehicle><make>Kia</make></b></vehicle></prospect></adf>",
    WarningCode::StrayEndTagIgnored
)]
#[case::bare_prospect_root(
    "<prospect><vehicle><make>Kia</make></vehicle></prospect>",
    WarningCode::MissingAdfRoot
)]
#[case::trailing_root(
    "<adf><prospect><vehicle><make>Kia</make></vehicle></prospect></adf><junk/>",
    WarningCode::ExtraRootElement
)]
#[case::duplicate_make(
    "<adf><prospect><vehicle><make>Kia</make><make>Ford</make></vehicle></prospect></adf>",
    WarningCode::DuplicateElement
)]
#[case::prospect_comments(
    "<adf><prospect><comments>hi</comments><vehicle><make>Kia</make></vehicle></prospect></adf>",
    WarningCode::ElementOutOfPlace
)]
#[case::duplicate_attribute("<adf><prospect><vehicle interest=\"buy\" interest=\"lease\"><make>Kia</make></vehicle></prospect></adf>", WarningCode::DuplicateAttributeIgnored)]
fn repairable_xml_still_gives_the_vehicle(#[case] xml: &str, #[case] code: WarningCode) {
    let doc = parse_ok(xml.as_bytes());
    let lead = only_lead(&doc);
    assert_eq!(lead.vehicles[0].make.as_deref(), Some("Kia"), "{xml}");
    assert!(
        codes(lead).contains(&code),
        "{code:?} not in {:?}",
        codes(lead)
    );
}

#[test]
fn request_dates_in_provider_forms_are_read_in_the_configured_zone() {
    let opts = keepwarm_adf::ParseOptions {
        time_zone: jiff::tz::TimeZone::get("America/Chicago").unwrap_or_else(|e| panic!("{e}")),
        ..keepwarm_adf::ParseOptions::default()
    };
    let bytes = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/quirks/provider_dates.xml"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let doc = keepwarm_adf::parse_adf(&bytes, &opts).unwrap_or_else(|e| panic!("{e}"));
    let dates: Vec<_> = doc
        .prospects
        .iter()
        .map(|p| p.received_at.as_deref())
        .collect();
    assert_eq!(
        dates,
        [
            Some("2026-02-13T13:15:22-06:00"),
            Some("2026-02-19T11:20:45-08:00"),
            Some("2026-02-20T16:45:00-06:00"),
            Some("2026-02-18T16:05:00-05:00"),
            Some("2026-02-16T00:00:00-06:00"),
            // Daylight saving time: Chicago is five hours behind UTC in July.
            Some("2026-07-17T09:40:00-05:00"),
            // Day first: never guessed, reported.
            None,
        ]
    );
    assert!(codes(&doc.prospects[6]).contains(&WarningCode::InvalidDate));
}
