//! `keepwarm outcomes import`: shows, sales and lost deals from a DMS export, row by row.
//!
//! Each row finds its lead by keepwarm's lead id, else by phone number, else by e-mail address, and
//! is recorded like an outcome from the API (`by` and `via` are `import`). Every row gets a report:
//! applied, already recorded (the lead is at that stage or past it — importing the same file again
//! changes nothing), no match, ambiguous (several leads share the phone or address; the report lists
//! them so a person can add the lead id), or invalid (naming the column).

use jiff::Timestamp;
use keepwarm_domain::{EmailAddress, LeadId, PhoneNumber, Stage};
use keepwarm_intake::csv::{parse_written, stage_word, OutcomeCsvRow, WrittenTime};
use serde::Serialize;

use crate::{Engine, EngineError, OutcomeInput, OutcomeResult, Result};

/// What happened to one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowResult {
    /// Recorded now.
    Applied,
    /// A dry run: it would be recorded.
    WouldApply,
    /// The lead is already at that stage or past it.
    AlreadyRecorded,
    /// No lead has that id, phone number or e-mail address.
    NoMatch,
    /// Several leads share the phone number or e-mail address.
    Ambiguous,
    /// A cell cannot be used.
    Invalid,
}

/// The report on one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutcomeRowReport {
    /// The spreadsheet row.
    pub line: usize,
    /// What happened.
    pub result: RowResult,
    /// The lead it matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead_id: Option<i64>,
    /// The stage it records.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// What matched (`lead id`, `phone`, `email`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_on: Option<&'static str>,
    /// The column at fault (invalid rows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Why, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The leads an ambiguous row could mean.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<i64>,
}

impl OutcomeRowReport {
    fn new(line: usize, result: RowResult) -> Self {
        Self {
            line,
            result,
            lead_id: None,
            stage: None,
            matched_on: None,
            field: None,
            message: None,
            candidates: Vec::new(),
        }
    }

    fn invalid(line: usize, field: &str, message: String) -> Self {
        Self {
            field: Some(field.to_owned()),
            message: Some(message),
            ..Self::new(line, RowResult::Invalid)
        }
    }
}

