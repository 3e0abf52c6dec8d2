//! Fixture loading and assertion helpers that explain their failures.

use std::path::PathBuf;

use keepwarm_adf::{parse_adf, AdfDocument, AdfError, AdfLead, ParseOptions, WarningCode};

/// Bytes of a fixture under `tests/fixtures`.
pub fn fixture(rel: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Parses bytes with default options, printing the error on failure.
pub fn parse_ok(bytes: &[u8]) -> AdfDocument {
    parse_adf(bytes, &ParseOptions::default())
        .unwrap_or_else(|e| panic!("expected a document, got error: {e}"))
}

/// Parses a fixture with default options.
pub fn parse_fixture(rel: &str) -> AdfDocument {
    parse_ok(&fixture(rel))
}

/// Parses bytes expecting an error.
pub fn parse_err(bytes: &[u8]) -> AdfError {
    match parse_adf(bytes, &ParseOptions::default()) {
        Ok(doc) => panic!("expected an error, got {}", pretty(&doc)),
        Err(e) => e,
    }
}

/// The only prospect of a document.
pub fn only_lead(doc: &AdfDocument) -> &AdfLead {
    assert_eq!(
        doc.prospects.len(),
        1,
        "expected one prospect in {}",
        pretty(doc)
    );
    &doc.prospects[0]
}

/// Warning codes of a lead, in order.
pub fn codes(lead: &AdfLead) -> Vec<WarningCode> {
    lead.warnings.iter().map(|w| w.code).collect()
}

/// Asserts that a lead carries a warning with this code whose message
/// contains `needle`, printing all warnings otherwise.
pub fn assert_warned(lead: &AdfLead, code: WarningCode, needle: &str) {
    assert!(
        lead.warnings
            .iter()
            .any(|w| w.code == code && w.message.contains(needle)),
        "no {code:?} warning mentioning {needle:?}; warnings were:\n{}",
        serde_json::to_string_pretty(&lead.warnings).unwrap_or_default()
    );
}

/// The whole document as JSON, for failure messages.
pub fn pretty(doc: &AdfDocument) -> String {
    serde_json::to_string_pretty(doc).unwrap_or_default()
}
