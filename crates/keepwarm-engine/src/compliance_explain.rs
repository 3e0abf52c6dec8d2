//! "Why was this touch held?": the compliance gate re-asked about one touch with the facts as they
//! are now (the lead's phone and address, the consent ledger, the person's recent automated sends),
//! with the rows it evaluated and the touch's own history of deferrals and sends from the timeline.
//! Read-only: explaining a touch never changes it.

use keepwarm_domain::cadence::Channel;
use keepwarm_domain::compliance::consent::basis_for;
use keepwarm_domain::compliance::dnc::Standing;
use keepwarm_domain::compliance::explain::{explain, Explanation};
use keepwarm_domain::compliance::rules::Basis;
use keepwarm_domain::compliance::{Check, Purpose};
use keepwarm_domain::lead::LeadInput;
use keepwarm_domain::EmailAddress;
use serde::Serialize;

use crate::context::{window_for, zones_for};
use crate::{Engine, EngineError, Result};

/// A touch's compliance: the explanation at the instant it would be decided, and what happened.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TouchCompliance {
    /// The touch.
    pub touch_id: i64,
    /// Its lead.
    pub lead_id: i64,
    /// Its channel.
    pub channel: Channel,
    /// Its state (scheduled, sending, sent, skipped, ...).
    pub state: String,
    /// The gate asked at the later of now and the touch's due time.
    pub explanation: Explanation,
    /// For a call or text to a phone: where the number stands with the National Do Not Call list
    /// at that instant (not listed, or the basis that lets it through: written consent, a purchase
    /// within 18 months, an inquiry within 3; or held, with why). Informational messages are not
    /// solicitations and go whatever it says.
    pub do_not_call: Option<Standing>,
    /// The touch's own timeline entries (deferrals with their rule, sends, skips), oldest first.
    #[schema(value_type = Vec<Object>)]
    pub history: Vec<serde_json::Value>,
}

impl Engine {
    /// Explains touch `id`'s compliance; `NotFound` when there is no such touch (or its lead's
    /// dealership is no longer configured).
    pub async fn explain_touch(&self, id: i64) -> Result<TouchCompliance> {
        let missing = || EngineError::NotFound(format!("touch {id}"));
        let touch = self.store().touch(id).await?.ok_or_else(missing)?;
        let lead = self
            .store()
            .lead(touch.lead_id)
            .await?
            .ok_or_else(missing)?;
        let config = self.config();
        let dealership = config
            .dealership(Some(&lead.dealership))
            .ok_or_else(|| EngineError::NotFound(format!("dealership {}", lead.dealership)))?;
        let input: LeadInput = serde_json::from_value(lead.payload.clone()).unwrap_or_default();
        let phone = lead.phone();
        let (recipient, _) = zones_for(phone.as_ref(), &input, dealership);
        let window = window_for(config, &recipient, dealership, &lead.segment);
        let contact = match touch.channel {
            Channel::Email => lead.email().as_ref().map(EmailAddress::match_key),
            _ => phone.as_ref().map(|p| p.as_str().to_owned()),
        };
        let contacts: Vec<String> = contact.iter().cloned().collect();
        let revoked = self.store().revoked_channels(&contacts).await?;
        let revoked = contacts
            .first()
            .and_then(|c| revoked.get(c))
            .cloned()
            .unwrap_or_default();
        let now = self.now();
        let at = if touch.state == "scheduled" {
            now.max(touch.due_at)
        } else {
            now
        };
        let hours = config.compliance.longest_cap_hours();
        let sent = match (&phone, hours) {
            (Some(p), h) if h > 0 => {
                let since = at - jiff::SignedDuration::from_hours(i64::from(h));
                let phones = [p.as_str().to_owned()];
                let mut by_phone = self.store().phone_sends_since(&phones, since).await?;
                by_phone.remove(p.as_str()).unwrap_or_default()
            }
            _ => Vec::new(),
        };
        let step = match &lead.enrollment {
            Some(e) => self
                .snapshot(&e.cadence_name, &e.cadence_version)
                .await
                .ok()
                .and_then(|snap| {
                    let step = snap.cadence.steps.get(touch.step_index)?.clone();
                    let purpose = snap.blocks.get(&step.block).map(|b| b.purpose);
                    Some((step, purpose.unwrap_or_default()))
                }),
            None => None,
        };
        let basis = contact
            .as_ref()
            .and_then(|k| basis_for(&input.consent, k, touch.channel, &lead.dealership));
        let check = Check {
            purpose: Purpose::CadenceTouch,
            channel: touch.channel,
            window: &window,
            opted_out: lead.opted_out,
            revoked: &revoked,
            sent_recently: &sent,
            message: step
                .as_ref()
                .map(|(_, p)| *p)
                .unwrap_or_default()
                .as_sent(lead.received_at, at),
            automated: touch.channel != Channel::Call
                || step.as_ref().is_some_and(|(s, _)| s.is_automated_call()),
            basis,
        };
        let explanation = explain(&config.compliance, &recipient, &check, at);
        let do_not_call = match (&phone, touch.channel.needs_phone()) {
            (Some(p), true) => Some(
                self.dnc_standing(
                    p,
                    basis == Some(Basis::ExpressWritten),
                    lead.received_at,
                    input.purchased_at,
                    at,
                )
                .await?,
            ),
            _ => None,
        };
        let history = self
            .store()
            .timeline(lead.id)
            .await?
            .iter()
            .filter_map(|row| serde_json::to_value(row).ok())
            .filter(|e| e["data"]["touch_id"] == id)
            .collect();
        Ok(TouchCompliance {
            touch_id: id,
            lead_id: lead.id.0,
            channel: touch.channel,
            state: touch.state,
            explanation,
            do_not_call,
            history,
        })
    }
}

impl Engine {
    /// The compliance report of `week` for a dealership (the first when `None`): deferrals by rule,
    /// holds and skips, opt-outs and the time taken to honour each, sends after a revocation.
    pub async fn compliance_report(
        &self,
        week: keepwarm_domain::audit::IsoWeek,
        dealership: Option<&str>,
    ) -> Result<keepwarm_domain::compliance::report::ComplianceReport> {
        use keepwarm_domain::compliance::report::{build, ReportEvent};
        let dealership = self
            .config()
            .dealership(dealership)
            .ok_or_else(|| match dealership {
                Some(id) => EngineError::field("dealership", format!("`{id}` is not configured")),
                None => EngineError::Inconsistent("no dealership is configured".into()),
            })?;
        let (start, end) = week.bounds(&dealership.time_zone);
        let events: Vec<ReportEvent> = self
            .store()
            .compliance_events(&dealership.id, start, end)
            .await?
            .into_iter()
            .map(|e| ReportEvent {
                lead: e.lead,
                at: e.at,
                kind: e.kind,
                data: e.data,
            })
            .collect();
        Ok(build(
            &dealership.id,
            &week.to_string(),
            (start, end),
            &events,
        ))
    }
}
