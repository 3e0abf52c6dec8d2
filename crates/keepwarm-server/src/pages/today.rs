//! `/`: Today, the landing page. What waits on the viewer now, oldest first: customers waiting on
//! an answer (the waiting queue, with ticking timers that turn red past their SLA; [`waiting`]),
//! escalations whose deadline passed unacknowledged, overdue call tasks, new leads nothing was sent
//! to yet, and today's appointments; for managers also speed to first touch today, each owner's
//! load, how the channels are doing and whether the kill switch holds automated messages.
//!
//! The page is one region (`#today`) redrawn from `/fragments/today` when the live stream says
//! something changed, so a hot reply appears without reloading.

use std::collections::HashMap;

use axum::extract::State;
use axum::response::Response;
use jiff::{SignedDuration, Timestamp};
use keepwarm_domain::LeadId;
use keepwarm_store::{AppointmentFilter, EscalationRow, LeadRow, OwnerLoad, TaskRow};
use maud::{html, Markup};

use super::error::PageError;
use super::format::{span_words, Words};
use super::session::Viewer;
use super::waiting::{self, waiting_on_us, WaitingRow};
use super::{layout, lead_link, start_of_day};
use crate::caller::Caller;
use crate::AppState;

/// Most rows shown in each list.
const LIST: u32 = 50;
/// How far back "new leads with no first touch" looks.
const NEW_LEADS: SignedDuration = SignedDuration::from_hours(7 * 24);

/// Everything the page shows.
struct Today {
    waiting: Vec<WaitingRow>,
    breached: Vec<(EscalationRow, LeadRow)>,
    overdue: Vec<(TaskRow, LeadRow)>,
    untouched: Vec<LeadRow>,
    appointments: Vec<(keepwarm_store::AppointmentRow, LeadRow)>,
    office: Option<Office>,
}

/// What only managers see.
struct Office {
    /// Minutes from storing each of today's touched leads to its first touch, sorted.
    speeds: Vec<SignedDuration>,
    /// Today's leads nothing was sent to yet.
    waiting_first_touch: usize,
    loads: Vec<OwnerLoad>,
    channels: Vec<keepwarm_channels::TransportHealth>,
    sandbox_only: bool,
    kill_switch: keepwarm_engine::kill_switch::KillSwitchStatus,
}

/// The leads with these ids, by id, in one read.
async fn leads_by_id(
    state: &AppState,
    mut ids: Vec<LeadId>,
) -> Result<HashMap<i64, LeadRow>, PageError> {
    ids.sort_unstable_by_key(|l| l.0);
    ids.dedup();
    let leads = state.engine.store().leads_by_ids(&ids).await?;
    Ok(leads.into_iter().map(|l| (l.id.0, l)).collect())
}

async fn load(state: &AppState, caller: &Caller, words: &Words<'_>) -> Result<Today, PageError> {
    let store = state.engine.store();
    let now = words.now();
    let mine = caller
        .staff()
        .filter(|_| !caller.sees_everything())
        .map(|s| s.id.clone());
    let mut waiting = waiting_on_us(state, caller).await?;
    waiting.truncate(LIST as usize);
    let overdue = store.overdue_tasks(now, mine.as_deref(), LIST).await?;
    let untouched = store
        .untouched_leads(now - NEW_LEADS, mine.as_deref(), LIST)
        .await?;
    let day = start_of_day(now, words.zone());
    let appointments = store
        .appointments(&AppointmentFilter {
            from: Some(day),
            to: Some(day + SignedDuration::from_hours(24)),
            limit: Some(200),
            ..Default::default()
        })
        .await?;
    let mut breached = store.escalations(Some("breached")).await?;
    // Longest overdue first.
    breached.sort_by_key(|e| (e.sla_due_at, e.id));
    if caller.staff().is_none_or(|s| s.dealership.is_none()) && caller.sees_everything() {
        // Sees every lead: the first rows are the ones shown, no need to look the rest up.
        breached.truncate(LIST as usize);
    }
    let ids: Vec<LeadId> = overdue
        .iter()
        .map(|t| t.lead_id)
        .chain(appointments.iter().map(|a| a.lead_id))
        .chain(breached.iter().map(|e| e.lead_id))
        .collect();
    let mut leads = leads_by_id(state, ids).await?;
    leads.retain(|_, lead| caller.sees(state, lead.scope()));
    let office = if caller.sees_everything() {
        // The whole day: a lead stored this very instant counts (a manual clock stands still).
        Some(office(state, caller, day, day + SignedDuration::from_hours(24)).await?)
    } else {
        None
    };
    Ok(Today {
        waiting,
        breached: breached
            .into_iter()
            .filter_map(|e| {
                let lead = leads.get(&e.lead_id.0).cloned()?;
                Some((e, lead))
            })
            .take(LIST as usize)
            .collect(),
        overdue: overdue
            .into_iter()
            .filter_map(|t| {
                let lead = leads.get(&t.lead_id.0).cloned()?;
                Some((t, lead))
            })
            .collect(),
        untouched: untouched
            .into_iter()
            .filter(|lead| caller.sees(state, lead.scope()))
            .collect(),
        appointments: appointments
            .into_iter()
            .filter_map(|a| {
                let lead = leads.get(&a.lead_id.0).cloned()?;
                Some((a, lead))
            })
            .collect(),
        office,
    })
}

