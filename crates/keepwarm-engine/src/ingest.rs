//! Lead intake: a validated inquiry becomes a new lead — segment, owner, enrollment in its segment's
//! current cadence version, first touch, in one transaction — or, when the same person is already
//! known, merges into their lead (one person, one lead) and re-opens its follow-up when the rules
//! say so (keepwarm-domain's `dedupe`).

use jiff::Timestamp;
use keepwarm_domain::cadence::Anchor;
use keepwarm_domain::config::Dealership;
use keepwarm_domain::lead::{FieldError, LeadInput, NewLead, VehicleInput};
use keepwarm_domain::owner::{match_owner, OwnerMatch};
use keepwarm_domain::plan::{plan_step, PlanError};
use keepwarm_domain::routing::OwnerChoice;
use keepwarm_domain::segment::{segment_lead, LeadFacts, Segmentation};
use keepwarm_domain::timeline::{
    Enrolled, FollowUpPaused, FollowUpReopened, Inquiry, InquiryMerged, InquiryRecorded,
    OwnerAssigned, Received, RecordedCustomer, Segmented, StageChanged, TouchUnplannable,
};
use keepwarm_domain::TimelineEvent;
use keepwarm_domain::{LeadId, LeadStatus, Stage};
use keepwarm_store::{
    InquiryNote, LeadRow, MergeRecord, NewEnrollment, NewEvent, NewLeadRecord, NewTask, NewTouch,
    Reopen,
};
use serde::Serialize;

use crate::context::{window_for, zones_for};
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
}

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

/// An enrollment planned for a lead, with what it puts on the timeline.
pub(crate) struct PlannedEnrollment {
    pub(crate) enrollment: NewEnrollment,
    pub(crate) status: LeadStatus,
    pub(crate) cadence: CadenceRef,
    pub(crate) events: Vec<NewEvent>,
    pub(crate) tasks: Vec<NewTask>,
    pub(crate) first_due: Option<Timestamp>,
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
    async fn segment_and_owner(
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
        let members = config.team_members(&team);
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
            .rotate_owner(&team, &on_shift)
            .await?
            .ok_or_else(|| EngineError::Inconsistent(format!("team {team} has no members")))?;
        Ok((seg, team, choice))
    }

