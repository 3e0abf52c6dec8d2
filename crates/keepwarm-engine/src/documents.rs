//! Inbound documents (ADF/XML, lead e-mails): kept raw before anything else, parsed into leads, each
//! lead ingested, and the document marked with what came of it. A document that cannot be parsed is
//! still kept (status `failed`, or `unrecognized` for an e-mail that is not a lead), so nothing sent
//! to the store is ever lost and a parse can be replayed after a fix.

use keepwarm_adf::ParseOptions;
use keepwarm_domain::lead::{validate_lead, FieldError};
use keepwarm_domain::LeadId;
use keepwarm_intake::email::EmailKind;
use keepwarm_intake::{IntakeError, IntakeLead};
use keepwarm_store::NewDocument;
use serde::Serialize;

use crate::ingest::{IngestOptions, IngestOutcome};
use crate::{Engine, EngineError, Result};

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
#[derive(Debug, Clone, Serialize)]
pub struct DocumentOutcome {
    /// The stored document.
    pub document_id: i64,
    /// `parsed`, `partial` (some leads refused), `failed` or `unrecognized`.
    pub status: &'static str,
    /// For e-mails, what the message turned out to be (`adf`, `plain_text`, `unrecognized`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_kind: Option<&'static str>,
    /// Each lead it produced or merged into.
    pub leads: Vec<IngestOutcome>,
    /// Leads in the document that were refused, with why.
    pub refused: Vec<FieldError>,
}

impl Engine {
    /// Keeps a document, parses it and ingests its leads. A document that is not readable at all is
    /// an error naming where it broke (it stays stored as `failed`).
    pub async fn ingest_document(
        &self,
        kind: DocumentKind,
        channel: &str,
        content_type: Option<String>,
        body: Vec<u8>,
    ) -> Result<DocumentOutcome> {
        let document = NewDocument {
            received_at: self.now(),
            channel: channel.to_owned(),
            content_type,
            body,
        };
        let id = self.store().store_document(&document).await?;
        self.process_document(id, kind, &document.body).await
    }

    /// Parses a stored document again (after a parser fix). Leads it already produced merge into
    /// themselves instead of being created twice.
    pub async fn replay_document(&self, id: i64) -> Result<DocumentOutcome> {
        let (row, body) = self
            .store()
            .document(id)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("document {id}")))?;
        let kind = DocumentKind::of_channel(&row.channel)
            .ok_or_else(|| EngineError::Conflict(format!("document {id} came in as {} and cannot be replayed", row.channel)))?;
        self.process_document(id, kind, &body).await
    }

    async fn process_document(&self, id: i64, kind: DocumentKind, body: &[u8]) -> Result<DocumentOutcome> {
        let (leads, email_kind) = match kind {
            DocumentKind::Adf => (keepwarm_intake::adf::leads_from_adf(body, &ParseOptions::default()), None),
            DocumentKind::Email => match keepwarm_intake::email::leads_from_email(body) {
                Ok(mail) => {
                    let k = match mail.kind {
                        EmailKind::Adf => "adf",
                        EmailKind::PlainText => "plain_text",
                        EmailKind::Unrecognized => "unrecognized",
                    };
                    (Ok(mail.leads), Some(k))
                }
                Err(e) => (Err(e), None),
            },
        };
        let leads = match leads {
            Ok(leads) => leads,
            Err(e) => return Err(self.fail_document(id, &e).await),
        };
        if email_kind == Some("unrecognized") {
            self.store()
                .finish_document(id, "unrecognized", Some("not a lead e-mail; kept for a person to read"), &[])
                .await?;
            return Ok(DocumentOutcome {
                document_id: id,
                status: "unrecognized",
                email_kind,
                leads: Vec::new(),
                refused: Vec::new(),
            });
        }
        let region = self.config().dealerships.first().map_or("US".to_owned(), |d| d.country.clone());
        let mut outcomes = Vec::new();
        let mut refused = Vec::new();
        for (n, lead) in leads.into_iter().enumerate() {
            match self.ingest_intake_lead(lead, &region, id).await {
                Ok(o) => outcomes.push(o),
                Err(EngineError::Validation(fields)) => refused.extend(fields.into_iter().map(|f| FieldError {
                    field: format!("prospect[{n}].{}", f.field),
                    message: f.message,
                })),
                Err(e) => return Err(e),
            }
        }
        let status = match (outcomes.is_empty(), refused.is_empty()) {
            (_, true) if !outcomes.is_empty() => "parsed",
            (false, false) => "partial",
            _ => "failed",
        };
        let detail = (!refused.is_empty())
            .then(|| refused.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "));
        let ids: Vec<LeadId> = outcomes.iter().map(|o| LeadId(o.id)).collect();
        self.store().finish_document(id, status, detail.as_deref(), &ids).await?;
        if outcomes.is_empty() {
            let mut fields = refused;
            if fields.is_empty() {
                fields.push(FieldError { field: "body".into(), message: format!("the document holds no lead (stored as document {id})") });
            }
            return Err(EngineError::Validation(fields));
        }
        Ok(DocumentOutcome { document_id: id, status, email_kind, leads: outcomes, refused })
    }

    async fn ingest_intake_lead(&self, lead: IntakeLead, region: &str, document: i64) -> Result<IngestOutcome> {
        let new = validate_lead(lead.input, region).map_err(EngineError::Validation)?;
        let options = IngestOptions {
            resend: lead.resend,
            document_id: Some(document),
            warnings: lead
                .warnings
                .into_iter()
                .map(|w| FieldError { field: w.code, message: w.message })
                .collect(),
        };
        self.ingest_with(new, options).await
    }

    async fn fail_document(&self, id: i64, e: &IntakeError) -> EngineError {
        let message = format!("{e} (stored as document {id})");
        if let Err(store) = self.store().finish_document(id, "failed", Some(&e.to_string()), &[]).await {
            return EngineError::Store(store);
        }
        EngineError::field("body", message)
    }
}
