//! `/api/v1/tasks`: what people have to do (call tasks, leads to fix, replies to answer).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use keepwarm_store::TaskRow;
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The task routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/tasks", get(list_tasks))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskQuery {
    owner: Option<String>,
}

async fn list_tasks(
    State(state): State<AppState>,
    query: Result<Query<TaskQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<TaskRow>>> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    if let Some(owner) = &q.owner {
        if state.engine.config().staff_member(owner).is_none() {
            return Err(ApiError::field(
                "owner",
                format!("unknown staff member `{owner}`"),
            ));
        }
    }
    Ok(Json(state.engine.store().tasks(q.owner.as_deref()).await?))
}
