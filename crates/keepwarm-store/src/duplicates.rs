//! The duplicate check of new leads, the part both backends share: which contacts a new lead is
//! matched on, and, given the stored leads that have one of them, which new leads are someone
//! already known (a stored lead, or an earlier lead of the same call).
//!
//! Each backend looks the keys up inside the transaction that stores the leads, after making sure
//! no other process can store the same keys meanwhile: SQLite holds its single write lock
//! (`BEGIN IMMEDIATE`), PostgreSQL takes an advisory transaction lock per key.

use std::collections::HashMap;

use keepwarm_domain::LeadId;

use crate::records::{LeadCreation, NewLeadRecord};
use crate::{CreatedLead, Result, StoreError};

/// Whether a new lead is someone already known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seen {
    /// Nobody with its contacts: store it.
    New,
    /// A stored lead has one of its contacts.
    Stored(LeadId),
    /// An earlier lead of the same call (by index) has one of its contacts.
    Earlier(usize),
}

/// A lead's match keys: dealership, contact kind and value (phones in E.164, e-mails lower-cased).
pub(crate) fn keys(r: &NewLeadRecord) -> impl Iterator<Item = (&str, &'static str, String)> + '_ {
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

/// The phone and e-mail keys of all `records`, to look up among stored leads.
pub(crate) fn lookup_values(records: &[NewLeadRecord]) -> (Vec<String>, Vec<String>) {
    let mut phones = Vec::new();
    let mut emails = Vec::new();
    for (_, kind, value) in records.iter().flat_map(keys) {
        match kind {
            "phone" => phones.push(value),
            _ => emails.push(value),
        }
    }
    (phones, emails)
}

/// For each new lead, in order, whether a stored lead (`stored`: dealership, kind, key, lead id) or
/// an earlier one of `records` has one of its usable contacts.
pub(crate) fn resolve(
    records: &[NewLeadRecord],
    stored: Vec<(String, String, String, i64)>,
) -> Vec<Seen> {
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
    seen
}

/// One answer per lead, in order: the leads stored (`created`, in the order of the [`Seen::New`]
/// ones) and the known lead each other one matched.
pub(crate) fn answers(seen: Vec<Seen>, created: Vec<CreatedLead>) -> Result<Vec<LeadCreation>> {
    let mut created = created.into_iter();
    let mut answers: Vec<LeadCreation> = Vec::with_capacity(seen.len());
    for s in seen {
        let answer = match s {
            Seen::New => created.next().map(LeadCreation::Created),
            Seen::Stored(lead) => Some(LeadCreation::Matched(lead)),
            Seen::Earlier(i) => answers.get(i).map(|a| match a {
                LeadCreation::Created(c) => LeadCreation::Matched(c.id),
                LeadCreation::Matched(lead) => LeadCreation::Matched(*lead),
            }),
        };
        answers.push(answer.ok_or_else(|| StoreError::Corrupt("a new lead went missing".into()))?);
    }
    Ok(answers)
}
