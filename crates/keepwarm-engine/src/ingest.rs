//! Lead intake: a validated inquiry becomes a new lead — segment, owner, enrollment in its segment's
//! current cadence version, first touch, in one transaction. An inquiry from a person already known
//! goes to the lead state machine instead (`matched.rs`), which decides whether it merges, is
//! recorded, is a person to check or re-opens the lead.
//!
//! Creating a lead decides nothing the machine would: segmentation, routing and enrollment planning
//! are here, and the store's batched `create_leads` only writes them (with the duplicate check in
//! its transaction), so intake's group commit stays one transaction per batch.

use jiff::Timestamp;
use keepwarm_domain::cadence::Channel;
use keepwarm_domain::compliance::consent::{basis_for, basis_text};
use keepwarm_domain::config::Dealership;
use keepwarm_domain::lead::{FieldError, LeadInput, NewLead};
use keepwarm_domain::machine::enroll::{plan_enrollment, Enrolling, PlannedEnrollment};
use keepwarm_domain::machine::intake;
use keepwarm_domain::owner::{match_owner, OwnerMatch};
use keepwarm_domain::routing::OwnerChoice;
use keepwarm_domain::segment::{segment_lead, LeadFacts, Segmentation};
use keepwarm_domain::timeline::{OwnerAssigned, Received, Segmented};
use keepwarm_domain::LeadStatus;
use keepwarm_domain::TimelineEvent;
use keepwarm_store::{NewEnrollment, NewEvent, NewLeadRecord};
use serde::Serialize;

use crate::{Engine, EngineError, Result};

/// How far in the future a `received_at` may be (clock skew between systems).
pub(crate) const MAX_CLOCK_SKEW_MINUTES: i64 = 5;

/// Where an inquiry came from, besides its content.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// The provider marked it a resend of an earlier inquiry (ADF `status="resend"`).
    pub resend: bool,
    /// The raw inbound document it was parsed from.
    pub document_id: Option<i64>,
    /// Warnings from parsing the document (repairs), reported with the lead's own.
    pub warnings: Vec<FieldError>,
    /// The provider and sender it is counted against for the hourly cap (`intake_cap`); empty
    /// when it is not capped.
    pub source_keys: Vec<String>,
    /// The inquiry is a call to the store's number: the call itself (answered, or answered by its
    /// missed-call text-back) is the first response, so the cadence's day-0 steps are skipped
    /// rather than texting a caller who is on the line.
    pub by_call: bool,
}

/// Why a lead that called the store gets no day-0 touch.
const ANSWERED_BY_CALL: &str =
    "the customer called the store: the call (or its missed-call text-back) is the first response";

/// What happened to an inquiry.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IngestOutcome {
    /// The lead it created or merged into.
    pub id: i64,
    /// `created`, `merged`, `reopened`, `merged_for_owner`, `recorded` (kept on the timeline
    /// only) or `person_to_check` (kept on the timeline; the owner checks who it is).
    pub action: &'static str,
    /// Why it merged or re-opened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The lead's segment.
    pub segment: String,
    /// The rule that chose the segment.
    pub segment_rule: String,
    /// The lead's owner.
    pub owner: String,
    /// The lead's follow-up status.
    pub status: LeadStatus,
    /// The cadence and version a new enrollment pinned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cadence: Option<CadenceRef>,
    /// When the first touch of a new enrollment is due.
    pub first_touch_due_at: Option<Timestamp>,
    /// Problems that did not stop the lead (unusable contact data, repaired input).
    pub warnings: Vec<FieldError>,
}

/// A cadence name and version.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CadenceRef {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
}

/// The cadence an enrollment pinned, as the API reports it.
pub(crate) fn cadence_ref(enrollment: &NewEnrollment) -> CadenceRef {
    CadenceRef {
        name: enrollment.cadence_name.clone(),
        version: enrollment.cadence_version.clone(),
    }
}

/// The inquiry's usable contact points as the consent ledger and the matching read them (E.164,
/// lower-cased e-mail).
pub(crate) fn contact_keys(lead: &NewLead) -> Vec<String> {
    lead.phones
        .iter()
        .map(|p| p.as_str().to_owned())
        .chain(lead.emails.iter().map(|e| e.match_key()))
        .collect()
}

impl Engine {
    /// Ingests a validated lead with default options.
    pub async fn ingest(&self, lead: NewLead) -> Result<IngestOutcome> {
        self.ingest_with(lead, IngestOptions::default()).await
    }

