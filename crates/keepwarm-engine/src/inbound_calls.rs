//! Calls to the store's number (issue 13): who rings, and what a call nobody answered sets in
//! motion.
//!
//! A known customer rings their owner's phone first, then the team's on-shift members at once
//! ([`keepwarm_domain::calls::ring_order`]), then voicemail. An unknown caller becomes a lead
//! (`source.kind = "phone"`: segment rules, owner by round robin) and rings the same way; its
//! cadence's day-0 steps are skipped, since the call (or its text-back) is the first response. A
//! call nobody answered is a missed call, applied whole in one change set keyed by the call: the
//! caller gets one text from the store's number through the durable queue (only when the gate lets
//! a text to the number through; the opt-out words on the first text to the number), the owner a
//! call-back task due within `call_back_minutes`, the lead
//! waits on us and an escalation's clock starts. Twilio's retries of any of these webhooks change
//! nothing twice.

use jiff::Timestamp;
use keepwarm_channels::RecipientKind;
use keepwarm_domain::access::works_for;
use keepwarm_domain::cadence::Channel;
use keepwarm_domain::calls::{missed_call_text, ring_order, text_back_body, DialEnd, Ring};
use keepwarm_domain::lead::{validate_lead, CustomerInput, LeadInput, SourceInput};
use keepwarm_domain::machine::{talking_pause, Event, MissedCall};
use keepwarm_domain::staff_message::Decision;
use keepwarm_domain::thread::{Direction, Medium};
use keepwarm_domain::timeline::{
    CallProgress, InboundMessage as TimelineInbound, OptOutConfirmationFailed, OptOutConfirmed,
    OutboundNote, VoicemailReceived,
};
use keepwarm_domain::{LeadId, PhoneNumber, SourceKind, Stage, TimelineEvent};
use keepwarm_store::{Change, ChangeSet, LeadRow, NewEvent, NewOutbound, OutboundPurpose};
use serde_json::Value;

use crate::{Engine, EngineError, Result};

/// What an inbound call does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RingNext {
    /// Ring these phones together for so long, then report how it ended naming `round`.
    Ring {
        /// Which round of the ring order this is (reported back by the dial's action).
        round: usize,
        /// The phones.
        numbers: Vec<PhoneNumber>,
        /// How long.
        seconds: u32,
    },
    /// Nobody answered: take a voicemail of at most `max_seconds`.
    Voicemail {
        /// What the caller hears first.
        greeting: String,
        /// The longest recording.
        max_seconds: u32,
    },
    /// Nothing more to do (the call was answered, or the caller hung up).
    HangUp,
}

/// How a round of ringing ended, as Twilio's `<Dial>` action reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialEnded {
    /// The lead the action URL names.
    pub lead: LeadId,
    /// The round it names.
    pub round: usize,
    /// The inbound call.
    pub call_sid: String,
    /// The caller's number (`From`).
    pub from: String,
    /// `DialCallStatus`.
    pub dial_status: String,
    /// `DialCallDuration`.
    pub duration_seconds: Option<u64>,
    /// The caller hung up meanwhile (`CallStatus` is no longer `in-progress`).
    pub caller_gone: bool,
}

/// An inbound call's lead and what to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundRing {
    /// The lead the caller is (or became).
    pub lead_id: LeadId,
    /// Whether the caller became a new lead.
    pub created: bool,
    /// What to do.
    pub next: RingNext,
}

/// A staff member calling the store's number: not a customer, so no lead and nothing on any
/// timeline. Their on-shift team-mates ring at once, like the showroom's line; nobody answering
/// ends the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffCall {
    /// The staff member calling.
    pub staff: String,
    /// Their on-shift team-mates' phones (never their own); empty when nobody can be rung.
    pub numbers: Vec<PhoneNumber>,
    /// How long they ring.
    pub seconds: u32,
    /// What the caller hears first.
    pub greeting: String,
}

