//! `/api/v1/leads/{id}/messages`: a person writes to the customer from the store's number or
//! address, and drafts a message from an approved block to edit before sending.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use keepwarm_engine::staff_messages::Draft;
use keepwarm_engine::{StaffMessage, StaffMessageSent};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{lead_id, parse_json};
use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The message routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(send))
        .routes(routes!(draft))
}

/// A person's message to the customer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = StaffMessage)]
struct MessageBody {
    /// `sms` or `email`.
    channel: String,
    /// The text; with `block` too, the block as edited.
    #[serde(default)]
    body: Option<String>,
    /// An approved block rendered for the lead.
    #[serde(default)]
    block: Option<String>,
    /// The e-mail subject.
    #[serde(default)]
    subject: Option<String>,
    /// Who sends it (required with the shared token; a staff token is its holder).
    #[serde(default)]
    by: Option<String>,
}

/// A person's message to the customer, sent as the dealership (its number, or its address)
/// through the durable outbound queue.
///
/// The compliance gate applies: 409 naming the revocation for an opted-out or revoked contact;
/// 409 with `next_opening` outside the customer's contact window, unless the message answers the
/// customer's own message within `conversational_reply_minutes` (then `conversational: true`).
/// Sending acknowledges the lead's open escalations, marks it contacted and pauses its automation
/// until the conversation goes quiet. 202 when queued; with an `Idempotency-Key` header a replay
/// answers 200 `duplicate: true` and sends nothing.
#[utoipa::path(post, path = "/api/v1/leads/{id}/messages", tag = "messages",
    params(crate::openapi::IdPath,
        ("Idempotency-Key" = Option<String>, Header, description = "A replay with the same key sends nothing more.")),
    request_body = MessageBody, responses(
        (status = 202, description = "Queued.", body = StaffMessageSent),
        (status = 200, description = "Sent before with this `Idempotency-Key`: nothing more was queued.", body = StaffMessageSent),
        (status = 409, description = "The compliance gate refused it (`next_opening` when the window opens again).", body = crate::openapi::ErrorBody)))]
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

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct DraftQuery {
    /// The approved block.
    block: String,
    /// Who signs it (with the shared token; default the lead's owner).
    by: Option<String>,
}

/// An approved block rendered for the lead to edit before sending, signed by the caller (or, with
/// the shared token, by `by` or the lead's owner).
#[utoipa::path(get, path = "/api/v1/leads/{id}/messages/draft", tag = "messages",
    params(crate::openapi::IdPath, DraftQuery),
    responses((status = 200, description = "The draft.", body = Draft)))]
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
