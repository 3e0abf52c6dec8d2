//! The kill switch: `/api/v1/kill-switch` (every dealership) and
//! `/api/v1/dealerships/{id}/kill-switch` (one). Engaged, no automated message leaves for the
//! dealership (staff alerts, opt-out confirmations and people's own messages still go); released,
//! the held touches go back on the queue in order, through the gate. Every flip is attributed and
//! kept on the switch's history.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use keepwarm_engine::kill_switch::{KillSwitchFlip, KillSwitchStatus};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::parse_json;
use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The kill switch routes (managers and the shared token).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show_every, flip_every))
        .routes(routes!(show_dealership, flip_dealership))
}

/// A flip of a kill switch.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct FlipBody {
    /// `true` stops every automated message; `false` releases the switch.
    engaged: bool,
    /// Why (1 to 500 characters); kept on the switch's history.
    #[schema(min_length = 1)]
    reason: String,
    /// The staff member who flips it (required with the shared token).
    #[serde(default)]
    by: Option<String>,
}

fn flip_of(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(FlipBody, String)> {
    let body: FlipBody = parse_json(headers, &body?)?;
    let by = caller.person(state, body.by.as_deref())?;
    Ok((body, by))
}

/// A manager of one dealership sees and flips only its switch (404 for another's, as for one that
/// does not exist).
fn dealership_of(caller: &Caller, id: &str) -> ApiResult<String> {
    caller
        .dealership(Some(id))?
        .ok_or_else(|| ApiError::NotFound(format!("dealership {id}")))
}

/// Every dealership's switch is for callers who belong to no single dealership.
fn require_group(caller: &Caller) -> ApiResult<()> {
    match caller.staff().and_then(|s| s.dealership.as_deref()) {
        Some(own) => Err(ApiError::NotAllowed(format!(
            "this token belongs to dealership {own}; use /api/v1/dealerships/{own}/kill-switch"
        ))),
        None => Ok(()),
    }
}

/// The kill switch of every dealership: its state and history.
#[utoipa::path(get, path = "/api/v1/kill-switch", tag = "compliance",
    responses((status = 200, description = "The switch and its history.", body = KillSwitchStatus)))]
async fn show_every(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<KillSwitchStatus>> {
    require_group(&caller)?;
    Ok(Json(state.engine.kill_switch_status(None).await?))
}

/// Engage or release the kill switch of every dealership.
///
/// Engaged: no automated message to a customer leaves for any dealership, from this instant
/// (touches already claimed are held at send time too); each hold is on the lead's timeline.
/// Released: held touches go back on the queue in their order and pass the gate one by one.
#[utoipa::path(post, path = "/api/v1/kill-switch", tag = "compliance", request_body = FlipBody,
    responses((status = 200, description = "The switch after the flip.", body = KillSwitchStatus)))]
async fn flip_every(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<KillSwitchStatus>> {
    require_group(&caller)?;
    let (body, by) = flip_of(&state, &caller, &headers, body)?;
    let flip = KillSwitchFlip {
        dealership: None,
        engaged: body.engaged,
        reason: &body.reason,
        by: &by,
    };
    Ok(Json(state.engine.set_kill_switch(&flip).await?))
}

/// One dealership's kill switch: its state (held by its own or every dealership's) and history.
#[utoipa::path(get, path = "/api/v1/dealerships/{id}/kill-switch", tag = "compliance",
    params(("id" = String, Path, description = "The dealership's id.")),
    responses((status = 200, description = "The switch and its history.", body = KillSwitchStatus),
        (status = 404, description = "No such dealership.", body = crate::openapi::ErrorBody)))]
async fn show_dealership(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<KillSwitchStatus>> {
    let id = dealership_of(&caller, &id)?;
    Ok(Json(state.engine.kill_switch_status(Some(&id)).await?))
}

/// Engage or release one dealership's kill switch.
///
/// Engaged: no automated message to a customer leaves for the dealership on any channel, from this
/// instant (touches already claimed are held at send time too); staff alerts, opt-out confirmations
/// and people's own messages still go. Released: held touches go back on the queue in their order
/// and pass the gate one by one, so contact windows and frequency caps still hold.
#[utoipa::path(post, path = "/api/v1/dealerships/{id}/kill-switch", tag = "compliance",
    params(("id" = String, Path, description = "The dealership's id.")), request_body = FlipBody,
    responses((status = 200, description = "The switch after the flip.", body = KillSwitchStatus),
        (status = 404, description = "No such dealership.", body = crate::openapi::ErrorBody)))]
async fn flip_dealership(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<KillSwitchStatus>> {
    let id = dealership_of(&caller, &id)?;
    let (body, by) = flip_of(&state, &caller, &headers, body)?;
    let flip = KillSwitchFlip {
        dealership: Some(&id),
        engaged: body.engaged,
        reason: &body.reason,
        by: &by,
    };
    Ok(Json(state.engine.set_kill_switch(&flip).await?))
}
