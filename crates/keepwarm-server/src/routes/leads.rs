//! `/api/v1/leads`: intake, reading a lead and its timeline, and follow-up changes.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use jiff::Timestamp;
use keepwarm_domain::appointment::AppointmentInput;
use keepwarm_domain::{LeadStatus, Stage};
use keepwarm_engine::OutcomeInput;
use keepwarm_store::{LeadFilter, LeadView};
use serde::Deserialize;

use super::{lead_id, parse_json};
use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The lead routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/leads", post(create_lead).get(list_leads))
        .route("/api/v1/leads/{id}", get(show_lead))
        .route("/api/v1/leads/{id}/timeline", get(timeline))
        .route("/api/v1/leads/{id}/stop", post(stop))
        .route("/api/v1/leads/{id}/pause", post(pause))
        .route("/api/v1/leads/{id}/resume", post(resume))
        .route("/api/v1/leads/{id}/owner", post(reassign))
        .route("/api/v1/leads/{id}/outcomes", post(record_outcome))
        .route("/api/v1/leads/{id}/opt-out", post(decide_opt_out))
}

/// The lead as the API shows it: the read model's view with its owner's name from the staff
/// directory.
pub fn named(state: &AppState, lead: LeadView) -> LeadView {
    let staff = state.engine.config();
    lead.name_owner(|id| staff.staff_member(id).map(|s| s.name.clone()))
}

