//! CSV exports from CRMs and DMSs: header matching, overrides, dates, service rows, bad rows, keys.

use keepwarm_domain::compliance::consent::ConsentBasis;
use keepwarm_domain::lead::PhoneKind;
use keepwarm_domain::SourceKind;
use keepwarm_intake::csv::{read_csv, ColumnMapping, CsvRow};
use keepwarm_intake::IntakeError;
use rstest::rstest;

use crate::helpers::{assert_valid, assert_warned, fixture, new_york, received};

fn rows(name: &str, kind: SourceKind) -> Vec<CsvRow> {
    let bytes = fixture(&format!("csv/{name}"));
    let rows: Vec<CsvRow> = read_csv(&bytes[..], None, kind)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .collect();
    for row in &rows {
        if let Ok(lead) = &row.result {
            assert_valid(lead);
        }
    }
    rows
}

fn headers(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn mapped(header: &str) -> Option<String> {
    ColumnMapping::auto(&headers(&[header]))
        .fields()
        .into_iter()
        .next()
        .map(|(field, _)| field)
}

#[rstest]
#[case("First Name", Some("first_name"))]
#[case("FName", Some("first_name"))]
#[case("first_name", Some("first_name"))]
#[case("Customer First Name", Some("first_name"))]
#[case("Last", Some("last_name"))]
#[case("LAST NAME", Some("last_name"))]
#[case("Customer Name", Some("full_name"))]
#[case("Name", Some("full_name"))]
#[case("Cell", Some("cell_phone"))]
#[case("Mobile Phone", Some("cell_phone"))]
#[case("Cell Phone #", Some("cell_phone"))]
#[case("Home Phone", Some("home_phone"))]
#[case("Work Phone", Some("work_phone"))]
#[case("Phone", Some("phone"))]
#[case("E-mail", Some("email"))]
#[case("Email Address", Some("email"))]
#[case("EMAIL:", Some("email"))]
#[case("Zip", Some("postal_code"))]
#[case("Postal Code", Some("postal_code"))]
#[case("Zip Code", Some("postal_code"))]
#[case("Year", Some("year"))]
#[case("Vehicle Year", Some("year"))]
#[case("Make", Some("make"))]
#[case("Model", Some("model"))]
#[case("Trim", Some("trim"))]
#[case("VIN", Some("vin"))]
#[case("Stock #", Some("stock"))]
#[case("Stock No.", Some("stock"))]
#[case("Mileage", Some("odometer"))]
#[case("Lead Date", Some("received_at"))]
#[case("Created", Some("received_at"))]
#[case("Date Received", Some("received_at"))]
#[case("Last Service Date", Some("last_service_at"))]
#[case("Last RO Date", Some("last_service_at"))]
#[case("Service Advisor", None)]
#[case("Lead Source", Some("provider"))]
#[case("Source", Some("provider"))]
#[case("Comments", Some("comments"))]
#[case("Notes", Some("comments"))]
#[case("Declined Services", Some("service_need"))]
#[case("New/Used", Some("condition"))]
#[case("Favorite Color", None)]
#[case("Salesperson", Some("owner"))]
#[case("Sales Person 1", Some("owner"))]
#[case("SALESPERSON NAME", Some("owner"))]
#[case("Sales Rep", Some("owner"))]
#[case("Assigned Sales Rep", Some("owner"))]
#[case("Salesman", Some("owner"))]
#[case("Sales Consultant", Some("owner"))]
#[case("Assigned To", Some("owner"))]
#[case("Lead Owner", Some("owner"))]
#[case("Salesperson E-mail", Some("owner"))]
#[case("BDC Agent", None)]
#[case("Vehicle Owner", None)]
fn common_headers_are_matched(#[case] header: &str, #[case] field: Option<&str>) {
    assert_eq!(mapped(header).as_deref(), field, "{header}");
}

#[test]
fn the_first_column_for_a_field_wins() {
    let mapping = ColumnMapping::auto(&headers(&["Source", "Lead Source", "Notes", "Comments"]));
    assert_eq!(
        mapping.fields(),
        [
            ("provider".to_owned(), "Source".to_owned()),
            ("comments".to_owned(), "Notes".to_owned())
        ]
    );
}

#[test]
fn overrides_map_fields_to_columns() {
    let h = headers(&["First", "Surname", "Cell #", "Primary"]);
    let mapping = ColumnMapping::auto(&h)
        .with_overrides("phone=Cell #, email = primary", &h)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        mapping.fields(),
        [
            ("first_name".to_owned(), "First".to_owned()),
            ("last_name".to_owned(), "Surname".to_owned()),
            ("phone".to_owned(), "Cell #".to_owned()),
            ("email".to_owned(), "Primary".to_owned()),
        ]
    );
}

