//! Records of staff identities: the personal API tokens people act with.
//!
//! The store keeps a token's SHA-256 digest, never the token: it cannot tell anyone's token, only
//! recognise one it is shown.

use jiff::Timestamp;
use serde::Serialize;

/// A token to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStaffToken {
    /// The staff member it acts as.
    pub staff_id: String,
    /// What its holder calls it (`laptop`).
    pub name: String,
    /// Lower-case hex SHA-256 of the token.
    pub token_hash: String,
    /// When it was created.
    pub created_at: Timestamp,
}

/// A kept token, without anything that could be used to act with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffTokenRow {
    /// Id (assigned by the database), used to revoke it.
    pub id: i64,
    /// The staff member it acts as.
    pub staff_id: String,
    /// What its holder calls it.
    pub name: String,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was revoked; a revoked token acts as nobody.
    pub revoked_at: Option<Timestamp>,
}

/// One revocation in force in the consent ledger, as a refusal names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RevocationInForce {
    /// The contact point (E.164 number or lower-cased address).
    pub contact: String,
    /// `all`, `sms`, `call` or `email`.
    pub channel: String,
    /// When it was revoked.
    pub revoked_at: Timestamp,
    /// What the customer said.
    pub words: String,
    /// How it came (`sms reply`, `api`, `carrier error 21610`).
    pub via: String,
}
