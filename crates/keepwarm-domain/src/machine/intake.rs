//! A new inquiry that matched a known lead: merged into it, recorded on its timeline only, handed to
//! a person to check, or re-opening its follow-up.
//!
//! Which of those it is comes from [`decide_intake`] (the rules in `dedupe`: another first name on
//! the same phone is a person to check; an inquiry dated before the lead's last stage change is
//! recorded only; an opted-out person goes to the owner; no re-open while an escalation is open).
//! This module turns the decision into [`Change`]s: the merged document and new contacts, the
//! timeline events (every stage change among them), the owner's task, the re-opened enrollment and
//! the link to the raw document. What a re-open enrolls in (segment, owner, first touch) is planned
//! by the driver before the step, like the contact window: it needs the cadence versions and the
//! team's round robin, which are not the machine's to hold.

use jiff::Timestamp;

use super::change::Change;
use super::context::vehicle_name;
use super::payload::{InquiryMerge, NewEvent, NewTask, Reopening};
use super::{LeadState, Refusal, Rules};
use crate::dedupe::{decide_intake, InquiryFacts, IntakeDecision, MatchCandidate};
use crate::lead::{FieldError, LeadInput, NewLead, VehicleInput};
use crate::timeline::{
    FollowUpReopened, Inquiry, InquiryMerged, InquiryRecorded, OwnerAssigned, RecordedCustomer,
    Segmented, StageChanged,
};
use crate::{Stage, TimelineEvent};

/// A new inquiry and the known lead it matched (what [`super::Event::InquiryMatched`] carries).
#[derive(Debug, Clone, PartialEq)]
pub struct MatchedInquiry {
    /// The inquiry, validated.
    pub lead: NewLead,
    /// The provider marked it a resend of an earlier inquiry.
    pub resend: bool,
    /// The raw inbound document it came from, if kept.
    pub document_id: Option<i64>,
    /// Problems that did not stop it (repairs, unusable contacts, an unknown owner).
    pub warnings: Vec<FieldError>,
    /// How the match found the lead: what matched, its latest inquiry, its last stage change, an
    /// unacknowledged escalation, whether an e-mail matched too. Its stage, status and opt-out
    /// are read from the [`LeadState`] instead.
    pub matched: MatchCandidate,
    /// The lead's stored document, into which a merge folds the inquiry.
    pub document: LeadInput,
    /// The lead's known contacts (E.164 numbers and addresses), lower case.
    pub contacts: Vec<String>,
    /// What a re-open enrolls the lead in, planned by the driver when [`decide`] answers
    /// [`IntakeDecision::Reopen`]; `None` otherwise.
    pub reopen: Option<ReopenPlan>,
}

/// What re-opening a lead's follow-up enrolls it in: the inquiry's segment, an owner from its
/// team, and the segment's current cadence with its first touch planned.
#[derive(Debug, Clone, PartialEq)]
pub struct ReopenPlan {
    /// The segment of the new inquiry.
    pub segment: String,
    /// The rule that chose it.
    pub segment_rule: String,
    /// The segment's team.
    pub team: String,
    /// The owner (kept when they are on the team).
    pub owner: String,
    /// The owner's name, for the `owner_assigned` event.
    pub owner_name: Option<String>,
    /// Why that owner.
    pub owner_reason: String,
    /// The follow-up status (paused when the lead cannot be reached).
    pub status: crate::LeadStatus,
    /// The enrollment with its first touch.
    pub enrollment: super::payload::NewEnrollment,
    /// The enrollment's events (`enrolled`, and a pause or an unplannable first touch).
    pub events: Vec<NewEvent>,
    /// The enrollment's tasks (fix a contact, contact the customer yourself).
    pub tasks: Vec<NewTask>,
}

/// What the inquiry does to the lead in `state` (see the module doc).
pub fn decide(
    state: &LeadState,
    m: &MatchedInquiry,
    rules: &Rules<'_>,
    now: Timestamp,
) -> IntakeDecision {
    let candidate = MatchCandidate {
        lead: state.id,
        stage: state.stage,
        status: state.status,
        opted_out: state.opted_out,
        open_escalation: m.matched.open_escalation || !state.escalations.is_empty(),
        ..m.matched.clone()
    };
    let c = &m.lead.input.customer;
    let facts = InquiryFacts {
        received_at: m.lead.input.received_at,
        name: c.first_name.clone().or_else(|| c.full_name.clone()),
        resend: m.resend,
    };
    decide_intake(
        Some(&candidate),
        &facts,
        rules.config.duplicate_window_days,
        now,
    )
}

