//! `/api/v1/leads`: intake, reading a lead and its timeline, and follow-up changes.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use jiff::Timestamp;
use keepwarm_domain::appointment::AppointmentInput;
use keepwarm_domain::{LeadStatus, Stage};
use keepwarm_engine::OutcomeInput;
use keepwarm_store::{LeadFilter, LeadView};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{lead_id, parse_json};
use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The lead routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_lead, list_leads))
        .routes(routes!(show_lead))
        .routes(routes!(timeline))
        .routes(routes!(stop))
        .routes(routes!(pause))
        .routes(routes!(resume))
        .routes(routes!(reassign))
        .routes(routes!(record_outcome))
        .routes(routes!(decide_opt_out))
}

/// The lead as the API shows it: the read model's view with its owner's name from the staff
/// directory.
pub fn named(state: &AppState, lead: LeadView) -> LeadView {
    let staff = state.engine.config();
    lead.name_owner(|id| staff.staff_member(id).map(|s| s.name.clone()))
}

/// Ingest a lead in the normalized lead format: segment, owner, enrollment and first touch in one
/// step.
///
/// One lead per request: the body is one JSON object (an array is refused with 422 naming `.`).
/// A lead that matches an existing one by phone or e-mail merges into it (`action`). A staff token
/// of one dealership creates that dealership's leads (another's answers 404).
#[utoipa::path(post, path = "/api/v1/leads", tag = "leads",
    request_body = keepwarm_domain::lead::LeadInput,
    responses((status = 201, description = "Created or merged; `Location` names the lead.", body = keepwarm_engine::IngestOutcome,
        headers(("Location" = String, description = "The lead's URL.")))))]
async fn create_lead(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<impl IntoResponse> {
    let body = body?;
    super::require_json(&headers)?;
    let body = own_dealership(&caller, body)?;
    let outcome = state.engine.ingest_json(&body).await?;
    let location = format!("/api/v1/leads/{}", outcome.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(outcome),
    ))
}

/// A lead document from a staff member of one dealership, for that dealership: theirs when it
/// names none; naming another answers 404, as for a dealership that does not exist. Anything that
/// is not a JSON object is left for intake to refuse.
fn own_dealership(caller: &Caller, body: Bytes) -> ApiResult<Bytes> {
    let Some(own) = caller.staff().and_then(|s| s.dealership.as_deref()) else {
        return Ok(body);
    };
    let Ok(serde_json::Value::Object(mut lead)) = serde_json::from_slice(&body) else {
        return Ok(body);
    };
    match lead.get("dealership") {
        None | Some(serde_json::Value::Null) => {
            lead.insert("dealership".into(), own.into());
        }
        Some(serde_json::Value::String(named)) if named == own => {}
        Some(serde_json::Value::String(named)) => {
            return Err(ApiError::NotFound(format!("dealership {named}")))
        }
        Some(_) => return Ok(body),
    }
    serde_json::to_vec(&lead)
        .map(Bytes::from)
        .map_err(|e| ApiError::BadRequest(e.to_string()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Only this staff member's leads.
    owner: Option<String>,
    /// Only this segment's leads.
    segment: Option<String>,
    /// Only leads with this follow-up status.
    #[param(value_type = Option<LeadStatus>)]
    status: Option<String>,
    /// Rows per page (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
    /// The `x-next-cursor` of the previous page.
    cursor: Option<String>,
}

/// List leads, newest first. Paged: see the description of the API.
#[utoipa::path(get, path = "/api/v1/leads", tag = "leads", params(ListQuery),
    responses((status = 200, description = "A page of leads.", body = Vec<LeadView>, headers(
        ("Link" = String, description = "`<URL>; rel=\"next\"` when another page follows."),
        ("x-next-cursor" = String, description = "The next page's cursor, when another page follows.")))))]
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

/// One lead.
#[utoipa::path(get, path = "/api/v1/leads/{id}", tag = "leads", params(crate::openapi::IdPath),
    responses((status = 200, description = "The lead, with its latest appointment.", body = LeadView)))]
async fn show_lead(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<LeadView>> {
    let id = lead_id(&id)?;
    caller.lead(&state, id).await?;
    reload(&state, id).await
}

/// Every event on the lead, in order.
#[utoipa::path(get, path = "/api/v1/leads/{id}/timeline", tag = "leads", params(crate::openapi::IdPath),
    responses((status = 200, description = "The lead's events, oldest first.", body = Vec<keepwarm_store::TimelineEntry>)))]
async fn timeline(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<keepwarm_store::TimelineEntry>>> {
    let id = lead_id(&id)?;
    caller.lead(&state, id).await?;
    Ok(Json(state.engine.store().timeline(id).await?))
}

/// Why a follow-up is paused or resumed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Reason)]
struct ReasonBody {
    /// Why (1 to 500 bytes).
    #[schema(min_length = 1)]
    reason: String,
    /// The staff member who does it (required with the shared token).
    #[serde(default)]
    by: Option<String>,
}

/// Longest reason text accepted.
const MAX_REASON: usize = 500;

/// The reason and the person of a pause or resume.
fn reason_of(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(String, String)> {
    let body: ReasonBody = parse_json(headers, &body?)?;
    let reason = checked_reason(&body.reason)?;
    Ok((reason, caller.person(state, body.by.as_deref())?))
}

/// A reason as given, trimmed: not empty, at most [`MAX_REASON`] bytes (the pages use it too).
pub(crate) fn checked_reason(reason: &str) -> ApiResult<String> {
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
    let waiting = super::conversation::waiting_of(state, id).await?;
    Ok(Json(
        named(state, lead).with_waiting_since(waiting.map(|w| w.since)),
    ))
}

/// Why the follow-up ends, and whether the customer opted out.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Stop)]
struct StopBody {
    /// Why (1 to 500 bytes).
    #[schema(min_length = 1)]
    reason: String,
    /// Absent or null: not an opt-out (the published schema lets optional properties be null).
    #[serde(default)]
    opt_out: Option<bool>,
    /// The staff member who stops it (required with the shared token).
    #[serde(default)]
    by: Option<String>,
}

/// End the lead's follow-up; with `opt_out: true` the lead is marked opted out and no touch will
/// ever be sent to it.
#[utoipa::path(post, path = "/api/v1/leads/{id}/stop", tag = "leads", params(crate::openapi::IdPath),
    request_body = StopBody, responses((status = 200, description = "The lead.", body = LeadView)))]
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
    let actor = caller.person(&state, body.by.as_deref())?;
    state
        .engine
        .stop(id, &reason, &actor, body.opt_out.unwrap_or(false))
        .await?;
    reload(&state, id).await
}

