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
