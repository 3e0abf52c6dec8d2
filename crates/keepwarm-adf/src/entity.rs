//! Entity and character references.
//!
//! Owns the one policy for `&…;` in text and attribute values:
//! - the five XML entities and valid numeric references are resolved;
//! - a short, fixed table of HTML entities common in real feeds (`&nbsp;`,
//!   `&reg;`, `&trade;`, …) is replaced by its character, with a warning;
//! - any other name (`&lol;`, `&xxe;`) is kept **literally**, with a
//!   warning. Nothing is ever looked up in a DTD, so custom and external
//!   entities can never expand;
//! - a bare `&` that starts no reference is kept as text, with a warning.

use crate::warning::WarningCode;

/// A reference's replacement text and the repair it needed, if any.
pub(crate) struct Resolution {
    pub(crate) text: String,
    pub(crate) repair: Option<(WarningCode, String)>,
}

/// Resolves the reference `&name;` (`name` without `&` and `;`).
pub(crate) fn resolve_reference(name: &str) -> Resolution {
    let plain = |c: char| Resolution {
        text: c.to_string(),
        repair: None,
    };
    match name {
        "amp" => return plain('&'),
        "lt" => return plain('<'),
        "gt" => return plain('>'),
        "quot" => return plain('"'),
        "apos" => return plain('\''),
        _ => {}
    }
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => number.parse::<u32>().ok(),
        };
        return match code.and_then(char::from_u32).filter(|&c| is_xml_char(c)) {
            Some(c) => plain(c),
            None => Resolution {
                text: format!("&{name};"),
                repair: Some((
                    WarningCode::InvalidCharacterReference,
                    format!("kept invalid character reference &{name}; as text"),
                )),
            },
        };
    }
    if let Some(c) = html_entity(name) {
        return Resolution {
            text: c.to_string(),
            repair: Some((
                WarningCode::HtmlEntityReplaced,
                format!("replaced HTML entity &{name}; with U+{:04X}", u32::from(c)),
            )),
        };
    }
    Resolution {
        text: format!("&{name};"),
        repair: Some((
            WarningCode::UnknownEntityKept,
            format!("kept undefined entity &{name}; literally (entities are never expanded)"),
        )),
    }
}

/// Unescapes an attribute value with the same policy as text. Repairs are
/// appended to `repairs`.
pub(crate) fn unescape(raw: &str, repairs: &mut Vec<(WarningCode, String)>) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(rest.get(..amp).unwrap_or_default());
        let after = rest.get(amp + 1..).unwrap_or_default();
        let name_len = after
            .find(|c: char| !(c.is_alphanumeric() || c == '#' || c == '_' || c == '-' || c == '.'))
            .unwrap_or(after.len());
        if name_len > 0 && after.get(name_len..).is_some_and(|s| s.starts_with(';')) {
            let resolution = resolve_reference(after.get(..name_len).unwrap_or_default());
            out.push_str(&resolution.text);
            repairs.extend(resolution.repair);
            rest = after.get(name_len + 1..).unwrap_or_default();
        } else {
            out.push('&');
            repairs.push(bare_ampersand());
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// The repair reported for a bare `&`.
pub(crate) fn bare_ampersand() -> (WarningCode, String) {
    (
        WarningCode::BareAmpersandKept,
        "kept a bare '&' that starts no reference".to_owned(),
    )
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
}

/// HTML entities seen in dealer feeds. A fixed table: each maps to one
/// character, so no input can make it expand.
fn html_entity(name: &str) -> Option<char> {
    Some(match name {
        "nbsp" => '\u{A0}',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "ndash" => '–',
        "mdash" => '—',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "hellip" => '…',
        "bull" => '•',
        "middot" => '·',
        "deg" => '°',
        "euro" => '€',
        "cent" => '¢',
        "pound" => '£',
        "laquo" => '«',
        "raquo" => '»',
        "aacute" => 'á',
        "eacute" => 'é',
        "iacute" => 'í',
        "oacute" => 'ó',
        "uacute" => 'ú',
        "egrave" => 'è',
        "ntilde" => 'ñ',
        "ccedil" => 'ç',
        "auml" => 'ä',
        "ouml" => 'ö',
        "uuml" => 'ü',
        "szlig" => 'ß',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::predefined("amp", "&", None)]
    #[case::decimal("#233", "é", None)]
    #[case::hex("#x41", "A", None)]
    #[case::nbsp("nbsp", "\u{A0}", Some(WarningCode::HtmlEntityReplaced))]
    #[case::custom("lol", "&lol;", Some(WarningCode::UnknownEntityKept))]
    #[case::external("xxe", "&xxe;", Some(WarningCode::UnknownEntityKept))]
    #[case::nul("#0", "&#0;", Some(WarningCode::InvalidCharacterReference))]
    #[case::surrogate("#xD800", "&#xD800;", Some(WarningCode::InvalidCharacterReference))]
    #[case::garbage("#zz", "&#zz;", Some(WarningCode::InvalidCharacterReference))]
    fn references_resolve_by_the_one_policy(
        #[case] name: &str,
        #[case] text: &str,
        #[case] code: Option<WarningCode>,
    ) {
        let r = resolve_reference(name);
        assert_eq!(r.text, text);
        assert_eq!(r.repair.map(|(c, _)| c), code);
    }

    #[test]
    fn attribute_values_keep_bare_ampersands_and_unknown_entities() {
        let mut repairs = Vec::new();
        let out = unescape("AT&T &amp; &lol; &nbsp;x &", &mut repairs);
        assert_eq!(out, "AT&T & &lol; \u{A0}x &");
        let codes: Vec<_> = repairs.iter().map(|(c, _)| *c).collect();
        assert_eq!(
            codes,
            [
                WarningCode::BareAmpersandKept,
                WarningCode::UnknownEntityKept,
                WarningCode::HtmlEntityReplaced,
                WarningCode::BareAmpersandKept
            ]
        );
    }
}
