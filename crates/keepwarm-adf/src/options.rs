//! Parser limits and knobs.
//!
//! Owns [`ParseOptions`], the only configuration the parser reads. It holds
//! no behaviour of its own: the limits are enforced by `decode` (size) and
//! `tree` (depth, attributes per element, elements per document), the zone by
//! `date`.

use jiff::tz::TimeZone;

/// Default maximum input size: 1 MiB. Real ADF leads are a few kilobytes.
pub const DEFAULT_MAX_BYTES: usize = 1024 * 1024;

/// Default maximum element nesting depth. A valid ADF 1.0 document nests at
/// most seven levels (`adf/prospect/vendor/contact/address/street`), so 32
/// leaves room for extensions while keeping recursion shallow.
pub const DEFAULT_MAX_DEPTH: usize = 32;

/// Default maximum attributes on one element. ADF elements carry one to
/// three (`type`, `sequence`, `part`, ...); 64 leaves room for extensions. A
/// start tag with more is refused before its attributes are kept, so a tag with
/// 90,000 attributes costs one pass over its text.
pub const DEFAULT_MAX_ATTRIBUTES: usize = 64;

/// Default maximum elements in one document. A prospect is a few dozen
/// elements; 20,000 holds hundreds of prospects, more than any one feed sends.
pub const DEFAULT_MAX_ELEMENTS: usize = 20_000;

/// Default maximum prospects in one document. A provider sends one lead per
/// document; a document with thousands would create (and text) thousands of
/// leads at once, so it is refused and kept for a person instead.
pub const DEFAULT_MAX_PROSPECTS: usize = 50;

/// Limits and defaults applied by [`crate::parse_adf`].
///
/// Build it from [`ParseOptions::default`] and override fields as needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOptions {
    /// Largest accepted input, in bytes, checked before any decoding.
    /// Larger input fails with [`crate::AdfError::TooLarge`].
    pub max_bytes: usize,
    /// Deepest accepted element nesting (the root element is depth 1).
    /// Deeper input fails with [`crate::AdfError::TooDeep`].
    pub max_depth: usize,
    /// Most attributes on one element, duplicates included. More fail with
    /// [`crate::AdfError::TooManyAttributes`].
    pub max_attributes: usize,
    /// Most elements in the document. More fail with
    /// [`crate::AdfError::TooManyElements`].
    pub max_elements: usize,
    /// Most `<prospect>`s in the document. More fail with
    /// [`crate::AdfError::TooManyProspects`].
    pub max_prospects: usize,
    /// The zone dates without a UTC offset are read in
    /// (`2024-03-05T09:05:00`, `02/13/2026 01:15 PM`): the dealership's.
    /// Each use is reported as a [`crate::WarningCode::DateOffsetAssumed`]
    /// warning naming the offset assumed. Default UTC.
    pub time_zone: TimeZone,
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self {
            max_bytes: DEFAULT_MAX_BYTES,
            max_depth: DEFAULT_MAX_DEPTH,
            max_attributes: DEFAULT_MAX_ATTRIBUTES,
            max_elements: DEFAULT_MAX_ELEMENTS,
            max_prospects: DEFAULT_MAX_PROSPECTS,
            time_zone: TimeZone::UTC,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_one_mebibyte_depth_thirty_two_and_utc() {
        let opts = ParseOptions::default();
        assert_eq!(opts.max_bytes, 1_048_576);
        assert_eq!(opts.max_depth, 32);
        assert_eq!(opts.max_attributes, 64);
        assert_eq!(opts.max_elements, 20_000);
        assert_eq!(opts.time_zone, TimeZone::UTC);
    }
}
