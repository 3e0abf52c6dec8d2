//! People's data at the storage boundary: finding everything held about a person, exporting it,
//! erasing it with a suppression entry that outlives it, raw-document retention, and inquiries held
//! by the per-source hourly cap. The engine decides who is who and hashes contacts; the store finds
//! rows and changes them, each change in one transaction.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use async_trait::async_trait;
use jiff::Timestamp;
use keepwarm_domain::people::contact_kind;
use keepwarm_domain::{LeadId, PhoneNumber};
use serde::Serialize;

use crate::{NewOutbound, Result};

/// Everything that names one person: their contacts, the leads that hold them, the names on those
/// leads, the stored documents that mention them and the inquiries held with their contacts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PersonFound {
    /// Normalized contacts (E.164 numbers, lower-cased addresses): the one asked about and every
    /// usable contact on the leads found.
    pub contacts: Vec<String>,
    /// Leads holding any of the contacts.
    pub leads: Vec<LeadId>,
    /// Names on those leads (display names, first/last/full names), for redacting text that is
    /// about no lead.
    pub names: Vec<String>,
    /// Stored raw documents linked to the leads or mentioning a contact.
    pub documents: Vec<i64>,
    /// Held inquiries with any of the contacts.
    pub held: Vec<i64>,
}

/// An erasure to carry out.
#[derive(Debug, Clone)]
pub struct PersonErasure {
    /// What was found about the person.
    pub found: PersonFound,
    /// `phone` or `email`: what the request named.
    pub kind: String,
    /// Who asked for it.
    pub by: String,
    /// When.
    pub at: Timestamp,
    /// Suppression entries to keep: `(hash, kind)` for each contact.
    pub suppress: Vec<(String, String)>,
}

/// A recorded erasure: its id and how many rows of each kind it removed or redacted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErasureRecord {
    /// The erasure's id.
    pub id: i64,
    /// Rows removed or redacted, by table.
    pub counts: BTreeMap<String, u64>,
}

/// New leads taken in and held for one source key in one clock hour, to add to the hour's count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaUse {
    /// `provider:NAME` or `sender:ADDRESS`.
    pub source_key: String,
    /// Hours since the Unix epoch.
    pub hour: i64,
    /// New leads admitted.
    pub admitted: i64,
    /// Inquiries held.
    pub held: i64,
}

/// An inquiry held by the hourly cap, to keep.
#[derive(Debug, Clone)]
pub struct NewHeldInquiry {
    /// When it was held.
    pub held_at: Timestamp,
    /// The source key whose cap it went over.
    pub source_key: String,
    /// Why, in words.
    pub reason: String,
    /// The raw document it came in.
    pub document_id: Option<i64>,
    /// The provider marked it a resend.
    pub resend: bool,
    /// The validated lead document, JSON.
    pub lead: String,
    /// Its normalized contacts.
    pub contacts: Vec<String>,
}

/// A held inquiry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeldInquiryRow {
    /// Id.
    pub id: i64,
    /// When it was held.
    pub held_at: Timestamp,
    /// The source key whose cap it went over.
    pub source_key: String,
    /// Why.
    pub reason: String,
    /// The raw document it came in.
    pub document_id: Option<i64>,
    /// The provider marked it a resend.
    pub resend: bool,
    /// The validated lead document.
    pub lead: serde_json::Value,
    /// When a person released it, and who.
    pub released_at: Option<Timestamp>,
    /// Who released it.
    pub released_by: Option<String>,
    /// The lead it became or merged into.
    pub lead_id: Option<i64>,
}

