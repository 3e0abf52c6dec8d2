//! Every sample of `tests/fixtures/corpus` (see its SOURCES.md), asserted
//! field by field.

use keepwarm_adf::{
    Address, ExtensionKind, Phone, ProspectId, ProspectStatus, Timeframe, Vehicle, WarningCode,
};

use crate::helpers::{assert_warned, codes, only_lead, parse_fixture};

fn corpus(n: u32) -> keepwarm_adf::AdfDocument {
    parse_fixture(&format!("corpus/idknerdyshit_adf_{n}.xml"))
}

#[test]
fn the_spec_example_lead_maps_every_follow_up_field() {
    let doc = corpus(1);
    assert_eq!(doc.adf_version.as_deref(), Some("1.0"));
    assert!(doc.warnings.is_empty());
    let lead = only_lead(&doc);
    assert_eq!(lead.status, ProspectStatus::New);
    assert_eq!(
        lead.received_at.as_deref(),
        Some("2000-03-30T15:30:20-08:00")
    );
    assert_eq!(
        lead.ids,
        [ProspectId {
            value: "38889".into(),
            source: Some("Cobalt".into()),
            sequence: Some(1)
        }]
    );
    assert_eq!(lead.source.kind, "internet");
    assert_eq!(lead.source.provider.as_deref(), Some("CarPoint"));
    assert_eq!(
        lead.source.provider_service.as_deref(),
        Some("Used Car Classifieds")
    );
    assert_eq!(lead.source.provider_lead_id.as_deref(), Some("38889"));
    assert_eq!(lead.source.vendor.as_deref(), Some("Koons Internet Outlet"));
    assert_eq!(
        lead.vehicles,
        [Vehicle {
            interest: Some("buy".into()),
            condition: Some("used".into()),
            year: Some(1997),
            make: Some("Chevrolet".into()),
            model: Some("Blazer".into()),
            vin: Some("1GNDT13W5V2200000".into()),
            price: Some("26995".into()),
            ..Vehicle::default()
        }]
    );
    let c = &lead.customer;
    assert_eq!(c.first_name.as_deref(), Some("John"));
    assert_eq!(c.last_name.as_deref(), Some("Doe"));
    assert_eq!(c.full_name.as_deref(), Some("John Doe"));
    assert_eq!(c.emails, ["jdoe@example.com"]);
    assert_eq!(
        c.phones,
        [Phone {
            number: "393-999-3922".into(),
            kind: "voice".into(),
            preferred_time: Some("morning".into())
        }]
    );
    assert_eq!(c.preferred_contact.as_deref(), Some("email"));
    assert_eq!(c.comments.as_deref(), Some("Can deliver by Thursday?"));
    assert_eq!(lead.comments.as_deref(), Some("Can deliver by Thursday?"));
    assert_eq!(c.address, None);
    assert_eq!(lead.timeframe, None);
    let paths: Vec<_> = lead
        .extensions
        .iter()
        .map(|e| (e.path.as_str(), e.kind))
        .collect();
    assert_eq!(
        paths,
        [
            ("adf/prospect/vehicle/option", ExtensionKind::Unmapped),
            ("adf/prospect/vehicle/partner-score", ExtensionKind::Element),
        ]
    );
    assert_eq!(
        lead.extensions[1].xml.as_deref(),
        Some(r#"<partner-score value="hot">97</partner-score>"#)
    );
    assert_eq!(codes(lead), [WarningCode::ExtensionKept]);
    assert_eq!(lead.warnings[0].line, Some(16));
}

#[test]
fn the_maximal_fixture_maps_address_timeframe_odometer_and_keeps_the_rest() {
    let doc = corpus(2);
    let lead = only_lead(&doc);
    assert_eq!(
        lead.received_at.as_deref(),
        Some("2024-01-02T03:04:05-05:00")
    );
    assert_eq!(lead.ids.len(), 1);
    assert_eq!(lead.ids[0].value, "P-1");
    assert_eq!(lead.ids[0].source.as_deref(), Some("lead"));
    assert_eq!(lead.source.provider.as_deref(), Some("Provider"));
    assert_eq!(lead.source.provider_service.as_deref(), Some("Leads"));
    assert_eq!(lead.source.vendor.as_deref(), Some("Dealer"));
    assert_eq!(
        lead.vehicles,
        [Vehicle {
            interest: Some("buy".into()),
            condition: Some("new".into()),
            year: Some(2024),
            make: Some("Honda".into()),
            model: Some("Civic".into()),
            trim: Some("Touring".into()),
            vin: Some("1HGCM82633A004352".into()),
            stock: Some("STK-1".into()),
            price: Some("25000".into()),
            odometer: Some(123),
            comments: Some("Vehicle comment".into()),
        }]
    );
    let c = &lead.customer;
    assert_eq!(c.full_name.as_deref(), Some("Jane Doe"));
    assert_eq!(c.first_name.as_deref(), Some("Jane"));
    assert_eq!(c.last_name.as_deref(), Some("Doe"));
    assert_eq!(c.emails, ["jane@example.test"]);
    assert_eq!(c.phones.len(), 1);
    assert_eq!(c.phones[0].number, "555-0100");
    assert_eq!(c.phones[0].preferred_time.as_deref(), Some("day"));
    assert_eq!(
        c.address,
        Some(Address {
            street: vec!["1 Main".into(), "Unit 2".into(), "2A".into()],
            city: Some("Detroit".into()),
            region: Some("MI".into()),
            postal_code: Some("48201".into()),
            country: Some("US".into()),
        })
    );
    assert_eq!(c.postal_code.as_deref(), Some("48201"));
    assert_eq!(c.comments.as_deref(), Some("Customer comment"));
    assert_eq!(
        lead.timeframe,
        Some(Timeframe {
            description: Some("soon".into()),
            earliest: Some("2024-02-01".into()),
            latest: Some("2024-03-01".into()),
        })
    );
    let paths: Vec<_> = lead.extensions.iter().map(|e| e.path.as_str()).collect();
    for expected in [
        "adf/prospect/@partner",
        "adf/prospect/vehicle/@partner-id",
        "adf/prospect/vehicle/colorcombination",
        "adf/prospect/vehicle/finance",
        "adf/prospect/customer/id",
        "adf/prospect/vendor/url",
        "adf/prospect/provider/contact",
    ] {
        assert!(
            paths.contains(&expected),
            "missing extension {expected} in {paths:?}"
        );
    }
    assert_eq!(doc.extensions.len(), 1);
    assert_eq!(doc.extensions[0].path, "adf/@p:batch");
    assert_eq!(doc.extensions[0].text, "42");
    assert_eq!(codes(lead), [WarningCode::NameSplit]);
}

#[test]
fn two_prospects_give_two_leads_and_word_dates_are_reported() {
    let doc = corpus(3);
    assert_eq!(doc.prospects.len(), 2);
    let first = &doc.prospects[0];
    assert_eq!(first.status, ProspectStatus::New);
    assert_eq!(first.received_at, None);
    assert_warned(first, WarningCode::InvalidDate, "\"one\"");
    assert_eq!(first.vehicles[0].model.as_deref(), Some("Camry"));
    assert_eq!(first.customer.full_name.as_deref(), Some("A"));
    assert_eq!(first.customer.first_name.as_deref(), Some("A"));
    assert_eq!(first.customer.last_name, None);
    assert_eq!(first.customer.emails, ["a@example.com"]);
    assert_eq!(first.source.vendor.as_deref(), Some("Dealer One"));
    let second = &doc.prospects[1];
    assert_eq!(second.status, ProspectStatus::Resend);
    assert_warned(second, WarningCode::InvalidDate, "\"two\"");
    assert_eq!(
        (
            second.vehicles[0].year,
            second.vehicles[0].make.as_deref(),
            second.vehicles[0].model.as_deref()
        ),
        (Some(2025), Some("Ford"), Some("F-150"))
    );
    assert_eq!(second.customer, keepwarm_adf::Customer::default());
    assert_eq!(second.source.vendor, None);
    assert_eq!(codes(second), [WarningCode::InvalidDate]);
}

#[test]
fn cdata_comments_keep_their_markup_as_text() {
    let doc = corpus(4);
    let lead = only_lead(&doc);
    assert_eq!(lead.customer.comments.as_deref(), Some("<b>hi</b>"));
    assert_eq!(lead.comments.as_deref(), Some("<b>hi</b>"));
    assert!(lead.vehicles.is_empty());
    assert_eq!(lead.received_at, None);
    assert_eq!(lead.source.vendor, None);
}

#[test]
fn two_cdata_sections_join_into_one_comment_with_the_terminator() {
    let doc = corpus(5);
    assert_eq!(
        only_lead(&doc).customer.comments.as_deref(),
        Some("before]]>after")
    );
}

#[test]
fn mixed_content_keeps_the_text_and_the_partner_element() {
    let doc = corpus(6);
    let lead = only_lead(&doc);
    assert_eq!(lead.customer.comments.as_deref(), Some("Jane \nVIP Co"));
    assert_eq!(lead.extensions.len(), 1);
    let ext = &lead.extensions[0];
    assert_eq!(ext.path, "adf/prospect/customer/comments/p:token");
    assert_eq!(ext.kind, ExtensionKind::Element);
    assert_eq!(
        ext.xml.as_deref(),
        Some(r#"<p:token code="x">VIP</p:token>"#)
    );
    assert_eq!(ext.text, "VIP");
    assert_warned(lead, WarningCode::MixedContent, "<p:token>");
}

#[test]
fn nbsp_becomes_a_no_break_space_with_a_warning() {
    let doc = corpus(7);
    let lead = only_lead(&doc);
    assert_eq!(lead.customer.comments.as_deref(), Some("Jane & \u{A0} Co"));
    assert_warned(lead, WarningCode::HtmlEntityReplaced, "&nbsp;");
}

#[test]
fn a_custom_entity_is_kept_literally_and_never_expanded() {
    let doc = corpus(8);
    let lead = only_lead(&doc);
    assert_eq!(lead.customer.full_name.as_deref(), Some("&lol;"));
    assert_warned(lead, WarningCode::UnknownEntityKept, "&lol;");
    assert_warned(lead, WarningCode::NameWithoutPart, "<name>");
}

#[test]
fn a_root_level_extension_and_an_empty_prospect_are_both_kept() {
    let doc = corpus(9);
    let lead = only_lead(&doc);
    assert_eq!(lead.customer, keepwarm_adf::Customer::default());
    assert!(lead.vehicles.is_empty());
    let paths: Vec<_> = doc
        .extensions
        .iter()
        .map(|e| (e.path.as_str(), e.text.as_str()))
        .collect();
    assert_eq!(paths, [("adf/@p:batch", "abc"), ("adf/p:meta", "x")]);
    assert_eq!(
        doc.extensions[1].xml.as_deref(),
        Some(r#"<p:meta key="v">x</p:meta>"#)
    );
    assert_eq!(doc.warnings.len(), 1);
    assert_eq!(doc.warnings[0].code, WarningCode::ExtensionKept);
    assert_eq!(
        lead.warnings, doc.warnings,
        "document warnings are copied to the lead"
    );
}

#[test]
fn a_singular_pricecomment_survives_as_an_extension() {
    let doc = corpus(10);
    let lead = only_lead(&doc);
    assert_eq!(lead.vehicles[0].model.as_deref(), Some("Civic"));
    assert_eq!(lead.vehicles[0].price, None);
    assert_eq!(lead.extensions.len(), 1);
    assert_eq!(lead.extensions[0].path, "adf/prospect/vehicle/pricecomment");
    assert_eq!(lead.extensions[0].text, "special offer");
    assert_warned(lead, WarningCode::ExtensionKept, "<pricecomment>");
}

#[test]
fn an_extension_between_dtd_elements_does_not_break_the_vehicle() {
    let doc = corpus(11);
    let lead = only_lead(&doc);
    let v = &lead.vehicles[0];
    assert_eq!(
        (v.year, v.make.as_deref(), v.model.as_deref()),
        (Some(2024), Some("Honda"), Some("Civic"))
    );
    assert_eq!(
        lead.extensions[0].path,
        "adf/prospect/vehicle/partner-score"
    );
    assert!(!codes(lead).contains(&WarningCode::ElementOutOfOrder));
}
