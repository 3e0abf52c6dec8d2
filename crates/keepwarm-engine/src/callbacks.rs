//! What the world tells us after a touch went out: delivery reports from the provider, what to do
//! when an automated call is answered, a customer's unsubscribe link, and the outcome of a call task
//! a person made.
//!
//! Each is idempotent: a delivery report seen twice, or arriving after a later one, changes nothing;
//! a task completed twice is refused; an unsubscribe already in force is not recorded again.

use keepwarm_channels::{Address, ChannelError};
use keepwarm_domain::cadence::Channel as ChannelKind;
use keepwarm_domain::machine::consent::unsubscribe;
use keepwarm_domain::machine::{step, DeliveryRecord, Event, LeadState, Rules};
use keepwarm_domain::timeline::CallAnswered;
use keepwarm_domain::TimelineEvent;
use keepwarm_domain::{LeadId, PhoneNumber};
use keepwarm_store::{Change, ChangeSet, DeliveryApplied, NewEvent, StoreError, TaskRow};

use crate::{Engine, EngineError, Result};

/// A provider's delivery report, in keepwarm's terms.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryReport {
    /// The provider's id (MessageSid / CallSid).
    pub provider_id: String,
    /// The touch named in the callback URL, when it carries one.
    pub touch_id: Option<i64>,
    /// The status word.
    pub status: String,
    /// Its rank in the provider's ordering: later statuses rank higher; a report ranking at or
    /// below the recorded one is ignored.
    pub rank: u8,
    /// The provider's error code.
    pub error_code: Option<String>,
    /// Whether the error code means the recipient opted out at the carrier (Twilio 21610).
    pub opted_out: bool,
    /// Whether the error code means the number cannot receive this channel (a landline, an
    /// unknown destination).
    pub unreachable: bool,
}

/// How a call task went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallOutcome {
    /// A conversation with the customer.
    Connected,
    /// No conversation; a voicemail was left.
    VoicemailLeft,
    /// Nobody answered and no message was left.
    NoAnswer,
    /// The number does not belong to the customer.
    WrongNumber,
}

impl std::str::FromStr for CallOutcome {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "connected" => Ok(CallOutcome::Connected),
            "voicemail_left" => Ok(CallOutcome::VoicemailLeft),
            "no_answer" => Ok(CallOutcome::NoAnswer),
            "wrong_number" => Ok(CallOutcome::WrongNumber),
            _ => Err(format!(
                "unknown outcome `{s}` (expected one of: connected, voicemail_left, no_answer, wrong_number)"
            )),
        }
    }
}

impl CallOutcome {
    /// The word used in the API and the timeline.
    pub fn as_str(self) -> &'static str {
        match self {
            CallOutcome::Connected => "connected",
            CallOutcome::VoicemailLeft => "voicemail_left",
            CallOutcome::NoAnswer => "no_answer",
            CallOutcome::WrongNumber => "wrong_number",
        }
    }
}

/// What an answered automated call should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallAnswer {
    /// A person answered: connect them to the owner.
    Connect {
        /// The owner's number.
        owner_phone: PhoneNumber,
        /// The dealership's number, shown to the owner.
        caller_id: Option<PhoneNumber>,
        /// What the customer hears first.
        greeting: String,
    },
    /// A machine (or a voicemail step): leave the message.
    LeaveMessage {
        /// The words.
        text: String,
    },
    /// The touch's message is not recorded yet (the call was answered before the send was): ask
    /// again in a moment.
    NotReady,
    /// Nothing to say (unknown touch, fax): hang up.
    HangUp,
}

