//! `keepwarm serve`: the HTTP API and the dispatcher in one process.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use jiff::Timestamp;
use keepwarm_engine::worker::spawn_worker;
use keepwarm_engine::{Clock, Engine, ManualClock, SystemClock};
use keepwarm_server::ServerSettings;

use super::channels::{self, ChannelEnv};
use super::{load, open_store, BAD_INPUT};
use crate::app::Common;

/// Runs the service until Ctrl-C.
pub async fn run(
    common: &Common,
    clock: &str,
    listen: &str,
    sandbox_only: bool,
) -> anyhow::Result<ExitCode> {
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
    init_logging();
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
    let store = open_store(&common.db).await?;
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
        common.db,
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
    };
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    keepwarm_server::serve(listener, engine, settings, shutdown).await?;
    worker.abort();
    Ok(ExitCode::SUCCESS)
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

/// Logs to stderr; `RUST_LOG` overrides the default `info`.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
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
