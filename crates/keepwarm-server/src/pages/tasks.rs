//! `/tasks`: the viewer's open tasks (or their team's, `?who=team`), soonest due first, each with
//! its lead, a call button for call tasks and one-tap outcomes that complete it through the same
//! engine entry point as `POST /api/v1/tasks/{id}/complete`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use keepwarm_store::{LeadRow, Page, TaskRow};
use maud::{html, Markup};
use serde::Deserialize;

use super::error::PageError;
use super::format::Words;
use super::layout::{self, csrf_field};
use super::lead_link;
use super::session::Viewer;
use crate::error::ApiError;
use crate::AppState;

/// Most open tasks read per person.
const PER_PERSON: u32 = 200;

/// The call outcomes, as the engine words them, with their button text.
const CALL_OUTCOMES: &[(&str, &str)] = &[
    ("connected", "Talked"),
    ("voicemail_left", "Left voicemail"),
    ("no_answer", "No answer"),
    ("wrong_number", "Wrong number"),
];

/// The task routes.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/tasks", get(show))
        .route("/tasks/{id}/complete", post(complete))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TasksQuery {
    /// `mine` (default) or `team`.
    #[serde(default)]
    who: String,
    /// A notice after completing one.
    #[serde(default)]
    done: Option<String>,
}

/// Open tasks of the people `who` names, with their leads when the viewer may see them.
async fn load(
    state: &AppState,
    viewer: &Viewer,
    team: bool,
) -> Result<Vec<(TaskRow, Option<LeadRow>)>, PageError> {
    let config = state.engine.config();
    let people: Vec<String> = if !team {
        vec![viewer.staff.id.clone()]
    } else if viewer.caller().sees_everything() {
        config.staff.iter().map(|s| s.id.clone()).collect()
    } else {
        config
            .staff
            .iter()
            .filter(|s| s.team == viewer.staff.team)
            .map(|s| s.id.clone())
            .collect()
    };
    let caller = viewer.caller();
    let mut out = Vec::new();
    for person in &people {
        let page = Page {
            after: None,
            limit: PER_PERSON,
        };
        for task in state.engine.store().tasks_page(Some(person), &page).await? {
            if task.status != "open" {
                break;
            }
            let lead = state
                .engine
                .store()
                .lead(task.lead_id)
                .await?
                .filter(|l| caller.sees(state, l.scope()));
            out.push((task, lead));
        }
    }
    out.sort_by_key(|(t, _)| (t.due_at, t.id));
    Ok(out)
}

fn outcomes(viewer: &Viewer, task: &TaskRow) -> Markup {
    let choices: &[(&str, &str)] = if task.kind == "call" {
        CALL_OUTCOMES
    } else {
        &[("done", "Done")]
    };
    html! {
        form.actions method="post" action={ "/tasks/" (task.id) "/complete" } {
            (csrf_field(viewer))
            @for (value, text) in choices {
                button.secondary type="submit" name="outcome" value=(value) { (text) }
            }
        }
    }
}

fn list(words: &Words, viewer: &Viewer, rows: &[(TaskRow, Option<LeadRow>)]) -> Markup {
    html! {
        @if rows.is_empty() { p.empty { "No open tasks." } }
        ul.items {
            @for (task, lead) in rows {
                li {
                    strong { (words.label(&task.kind)) } " · "
                    @match lead { Some(l) => { (lead_link(l)) } None => { span.muted { "lead " (task.lead_id) } } }
                    br;
                    @if task.due_at < words.now() { span.late { "due " (words.relative(task.due_at)) } }
                    @else { span { "due " (words.short_time(task.due_at)) } }
                    span.muted { " · " (words.staff(&task.owner_id)) " · " (task.body) }
                    @if let (true, Some(phone)) = (task.kind == "call", lead.as_ref().and_then(|l| l.phone())) {
                        p { a.button href={ "tel:" (phone.as_str()) } { "Call " (words.phone(phone.as_str())) } }
                    }
                    @if task.owner_id == viewer.staff.id || lead.is_some() { (outcomes(viewer, task)) }
                }
            }
        }
    }
}

async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    query: Result<Query<TasksQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let team = match q.who.as_str() {
        "" | "mine" => false,
        "team" => true,
        other => {
            return Err(ApiError::field("who", format!("`{other}` is not mine or team")).into())
        }
    };
    let words = Words::new(state.engine.config(), state.engine.now());
    let rows = load(&state, &viewer, team).await?;
    let body = html! {
        h1 { "Tasks" }
        @if q.done.is_some() { p.notice role="status" { "Task done." } }
        nav aria-label="Whose tasks" {
            p {
                @if team { a href="/tasks" { "Mine" } " · " strong { "My team's" } }
                @else { strong { "Mine" } " · " a href="/tasks?who=team" { "My team's" } }
            }
        }
        (list(&words, &viewer, &rows))
    };
    Ok(layout::page(&viewer, &words, "Tasks", "/tasks", body))
}

#[derive(Debug, Deserialize)]
pub(super) struct CompleteForm {
    csrf: Option<String>,
    outcome: String,
}

/// `POST /tasks/{id}/complete`: the viewer's own task, or one on a lead they may see.
async fn complete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<CompleteForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(f.csrf.as_deref())?;
    let id: i64 = id
        .parse()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::BadRequest(format!("`{id}` is not a task id")))?;
    viewer.caller().task(&state, id).await?;
    state
        .engine
        .complete_task(id, &f.outcome, None, &viewer.staff.id)
        .await?;
    Ok(Redirect::to("/tasks?done=1").into_response())
}
