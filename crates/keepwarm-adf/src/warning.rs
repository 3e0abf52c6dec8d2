//! Structured warnings: the record of every repair the parser made.
//!
//! Owns [`Warning`], [`WarningCode`] and the small collector that keeps one
//! warning per distinct repair. It decides nothing about *when* to warn; the
//! decoding, tree and mapping stages do that.

use serde::{Deserialize, Serialize};

/// What kind of repair or leniency a [`Warning`] reports.
///
/// Serialised in `snake_case` (`"date_normalized"`), which is the stable
/// form other keepwarm crates match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    /// The bytes were not UTF-8 and were decoded as Windows-1252.
    EncodingRepaired,
    /// The XML declaration names an encoding the bytes do not use
    /// (typically `encoding="utf-16"` on UTF-8 bytes); the bytes won.
    EncodingDeclarationIgnored,
    /// The XML declaration was upper-case, misplaced or malformed.
    XmlDeclarationRepaired,
    /// The `<?adf version="1.0"?>` instruction was upper-case, lacked `=`,
    /// came before the XML declaration, or named another version.
    AdfDeclarationRepaired,
    /// A `<!DOCTYPE>` without internal subset was skipped (never fetched).
    DoctypeIgnored,
    /// A processing instruction other than `xml`/`adf` was skipped.
    ProcessingInstructionIgnored,
    /// The root element carried a namespace prefix (`<x:adf>`).
    NamespacePrefixIgnored,
    /// An ADF element name was not lower-case (`<Vehicle>`).
    ElementNameCase,
    /// An end tag closed elements that were still open, or differed in case.
    EndTagRepaired,
    /// An end tag matching no open element was skipped.
    StrayEndTagIgnored,
    /// Text outside the root element was skipped.
    ContentOutsideRoot,
    /// A second top-level element followed the root.
    ExtraRootElement,
    /// The root was a bare `<prospect>` without the `<adf>` wrapper.
    MissingAdfRoot,
    /// An HTML entity such as `&nbsp;` was replaced by its character.
    HtmlEntityReplaced,
    /// An undefined entity such as `&lol;` was kept literally, unexpanded.
    UnknownEntityKept,
    /// A bare `&` not starting a reference was kept as text.
    BareAmpersandKept,
    /// A numeric character reference did not name a valid XML character
    /// and was kept literally.
    InvalidCharacterReference,
    /// An attribute could not be read and the rest of the tag's attributes
    /// were skipped.
    MalformedAttributeIgnored,
    /// An attribute appeared twice on one element; the first value won.
    DuplicateAttributeIgnored,
    /// ADF elements appeared out of the DTD's order.
    ElementOutOfOrder,
    /// A DTD element appeared under a parent where the DTD does not allow
    /// it but its meaning is clear (`<comments>` directly in `<prospect>`).
    ElementOutOfPlace,
    /// A single-valued element appeared twice; the first one was used and
    /// the others kept as extensions.
    DuplicateElement,
    /// An element outside the ADF DTD was kept as an extension.
    ExtensionKept,
    /// A text element contained child elements; their text was kept in the
    /// value and the elements as extensions.
    MixedContent,
    /// An enumerated value was repaired (`Used` → `used`, `tradein` →
    /// `trade-in`).
    EnumValueNormalized,
    /// An enumerated value is outside the DTD and was kept lower-cased, or
    /// replaced by the DTD default where the field cannot hold it.
    UnknownEnumValue,
    /// A phone type outside the DTD (`mobile`, `home`, `work`) was mapped.
    PhoneKindNormalized,
    /// A `<name>` had no `part` attribute and was taken as the full name.
    NameWithoutPart,
    /// Only a full name was given; first and last names were derived.
    NameSplit,
    /// A date was not strict ISO 8601 and was rewritten to RFC 3339.
    DateNormalized,
    /// A date-time had no UTC offset; the configured default was assumed.
    DateOffsetAssumed,
    /// A date could not be understood and was left out.
    InvalidDate,
    /// A number needed cleaning (`12,345 mi`, `$25,000`).
    NumberNormalized,
    /// A number could not be understood and was left out.
    InvalidNumber,
    /// A customer had several `<contact>` elements; they were merged.
    MultipleContacts,
}

/// One repair or leniency applied while parsing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// Machine-readable kind of the repair.
    pub code: WarningCode,
    /// Human-readable description, naming the value that was repaired.
    pub message: String,
    /// 1-based line in the decoded document, when the repair has a place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl Warning {
    /// A warning with a code, a message and an optional line.
    pub fn new(code: WarningCode, message: impl Into<String>, line: Option<usize>) -> Self {
        Self {
            code,
            message: message.into(),
            line,
        }
    }
}

/// Appends a warning unless one with the same code and message is already
/// there, so a document with fifty `<PHONE>` tags reports the repair once.
pub(crate) fn push_unique(list: &mut Vec<Warning>, warning: Warning) {
    let seen = list
        .iter()
        .any(|w| w.code == warning.code && w.message == warning.message);
    if !seen {
        list.push(warning);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_repair_is_reported_once() {
        let mut list = Vec::new();
        push_unique(
            &mut list,
            Warning::new(WarningCode::ElementNameCase, "<PHONE>", Some(3)),
        );
        push_unique(
            &mut list,
            Warning::new(WarningCode::ElementNameCase, "<PHONE>", Some(4)),
        );
        push_unique(
            &mut list,
            Warning::new(WarningCode::ElementNameCase, "<NAME>", Some(5)),
        );
        assert_eq!(list.len(), 2);
        assert_eq!(list.first().and_then(|w| w.line), Some(3));
    }

    #[test]
    fn codes_serialise_in_snake_case_and_line_is_omitted_when_unknown() {
        let w = Warning::new(WarningCode::DateOffsetAssumed, "assumed +00:00", None);
        let json = serde_json::to_string(&w).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"code":"date_offset_assumed","message":"assumed +00:00"}"#
        );
    }
}
