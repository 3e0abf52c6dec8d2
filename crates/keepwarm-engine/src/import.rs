//! Inquiries in batches. Every inquiry — one posted over HTTP or a row of a 100,000-row CSV — goes
//! through [`Engine::process_inquiries`]: duplicate matching, segment, owner, enrollment, with all
//! new leads of a batch stored in one transaction.
//!
//! Why batches: SQLite has one writer, and sqlx hands every statement to that connection's thread,
//! so a lead's dozen statements cost a dozen thread hand-offs. Single inquiries are queued to one
//! intake task ([`spawn_intake`]) that takes whatever is waiting as one batch — group commit —
//! so concurrent inquiries share transactions while a lone inquiry is still handled at once. CSV
//! rows come in chunks ([`Engine::import_chunk`]) and are idempotent by row key.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Weak;

use keepwarm_domain::lead::NewLead;
use keepwarm_domain::routing::OwnerChoice;
use keepwarm_domain::segment::{segment_lead, LeadFacts};
use keepwarm_domain::LeadId;
use keepwarm_store::LeadCreation;
use serde::Serialize;
use tokio::sync::{mpsc, oneshot};

use crate::ingest::{IngestOptions, IngestOutcome};
use crate::{Engine, EngineError, Result};

/// Most inquiries one intake batch takes.
const MAX_BATCH: usize = 256;

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

/// Work waiting for the intake task, with where to send its outcome.
pub(crate) enum IntakeJob {
    /// One inquiry.
    Lead {
        lead: Box<NewLead>,
        options: IngestOptions,
        reply: oneshot::Sender<Result<IngestOutcome>>,
    },
    /// An inbound document, already parsed by the caller, to keep and ingest.
    Document {
        job: crate::documents::DocumentJob,
        reply: oneshot::Sender<Result<crate::documents::DocumentOutcome>>,
    },
}

/// Starts the intake task: it holds the engine weakly and ends when the engine is dropped.
pub(crate) fn spawn_intake(engine: Weak<Engine>, mut jobs: mpsc::Receiver<IntakeJob>) {
    tokio::spawn(async move {
        while let Some(first) = jobs.recv().await {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match jobs.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            let Some(engine) = engine.upgrade() else {
                return;
            };
            engine.run_intake_batch(batch).await;
        }
    });
}

impl Engine {
    /// Handles one batch from the intake queue: documents are kept together, every inquiry in the
    /// batch is decided and stored together, then work that became due is dispatched (with a manual
    /// clock, before anyone is answered, so a caller sees a day-0 touch as soon as it returns).
    async fn run_intake_batch(&self, batch: Vec<IntakeJob>) {
        let mut leads = Vec::new();
        let mut lead_replies = Vec::new();
        let mut documents = Vec::new();
        let mut document_replies = Vec::new();
        for job in batch {
            match job {
                IntakeJob::Lead {
                    lead,
                    options,
                    reply,
                } => {
                    leads.push((*lead, options));
                    lead_replies.push(reply);
                }
                IntakeJob::Document { job, reply } => {
                    documents.push(job);
                    document_replies.push(reply);
                }
            }
        }
        let sources: Vec<_> = leads.iter().map(|(l, _)| l.input.source.kind).collect();
        match self.ingest_batch(documents, leads).await {
            Ok((document_results, lead_results)) => {
                for (source, result) in sources.into_iter().zip(&lead_results) {
                    if let Ok(outcome) = result {
                        self.telemetry
                            .lead_received(source, outcome.id, outcome.action);
                    }
                }
                if let Err(e) = self.after_change().await {
                    tracing::error!(error = %e, "dispatch after intake failed");
                }
                for (reply, result) in document_replies.into_iter().zip(document_results) {
                    let _ = reply.send(result);
                }
                for (reply, result) in lead_replies.into_iter().zip(lead_results) {
                    let _ = reply.send(result);
                }
            }
            Err(e) => {
                let message = e.to_string();
                tracing::error!(error = %message, "intake batch failed; its new leads were not stored");
                let failed = || EngineError::Inconsistent(format!("intake failed: {message}"));
                for reply in document_replies {
                    let _ = reply.send(Err(failed()));
                }
                for reply in lead_replies {
                    let _ = reply.send(Err(failed()));
                }
            }
        }
    }

