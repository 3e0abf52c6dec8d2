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

/// Why an outcome's write left it out, from what the write answered: the lead's stage or its
/// appointment moved on (a conflict, or nothing changed); other errors stay errors.
pub(crate) fn outcome_moved(
    written: crate::Result<crate::RecordedOutcome>,
) -> crate::Result<Option<String>> {
    match written {
        Ok(r) if r.changed => Ok(None),
        Ok(_) => Ok(Some(
            "the appointment changed meanwhile; try again".to_owned(),
        )),
        Err(crate::StoreError::Conflict(why)) => Ok(Some(why)),
        Err(e) => Err(e),
    }
}

/// The answer to an escalation change whose guarded write found the escalation still
/// unacknowledged on lead `found` (`None`: someone got there first, and nothing of the set may
/// happen, or a person would be told twice).
pub(crate) fn escalation_changed(
    found: Option<keepwarm_domain::LeadId>,
    escalation: i64,
    lead: keepwarm_domain::LeadId,
) -> crate::Result<()> {
    match found {
        Some(of) if of == lead => Ok(()),
        Some(_) => Err(crate::StoreError::NotFound(format!(
            "escalation {escalation} of lead {lead}"
        ))),
        None => Err(crate::StoreError::Conflict(format!(
            "escalation {escalation} was already acknowledged"
        ))),
    }
}

/// The answer to a task completion whose guarded write found the task `open` (or done meanwhile).
pub(crate) fn task_completed(open: bool, task: i64) -> crate::Result<()> {
    if open {
        Ok(())
    } else {
        Err(crate::StoreError::Conflict(format!(
            "task {task} is already done"
        )))
    }
}