impl Engine {
    /// The staff member whose phone `from` is, calling the store's number, and whom it rings; `None`
    /// for anyone else (a customer's call: [`Engine::inbound_call`]).
    pub fn staff_calling(&self, from: &str) -> Result<Option<StaffCall>> {
        let phone = self.caller_phone(from)?;
        let config = self.config();
        let Some(me) = config
            .staff
            .iter()
            .find(|s| s.phone.as_ref() == Some(&phone))
        else {
            return Ok(None);
        };
        let dealership = self.dealership_named(me.dealership.as_deref())?;
        let mates: Vec<_> = config
            .team_members(&me.team)
            .into_iter()
            .filter(|s| s.id != me.id && works_for(s, &dealership.id))
            .collect();
        let rounds = ring_order(
            None,
            &mates,
            &config.calls,
            self.now(),
            &dealership.time_zone,
        );
        let (numbers, seconds) = rounds
            .into_iter()
            .next()
            .map_or((Vec::new(), 0), |r| (r.numbers, r.seconds));
        let greeting = if numbers.is_empty() {
            format!(
                "This is the {} customer line. Nobody on your team is on shift to take a call right now. Goodbye.",
                dealership.brand
            )
        } else {
            format!(
                "This is the {} customer line. Ringing your team.",
                dealership.brand
            )
        };
        tracing::info!(staff = %me.id, rung = numbers.len(), "a staff phone called the store's number");
        Ok(Some(StaffCall {
            staff: me.id.clone(),
            numbers,
            seconds,
            greeting,
        }))
    }

    /// A call to the store's number from `from` arrives: the caller's lead (created for an unknown
    /// number) and the first round of ringing; see the module doc. A staff member's phone is refused
    /// (422): such a call is answered by [`Engine::staff_calling`] and never becomes a lead.
    pub async fn inbound_call(&self, from: &str, call_sid: &str) -> Result<InboundRing> {
        let phone = self.caller_phone(from)?;
        if self
            .config()
            .staff
            .iter()
            .any(|s| s.phone.as_ref() == Some(&phone))
        {
            return Err(EngineError::field(
                "From",
                "a staff member's phone calling the store is not a customer's call",
            ));
        }
        let (lead_id, created) = match self.store().find_lead_by_phone(&phone).await? {
            Some(id) => (id, false),
            None => (self.lead_for_caller(&phone).await?, true),
        };
        let lead = self.existing(lead_id).await?;
        let now = self.now();
        let rang = TimelineEvent::InboundCall(TimelineInbound {
            channel: "call".into(),
            from: phone.as_str().to_owned(),
            body: String::new(),
            media: Value::Null,
            classification: Value::Null,
        });
        let set = ChangeSet {
            lead: lead_id,
            at: now,
            idempotency_key: Some(format!("twilio-voice:{call_sid}:rang")),
            changes: vec![Change::Events(vec![NewEvent::new(now, rang)])],
        };
        self.store().apply(&set).await?;
        let next = self.ring_round(&lead, &phone, call_sid, 0, now).await?;
        Ok(InboundRing {
            lead_id,
            created,
            next,
        })
    }

    /// A round of ringing ended; see [`DialEnded`]. Answered: recorded, the lead contacted, done.
    /// Not answered: the next round, or (after the last, or once the caller is gone) the missed
    /// call and voicemail.
    pub async fn inbound_dial_ended(&self, ended: &DialEnded) -> Result<RingNext> {
        let DialEnded {
            lead: lead_id,
            round,
            ref call_sid,
            ref dial_status,
            duration_seconds,
            caller_gone,
            ..
        } = *ended;
        let call_sid = call_sid.as_str();
        let lead = self.existing(lead_id).await?;
        let phone = self.caller_phone(&ended.from)?;
        let now = self.now();
        let rounds = self.rounds_for(&lead, now)?;
        let answered = DialEnd::of(dial_status) == DialEnd::Answered;
        let rung = rounds.get(round);
        let progress = CallProgress {
            call_sid: Some(call_sid.to_owned()),
            direction: "inbound".into(),
            leg: "staff".into(),
            by: rung
                .filter(|r| r.staff.len() == 1)
                .map(|r| r.staff[0].clone()),
            status: dial_status.clone(),
            duration_seconds,
            outcome: Some(if answered { "connected" } else { "no_answer" }.into()),
            error: None,
        };
        let mut changes = vec![Change::Events(vec![NewEvent::new(
            now,
            TimelineEvent::CallProgress(progress),
        )])];
        if answered {
            let by = rung.map_or_else(|| "staff".to_owned(), |r| r.staff.join(", "));
            // A person on the phone with the customer: automation waits, as after their text.
            let names: Vec<&str> = rung
                .map(|r| r.staff.as_slice())
                .unwrap_or_default()
                .iter()
                .map(|id| {
                    self.config()
                        .staff_member(id)
                        .map_or(id.as_str(), |s| s.name.as_str())
                })
                .collect();
            let who = if names.is_empty() {
                "staff".to_owned()
            } else {
                names.join(" or ")
            };
            changes.extend(talking_pause(
                lead.id,
                lead.status,
                format!("{who} is on the phone with the customer"),
                &by,
                &self.config().conversations,
                now,
            ));
            changes.push(Change::StageAtLeast {
                stage: Stage::Contacted,
                by,
                via: "call".into(),
            });
        }
        let set = ChangeSet {
            lead: lead_id,
            at: now,
            idempotency_key: Some(format!("twilio-voice:{call_sid}:round-{round}")),
            changes,
        };
        self.store().apply(&set).await?;
        if answered {
            return Ok(RingNext::HangUp);
        }
        if caller_gone {
            self.missed_call(&lead, &phone, call_sid, &rounds, now)
                .await?;
            return Ok(RingNext::HangUp);
        }
        self.ring_round(&lead, &phone, call_sid, round + 1, now)
            .await
    }

