//! The lead's timeline: one typed event per thing that happened, [`TimelineEvent`].
//!
//! Every event is stored as two columns, a `kind` word and a `data` object, and served that way by
//! `GET /api/v1/leads/{id}/timeline` (`{"kind": "touch_sent", "data": {...}}`). This module owns
//! that shape: each kind is one variant with a struct of its fields, serialized with serde's
//! adjacent tagging so the JSON is exactly what the old `json!` maps wrote (same field names, same
//! values, `null` where a value was absent). Fields that only some writers set are left out when
//! unset, as they were.
//!
//! Reading is forgiving on purpose: a row whose kind this version does not know (written by a newer
//! version) or whose data does not fit the kind's struct (written by an older one) becomes
//! [`TimelineEvent::Other`] with its kind and data untouched, so one odd row never fails a whole
//! timeline. This module does no IO.

mod calls;
mod conversation;
mod lead;
mod people;
mod touch;
mod work;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use calls::{CallMissed, CallProgress, CallRequested, VoicemailReceived};
pub use conversation::{
    ChannelRevoked, ConsentRestored, Escalated, EscalationAcknowledged, EscalationBreached,
    EscalationClosed, EscalationReassigned, EscalationUnanswered, GoingColdAlert,
    GoingColdAlertFailed, InboundMessage, ManagerAlert, OptOutConfirmationFailed, OptOutConfirmed,
    OptOutHoldDecided, OptOutPossible, OutboundNote, ResumeHeldBack, StaffMessage,
    StaffNotificationFailed, StaffNotified,
};
pub use lead::{
    CadenceCompleted, ContactUnusable, Enrolled, FollowUpPaused, FollowUpReopened, FollowUpResumed,
    FollowUpStopped, Inquiry, InquiryMerged, InquiryRecorded, LanguageChanged, NurtureEnrolled,
    OutcomeSkipped, OwnerAssigned, Received, RecordedCustomer, Rescheduled, Segmented,
    StageChanged,
};
pub use people::{CustomerWaiting, NoteAdded};
pub use touch::{
    DeliveryStatus, SentConsent, TouchCancelled, TouchDeferred, TouchDelayed, TouchFailed,
    TouchNote, TouchRerouted, TouchScheduled, TouchSent, TouchSkipped, TouchUncertain,
    TouchUnplannable,
};
pub use work::{
    AppointmentBooked, AppointmentNoShow, AppointmentUpdate, CallAnswered, TaskClosed,
    TaskCompleted, TaskCreated, TaskReassigned,
};

/// A stored event this version cannot read as one of its kinds: an unknown kind (a newer version
/// wrote it) or data that does not fit the kind (an older one did). Kept as stored and served
/// unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OtherEvent {
    /// The kind word as stored.
    pub kind: String,
    /// The data as stored.
    pub data: Value,
}

