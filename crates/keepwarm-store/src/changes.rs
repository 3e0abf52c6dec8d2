//! What applying a change set did. The changes themselves are the domain's
//! ([`keepwarm_domain::machine::Change`]); this crate re-exports them so call sites read
//! `keepwarm_store::Change` as before.

pub use keepwarm_domain::machine::{Change, ChangeSet, IfMoved};

/// What applying a change set did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Applied; the escalation it opened, if any.
    Applied {
        /// The escalation's id.
        escalation: Option<i64>,
    },
    /// Its idempotency key was applied before: nothing changed.
    Duplicate,
}
