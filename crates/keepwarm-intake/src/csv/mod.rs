//! CSV exports from CRMs and DMSs (aged leads, service customers) → leads, row by row.
//!
//! Owns [`read_csv`] and the row iterator [`CsvRows`]. The header row is read first and mapped to
//! lead fields ([`ColumnMapping`]); every data row then becomes a [`CsvRow`] holding either a lead
//! or a [`RowError`] naming the row and column, so one bad row never stops the others.
//!
//! - Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row row 2;
//!   blank lines count, a cell spanning several lines does not add rows.
//! - Blank rows (no cell with content) are skipped silently.
//! - A UTF-8 byte-order mark and CRLF line ends are handled; cells that are not UTF-8 are read as
//!   Windows-1252 (with an `encoding_repaired` warning).
//! - Several phone columns (cell, phone, home, work, other) are all kept, cell first.
//! - A row with a last-service date (or a service need) gets `service.last_visit_at` and its
//!   vehicle goes to `service.vehicle`; otherwise the vehicle is a vehicle of interest.
//! - Dates: see the rule in `date` (a time without offset is in the dealership's zone, given with
//!   [`CsvRows::with_options`]; date-only values are noon there). A lead date that cannot be read
//!   is left out with an `invalid_date` warning and the lead dated by the import
//!   (`received_at_from_arrival`).
//! - Price and language columns go to the vehicle's price and the customer's
//!   `preferred_language` (a BCP 47 primary subtag: `Spanish` → `es`).
//! - Each row has a [`CsvRow::key`] derived from its mapped, normalized content only (not its row
//!   number), so the same row imported twice, from the same file or a re-export, has the same key.

pub(crate) mod date;
mod lines;
mod mapping;
mod outcomes;
mod row;

use std::io::Read;

use keepwarm_domain::SourceKind;
use serde::Serialize;

use crate::error::IntakeError;
use crate::lead::{IntakeLead, IntakeOptions};
use crate::text::decode_cell;
use lines::LineTracker;

pub use date::{parse_written, WrittenTime};
pub use mapping::ColumnMapping;
pub use outcomes::{read_outcome_csv, stage_word, OutcomeCsvRow};

/// One data row of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvRow {
    /// The row number as a person counts it in a spreadsheet: the header is row 1, the first data
    /// row is row 2.
    pub row: usize,
    /// A stable idempotency key for the row's content (`csv-` and 32 hex digits).
    pub key: String,
    /// The lead, or why the row could not become one.
    pub result: Result<IntakeLead, RowError>,
}

/// Why one row could not become a lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// The row number (header is row 1).
    pub row: usize,
    /// The column at fault, as written in the header, when one is.
    pub column: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(column) => write!(f, "row {}, column \"{column}\": {}", self.row, self.message),
            None => write!(f, "row {}: {}", self.row, self.message),
        }
    }
}

/// Reads the header row of a CSV export, maps its columns (automatically, then with the
/// `field=Column,...` overrides of `mapping_spec`), and returns an iterator over the data rows.
/// Every lead gets `source.kind = source_kind` (`import` for aged leads, `service` for service
/// customers).
///
/// Errors: an empty input, an unreadable header, a bad override, or a header where no column holds
/// a name, phone number or e-mail address.
pub fn read_csv<R: Read>(
    reader: R,
    mapping_spec: Option<&str>,
    source_kind: SourceKind,
) -> Result<CsvRows<R>, IntakeError> {
    let mut csv = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(LineTracker::new(reader));
    let mut record = ::csv::ByteRecord::new();
    match csv.read_byte_record(&mut record) {
        Ok(true) => {}
        Ok(false) => return Err(IntakeError::EmptyCsv),
        Err(e) => return Err(IntakeError::Csv(e.to_string())),
    }
    let headers: Vec<String> = record
        .iter()
        .enumerate()
        .map(|(i, cell)| {
            let cell = if i == 0 {
                cell.strip_prefix(b"\xef\xbb\xbf").unwrap_or(cell)
            } else {
                cell
            };
            decode_cell(cell).0.trim().to_owned()
        })
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err(IntakeError::EmptyCsv);
    }
    let mut mapping = ColumnMapping::auto(&headers);
    if let Some(spec) = mapping_spec {
        mapping = mapping.with_overrides(spec, &headers)?;
    }
    if !mapping.has_contact_column() {
        return Err(IntakeError::NoContactColumn {
            available: headers.join(", "),
        });
    }
    let extra_lines = lines::line_breaks_in(&record);
    Ok(CsvRows {
        csv,
        columns: headers.len(),
        mapping,
        source_kind,
        record,
        extra_lines,
        done: false,
        options: IntakeOptions::default(),
    })
}

