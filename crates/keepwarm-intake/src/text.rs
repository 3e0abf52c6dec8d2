//! Small text helpers shared by the intake formats: cleaning cells and values, names, numbers,
//! vehicle descriptions, HTML to text, Windows-1252.
//!
//! Everything here is a pure function over strings and never fails: a value it cannot read comes
//! back as `None`.

use keepwarm_domain::lead::{Condition, VehicleInput};

/// Trims `raw` and collapses inner runs of whitespace; `None` when nothing is left or the value is a
/// placeholder exports use for "nothing" (`N/A`, `none`, `null`, `-`).
pub(crate) fn clean(raw: &str) -> Option<String> {
    let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let lower = text.to_ascii_lowercase();
    if text.is_empty()
        || ["n/a", "na", "none", "null", "-", "--", "(none)", "unknown"].contains(&lower.as_str())
    {
        None
    } else {
        Some(text)
    }
}

/// Lower-case letters and digits only: the form headers and labels are compared in.
pub(crate) fn normalize_label(raw: &str) -> String {
    raw.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Languages by the names and codes exports and forms use, and their BCP 47 primary subtag.
const LANGUAGES: &[(&str, &[&str])] = &[
    ("en", &["english", "eng", "ingles"]),
    (
        "es",
        &["spanish", "espanol", "spa", "castellano", "espanolspanish"],
    ),
    ("fr", &["french", "francais", "fre", "fra"]),
    ("pt", &["portuguese", "portugues", "por"]),
    ("zh", &["chinese", "mandarin", "cantonese", "zho", "chi"]),
    ("vi", &["vietnamese", "tiengviet", "vie"]),
    ("ko", &["korean", "kor"]),
    ("ar", &["arabic", "ara"]),
    ("ru", &["russian", "rus"]),
    ("ht", &["haitiancreole", "kreyol", "creole"]),
    ("tl", &["tagalog", "filipino", "tgl", "fil"]),
    ("hi", &["hindi", "hin"]),
    ("de", &["german", "deutsch", "ger", "deu"]),
    ("it", &["italian", "italiano", "ita"]),
    ("ja", &["japanese", "jpn"]),
    ("pl", &["polish", "polski", "pol"]),
];

/// A preferred language as a BCP 47 primary subtag (`es`), from a name (`Spanish`, `Español`), a
/// code (`es`, `SPA`) or a tag with a region (`es-MX`); `None` when it is none keepwarm knows.
pub(crate) fn normalize_language(raw: &str) -> Option<String> {
    let text = clean(raw)?;
    let primary = text
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_lowercase();
    let folded: String = text
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ã' => 'a',
            'é' | 'è' | 'ê' | 'ế' => 'e',
            'í' => 'i',
            'ó' | 'ô' | 'õ' => 'o',
            'ú' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            'ệ' => 'e',
            other => other,
        })
        .filter(char::is_ascii_alphanumeric)
        .collect();
    LANGUAGES
        .iter()
        .find(|(code, names)| *code == primary || names.contains(&folded.as_str()))
        .map(|(code, _)| (*code).to_owned())
}

/// Title-cases `name` when it is written all in capitals (`JOHN O'NEIL-SMITH` → `John O'Neil-Smith`);
/// returns `None` when it is not.
pub(crate) fn title_case_if_shouting(name: &str) -> Option<String> {
    let letters: Vec<char> = name.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() < 2 || letters.iter().any(|c| c.is_lowercase()) {
        return None;
    }
    let mut out = String::with_capacity(name.len());
    let mut start_of_word = true;
    for c in name.chars() {
        if c.is_alphabetic() {
            if start_of_word {
                out.push(c);
            } else {
                out.extend(c.to_lowercase());
            }
            start_of_word = false;
        } else {
            out.push(c);
            start_of_word = matches!(c, ' ' | '-' | '\'' | '.');
        }
    }
    Some(out)
}

/// A name split into its parts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct NameParts {
    /// Given name.
    pub first: Option<String>,
    /// Family name.
    pub last: Option<String>,
    /// The whole name, given name first.
    pub full: Option<String>,
}

/// Splits a whole name: `Doe, John` (the DMS form) and `John Doe` both give first `John`, last
/// `Doe`; a single word is a first name.
pub(crate) fn split_full_name(raw: &str) -> NameParts {
    let Some(name) = clean(raw) else {
        return NameParts::default();
    };
    if let Some((last, first)) = name.split_once(',') {
        let (last, first) = (clean(last), clean(first));
        let full = match (&first, &last) {
            (Some(f), Some(l)) => Some(format!("{f} {l}")),
            (f, l) => f.clone().or_else(|| l.clone()),
        };
        return NameParts { first, last, full };
    }
    match name.rsplit_once(' ') {
        Some((first, last)) => NameParts {
            first: first.split(' ').next().map(str::to_owned),
            last: Some(last.to_owned()),
            full: Some(name.clone()),
        },
        None => NameParts {
            first: Some(name.clone()),
            last: None,
            full: Some(name),
        },
    }
}