#[rstest]
#[case("shoe_size=First", "unknown field `shoe_size`")]
#[case("phone=Pager", "no column `Pager`")]
#[case("phone", "cannot read `phone`")]
fn a_bad_override_is_an_error_naming_it(#[case] spec: &str, #[case] expected: &str) {
    let h = headers(&["First", "Cell"]);
    let err = ColumnMapping::auto(&h).with_overrides(spec, &h).err();
    let message = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains(expected), "{message}");
}

#[test]
fn a_file_without_any_contact_column_is_refused() {
    let err = read_csv(
        &b"Year,Make,Model\n2020,Honda,Civic\n"[..],
        None,
        SourceKind::Import,
    )
    .err();
    assert!(
        matches!(err, Some(IntakeError::NoContactColumn { .. })),
        "{err:?}"
    );
}

#[test]
fn an_empty_file_is_refused() {
    assert!(matches!(
        read_csv(&b""[..], None, SourceKind::Import).err(),
        Some(IntakeError::EmptyCsv)
    ));
}

#[test]
fn an_aged_lead_export_with_bom_crlf_and_a_multi_line_note_gives_every_lead() {
    let rows = rows("vinsolutions_aged_leads.csv", SourceKind::Import);
    let numbers: Vec<usize> = rows.iter().map(|r| r.row).collect();
    // Header is row 1; the quoted note spans three lines but is one row; the blank row 5 is skipped.
    assert_eq!(numbers, [2, 3, 4, 6]);
    let maria = &rows[0]
        .result
        .as_ref()
        .unwrap_or_else(|e| panic!("{e}"))
        .input;
    assert_eq!(maria.source.kind, SourceKind::Import);
    assert_eq!(maria.source.provider.as_deref(), Some("Cars.com"));
    assert_eq!(maria.source.provider_lead_id.as_deref(), Some("88120"));
    assert_eq!(
        maria.received_at.map(|t| t.to_string()).as_deref(),
        Some("2026-01-14T15:42:00Z")
    );
    assert_eq!(maria.customer.phones, ["+13125550142", "+13125550177"]);
    assert_eq!(
        maria.comments.as_deref(),
        Some("Wants a test drive, asked about \"certified\" warranty")
    );
    assert_eq!(maria.vehicles[0].stock.as_deref(), Some("U4471"));
    assert_eq!(
        maria.owner.as_deref(),
        Some("Jim Beam"),
        "the Salesperson column"
    );
    let derek = &rows[1]
        .result
        .as_ref()
        .unwrap_or_else(|e| panic!("{e}"))
        .input;
    assert_eq!(derek.customer.phones, ["+16145550187", "+16145550190"]);
    assert_eq!(
        derek.received_at.map(|t| t.to_string()).as_deref(),
        Some("2026-01-15T12:00:00Z")
    );
    let kenji = rows[2].result.as_ref().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kenji.input.customer.first_name.as_deref(), Some("Kenji"));
    assert_warned(kenji, "name_case_normalized");
}

