//! The probes of a process that serves no API (`keepwarm worker`): `GET /healthz` and
//! `GET /readyz` alone, on a listener of their own, without a token.

use std::future::Future;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use keepwarm_engine::Engine;
use serde::Serialize;
use tokio::net::TcpListener;

/// A worker's liveness.
#[derive(Debug, Serialize)]
struct WorkerHealth {
    /// `ok` while the worker loop runs, `stopping` once it was asked to stop.
    status: &'static str,
    /// Always `worker`.
    role: &'static str,
    /// This worker's name on the leases it takes.
    worker: String,
}

/// The probes' router: `/healthz` and `/readyz`.
pub fn router(engine: Arc<Engine>) -> Router {
    Router::new()
        .route("/healthz", get(health))
        .route("/readyz", get(ready))
        .with_state(engine)
}

/// Serves the probes on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    engine: Arc<Engine>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(engine))
        .with_graceful_shutdown(shutdown)
        .await
}

/// 200 while the worker loop runs; 503 once it is stopping, so a supervisor stops routing to it.
async fn health(State(engine): State<Arc<Engine>>) -> Response {
    let stopping = engine.is_stopping();
    let body = WorkerHealth {
        status: if stopping { "stopping" } else { "ok" },
        role: "worker",
        worker: engine.worker_name().to_owned(),
    };
    let status = if stopping {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    (status, Json(body)).into_response()
}

/// The database and the transports, as `serve`'s `/readyz` answers.
async fn ready(State(engine): State<Arc<Engine>>) -> Response {
    crate::routes::readiness(&engine).await
}