impl Engine {
    /// Records a provider's delivery report on its touch, and what its error means.
    pub async fn delivery_report(&self, report: &DeliveryReport) -> Result<DeliveryApplied> {
        let now = self.now();
        let lead = match report.touch_id {
            Some(touch) => self.store().touch(touch).await?.map(|t| t.lead_id),
            None => self.store().lead_of_message(&report.provider_id).await?,
        };
        let Some(row) = (match lead {
            Some(lead) => self.store().lead(lead).await?,
            None => None,
        }) else {
            return Ok(DeliveryApplied::Unknown);
        };
        let event = Event::DeliveryReport {
            report: DeliveryRecord {
                provider_id: report.provider_id.clone(),
                touch: report.touch_id,
                status: report.status.clone(),
                rank: report.rank,
                error: report.error_code.clone(),
                at: now,
            },
        };
        let state = LeadState::new(row.id, &row.dealership, &row.segment, &row.owner_id);
        let rules = Rules {
            config: self.config(),
            window: None,
            cadences: &self.current,
        };
        let changes = step(&state, &event, &rules, now)
            .map_err(|r| EngineError::Inconsistent(format!("delivery report: {r}")))?;
        let set = ChangeSet {
            lead: row.id,
            at: now,
            idempotency_key: None,
            changes,
        };
        let applied = match self.store().apply(&set).await {
            Ok(_) => DeliveryApplied::Recorded(row.id),
            Err(StoreError::Conflict(_)) => DeliveryApplied::Stale,
            Err(StoreError::NotFound(_)) => DeliveryApplied::Unknown,
            Err(e) => return Err(e.into()),
        };
        if let (DeliveryApplied::Recorded(lead), true) =
            (&applied, report.opted_out || report.unreachable)
        {
            let touch = match report.touch_id {
                Some(t) => self.store().touch(t).await?,
                None => None,
            };
            let address = match touch.map(|t| t.channel) {
                Some(ChannelKind::Email) => row.email().map(Address::Email),
                _ => row.phone().map(Address::Phone),
            };
            if let Some(address) = address {
                let reason = format!(
                    "{} with error {}",
                    report.status,
                    report.error_code.as_deref().unwrap_or("?")
                );
                let error = if report.opted_out {
                    ChannelError::OptedOut(reason)
                } else {
                    ChannelError::Unreachable(reason)
                };
                self.apply_refusal(*lead, &address, &error).await?;
            }
        }
        Ok(applied)
    }

    /// What an automated call says when it is answered (`answered_by` is Twilio's AMD verdict:
    /// `human`, `machine_end_beep`, ...), recorded on the lead's timeline.
    ///
    /// Twilio may ask more than once for the same call (a retry, a replayed request): the answer is
    /// the same each time, and the timeline records it once per `call_sid`. A touch that is not a
    /// call or a voicemail is refused: no call was placed for it.
    pub async fn answer_call(
        &self,
        touch_id: i64,
        call_sid: Option<&str>,
        answered_by: Option<&str>,
    ) -> Result<CallAnswer> {
        let Some(touch) = self.store().touch(touch_id).await? else {
            return Ok(CallAnswer::HangUp);
        };
        if !matches!(touch.channel, ChannelKind::Call | ChannelKind::Voicemail) {
            return Err(EngineError::Conflict(format!(
                "touch {touch_id} is a {} touch, not a call",
                touch.channel
            )));
        }
        let Some(lead) = self.store().lead(touch.lead_id).await? else {
            return Ok(CallAnswer::HangUp);
        };
        // The message is recorded with the send; a call answered before that asks again.
        let Some(text) = touch.body.clone().filter(|_| touch.state == "sent") else {
            return Ok(CallAnswer::NotReady);
        };
        let machine = answered_by.is_some_and(|a| a.starts_with("machine"));
        let config = self.config();
        let owner = config.staff_member(&lead.owner_id);
        let dealership = config.dealership(Some(&lead.dealership));
        let answer = match (
            touch.channel,
            machine,
            answered_by,
            owner.and_then(|o| o.phone.clone()),
        ) {
            (_, _, Some("fax"), _) => CallAnswer::HangUp,
            (ChannelKind::Call, false, _, Some(owner_phone)) => CallAnswer::Connect {
                owner_phone,
                caller_id: dealership.and_then(|d| {
                    let c = config.channels.for_dealership(&d.id);
                    c.caller_id.or(c.sms_from).or_else(|| d.phone.clone())
                }),
                greeting: format!(
                    "Thanks for picking up. Connecting you to {} at {} now.",
                    owner.map_or("your salesperson", |o| o.first_name()),
                    dealership.map_or("the dealership", |d| d.brand.as_str())
                ),
            },
            _ => CallAnswer::LeaveMessage { text },
        };
        let (voicemail, outcome) = match &answer {
            CallAnswer::Connect { .. } => (false, "connecting to the owner"),
            CallAnswer::LeaveMessage { .. } => (true, "message left"),
            _ => (false, "hung up"),
        };
        let now = self.now();
        let call = CallAnswered {
            touch_id,
            call_sid: call_sid.map(str::to_owned),
            answered_by: answered_by.map(str::to_owned),
            outcome: outcome.to_owned(),
        };
        let event = NewEvent::new(
            now,
            if voicemail {
                TimelineEvent::VoicemailLeft(call)
            } else {
                TimelineEvent::CallAnswered(call)
            },
        );
        let kind = event.event.kind();
        let set = ChangeSet {
            lead: lead.id,
            at: now,
            idempotency_key: Some(match call_sid {
                Some(sid) => format!("twilio-call:{sid}:{kind}"),
                None => format!("twilio-call:touch-{touch_id}:{kind}"),
            }),
            changes: vec![Change::Events(vec![event])],
        };
        self.store().apply(&set).await?;
        Ok(answer)
    }

