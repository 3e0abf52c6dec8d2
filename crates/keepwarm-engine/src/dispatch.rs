//! The dispatcher: claim due touches, decide each one against the lead's state at send time, render,
//! hand to the channel, record the result and plan the next step.
//!
//! The order of durable steps is what makes a touch go out at most once and never get lost: the claim
//! commits `sending` before the channel is called; no transaction is open during the call; the result
//! and the next touch commit together afterwards. A crash between the two leaves `sending` rows, which
//! [`Engine::reconcile`] settles at start-up by asking the channel whether the touch was delivered.

use std::sync::Arc;

use jiff::{Timestamp, ToSpan};
use keepwarm_channels::{Address, ChannelError, Message, RecipientKind};
use keepwarm_domain::blocks::render_block;
use keepwarm_domain::cadence::{CadenceSnapshot, Channel as ChannelKind, Step};
use keepwarm_domain::engine::{after_step, decide_due_touch, AfterStep, DueDecision, LeadState};
use keepwarm_domain::lead::LeadInput;
use keepwarm_domain::plan::plan_step;
use keepwarm_store::{ClaimedTouch, NewEvent, NewTask, NewTouch, TouchOutcome, TouchResult};
use serde_json::json;

use crate::consent::forbids;
use crate::context::{message_context, vehicle_name, window_for, zones_for};
use crate::{Engine, EngineError, Result};

/// How many touches one dispatcher step claims.
pub const BATCH: u32 = 256;

/// What one dispatcher step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ran {
    /// Touches were claimed and finished.
    Ran(usize),
    /// Nothing was due.
    Idle,
}

/// What reconciliation found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reconciled {
    /// `sending` touches the channel had delivered: recorded as sent.
    pub delivered: usize,
    /// `sending` touches the channel never got: back to scheduled.
    pub released: usize,
}

/// A touch on its way out: the message and what to record when the channel answers.
struct Pending {
    claimed: ClaimedTouch,
    snapshot: Arc<CadenceSnapshot>,
    message: Message,
    variant: usize,
    events_data: serde_json::Value,
}

impl Engine {
    /// Claims, sends and records one batch of touches due at `now`.
    pub async fn run_next_due(&self, now: Timestamp) -> Result<Ran> {
        let claimed = self.store().claim_due(now, BATCH).await?;
        if claimed.is_empty() {
            return Ok(Ran::Idle);
        }
        let count = claimed.len();
        let mut outcomes = Vec::with_capacity(count);
        let mut pending = Vec::new();
        // The consent ledger, read once for the batch: a revoked channel is never sent on, whatever
        // planned the touch.
        let contacts: Vec<String> = claimed
            .iter()
            .flat_map(|c| {
                let phone = c.lead.phone().map(|p| p.as_str().to_owned());
                let email = c.lead.email().map(|e| e.match_key());
                phone.into_iter().chain(email)
            })
            .collect();
        let revoked = self.store().revoked_channels(&contacts).await?;
        for c in claimed {
            let snapshot = self
                .snapshot(
                    &enrollment_of(&c)?.cadence_name,
                    &enrollment_of(&c)?.cadence_version,
                )
                .await?;
            let Some(step) = snapshot.cadence.steps.get(c.touch.step_index).cloned() else {
                outcomes.push(ended(&c, now, "the cadence version has no such step"));
                continue;
            };
            let state = LeadState {
                status: c.lead.status,
                stage: c.lead.stage,
                opted_out: c.lead.opted_out,
                has_phone: c.lead.phone().is_some(),
                has_email: c.lead.email().is_some(),
            };
            let contact = match step.channel {
                ChannelKind::Email => c.lead.email().map(|e| e.match_key()),
                _ => c.lead.phone().map(|p| p.as_str().to_owned()),
            };
            let decision = match (
                decide_due_touch(&state, step.channel),
                contact.and_then(|k| forbids(revoked.get(&k), step.channel)),
            ) {
                (DueDecision::Send, Some(channel)) if channel == "all" => DueDecision::End {
                    status: keepwarm_domain::LeadStatus::Stopped,
                    reason: "the customer revoked consent".into(),
                },
                (DueDecision::Send, Some(channel)) => DueDecision::Skip {
                    reason: format!("the customer revoked consent for {channel}"),
                },
                (decision, _) => decision,
            };
            match decision {
                DueDecision::Send => match self.prepare(&c, &snapshot, &step, now) {
                    Ok(p) => pending.push(p),
                    Err(reason) => outcomes.push(self.finished(
                        &c,
                        &snapshot,
                        now,
                        TouchResult::Skipped { reason },
                        vec![],
                    )),
                },
                DueDecision::Skip { reason } => {
                    outcomes.push(self.finished(
                        &c,
                        &snapshot,
                        now,
                        TouchResult::Skipped { reason },
                        vec![],
                    ));
                }
                DueDecision::Hold => outcomes.push(TouchOutcome {
                    touch_id: c.touch.id,
                    lead_id: c.lead.id,
                    enrollment_id: c.touch.enrollment_id,
                    at: now,
                    result: TouchResult::Held,
                    next: None,
                    complete: false,
                    events: vec![NewEvent::new(
                        now,
                        "touch_held",
                        json!({"touch_id": c.touch.id, "reason": "follow-up is paused"}),
                    )],
                    tasks: vec![],
                }),
                DueDecision::End { status, reason } => {
                    let mut o = ended(&c, now, &reason);
                    o.result = TouchResult::Ended { status, reason };
                    outcomes.push(o);
                }
            }
        }
        let messages: Vec<Message> = pending.iter().map(|p| p.message.clone()).collect();
        let results = self.channel.send_batch(&messages).await;
        for (p, result) in pending.into_iter().zip(results) {
            outcomes.push(self.record_send(p, result, now));
        }
        self.store().finish_touches(&outcomes).await?;
        Ok(Ran::Ran(count))
    }

