//! What `serve` and `worker` share: opening the configuration, the store, the channels and the
//! engine in a given role, listening for the stop signals, and stopping the worker gracefully.
//!
//! Any number of each role can share one database: claims on due work carry a lease, so which
//! process sends a touch never matters and a dead process's claims come back after its lease.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use keepwarm_engine::{Clock, Engine, WorkerOptions};

use super::channels::{self, ChannelEnv};
use super::{create_store, load};
use crate::app::Common;

/// An engine opened for a process, with what it was built from.
pub struct Opened {
    /// The engine.
    pub engine: Arc<Engine>,
    /// The channel secrets read from the environment.
    pub env: ChannelEnv,
    /// Signs and checks e-mails' unsubscribe links.
    pub signer: keepwarm_email::UnsubscribeSigner,
    /// What `keepwarm check` would report, for the workspace's settings page.
    pub findings: Vec<keepwarm_server::pages::settings::Finding>,
}

/// Loads the configuration, opens the store and the channels, and builds the engine in `role`.
/// A process that dispatches first settles the touches a stopped process left in flight.
/// `Err(code)` when the configuration is refused (already reported).
pub async fn open(
    common: &Common,
    sandbox_only: bool,
    clock: Arc<dyn Clock>,
    role: WorkerOptions,
) -> anyhow::Result<Result<Opened, ExitCode>> {
    let checked = match load(common.config.as_deref()) {
        Ok(c) => c,
        Err(code) => return Ok(Err(code)),
    };
    let env = ChannelEnv::from_env();
    if !sandbox_only && role.dispatches {
        for m in channels::missing(&checked.config, &env) {
            // The transport stays out of the router: its touches wait, and the outage shows in
            // /api/v1/channels; `keepwarm check` reports the same.
            tracing::error!("{m}");
        }
    }
    let findings = super::check_findings(&checked, &env, sandbox_only);
    let store = create_store(&common.db).await?;
    let signer = channels::unsubscribe_signer(&store, &env, clock.now()).await?;
    let channel = channels::build(&checked.config, &store, &env, &signer, sandbox_only)?;
    let engine = Engine::with_role(checked.config, store, channel, clock, role)
        .await
        .context("starting the engine")?;
    if role.dispatches {
        reconcile(&engine).await?;
    }
    Ok(Ok(Opened {
        engine,
        env,
        signer,
        findings,
    }))
}

/// A `--lease` value: at least one second (a shorter lease would run out mid-batch).
pub fn parse_lease(text: &str) -> Result<Duration, String> {
    let lease = crate::app::parse_duration(text)?;
    if lease < Duration::from_secs(1) {
        return Err(format!("`{text}` is shorter than one second"));
    }
    Ok(lease)
}

/// The worker options of a process: `dispatches`, and the `--lease` it was given.
pub fn role(dispatches: bool, lease: Option<Duration>) -> anyhow::Result<WorkerOptions> {
    let lease = lease
        .map(jiff::SignedDuration::try_from)
        .transpose()
        .context("--lease is too long")?;
    Ok(WorkerOptions { dispatches, lease })
}

/// Stops the worker once its current batch is recorded, and settles touches whose lease ran out.
pub async fn stop_worker(
    engine: &Engine,
    worker: tokio::task::JoinHandle<()>,
) -> anyhow::Result<()> {
    // The worker records the batch it is sending, claims no other and ends. Touches it could not
    // settle (a channel that did not answer) stay claimed until their lease runs out, and whichever
    // process runs then reconciles them.
    engine.stop_dispatch();
    worker.await.context("the dispatch worker")?;
    reconcile(engine).await
}

/// Settles touches whose lease ran out (whichever process held them), and logs what it found.
async fn reconcile(engine: &Engine) -> anyhow::Result<()> {
    let found = engine
        .reconcile()
        .await
        .context("settling touches whose lease ran out")?;
    if found.delivered + found.released > 0 {
        tracing::info!(
            delivered = found.delivered,
            released = found.released,
            "settled touches left in flight"
        );
    }
    Ok(())
}

/// The exit code of a graceful stop, logged: 0 when everything finished or the grace ran out
/// (what was cut short is reconciled later), 1 when finishing failed.
pub fn stopped(
    finished: Result<anyhow::Result<()>, tokio::time::error::Elapsed>,
    grace: Duration,
) -> ExitCode {
    match finished {
        Ok(Ok(())) => tracing::info!("stopped cleanly"),
        Ok(Err(e)) => {
            tracing::error!(error = %format!("{e:#}"), "stopping");
            return ExitCode::FAILURE;
        }
        Err(_) => tracing::warn!(
            grace_seconds = grace.as_secs_f64(),
            "the grace ran out; touches still in flight are reconciled by the next worker to start"
        ),
    }
    ExitCode::SUCCESS
}

/// SIGTERM (systemd, Docker, Kubernetes) and SIGINT (Ctrl-C), listened for from before the process
/// says it is running: a signal sent the moment it does must not meet the default, fatal action.
pub struct ShutdownSignals {
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
}

impl ShutdownSignals {
    /// Replaces the default actions of SIGTERM and SIGINT with this listener.
    pub fn listen() -> anyhow::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(Self {
                terminate: signal(SignalKind::terminate()).context("listening for SIGTERM")?,
                interrupt: signal(SignalKind::interrupt()).context("listening for SIGINT")?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Self {})
        }
    }

    /// Waits for the next signal and names it.
    pub async fn next(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.terminate.recv() => "SIGTERM",
                _ = self.interrupt.recv() => "SIGINT",
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            "Ctrl-C"
        }
    }
}