/// A person's decision on a held opt-out.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = OptOutDecision)]
struct OptOutDecisionBody {
    /// `confirm` or `release`.
    #[schema(value_type = HoldDecisionWord)]
    decision: String,
    /// Who decides (required with the shared token; a staff token is its holder).
    by: Option<String>,
}

/// The words of a decision on a held opt-out.
#[derive(ToSchema)]
#[schema(as = HoldDecision)]
#[allow(dead_code)] // Describes `decision`; the handler reads the text to name a bad one.
enum HoldDecisionWord {
    /// Revoke every channel, stop every lead with the number, send the one confirmation.
    #[schema(rename = "confirm")]
    Confirm,
    /// Resume the held leads.
    #[schema(rename = "release")]
    Release,
}

/// Decide a possible opt-out keepwarm held.
///
/// A reply that may mean stop stops automation to the number at once, with no confirmation sent:
/// `confirm` revokes every channel, stops every lead with the number and sends the one
/// confirmation; `release` resumes the held leads. 409 when nothing is held.
#[utoipa::path(post, path = "/api/v1/leads/{id}/opt-out", tag = "leads", params(crate::openapi::IdPath),
    request_body = OptOutDecisionBody, responses(
        (status = 200, description = "The lead.", body = LeadView),
        (status = 409, description = "Nothing is held for this lead.", body = crate::openapi::ErrorBody)))]
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

/// Hold the lead's follow-up.
#[utoipa::path(post, path = "/api/v1/leads/{id}/pause", tag = "leads", params(crate::openapi::IdPath),
    request_body = ReasonBody, responses((status = 200, description = "The lead.", body = LeadView)))]
async fn pause(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<LeadView>> {
    let id = lead_id(&id)?;
    caller.lead(&state, id).await?;
    let (reason, actor) = reason_of(&state, &caller, &headers, body)?;
    state.engine.pause(id, &reason, &actor).await?;
    reload(&state, id).await
}

/// Resume a paused follow-up; held touches are planned again inside the contact window.
#[utoipa::path(post, path = "/api/v1/leads/{id}/resume", tag = "leads", params(crate::openapi::IdPath),
    request_body = ReasonBody, responses((status = 200, description = "The lead.", body = LeadView)))]
async fn resume(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<LeadView>> {
    let id = lead_id(&id)?;
    caller.lead(&state, id).await?;
    let (reason, actor) = reason_of(&state, &caller, &headers, body)?;
    state.engine.resume(id, &reason, &actor).await?;
    reload(&state, id).await
}

/// Who takes the lead, and why.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Reassign)]
struct ReassignBody {
    /// The staff id of the new owner.
    owner: String,
    /// Why (1 to 500 bytes).
    reason: String,
    /// The staff member who moves it (required with the shared token).
    #[serde(default)]
    by: Option<String>,
}

/// Reassign the lead.
#[utoipa::path(post, path = "/api/v1/leads/{id}/owner", tag = "leads", params(crate::openapi::IdPath),
    request_body = ReassignBody, responses((status = 200, description = "The lead.", body = LeadView)))]
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
    let actor = caller.person(&state, body.by.as_deref())?;
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

/// An outcome to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Outcome)]
struct OutcomeBody {
    /// The stage reached: forward only; `lost` (with a `reason`) at any point.
    stage: Stage,
    /// When it happened (default now; not in the future nor before the lead was received).
    #[serde(default)]
    at: Option<Timestamp>,
    /// Why (`lost` needs one; at most 500 bytes).
    #[serde(default)]
    reason: Option<String>,
    /// With `appointment_set`: the appointment (a new time moves it).
    #[serde(default)]
    appointment: Option<AppointmentInput>,
    /// A staff id (default `api`).
    #[serde(default)]
    by: Option<String>,
}

/// Record an outcome: the stage reached, when, who and why.
///
/// `appointment_set` needs `appointment` {at, kind: sales|service, duration_minutes?}: the
/// follow-up cadence ends and the appointment cadence starts (confirmation at once, reminders
/// before it, e-mails with a calendar invite); a new time moves the appointment and plans its
/// reminders again. `by` is a staff id (the shared token must name one). Recording the same
/// outcome twice answers 200 and changes nothing.
#[utoipa::path(post, path = "/api/v1/leads/{id}/outcomes", tag = "leads", params(crate::openapi::IdPath),
    request_body = OutcomeBody, responses((status = 200, description = "The lead.", body = LeadView)))]
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
    let by = caller.person(&state, body.by.as_deref())?;
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