    /// Records a customer's unsubscribe (the signed `/u/{token}` link): e-mail consent revoked for
    /// the address at once; other channels are untouched. Returns whether anything new was revoked.
    ///
    /// Decided by the machine ([`Event::Unsubscribed`]) and applied as one change set on the lead
    /// the link names. A link with no lead (or a lead since erased) has no set to join: the same
    /// decision ([`keepwarm_domain::machine::consent::unsubscribe`]) is written alone.
    pub async fn unsubscribe_email(
        &self,
        contact: &str,
        lead: Option<LeadId>,
        via: &str,
    ) -> Result<bool> {
        let now = self.now();
        let key = contact.to_lowercase();
        let revoked = self
            .store()
            .revoked_channels(std::slice::from_ref(&key))
            .await?
            .remove(&key)
            .unwrap_or_default();
        let lead = match lead {
            Some(id) => self.store().lead(id).await?,
            None => None,
        };
        let Some(lead) = lead else {
            return Ok(match unsubscribe(&revoked, contact, via, now) {
                Some((revocation, _)) => self.store().revoke_consent(&revocation).await?,
                None => false,
            });
        };
        let mut state = self.lead_state(&lead).await?;
        state.contact.revoked = revoked;
        let event = Event::Unsubscribed {
            contact: contact.to_owned(),
            via: via.to_owned(),
        };
        Ok(self.drive_state(&lead, &state, event).await?.is_some())
    }

    /// Completes a task with its outcome. For call tasks the outcome is one of
    /// [`CallOutcome`]: a conversation counts as human contact (a new lead becomes `contacted`), a
    /// wrong number makes the phone unusable and asks the owner to fix the contact.
    pub async fn complete_task(
        &self,
        id: i64,
        outcome: &str,
        note: Option<&str>,
        by: &str,
    ) -> Result<TaskRow> {
        let task = self
            .store()
            .task(id)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("task {id}")))?;
        if task.status != "open" {
            return Err(EngineError::Conflict(format!("task {id} is already done")));
        }
        let call = if task.kind == "call" {
            Some(
                outcome
                    .parse::<CallOutcome>()
                    .map_err(|e| EngineError::field("outcome", e))?,
            )
        } else if outcome != "done" {
            return Err(EngineError::field(
                "outcome",
                format!("a {} task is completed with outcome `done`", task.kind),
            ));
        } else {
            None
        };
        if note.is_some_and(|n| n.chars().count() > 2000) {
            return Err(EngineError::field("note", "longer than 2000 characters"));
        }
        let lead = self.existing(task.lead_id).await?;
        let event = Event::CompleteTask {
            task: id,
            kind: task.kind.clone(),
            outcome: call.map_or("done", CallOutcome::as_str).to_owned(),
            note: note.map(str::to_owned),
            by: by.to_owned(),
        };
        self.drive(&lead, event).await?;
        let done = self
            .store()
            .task(id)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("task {id}")))?;
        Ok(done)
    }
}
