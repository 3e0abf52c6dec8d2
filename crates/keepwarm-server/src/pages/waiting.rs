//! The "waiting on us" queue as Today and the Inbox show it: every customer whose message no
//! person has answered yet (the read model's [`waiting`](keepwarm_store::ReadModel::waiting), fed
//! by `customer_waiting` events), oldest wait first, with a ticking timer that turns red past the
//! answer's due time, and the labels and breach of the escalation open on the lead, if any.
//!
//! A customer is listed when the viewer may see their lead (the API's rules: a manager their
//! dealership, sales and BDC their own leads and their team's unowned queue).

use std::collections::HashMap;

use keepwarm_domain::access::LeadScope;
use keepwarm_domain::thread::Waiting;
use keepwarm_store::EscalationRow;
use maud::{html, Markup};

use super::error::PageError;
use super::format::{span_words, Words};
use crate::caller::Caller;
use crate::AppState;

/// One waiting customer.
pub(super) struct WaitingRow {
    /// The queue's entry.
    pub waiting: Waiting,
    /// The escalation open or breached on the lead, when its message was hot.
    pub escalation: Option<EscalationRow>,
}

impl WaitingRow {
    /// The labels shown and filtered on: the escalation's, else `hot` for a hot message.
    pub fn labels(&self) -> Vec<String> {
        match &self.escalation {
            Some(e) if !e.intents.is_empty() => e.intents.clone(),
            _ if self.waiting.hot => vec!["hot".to_owned()],
            _ => Vec::new(),
        }
    }

    fn breached(&self) -> bool {
        self.escalation
            .as_ref()
            .is_some_and(|e| e.status == "breached")
    }
}

/// Escalations nobody acknowledged yet, by lead (the newest when a lead has several).
async fn unacknowledged(state: &AppState) -> Result<HashMap<i64, EscalationRow>, PageError> {
    let store = state.engine.store();
    let mut escalations = store.escalations(Some("open")).await?;
    escalations.extend(store.escalations(Some("breached")).await?);
    escalations.sort_by_key(|e| (e.created_at, e.id));
    Ok(escalations.into_iter().map(|e| (e.lead_id.0, e)).collect())
}

/// Every customer waiting on us whose lead the caller sees, oldest wait first.
pub(super) async fn waiting_on_us(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<WaitingRow>, PageError> {
    let queue = state.engine.store().waiting(None, None).await?;
    let mut escalations = unacknowledged(state).await?;
    Ok(queue
        .into_iter()
        .filter(|w| {
            caller.sees(
                state,
                LeadScope {
                    owner: &w.owner,
                    segment: &w.segment,
                    dealership: &w.dealership,
                },
            )
        })
        .map(|w| WaitingRow {
            escalation: escalations.remove(&w.lead_id.0),
            waiting: w,
        })
        .collect())
}

/// The waiting list's card (Today's, and the inbox's).
pub(super) fn card(words: &Words, rows: &[WaitingRow]) -> Markup {
    html! {
        section.card aria-labelledby="waiting-h" {
            h2 id="waiting-h" { "Waiting on us (" (rows.len()) ")" }
            @if rows.is_empty() {
                p.empty { "Nobody is waiting on an answer." }
            }
            ul.items {
                @for row in rows {
                    (item(words, row))
                }
            }
        }
    }
}

fn item(words: &Words, row: &WaitingRow) -> Markup {
    let w = &row.waiting;
    let name = match w.customer.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() => n.to_owned(),
        _ => format!("Lead {}", w.lead_id),
    };
    let late = words.now() > w.due_at;
    html! {
        li {
            a href={ "/leads/" (w.lead_id) } { (name) }
            " "
            @for label in row.labels() {
                span.badge.hot[w.hot] { (words.label(&label)) } " "
            }
            @if !w.last_message.is_empty() {
                br;
                q.said { (w.last_message) }
            }
            br;
            span.muted { "waiting " }
            span.timer data-since=(w.since.as_millisecond()) data-due=(w.due_at.as_millisecond())
                .late[late] {
                (span_words(w.waited(words.now())))
            }
            span.muted { " · answer by " (words.short_time(w.due_at)) " · " (words.staff(&w.owner)) }
            @if let Some(e) = row.escalation.as_ref().filter(|e| e.owner != w.owner) {
                span.muted { " · with " (words.staff(&e.owner)) }
            }
            @if row.breached() { " " span.late { "SLA breached" } }
        }
    }
}
