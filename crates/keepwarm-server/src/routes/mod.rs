//! The resources, one module each, and the request helpers they share.

pub mod appointments;
pub mod audit;
pub mod channels;
pub mod documents;
pub mod escalations;
pub mod leads;
pub mod reports;
pub mod sandbox;
pub mod tasks;
pub mod twilio;
pub mod unsubscribe;
pub mod webhooks;

use axum::body::Bytes;
use axum::http::{header, HeaderMap};
use axum::Json;
use keepwarm_domain::lead::FieldError;
use keepwarm_domain::LeadId;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};

/// `GET /healthz`: the process is up and answering.
pub async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// Anything not routed.
pub async fn not_found() -> ApiError {
    ApiError::NotFound("route".into())
}

/// Refuses bodies that are not JSON by their declared type.
pub fn require_json(headers: &HeaderMap) -> ApiResult<()> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case("application/json") || essence.ends_with("+json") {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType(format!(
            "expected Content-Type: application/json, got `{content_type}`"
        )))
    }
}

/// Parses a JSON body, naming the field path of the first problem.
pub fn parse_json<T: DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> ApiResult<T> {
    require_json(headers)?;
    // serde reads a struct from an array by position; every body here is an object.
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(ApiError::field(".", "expected a JSON object; got an array"));
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        ApiError::Validation(vec![FieldError {
            field: if path.is_empty() { ".".into() } else { path },
            message: e.inner().to_string(),
        }])
    })
}

/// A lead id from a path segment.
pub fn lead_id(raw: &str) -> ApiResult<LeadId> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(LeadId)
        .ok_or_else(|| {
            ApiError::BadRequest(format!("`{raw}` is not a lead id (a positive integer)"))
        })
}
