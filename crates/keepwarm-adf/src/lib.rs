//! ADF/XML 1.0 (Auto-lead Data Format) → keepwarm's normalized leads.
//!
//! [`parse_adf`] turns one ADF document into an [`AdfDocument`]: one
//! [`AdfLead`] per `<prospect>`, with every repair it made recorded as a
//! structured [`Warning`]. It does no IO and reads no clock.
//!
//! # Lenient where feeds are messy
//! Real feeds break the spec; each repair below is a warning, not a failure:
//! `<?ADF VERSION "1.0"?>` before the XML declaration or without `=`,
//! `<?XML VERSION="1.0"?>`, `encoding="utf-16"` on UTF-8 bytes (the bytes
//! win), non-UTF-8 bytes (read as Windows-1252), namespaced roots
//! (`<x:adf>`: the root's prefix is the ADF namespace), upper-case element
//! names and end tags in another case, unclosed children, elements out of
//! DTD order, unknown elements and attributes (kept in `extensions`, raw XML
//! included), `name` without `part` or with `part="full"` only (first and
//! last names are derived), capitalised enum values (`Used`, `BUY`), non-DTD
//! phone types (`mobile` → `cellphone`; `home`/`work` kept as kinds), loose
//! dates (`2024-3-5T9:05:00-0500`, `…-05`, RFC 2822, US `02/13/2026
//! 01:15:22 PM`; no offset → the configured zone),
//! CDATA, mixed content, bare `&`.
//!
//! # Strict where safety is at stake
//! - **No DTD processing.** A `<!DOCTYPE>` with an internal subset (where
//!   entities are declared: XXE, billion laughs) is refused with
//!   [`AdfError::DoctypeForbidden`]. A DOCTYPE with only an external id is
//!   skipped, never fetched, with a warning.
//! - **No entity expansion.** Only the five XML entities and numeric
//!   references are resolved. `&nbsp;` and a short fixed table of HTML
//!   entities common in feeds become their one character, with a warning.
//!   Any other entity (`&lol;`, `&xxe;`) is kept *literally* in the text,
//!   with a warning: it cannot expand because nothing defines it, and
//!   keeping it (rather than dropping it) loses no customer data.
//! - **Limits.** Input size ([`ParseOptions::max_bytes`], 1 MiB) is checked
//!   before decoding and nesting depth ([`ParseOptions::max_depth`], 32)
//!   before an element is built, so no input can exhaust the stack.
//!   Attributes per element ([`ParseOptions::max_attributes`], 64) and
//!   elements per document ([`ParseOptions::max_elements`], 20,000) are
//!   capped, and duplicate attributes are found with a hash set, so parsing
//!   time grows linearly with the input. A document with more than 50
//!   prospects ([`ParseOptions::max_prospects`]) is refused: it would create
//!   and text that many leads at once.
//! - **Clear errors.** A document that cannot be repaired (truncated,
//!   unterminated markup, a bare `<`, no root, a root that is not ADF) fails
//!   with an [`AdfError`] naming line and column.
//!
//! # Why not the `adf` crate
//! `adf` 0.4.1 on crates.io is a careful lenient parser on `quick-xml`, but
//! it does not meet these requirements, and wrapping it would leave us
//! re-doing most of the work on its output:
//! - it takes `&str`, so encodings and declarations are the caller's job;
//! - it refuses what we must repair: end tags in another case, a bare `&`
//!   (errors reported at byte 0, never line and column);
//! - it matches names exactly: `<ADF>` or a namespaced `<x:adf>` yields zero
//!   prospects *without an error*;
//! - it accepts a DOCTYPE with entity declarations by default (never
//!   expanding it, but not refusing it either);
//! - it has no depth limit: 100 000 nested elements overflow the stack and
//!   abort the process (checked with 0.4.1), a denial of service;
//! - it has no normalization (dates, enums, phone kinds, names) and no
//!   warnings, which is the bulk of this crate;
//! - its API broke in every minor release (0.1 → 0.4, then 1.0) in two
//!   months.
//!
//! So this crate uses `quick-xml` directly (the same reader `adf` uses)
//! and owns the tree, the repairs and the mapping. See `NOTES.md`.
//!
//! # Pipeline
//! `decode` (bytes → text, size limit) → `prolog` (declarations, DOCTYPE;
//! blanked in place so offsets stay true) → `tree` (XML events → elements,
//! depth limit, entity policy) → `map` (elements → leads).

#![forbid(unsafe_code)]
#![deny(missing_docs)]
// Parsing untrusted input must never panic; tests may.
#![cfg_attr(
    not(test),
    warn(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod date;
mod decode;
mod entity;
mod error;
mod lines;
mod map;
mod model;
mod options;
mod prolog;
mod tree;
mod values;
mod warning;

pub use date::{read_written_date, WrittenDate};
pub use error::AdfError;
pub use model::{
    Address, AdfDocument, AdfLead, Consent, Customer, Extension, ExtensionKind, LeadSource, Phone,
    ProspectId, ProspectStatus, Timeframe, Vehicle, VendorContact,
};
pub use options::{
    ParseOptions, DEFAULT_MAX_ATTRIBUTES, DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_ELEMENTS,
};
pub use warning::{Warning, WarningCode};

/// Parses one ADF document into normalized leads.
///
/// Repairs are reported as warnings on the document and on each lead;
/// only unrecoverable or unsafe input is an error (see [`AdfError`]).
pub fn parse_adf(bytes: &[u8], opts: &ParseOptions) -> Result<AdfDocument, AdfError> {
    let decoded = decode::decode_bytes(bytes, opts)?;
    let mut text = decoded.text;
    let lines = lines::LineIndex::new(&text);
    let prolog = prolog::repair_prolog(&mut text, &lines)?;
    let declared = prolog.declared_encoding.as_deref();
    let single_byte_declared = decoded.encoding == decode::Encoding::Windows1252
        && prolog::check_declared_encoding(declared, decoded.encoding, &text).is_none()
        && declared.is_some();

    let mut warnings = Vec::new();
    if !single_byte_declared {
        warnings.extend(decoded.warnings);
    }
    warnings.extend(prolog::check_declared_encoding(
        declared,
        decoded.encoding,
        &text,
    ));
    warnings.extend(prolog.warnings);

    let tree = tree::build_tree(&text, &lines, opts)?;
    map::map_document(tree, &text, &lines, opts, warnings, prolog.adf_version)
}
