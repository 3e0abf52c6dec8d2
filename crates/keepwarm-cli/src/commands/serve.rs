//! `keepwarm serve`: the HTTP API and the dispatcher in one process (or, with `--no-worker`, the
//! HTTP API alone beside `keepwarm worker` processes), until SIGTERM or Ctrl-C.
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

use super::process::{self, Opened, ShutdownSignals};
use super::{database, BAD_INPUT};
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
    /// HTTP only: no dispatcher in this process.
    pub no_worker: bool,
    /// The lease on claimed work, when not the built-in ones.
    pub lease: Option<Duration>,
}

/// Runs the service until SIGTERM or Ctrl-C.
pub async fn run(common: &Common, args: ServeArgs<'_>) -> anyhow::Result<ExitCode> {
    let ServeArgs {
        clock,
        listen,
        sandbox_only,
        shutdown_grace,
        log_format,
        no_worker,
        lease,
    } = args;
    let clock: Arc<dyn Clock> = match parse_clock(clock) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: --clock: {e}");
            return Ok(ExitCode::from(BAD_INPUT));
        }
    };
    if no_worker && clock.as_manual().is_some() {
        // A manual clock lives in one process: a worker elsewhere could never see it move.
        eprintln!("error: --no-worker needs the system clock (a manual clock lives in one process; drop --clock or --no-worker)");
        return Ok(ExitCode::from(BAD_INPUT));
    }
    init_logging(log_format);
    let role = process::role(!no_worker, lease)?;
    let Opened {
        engine,
        env,
        signer,
        findings,
    } = match process::open(common, sandbox_only, clock, role).await? {
        Ok(opened) => opened,
        Err(code) => return Ok(code),
    };
    // Commands run beside this server on the same database keep its time (`keepwarm reply`).
    engine
        .publish_clock()
        .await
        .context("recording the clock in the database")?;
    let config = engine.config();
    let token = std::env::var("KEEPWARM_API_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty())
        .or_else(|| config.api_token.clone());
    let (token, generated) = match token {
        Some(t) => (t, false),
        None => (random_token()?, true),
    };
    let email_secret = std::env::var("KEEPWARM_EMAIL_SECRET")
        .ok()
        .filter(|t| !t.trim().is_empty())
        .or_else(|| config.email_secret.clone());
    // `/metrics` is open without it: meant for a private network or a proxy that guards it.
    let metrics_token = std::env::var("KEEPWARM_METRICS_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty());
    let twilio = match (&env.twilio_auth_token, &env.public_url) {
        (Some(auth_token), Some(public_url)) => Some(keepwarm_server::TwilioWebhooks {
            auth_token: auth_token.clone(),
            public_url: public_url.clone(),
        }),
        _ => None,
    };
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
        "keepwarm listening on http://{address} (database {}, {}, clock {}, {}, {})",
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
        },
        if no_worker {
            "no worker: `keepwarm worker` processes send"
        } else {
            "worker on"
        }
    );
    if generated {
        eprintln!("API token (set KEEPWARM_API_TOKEN to choose one): {token}");
    }
    let worker = (!no_worker).then(|| spawn_worker(engine.clone()));
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
            if let Some(worker) = &worker {
                worker.abort();
            }
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
    Ok(process::stopped(finished, shutdown_grace))
}

/// Waits for the HTTP server to finish its requests, then stops the dispatcher (if this process
/// runs one) once its current batch is recorded.
async fn finish_in_flight(
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    engine: &Engine,
    worker: Option<tokio::task::JoinHandle<()>>,
) -> anyhow::Result<()> {
    server
        .await
        .context("the HTTP server task")?
        .context("serving HTTP")?;
    match worker {
        Some(worker) => process::stop_worker(engine, worker).await,
        None => Ok(()),
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
