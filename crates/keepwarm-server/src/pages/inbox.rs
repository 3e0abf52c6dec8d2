//! `/inbox`: every conversation waiting on us, oldest first, filterable by owner, segment and
//! label; the same waiting list as Today's, whole, and redrawn live.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use keepwarm_store::{EscalationRow, LeadRow};
use maud::{html, Markup};
use serde::Deserialize;

use super::error::PageError;
use super::format::Words;
use super::layout;
use super::session::Viewer;
use super::today::{waiting, waiting_on_us};
use crate::error::ApiError;
use crate::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct InboxQuery {
    #[serde(default)]
    owner: String,
    #[serde(default)]
    segment: String,
    #[serde(default)]
    label: String,
}

impl InboxQuery {
    fn keeps(&self, e: &EscalationRow, lead: Option<&LeadRow>) -> bool {
        // The lead's owner: an escalation may sit with a manager for a while.
        (self.owner.is_empty() || lead.map_or(e.owner == self.owner, |l| l.owner_id == self.owner))
            && (self.label.is_empty() || e.intents.contains(&self.label))
            && (self.segment.is_empty() || lead.is_some_and(|l| l.segment == self.segment))
    }

    fn query_string(&self) -> String {
        [
            ("owner", &self.owner),
            ("segment", &self.segment),
            ("label", &self.label),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", super::encode(v)))
        .collect::<Vec<_>>()
        .join("&")
    }
}

fn filters(state: &AppState, words: &Words, q: &InboxQuery, labels: &[String]) -> Markup {
    let config = state.engine.config();
    html! {
        form.filters method="get" action="/inbox" {
            div {
                label for="owner" { "Owner" }
                select id="owner" name="owner" {
                    option value="" { "Any" }
                    @for s in &config.staff { option value=(s.id) selected[s.id == q.owner] { (s.name) } }
                }
            }
            div {
                label for="segment" { "Segment" }
                select id="segment" name="segment" {
                    option value="" { "Any" }
                    @for s in &config.segments { option value=(s.name) selected[s.name == q.segment] { (words.label(&s.name)) } }
                }
            }
            div {
                label for="label" { "Label" }
                select id="label" name="label" {
                    option value="" { "Any" }
                    @for l in labels { option value=(l) selected[*l == q.label] { (words.label(l)) } }
                }
            }
            div { button type="submit" { "Filter" } }
        }
    }
}

async fn rows(
    state: &AppState,
    viewer: &Viewer,
    q: &InboxQuery,
) -> Result<(Vec<(EscalationRow, Option<LeadRow>)>, Vec<String>), PageError> {
    let all = waiting_on_us(state, &viewer.caller()).await?;
    let mut labels: Vec<String> = all.iter().flat_map(|(e, _)| e.intents.clone()).collect();
    labels.sort();
    labels.dedup();
    let kept = all
        .into_iter()
        .filter(|(e, l)| q.keeps(e, l.as_ref()))
        .collect();
    Ok((kept, labels))
}

fn parse(query: Result<Query<InboxQuery>, QueryRejection>) -> Result<InboxQuery, PageError> {
    query
        .map(|Query(q)| q)
        .map_err(|e| ApiError::BadRequest(e.body_text()).into())
}

fn region(words: &Words, q: &InboxQuery, rows: &[(EscalationRow, Option<LeadRow>)]) -> Markup {
    html! {
        div id="inbox" data-live={ "/fragments/inbox?" (q.query_string()) } aria-live="polite" {
            (waiting(words, rows))
        }
    }
}

/// `GET /inbox`.
pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    query: Result<Query<InboxQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = parse(query)?;
    let words = Words::new(state.engine.config(), state.engine.now());
    let (rows, labels) = rows(&state, &viewer, &q).await?;
    let body = html! {
        h1 { "Inbox" }
        (filters(&state, &words, &q, &labels))
        (region(&words, &q, &rows))
    };
    Ok(layout::page(&viewer, &words, "Inbox", "/inbox", body))
}

/// `GET /fragments/inbox`: the list alone, for live updates.
pub(super) async fn fragment(
    State(state): State<AppState>,
    viewer: Viewer,
    query: Result<Query<InboxQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = parse(query)?;
    let words = Words::new(state.engine.config(), state.engine.now());
    let (rows, _) = rows(&state, &viewer, &q).await?;
    Ok(layout::fragment(region(&words, &q, &rows)))
}