    /// The caller left a voicemail: its recording is kept on the lead, once per call.
    pub async fn voicemail_received(
        &self,
        lead_id: LeadId,
        call_sid: &str,
        recording_url: &str,
        duration_seconds: Option<u64>,
    ) -> Result<()> {
        self.existing(lead_id).await?;
        // Twilio's recordings are https links on its API host; anything else is not a recording.
        let url = recording_url.trim();
        if !url.starts_with("https://") || url.len() > 2000 || url.chars().any(char::is_whitespace)
        {
            return Err(EngineError::field("RecordingUrl", "must be an https URL"));
        }
        let now = self.now();
        let event = TimelineEvent::VoicemailReceived(VoicemailReceived {
            call_sid: call_sid.to_owned(),
            recording_url: url.to_owned(),
            duration_seconds,
        });
        let set = ChangeSet {
            lead: lead_id,
            at: now,
            idempotency_key: Some(format!("twilio-voice:{call_sid}:voicemail")),
            changes: vec![Change::Events(vec![NewEvent::new(now, event)])],
        };
        self.store().apply(&set).await?;
        Ok(())
    }

    /// Round `round` of the lead's ring order, or (past the last) the missed call and voicemail.
    async fn ring_round(
        &self,
        lead: &LeadRow,
        phone: &PhoneNumber,
        call_sid: &str,
        round: usize,
        now: Timestamp,
    ) -> Result<RingNext> {
        let rounds = self.rounds_for(lead, now)?;
        if let Some(r) = rounds.get(round) {
            return Ok(RingNext::Ring {
                round,
                numbers: r.numbers.clone(),
                seconds: r.seconds,
            });
        }
        self.missed_call(lead, phone, call_sid, &rounds, now)
            .await?;
        let brand = self
            .lead_dealership(lead)
            .map_or("us", |d| d.brand.as_str());
        Ok(RingNext::Voicemail {
            greeting: format!(
                "Thanks for calling {brand}. Nobody can take your call right now. Please leave a message after the beep and we will call you back."
            ),
            max_seconds: self.config().calls.voicemail_max_seconds,
        })
    }

    /// Who the lead's calls ring, round by round, at `now`.
    fn rounds_for(&self, lead: &LeadRow, now: Timestamp) -> Result<Vec<Ring>> {
        let config = self.config();
        let dealership = self.lead_dealership(lead)?;
        let owner = config.staff_member(&lead.owner_id);
        // Only teammates who work for the lead's dealership may take its calls.
        let team: Vec<_> = owner
            .map(|o| config.team_members(&o.team))
            .unwrap_or_default()
            .into_iter()
            .filter(|s| works_for(s, &lead.dealership))
            .collect();
        Ok(ring_order(
            owner,
            &team,
            &config.calls,
            now,
            &dealership.time_zone,
        ))
    }

