//! `/api/v1/leads/{id}/messages`: a person writes to the customer from the store's number or
//! address, and drafts a message from an approved block to edit before sending.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use keepwarm_engine::staff_messages::Draft;
use keepwarm_engine::StaffMessage;
use serde::Deserialize;

use super::{lead_id, parse_json};
use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The message routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/leads/{id}/messages", post(send))
        .route("/api/v1/leads/{id}/messages/draft", get(draft))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageBody {
    channel: String,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    block: Option<String>,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    by: Option<String>,
}

/// Sends a person's message: 202 when it was queued, 200 when the same `Idempotency-Key` was sent
/// before (nothing more is queued), 409 when the compliance gate refuses it.
async fn send(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<impl IntoResponse> {
    let id = lead_id(&id)?;
    caller.lead(&state, id).await?;
    let body: MessageBody = parse_json(&headers, &body?)?;
    let by = caller.person(&state, body.by.as_deref())?;
    let idempotency_key = headers
        .get("idempotency-key")
        .map(|v| {
            v.to_str()
                .map(str::to_owned)
                .map_err(|_| ApiError::field("Idempotency-Key", "must be printable ASCII text"))
        })
        .transpose()?;
    let sent = state
        .engine
        .send_staff_message(
            id,
            StaffMessage {
                channel: body.channel,
                body: body.body,
                block: body.block,
                subject: body.subject,
                by,
                idempotency_key,
            },
        )
        .await?;
    let status = if sent.duplicate {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    Ok((status, Json(sent)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DraftQuery {
    block: String,
    by: Option<String>,
}

/// An approved block rendered for the lead, signed by the caller (or, with the shared token, by
/// `by` or the lead's owner), to edit and send.
async fn draft(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    query: Result<Query<DraftQuery>, QueryRejection>,
) -> ApiResult<Json<Draft>> {
    let id = lead_id(&id)?;
    let lead = caller.lead(&state, id).await?;
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let by = caller
        .attribution(&state, q.by.as_deref())?
        .unwrap_or(lead.owner_id);
    Ok(Json(state.engine.draft_message(id, &q.block, &by).await?))
}