/// Reads an amount of money (`$24,995.00`, `24995 USD`); `None` unless it is a finite, positive
/// number.
pub(crate) fn parse_amount(raw: &str) -> Option<f64> {
    let digits: String = raw
        .trim()
        .trim_end_matches("USD")
        .chars()
        .filter(|c| !matches!(c, '$' | ',' | ' '))
        .collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    digits
        .parse::<f64>()
        .ok()
        .filter(|p| p.is_finite() && *p >= 0.0)
}

/// Reads a whole number with optional thousands separators and unit (`32,150 mi`, `12000.0`).
pub(crate) fn parse_whole(raw: &str) -> Option<u64> {
    let lower = raw.trim().to_ascii_lowercase();
    let number = lower
        .trim_end_matches("miles")
        .trim_end_matches("mi")
        .trim_end_matches("km")
        .trim();
    let number: String = number.chars().filter(|c| *c != ',').collect();
    let number = number.strip_suffix(".0").unwrap_or(&number);
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    number.parse().ok()
}

/// Makes of more than one word, so that `Land Rover Defender` is make `Land Rover`.
const TWO_WORD_MAKES: &[&str] = &[
    "alfa romeo",
    "aston martin",
    "land rover",
    "rolls royce",
    "mercedes benz",
];

/// Reads a vehicle as providers write it in e-mails: `Used 2021 Honda Accord EX-L`,
/// `2019 Land Rover Range Rover Sport`, `Certified 2020 Toyota RAV4 XLE`.
pub(crate) fn parse_vehicle_description(raw: &str) -> Option<VehicleInput> {
    let text = clean(raw)?;
    let mut words: Vec<&str> = text.split(' ').collect();
    let mut vehicle = VehicleInput::default();
    if let Some(first) = words.first() {
        let condition = match first.to_ascii_lowercase().as_str() {
            "new" => Some(Condition::New),
            "used" | "certified" | "cpo" | "pre-owned" | "preowned" => Some(Condition::Used),
            _ => None,
        };
        if condition.is_some() {
            vehicle.condition = condition;
            words.remove(0);
        }
    }
    if words
        .first()
        .and_then(|w| w.parse::<u16>().ok())
        .is_some_and(crate::limits::is_model_year)
    {
        vehicle.year = words.first().and_then(|w| w.parse().ok());
        words.remove(0);
    }
    let make_words = match words.get(0..2) {
        Some(pair)
            if TWO_WORD_MAKES
                .contains(&pair.join(" ").replace('-', " ").to_lowercase().as_str()) =>
        {
            2
        }
        _ => 1,
    };
    if words.len() >= make_words {
        vehicle.make = Some(words.drain(..make_words).collect::<Vec<_>>().join(" "));
    }
    if !words.is_empty() {
        vehicle.model = Some(words.remove(0).to_owned());
    }
    if !words.is_empty() {
        vehicle.trim = Some(words.join(" "));
    }
    if vehicle == VehicleInput::default() {
        None
    } else {
        Some(vehicle)
    }
}

/// Turns an HTML body into text, one line per block: `<br>`, `<p>`, `<div>`, `<tr>`, `<li>` and
/// headings end a line, table cells are separated by a space, `<head>`, `<style>` and `<script>`
/// are skipped, and common entities are decoded (so an escaped `&lt;adf&gt;` becomes `<adf>`).
pub(crate) fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut skipping: Option<&'static str> = None;
    while let Some(lt) = rest.find('<') {
        if skipping.is_none() {
            out.push_str(&decode_entities(rest.get(..lt).unwrap_or_default()));
        }
        let after = rest.get(lt..).unwrap_or_default();
        if after.starts_with("<!--") {
            rest = after
                .find("-->")
                .and_then(|e| after.get(e + 3..))
                .unwrap_or_default();
            continue;
        }
        let Some(gt) = after.find('>') else {
            rest = "";
            break;
        };
        let tag = after.get(1..gt).unwrap_or_default();
        rest = after.get(gt + 1..).unwrap_or_default();
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if let Some(skip) = skipping {
            if closing && name == skip {
                skipping = None;
            }
            continue;
        }
        match name.as_str() {
            "head" | "style" | "script" | "title" if !closing => {
                skipping = ["head", "style", "script", "title"]
                    .into_iter()
                    .find(|s| *s == name);
            }
            "br" | "p" | "div" | "tr" | "li" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
            | "table" | "pre" | "blockquote" => out.push('\n'),
            "td" | "th" if !closing => out.push(' '),
            _ => {}
        }
    }
    if skipping.is_none() {
        out.push_str(&decode_entities(rest));
    }
    out.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Decodes the XML entities, `&nbsp;` and numeric references; other entities stay as written.
