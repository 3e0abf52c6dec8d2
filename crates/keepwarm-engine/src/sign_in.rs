//! The workspace's sign-in (issue 14): staff passwords and browser sessions.
//!
//! A password is kept as an argon2id hash (the `argon2` crate's defaults: 19 MiB, two passes), set
//! with `keepwarm staff set-password ID`. Signing in with a staff id or e-mail and the password
//! opens a session: a 256-bit random token for the cookie, of which the store keeps only the
//! SHA-256 digest, and a separate random CSRF token every form of the session carries. A session
//! ends when its holder signs out, when it was idle longer than the caller allows, or when the
//! password changes. Attempts are limited per account and per address ([`crate::sign_in_limits`]).

use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use jiff::SignedDuration;
use keepwarm_domain::routing::Staff;
use keepwarm_store::{NewWebSession, WebSessionRow};

use crate::staff_tokens::token_digest;
use crate::{Engine, EngineError, Result};

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted, in bytes (hashing is costly; a megabyte "password" must not be).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// A session just opened.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// Who.
    pub staff: Staff,
    /// The cookie's token (never kept).
    pub token: String,
    /// The session's CSRF token.
    pub csrf_token: String,
}

/// A live session and its holder.
#[derive(Debug, Clone)]
pub struct WebSession {
    /// Who.
    pub staff: Staff,
    /// The stored session.
    pub row: WebSessionRow,
}

/// 256 random bits in hex.
fn random_hex() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The argon2id hash of `password` (PHC string), off the async threads.
async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt_bytes: [u8; 16] = rand::random();
        let salt = SaltString::encode_b64(&salt_bytes)
            .map_err(|e| EngineError::Inconsistent(format!("password salt: {e}")))?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| EngineError::Inconsistent(format!("password hash: {e}")))
    })
    .await
    .map_err(|e| EngineError::Inconsistent(format!("password hashing stopped: {e}")))?
}

/// Whether `password` matches the PHC string `hash`, off the async threads. Without a hash (an
/// unknown login, no password set) a dummy hash is checked so the answer takes as long.
async fn verify_password(password: String, hash: Option<String>) -> Result<bool> {
    // The hash of a random password nobody knows, made once per process.
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    let known = hash.is_some();
    let hash = match hash {
        Some(h) => h,
        None => DUMMY
            .get_or_try_init(|| hash_password(random_hex()))
            .await?
            .clone(),
    };
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash)
            .map_err(|e| EngineError::Inconsistent(format!("stored password hash: {e}")))?;
        Ok(known
            && Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok())
    })
    .await
    .map_err(|e| EngineError::Inconsistent(format!("password check stopped: {e}")))?
}

/// Refuses passwords too short, too long or holding control characters.
fn check_password(password: &str) -> Result<()> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(EngineError::field(
            "password",
            format!("longer than {MAX_PASSWORD_BYTES} bytes"),
        ));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(EngineError::field(
            "password",
            format!("shorter than {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if password.chars().any(char::is_control) {
        return Err(EngineError::field(
            "password",
            "holds a control character (a line break?)",
        ));
    }
    Ok(())
}

impl Engine {
    /// The staff member a login names: their id, or their e-mail address (any case).
    pub fn staff_by_login(&self, login: &str) -> Option<&Staff> {
        let login = login.trim();
        self.config().staff.iter().find(|s| {
            s.id == login
                || s.email
                    .as_ref()
                    .is_some_and(|e| e.as_str().eq_ignore_ascii_case(login))
        })
    }

    /// Sets staff member `staff`'s password (argon2id) and ends their open sessions.
    pub async fn set_staff_password(&self, staff: &str, password: &str) -> Result<()> {
        if self.config().staff_member(staff).is_none() {
            return Err(EngineError::field(
                "staff",
                format!("unknown staff member `{staff}` (staff are listed in staff.toml)"),
            ));
        }
        check_password(password)?;
        let hash = hash_password(password.to_owned()).await?;
        let now = self.now();
        self.store().set_staff_password(staff, &hash, now).await?;
        self.store().end_staff_sessions(staff, now).await?;
        Ok(())
    }

    /// Opens a session for `login` (staff id or e-mail) if `password` is theirs; `None` otherwise,
    /// whichever of the two was wrong.
    pub async fn sign_in(&self, login: &str, password: &str) -> Result<Option<SignedIn>> {
        let staff = self.staff_by_login(login).cloned();
        let hash = match &staff {
            Some(s) => self.store().staff_password(&s.id).await?,
            None => None,
        };
        // An over-long password is no one's (none can be set) but is still checked, against the
        // dummy, so its answer takes as long as any other.
        let (password, hash) = if password.len() > MAX_PASSWORD_BYTES {
            (String::new(), None)
        } else {
            (password.to_owned(), hash)
        };
        let ok = verify_password(password, hash).await?;
        let (Some(staff), true) = (staff, ok) else {
            return Ok(None);
        };
        let token = random_hex();
        let csrf_token = random_hex();
        self.store()
            .create_web_session(&NewWebSession {
                token_hash: token_digest(&token),
                staff_id: staff.id.clone(),
                csrf_token: csrf_token.clone(),
                created_at: self.now(),
            })
            .await?;
        Ok(Some(SignedIn {
            staff,
            token,
            csrf_token,
        }))
    }

    /// The live session of a cookie's token, its idle clock restarted: `None` when unknown, ended,
    /// idle longer than `idle` (it is ended then), or its holder left the staff.
    pub async fn web_session(&self, token: &str, idle: Duration) -> Result<Option<WebSession>> {
        if token.len() != 64 {
            return Ok(None);
        }
        let Some(row) = self.store().web_session(&token_digest(token)).await? else {
            return Ok(None);
        };
        let now = self.now();
        if row.ended_at.is_some() {
            return Ok(None);
        }
        let idle = SignedDuration::try_from(idle).unwrap_or(SignedDuration::MAX);
        if now.duration_since(row.last_seen_at) > idle {
            self.store().end_web_session(row.id, now).await?;
            return Ok(None);
        }
        let Some(staff) = self.config().staff_member(&row.staff_id).cloned() else {
            return Ok(None);
        };
        self.store().touch_web_session(row.id, now).await?;
        Ok(Some(WebSession { staff, row }))
    }

    /// Ends a session (signing out).
    pub async fn sign_out(&self, session_id: i64) -> Result<()> {
        Ok(self.store().end_web_session(session_id, self.now()).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_too_short_too_long_or_with_control_characters_are_refused() {
        // (password, accepted)
        let long = "x".repeat(MAX_PASSWORD_BYTES + 1);
        let cases = [
            ("correct horse battery", true),
            ("short", false),
            ("elevenchars", false),
            ("twelve chars", true),
            (long.as_str(), false),
            ("line\nbreak in the middle", false),
        ];
        for (password, accepted) in cases {
            assert_eq!(check_password(password).is_ok(), accepted, "{password:?}");
        }
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_only_and_no_hash_verifies_nothing() {
        let hash = hash_password("correct horse battery".into())
            .await
            .expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(
            verify_password("correct horse battery".into(), Some(hash.clone()))
                .await
                .expect("verify")
        );
        assert!(!verify_password("correct horse batterY".into(), Some(hash))
            .await
            .expect("verify"));
        assert!(!verify_password("anything".into(), None)
            .await
            .expect("verify"));
    }
}