    /// Records a call nobody answered, once per call; see the module doc. What it sets in motion
    /// is the machine's (`Event::CallMissed`); the text back is planned here, through the gate.
    async fn missed_call(
        &self,
        lead: &LeadRow,
        phone: &PhoneNumber,
        call_sid: &str,
        rounds: &[Ring],
        now: Timestamp,
    ) -> Result<()> {
        let call = MissedCall {
            call_sid: call_sid.to_owned(),
            from: phone.clone(),
            rang: rounds
                .iter()
                .flat_map(|r| r.staff.iter().cloned())
                .collect(),
            text_back: self.plan_text_back(lead, phone, call_sid, now).await?,
            idempotency_key: format!("twilio-voice:{call_sid}:missed"),
        };
        let state = self.reply_state(lead, phone.as_str()).await?;
        self.drive_state(lead, &state, Event::CallMissed(Box::new(call)))
            .await?;
        self.after_change().await?;
        Ok(())
    }

    /// The one text a caller nobody answered gets, or why none may go (no usable mobile number,
    /// opted out, revoked, outside the window).
    async fn plan_text_back(
        &self,
        lead: &LeadRow,
        phone: &PhoneNumber,
        call_sid: &str,
        now: Timestamp,
    ) -> Result<std::result::Result<NewOutbound, String>> {
        if lead.phone().as_ref() != Some(phone) {
            return Ok(Err(format!(
                "{} cannot take texts (marked unusable)",
                phone.national()
            )));
        }
        let (decision, _) = self
            .decide_for(lead, Channel::Sms, phone.as_str(), now)
            .await?;
        if let Decision::Refused { reason, .. } = decision {
            return Ok(Err(reason));
        }
        let config = self.config();
        let owner = config.staff_member(&lead.owner_id);
        let rendered = match (&config.calls.text_back_block, owner) {
            (Some(block), Some(o)) => Some(self.render_for(lead, block, o)?.1),
            _ => None,
        };
        let body = rendered.unwrap_or_else(|| {
            missed_call_text(
                owner.map_or("the team", |o| o.first_name()),
                self.lead_dealership(lead)
                    .map_or("the dealership", |d| d.brand.as_str()),
            )
        });
        // The first text this number gets from the store carries the opt-out words.
        let texted_before = self
            .store()
            .conversation(lead.id)
            .await?
            .iter()
            .any(|e| e.direction == Direction::Outbound && e.channel == Medium::Sms);
        let body = text_back_body(body, &config.lint.opt_out_words, !texted_before);
        let to = phone.as_str().to_owned();
        Ok(Ok(NewOutbound {
            lead_id: Some(lead.id),
            purpose: OutboundPurpose::MissedCallText,
            channel: Channel::Sms.as_str().to_owned(),
            recipient_kind: RecipientKind::Customer.as_str().to_owned(),
            recipient: to.clone(),
            subject: None,
            body: body.clone(),
            attachments: Vec::new(),
            dealership: lead.dealership.clone(),
            dedupe_key: Some(format!("missed-call:{call_sid}")),
            on_sent: Some(Box::new(NewEvent::new(
                now,
                TimelineEvent::MissedCallTexted(OptOutConfirmed {
                    to: to.clone(),
                    body,
                    outbound: OutboundNote::default(),
                }),
            ))),
            on_failed: Some(Box::new(NewEvent::new(
                now,
                TimelineEvent::MissedCallTextFailed(OptOutConfirmationFailed {
                    to,
                    outbound: OutboundNote::default(),
                }),
            ))),
            due_at: now,
            sender: None,
        }))
    }

    /// A new lead for an unknown caller: `source.kind = "phone"`, segment and owner as for any lead.
    async fn lead_for_caller(&self, phone: &PhoneNumber) -> Result<LeadId> {
        let input = LeadInput {
            source: SourceInput {
                kind: SourceKind::Phone,
                provider: Some("inbound call".into()),
                provider_lead_id: None,
            },
            customer: CustomerInput {
                phones: vec![phone.as_str().to_owned()],
                ..Default::default()
            },
            ..Default::default()
        };
        let lead = validate_lead(input, self.region()).map_err(EngineError::Validation)?;
        let options = crate::IngestOptions {
            by_call: true,
            ..crate::IngestOptions::default()
        };
        Ok(LeadId(self.ingest_with(lead, options).await?.id))
    }

    /// The caller's number, read in the first dealership's region.
    fn caller_phone(&self, from: &str) -> Result<PhoneNumber> {
        PhoneNumber::parse(from, self.region())
            .map_err(|e| EngineError::field("From", e.to_string()))
    }

    fn region(&self) -> &str {
        self.config()
            .dealerships
            .first()
            .map_or("US", |d| d.country.as_str())
    }
}
