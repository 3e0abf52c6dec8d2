//! What a touch's result writes into its row, the same on every backend: its new state, when it
//! finished, what was sent and where, and (for a retry or a reroute) when and on which channel it
//! goes again.

use crate::records::{TouchOutcome, TouchResult};
use crate::sqlite::ms;

/// The touch columns a result sets (`None` leaves `due_at`, `provider_id` and `channel` as they are).
pub(crate) struct ResultColumns<'a> {
    pub state: &'static str,
    pub finished_at: Option<i64>,
    pub variant: Option<i64>,
    pub recipient: Option<&'a str>,
    pub body: Option<&'a str>,
    pub detail: Option<&'a str>,
    pub due_at: Option<i64>,
    pub provider_id: Option<&'a str>,
    pub channel: Option<&'static str>,
}

/// The columns `o`'s result sets.
pub(crate) fn result_columns(o: &TouchOutcome) -> ResultColumns<'_> {
    let finished = Some(ms(o.at));
    let mut c = ResultColumns {
        state: "scheduled",
        finished_at: None,
        variant: None,
        recipient: None,
        body: None,
        detail: None,
        due_at: None,
        provider_id: None,
        channel: None,
    };
    match &o.result {
        TouchResult::Sent {
            variant,
            recipient,
            body,
            provider_id,
        } => {
            c.state = "sent";
            c.finished_at = finished;
            c.variant = variant.map(|v| v as i64);
            c.recipient = Some(recipient);
            c.body = Some(body);
            c.provider_id = provider_id.as_deref();
        }
        TouchResult::Skipped { reason } => {
            (c.state, c.finished_at, c.detail) = ("skipped", finished, Some(reason.as_str()));
        }
        TouchResult::Held => c.state = "held",
        TouchResult::Failed { reason } => {
            (c.state, c.finished_at, c.detail) = ("failed", finished, Some(reason.as_str()));
        }
        TouchResult::Ended { reason, .. } => {
            (c.state, c.finished_at, c.detail) = ("cancelled", finished, Some(reason.as_str()));
        }
        TouchResult::Retry { reason, due } => {
            (c.detail, c.due_at) = (Some(reason.as_str()), Some(ms(*due)));
        }
        TouchResult::Reroute {
            reason,
            due,
            channel,
        } => {
            (c.detail, c.due_at) = (Some(reason.as_str()), Some(ms(*due)));
            c.channel = Some(channel.as_str());
        }
    }
    c
}

/// The (enrollment, step) pair of every outcome's next touch, for the backends to look up which
/// already have a touch (a step planned beside a deferred touch is not planned twice).
pub(crate) fn next_steps(outcomes: &[&TouchOutcome]) -> Vec<(i64, i64)> {
    outcomes
        .iter()
        .filter_map(|o| {
            o.next
                .as_ref()
                .map(|n| (o.enrollment_id, n.step_index as i64))
        })
        .collect()
}

/// Whether `o`'s next touch is new (its step is not among `planned`, the pairs that already have
/// a touch).
pub(crate) fn plans_new_step(
    o: &TouchOutcome,
    planned: &std::collections::HashSet<(i64, i64)>,
) -> bool {
    o.next
        .as_ref()
        .is_some_and(|n| !planned.contains(&(o.enrollment_id, n.step_index as i64)))
}