    /// Plans an enrollment in the segment's current cadence version, with its first touch.
    #[allow(
        clippy::too_many_arguments,
        reason = "a flat list of the facts planning needs"
    )]
    pub(crate) fn plan_enrollment(
        &self,
        segment: &str,
        cadence: Option<&str>,
        owner: &str,
        input: &LeadInput,
        phones: &[keepwarm_domain::PhoneNumber],
        reachable: bool,
        dealership: &Dealership,
        received_at: Timestamp,
        now: Timestamp,
    ) -> Result<PlannedEnrollment> {
        let config = self.config();
        let cadence_name = match cadence {
            Some(name) => name,
            None => {
                &config
                    .segment(segment)
                    .ok_or_else(|| {
                        EngineError::Inconsistent(format!("segment {segment} is not configured"))
                    })?
                    .cadence
            }
        };
        let (version, snapshot) = self.current.get(cadence_name).cloned().ok_or_else(|| {
            EngineError::Inconsistent(format!("cadence {cadence_name} is not configured"))
        })?;
        let cadence = &snapshot.cadence;
        let anchor = match cadence.anchor {
            Anchor::Received => received_at,
            // An appointment cadence is enrolled by the outcomes path with the appointment's start;
            // a no-show recovery counts from the moment the no-show was marked.
            Anchor::Enrolled | Anchor::NoShow | Anchor::Appointment => now,
        };
        let status = if reachable {
            LeadStatus::Active
        } else {
            LeadStatus::Paused
        };
        let mut events = vec![NewEvent::new(
            now,
            TimelineEvent::Enrolled(Enrolled {
                cadence: cadence.name.clone(),
                version: version.clone(),
                label: cadence.label.clone(),
                anchor_at: anchor,
            }),
        )];
        let mut tasks = Vec::new();
        if !reachable {
            events.push(NewEvent::new(
                now,
                TimelineEvent::FollowUpPaused(FollowUpPaused {
                    reason: "no usable phone number or e-mail address".into(),
                    by: "intake".into(),
                    held_touches: None,
                }),
            ));
            tasks.push(NewTask {
                owner_id: owner.to_owned(),
                kind: "fix_contact".into(),
                touch_id: None,
                due_at: now,
                body: format!(
                    "New {segment} lead has no usable phone or e-mail. Find a way to reach them, fix the contact data, then resume follow-up."
                ),
            });
        }
        let (zones, primary) = zones_for(phones.first(), input, dealership);
        let window = window_for(config, &zones, dealership, segment);
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
                        TimelineEvent::TouchUnplannable(TouchUnplannable {
                            step: 1,
                            reason: e.to_string(),
                            zones: zones.zones.clone(),
                        }),
                    ));
                    tasks.push(NewTask {
                        owner_id: owner.to_owned(),
                        kind: "reply".into(),
                        touch_id: None,
                        due_at: now,
                        body: format!("Automated follow-up cannot reach this lead: {e}. Contact them yourself."),
                    });
                    None
                }
            },
        };
        Ok(PlannedEnrollment {
            first_due: first_touch.as_ref().map(|t| t.due_at),
            enrollment: NewEnrollment {
                cadence_name: cadence.name.clone(),
                cadence_version: version.clone(),
                anchor_at: anchor,
                first_touch,
            },
            status,
            cadence: CadenceRef {
                name: cadence.name.clone(),
                version,
            },
            events,
            tasks,
        })
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
        let planned = self.plan_enrollment(
            &seg.segment,
            None,
            &choice.owner,
            &lead.input,
            &lead.phones,
            lead.is_reachable(),
            dealership,
            received_at,
            now,
        )?;
        let warnings = self.inquiry_warnings(lead, opts);
        let mut events = vec![
            NewEvent::new(
                now,
                TimelineEvent::Received(Received {
                    source: lead.input.source.clone(),
                    received_at,
                    warnings: warnings.clone(),
                    document_id: opts.document_id,
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
            display_name: display_name(&lead.input),
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
            cadence: Some(planned.cadence),
            first_touch_due_at: planned.first_due,
            warnings,
        };
        Ok((record, outcome))
    }

    /// Merges an inquiry into a known lead; `reopen` carries what re-enrolling needs.
    #[allow(
        clippy::too_many_arguments,
        reason = "a flat list of the facts a merge needs"
    )]
    pub(crate) async fn merge(
        &self,
        lead: &NewLead,
        opts: &IngestOptions,
        id: LeadId,
        action: &'static str,
        reason: String,
        reopen: Option<(&Dealership, Timestamp)>,
        now: Timestamp,
    ) -> Result<IngestOutcome> {
        let existing = self
            .store()
            .lead(id)
            .await?
            .ok_or_else(|| EngineError::Inconsistent(format!("matched lead {id} vanished")))?;
        let received_at = lead.input.received_at.unwrap_or(now);
        let warnings = self.inquiry_warnings(lead, opts);
        let mut payload: LeadInput =
            serde_json::from_value(existing.payload.clone()).unwrap_or_default();
        merge_input(&mut payload, &lead.input);
        let known: Vec<String> = existing
            .contacts
            .iter()
            .map(|c| c.value.to_lowercase())
            .collect();
        let new_phones: Vec<_> = lead
            .phones
            .iter()
            .filter(|p| !known.iter().any(|k| k == p.as_str()))
            .cloned()
            .collect();
        let new_emails: Vec<_> = lead
            .emails
            .iter()
            .filter(|e| !known.contains(&e.as_str().to_lowercase()))
            .cloned()
            .collect();
        let mut events = vec![NewEvent::new(
            now,
            TimelineEvent::InquiryMerged(Box::new(InquiryMerged {
                reason: reason.to_owned(),
                inquiry: inquiry(lead, opts, received_at, &warnings),
            })),
        )];
        let mut tasks = Vec::new();
        let mut outcome = IngestOutcome {
            id: id.0,
            action,
            reason: Some(reason.clone()),
            segment: existing.segment.clone(),
            segment_rule: existing.segment_rule.clone(),
            owner: existing.owner_id.clone(),
            status: existing.status,
            cadence: None,
            first_touch_due_at: None,
            warnings,
        };
        let reopen = match reopen {
            None => {
                if !opts.resend {
                    tasks.push(owner_task(&existing, lead, action, &reason, now));
                }
                None
            }
            Some((dealership, received_at)) => {
                let reset_stage = matches!(existing.stage, Stage::Sold | Stage::Lost);
                let (seg, team, choice) = self
                    .segment_and_owner(&lead.input, dealership, Some(&existing.owner_id), now)
                    .await?;
                let mut phones = lead.phones.clone();
                if let Some(p) = existing.phone() {
                    phones.push(p);
                }
                let reachable =
                    !phones.is_empty() || lead.is_reachable() || existing.email().is_some();
                let planned = self.plan_enrollment(
                    &seg.segment,
                    None,
                    &choice.owner,
                    &payload,
                    &phones,
                    reachable,
                    dealership,
                    received_at,
                    now,
                )?;
                events.push(NewEvent::new(
                    now,
                    TimelineEvent::FollowUpReopened(FollowUpReopened {
                        reason: reason.to_owned(),
                    }),
                ));
                if reset_stage {
                    events.push(NewEvent::new(
                        now,
                        TimelineEvent::StageChanged(StageChanged {
                            from: existing.stage,
                            to: Stage::New,
                            by: "intake".into(),
                            reason: Some(reason.to_owned()),
                            at: Some(now),
                            via: Some(lead.input.source.kind.as_str().to_owned()),
                            recorded_at: None,
                        }),
                    ));
                }
                events.push(NewEvent::new(now, segmented(&seg)));
                if choice.owner != existing.owner_id {
                    let name = self
                        .config()
                        .staff_member(&choice.owner)
                        .map(|s| s.name.clone());
                    events.push(NewEvent::new(
                        now,
                        TimelineEvent::OwnerAssigned(OwnerAssigned {
                            owner: choice.owner.clone(),
                            name,
                            team: Some(team.to_owned()),
                            reason: choice.reason.clone(),
                            from: Some(existing.owner_id.clone()),
                            by: None,
                        }),
                    ));
                }
                events.extend(planned.events);
                tasks.extend(planned.tasks);
                outcome.segment = seg.segment.clone();
                outcome.segment_rule = seg.rule.clone();
                outcome.owner = choice.owner.clone();
                outcome.status = planned.status;
                outcome.cadence = Some(planned.cadence);
                outcome.first_touch_due_at = planned.first_due;
                Some(Reopen {
                    segment: seg.segment,
                    segment_rule: seg.rule,
                    owner_id: choice.owner,
                    status: planned.status,
                    end_reason: "superseded by a new inquiry".into(),
                    reset_stage,
                    enrollment: planned.enrollment,
                })
            }
        };
        let record = MergeRecord {
            lead: id,
            at: now,
            received_at,
            payload: serde_json::to_value(&payload)
                .map_err(|e| EngineError::Inconsistent(e.to_string()))?,
            new_phones,
            new_emails,
            events,
            reopen,
            tasks,
            document_id: opts.document_id,
        };
        self.store().merge_inquiry(&record).await?;
        Ok(outcome)
    }

    /// Keeps an inquiry on a known lead's timeline without changing the lead: no contacts, no
    /// payload, no enrollment, no stage change. With `check_person` its owner gets a task to find
    /// out whether it is the same person.
    pub(crate) async fn record_inquiry(
        &self,
        lead: &NewLead,
        opts: &IngestOptions,
        id: LeadId,
        reason: String,
        check_person: bool,
        now: Timestamp,
    ) -> Result<IngestOutcome> {
        let existing = self
            .store()
            .lead(id)
            .await?
            .ok_or_else(|| EngineError::Inconsistent(format!("matched lead {id} vanished")))?;
        let warnings = self.inquiry_warnings(lead, opts);
        let c = &lead.input.customer;
        let event = NewEvent::new(
            now,
            TimelineEvent::InquiryRecorded(Box::new(InquiryRecorded {
                reason: reason.clone(),
                check_person,
                customer: RecordedCustomer {
                    first_name: c.first_name.clone(),
                    last_name: c.last_name.clone(),
                    full_name: c.full_name.clone(),
                    phones: lead.phones.clone(),
                    emails: lead.emails.clone(),
                },
                inquiry: inquiry(lead, opts, lead.input.received_at.unwrap_or(now), &warnings),
            })),
        );
        let tasks = if check_person {
            vec![person_check_task(&existing, lead, &reason, now)]
        } else {
            Vec::new()
        };
        let note = InquiryNote {
            lead: id,
            at: now,
            events: vec![event],
            tasks,
            document_id: opts.document_id,
        };
        self.store().record_inquiry(&note).await?;
        Ok(IngestOutcome {
            id: id.0,
            action: if check_person {
                "person_to_check"
            } else {
                "recorded"
            },
            reason: Some(reason),
            segment: existing.segment,
            segment_rule: existing.segment_rule,
            owner: existing.owner_id,
            status: existing.status,
            cadence: None,
            first_touch_due_at: None,
            warnings,
        })
    }
}