    /// Ingests a validated lead. The caller has validated the document
    /// ([`keepwarm_domain::lead::parse_lead_json`] or `validate_lead`); the dealership and times are
    /// checked here. The inquiry joins whatever others are waiting in one intake batch (see
    /// the `import` module), so two inquiries from the same person arriving together still make one
    /// lead, and concurrent inquiries share a transaction.
    pub async fn ingest_with(
        &self,
        lead: NewLead,
        options: IngestOptions,
    ) -> Result<IngestOutcome> {
        let (reply, outcome) = tokio::sync::oneshot::channel();
        self.intake
            .send(crate::import::IntakeJob::Lead {
                lead: Box::new(lead),
                options,
                reply,
            })
            .await
            .map_err(|_| EngineError::Inconsistent("the intake task has stopped".into()))?;
        outcome
            .await
            .map_err(|_| EngineError::Inconsistent("the intake task dropped an inquiry".into()))?
    }

    /// Writes the settings' default consent record (`[consent]`) for the inquiry's source onto a
    /// document that brings none, one per contact point, naming the dealership and the inquiry's
    /// time; the evidence then says what was assumed.
    pub(crate) fn add_default_consent(&self, lead: &mut NewLead, now: Timestamp) {
        if !lead.input.consent.is_empty() {
            return;
        }
        let Ok(dealership) = self.dealership_of(&lead.input) else {
            return;
        };
        let source = &lead.input.source;
        let Some(record) = self.config().consent.record_for(
            source.kind,
            source.provider.as_deref(),
            lead.input.received_at.unwrap_or(now),
            &dealership.id,
        ) else {
            return;
        };
        let contacts = contact_keys(lead);
        lead.input.consent =
            keepwarm_domain::compliance::consent::per_contact(vec![record], &contacts);
    }

    pub(crate) fn dealership_of(&self, input: &LeadInput) -> Result<&Dealership> {
        self.dealership_named(input.dealership.as_deref())
    }

    /// The dealership with this id (the first when `None`), or a field error naming the known ones.
    pub(crate) fn dealership_named(&self, id: Option<&str>) -> Result<&Dealership> {
        let config = self.config();
        config.dealership(id).ok_or_else(|| {
            let known: Vec<&str> = config.dealerships.iter().map(|d| d.id.as_str()).collect();
            EngineError::field(
                "dealership",
                format!(
                    "unknown dealership `{}` (known: {})",
                    id.unwrap_or_default(),
                    known.join(", ")
                ),
            )
        })
    }

    /// The owner the lead's source names (`"owner": "sam"`, a CSV `Salesperson`, the ADF vendor's
    /// contact) when it names one staff member. A name that is nobody, or several people, leaves the
    /// choice to routing; [`Engine::owner_warning`] says so on the lead.
    pub(crate) fn named_owner(&self, input: &LeadInput) -> Option<OwnerChoice> {
        let named = input.owner.as_deref()?;
        match match_owner(&self.config().staff, named) {
            OwnerMatch::Staff(staff) => Some(OwnerChoice {
                owner: staff.id.clone(),
                reason: "named by the lead's source".into(),
            }),
            OwnerMatch::Unknown | OwnerMatch::Ambiguous(_) => None,
        }
    }

    /// The warning an inquiry carries when its source names an owner who cannot be used.
    pub(crate) fn owner_warning(&self, input: &LeadInput) -> Option<FieldError> {
        let named = input.owner.as_deref()?;
        let message = match_owner(&self.config().staff, named).warning(named)?;
        Some(FieldError {
            field: "owner".into(),
            message,
        })
    }

    /// What an inquiry is reported and recorded with: the document's repairs, unusable contacts
    /// and an owner that could not be used.
    pub(crate) fn inquiry_warnings(&self, lead: &NewLead, opts: &IngestOptions) -> Vec<FieldError> {
        let mut warnings = opts.warnings.clone();
        warnings.extend(lead.warnings());
        warnings.extend(self.owner_warning(&lead.input));
        warnings
    }

    /// The segment of an inquiry and an owner from its team: the owner the source names first,
    /// then `keep` when on that team, then round robin.
    pub(crate) async fn segment_and_owner(
        &self,
        input: &LeadInput,
        dealership: &Dealership,
        keep: Option<&str>,
        now: Timestamp,
    ) -> Result<(Segmentation, String, OwnerChoice)> {
        let config = self.config();
        let seg = segment_lead(
            &LeadFacts::of(input, now),
            &config.rules,
            &config.fallback_segment,
            now,
        );
        let team = config.routes.get(&seg.segment).cloned().unwrap_or_default();
        if let Some(choice) = self.named_owner(input) {
            let team = config
                .staff_member(&choice.owner)
                .map_or(team, |s| s.team.clone());
            return Ok((seg, team, choice));
        }
        let (turns, members) = config.rotation(&team, &dealership.id);
        if let Some(owner) = keep.filter(|k| members.iter().any(|m| m.id == *k)) {
            let choice = OwnerChoice {
                owner: owner.to_owned(),
                reason: "kept: already owns this customer".into(),
            };
            return Ok((seg, team, choice));
        }
        let on_shift: Vec<(String, bool)> = members
            .iter()
            .map(|s| (s.id.clone(), s.on_shift(now, &dealership.time_zone)))
            .collect();
        let choice = self
            .store()
            .rotate_owner(&turns, &on_shift)
            .await?
            .ok_or_else(|| EngineError::Inconsistent(format!("team {team} has no members")))?;
        Ok((seg, team, choice))
    }

