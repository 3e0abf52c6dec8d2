//! `/api/v1/tasks`: what people have to do (call tasks, leads to fix, replies to answer), and how
//! they went.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use keepwarm_store::TaskView;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::paging;
use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The task routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tasks))
        .routes(routes!(complete_task))
}

/// How a task went.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = TaskCompletion)]
struct Completion {
    /// Call tasks: connected, voicemail_left, no_answer, wrong_number; other tasks: done.
    #[schema(pattern = "^(connected|voicemail_left|no_answer|wrong_number|done)$")]
    outcome: String,
    /// The person's note.
    note: Option<String>,
    /// The staff member who did it (a staff token's holder when left out).
    by: Option<String>,
}

/// Complete a task with its outcome.
///
/// Call tasks: connected (a new lead becomes contacted), voicemail_left, no_answer, wrong_number
/// (the phone is marked unusable); other tasks: done. A task is completed once (409 after).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/complete", tag = "tasks", params(crate::openapi::IdPath),
    request_body = Completion, responses(
        (status = 200, description = "The task.", body = TaskView),
        (status = 409, description = "The task was completed already.", body = crate::openapi::ErrorBody)))]
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
    caller.task(&state, id).await?;
    let c: Completion = super::parse_json(&headers, &body?)?;
    let by = caller.person(&state, c.by.as_deref())?;
    let task = state
        .engine
        .complete_task(id, &c.outcome, c.note.as_deref(), &by)
        .await?;
    Ok(Json(task))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct TaskQuery {
    /// Only this staff member's tasks.
    owner: Option<String>,
    /// Rows per page (default 1000).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
    /// The `x-next-cursor` of the previous page.
    cursor: Option<String>,
}

/// Tasks for people (call tasks with the script and the lead's context, contact data to fix,
/// replies to answer), open first. Paged.
///
/// A staff member who does not see everything lists their own.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks", params(TaskQuery),
    responses((status = 200, description = "A page of tasks.", body = Vec<TaskView>, headers(
        ("Link" = String, description = "`<URL>; rel=\"next\"` when another page follows."),
        ("x-next-cursor" = String, description = "The next page's cursor, when another page follows.")))))]
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
    // Another's task shows when the caller sees their work and its lead (a manager of one
    // dealership: that dealership's); one's own always.
    let leads = caller
        .visible_leads(&state, rows.iter().map(|t| t.lead_id).collect())
        .await?;
    let mine = |owner: &str| caller.staff().is_some_and(|me| me.id == owner);
    Ok(paging::respond_visible(
        "tasks",
        &uri,
        &page,
        rows,
        TaskView::list_key,
        |t| {
            mine(&t.owner_id)
                || (caller.sees_work_of(&state, &t.owner_id) && leads.contains(&t.lead_id))
        },
    ))
}
