//! Intake's match of an inquiry to a known lead, decided the same way on both backends: each reads
//! the dealership's leads holding one of the inquiries' contacts ([`ContactMatch`], one per
//! matching contact) in its own SQL, and [`best_matches`] picks each inquiry's lead.

use keepwarm_domain::dedupe::MatchCandidate;
use keepwarm_domain::{EmailAddress, LeadId, LeadStatus, PhoneNumber, Stage};

use crate::sqlite::{ts, word};
use crate::Result;

/// One matching contact of a lead, with what the intake decision needs to know of the lead.
#[derive(serde::Deserialize)]
pub(crate) struct ContactMatch {
    pub id: i64,
    pub stage: String,
    pub status: String,
    pub opted_out: i64,
    pub last_inquiry_at: i64,
    pub kind: String,
    pub value: String,
    pub name: Option<String>,
    pub last_stage_change_at: Option<i64>,
    pub open_escalation: i64,
}

/// The phone and e-mail keys of all `inquiries` (e-mails lower-cased), to look up.
pub(crate) fn match_keys(
    inquiries: &[(Vec<PhoneNumber>, Vec<EmailAddress>)],
) -> (Vec<String>, Vec<String>) {
    let phones = inquiries
        .iter()
        .flat_map(|(p, _)| p.iter().map(|p| p.as_str().to_owned()))
        .collect();
    let emails = inquiries
        .iter()
        .flat_map(|(_, e)| e.iter().map(EmailAddress::match_key))
        .collect();
    (phones, emails)
}

/// For each inquiry, the matching lead whose latest inquiry is newest, from the `rows` read.
pub(crate) fn best_matches(
    inquiries: &[(Vec<PhoneNumber>, Vec<EmailAddress>)],
    rows: &[ContactMatch],
) -> Result<Vec<Option<MatchCandidate>>> {
    inquiries
        .iter()
        .map(|(phones, emails)| {
            let keys: Vec<(&str, String)> = phones
                .iter()
                .map(|p| ("phone", p.as_str().to_owned()))
                .chain(emails.iter().map(|e| ("email", e.match_key())))
                .collect();
            let matching = || {
                rows.iter()
                    .filter(|r| keys.iter().any(|(k, v)| r.kind == *k && r.value == *v))
            };
            let best = matching().max_by_key(|r| (r.last_inquiry_at, r.id));
            best.map(|r| {
                Ok(MatchCandidate {
                    lead: LeadId(r.id),
                    stage: word::<Stage>(&r.stage)?,
                    status: word::<LeadStatus>(&r.status)?,
                    opted_out: r.opted_out != 0,
                    last_inquiry_at: ts(r.last_inquiry_at)?,
                    matched_on: format!("{} {}", r.kind, r.value),
                    name: r.name.clone(),
                    email_matches: matching().any(|m| m.id == r.id && m.kind == "email"),
                    last_stage_change_at: r.last_stage_change_at.map(ts).transpose()?,
                    open_escalation: r.open_escalation != 0,
                })
            })
            .transpose()
        })
        .collect()
}
