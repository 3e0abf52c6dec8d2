//! Shows and sales exported from a DMS → outcome rows, for `keepwarm outcomes import`.
//!
//! Owns [`read_outcome_csv`]: the header is matched like the lead import's (case, spaces and
//! punctuation ignored, a leading `Customer`/`Buyer`/`Contact` word dropped), with the names DMS
//! exports use (`Deal Date`, `Sold Date`, `Cell Phone`, `Lead ID`...). Each data row keeps its
//! spreadsheet row number and its cells as written; checking them against leads is the engine's job.
//! Stage words are read generously (`Sold`, `Delivered`, `Show`, `Visited`, `Dead`...).

use keepwarm_domain::Stage;
use serde::Serialize;

use crate::error::IntakeError;
use crate::text::{decode_cell, normalize_label};

/// One data row of an outcomes export, as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OutcomeCsvRow {
    /// The spreadsheet row (the header is row 1).
    pub line: usize,
    /// keepwarm's lead id.
    pub lead_id: Option<String>,
    /// A phone number.
    pub phone: Option<String>,
    /// An e-mail address.
    pub email: Option<String>,
    /// The stage word.
    pub stage: Option<String>,
    /// When it happened.
    pub at: Option<String>,
    /// Why (lost deals).
    pub reason: Option<String>,
}

/// The columns an outcomes export may have, with the header names that mean each.
const COLUMNS: &[(&str, &[&str])] = &[
    (
        "lead_id",
        &["leadid", "keepwarmid", "keepwarmleadid", "lead"],
    ),
    (
        "phone",
        &[
            "phone",
            "cellphone",
            "cell",
            "mobile",
            "mobilephone",
            "homephone",
            "phonenumber",
            "dayphone",
            "primaryphone",
        ],
    ),
    ("email", &["email", "emailaddress", "mail"]),
    (
        "stage",
        &[
            "stage",
            "outcome",
            "status",
            "result",
            "event",
            "type",
            "dealstatus",
        ],
    ),
    (
        "at",
        &[
            "at",
            "date",
            "datetime",
            "when",
            "time",
            "eventdate",
            "showdate",
            "visitdate",
            "solddate",
            "saledate",
            "dealdate",
            "contractdate",
            "deliverydate",
            "occurredat",
        ],
    ),
    (
        "reason",
        &[
            "reason",
            "lostreason",
            "notes",
            "note",
            "comment",
            "comments",
        ],
    ),
];

/// Words a DMS uses for the stages an import may record.
pub fn stage_word(raw: &str) -> Option<Stage> {
    match normalize_label(raw).as_str() {
        "showed" | "show" | "shown" | "visited" | "visit" | "camein" | "showroomvisit"
        | "upshowed" => Some(Stage::Showed),
        "sold" | "sale" | "delivered" | "delivery" | "purchased" | "closedwon" | "won" => {
            Some(Stage::Sold)
        }
        "lost" | "dead" | "closedlost" | "lostsale" => Some(Stage::Lost),
        _ => None,
    }
}

fn column_of(header: &str) -> Option<&'static str> {
    let label = normalize_label(header);
    let trimmed = ["customer", "buyer", "contact"]
        .iter()
        .find_map(|w| label.strip_prefix(w))
        .unwrap_or(&label);
    COLUMNS
        .iter()
        .find(|(_, names)| names.contains(&label.as_str()) || names.contains(&trimmed))
        .map(|(name, _)| *name)
}

