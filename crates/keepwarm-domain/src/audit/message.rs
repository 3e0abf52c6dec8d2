//! The message rubric: 100 points for one outbound SMS or e-mail, read as the customer got it.
//!
//! | criterion | points | full marks when |
//! |---|---|---|
//! | context | 30 | every fact the lead gave us that a message can use — the vehicle (make or model), the service need, the timing (appointment windows or timeframe) — appears in the text; points in proportion; full marks when the lead gave none |
//! | one call to action | 20 | exactly one sentence asks the customer to do something ([`count_calls_to_action`]) |
//! | length | 20 | an SMS fits the configured segment limit; an e-mail body is at most [`MAX_EMAIL_WORDS`] words |
//! | no pressure | 20 | none of the banned pressure phrases of `blocks.toml` appears |
//! | opt-out | 10 | the text carries the opt-out words when they are required (the first SMS of each enrollment, as `keepwarm check` requires of every cadence) or is not required to |

use serde::Serialize;

use crate::cadence::Channel;
use crate::lead::{LeadInput, VehicleInterest};
use crate::lint::{contains_phrase, count_calls_to_action, LintSettings};
use crate::sms::sms_length;

/// The longest e-mail body, in words, that keeps full length marks.
pub const MAX_EMAIL_WORDS: usize = 200;

/// What a lead told us that a good message refers to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LeadContext {
    /// Words that name the vehicle of interest (make, model).
    pub vehicle: Vec<String>,
    /// The service need ("brake inspection").
    pub service_need: Option<String>,
    /// When the customer said they can come or mean to buy.
    pub timing: Vec<String>,
}