    /// Runs the dispatcher until nothing is due at the clock's current instant. Only one drain runs at
    /// a time in a process, so when it returns no touch of this process is in flight.
    pub async fn drain(&self) -> Result<usize> {
        let _guard = self.dispatch_lock.lock().await;
        let mut total = 0;
        loop {
            while let Ran::Ran(n) = self.run_next_due(self.now()).await? {
                total += n;
            }
            // Escalation deadlines and timers can make touches due (a resume): go round again.
            let moved = self.run_due_escalations(self.now()).await?
                + self.run_due_timers(self.now()).await?
                + self.run_due_reports(self.now()).await?;
            if moved == 0 {
                return Ok(total);
            }
            total += moved;
        }
    }

    /// The next instant anything is due: a touch, an escalation deadline, a timer or the weekly report.
    pub(crate) async fn next_work_at(&self) -> Result<Option<Timestamp>> {
        let candidates = [
            self.store().next_due_at().await?,
            self.store().next_escalation_at().await?,
            self.store().next_timer_at().await?,
            self.next_report_at().await?,
        ];
        Ok(candidates.into_iter().flatten().min())
    }

    /// Moves a manual clock to `target`, doing all work due on the way at the instant it falls due,
    /// so touches are sent and planned exactly as they would be in real time.
    pub async fn advance_to(&self, target: Timestamp) -> Result<usize> {
        let manual = self.clock.as_manual().ok_or_else(|| {
            EngineError::Conflict(
                "the clock is not manual (start with --clock manual:RFC3339)".into(),
            )
        })?;
        if target < self.now() {
            return Err(EngineError::field(
                "to",
                format!("{target} is before the clock's current time {}", self.now()),
            ));
        }
        let mut total = 0;
        loop {
            total += self.drain().await?;
            match self.next_work_at().await? {
                Some(next) if next <= target => manual.set(next.max(self.now())),
                _ => break,
            }
        }
        manual.set(target);
        total += self.drain().await?;
        Ok(total)
    }

