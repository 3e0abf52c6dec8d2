//! keepwarm's HTTP API, as a library: [`router`] builds the axum app and [`serve`] runs it on a
//! listener the caller made (port 0 in tests), so the binary and the tests start the same server.
//!
//! Resources each live in a module with its own `router()`; errors map to responses in one place
//! ([`error::ApiError`]); every `/api/v1` route but the OpenAPI document needs the bearer token.
//! The workspace, the web app staff sign in to, is served at `/` by [`pages`].
#![forbid(unsafe_code)]

pub mod caller;
pub mod error;
pub mod health;
pub mod metrics;
pub mod openapi;
pub mod pages;
pub mod request_id;
mod routes;

use std::future::Future;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::{Extension, Router};
use keepwarm_engine::Engine;
use tokio::net::TcpListener;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::caller::Caller;
use crate::error::ApiError;

/// Largest request body accepted, in bytes.
pub const MAX_BODY: usize = 1024 * 1024;

/// What the server needs besides the engine.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// The bearer token `/api/v1` requires.
    pub api_token: String,
    /// Whether the sandbox routes (clock, outbox, inbound) are mounted.
    pub sandbox: bool,
    /// The shared secret of the lead e-mail webhook; the route is off without one.
    pub email_secret: Option<String>,
    /// Twilio's auth token and the public base URL Twilio calls (`https://keepwarm.example.com`):
    /// the Twilio webhooks are off without both.
    pub twilio: Option<TwilioWebhooks>,
    /// Verifies the `/u/{token}` unsubscribe links e-mails carry; the route refuses every link
    /// without it.
    pub unsubscribe: Option<Arc<keepwarm_email::UnsubscribeSigner>>,
    /// Whether every message goes to the sandbox whatever `channels.toml` says.
    pub sandbox_only: bool,
    /// The bearer token `/metrics` requires (`KEEPWARM_METRICS_TOKEN`); open without one.
    pub metrics_token: Option<String>,
    /// The workspace's sign-in settings (cookies, idle expiry).
    pub workspace: pages::WorkspaceSettings,
}

/// What validating Twilio's webhook signatures needs.
#[derive(Clone)]
pub struct TwilioWebhooks {
    /// The account's auth token (the HMAC key). Never logged.
    pub auth_token: String,
    /// The public base URL Twilio was given, without a trailing slash.
    pub public_url: String,
}

impl std::fmt::Debug for TwilioWebhooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwilioWebhooks")
            .field("auth_token", &"[redacted]")
            .field("public_url", &self.public_url)
            .finish()
    }
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    /// The engine.
    pub engine: Arc<Engine>,
    /// Settings.
    pub settings: Arc<ServerSettings>,
    /// Slots for reading large bodies (lead e-mails): bounds the memory they can take at once.
    pub large_bodies: Arc<tokio::sync::Semaphore>,
    /// What `/metrics` shows.
    pub metrics: Arc<metrics::Metrics>,
    /// The watcher behind the workspace's live updates.
    pub live: Arc<pages::live::LiveFeed>,
}

/// The whole application.
pub fn router(engine: Arc<Engine>, settings: ServerSettings) -> Router {
    let (router, description) = routes(engine, settings).split_for_parts();
    router.layer(Extension(openapi::serve(description)))
}

/// Every route, each registered with its description.
fn routes(engine: Arc<Engine>, settings: ServerSettings) -> OpenApiRouter {
    let metrics = Arc::new(metrics::Metrics::new(engine.telemetry()));
    let state = AppState {
        metrics: metrics.clone(),
        engine,
        settings: Arc::new(settings),
        large_bodies: Arc::new(tokio::sync::Semaphore::new(
            routes::webhooks::MAX_LARGE_BODIES,
        )),
        live: Arc::default(),
    };
    // Dealership-wide resources: the shared token and managers only; each handler keeps a manager
    // of one dealership to that dealership's rows.
    let mut office = OpenApiRouter::new()
        .merge(routes::appointments::router())
        .merge(routes::documents::router())
        .merge(routes::reports::router())
        .merge(routes::audit::router())
        .merge(routes::channels::router())
        .merge(routes::kill_switch::router())
        .merge(routes::compliance::router());
    if state.settings.sandbox {
        // The clock and the outbox are no one dealership's.
        office = office.merge(
            routes::sandbox::router().route_layer(middleware::from_fn(require_all_dealerships)),
        );
    }
    let office = office.route_layer(middleware::from_fn(require_everything));
    // Lead-scoped resources: each handler applies the caller's visibility.
    let api = OpenApiRouter::new()
        .merge(routes::leads::router())
        .merge(routes::messages::router())
        .merge(routes::voice::router())
        .merge(routes::conversation::router())
        .merge(routes::escalations::router())
        .merge(routes::tasks::router())
        .merge(routes::touches::router())
        .merge(office)
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token));
    let api = openapi::require(api, openapi::Security::Bearer);
    let metrics_route = openapi::require(
        OpenApiRouter::new().routes(routes!(metrics::show)),
        openapi::Security::OptionalMetricsBearer,
    );
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(routes::health))
        .routes(routes!(routes::ready))
        .routes(routes!(openapi::document))
        .merge(metrics_route)
        .merge(api)
        .merge(routes::webhooks::router())
        .merge(routes::twilio::router())
        .merge(routes::voice::webhook_router())
        .merge(routes::unsubscribe::router())
        .merge(pages::router().into())
        .fallback(routes::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn_with_state(metrics, metrics::track))
        .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(request_id::span))
        .layer(middleware::from_fn(request_id::assign))
        .with_state(state)
}

/// Serves the application on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    engine: Arc<Engine>,
    settings: ServerSettings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The peer address limits workspace sign-in attempts per address.
    let app =
        router(engine, settings).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

async fn require_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token);
    let caller = match given {
        Some(token) if constant_time_eq(token.as_bytes(), state.settings.api_token.as_bytes()) => {
            Caller::Admin
        }
        Some(token) => match state.engine.staff_for_token(token).await? {
            Some(staff) => Caller::Staff(Box::new(staff)),
            None => return Err(ApiError::Unauthorized),
        },
        None => return Err(ApiError::Unauthorized),
    };
    let mut request = request;
    request.extensions_mut().insert(caller);
    Ok(next.run(request).await)
}

/// Refuses staff tokens that do not see the whole dealership (managers do).
async fn require_everything(
    caller: Caller,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    caller.require_everything()?;
    Ok(next.run(request).await)
}

/// Refuses staff tokens of one dealership (the shared token and group managers pass).
async fn require_all_dealerships(
    caller: Caller,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    caller.require_all_dealerships()?;
    Ok(next.run(request).await)
}

/// The token of an `Authorization: Bearer …` value; the scheme is case-insensitive (RFC 9110).
pub(crate) fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Compares SHA-256 digests in constant time: response time reveals neither how much of a secret
/// matched nor its length.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use sha2::{Digest, Sha256};
    use subtle::ConstantTimeEq;
    Sha256::digest(a).ct_eq(&Sha256::digest(b)).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bearer_scheme_is_read_without_regard_to_case() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer abc"), Some("abc"));
        assert_eq!(bearer_token("BEARER  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
    }

    #[test]
    fn secrets_of_other_lengths_are_unequal_and_equal_ones_equal() {
        assert!(constant_time_eq(b"s3cret", b"s3cret"));
        assert!(!constant_time_eq(b"s3cret", b"s3cre"));
        assert!(!constant_time_eq(b"s3cret", b"s3creT"));
        assert!(!constant_time_eq(b"", b"x"));
    }
}
