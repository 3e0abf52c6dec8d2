//! The hourly cap on new leads per source: a lead provider or an e-mail sender that sends more new
//! leads in one clock hour than `[intake] max_new_leads_per_source_hour` gets the rest held for a
//! person — kept, not enrolled, not contacted — and the managers are alerted once per source and
//! hour through the durable outbound queue. A person lists and releases held inquiries
//! (`keepwarm held`).
//!
//! Only documents from outside carry source keys (the e-mail webhook and ADF over HTTP); single
//! leads posted with the API token, CSV imports and replays are a person's own doing and are not
//! capped. Hours are clock hours (UTC): a source can reach twice the cap across an hour boundary,
//! never more.

use std::collections::HashMap;

use jiff::Timestamp;
use keepwarm_domain::lead::NewLead;
use keepwarm_domain::routing::Role;
use keepwarm_domain::timeline::{ManagerAlert, OutboundNote};
use keepwarm_domain::TimelineEvent;
use keepwarm_store::{NewEvent, NewHeldInquiry, NewOutbound, OutboundPurpose, QuotaUse};

use crate::ingest::IngestOptions;
use crate::{Engine, Result};
use keepwarm_domain::machine::staff_alert;

/// The source keys of an inquiry from a document that came in on `channel`, from `sender`: none
/// unless the channel is one outsiders reach.
pub(crate) fn source_keys(channel: &str, sender: Option<&str>, lead: &NewLead) -> Vec<String> {
    if !matches!(channel, "email" | "api_adf") {
        return Vec::new();
    }
    let sender = sender
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty())
        .map(|s| format!("sender:{s}"));
    let provider = lead
        .input
        .source
        .provider
        .as_deref()
        .map(|p| p.trim().to_lowercase())
        .filter(|p| !p.is_empty())
        .map(|p| format!("provider:{p}"));
    sender.into_iter().chain(provider).collect()
}

/// The cap's count for one intake batch: what each source had this hour before the batch, and
/// what the batch admitted and held.
pub(crate) struct Quota {
    cap: i64,
    hour: i64,
    before: HashMap<String, i64>,
    admitted: HashMap<String, i64>,
    held: Vec<(usize, String)>,
}

impl Quota {
    /// Whether a new lead with these source keys may be admitted now: `Ok` counts it against
    /// each key, `Err` names the key whose cap it would go over (and holds nothing yet).
    pub(crate) fn admit(&mut self, keys: &[String]) -> std::result::Result<(), String> {
        let used = |k: &String| {
            self.before.get(k).copied().unwrap_or(0) + self.admitted.get(k).copied().unwrap_or(0)
        };
        if let Some(over) = keys.iter().find(|k| used(k) >= self.cap) {
            return Err(over.clone());
        }
        for k in keys {
            *self.admitted.entry(k.clone()).or_insert(0) += 1;
        }
        Ok(())
    }

    /// Records that inquiry `index` was held for going over `key`'s cap.
    pub(crate) fn hold(&mut self, index: usize, key: String) {
        self.held.push((index, key));
    }
}

/// Hours since the Unix epoch.
fn hour_of(now: Timestamp) -> i64 {
    now.as_second().div_euclid(3600)
}

impl Engine {
    /// The cap's count for a batch of inquiries, read in one query.
    pub(crate) async fn load_quota(
        &self,
        items: &[(NewLead, IngestOptions)],
        now: Timestamp,
    ) -> Result<Quota> {
        let mut keys: Vec<String> = items
            .iter()
            .flat_map(|(_, o)| o.source_keys.iter().cloned())
            .collect();
        keys.sort();
        keys.dedup();
        let hour = hour_of(now);
        let before = if keys.is_empty() {
            HashMap::new()
        } else {
            self.store().intake_quota(&keys, hour).await?
        };
        Ok(Quota {
            cap: i64::from(self.config().intake_limits.max_new_leads_per_source_hour),
            hour,
            before,
            admitted: HashMap::new(),
            held: Vec::new(),
        })
    }

    /// Keeps the batch's counts and held inquiries and queues the managers' alerts (once per source
    /// and hour, whichever process saw it first), in one transaction. Returns the held inquiries'
    /// ids with their indexes in the batch.
    pub(crate) async fn record_quota(
        &self,
        quota: Quota,
        items: &[(NewLead, IngestOptions)],
        now: Timestamp,
    ) -> Result<Vec<(usize, i64, String)>> {
        let mut uses: HashMap<String, QuotaUse> = quota
            .admitted
            .iter()
            .map(|(k, n)| {
                (
                    k.clone(),
                    QuotaUse {
                        source_key: k.clone(),
                        hour: quota.hour,
                        admitted: *n,
                        held: 0,
                    },
                )
            })
            .collect();
        let mut held = Vec::new();
        let mut alerts = Vec::new();
        for (index, key) in &quota.held {
            uses.entry(key.clone())
                .or_insert_with(|| QuotaUse {
                    source_key: key.clone(),
                    hour: quota.hour,
                    admitted: 0,
                    held: 0,
                })
                .held += 1;
            let (lead, options) = &items[*index];
            let reason = format!(
                "more than {} new leads from {key} in one hour; held for a person",
                quota.cap
            );
            held.push(NewHeldInquiry {
                held_at: now,
                source_key: key.clone(),
                reason: reason.clone(),
                document_id: options.document_id,
                resend: options.resend,
                lead: serde_json::to_string(&lead.input).unwrap_or_else(|_| "{}".into()),
                contacts: crate::people::contacts_of(lead),
            });
            alerts.extend(self.hold_alerts(key, quota.cap, quota.hour, now));
        }
        if uses.is_empty() && held.is_empty() {
            return Ok(Vec::new());
        }
        let uses: Vec<QuotaUse> = uses.into_values().collect();
        let ids = self
            .store()
            .record_intake_quota(&uses, &held, &alerts, now)
            .await?;
        if !alerts.is_empty() {
            self.wake_workers().await;
        }
        Ok(quota
            .held
            .into_iter()
            .zip(ids)
            .map(|((index, key), id)| (index, id, key))
            .collect())
    }

    /// The managers' alerts that `key` went over the cap this hour, each deduplicated per source,
    /// hour and manager.
    fn hold_alerts(&self, key: &str, cap: i64, hour: i64, now: Timestamp) -> Vec<NewOutbound> {
        let config = self.config();
        let Some(dealership) = config.dealership(None) else {
            return Vec::new();
        };
        config
            .staff
            .iter()
            .filter(|s| s.role == Role::Manager)
            .filter_map(|manager| {
                let alert = ManagerAlert {
                    manager: manager.id.clone(),
                    outbound: OutboundNote::default(),
                };
                let mut message = staff_alert(
                    OutboundPurpose::ManagerAlert,
                    None,
                    &dealership.id,
                    manager,
                    "Leads held: hourly intake cap".to_owned(),
                    format!(
                        "keepwarm: {key} sent more than {cap} new leads this hour. The rest are held, not contacted; review them with `keepwarm held list` and release the real ones with `keepwarm held release ID`."
                    ),
                    NewEvent::new(now, TimelineEvent::ManagerAlerted(alert.clone())),
                    NewEvent::new(now, TimelineEvent::ManagerAlertFailed(alert)),
                    now,
                )?;
                message.dedupe_key = Some(format!("intake_cap:{key}:{hour}:{}", manager.id));
                Some(message)
            })
            .collect()
    }
}
