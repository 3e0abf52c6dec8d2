//! Inbound documents (ADF/XML, lead e-mails): parsed by the caller, then kept raw, their leads
//! ingested and the document marked with what came of it — all in the intake batch, so concurrent
//! documents share transactions. A caller is answered only after its document is stored, so nothing
//! that was acknowledged is ever lost; a document that cannot be parsed is still kept (status
//! `failed`, or `unrecognized` for an e-mail that is not a lead) and can be replayed after a fix.
//!
//! Parsing never runs on the async threads: a hostile document must not stall every other route.
//! It runs on tokio's blocking pool, at most [`PARSE_SLOTS`] documents at once, each within
//! [`PARSE_BUDGET`]; a document that takes longer is stored as `held` for a person to read, and
//! its parse is left to finish in the background (a thread cannot be stopped) still holding its
//! slot, so abandoned parses cannot pile up.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use jiff::Timestamp;
use keepwarm_domain::lead::{validate_lead, FieldError, NewLead};
use keepwarm_domain::LeadId;
use keepwarm_intake::email::EmailKind;
use keepwarm_intake::{IntakeError, IntakeLead, IntakeOptions};
use keepwarm_store::{DocumentResult, NewDocument};
use serde::Serialize;
use tokio::sync::{oneshot, Semaphore};

use crate::import::IntakeJob;
use crate::ingest::{IngestOptions, IngestOutcome};
use crate::{Engine, EngineError, Result};

/// The longest one document may take to parse before it is held for a person. Real lead documents
/// parse in milliseconds; parsing is linear, so only a hostile or broken document comes near it.
pub const PARSE_BUDGET: Duration = Duration::from_secs(2);

/// Most documents parsed at once: the rest wait their turn, so hostile documents cannot take every
/// core from the routes and the worker.
pub const PARSE_SLOTS: usize = 2;

/// What kind of document it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// ADF/XML.
    Adf,
    /// A raw RFC 5322 message.
    Email,
}

impl DocumentKind {
    /// The kind of a stored document, from the channel it came in on.
    pub fn of_channel(channel: &str) -> Option<Self> {
        match channel {
            "api_adf" | "cli_xml" => Some(DocumentKind::Adf),
            "email" | "cli_eml" => Some(DocumentKind::Email),
            _ => None,
        }
    }
}

/// What came of a document.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentOutcome {
    /// The stored document.
    pub document_id: i64,
    /// `parsed`, `partial` (some leads refused), `failed`, `unrecognized`, or `held` (parsing took
    /// longer than [`PARSE_BUDGET`]; kept for a person to read).
    pub status: &'static str,
    /// For e-mails, what the message turned out to be (`adf`, `plain_text`, `unrecognized`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_kind: Option<&'static str>,
    /// Each lead it produced or merged into.
    pub leads: Vec<IngestOutcome>,
    /// Leads in the document that were refused, with why.
    pub refused: Vec<FieldError>,
    /// Leads over their source's hourly cap, held for a person (not contacted).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub held: Vec<HeldLead>,
}

/// A lead of a document that the hourly cap held for a person.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HeldLead {
    /// Which prospect of the document, from 0.
    pub prospect: usize,
    /// The held inquiry (`keepwarm held release ID`).
    pub held_id: i64,
    /// Why.
    pub reason: String,
}

/// A parsed document on its way to the intake batch.
pub(crate) struct DocumentJob {
    /// The raw document to keep, or the id of one kept already (a replay).
    pub source: Source,
    /// The leads found, or why none could be read.
    pub parsed: std::result::Result<Vec<IntakeLead>, IntakeError>,
    /// For e-mails, what the message turned out to be.
    pub email_kind: Option<&'static str>,
    /// Parsing went over [`PARSE_BUDGET`]: keep it, held for a person.
    pub over_budget: bool,
    /// For e-mails, the sender's address (counted against the hourly cap).
    pub sender: Option<String>,
}

/// Where a document job's bytes are.
pub(crate) enum Source {
    /// New: keep it.
    New(NewDocument),
    /// Kept already under this id (a replay).
    Kept(i64),
}

/// What came of parsing a document off the async threads: its leads, what kind of e-mail it was,
/// and its sender.
type Parsed = (
    std::result::Result<Vec<IntakeLead>, IntakeError>,
    Option<&'static str>,
    Option<String>,
);

fn parse_slots() -> Arc<Semaphore> {
    static SLOTS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    SLOTS
        .get_or_init(|| Arc::new(Semaphore::new(PARSE_SLOTS)))
        .clone()
}

