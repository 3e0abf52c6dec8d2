//! `/api/v1/sandbox`: the manual clock, the outbox, customer replies, and the simulated phone
//! calls' legs, for demos and black-box tests. Mounted only when the server runs with the sandbox
//! channel.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::Json;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};
use keepwarm_channels::OutboxRow;
use keepwarm_domain::LeadId;
use keepwarm_engine::{CallScript, InboundMessage, InboundOutcome, PlayedCall};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{lead_id, parse_json};
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The sandbox routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show_clock, move_clock))
        .routes(routes!(outbox))
        .routes(routes!(inbound))
        .routes(routes!(play_call))
}

/// The engine's clock.
#[derive(Debug, Serialize, ToSchema)]
struct Clock {
    /// The engine's time.
    now: Timestamp,
    /// Whether it is the manual clock (`--clock manual:…`), which only moves when told.
    manual: bool,
}

/// The engine's clock.
#[utoipa::path(get, path = "/api/v1/sandbox/clock", tag = "sandbox",
    responses((status = 200, description = "The clock.", body = Clock)))]
async fn show_clock(State(state): State<AppState>) -> Json<Clock> {
    Json(Clock {
        now: state.engine.now(),
        manual: state.engine.clock().as_manual().is_some(),
    })
}

/// Where to move the manual clock: exactly one of `to` and `advance`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ClockMove)]
struct ClockBody {
    /// An instant (RFC 3339).
    to: Option<String>,
    /// An ISO 8601 duration (`PT36H`, `P14D`).
    #[schema(examples("PT36H", "P14D"))]
    advance: Option<String>,
}

/// Where the clock stands after a move.
#[derive(Debug, Serialize, ToSchema)]
struct ClockMoved {
    /// The engine's time.
    now: Timestamp,
    /// Work items processed on the way.
    processed: usize,
}

/// Move the manual clock (`to` an instant, or `advance` by an ISO 8601 duration), processing all
/// work due on the way before answering.
#[utoipa::path(post, path = "/api/v1/sandbox/clock", tag = "sandbox", request_body = ClockBody,
    responses((status = 200, description = "The clock after the move.", body = ClockMoved)))]
async fn move_clock(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<ClockMoved>> {
    let body: ClockBody = parse_json(&headers, &body?)?;
    let now = state.engine.now();
    let target = match (body.to, body.advance) {
        (Some(to), None) => to.parse::<Timestamp>().map_err(|e| {
            ApiError::field("to", format!("`{to}` is not an RFC 3339 instant: {e}"))
        })?,
        (None, Some(advance)) => {
            let span: Span = advance.parse().map_err(|e| {
                ApiError::field(
                    "advance",
                    format!("`{advance}` is not an ISO 8601 duration such as PT36H or P14D: {e}"),
                )
            })?;
            if span.is_negative() {
                return Err(ApiError::field("advance", "must not be negative"));
            }
            now.to_zoned_datetime(TimeZone::UTC)
                .checked_add(span)
                .map_err(|e| ApiError::field("advance", e.to_string()))?
                .timestamp()
        }
        _ => {
            return Err(ApiError::field(
                ".",
                "give exactly one of `to` or `advance`",
            ))
        }
    };
    let processed = state.engine.advance_to(target).await?;
    Ok(Json(ClockMoved {
        now: state.engine.now(),
        processed,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct OutboxQuery {
    /// Only messages about this lead (its id).
    #[param(value_type = Option<i64>, minimum = 1)]
    lead: Option<String>,
    /// Rows per page (default 1000).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
    /// The `x-next-cursor` of the previous page.
    cursor: Option<String>,
}

/// Messages the sandbox channel recorded, oldest first. Paged.
#[utoipa::path(get, path = "/api/v1/sandbox/outbox", tag = "sandbox", params(OutboxQuery),
    responses((status = 200, description = "A page of messages.", body = Vec<OutboxRow>, headers(
        ("Link" = String, description = "`<URL>; rel=\"next\"` when another page follows."),
        ("x-next-cursor" = String, description = "The next page's cursor, when another page follows.")))))]
async fn outbox(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    query: Result<Query<OutboxQuery>, QueryRejection>,
) -> ApiResult<axum::response::Response> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let lead = q.lead.as_deref().map(lead_id).transpose()?;
    let page = super::paging::requested("outbox", q.limit, q.cursor.as_deref(), 1000)?;
    let after = super::paging::key_of::<1>("outbox", &page)?.map(|[id]| id);
    let outbox = keepwarm_engine::sandbox_outbox(state.engine.store())?;
    let rows = outbox.page(lead, after, page.limit).await?;
    Ok(super::paging::respond(
        "outbox",
        &uri,
        &page,
        rows,
        |m: &OutboxRow| vec![m.id],
    ))
}

/// A customer's message.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Inbound)]
struct InboundBody {
    /// The customer's number.
    from: String,
    /// What they said.
    body: String,
    /// `sms` (default) or `call`.
    #[serde(default = "sms")]
    channel: String,
}

fn sms() -> String {
    "sms".into()
}

/// A customer's message, through the path real webhooks use.
#[utoipa::path(post, path = "/api/v1/sandbox/inbound", tag = "sandbox", request_body = InboundBody,
    responses((status = 200, description = "What the message did.", body = InboundOutcome)))]
async fn inbound(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<InboundOutcome>> {
    let body: InboundBody = parse_json(&headers, &body?)?;
    let outcome = state
        .engine
        .inbound(InboundMessage {
            from: body.from,
            body: body.body,
            channel: body.channel,
            provider_id: None,
            media: Vec::new(),
        })
        .await?;
    Ok(Json(outcome))
}

/// How the lead's latest click-to-call goes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SandboxCall)]
struct CallBody {
    /// The lead whose latest click-to-call to play out.
    lead: i64,
    /// How the staff member's phone answers: `answered` (default), `no-answer` or `busy`.
    #[serde(default = "answered")]
    staff: String,
    /// How the customer's leg ends: `completed` (default: they talked), `no-answer`, `busy` or
    /// `failed`.
    #[serde(default = "completed")]
    customer: String,
    /// How long they talked (default 60).
    #[serde(default = "sixty")]
    duration_seconds: u64,
}

fn answered() -> String {
    "answered".into()
}

fn completed() -> String {
    "completed".into()
}

fn sixty() -> u64 {
    60
}

/// Plays out the lead's latest click-to-call, which the sandbox placed without ringing anyone:
/// its legs and statuses are recorded exactly as Twilio's callbacks would record them (a
/// connected call acknowledges escalations, marks the lead contacted and completes its call task).
#[utoipa::path(post, path = "/api/v1/sandbox/calls", tag = "sandbox", request_body = CallBody,
    responses((status = 200, description = "What was recorded.", body = PlayedCall),
        (status = 404, description = "The lead has no click-to-call.", body = crate::openapi::ErrorBody),
        (status = 409, description = "Played out already, or placed through a real provider.", body = crate::openapi::ErrorBody)))]
async fn play_call(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<PlayedCall>> {
    let body: CallBody = parse_json(&headers, &body?)?;
    let script = CallScript {
        staff: body.staff,
        customer: body.customer,
        duration_seconds: body.duration_seconds,
    };
    let played = state
        .engine
        .play_sandbox_call(LeadId(body.lead), &script)
        .await?;
    Ok(Json(played))
}
