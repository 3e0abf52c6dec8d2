//! `/api/v1/sandbox`: the manual clock, the outbox, and customer replies, for demos and black-box
//! tests. Mounted only when the server runs with the sandbox channel.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};
use keepwarm_channels::OutboxRow;
use keepwarm_engine::InboundMessage;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{lead_id, parse_json};
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The sandbox routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/sandbox/clock", get(show_clock).post(move_clock))
        .route("/api/v1/sandbox/outbox", get(outbox))
        .route("/api/v1/sandbox/inbound", post(inbound))
}

async fn show_clock(State(state): State<AppState>) -> Json<Value> {
    Json(json!({"now": state.engine.now(), "manual": state.engine.clock().as_manual().is_some()}))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockBody {
    to: Option<String>,
    advance: Option<String>,
}

async fn move_clock(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<Value>> {
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
    Ok(Json(
        json!({"now": state.engine.now(), "processed": processed}),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OutboxQuery {
    lead: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
}

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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InboundBody {
    from: String,
    body: String,
    #[serde(default = "sms")]
    channel: String,
}

fn sms() -> String {
    "sms".into()
}

async fn inbound(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<Value>> {
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
    Ok(Json(json!(outcome)))
}
