//! The dispatcher: claim due touches, ask the machine ([`keepwarm_domain::machine::touch_due`]) what
//! each one does against the lead's state at send time, render, hand to the channel, record the
//! result and plan the next step.
//!
//! The order of durable steps is what makes a touch go out at most once and never get lost: the claim
//! commits `sending` with this worker's lease before the channel is called; no transaction is open
//! during the call; the result and the next touch commit together afterwards, and count only while
//! the lease is still this worker's. A worker that dies between the two leaves `sending` rows whose
//! lease runs out; any worker sharing the database then takes them over and [`Engine::reconcile`]s
//! them by asking the channel whether the touch was delivered. Touches under a live lease are never
//! touched by another worker, so several processes can dispatch from one database.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use jiff::Timestamp;
use keepwarm_channels::{Address, ChannelError, Message, RecipientKind};
use keepwarm_domain::blocks::{fit_sms, render_block, rotation_seed, Choice};
use keepwarm_domain::cadence::{CadenceSnapshot, Channel as ChannelKind, Step};
use keepwarm_domain::compliance::consent::{basis_for, basis_text};
use keepwarm_domain::compliance::kill_switch::{holding, Engaged};
use keepwarm_domain::compliance::MessagePurpose;
use keepwarm_domain::condition::MessageFacts;
use keepwarm_domain::engine::{after_step, AfterStep, LeadState};
use keepwarm_domain::inventory::lead_stock_keys;
use keepwarm_domain::machine::{touch_due, DispatchDecision, DueTouch};
use keepwarm_domain::plan::plan_step_for;
use keepwarm_domain::timeline::{
    CadenceCompleted, SentConsent, TouchCancelled, TouchDeferred, TouchNote, TouchSent,
    TouchSkipped, TouchUncertain,
};
use keepwarm_domain::TimelineEvent;
use keepwarm_domain::{EmailAddress, LeadId};
use keepwarm_store::{
    Change, ClaimedTouch, NewEvent, NewTask, NewTouch, TouchOutcome, TouchResult,
};

use crate::context::{language_for, message_context};
use crate::lead_facts::{LeadFacts, Windows};
use crate::{Engine, EngineError, Result};

/// How many touches one dispatcher step claims.
pub const BATCH: u32 = 256;

/// How long the dispatcher sends batch after batch before it looks at the other queues again.
pub const ROUND: std::time::Duration = std::time::Duration::from_secs(1);

/// How many batches one process has in flight at once. While one batch waits on the database or
/// the provider, the other is claimed, gated and rendered, so the process and its database (or its
/// provider) work side by side instead of taking turns. Two batches holding texts to one person
/// cannot both pass the frequency caps: each batch reserves its phone touches and counts the
/// touches every other batch holds in flight ([`keepwarm_store::WorkQueue::reserve_phone_sends`]),
/// the same guard that keeps two processes apart.
pub const BATCHES_IN_FLIGHT: usize = 2;

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
    /// `sending` touches with an expired lease the channel had delivered: recorded as sent.
    pub delivered: usize,
    /// `sending` touches with an expired lease the channel never got: back to scheduled.
    pub released: usize,
}

/// A touch on its way out: the message and what to record when the channel answers.
pub(crate) struct Pending {
    pub(crate) claimed: Arc<ClaimedTouch>,
    pub(crate) facts: Arc<LeadFacts>,
    pub(crate) snapshot: Arc<CadenceSnapshot>,
    pub(crate) message: Message,
    pub(crate) variant: usize,
    pub(crate) sent: TouchSent,
}

