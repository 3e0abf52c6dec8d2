//! `/api/v1/channels`: which transport carries each kind of message for each dealership, and how
//! each transport is doing (an outage shows here while touches wait for it).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::error::ApiResult;
use crate::AppState;

/// The channel routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/channels", get(channels))
}

async fn channels(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let config = state.engine.config();
    let dealerships: Vec<Value> = config
        .dealerships
        .iter()
        .map(|d| {
            let c = config.channels.for_dealership(&d.id);
            json!({
                "id": d.id,
                "sms": c.sms, "voice": c.voice, "email": c.email,
                "sms_from": c.sms_from.as_ref().map(|p| p.as_str()),
                "messaging_service_sid": c.messaging_service_sid,
                "caller_id": c.caller_id.as_ref().map(|p| p.as_str()),
                "email_from": d.email.as_ref().map(|e| e.as_str()),
            })
        })
        .collect();
    Ok(Json(json!({
        "sandbox_only": state.settings.sandbox_only,
        "dealerships": dealerships,
        "transports": state.engine.channel_health(),
    })))
}
