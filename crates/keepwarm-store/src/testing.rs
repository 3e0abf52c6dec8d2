//! Test support (feature `testing`): a fresh PostgreSQL database per test, dropped afterwards.
//!
//! Tests that need PostgreSQL fail, never skip, when it cannot be reached: CI has one. The server
//! they use is `postgres://root@127.0.0.1:5432/postgres` unless [`PG_ENV`] names another (any
//! database on it that the user may connect to; each test creates its own next to it).

use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::{Connection, PgConnection};

/// The environment variable naming the PostgreSQL server tests use.
pub const PG_ENV: &str = "KEEPWARM_TEST_PG";

/// The server tests use when [`PG_ENV`] is not set.
pub const DEFAULT_PG: &str = "postgres://root@127.0.0.1:5432/postgres";

/// A database created for one test, dropped (with any connections still open) when this is.
#[derive(Debug)]
pub struct TestDatabase {
    /// The URL of the fresh database.
    pub url: String,
    admin: String,
    name: String,
}

impl TestDatabase {
    /// Creates an empty database `kw_test_<unique>` on the test server. Panics, naming the server
    /// (password masked) and [`PG_ENV`], when it cannot: a test that needs PostgreSQL must fail
    /// without it.
    pub async fn create() -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let admin = std::env::var(PG_ENV).unwrap_or_else(|_| DEFAULT_PG.to_owned());
        // Unique across test processes on one server: the process id, a counter, and a random
        // number (std's hash keys are seeded randomly), so reruns never meet a leftover database.
        let random = std::hash::BuildHasher::hash_one(
            &std::collections::hash_map::RandomState::new(),
            COUNTER.load(Ordering::Relaxed),
        );
        let name = format!(
            "kw_test_{}_{}_{:x}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            random & 0xffff_ffff
        );
        let shown = crate::redact_url(&admin);
        let mut url = url::Url::parse(&admin)
            .unwrap_or_else(|e| panic!("{PG_ENV}={shown} is not a URL: {e}"));
        url.set_path(&name);
        let mut conn = PgConnection::connect(&admin).await.unwrap_or_else(|e| {
            panic!("PostgreSQL for tests at {shown} (set {PG_ENV} to use another): {e}")
        });
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("creating the test database on {shown}: {e}"));
        let _ = conn.close().await;
        Self {
            url: url.to_string(),
            admin,
            name,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let admin = self.admin.clone();
        let name = self.name.clone();
        // Drop cannot await, and may run inside a runtime: drop the database from a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut conn = PgConnection::connect(&admin).await.ok()?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await
                    .ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("test database {} was not dropped", self.name);
        }
    }
}