    /// Settles touches a previous process left in `sending`: delivered ones are recorded as sent
    /// (and their next step planned), undelivered ones go back to scheduled. Touches whose channel
    /// cannot say are left for the next start.
    pub async fn reconcile(&self) -> Result<Reconciled> {
        let _guard = self.dispatch_lock.lock().await;
        let now = self.now();
        let mut found = Reconciled::default();
        for c in self.store().sending_touches().await? {
            match self.channel.lookup(c.touch.id).await {
                Ok(Some(delivered)) => {
                    let snapshot = self
                        .snapshot(
                            &enrollment_of(&c)?.cadence_name,
                            &enrollment_of(&c)?.cadence_version,
                        )
                        .await?;
                    let step = snapshot.cadence.steps.get(c.touch.step_index).cloned();
                    let tasks = match &step {
                        Some(s) if s.channel == ChannelKind::Call => {
                            vec![self.call_task(&c, &delivered.body, delivered.at)]
                        }
                        _ => vec![],
                    };
                    // The variant is not known after a crash; record none rather than a guess.
                    let sent = TouchResult::Sent {
                        variant: None,
                        recipient: delivered.to.clone(),
                        body: delivered.body,
                    };
                    let mut o = self.finished(&c, &snapshot, now, sent, tasks);
                    o.events.insert(0, NewEvent::new(now, "touch_sent", json!({
                        "touch_id": c.touch.id, "step": c.touch.step_index + 1, "channel": c.touch.channel,
                        "block": c.touch.block, "to": delivered.to, "sent_at": delivered.at,
                        "reconciled": true,
                    })));
                    self.store().finish_touches(&[o]).await?;
                    found.delivered += 1;
                }
                Ok(None) => {
                    let event = NewEvent::new(
                        now,
                        "touch_released",
                        json!({
                            "touch_id": c.touch.id,
                            "reason": "claimed by a process that stopped before sending; scheduled again",
                        }),
                    );
                    self.store().release_touch(c.touch.id, &event).await?;
                    found.released += 1;
                }
                Err(e) => {
                    tracing::warn!(touch = c.touch.id, error = %e, "cannot reconcile touch yet")
                }
            }
        }
        Ok(found)
    }

    /// Renders the touch's message. `Err` is a reason to skip the step.
    fn prepare(
        &self,
        c: &ClaimedTouch,
        snapshot: &Arc<CadenceSnapshot>,
        step: &Step,
        now: Timestamp,
    ) -> std::result::Result<Pending, String> {
        let config = self.config();
        let dealership = config
            .dealership(Some(&c.lead.dealership))
            .ok_or_else(|| format!("dealership {} is no longer configured", c.lead.dealership))?;
        let input: LeadInput = serde_json::from_value(c.lead.payload.clone())
            .map_err(|e| format!("stored lead cannot be read: {e}"))?;
        let owner = config.staff_member(&c.lead.owner_id);
        let context = message_context(&input, owner, dealership);
        let block = snapshot
            .blocks
            .get(&step.block)
            .ok_or_else(|| format!("block {} is missing from the cadence version", step.block))?;
        let rendered = render_block(block, &context, &c.used_variants, c.lead.id.0 as u64)
            .ok_or_else(|| {
                format!(
                    "no variant of block {} can be filled for this lead",
                    step.block
                )
            })?;
        let (recipient_kind, to) = match step.channel {
            ChannelKind::Sms | ChannelKind::Voicemail => (
                RecipientKind::Customer,
                Address::Phone(c.lead.phone().ok_or("no usable phone number")?),
            ),
            ChannelKind::Email => (
                RecipientKind::Customer,
                Address::Email(c.lead.email().ok_or("no usable e-mail address")?),
            ),
            ChannelKind::Call => {
                let owner = owner
                    .ok_or_else(|| format!("owner {} is no longer configured", c.lead.owner_id))?;
                let to = match (&owner.phone, &owner.email) {
                    (Some(p), _) => Address::Phone(p.clone()),
                    (None, Some(e)) => Address::Email(e.clone()),
                    (None, None) => {
                        return Err(format!("owner {} has no phone or e-mail", owner.id))
                    }
                };
                (RecipientKind::Staff, to)
            }
        };
        let body = match step.channel {
            ChannelKind::Call => call_brief(c, &input, &rendered.body),
            _ => rendered.body.clone(),
        };
        let events_data = json!({
            "touch_id": c.touch.id,
            "step": c.touch.step_index + 1,
            "channel": step.channel,
            "block": step.block,
            "variant": rendered.variant,
            "fell_back": rendered.fell_back,
            "repeated": rendered.repeated,
            "recipient_kind": recipient_kind.as_str(),
            "to": to.to_string(),
            "target_at": c.touch.target_at,
            "due_at": c.touch.due_at,
            "sent_at": now,
        });
        Ok(Pending {
            claimed: c.clone(),
            snapshot: snapshot.clone(),
            message: Message {
                touch_id: Some(c.touch.id),
                lead_id: Some(c.lead.id),
                kind: step.channel,
                recipient_kind,
                to,
                subject: rendered.subject.clone(),
                body,
                at: now,
                dealership: c.lead.dealership.clone(),
                attachments: Vec::new(),
            },
            variant: rendered.variant,
            events_data,
        })
    }

