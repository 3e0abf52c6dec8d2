//! Properties over arbitrary input: no intake path panics, and every lead it returns is valid.

use keepwarm_domain::SourceKind;
use keepwarm_intake::adf::leads_from_adf;
use keepwarm_intake::csv::read_csv;
use keepwarm_intake::email::leads_from_email;
use keepwarm_intake::IntakeOptions;
use proptest::prelude::*;

use crate::helpers::assert_valid;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic_the_csv_reader(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok(rows) = read_csv(&bytes[..], None, SourceKind::Import) {
            for row in rows {
                if let Ok(lead) = &row.result {
                    assert_valid(lead);
                }
            }
        }
    }

    #[test]
    fn csv_like_text_never_panics_and_rows_are_numbered_upwards(
        cells in proptest::collection::vec("[a-zA-Z0-9 @.,\"\r\n/:-]{0,12}", 0..60)
    ) {
        let text = format!("Name,Phone,Email,Year,VIN,Lead Date,Notes\n{}", cells.join(","));
        let rows = read_csv(text.as_bytes(), None, SourceKind::Import);
        prop_assert!(rows.is_ok());
        let mut last = 1;
        for row in rows.into_iter().flatten() {
            prop_assert!(row.row > last, "row {} after {}", row.row, last);
            last = row.row;
            if let Ok(lead) = &row.result {
                assert_valid(lead);
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_email_reader(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok(email) = leads_from_email(&bytes, &IntakeOptions::default()) {
            email.leads.iter().for_each(assert_valid);
        }
    }

    #[test]
    fn arbitrary_field_values_in_adf_give_valid_leads(
        year in "[0-9]{0,6}",
        price in "[-$0-9,.a-z]{0,10}",
        vin in "[A-Z0-9-]{0,20}",
        odometer in "[0-9,]{0,14}",
        interest in "[a-zA-Z-]{0,10}",
        phone in "[0-9() +-]{0,20}",
        comment_len in 0usize..10_000,
    ) {
        let xml = format!(
            "<adf><prospect><vehicle interest=\"{interest}\"><year>{year}</year><make>M</make>\
             <vin>{vin}</vin><price>{price}</price><odometer>{odometer}</odometer></vehicle>\
             <customer><contact><name part=\"full\">A B</name><phone>{phone}</phone></contact>\
             <comments>{}</comments></customer></prospect></adf>",
            "x".repeat(comment_len)
        );
        let leads = leads_from_adf(xml.as_bytes(), &IntakeOptions::default());
        prop_assert!(leads.is_ok(), "{:?}", leads.err());
        for lead in leads.iter().flatten() {
            assert_valid(lead);
        }
    }
}
