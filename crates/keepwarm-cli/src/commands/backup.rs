//! `keepwarm backup PATH` and `keepwarm restore PATH`: a consistent copy of the database while
//! `serve` runs, and putting one back while nothing runs on the database.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use keepwarm_store::sqlite::backup;

use super::database::{self, Opening};
use crate::app::Common;

/// Copies the database to `to` (which must not exist) and checks the copy.
pub async fn run_backup(common: &Common, to: &Path) -> anyhow::Result<ExitCode> {
    database::check(&common.db, Opening::Existing)?;
    sqlite_only(&common.db, "backup")?;
    let bytes = backup::backup(&common.db, to).await.with_context(|| {
        format!(
            "backing up {} to {}",
            database::redact(&common.db),
            to.display()
        )
    })?;
    eprintln!(
        "backed up to {} ({bytes} bytes, integrity checked)",
        to.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Replaces the database with the backup `from`, refusing while the database is in use.
pub async fn run_restore(common: &Common, from: &Path) -> anyhow::Result<ExitCode> {
    database::check(&common.db, Opening::CreateIfMissing)?;
    sqlite_only(&common.db, "restore")?;
    if !from.is_file() {
        anyhow::bail!("no backup at {}", from.display());
    }
    backup::restore(from, &common.db).await.with_context(|| {
        format!(
            "restoring {} into {}",
            from.display(),
            database::redact(&common.db)
        )
    })?;
    eprintln!(
        "restored {} into {}; start `keepwarm serve`: touches the backup had in flight are reconciled before anything is sent",
        from.display(),
        database::redact(&common.db)
    );
    Ok(ExitCode::SUCCESS)
}

/// Backup and restore copy a SQLite file; PostgreSQL has its own tools for that.
fn sqlite_only(db: &str, command: &str) -> anyhow::Result<()> {
    if database::is_postgres(db) {
        anyhow::bail!(
            "`keepwarm {command}` copies a SQLite database; for PostgreSQL use pg_dump / pg_restore (docs/postgres.md)"
        );
    }
    Ok(())
}
