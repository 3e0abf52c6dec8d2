//! The decisions left inside a change's write, made here once for both backends.
//!
//! A change names what to write; some of what it records can only be known in the write's own
//! transaction (the lead's stage at that instant, how many touches a pause held, the revocations
//! already in the ledger). The store runs the SQL, hands what it found to these functions, and
//! writes what they answer. They are plain functions over plain data, so the backends keep only
//! their SQL and cannot drift apart in what they decide.
//!
//! This module must not do IO or read a clock.

use jiff::Timestamp;

use super::change::IfMoved;
use super::payload::{NewEvent, OutcomeRecord};
use crate::conversation::ConversationFacts;
use crate::timeline::{
    FollowUpPaused, FollowUpResumed, FollowUpStopped, OutcomeSkipped, Rescheduled, StageChanged,
};
use crate::{LeadId, Stage, TimelineEvent};

/// The `stage_changed` event of [`super::Change::StageAtLeast`] when the lead, at `current` when
/// the write runs, moves up to `target`: only from a lower stage, never out of `lost`. `None`: the
/// stage stays.
pub fn raise_stage(
    current: Stage,
    target: Stage,
    by: &str,
    via: &str,
    at: Timestamp,
) -> Option<NewEvent> {
    (current < target && current != Stage::Lost).then(|| {
        NewEvent::new(
            at,
            TimelineEvent::StageChanged(StageChanged {
                from: current,
                to: target,
                by: by.to_owned(),
                reason: None,
                at: Some(at),
                via: Some(via.to_owned()),
                recorded_at: None,
            }),
        )
    })
}

/// The `follow_up_paused` event of a pause that found the lead active and held `held` touches.
pub fn paused(reason: &str, actor: &str, held: u64, at: Timestamp) -> NewEvent {
    NewEvent::new(
        at,
        TimelineEvent::FollowUpPaused(FollowUpPaused {
            reason: reason.to_owned(),
            by: actor.to_owned(),
            held_touches: Some(held),
        }),
    )
}

/// The `follow_up_stopped` event of a stop whose write ended `stopped` running follow-ups (none or
/// one) and cancelled `cancelled` waiting touches: recorded when it changed something, and always
/// for an opt-out (the flag is news even on a stopped lead). `None`: nothing to record.
pub fn stopped(
    reason: &str,
    actor: &str,
    opt_out: bool,
    stopped: u64,
    cancelled: u64,
    at: Timestamp,
) -> Option<NewEvent> {
    (stopped + cancelled > 0 || opt_out).then(|| {
        NewEvent::new(
            at,
            TimelineEvent::FollowUpStopped(FollowUpStopped {
                reason: reason.to_owned(),
                by: actor.to_owned(),
                opted_out: opt_out,
                cancelled_touches: cancelled,
            }),
        )
    })
}

/// The `follow_up_resumed` event of a resume with its held touches' new due times.
pub fn resumed(
    reason: &str,
    actor: &str,
    reschedule: &[(i64, Timestamp)],
    at: Timestamp,
) -> NewEvent {
    let rescheduled = reschedule
        .iter()
        .map(|(touch_id, due_at)| Rescheduled {
            touch_id: *touch_id,
            due_at: *due_at,
        })
        .collect();
    NewEvent::new(
        at,
        TimelineEvent::FollowUpResumed(FollowUpResumed {
            reason: reason.to_owned(),
            by: actor.to_owned(),
            rescheduled,
        }),
    )
}

/// The `stage_changed` event of an outcome's stage change, for a lead the write found at `current`;
/// `None` when the outcome moves no stage. `Err`: the lead is no longer at the stage the outcome
/// saw (another writer moved it), and why.
pub fn outcome_stage(
    lead: LeadId,
    current: Stage,
    record: &OutcomeRecord,
) -> Result<Option<NewEvent>, String> {
    let Some((from, to)) = record.stage else {
        return Ok(None);
    };
    if from != current {
        return Err(format!("lead {lead} is {current} now, not {from}"));
    }
    Ok(Some(NewEvent::new(
        record.at,
        TimelineEvent::StageChanged(StageChanged {
            from,
            to,
            by: record.by.clone(),
            reason: record.reason.clone(),
            at: Some(record.at),
            via: Some(record.via.clone()),
            recorded_at: Some(record.now),
        }),
    )))
}

/// What becomes of an outcome change after its write: kept, or — when the write found the lead or
/// its appointment moved on (`moved`, why) — refused or skipped as the change's [`IfMoved`] says.
#[derive(Debug, Clone, PartialEq)]
pub enum OutcomeFate {
    /// Keep it (and close the lead's open work with it, if the change says so).
    Keep,
    /// Refuse the whole set with a conflict, for this reason.
    Refuse(String),
    /// Undo the outcome alone and record this `outcome_skipped` event; the rest of the set stays.
    Skip(NewEvent),
}

