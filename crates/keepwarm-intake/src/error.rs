//! The crate's one error type: the reasons a whole document is refused.
//!
//! A problem with one value or one CSV row is never an [`IntakeError`]; it is an
//! [`crate::IntakeWarning`] on the lead or a [`crate::csv::RowError`] for the row.

use keepwarm_adf::AdfError;

/// Why an inbound document could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntakeError {
    /// The ADF document is not well-formed beyond repair, unsafe (a DTD), or too large. The message
    /// keeps the parser's line and column.
    #[error("ADF document refused: {0}")]
    Adf(#[from] AdfError),

    /// The bytes are not an e-mail message at all (no header could be read).
    #[error("not an e-mail message: {0}")]
    NotAnEmail(String),

    /// The CSV input is empty: it has no header row.
    #[error("the CSV file is empty: it has no header row")]
    EmptyCsv,

    /// The CSV header row could not be read (the reader failed before any data row).
    #[error("cannot read the CSV header: {0}")]
    Csv(String),

    /// A column mapping names a field keepwarm does not know.
    #[error("unknown field `{field}` in the column mapping (fields: {known})")]
    UnknownField {
        /// The field as written.
        field: String,
        /// The field names that are accepted, comma-separated.
        known: String,
    },

    /// A column mapping names a column that is not in the CSV header.
    #[error("no column `{column}` in the CSV header (columns: {available})")]
    UnknownColumn {
        /// The column as written.
        column: String,
        /// The header's columns, comma-separated.
        available: String,
    },

    /// A column mapping entry is not of the form `field=Column`.
    #[error("cannot read `{0}` in the column mapping: expected field=Column, separated by commas")]
    MappingSyntax(String),

    /// No column of the CSV maps to a name, phone number or e-mail address, so no row could become
    /// a lead.
    #[error(
        "no column holds a name, phone number or e-mail address (columns: {available}); \
         map one with field=Column"
    )]
    NoContactColumn {
        /// The header's columns, comma-separated.
        available: String,
    },
    /// An outcomes export lacks a column it cannot do without.
    #[error("no column holds {wanted} (columns: {available})")]
    NoOutcomeColumn {
        /// What is missing.
        wanted: String,
        /// The header's columns, comma-separated.
        available: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_adf_error_keeps_its_line_and_column() {
        let err = IntakeError::from(AdfError::Malformed {
            message: "unclosed <vehicle>".into(),
            line: 3,
            column: 7,
        });
        assert_eq!(
            err.to_string(),
            "ADF document refused: line 3, column 7: unclosed <vehicle>"
        );
    }
}