    /// Imports a chunk of rows; the answer has one outcome per row, in order. Call it with chunks of
    /// a few hundred to a few thousand rows.
    pub async fn import_chunk(&self, rows: Vec<ImportRow>) -> Result<Vec<RowOutcome>> {
        let keys: Vec<String> = rows.iter().map(|r| r.key.clone()).collect();
        let seen = self.store().imported_rows(&keys).await?;
        let mut in_file: HashSet<String> = HashSet::new();
        let mut outcomes: Vec<Option<RowOutcome>> = vec![None; rows.len()];
        let mut fresh = Vec::new();
        let mut fresh_index = Vec::new();
        for (i, row) in rows.into_iter().enumerate() {
            if seen.contains(&row.key) || !in_file.insert(row.key.clone()) {
                outcomes[i] = Some(RowOutcome::AlreadyImported);
            } else {
                fresh_index.push((i, row.key));
                fresh.push((row.lead, row.options));
            }
        }
        let documents: Vec<Option<i64>> = fresh.iter().map(|(_, o)| o.document_id).collect();
        let results = self.process_inquiries(fresh).await?;
        self.forget_documents_of_erased(&results, &documents)
            .await?;
        let mut imported = Vec::new();
        for ((i, key), result) in fresh_index.into_iter().zip(results) {
            outcomes[i] = Some(match result {
                Ok(o) => {
                    imported.push((key, Some(LeadId(o.id))));
                    RowOutcome::Ingested(o)
                }
                Err(EngineError::Validation(fields)) => RowOutcome::Refused {
                    message: fields
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; "),
                },
                Err(e) => return Err(e),
            });
        }
        self.store()
            .record_imported_rows(&imported, self.now())
            .await?;
        self.after_change().await?;
        Ok(outcomes
            .into_iter()
            .map(|o| {
                o.unwrap_or(RowOutcome::Refused {
                    message: "not processed".into(),
                })
            })
            .collect())
    }

