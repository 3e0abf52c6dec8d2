//! Fixture loading and assertions that explain their failures.

use std::path::PathBuf;

use keepwarm_domain::lead::validate_lead;
use keepwarm_intake::IntakeLead;

/// Bytes of a file under this crate's `tests/fixtures`.
pub fn fixture(rel: &str) -> Vec<u8> {
    read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(rel),
    )
}

/// The shared ADF samples (`keepwarm-adf`'s corpus, see its SOURCES.md).
pub fn adf_corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../keepwarm-adf/tests/fixtures/corpus")
}

/// Bytes of a file, or a panic naming it.
pub fn read(path: PathBuf) -> Vec<u8> {
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Asserts that the lead passes the domain's validation, printing the lead otherwise.
pub fn assert_valid(lead: &IntakeLead) {
    if let Err(errors) = validate_lead(lead.input.clone(), "US") {
        panic!("lead fails validate_lead: {errors:?}\n{}", pretty(lead));
    }
}

/// The lead's warning codes, in order.
pub fn codes(lead: &IntakeLead) -> Vec<&str> {
    lead.warnings.iter().map(|w| w.code.as_str()).collect()
}

/// Asserts the lead carries a warning with this code, printing all warnings otherwise.
pub fn assert_warned(lead: &IntakeLead, code: &str) {
    assert!(
        codes(lead).contains(&code),
        "no {code} warning; lead was:\n{}",
        pretty(lead)
    );
}

/// The lead as JSON, for failure messages.
pub fn pretty(lead: &IntakeLead) -> String {
    serde_json::to_string_pretty(lead).unwrap_or_default()
}

/// Intake options for a dealership in New York that received the document at `arrived`.
pub fn new_york(arrived: Option<&str>) -> keepwarm_intake::IntakeOptions {
    keepwarm_intake::IntakeOptions {
        time_zone: jiff::tz::TimeZone::get("America/New_York")
            .unwrap_or_else(|e| panic!("no zone: {e}")),
        arrived_at: arrived.map(|a| a.parse().unwrap_or_else(|e| panic!("{a}: {e}"))),
        region: "US".to_owned(),
    }
}

/// The lead's received time as RFC 3339 (UTC), for comparisons.
pub fn received(lead: &IntakeLead) -> Option<String> {
    lead.input.received_at.map(|t| t.to_string())
}