/// Declares [`TimelineEvent`]: one variant per kind, with its kind word as an associated constant
/// (for readers that filter by kind, in Rust or in SQL) and in [`TimelineEvent::kind`].
macro_rules! timeline_events {
    ($($(#[$doc:meta])* $konst:ident = $kind:literal => $variant:ident($data:ty),)+) => {
        /// Something that happened to a lead, as its timeline records it. Serialized as
        /// `{"kind": "<kind>", "data": {...}}`; see the module documentation.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "kind", content = "data")]
        pub enum TimelineEvent {
            $($(#[$doc])* #[serde(rename = $kind)] $variant($data),)+
            /// A stored event of a kind this version does not know, or whose data does not fit its
            /// kind; read and served as stored.
            #[serde(untagged)]
            Other(OtherEvent),
        }

        impl TimelineEvent {
            $(
                #[doc = concat!("The kind word `", $kind, "`.")]
                pub const $konst: &'static str = $kind;
            )+

            /// Every kind word this version writes, in declaration order.
            pub const KINDS: &'static [&'static str] = &[$($kind),+];

            /// The kind word stored with the event.
            pub fn kind(&self) -> &str {
                match self {
                    $(Self::$variant(_) => $kind,)+
                    Self::Other(other) => &other.kind,
                }
            }
        }
    };
}

timeline_events! {
    /// A new lead arrived.
    RECEIVED = "received" => Received(Received),
    /// The lead was put in a segment.
    SEGMENTED = "segmented" => Segmented(Segmented),
    /// The lead got an owner (at intake, on reopening, or reassigned by a person).
    OWNER_ASSIGNED = "owner_assigned" => OwnerAssigned(OwnerAssigned),
    /// The customer's replies changed the language they are written to.
    LANGUAGE_CHANGED = "language_changed" => LanguageChanged(LanguageChanged),
    /// The lead was enrolled in a cadence version.
    ENROLLED = "enrolled" => Enrolled(Enrolled),
    /// A customer who said "not now" was enrolled in the nurture cadence.
    NURTURE_ENROLLED = "nurture_enrolled" => NurtureEnrolled(NurtureEnrolled),
    /// Every step of the cadence is done.
    CADENCE_COMPLETED = "cadence_completed" => CadenceCompleted(CadenceCompleted),
    /// A later inquiry from the same customer was merged into the lead.
    INQUIRY_MERGED = "inquiry_merged" => InquiryMerged(Box<InquiryMerged>),
    /// A later inquiry was recorded on the lead without reopening or merging it.
    INQUIRY_RECORDED = "inquiry_recorded" => InquiryRecorded(Box<InquiryRecorded>),
    /// A closed lead's follow-up started again.
    FOLLOW_UP_REOPENED = "follow_up_reopened" => FollowUpReopened(FollowUpReopened),
    /// Automated follow-up was paused.
    FOLLOW_UP_PAUSED = "follow_up_paused" => FollowUpPaused(FollowUpPaused),
    /// Automated follow-up resumed.
    FOLLOW_UP_RESUMED = "follow_up_resumed" => FollowUpResumed(FollowUpResumed),
    /// Automated follow-up ended.
    FOLLOW_UP_STOPPED = "follow_up_stopped" => FollowUpStopped(FollowUpStopped),
    /// The lead's stage moved.
    STAGE_CHANGED = "stage_changed" => StageChanged(StageChanged),
    /// An outcome was not applied.
    OUTCOME_SKIPPED = "outcome_skipped" => OutcomeSkipped(OutcomeSkipped),
    /// A phone number or address cannot be used.
    CONTACT_UNUSABLE = "contact_unusable" => ContactUnusable(ContactUnusable),
    /// A touch was planned.
    TOUCH_SCHEDULED = "touch_scheduled" => TouchScheduled(TouchScheduled),
    /// The first touch could not be planned (no contact window).
    TOUCH_UNPLANNABLE = "touch_unplannable" => TouchUnplannable(TouchUnplannable),
    /// A touch went out (or became a call task).
    TOUCH_SENT = "touch_sent" => TouchSent(Box<TouchSent>),
    /// The channel refused a touch.
    TOUCH_FAILED = "touch_failed" => TouchFailed(TouchFailed),
    /// A touch moved to another channel.
    TOUCH_REROUTED = "touch_rerouted" => TouchRerouted(TouchRerouted),
    /// A touch waits for its provider to come back.
    TOUCH_DELAYED = "touch_delayed" => TouchDelayed(TouchDelayed),
    /// A due touch moved to the next legal opening.
    TOUCH_DEFERRED = "touch_deferred" => TouchDeferred(TouchDeferred),
    /// A step was not sent.
    TOUCH_SKIPPED = "touch_skipped" => TouchSkipped(TouchSkipped),
    /// A due touch was cancelled.
    TOUCH_CANCELLED = "touch_cancelled" => TouchCancelled(TouchCancelled),
    /// A due touch was held while follow-up is paused.
    TOUCH_HELD = "touch_held" => TouchHeld(TouchNote),
    /// A claimed touch was scheduled again after its worker stopped.
    TOUCH_RELEASED = "touch_released" => TouchReleased(TouchNote),
    /// Whether a touch went out is unknown until reconciliation.
    TOUCH_UNCERTAIN = "touch_uncertain" => TouchUncertain(TouchUncertain),
    /// The provider reported on a touch's delivery.
    DELIVERY_STATUS = "delivery_status" => DeliveryStatus(DeliveryStatus),
    /// A call touch was answered.
    CALL_ANSWERED = "call_answered" => CallAnswered(CallAnswered),
    /// A call touch left a voicemail.
    VOICEMAIL_LEFT = "voicemail_left" => VoicemailLeft(CallAnswered),
    /// The customer texted or e-mailed.
    INBOUND_MESSAGE = "inbound_message" => InboundMessage(InboundMessage),
    /// The customer called.
    INBOUND_CALL = "inbound_call" => InboundCall(InboundMessage),
    /// A reply may mean "stop": automation to the number is held until a person decides.
    OPT_OUT_POSSIBLE = "opt_out_possible" => OptOutPossible(OptOutPossible),
    /// A person confirmed a held opt-out.
    OPT_OUT_HOLD_CONFIRMED = "opt_out_hold_confirmed" => OptOutHoldConfirmed(OptOutHoldDecided),
    /// A person released a held opt-out.
    OPT_OUT_HOLD_RELEASED = "opt_out_hold_released" => OptOutHoldReleased(OptOutHoldDecided),
    /// The customer revoked consent for channels.
    CHANNEL_REVOKED = "channel_revoked" => ChannelRevoked(ChannelRevoked),
    /// The customer revoked channels that were already revoked.
    CONSENT_ALREADY_REVOKED = "consent_already_revoked" => ConsentAlreadyRevoked(ChannelRevoked),
    /// The customer gave consent again.
    CONSENT_RESTORED = "consent_restored" => ConsentRestored(ConsentRestored),
    /// The opt-out confirmation text went out.
    OPT_OUT_CONFIRMED = "opt_out_confirmed" => OptOutConfirmed(OptOutConfirmed),
    /// The opt-out confirmation text could not be sent.
    OPT_OUT_CONFIRMATION_FAILED = "opt_out_confirmation_failed" => OptOutConfirmationFailed(OptOutConfirmationFailed),
    /// The answer to the customer's HELP keyword went out.
    HELP_REPLIED = "help_replied" => HelpReplied(OptOutConfirmed),
    /// The answer to the customer's HELP keyword could not be sent.
    HELP_REPLY_FAILED = "help_reply_failed" => HelpReplyFailed(OptOutConfirmationFailed),
    /// A reply needs a person: an escalation was opened.
    ESCALATED = "escalated" => Escalated(Escalated),
    /// An escalation's deadline passed unacknowledged and went up the chain.
    ESCALATION_BREACHED = "escalation_breached" => EscalationBreached(EscalationBreached),
    /// An escalation reached the end of its chain unacknowledged.
    ESCALATION_UNANSWERED = "escalation_unanswered" => EscalationUnanswered(EscalationUnanswered),
    /// A person acknowledged an escalation.
    ESCALATION_ACKNOWLEDGED = "escalation_acknowledged" => EscalationAcknowledged(EscalationAcknowledged),
    /// An escalation moved to another person.
    ESCALATION_REASSIGNED = "escalation_reassigned" => EscalationReassigned(EscalationReassigned),
    /// An escalation was closed without an acknowledgement (the lead closed).
    ESCALATION_CLOSED = "escalation_closed" => EscalationClosed(EscalationClosed),
    /// The alert about an escalation went to a staff member.
    STAFF_NOTIFIED = "staff_notified" => StaffNotified(StaffNotified),
    /// The alert about an escalation could not be sent.
    STAFF_NOTIFICATION_FAILED = "staff_notification_failed" => StaffNotificationFailed(StaffNotificationFailed),
    /// Automation stayed paused because a person owes the customer an answer.
    RESUME_HELD_BACK = "resume_held_back" => ResumeHeldBack(ResumeHeldBack),
    /// The manager was told the lead is going cold.
    GOING_COLD_ALERT = "going_cold_alert" => GoingColdAlert(GoingColdAlert),
    /// The going-cold alert could not be sent.
    GOING_COLD_ALERT_FAILED = "going_cold_alert_failed" => GoingColdAlertFailed(GoingColdAlertFailed),
    /// A manager was alerted about the lead.
    MANAGER_ALERTED = "manager_alerted" => ManagerAlerted(ManagerAlert),
    /// The manager alert could not be sent.
    MANAGER_ALERT_FAILED = "manager_alert_failed" => ManagerAlertFailed(ManagerAlert),
    /// A person's message to the customer was queued.
    STAFF_MESSAGE_QUEUED = "staff_message_queued" => StaffMessageQueued(StaffMessage),
    /// A person's message to the customer went out.
    STAFF_MESSAGE_SENT = "staff_message_sent" => StaffMessageSent(StaffMessage),
    /// A person's message to the customer could not be sent.
    STAFF_MESSAGE_FAILED = "staff_message_failed" => StaffMessageFailed(StaffMessage),
    /// A task was created for a person.
    TASK_CREATED = "task_created" => TaskCreated(TaskCreated),
    /// A task was completed.
    TASK_COMPLETED = "task_completed" => TaskCompleted(TaskCompleted),
    /// A call task was completed with the call's outcome.
    CALL_LOGGED = "call_logged" => CallLogged(TaskCompleted),
    /// A task moved to another person.
    TASK_REASSIGNED = "task_reassigned" => TaskReassigned(TaskReassigned),
    /// A task was closed without being done (the lead closed).
    TASK_CLOSED = "task_closed" => TaskClosed(TaskClosed),
    /// An appointment was booked.
    APPOINTMENT_SET = "appointment_set" => AppointmentSet(AppointmentBooked),
    /// An appointment was moved to a new time.
    APPOINTMENT_MOVED = "appointment_moved" => AppointmentMoved(AppointmentBooked),
    /// The customer confirmed the appointment.
    APPOINTMENT_CONFIRMED = "appointment_confirmed" => AppointmentConfirmed(AppointmentUpdate),
    /// The customer asked to move the appointment.
    APPOINTMENT_RESCHEDULE_REQUESTED = "appointment_reschedule_requested" => AppointmentRescheduleRequested(AppointmentUpdate),
    /// The customer came in.
    APPOINTMENT_SHOWED = "appointment_showed" => AppointmentShowed(AppointmentUpdate),
    /// The appointment was cancelled (the lead was lost).
    APPOINTMENT_CANCELLED = "appointment_cancelled" => AppointmentCancelled(AppointmentUpdate),
    /// The customer did not come.
    APPOINTMENT_NO_SHOW = "appointment_no_show" => AppointmentNoShow(AppointmentNoShow),
    /// The customer's message waits on a person's answer (the "waiting on us" queue).
    CUSTOMER_WAITING = "customer_waiting" => CustomerWaiting(CustomerWaiting),
    /// A person wrote an internal note on the lead (never sent).
    NOTE_ADDED = "note_added" => NoteAdded(NoteAdded),
    /// A person asked to be connected to the customer by phone (click-to-call).
    CALL_REQUESTED = "call_requested" => CallRequested(CallRequested),
    /// A call through the store's number moved on (placed, ringing, answered, ended).
    CALL_PROGRESS = "call_progress" => CallProgress(CallProgress),
    /// The customer called the store and nobody answered.
    CALL_MISSED = "call_missed" => CallMissed(CallMissed),
    /// The caller left a voicemail.
    VOICEMAIL_RECEIVED = "voicemail_received" => VoicemailReceived(VoicemailReceived),
    /// The text to a caller nobody answered went out.
    MISSED_CALL_TEXTED = "missed_call_texted" => MissedCallTexted(OptOutConfirmed),
    /// The text to a caller nobody answered could not be sent.
    MISSED_CALL_TEXT_FAILED = "missed_call_text_failed" => MissedCallTextFailed(OptOutConfirmationFailed),
}

impl TimelineEvent {
    /// A stored row read back: the kind's variant when its data fits, else [`TimelineEvent::Other`]
    /// with the row as stored. Never fails.
    pub fn from_stored(kind: &str, data: Value) -> Self {
        let row = serde_json::json!({"kind": kind, "data": data});
        Self::deserialize(&row).unwrap_or_else(|_| {
            Self::Other(OtherEvent {
                kind: kind.to_owned(),
                data: row.get("data").cloned().unwrap_or_default(),
            })
        })
    }

    /// Notes the queued message this event reports on, once the outbound queue finished it: its id,
    /// and the error when it failed (an error already named is kept).
    pub fn note_outbound(&mut self, id: i64, error: Option<&str>) {
        let note = match self {
            Self::OptOutConfirmed(d) | Self::HelpReplied(d) | Self::MissedCallTexted(d) => {
                &mut d.outbound
            }
            Self::OptOutConfirmationFailed(d)
            | Self::HelpReplyFailed(d)
            | Self::MissedCallTextFailed(d) => &mut d.outbound,
            Self::StaffNotified(d) => &mut d.outbound,
            Self::StaffNotificationFailed(d) => &mut d.outbound,
            Self::GoingColdAlert(d) => &mut d.outbound,
            Self::GoingColdAlertFailed(d) => &mut d.outbound,
            Self::ManagerAlerted(d) | Self::ManagerAlertFailed(d) => &mut d.outbound,
            Self::StaffMessageSent(d) | Self::StaffMessageFailed(d) => &mut d.outbound,
            Self::Other(OtherEvent {
                data: Value::Object(data),
                ..
            }) => {
                data.insert("outbound_id".into(), id.into());
                if let Some(error) = error {
                    data.entry("error").or_insert_with(|| error.into());
                }
                return;
            }
            _ => return,
        };
        note.outbound_id = Some(id);
        if let Some(error) = error {
            note.error.get_or_insert_with(|| error.to_owned());
        }
    }

    /// Names the escalation an event is about when it was written before the escalation had an id
    /// (`escalated` itself, and staff alerts queued in the same change set). A named one is kept.
    pub fn name_escalation(&mut self, id: i64) {
        match self {
            Self::Escalated(Escalated { escalation_id, .. })
            | Self::StaffNotified(StaffNotified { escalation_id, .. })
            | Self::StaffNotificationFailed(StaffNotificationFailed { escalation_id, .. }) => {
                escalation_id.get_or_insert(id);
            }
            Self::Other(OtherEvent {
                data: Value::Object(data),
                ..
            }) => {
                let named = data.get("escalation_id").is_some_and(Value::is_i64);
                if !named {
                    data.insert("escalation_id".into(), id.into());
                }
            }
            _ => {}
        }
    }

    /// The `data` object stored with the event. Its keys come out sorted, as the `json!` maps this
    /// replaced stored them.
    pub fn data(&self) -> Value {
        match self {
            Self::Other(other) => other.data.clone(),
            known => match serde_json::to_value(known) {
                Ok(Value::Object(mut row)) => row.remove("data").unwrap_or_default(),
                _ => Value::Null,
            },
        }
    }
}

/// `skip_serializing_if` for flags written only when set.
fn is_false(flag: &bool) -> bool {
    !flag
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;
    use serde_json::json;

    use super::*;
    use crate::appointment::AppointmentKind;
    use crate::cadence::Channel;
    use crate::contact::{EmailAddress, PhoneNumber};
    use crate::lead::{FieldError, SourceInput, Stage, VehicleInput};

    fn at(minute: i64) -> Timestamp {
        Timestamp::from_second(1_767_225_600 + minute * 60).expect("in range")
    }

    fn text(s: &str) -> String {
        s.to_owned()
    }

    fn note(id: Option<i64>) -> OutboundNote {
        OutboundNote {
            outbound_id: id,
            error: id.map(|_| text("provider down")),
        }
    }

    fn touch_sent() -> TouchSent {
        TouchSent {
            touch_id: 7,
            step: 2,
            channel: Channel::Sms,
            block: text("intro"),
            variant: Some(1),
            fell_back: Some(false),
            repeated: Some(false),
            recipient_kind: Some(text("customer")),
            to: Some(text("+14155550100")),
            mode: None,
            target_at: Some(at(0)),
            due_at: Some(at(1)),
            sent_at: at(2),
            reconciled: false,
            provider_id: Some(text("SM1")),
            consent: None,
        }
    }

    /// One event of every kind, with optional fields both set and unset somewhere.
    fn every_kind() -> Vec<TimelineEvent> {
        use TimelineEvent as E;
        let source = SourceInput::default();
        let warning = FieldError {
            field: text("customer.phones[0]"),
            message: text("not a phone number"),
        };
        let vehicle = VehicleInput {
            make: Some(text("Honda")),
            ..VehicleInput::default()
        };
        let update = |words: Option<&str>, via: Option<&str>| AppointmentUpdate {
            appointment_id: 3,
            starts_at: at(60),
            words: words.map(text),
            by: text("ana"),
            via: via.map(text),
        };
        let booked = |id: Option<i64>| AppointmentBooked {
            appointment_id: id,
            kind: AppointmentKind::Sales,
            starts_at: at(60),
            ends_at: at(120),
            from: id.map(|_| at(30)),
            by: text("ana"),
            via: text("api"),
        };
        let inbound = InboundMessage {
            channel: text("sms"),
            from: text("+14155550100"),
            body: text("Can I come Saturday?"),
            media: json!([]),
            classification: json!({"intents": ["appointment"]}),
        };
        let completed = TaskCompleted {
            task_id: 4,
            kind: text("call"),
            outcome: text("connected"),
            note: None,
            by: text("ana"),
        };
        let call = CallAnswered {
            touch_id: 7,
            call_sid: Some(text("CA1")),
            answered_by: None,
            outcome: text("message left"),
        };
        let revoked = ChannelRevoked {
            channels: vec![text("sms")],
            words: text("stop"),
            via: None,
        };
        let decided = OptOutHoldDecided {
            by: text("ana"),
            held_at: at(5),
        };
        let held = TouchNote {
            touch_id: 7,
            reason: text("follow-up is paused"),
        };
        let message = StaffMessage {
            by: text("ana"),
            name: text("Ana Ruiz"),
            channel: Channel::Sms,
            to: text("+14155550100"),
            subject: None,
            body: text("Saturday at 10 works."),
            conversational: true,
            outbound: note(None),
        };
        let manager = ManagerAlert {
            manager: text("max"),
            outbound: note(Some(9)),
        };
        vec![
            E::Received(Received {
                source: source.clone(),
                received_at: at(0),
                warnings: vec![warning.clone()],
                document_id: Some(1),
                consent: Some(text("express_written")),
            }),
            E::Segmented(Segmented {
                segment: text("new_inquiry"),
                rule: text("fallback"),
            }),
            E::OwnerAssigned(OwnerAssigned {
                owner: text("ana"),
                name: None,
                team: Some(text("sales")),
                reason: text("round robin"),
                from: None,
                by: None,
            }),
            E::LanguageChanged(LanguageChanged {
                from: text("en"),
                to: text("es"),
                words: text("Hola, prefiero español"),
            }),
            E::Enrolled(Enrolled {
                cadence: text("new_inquiry"),
                version: text("abc123"),
                label: Some(text("v1")),
                anchor_at: at(0),
            }),
            E::NurtureEnrolled(NurtureEnrolled {
                cadence: text("nurture"),
                reason: text("the customer said not now"),
            }),
            E::CadenceCompleted(CadenceCompleted {
                cadence: text("new_inquiry"),
            }),
            E::InquiryMerged(Box::new(InquiryMerged {
                reason: text("same phone"),
                inquiry: Inquiry {
                    source: source.clone(),
                    received_at: at(3),
                    vehicles: vec![vehicle.clone()],
                    comments: None,
                    resend: false,
                    warnings: vec![],
                    document_id: None,
                },
            })),
            E::InquiryRecorded(Box::new(InquiryRecorded {
                reason: text("dated before the loss"),
                check_person: true,
                customer: RecordedCustomer {
                    first_name: Some(text("Dana")),
                    last_name: None,
                    full_name: None,
                    phones: vec![PhoneNumber::parse("+14155550100", "US").expect("valid")],
                    emails: vec![EmailAddress::parse("dana@example.com").expect("valid")],
                },
                inquiry: Inquiry {
                    source,
                    received_at: at(3),
                    vehicles: vec![vehicle],
                    comments: Some(text("still looking")),
                    resend: true,
                    warnings: vec![warning],
                    document_id: Some(2),
                },
            })),
            E::FollowUpReopened(FollowUpReopened {
                reason: text("new inquiry"),
            }),
            E::FollowUpPaused(FollowUpPaused {
                reason: text("no usable phone number or e-mail address"),
                by: text("intake"),
                held_touches: None,
            }),
            E::FollowUpResumed(FollowUpResumed {
                reason: text("back"),
                by: text("ana"),
                rescheduled: vec![Rescheduled {
                    touch_id: 7,
                    due_at: at(9),
                }],
            }),
            E::FollowUpStopped(FollowUpStopped {
                reason: text("bought elsewhere"),
                by: text("ana"),
                opted_out: false,
                cancelled_touches: 3,
            }),
            E::StageChanged(StageChanged {
                from: Stage::New,
                to: Stage::Contacted,
                by: text("keepwarm"),
                reason: None,
                at: Some(at(4)),
                via: Some(text("reply")),
                recorded_at: None,
            }),
            E::OutcomeSkipped(OutcomeSkipped {
                reason: text("already sold"),
            }),
            E::ContactUnusable(ContactUnusable {
                kind: text("phone"),
                value: text("+14155550100"),
                reason: text("landline"),
            }),
            E::TouchScheduled(TouchScheduled {
                touch_id: 7,
                step: 1,
                channel: Channel::Email,
                block: text("intro"),
                target_at: at(0),
                due_at: at(1),
                held: false,
            }),
            E::TouchUnplannable(TouchUnplannable {
                step: 1,
                reason: text("no window"),
                zones: vec![text("America/Chicago")],
            }),
            E::TouchSent(Box::new(touch_sent())),
            E::TouchFailed(TouchFailed {
                touch_id: 7,
                channel: Channel::Sms,
                reason: text("21610"),
                opted_out: true,
                unreachable: false,
            }),
            E::TouchRerouted(TouchRerouted {
                touch_id: 7,
                from: Channel::Sms,
                to: Channel::Email,
                reason: text("unreachable"),
            }),
            E::TouchDelayed(TouchDelayed {
                touch_id: 7,
                reason: text("provider down"),
                retry_at: at(5),
            }),
            E::TouchDeferred(TouchDeferred {
                touch_id: 7,
                step: 1,
                channel: Channel::Sms,
                due_at: at(0),
                deferred_to: at(90),
                rule: text("contact_window"),
                reason: text("05:30 in America/Los_Angeles"),
            }),
            E::TouchSkipped(TouchSkipped {
                touch_id: None,
                step: 2,
                channel: Channel::Call,
                block: Some(text("call_1")),
                reason: text("no phone"),
            }),
            E::TouchCancelled(TouchCancelled {
                touch_id: 7,
                step: 2,
                reason: text("stopped"),
            }),
            E::TouchHeld(held.clone()),
            E::TouchReleased(held),
            E::TouchUncertain(TouchUncertain {
                touch_id: 7,
                reason: text("timeout"),
                then: text("reconciled before any resend"),
            }),
            E::DeliveryStatus(DeliveryStatus {
                touch_id: 7,
                provider_id: text("SM1"),
                status: text("undelivered"),
                error_code: Some(text("30005")),
            }),
            E::CallAnswered(call.clone()),
            E::VoicemailLeft(call),
            E::InboundMessage(inbound.clone()),
            E::InboundCall(inbound),
            E::OptOutPossible(OptOutPossible {
                words: text("not interested"),
                cue: json!({"rule": "maybe_stop", "matched": "not interested"}),
            }),
            E::OptOutHoldConfirmed(decided.clone()),
            E::OptOutHoldReleased(decided),
            E::ChannelRevoked(revoked.clone()),
            E::ConsentAlreadyRevoked(ChannelRevoked {
                via: Some(text("link")),
                ..revoked
            }),
            E::ConsentRestored(ConsentRestored {
                contact: text("+14155550100"),
            }),
            E::OptOutConfirmed(OptOutConfirmed {
                to: text("+14155550100"),
                body: text("You will get no more texts."),
                outbound: note(None),
            }),
            E::OptOutConfirmationFailed(OptOutConfirmationFailed {
                to: text("+14155550100"),
                outbound: note(Some(8)),
            }),
            E::HelpReplied(OptOutConfirmed {
                to: text("+14155550100"),
                body: text("Lakeside: for help call (312) 555-0100."),
                outbound: note(None),
            }),
            E::HelpReplyFailed(OptOutConfirmationFailed {
                to: text("+14155550100"),
                outbound: note(Some(9)),
            }),
            E::Escalated(Escalated {
                escalation_id: Some(2),
                intents: vec![text("appointment")],
                assignee: text("ana"),
                sla_due_at: at(15),
                reason: text("owner"),
            }),
            E::EscalationBreached(EscalationBreached {
                escalation_id: 2,
                level: 1,
                told: text("max"),
                unacknowledged_by: text("ana"),
                sla_due_at: at(15),
            }),
            E::EscalationUnanswered(EscalationUnanswered { escalation_id: 2 }),
            E::EscalationAcknowledged(EscalationAcknowledged {
                escalation_id: 2,
                by: text("ana"),
                within_sla: true,
                via: None,
            }),
            E::EscalationReassigned(EscalationReassigned {
                escalation_id: 2,
                from: text("ana"),
                to: text("bo"),
                reason: None,
                by: text("morgan").into(),
            }),
            E::EscalationClosed(EscalationClosed {
                escalation_id: 2,
                reason: text("lead lost"),
                by: text("ana"),
            }),
            E::StaffNotified(StaffNotified {
                escalation_id: Some(2),
                staff: text("ana"),
                to: text("+14155550101"),
                outbound: note(None),
            }),
            E::StaffNotificationFailed(StaffNotificationFailed {
                escalation_id: None,
                staff: text("ana"),
                outbound: note(Some(8)),
            }),
            E::ResumeHeldBack(ResumeHeldBack {
                reason: text("the customer's last message is unanswered"),
                retry_at: at(4320),
            }),
            E::GoingColdAlert(GoingColdAlert {
                manager: text("max"),
                owner: text("ana"),
                why: text("unanswered"),
                outbound: note(Some(8)),
            }),
            E::GoingColdAlertFailed(GoingColdAlertFailed {
                manager: text("max"),
                outbound: note(None),
            }),
            E::ManagerAlerted(manager.clone()),
            E::ManagerAlertFailed(manager),
            E::StaffMessageQueued(message.clone()),
            E::StaffMessageSent(StaffMessage {
                outbound: note(Some(10)),
                ..message.clone()
            }),
            E::StaffMessageFailed(StaffMessage {
                subject: Some(text("Your visit")),
                ..message
            }),
            E::TaskCreated(TaskCreated {
                task_id: 4,
                kind: text("reply"),
                owner: text("ana"),
                due_at: at(0),
            }),
            E::TaskCompleted(completed.clone()),
            E::CallLogged(TaskCompleted {
                note: Some(text("will come in")),
                ..completed
            }),
            E::TaskReassigned(TaskReassigned {
                task_id: 4,
                from: text("ana"),
                to: text("bo"),
                reason: text("owner changed"),
            }),
            E::TaskClosed(TaskClosed {
                task_id: 4,
                kind: text("reply"),
                reason: text("lead sold"),
                by: text("ana"),
            }),
            E::AppointmentSet(booked(None)),
            E::AppointmentMoved(booked(Some(3))),
            E::AppointmentConfirmed(update(Some("yes"), None)),
            E::AppointmentRescheduleRequested(update(Some("can we move it"), None)),
            E::AppointmentShowed(update(None, Some("api"))),
            E::AppointmentCancelled(update(None, Some("csv"))),
            E::AppointmentNoShow(AppointmentNoShow {
                appointment_id: 3,
                starts_at: at(60),
                ends_at: at(120),
                grace_minutes: 30,
                by: text("keepwarm"),
            }),
            E::CustomerWaiting(CustomerWaiting {
                owner: text("ana"),
                sla_due_at: at(5),
                hot: true,
            }),
            E::NoteAdded(NoteAdded {
                by: text("ana"),
                name: text("Ana Ruiz"),
                body: text("Prefers texts after 5pm"),
            }),
            E::CallRequested(CallRequested {
                by: text("ana"),
                name: text("Ana Ruiz"),
                staff_phone: text("+13125550111"),
                customer_phone: text("+14155550100"),
                task_id: Some(4),
            }),
            E::CallProgress(CallProgress {
                call_sid: Some(text("CA1")),
                direction: text("outbound"),
                leg: text("customer"),
                by: Some(text("ana")),
                status: text("completed"),
                duration_seconds: Some(185),
                outcome: Some(text("connected")),
                error: None,
            }),
            E::CallMissed(CallMissed {
                call_sid: text("CA2"),
                from: text("+14155550100"),
                rang: vec![text("ana"), text("bo")],
                texted_back: false,
                no_text_back: Some(text("opted out")),
                call_back_due_at: at(15),
            }),
            E::VoicemailReceived(VoicemailReceived {
                call_sid: text("CA2"),
                recording_url: text("https://api.twilio.com/Recordings/RE1"),
                duration_seconds: Some(14),
            }),
            E::MissedCallTexted(OptOutConfirmed {
                to: text("+14155550100"),
                body: text("Sorry we missed your call."),
                outbound: OutboundNote {
                    outbound_id: Some(9),
                    error: None,
                },
            }),
            E::MissedCallTextFailed(OptOutConfirmationFailed {
                to: text("+14155550100"),
                outbound: OutboundNote {
                    outbound_id: Some(9),
                    error: Some(text("carrier refused")),
                },
            }),
        ]
    }

    #[test]
    fn every_kind_reads_back_from_its_stored_kind_and_data_as_the_same_event() {
        for event in every_kind() {
            let (kind, data) = (event.kind().to_owned(), event.data());
            assert!(data.is_object(), "{kind}: data is not an object: {data}");
            let read = TimelineEvent::from_stored(&kind, data.clone());
            assert_eq!(read, event, "{kind} read back from {data}");
            assert_eq!(
                serde_json::to_value(&read).expect("serializes"),
                json!({"kind": kind, "data": data}),
                "{kind}: the API shape"
            );
        }
    }

    #[test]
    fn the_case_table_holds_every_kind_once() {
        let kinds: Vec<String> = every_kind().iter().map(|e| e.kind().to_owned()).collect();
        assert_eq!(kinds, TimelineEvent::KINDS);
    }

    #[test]
    fn events_store_the_same_json_the_old_maps_wrote() {
        let cases = [
            (
                TimelineEvent::TouchSent(Box::new(touch_sent())),
                json!({
                    "touch_id": 7, "step": 2, "channel": "sms", "block": "intro", "variant": 1,
                    "fell_back": false, "repeated": false, "recipient_kind": "customer",
                    "to": "+14155550100", "target_at": "2026-01-01T00:00:00Z",
                    "due_at": "2026-01-01T00:01:00Z", "sent_at": "2026-01-01T00:02:00Z",
                    "provider_id": "SM1",
                }),
            ),
            (
                TimelineEvent::TouchSent(Box::new(TouchSent {
                    variant: None,
                    fell_back: None,
                    repeated: None,
                    recipient_kind: None,
                    target_at: None,
                    due_at: None,
                    reconciled: true,
                    provider_id: None,
                    ..touch_sent()
                })),
                json!({
                    "touch_id": 7, "step": 2, "channel": "sms", "block": "intro",
                    "to": "+14155550100", "sent_at": "2026-01-01T00:02:00Z", "reconciled": true,
                }),
            ),
            (
                TimelineEvent::StageChanged(StageChanged {
                    from: Stage::Lost,
                    to: Stage::New,
                    by: text("intake"),
                    reason: Some(text("new inquiry")),
                    at: Some(at(0)),
                    via: Some(text("internet")),
                    recorded_at: None,
                }),
                json!({"from": "lost", "to": "new", "by": "intake", "reason": "new inquiry",
                       "at": "2026-01-01T00:00:00Z", "via": "internet"}),
            ),
            (
                TimelineEvent::StaffNotified(StaffNotified {
                    escalation_id: Some(2),
                    staff: text("ana"),
                    to: text("+14155550101"),
                    outbound: note(None),
                }),
                json!({"escalation_id": 2, "staff": "ana", "to": "+14155550101"}),
            ),
            (
                TimelineEvent::OwnerAssigned(OwnerAssigned {
                    owner: text("ana"),
                    name: None,
                    team: Some(text("sales")),
                    reason: text("round robin"),
                    from: None,
                    by: None,
                }),
                json!({"owner": "ana", "name": null, "team": "sales", "reason": "round robin"}),
            ),
        ];
        for (event, old) in cases {
            assert_eq!(event.data(), old, "{}", event.kind());
            assert_eq!(
                event.data().to_string(),
                old.to_string(),
                "{}: stored text",
                event.kind()
            );
        }
    }

    #[test]
    fn a_row_of_an_unknown_kind_or_a_misfit_data_is_kept_as_stored() {
        for (kind, data) in [
            ("written_by_a_newer_version", json!({"x": 1})),
            ("touch_sent", json!({"touch_id": "not a number"})),
            ("received", json!("not an object")),
        ] {
            let read = TimelineEvent::from_stored(kind, data.clone());
            assert_eq!(
                read,
                TimelineEvent::Other(OtherEvent {
                    kind: kind.to_owned(),
                    data: data.clone()
                })
            );
            assert_eq!(read.kind(), kind);
            assert_eq!(read.data(), data);
        }
    }
}