#[test]
fn a_service_export_puts_the_last_visit_and_vehicle_under_service() {
    let rows = rows("dms_service_customers.csv", SourceKind::Service);
    assert_eq!(rows.len(), 3);
    let john = &rows[0]
        .result
        .as_ref()
        .unwrap_or_else(|e| panic!("{e}"))
        .input;
    assert_eq!(john.source.kind, SourceKind::Service);
    assert_eq!(john.customer.first_name.as_deref(), Some("John"));
    assert_eq!(john.customer.last_name.as_deref(), Some("Doe"));
    // Mobile first, then home.
    assert_eq!(john.customer.phones, ["+16145550102", "+16145550101"]);
    assert!(john.vehicles.is_empty());
    let service = john.service.clone().unwrap_or_default();
    assert_eq!(
        service.last_visit_at.map(|t| t.to_string()).as_deref(),
        Some("2024-03-05T12:00:00Z")
    );
    assert_eq!(service.need.as_deref(), Some("Timing belt"));
    let car = service.vehicle.unwrap_or_default();
    assert_eq!(car.vin.as_deref(), Some("1HGCM82633A004352"));
    assert_eq!(car.odometer, Some(182_400));
    let anne = &rows[2]
        .result
        .as_ref()
        .unwrap_or_else(|e| panic!("{e}"))
        .input;
    assert_eq!(anne.customer.first_name.as_deref(), Some("Anne Marie"));
    assert_eq!(anne.customer.last_name.as_deref(), Some("Smith-Jones"));
}

#[test]
fn bad_rows_are_reported_by_row_and_column_and_never_stop_the_others() {
    let rows = rows("bad_rows.csv", SourceKind::Import);
    let summary: Vec<(usize, bool)> = rows.iter().map(|r| (r.row, r.result.is_ok())).collect();
    assert_eq!(
        summary,
        [
            (2, true),
            (3, false),
            (4, true),
            (5, true),
            (6, true),
            (8, false),
            (9, true),
            (10, true)
        ]
    );
    let no_contact = rows[1]
        .result
        .as_ref()
        .err()
        .cloned()
        .unwrap_or_else(|| panic!("row 3 ok"));
    assert_eq!((no_contact.row, no_contact.column.as_deref()), (3, None));
    assert!(no_contact
        .message
        .contains("no name, phone number or e-mail"));
    let too_long = rows[5]
        .result
        .as_ref()
        .err()
        .cloned()
        .unwrap_or_else(|| panic!("row 8 ok"));
    assert_eq!(
        (too_long.row, too_long.column.as_deref()),
        (8, Some("Notes"))
    );

    let bad_year = rows[2].result.as_ref().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(bad_year.input.vehicles[0].year, None);
    assert_eq!(bad_year.input.vehicles[0].make.as_deref(), Some("Toyota"));
    assert!(
        bad_year.warnings[0].message.contains("column \"Year\""),
        "{:?}",
        bad_year.warnings
    );
    assert_warned(
        rows[3].result.as_ref().unwrap_or_else(|e| panic!("{e}")),
        "invalid_date",
    );
    assert_warned(
        rows[4].result.as_ref().unwrap_or_else(|e| panic!("{e}")),
        "invalid_vin",
    );
    let jose = rows[7].result.as_ref().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(jose.input.customer.first_name.as_deref(), Some("José"));
    assert_warned(jose, "encoding_repaired");
}

#[test]
fn importing_the_same_file_twice_gives_the_same_keys_and_duplicate_rows_share_one() {
    let first: Vec<String> = rows("vinsolutions_aged_leads.csv", SourceKind::Import)
        .into_iter()
        .map(|r| r.key)
        .collect();
    let again: Vec<String> = rows("vinsolutions_aged_leads.csv", SourceKind::Import)
        .into_iter()
        .map(|r| r.key)
        .collect();
    assert_eq!(first, again);
    let mut unique = first.clone();
    unique.dedup();
    assert_eq!(unique.len(), first.len());

    let text = "Name,Phone\nJo Park,312-555-0100\nAl Roe,312-555-0101\n jo park ,312-555-0100\n";
    let keys: Vec<String> = read_csv(text.as_bytes(), None, SourceKind::Import)
        .into_iter()
        .flatten()
        .map(|r| r.key)
        .collect();
    assert_eq!(keys[0], keys[2]);
    assert_ne!(keys[0], keys[1]);
}