async fn office(
    state: &AppState,
    caller: &Caller,
    from: Timestamp,
    to: Timestamp,
) -> Result<Office, PageError> {
    let store = state.engine.store();
    let mut touches = store.first_touches(from, to).await?;
    if caller.staff().is_some_and(|s| s.dealership.is_some()) {
        // A manager of one dealership: today's leads of the others are not theirs to count.
        let ids = touches.iter().map(|t| t.lead_id).collect();
        let leads = leads_by_id(state, ids).await?;
        touches.retain(|t| {
            leads
                .get(&t.lead_id.0)
                .is_some_and(|l| caller.sees(state, l.scope()))
        });
    }
    let mut speeds: Vec<SignedDuration> = touches
        .iter()
        .filter_map(|t| Some(t.first_touch_at?.duration_since(t.created_at)))
        .collect();
    speeds.sort();
    let mut loads = store.owner_loads().await?;
    loads.retain(|l| caller.sees_work_of(state, &l.owner));
    Ok(Office {
        waiting_first_touch: touches.len() - speeds.len(),
        speeds,
        loads,
        channels: state.engine.channel_health(),
        sandbox_only: state.settings.sandbox_only,
        kill_switch: super::kill_switch::status(
            state,
            caller.staff().and_then(|s| s.dealership.as_deref()),
        )
        .await?,
    })
}

/// The `q`-th quantile (0..=1) of sorted spans, nearest rank.
fn quantile(sorted: &[SignedDuration], q: f64) -> Option<SignedDuration> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

fn breached(words: &Words, rows: &[(EscalationRow, LeadRow)]) -> Markup {
    html! {
        section.card aria-labelledby="breached-h" {
            h2 id="breached-h" { "Breached escalations (" (rows.len()) ")" }
            @if rows.is_empty() { p.empty { "No escalation is past its deadline." } }
            ul.items {
                @for (e, lead) in rows {
                    li {
                        (lead_link(lead))
                        @for intent in &e.intents { " " span.badge { (words.label(intent)) } }
                        br;
                        span.late { "answer was due " (words.relative(e.sla_due_at)) }
                        span.muted {
                            " · now with " (words.staff(&e.owner))
                            @if e.level > 0 { " (up the chain)" }
                            " · owner " (words.staff(&lead.owner_id))
                        }
                    }
                }
            }
        }
    }
}

fn overdue(words: &Words, rows: &[(TaskRow, LeadRow)]) -> Markup {
    html! {
        section.card aria-labelledby="overdue-h" {
            h2 id="overdue-h" { "Overdue tasks (" (rows.len()) ")" }
            @if rows.is_empty() { p.empty { "No overdue tasks." } }
            ul.items {
                @for (t, lead) in rows {
                    li {
                        (lead_link(lead)) " — " (words.label(&t.kind))
                        br;
                        span.late { "due " (words.relative(t.due_at)) }
                        span.muted { " · " (words.staff(&t.owner_id)) " · " (t.body) }
                    }
                }
            }
        }
    }
}

fn untouched(words: &Words, rows: &[LeadRow]) -> Markup {
    html! {
        section.card aria-labelledby="new-h" {
            h2 id="new-h" { "New leads with no first touch (" (rows.len()) ")" }
            @if rows.is_empty() { p.empty { "Every new lead has been contacted." } }
            ul.items {
                @for lead in rows {
                    li {
                        (lead_link(lead))
                        span.muted { " · " (words.label(&lead.segment)) " · " (words.staff(&lead.owner_id)) " · arrived " }
                        span.timer data-since=(lead.created_at.as_millisecond()) {
                            (span_words(words.now().duration_since(lead.created_at)))
                        }
                        span.muted { " ago" }
                    }
                }
            }
        }
    }
}

