//! Everything before the root element.
//!
//! Owns the repairs real feeds need up front: `<?ADF VERSION "1.0"?>`
//! before the XML declaration or without `=`, upper-case `<?XML?>`,
//! encoding declarations that lie, and DOCTYPEs. Recognised prolog items are
//! blanked out *in place* (replaced by spaces, newlines kept) so every byte
//! offset the XML reader reports afterwards still maps to the original line
//! and column. It must never process a DTD: a DOCTYPE with an internal
//! subset is refused, any other DOCTYPE is skipped unread.

use crate::decode::Encoding;
use crate::error::AdfError;
use crate::lines::LineIndex;
use crate::warning::{Warning, WarningCode};

/// What the prolog said, and what had to be repaired in it.
#[derive(Debug, Default)]
pub(crate) struct Prolog {
    /// `version` of the `<?adf?>` instruction.
    pub(crate) adf_version: Option<String>,
    /// `encoding` of the XML declaration, as written.
    pub(crate) declared_encoding: Option<String>,
    /// Repairs, in document order.
    pub(crate) warnings: Vec<Warning>,
}

/// Reads and blanks the prolog of `text`, leaving the root element (and
/// any comments) for the XML reader.
pub(crate) fn repair_prolog(text: &mut String, lines: &LineIndex) -> Result<Prolog, AdfError> {
    let mut prolog = Prolog::default();
    let mut blanks = Vec::new();
    let mut pos = 0;
    let mut seen_item = false;
    loop {
        let rest = text.get(pos..).unwrap_or_default();
        let trimmed = rest.trim_start();
        pos += rest.len() - trimmed.len();
        let line = Some(lines.line(pos));
        if let Some(body) = trimmed.strip_prefix("<?") {
            let Some(end) = body.find("?>") else {
                return Err(malformed(
                    text,
                    lines,
                    pos,
                    "unterminated processing instruction",
                ));
            };
            let body = body.get(..end).unwrap_or_default();
            let (target, args) = body
                .split_once(|c: char| c.is_ascii_whitespace())
                .unwrap_or((body, ""));
            match target.to_ascii_lowercase().as_str() {
                "xml" => read_xml_declaration(&mut prolog, target, args, seen_item, line),
                "adf" => read_adf_declaration(&mut prolog, target, args, line),
                _ => prolog.warnings.push(Warning::new(
                    WarningCode::ProcessingInstructionIgnored,
                    format!("skipped processing instruction <?{target}?>"),
                    line,
                )),
            }
            let len = end + 4;
            blanks.push(pos..pos + len);
            pos += len;
        } else if let Some(body) = trimmed.strip_prefix("<!--") {
            let Some(end) = body.find("-->") else {
                return Err(malformed(text, lines, pos, "unterminated comment"));
            };
            pos += end + 7;
        } else if starts_with_ignore_case(trimmed, "<!doctype") {
            let len = doctype_len(trimmed).map_err(|reason| match reason {
                DoctypeProblem::Unterminated => {
                    malformed(text, lines, pos, "unterminated <!DOCTYPE")
                }
                DoctypeProblem::InternalSubset => {
                    let (line, column) = lines.position(text, pos);
                    AdfError::DoctypeForbidden {
                        reason: "<!DOCTYPE> with an internal subset (entity declarations)"
                            .to_owned(),
                        line,
                        column,
                    }
                }
            })?;
            prolog.warnings.push(Warning::new(
                WarningCode::DoctypeIgnored,
                "skipped <!DOCTYPE> without reading or fetching any DTD",
                line,
            ));
            blanks.push(pos..pos + len);
            pos += len;
        } else {
            break;
        }
        seen_item = true;
    }
    for range in blanks {
        blank(text, range);
    }
    Ok(prolog)
}

/// A warning when the declared encoding disagrees with how the bytes were
/// actually decoded. `text` is the decoded document.
pub(crate) fn check_declared_encoding(
    declared: Option<&str>,
    actual: Encoding,
    text: &str,
) -> Option<Warning> {
    let declared = declared?;
    let norm: String = declared
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let single_byte = matches!(
        norm.as_str(),
        "iso88591" | "latin1" | "windows1252" | "cp1252" | "usascii" | "ascii"
    );
    let agrees = match actual {
        Encoding::Utf8 => norm == "utf8" || (single_byte && text.is_ascii()),
        Encoding::Utf16 => norm.starts_with("utf16") || norm.starts_with("ucs2"),
        Encoding::Windows1252 => single_byte,
    };
    let read_as = match actual {
        Encoding::Utf8 => "UTF-8",
        Encoding::Utf16 => "UTF-16",
        Encoding::Windows1252 => "Windows-1252",
    };
    (!agrees).then(|| {
        Warning::new(
            WarningCode::EncodingDeclarationIgnored,
            format!("declared encoding \"{declared}\" does not match the bytes; read as {read_as}"),
            Some(1),
        )
    })
}