/// People's data: export, erasure, suppression, retention and held inquiries.
#[async_trait]
pub trait People: Send + Sync + 'static {
    /// Everything that names the person with this normalized contact (see [`PersonFound`]). Raw
    /// documents are read whole to find the ones that mention a contact
    /// ([`keepwarm_domain::people::Mentions`]).
    async fn find_person(&self, contact: &str) -> Result<PersonFound>;

    /// Every row held about a found person, by table, as JSON objects (column → value; raw
    /// document bodies as text).
    async fn export_person(
        &self,
        found: &PersonFound,
    ) -> Result<BTreeMap<String, Vec<serde_json::Value>>>;

    /// Erases a found person in one transaction: their leads and every row about them are deleted,
    /// the documents that mention them lose their body, text about no lead that names them is
    /// redacted, the suppression entries are kept and the erasure is recorded (counts only).
    async fn erase_person(&self, erasure: &PersonErasure) -> Result<ErasureRecord>;

    /// Which of these suppression hashes are on the list.
    async fn suppressed(&self, hashes: &[String]) -> Result<HashSet<String>>;

    /// Counts a refused inquiry or send against each of these suppression hashes.
    async fn count_suppressed(&self, hashes: &[String], at: Timestamp) -> Result<()>;

    /// Removes these raw documents' bodies now (they named an erased person); returns how many.
    async fn forget_documents(&self, ids: &[i64], at: Timestamp) -> Result<u64>;

    /// Removes the bodies of raw documents received before `before` (retention); returns how many.
    async fn purge_documents(&self, before: Timestamp, at: Timestamp) -> Result<u64>;

    /// New leads already admitted this `hour` for each source key (absent when none).
    async fn intake_quota(&self, keys: &[String], hour: i64) -> Result<HashMap<String, i64>>;

    /// Adds to the hourly counts, keeps held inquiries and queues the alerts about them, in one
    /// transaction. Returns the held inquiries' ids, in order.
    async fn record_intake_quota(
        &self,
        uses: &[QuotaUse],
        held: &[NewHeldInquiry],
        alerts: &[NewOutbound],
        now: Timestamp,
    ) -> Result<Vec<i64>>;

    /// Held inquiries, oldest first; only those not yet released when `open`.
    async fn held_inquiries(&self, open: bool) -> Result<Vec<HeldInquiryRow>>;

    /// Marks a held inquiry released by `by` and returns it; `None` when there is no such inquiry
    /// or it was released before (by this or another process).
    async fn release_held(
        &self,
        id: i64,
        by: &str,
        at: Timestamp,
    ) -> Result<Option<HeldInquiryRow>>;

    /// Records the lead a released inquiry became or merged into.
    async fn link_released(&self, id: i64, lead: LeadId) -> Result<()>;
}

/// Tables whose rows hang off a lead by `lead_id`, children before parents (erasure deletes them
/// in this order; `leads` itself is last).
pub(crate) const LEAD_TABLES: &[&str] = &[
    "touches",
    "enrollments",
    "lead_contacts",
    "events",
    "tasks",
    "escalations",
    "appointments",
    "follow_up_timers",
    "inbound_messages",
    "lead_documents",
    "import_rows",
    "call_legs",
];

/// What stands in for erased text in rows that are not about the person.
pub(crate) const ERASED: &str = "[erased]";

/// Documents read at once while looking for mentions.
pub(crate) const SCAN_PAGE: i64 = 32;

/// How many rounds of "contacts → leads → their other contacts" a search follows.
pub(crate) const SEARCH_ROUNDS: usize = 4;

/// Every table export shows, in the order it shows them.
pub(crate) fn export_tables() -> impl Iterator<Item = &'static str> {
    ["leads"]
        .into_iter()
        .chain(LEAD_TABLES.iter().copied())
        .chain([
            "outbound_messages",
            "outbox",
            "consent_ledger",
            "inbound_documents",
            "held_inquiries",
        ])
}

/// The strings that stand for the person in text about something else: each contact as stored and
/// as people write it, and (only where `names`) the names on their leads.
pub(crate) fn quoted_forms(found: &PersonFound, names: bool) -> Vec<String> {
    let mut forms = BTreeSet::new();
    for c in &found.contacts {
        forms.insert(c.clone());
        if contact_kind(c) == "phone" {
            if let Ok(p) = PhoneNumber::parse(c, "US") {
                forms.insert(p.national());
            }
        }
    }
    if names {
        forms.extend(found.names.iter().filter(|n| n.len() >= 2).cloned());
    }
    forms.into_iter().collect()
}