/// A task asking the owner whether an inquiry on their customer's phone is someone else.
fn person_check_task(existing: &LeadRow, lead: &NewLead, reason: &str, now: Timestamp) -> NewTask {
    let who = existing
        .display_name
        .clone()
        .unwrap_or_else(|| format!("lead {}", existing.id));
    let other = display_name(&lead.input).unwrap_or_else(|| "someone".into());
    let source = lead
        .input
        .source
        .provider
        .clone()
        .unwrap_or_else(|| lead.input.source.kind.to_string());
    let reach: Vec<&str> = lead
        .phones
        .iter()
        .map(|p| p.as_str())
        .chain(lead.emails.iter().map(|e| e.as_str()))
        .collect();
    NewTask {
        owner_id: existing.owner_id.clone(),
        kind: "check_person".into(),
        touch_id: None,
        due_at: now,
        body: format!(
            "An inquiry via {source} from {other} ({}) matches {who}'s phone under another name. Check whether it is the same person; nothing was merged and no messages were sent. ({reason})",
            reach.join(", ")
        ),
    }
}

/// The customer's name for lists.
fn display_name(input: &LeadInput) -> Option<String> {
    let c = &input.customer;
    c.full_name.clone().or_else(|| {
        let parts: Vec<&str> = [c.first_name.as_deref(), c.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    })
}

/// A task telling the owner their customer asked again.
fn owner_task(
    existing: &LeadRow,
    lead: &NewLead,
    action: &str,
    reason: &str,
    now: Timestamp,
) -> NewTask {
    let who = existing
        .display_name
        .clone()
        .unwrap_or_else(|| format!("lead {}", existing.id));
    let source = lead
        .input
        .source
        .provider
        .clone()
        .unwrap_or_else(|| lead.input.source.kind.to_string());
    let about = lead
        .input
        .vehicles
        .first()
        .and_then(crate::context::vehicle_name)
        .map(|v| format!(" about the {v}"))
        .unwrap_or_default();
    let body = if action == "merged_for_owner" {
        format!("{who} opted out earlier but sent a new inquiry{about} via {source}. No automated messages will go out; contact them personally only as they asked. ({reason})")
    } else {
        format!("{who} sent another inquiry{about} via {source}. Follow up personally. ({reason})")
    };
    NewTask {
        owner_id: existing.owner_id.clone(),
        kind: "reply".into(),
        touch_id: None,
        due_at: now,
        body,
    }
}

/// Folds a new inquiry into the lead's document: new vehicles are added, missing facts filled in,
/// comments appended; nothing the lead already had is lost.
fn merge_input(into: &mut LeadInput, new: &LeadInput) {
    let c = &mut into.customer;
    let n = &new.customer;
    for (slot, value) in [
        (&mut c.first_name, &n.first_name),
        (&mut c.last_name, &n.last_name),
        (&mut c.full_name, &n.full_name),
        (&mut c.postal_code, &n.postal_code),
        (&mut c.preferred_language, &n.preferred_language),
        (&mut c.preferred_contact, &n.preferred_contact),
    ] {
        if slot.is_none() {
            slot.clone_from(value);
        }
    }
    for p in &n.phones {
        if !c.phones.contains(p) {
            c.phones.push(p.clone());
        }
    }
    for e in &n.emails {
        if !c.emails.iter().any(|x| x.eq_ignore_ascii_case(e)) {
            c.emails.push(e.clone());
        }
    }
    // The normalized lines keep their kind, extension and original text on the stored lead too.
    for p in &n.phone_numbers {
        if !c.phone_numbers.iter().any(|x| x.number == p.number) {
            c.phone_numbers.push(p.clone());
        }
    }
    for e in &n.email_addresses {
        if !c
            .email_addresses
            .iter()
            .any(|x| x.address.eq_ignore_ascii_case(&e.address))
        {
            c.email_addresses.push(e.clone());
        }
    }
    if c.address.is_none() {
        c.address.clone_from(&n.address);
    }
    for v in &new.vehicles {
        if !into.vehicles.iter().any(|x| same_vehicle(x, v)) {
            into.vehicles.push(v.clone());
        }
    }
    if into.service.is_none() {
        into.service.clone_from(&new.service);
    }
    if into.payment.is_none() {
        into.payment.clone_from(&new.payment);
    }
    if new.timeframe.is_some() {
        into.timeframe.clone_from(&new.timeframe);
    }
    for w in &new.appointment_windows {
        if !into.appointment_windows.contains(w) {
            into.appointment_windows.push(w.clone());
        }
    }
    if let Some(comment) = &new.comments {
        into.comments = Some(match into.comments.take() {
            Some(old) if !old.contains(comment.as_str()) => format!("{old}\n{comment}"),
            Some(old) => old,
            None => comment.clone(),
        });
    }
}

fn same_vehicle(a: &VehicleInput, b: &VehicleInput) -> bool {
    match (&a.vin, &b.vin) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
        _ => a.interest == b.interest && a.year == b.year && a.make == b.make && a.model == b.model,
    }
}

