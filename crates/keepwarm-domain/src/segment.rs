//! Segmentation: exactly one segment per lead, by ordered rules on source kind, lead age and service
//! context. The first rule that matches wins; the fallback segment takes the rest. The rule that fired
//! is returned so it can go on the timeline.

use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::lead::{LeadInput, SourceKind};

/// A segment: a kind of lead with its own cadence, hours and team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// Its name (`new_inquiry`, ...).
    pub name: String,
    /// The cadence its leads are enrolled in.
    pub cadence: String,
    /// Which of the dealership's business hours apply (`sales`, `service`).
    pub hours: String,
    /// What it is for, in a sentence.
    pub description: String,
}

/// One segmentation rule. Every condition given must hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentRule {
    /// The rule's name, shown on the timeline.
    pub name: String,
    /// The segment it assigns.
    pub segment: String,
    /// Source kinds it applies to (any when empty).
    pub source_kinds: Vec<SourceKind>,
    /// The lead must be at least this many days old.
    pub min_age_days: Option<u32>,
    /// The lead must be at most this many days old.
    pub max_age_days: Option<u32>,
    /// The last service visit must be at least this many days ago (and known).
    pub service_visit_older_than_days: Option<u32>,
    /// The lead must have no appointment.
    pub without_appointment: bool,
}

/// Facts about a lead that rules look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeadFacts {
    /// Source kind.
    pub source: SourceKind,
    /// When it came in.
    pub received_at: Timestamp,
    /// Last service visit, if known.
    pub service_last_visit: Option<Timestamp>,
    /// Whether an appointment is already set.
    pub has_appointment: bool,
}

impl LeadFacts {
    /// The facts of a new lead document; `received_at` defaults to `now`.
    pub fn of(input: &LeadInput, now: Timestamp) -> Self {
        Self {
            source: input.source.kind,
            received_at: input.received_at.unwrap_or(now),
            service_last_visit: input.service.as_ref().and_then(|s| s.last_visit_at),
            has_appointment: false,
        }
    }
}

impl SegmentRule {
    /// Whether the rule holds for `facts` at `now`.
    pub fn matches(&self, facts: &LeadFacts, now: Timestamp) -> bool {
        if !self.source_kinds.is_empty() && !self.source_kinds.contains(&facts.source) {
            return false;
        }
        let age_days = days_between(facts.received_at, now);
        if self.min_age_days.is_some_and(|d| age_days < d as i64) {
            return false;
        }
        if self.max_age_days.is_some_and(|d| age_days > d as i64) {
            return false;
        }
        if let Some(days) = self.service_visit_older_than_days {
            match facts.service_last_visit {
                Some(visit) if days_between(visit, now) >= days as i64 => {}
                _ => return false,
            }
        }
        !(self.without_appointment && facts.has_appointment)
    }
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
fn days_between(from: Timestamp, to: Timestamp) -> i64 {
    to.since(from)
        .ok()
        .and_then(|span| span.total(jiff::Unit::Hour).ok())
        .map_or(0, |hours| (hours / 24.0).floor() as i64)
}

/// Which segment a lead is in and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segmentation {
    /// The segment.
    pub segment: String,
    /// The rule that fired, or `fallback`.
    pub rule: String,
}

/// Applies `rules` in order; `fallback` takes leads no rule matches.
pub fn segment_lead(
    facts: &LeadFacts,
    rules: &[SegmentRule],
    fallback: &str,
    now: Timestamp,
) -> Segmentation {
    rules
        .iter()
        .find(|r| r.matches(facts, now))
        .map(|r| Segmentation {
            segment: r.segment.clone(),
            rule: r.name.clone(),
        })
        .unwrap_or_else(|| Segmentation {
            segment: fallback.to_owned(),
            rule: "fallback".to_owned(),
        })
}

/// `now` minus `days` days, for tests and callers that build facts.
pub fn days_before(now: Timestamp, days: i64) -> Timestamp {
    now.checked_sub((days * 24).hours()).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn rules() -> Vec<SegmentRule> {
        let rule = |name: &str, segment: &str, kinds: &[SourceKind]| SegmentRule {
            name: name.into(),
            segment: segment.into(),
            source_kinds: kinds.to_vec(),
            min_age_days: None,
            max_age_days: None,
            service_visit_older_than_days: None,
            without_appointment: false,
        };
        vec![
            SegmentRule {
                service_visit_older_than_days: Some(365),
                ..rule(
                    "lapsed-service",
                    "service_defection",
                    &[SourceKind::Service, SourceKind::Import],
                )
            },
            rule("showroom", "unsold_showroom", &[SourceKind::WalkIn]),
            SegmentRule {
                min_age_days: Some(30),
                without_appointment: true,
                ..rule(
                    "aged",
                    "aged_internet",
                    &[SourceKind::Internet, SourceKind::Import],
                )
            },
            rule(
                "fresh",
                "new_inquiry",
                &[SourceKind::Internet, SourceKind::Phone, SourceKind::Sms],
            ),
        ]
    }

    fn now() -> Timestamp {
        "2026-11-25T15:00:00Z".parse().unwrap()
    }

    #[rstest]
    #[case(SourceKind::Internet, 0, None, "new_inquiry", "fresh")]
    #[case(SourceKind::Internet, 29, None, "new_inquiry", "fresh")]
    #[case(SourceKind::Internet, 30, None, "aged_internet", "aged")]
    #[case(SourceKind::WalkIn, 1, None, "unsold_showroom", "showroom")]
    #[case(
        SourceKind::Service,
        0,
        Some(400),
        "service_defection",
        "lapsed-service"
    )]
    #[case(SourceKind::Service, 0, Some(100), "new_inquiry", "fallback")]
    #[case(SourceKind::Import, 90, None, "aged_internet", "aged")]
    #[case(
        SourceKind::Import,
        90,
        Some(500),
        "service_defection",
        "lapsed-service"
    )]
    fn leads_are_segmented(
        #[case] source: SourceKind,
        #[case] age: i64,
        #[case] visit_days_ago: Option<i64>,
        #[case] segment: &str,
        #[case] rule: &str,
    ) {
        let facts = LeadFacts {
            source,
            received_at: days_before(now(), age),
            service_last_visit: visit_days_ago.map(|d| days_before(now(), d)),
            has_appointment: false,
        };
        let s = segment_lead(&facts, &rules(), "new_inquiry", now());
        assert_eq!((s.segment.as_str(), s.rule.as_str()), (segment, rule));
    }
}
