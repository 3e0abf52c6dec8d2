//! The texts keepwarm writes itself in answer to a keyword — the opt-out confirmation (STOP) and
//! the HELP reply — linted like approved blocks: for every dealership and every language blocks
//! are written in, each names the brand, says how to stop (HELP) or come back (STOP), and fits in
//! the SMS segment limit with its encoding (GSM-7 or UCS-2) stated.
//!
//! Only reads the texts `crate::language` writes; the configuration check reports what it finds.

use crate::language::{help_reply, opt_out_confirmation};
use crate::sms::{sms_length, Encoding};

/// One keyword reply as it goes out: `(what, language, text)`.
pub type KeywordReply = (&'static str, String, String);

/// Every keyword reply a dealership sends, in each of `languages`.
pub fn keyword_replies(brand: &str, phone: Option<&str>, languages: &[&str]) -> Vec<KeywordReply> {
    let mut out = Vec::new();
    for language in languages {
        let l = (*language).to_owned();
        out.push((
            "STOP confirmation",
            l.clone(),
            opt_out_confirmation(language, brand, true, &[]),
        ));
        out.push((
            "STOP confirmation for some channels",
            l.clone(),
            opt_out_confirmation(language, brand, false, &["sms", "call", "email"]),
        ));
        out.push(("HELP reply", l, help_reply(language, brand, phone)));
    }
    out
}

/// What is wrong with the keyword replies of a dealership (`brand`, `phone`), one sentence each.
pub fn lint_keyword_replies(
    brand: &str,
    phone: Option<&str>,
    languages: &[&str],
    max_segments: usize,
) -> Vec<String> {
    let mut problems = Vec::new();
    for (what, language, text) in keyword_replies(brand, phone, languages) {
        let len = sms_length(&text);
        if len.segments > max_segments {
            problems.push(format!(
                "the {what} in `{language}` is {} SMS segments ({}, {} units); the limit is {max_segments}: shorten the brand",
                len.segments,
                encoding_name(len.encoding),
                len.units
            ));
        }
        if !text.contains(brand) {
            problems.push(format!(
                "the {what} in `{language}` does not name the brand"
            ));
        }
        let how = if what == "HELP reply" {
            "STOP"
        } else {
            "START"
        };
        if !text.contains(how) {
            problems.push(format!("the {what} in `{language}` does not say {how}"));
        }
    }
    problems
}

/// `GSM-7` or `UCS-2`.
pub fn encoding_name(encoding: Encoding) -> &'static str {
    match encoding {
        Encoding::Gsm7 => "GSM-7",
        Encoding::Ucs2 => "UCS-2",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_keyword_replies_of_a_plain_brand_pass_in_english_and_spanish() {
        let problems =
            lint_keyword_replies("Lakeside Motors", Some("(312) 555-0100"), &["en", "es"], 2);
        assert_eq!(problems, Vec::<String>::new());
        let replies = keyword_replies("Lakeside Motors", Some("(312) 555-0100"), &["en", "es"]);
        assert_eq!(replies.len(), 6);
        for (what, language, text) in replies {
            assert_eq!(
                sms_length(&text).encoding,
                Encoding::Gsm7,
                "{what} in {language} stays GSM-7: {text}"
            );
        }
    }

    #[test]
    fn a_brand_too_long_or_not_gsm_makes_the_replies_too_long() {
        let brand = "Lakeside Motors of Greater Chicagoland — Family Owned Since 1952 ✓";
        let problems = lint_keyword_replies(brand, Some("(312) 555-0100"), &["en"], 1);
        assert!(
            problems
                .iter()
                .any(|p| p.contains("HELP reply in `en`") && p.contains("UCS-2")),
            "{problems:?}"
        );
    }
}
