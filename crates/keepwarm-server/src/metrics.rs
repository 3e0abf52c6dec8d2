//! `GET /metrics`: the engine's counters, the HTTP layer's request counts and latencies, and the
//! queue and escalation gauges read from the store at scrape time, in the OpenMetrics text format
//! that Prometheus scrapes.
//!
//! HTTP requests are counted by route template (`/api/v1/leads/{id}`), never the raw path: the
//! number of series stays bounded and no id or unsubscribe token becomes a label. The endpoint is
//! open unless `KEEPWARM_METRICS_TOKEN` is set, then it wants `Authorization: Bearer` with it. It
//! must not do anything else: it only reads.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use keepwarm_store::QueueStats;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::error::ApiError;
use crate::AppState;

/// The content type of the answer: OpenMetrics text, which Prometheus asks for and reads.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Every metric `/metrics` shows, registered once when the router is built.
pub struct Metrics {
    registry: Registry,
    http_requests: Family<HttpLabels, Counter>,
    http_duration: Family<RouteLabels, Histogram, fn() -> Histogram>,
    touches_due: Gauge,
    oldest_due_age: Gauge<f64, AtomicU64>,
    outbound_due: Gauge,
    escalations_open: Gauge,
    escalations_breached: Gauge,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    method: String,
    route: String,
    status: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

impl Metrics {
    /// The registry with the engine's metrics and the server's own.
    pub fn new(engine: &keepwarm_engine::telemetry::Telemetry) -> Self {
        let mut registry = Registry::with_prefix("keepwarm");
        engine.register(&mut registry);
        let metrics = Self {
            http_requests: Family::default(),
            http_duration: Family::new_with_constructor(latency_histogram),
            touches_due: Gauge::default(),
            oldest_due_age: Gauge::default(),
            outbound_due: Gauge::default(),
            escalations_open: Gauge::default(),
            escalations_breached: Gauge::default(),
            registry: Registry::default(),
        };
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route template and status",
            metrics.http_requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template",
            metrics.http_duration.clone(),
        );
        registry.register(
            "queue_touches_due",
            "Touches due now and not yet sent (the dispatch backlog)",
            metrics.touches_due.clone(),
        );
        registry.register(
            "queue_oldest_due_age_seconds",
            "How long the oldest due touch has waited past its due time (0 when none waits)",
            metrics.oldest_due_age.clone(),
        );
        registry.register(
            "queue_outbound_due",
            "Staff alerts and confirmations due now and not yet sent",
            metrics.outbound_due.clone(),
        );
        registry.register(
            "escalations_open",
            "Escalations waiting for their first acknowledgement",
            metrics.escalations_open.clone(),
        );
        registry.register(
            "escalations_breached_now",
            "Escalations past their deadline and still unacknowledged",
            metrics.escalations_breached.clone(),
        );
        Self {
            registry,
            ..metrics
        }
    }

    /// Sets the gauges from the store's figures as of `now`.
    fn set_queue(&self, stats: &QueueStats, now: Timestamp) {
        self.touches_due.set(stats.touches_due);
        let age = stats
            .oldest_due_at
            .map_or(0.0, |due| now.duration_since(due).as_secs_f64().max(0.0));
        self.oldest_due_age.set(age);
        self.outbound_due.set(stats.outbound_due);
        self.escalations_open.set(stats.escalations_open);
        self.escalations_breached.set(stats.escalations_breached);
    }

    /// The whole exposition.
    fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut body = String::new();
        prometheus_client::encoding::text::encode(&mut body, &self.registry)?;
        Ok(body)
    }
}

/// Metrics in the OpenMetrics text format (Prometheus reads it): touches by channel and result,
/// queue depth and oldest due age, dispatch lag, escalations, inbound messages by label, provider
/// errors by code, HTTP requests by route and status with latency histograms, intake by source.
///
/// Needs `Authorization: Bearer $KEEPWARM_METRICS_TOKEN` when that is set; open otherwise.
#[utoipa::path(get, path = "/metrics", tag = "meta",
    responses((status = 200, description = "The metrics.", body = String,
        content_type = "application/openmetrics-text")))]
pub async fn show(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = &state.settings.metrics_token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(crate::bearer_token);
        if !given.is_some_and(|g| crate::constant_time_eq(g.as_bytes(), token.as_bytes())) {
            return Err(ApiError::Unauthorized);
        }
    }
    let now = state.engine.now();
    let stats = state.engine.store().queue_stats(now).await?;
    state.metrics.set_queue(&stats, now);
    let body = state
        .metrics
        .encode()
        .map_err(|e| ApiError::Internal(format!("encoding the metrics: {e}")))?;
    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE)], body).into_response())
}

/// Counts and times every request by its route template. Routes that matched nothing count as
/// `unmatched`.
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    let elapsed = started.elapsed().as_secs_f64();
    metrics
        .http_duration
        .get_or_create(&RouteLabels {
            method: method.clone(),
            route: route.clone(),
        })
        .observe(elapsed);
    metrics
        .http_requests
        .get_or_create(&HttpLabels {
            method,
            route,
            status: response.status().as_u16().to_string(),
        })
        .inc();
    response
}
