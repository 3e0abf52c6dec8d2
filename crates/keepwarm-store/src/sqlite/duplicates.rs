//! The duplicate check of new leads, inside the transaction that stores them.
//!
//! The engine matches an inquiry against stored leads before it decides to create one, but that
//! look happens outside the write transaction: another process on the same database (Cars.com and
//! the OEM site delivering the same shopper in the same millisecond) can store the same person in
//! between. So the create path looks again under the write lock (`BEGIN IMMEDIATE` serializes
//! writers across processes) and leaves out every new lead that a stored lead of the same
//! dealership already matches on a usable phone or e-mail, the same keys the engine's match uses.
//! Which keys, and what a match means, is shared with PostgreSQL (`crate::duplicates`); that
//! backend has no single write lock and takes an advisory lock per key instead.

use sqlx::{Sqlite, Transaction};

use crate::duplicates::{lookup_values, resolve, Seen};
use crate::records::NewLeadRecord;
use crate::Result;

/// For each new lead, in order, whether a stored lead or an earlier one of `records` has one of its
/// usable contacts. One indexed query over all their contacts.
pub(super) async fn check(
    tx: &mut Transaction<'_, Sqlite>,
    records: &[NewLeadRecord],
) -> Result<Vec<Seen>> {
    let (phones, emails) = lookup_values(records);
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
    Ok(resolve(records, stored))
}
