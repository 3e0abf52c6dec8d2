//! The SQLite backend (sqlx), the embedded default.
//!
//! One writer connection and a small pool of readers: SQLite allows one writer at a time anyway, and a
//! single writer connection means transactions never fail to upgrade from read to write. WAL journal
//! with `synchronous = NORMAL`: a committed transaction survives the process being killed at any
//! instant (only a power loss can drop the last commits). `sqlite::memory:` uses the writer for
//! reads too, since each in-memory connection would otherwise be its own database.

use crate::rows::task_row;
use crate::rows::{cadence_version_row, touch_row};
use keepwarm_domain::machine::applied::{self, LatestEvent};
use keepwarm_domain::timeline::{TaskCreated, TouchScheduled};
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use jiff::Timestamp;
use keepwarm_domain::routing::{choose_round_robin, OwnerChoice};
use std::collections::{HashMap, HashSet};

use keepwarm_domain::dedupe::MatchCandidate;
use keepwarm_domain::{EmailAddress, LeadId, PhoneNumber, Stage, TimelineEvent};
use serde_json::Value;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite, Transaction};

use crate::outcomes::*;
use crate::records::*;
use crate::views::*;
use crate::{Agenda, ChangeSets, Page, ReadModel, Result, StoreError, WorkQueue};
use crate::{Applied, ChangeSet, ConversationEntry, NewOutbound, OutboundFinish, OutboundRow};

mod apply;
mod audit;
pub mod backup;
mod channels;
mod claims;
pub(crate) use claims::sends_by_phone;
mod compliance;
mod conversation;
mod coordination;
mod create;
mod duplicates;
mod escalations;
mod followthrough;
mod ids;
mod intake;
mod inventory;
mod kinds;
mod metrics;
mod outbound;
mod outcomes;
mod pages;
mod people;
#[cfg(test)]
mod plans;
pub(crate) mod read;
mod report;
mod staff;
mod workspace;
mod write;

/// The pools a [`SqliteStore`] works through: one writer connection, and readers (the writer itself
/// for an in-memory database).
#[derive(Debug, Clone)]
pub struct SqlitePools {
    /// Every write, and reads that must see the latest write.
    pub writer: SqlitePool,
    /// Other reads.
    pub reader: SqlitePool,
}

/// The SQLite store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` and applies the migrations.
    pub async fn connect(url: &str) -> Result<Self> {
        let memory = url.contains(":memory:") || url.contains("mode=memory");
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(if memory {
                SqliteJournalMode::Memory
            } else {
                SqliteJournalMode::Wal
            })
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
            // Deleted content is overwritten, not left in free pages: erasure and retention
            // (keepwarm-store's `people`) must not leave people's data readable in the file.
            .pragma("secure_delete", "ON");
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options.clone())
            .await?;
        migrate(&writer).await?;
        let reader = if memory {
            writer.clone()
        } else {
            SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options)
                .await?
        };
        Ok(Self { writer, reader })
    }

    /// Closes both pools, waiting for connections to finish.
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }

    async fn fetch_leads(&self, ids: &[i64]) -> Result<Vec<LeadRow>> {
        read::fetch_leads(&self.reader, ids).await
    }

    /// A write transaction holding SQLite's write lock from the start, so it never fails half-way
    /// on a lock upgrade when another process writes the same file.
    pub(crate) async fn write_tx(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
    }
}

