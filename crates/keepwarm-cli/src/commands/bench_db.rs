//! Where a `keepwarm bench` figure keeps its data: a SQLite file in a temporary directory, or with
//! `--db postgres://...` a fresh database created on that server for the one figure and dropped
//! after it, so figures never see each other's rows and a rerun never meets a leftover.
//!
//! Only the database lives here; files a figure writes (a CSV export) stay in its own directory.

use anyhow::Context;
use sqlx::{Connection, PgConnection};

use super::database;

/// A figure's database.
pub(super) struct BenchDb {
    url: String,
    /// The server URL to drop the database from, and its name, on PostgreSQL.
    created: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl BenchDb {
    /// A database for the figure `name`: a SQLite file, or a new database `kw_bench_<name>_<pid>`
    /// on the PostgreSQL server of `server` (any database on it the user may connect to).
    pub(super) async fn fresh(server: Option<&str>, name: &str) -> anyhow::Result<Self> {
        let Some(server) = server else {
            let dir = tempfile::tempdir()?;
            let url = format!(
                "sqlite://{}",
                dir.path().join(format!("{name}.db")).display()
            );
            return Ok(Self {
                url,
                created: None,
                _dir: Some(dir),
            });
        };
        anyhow::ensure!(
            database::is_postgres(server),
            "--db takes a postgres:// URL (without it every figure uses a SQLite file)"
        );
        let shown = database::redact(server);
        let database = format!("kw_bench_{}_{}", name.replace('-', "_"), std::process::id());
        let mut url = url::Url::parse(server).with_context(|| format!("--db {shown}"))?;
        url.set_path(&database);
        let mut conn = PgConnection::connect(server)
            .await
            .with_context(|| format!("connecting to {shown}"))?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
            .execute(&mut conn)
            .await?;
        sqlx::query(&format!("CREATE DATABASE {database}"))
            .execute(&mut conn)
            .await
            .with_context(|| format!("creating database {database} on {shown}"))?;
        let _ = conn.close().await;
        Ok(Self {
            url: url.to_string(),
            created: Some((server.to_owned(), database)),
            _dir: None,
        })
    }

    /// The URL to open.
    pub(super) fn url(&self) -> &str {
        &self.url
    }

    /// What the report says the figure ran on.
    pub(super) fn describe(&self) -> &'static str {
        match self.created {
            Some(_) => "postgresql",
            None => "sqlite (file, WAL)",
        }
    }

    /// Drops a PostgreSQL database (with any connection still open to it); a SQLite file goes with
    /// its directory.
    pub(super) async fn remove(self) -> anyhow::Result<()> {
        if let Some((server, database)) = &self.created {
            let mut conn = PgConnection::connect(server).await?;
            sqlx::query(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
                .execute(&mut conn)
                .await
                .with_context(|| format!("dropping the bench database {database}"))?;
            let _ = conn.close().await;
        }
        Ok(())
    }
}