impl Engine {
    /// Claims, sends and records one batch of touches due at `now`.
    pub async fn run_next_due(&self, now: Timestamp) -> Result<Ran> {
        let claimed = self
            .store()
            .claim_due(now, &self.worker, self.role.touch_lease_until(now), BATCH)
            .await?;
        if claimed.is_empty() {
            return Ok(Ran::Idle);
        }
        let count = claimed.len();
        let claims: std::collections::HashMap<i64, (ChannelKind, Timestamp)> = claimed
            .iter()
            .map(|c| (c.touch.id, (c.touch.channel, c.touch.due_at)))
            .collect();
        let mut outcomes = Vec::with_capacity(count);
        let mut pending = Vec::new();
        // The consent ledger, read once for the batch: a revoked channel is never sent on, whatever
        // planned the touch.
        let mut windows = Windows::default();
        let claimed: Vec<(Arc<ClaimedTouch>, Arc<LeadFacts>)> = claimed
            .into_iter()
            .map(|c| {
                let facts = Arc::new(windows.facts(self.config(), &c.lead));
                // Shared with the pending send, not copied: a claimed touch carries its lead's
                // document.
                (Arc::new(c), facts)
            })
            .collect();
        let contacts: Vec<String> = claimed
            .iter()
            .flat_map(|(_, facts)| {
                let phone = facts.phone.as_ref().map(|p| p.as_str().to_owned());
                let email = facts.email.as_ref().map(EmailAddress::match_key);
                phone.into_iter().chain(email)
            })
            .collect();
        // Independent reads, side by side on the pool: one round trip of waiting, not six, between
        // the claim and the send (the pickup latency's tail follows the round trips).
        let (revoked, mut sent_recently, erased, stocked, halted, do_not_call) = tokio::try_join!(
            async { Ok::<_, EngineError>(self.store().revoked_channels(&contacts).await?) },
            self.phone_sends(&claimed, now),
            self.suppressed_contacts(&contacts),
            self.in_stock(&claimed),
            self.engaged_switches(),
            self.do_not_call(&claimed, now),
        )?;
        for (c, facts) in claimed {
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
                has_phone: facts.phone.is_some(),
                has_email: facts.email.is_some(),
                cadence_ends_at: snapshot.cadence.anchor.ends_at(),
            };
            let appointment = self.appointment_for(&c, &snapshot).await?;
            // The touch's own channel: the step's, unless the step was moved to another channel
            // because the address could not receive it.
            let channel = c.touch.channel;
            let contact = match channel {
                ChannelKind::Email => facts.email.as_ref().map(EmailAddress::match_key),
                _ => facts.phone.as_ref().map(|p| p.as_str().to_owned()),
            };
            let hold = holding(&halted, &c.lead.dealership).map(Engaged::hold_reason);
            let due = DueTouch {
                lead: &state,
                channel,
                window: facts.placed.as_ref().map(|p| &*p.window),
                dealership: &c.lead.dealership,
                revoked: contact
                    .as_ref()
                    .and_then(|k| revoked.get(k))
                    .map_or(&[], Vec::as_slice),
                suppressed: (contact.as_ref())
                    .is_some_and(|k| erased.contains(k))
                    .then_some(crate::people::SUPPRESSED_REFUSAL),
                appointment: appointment
                    .as_ref()
                    .map(|a| a.as_ref().map(|a| a.starts_at).map_err(String::as_str)),
                sent_recently: contact
                    .as_ref()
                    .and_then(|k| sent_recently.get(k))
                    .map_or(&[], Vec::as_slice),
                halted: hold.as_deref(),
                do_not_call: do_not_call.get(&c.touch.id).map(String::as_str),
                purpose: purpose_of(&self.config().blocks, &snapshot, &step)
                    .as_sent(c.lead.received_at, now),
                automated: channel != ChannelKind::Call || step.is_automated_call(),
                basis: match (&facts.input, &contact) {
                    (Ok(input), Some(k)) => {
                        basis_for(&input.consent, k, channel, &c.lead.dealership)
                    }
                    _ => None,
                },
            };
            let decision = touch_due(&due, now);
            // What a marketing touch is sent on, for the record and the weekly report.
            let sent_consent = due
                .is_solicitation()
                .then(|| due.window.and_then(|w| w.consent_in_force(now)))
                .flatten()
                .map(|(required, _)| SentConsent {
                    basis: basis_text(due.basis).to_owned(),
                    required: basis_text(Some(required)).to_owned(),
                });
            let appt = appointment.and_then(std::result::Result::ok);
            if let (DispatchDecision::Send, Some(k)) = (&decision, &contact) {
                // Later touches of this batch to the same person count this one against the caps.
                sent_recently.entry(k.clone()).or_default().push(now);
            }
            let decision_asks = matches!(decision, DispatchDecision::AskConsent { .. });
            match decision {
                DispatchDecision::Send => {
                    let in_stock = stocked.contains(&c.lead.id);
                    let known = Known {
                        appointment: appt.as_ref(),
                        in_stock,
                    };
                    let prepared =
                        self.prepare(&c, &facts, &snapshot, &step, now, known)
                            .map(|mut p| {
                                p.sent.consent = sent_consent;
                                p
                            });
                    match prepared {
                        Ok(p) if channel == ChannelKind::Call && !step.is_automated_call() => {
                            outcomes.push(self.assign_call_task(p, &step, now));
                        }
                        Ok(p) => pending.push(p),
                        Err(reason) => outcomes.push(self.finished(
                            &c,
                            &facts,
                            &snapshot,
                            now,
                            TouchResult::Skipped { reason },
                            vec![],
                        )),
                    }
                }
                DispatchDecision::Skip { reason } | DispatchDecision::AskConsent { reason } => {
                    let tasks = match decision_asks {
                        true => ask_consent_task(
                            &self.config().blocks,
                            &c,
                            &snapshot,
                            &facts,
                            &reason,
                            now,
                        ),
                        false => Vec::new(),
                    };
                    outcomes.push(self.finished(
                        &c,
                        &facts,
                        &snapshot,
                        now,
                        TouchResult::Skipped { reason },
                        tasks,
                    ));
                }
                DispatchDecision::Hold => outcomes.push(held(&c, now, "follow-up is paused")),
                DispatchDecision::Halt { reason } => outcomes.push(held(&c, now, &reason)),
                DispatchDecision::Defer {
                    until,
                    rule,
                    reason,
                } => {
                    let mut o = deferred(&c, now, until, &rule, &reason);
                    o.next = self.plan_beside(&c, &facts, &snapshot, now, &mut o.events);
                    outcomes.push(o);
                }
                DispatchDecision::End { status, reason } => {
                    let mut o = ended(&c, now, &reason);
                    o.result = TouchResult::Ended { status, reason };
                    outcomes.push(o);
                }
            }
        }
        // A kill switch engaged while this batch was being prepared holds what it claimed.
        let halted = match pending.is_empty() {
            true => Vec::new(),
            false => self.engaged_switches().await?,
        };
        let pending: Vec<Pending> = pending
            .into_iter()
            .filter_map(|p| match holding(&halted, &p.claimed.lead.dealership) {
                Some(e) => {
                    outcomes.push(held(&p.claimed, now, &e.hold_reason()));
                    None
                }
                None => Some(p),
            })
            .collect();
        let messages: Vec<Message> = pending.iter().map(|p| p.message.clone()).collect();
        let results = self.channel.send_batch(&messages).await;
        let mut refusals = Vec::new();
        let mut uncertain = Vec::new();
        for (p, result) in pending.into_iter().zip(results) {
            if let Err(e) = &result {
                self.telemetry
                    .provider_error(p.message.kind, Some(p.claimed.touch.id), e);
            }
            match &result {
                Err(e @ (ChannelError::OptedOut(_) | ChannelError::Unreachable(_))) => {
                    refusals.push((p.claimed.lead.id, p.message.to.clone(), e.clone()));
                }
                Err(ChannelError::Uncertain(reason)) => {
                    // No result: the touch stays `sending` until its lease runs out and
                    // reconciliation finds out.
                    uncertain.push((p.claimed.lead.id, p.claimed.touch.id, reason.clone()));
                    continue;
                }
                _ => {}
            }
            outcomes.push(self.record_send(p, result, &revoked, now));
        }
        self.store().finish_touches(&self.worker, &outcomes).await?;
        self.telemetry.touches_finished(&outcomes, &claims);
        for (lead, touch, reason) in uncertain {
            let event = NewEvent::new(
                now,
                TimelineEvent::TouchUncertain(TouchUncertain {
                    touch_id: touch,
                    reason,
                    then: "reconciled before any resend".into(),
                }),
            );
            self.apply_changes(lead, vec![Change::Events(vec![event])])
                .await?;
        }
        for (lead, address, error) in refusals {
            self.apply_refusal(lead, &address, &error).await?;
        }
        self.alert_outages(now).await?;
        Ok(Ran::Ran(count))
    }

    /// Runs the dispatcher until nothing is due at the clock's current instant (or until
    /// [`Engine::stop_dispatch`]), settling touches whose lease expired too. With a manual clock
    /// one drain runs at a time in a process, so when it returns no touch of this process is in
    /// flight and simulated time can move on.
    pub async fn drain(&self) -> Result<usize> {
        Ok(self.drain_then_next().await?.0)
    }

    /// [`Engine::drain`], also returning when work is next due as the drain last saw it (what the
    /// worker sleeps until), so a wake-up costs no second look at the queues.
    ///
    /// Touches come first, claimed at once: a wake-up is mostly for them (a new lead, a resume).
    /// Then one look at every queue ([`keepwarm_store::WorkQueue::agenda`]) says which others have
    /// work now (expired leases to settle, escalation deadlines, timers, queued messages); only
    /// those are visited. During a long burn-down the queues are looked at every [`ROUND`], so an
    /// escalation or a dead worker's touches never wait for the backlog to clear.
    pub(crate) async fn drain_then_next(&self) -> Result<(usize, Option<Timestamp>)> {
        let _step = match self.clock.as_manual() {
            Some(_) => Some(self.manual_steps.lock().await),
            None => None,
        };
        let mut total = 0;
        loop {
            total += self.send_due_batches().await?;
            if self.is_stopping() {
                return Ok((total, None));
            }
            let now = self.now();
            let agenda = self.store().agenda().await?;
            let due = |at: Option<Timestamp>| at.is_some_and(|at| at <= now);
            let mut moved = 0;
            if due(agenda.leases) {
                let found = self.reconcile().await?;
                total += found.delivered + found.released;
            }
            if due(agenda.touches) {
                // Made due meanwhile (a next step due at once, a release): claimed going round.
                moved += 1;
            }
            // Escalation deadlines and timers can make touches due (a resume): go round again.
            if due(agenda.escalations) {
                moved += self.run_due_escalations(now).await?;
            }
            if due(agenda.timers) {
                moved += self.run_due_timers(now).await?;
            }
            moved += self.run_due_reports(now).await?;
            if due(agenda.outbound) {
                moved += self.run_outbound(now).await?;
            }
            if moved == 0 {
                let next = agenda
                    .next()
                    .into_iter()
                    .chain(self.next_report_at().await?);
                return Ok((total, next.min()));
            }
        }
    }

    /// Claims and sends batches of due touches, [`BATCHES_IN_FLIGHT`] at a time, until none is due,
    /// a batch comes back short (what was due is taken), or [`ROUND`] has passed.
    async fn send_due_batches(&self) -> Result<usize> {
        let started = std::time::Instant::now();
        let lanes = (0..BATCHES_IN_FLIGHT).map(|_| self.send_batches_from(started));
        let sent = futures::future::try_join_all(lanes).await?;
        Ok(sent.into_iter().sum())
    }

    /// One lane of [`Engine::send_due_batches`]: batch after batch until none is due, one comes
    /// back short, or [`ROUND`] has passed since `started`.
    async fn send_batches_from(&self, started: std::time::Instant) -> Result<usize> {
        let mut total = 0;
        while !self.is_stopping() {
            match self.run_next_due(self.now()).await? {
                Ran::Ran(n) => {
                    total += n;
                    if n < BATCH as usize || started.elapsed() >= ROUND {
                        break;
                    }
                }
                Ran::Idle => break,
            }
        }
        Ok(total)
    }

    /// The next instant anything is due: a touch, an escalation deadline, a timer or the weekly report.
    pub(crate) async fn next_work_at(&self) -> Result<Option<Timestamp>> {
        let agenda = self.store().agenda().await?;
        let report = self.next_report_at().await?;
        Ok(agenda.next().into_iter().chain(report).min())
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
        self.publish_clock().await?;
        Ok(total)
    }

    /// Records this engine's clock in the store (the manual clock's time, or that it is the
    /// system clock), so a command run beside the server on the same database (`keepwarm reply`)
    /// judges time by the server's clock, not the machine's.
    pub async fn publish_clock(&self) -> Result<()> {
        let manual = self.clock.as_manual().map(|_| self.now());
        self.store().record_engine_clock(manual).await?;
        Ok(())
    }

    /// Settles touches whose worker stopped between claim and result (their lease expired while
    /// `sending`), whichever process that worker was: each is taken over with a lease of this
    /// worker's, then delivered ones are recorded as sent (and their next step planned) and
    /// undelivered ones go back to scheduled. Touches whose channel cannot say stay `sending` until
    /// the new lease runs out. Touches under a live lease are left to their worker.
    pub async fn reconcile(&self) -> Result<Reconciled> {
        let mut found = Reconciled::default();
        loop {
            let now = self.now();
            let expired = self
                .store()
                .reclaim_expired_touches(now, &self.worker, self.role.touch_lease_until(now), BATCH)
                .await?;
            let count = expired.len();
            self.reconcile_touches(expired, now, &mut found).await?;
            if count < BATCH as usize {
                return Ok(found);
            }
        }
    }

    /// [`Engine::reconcile`] for touches this worker has just taken over.
    async fn reconcile_touches(
        &self,
        expired: Vec<ClaimedTouch>,
        now: Timestamp,
        found: &mut Reconciled,
    ) -> Result<()> {
        let mut windows = Windows::default();
        for c in expired {
            let c = Arc::new(c);
            let facts = Arc::new(windows.facts(self.config(), &c.lead));
            let snapshot = self
                .snapshot(
                    &enrollment_of(&c)?.cadence_name,
                    &enrollment_of(&c)?.cadence_version,
                )
                .await?;
            let step = snapshot.cadence.steps.get(c.touch.step_index).cloned();
            // Render the message again (rendering is deterministic for an unchanged lead) so the
            // channel can look for exactly it. A call task or a message that no longer renders was
            // never handed to a channel.
            let pending = match &step {
                Some(s) if c.touch.channel == ChannelKind::Call && !s.is_automated_call() => None,
                Some(s) => {
                    let appointment = self
                        .appointment_for(&c, &snapshot)
                        .await?
                        .and_then(std::result::Result::ok);
                    let pair = [(c.clone(), facts.clone())];
                    let stocked = self.in_stock(&pair).await?;
                    let known = Known {
                        appointment: appointment.as_ref(),
                        in_stock: stocked.contains(&c.lead.id),
                    };
                    self.prepare(&c, &facts, &snapshot, s, now, known).ok()
                }
                None => None,
            };
            let since = c.touch.claimed_at.unwrap_or(c.touch.due_at);
            let looked = match &pending {
                Some(p) => self.channel.lookup(&p.message, since).await,
                None => Ok(None),
            };
            match looked {
                Ok(Some(delivered)) => {
                    // The variant is not known after a crash; record none rather than a guess.
                    let sent = TouchResult::Sent {
                        variant: None,
                        recipient: delivered.to.clone(),
                        body: delivered.body,
                        provider_id: delivered.provider_id,
                    };
                    let mut o = self.finished(&c, &facts, &snapshot, now, sent, vec![]);
                    let event = TouchSent {
                        touch_id: c.touch.id,
                        step: c.touch.step_index + 1,
                        channel: c.touch.channel,
                        block: c.touch.block.clone(),
                        variant: None,
                        fell_back: None,
                        repeated: None,
                        recipient_kind: None,
                        to: Some(delivered.to),
                        mode: None,
                        target_at: None,
                        due_at: None,
                        sent_at: delivered.at,
                        reconciled: true,
                        provider_id: None,
                        consent: None,
                    };
                    o.events.insert(
                        0,
                        NewEvent::new(now, TimelineEvent::TouchSent(Box::new(event))),
                    );
                    self.store().finish_touches(&self.worker, &[o]).await?;
                    found.delivered += 1;
                }
                Ok(None) => {
                    let event = NewEvent::new(
                        now,
                        TimelineEvent::TouchReleased(TouchNote {
                            touch_id: c.touch.id,
                            reason:
                                "claimed by a process that stopped before sending; scheduled again"
                                    .into(),
                        }),
                    );
                    self.store()
                        .release_touch(c.touch.id, &self.worker, &event)
                        .await?;
                    found.released += 1;
                }
                Err(e) => {
                    tracing::warn!(
                        touch = c.touch.id,
                        error = crate::telemetry::redacted(&e),
                        "cannot reconcile touch yet"
                    );
                }
            }
        }
        Ok(())
    }

    /// The automated calls and texts each claimed lead's phone got within the longest frequency cap
    /// of the rules in force, from any dealership, counting those other batches (of this worker or
    /// another) hold in flight; the batch's own phone touches are reserved in the same step, so a
    /// batch claimed later counts them in turn.
    async fn phone_sends(
        &self,
        claimed: &[(Arc<ClaimedTouch>, Arc<LeadFacts>)],
        now: Timestamp,
    ) -> Result<HashMap<String, Vec<Timestamp>>> {
        let hours = self.config().compliance.longest_cap_hours();
        if hours == 0 {
            return Ok(HashMap::new());
        }
        let holds: Vec<(i64, String)> = claimed
            .iter()
            .filter(|(c, _)| c.touch.channel.needs_phone())
            .filter_map(|(c, f)| {
                f.phone
                    .as_ref()
                    .map(|p| (c.touch.id, p.as_str().to_owned()))
            })
            .collect();
        let since = now - jiff::SignedDuration::from_hours(i64::from(hours));
        Ok(self
            .store()
            .reserve_phone_sends(&self.worker, &holds, since)
            .await?)
    }

    /// The leads among `claimed` whose wanted vehicle the inventory feed holds as available.
    async fn in_stock(
        &self,
        claimed: &[(Arc<ClaimedTouch>, Arc<LeadFacts>)],
    ) -> Result<HashSet<LeadId>> {
        let mut keys: HashMap<&str, Vec<(LeadId, Vec<String>)>> = HashMap::new();
        for (c, facts) in claimed {
            let Ok(input) = &facts.input else {
                continue;
            };
            let lead_keys = lead_stock_keys(input);
            if !lead_keys.is_empty() {
                keys.entry(c.lead.dealership.as_str())
                    .or_default()
                    .push((c.lead.id, lead_keys));
            }
        }
        let mut out = HashSet::new();
        for (dealership, leads) in keys {
            let all: Vec<String> = leads.iter().flat_map(|(_, k)| k.clone()).collect();
            let available = self.store().available_stock(dealership, &all).await?;
            out.extend(
                leads
                    .into_iter()
                    .filter(|(_, k)| k.iter().any(|k| available.contains(k)))
                    .map(|(id, _)| id),
            );
        }
        Ok(out)
    }

    /// Renders the touch's message. `Err` is a reason to skip the step.
    fn prepare(
        &self,
        c: &Arc<ClaimedTouch>,
        facts: &Arc<LeadFacts>,
        snapshot: &Arc<CadenceSnapshot>,
        step: &Step,
        now: Timestamp,
        known: Known<'_>,
    ) -> std::result::Result<Pending, String> {
        let Known {
            appointment,
            in_stock,
        } = known;
        let config = self.config();
        let dealership = config
            .dealership(Some(&c.lead.dealership))
            .ok_or_else(|| format!("dealership {} is no longer configured", c.lead.dealership))?;
        let input = facts.input.as_ref().map_err(Clone::clone)?;
        let owner = config.staff_member(&c.lead.owner_id);
        // Rendered as of the claim, so that reconciliation after a crash renders the same text.
        let rendered_at = c.touch.claimed_at.unwrap_or(now);
        let language = language_for(input, config, dealership, &self.classifier);
        let mut context = message_context(input, owner, dealership, &language, rendered_at);
        if let Some(a) = appointment {
            crate::appointments::add_appointment_context(&mut context, a, dealership);
        }
        let block = snapshot
            .blocks
            .get(&step.block)
            .ok_or_else(|| format!("block {} is missing from the cadence version", step.block))?;
        let message_facts = MessageFacts::of(input, &language, in_stock, rendered_at);
        let choice = Choice {
            context: &context,
            facts: &message_facts,
            used: &c.used_variants,
            seed: rotation_seed(c.lead.id.0, &step.block, c.touch.step_index),
        };
        let rendered = render_block(block, &choice).ok_or_else(|| {
            format!(
                "no variant of block {} can be filled for this lead",
                step.block
            )
        })?;
        let channel = c.touch.channel;
        // Checked at send time too: a lead value or an edited block must never turn one text into
        // a dozen billed segments. A shorter variant goes instead, or the step is not sent.
        let rendered = if channel == ChannelKind::Sms {
            let max = config.lint.max_sms_segments;
            let segments = keepwarm_domain::sms::sms_length(&rendered.body).segments;
            fit_sms(block, &choice, rendered, max).ok_or_else(|| {
                format!(
                    "the text would be {segments} SMS segments and no variant of block {} fits the limit of {max}",
                    step.block
                )
            })?
        } else {
            rendered
        };
        let to = match channel {
            ChannelKind::Sms | ChannelKind::Call | ChannelKind::Voicemail => {
                Address::Phone(facts.phone.clone().ok_or("no usable phone number")?)
            }
            ChannelKind::Email => {
                Address::Email(facts.email.clone().ok_or("no usable e-mail address")?)
            }
        };
        let recipient_kind = RecipientKind::Customer;
        let body = rendered.body.clone();
        // A step moved from a text to e-mail has no subject of its own.
        let subject = match (channel, &rendered.subject) {
            (ChannelKind::Email, None) => Some(format!("A note from {}", dealership.brand)),
            (_, subject) => subject.clone(),
        };
        let sent = TouchSent {
            touch_id: c.touch.id,
            step: c.touch.step_index + 1,
            channel,
            block: step.block.clone(),
            variant: Some(rendered.variant),
            fell_back: Some(rendered.fell_back),
            repeated: Some(rendered.repeated),
            recipient_kind: Some(recipient_kind.as_str().to_owned()),
            to: Some(to.to_string()),
            mode: None,
            target_at: Some(c.touch.target_at),
            due_at: Some(c.touch.due_at),
            sent_at: now,
            reconciled: false,
            provider_id: None,
            consent: None,
        };
        Ok(Pending {
            claimed: c.clone(),
            facts: facts.clone(),
            snapshot: snapshot.clone(),
            message: Message {
                touch_id: Some(c.touch.id),
                outbound_id: None,
                lead_id: Some(c.lead.id),
                kind: channel,
                recipient_kind,
                to,
                subject,
                body,
                at: now,
                dealership: c.lead.dealership.clone(),
                attachments: match (channel, appointment) {
                    (ChannelKind::Email, Some(a)) => {
                        crate::appointments::invite_attachment(c, a, dealership, owner, now)
                            .into_iter()
                            .collect()
                    }
                    _ => Vec::new(),
                },
                sender: None,
            },
            variant: rendered.variant,
            sent,
        })
    }

    /// An outcome for a finished step, with the next step planned (or the cadence complete).
    pub(crate) fn finished(
        &self,
        c: &ClaimedTouch,
        facts: &LeadFacts,
        snapshot: &CadenceSnapshot,
        now: Timestamp,
        result: TouchResult,
        tasks: Vec<NewTask>,
    ) -> TouchOutcome {
        let mut events = Vec::new();
        if let TouchResult::Skipped { reason } = &result {
            events.push(NewEvent::new(
                now,
                TimelineEvent::TouchSkipped(TouchSkipped {
                    touch_id: Some(c.touch.id),
                    step: c.touch.step_index + 1,
                    channel: c.touch.channel,
                    block: None,
                    reason: reason.clone(),
                }),
            ));
        }
        let (next, complete) = self.plan_after(c, facts, snapshot, now, &mut events);
        if complete {
            events.push(NewEvent::new(
                now,
                TimelineEvent::CadenceCompleted(CadenceCompleted {
                    cadence: snapshot.cadence.name.clone(),
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

    /// For a touch deferred on its own channel: the step after it, planned now when it is on
    /// another channel, so a closed window on one channel never holds another channel's step. The
    /// deferred touch keeps its place; when it finishes, the store finds that step already planned
    /// and does not plan it twice (the unique (enrollment, step) keeps it so), and whichever of the
    /// two lines finishes last completes the enrollment. Appointment reminders are each anchored
    /// to the appointment, not to the step before: nothing to plan beside them.
    fn plan_beside(
        &self,
        c: &ClaimedTouch,
        facts: &LeadFacts,
        snapshot: &CadenceSnapshot,
        now: Timestamp,
        events: &mut Vec<NewEvent>,
    ) -> Option<NewTouch> {
        let next = snapshot.cadence.steps.get(c.touch.step_index + 1)?;
        if next.channel == c.touch.channel || crate::outcomes::is_appointment_cadence(snapshot) {
            return None;
        }
        self.plan_after(c, facts, snapshot, now, events).0
    }

    /// Plans the first step after the current one that has an open contact window.
    fn plan_after(
        &self,
        c: &ClaimedTouch,
        facts: &LeadFacts,
        snapshot: &CadenceSnapshot,
        now: Timestamp,
        events: &mut Vec<NewEvent>,
    ) -> (Option<NewTouch>, bool) {
        let Some(placed) = &facts.placed else {
            return (None, true);
        };
        let Some(enrollment) = &c.lead.enrollment else {
            return (None, true);
        };
        if crate::outcomes::is_appointment_cadence(snapshot) {
            let next = self.plan_reminder_from(
                &c.lead,
                snapshot,
                c.touch.step_index + 1,
                enrollment.anchor_at,
                enrollment.started_at,
                now,
                events,
            );
            let complete = next.is_none();
            return (next, complete);
        }
        let (primary, window) = (&placed.primary, &*placed.window);
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
                    let purpose = purpose_of(&self.config().blocks, snapshot, step);
                    let planned = plan_step_for(
                        step,
                        purpose,
                        enrollment.anchor_at,
                        primary,
                        now,
                        min_date,
                        window,
                    );
                    match planned {
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
                                TimelineEvent::TouchSkipped(TouchSkipped {
                                    touch_id: None,
                                    step: n + 1,
                                    channel: step.channel,
                                    block: None,
                                    reason: e.to_string(),
                                }),
                            ));
                            index = n;
                        }
                    }
                }
            }
        }
    }
}