    fn record_send(
        &self,
        p: Pending,
        result: std::result::Result<keepwarm_channels::Delivery, ChannelError>,
        now: Timestamp,
    ) -> TouchOutcome {
        let c = &p.claimed;
        match result {
            Ok(_) => {
                let tasks = if p.message.kind == ChannelKind::Call {
                    vec![self.call_task(c, &p.message.body, now)]
                } else {
                    vec![]
                };
                let mut o = self.finished(
                    c,
                    &p.snapshot,
                    now,
                    TouchResult::Sent {
                        variant: Some(p.variant),
                        recipient: p.message.to.to_string(),
                        body: p.message.body.clone(),
                    },
                    tasks,
                );
                o.events
                    .insert(0, NewEvent::new(now, "touch_sent", p.events_data));
                o
            }
            Err(ChannelError::Rejected(reason)) => {
                let mut o = self.finished(
                    c,
                    &p.snapshot,
                    now,
                    TouchResult::Failed {
                        reason: reason.clone(),
                    },
                    vec![],
                );
                o.events.insert(
                    0,
                    NewEvent::new(
                        now,
                        "touch_failed",
                        json!({
                            "touch_id": c.touch.id, "channel": p.message.kind, "reason": reason,
                        }),
                    ),
                );
                o
            }
            Err(ChannelError::Unavailable(reason)) => {
                let due = now + 5.minutes();
                TouchOutcome {
                    touch_id: c.touch.id,
                    lead_id: c.lead.id,
                    enrollment_id: c.touch.enrollment_id,
                    at: now,
                    result: TouchResult::Retry {
                        reason: reason.clone(),
                        due,
                    },
                    next: None,
                    complete: false,
                    events: vec![NewEvent::new(
                        now,
                        "touch_delayed",
                        json!({
                            "touch_id": c.touch.id, "reason": reason, "retry_at": due,
                        }),
                    )],
                    tasks: vec![],
                }
            }
        }
    }

    /// An outcome for a finished step, with the next step planned (or the cadence complete).
    fn finished(
        &self,
        c: &ClaimedTouch,
        snapshot: &CadenceSnapshot,
        now: Timestamp,
        result: TouchResult,
        tasks: Vec<NewTask>,
    ) -> TouchOutcome {
        let mut events = Vec::new();
        if let TouchResult::Skipped { reason } = &result {
            events.push(NewEvent::new(
                now,
                "touch_skipped",
                json!({
                    "touch_id": c.touch.id, "step": c.touch.step_index + 1,
                    "channel": c.touch.channel, "reason": reason,
                }),
            ));
        }
        let (next, complete) = self.plan_after(c, snapshot, now, &mut events);
        if complete {
            events.push(NewEvent::new(
                now,
                "cadence_completed",
                json!({
                    "cadence": snapshot.cadence.name,
                }),
            ));
        }
        TouchOutcome {
            touch_id: c.touch.id,
            lead_id: c.lead.id,
            enrollment_id: c.touch.enrollment_id,
            at: now,
            result,
            next,
            complete,
            events,
            tasks,
        }
    }

