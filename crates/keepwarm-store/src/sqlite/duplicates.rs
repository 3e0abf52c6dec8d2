//! The duplicate check of new leads, inside the transaction that stores them.
//!
//! The engine matches an inquiry against stored leads before it decides to create one, but that
//! look happens outside the write transaction: another process on the same database (Cars.com and
//! the OEM site delivering the same shopper in the same millisecond) can store the same person in
//! between. So the create path looks again under the write lock (`BEGIN IMMEDIATE` serializes
//! writers across processes) and leaves out every new lead that a stored lead of the same
//! dealership already matches on a usable phone or e-mail, the same keys the engine's match uses.
//! (PostgreSQL has no single write lock: there the check needs a per-dealership advisory
//! transaction lock, `pg_advisory_xact_lock`, taken before it.)

use std::collections::HashMap;

use keepwarm_domain::LeadId;
use sqlx::{Sqlite, Transaction};

use crate::records::NewLeadRecord;
use crate::Result;

/// Whether a new lead is someone already known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Seen {
    /// Nobody with its contacts: store it.
    New,
    /// A stored lead has one of its contacts.
    Stored(LeadId),
    /// An earlier lead of the same call (by index) has one of its contacts.
    Earlier(usize),
}

/// A lead's match keys: dealership, contact kind and value (phones in E.164, e-mails lower-cased).
fn keys(r: &NewLeadRecord) -> impl Iterator<Item = (&str, &'static str, String)> + '_ {
    let phones = r
        .phones
        .iter()
        .map(|p| (r.dealership.as_str(), "phone", p.as_str().to_owned()));
    let emails = r
        .emails
        .iter()
        .map(|e| (r.dealership.as_str(), "email", e.match_key()));
    phones.chain(emails)
}

/// For each new lead, in order, whether a stored lead or an earlier one of `records` has one of its
/// usable contacts. One indexed query over all their contacts.
pub(super) async fn check(
    tx: &mut Transaction<'_, Sqlite>,
    records: &[NewLeadRecord],
) -> Result<Vec<Seen>> {
    let mut phones = Vec::new();
    let mut emails = Vec::new();
    for (_, kind, value) in records.iter().flat_map(keys) {
        match kind {
            "phone" => phones.push(value),
            _ => emails.push(value),
        }
    }
    let stored: Vec<(String, String, String, i64)> = if phones.is_empty() && emails.is_empty() {
        Vec::new()
    } else {
        sqlx::query_as(
            "SELECT l.dealership, c.kind, c.value, c.lead_id FROM lead_contacts c JOIN leads l ON l.id = c.lead_id
             WHERE c.kind = 'phone' AND c.value IN (SELECT value FROM json_each(?1)) AND c.usable = 1
             UNION ALL
             SELECT l.dealership, c.kind, lower(c.value), c.lead_id FROM lead_contacts c JOIN leads l ON l.id = c.lead_id
             WHERE c.kind = 'email' AND lower(c.value) IN (SELECT value FROM json_each(?2)) AND c.usable = 1",
        )
        .bind(serde_json::to_string(&phones).unwrap_or_else(|_| "[]".into()))
        .bind(serde_json::to_string(&emails).unwrap_or_else(|_| "[]".into()))
        .fetch_all(&mut **tx)
        .await?
    };
    let mut known: HashMap<(String, &str, String), Seen> = HashMap::new();
    for (dealership, kind, value, lead) in stored {
        let kind = if kind == "phone" { "phone" } else { "email" };
        known
            .entry((dealership, kind, value))
            .or_insert(Seen::Stored(LeadId(lead)));
    }
    let mut seen = Vec::with_capacity(records.len());
    for (i, r) in records.iter().enumerate() {
        let found = keys(r).find_map(|(dealership, kind, value)| {
            known.get(&(dealership.to_owned(), kind, value)).copied()
        });
        match found {
            Some(s) => seen.push(s),
            None => {
                for (dealership, kind, value) in keys(r) {
                    known.insert((dealership.to_owned(), kind, value), Seen::Earlier(i));
                }
                seen.push(Seen::New);
            }
        }
    }
    Ok(seen)
}
