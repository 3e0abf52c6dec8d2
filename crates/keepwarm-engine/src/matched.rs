//! The driver for an inquiry that matched a known lead: load the lead, ask the machine
//! ([`keepwarm_domain::machine::intake`]) what the inquiry does, plan the re-opened enrollment when
//! it re-opens, step, and apply the changes in one transaction. Nothing here decides whether the
//! inquiry merges, is recorded, is a person to check or re-opens the lead.

use jiff::Timestamp;
use keepwarm_domain::config::Dealership;
use keepwarm_domain::dedupe::{IntakeDecision, MatchCandidate};
use keepwarm_domain::lead::{LeadInput, NewLead};
use keepwarm_domain::machine::enroll::Enrolling;
use keepwarm_domain::machine::intake::{self, MatchedInquiry, ReopenPlan};
use keepwarm_domain::machine::{step, ChangeSet, Event, LeadState, Rules};
use keepwarm_store::LeadRow;

use crate::ingest::{cadence_ref, CadenceRef, IngestOptions, IngestOutcome};
use crate::{Engine, EngineError, Result};

impl Engine {
    /// Carries out what the machine decides for an inquiry that matched `candidate`'s lead.
    pub(crate) async fn settle_matched(
        &self,
        lead: &NewLead,
        opts: &IngestOptions,
        candidate: &MatchCandidate,
        now: Timestamp,
    ) -> Result<IngestOutcome> {
        let id = candidate.lead;
        let existing = self
            .store()
            .lead(id)
            .await?
            .ok_or_else(|| EngineError::Inconsistent(format!("matched lead {id} vanished")))?;
        let state = intake_state(&existing);
        let warnings = self.inquiry_warnings(lead, opts);
        let mut matched = MatchedInquiry {
            lead: lead.clone(),
            resend: opts.resend,
            document_id: opts.document_id,
            warnings: warnings.clone(),
            matched: candidate.clone(),
            document: serde_json::from_value(existing.payload.clone()).unwrap_or_default(),
            contacts: (existing.contacts.iter())
                .map(|c| c.value.to_lowercase())
                .collect(),
            reopen: None,
        };
        let rules = Rules {
            config: self.config(),
            window: None,
            cadences: &self.current,
        };
        let decision = intake::decide(&state, &matched, &rules, now);
        let mut outcome = IngestOutcome {
            id: id.0,
            action: action(&decision),
            reason: decision_reason(&decision),
            segment: existing.segment.clone(),
            segment_rule: existing.segment_rule.clone(),
            owner: existing.owner_id.clone(),
            status: existing.status,
            cadence: None,
            first_touch_due_at: None,
            warnings,
        };
        if let IntakeDecision::Reopen { .. } = decision {
            let dealership = self.dealership_of(&lead.input)?.clone();
            let (plan, cadence, first_due) = self
                .plan_reopen(lead, &existing, &matched.document, &dealership, now)
                .await?;
            outcome.segment.clone_from(&plan.segment);
            outcome.segment_rule.clone_from(&plan.segment_rule);
            outcome.owner.clone_from(&plan.owner);
            outcome.status = plan.status;
            outcome.cadence = Some(cadence);
            outcome.first_touch_due_at = first_due;
            matched.reopen = Some(plan);
        }
        let event = Event::InquiryMatched {
            inquiry: Box::new(matched),
        };
        let changes = step(&state, &event, &rules, now).map_err(|r| {
            EngineError::Inconsistent(format!("inquiry on lead {id} not settled: {r}"))
        })?;
        let set = ChangeSet {
            lead: id,
            at: now,
            idempotency_key: None,
            changes,
        };
        self.store().apply(&set).await?;
        Ok(outcome)
    }

    /// What re-opening `existing` enrolls it in: the inquiry's segment, an owner from its team
    /// (the lead's own when on it), the segment's cadence planned from the merged document.
    async fn plan_reopen(
        &self,
        lead: &NewLead,
        existing: &LeadRow,
        document: &LeadInput,
        dealership: &Dealership,
        now: Timestamp,
    ) -> Result<(ReopenPlan, CadenceRef, Option<Timestamp>)> {
        let (seg, team, choice) = self
            .segment_and_owner(&lead.input, dealership, Some(&existing.owner_id), now)
            .await?;
        let mut merged = document.clone();
        intake::merge_input(&mut merged, &lead.input);
        let mut phones = lead.phones.clone();
        phones.extend(existing.phone());
        let reachable = !phones.is_empty() || lead.is_reachable() || existing.email().is_some();
        let received_at = lead.input.received_at.unwrap_or(now);
        let enrolling = Enrolling {
            segment: &seg.segment,
            cadence: None,
            owner: &choice.owner,
            document: &merged,
            phone: phones.first(),
            reachable,
            dealership,
            received_at,
            skip_day_zero: None,
        };
        let planned = self.plan_enrollment(&enrolling, now)?;
        let (cadence, first_due) = (cadence_ref(&planned.enrollment), planned.first_due());
        let owner_name = (self.config().staff_member(&choice.owner)).map(|s| s.name.clone());
        let plan = ReopenPlan {
            segment: seg.segment,
            segment_rule: seg.rule,
            team,
            owner: choice.owner,
            owner_name,
            owner_reason: choice.reason,
            status: planned.status,
            enrollment: planned.enrollment,
            events: planned.events,
            tasks: planned.tasks,
        };
        Ok((plan, cadence, first_due))
    }
}

/// What the machine needs of a matched lead: its owner, stage, status and opt-out (the match
/// carries the rest).
fn intake_state(lead: &LeadRow) -> LeadState {
    LeadState {
        name: lead.display_name.clone(),
        status: lead.status,
        stage: lead.stage,
        opted_out: lead.opted_out,
        phone: lead.phone().map(|p| p.as_str().to_owned()),
        ..LeadState::new(lead.id, &lead.dealership, &lead.segment, &lead.owner_id)
    }
}

/// The word the API answers for a decision.
fn action(decision: &IntakeDecision) -> &'static str {
    match decision {
        IntakeDecision::Create => "created",
        IntakeDecision::Merge { .. } => "merged",
        IntakeDecision::MergeForOwner { .. } => "merged_for_owner",
        IntakeDecision::Reopen { .. } => "reopened",
        IntakeDecision::Record { .. } => "recorded",
        IntakeDecision::CheckPerson { .. } => "person_to_check",
    }
}

fn decision_reason(decision: &IntakeDecision) -> Option<String> {
    match decision {
        IntakeDecision::Create => None,
        IntakeDecision::Merge { reason, .. }
        | IntakeDecision::MergeForOwner { reason, .. }
        | IntakeDecision::Reopen { reason, .. }
        | IntakeDecision::Record { reason, .. }
        | IntakeDecision::CheckPerson { reason, .. } => Some(reason.clone()),
    }
}
