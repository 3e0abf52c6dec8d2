//! `/inbox`: every conversation waiting on us, oldest first, filterable by owner, segment and
//! label; the same waiting list as Today's, whole, and redrawn live.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;

use super::error::PageError;
use super::format::Words;
use super::layout;
use super::session::Viewer;
use super::waiting::{card, waiting_on_us, WaitingRow};
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
    fn keeps(&self, row: &WaitingRow) -> bool {
        let w = &row.waiting;
        (self.owner.is_empty() || w.owner == self.owner)
            && (self.label.is_empty() || row.labels().contains(&self.label))
            && (self.segment.is_empty() || w.segment == self.segment)
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
) -> Result<(Vec<WaitingRow>, Vec<String>), PageError> {
    let all = waiting_on_us(state, &viewer.caller()).await?;
    let mut labels: Vec<String> = all.iter().flat_map(WaitingRow::labels).collect();
    labels.sort();
    labels.dedup();
    let kept = all.into_iter().filter(|row| q.keeps(row)).collect();
    Ok((kept, labels))
}

fn parse(query: Result<Query<InboxQuery>, QueryRejection>) -> Result<InboxQuery, PageError> {
    query
        .map(|Query(q)| q)
        .map_err(|e| ApiError::BadRequest(e.body_text()).into())
}

fn region(words: &Words, q: &InboxQuery, rows: &[WaitingRow]) -> Markup {
    html! {
        div id="inbox" data-live={ "/fragments/inbox?" (q.query_string()) } aria-live="polite" {
            (card(words, rows))
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