/// Parses `body` on the blocking pool, waiting for one of the [`PARSE_SLOTS`] first. `None` when
/// parsing took longer than `budget` (the parse goes on in the background, holding its slot).
async fn parse_off_thread(
    kind: DocumentKind,
    body: Arc<Vec<u8>>,
    opts: IntakeOptions,
    budget: Duration,
) -> Result<Option<Parsed>> {
    let permit = parse_slots()
        .acquire_owned()
        .await
        .map_err(|_| EngineError::Inconsistent("the parse slots are closed".into()))?;
    let task = tokio::task::spawn_blocking(move || {
        let parsed = parse(kind, &body, &opts);
        drop(permit);
        parsed
    });
    match tokio::time::timeout(budget, task).await {
        Ok(Ok(parsed)) => Ok(Some(parsed)),
        Ok(Err(e)) => Err(EngineError::Inconsistent(format!(
            "parsing a document failed: {e}"
        ))),
        Err(_) => Ok(None),
    }
}

/// The document job for parsed (or over-budget) bytes.
fn job_of(source: Source, parsed: Option<Parsed>) -> DocumentJob {
    match parsed {
        Some((parsed, email_kind, sender)) => DocumentJob {
            source,
            parsed,
            email_kind,
            over_budget: false,
            sender,
        },
        None => DocumentJob {
            source,
            parsed: Ok(Vec::new()),
            email_kind: None,
            over_budget: true,
            sender: None,
        },
    }
}

/// Parses a document's bytes.
fn parse(kind: DocumentKind, body: &[u8], opts: &IntakeOptions) -> Parsed {
    match kind {
        DocumentKind::Adf => (keepwarm_intake::adf::leads_from_adf(body, opts), None, None),
        DocumentKind::Email => match keepwarm_intake::email::leads_from_email(body, opts) {
            Ok(mail) => {
                let k = match mail.kind {
                    EmailKind::Adf => "adf",
                    EmailKind::PlainText => "plain_text",
                    EmailKind::Unrecognized => "unrecognized",
                };
                (Ok(mail.leads), Some(k), mail.from)
            }
            Err(e) => (Err(e), None, None),
        },
    }
}

/// A document's leads in the batch: which inquiries are its, and what was refused before that.
struct Pending {
    id: i64,
    email_kind: Option<&'static str>,
    over_budget: bool,
    failure: Option<String>,
    items: Vec<(usize, usize)>,
    refused: Vec<FieldError>,
    held: Vec<HeldLead>,
    /// It named an erased person: its body goes once it is recorded.
    forget: bool,
}

impl Engine {
    /// What intake needs to read a document that arrived at `arrived_at`: the default dealership's
    /// zone (times without offset are its wall-clock times) and phone region.
    fn intake_options(&self, arrived_at: Timestamp) -> IntakeOptions {
        let dealership = self.config().dealerships.first();
        IntakeOptions {
            time_zone: dealership.map_or(jiff::tz::TimeZone::UTC, |d| d.time_zone.clone()),
            arrived_at: Some(arrived_at),
            region: dealership.map_or("US".to_owned(), |d| d.country.clone()),
        }
    }

    /// Keeps a document, parses it and ingests its leads. A document that is not readable at all is
    /// an error naming where it broke (it stays stored as `failed`).
    pub async fn ingest_document(
        &self,
        kind: DocumentKind,
        channel: &str,
        content_type: Option<String>,
        body: Vec<u8>,
    ) -> Result<DocumentOutcome> {
        self.ingest_document_within(kind, channel, content_type, body, PARSE_BUDGET)
            .await
    }

    /// [`Engine::ingest_document`] with another parse budget than [`PARSE_BUDGET`]: a document
    /// that takes longer is stored as `held` for a person.
    pub async fn ingest_document_within(
        &self,
        kind: DocumentKind,
        channel: &str,
        content_type: Option<String>,
        body: Vec<u8>,
        budget: std::time::Duration,
    ) -> Result<DocumentOutcome> {
        let received_at = self.now();
        let body = Arc::new(body);
        let opts = self.intake_options(received_at);
        let parsed = parse_off_thread(kind, body.clone(), opts, budget).await?;
        let body = Arc::try_unwrap(body).unwrap_or_else(|shared| shared.as_ref().clone());
        let document = NewDocument {
            received_at,
            channel: channel.to_owned(),
            content_type,
            body,
        };
        self.submit(job_of(Source::New(document), parsed)).await
    }

