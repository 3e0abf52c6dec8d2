//! People's data: export everything held about a person, erase it on request, and never take in or
//! contact an erased person again; remove raw documents' bodies after the retention period.
//!
//! An erased person leaves one trace: a suppression entry per contact point, HMAC-SHA256 of the
//! normalized contact under a random key this installation makes once and keeps in its database
//! (`service_keys`, name `suppression`). Why keyed: a phone number has about 10^10 possible values,
//! so a plain SHA-256 of one is reversed by trying them all in minutes, and the same number would
//! hash the same in every installation. Under the key the list names no one by itself (a copy of
//! the table, a log line) and differs per installation. Someone holding the whole database holds the
//! key too and can test a number they already know — unavoidable for a list the service must check
//! without anyone's help — but cannot list who was erased. The key lives with the data on purpose:
//! a key kept elsewhere and lost would silently empty the list, and an erased person would be
//! contacted again.

use std::collections::{BTreeMap, HashSet};

use hmac::{Hmac, Mac};
use jiff::{SignedDuration, Timestamp};
use keepwarm_domain::lead::NewLead;
use keepwarm_domain::people::{contact_kind, PersonContact};
use keepwarm_domain::LeadId;
use keepwarm_store::{ErasureRecord, PersonErasure};
use serde::Serialize;
use sha2::Sha256;

use crate::ingest::{IngestOptions, IngestOutcome};
use crate::{Engine, EngineError, Result};

/// The service key the suppression hashes are made under.
const SUPPRESSION_KEY: &str = "suppression";

/// What an inquiry from an erased person is answered with (it names no one).
pub const SUPPRESSED_REFUSAL: &str =
    "this person's data was erased on request; keepwarm does not take them in or contact them";

/// Everything held about a person.
#[derive(Debug, Clone, Serialize)]
pub struct PersonExport {
    /// The contact asked about, normalized.
    pub contact: String,
    /// When the export was made.
    pub exported_at: Timestamp,
    /// Every normalized contact found for them.
    pub contacts: Vec<String>,
    /// Their leads.
    pub leads: Vec<i64>,
    /// Every row about them, by table (leads, contacts, timeline events, messages sent and
    /// received, tasks, escalations, appointments, consent, raw documents, queued messages, the
    /// sandbox outbox, held inquiries).
    pub tables: BTreeMap<String, Vec<serde_json::Value>>,
}

/// What an erasure did.
#[derive(Debug, Clone, Serialize)]
pub struct ErasureReport {
    /// The recorded erasure's id.
    pub erasure_id: i64,
    /// `phone` or `email`.
    pub kind: String,
    /// Leads removed.
    pub leads: usize,
    /// Contacts now suppressed.
    pub suppressed: usize,
    /// Rows removed or redacted, by table.
    pub counts: BTreeMap<String, u64>,
}

impl Engine {
    /// Reads a person's contact as intake does (E.164 in the first dealership's country, lower-cased
    /// address); a bad one is a validation error on `contact`.
    pub fn person_contact(&self, raw: &str) -> Result<PersonContact> {
        let region = self
            .config()
            .dealerships
            .first()
            .map_or("US", |d| d.country.as_str());
        PersonContact::parse(raw, region).map_err(|e| EngineError::field("contact", e))
    }

    /// Everything held about the person with this contact.
    pub async fn export_person(&self, contact: &PersonContact) -> Result<PersonExport> {
        let found = self.store().find_person(&contact.key()).await?;
        let tables = self.store().export_person(&found).await?;
        Ok(PersonExport {
            contact: contact.key(),
            exported_at: self.now(),
            leads: found.leads.iter().map(|l| l.0).collect(),
            contacts: found.contacts,
            tables,
        })
    }

    /// Erases the person with this contact: their leads and everything about them go, in one
    /// transaction, leaving a suppression entry per contact and a record of the erasure (who, when,
    /// how many rows) that holds none of their data.
    pub async fn erase_person(&self, contact: &PersonContact, by: &str) -> Result<ErasureReport> {
        let by = by.trim();
        if by.is_empty() {
            return Err(EngineError::field("by", "say who asked for the erasure"));
        }
        let found = self.store().find_person(&contact.key()).await?;
        let hashes = self.suppression_hashes(&found.contacts).await?;
        let suppress: Vec<(String, String)> = hashes
            .into_iter()
            .zip(&found.contacts)
            .map(|(h, c)| (h, contact_kind(c).to_owned()))
            .collect();
        let leads = found.leads.len();
        let suppressed = suppress.len();
        let erasure = PersonErasure {
            found,
            kind: contact.kind().to_owned(),
            by: by.to_owned(),
            at: self.now(),
            suppress,
        };
        let ErasureRecord { id, counts } = self.store().erase_person(&erasure).await?;
        tracing::info!(
            erasure = id,
            leads,
            suppressed,
            "a person's data was erased on request"
        );
        Ok(ErasureReport {
            erasure_id: id,
            kind: contact.kind().to_owned(),
            leads,
            suppressed,
            counts,
        })
    }

