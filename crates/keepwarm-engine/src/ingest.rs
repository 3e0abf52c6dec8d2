//! Lead intake: a validated lead becomes a stored lead with a segment, an owner, an enrollment in its
//! segment's current cadence version and a planned first touch — in one transaction.

use jiff::{Timestamp, ToSpan};
use keepwarm_domain::cadence::Anchor;
use keepwarm_domain::lead::{FieldError, NewLead};
use keepwarm_domain::plan::{plan_step, PlanError};
use keepwarm_domain::segment::{segment_lead, LeadFacts};
use keepwarm_domain::LeadStatus;
use keepwarm_store::{NewEnrollment, NewEvent, NewLeadRecord, NewTask, NewTouch};
use serde::Serialize;
use serde_json::json;

use crate::context::{window_for, zones_for};
use crate::{Engine, EngineError, Result};

/// How far in the future a `received_at` may be (clock skew between systems).
const MAX_CLOCK_SKEW_MINUTES: i64 = 5;

/// What happened to an ingested lead.
#[derive(Debug, Clone, Serialize)]
pub struct IngestOutcome {
    /// The new lead's id.
    pub id: i64,
    /// Its segment.
    pub segment: String,
    /// The rule that chose the segment.
    pub segment_rule: String,
    /// Its owner.
    pub owner: String,
    /// Its follow-up status.
    pub status: LeadStatus,
    /// The cadence and version it is enrolled in.
    pub cadence: Option<CadenceRef>,
    /// When the first touch is due.
    pub first_touch_due_at: Option<Timestamp>,
    /// Problems that did not stop the lead (unusable contact data).
    pub warnings: Vec<FieldError>,
}

/// A cadence name and version.
#[derive(Debug, Clone, Serialize)]
pub struct CadenceRef {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
}

