//! Changes: the only things the store can do, each a plain description with nothing left to decide.
//!
//! [`super::step`] answers an event with a list of [`Change`]s; the driver wraps them in a
//! [`ChangeSet`] and the store's interpreter applies every change of the set, and the idempotency
//! key that makes a retried webhook harmless, in one transaction: a crash leaves either all of a
//! reply's effects or none of them, and a retry after a crash does the whole work once. A change
//! whose guard no longer holds (a task closed meanwhile) refuses the whole set as a conflict.

use jiff::Timestamp;

#[allow(unused_imports, reason = "named by the docs")]
use super::payload::ESCALATION_ID;
use super::payload::{
    DeliveryRecord, EscalationChange, InquiryMerge, NewEscalation, NewEvent, NewOutbound, NewTask,
    OutcomeRecord, RefusedContact, Reopening, Revocation, WorkClosing,
};
use crate::{LeadId, Stage};

/// One thing a decision does.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Append events to the lead's timeline.
    Events(Vec<NewEvent>),
    /// Move the lead's stage up to `stage` if it is below it (and not lost), with a
    /// `stage_changed` event.
    StageAtLeast {
        /// The stage.
        stage: Stage,
        /// Who (`customer reply`).
        by: String,
        /// How it came (`reply`).
        via: String,
    },
    /// Pause the follow-up of `lead` (this or another lead with the same number) if it is active:
    /// waiting touches are held.
    Pause {
        /// The lead.
        lead: LeadId,
        /// Why.
        reason: String,
        /// Who.
        actor: String,
    },
    /// End the follow-up of `lead` (this or another lead with the same number), optionally marking
    /// it opted out.
    Stop {
        /// The lead.
        lead: LeadId,
        /// Why.
        reason: String,
        /// Who.
        actor: String,
        /// Mark the lead opted out.
        opt_out: bool,
    },
    /// Take up the paused follow-up of the set's lead again: it becomes active and each held touch
    /// is scheduled at its new due time (touches no longer held are left alone).
    Resume {
        /// Why.
        reason: String,
        /// Who.
        actor: String,
        /// `(touch id, new due time)` for each held touch.
        reschedule: Vec<(i64, Timestamp)>,
    },
    /// Give the set's lead a new owner.
    SetOwner {
        /// The new owner (a staff id).
        owner: String,
    },
    /// Note on the set's lead document the language the customer's replies are written in
    /// (`customer.reply_language`), which following messages use when the document gives none.
    SetReplyLanguage {
        /// The language (`es`).
        language: String,
    },
    /// Give an open task of the set's lead to `to`. A task no longer open refuses the whole set
    /// with a conflict.
    MoveTask {
        /// The task.
        task: i64,
        /// The new owner.
        to: String,
    },
    /// Give an unacknowledged escalation of the set's lead to `to` (the new assignee has not been
    /// told yet: the set queues that). One acknowledged or closed meanwhile refuses the whole set
    /// with a conflict.
    MoveEscalation {
        /// The escalation.
        escalation: i64,
        /// The new assignee.
        to: String,
    },
    /// A task for a person.
    Task(NewTask),
    /// A timer on the lead.
    Timer {
        /// `resume_after_silence`, `going_cold`, `nurture`, `no_show`.
        kind: String,
        /// When it fires.
        due_at: Timestamp,
    },
    /// Open an escalation (its event gets the id). Queued messages of the same set may name it with
    /// [`ESCALATION_ID`].
    OpenEscalation {
        /// The escalation.
        escalation: NewEscalation,
        /// Its `escalated` event.
        event: NewEvent,
    },
    /// Record a revocation in the consent ledger.
    Revoke(Revocation),
    /// End every revocation in force for a contact.
    RestoreConsent {
        /// The contact.
        contact: String,
        /// Who asked (`customer texted START`).
        by: String,
    },
    /// Record an outcome (stage, appointment status, ...), closing the lead's open work when it
    /// ends the lead. What happens when the lead or its appointment moved on meanwhile is said by
    /// `if_moved`.
    Outcome {
        /// The outcome.
        record: Box<OutcomeRecord>,
        /// Open escalations and tasks to close with it.
        closing: Option<WorkClosing>,
        /// What to do when the outcome no longer fits the lead.
        if_moved: IfMoved,
    },
    /// Queue a message on the durable outbound queue.
    Enqueue(NewOutbound),
    /// Change one unacknowledged escalation of the set's lead (acknowledge it, hand it on, move it
    /// up its chain). One acknowledged meanwhile (or, for a move up the chain, whose deadline is no
    /// longer the one seen due) refuses the whole set as a conflict, so nobody is told twice.
    Escalation {
        /// The escalation.
        escalation: i64,
        /// What happens to it.
        change: EscalationChange,
    },
    /// Complete an open task of the set's lead with its outcome (its `task_completed` or
    /// `call_logged` event is a change of its own). A task done meanwhile refuses the whole set as
    /// a conflict.
    CompleteTask {
        /// The task.
        task: i64,
        /// `done`, or a call's outcome.
        outcome: String,
        /// The person's note.
        note: Option<String>,
        /// Who.
        by: String,
    },
    /// Mark a phone number or address unusable on every lead that has it, with a
    /// `contact_unusable` event on each.
    MarkContactUnusable(RefusedContact),
    /// Acknowledge every open or breached escalation of the lead (a person answered the customer),
    /// each with an `escalation_acknowledged` event.
    AcknowledgeEscalations {
        /// The staff member.
        by: String,
        /// How they answered (`staff message`).
        via: String,
    },
    /// Fold a later inquiry into the set's lead: its document replaced by the merged one, its
    /// latest inquiry moved up to the inquiry's time, the new contacts added (usable).
    MergeInquiry(Box<InquiryMerge>),
    /// Start the set's lead's follow-up again (see [`Reopening`]); its events are a change of
    /// their own.
    Reopen(Box<Reopening>),
    /// Record a provider's delivery report on a touch of the set's lead, with a `delivery_status`
    /// event. The rank is compared at write time, in the same statement, so two reports arriving
    /// at once cannot both win: a report at or below the recorded status refuses the whole set as
    /// a conflict (nothing else of it happens), and one for no touch of the lead as not found.
    RecordDelivery(DeliveryRecord),
    /// Move a call's leg on to a provider's status, at write time, in one statement: the leg keeps
    /// the furthest stage it reached ([`crate::calls::call_stage`]). A known status at or below
    /// it, or a status this version does not know once the leg has ended, refuses the whole set
    /// as a conflict, so two callbacks arriving at once for the same call cannot both apply, and a
    /// late one never moves the call backwards. (The same word twice is the set's idempotency key.)
    AdvanceCall {
        /// The provider's id of the call.
        call_sid: String,
        /// `staff` or `customer`.
        leg: String,
        /// The status's stage; `None` for a word this version does not know.
        stage: Option<u8>,
    },
    /// Link the set's lead to the raw inbound document it came from.
    LinkDocument {
        /// The document.
        document: i64,
    },
}

/// What an outcome change does when the lead moved on between the decision and the write (its stage
/// is no longer the `from` stage, or its appointment is no longer in the status the outcome saw).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfMoved {
    /// Leave the outcome out, with an `outcome_skipped` event saying why, and apply the rest of the
    /// set (a customer's reply: its other effects must not be lost).
    Skip,
    /// Refuse the whole set with a conflict (a person's action: they are told
    /// and can try again).
    Refuse,
}

/// Everything one decision does to one lead, applied in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeSet {
    /// The lead the decision is about.
    pub lead: LeadId,
    /// When it was decided.
    pub at: Timestamp,
    /// A key that makes the set apply once (Twilio's MessageSid for a reply); a set whose key was
    /// applied before changes nothing.
    pub idempotency_key: Option<String>,
    /// The changes, in order.
    pub changes: Vec<Change>,
}