/// The changes of [`super::Event::InquiryMatched`].
pub(super) fn matched(
    state: &LeadState,
    m: &MatchedInquiry,
    rules: &Rules<'_>,
    now: Timestamp,
) -> Result<Vec<Change>, Refusal> {
    let mut changes = Vec::new();
    match decide(state, m, rules, now) {
        IntakeDecision::Create => return Ok(changes),
        IntakeDecision::Record { reason, .. } => {
            changes.push(Change::Events(vec![recorded(m, reason, false, now)]));
        }
        IntakeDecision::CheckPerson { reason, .. } => {
            let task = person_check_task(state, m, &reason, now);
            changes.push(Change::Events(vec![recorded(m, reason, true, now)]));
            changes.push(Change::Task(task));
        }
        IntakeDecision::Merge { reason, .. } => merge(state, m, reason, false, now, &mut changes),
        IntakeDecision::MergeForOwner { reason, .. } => {
            merge(state, m, reason, true, now, &mut changes);
        }
        IntakeDecision::Reopen { reason, .. } => {
            let plan = m.reopen.as_ref().ok_or(Refusal::Unplaced)?;
            reopen(state, m, plan, reason, now, &mut changes);
        }
    }
    if let Some(document) = m.document_id {
        changes.push(Change::LinkDocument { document });
    }
    Ok(changes)
}

/// A merge that leaves the follow-up as it is: the owner hears, unless it is a provider's resend.
fn merge(
    state: &LeadState,
    m: &MatchedInquiry,
    reason: String,
    opted_out: bool,
    now: Timestamp,
    changes: &mut Vec<Change>,
) {
    let task = (!m.resend).then(|| owner_task(state, m, opted_out, &reason, now));
    changes.push(Change::MergeInquiry(Box::new(merged_document(m, now))));
    changes.push(Change::Events(vec![merged_event(m, reason, now)]));
    changes.extend(task.map(Change::Task));
}

/// A merge that starts follow-up again under the plan; a sold or lost lead goes back to `new`
/// with its `stage_changed` event.
fn reopen(
    state: &LeadState,
    m: &MatchedInquiry,
    plan: &ReopenPlan,
    reason: String,
    now: Timestamp,
    changes: &mut Vec<Change>,
) {
    let reset_stage = matches!(state.stage, Stage::Sold | Stage::Lost);
    let mut events = vec![
        merged_event(m, reason.clone(), now),
        NewEvent::new(
            now,
            TimelineEvent::FollowUpReopened(FollowUpReopened {
                reason: reason.clone(),
            }),
        ),
    ];
    if reset_stage {
        events.push(NewEvent::new(
            now,
            TimelineEvent::StageChanged(StageChanged {
                from: state.stage,
                to: Stage::New,
                by: "intake".into(),
                reason: Some(reason),
                at: Some(now),
                via: Some(m.lead.input.source.kind.as_str().to_owned()),
                recorded_at: None,
            }),
        ));
    }
    events.push(NewEvent::new(
        now,
        TimelineEvent::Segmented(Segmented {
            segment: plan.segment.clone(),
            rule: plan.segment_rule.clone(),
        }),
    ));
    if plan.owner != state.owner {
        events.push(NewEvent::new(
            now,
            TimelineEvent::OwnerAssigned(OwnerAssigned {
                owner: plan.owner.clone(),
                name: plan.owner_name.clone(),
                team: Some(plan.team.clone()),
                reason: plan.owner_reason.clone(),
                from: Some(state.owner.clone()),
                by: None,
            }),
        ));
    }
    events.extend(plan.events.iter().cloned());
    changes.push(Change::MergeInquiry(Box::new(merged_document(m, now))));
    changes.push(Change::Events(events));
    changes.push(Change::Reopen(Box::new(Reopening {
        segment: plan.segment.clone(),
        segment_rule: plan.segment_rule.clone(),
        owner: plan.owner.clone(),
        status: plan.status,
        reset_stage,
        end_reason: "superseded by a new inquiry".into(),
        enrollment: plan.enrollment.clone(),
    })));
    changes.extend(plan.tasks.iter().cloned().map(Change::Task));
}

/// The lead's document with the inquiry folded in, and the contacts it did not have.
fn merged_document(m: &MatchedInquiry, now: Timestamp) -> InquiryMerge {
    let mut document = m.document.clone();
    merge_input(&mut document, &m.lead.input);
    let known = |value: &str| m.contacts.iter().any(|k| k.eq_ignore_ascii_case(value));
    InquiryMerge {
        document,
        received_at: m.lead.input.received_at.unwrap_or(now),
        new_phones: (m.lead.phones.iter())
            .filter(|p| !known(p.as_str()))
            .cloned()
            .collect(),
        new_emails: (m.lead.emails.iter())
            .filter(|e| !known(e.as_str()))
            .cloned()
            .collect(),
    }
}

