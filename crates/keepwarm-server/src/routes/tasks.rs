//! `/api/v1/tasks`: what people have to do (call tasks, leads to fix, replies to answer), and how
//! they went.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use keepwarm_store::TaskRow;
use serde::Deserialize;

use super::paging;
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
    /// The staff member who did it.
    by: String,
}

/// Completes a task with its outcome (`POST /api/v1/tasks/{id}/complete`).
async fn complete_task(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<TaskRow>> {
    let id = id
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::BadRequest(format!("`{id}` is not a task id")))?;
    let c: Completion = super::parse_json(&headers, &body?)?;
    if state.engine.config().staff_member(&c.by).is_none() {
        return Err(ApiError::field(
            "by",
            format!("unknown staff member `{}`", c.by),
        ));
    }
    let task = state
        .engine
        .complete_task(id, &c.outcome, c.note.as_deref(), &c.by)
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

async fn list_tasks(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    query: Result<Query<TaskQuery>, QueryRejection>,
) -> ApiResult<axum::response::Response> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
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
        |t: &TaskRow| {
            vec![
                i64::from(t.status == "done"),
                t.due_at.as_millisecond(),
                t.id,
            ]
        },
    ))
}