impl Engine {
    /// Stores a lead and starts its follow-up. The caller has validated the document
    /// ([`keepwarm_domain::lead::parse_lead_json`]); the dealership and times are checked here.
    pub async fn ingest(&self, lead: NewLead) -> Result<IngestOutcome> {
        let now = self.now();
        let config = self.config();
        let dealership = config
            .dealership(lead.input.dealership.as_deref())
            .ok_or_else(|| {
                let known: Vec<&str> = config.dealerships.iter().map(|d| d.id.as_str()).collect();
                EngineError::field(
                    "dealership",
                    format!(
                        "unknown dealership `{}` (known: {})",
                        lead.input.dealership.as_deref().unwrap_or_default(),
                        known.join(", ")
                    ),
                )
            })?;
        let received_at = lead.input.received_at.unwrap_or(now);
        if received_at > now + MAX_CLOCK_SKEW_MINUTES.minutes() {
            return Err(EngineError::field(
                "received_at",
                format!("{received_at} is in the future (now is {now})"),
            ));
        }
        let facts = LeadFacts::of(&lead.input, now);
        let seg = segment_lead(&facts, &config.rules, &config.fallback_segment, now);
        let segment = config.segment(&seg.segment).ok_or_else(|| {
            EngineError::Inconsistent(format!("segment {} is not configured", seg.segment))
        })?;
        let team = config
            .routes
            .get(&segment.name)
            .cloned()
            .unwrap_or_default();
        let members: Vec<(String, bool)> = config
            .team_members(&team)
            .iter()
            .map(|s| (s.id.clone(), s.on_shift(now, &dealership.time_zone)))
            .collect();
        let choice = self
            .store()
            .rotate_owner(&team, &members)
            .await?
            .ok_or_else(|| EngineError::Inconsistent(format!("team {team} has no members")))?;
        let owner = config.staff_member(&choice.owner);

        let (version, snapshot) = self.current.get(&segment.cadence).cloned().ok_or_else(|| {
            EngineError::Inconsistent(format!("cadence {} is not configured", segment.cadence))
        })?;
        let cadence = &snapshot.cadence;
        let anchor = match cadence.anchor {
            Anchor::Received => received_at,
            Anchor::Enrolled => now,
        };
        let reachable = lead.is_reachable();
        let status = if reachable {
            LeadStatus::Active
        } else {
            LeadStatus::Paused
        };

        let mut events = vec![
            NewEvent::new(
                now,
                "received",
                json!({
                    "source": lead.input.source,
                    "received_at": received_at,
                    "warnings": lead.warnings(),
                }),
            ),
            NewEvent::new(
                now,
                "segmented",
                json!({"segment": seg.segment, "rule": seg.rule}),
            ),
            NewEvent::new(
                now,
                "owner_assigned",
                json!({
                    "owner": choice.owner,
                    "name": owner.map(|o| o.name.clone()),
                    "team": team,
                    "reason": choice.reason,
                }),
            ),
            NewEvent::new(
                now,
                "enrolled",
                json!({
                    "cadence": cadence.name,
                    "version": version,
                    "label": cadence.label,
                    "anchor_at": anchor,
                }),
            ),
        ];
        let mut tasks = Vec::new();
        if !reachable {
            events.push(NewEvent::new(
                now,
                "follow_up_paused",
                json!({
                    "reason": "no usable phone number or e-mail address",
                    "by": "intake",
                }),
            ));
            tasks.push(NewTask {
                owner_id: choice.owner.clone(),
                kind: "fix_contact".into(),
                touch_id: None,
                due_at: now,
                body: format!(
                    "New {} lead has no usable phone or e-mail ({}). Find a way to reach them, fix the contact data, then resume follow-up.",
                    segment.name,
                    lead.unusable.iter().map(|u| format!("{}: {}", u.field, u.value)).collect::<Vec<_>>().join(", ")
                ),
            });
        }

        let phone = lead.phones.first();
        let (zones, primary) = zones_for(phone, &lead.input, dealership);
        let window = window_for(config, &zones, dealership, &segment.name);
        let first_touch = match cadence.steps.first() {
            None => None,
            Some(step) => match plan_step(step, anchor, &primary, now, None, &window) {
                Ok(p) => Some(NewTouch {
                    step_index: 0,
                    channel: step.channel,
                    block: step.block.clone(),
                    target_at: p.target,
                    due_at: p.due,
                }),
                Err(e @ (PlanError::NoWindow | PlanError::OutOfRange)) => {
                    events.push(NewEvent::new(
                        now,
                        "touch_unplannable",
                        json!({
                            "step": 1, "reason": e.to_string(), "zones": zones,
                        }),
                    ));
                    tasks.push(NewTask {
                        owner_id: choice.owner.clone(),
                        kind: "reply".into(),
                        touch_id: None,
                        due_at: now,
                        body: format!("Automated follow-up cannot reach this lead: {e}. Contact them yourself."),
                    });
                    None
                }
            },
        };
        let first_due = first_touch.as_ref().map(|t| t.due_at);
        let display_name = {
            let c = &lead.input.customer;
            c.full_name.clone().or_else(|| {
                let parts: Vec<&str> = [c.first_name.as_deref(), c.last_name.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect();
                (!parts.is_empty()).then(|| parts.join(" "))
            })
        };
        let record = NewLeadRecord {
            dealership: dealership.id.clone(),
            received_at,
            created_at: now,
            source_kind: lead.input.source.kind,
            provider: lead.input.source.provider.clone(),
            provider_lead_id: lead.input.source.provider_lead_id.clone(),
            display_name,
            payload: serde_json::to_value(&lead.input)
                .map_err(|e| EngineError::Inconsistent(e.to_string()))?,
            phones: lead.phones.clone(),
            emails: lead.emails.clone(),
            unusable: lead.unusable.clone(),
            segment: seg.segment.clone(),
            segment_rule: seg.rule.clone(),
            owner_id: choice.owner.clone(),
            status,
            events,
            enrollment: Some(NewEnrollment {
                cadence_name: cadence.name.clone(),
                cadence_version: version.clone(),
                anchor_at: anchor,
                first_touch,
            }),
            tasks,
        };
        let created = self.store().create_lead(&record).await?;
        self.after_change().await?;
        Ok(IngestOutcome {
            id: created.id.0,
            segment: seg.segment,
            segment_rule: seg.rule,
            owner: choice.owner,
            status,
            cadence: Some(CadenceRef {
                name: cadence.name.clone(),
                version,
            }),
            first_touch_due_at: first_due,
            warnings: lead.warnings(),
        })
    }
}