    /// Parses a stored document again (after a parser fix). Leads it already produced merge into
    /// themselves instead of being created twice.
    pub async fn replay_document(&self, id: i64) -> Result<DocumentOutcome> {
        let (row, body) = self
            .store()
            .document(id)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("document {id}")))?;
        let kind = DocumentKind::of_channel(&row.channel).ok_or_else(|| {
            EngineError::Conflict(format!(
                "document {id} came in as {} and cannot be replayed",
                row.channel
            ))
        })?;
        let opts = self.intake_options(row.received_at);
        let parsed = parse_off_thread(kind, Arc::new(body), opts, PARSE_BUDGET).await?;
        self.submit(job_of(Source::Kept(id), parsed)).await
    }

    async fn submit(&self, job: DocumentJob) -> Result<DocumentOutcome> {
        let (reply, outcome) = oneshot::channel();
        self.intake
            .send(IntakeJob::Document { job, reply })
            .await
            .map_err(|_| EngineError::Inconsistent("the intake task has stopped".into()))?;
        outcome
            .await
            .map_err(|_| EngineError::Inconsistent("the intake task dropped a document".into()))?
    }

    /// Keeps the batch's documents, ingests their leads and the batch's single inquiries together,
    /// and records each document's result. Answers per document and per inquiry, in order.
    pub(crate) async fn ingest_batch(
        &self,
        documents: Vec<DocumentJob>,
        leads: Vec<(NewLead, IngestOptions)>,
    ) -> Result<(Vec<Result<DocumentOutcome>>, Vec<Result<IngestOutcome>>)> {
        let new: Vec<NewDocument> = documents
            .iter()
            .filter_map(|d| match &d.source {
                Source::New(doc) => Some(doc.clone()),
                Source::Kept(_) => None,
            })
            .collect();
        let mut new_ids = self.store().store_documents(&new).await?.into_iter();
        let region = self
            .config()
            .dealerships
            .first()
            .map_or("US".to_owned(), |d| d.country.clone());
        let mut items: Vec<(NewLead, IngestOptions)> = Vec::new();
        let mut pending = Vec::with_capacity(documents.len());
        for doc in documents {
            let channel = match &doc.source {
                Source::New(d) => d.channel.clone(),
                Source::Kept(_) => String::new(),
            };
            let id = match doc.source {
                Source::New(_) => new_ids
                    .next()
                    .ok_or_else(|| EngineError::Inconsistent("document id missing".into()))?,
                Source::Kept(existing) => existing,
            };
            let mut p = Pending {
                id,
                email_kind: doc.email_kind,
                over_budget: doc.over_budget,
                failure: None,
                items: Vec::new(),
                refused: Vec::new(),
                held: Vec::new(),
                forget: false,
            };
            match doc.parsed {
                Err(e) => p.failure = Some(e.to_string()),
                Ok(found) => {
                    for (n, lead) in found.into_iter().enumerate() {
                        match validate_lead(lead.input, &region) {
                            Ok(valid) => {
                                let source_keys = crate::intake_cap::source_keys(
                                    &channel,
                                    doc.sender.as_deref(),
                                    &valid,
                                );
                                let options = IngestOptions {
                                    resend: lead.resend,
                                    document_id: Some(id),
                                    warnings: lead
                                        .warnings
                                        .into_iter()
                                        .map(|w| FieldError {
                                            field: w.code,
                                            message: w.message,
                                        })
                                        .collect(),
                                    source_keys,
                                    by_call: false,
                                };
                                p.items.push((n, items.len()));
                                items.push((valid, options));
                            }
                            Err(fields) => p.refused.extend(prospect_fields(n, fields)),
                        }
                    }
                }
            }
            pending.push(p);
        }
        let lead_count = leads.len();
        let first_single = items.len();
        items.extend(leads);
        let mut results: Vec<Option<Result<IngestOutcome>>> = self
            .process_inquiries(items)
            .await?
            .into_iter()
            .map(Some)
            .collect();
        let mut finished = Vec::with_capacity(pending.len());
        let mut answers = Vec::with_capacity(pending.len());
        let mut forget = Vec::new();
        for mut p in pending {
            let mut outcomes = Vec::new();
            for (n, index) in &p.items {
                match results[*index].take() {
                    Some(Ok(o)) => outcomes.push(o),
                    Some(Err(EngineError::Held { id, reason })) => p.held.push(HeldLead {
                        prospect: *n,
                        held_id: id,
                        reason,
                    }),
                    Some(Err(EngineError::Validation(fields))) => {
                        p.forget |= fields
                            .iter()
                            .any(|f| f.message == crate::people::SUPPRESSED_REFUSAL);
                        p.refused.extend(prospect_fields(*n, fields))
                    }
                    Some(Err(e)) => p.refused.push(FieldError {
                        field: format!("prospect[{n}]"),
                        message: e.to_string(),
                    }),
                    None => {}
                }
            }
            let (status, answer) = document_answer(&p, outcomes);
            let detail = p.failure.clone().or_else(|| held_detail(&p)).or_else(|| {
                (!p.refused.is_empty()).then(|| {
                    p.refused
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                })
            });
            let lead_ids = match &answer {
                Ok(o) => o.leads.iter().map(|l| LeadId(l.id)).collect(),
                Err(_) => Vec::new(),
            };
            if p.forget {
                forget.push(p.id);
            }
            finished.push(DocumentResult {
                id: p.id,
                status: status.to_owned(),
                detail,
                leads: lead_ids,
            });
            answers.push(answer);
        }
        self.store().finish_documents(&finished).await?;
        if !forget.is_empty() {
            self.store().forget_documents(&forget, self.now()).await?;
        }
        let singles = results
            .into_iter()
            .skip(first_single)
            .take(lead_count)
            .map(|r| {
                r.unwrap_or_else(|| Err(EngineError::Inconsistent("inquiry not processed".into())))
            })
            .collect();
        Ok((answers, singles))
    }
}

