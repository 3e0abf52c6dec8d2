//! The resources, one module each, and the request helpers they share.

pub mod appointments;
pub mod audit;
pub mod channels;
pub mod conversation;
pub mod documents;
pub mod escalations;
pub mod kill_switch;
pub mod leads;
pub mod messages;
pub mod paging;
pub mod reports;
pub mod sandbox;
pub mod tasks;
pub mod touches;
pub mod twilio;
pub mod unsubscribe;
pub mod voice;
pub mod webhooks;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use keepwarm_domain::lead::FieldError;
use keepwarm_domain::LeadId;
use serde::de::DeserializeOwned;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// Whether the process answers: `{"status": "ok"}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    status: &'static str,
}

/// Liveness check: the process answers.
///
/// It says nothing about the database or the providers, so a supervisor restarts the process only
/// when restarting can help; see `/readyz`.
#[utoipa::path(get, path = "/healthz", tag = "meta",
    responses((status = 200, description = "The process answers.", body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// How long `/readyz` waits for the database before calling it unreachable.
const READY_DATABASE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// What `/readyz` answers, ready or not.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ready` or `not_ready`.
    status: &'static str,
    /// `ok`, `failed` or `timeout`.
    database: &'static str,
    /// Each live transport.
    transports: Vec<TransportReadiness>,
    /// Why not ready: the failing part and since when (empty when ready).
    reasons: Vec<String>,
}

/// One transport in `/readyz`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransportReadiness {
    /// `twilio`, `smtp`, `sandbox`.
    transport: String,
    /// `ok` or `down`.
    status: &'static str,
    /// The first failure of the current outage.
    down_since: Option<jiff::Timestamp>,
}

/// Readiness: the database answers and every live transport is up; 503 with the reasons otherwise
/// (no token needed).
///
/// The store runs its migrations when it connects, so a query on the `touches` table answering
/// proves both that the database is reachable and that the schema is in place. The endpoint is
/// unauthenticated: reasons name the failing part and since when, never a provider's error text
/// (which can quote a phone number or an address); those stay in the log and `/api/v1/channels`.
#[utoipa::path(get, path = "/readyz", tag = "meta", responses(
    (status = 200, description = "Ready.", body = Readiness),
    (status = 503, description = "Not ready, with the reasons.", body = Readiness),
))]
pub async fn ready(State(state): State<AppState>) -> Response {
    readiness(&state.engine).await
}

/// `/readyz`'s answer for `engine`'s process (shared with `keepwarm worker`'s probes).
pub(crate) async fn readiness(engine: &keepwarm_engine::Engine) -> Response {
    let mut reasons = Vec::new();
    let store = engine.store();
    let database = match tokio::time::timeout(READY_DATABASE_TIMEOUT, store.next_due_at()).await {
        Ok(Ok(_)) => "ok",
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: the database query failed");
            reasons.push("database: query failed".to_owned());
            "failed"
        }
        Err(_) => {
            reasons.push(format!(
                "database: no answer within {}s",
                READY_DATABASE_TIMEOUT.as_secs()
            ));
            "timeout"
        }
    };
    let transports: Vec<TransportReadiness> = engine
        .channel_health()
        .into_iter()
        .map(|t| {
            if t.status != "ok" {
                reasons.push(match t.down_since {
                    Some(since) => format!("{} is {} since {since}", t.transport, t.status),
                    None => format!("{} is {}", t.transport, t.status),
                });
            }
            TransportReadiness {
                transport: t.transport,
                status: t.status,
                down_since: t.down_since,
            }
        })
        .collect();
    let ready = reasons.is_empty();
    let body = Readiness {
        status: if ready { "ready" } else { "not_ready" },
        database,
        transports,
        reasons,
    };
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
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
