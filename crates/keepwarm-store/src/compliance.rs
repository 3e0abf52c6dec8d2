//! Records and the store side of the compliance controls that are not part of one lead's change
//! set: the kill switch (per dealership and for every dealership) with its history, and the
//! national do-not-call list with the date of the registry copy it came from.
//!
//! This module only keeps and reads; whether a message may go is the domain's gate
//! (`keepwarm_domain::compliance`), and which held touches a release frees is the engine's call.

use std::collections::HashSet;

use async_trait::async_trait;
use jiff::civil::Date;
use jiff::Timestamp;
use serde::Serialize;

use crate::Result;

pub use keepwarm_domain::compliance::kill_switch::EVERY_DEALERSHIP;

/// A change of a kill switch to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKillSwitch {
    /// The dealership's id, or [`EVERY_DEALERSHIP`].
    pub scope: String,
    /// Engaged (automated messages stop) or released.
    pub engaged: bool,
    /// Why, in the words of the person who flipped it.
    pub reason: String,
    /// Who flipped it (a staff id, `cli`, `api`).
    pub by: String,
    /// When.
    pub at: Timestamp,
}

/// One kept change of a kill switch: the audit trail, and (the latest per scope) the state in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct KillSwitchRow {
    /// Id, in the order the changes were made.
    pub id: i64,
    /// The dealership's id, or `*` for every dealership.
    pub scope: String,
    /// Engaged (automated messages stop) or released.
    pub engaged: bool,
    /// Why.
    pub reason: String,
    /// Who flipped it.
    pub by: String,
    /// When.
    #[schema(value_type = String)]
    pub at: Timestamp,
}

/// A do-not-call registry copy being imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDncImport {
    /// The date of the registry's download.
    pub registry_date: Date,
    /// Where it came from (the file's name).
    pub source: String,
    /// When it was imported.
    pub at: Timestamp,
}

/// The do-not-call list in force: where and when it came from and how many numbers it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DncImportRow {
    /// The date of the registry's download.
    #[schema(value_type = String)]
    pub registry_date: Date,
    /// Where it came from.
    pub source: String,
    /// When it was imported.
    #[schema(value_type = String)]
    pub at: Timestamp,
    /// Numbers on the list (E.164).
    pub numbers: i64,
}

/// One timeline event as the compliance report reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct ComplianceEvent {
    /// The lead.
    pub lead: i64,
    /// When.
    pub at: Timestamp,
    /// The event's kind (`touch_deferred`).
    pub kind: String,
    /// Its data.
    pub data: serde_json::Value,
}

/// The event kinds the compliance report reads (with `touch_sent`, for leads that revoked).
pub const REPORT_KINDS: &str =
    "'touch_deferred', 'touch_held', 'touch_skipped', 'channel_revoked', \
     'opt_out_possible', 'opt_out_hold_confirmed', 'opt_out_hold_released', 'opt_out_confirmed', \
     'consent_restored', 'inbound_message', 'follow_up_stopped', 'received'";

/// The store side of the kill switch and the do-not-call list.
#[async_trait]
pub trait ComplianceStore: Send + Sync + 'static {
    /// Keeps a kill switch change; for a release, in the same transaction, puts the touches that
    /// were held while it was engaged (`held` touches of active leads of the dealerships in
    /// `release`) back to `scheduled` with their due time unchanged, each with a `touch_released`
    /// event saying `note`. Returns how many touches were released.
    async fn set_kill_switch(
        &self,
        change: &NewKillSwitch,
        release: &[String],
        note: &str,
    ) -> Result<u64>;

    /// The latest change of each scope's kill switch (the state in force), by scope.
    async fn kill_switches(&self) -> Result<Vec<KillSwitchRow>>;

    /// The changes of one scope's kill switch (every scope's with `None`), newest first.
    async fn kill_switch_history(
        &self,
        scope: Option<&str>,
        limit: u32,
    ) -> Result<Vec<KillSwitchRow>>;

    /// Starts an import of a do-not-call registry copy; its numbers are added with
    /// [`ComplianceStore::add_dnc_numbers`] and take effect only at
    /// [`ComplianceStore::finish_dnc_import`], so an import that fails half way changes nothing.
    async fn start_dnc_import(&self, import: &NewDncImport) -> Result<i64>;

    /// Adds a chunk of numbers (10-digit North American numbers) to an unfinished import.
    async fn add_dnc_numbers(&self, import: i64, numbers: &[i64]) -> Result<()>;

    /// Makes an import the list in force, in one transaction (the previous list is removed), and
    /// returns how many distinct numbers it holds.
    async fn finish_dnc_import(&self, import: i64) -> Result<i64>;

    /// Removes an unfinished import and its numbers (it failed); the list in force is untouched.
    async fn abandon_dnc_import(&self, import: i64) -> Result<()>;

    /// Which of `numbers` (E.164) are on the do-not-call list in force.
    async fn dnc_listed(&self, numbers: &[String]) -> Result<HashSet<String>>;

    /// The timeline events of `dealership`'s leads in `[from, to)` that the compliance report reads:
    /// deferrals, holds, skips, revocations, opt-out holds and confirmations, new leads
    /// (`received`, for consent coverage), the touches sent to leads that revoked a channel, and
    /// the touches whose recorded consent basis differs from the one required. Oldest first.
    async fn compliance_events(
        &self,
        dealership: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<ComplianceEvent>>;

    /// The do-not-call list in force, if one was ever imported.
    async fn dnc_import(&self) -> Result<Option<DncImportRow>>;
}

/// The do-not-call list's key for an E.164 number: its 10 national digits, for North American
/// numbers only (the registry's numbers); `None` for any other.
pub fn dnc_key(e164: &str) -> Option<i64> {
    let digits = e164.strip_prefix("+1")?;
    (digits.len() == 10 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}