/// The [`OutcomeFate`] of an outcome whose write found the lead moved on when `moved` says why.
pub fn outcome_fate(moved: Option<String>, if_moved: IfMoved, at: Timestamp) -> OutcomeFate {
    match (moved, if_moved) {
        (None, _) => OutcomeFate::Keep,
        (Some(why), IfMoved::Refuse) => OutcomeFate::Refuse(why),
        (Some(reason), IfMoved::Skip) => OutcomeFate::Skip(NewEvent::new(
            at,
            TimelineEvent::OutcomeSkipped(OutcomeSkipped { reason }),
        )),
    }
}

/// The channels of a revocation asking for `asked` that the ledger, holding `in_force`, does not
/// already revoke: none while `all` is in force, else each asked channel not in force yet (in the
/// order asked, once each).
pub fn fresh_revocations(in_force: &[String], asked: &[String]) -> Vec<String> {
    if in_force.iter().any(|c| c == "all") {
        return Vec::new();
    }
    let mut fresh: Vec<String> = Vec::with_capacity(asked.len());
    for channel in asked {
        if !in_force.contains(channel) && !fresh.contains(channel) {
            fresh.push(channel.clone());
        }
    }
    fresh
}

/// Which of the leads with a phone number a call or text from it belongs to: the newest lead still
/// in play (not sold or lost), else the newest of all. `leads` are `(lead, stage)` in any order.
pub fn lead_for_phone(leads: &[(LeadId, Stage)]) -> Option<LeadId> {
    leads
        .iter()
        .max_by_key(|(id, stage)| (!matches!(stage, Stage::Sold | Stage::Lost), id.0))
        .map(|(id, _)| *id)
}

/// The latest event of one shape on a lead's timeline, as the store reads it for
/// [`conversation_facts`]: its kind, the `kind` and `outcome` fields of its data when it has them,
/// and when it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatestEvent {
    /// The event's kind.
    pub kind: String,
    /// Its data's `kind` field (a completed task's kind).
    pub data_kind: Option<String>,
    /// Its data's `outcome` field (a call's outcome).
    pub outcome: Option<String>,
    /// The latest instant of an event of this shape.
    pub at: Timestamp,
}

/// The kinds of event [`conversation_facts`] reads: the customer speaking, and a person answering.
pub const CONVERSATION_KINDS: [&str; 6] = [
    TimelineEvent::INBOUND_MESSAGE,
    TimelineEvent::INBOUND_CALL,
    TimelineEvent::TASK_COMPLETED,
    TimelineEvent::CALL_LOGGED,
    TimelineEvent::CALL_PROGRESS,
    TimelineEvent::STAFF_MESSAGE_SENT,
];