    /// The suppression hash of each normalized contact, in order.
    pub(crate) async fn suppression_hashes(&self, contacts: &[String]) -> Result<Vec<String>> {
        if contacts.is_empty() {
            return Ok(Vec::new());
        }
        let key = self.suppression_key().await?;
        Ok(contacts
            .iter()
            .map(|c| {
                let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes())
                    .expect("HMAC takes a key of any length");
                mac.update(c.as_bytes());
                hex::encode(mac.finalize().into_bytes())
            })
            .collect())
    }

    /// The installation's suppression key: made from the operating system's random source the
    /// first time any process asks, the same ever after.
    async fn suppression_key(&self) -> Result<&str> {
        let key = self
            .suppression_key
            .get_or_try_init(|| async {
                use rand::TryRngCore;
                let mut bytes = [0u8; 32];
                rand::rngs::OsRng.try_fill_bytes(&mut bytes).map_err(|e| {
                    EngineError::Inconsistent(format!("the operating system's random source: {e}"))
                })?;
                let key = self
                    .store()
                    .service_key(SUPPRESSION_KEY, &hex::encode(bytes), self.now())
                    .await?;
                Ok::<_, EngineError>(key)
            })
            .await?;
        Ok(key)
    }

    /// Which of these normalized contacts belong to an erased person; each one found is counted
    /// as refused once more.
    pub(crate) async fn suppressed_contacts(&self, contacts: &[String]) -> Result<HashSet<String>> {
        if contacts.is_empty() {
            return Ok(HashSet::new());
        }
        let hashes = self.suppression_hashes(contacts).await?;
        let on_list = self.store().suppressed(&hashes).await?;
        if on_list.is_empty() {
            return Ok(HashSet::new());
        }
        let hit: Vec<String> = hashes
            .iter()
            .filter(|h| on_list.contains(*h))
            .cloned()
            .collect();
        self.store().count_suppressed(&hit, self.now()).await?;
        Ok(contacts
            .iter()
            .zip(&hashes)
            .filter(|(_, h)| on_list.contains(*h))
            .map(|(c, _)| c.clone())
            .collect())
    }

    /// For each inquiry, whether any of its contacts belongs to an erased person (one query for
    /// them all).
    pub(crate) async fn screen_erased(&self, leads: &[&NewLead]) -> Result<Vec<bool>> {
        let contacts: Vec<String> = leads.iter().flat_map(|l| contacts_of(l)).collect();
        let erased = self.suppressed_contacts(&contacts).await?;
        Ok(leads
            .iter()
            .map(|l| contacts_of(l).iter().any(|c| erased.contains(c)))
            .collect())
    }

    /// Removes the raw documents' bodies of inquiries refused because they named an erased person
    /// (`documents` holds each inquiry's document, in the order of `results`).
    pub(crate) async fn forget_documents_of_erased(
        &self,
        results: &[Result<IngestOutcome>],
        documents: &[Option<i64>],
    ) -> Result<()> {
        let mut ids: Vec<i64> = results
            .iter()
            .zip(documents)
            .filter_map(|(r, d)| match r {
                Err(EngineError::Validation(fields))
                    if fields.iter().any(|f| f.message == SUPPRESSED_REFUSAL) =>
                {
                    *d
                }
                _ => None,
            })
            .collect();
        ids.sort_unstable();
        ids.dedup();
        if !ids.is_empty() {
            self.store().forget_documents(&ids, self.now()).await?;
        }
        Ok(())
    }

    /// Removes the bodies of raw documents older than the retention period (`[intake]
    /// keep_documents_days`; 0 keeps them). Returns how many; the worker calls it as it goes.
    pub async fn purge_old_documents(&self) -> Result<u64> {
        let days = self.config().intake_limits.keep_documents_days;
        if days == 0 {
            return Ok(0);
        }
        let now = self.now();
        let before = now
            .checked_sub(SignedDuration::from_hours(24 * i64::from(days)))
            .unwrap_or(Timestamp::MIN);
        let purged = self.store().purge_documents(before, now).await?;
        if purged > 0 {
            tracing::info!(
                purged,
                days,
                "raw documents past their retention lost their bodies"
            );
        }
        Ok(purged)
    }

    /// Releases an inquiry the hourly cap held: it goes through intake as if it had just arrived
    /// (duplicates merge), without the cap. Refused when it was released before.
    pub async fn release_held(&self, id: i64, by: &str) -> Result<IngestOutcome> {
        let row = self
            .store()
            .release_held(id, by, self.now())
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("unreleased held inquiry {id}")))?;
        let input = serde_json::from_value(row.lead)
            .map_err(|e| EngineError::Inconsistent(format!("held inquiry {id}: {e}")))?;
        let region = self
            .config()
            .dealerships
            .first()
            .map_or("US".to_owned(), |d| d.country.clone());
        let lead = keepwarm_domain::lead::validate_lead(input, &region)
            .map_err(EngineError::Validation)?;
        let options = IngestOptions {
            resend: row.resend,
            document_id: row.document_id,
            ..IngestOptions::default()
        };
        let outcome = self.ingest_with(lead, options).await?;
        self.store().link_released(id, LeadId(outcome.id)).await?;
        Ok(outcome)
    }
}

/// An inquiry's usable contacts, normalized.
pub(crate) fn contacts_of(lead: &NewLead) -> Vec<String> {
    lead.phones
        .iter()
        .map(|p| p.as_str().to_owned())
        .chain(lead.emails.iter().map(|e| e.match_key()))
        .collect()
}
