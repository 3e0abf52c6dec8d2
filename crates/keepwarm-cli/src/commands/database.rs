//! The `--db` URL before anything connects to it: which backend it names (SQLite or PostgreSQL),
//! whether a SQLite file must already exist, and how to show it without its password.
//!
//! Only `serve` and `ingest` (and `bench`, on its own temporary files) may create a database; every
//! other command reads one, and a typo in its path must be an error, not a fresh empty database
//! that prints an empty report. Nothing here may print a URL's password: errors name the scheme.

use std::path::PathBuf;

/// Whether the database may be created when its file is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opening {
    /// A reading command: the file must exist.
    Existing,
    /// `serve` and `ingest`: a missing file is created (and migrated).
    CreateIfMissing,
}

/// Why a `--db` URL is refused before connecting.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DatabaseUrlError {
    /// The URL names a backend keepwarm does not have (only the scheme is shown).
    #[error(
        "--db: unsupported database `{scheme}:` URL (expected sqlite://PATH, sqlite::memory: or postgres://USER@HOST/DB)"
    )]
    UnsupportedScheme {
        /// What came before the first `:`.
        scheme: String,
    },
    /// A reading command was given a database file that does not exist.
    #[error(
        "--db: no database at {path} (check the path; `keepwarm serve` and `keepwarm ingest` create one)"
    )]
    Missing {
        /// The file the URL names.
        path: String,
    },
}

/// Whether `url` names a PostgreSQL database.
pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// Checks `url` names a supported backend and, for [`Opening::Existing`] on SQLite, a file that
/// exists (a PostgreSQL database is looked for when connecting).
pub fn check(url: &str, opening: Opening) -> Result<(), DatabaseUrlError> {
    if is_postgres(url) {
        return Ok(());
    }
    let Some(rest) = url.strip_prefix("sqlite:") else {
        return Err(DatabaseUrlError::UnsupportedScheme {
            scheme: scheme_of(url),
        });
    };
    if opening == Opening::CreateIfMissing {
        return Ok(());
    }
    match sqlite_file(rest) {
        Some(path) if !path.exists() => Err(DatabaseUrlError::Missing {
            path: path.display().to_string(),
        }),
        _ => Ok(()),
    }
}

/// The URL as it may be shown: a password (`user:secret@`) becomes `user:***@`.
pub fn redact(url: &str) -> String {
    keepwarm_store::redact_url(url)
}

/// The scheme of a URL, or a placeholder when there is none; never any part after the `:`.
fn scheme_of(url: &str) -> String {
    match url.split_once(':') {
        Some((scheme, _))
            if !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            scheme.to_owned()
        }
        _ => "(none)".to_owned(),
    }
}

/// The file a `sqlite:` URL (without its scheme) names; `None` for an in-memory database.
fn sqlite_file(rest: &str) -> Option<PathBuf> {
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let path = path.strip_prefix("//").unwrap_or(path);
    let in_memory =
        path.is_empty() || path == ":memory:" || query.split('&').any(|pair| pair == "mode=memory");
    (!in_memory).then(|| PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_urls_are_accepted_for_every_command() {
        for url in [
            "postgres://user:secret@db.example.com/keepwarm",
            "postgresql://db.example.com:5433/keepwarm?sslmode=require",
        ] {
            assert_eq!(check(url, Opening::Existing), Ok(()), "{url}");
            assert_eq!(check(url, Opening::CreateIfMissing), Ok(()), "{url}");
        }
    }

    #[test]
    fn an_unknown_scheme_is_refused_by_its_scheme_without_the_password() {
        let err = check(
            "mysql://user:secret@db.example.com/keepwarm",
            Opening::CreateIfMissing,
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("`mysql:`"), "{text}");
        assert!(!text.contains("secret"), "{text}");
        assert!(!text.contains("user"), "{text}");
    }

    #[test]
    fn a_url_without_a_scheme_is_refused_without_echoing_it() {
        let text = check("user:secret@host", Opening::Existing)
            .unwrap_err()
            .to_string();
        assert!(!text.contains("secret"), "{text}");
    }

    #[test]
    fn a_reading_command_refuses_a_missing_file_and_creating_ones_accept_it() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let url = format!("sqlite://{}", dir.path().join("nothere.db").display());
        assert!(matches!(
            check(&url, Opening::Existing),
            Err(DatabaseUrlError::Missing { .. })
        ));
        assert_eq!(check(&url, Opening::CreateIfMissing), Ok(()));
    }

    #[test]
    fn in_memory_databases_never_need_a_file() {
        for url in [
            "sqlite::memory:",
            "sqlite://:memory:",
            "sqlite://x.db?mode=memory",
        ] {
            assert_eq!(check(url, Opening::Existing), Ok(()), "{url}");
        }
    }

    #[test]
    fn an_existing_file_is_found_with_or_without_slashes_and_options() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join("k.db");
        std::fs::write(&file, b"").unwrap_or_else(|e| panic!("{e}"));
        for url in [
            format!("sqlite://{}", file.display()),
            format!("sqlite:{}", file.display()),
            format!("sqlite://{}?mode=rwc", file.display()),
        ] {
            assert_eq!(check(&url, Opening::Existing), Ok(()), "{url}");
        }
    }

    #[test]
    fn redaction_hides_only_the_password() {
        assert_eq!(
            redact("postgres://user:secret@host:5432/db?sslmode=require"),
            "postgres://user:***@host:5432/db?sslmode=require"
        );
        assert_eq!(redact("postgres://host/db"), "postgres://host/db");
        assert_eq!(redact("sqlite://keepwarm.db"), "sqlite://keepwarm.db");
        assert_eq!(redact("sqlite::memory:"), "sqlite::memory:");
    }
}
