//! Bulk import (CSV lists of aged leads and service customers): the same rules as single intake —
//! segment, owner, enrollment, duplicate matching — applied a chunk at a time, with new leads stored
//! in one transaction per chunk. Rows are idempotent by key: importing a file twice creates nothing
//! new.

use std::collections::{BTreeMap, HashMap, HashSet};

use keepwarm_domain::dedupe::{decide_intake, IntakeDecision};
use keepwarm_domain::lead::NewLead;
use keepwarm_domain::segment::{segment_lead, LeadFacts};
use keepwarm_domain::LeadId;
use serde::Serialize;

use crate::ingest::{IngestOptions, IngestOutcome};
use crate::{Engine, EngineError, Result};

/// One row to import.
#[derive(Debug, Clone)]
pub struct ImportRow {
    /// A stable key of the row's content (importing the same row twice is a no-op).
    pub key: String,
    /// The row as a validated lead.
    pub lead: NewLead,
    /// Where it came from.
    pub options: IngestOptions,
}

/// What happened to one row.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum RowOutcome {
    /// Stored, merged or re-opened.
    Ingested(IngestOutcome),
    /// Imported before; nothing done.
    AlreadyImported,
    /// Refused (the dealership is unknown, a date is in the future, ...).
    Refused {
        /// Why.
        message: String,
    },
}

impl Engine {
    /// Imports a chunk of rows; the answer has one outcome per row, in order. Call it with chunks of
    /// a few hundred to a few thousand rows.
    pub async fn import_chunk(&self, rows: Vec<ImportRow>) -> Result<Vec<RowOutcome>> {
        let keys: Vec<String> = rows.iter().map(|r| r.key.clone()).collect();
        let seen = self.store().imported_rows(&keys).await?;
        let _guard = self.intake_lock.lock().await;
        let now = self.now();
        let config = self.config();
        let mut outcomes: Vec<Option<RowOutcome>> = vec![None; rows.len()];
        // First pass: decide every row; new leads are planned later, in bulk.
        let mut creates: Vec<usize> = Vec::new();
        let mut pending_contacts: HashSet<String> = HashSet::new();
        let mut in_file: HashSet<&str> = HashSet::new();
        for (i, row) in rows.iter().enumerate() {
            if seen.contains(&row.key) || !in_file.insert(row.key.as_str()) {
                outcomes[i] = Some(RowOutcome::AlreadyImported);
                continue;
            }
            let dealership = match self.dealership_of(&row.lead.input) {
                Ok(d) => d.clone(),
                Err(e) => {
                    outcomes[i] = Some(RowOutcome::Refused { message: e.to_string() });
                    continue;
                }
            };
            let contacts: Vec<String> = row
                .lead
                .phones
                .iter()
                .map(|p| p.as_str().to_owned())
                .chain(row.lead.emails.iter().map(|e| e.match_key()))
                .collect();
            if contacts.iter().any(|c| pending_contacts.contains(c)) {
                // The same person twice in one chunk: store what is pending so the match sees it.
                self.store_creates(&rows, &mut creates, &mut outcomes, now).await?;
                pending_contacts.clear();
            }
            let received_at = row.lead.input.received_at.unwrap_or(now);
            if received_at > now + jiff::SignedDuration::from_mins(5) {
                outcomes[i] = Some(RowOutcome::Refused { message: format!("received_at: {received_at} is in the future") });
                continue;
            }
            let candidate = self.store().find_match(&dealership.id, &row.lead.phones, &row.lead.emails).await?;
            let decision = decide_intake(candidate.as_ref(), received_at, config.duplicate_window_days, row.options.resend);
            let result = match decision {
                IntakeDecision::Create => {
                    creates.push(i);
                    pending_contacts.extend(contacts);
                    continue;
                }
                IntakeDecision::Merge { lead, reason } => {
                    self.merge(&row.lead, &row.options, lead, "merged", reason, None, now).await
                }
                IntakeDecision::MergeForOwner { lead, reason } => {
                    self.merge(&row.lead, &row.options, lead, "merged_for_owner", reason, None, now).await
                }
                IntakeDecision::Reopen { lead, reason } => {
                    self.merge(&row.lead, &row.options, lead, "reopened", reason, Some((&dealership, received_at)), now)
                        .await
                }
            };
            outcomes[i] = Some(match result {
                Ok(o) => RowOutcome::Ingested(o),
                Err(EngineError::Validation(fields)) => RowOutcome::Refused {
                    message: fields.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "),
                },
                Err(e) => return Err(e),
            });
        }
        self.store_creates(&rows, &mut creates, &mut outcomes, now).await?;
        let imported: Vec<(String, Option<LeadId>)> = rows
            .iter()
            .zip(&outcomes)
            .filter_map(|(row, o)| match o {
                Some(RowOutcome::Ingested(out)) => Some((row.key.clone(), Some(LeadId(out.id)))),
                _ => None,
            })
            .collect();
        self.store().record_imported_rows(&imported, now).await?;
        drop(_guard);
        self.after_change().await?;
        Ok(outcomes
            .into_iter()
            .map(|o| o.unwrap_or(RowOutcome::Refused { message: "not processed".into() }))
            .collect())
    }

    /// Plans and stores the pending new leads in one transaction, owners assigned by round robin in
    /// one turn per team.
    async fn store_creates(
        &self,
        rows: &[ImportRow],
        creates: &mut Vec<usize>,
        outcomes: &mut [Option<RowOutcome>],
        now: jiff::Timestamp,
    ) -> Result<()> {
        if creates.is_empty() {
            return Ok(());
        }
        let config = self.config();
        let mut by_team: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut segments = HashMap::new();
        for &i in creates.iter() {
            let lead = &rows[i].lead;
            let seg = segment_lead(&LeadFacts::of(&lead.input, now), &config.rules, &config.fallback_segment, now);
            let team = config.routes.get(&seg.segment).cloned().unwrap_or_default();
            by_team.entry(team).or_default().push(i);
            segments.insert(i, seg);
        }
        let mut records = Vec::with_capacity(creates.len());
        let mut order = Vec::with_capacity(creates.len());
        for (team, indexes) in by_team {
            let dealership = self.dealership_of(&rows[indexes[0]].lead.input)?.clone();
            let members: Vec<(String, bool)> = config
                .team_members(&team)
                .iter()
                .map(|s| (s.id.clone(), s.on_shift(now, &dealership.time_zone)))
                .collect();
            let choices = self.store().rotate_owners(&team, &members, indexes.len()).await?;
            for (i, choice) in indexes.into_iter().zip(choices) {
                let row = &rows[i];
                let dealership = self.dealership_of(&row.lead.input)?.clone();
                let received_at = row.lead.input.received_at.unwrap_or(now);
                let seg = segments.remove(&i).ok_or_else(|| EngineError::Inconsistent("segment lost".into()))?;
                match self.new_lead_record(&row.lead, &row.options, &dealership, received_at, now, seg, &team, choice) {
                    Ok((record, outcome)) => {
                        records.push(record);
                        order.push((i, outcome));
                    }
                    Err(EngineError::Validation(fields)) => {
                        outcomes[i] = Some(RowOutcome::Refused {
                            message: fields.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "),
                        });
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        let created = self.store().create_leads(&records).await?;
        for ((i, mut outcome), c) in order.into_iter().zip(created) {
            outcome.id = c.id.0;
            outcomes[i] = Some(RowOutcome::Ingested(outcome));
        }
        creates.clear();
        Ok(())
    }
}