    /// Plans an enrollment in the segment's current cadence version (or `cadence`'s), with its
    /// first touch: [`keepwarm_domain::machine::enroll::plan_enrollment`] with this engine's
    /// configuration and cadences.
    pub(crate) fn plan_enrollment(
        &self,
        enrolling: &Enrolling<'_>,
        now: Timestamp,
    ) -> Result<PlannedEnrollment> {
        plan_enrollment(enrolling, self.config(), &self.current, now)
            .map_err(|r| EngineError::Inconsistent(r.to_string()))
    }

    /// Everything a new lead stores, and the outcome to report (its `id` filled in once stored).
    #[allow(
        clippy::too_many_arguments,
        reason = "a flat list of the facts a new lead needs"
    )]
    pub(crate) fn new_lead_record(
        &self,
        lead: &NewLead,
        opts: &IngestOptions,
        dealership: &Dealership,
        received_at: Timestamp,
        now: Timestamp,
        seg: Segmentation,
        team: &str,
        choice: OwnerChoice,
    ) -> Result<(NewLeadRecord, IngestOutcome)> {
        let owner = self.config().staff_member(&choice.owner);
        let enrolling = Enrolling {
            segment: &seg.segment,
            cadence: None,
            owner: &choice.owner,
            document: &lead.input,
            phone: lead.phones.first(),
            reachable: lead.is_reachable(),
            dealership,
            received_at,
            skip_day_zero: opts.by_call.then_some(ANSWERED_BY_CALL),
        };
        let planned = self.plan_enrollment(&enrolling, now)?;
        let (cadence, first_due) = (cadence_ref(&planned.enrollment), planned.first_due());
        let warnings = self.inquiry_warnings(lead, opts);
        let mut events = vec![
            NewEvent::new(
                now,
                TimelineEvent::Received(Received {
                    source: lead.input.source.clone(),
                    received_at,
                    warnings: warnings.clone(),
                    document_id: opts.document_id,
                    consent: lead.phones.first().map(|p| {
                        let basis = basis_for(
                            &lead.input.consent,
                            p.as_str(),
                            Channel::Sms,
                            &dealership.id,
                        );
                        basis_text(basis).to_owned()
                    }),
                }),
            ),
            NewEvent::new(now, segmented(&seg)),
            NewEvent::new(
                now,
                TimelineEvent::OwnerAssigned(OwnerAssigned {
                    owner: choice.owner.clone(),
                    name: owner.map(|o| o.name.clone()),
                    team: Some(team.to_owned()),
                    reason: choice.reason.clone(),
                    from: None,
                    by: None,
                }),
            ),
        ];
        events.extend(planned.events);
        let record = NewLeadRecord {
            dealership: dealership.id.clone(),
            received_at,
            created_at: now,
            source_kind: lead.input.source.kind,
            provider: lead.input.source.provider.clone(),
            provider_lead_id: lead.input.source.provider_lead_id.clone(),
            display_name: intake::display_name(&lead.input),
            payload: serde_json::to_value(&lead.input)
                .map_err(|e| EngineError::Inconsistent(e.to_string()))?,
            phones: lead.phones.clone(),
            emails: lead.emails.clone(),
            unusable: lead.unusable.clone(),
            segment: seg.segment.clone(),
            segment_rule: seg.rule.clone(),
            owner_id: choice.owner.clone(),
            status: planned.status,
            events,
            enrollment: Some(planned.enrollment),
            tasks: planned.tasks,
            document_id: opts.document_id,
        };
        let outcome = IngestOutcome {
            id: 0,
            action: "created",
            reason: None,
            segment: seg.segment,
            segment_rule: seg.rule,
            owner: choice.owner,
            status: planned.status,
            cadence: Some(cadence),
            first_touch_due_at: first_due,
            warnings,
        };
        Ok((record, outcome))
    }
}

/// The `segmented` event of a segmentation.
pub(crate) fn segmented(seg: &Segmentation) -> TimelineEvent {
    TimelineEvent::Segmented(Segmented {
        segment: seg.segment.clone(),
        rule: seg.rule.clone(),
    })
}
