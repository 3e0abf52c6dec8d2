//! `/api/v1/escalations`: hot replies on a clock — list, acknowledge, reassign.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use keepwarm_store::{EscalationStatus, EscalationView};
use serde::Deserialize;

use super::{paging, parse_json};
use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The escalation routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/escalations", get(list))
        .route("/api/v1/escalations/{id}/ack", post(acknowledge))
        .route("/api/v1/escalations/{id}/reassign", post(reassign))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    status: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// Escalations, newest first; a staff member who does not see everything gets those assigned to
/// them.
async fn list(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    caller: Caller,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> ApiResult<axum::response::Response> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let status = q
        .status
        .as_deref()
        .map(|s| {
            s.parse::<EscalationStatus>().map_err(|_| {
                ApiError::field(
                    "status",
                    format!(
                        "unknown status `{s}` (expected open, breached, acknowledged or closed)"
                    ),
                )
            })
        })
        .transpose()?;
    let page = paging::requested("escalations", q.limit, q.cursor.as_deref(), 1000)?;
    paging::key_of::<1>("escalations", &page)?;
    let rows = state.engine.store().escalations_page(status, &page).await?;
    let me = caller
        .staff()
        .filter(|_| !caller.sees_everything())
        .map(|s| s.id.clone());
    Ok(paging::respond_visible(
        "escalations",
        &uri,
        &page,
        rows,
        |e: &EscalationView| vec![e.id],
        |e| me.as_ref().is_none_or(|me| e.owner == *me),
    ))
}

/// The escalation `id` if the caller may see its lead; 404 otherwise.
async fn visible(state: &AppState, caller: &Caller, id: i64) -> ApiResult<EscalationView> {
    let e = state
        .engine
        .store()
        .show_escalation(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("escalation {id}")))?;
    let mine = caller.staff().is_some_and(|me| me.id == e.owner);
    if !mine {
        caller
            .lead(state, e.lead_id)
            .await
            .map_err(|_| ApiError::NotFound(format!("escalation {id}")))?;
    }
    Ok(e)
}

fn escalation_id(raw: &str) -> ApiResult<i64> {
    raw.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| {
        ApiError::BadRequest(format!(
            "`{raw}` is not an escalation id (a positive integer)"
        ))
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AckBody {
    by: Option<String>,
}

async fn acknowledge(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<EscalationView>> {
    let id = escalation_id(&id)?;
    visible(&state, &caller, id).await?;
    let body: AckBody = parse_json(&headers, &body?)?;
    let by = caller.person(&state, body.by.as_deref())?;
    Ok(Json(state.engine.acknowledge_escalation(id, &by).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReassignBody {
    owner: String,
}

/// Hands an escalation to someone else: the shared token and managers only.
async fn reassign(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<EscalationView>> {
    let id = escalation_id(&id)?;
    visible(&state, &caller, id).await?;
    caller.require_everything()?;
    let body: ReassignBody = parse_json(&headers, &body?)?;
    Ok(Json(
        state
            .engine
            .reassign_escalation(id, body.owner.trim())
            .await?,
    ))
}
