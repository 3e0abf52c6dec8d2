//! Message-block lint: what `keepwarm check` says about the words themselves.
//!
//! One call to action per message, SMS length in billed segments, no pressure language, and on the
//! first text of every cadence the brand name and the opt-out words. The lint reads each variant as
//! it would go out, rendered with a long sample context, so length limits hold for real customers.

use serde::{Deserialize, Serialize};

use crate::blocks::{MessageContext, Placeholder, Variant};
use crate::cadence::Channel;
use crate::sms::{sms_length, Encoding};

/// Lint settings from `blocks.toml`'s `[lint]` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LintSettings {
    /// Phrases no message may contain (matched without regard to case).
    pub banned_phrases: Vec<String>,
    /// The words the first SMS of every cadence must carry.
    pub opt_out_words: String,
    /// The longest an SMS may be, in billed segments.
    pub max_sms_segments: usize,
    /// Phrases that ask the customer to do something; together with questions they count as calls to
    /// action.
    pub cta_phrases: Vec<String>,
}

impl Default for LintSettings {
    fn default() -> Self {
        Self {
            banned_phrases: [
                "act now",
                "last chance",
                "limited time",
                "won't last",
                "today only",
                "don't miss out",
                "final notice",
                "urgent",
                "hurry",
                "before it's gone",
                "once in a lifetime",
            ]
            .map(String::from)
            .to_vec(),
            opt_out_words: "Reply STOP to opt out".into(),
            max_sms_segments: 2,
            cta_phrases: [
                "call me",
                "call us",
                "give me a call",
                "reply",
                "text me",
                "let me know",
                "click",
                "book",
                "schedule",
                "stop by",
                "come by",
                "pick a time",
                "grab a time",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

/// One lint finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintProblem {
    /// The variant's index in its block.
    pub variant: usize,
    /// What is wrong.
    pub message: String,
}

/// A long, realistic context used to render variants for the lint, so length checks reflect real
/// messages rather than template text.
pub fn sample_context() -> MessageContext {
    let mut c = MessageContext::default();
    let values = [
        (Placeholder::FirstName, "Alexandra"),
        (Placeholder::LastName, "Montgomery"),
        (Placeholder::CustomerName, "Alexandra Montgomery"),
        (Placeholder::Vehicle, "2024 Toyota Highlander Hybrid XLE"),
        (Placeholder::VehicleMake, "Toyota"),
        (Placeholder::VehicleModel, "Highlander Hybrid"),
        (Placeholder::TradeIn, "2017 Chevrolet Silverado 1500"),
        (Placeholder::ServiceNeed, "brake inspection"),
        (Placeholder::ServiceVehicle, "2019 Honda Accord"),
        (Placeholder::Payment, "around $450 a month"),
        (Placeholder::DownPayment, "$3,000 down"),
        (
            Placeholder::AppointmentWindows,
            "Saturday morning or Tuesday after 5",
        ),
        (Placeholder::Timeframe, "within 2 weeks"),
        (Placeholder::OwnerName, "Jordan Castellanos"),
        (Placeholder::OwnerFirstName, "Jordan"),
        (Placeholder::Dealership, "Lakeside Motors"),
        (Placeholder::Brand, "Lakeside Honda"),
        (Placeholder::DealershipPhone, "(312) 555-0100"),
        (
            Placeholder::DealershipAddress,
            "100 Lake St, Chicago, IL 60601",
        ),
        (Placeholder::AppointmentDay, "Wednesday, September 30"),
        (Placeholder::AppointmentTime, "10:30 AM"),
    ];
    for (p, v) in values {
        c.set(p, v);
    }
    c
}

/// Lints one variant of a block written for `channel`.
pub fn lint_variant(
    index: usize,
    variant: &Variant,
    channel: Channel,
    settings: &LintSettings,
) -> Vec<LintProblem> {
    let mut problems = Vec::new();
    let problem = |message: String| LintProblem {
        variant: index,
        message,
    };
    let rendered = sample_context()
        .render(&variant.text)
        .unwrap_or_else(|| variant.text.clone());
    let lower = rendered.to_lowercase();
    for phrase in &settings.banned_phrases {
        if contains_phrase(&lower, &phrase.to_lowercase()) {
            problems.push(problem(format!("uses pressure language \"{phrase}\"")));
        }
    }
    let ctas = count_calls_to_action(&rendered, settings);
    if ctas > 1 && channel != Channel::Call {
        problems.push(problem(format!(
            "has {ctas} calls to action; keep one next step per message"
        )));
    }
    if channel == Channel::Sms {
        let len = sms_length(&rendered);
        if len.segments > settings.max_sms_segments {
            let enc = match len.encoding {
                Encoding::Gsm7 => "GSM-7",
                Encoding::Ucs2 => "UCS-2",
            };
            problems.push(problem(format!(
                "is {} SMS segments ({enc}, {} units with sample context); the limit is {}",
                len.segments, len.units, settings.max_sms_segments
            )));
        }
    }
    if channel == Channel::Email && variant.subject.is_none() {
        problems.push(problem("is an e-mail without a subject".into()));
    }
    problems
}

/// Lints the first SMS of a cadence: every variant must name the brand and carry the opt-out words.
pub fn lint_first_sms(variants: &[Variant], settings: &LintSettings) -> Vec<LintProblem> {
    let mut problems = Vec::new();
    for (i, v) in variants.iter().enumerate() {
        let names_brand = ["brand", "dealership"]
            .iter()
            .any(|p| super::blocks::placeholders_in(&v.text).contains(p));
        if !names_brand {
            problems.push(LintProblem {
                variant: i,
                message: "is the cadence's first SMS but does not name the brand ({{brand}})"
                    .into(),
            });
        }
        if !v
            .text
            .to_lowercase()
            .contains(&settings.opt_out_words.to_lowercase())
        {
            problems.push(LintProblem {
                variant: i,
                message: format!(
                    "is the cadence's first SMS but lacks the opt-out words \"{}\"",
                    settings.opt_out_words
                ),
            });
        }
    }
    problems
}

/// Counts the sentences that ask the customer to do something: questions, and sentences with a
/// call-to-action phrase. The opt-out sentence does not count.
pub fn count_calls_to_action(text: &str, settings: &LintSettings) -> usize {
    let opt_out = settings.opt_out_words.to_lowercase();
    let lower = text.to_lowercase().replace(&opt_out, "");
    let mut count = 0;
    let mut sentence = String::new();
    let mut flush = |sentence: &mut String, question: bool| {
        let s = sentence.trim();
        if !s.is_empty() {
            let has_phrase = settings
                .cta_phrases
                .iter()
                .any(|p| contains_phrase(s, &p.to_lowercase()));
            if question || has_phrase {
                count += 1;
            }
        }
        sentence.clear();
    };
    for c in lower.chars() {
        match c {
            '?' => flush(&mut sentence, true),
            '.' | '!' | '\n' => flush(&mut sentence, false),
            _ => sentence.push(c),
        }
    }
    flush(&mut sentence, false);
    count
}

/// Whether `haystack` contains `phrase` as whole words.
pub(crate) fn contains_phrase(haystack: &str, phrase: &str) -> bool {
    if phrase.is_empty() {
        return false;
    }
    haystack.match_indices(phrase).any(|(i, _)| {
        let before = haystack[..i].chars().next_back();
        let after = haystack[i + phrase.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn v(text: &str) -> Variant {
        Variant {
            subject: None,
            text: text.into(),
        }
    }

    #[rstest]
    #[case("Is Saturday good for a test drive?", 1)]
    #[case("Is Saturday good? Or would Sunday work?", 2)]
    #[case("Reply with a time that works. Reply STOP to opt out", 1)]
    #[case("Thanks for reaching out. Reply STOP to opt out", 0)]
    #[case("Want the price sheet? Call me at 555.", 2)]
    fn calls_to_action_are_counted(#[case] text: &str, #[case] expected: usize) {
        assert_eq!(
            count_calls_to_action(text, &LintSettings::default()),
            expected
        );
    }

    #[test]
    fn pressure_language_is_flagged() {
        let p = lint_variant(
            0,
            &v("Act now, this deal won't last!"),
            Channel::Sms,
            &LintSettings::default(),
        );
        assert_eq!(p.len(), 2, "{p:?}");
    }

    #[test]
    fn a_banned_phrase_inside_a_word_is_not_flagged() {
        let p = lint_variant(
            0,
            &v("Our hurrycane wash is free."),
            Channel::Sms,
            &LintSettings::default(),
        );
        assert!(p.is_empty(), "{p:?}");
    }

    #[test]
    fn long_sms_are_flagged_with_sample_context() {
        let text = format!("Hi {{{{first_name}}}}, {}", "x".repeat(300));
        let p = lint_variant(0, &v(&text), Channel::Sms, &LintSettings::default());
        assert!(p[0].message.contains("3 SMS segments"), "{p:?}");
    }

    #[test]
    fn the_first_sms_needs_brand_and_opt_out() {
        let s = LintSettings::default();
        assert_eq!(lint_first_sms(&[v("Hi there")], &s).len(), 2);
        assert!(lint_first_sms(&[v("Hi from {{brand}}. Reply STOP to opt out")], &s).is_empty());
    }
}