async fn create_lead(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<impl IntoResponse> {
    let body = body?;
    super::require_json(&headers)?;
    let outcome = state.engine.ingest_json(&body).await?;
    let location = format!("/api/v1/leads/{}", outcome.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(outcome),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    owner: Option<String>,
    segment: Option<String>,
    status: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
}

async fn list_leads(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    caller: Caller,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> ApiResult<axum::response::Response> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let status = q
        .status
        .as_deref()
        .map(str::parse::<LeadStatus>)
        .transpose()
        .map_err(|e| ApiError::field("status", e))?;
    let page = super::paging::requested("leads", q.limit, q.cursor.as_deref(), 100)?;
    let after = super::paging::key_of::<1>("leads", &page)?.map(|[id]| id);
    let filter = LeadFilter {
        owner: q.owner,
        segment: q.segment,
        status,
        limit: Some(page.limit),
        after,
    };
    let rows = state.engine.store().list_leads(&filter).await?;
    // A staff member who does not see everything gets the leads they may see of each page.
    let visible: std::collections::HashSet<i64> = rows
        .iter()
        .filter(|l| caller.sees(&state, l.scope()))
        .map(|l| l.id.0)
        .collect();
    let leads: Vec<LeadView> = rows.into_iter().map(|l| named(&state, l)).collect();
    Ok(super::paging::respond_visible(
        "leads",
        &uri,
        &page,
        leads,
        |l: &LeadView| vec![l.id.0],
        |l| visible.contains(&l.id.0),
    ))
}

async fn show_lead(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<LeadView>> {
    let id = lead_id(&id)?;
    caller.lead(&state, id).await?;
    reload(&state, id).await
}

async fn timeline(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<keepwarm_store::EventRow>>> {
    let id = lead_id(&id)?;
    caller.lead(&state, id).await?;
    Ok(Json(state.engine.store().timeline(id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReasonBody {
    reason: String,
}

/// Longest reason text accepted.
const MAX_REASON: usize = 500;

fn reason_of(headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> ApiResult<String> {
    let body: ReasonBody = parse_json(headers, &body?)?;
    checked_reason(&body.reason)
}

fn checked_reason(reason: &str) -> ApiResult<String> {
    let reason = reason.trim().to_owned();
    if reason.is_empty() {
        return Err(ApiError::field("reason", "must not be empty"));
    }
    if reason.len() > MAX_REASON {
        return Err(ApiError::field(
            "reason",
            format!("longer than {MAX_REASON} bytes"),
        ));
    }
    Ok(reason)
}

async fn reload(state: &AppState, id: keepwarm_domain::LeadId) -> ApiResult<Json<LeadView>> {
    let lead = state
        .engine
        .store()
        .show_lead(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("lead {id}")))?;
    Ok(Json(named(state, lead)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StopBody {
    reason: String,
    /// Absent or null: not an opt-out (the published schema lets optional properties be null).
    #[serde(default)]
    opt_out: Option<bool>,
}

/// Who a follow-up change is attributed to: the staff token's holder, or `api` for the shared token.
fn actor(state: &AppState, caller: &Caller) -> ApiResult<String> {
    Ok(caller
        .attribution(state, None)?
        .unwrap_or_else(|| "api".to_owned()))
}

async fn stop(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<LeadView>> {
    let id = lead_id(&id)?;
    caller.lead(&state, id).await?;
    let body: StopBody = parse_json(&headers, &body?)?;
    let reason = checked_reason(&body.reason)?;
    let actor = actor(&state, &caller)?;
    state
        .engine
        .stop(id, &reason, &actor, body.opt_out.unwrap_or(false))
        .await?;
    reload(&state, id).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OptOutDecisionBody {
    decision: String,
    by: Option<String>,
}

/// A person's decision on a possible opt-out keepwarm held: `confirm` or `release`.
async fn decide_opt_out(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<LeadView>> {
    let id = lead_id(&id)?;
    caller.lead(&state, id).await?;
    let body: OptOutDecisionBody = parse_json(&headers, &body?)?;
    let by = caller.person(&state, body.by.as_deref())?;
    let decision = match body.decision.as_str() {
        "confirm" => keepwarm_engine::HoldDecision::Confirm,
        "release" => keepwarm_engine::HoldDecision::Release,
        other => {
            return Err(ApiError::field(
                "decision",
                format!("`{other}` is not a decision (expected confirm or release)"),
            ))
        }
    };
    state.engine.decide_opt_out_hold(id, decision, &by).await?;
    reload(&state, id).await
}

async fn pause(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<LeadView>> {
    let id = lead_id(&id)?;
    caller.lead(&state, id).await?;
    let actor = actor(&state, &caller)?;
    state
        .engine
        .pause(id, &reason_of(&headers, body)?, &actor)
        .await?;
    reload(&state, id).await
}

async fn resume(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<LeadView>> {
    let id = lead_id(&id)?;
    caller.lead(&state, id).await?;
    let actor = actor(&state, &caller)?;
    state
        .engine
        .resume(id, &reason_of(&headers, body)?, &actor)
        .await?;
    reload(&state, id).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReassignBody {
    owner: String,
    reason: String,
}

async fn reassign(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<LeadView>> {
    let id = lead_id(&id)?;
    caller.lead(&state, id).await?;
    let body: ReassignBody = parse_json(&headers, &body?)?;
    let actor = actor(&state, &caller)?;
    if body.reason.trim().is_empty() {
        return Err(ApiError::field("reason", "must not be empty"));
    }
    if body.reason.len() > MAX_REASON {
        return Err(ApiError::field(
            "reason",
            format!("longer than {MAX_REASON} bytes"),
        ));
    }
    state
        .engine
        .reassign(id, body.owner.trim(), body.reason.trim(), &actor)
        .await?;
    reload(&state, id).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OutcomeBody {
    stage: Stage,
    #[serde(default)]
    at: Option<Timestamp>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    appointment: Option<AppointmentInput>,
    #[serde(default)]
    by: Option<String>,
}

/// Records an outcome: the stage reached, when (`at`, default now), who (`by`, a staff id, default
/// `api`), why (`lost` needs a reason) and, with `appointment_set`, the appointment. Recording the
/// same outcome again answers 200 and changes nothing.
async fn record_outcome(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<LeadView>> {
    let id = lead_id(&id)?;
    caller.lead(&state, id).await?;
    let body: OutcomeBody = parse_json(&headers, &body?)?;
    let by = caller
        .attribution(&state, body.by.as_deref())?
        .unwrap_or_else(|| "api".to_owned());
    let input = OutcomeInput {
        stage: body.stage,
        at: body.at,
        reason: body.reason.map(|r| r.trim().to_owned()),
        appointment: body.appointment,
        by,
        via: "api".into(),
    };
    state.engine.record_outcome(id, input).await?;
    reload(&state, id).await
}