fn read_xml_declaration(
    prolog: &mut Prolog,
    target: &str,
    args: &str,
    seen_item: bool,
    line: Option<usize>,
) {
    let (pairs, clean) = pseudo_attributes(args);
    let mut problems = Vec::new();
    if target != "xml" {
        problems.push(format!("upper-case <?{target}?>"));
    }
    if seen_item {
        problems.push("not at the start of the document".to_owned());
    }
    if !clean {
        problems.push("malformed pseudo-attributes".to_owned());
    }
    if let Some((_, enc)) = pairs.iter().find(|(k, _)| k == "encoding") {
        prolog.declared_encoding = Some(enc.clone());
    }
    if !problems.is_empty() {
        prolog.warnings.push(Warning::new(
            WarningCode::XmlDeclarationRepaired,
            format!("XML declaration repaired: {}", problems.join(", ")),
            line,
        ));
    }
}

fn read_adf_declaration(prolog: &mut Prolog, target: &str, args: &str, line: Option<usize>) {
    let (pairs, clean) = pseudo_attributes(args);
    let mut problems = Vec::new();
    if target != "adf" {
        problems.push(format!("upper-case <?{target}?>"));
    }
    if !clean {
        problems.push("malformed pseudo-attributes".to_owned());
    }
    let version = pairs
        .iter()
        .find(|(k, _)| k == "version")
        .map(|(_, v)| v.clone());
    match version.as_deref() {
        Some("1.0") => {}
        Some(other) => problems.push(format!("version \"{other}\" read as ADF 1.0")),
        None => problems.push("no version".to_owned()),
    }
    prolog.adf_version = version;
    if !problems.is_empty() {
        prolog.warnings.push(Warning::new(
            WarningCode::AdfDeclarationRepaired,
            format!("ADF declaration repaired: {}", problems.join(", ")),
            line,
        ));
    }
}

/// Reads `key="value"` pairs leniently: keys are lower-cased, `=` and
/// quotes may be missing. Returns the pairs and whether the text was
/// already strict.
fn pseudo_attributes(args: &str) -> (Vec<(String, String)>, bool) {
    let mut pairs = Vec::new();
    let mut clean = true;
    let mut rest = args.trim();
    while !rest.is_empty() {
        let key_end = rest
            .find(|c: char| c == '=' || c == '"' || c == '\'' || c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let (key, after) = rest.split_at(key_end);
        if key.is_empty() {
            // A stray quote or `=` with no key: skip one character.
            clean = false;
            let mut chars = after.chars();
            chars.next();
            rest = chars.as_str().trim_start();
            continue;
        }
        if key.bytes().any(|b| b.is_ascii_uppercase()) {
            clean = false;
        }
        let after = after.trim_start();
        let after = match after.strip_prefix('=') {
            Some(a) => a.trim_start(),
            None => {
                clean = false;
                after
            }
        };
        let (value, remaining) = match after.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let inner = after.get(1..).unwrap_or_default();
                match inner.find(q) {
                    Some(end) => (
                        inner.get(..end).unwrap_or_default(),
                        inner.get(end + 1..).unwrap_or_default(),
                    ),
                    None => {
                        clean = false;
                        (inner, "")
                    }
                }
            }
            _ => {
                clean = false;
                let end = after
                    .find(|c: char| c.is_ascii_whitespace())
                    .unwrap_or(after.len());
                after.split_at(end)
            }
        };
        pairs.push((key.to_ascii_lowercase(), value.to_owned()));
        rest = remaining.trim_start();
    }
    (pairs, clean)
}

enum DoctypeProblem {
    Unterminated,
    InternalSubset,
}

/// Byte length of the `<!DOCTYPE …>` at the start of `text`.
fn doctype_len(text: &str) -> Result<usize, DoctypeProblem> {
    let mut quote = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[') => return Err(DoctypeProblem::InternalSubset),
            (None, '>') => return Ok(i + 1),
            _ => {}
        }
    }
    Err(DoctypeProblem::Unterminated)
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// Replaces a range by spaces of the same byte length, keeping line breaks.
fn blank(text: &mut String, range: std::ops::Range<usize>) {
    let Some(old) = text.get(range.clone()) else {
        return;
    };
    let spaces: String = old
        .chars()
        .flat_map(|c| {
            let fill = if c == '\n' || c == '\r' { c } else { ' ' };
            std::iter::repeat_n(fill, if fill == ' ' { c.len_utf8() } else { 1 })
        })
        .collect();
    text.replace_range(range, &spaces);
}

