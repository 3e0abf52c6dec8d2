//! Values from a lead made fit to put in a text the dealership sends: invisible characters removed,
//! bounded in length, and (unless the block allows them) no links or phone numbers.

/// Longest value taken from a lead into a message, in characters: a longer one is cut at a word.
pub const MAX_LEAD_VALUE_CHARS: usize = 60;

/// A value from a lead (a name, a model, a comment) made fit to put in a text the dealership sends:
/// control, bidi and zero-width characters removed, runs of white space made one space, cut to
/// [`MAX_LEAD_VALUE_CHARS`] at a word. `None` when it holds a link or a phone number: whoever filled
/// in the lead form must not be able to make the dealership text `Visit http://evil.example`.
pub fn clean_lead_value(value: &str) -> Option<String> {
    clean_value(value, false)
}

/// [`clean_lead_value`], except that with `allow_links` a link or phone number is kept (a block
/// marked `allow_lead_links`, written for a value that is one, such as a listing's URL).
pub fn clean_value(value: &str, allow_links: bool) -> Option<String> {
    let visible =
        crate::text::strip_invisible(&value.replace(['\n', '\r', '\t'], " ")).into_owned();
    let words: Vec<&str> = visible.split_whitespace().collect();
    if !allow_links && (words.iter().any(|w| looks_like_link(w)) || has_phone_number(&visible)) {
        return None;
    }
    let mut out = String::new();
    for word in words {
        let extra = usize::from(!out.is_empty()) + word.chars().count();
        if out.chars().count() + extra > MAX_LEAD_VALUE_CHARS {
            if out.is_empty() {
                out = word.chars().take(MAX_LEAD_VALUE_CHARS).collect();
            }
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    (!out.is_empty()).then_some(out)
}
/// `http://…`, `www.…`, or a bare domain (`evil.example`, `bit.ly/x`).
fn looks_like_link(word: &str) -> bool {
    let lower = word.to_lowercase();
    if lower.contains("://") || lower.starts_with("www.") {
        return true;
    }
    let host = lower
        .trim_matches(|c: char| !c.is_alphanumeric())
        .split('/')
        .next()
        .unwrap_or_default();
    let mut labels = host.split('.');
    let first = labels.next().unwrap_or_default();
    let rest: Vec<&str> = labels.collect();
    !first.is_empty()
        && first.chars().any(|c| c.is_ascii_alphabetic())
        && rest
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()))
        && rest.iter().all(|l| !l.is_empty())
}

/// Seven or more digits in a row, allowing the separators a phone number is written with.
fn has_phone_number(text: &str) -> bool {
    let mut digits = 0;
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits += 1;
            if digits >= 7 {
                return true;
            }
        } else if !matches!(c, ' ' | '-' | '.' | '(' | ')' | '+') {
            digits = 0;
        }
    }
    false
}
