//! The contact rules as data: the built-in table (`data/compliance_rules.toml`, embedded and parsed
//! once) and the dealer's override file, merged into one [`RuleTable`].
//!
//! Each [`Rule`] is one figure — hours on some days, a holiday calendar, a frequency cap, a consent
//! basis, an opt-out hold — with its citation and the dates it is in force. This module only parses
//! and validates; deciding which rows apply to a recipient is [`super::apply`]'s job.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;
use crate::hours::{DayHours, WeeklyHours};

/// The built-in table's text.
pub const BUILT_IN: &str = include_str!("../../data/compliance_rules.toml");

/// The built-in table, parsed once. A broken built-in table is a build defect, caught by the tests.
pub static BUILT_IN_TABLE: LazyLock<RuleTable> =
    LazyLock::new(|| RuleTable::parse(BUILT_IN).unwrap_or_default());

/// How strong a consent must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Consent given in any form (a form submission, a text to the dealership).
    Express,
    /// Signed written consent naming the dealership and the number (47 CFR 64.1200(f)(9)).
    ExpressWritten,
}

/// What one row of the table limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Limit {
    /// Contact on `days` only within `hours` (`None`: not at all), local time.
    Hours {
        /// The weekdays the row limits (Monday first).
        days: [bool; 7],
        /// The allowed interval, or `None` for closed.
        hours: Option<DayHours>,
    },
    /// No contact on these dates.
    Holidays {
        /// The named calendar, if any.
        calendar: Option<String>,
        /// Its dates and any extra ones.
        #[serde(skip)]
        dates: Calendar,
    },
    /// At most `max` automated solicitations per `per_hours` to one person.
    Cap {
        /// The most that may go.
        max: u32,
        /// In how many hours (a rolling period).
        per_hours: u32,
    },
    /// An automated marketing call or text needs at least this consent.
    Consent {
        /// The basis required.
        basis: Basis,
    },
    /// How fast a stop request is honoured and how long it is kept.
    OptOut {
        /// Business days within which it must be honoured.
        honour_business_days: u32,
        /// Years it must be kept.
        keep_years: u32,
    },
}

/// One row of the table: one figure with its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Unique id (`US-FL.hours`); an override row with the same id replaces this one.
    pub id: String,
    /// The jurisdiction (`US`, `US-FL`, `CA`).
    pub jurisdiction: String,
    /// What it limits.
    #[serde(flatten)]
    pub limit: Limit,
    /// Where the figure comes from.
    pub citation: String,
    /// The first date it is in force.
    pub effective: Date,
    /// The first date it is no longer in force.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<Date>,
    /// Whether the figure was read in the cited text when the row was written.
    pub verified: bool,
    /// `built-in` or the override file's name.
    pub origin: String,
}

impl Rule {
    /// Whether the rule is in force on `date`.
    pub fn in_force(&self, date: Date) -> bool {
        date >= self.effective && self.until.is_none_or(|u| date < u)
    }

    /// The weekly hours this row allows: the days it limits as it says, every other day open.
    pub fn weekly_hours(&self) -> Option<WeeklyHours> {
        let Limit::Hours { days, hours } = &self.limit else {
            return None;
        };
        let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        let texts: Vec<(&str, String)> = names
            .iter()
            .zip(days)
            .map(|(name, limited)| {
                let text = match (limited, hours) {
                    (false, _) => "00:00-24:00".to_owned(),
                    (true, Some(h)) => h.to_string(),
                    (true, None) => "closed".to_owned(),
                };
                (*name, text)
            })
            .collect();
        WeeklyHours::from_days(texts.iter().map(|(d, t)| (*d, t.as_str()))).ok()
    }
}

/// The table in force: jurisdictions' names and every row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RuleTable {
    /// Jurisdiction id to its name.
    pub jurisdictions: BTreeMap<String, String>,
    /// Every row, in file order (override rows replace in place or follow).
    pub rules: Vec<Rule>,
}

