//! Calls through the store's number (issue 13): a person's click-to-call
//! (`POST /api/v1/leads/{id}/calls`) with its signed progress callbacks (`/webhooks/twilio/calls/*`),
//! and calls to the store's number: the first ring (from `/webhooks/twilio/voice`, see
//! [`super::twilio`]), each round's end (`/webhooks/twilio/voice/dial`) and the voicemail
//! (`/webhooks/twilio/voice/recording`). A staff member's own phone calling the store is not a
//! customer: it rings their on-shift team-mates and never becomes a lead.
//!
//! The callbacks name the lead (and the round, the staff member, the task) in their query string,
//! which Twilio signs with the URL: a request whose signature does not cover exactly these gets 403
//! and changes nothing. What each does is decided by the engine; this module only reads Twilio's
//! parameters and answers TwiML.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use keepwarm_domain::LeadId;
use keepwarm_engine::{CallPlaced, CallReport, DialEnded, RingNext, StaffCall};
use keepwarm_twilio::{Dial, Record, Say, TwimlResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::twilio::{param, twiml, twiml_response, Signed, TwilioFormShape, MAX_TWILIO_FORM};
use super::{lead_id, parse_json};
use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The click-to-call route (bearer token).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(call))
}

/// The call webhooks (Twilio's signature).
pub fn webhook_router() -> OpenApiRouter<AppState> {
    let router = OpenApiRouter::new()
        .routes(routes!(call_status))
        .routes(routes!(call_dial))
        .routes(routes!(inbound_dial))
        .routes(routes!(recording))
        .layer(DefaultBodyLimit::max(MAX_TWILIO_FORM));
    crate::openapi::require(router, crate::openapi::Security::TwilioSignature)
}

/// A click-to-call request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ClickToCall)]
struct CallBody {
    /// Who is rung first (required with the shared token; a staff token is its holder).
    #[serde(default)]
    by: Option<String>,
    /// A call task of the lead that the call's outcome completes.
    #[serde(default)]
    task: Option<i64>,
}

/// Click-to-call: the store's number rings the person's phone, then dials the customer with the
/// store's number as caller ID once they answer.
///
/// The compliance gate applies to the customer leg: 409 naming the revocation for an opted-out or
/// revoked number, 409 with `next_opening` outside the customer's contact window. Ringing,
/// answered, duration and outcome land on the conversation; a connected call completes the `task`
/// it names. 503 when the call could not be placed (nothing else changed).
#[utoipa::path(post, path = "/api/v1/leads/{id}/calls", tag = "messages",
    params(crate::openapi::IdPath),
    request_body = CallBody, responses(
        (status = 202, description = "The call is placed: the person's phone rings.", body = CallPlaced),
        (status = 409, description = "The compliance gate refused it (`next_opening` when the window opens again), or the provider refused the call.", body = crate::openapi::ErrorBody),
        (status = 503, description = "The call could not be placed.", body = crate::openapi::ErrorBody)))]
async fn call(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<impl IntoResponse> {
    let id = lead_id(&id)?;
    caller.lead(&state, id).await?;
    let body: CallBody = parse_json(&headers, &body?)?;
    let by = caller.person(&state, body.by.as_deref())?;
    let placed = state.engine.click_to_call(id, &by, body.task).await?;
    Ok((StatusCode::ACCEPTED, Json(placed)))
}

/// The query keepwarm puts on a click-to-call's callbacks.
fn call_reference(uri: &Uri) -> ApiResult<(LeadId, String, Option<i64>)> {
    let query = query_of(uri);
    let lead = named_lead(&query)?;
    let by = query
        .iter()
        .find(|(k, _)| k == "by")
        .map(|(_, v)| v.clone())
        .ok_or_else(|| ApiError::field("by", "missing"))?;
    let task = match query.iter().find(|(k, _)| k == "task") {
        Some((_, v)) => Some(
            v.parse::<i64>()
                .map_err(|_| ApiError::field("task", format!("`{v}` is not a task id")))?,
        ),
        None => None,
    };
    Ok((lead, by, task))
}

/// A click-to-call callback as a report: the call its query names, with the status and duration
/// read from the named parameters.
fn call_report(
    uri: &Uri,
    params: &[(String, String)],
    status: &str,
    duration: &str,
) -> ApiResult<CallReport> {
    let (lead, by, task) = call_reference(uri)?;
    Ok(CallReport {
        lead,
        by,
        task,
        call_sid: required(params, "CallSid")?.to_owned(),
        status: required(params, status)?.to_owned(),
        duration_seconds: seconds(params, duration)?,
    })
}

fn query_of(uri: &Uri) -> Vec<(String, String)> {
    url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

fn named_lead(query: &[(String, String)]) -> ApiResult<LeadId> {
    let v = query
        .iter()
        .find(|(k, _)| k == "lead")
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| ApiError::field("lead", "missing"))?;
    lead_id(v)
}

fn required<'a>(params: &'a [(String, String)], name: &str) -> ApiResult<&'a str> {
    param(params, name)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::field(name, "missing"))
}