fn merged_event(m: &MatchedInquiry, reason: String, now: Timestamp) -> NewEvent {
    NewEvent::new(
        now,
        TimelineEvent::InquiryMerged(Box::new(InquiryMerged {
            reason,
            inquiry: inquiry(m, now),
        })),
    )
}

fn recorded(m: &MatchedInquiry, reason: String, check_person: bool, now: Timestamp) -> NewEvent {
    let c = &m.lead.input.customer;
    NewEvent::new(
        now,
        TimelineEvent::InquiryRecorded(Box::new(InquiryRecorded {
            reason,
            check_person,
            customer: RecordedCustomer {
                first_name: c.first_name.clone(),
                last_name: c.last_name.clone(),
                full_name: c.full_name.clone(),
                phones: m.lead.phones.clone(),
                emails: m.lead.emails.clone(),
            },
            inquiry: inquiry(m, now),
        })),
    )
}

/// What the inquiry said, for its `inquiry_merged` or `inquiry_recorded` event.
fn inquiry(m: &MatchedInquiry, now: Timestamp) -> Inquiry {
    let input = &m.lead.input;
    Inquiry {
        source: input.source.clone(),
        received_at: input.received_at.unwrap_or(now),
        vehicles: input.vehicles.clone(),
        comments: input.comments.clone(),
        resend: m.resend,
        warnings: m.warnings.clone(),
        document_id: m.document_id,
    }
}

/// Where the inquiry came from, as staff read it (`cars.com`, `internet`).
fn source_of(m: &MatchedInquiry) -> String {
    let source = &m.lead.input.source;
    (source.provider.clone()).unwrap_or_else(|| source.kind.to_string())
}

/// A task asking the owner whether an inquiry on their customer's phone is someone else.
fn person_check_task(
    state: &LeadState,
    m: &MatchedInquiry,
    reason: &str,
    now: Timestamp,
) -> NewTask {
    let other = display_name(&m.lead.input).unwrap_or_else(|| "someone".into());
    let reach: Vec<&str> = (m.lead.phones.iter().map(|p| p.as_str()))
        .chain(m.lead.emails.iter().map(|e| e.as_str()))
        .collect();
    NewTask {
        owner_id: state.owner.clone(),
        kind: "check_person".into(),
        touch_id: None,
        due_at: now,
        body: format!(
            "An inquiry via {} from {other} ({}) matches {}'s phone under another name. Check whether it is the same person; nothing was merged and no messages were sent. ({reason})",
            source_of(m),
            reach.join(", "),
            state.customer(),
        ),
    }
}

/// A task telling the owner their customer asked again.
fn owner_task(
    state: &LeadState,
    m: &MatchedInquiry,
    opted_out: bool,
    reason: &str,
    now: Timestamp,
) -> NewTask {
    let who = state.customer();
    let source = source_of(m);
    let about = (m.lead.input.vehicles.first())
        .and_then(vehicle_name)
        .map(|v| format!(" about the {v}"))
        .unwrap_or_default();
    let body = if opted_out {
        format!("{who} opted out earlier but sent a new inquiry{about} via {source}. No automated messages will go out; contact them personally only as they asked. ({reason})")
    } else {
        format!("{who} sent another inquiry{about} via {source}. Follow up personally. ({reason})")
    };
    NewTask {
        owner_id: state.owner.clone(),
        kind: "reply".into(),
        touch_id: None,
        due_at: now,
        body,
    }
}

/// The customer's name for lists: the full name, or the first and last names.
pub fn display_name(input: &LeadInput) -> Option<String> {
    let c = &input.customer;
    c.full_name.clone().or_else(|| {
        let parts: Vec<&str> = [c.first_name.as_deref(), c.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    })
}

/// Folds a new inquiry into the lead's document: new vehicles are added, missing facts filled in,
/// comments appended; nothing the lead already had is lost.
pub fn merge_input(into: &mut LeadInput, new: &LeadInput) {
    // Consent evidence is a ledger: every record of every inquiry is kept.
    for record in &new.consent {
        if !into.consent.contains(record) {
            into.consent.push(record.clone());
        }
    }
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
        if !(c.email_addresses.iter()).any(|x| x.address.eq_ignore_ascii_case(&e.address)) {
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