#[test]
fn a_mapping_override_is_applied_to_the_rows_and_reported() {
    let text = "Who,Digits\nJo Park,312-555-0100\n";
    let rows = read_csv(
        text.as_bytes(),
        Some("full_name=Who,cell_phone=Digits"),
        SourceKind::Import,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        rows.mapping().fields(),
        [
            ("full_name".to_owned(), "Who".to_owned()),
            ("cell_phone".to_owned(), "Digits".to_owned())
        ]
    );
    let leads: Vec<_> = rows.filter_map(|r| r.result.ok()).collect();
    assert_eq!(leads[0].input.customer.phones, ["+13125550100"]);
    assert_eq!(leads[0].input.customer.last_name.as_deref(), Some("Park"));
}

#[rstest]
#[case("01/14/2026", "2026-01-14T12:00:00Z")]
#[case("1/4/26", "2026-01-04T12:00:00Z")]
#[case("2026-01-14", "2026-01-14T12:00:00Z")]
#[case("01/14/2026 3:42 PM", "2026-01-14T15:42:00Z")]
#[case("2026-01-14 15:42:07", "2026-01-14T15:42:07Z")]
#[case("2026-01-14T15:42:07-05:00", "2026-01-14T20:42:07Z")]
fn lead_dates_in_common_us_formats_become_timestamps(#[case] cell: &str, #[case] expected: &str) {
    let text = format!("Name,Lead Date\nJo Park,{cell}\n");
    let lead = read_csv(text.as_bytes(), None, SourceKind::Import)
        .into_iter()
        .flatten()
        .find_map(|r| r.result.ok())
        .unwrap_or_else(|| panic!("no lead for {cell}"));
    assert_eq!(
        lead.input.received_at.map(|t| t.to_string()).as_deref(),
        Some(expected)
    );
}

#[test]
fn a_crm_export_reads_dates_in_the_dealerships_zone_with_prices_and_languages() {
    let bytes = fixture("csv/crm_export_dates_price_language.csv");
    let rows: Vec<CsvRow> = read_csv(&bytes[..], None, SourceKind::Import)
        .unwrap_or_else(|e| panic!("{e}"))
        .with_options(&new_york(None))
        .collect();
    let leads: Vec<_> = rows
        .iter()
        .map(|r| {
            r.result
                .clone()
                .unwrap_or_else(|e| panic!("row {}: {e}", r.row))
        })
        .collect();
    leads.iter().for_each(assert_valid);
    let dates: Vec<_> = leads.iter().map(received).collect();
    assert_eq!(
        dates,
        [
            Some("2026-02-13T18:15:22Z".to_owned()),
            Some("2026-02-14T14:30:00Z".to_owned()),
            Some("2026-02-16T00:02:11Z".to_owned()),
            Some("2026-02-16T17:00:00Z".to_owned()),
            None,
        ]
    );
    assert_warned(&leads[0], "date_offset_assumed");
    assert!(!crate::helpers::codes(&leads[1]).contains(&"date_offset_assumed"));
    assert_warned(&leads[4], "invalid_date");
    assert_warned(&leads[4], "received_at_from_arrival");
    let prices: Vec<_> = leads
        .iter()
        .map(|l| l.input.vehicles.first().and_then(|v| v.price))
        .collect();
    assert_eq!(
        prices,
        [Some(34995.0), Some(34218.0), None, None, Some(29500.0)]
    );
    assert_warned(&leads[2], "invalid_price");
    let languages: Vec<_> = leads
        .iter()
        .map(|l| l.input.customer.preferred_language.as_deref())
        .collect();
    assert_eq!(languages, [Some("es"), Some("es"), Some("en"), None, None]);
    assert_warned(&leads[3], "unknown_language");
    let c = &leads[0].input.customer;
    assert_eq!(c.phones, ["+18135550139", "+18135550140"]);
    assert_eq!(c.phone_numbers[1].extension.as_deref(), Some("204"));
    assert_eq!(
        c.phone_numbers.iter().map(|p| p.kind).collect::<Vec<_>>(),
        [Some(PhoneKind::Mobile), Some(PhoneKind::Work)]
    );
    assert_eq!(c.emails, ["dana.diaz@example.com"]);
}

