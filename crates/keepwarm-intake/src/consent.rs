//! Consent evidence written in ADF and CSV: the words a `<consent>` element or a consent column
//! may hold, read into the lead document's [`ConsentInput`] terms. Each reader says what is wrong
//! with a value; what a wrong value costs (the ADF record recorded as `none`, the CSV row refused)
//! is the caller's.

use jiff::tz::TimeZone;
use jiff::Timestamp;
use keepwarm_domain::compliance::consent::{ConsentBasis, ConsentSource, CHANNELS};

use crate::csv::date::parse_date;

/// A basis word: `express_written`, `express` or `none`, any case, with `_`, `-` or a space
/// between the words (`Express Written`).
pub(crate) fn parse_basis(raw: &str) -> Result<ConsentBasis, String> {
    let word: String = raw
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == '-' || c == ' ' { '_' } else { c })
        .collect();
    match word.as_str() {
        "express_written" => Ok(ConsentBasis::ExpressWritten),
        "express" => Ok(ConsentBasis::Express),
        "none" => Ok(ConsentBasis::None),
        _ => Err(format!(
            "`{}` is not a consent basis (expected express_written, express or none)",
            raw.trim()
        )),
    }
}

/// A list of channels (`sms call`, `sms,call`, `SMS; Email`): each `sms`, `call` or `email`.
pub(crate) fn parse_channels(raw: &str) -> Result<Vec<String>, String> {
    let mut channels: Vec<String> = Vec::new();
    for word in raw.split([' ', ',', ';', '|']).filter(|w| !w.is_empty()) {
        let channel = word.to_lowercase();
        if !CHANNELS.contains(&channel.as_str()) {
            return Err(format!(
                "unknown channel `{word}` (expected sms, call or email)"
            ));
        }
        if !channels.contains(&channel) {
            channels.push(channel);
        }
    }
    Ok(channels)
}

/// When consent was given: a date in any form the CSV reader takes, a time without offset read in
/// `zone`.
pub(crate) fn parse_at(raw: &str, zone: &TimeZone) -> Result<Timestamp, String> {
    parse_date(raw, zone)
        .map(|read| read.at)
        .map_err(|reason| format!("`{}` is {reason}", raw.trim()))
}

/// Where consent was given, from one written value: a web address is the form, anything else the
/// provider (or person) that collected it.
pub(crate) fn source_of(raw: &str) -> ConsentSource {
    let raw = raw.trim();
    let lower = raw.to_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        ConsentSource {
            form_url: Some(raw.to_owned()),
            ..ConsentSource::default()
        }
    } else {
        ConsentSource {
            provider: Some(raw.to_owned()),
            ..ConsentSource::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basis_words_are_read_in_any_case_and_spacing_and_others_are_named() {
        assert_eq!(
            parse_basis(" Express Written "),
            Ok(ConsentBasis::ExpressWritten)
        );
        assert_eq!(
            parse_basis("express-written"),
            Ok(ConsentBasis::ExpressWritten)
        );
        assert_eq!(parse_basis("EXPRESS"), Ok(ConsentBasis::Express));
        assert_eq!(parse_basis("none"), Ok(ConsentBasis::None));
        let err = parse_basis("yes").unwrap_err();
        assert!(
            err.contains("`yes`") && err.contains("express_written"),
            "{err}"
        );
    }

    #[test]
    fn channel_lists_take_common_separators_and_name_an_unknown_channel() {
        assert_eq!(
            parse_channels("SMS, call;email sms").unwrap(),
            ["sms", "call", "email"]
        );
        assert_eq!(parse_channels("  ").unwrap(), Vec::<String>::new());
        let err = parse_channels("sms fax").unwrap_err();
        assert!(err.contains("`fax`"), "{err}");
    }

    #[test]
    fn a_web_address_is_the_form_and_anything_else_the_provider() {
        assert_eq!(
            source_of("https://dealer.example/quote")
                .form_url
                .as_deref(),
            Some("https://dealer.example/quote")
        );
        assert_eq!(source_of("DMS").provider.as_deref(), Some("DMS"));
    }

    #[test]
    fn a_consent_time_without_offset_is_read_in_the_zone_and_nonsense_is_named() {
        let zone = TimeZone::get("America/Chicago").unwrap();
        assert_eq!(
            parse_at("2026-11-30 09:15", &zone).unwrap(),
            "2026-11-30T15:15:00Z".parse::<Timestamp>().unwrap()
        );
        assert!(parse_at("soon", &zone).unwrap_err().contains("`soon`"));
    }
}