/// What a later inquiry said, for its `inquiry_merged` or `inquiry_recorded` event.
fn inquiry(
    lead: &NewLead,
    opts: &IngestOptions,
    received_at: Timestamp,
    warnings: &[FieldError],
) -> Inquiry {
    Inquiry {
        source: lead.input.source.clone(),
        received_at,
        vehicles: lead.input.vehicles.clone(),
        comments: lead.input.comments.clone(),
        resend: opts.resend,
        warnings: warnings.to_vec(),
        document_id: opts.document_id,
    }
}

/// The `segmented` event of a segmentation.
fn segmented(seg: &Segmentation) -> TimelineEvent {
    TimelineEvent::Segmented(Segmented {
        segment: seg.segment.clone(),
        rule: seg.rule.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::merge_input;
    use keepwarm_domain::lead::parse_lead_json;

    #[test]
    fn a_merged_inquiry_keeps_its_normalized_lines_and_address_once() {
        let known = parse_lead_json(
            br#"{"source":{"kind":"internet"},"customer":{"first_name":"Dana",
                "phones":["(312) 555-0142"],"emails":["Dana@Example.com"]}}"#,
            "US",
        )
        .unwrap();
        let again = parse_lead_json(
            br#"{"source":{"kind":"internet"},"customer":{"first_name":"Dana",
                "phones":["(312) 555-0142","(813) 555-0139 ext. 204"],"emails":["dana@example.com"],
                "address":{"street":["12 Main St"],"city":"Tampa"}}}"#,
            "US",
        )
        .unwrap();
        let mut stored = known.input.clone();
        merge_input(&mut stored, &again.input);
        merge_input(&mut stored, &again.input);
        assert_eq!(
            stored.customer.emails.len(),
            1,
            "{:?}",
            stored.customer.emails
        );
        assert_eq!(
            stored
                .customer
                .phone_numbers
                .iter()
                .map(|p| (p.number.as_str(), p.extension.as_deref()))
                .collect::<Vec<_>>(),
            [("+13125550142", None), ("+18135550139", Some("204"))]
        );
        assert!(stored.customer.address.is_some());
    }
}
