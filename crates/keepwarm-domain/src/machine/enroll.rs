//! Planning an enrollment: the cadence's current version pinned, its anchor, the first touch placed
//! inside the contact window, and what the timeline and the owner's list get when the customer
//! cannot be reached or no step can be planned.
//!
//! One planner for every way a lead starts a cadence: a new lead and a re-opened one (intake), the
//! long-term nurture cadence after "not now" (`timers.rs`), the no-show recovery cadence
//! (`no_show.rs`, which plans only its first touch here).

use std::collections::BTreeMap;

use jiff::tz::TimeZone;
use jiff::Timestamp;

use super::payload::{NewEnrollment, NewEvent, NewTask, NewTouch};
use super::{Cadences, Refusal};
use crate::blocks::Block;
use crate::cadence::{Anchor, Cadence};
use crate::config::{Config, Dealership};
use crate::lead::LeadInput;
use crate::machine::context::{window_for, zones_for};
use crate::plan::{plan_step_for, PlanError};
use crate::timeline::{Enrolled, FollowUpPaused, TouchSkipped, TouchUnplannable};
use crate::window::ContactWindow;
use crate::{LeadStatus, PhoneNumber, TimelineEvent};

/// What an enrollment is planned from.
#[derive(Debug, Clone, Copy)]
pub struct Enrolling<'a> {
    /// The lead's segment.
    pub segment: &'a str,
    /// The cadence to enroll in; `None` for the segment's own.
    pub cadence: Option<&'a str>,
    /// The lead's owner (a staff id), who gets the tasks.
    pub owner: &'a str,
    /// The lead document (where the customer may be).
    pub document: &'a LeadInput,
    /// The lead's first usable phone number.
    pub phone: Option<&'a PhoneNumber>,
    /// The lead has a usable phone or e-mail.
    pub reachable: bool,
    /// The lead's dealership.
    pub dealership: &'a Dealership,
    /// When the customer asked (what a `received` cadence counts from).
    pub received_at: Timestamp,
    /// Why the cadence's day-0 steps are skipped (a caller already got the first response), if
    /// they are: each is recorded as `touch_skipped` with this reason.
    pub skip_day_zero: Option<&'a str>,
}

/// An enrollment planned for a lead, with what it puts on the timeline and the owner's list.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedEnrollment {
    /// The enrollment, with its first touch when one could be planned.
    pub enrollment: NewEnrollment,
    /// `active`, or `paused` when the lead cannot be reached.
    pub status: LeadStatus,
    /// `enrolled`, and why the follow-up is paused or the first step unplannable.
    pub events: Vec<NewEvent>,
    /// The owner's tasks: fix the contact data, or reach the customer by hand.
    pub tasks: Vec<NewTask>,
}

impl PlannedEnrollment {
    /// When the first touch is due, if one was planned.
    pub fn first_due(&self) -> Option<Timestamp> {
        self.enrollment.first_touch.as_ref().map(|t| t.due_at)
    }
}