fn seconds(params: &[(String, String)], name: &str) -> ApiResult<Option<u64>> {
    param(params, name)
        .map(|v| {
            v.parse::<u64>()
                .map_err(|_| ApiError::field(name, format!("`{v}` is not a number of seconds")))
        })
        .transpose()
}

/// Progress of a click-to-call's first leg, ringing the staff member (`?lead=&by=&task=`, as
/// keepwarm set it): `initiated`, `ringing`, `in-progress`, `completed`, `no-answer`... Recorded once
/// per call and status.
#[utoipa::path(post, path = "/webhooks/twilio/calls/status", tag = "webhooks",
    params(("lead" = i64, Query, description = "The lead, as keepwarm set it."),
        ("by" = String, Query, description = "The staff member, as keepwarm set it."),
        ("task" = Option<i64>, Query, description = "The call task, as keepwarm set it.")),
    request_body(content = TwilioFormShape, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "Empty TwiML.", body = String, content_type = "text/xml")))]
async fn call_status(
    State(state): State<AppState>,
    uri: Uri,
    Signed(params): Signed,
) -> ApiResult<Response> {
    let report = call_report(&uri, &params, "CallStatus", "CallDuration")?;
    state.engine.call_progress(&report).await?;
    Ok(twiml())
}

/// How a click-to-call's customer leg ended (its `<Dial>` action, `?lead=&by=&task=`):
/// `DialCallStatus` and `DialCallDuration`, recorded once per call; a connected call completes the
/// task. Answers TwiML that ends the call.
#[utoipa::path(post, path = "/webhooks/twilio/calls/dial", tag = "webhooks",
    params(("lead" = i64, Query, description = "The lead, as keepwarm set it."),
        ("by" = String, Query, description = "The staff member, as keepwarm set it."),
        ("task" = Option<i64>, Query, description = "The call task, as keepwarm set it.")),
    request_body(content = TwilioFormShape, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "TwiML ending the call.", body = String, content_type = "text/xml")))]
async fn call_dial(
    State(state): State<AppState>,
    uri: Uri,
    Signed(params): Signed,
) -> ApiResult<Response> {
    let report = call_report(&uri, &params, "DialCallStatus", "DialCallDuration")?;
    state.engine.bridge_ended(&report).await?;
    Ok(twiml_response(&TwimlResponse::new().hangup()))
}

/// A call to the store's number (the number's voice URL, no `touch`): the caller's lead (an unknown
/// caller becomes one) and the first round of ringing, as TwiML.
pub(crate) async fn inbound_call(
    state: &AppState,
    params: &[(String, String)],
) -> ApiResult<Response> {
    let call_sid = required(params, "CallSid")?;
    let from = required(params, "From")?;
    if let Some(staff) = state.engine.staff_calling(from)? {
        return Ok(staff_twiml(state, &staff));
    }
    let ring = state.engine.inbound_call(from, call_sid).await?;
    Ok(ring_twiml(state, ring.lead_id, &ring.next))
}

/// A staff member's call to the store, as TwiML: their team-mates ring with no callback (no lead to
/// report on), and the call ends with the dial.
fn staff_twiml(state: &AppState, call: &StaffCall) -> Response {
    let say = Say {
        text: call.greeting.clone(),
        voice: Some(state.engine.config().channels.twilio.say_voice.clone()),
        language: None,
    };
    let mut response = TwimlResponse::new().say(say);
    if !call.numbers.is_empty() {
        response = response.ring(Dial {
            numbers: call.numbers.iter().map(|n| n.as_str().to_owned()).collect(),
            caller_id: None,
            timeout_seconds: Some(call.seconds),
            action: None,
        });
    }
    twiml_response(&response.hangup())
}