/// The data rows of a CSV export, in file order (see [`read_csv`]).
#[derive(Debug)]
pub struct CsvRows<R> {
    csv: ::csv::Reader<LineTracker<R>>,
    /// Cells in the header row.
    columns: usize,
    mapping: ColumnMapping,
    source_kind: SourceKind,
    record: ::csv::ByteRecord,
    /// Line breaks inside quoted cells so far: lines that are not spreadsheet rows.
    extra_lines: u64,
    done: bool,
    /// The dealership's zone and phone region.
    options: IntakeOptions,
}

impl<R> CsvRows<R> {
    /// Reads dates without offset in `options.time_zone` (the dealership's) and phone numbers
    /// without country code in `options.region`, instead of UTC and `US`.
    #[must_use]
    pub fn with_options(mut self, options: &IntakeOptions) -> Self {
        self.options = options.clone();
        self
    }

    /// The column mapping in use (to show the person importing what went where).
    pub fn mapping(&self) -> &ColumnMapping {
        &self.mapping
    }
}

impl<R> CsvRows<R> {
    /// A row with non-empty cells past the header's last column is refused: an unquoted comma
    /// (`Smith, Ann`) shifts every later cell one column right, and a phone number would be read
    /// as an e-mail address. Empty cells past the end (a trailing comma) are fine.
    fn overlong(&self, cells: &[String], row: usize) -> Option<CsvRow> {
        let extra = cells.get(self.columns..)?;
        if extra.iter().all(|c| c.trim().is_empty()) {
            return None;
        }
        Some(CsvRow {
            row,
            key: format!("csv-overlong-{row}"),
            result: Err(RowError {
                row,
                column: None,
                message: format!(
                    "{} cells but the header has {}; refused rather than read shifted (an unquoted comma?)",
                    cells.len(),
                    self.columns
                ),
            }),
        })
    }
}

impl<R: Read> Iterator for CsvRows<R> {
    type Item = CsvRow;

    fn next(&mut self) -> Option<CsvRow> {
        while !self.done {
            let read = self.csv.read_byte_record(&mut self.record);
            let byte = match &read {
                Err(e) => e.position().map(::csv::Position::byte),
                Ok(_) => self.record.position().map(::csv::Position::byte),
            }
            .unwrap_or_else(|| self.csv.position().byte());
            let line = self.csv.get_mut().line_at(byte);
            let row = usize::try_from(line.saturating_sub(self.extra_lines)).unwrap_or(usize::MAX);
            match read {
                Ok(false) => self.done = true,
                Ok(true) => {
                    self.extra_lines += lines::line_breaks_in(&self.record);
                    let mut repaired = false;
                    let cells: Vec<String> = self
                        .record
                        .iter()
                        .map(|cell| {
                            let (text, fallback) = decode_cell(cell);
                            repaired |= fallback;
                            text
                        })
                        .collect();
                    if cells.iter().all(|c| c.trim().is_empty()) {
                        continue;
                    }
                    if let Some(refused) = self.overlong(&cells, row) {
                        return Some(refused);
                    }
                    return Some(row::read_row(
                        &cells,
                        &self.mapping,
                        self.source_kind,
                        row,
                        repaired,
                        &self.options,
                    ));
                }
                Err(e) => {
                    // An IO error may repeat forever; a parse error only concerns this record, but
                    // the csv reader's only such errors are IO and UTF-8 (not used with byte
                    // records), so stop after reporting it.
                    self.done = true;
                    return Some(CsvRow {
                        row,
                        key: format!("csv-unreadable-{row}"),
                        result: Err(RowError {
                            row,
                            column: None,
                            message: format!("cannot read the rest of the file: {e}"),
                        }),
                    });
                }
            }
        }
        None
    }
}
