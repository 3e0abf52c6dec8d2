//! Parser limits and knobs.
//!
//! Owns [`ParseOptions`], the only configuration the parser reads. It holds
//! no behaviour of its own: the limits are enforced by `decode` (size) and
//! `tree` (depth), the zone by `date`.

use jiff::tz::TimeZone;

/// Default maximum input size: 1 MiB. Real ADF leads are a few kilobytes.
pub const DEFAULT_MAX_BYTES: usize = 1024 * 1024;

/// Default maximum element nesting depth. A valid ADF 1.0 document nests at
/// most seven levels (`adf/prospect/vendor/contact/address/street`), so 32
/// leaves room for extensions while keeping recursion shallow.
pub const DEFAULT_MAX_DEPTH: usize = 32;

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
        assert_eq!(opts.time_zone, TimeZone::UTC);
    }
}
