//! `/api/v1/escalations`: hot replies on a clock — list, acknowledge, reassign.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use keepwarm_store::{EscalationStatus, EscalationView};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{paging, parse_json};
use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The escalation routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(acknowledge))
        .routes(routes!(reassign))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Only escalations in this state (`closed`: the lead was sold or lost first).
    #[param(value_type = Option<EscalationStatus>)]
    status: Option<String>,
    /// Rows per page (default 1000).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
    /// The `x-next-cursor` of the previous page.
    cursor: Option<String>,
}

/// Hot replies handed to people on a clock, newest first. Paged.
///
/// A staff member who does not see everything gets those assigned to them.
#[utoipa::path(get, path = "/api/v1/escalations", tag = "escalations", params(ListQuery),
    responses((status = 200, description = "A page of escalations.", body = Vec<EscalationView>, headers(
        ("Link" = String, description = "`<URL>; rel=\"next\"` when another page follows."),
        ("x-next-cursor" = String, description = "The next page's cursor, when another page follows.")))))]
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
    // As for tasks: one's own, or another's whose work and lead the caller sees.
    let leads = caller
        .visible_leads(&state, rows.iter().map(|e| e.lead_id).collect())
        .await?;
    let mine = |owner: &str| caller.staff().is_some_and(|me| me.id == owner);
    Ok(paging::respond_visible(
        "escalations",
        &uri,
        &page,
        rows,
        |e: &EscalationView| vec![e.id],
        |e| mine(&e.owner) || (caller.sees_work_of(&state, &e.owner) && leads.contains(&e.lead_id)),
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

/// Who acknowledges.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Ack)]
struct AckBody {
    /// A staff id (required with the shared token; a staff token is its holder).
    by: Option<String>,
}

/// Acknowledge an escalation (staff can also reply to the alert with its number).
#[utoipa::path(post, path = "/api/v1/escalations/{id}/ack", tag = "escalations", params(crate::openapi::IdPath),
    request_body = AckBody, responses((status = 200, description = "The escalation.", body = EscalationView)))]
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

/// Who takes the escalation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = EscalationReassign)]
struct ReassignBody {
    /// The staff id of the new assignee (who works for the lead's dealership).
    owner: String,
    /// The staff member who hands it on (required with the shared token; a staff token is its
    /// holder).
    #[serde(default)]
    by: Option<String>,
}

/// Hand an unacknowledged escalation to someone else, who is alerted at once (the shared token
/// and managers only). The timeline names who handed it on: a manager's token is its holder; the
/// shared token must name `by`.
#[utoipa::path(post, path = "/api/v1/escalations/{id}/reassign", tag = "escalations", params(crate::openapi::IdPath),
    request_body = ReassignBody, responses((status = 200, description = "The escalation.", body = EscalationView)))]
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
    let by = caller.person(&state, body.by.as_deref())?;
    Ok(Json(
        state
            .engine
            .reassign_escalation(id, body.owner.trim(), &by)
            .await?,
    ))
}