/// Applies the embedded migrations with foreign keys off, then checks every reference.
///
/// A migration that rebuilds a table others reference (SQLite's only way to change a column's
/// definition) must drop the old table while rows still point at it; SQLite allows that only with
/// foreign keys off, which a migration's own transaction cannot switch. So they are off for the
/// migrations and the whole database is checked once they are in.
async fn migrate(writer: &SqlitePool) -> Result<()> {
    let mut conn = writer.acquire().await?;
    // The number of migrations in force; none on a new database, which has no such table yet.
    let applied = "SELECT COUNT(*) FROM _sqlx_migrations";
    let before: i64 = sqlx::query_scalar(applied)
        .fetch_one(&mut *conn)
        .await
        .unwrap_or(0);
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&mut *conn)
        .await?;
    let migrated = sqlx::migrate!("./migrations/sqlite").run(&mut *conn).await;
    sqlx::query("PRAGMA foreign_keys = ON")
        .execute(&mut *conn)
        .await?;
    migrated?;
    let after: i64 = sqlx::query_scalar(applied).fetch_one(&mut *conn).await?;
    if after == before {
        return Ok(());
    }
    let broken: Vec<(String, Option<i64>)> =
        sqlx::query_as("SELECT \"table\", rowid FROM pragma_foreign_key_check")
            .fetch_all(&mut *conn)
            .await?;
    match broken.first() {
        None => Ok(()),
        Some((table, row)) => Err(StoreError::Corrupt(format!(
            "{} rows point at missing rows after the migrations, the first in {table} (row {})",
            broken.len(),
            row.unwrap_or_default()
        ))),
    }
}

pub(crate) fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

pub(crate) fn ts(ms: i64) -> Result<Timestamp> {
    Timestamp::from_millisecond(ms).map_err(|e| StoreError::Corrupt(format!("instant {ms}: {e}")))
}

pub(crate) fn opt_ts(ms: Option<i64>) -> Result<Option<Timestamp>> {
    ms.map(ts).transpose()
}

pub(crate) fn word<T: FromStr<Err = String>>(text: &str) -> Result<T> {
    text.parse().map_err(StoreError::Corrupt)
}