/// Reads an outcomes export. Errors: an empty file, an unreadable header, no stage column, or no
/// column to find the lead by (lead id, phone or e-mail).
pub fn read_outcome_csv(bytes: &[u8]) -> Result<Vec<OutcomeCsvRow>, IntakeError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut csv = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = csv.byte_records();
    let header = match records.next() {
        None => return Err(IntakeError::EmptyCsv),
        Some(Err(e)) => return Err(IntakeError::Csv(e.to_string())),
        Some(Ok(h)) => h,
    };
    let headers: Vec<String> = header
        .iter()
        .map(|c| decode_cell(c).0.trim().to_owned())
        .collect();
    let mut positions: Vec<(&'static str, usize)> = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        if let Some(name) = column_of(h) {
            if !positions.iter().any(|(n, _)| *n == name) {
                positions.push((name, i));
            }
        }
    }
    let has = |name: &str| positions.iter().any(|(n, _)| *n == name);
    if !has("stage") {
        return Err(IntakeError::NoOutcomeColumn {
            wanted: "a stage (Stage, Status, Outcome...)".into(),
            available: headers.join(", "),
        });
    }
    if !(has("lead_id") || has("phone") || has("email")) {
        return Err(IntakeError::NoOutcomeColumn {
            wanted: "a lead id, phone number or e-mail address".into(),
            available: headers.join(", "),
        });
    }
    let mut rows = Vec::new();
    for record in records {
        let record = record.map_err(|e| IntakeError::Csv(e.to_string()))?;
        // The reader's position is where the previous record's line break begins; count the line
        // breaks up to the record's first byte.
        let line = record.position().map_or(rows.len() + 2, |p| {
            let mut start = usize::try_from(p.byte())
                .unwrap_or(usize::MAX)
                .min(bytes.len());
            while bytes.get(start).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
                start += 1;
            }
            bytes.iter().take(start).filter(|b| **b == b'\n').count() + 1
        });
        let cell = |name: &str| {
            positions
                .iter()
                .find(|(n, _)| *n == name)
                .and_then(|(_, i)| record.get(*i))
                .map(|c| decode_cell(c).0.trim().to_owned())
                .filter(|c| !c.is_empty())
        };
        let row = OutcomeCsvRow {
            line,
            lead_id: cell("lead_id"),
            phone: cell("phone"),
            email: cell("email"),
            stage: cell("stage"),
            at: cell("at"),
            reason: cell("reason"),
        };
        if row
            == (OutcomeCsvRow {
                line,
                ..Default::default()
            })
        {
            continue;
        }
        rows.push(row);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[test]
    fn dms_headers_are_recognized() {
        let csv = "\u{feff}Deal #,Customer Cell Phone,Buyer E-mail,Deal Status,Sold Date,Notes\r\n\
                   1001,(312) 555-0101,a@example.com,Delivered,11/28/2026,\r\n\
                   ,,,,,\r\n\
                   1002,,b@example.com,Dead,2026-11-29,bought elsewhere\r\n";
        let rows = read_outcome_csv(csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert_eq!(rows[0].line, 2, "{rows:?}");
        assert_eq!(rows[0].phone.as_deref(), Some("(312) 555-0101"));
        assert_eq!(rows[0].stage.as_deref(), Some("Delivered"));
        assert_eq!(rows[0].at.as_deref(), Some("11/28/2026"));
        assert_eq!(rows[1].line, 4);
        assert_eq!(rows[1].reason.as_deref(), Some("bought elsewhere"));
    }

    #[rstest]
    #[case("Sold", Some(Stage::Sold))]
    #[case("DELIVERED", Some(Stage::Sold))]
    #[case("show", Some(Stage::Showed))]
    #[case("Showed", Some(Stage::Showed))]
    #[case("closed - lost", Some(Stage::Lost))]
    #[case("pending", None)]
    #[case("", None)]
    fn stage_words_are_read_generously(#[case] raw: &str, #[case] expected: Option<Stage>) {
        assert_eq!(stage_word(raw), expected);
    }

    #[rstest]
    #[case("", "empty")]
    #[case("Phone,Date\n", "stage")]
    #[case("Stage,Date\n", "lead id")]
    fn a_file_without_the_columns_it_needs_is_refused(#[case] csv: &str, #[case] why: &str) {
        let e = read_outcome_csv(csv.as_bytes()).unwrap_err().to_string();
        assert!(e.contains(why), "{e}");
    }
}