fn malformed(text: &str, lines: &LineIndex, pos: usize, message: &str) -> AdfError {
    let (line, column) = lines.position(text, pos);
    AdfError::Malformed {
        message: message.to_owned(),
        line,
        column,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn run(input: &str) -> (String, Result<Prolog, AdfError>) {
        let mut text = input.to_owned();
        let lines = LineIndex::new(&text);
        let result = repair_prolog(&mut text, &lines);
        (text, result)
    }

    #[test]
    fn an_adf_declaration_before_the_xml_declaration_and_without_equals_is_repaired() {
        let input = "<?ADF VERSION \"1.0\"?>\n<?xml version=\"1.0\"?>\n<adf/>";
        let (text, prolog) = run(input);
        let prolog = prolog.unwrap_or_default();
        assert_eq!(prolog.adf_version.as_deref(), Some("1.0"));
        let codes: Vec<_> = prolog.warnings.iter().map(|w| w.code).collect();
        assert_eq!(
            codes,
            [
                WarningCode::AdfDeclarationRepaired,
                WarningCode::XmlDeclarationRepaired
            ]
        );
        assert_eq!(text.len(), input.len());
        assert_eq!(text.trim_start(), "<adf/>");
        assert_eq!(text.lines().count(), 3);
    }

    #[rstest]
    #[case::strict("version=\"1.0\" encoding=\"UTF-8\"", true, Some("UTF-8"))]
    #[case::single_quotes("version='1.0'", true, None)]
    #[case::no_equals("VERSION \"1.0\"", false, None)]
    #[case::unquoted("version=1.0 encoding=utf-16", false, Some("utf-16"))]
    #[case::stray_quote("\" version=\"1.0\"", false, None)]
    fn pseudo_attributes_are_read_leniently(
        #[case] args: &str,
        #[case] clean: bool,
        #[case] encoding: Option<&str>,
    ) {
        let (pairs, was_clean) = pseudo_attributes(args);
        assert_eq!(was_clean, clean);
        assert_eq!(
            pairs
                .iter()
                .find(|(k, _)| k == "encoding")
                .map(|(_, v)| v.as_str()),
            encoding
        );
        assert!(pairs.iter().any(|(k, v)| k == "version" && v == "1.0") || args.is_empty());
    }

    #[test]
    fn a_doctype_with_an_internal_subset_is_refused_with_its_position() {
        let (_, result) =
            run("<?xml version=\"1.0\"?>\n<!DOCTYPE adf [<!ENTITY x \"y\">]>\n<adf/>");
        assert!(matches!(
            result,
            Err(AdfError::DoctypeForbidden {
                line: 2,
                column: 1,
                ..
            })
        ));
    }

    #[test]
    fn a_doctype_with_only_an_external_id_is_skipped_unread() {
        let (text, prolog) = run("<!DOCTYPE adf SYSTEM \"http://x/adf.dtd\"><adf/>");
        let prolog = prolog.unwrap_or_default();
        assert_eq!(
            prolog.warnings.first().map(|w| w.code),
            Some(WarningCode::DoctypeIgnored)
        );
        assert_eq!(text.trim_start(), "<adf/>");
    }

    #[rstest]
    #[case::utf16_on_utf8(Some("utf-16"), Encoding::Utf8, "<adf/>", true)]
    #[case::utf8_on_utf8(Some("UTF-8"), Encoding::Utf8, "<adf/>", false)]
    #[case::latin1_on_ascii(Some("ISO-8859-1"), Encoding::Utf8, "<adf/>", false)]
    #[case::latin1_on_utf8(Some("ISO-8859-1"), Encoding::Utf8, "<adf>é</adf>", true)]
    #[case::latin1_on_latin1(Some("iso-8859-1"), Encoding::Windows1252, "", false)]
    #[case::none(None, Encoding::Utf16, "", false)]
    fn declared_encodings_are_checked_against_the_bytes(
        #[case] declared: Option<&str>,
        #[case] actual: Encoding,
        #[case] text: &str,
        #[case] warns: bool,
    ) {
        assert_eq!(
            check_declared_encoding(declared, actual, text).is_some(),
            warns
        );
    }

    #[test]
    fn an_unterminated_instruction_is_malformed() {
        let (_, result) = run("\n  <?xml version=\"1.0\"");
        assert!(matches!(
            result,
            Err(AdfError::Malformed {
                line: 2,
                column: 3,
                ..
            })
        ));
    }
}
