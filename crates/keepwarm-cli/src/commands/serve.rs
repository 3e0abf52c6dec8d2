//! `keepwarm serve`: the HTTP API and the dispatcher in one process, until SIGTERM or Ctrl-C.
//!
//! Stopping is graceful and bounded: on the signal the listener stops accepting, requests in
//! flight and the dispatcher's current batch get `--shutdown-grace` to finish, touches the batch
//! left claimed are settled (sent, or released back to scheduled), and the process exits 0. Past
//! the grace it exits anyway (still 0); a second signal ends it at once (1). Whatever was cut short
//! is reconciled at the next start.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use jiff::Timestamp;
use keepwarm_engine::worker::spawn_worker;
use keepwarm_engine::{Clock, Engine, ManualClock, SystemClock};
use keepwarm_server::ServerSettings;

use super::channels::{self, ChannelEnv};
use super::{create_store, database, load, BAD_INPUT};
use crate::app::{Common, LogFormat};

/// `keepwarm serve`'s own options.
#[derive(Debug)]
pub struct ServeArgs<'a> {
    /// `system` or `manual:RFC3339`.
    pub clock: &'a str,
    /// The address to listen on.
    pub listen: &'a str,
    /// Every message to the sandbox outbox.
    pub sandbox_only: bool,
    /// How long requests and the current batch get to finish after the signal.
    pub shutdown_grace: Duration,
    /// Text or JSON log lines.
    pub log_format: LogFormat,
}

