//! `/api/v1/channels`: which transport carries each kind of message for each dealership, and how
//! each transport is doing (an outage shows here while touches wait for it).

use axum::extract::State;
use axum::Json;
use keepwarm_channels::TransportHealth;
use keepwarm_domain::config::Transport;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::caller::Caller;
use crate::error::ApiResult;
use crate::AppState;

/// The channel routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(channels))
}

/// Every dealership's transports, and each transport's health.
#[derive(Debug, Serialize, ToSchema)]
struct Channels {
    /// Whether every message goes to the sandbox whatever `channels.toml` says.
    sandbox_only: bool,
    /// Each dealership's transports and senders.
    dealerships: Vec<DealershipChannels>,
    /// Each transport's health.
    transports: Vec<TransportHealth>,
}

/// Which transport carries texts, calls and e-mail for one dealership, and from where.
#[derive(Debug, Serialize, ToSchema)]
struct DealershipChannels {
    /// The dealership.
    id: String,
    /// Texts.
    sms: Transport,
    /// Calls.
    voice: Transport,
    /// E-mail.
    email: Transport,
    /// The number texts come from.
    sms_from: Option<String>,
    /// The Twilio messaging service texts go through.
    messaging_service_sid: Option<String>,
    /// The number calls come from.
    caller_id: Option<String>,
    /// The address e-mails come from.
    email_from: Option<String>,
}

/// Which transport (twilio, smtp, sandbox, off) carries texts, calls and e-mail for each
/// dealership (a manager of one dealership: theirs), and each transport's health: an outage shows
/// here while its touches wait.
#[utoipa::path(get, path = "/api/v1/channels", tag = "channels",
    responses((status = 200, description = "The channels.", body = Channels)))]
async fn channels(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Channels>> {
    let config = state.engine.config();
    let dealerships = config
        .dealerships
        .iter()
        .filter(|d| caller.works_for(&d.id))
        .map(|d| {
            let c = config.channels.for_dealership(&d.id);
            DealershipChannels {
                id: d.id.clone(),
                sms: c.sms,
                voice: c.voice,
                email: c.email,
                sms_from: c.sms_from.as_ref().map(|p| p.as_str().to_owned()),
                messaging_service_sid: c.messaging_service_sid.clone(),
                caller_id: c.caller_id.as_ref().map(|p| p.as_str().to_owned()),
                email_from: d.email.as_ref().map(|e| e.as_str().to_owned()),
            }
        })
        .collect();
    Ok(Json(Channels {
        sandbox_only: state.settings.sandbox_only,
        dealerships,
        transports: state.engine.channel_health(),
    }))
}