    /// Plans the first step after the current one that has an open contact window.
    fn plan_after(
        &self,
        c: &ClaimedTouch,
        snapshot: &CadenceSnapshot,
        now: Timestamp,
        events: &mut Vec<NewEvent>,
    ) -> (Option<NewTouch>, bool) {
        let config = self.config();
        let Some(dealership) = config.dealership(Some(&c.lead.dealership)) else {
            return (None, true);
        };
        let Some(enrollment) = &c.lead.enrollment else {
            return (None, true);
        };
        let input: LeadInput = serde_json::from_value(c.lead.payload.clone()).unwrap_or_default();
        let phone = c.lead.phone();
        let (zones, primary) = zones_for(phone.as_ref(), &input, dealership);
        let window = window_for(config, &zones, dealership, &c.lead.segment);
        let previous_day = snapshot
            .cadence
            .steps
            .get(c.touch.step_index)
            .map_or(0, |s| s.day);
        let tomorrow = now
            .to_zoned_datetime(primary.clone())
            .date()
            .tomorrow()
            .ok();
        let mut index = c.touch.step_index;
        loop {
            match after_step(&snapshot.cadence, index) {
                AfterStep::Complete => return (None, true),
                AfterStep::Next(n) => {
                    let step = &snapshot.cadence.steps[n];
                    let min_date = if step.day > previous_day {
                        tomorrow
                    } else {
                        None
                    };
                    match plan_step(step, enrollment.anchor_at, &primary, now, min_date, &window) {
                        Ok(p) => {
                            return (
                                Some(NewTouch {
                                    step_index: n,
                                    channel: step.channel,
                                    block: step.block.clone(),
                                    target_at: p.target,
                                    due_at: p.due,
                                }),
                                false,
                            )
                        }
                        Err(e) => {
                            events.push(NewEvent::new(
                                now,
                                "touch_skipped",
                                json!({
                                    "step": n + 1, "channel": step.channel, "reason": e.to_string(),
                                }),
                            ));
                            index = n;
                        }
                    }
                }
            }
        }
    }

    fn call_task(&self, c: &ClaimedTouch, brief: &str, now: Timestamp) -> NewTask {
        NewTask {
            owner_id: c.lead.owner_id.clone(),
            kind: "call".into(),
            touch_id: Some(c.touch.id),
            due_at: now,
            body: brief.to_owned(),
        }
    }
}

fn enrollment_of(c: &ClaimedTouch) -> Result<&keepwarm_store::EnrollmentRow> {
    c.lead
        .enrollment
        .as_ref()
        .ok_or_else(|| EngineError::Inconsistent(format!("touch {} has no enrollment", c.touch.id)))
}

fn ended(c: &ClaimedTouch, now: Timestamp, reason: &str) -> TouchOutcome {
    TouchOutcome {
        touch_id: c.touch.id,
        lead_id: c.lead.id,
        enrollment_id: c.touch.enrollment_id,
        at: now,
        result: TouchResult::Ended {
            status: keepwarm_domain::LeadStatus::Stopped,
            reason: reason.to_owned(),
        },
        next: None,
        complete: false,
        events: vec![NewEvent::new(
            now,
            "touch_cancelled",
            json!({
                "touch_id": c.touch.id, "step": c.touch.step_index + 1, "reason": reason,
            }),
        )],
        tasks: vec![],
    }
}

/// The call task's text: who to call, how, and the script, so the caller never has to look it up.
fn call_brief(c: &ClaimedTouch, input: &LeadInput, script: &str) -> String {
    let name = c
        .lead
        .display_name
        .clone()
        .unwrap_or_else(|| "the customer".into());
    let phone = c.lead.phone().map(|p| p.national()).unwrap_or_default();
    let vehicle = input
        .vehicles
        .first()
        .and_then(vehicle_name)
        .map(|v| format!(" | interested in {v}"))
        .unwrap_or_default();
    format!(
        "Call task: {name} {phone} (lead {}){vehicle}. {script}",
        c.lead.id
    )
}