pub(crate) fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(rest.get(..amp).unwrap_or_default());
        let after = rest.get(amp..).unwrap_or_default();
        let end = after
            .char_indices()
            .take(12)
            .find(|(_, c)| *c == ';')
            .map(|(i, _)| i);
        let decoded = end.and_then(|end| {
            let name = after.get(1..end)?;
            let c = match name {
                "lt" => '<',
                "gt" => '>',
                "amp" => '&',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => ' ',
                _ => {
                    let num = name.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(code)?
                }
            };
            Some((c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = after.get(end + 1..).unwrap_or_default();
            }
            None => {
                out.push('&');
                rest = after.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

/// Decodes bytes as UTF-8, or as Windows-1252 when they are not UTF-8 (what DMS exports on Windows
/// usually are). The flag says whether the fallback was used.
pub(crate) fn decode_cell(bytes: &[u8]) -> (String, bool) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_owned(), false),
        Err(_) => (bytes.iter().map(|b| cp1252(*b)).collect(), true),
    }
}

fn cp1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH
            .get(usize::from(b - 0x80))
            .copied()
            .unwrap_or('\u{fffd}'),
        _ => char::from(b),
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case("Doe, John", Some("John"), Some("Doe"), Some("John Doe"))]
    #[case("John Doe", Some("John"), Some("Doe"), Some("John Doe"))]
    #[case("Mary Ann  Smith", Some("Mary"), Some("Smith"), Some("Mary Ann Smith"))]
    #[case("Cher", Some("Cher"), None, Some("Cher"))]
    #[case("  ", None, None, None)]
    fn a_whole_name_is_split_into_its_parts(
        #[case] raw: &str,
        #[case] first: Option<&str>,
        #[case] last: Option<&str>,
        #[case] full: Option<&str>,
    ) {
        let parts = split_full_name(raw);
        assert_eq!(parts.first.as_deref(), first);
        assert_eq!(parts.last.as_deref(), last);
        assert_eq!(parts.full.as_deref(), full);
    }

    #[rstest]
    #[case("Spanish", Some("es"))]
    #[case("Español", Some("es"))]
    #[case("ES", Some("es"))]
    #[case("es-MX", Some("es"))]
    #[case("SPA", Some("es"))]
    #[case(" english ", Some("en"))]
    #[case("Tiếng Việt", Some("vi"))]
    #[case("Klingon", None)]
    #[case("", None)]
    fn languages_become_bcp47_primary_subtags(#[case] raw: &str, #[case] expected: Option<&str>) {
        assert_eq!(normalize_language(raw).as_deref(), expected);
    }

    #[rstest]
    #[case("JOHN O'NEIL-SMITH", Some("John O'Neil-Smith"))]
    #[case("McDonald", None)]
    #[case("J", None)]
    fn only_names_in_capitals_are_title_cased(#[case] raw: &str, #[case] expected: Option<&str>) {
        assert_eq!(title_case_if_shouting(raw).as_deref(), expected);
    }

    #[rstest]
    #[case("$24,995", Some(24995.0))]
    #[case("24999.99 USD", Some(24999.99))]
    #[case("call for price", None)]
    #[case("-5", None)]
    fn amounts_are_read_with_currency_signs_and_separators(
        #[case] raw: &str,
        #[case] expected: Option<f64>,
    ) {
        assert_eq!(parse_amount(raw), expected);
    }

    #[test]
    fn a_vehicle_description_gives_condition_year_make_model_and_trim() {
        let v = parse_vehicle_description("Used 2021 Land Rover Defender 110 SE");
        let v = v.unwrap_or_default();
        assert_eq!(v.condition, Some(Condition::Used));
        assert_eq!(v.year, Some(2021));
        assert_eq!(v.make.as_deref(), Some("Land Rover"));
        assert_eq!(v.model.as_deref(), Some("Defender"));
        assert_eq!(v.trim.as_deref(), Some("110 SE"));
    }

    #[test]
    fn html_becomes_one_line_per_row_with_entities_decoded() {
        let html = "<html><head><style>td{}</style></head><body><table><tr><td>Name:</td>\
                    <td>Jane &amp; Co</td></tr><tr><td>Note</td><td>&lt;adf&gt;</td></tr></table>\
                    <!-- hidden --></body></html>";
        let text = html_to_text(html);
        let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
        assert_eq!(lines, ["Name: Jane & Co", "Note <adf>"]);
    }

    #[test]
    fn windows_1252_cells_are_decoded() {
        assert_eq!(
            decode_cell(b"Jos\xe9 \x93Pepe\x94"),
            ("José “Pepe”".into(), true)
        );
        assert_eq!(decode_cell("José".as_bytes()), ("José".into(), false));
    }
}