/// Whose turn it is in a lead's conversation, from whether an escalation is unacknowledged and the
/// latest event of each shape among [`CONVERSATION_KINDS`]. The customer speaks in a text, an
/// e-mail or a call; a person answers by completing a reply or call task, by a connected call
/// (logged or reported by the provider) or by a message of their own.
pub fn conversation_facts(open_escalation: bool, latest: &[LatestEvent]) -> ConversationFacts {
    let mut facts = ConversationFacts {
        open_escalation,
        ..ConversationFacts::default()
    };
    for event in latest {
        let kind = event.kind.as_str();
        let customer = matches!(
            kind,
            TimelineEvent::INBOUND_MESSAGE | TimelineEvent::INBOUND_CALL
        );
        let person = match kind {
            TimelineEvent::TASK_COMPLETED => {
                matches!(event.data_kind.as_deref(), Some("reply" | "call"))
            }
            TimelineEvent::CALL_LOGGED | TimelineEvent::CALL_PROGRESS => {
                event.outcome.as_deref() == Some("connected")
            }
            TimelineEvent::STAFF_MESSAGE_SENT => true,
            _ => false,
        };
        let slot = if customer {
            &mut facts.last_customer_at
        } else if person {
            &mut facts.last_person_at
        } else {
            continue;
        };
        *slot = Some(slot.map_or(event.at, |seen| seen.max(event.at)));
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().expect("instant")
    }

    #[test]
    fn a_stage_only_moves_up_and_never_out_of_lost() {
        let now = at("2026-12-01T15:00:00Z");
        // (current, target, moves)
        let cases = [
            (Stage::New, Stage::Contacted, true),
            (Stage::Contacted, Stage::Contacted, false),
            (Stage::AppointmentSet, Stage::Contacted, false),
            (Stage::Sold, Stage::Contacted, false),
            (Stage::Lost, Stage::Sold, false),
            (Stage::New, Stage::Lost, true),
        ];
        for (current, target, moves) in cases {
            let event = raise_stage(current, target, "sam", "call", now);
            assert_eq!(event.is_some(), moves, "{current} -> {target}");
            if let Some(event) = event {
                let TimelineEvent::StageChanged(changed) = event.event else {
                    panic!("not a stage change: {event:?}");
                };
                assert_eq!((changed.from, changed.to), (current, target));
                assert_eq!(changed.via.as_deref(), Some("call"));
            }
        }
    }

    #[test]
    fn a_stop_is_recorded_when_it_changed_something_or_opts_out() {
        let now = at("2026-12-01T15:00:00Z");
        // (opt_out, stopped, cancelled, recorded)
        let cases = [
            (false, 0, 0, false),
            (false, 1, 0, true),
            (false, 0, 2, true),
            (true, 0, 0, true),
        ];
        for (opt_out, stopped_rows, cancelled, recorded) in cases {
            let event = stopped("stop", "sam", opt_out, stopped_rows, cancelled, now);
            assert_eq!(
                event.is_some(),
                recorded,
                "{opt_out} {stopped_rows} {cancelled}"
            );
        }
    }

    #[test]
    fn only_channels_not_yet_revoked_are_recorded() {
        let words = |w: &[&str]| w.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        // (in force, asked, fresh)
        let cases: [(&[&str], &[&str], &[&str]); 5] = [
            (&[], &["all"], &["all"]),
            (&["all"], &["sms"], &[]),
            (&["sms"], &["sms", "call"], &["call"]),
            (&["sms", "call"], &["call", "sms"], &[]),
            (&[], &["email", "email"], &["email"]),
        ];
        for (in_force, asked, fresh) in cases {
            assert_eq!(
                fresh_revocations(&words(in_force), &words(asked)),
                words(fresh),
                "{in_force:?} + {asked:?}"
            );
        }
    }

    #[test]
    fn a_phone_belongs_to_the_newest_lead_still_in_play() {
        let (a, b, c) = (LeadId(1), LeadId(2), LeadId(3));
        // (leads with the number, the one it belongs to)
        type Case<'a> = (&'a [(LeadId, Stage)], Option<LeadId>);
        let cases: [Case<'_>; 5] = [
            (&[], None),
            (&[(a, Stage::New)], Some(a)),
            (&[(a, Stage::New), (b, Stage::Contacted)], Some(b)),
            (&[(a, Stage::Contacted), (b, Stage::Lost)], Some(a)),
            (&[(c, Stage::Sold), (b, Stage::Lost)], Some(c)),
        ];
        for (leads, expected) in cases {
            assert_eq!(lead_for_phone(leads), expected, "{leads:?}");
        }
    }

    #[test]
    fn a_person_answers_by_a_reply_or_call_task_a_connected_call_or_a_message() {
        let early = at("2026-12-01T15:00:00Z");
        let late = at("2026-12-01T16:00:00Z");
        let latest = |kind: &str, data_kind: Option<&str>, outcome: Option<&str>, at| LatestEvent {
            kind: kind.to_owned(),
            data_kind: data_kind.map(str::to_owned),
            outcome: outcome.map(str::to_owned),
            at,
        };
        let customer = latest(TimelineEvent::INBOUND_MESSAGE, None, None, early);
        // (the person's event, counts as an answer)
        let cases = [
            (
                latest(TimelineEvent::TASK_COMPLETED, Some("reply"), None, late),
                true,
            ),
            (
                latest(
                    TimelineEvent::TASK_COMPLETED,
                    Some("call"),
                    Some("no_answer"),
                    late,
                ),
                true,
            ),
            (
                latest(
                    TimelineEvent::TASK_COMPLETED,
                    Some("fix_contact"),
                    None,
                    late,
                ),
                false,
            ),
            (
                latest(TimelineEvent::CALL_LOGGED, None, Some("connected"), late),
                true,
            ),
            (
                latest(TimelineEvent::CALL_PROGRESS, None, Some("no_answer"), late),
                false,
            ),
            (
                latest(TimelineEvent::STAFF_MESSAGE_SENT, None, None, late),
                true,
            ),
        ];
        for (answer, counts) in cases {
            let facts = conversation_facts(false, &[customer.clone(), answer.clone()]);
            assert_eq!(facts.last_customer_at, Some(early));
            assert_eq!(facts.last_person_at.is_some(), counts, "{answer:?}");
            assert_eq!(facts.waiting_since().is_none(), counts, "{answer:?}");
        }
    }

    #[test]
    fn an_outcome_the_lead_moved_past_is_refused_or_skipped_as_its_change_says() {
        let now = at("2026-12-01T15:00:00Z");
        assert_eq!(outcome_fate(None, IfMoved::Refuse, now), OutcomeFate::Keep);
        assert_eq!(
            outcome_fate(Some("moved".into()), IfMoved::Refuse, now),
            OutcomeFate::Refuse("moved".into())
        );
        let OutcomeFate::Skip(event) = outcome_fate(Some("moved".into()), IfMoved::Skip, now)
        else {
            panic!("not skipped");
        };
        assert_eq!(event.event.kind(), TimelineEvent::OUTCOME_SKIPPED);
    }
}