/// Runs the service until SIGTERM or Ctrl-C.
pub async fn run(common: &Common, args: ServeArgs<'_>) -> anyhow::Result<ExitCode> {
    let ServeArgs {
        clock,
        listen,
        sandbox_only,
        shutdown_grace,
        log_format,
    } = args;
    let clock: Arc<dyn Clock> = match parse_clock(clock) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: --clock: {e}");
            return Ok(ExitCode::from(BAD_INPUT));
        }
    };
    let checked = match load(common.config.as_deref()) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    init_logging(log_format);
    let token = std::env::var("KEEPWARM_API_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty())
        .or_else(|| checked.config.api_token.clone());
    let (token, generated) = match token {
        Some(t) => (t, false),
        None => (random_token()?, true),
    };
    let email_secret = std::env::var("KEEPWARM_EMAIL_SECRET")
        .ok()
        .filter(|t| !t.trim().is_empty())
        .or_else(|| checked.config.email_secret.clone());
    // `/metrics` is open without it: meant for a private network or a proxy that guards it.
    let metrics_token = std::env::var("KEEPWARM_METRICS_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty());
    let env = ChannelEnv::from_env();
    let twilio = match (&env.twilio_auth_token, &env.public_url) {
        (Some(auth_token), Some(public_url)) => Some(keepwarm_server::TwilioWebhooks {
            auth_token: auth_token.clone(),
            public_url: public_url.clone(),
        }),
        _ => None,
    };
    if !sandbox_only {
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
    let engine = Engine::new(checked.config, store, channel, clock)
        .await
        .context("starting the engine")?;
    let found = engine
        .reconcile()
        .await
        .context("reconciling touches left in flight")?;
    if found.delivered + found.released > 0 {
        tracing::info!(
            delivered = found.delivered,
            released = found.released,
            "reconciled touches left in flight"
        );
    }
    let mut signals = ShutdownSignals::listen()?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let address = listener.local_addr()?;
    let manual_clock = engine.clock().as_manual().is_some();
    // The sandbox routes (clock, outbox, fake inbound texts) write consent and send confirmations
    // as if a customer had texted: only for a sandbox or simulated run, never beside live channels.
    let sandbox_routes = sandbox_only || manual_clock;
    eprintln!(
        "keepwarm listening on http://{address} (database {}, {}, clock {}, {})",
        database::redact(&common.db),
        if sandbox_only {
            "sandbox only"
        } else {
            "channels from channels.toml"
        },
        if manual_clock { "manual" } else { "system" },
        if sandbox_routes {
            "sandbox routes on at /api/v1/sandbox"
        } else {
            "sandbox routes off: start with --sandbox or --clock manual:… to mount them"
        }
    );
    if generated {
        eprintln!("API token (set KEEPWARM_API_TOKEN to choose one): {token}");
    }
    let worker = spawn_worker(engine.clone());
    let settings = ServerSettings {
        api_token: token,
        sandbox: sandbox_routes,
        email_secret,
        twilio,
        unsubscribe: Some(Arc::new(signer)),
        sandbox_only,
        metrics_token,
        workspace: keepwarm_server::pages::WorkspaceSettings {
            findings,
            ..keepwarm_server::pages::WorkspaceSettings::for_public_url(env.public_url.as_deref())
        },
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let mut server = tokio::spawn(keepwarm_server::serve(
        listener,
        engine.clone(),
        settings,
        async {
            let _ = stopped.await;
        },
    ));
    let signal = tokio::select! {
        name = signals.next() => name,
        served = &mut server => {
            // The server ended without a signal: only an accept error does that.
            worker.abort();
            served.context("the HTTP server task")?.context("serving HTTP")?;
            return Ok(ExitCode::FAILURE);
        }
    };
    tracing::info!(
        signal,
        grace_seconds = shutdown_grace.as_secs_f64(),
        "stopping: no new requests; finishing requests in flight and the current batch"
    );
    let _ = stop.send(());
    let finished = tokio::select! {
        finished = tokio::time::timeout(shutdown_grace, finish_in_flight(server, &engine, worker)) => finished,
        again = signals.next() => {
            // A second Ctrl-C: the operator does not want to wait. Nothing is lost; touches still
            // in flight are reconciled at the next start.
            tracing::warn!(signal = again, "second signal: stopping without waiting");
            return Ok(ExitCode::from(1));
        }
    };
    match finished {
        Ok(Ok(())) => tracing::info!("stopped cleanly"),
        Ok(Err(e)) => {
            tracing::error!(error = %format!("{e:#}"), "stopping");
            return Ok(ExitCode::FAILURE);
        }
        Err(_) => tracing::warn!(
            grace_seconds = shutdown_grace.as_secs_f64(),
            "the grace ran out; touches still in flight are reconciled at the next start"
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// Waits for the HTTP server to finish its requests, stops the dispatcher once its current batch is
/// recorded, and settles touches whose lease ran out.
async fn finish_in_flight(
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    engine: &Engine,
    worker: tokio::task::JoinHandle<()>,
) -> anyhow::Result<()> {
    server
        .await
        .context("the HTTP server task")?
        .context("serving HTTP")?;
    // The worker records the batch it is sending, claims no other and ends. Touches it could not
    // settle (a channel that did not answer) stay claimed until their lease runs out, and whichever
    // process runs then reconciles them.
    engine.stop_dispatch();
    worker.await.context("the dispatch worker")?;
    let found = engine
        .reconcile()
        .await
        .context("settling touches whose lease ran out")?;
    if found.delivered + found.released > 0 {
        tracing::info!(
            delivered = found.delivered,
            released = found.released,
            "settled touches left claimed"
        );
    }
    Ok(())
}

/// SIGTERM (systemd, Docker, Kubernetes) and SIGINT (Ctrl-C), listened for from before the server
/// says it is listening: a signal sent the moment it does must not meet the default, fatal action.
struct ShutdownSignals {
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
}

impl ShutdownSignals {
    /// Replaces the default actions of SIGTERM and SIGINT with this listener.
    fn listen() -> anyhow::Result<Self> {
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
    async fn next(&mut self) -> &'static str {
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

fn parse_clock(text: &str) -> Result<Arc<dyn Clock>, String> {
    if text == "system" {
        return Ok(Arc::new(SystemClock));
    }
    let start = text
        .strip_prefix("manual:")
        .ok_or_else(|| format!("`{text}` is neither `system` nor `manual:RFC3339`"))?;
    let start: Timestamp = start
        .parse()
        .map_err(|e| format!("`{start}` is not an RFC 3339 instant: {e}"))?;
    Ok(Arc::new(ManualClock::new(start)))
}

/// A fresh API token: 256 bits from the operating system's random source, hex.
fn random_token() -> anyhow::Result<String> {
    use rand::TryRngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .context("reading the operating system's random source for an API token")?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("kw_{hex}"))
}

/// Logs to stderr as text (coloured only on a terminal) or JSON lines; `RUST_LOG` overrides the
/// default `info`.
pub fn init_logging(format: LogFormat) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_are_256_random_bits_and_never_repeat() {
        let tokens: Vec<String> = (0..64).map(|_| random_token().unwrap()).collect();
        for t in &tokens {
            assert_eq!(t.len(), 3 + 64, "{t}");
            assert!(t[3..].chars().all(|c| c.is_ascii_hexdigit()), "{t}");
        }
        let distinct: std::collections::HashSet<_> = tokens.iter().collect();
        assert_eq!(distinct.len(), tokens.len());
    }
}
