//! "Why did this touch go, wait or not go?": which rows of the table were evaluated for a recipient,
//! for which zones and jurisdictions, and what the gate says now. Pure: the engine gathers the facts
//! (the touch, the lead's phone and address, the consent ledger, the recent sends) and asks.

use jiff::Timestamp;
use serde::Serialize;

use super::apply::applicable;
use super::place::Recipient;
use super::rules::{days_text, Limit, Rule, RuleTable};
use super::{check, Check, MessagePurpose, Verdict};

/// One row that applied, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AppliedRule {
    /// The row's id (`US-FL.hours`).
    pub id: String,
    /// Its jurisdiction.
    pub jurisdiction: String,
    /// What it limits (`all 08:00-20:00`, `at most 3 per 24 h`).
    pub limit: String,
    /// Its citation.
    pub citation: String,
    /// Whether it is in force at the instant explained.
    pub in_force: bool,
    /// Whether the figure was checked against its source.
    pub verified: bool,
}

/// The explanation of one touch's compliance at one instant.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Explanation {
    /// The instant the gate was asked about.
    pub at: Timestamp,
    /// The zones the recipient may be in.
    pub zones: Vec<String>,
    /// The recipient's jurisdictions from the area code and the address (empty: unknown).
    pub recipient_jurisdictions: Vec<String>,
    /// The jurisdictions whose rows were evaluated (every one, when the recipient's are unknown).
    pub evaluated_jurisdictions: Vec<String>,
    /// The location was unknown, so every row applied.
    pub fallback: bool,
    /// Sends to the person within the longest cap's period, counted against the caps.
    pub recent_sends: usize,
    /// What the touch's block says it is for (the caps, the consent basis and the do-not-call list
    /// apply to automated marketing calls and texts).
    pub purpose: MessagePurpose,
    /// The consent basis the contact's evidence gives this channel and dealership
    /// (`express_written`, `express`, `none`).
    pub consent_basis: String,
    /// The rows evaluated.
    pub rules: Vec<AppliedRule>,
    /// What the gate says at `at`.
    #[schema(value_type = Object)]
    pub verdict: Verdict,
}

/// A row's limit in words.
pub fn limit_text(rule: &Rule) -> String {
    match &rule.limit {
        Limit::Hours { days, hours } => format!(
            "{} {}",
            days_text(days),
            hours.map_or("closed".to_owned(), |h| h.to_string())
        ),
        Limit::Holidays { calendar, .. } => format!(
            "closed on holidays ({})",
            calendar.as_deref().unwrap_or("listed dates")
        ),
        Limit::Cap { max, per_hours } => format!("at most {max} per {per_hours} h"),
        Limit::Consent { basis } => match basis {
            super::rules::Basis::Express => "consent: express".into(),
            super::rules::Basis::ExpressWritten => "consent: express_written".into(),
        },
        Limit::OptOut {
            honour_business_days,
            keep_years,
        } => format!("stop within {honour_business_days} business days, kept {keep_years} y"),
    }
}

/// Explains `c` for a recipient at `at`: the rows of `table` that apply and the gate's verdict.
pub fn explain(
    table: &RuleTable,
    recipient: &Recipient,
    c: &Check<'_>,
    at: Timestamp,
) -> Explanation {
    let rows = applicable(table, &recipient.jurisdictions);
    let date = at.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    Explanation {
        at,
        zones: recipient.zones.clone(),
        recipient_jurisdictions: recipient.jurisdictions.clone(),
        evaluated_jurisdictions: rows.jurisdictions.clone(),
        fallback: rows.fallback,
        recent_sends: c.sent_recently.len(),
        purpose: c.message,
        consent_basis: super::consent::basis_text(c.basis).to_owned(),
        rules: rows
            .rules
            .iter()
            .map(|r| AppliedRule {
                id: r.id.clone(),
                jurisdiction: r.jurisdiction.clone(),
                limit: limit_text(r),
                citation: r.citation.clone(),
                in_force: r.in_force(date),
                verified: r.verified,
            })
            .collect(),
        verdict: check(c, at),
    }
}