/// What the step's block says it is for (marketing when the version has no such block).
///
/// A version frozen before blocks declared a purpose reads as marketing: an appointment reminder
/// enrolled then would be held to the marketing consent basis for ever. When the configuration's
/// block of that name declares another purpose for exactly the frozen text, that purpose is the
/// block's (the text did not change, only what is known about it).
fn purpose_of(
    blocks: &std::collections::BTreeMap<String, keepwarm_domain::blocks::Block>,
    snapshot: &CadenceSnapshot,
    step: &Step,
) -> MessagePurpose {
    let Some(frozen) = snapshot.blocks.get(&step.block) else {
        return MessagePurpose::default();
    };
    match blocks.get(&step.block) {
        Some(now)
            if frozen.purpose == MessagePurpose::Marketing
                && now.purpose != MessagePurpose::Marketing
                && keepwarm_domain::blocks::Block {
                    purpose: MessagePurpose::Marketing,
                    ..now.clone()
                } == *frozen =>
        {
            now.purpose
        }
        _ => frozen.purpose,
    }
}

/// The owner's task to ask for the consent a marketing call or text needs, given once per
/// enrollment: on the cadence's first automated marketing call or text (later ones are skipped with
/// the reason on the timeline, and need no second task).
fn ask_consent_task(
    blocks: &std::collections::BTreeMap<String, keepwarm_domain::blocks::Block>,
    c: &ClaimedTouch,
    snapshot: &CadenceSnapshot,
    facts: &LeadFacts,
    reason: &str,
    now: Timestamp,
) -> Vec<NewTask> {
    let first = snapshot.cadence.steps.iter().position(|s| {
        purpose_of(blocks, snapshot, s) == MessagePurpose::Marketing
            && s.channel.needs_phone()
            && (s.channel != ChannelKind::Call || s.is_automated_call())
    });
    if first != Some(c.touch.step_index) {
        return Vec::new();
    }
    let who = facts
        .phone
        .as_ref()
        .map_or_else(|| "the customer".to_owned(), |p| p.national());
    vec![NewTask {
        owner_id: c.lead.owner_id.clone(),
        kind: "ask_consent".into(),
        touch_id: Some(c.touch.id),
        due_at: now,
        body: format!(
            "Automated marketing texts and calls to {who} are not sent: {reason}. Ask the customer for written consent naming the dealership, then send the lead again with its `consent` record (it merges into this one)."
        ),
    }]
}