#[test]
fn a_row_with_more_cells_than_the_header_is_refused_not_shifted() {
    let text = "First Name,Last Name,Email,Phone\n\
                Ann,Lee,ann@example.com,312-555-0100\n\
                Smith, Bob,Jones,bob@example.com,312-555-0101\n\
                Cy,Doe,cy@example.com,312-555-0102,,\n";
    let rows: Vec<CsvRow> = read_csv(text.as_bytes(), None, SourceKind::Import)
        .unwrap_or_else(|e| panic!("{e}"))
        .collect();
    assert_eq!(rows.len(), 3);
    assert!(rows[0].result.is_ok());
    let refused = rows[1].result.as_ref().err().map(ToString::to_string);
    assert_eq!(
        refused.as_deref(),
        Some("row 3: 5 cells but the header has 4; refused rather than read shifted (an unquoted comma?)")
    );
    assert!(rows[2].result.is_ok(), "empty trailing cells are fine");
}

#[test]
fn consent_and_sale_date_columns_become_the_rows_evidence_and_a_bad_consent_value_refuses_the_row()
{
    let rows = rows("dms_consent_columns.csv", SourceKind::Import);
    let summary: Vec<(usize, bool)> = rows.iter().map(|r| (r.row, r.result.is_ok())).collect();
    assert_eq!(
        summary,
        [
            (2, true),
            (3, true),
            (4, false),
            (5, false),
            (6, false),
            (7, false),
            (8, true)
        ]
    );
    let ana = rows[0].result.as_ref().unwrap();
    let consent = &ana.input.consent;
    assert_eq!(consent.len(), 1, "{consent:?}");
    assert_eq!(consent[0].basis, ConsentBasis::ExpressWritten);
    assert_eq!(consent[0].channels, ["sms", "call"]);
    assert_eq!(
        consent[0].source.form_url.as_deref(),
        Some("https://lakeside.example.com/credit-app")
    );
    assert_eq!(consent[0].disclosure.as_deref(), Some("credit-app-v4"));
    assert_eq!(consent[0].dealership.as_deref(), Some("main"));
    // Read in the file's zone (UTC by default).
    assert_eq!(consent[0].at, Some("2026-11-30T09:15:00Z".parse().unwrap()));
    // A DMS sale date (a day: noon in the file's zone, as every date-only cell): a do-not-call
    // relationship for 18 months.
    assert_eq!(
        ana.input.purchased_at,
        Some("2026-02-01T12:00:00Z".parse().unwrap())
    );
    // An unreadable one is left out with a warning, like every other date: no relationship.
    let gus_row = rows[6].result.as_ref().unwrap();
    assert_eq!(gus_row.input.purchased_at, None);
    assert_warned(gus_row, "invalid_date");
    // No basis, no record: the settings' default for the source applies.
    assert!(rows[1].result.as_ref().unwrap().input.consent.is_empty());
    // `none` is evidence too, its source the row's lead source.
    let gus = &rows[6].result.as_ref().unwrap().input.consent;
    assert_eq!(gus[0].basis, ConsentBasis::None);
    assert_eq!(gus[0].source.provider.as_deref(), Some("DMS"));

    for (i, column, words) in [
        (2, "Consent Basis", "`yes`"),
        (3, "Consent Channels", "`fax`"),
        (4, "Consent Date", "`next tuesday`"),
        (5, "Consent Source", "without a basis"),
    ] {
        let error = rows[i].result.as_ref().err().cloned().unwrap();
        assert_eq!(error.column.as_deref(), Some(column), "{error:?}");
        assert!(error.message.contains(words), "{error:?}");
    }
}