fn id_list(ids: &[i64]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

pub(super) async fn insert_events(
    tx: &mut Transaction<'_, Sqlite>,
    events: &[(LeadId, &NewEvent)],
) -> Result<()> {
    // SQLite allows 32766 bound parameters; four per row.
    for chunk in events.chunks(2000) {
        let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO events (lead_id, at, kind, data) ");
        q.push_values(chunk, |mut b, (lead, e)| {
            b.push_bind(lead.0)
                .push_bind(ms(e.at))
                .push_bind(e.event.kind())
                .push_bind(e.event.data().to_string());
        });
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

pub(super) async fn insert_touch(
    tx: &mut Transaction<'_, Sqlite>,
    lead: LeadId,
    enrollment: i64,
    touch: &NewTouch,
    at: Timestamp,
    held: bool,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO touches (enrollment_id, lead_id, step_index, channel, block, target_at, due_at, state)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(enrollment)
    .bind(lead.0)
    .bind(touch.step_index as i64)
    .bind(touch.channel.as_str())
    .bind(&touch.block)
    .bind(ms(touch.target_at))
    .bind(ms(touch.due_at))
    .bind(if held { "held" } else { "scheduled" })
    .fetch_one(&mut **tx)
    .await?;
    let event = NewEvent::new(at, touch_scheduled(id, touch, held));
    insert_events(tx, &[(lead, &event)]).await?;
    Ok(id)
}

pub(super) async fn insert_task(
    tx: &mut Transaction<'_, Sqlite>,
    lead: LeadId,
    task: &NewTask,
    at: Timestamp,
) -> Result<()> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO tasks (lead_id, owner_id, kind, touch_id, due_at, status, body, created_at)
         VALUES (?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id",
    )
    .bind(lead.0)
    .bind(&task.owner_id)
    .bind(&task.kind)
    .bind(task.touch_id)
    .bind(ms(task.due_at))
    .bind(&task.body)
    .bind(ms(at))
    .fetch_one(&mut **tx)
    .await?;
    let event = NewEvent::new(at, task_created(id, task));
    insert_events(tx, &[(lead, &event)]).await
}

/// The `touch_scheduled` event of touch `id`.
pub(crate) fn touch_scheduled(id: i64, touch: &NewTouch, held: bool) -> TimelineEvent {
    TimelineEvent::TouchScheduled(TouchScheduled {
        touch_id: id,
        step: touch.step_index + 1,
        channel: touch.channel,
        block: touch.block.clone(),
        target_at: touch.target_at,
        due_at: touch.due_at,
        held,
    })
}

/// The `task_created` event of task `id`.
pub(crate) fn task_created(id: i64, task: &NewTask) -> TimelineEvent {
    TimelineEvent::TaskCreated(TaskCreated {
        task_id: id,
        kind: task.kind.clone(),
        owner: task.owner_id.clone(),
        due_at: task.due_at,
    })
}

/// Pauses an active lead inside `tx`: waiting touches are held. Returns whether it was active.
async fn pause_in(
    tx: &mut Transaction<'_, Sqlite>,
    lead: LeadId,
    reason: &str,
    actor: &str,
    at: Timestamp,
) -> Result<bool> {
    let changed =
        sqlx::query("UPDATE leads SET status = 'paused' WHERE id = ? AND status = 'active'")
            .bind(lead.0)
            .execute(&mut **tx)
            .await?
            .rows_affected();
    if changed == 0 {
        return Ok(false);
    }
    let held =
        sqlx::query("UPDATE touches SET state = 'held' WHERE lead_id = ? AND state = 'scheduled'")
            .bind(lead.0)
            .execute(&mut **tx)
            .await?
            .rows_affected();
    sqlx::query("UPDATE enrollments SET status = 'paused' WHERE lead_id = ? AND status = 'active'")
        .bind(lead.0)
        .execute(&mut **tx)
        .await?;
    let event = applied::paused(reason, actor, held, at);
    insert_events(tx, &[(lead, &event)]).await?;
    Ok(true)
}

/// Ends a lead's follow-up inside `tx`: a running (active or paused) follow-up becomes `stopped`,
/// waiting touches are cancelled, open enrollments end; with `opt_out` the lead is also marked
/// opted out, whatever its status. Records `follow_up_stopped` when anything changed.
async fn stop_in(
    tx: &mut Transaction<'_, Sqlite>,
    lead: LeadId,
    reason: &str,
    actor: &str,
    at: Timestamp,
    opt_out: bool,
) -> Result<()> {
    if opt_out {
        sqlx::query("UPDATE leads SET opted_out = 1 WHERE id = ?")
            .bind(lead.0)
            .execute(&mut **tx)
            .await?;
    }
    let stopped = sqlx::query(
        "UPDATE leads SET status = 'stopped', stop_reason = ? WHERE id = ? AND status IN ('active', 'paused')",
    )
    .bind(reason)
    .bind(lead.0)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    let cancelled = sqlx::query(
        "UPDATE touches SET state = 'cancelled', detail = ?, finished_at = ?
         WHERE lead_id = ? AND state IN ('scheduled', 'held')",
    )
    .bind(reason)
    .bind(ms(at))
    .bind(lead.0)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    sqlx::query(
        "UPDATE enrollments SET status = 'stopped', ended_at = ?, end_reason = ?
         WHERE lead_id = ? AND ended_at IS NULL",
    )
    .bind(ms(at))
    .bind(reason)
    .bind(lead.0)
    .execute(&mut **tx)
    .await?;
    if let Some(event) = applied::stopped(reason, actor, opt_out, stopped, cancelled, at) {
        insert_events(tx, &[(lead, &event)]).await?;
    }
    Ok(())
}

#[async_trait]
impl ChangeSets for SqliteStore {
    async fn rotate_owner(
        &self,
        team: &str,
        members: &[(String, bool)],
    ) -> Result<Option<OwnerChoice>> {
        Ok(self.rotate_owners(team, members, 1).await?.pop())
    }

    async fn rotate_owners(
        &self,
        team: &str,
        members: &[(String, bool)],
        count: usize,
    ) -> Result<Vec<OwnerChoice>> {
        let mut tx = self.write_tx().await?;
        let mut last: Option<String> =
            sqlx::query_scalar("SELECT last_owner FROM routing_cursors WHERE team = ?")
                .bind(team)
                .fetch_optional(&mut *tx)
                .await?;
        let mut choices = Vec::with_capacity(count);
        for _ in 0..count {
            let Some(choice) = choose_round_robin(members, last.as_deref()) else {
                break;
            };
            last = Some(choice.owner.clone());
            choices.push(choice);
        }
        if let Some(owner) = &last {
            sqlx::query(
                "INSERT INTO routing_cursors (team, last_owner) VALUES (?, ?)
                 ON CONFLICT (team) DO UPDATE SET last_owner = excluded.last_owner",
            )
            .bind(team)
            .bind(owner)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(choices)
    }

    async fn save_cadence_version(&self, v: &NewCadenceVersion) -> Result<()> {
        sqlx::query(
            "INSERT INTO cadence_versions (name, version, label, snapshot, created_at)
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (name, version) DO NOTHING",
        )
        .bind(&v.name)
        .bind(&v.version)
        .bind(&v.label)
        .bind(&v.snapshot)
        .bind(ms(v.at))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn create_lead(&self, new: &NewLeadRecord) -> Result<CreatedLead> {
        match self.create_leads(std::slice::from_ref(new)).await?.pop() {
            Some(LeadCreation::Created(created)) => Ok(created),
            Some(LeadCreation::Matched(lead)) => Err(StoreError::Conflict(format!(
                "matched existing lead {lead}"
            ))),
            None => Err(StoreError::Corrupt("no lead was created".into())),
        }
    }

    async fn create_leads(&self, records: &[NewLeadRecord]) -> Result<Vec<LeadCreation>> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.write_tx().await?;
        let created = create::create_leads(&mut tx, records).await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn lead_stages_with_phone(&self, phone: &PhoneNumber) -> Result<Vec<(LeadId, Stage)>> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT DISTINCT l.id, l.stage FROM leads l JOIN lead_contacts c ON c.lead_id = l.id
             WHERE c.kind = 'phone' AND c.usable = 1 AND c.value = ?",
        )
        .bind(phone.as_str())
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter()
            .map(|(id, stage)| Ok((LeadId(id), word(&stage)?)))
            .collect()
    }

    async fn lead(&self, id: LeadId) -> Result<Option<LeadRow>> {
        Ok(self.fetch_leads(&[id.0]).await?.pop())
    }

    async fn tasks(&self, owner: Option<&str>) -> Result<Vec<TaskRow>> {
        let rows = sqlx::query(
            "SELECT * FROM tasks WHERE (?1 IS NULL OR owner_id = ?1)
             ORDER BY status = 'done', due_at, id",
        )
        .bind(owner)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(task_row).collect()
    }

    async fn touch(&self, id: i64) -> Result<Option<TouchRow>> {
        channels::touch(self, id).await
    }

    async fn task(&self, id: i64) -> Result<Option<TaskRow>> {
        channels::task(self, id).await
    }

    async fn escalation(&self, id: i64) -> Result<Option<EscalationRow>> {
        escalations::one(&self.writer, id).await
    }

    async fn escalations(&self, status: Option<&str>) -> Result<Vec<EscalationRow>> {
        escalations::list(&self.reader, status).await
    }

    async fn appointment(&self, id: i64) -> Result<Option<AppointmentRow>> {
        outcomes::appointment(&self.reader, id).await
    }

    async fn latest_appointment(&self, lead: LeadId) -> Result<Option<AppointmentRow>> {
        outcomes::latest_appointment(&self.reader, lead).await
    }

    async fn held_touches(&self, lead: LeadId) -> Result<Vec<TouchRow>> {
        sqlx::query("SELECT * FROM touches WHERE lead_id = ? AND state = 'held' ORDER BY id")
            .bind(lead.0)
            .fetch_all(&self.writer)
            .await?
            .iter()
            .map(touch_row)
            .collect()
    }

    fn pools(&self) -> crate::Pools {
        crate::Pools::Sqlite(SqlitePools {
            writer: self.writer.clone(),
            reader: self.reader.clone(),
        })
    }

    async fn service_key(&self, name: &str, candidate: &str, now: Timestamp) -> Result<String> {
        channels::service_key(self, name, candidate, now).await
    }

    async fn record_engine_clock(&self, manual: Option<Timestamp>) -> Result<()> {
        channels::record_engine_clock(self, manual).await
    }

    async fn engine_clock(&self) -> Result<Option<Timestamp>> {
        channels::engine_clock(&self.writer).await
    }

    async fn last_event_at(&self, lead: LeadId, kinds: &[&str]) -> Result<Option<Timestamp>> {
        let at: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(at) FROM events WHERE lead_id = ? AND kind IN (SELECT value FROM json_each(?))",
        )
        .bind(lead.0)
        .bind(serde_json::to_string(kinds).unwrap_or_else(|_| "[]".into()))
        .fetch_one(&self.writer)
        .await?;
        opt_ts(at)
    }

    async fn revoke_consent(&self, revocation: &Revocation) -> Result<bool> {
        let mut tx = self.write_tx().await?;
        let fresh = intake::revoke_consent(&mut tx, revocation).await?;
        tx.commit().await?;
        Ok(fresh)
    }

    async fn revoked_channels(&self, contacts: &[String]) -> Result<HashMap<String, Vec<String>>> {
        intake::revoked_channels(&self.writer, contacts).await
    }

    async fn replace_inventory(
        &self,
        dealership: &str,
        items: &[(String, bool)],
        now: Timestamp,
    ) -> Result<()> {
        inventory::replace_inventory(&self.writer, dealership, items, now).await
    }

    async fn available_stock(
        &self,
        dealership: &str,
        keys: &[String],
    ) -> Result<std::collections::HashSet<String>> {
        inventory::available_stock(&self.reader, dealership, keys).await
    }

    async fn leads_with_phone(&self, phone: &PhoneNumber) -> Result<Vec<LeadId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT lead_id FROM lead_contacts WHERE kind = 'phone' AND value = ? AND usable = 1 ORDER BY lead_id",
        )
        .bind(phone.as_str())
        .fetch_all(&self.writer)
        .await?;
        Ok(ids.into_iter().map(LeadId).collect())
    }

    async fn find_matches(
        &self,
        dealership: &str,
        inquiries: &[(Vec<PhoneNumber>, Vec<EmailAddress>)],
    ) -> Result<Vec<Option<MatchCandidate>>> {
        intake::find_matches(&self.writer, dealership, inquiries).await
    }

    async fn store_document(&self, document: &NewDocument) -> Result<i64> {
        intake::store_document(&self.writer, document).await
    }

    async fn store_documents(&self, documents: &[NewDocument]) -> Result<Vec<i64>> {
        if documents.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.write_tx().await?;
        let ids = intake::store_documents(&mut tx, documents).await?;
        tx.commit().await?;
        Ok(ids)
    }

    async fn finish_documents(&self, results: &[DocumentResult]) -> Result<()> {
        if results.is_empty() {
            return Ok(());
        }
        let mut tx = self.write_tx().await?;
        for r in results {
            intake::finish_document(&mut tx, r.id, &r.status, r.detail.as_deref(), &r.leads)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn finish_document(
        &self,
        id: i64,
        status: &str,
        detail: Option<&str>,
        leads: &[LeadId],
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        intake::finish_document(&mut tx, id, status, detail, leads).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn conversation_events(&self, lead: LeadId) -> Result<(bool, Vec<LatestEvent>)> {
        outbound::conversation_events(&self.writer, lead).await
    }

    async fn apply(&self, set: &ChangeSet) -> Result<Applied> {
        apply::apply(self, set).await
    }

    async fn imported_rows(&self, keys: &[String]) -> Result<HashSet<String>> {
        intake::imported_rows(&self.writer, keys).await
    }

    async fn record_imported_rows(
        &self,
        rows: &[(String, Option<LeadId>)],
        at: Timestamp,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        intake::record_imported_rows(&mut tx, rows, at).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn open_work(&self, lead: LeadId) -> Result<OpenWork> {
        followthrough::open_work(self, lead).await
    }

    async fn create_staff_token(
        &self,
        token: &crate::NewStaffToken,
    ) -> Result<crate::StaffTokenRow> {
        staff::create_token(&self.writer, token).await
    }

    async fn revoke_staff_token(
        &self,
        id: i64,
        at: Timestamp,
    ) -> Result<Option<crate::StaffTokenRow>> {
        staff::revoke_token(&self.writer, id, at).await
    }

    async fn active_staff_token(&self, token_hash: &str) -> Result<Option<crate::StaffTokenRow>> {
        staff::active_token(&self.reader, token_hash).await
    }

    async fn revocations_in_force(&self, contact: &str) -> Result<Vec<crate::RevocationInForce>> {
        staff::revocations(&self.writer, contact).await
    }
}

#[async_trait]
impl WorkQueue for SqliteStore {
    async fn claim_due(
        &self,
        now: Timestamp,
        worker: &str,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<ClaimedTouch>> {
        claims::claim(self, claims::Claim::Due, now, worker, lease_until, limit).await
    }

    async fn reclaim_expired_touches(
        &self,
        now: Timestamp,
        worker: &str,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<ClaimedTouch>> {
        claims::claim(
            self,
            claims::Claim::Expired,
            now,
            worker,
            lease_until,
            limit,
        )
        .await
    }

    async fn release_touch(&self, touch: i64, worker: &str, event: &NewEvent) -> Result<()> {
        claims::release(self, touch, worker, event).await
    }

    async fn phone_sends_since(
        &self,
        phones: &[String],
        since: Timestamp,
    ) -> Result<HashMap<String, Vec<Timestamp>>> {
        claims::phone_sends_since(&self.reader, phones, since).await
    }

    async fn reserve_phone_sends(
        &self,
        worker: &str,
        holds: &[(i64, String)],
        since: Timestamp,
    ) -> Result<HashMap<String, Vec<Timestamp>>> {
        claims::reserve_phone_sends(self, worker, holds, since).await
    }

    async fn finish_touches(&self, worker: &str, outcomes: &[TouchOutcome]) -> Result<()> {
        if outcomes.is_empty() {
            return Ok(());
        }
        let mut tx = self.write_tx().await?;
        write::finish_touches(&mut tx, worker, outcomes).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn next_due_at(&self) -> Result<Option<Timestamp>> {
        claims::next_at(self).await
    }

    async fn agenda(&self) -> Result<Agenda> {
        // One file on this machine: four short reads cost less than one round trip to a server.
        let (touches, leases) = claims::next_touch_and_lease(self).await?;
        Ok(Agenda {
            touches,
            leases,
            escalations: self.next_escalation_at().await?,
            timers: self.next_timer_at().await?,
            outbound: self.next_outbound_at().await?,
        })
    }

    async fn due_escalations(&self, now: Timestamp) -> Result<Vec<EscalationRow>> {
        escalations::due(&self.writer, now).await
    }

    async fn next_escalation_at(&self) -> Result<Option<Timestamp>> {
        escalations::next_deadline(&self.writer).await
    }

    async fn claim_due_timers(
        &self,
        now: Timestamp,
        worker: &str,
        lease_until: Timestamp,
    ) -> Result<Vec<TimerRow>> {
        let rows = sqlx::query(
            "UPDATE follow_up_timers SET claimed_by = ?2, lease_until = ?3
             WHERE fired_at IS NULL AND due_at <= ?1 AND (lease_until IS NULL OR lease_until <= ?1)
             RETURNING id, lead_id, kind, due_at, created_at",
        )
        .bind(ms(now))
        .bind(worker)
        .bind(ms(lease_until))
        .fetch_all(&self.writer)
        .await?;
        let mut timers: Vec<TimerRow> = rows
            .iter()
            .map(|r| {
                Ok(TimerRow {
                    id: r.get("id"),
                    lead_id: LeadId(r.get("lead_id")),
                    kind: r.get("kind"),
                    due_at: ts(r.get("due_at"))?,
                    created_at: ts(r.get("created_at"))?,
                })
            })
            .collect::<Result<_>>()?;
        timers.sort_by_key(|t| (t.due_at, t.id));
        Ok(timers)
    }

    async fn finish_timer(&self, id: i64, at: Timestamp) -> Result<()> {
        sqlx::query("UPDATE follow_up_timers SET fired_at = ? WHERE id = ? AND fired_at IS NULL")
            .bind(ms(at))
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn next_timer_at(&self) -> Result<Option<Timestamp>> {
        // A claimed timer is due again when its lease runs out (its worker may have stopped).
        let next: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(MAX(due_at, COALESCE(lease_until, 0))) FROM follow_up_timers
             WHERE fired_at IS NULL",
        )
        .fetch_one(&self.writer)
        .await?;
        opt_ts(next)
    }

    async fn claim_report_delivery(
        &self,
        dealership: &str,
        week: &str,
        recipient: &str,
        at: Timestamp,
    ) -> Result<bool> {
        audit::claim_report_delivery(&self.writer, dealership, week, recipient, at).await
    }

    async fn finish_report_delivery(
        &self,
        dealership: &str,
        week: &str,
        recipient: &str,
        status: &str,
        detail: Option<&str>,
    ) -> Result<()> {
        audit::finish_report_delivery(&self.writer, dealership, week, recipient, status, detail)
            .await
    }

    async fn report_recipients(&self, dealership: &str, week: &str) -> Result<Vec<String>> {
        audit::report_recipients(&self.reader, dealership, week).await
    }

    async fn enqueue_outbound(
        &self,
        messages: &[NewOutbound],
        now: Timestamp,
    ) -> Result<Vec<Option<i64>>> {
        outbound::enqueue(self, messages, now).await
    }

    async fn claim_outbound(
        &self,
        now: Timestamp,
        worker: &str,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<OutboundRow>> {
        outbound::claim(self, now, worker, lease_until, limit, false).await
    }

    async fn reclaim_expired_outbound(
        &self,
        now: Timestamp,
        worker: &str,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<OutboundRow>> {
        outbound::claim(self, now, worker, lease_until, limit, true).await
    }

    async fn finish_outbound(&self, finishes: &[OutboundFinish]) -> Result<()> {
        outbound::finish(self, finishes).await
    }

    async fn next_outbound_at(&self) -> Result<Option<Timestamp>> {
        outbound::next_at(&self.writer).await
    }
}

#[async_trait]
impl ReadModel for SqliteStore {
    async fn queue_stats(&self, now: Timestamp) -> Result<crate::QueueStats> {
        metrics::queue_stats(&self.reader, now).await
    }

    async fn cadence_versions(&self, name: &str) -> Result<Vec<CadenceVersionRow>> {
        let rows = sqlx::query(
            "SELECT v.version, v.label, v.snapshot, v.created_at,
                    MIN(e.started_at) AS first_enrolled, MAX(e.started_at) AS last_enrolled, COUNT(e.id) AS enrollments
             FROM cadence_versions v
             LEFT JOIN enrollments e ON e.cadence_name = v.name AND e.cadence_version = v.version
             WHERE v.name = ?
             GROUP BY v.version ORDER BY COALESCE(MIN(e.started_at), v.created_at), v.created_at",
        )
        .bind(name)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(cadence_version_row).collect()
    }

    async fn cadence_version(&self, name: &str, version: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT snapshot FROM cadence_versions WHERE name = ? AND version = ?",
        )
        .bind(name)
        .bind(version)
        .fetch_optional(&self.reader)
        .await?)
    }

    async fn show_lead(&self, id: LeadId) -> Result<Option<LeadView>> {
        let Some(lead) = self.fetch_leads(&[id.0]).await?.pop() else {
            return Ok(None);
        };
        let appointment = outcomes::latest_appointment(&self.reader, id).await?;
        Ok(Some(LeadView::from(lead).with_appointment(appointment)))
    }

    async fn list_leads(&self, filter: &LeadFilter) -> Result<Vec<LeadView>> {
        let mut q = QueryBuilder::<Sqlite>::new("SELECT id FROM leads WHERE 1 = 1");
        if let Some(owner) = &filter.owner {
            q.push(" AND owner_id = ").push_bind(owner);
        }
        if let Some(segment) = &filter.segment {
            q.push(" AND segment = ").push_bind(segment);
        }
        if let Some(status) = filter.status {
            q.push(" AND status = ").push_bind(status.as_str());
        }
        if let Some(after) = filter.after {
            q.push(" AND id < ").push_bind(after);
        }
        q.push(" ORDER BY id DESC LIMIT ")
            .push_bind(filter.limit.unwrap_or(100).min(1001) as i64);
        let ids: Vec<i64> = q.build_query_scalar().fetch_all(&self.reader).await?;
        let mut leads = self.fetch_leads(&ids).await?;
        leads.sort_by_key(|l| std::cmp::Reverse(l.id));
        Ok(leads.into_iter().map(LeadView::from).collect())
    }

    async fn timeline(&self, id: LeadId) -> Result<Vec<TimelineEntry>> {
        sqlx::query("SELECT * FROM events WHERE lead_id = ? ORDER BY id")
            .bind(id.0)
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|r| {
                let data: String = r.get("data");
                Ok(TimelineEntry {
                    id: r.get("id"),
                    lead_id: LeadId(r.get("lead_id")),
                    at: ts(r.get("at"))?,
                    event: TimelineEvent::from_stored(
                        r.get("kind"),
                        serde_json::from_str(&data).unwrap_or(Value::String(data)),
                    ),
                })
            })
            .collect()
    }

    async fn audit_activity(
        &self,
        dealership: &str,
        from: Timestamp,
        week_start: Timestamp,
        to: Timestamp,
    ) -> Result<AuditActivity> {
        audit::audit_activity(&self.reader, dealership, from, week_start, to).await
    }

    async fn report_leads(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<keepwarm_domain::report::ReportLead>> {
        report::report_leads(&self.reader, from, to).await
    }

    async fn report_tallies(
        &self,
        from: Timestamp,
        to: Timestamp,
        dealership: Option<&str>,
        by: &[keepwarm_domain::report::GroupBy],
    ) -> Result<Vec<Vec<keepwarm_domain::report::GroupTally>>> {
        report::report_tallies(&self.reader, from, to, dealership, by).await
    }

    async fn document(&self, id: i64) -> Result<Option<(DocumentRow, Vec<u8>)>> {
        intake::document(&self.reader, id).await
    }

    async fn documents(&self, status: Option<&str>, page: &Page) -> Result<Vec<DocumentRow>> {
        intake::documents(&self.reader, status, page).await
    }

    async fn tasks_page(&self, owner: Option<&str>, page: &Page) -> Result<Vec<TaskView>> {
        pages::tasks(&self.reader, owner, page).await
    }

    async fn show_task(&self, id: i64) -> Result<Option<TaskView>> {
        channels::task(self, id).await
    }

    async fn escalations_page(
        &self,
        status: Option<EscalationStatus>,
        page: &Page,
    ) -> Result<Vec<EscalationView>> {
        let status = status.map(EscalationStatus::as_str);
        escalations::page(&self.reader, status, page).await
    }

    async fn show_escalation(&self, id: i64) -> Result<Option<EscalationView>> {
        escalations::one(&self.reader, id).await
    }

    async fn appointments(&self, filter: &AppointmentFilter) -> Result<Vec<AppointmentView>> {
        outcomes::appointments(&self.reader, filter).await
    }

    async fn outbound_messages(&self, lead: Option<LeadId>) -> Result<Vec<OutboundView>> {
        let rows = outbound::list(&self.reader, lead).await?;
        rows.into_iter().map(OutboundView::try_from).collect()
    }

    async fn recent_conversation(
        &self,
        lead: LeadId,
        limit: u32,
    ) -> Result<Vec<ConversationEntry>> {
        outbound::recent_conversation(&self.reader, lead, limit).await
    }

    async fn staff_tokens(&self, staff: Option<&str>) -> Result<Vec<crate::StaffTokenRow>> {
        staff::tokens(&self.reader, staff).await
    }

    async fn conversation(
        &self,
        lead: LeadId,
    ) -> Result<Vec<keepwarm_domain::thread::ThreadEntry>> {
        conversation::thread(&self.reader, lead).await
    }

    async fn waiting(
        &self,
        owner: Option<&str>,
        lead: Option<LeadId>,
    ) -> Result<Vec<keepwarm_domain::thread::Waiting>> {
        conversation::waiting(&self.reader, owner, lead).await
    }

    async fn lead_of_message(&self, provider_id: &str) -> Result<Option<LeadId>> {
        conversation::lead_of_message(&self.reader, provider_id).await
    }
}