fn prospect_fields(n: usize, fields: Vec<FieldError>) -> impl Iterator<Item = FieldError> {
    fields.into_iter().map(move |f| FieldError {
        field: format!("prospect[{n}].{}", f.field),
        message: f.message,
    })
}

/// Why a document is held, for its stored detail.
fn held_detail(p: &Pending) -> Option<String> {
    if !p.over_budget && !p.held.is_empty() {
        let ids: Vec<String> = p.held.iter().map(|h| h.held_id.to_string()).collect();
        return Some(format!(
            "{} lead(s) over the hourly cap of their source, held for a person: held inquiries {}",
            p.held.len(),
            ids.join(", ")
        ));
    }
    p.over_budget.then(|| {
        format!(
            "parsing took longer than {} s; held for a person to read (replay it once it is understood)",
            PARSE_BUDGET.as_secs()
        )
    })
}

/// A document's status and its caller's answer.
fn document_answer(
    p: &Pending,
    leads: Vec<IngestOutcome>,
) -> (&'static str, Result<DocumentOutcome>) {
    if p.over_budget {
        tracing::warn!(
            document = p.id,
            "a document went over the parse budget; held for a person"
        );
        let outcome = DocumentOutcome {
            document_id: p.id,
            status: "held",
            email_kind: None,
            leads,
            refused: Vec::new(),
            held: Vec::new(),
        };
        return ("held", Ok(outcome));
    }
    if let Some(failure) = &p.failure {
        let error = EngineError::field("body", format!("{failure} (stored as document {})", p.id));
        return ("failed", Err(error));
    }
    if p.email_kind == Some("unrecognized") {
        let outcome = DocumentOutcome {
            document_id: p.id,
            status: "unrecognized",
            email_kind: p.email_kind,
            leads,
            refused: p.refused.clone(),
            held: p.held.clone(),
        };
        return ("unrecognized", Ok(outcome));
    }
    if leads.is_empty() && !p.held.is_empty() {
        let outcome = DocumentOutcome {
            document_id: p.id,
            status: "held",
            email_kind: p.email_kind,
            leads,
            refused: p.refused.clone(),
            held: p.held.clone(),
        };
        return ("held", Ok(outcome));
    }
    if leads.is_empty() {
        let mut fields = p.refused.clone();
        if fields.is_empty() {
            fields.push(FieldError {
                field: "body".into(),
                message: format!("the document holds no lead (stored as document {})", p.id),
            });
        }
        return ("failed", Err(EngineError::Validation(fields)));
    }
    let status = if p.refused.is_empty() {
        "parsed"
    } else {
        "partial"
    };
    let outcome = DocumentOutcome {
        document_id: p.id,
        status,
        email_kind: p.email_kind,
        leads,
        refused: p.refused.clone(),
        held: p.held.clone(),
    };
    (status, Ok(outcome))
}