    /// Decides and stores a batch of inquiries. The inner results are per inquiry (a refused one
    /// does not stop the others); the outer error means the store failed and nothing new from the
    /// batch's pending leads was stored.
    ///
    /// Nothing here serializes intake: another batch of this process, or another process on the
    /// same database, may store the same person between this batch's match and its create. The
    /// store's create repeats the duplicate check inside its write transaction and answers
    /// "matched" for such a lead, which is then decided again against the lead it matched.
    pub(crate) async fn process_inquiries(
        &self,
        items: Vec<(NewLead, IngestOptions)>,
    ) -> Result<Vec<Result<IngestOutcome>>> {
        let now = self.now();
        let items: Vec<(NewLead, IngestOptions)> = items
            .into_iter()
            .map(|(mut lead, options)| {
                self.add_default_consent(&mut lead, now);
                (lead, options)
            })
            .collect();
        let mut results: Vec<Option<Result<IngestOutcome>>> =
            (0..items.len()).map(|_| None).collect();
        let mut creates: Vec<usize> = Vec::new();
        let mut pending_contacts: HashSet<String> = HashSet::new();
        // Every inquiry's match from one query. A prefetched answer goes stale when new leads of this
        // batch were stored since (a flush) or when its lead was merged into earlier in the batch.
        let prefetched = self.prefetch_matches(&items).await?;
        let leads: Vec<&NewLead> = items.iter().map(|(l, _)| l).collect();
        let erased = self.screen_erased(&leads).await?;
        let mut quota = self.load_quota(&items, now).await?;
        let mut flushed = false;
        let mut touched: HashSet<LeadId> = HashSet::new();
        for (i, (lead, options)) in items.iter().enumerate() {
            let dealership = match self.dealership_of(&lead.input) {
                Ok(d) => d.clone(),
                Err(e) => {
                    results[i] = Some(Err(e));
                    continue;
                }
            };
            if erased[i] {
                results[i] = Some(Err(EngineError::field(
                    "customer",
                    crate::people::SUPPRESSED_REFUSAL,
                )));
                continue;
            }
            let received_at = lead.input.received_at.unwrap_or(now);
            if received_at
                > now
                    .checked_add(jiff::SignedDuration::from_mins(
                        crate::ingest::MAX_CLOCK_SKEW_MINUTES,
                    ))
                    .unwrap_or(jiff::Timestamp::MAX)
            {
                results[i] = Some(Err(EngineError::field(
                    "received_at",
                    format!("{received_at} is in the future (now is {now})"),
                )));
                continue;
            }
            let contacts = crate::ingest::contact_keys(lead);
            if contacts.iter().any(|c| pending_contacts.contains(c)) {
                // The same person twice in one batch: store what is pending so the match sees it.
                self.store_and_settle(&items, &mut creates, &mut results, now)
                    .await?;
                pending_contacts.clear();
                flushed = true;
            }
            let candidate = match prefetched.as_ref().and_then(|p| p.get(i)) {
                Some(c) if !flushed && !c.as_ref().is_some_and(|m| touched.contains(&m.lead)) => {
                    c.clone()
                }
                _ => {
                    self.store()
                        .find_match(&dealership.id, &lead.phones, &lead.emails)
                        .await?
                }
            };
            if let Some(c) = &candidate {
                touched.insert(c.lead);
            }
            match self
                .settle_inquiry(lead, options, candidate.as_ref(), now)
                .await?
            {
                Some(result) => results[i] = Some(result),
                None => {
                    if let Err(over) = quota.admit(&options.source_keys) {
                        quota.hold(i, over);
                        continue;
                    }
                    creates.push(i);
                    pending_contacts.extend(contacts);
                }
            }
        }
        self.store_and_settle(&items, &mut creates, &mut results, now)
            .await?;
        for (i, id, key) in self.record_quota(quota, &items, now).await? {
            results[i] = Some(Err(EngineError::Held {
                id,
                reason: format!("over the hourly cap of new leads from {key}"),
            }));
        }
        Ok(results
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| Err(EngineError::Inconsistent("inquiry not processed".into())))
            })
            .collect())
    }

    /// Decides one inquiry against the lead it matches and carries the decision out (merge, record,
    /// re-open); `None` when it is a new lead, left to the caller to store.
    async fn settle_inquiry(
        &self,
        lead: &NewLead,
        options: &IngestOptions,
        candidate: Option<&keepwarm_domain::dedupe::MatchCandidate>,
        now: jiff::Timestamp,
    ) -> Result<Option<Result<IngestOutcome>>> {
        let Some(candidate) = candidate else {
            return Ok(None);
        };
        let settled = self.settle_matched(lead, options, candidate, now).await;
        match settled {
            Ok(o) => Ok(Some(Ok(o))),
            Err(e @ EngineError::Validation(_)) => Ok(Some(Err(e))),
            Err(e) => Err(e),
        }
    }

    /// Stores the pending new leads; those the store's own duplicate check found already known
    /// (stored meanwhile by another batch or process) are decided again against that lead.
    async fn store_and_settle(
        &self,
        items: &[(NewLead, IngestOptions)],
        creates: &mut Vec<usize>,
        results: &mut [Option<Result<IngestOutcome>>],
        now: jiff::Timestamp,
    ) -> Result<()> {
        // A matched inquiry becomes a new lead again only if its match went away in between (a
        // contact marked unusable); a few rounds settle any real race.
        for _ in 0..3 {
            let matched = self.store_creates(items, creates, results, now).await?;
            for i in matched {
                let (lead, options) = &items[i];
                let dealership = self.dealership_of(&lead.input)?;
                let candidate = self
                    .store()
                    .find_match(&dealership.id, &lead.phones, &lead.emails)
                    .await?;
                match self
                    .settle_inquiry(lead, options, candidate.as_ref(), now)
                    .await?
                {
                    Some(result) => results[i] = Some(result),
                    None => creates.push(i),
                }
            }
            if creates.is_empty() {
                return Ok(());
            }
        }
        for i in creates.drain(..) {
            results[i] = Some(Err(EngineError::Inconsistent(
                "the inquiry kept matching a lead that then did not match".into(),
            )));
        }
        Ok(())
    }

    /// The matches of a batch's inquiries in one query, when they share a dealership.
    async fn prefetch_matches(
        &self,
        items: &[(NewLead, IngestOptions)],
    ) -> Result<Option<Vec<Option<keepwarm_domain::dedupe::MatchCandidate>>>> {
        let Some((first, _)) = items.first() else {
            return Ok(None);
        };
        let Ok(dealership) = self.dealership_of(&first.input) else {
            return Ok(None);
        };
        if items.len() < 2
            || items
                .iter()
                .any(|(l, _)| l.input.dealership != first.input.dealership)
        {
            return Ok(None);
        }
        let inquiries: Vec<_> = items
            .iter()
            .map(|(l, _)| (l.phones.clone(), l.emails.clone()))
            .collect();
        Ok(Some(
            self.store()
                .find_matches(&dealership.id, &inquiries)
                .await?,
        ))
    }

    /// Plans and stores the pending new leads in one transaction, owners assigned by round robin in
    /// one turn per team. Returns the inquiries the store found already known, to be decided again.
    async fn store_creates(
        &self,
        items: &[(NewLead, IngestOptions)],
        creates: &mut Vec<usize>,
        results: &mut [Option<Result<IngestOutcome>>],
        now: jiff::Timestamp,
    ) -> Result<Vec<usize>> {
        if creates.is_empty() {
            return Ok(Vec::new());
        }
        let config = self.config();
        // Turns are taken per team and dealership (see `Config::rotation`).
        let mut by_team: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
        let mut segments = HashMap::new();
        let mut named: Vec<(usize, String, OwnerChoice)> = Vec::new();
        for &i in creates.iter() {
            let lead = &items[i].0;
            let seg = segment_lead(
                &LeadFacts::of(&lead.input, now),
                &config.rules,
                &config.fallback_segment,
                now,
            );
            let team = config.routes.get(&seg.segment).cloned().unwrap_or_default();
            segments.insert(i, seg);
            // The owner the source names takes the lead outside the round robin.
            match self.named_owner(&lead.input) {
                Some(choice) => {
                    let team = config
                        .staff_member(&choice.owner)
                        .map_or(team, |s| s.team.clone());
                    named.push((i, team, choice));
                }
                None => {
                    let dealership = self.dealership_of(&lead.input)?.id.clone();
                    by_team.entry((team, dealership)).or_default().push(i)
                }
            }
        }
        let mut records = Vec::with_capacity(creates.len());
        let mut order = Vec::with_capacity(creates.len());
        let mut assigned = named;
        for ((team, dealership), indexes) in by_team {
            let zone = self
                .dealership_of(&items[indexes[0]].0.input)?
                .time_zone
                .clone();
            let (turns, members) = config.rotation(&team, &dealership);
            let members: Vec<(String, bool)> = members
                .iter()
                .map(|s| (s.id.clone(), s.on_shift(now, &zone)))
                .collect();
            let choices = self
                .store()
                .rotate_owners(&turns, &members, indexes.len())
                .await?;
            assigned.extend(
                indexes
                    .into_iter()
                    .zip(choices)
                    .map(|(i, choice)| (i, team.clone(), choice)),
            );
        }
        for (i, team, choice) in assigned {
            let (lead, options) = &items[i];
            let dealership = self.dealership_of(&lead.input)?.clone();
            let received_at = lead.input.received_at.unwrap_or(now);
            let seg = segments
                .remove(&i)
                .ok_or_else(|| EngineError::Inconsistent("segment lost".into()))?;
            match self.new_lead_record(
                lead,
                options,
                &dealership,
                received_at,
                now,
                seg,
                &team,
                choice,
            ) {
                Ok((record, outcome)) => {
                    records.push(record);
                    order.push((i, outcome));
                }
                Err(e @ EngineError::Validation(_)) => results[i] = Some(Err(e)),
                Err(e) => return Err(e),
            }
        }
        let created = self.store().create_leads(&records).await?;
        let mut matched = Vec::new();
        for ((i, mut outcome), c) in order.into_iter().zip(created) {
            match c {
                LeadCreation::Created(c) => {
                    outcome.id = c.id.0;
                    results[i] = Some(Ok(outcome));
                }
                LeadCreation::Matched(lead) => {
                    tracing::info!(%lead, "inquiry matched a lead stored meanwhile; deciding again");
                    matched.push(i);
                }
            }
        }
        creates.clear();
        Ok(matched)
    }
}