/// Why a rules file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    /// The file is not TOML of the table's shape.
    #[error("{0}")]
    Syntax(String),
    /// A row is not valid; the message names the row and the field.
    #[error("rule `{id}`: {message}")]
    Row {
        /// The row's id.
        id: String,
        /// What is wrong.
        message: String,
    },
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    #[serde(default)]
    jurisdictions: BTreeMap<String, String>,
    #[serde(default)]
    calendars: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    jurisdiction: String,
    kind: String,
    days: Option<String>,
    hours: Option<String>,
    calendar: Option<String>,
    #[serde(default)]
    dates: Vec<String>,
    max: Option<u32>,
    per_hours: Option<u32>,
    basis: Option<Basis>,
    honour_business_days: Option<u32>,
    keep_years: Option<u32>,
    citation: Option<String>,
    effective: Option<String>,
    until: Option<String>,
    #[serde(default)]
    verified: bool,
}

impl RuleTable {
    /// Parses a table from its TOML text.
    pub fn parse(text: &str) -> Result<Self, RulesError> {
        Self::default().merged(text, "built-in")
    }

    /// This table with `text`'s rows laid over it: a row with an existing id replaces it, others are
    /// added; jurisdictions' names and calendars are added to.
    pub fn merged(&self, text: &str, origin: &str) -> Result<Self, RulesError> {
        let raw: RawTable = toml::from_str(text).map_err(|e| RulesError::Syntax(e.to_string()))?;
        let mut out = self.clone();
        out.jurisdictions.extend(raw.jurisdictions);
        for row in raw.rule {
            let rule = build_rule(row, &raw.calendars, origin)?;
            match out.rules.iter_mut().find(|r| r.id == rule.id) {
                Some(existing) => *existing = rule,
                None => out.rules.push(rule),
            }
        }
        Ok(out)
    }

    /// The rows of `jurisdiction` in force on `date`.
    pub fn rows_of<'a>(
        &'a self,
        jurisdiction: &'a str,
        date: Date,
    ) -> impl Iterator<Item = &'a Rule> + 'a {
        self.rules
            .iter()
            .filter(move |r| r.jurisdiction == jurisdiction && r.in_force(date))
    }

    /// The longest period of any frequency cap, in hours (0 with no caps): how far back the sends
    /// counted against them must be read.
    pub fn longest_cap_hours(&self) -> u32 {
        self.rules
            .iter()
            .filter_map(|r| match r.limit {
                Limit::Cap { per_hours, .. } => Some(per_hours),
                _ => None,
            })
            .max()
            .unwrap_or(0)
    }

    /// Whether the table has rows for `jurisdiction`.
    pub fn knows(&self, jurisdiction: &str) -> bool {
        self.rules.iter().any(|r| r.jurisdiction == jurisdiction)
    }
}

