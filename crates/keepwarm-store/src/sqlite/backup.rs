//! Backing up and restoring the SQLite database file.
//!
//! A backup is SQLite's `VACUUM INTO`: one consistent snapshot, taken while `keepwarm serve` keeps
//! writing (WAL mode lets it), checked with `PRAGMA integrity_check` before it gets its final name.
//! A restore replaces the database file with a checked backup, and only when no process has the
//! database open: switching a WAL database back to a rollback journal needs every other
//! connection closed, so that switch is the test, and the exclusive lock taken right after it
//! keeps anyone from opening the database until the new file is in place.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};

use crate::{Result, StoreError};

/// The file a `sqlite://PATH` URL names (`None` for an in-memory database).
pub fn database_file(url: &str) -> Option<PathBuf> {
    let options = SqliteConnectOptions::from_str(url).ok()?;
    let path = options.get_filename();
    (!url.contains(":memory:") && !path.as_os_str().is_empty()).then(|| path.to_path_buf())
}

async fn open(path: &Path, read_only: bool) -> Result<SqliteConnection> {
    Ok(SqliteConnectOptions::new()
        .filename(path)
        .read_only(read_only)
        .create_if_missing(false)
        .busy_timeout(Duration::ZERO)
        .connect()
        .await?)
}

/// Whether the file is an intact keepwarm database (it has keepwarm's migrations table).
async fn check_copy(path: &Path) -> Result<()> {
    let mut conn = open(path, true).await?;
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await?;
    if check != "ok" {
        return Err(StoreError::Corrupt(format!(
            "{} fails its integrity check: {check}",
            path.display()
        )));
    }
    let migrated: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_one(&mut conn)
    .await?;
    if migrated == 0 {
        return Err(StoreError::Corrupt(format!(
            "{} is not a keepwarm database",
            path.display()
        )));
    }
    conn.close().await?;
    Ok(())
}

/// Writes a consistent copy of the database at `url` to `to` and checks it. Refuses to overwrite
/// an existing file. Returns the copy's size in bytes.
pub async fn backup(url: &str, to: &Path) -> Result<u64> {
    let from = database_file(url)
        .ok_or_else(|| StoreError::Conflict("an in-memory database cannot be backed up".into()))?;
    if to.exists() {
        return Err(StoreError::Conflict(format!(
            "{} already exists; a backup never overwrites a file",
            to.display()
        )));
    }
    let partial = with_suffix(to, "partial");
    let _ = std::fs::remove_file(&partial);
    let mut conn = SqliteConnectOptions::new()
        .filename(&from)
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(10))
        .connect()
        .await?;
    sqlx::query("VACUUM INTO ?")
        .bind(partial.to_string_lossy().into_owned())
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    if let Err(e) = check_copy(&partial).await {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, to).map_err(|e| io(to, &e))?;
    std::fs::metadata(to)
        .map(|m| m.len())
        .map_err(|e| io(to, &e))
}

/// Replaces the database at `url` with the backup `from`. Refuses while any process has the
/// database open (stop `keepwarm serve` first) and when `from` is not an intact keepwarm database.
pub async fn restore(from: &Path, url: &str) -> Result<()> {
    let to = database_file(url)
        .ok_or_else(|| StoreError::Conflict("cannot restore into an in-memory database".into()))?;
    check_copy(from).await?;
    // Held until the new file is in place: nobody opens the database meanwhile.
    let mut guard = None;
    if to.exists() {
        let mut conn = open(&to, false).await?;
        let switched = sqlx::query_scalar::<_, String>("PRAGMA journal_mode = DELETE")
            .fetch_one(&mut conn)
            .await;
        match switched {
            Ok(mode) if mode.eq_ignore_ascii_case("delete") => {}
            _ => {
                return Err(StoreError::Conflict(format!(
                    "{} is in use (is `keepwarm serve` running on it?); stop it, then restore",
                    to.display()
                )))
            }
        }
        sqlx::query("PRAGMA locking_mode = EXCLUSIVE")
            .execute(&mut conn)
            .await?;
        sqlx::query("BEGIN EXCLUSIVE").execute(&mut conn).await?;
        guard = Some(conn);
    }
    let incoming = with_suffix(&to, "restoring");
    std::fs::copy(from, &incoming).map_err(|e| io(&incoming, &e))?;
    std::fs::File::open(&incoming)
        .and_then(|f| f.sync_all())
        .map_err(|e| io(&incoming, &e))?;
    std::fs::rename(&incoming, &to).map_err(|e| io(&to, &e))?;
    for stale in ["wal", "shm"] {
        let _ = std::fs::remove_file(with_suffix(&to, stale));
    }
    // The new file is in rollback-journal mode; `serve` switches it to WAL when it opens it.
    drop(guard);
    Ok(())
}

/// `PATH-suffix`, beside `PATH`.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!("-{suffix}"));
    PathBuf::from(name)
}

fn io(path: &Path, e: &std::io::Error) -> StoreError {
    StoreError::Conflict(format!("{}: {e}", path.display()))
}