impl LeadContext {
    /// The context of a lead document.
    pub fn from_input(input: &LeadInput) -> Self {
        let wanted = input.vehicles.iter().find(|v| {
            !matches!(
                v.interest,
                Some(VehicleInterest::TradeIn | VehicleInterest::Sell)
            )
        });
        let vehicle = wanted
            .map(|v| {
                [v.make.clone(), v.model.clone()]
                    .into_iter()
                    .flatten()
                    .filter(|s| !s.trim().is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let service_need = input
            .service
            .as_ref()
            .and_then(|s| s.need.clone())
            .filter(|n| !n.trim().is_empty());
        let mut timing: Vec<String> = input.appointment_windows.clone();
        timing.extend(input.timeframe.as_ref().and_then(|t| t.description.clone()));
        timing.retain(|t| !t.trim().is_empty());
        Self {
            vehicle,
            service_need,
            timing,
        }
    }
}

/// One message's score and what cost it points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scored {
    /// 0 to 100.
    pub score: u32,
    /// Why points were lost, one short line each.
    pub problems: Vec<String>,
}

/// Scores one message sent on `channel` to a lead with `context`.
pub fn score_message(
    text: &str,
    channel: Channel,
    context: &LeadContext,
    opt_out_required: bool,
    lint: &LintSettings,
) -> Scored {
    let lower = text.to_lowercase();
    let mut problems = Vec::new();
    let mut score = 0;

    let mut facts = 0u32;
    let mut referenced = 0u32;
    let mut missing = Vec::new();
    if !context.vehicle.is_empty() {
        facts += 1;
        if context
            .vehicle
            .iter()
            .any(|w| contains_phrase(&lower, &w.to_lowercase()))
        {
            referenced += 1;
        } else {
            missing.push(format!("the vehicle ({})", context.vehicle.join(" ")));
        }
    }
    if let Some(need) = &context.service_need {
        facts += 1;
        let need = need.to_lowercase();
        let words = need.split_whitespace().filter(|w| w.len() >= 4);
        if contains_phrase(&lower, &need) || words.into_iter().any(|w| contains_phrase(&lower, w)) {
            referenced += 1;
        } else {
            missing.push(format!("the service need ({need})"));
        }
    }
    if !context.timing.is_empty() {
        facts += 1;
        if context
            .timing
            .iter()
            .any(|t| contains_phrase(&lower, &t.to_lowercase()))
        {
            referenced += 1;
        } else {
            missing.push(format!("the timing ({})", context.timing.join(" / ")));
        }
    }
    // A lead that told us nothing cannot be referred to: full marks.
    score += (30 * referenced).checked_div(facts).unwrap_or(30);
    if !missing.is_empty() {
        problems.push(format!("does not mention {}", missing.join(", ")));
    }

    match count_calls_to_action(text, lint) {
        1 => score += 20,
        0 => problems.push("has no call to action".into()),
        n => problems.push(format!("has {n} calls to action")),
    }

    match channel {
        Channel::Sms => {
            let len = sms_length(text);
            if len.segments <= lint.max_sms_segments {
                score += 20;
            } else {
                problems.push(format!(
                    "is {} SMS segments (limit {})",
                    len.segments, lint.max_sms_segments
                ));
            }
        }
        _ => {
            let words = text.split_whitespace().count();
            if words <= MAX_EMAIL_WORDS {
                score += 20;
            } else {
                problems.push(format!("is {words} words (limit {MAX_EMAIL_WORDS})"));
            }
        }
    }

    let pressure: Vec<&str> = lint
        .banned_phrases
        .iter()
        .filter(|p| contains_phrase(&lower, &p.to_lowercase()))
        .map(String::as_str)
        .collect();
    if pressure.is_empty() {
        score += 20;
    } else {
        problems.push(format!(
            "uses pressure language \"{}\"",
            pressure.join("\", \"")
        ));
    }

    if !opt_out_required || lower.contains(&lint.opt_out_words.to_lowercase()) {
        score += 10;
    } else {
        problems.push(format!(
            "lacks the opt-out words \"{}\" on the first text",
            lint.opt_out_words
        ));
    }
    Scored { score, problems }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn crv() -> LeadContext {
        LeadContext {
            vehicle: vec!["Honda".into(), "CR-V".into()],
            service_need: None,
            timing: vec!["Saturday morning".into()],
        }
    }

    #[rstest]
    #[case::perfect(
        "Hi Dana, the CR-V is here Saturday morning. Want to see it? Reply STOP to opt out",
        true,
        100,
        0
    )]
    #[case::half_context("Hi Dana, the CR-V is ready. Want to see it?", false, 85, 1)]
    #[case::no_context_and_two_ctas("Hi Dana! Want to come in? Call me today.", false, 50, 2)]
    #[case::pressure_and_no_opt_out(
        "Act now: the Honda won't last. Come by Saturday morning?",
        true,
        70,
        2
    )]
    fn messages_are_scored_by_the_rubric(
        #[case] text: &str,
        #[case] opt_out: bool,
        #[case] score: u32,
        #[case] problems: usize,
    ) {
        let s = score_message(
            text,
            Channel::Sms,
            &crv(),
            opt_out,
            &LintSettings::default(),
        );
        assert_eq!((s.score, s.problems.len()), (score, problems), "{s:?}");
    }

    #[test]
    fn a_lead_that_told_us_nothing_costs_no_context_points() {
        let s = score_message(
            "Thanks for stopping by. Want to come back?",
            Channel::Sms,
            &LeadContext::default(),
            false,
            &LintSettings::default(),
        );
        assert_eq!(s.score, 100, "{s:?}");
    }

    #[test]
    fn a_service_need_counts_when_its_main_word_appears() {
        let context = LeadContext {
            service_need: Some("brake inspection".into()),
            ..LeadContext::default()
        };
        let s = score_message(
            "Your brakes are due. Book a time?",
            Channel::Email,
            &context,
            false,
            &LintSettings::default(),
        );
        assert!(s.problems[0].contains("service need"), "{s:?}");
        let s = score_message(
            "Time for that brake check. Book a time?",
            Channel::Email,
            &context,
            false,
            &LintSettings::default(),
        );
        assert_eq!(s.score, 100, "{s:?}");
    }
}
