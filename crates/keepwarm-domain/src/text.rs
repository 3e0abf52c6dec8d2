//! Characters that have no business in a customer's name or in a text we send: control characters
//! (NUL and friends), bidirectional overrides and isolates (which can make `Visit evil.example`
//! display reversed), and zero-width characters (which hide text or split words a reader and a
//! filter see differently). Owns [`is_invisible`] and [`strip_invisible`], and [`csv_cell`] for
//! exports; does no other normalisation.

use std::borrow::Cow;

/// Whether `c` is a control, bidirectional-formatting or zero-width character.
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'                    // Arabic letter mark
            | '\u{200B}'..='\u{200F}'     // zero-width space, non-joiner, joiner, LRM, RLM
            | '\u{202A}'..='\u{202E}'     // bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}'     // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}'     // bidi isolates
            | '\u{180E}'                  // Mongolian vowel separator
            | '\u{FEFF}'                  // zero-width no-break space (BOM)
        )
}

/// `text` without its [`is_invisible`] characters (borrowed when it has none).
pub fn strip_invisible(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_invisible) {
        Cow::Owned(text.chars().filter(|c| !is_invisible(*c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// One CSV cell for an export a person will open in a spreadsheet: a value starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return is prefixed with `'` so it is shown as text, never run as a
/// formula (`=HYPERLINK(...)` in a lead's name); then quoted if it holds a comma, quote or line
/// break.
pub fn csv_cell(value: &str) -> String {
    let neutral = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if neutral.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", neutral.replace('"', "\"\""))
    } else {
        neutral
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised() {
        assert_eq!(
            csv_cell("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(csv_cell("+1 312"), "'+1 312");
        assert_eq!(csv_cell("-2"), "'-2");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("Lakeside, used"), "\"Lakeside, used\"");
        assert_eq!(csv_cell("internet"), "internet");
    }

    #[test]
    fn nul_bidi_overrides_and_zero_width_characters_are_stripped() {
        assert_eq!(
            strip_invisible("A\u{0}nn\u{202E}a\u{200B} L\u{2066}ee\u{FEFF}"),
            "Anna Lee"
        );
    }

    #[test]
    fn ordinary_names_are_borrowed_unchanged() {
        assert!(matches!(
            strip_invisible("José O'Brien-Ñúñez 李"),
            Cow::Borrowed(_)
        ));
    }
}
