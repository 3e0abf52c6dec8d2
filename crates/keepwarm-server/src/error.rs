//! The HTTP layer's one error type, and the one place errors become status codes and JSON bodies.
//!
//! Every error body is `{"error": "...", "fields": [{"field", "message"}]?}`. Internal causes are
//! logged with their source chain and answered with a generic 500 message.

use axum::extract::rejection::BytesRejection;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use keepwarm_domain::lead::FieldError;
use keepwarm_engine::EngineError;
use serde_json::json;

/// An API error.
#[derive(Debug)]
pub enum ApiError {
    /// No bearer token, or the wrong one (401).
    Unauthorized,
    /// A webhook's own credential (not the bearer token) is missing or wrong, or the webhook has no
    /// credential configured (401); the message says which and how to give it.
    WebhookUnauthorized(String),
    /// The request is authenticated by a signature that is missing or wrong (403).
    Forbidden(String),
    /// The thing named does not exist (404).
    NotFound(String),
    /// The body or query is well formed but its content is not acceptable (422), per field.
    Validation(Vec<FieldError>),
    /// The request itself is malformed (400).
    BadRequest(String),
    /// A query parameter cannot be read at all (400), per parameter: `?week=2026-W54`.
    BadQuery(Vec<FieldError>),
    /// The request conflicts with the current state (409).
    Conflict(String),
    /// The compliance gate refused a message (409), with when the window next opens.
    Refused {
        /// Why.
        reason: String,
        /// The next opening of the customer's contact window, if it opens again.
        next_opening: Option<jiff::Timestamp>,
    },
    /// A staff token may not do this (403): another person's `by`, a manager's resource.
    NotAllowed(String),
    /// The body is larger than the route accepts (413), with the route's limit in bytes.
    PayloadTooLarge(usize),
    /// The body is not of a type the route accepts (415).
    UnsupportedMediaType(String),
    /// The server is at its limit of concurrent large bodies (503); the client should retry.
    Busy(String),
    /// A provider the request needs is unavailable (503): a call could not be placed.
    Unavailable(String),
    /// Something failed inside keepwarm (500); the message is logged, not returned.
    Internal(String),
}

impl ApiError {
    /// A 422 naming one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }])
    }
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Validation(fields) => ApiError::Validation(fields),
            EngineError::NotFound(what) => ApiError::NotFound(what),
            EngineError::Conflict(why)
            | EngineError::Store(keepwarm_store::StoreError::Conflict(why)) => {
                ApiError::Conflict(why)
            }
            e @ EngineError::Held { .. } => ApiError::Conflict(e.to_string()),
            EngineError::Refused {
                reason,
                next_opening,
            } => ApiError::Refused {
                reason,
                next_opening,
            },
            EngineError::Unavailable(why) => ApiError::Unavailable(why),
            e @ (EngineError::Store(_) | EngineError::Inconsistent(_)) => {
                ApiError::Internal(e.to_string())
            }
        }
    }
}

impl From<keepwarm_channels::ChannelError> for ApiError {
    fn from(e: keepwarm_channels::ChannelError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<keepwarm_store::StoreError> for ApiError {
    fn from(e: keepwarm_store::StoreError) -> Self {
        match e {
            keepwarm_store::StoreError::Conflict(why) => ApiError::Conflict(why),
            e => ApiError::Internal(e.to_string()),
        }
    }
}

impl ApiError {
    /// The error for a body that could not be read on a route accepting at most `limit` bytes.
    pub fn from_body(r: BytesRejection, limit: usize) -> Self {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge(limit)
        } else {
            ApiError::BadRequest(r.body_text())
        }
    }
}

/// For routes under the application-wide limit, [`crate::MAX_BODY`].
impl From<BytesRejection> for ApiError {
    fn from(r: BytesRejection) -> Self {
        ApiError::from_body(r, crate::MAX_BODY)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            ApiError::Unauthorized => {
                let body = json!({"error": "missing or invalid bearer token (Authorization: Bearer $KEEPWARM_API_TOKEN)"});
                return (
                    StatusCode::UNAUTHORIZED,
                    [(header::WWW_AUTHENTICATE, "Bearer")],
                    Json(body),
                )
                    .into_response();
            }
            ApiError::WebhookUnauthorized(why) => {
                return (
                    StatusCode::UNAUTHORIZED,
                    [(header::WWW_AUTHENTICATE, "Basic realm=\"keepwarm webhook\"")],
                    Json(json!({"error": why})),
                )
                    .into_response();
            }
            ApiError::Forbidden(why) => (StatusCode::FORBIDDEN, json!({"error": why})),
            ApiError::NotFound(what) => (
                StatusCode::NOT_FOUND,
                json!({"error": format!("{what} not found")}),
            ),
            ApiError::Validation(fields) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({
                    "error": fields.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "),
                    "fields": fields,
                }),
            ),
            ApiError::BadRequest(why) => (StatusCode::BAD_REQUEST, json!({"error": why})),
            ApiError::BadQuery(fields) => (
                StatusCode::BAD_REQUEST,
                json!({
                    "error": fields.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "),
                    "fields": fields,
                }),
            ),
            ApiError::Conflict(why) => (StatusCode::CONFLICT, json!({"error": why})),
            ApiError::Refused {
                reason,
                next_opening,
            } => (
                StatusCode::CONFLICT,
                json!({"error": reason, "next_opening": next_opening}),
            ),
            ApiError::NotAllowed(why) => (StatusCode::FORBIDDEN, json!({"error": why})),
            ApiError::PayloadTooLarge(limit) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                json!({"error": format!("request body is larger than this route's limit of {limit} bytes")}),
            ),
            ApiError::Unavailable(why) => (StatusCode::SERVICE_UNAVAILABLE, json!({"error": why})),
            ApiError::Busy(why) => {
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(header::RETRY_AFTER, "30")],
                    Json(json!({"error": why})),
                )
                    .into_response();
            }
            ApiError::UnsupportedMediaType(why) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, json!({"error": why}))
            }
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    json!({"error": "internal error; see the server log"}),
                )
            }
        };
        (status, Json(body)).into_response()
    }
}

/// A handler result.
pub type ApiResult<T> = Result<T, ApiError>;
