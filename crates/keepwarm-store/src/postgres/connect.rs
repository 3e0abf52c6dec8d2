//! Opening a PostgreSQL store: the URL parsed without ever being echoed, a pool of the configured
//! size, and the embedded migrations applied.
//!
//! Every failure here is one line a person can act on (bad URL, server not reachable, login
//! refused, database missing) and none shows the password: errors are built from the redacted URL
//! and sqlx's message with any occurrence of the password scrubbed out.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::Connection;

use crate::{redact_url, StoreError};

/// How a PostgreSQL store connects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PgSettings {
    /// The most connections the pool opens (each keepwarm process has its own pool; see
    /// docs/postgres.md for the budget across processes).
    pub max_connections: u32,
    /// How long to wait for a connection (from the pool, or a new one to the server).
    pub acquire_timeout: Duration,
}

impl Default for PgSettings {
    fn default() -> Self {
        Self {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(10),
        }
    }
}

/// Opens a pool on `url` and applies the migrations.
pub(super) async fn open(url: &str, settings: PgSettings) -> Result<PgPool, StoreError> {
    let fail = |what: &str, e: &dyn std::fmt::Display| StoreError::Connect {
        url: redact_url(url),
        reason: scrub(url, &format!("{what}: {e}")),
    };
    let options = PgConnectOptions::from_str(url).map_err(|e| fail("invalid URL", &e))?;
    // One connection first: a pool that cannot connect only says it timed out, this says why
    // (refused, unknown host, no such database, login refused).
    let first = tokio::time::timeout(
        settings.acquire_timeout,
        PgConnection::connect_with(&options),
    )
    .await
    .map_err(|_| fail("cannot connect", &"no answer from the server in time"))?
    .map_err(|e| fail("cannot connect", &e))?;
    let _ = first.close().await;
    let pool = PgPoolOptions::new()
        .max_connections(settings.max_connections.max(1))
        .acquire_timeout(settings.acquire_timeout)
        .connect_with(options)
        .await
        .map_err(|e| fail("cannot connect", &e))?;
    sqlx::migrate!("./migrations/postgres")
        .run(&pool)
        .await
        .map_err(|e| fail("migrations failed", &e))?;
    Ok(pool)
}

/// `text` with the URL's password (raw and percent-decoded) replaced by `***`, and on one line.
fn scrub(url: &str, text: &str) -> String {
    let mut out = text.replace(['\n', '\r'], " ");
    if let Ok(parsed) = url::Url::parse(url) {
        if let Some(password) = parsed.password().filter(|p| !p.is_empty()) {
            out = out.replace(password, "***");
            if let Ok(decoded) = percent_decode(password) {
                out = out.replace(&decoded, "***");
            }
        }
    }
    out
}

fn percent_decode(text: &str) -> Result<String, std::string::FromUtf8Error> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| {
            std::str::from_utf8(h)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        });
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out)
}