/// A touch the machine deferred: scheduled again at `until` (the next legal opening), with the
/// rule and the reason.
fn deferred(
    c: &ClaimedTouch,
    now: Timestamp,
    until: Timestamp,
    rule: &str,
    reason: &str,
) -> TouchOutcome {
    TouchOutcome {
        touch_id: c.touch.id,
        lead_id: c.lead.id,
        enrollment_id: c.touch.enrollment_id,
        at: now,
        result: TouchResult::Retry {
            reason: reason.to_owned(),
            due: until,
        },
        next: None,
        complete: false,
        events: vec![NewEvent::new(
            now,
            TimelineEvent::TouchDeferred(TouchDeferred {
                touch_id: c.touch.id,
                step: c.touch.step_index + 1,
                channel: c.touch.channel,
                due_at: c.touch.due_at,
                deferred_to: until,
                rule: rule.to_owned(),
                reason: reason.to_owned(),
            }),
        )],
        tasks: vec![],
    }
}

/// A touch held (a paused follow-up, an engaged kill switch) with the reason on the timeline; it
/// waits for a resume or a release.
fn held(c: &ClaimedTouch, now: Timestamp, reason: &str) -> TouchOutcome {
    TouchOutcome {
        touch_id: c.touch.id,
        lead_id: c.lead.id,
        enrollment_id: c.touch.enrollment_id,
        at: now,
        result: TouchResult::Held,
        next: None,
        complete: false,
        events: vec![NewEvent::new(
            now,
            TimelineEvent::TouchHeld(TouchNote {
                touch_id: c.touch.id,
                reason: reason.to_owned(),
            }),
        )],
        tasks: vec![],
    }
}

pub(crate) fn enrollment_of(c: &ClaimedTouch) -> Result<&keepwarm_store::EnrollmentRow> {
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
            TimelineEvent::TouchCancelled(TouchCancelled {
                touch_id: c.touch.id,
                step: c.touch.step_index + 1,
                reason: reason.to_owned(),
            }),
        )],
        tasks: vec![],
    }
}

/// What a touch's message may say beyond the lead's own document.
#[derive(Debug, Clone, Copy)]
struct Known<'a> {
    /// The lead's open appointment, for reminders.
    appointment: Option<&'a keepwarm_store::AppointmentRow>,
    /// The inventory feed holds the lead's vehicle as available.
    in_stock: bool,
}
