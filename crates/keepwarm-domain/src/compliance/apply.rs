//! Which rows of the table apply to a recipient, and what they become: the phone channels' parts of
//! the contact window and the frequency caps.
//!
//! Every row of every applicable jurisdiction applies, so the strictest wins in each dimension:
//! hours intersect (each row is its own part of the window, read in each of the recipient's zones),
//! holidays add up, every cap is checked and the tightest one binds, the strongest consent basis is
//! the one required. A recipient whose jurisdictions are unknown gets every row of the table — the
//! intersection of all of them, never the laxest.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

use super::rules::{Basis, Limit, Rule, RuleTable};
use crate::hours::WeeklyHours;
use crate::window::{Scope, ZoneHours};

/// The rows that apply to one recipient.
#[derive(Debug, Clone)]
pub struct Applicable<'a> {
    /// The jurisdictions whose rows apply (each region and its country), sorted.
    pub jurisdictions: Vec<String>,
    /// The recipient's location was unknown, so every row applies.
    pub fallback: bool,
    /// The rows.
    pub rules: Vec<&'a Rule>,
}

/// A frequency cap in force: at most `max` per `per_hours`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cap {
    /// The rule's id (`US-FL.cap`).
    pub id: String,
    /// The most that may go in the period.
    pub max: u32,
    /// The rolling period, in hours.
    pub per_hours: u32,
}

/// The rows of `table` for a recipient in `regions` (`US-FL`, `CA-ON`; empty when unknown).
pub fn applicable<'a>(table: &'a RuleTable, regions: &[String]) -> Applicable<'a> {
    let mut jurisdictions: Vec<String> = regions
        .iter()
        .flat_map(|r| {
            let country = r.split('-').next().unwrap_or(r).to_owned();
            [country, r.clone()]
        })
        .collect();
    let fallback = jurisdictions.is_empty();
    if fallback {
        jurisdictions = table.rules.iter().map(|r| r.jurisdiction.clone()).collect();
    }
    jurisdictions.sort();
    jurisdictions.dedup();
    let rules = table
        .rules
        .iter()
        .filter(|r| jurisdictions.contains(&r.jurisdiction))
        .collect();
    Applicable {
        jurisdictions,
        fallback,
        rules,
    }
}

impl Applicable<'_> {
    /// The window parts for calls and texts: each hours or holidays row, read in each zone, limiting
    /// only the dates it is in force.
    pub fn phone_parts(&self, zones: &[TimeZone]) -> Vec<ZoneHours> {
        let mut parts = Vec::new();
        for zone in zones {
            for rule in &self.rules {
                let (hours, holidays) = match &rule.limit {
                    Limit::Hours { .. } => (rule.weekly_hours(), None),
                    Limit::Holidays { dates, .. } => {
                        (Some(WeeklyHours::always()), Some(dates.clone()))
                    }
                    _ => continue,
                };
                let Some(hours) = hours else { continue };
                let mut part = ZoneHours::new(zone.clone(), hours);
                part.holidays = holidays;
                part.scope = Scope::Phone;
                part.from = Some(rule.effective);
                part.until = rule.until;
                part.source = rule.id.clone();
                parts.push(part);
            }
        }
        parts
    }

    /// The caps, each with the dates it is in force (from, until).
    pub fn caps(&self) -> Vec<(Cap, Date, Option<Date>)> {
        self.rules
            .iter()
            .filter_map(|r| match r.limit {
                Limit::Cap { max, per_hours } => Some((
                    Cap {
                        id: r.id.clone(),
                        max,
                        per_hours,
                    },
                    r.effective,
                    r.until,
                )),
                _ => None,
            })
            .collect()
    }

    /// The consent bases required of an automated marketing call or text, each with its rule's id
    /// and the dates it is in force (from, until).
    pub fn consents(&self) -> Vec<(Basis, String, Date, Option<Date>)> {
        self.rules
            .iter()
            .filter_map(|r| match r.limit {
                Limit::Consent { basis } => Some((basis, r.id.clone(), r.effective, r.until)),
                _ => None,
            })
            .collect()
    }

    /// The strongest consent basis required on `date` for an automated marketing call or text.
    pub fn consent(&self, date: Date) -> Option<(Basis, &Rule)> {
        self.rules
            .iter()
            .filter(|r| r.in_force(date))
            .filter_map(|r| match r.limit {
                Limit::Consent { basis } => Some((basis, *r)),
                _ => None,
            })
            .max_by_key(|(b, _)| *b)
    }
}

/// The first instant at or after `now` at which one more send keeps every cap: with `sent` the
/// earlier sends to the person (any order), a cap of `max` per `per_hours` is full while `max`
/// of them are within the last `per_hours`; it frees when the oldest of those leaves the period.
/// Returns the instant and the cap that held it, or `None` when no cap holds.
pub fn cap_release<'c>(
    caps: &'c [Cap],
    sent: &[Timestamp],
    now: Timestamp,
) -> Option<(Timestamp, &'c Cap)> {
    let mut sorted: Vec<Timestamp> = sent.iter().copied().filter(|t| *t <= now).collect();
    sorted.sort();
    caps.iter()
        .filter_map(|cap| {
            let period = (i64::from(cap.per_hours)).hours();
            let since = now.checked_sub(period).ok()?;
            let within: Vec<Timestamp> = sorted.iter().copied().filter(|t| *t > since).collect();
            let max = cap.max as usize;
            if within.len() < max {
                return None;
            }
            let oldest_that_counts = within[within.len() - max];
            Some((oldest_that_counts.checked_add(period).ok()?, cap))
        })
        .max_by_key(|(t, _)| *t)
}
