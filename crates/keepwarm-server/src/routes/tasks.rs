//! `/api/v1/tasks`: what people have to do (call tasks, leads to fix, replies to answer), and how
//! they went.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use keepwarm_store::TaskView;
use serde::Deserialize;

use super::paging;
use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The task routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tasks", get(list_tasks))
        .route("/api/v1/tasks/{id}/complete", post(complete_task))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Completion {
    /// Call tasks: connected, voicemail_left, no_answer, wrong_number; other tasks: done.
    outcome: String,
    note: Option<String>,
    /// The staff member who did it (a staff token's holder when left out).
    by: Option<String>,
}

/// Completes a task with its outcome (`POST /api/v1/tasks/{id}/complete`).
async fn complete_task(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<TaskView>> {
    let id = id
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::BadRequest(format!("`{id}` is not a task id")))?;
    let task = state
        .engine
        .store()
        .show_task(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("task {id}")))?;
    if caller.staff().is_none_or(|me| me.id != task.owner_id) {
        caller
            .lead(&state, task.lead_id)
            .await
            .map_err(|_| ApiError::NotFound(format!("task {id}")))?;
    }
    let c: Completion = super::parse_json(&headers, &body?)?;
    let by = caller.person(&state, c.by.as_deref())?;
    let task = state
        .engine
        .complete_task(id, &c.outcome, c.note.as_deref(), &by)
        .await?;
    Ok(Json(task))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskQuery {
    owner: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// Tasks, open first; a staff member who does not see everything lists their own.
async fn list_tasks(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    caller: Caller,
    query: Result<Query<TaskQuery>, QueryRejection>,
) -> ApiResult<axum::response::Response> {
    let Query(mut q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    if let Some(me) = caller.staff().filter(|_| !caller.sees_everything()) {
        match q.owner.as_deref() {
            None => q.owner = Some(me.id.clone()),
            Some(owner) if owner == me.id => {}
            Some(owner) => {
                return Err(ApiError::NotAllowed(format!(
                    "this token lists `{}`'s tasks, not `{owner}`'s",
                    me.id
                )))
            }
        }
    }
    if let Some(owner) = &q.owner {
        if state.engine.config().staff_member(owner).is_none() {
            return Err(ApiError::field(
                "owner",
                format!("unknown staff member `{owner}`"),
            ));
        }
    }
    let page = paging::requested("tasks", q.limit, q.cursor.as_deref(), 1000)?;
    paging::key_of::<3>("tasks", &page)?;
    let rows = state
        .engine
        .store()
        .tasks_page(q.owner.as_deref(), &page)
        .await?;
    Ok(paging::respond(
        "tasks",
        &uri,
        &page,
        rows,
        TaskView::list_key,
    ))
}
