//! `keepwarm worker`: the dispatcher alone, beside `keepwarm serve --no-worker` processes (or other
//! workers) on the same database, until SIGTERM or Ctrl-C.
//!
//! With `--health-listen` it answers `GET /healthz` (200 while the worker loop runs, 503 once it
//! has stopped) and `GET /readyz` (the database and the transports, as `serve` answers them), for
//! an orchestrator's liveness and readiness probes. Stopping is graceful like `serve`'s: the batch
//! being sent gets `--shutdown-grace` to be recorded, touches whose lease ran out are settled, and
//! the process exits 0; a second signal ends it at once (1).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use keepwarm_engine::worker::spawn_worker;
use keepwarm_engine::SystemClock;

use super::process::{self, Opened, ShutdownSignals};
use super::{database, serve::init_logging};
use crate::app::{Common, LogFormat};

/// `keepwarm worker`'s options.
#[derive(Debug)]
pub struct WorkerArgs<'a> {
    /// Every message to the sandbox outbox.
    pub sandbox_only: bool,
    /// Where to answer `/healthz` and `/readyz`, if anywhere.
    pub health_listen: Option<&'a str>,
    /// How long the current batch gets to be recorded after the signal.
    pub shutdown_grace: Duration,
    /// Text or JSON log lines.
    pub log_format: LogFormat,
    /// The lease on claimed work, when not the built-in ones.
    pub lease: Option<Duration>,
}

/// Runs the dispatcher until SIGTERM or Ctrl-C.
pub async fn run(common: &Common, args: WorkerArgs<'_>) -> anyhow::Result<ExitCode> {
    init_logging(args.log_format);
    let role = process::role(true, args.lease)?;
    let Opened { engine, .. } =
        match process::open(common, args.sandbox_only, Arc::new(SystemClock), role).await? {
            Ok(opened) => opened,
            Err(code) => return Ok(code),
        };
    let mut signals = ShutdownSignals::listen()?;
    let health = match args.health_listen {
        Some(address) => {
            let listener = tokio::net::TcpListener::bind(address)
                .await
                .with_context(|| format!("listening on {address} for health checks"))?;
            Some(listener)
        }
        None => None,
    };
    eprintln!(
        "keepwarm worker {} running (database {}, {}{})",
        engine.worker_name(),
        database::redact(&common.db),
        if args.sandbox_only {
            "sandbox only"
        } else {
            "channels from channels.toml"
        },
        match &health {
            Some(l) => format!(", health at http://{}/healthz", l.local_addr()?),
            None => String::new(),
        }
    );
    let mut worker = spawn_worker(engine.clone());
    let (stop_health, health_stopped) = tokio::sync::oneshot::channel::<()>();
    let health = health.map(|listener| {
        tokio::spawn(keepwarm_server::health::serve(
            listener,
            engine.clone(),
            async {
                let _ = health_stopped.await;
            },
        ))
    });
    let signal = tokio::select! {
        name = signals.next() => name,
        ended = &mut worker => {
            // The loop only ends when asked to stop; anything else is a bug (a panic) to report.
            let _ = stop_health.send(());
            ended.context("the dispatch worker")?;
            return Ok(ExitCode::FAILURE);
        }
    };
    tracing::info!(
        signal,
        grace_seconds = args.shutdown_grace.as_secs_f64(),
        "stopping: finishing the current batch"
    );
    let finished = tokio::select! {
        finished = tokio::time::timeout(args.shutdown_grace, process::stop_worker(&engine, worker)) => finished,
        again = signals.next() => {
            tracing::warn!(signal = again, "second signal: stopping without waiting");
            return Ok(ExitCode::from(1));
        }
    };
    let _ = stop_health.send(());
    if let Some(health) = health {
        let _ = health.await;
    }
    Ok(process::stopped(finished, args.shutdown_grace))
}