/// Plans an enrollment in the current version of `e.cadence` (or the segment's cadence) at `now`.
pub fn plan_enrollment(
    e: &Enrolling<'_>,
    config: &Config,
    cadences: &Cadences,
    now: Timestamp,
) -> Result<PlannedEnrollment, Refusal> {
    let name = match e.cadence {
        Some(name) => name,
        None => {
            &config
                .segment(e.segment)
                .ok_or_else(|| Refusal::SegmentUnknown(e.segment.to_owned()))?
                .cadence
        }
    };
    let (version, snapshot) = cadences
        .get(name)
        .ok_or_else(|| Refusal::CadenceUnknown(name.to_owned()))?;
    let cadence = &snapshot.cadence;
    let anchor = match cadence.anchor {
        Anchor::Received => e.received_at,
        // An appointment cadence is enrolled by the outcomes path with the appointment's start;
        // a no-show recovery counts from the moment the no-show was marked.
        Anchor::Enrolled | Anchor::NoShow | Anchor::Appointment => now,
    };
    let mut events = vec![enrolled(cadence, version, anchor, now)];
    let mut tasks = Vec::new();
    if !e.reachable {
        events.push(NewEvent::new(
            now,
            TimelineEvent::FollowUpPaused(FollowUpPaused {
                reason: "no usable phone number or e-mail address".into(),
                by: "intake".into(),
                held_touches: None,
            }),
        ));
        tasks.push(task(e.owner, "fix_contact", now, format!(
            "New {} lead has no usable phone or e-mail. Find a way to reach them, fix the contact data, then resume follow-up.",
            e.segment
        )));
    }
    let (zones, primary) = zones_for(e.phone, e.document, e.dealership);
    let window = window_for(config, &zones, e.dealership, e.segment);
    let first = match e.skip_day_zero {
        Some(reason) => {
            let skipped = cadence.steps.iter().take_while(|s| s.day == 0).count();
            events.extend(
                cadence
                    .steps
                    .iter()
                    .take(skipped)
                    .enumerate()
                    .map(|(n, s)| {
                        NewEvent::new(
                            now,
                            TimelineEvent::TouchSkipped(TouchSkipped {
                                touch_id: None,
                                step: n + 1,
                                channel: s.channel,
                                block: Some(s.block.clone()),
                                reason: reason.to_owned(),
                            }),
                        )
                    }),
            );
            skipped
        }
        None => 0,
    };
    let first_touch = match step_touch(
        cadence,
        &config.blocks,
        first,
        anchor,
        &primary,
        now,
        &window,
    ) {
        Ok(touch) => touch,
        Err(err) => {
            events.push(unplannable(&err, first + 1, &zones.zones, now));
            tasks.push(task(
                e.owner,
                "reply",
                now,
                format!(
                    "Automated follow-up cannot reach this lead: {err}. Contact them yourself."
                ),
            ));
            None
        }
    };
    Ok(PlannedEnrollment {
        enrollment: NewEnrollment {
            cadence_name: cadence.name.clone(),
            cadence_version: version.clone(),
            anchor_at: anchor,
            first_touch,
        },
        status: if e.reachable {
            LeadStatus::Active
        } else {
            LeadStatus::Paused
        },
        events,
        tasks,
    })
}

/// The `enrolled` event of an enrollment in `cadence` at `version`, anchored at `anchor`.
pub fn enrolled(cadence: &Cadence, version: &str, anchor: Timestamp, now: Timestamp) -> NewEvent {
    NewEvent::new(
        now,
        TimelineEvent::Enrolled(Enrolled {
            cadence: cadence.name.clone(),
            version: version.to_owned(),
            label: cadence.label.clone(),
            anchor_at: anchor,
        }),
    )
}

/// The cadence's first step planned inside `window` (`None` for a cadence with no steps), with day
/// arithmetic in `primary`.
pub fn first_touch(
    cadence: &Cadence,
    blocks: &BTreeMap<String, Block>,
    anchor: Timestamp,
    primary: &TimeZone,
    now: Timestamp,
    window: &ContactWindow,
) -> Result<Option<NewTouch>, PlanError> {
    step_touch(cadence, blocks, 0, anchor, primary, now, window)
}

/// The touch of step `index` (from 0) of `cadence`, if the cadence has that step.
fn step_touch(
    cadence: &Cadence,
    blocks: &BTreeMap<String, Block>,
    index: usize,
    anchor: Timestamp,
    primary: &TimeZone,
    now: Timestamp,
    window: &ContactWindow,
) -> Result<Option<NewTouch>, PlanError> {
    let Some(step) = cadence.steps.get(index) else {
        return Ok(None);
    };
    let purpose = blocks
        .get(&step.block)
        .map(|b| b.purpose)
        .unwrap_or_default();
    let planned = plan_step_for(step, purpose, anchor, primary, now, None, window)?;
    Ok(Some(NewTouch {
        step_index: index,
        channel: step.channel,
        block: step.block.clone(),
        target_at: planned.target,
        due_at: planned.due,
    }))
}

/// The `touch_unplannable` event of step `step` (numbered from 1: the cadence's first, or the first
/// after the day-0 steps a caller skipped) that could not be planned.
pub fn unplannable(err: &PlanError, step: usize, zones: &[String], now: Timestamp) -> NewEvent {
    NewEvent::new(
        now,
        TimelineEvent::TouchUnplannable(TouchUnplannable {
            step,
            reason: err.to_string(),
            zones: zones.to_vec(),
        }),
    )
}

fn task(owner: &str, kind: &str, now: Timestamp, body: String) -> NewTask {
    NewTask {
        owner_id: owner.to_owned(),
        kind: kind.into(),
        touch_id: None,
        due_at: now,
        body,
    }
}