fn build_rule(
    row: RawRule,
    calendars: &BTreeMap<String, Vec<String>>,
    origin: &str,
) -> Result<Rule, RulesError> {
    let id = row.id.clone();
    let bad = |message: String| RulesError::Row {
        id: id.clone(),
        message,
    };
    let need = |field: &str| bad(format!("kind `{}` needs `{field}`", row.kind));
    let limit = match row.kind.as_str() {
        "hours" => {
            let days =
                parse_days(row.days.as_deref().ok_or_else(|| need("days"))?).ok_or_else(|| {
                    bad(format!(
                        "days: `{}` is not a day or range",
                        row.days.clone().unwrap_or_default()
                    ))
                })?;
            let text = row.hours.as_deref().ok_or_else(|| need("hours"))?;
            let hours = if text.trim().eq_ignore_ascii_case("closed") {
                None
            } else {
                Some(DayHours::parse(text).map_err(|e| bad(format!("hours: {e}")))?)
            };
            Limit::Hours { days, hours }
        }
        "holidays" => {
            let mut entries = row.dates.clone();
            if let Some(name) = &row.calendar {
                let named = calendars
                    .get(name)
                    .or_else(|| BUILT_IN_CALENDARS.get(name))
                    .ok_or_else(|| bad(format!("calendar: no calendar named `{name}`")))?;
                entries.extend(named.iter().cloned());
            }
            let dates = Calendar::parse(&entries).map_err(|e| bad(format!("dates: {e}")))?;
            Limit::Holidays {
                calendar: row.calendar.clone(),
                dates,
            }
        }
        "cap" => {
            let max = row.max.ok_or_else(|| need("max"))?;
            let per_hours = row.per_hours.ok_or_else(|| need("per_hours"))?;
            if max == 0 || per_hours == 0 {
                return Err(bad("max and per_hours must be at least 1".into()));
            }
            Limit::Cap { max, per_hours }
        }
        "consent" => Limit::Consent {
            basis: row.basis.ok_or_else(|| need("basis"))?,
        },
        "opt_out" => Limit::OptOut {
            honour_business_days: row
                .honour_business_days
                .ok_or_else(|| need("honour_business_days"))?,
            keep_years: row.keep_years.ok_or_else(|| need("keep_years"))?,
        },
        other => {
            return Err(bad(format!(
                "kind: `{other}` is not one of hours, holidays, cap, consent, opt_out"
            )))
        }
    };
    let citation = row
        .citation
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| bad("every figure needs its `citation`".into()))?;
    let date = |field: &str, text: &str| {
        text.parse::<Date>()
            .map_err(|_| bad(format!("{field}: `{text}` is not a date (YYYY-MM-DD)")))
    };
    let effective = date(
        "effective",
        row.effective
            .as_deref()
            .ok_or_else(|| bad("every figure needs its `effective` date".into()))?,
    )?;
    let until = row.until.as_deref().map(|u| date("until", u)).transpose()?;
    Ok(Rule {
        id: row.id,
        jurisdiction: row.jurisdiction,
        limit,
        citation,
        effective,
        until,
        verified: row.verified,
        origin: origin.to_owned(),
    })
}

/// The calendars of the built-in table, so an override row may name them.
static BUILT_IN_CALENDARS: LazyLock<BTreeMap<String, Vec<String>>> = LazyLock::new(|| {
    toml::from_str::<RawTable>(BUILT_IN)
        .map(|t| t.calendars)
        .unwrap_or_default()
});

/// `all`, a day (`sun`), or a range (`mon-fri`, `sat-sun`) as limited weekdays, Monday first.
fn parse_days(text: &str) -> Option<[bool; 7]> {
    let text = text.trim().to_ascii_lowercase();
    let mut days = [false; 7];
    if text == "all" {
        return Some([true; 7]);
    }
    let (a, b) = text.split_once('-').unwrap_or((&text, &text));
    let (a, b) = (
        crate::hours::day_index(a).filter(|_| a.len() == 3)?,
        crate::hours::day_index(b).filter(|_| b.len() == 3)?,
    );
    if a > b {
        return None;
    }
    days[a..=b].iter_mut().for_each(|d| *d = true);
    Some(days)
}

/// The weekday names for a row's days, for printing (`mon-fri`, `sun`, `all`).
pub fn days_text(days: &[bool; 7]) -> String {
    const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    if days.iter().all(|d| *d) {
        return "all".into();
    }
    let first = days.iter().position(|d| *d);
    let last = days.iter().rposition(|d| *d);
    match (first, last) {
        (Some(a), Some(b)) if a == b => NAMES[a].to_owned(),
        (Some(a), Some(b)) if days[a..=b].iter().all(|d| *d) => {
            format!("{}-{}", NAMES[a], NAMES[b])
        }
        _ => NAMES
            .iter()
            .zip(days)
            .filter(|(_, d)| **d)
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(","),
    }
}
