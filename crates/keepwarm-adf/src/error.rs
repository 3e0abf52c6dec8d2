//! The parser's one error type.
//!
//! Owns [`AdfError`]: the reasons a document is refused outright. Anything
//! that can be repaired is a [`crate::Warning`] instead and never appears
//! here. Every variant that points into the document carries a 1-based line
//! and column (counted in characters of the decoded text).

use thiserror::Error;

/// Why an ADF document could not be turned into leads.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AdfError {
    /// The input is larger than [`crate::ParseOptions::max_bytes`]; nothing
    /// was decoded.
    #[error("document is {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The configured limit in bytes.
        limit: usize,
    },

    /// Elements are nested deeper than [`crate::ParseOptions::max_depth`].
    #[error("line {line}, column {column}: elements nested deeper than the limit of {limit}")]
    TooDeep {
        /// The configured depth limit.
        limit: usize,
        /// Line of the element that went too deep.
        line: usize,
        /// Column of the element that went too deep.
        column: usize,
    },

    /// One element carries more attributes than
    /// [`crate::ParseOptions::max_attributes`].
    #[error("line {line}, column {column}: <{element}> has more than {limit} attributes")]
    TooManyAttributes {
        /// The element's name as written.
        element: String,
        /// The configured limit.
        limit: usize,
        /// Line of the element.
        line: usize,
        /// Column of the element.
        column: usize,
    },

    /// The document holds more elements than
    /// [`crate::ParseOptions::max_elements`].
    #[error("line {line}, column {column}: more than {limit} elements in the document")]
    TooManyElements {
        /// The configured limit.
        limit: usize,
        /// Line of the first element over the limit.
        line: usize,
        /// Column of the first element over the limit.
        column: usize,
    },

    /// The document holds more `<prospect>`s than
    /// [`crate::ParseOptions::max_prospects`]: one document must not create
    /// (and text) thousands of leads.
    #[error("{count} prospects in one document, over the limit of {limit}")]
    TooManyProspects {
        /// Prospects found.
        count: usize,
        /// The configured limit.
        limit: usize,
    },

    /// The document carries a `<!DOCTYPE>` with an internal subset (where
    /// entities are declared: XXE, billion laughs), or a `<!DOCTYPE>` after
    /// the prolog. DTDs are never processed and entities never expanded, so
    /// such a document is refused rather than half-understood.
    #[error(
        "line {line}, column {column}: {reason}; DTDs and entity declarations are not processed"
    )]
    DoctypeForbidden {
        /// What exactly was found.
        reason: String,
        /// Line of the `<!DOCTYPE`.
        line: usize,
        /// Column of the `<!DOCTYPE`.
        column: usize,
    },

    /// The bytes claim to be UTF-16 (byte-order mark or layout) but cannot be
    /// decoded as such, e.g. an odd number of bytes.
    #[error("cannot decode the document: {reason}")]
    Encoding {
        /// What went wrong.
        reason: String,
    },

    /// The document is not well-formed XML in a way that cannot be repaired:
    /// truncated, an unterminated tag or comment, an invalid element name,
    /// or no root element at all.
    #[error("line {line}, column {column}: {message}")]
    Malformed {
        /// Human-readable description of the problem.
        message: String,
        /// Line where the problem was detected.
        line: usize,
        /// Column where the problem was detected.
        column: usize,
    },

    /// The root element is neither `<adf>` nor a bare `<prospect>`.
    #[error("line {line}, column {column}: root element <{root}> is not an ADF document")]
    NotAdf {
        /// The root element's name as written.
        root: String,
        /// Line of the root element.
        line: usize,
        /// Column of the root element.
        column: usize,
    },
}

impl AdfError {
    /// Line and column the error points at, when it points into the document.
    pub fn position(&self) -> Option<(usize, usize)> {
        match self {
            Self::TooDeep { line, column, .. }
            | Self::TooManyAttributes { line, column, .. }
            | Self::TooManyElements { line, column, .. }
            | Self::DoctypeForbidden { line, column, .. }
            | Self::Malformed { line, column, .. }
            | Self::NotAdf { line, column, .. } => Some((*line, *column)),
            Self::TooLarge { .. } | Self::Encoding { .. } | Self::TooManyProspects { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_error_reads_as_one_line_with_its_position() {
        let err = AdfError::Malformed {
            message: "unclosed <vehicle>".into(),
            line: 3,
            column: 7,
        };
        assert_eq!(err.to_string(), "line 3, column 7: unclosed <vehicle>");
        assert_eq!(err.position(), Some((3, 7)));
    }

    #[test]
    fn a_size_error_has_no_position() {
        let err = AdfError::TooLarge { size: 10, limit: 5 };
        assert_eq!(err.position(), None);
        assert_eq!(
            err.to_string(),
            "document is 10 bytes, over the limit of 5 bytes"
        );
    }
}