/// The end of a round of ringing a call to the store (its `<Dial>` action, `?lead=&round=`):
/// the next round, or the voicemail, as TwiML. A call nobody answered is a missed call: see the
/// engine's `inbound_calls`.
#[utoipa::path(post, path = "/webhooks/twilio/voice/dial", tag = "webhooks",
    params(("lead" = i64, Query, description = "The lead, as keepwarm set it."),
        ("round" = usize, Query, description = "The round of ringing, as keepwarm set it.")),
    request_body(content = TwilioFormShape, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "TwiML for the call.", body = String, content_type = "text/xml")))]
async fn inbound_dial(
    State(state): State<AppState>,
    uri: Uri,
    Signed(params): Signed,
) -> ApiResult<Response> {
    let query = query_of(&uri);
    let lead = named_lead(&query)?;
    let round = query
        .iter()
        .find(|(k, _)| k == "round")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .ok_or_else(|| ApiError::field("round", "missing or not a number"))?;
    let caller_status = param(&params, "CallStatus").unwrap_or("in-progress");
    let ended = DialEnded {
        lead,
        round,
        call_sid: required(&params, "CallSid")?.to_owned(),
        from: required(&params, "From")?.to_owned(),
        dial_status: required(&params, "DialCallStatus")?.to_owned(),
        duration_seconds: seconds(&params, "DialCallDuration")?,
        caller_gone: !matches!(caller_status, "in-progress" | "ringing"),
    };
    let next = state.engine.inbound_dial_ended(&ended).await?;
    Ok(ring_twiml(&state, lead, &next))
}

/// The caller's voicemail (`<Record>`'s action, `?lead=`): its `RecordingUrl` is kept on the lead.
#[utoipa::path(post, path = "/webhooks/twilio/voice/recording", tag = "webhooks",
    params(("lead" = i64, Query, description = "The lead, as keepwarm set it.")),
    request_body(content = TwilioFormShape, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "TwiML ending the call.", body = String, content_type = "text/xml")))]
async fn recording(
    State(state): State<AppState>,
    uri: Uri,
    Signed(params): Signed,
) -> ApiResult<Response> {
    let lead = named_lead(&query_of(&uri))?;
    let call_sid = required(&params, "CallSid")?;
    // A caller who hung up before the beep leaves no recording: nothing to keep.
    if let Some(url) = param(&params, "RecordingUrl").filter(|u| !u.is_empty()) {
        let duration = seconds(&params, "RecordingDuration")?;
        state
            .engine
            .voicemail_received(lead, call_sid, url, duration)
            .await?;
    }
    Ok(twiml_response(&TwimlResponse::new().hangup()))
}

/// What an inbound call does next, as TwiML: ring a round with an action naming it, or take a
/// voicemail, or end.
fn ring_twiml(state: &AppState, lead: LeadId, next: &RingNext) -> Response {
    let public = state
        .settings
        .twilio
        .as_ref()
        .map_or("", |t| t.public_url.as_str());
    let response = match next {
        RingNext::Ring {
            round,
            numbers,
            seconds,
        } => TwimlResponse::new().ring(Dial {
            numbers: numbers.iter().map(|n| n.as_str().to_owned()).collect(),
            caller_id: None,
            timeout_seconds: Some(*seconds),
            action: Some(format!(
                "{public}/webhooks/twilio/voice/dial?lead={lead}&round={round}"
            )),
        }),
        RingNext::Voicemail {
            greeting,
            max_seconds,
        } => TwimlResponse::new()
            .say(Say {
                text: greeting.clone(),
                voice: Some(state.engine.config().channels.twilio.say_voice.clone()),
                language: None,
            })
            .record(Record {
                action: Some(format!(
                    "{public}/webhooks/twilio/voice/recording?lead={lead}"
                )),
                max_length_seconds: Some(*max_seconds),
                play_beep: true,
            })
            .hangup(),
        RingNext::HangUp => TwimlResponse::new().hangup(),
    };
    twiml_response(&response)
}