/// How a row found (or did not find) its lead.
enum Found {
    Lead(LeadId, &'static str),
    Nothing(String),
    Several(Vec<i64>, &'static str),
    Invalid(&'static str, String),
}

impl Engine {
    /// Imports outcome rows (see the module documentation); with `dry_run` nothing is recorded.
    pub async fn import_outcomes(
        &self,
        rows: &[OutcomeCsvRow],
        dry_run: bool,
    ) -> Result<Vec<OutcomeRowReport>> {
        let mut reports = Vec::with_capacity(rows.len());
        for row in rows {
            reports.push(self.import_outcome_row(row, dry_run).await?);
        }
        Ok(reports)
    }

    async fn import_outcome_row(
        &self,
        row: &OutcomeCsvRow,
        dry_run: bool,
    ) -> Result<OutcomeRowReport> {
        let line = row.line;
        let Some(raw_stage) = row.stage.as_deref() else {
            return Ok(OutcomeRowReport::invalid(line, "stage", "is empty".into()));
        };
        let Some(stage) = stage_word(raw_stage) else {
            return Ok(OutcomeRowReport::invalid(
                line,
                "stage",
                format!("`{raw_stage}` is not showed, sold or lost"),
            ));
        };
        let (lead_id, matched_on) = match self.find_row_lead(row).await? {
            Found::Lead(id, how) => (id, how),
            Found::Invalid(field, message) => {
                return Ok(OutcomeRowReport::invalid(line, field, message))
            }
            Found::Nothing(message) => {
                return Ok(OutcomeRowReport {
                    message: Some(message),
                    stage: Some(stage),
                    ..OutcomeRowReport::new(line, RowResult::NoMatch)
                })
            }
            Found::Several(candidates, how) => {
                return Ok(OutcomeRowReport {
                    message: Some(format!(
                        "several leads have this {how}; add a lead_id column"
                    )),
                    stage: Some(stage),
                    candidates,
                    matched_on: Some(how),
                    ..OutcomeRowReport::new(line, RowResult::Ambiguous)
                })
            }
        };
        let matched = OutcomeRowReport {
            lead_id: Some(lead_id.0),
            stage: Some(stage),
            matched_on: Some(matched_on),
            ..OutcomeRowReport::new(line, RowResult::Applied)
        };
        let lead = self
            .store()
            .lead(lead_id)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("lead {lead_id}")))?;
        let at = match row
            .at
            .as_deref()
            .map(|raw| self.row_instant(raw, &lead.dealership))
        {
            None => None,
            Some(Ok(at)) => Some(at),
            Some(Err(message)) => {
                return Ok(OutcomeRowReport {
                    result: RowResult::Invalid,
                    field: Some("at".into()),
                    message: Some(message),
                    ..matched
                })
            }
        };
        let past = stage != Stage::Lost && (stage <= lead.stage || lead.stage == Stage::Lost);
        if past || (stage == Stage::Lost && lead.stage == Stage::Lost) {
            return Ok(OutcomeRowReport {
                result: RowResult::AlreadyRecorded,
                message: Some(format!("lead {lead_id} is already {}", lead.stage)),
                ..matched
            });
        }
        if dry_run {
            return Ok(OutcomeRowReport {
                result: RowResult::WouldApply,
                ..matched
            });
        }
        let input = OutcomeInput {
            stage,
            at,
            reason: row.reason.clone(),
            appointment: None,
            by: "import".into(),
            via: "import".into(),
        };
        Ok(match self.record_outcome(lead_id, input).await {
            Ok(OutcomeResult::Applied) => matched,
            Ok(OutcomeResult::AlreadyRecorded) | Err(EngineError::Conflict(_)) => {
                OutcomeRowReport {
                    result: RowResult::AlreadyRecorded,
                    ..matched
                }
            }
            Err(EngineError::Validation(problems)) => {
                let first = problems.into_iter().next();
                OutcomeRowReport {
                    result: RowResult::Invalid,
                    field: first.as_ref().map(|p| p.field.clone()),
                    message: first.map(|p| p.message),
                    ..matched
                }
            }
            Err(e) => return Err(e),
        })
    }

    /// The lead a row means: by lead id, else phone, else e-mail.
    async fn find_row_lead(&self, row: &OutcomeCsvRow) -> Result<Found> {
        if let Some(raw) = row.lead_id.as_deref() {
            let Some(id) = raw.parse::<i64>().ok().filter(|n| *n > 0) else {
                return Ok(Found::Invalid(
                    "lead_id",
                    format!("`{raw}` is not a lead id"),
                ));
            };
            return Ok(match self.store().lead(LeadId(id)).await? {
                Some(_) => Found::Lead(LeadId(id), "lead id"),
                None => Found::Nothing(format!("no lead {id}")),
            });
        }
        let region = self
            .config()
            .dealerships
            .first()
            .map_or("US", |d| d.country.as_str());
        let mut tried = Vec::new();
        if let Some(raw) = row.phone.as_deref() {
            let phone = match PhoneNumber::parse(raw, region) {
                Ok(p) => p,
                Err(e) => return Ok(Found::Invalid("phone", format!("`{raw}`: {e}"))),
            };
            let mut leads: Vec<i64> = self
                .store()
                .leads_with_phone(&phone)
                .await?
                .into_iter()
                .map(|l| l.0)
                .collect();
            leads.sort_unstable();
            leads.dedup();
            match leads.as_slice() {
                [one] => return Ok(Found::Lead(LeadId(*one), "phone")),
                [] => tried.push(format!("phone {}", phone.as_str())),
                _ => return Ok(Found::Several(leads, "phone")),
            }
        }
        if let Some(raw) = row.email.as_deref() {
            let email = match EmailAddress::parse(raw) {
                Ok(e) => e,
                Err(e) => return Ok(Found::Invalid("email", format!("`{raw}`: {e}"))),
            };
            let mut leads = Vec::new();
            for d in &self.config().dealerships {
                if let Some(m) = self
                    .store()
                    .find_match(&d.id, &[], std::slice::from_ref(&email))
                    .await?
                {
                    leads.push(m.lead.0);
                }
            }
            match leads.as_slice() {
                [one] => return Ok(Found::Lead(LeadId(*one), "email")),
                [] => tried.push(format!("e-mail {}", email.as_str())),
                _ => return Ok(Found::Several(leads, "email")),
            }
        }
        Ok(Found::Nothing(if tried.is_empty() {
            "no lead_id, phone or email to find the lead by".into()
        } else {
            format!("no lead with {}", tried.join(" or "))
        }))
    }

    /// A row's `at`: an instant as written, or a local time in the lead's dealership's zone.
    fn row_instant(&self, raw: &str, dealership: &str) -> std::result::Result<Timestamp, String> {
        match parse_written(raw).map_err(|e| format!("`{raw}` is {e}"))? {
            WrittenTime::Instant(t) => Ok(t),
            WrittenTime::Local(dt) => {
                let zone = self
                    .config()
                    .dealership(Some(dealership))
                    .map(|d| d.time_zone.clone())
                    .unwrap_or(jiff::tz::TimeZone::UTC);
                zone.to_timestamp(dt)
                    .map_err(|e| format!("`{raw}` is out of range ({e})"))
            }
        }
    }
}
