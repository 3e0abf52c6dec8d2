//! Staff identities: the personal API tokens a request acts as one person with (issue 13).
//!
//! A token is 256 bits from a cryptographic random source, shown once when it is created; the store
//! keeps only its SHA-256 digest. A token is recognised by looking its digest up, so the lookup's
//! timing tells an attacker nothing about a token they do not hold. A revoked token, or one whose
//! staff member is no longer in `staff.toml`, acts as nobody.

use keepwarm_domain::routing::Staff;
use keepwarm_store::{NewStaffToken, StaffTokenRow};
use sha2::{Digest, Sha256};

use crate::{Engine, EngineError, Result};

/// How every staff token begins, so a token found in a log or a file says what it is.
pub const STAFF_TOKEN_PREFIX: &str = "kws_";

/// Longest token name accepted, in bytes.
const MAX_NAME: usize = 100;

/// A token just created: the token itself (shown once, never kept) and its record.
#[derive(Debug)]
pub struct IssuedToken {
    /// The bearer token.
    pub token: String,
    /// What the store keeps of it.
    pub record: StaffTokenRow,
}

/// The digest the store keeps of a token: lower-case hex SHA-256.
pub fn token_digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A fresh token: the prefix and 256 random bits in hex.
fn fresh_token() -> String {
    let bytes: [u8; 32] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{STAFF_TOKEN_PREFIX}{hex}")
}

impl Engine {
    /// Creates a personal token for staff member `staff`, named `name` (`laptop`).
    pub async fn create_staff_token(&self, staff: &str, name: &str) -> Result<IssuedToken> {
        if self.config().staff_member(staff).is_none() {
            return Err(EngineError::field(
                "staff",
                format!("unknown staff member `{staff}` (staff are listed in staff.toml)"),
            ));
        }
        let name = name.trim();
        if name.is_empty() || name.len() > MAX_NAME || name.chars().any(char::is_control) {
            return Err(EngineError::field(
                "name",
                format!("must be 1 to {MAX_NAME} bytes of printable text"),
            ));
        }
        let token = fresh_token();
        let record = self
            .store()
            .create_staff_token(&NewStaffToken {
                staff_id: staff.to_owned(),
                name: name.to_owned(),
                token_hash: token_digest(&token),
                created_at: self.now(),
            })
            .await?;
        Ok(IssuedToken { token, record })
    }

    /// Staff tokens, oldest first, optionally of one staff member (no token itself is ever shown).
    pub async fn staff_tokens(&self, staff: Option<&str>) -> Result<Vec<StaffTokenRow>> {
        Ok(self.store().staff_tokens(staff).await?)
    }

    /// Revokes a token: from now on it acts as nobody. Revoking a revoked token is a conflict.
    pub async fn revoke_staff_token(&self, id: i64) -> Result<StaffTokenRow> {
        let before = self
            .store()
            .staff_tokens(None)
            .await?
            .into_iter()
            .find(|t| t.id == id)
            .ok_or_else(|| EngineError::NotFound(format!("staff token {id}")))?;
        if let Some(at) = before.revoked_at {
            return Err(EngineError::Conflict(format!(
                "staff token {id} was revoked already, at {at}"
            )));
        }
        self.store()
            .revoke_staff_token(id, self.now())
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("staff token {id}")))
    }

    /// The staff member a bearer token acts as: `None` for an unknown or revoked token, or one
    /// whose holder is no longer on the staff.
    pub async fn staff_for_token(&self, token: &str) -> Result<Option<Staff>> {
        if !token.starts_with(STAFF_TOKEN_PREFIX) {
            return Ok(None);
        }
        let Some(row) = self
            .store()
            .active_staff_token(&token_digest(token))
            .await?
        else {
            return Ok(None);
        };
        Ok(self.config().staff_member(&row.staff_id).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_256_random_bits_and_its_digest_is_not_the_token() {
        let a = fresh_token();
        let b = fresh_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), STAFF_TOKEN_PREFIX.len() + 64);
        let digest = token_digest(&a);
        assert_eq!(digest.len(), 64);
        assert!(!digest.contains(&a[STAFF_TOKEN_PREFIX.len()..]));
        assert_eq!(
            token_digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