fn appointments(words: &Words, rows: &[(keepwarm_store::AppointmentRow, LeadRow)]) -> Markup {
    html! {
        section.card aria-labelledby="appt-h" {
            h2 id="appt-h" { "Today's appointments (" (rows.len()) ")" }
            @if rows.is_empty() { p.empty { "No appointments today." } }
            ul.items {
                @for (a, lead) in rows {
                    li {
                        strong { (words.short_time(a.starts_at)) } " " (lead_link(lead))
                        span.muted { " · " (words.label(a.kind.as_str())) " · " (words.label(a.status.as_str())) " · " (words.staff(&lead.owner_id)) }
                    }
                }
            }
        }
    }
}

fn office_view(words: &Words, o: &Office) -> Markup {
    let median = quantile(&o.speeds, 0.5);
    let p90 = quantile(&o.speeds, 0.9);
    html! {
        section.card aria-labelledby="speed-h" {
            h2 id="speed-h" { "Speed to first touch today" }
            p.muted { "From keepwarm receiving the lead to the first text, e-mail or call to the customer." }
            dl.facts {
                dt { "Median" } dd { (median.map(span_words).unwrap_or_else(|| "—".into())) }
                dt { "90th percentile" } dd { (p90.map(span_words).unwrap_or_else(|| "—".into())) }
                dt { "Leads touched" } dd { (o.speeds.len()) }
                dt { "Still waiting" } dd { (o.waiting_first_touch) }
            }
        }
        section.card aria-labelledby="load-h" {
            h2 id="load-h" { "Load per owner" }
            div.table-wrap tabindex="0" role="region" aria-label="Load per owner" { table {
                thead { tr { th scope="col" { "Owner" } th scope="col" { "Active leads" } th scope="col" { "Open tasks" } } }
                tbody {
                    @for l in &o.loads {
                        tr { td { (words.staff(&l.owner)) } td { (l.active_leads) } td { (l.open_tasks) } }
                    }
                }
            } }
        }
        section.card aria-labelledby="channels-h" {
            h2 id="channels-h" { "Channels" }
            p {
                "Sending: "
                @if o.sandbox_only { strong { "sandbox only (nothing reaches customers)" } }
                @else { strong { "live" } }
            }
            (super::kill_switch::summary(words, &o.kill_switch))
            ul.items {
                @for c in &o.channels {
                    li {
                        (words.label(&c.transport)) ": "
                        @if c.status == "ok" { "working" } @else { span.late { "down" } }
                        @if let Some(since) = c.down_since { span.muted { " since " (words.time(since)) } }
                        span.muted { " · " (c.sent) " sent, " (c.failed) " failed since start" }
                    }
                }
            }
        }
    }
}

fn region(words: &Words, today: &Today) -> Markup {
    html! {
        div id="today" data-live="/fragments/today" aria-live="polite" {
            div.cards {
                (waiting::card(words, &today.waiting))
                (breached(words, &today.breached))
                (overdue(words, &today.overdue))
                (untouched(words, &today.untouched))
                (appointments(words, &today.appointments))
                @if let Some(o) = &today.office { (office_view(words, o)) }
            }
        }
    }
}

/// `GET /`.
pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    let words = Words::new(state.engine.config(), state.engine.now());
    let today = load(&state, &viewer.caller(), &words).await?;
    let body = html! {
        h1 { "Today" }
        p.muted { (words.time(words.now())) " · " (words.zone().iana_name().unwrap_or("UTC")) }
        (region(&words, &today))
    };
    Ok(layout::page(&viewer, &words, "Today", "/", body))
}

/// `GET /fragments/today`: the page's live region alone.
pub(super) async fn fragment(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    let words = Words::new(state.engine.config(), state.engine.now());
    let today = load(&state, &viewer.caller(), &words).await?;
    Ok(layout::fragment(region(&words, &today)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_take_the_nearest_rank() {
        let spans: Vec<SignedDuration> = (1..=10).map(SignedDuration::from_mins).collect();
        assert_eq!(quantile(&spans, 0.5), Some(SignedDuration::from_mins(5)));
        assert_eq!(quantile(&spans, 0.9), Some(SignedDuration::from_mins(9)));
        assert_eq!(
            quantile(&spans[..1], 0.9),
            Some(SignedDuration::from_mins(1))
        );
        assert_eq!(quantile(&[], 0.5), None);
    }
}
