//! The store's traits on [`PgStore`]: each operation runs here or in the module named in it
//! (`Workspace` and `People` have modules of their own).

use crate::rows::{appointment_row, cadence_version_row, task_row, token_row, Columns};
use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use jiff::Timestamp;
use keepwarm_domain::dedupe::MatchCandidate;
use keepwarm_domain::routing::{choose_round_robin, OwnerChoice};
use keepwarm_domain::{EmailAddress, LeadId, PhoneNumber, TimelineEvent};
use sqlx::types::Json;
use sqlx::{Postgres, QueryBuilder, Row};

use super::{
    apply, claims, conversation, create, escalations, intake, outbound, outcomes, read, report,
    touch_row, write, PgStore,
};
use crate::outcomes::*;
use crate::records::*;
use crate::sqlite::{ms, opt_ts, ts, word};
use crate::views::*;
use crate::*;

#[async_trait]
impl ChangeSets for PgStore {
    fn pools(&self) -> crate::Pools {
        crate::Pools::Postgres(self.pool.clone())
    }

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
        let mut tx = self.begin().await?;
        // The team's cursor row is locked for the transaction (created first when missing), so
        // two processes rotating the same team take turns.
        sqlx::query(
            "INSERT INTO routing_cursors (team, last_owner) VALUES ($1, '') ON CONFLICT (team) DO NOTHING",
        )
        .bind(team)
        .execute(&mut *tx)
        .await?;
        let stored: String =
            sqlx::query_scalar("SELECT last_owner FROM routing_cursors WHERE team = $1 FOR UPDATE")
                .bind(team)
                .fetch_one(&mut *tx)
                .await?;
        let mut last = Some(stored).filter(|s| !s.is_empty());
        let mut choices = Vec::with_capacity(count);
        for _ in 0..count {
            let Some(choice) = choose_round_robin(members, last.as_deref()) else {
                break;
            };
            last = Some(choice.owner.clone());
            choices.push(choice);
        }
        sqlx::query("UPDATE routing_cursors SET last_owner = $2 WHERE team = $1")
            .bind(team)
            .bind(last.unwrap_or_default())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(choices)
    }

    async fn save_cadence_version(&self, version: &NewCadenceVersion) -> Result<()> {
        let snapshot: serde_json::Value = serde_json::from_str(&version.snapshot)
            .map_err(|e| StoreError::Corrupt(format!("cadence snapshot: {e}")))?;
        sqlx::query(
            "INSERT INTO cadence_versions (name, version, label, snapshot, created_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name, version) DO NOTHING",
        )
        .bind(&version.name)
        .bind(&version.version)
        .bind(&version.label)
        .bind(Json(snapshot))
        .bind(ms(version.at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn create_lead(&self, lead: &NewLeadRecord) -> Result<CreatedLead> {
        match self.create_leads(std::slice::from_ref(lead)).await?.pop() {
            Some(LeadCreation::Created(created)) => Ok(created),
            Some(LeadCreation::Matched(lead)) => Err(StoreError::Conflict(format!(
                "matched existing lead {lead}"
            ))),
            None => Err(StoreError::Corrupt("no lead was created".into())),
        }
    }

    async fn create_leads(&self, leads: &[NewLeadRecord]) -> Result<Vec<LeadCreation>> {
        if leads.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.begin().await?;
        let created = create::create_leads(&mut tx, leads).await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn lead_stages_with_phone(&self, phone: &PhoneNumber) -> Result<Vec<(LeadId, Stage)>> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT DISTINCT l.id, l.stage FROM leads l JOIN lead_contacts c ON c.lead_id = l.id
             WHERE c.kind = 'phone' AND c.usable AND c.value = $1",
        )
        .bind(phone.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, stage)| Ok((LeadId(id), word(&stage)?)))
            .collect()
    }

    async fn lead(&self, id: LeadId) -> Result<Option<LeadRow>> {
        Ok(read::fetch_leads(&self.pool, &[id.0]).await?.pop())
    }

    async fn tasks(&self, owner: Option<&str>) -> Result<Vec<TaskRow>> {
        sqlx::query(
            "SELECT * FROM tasks WHERE ($1::text IS NULL OR owner_id = $1)
             ORDER BY status = 'done', due_at, id",
        )
        .bind(owner)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(task_row)
        .collect()
    }

    async fn task(&self, id: i64) -> Result<Option<TaskRow>> {
        sqlx::query("SELECT * FROM tasks WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(task_row)
            .transpose()
    }

    async fn touch(&self, id: i64) -> Result<Option<TouchRow>> {
        sqlx::query("SELECT * FROM touches WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(touch_row)
            .transpose()
    }

    async fn escalation(&self, id: i64) -> Result<Option<EscalationRow>> {
        escalations::one(self, id).await
    }

    async fn escalations(&self, status: Option<&str>) -> Result<Vec<EscalationRow>> {
        escalations::list(self, status).await
    }

    async fn appointment(&self, id: i64) -> Result<Option<AppointmentRow>> {
        sqlx::query("SELECT * FROM appointments WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(appointment_row)
            .transpose()
    }

    async fn latest_appointment(&self, lead: LeadId) -> Result<Option<AppointmentRow>> {
        sqlx::query("SELECT * FROM appointments WHERE lead_id = $1 ORDER BY id DESC LIMIT 1")
            .bind(lead.0)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(appointment_row)
            .transpose()
    }

    async fn held_touches(&self, lead: LeadId) -> Result<Vec<TouchRow>> {
        sqlx::query("SELECT * FROM touches WHERE lead_id = $1 AND state = 'held' ORDER BY id")
            .bind(lead.0)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(touch_row)
            .collect()
    }

    async fn find_matches(
        &self,
        dealership: &str,
        inquiries: &[(Vec<PhoneNumber>, Vec<EmailAddress>)],
    ) -> Result<Vec<Option<MatchCandidate>>> {
        intake::find_matches(&self.pool, dealership, inquiries).await
    }

    async fn store_document(&self, document: &NewDocument) -> Result<i64> {
        self.store_documents(std::slice::from_ref(document))
            .await?
            .pop()
            .ok_or_else(|| StoreError::Corrupt("no document was stored".into()))
    }

    async fn store_documents(&self, documents: &[NewDocument]) -> Result<Vec<i64>> {
        if documents.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.begin().await?;
        let ids = intake::store_documents(&mut tx, documents).await?;
        tx.commit().await?;
        Ok(ids)
    }

    async fn finish_documents(&self, results: &[DocumentResult]) -> Result<()> {
        if results.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin().await?;
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
        let mut tx = self.begin().await?;
        intake::finish_document(&mut tx, id, status, detail, leads).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn revoke_consent(&self, revocation: &Revocation) -> Result<bool> {
        let mut tx = self.begin().await?;
        let fresh = apply::revoke_consent(&mut tx, revocation).await?;
        tx.commit().await?;
        Ok(fresh)
    }

    async fn revoked_channels(&self, contacts: &[String]) -> Result<HashMap<String, Vec<String>>> {
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        if contacts.is_empty() {
            return Ok(out);
        }
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT contact, channel FROM consent_ledger
             WHERE contact = ANY($1) AND restored_at IS NULL ORDER BY id",
        )
        .bind(contacts)
        .fetch_all(&self.pool)
        .await?;
        for (contact, channel) in rows {
            out.entry(contact).or_default().push(channel);
        }
        Ok(out)
    }

    async fn replace_inventory(
        &self,
        dealership: &str,
        items: &[(String, bool)],
        now: Timestamp,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM inventory WHERE dealership = $1")
            .bind(dealership)
            .execute(&mut *tx)
            .await?;
        for chunk in items.chunks(super::ROWS) {
            let mut q = QueryBuilder::<Postgres>::new(
                "INSERT INTO inventory (dealership, key, available, imported_at) ",
            );
            q.push_values(chunk, |mut b, (key, available)| {
                b.push_bind(dealership)
                    .push_bind(key)
                    .push_bind(*available)
                    .push_bind(now.as_second());
            });
            q.push(" ON CONFLICT (dealership, key) DO UPDATE SET available = excluded.available");
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn available_stock(
        &self,
        dealership: &str,
        keys: &[String],
    ) -> Result<std::collections::HashSet<String>> {
        if keys.is_empty() {
            return Ok(HashSet::new());
        }
        let found: Vec<String> = sqlx::query_scalar(
            "SELECT key FROM inventory WHERE dealership = $1 AND available AND key = ANY($2)",
        )
        .bind(dealership)
        .bind(keys)
        .fetch_all(&self.pool)
        .await?;
        Ok(found.into_iter().collect())
    }

    async fn leads_with_phone(&self, phone: &PhoneNumber) -> Result<Vec<LeadId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT lead_id FROM lead_contacts
             WHERE kind = 'phone' AND value = $1 AND usable ORDER BY lead_id",
        )
        .bind(phone.as_str())
        .fetch_all(&self.pool)
        .await?;
        Ok(ids.into_iter().map(LeadId).collect())
    }

    async fn last_event_at(&self, lead: LeadId, kinds: &[&str]) -> Result<Option<Timestamp>> {
        let kinds: Vec<&str> = kinds.to_vec();
        let at: Option<i64> =
            sqlx::query_scalar("SELECT MAX(at) FROM events WHERE lead_id = $1 AND kind = ANY($2)")
                .bind(lead.0)
                .bind(&kinds)
                .fetch_one(&self.pool)
                .await?;
        opt_ts(at)
    }

    async fn service_key(&self, name: &str, candidate: &str, now: Timestamp) -> Result<String> {
        let inserted: Option<String> = sqlx::query_scalar(
            "INSERT INTO service_keys (name, value, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO NOTHING RETURNING value",
        )
        .bind(name)
        .bind(candidate)
        .bind(ms(now))
        .fetch_optional(&self.pool)
        .await?;
        // Another process asked first: its value is committed (the insert waited for it).
        let value = match inserted {
            Some(value) => value,
            None => {
                sqlx::query_scalar("SELECT value FROM service_keys WHERE name = $1")
                    .bind(name)
                    .fetch_one(&self.pool)
                    .await?
            }
        };
        Ok(value)
    }

    async fn record_engine_clock(&self, manual: Option<Timestamp>) -> Result<()> {
        match manual {
            Some(at) => {
                sqlx::query(
                    "INSERT INTO service_keys (name, value, created_at) VALUES ($1, $2, $3)
                     ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                )
                .bind(crate::ENGINE_CLOCK)
                .bind(at.to_string())
                .bind(ms(at))
                .execute(&self.pool)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM service_keys WHERE name = $1")
                    .bind(crate::ENGINE_CLOCK)
                    .execute(&self.pool)
                    .await?;
            }
        }
        Ok(())
    }

    async fn engine_clock(&self) -> Result<Option<Timestamp>> {
        let value: Option<String> =
            sqlx::query_scalar("SELECT value FROM service_keys WHERE name = $1")
                .bind(crate::ENGINE_CLOCK)
                .fetch_optional(&self.pool)
                .await?;
        crate::parse_engine_clock(value)
    }

    async fn conversation_events(&self, lead: LeadId) -> Result<(bool, Vec<LatestEvent>)> {
        conversation::conversation_events(&self.pool, lead).await
    }

    async fn apply(&self, set: &ChangeSet) -> Result<Applied> {
        apply::apply(self, set).await
    }

    async fn imported_rows(&self, keys: &[String]) -> Result<HashSet<String>> {
        intake::imported_rows(&self.pool, keys).await
    }

    async fn record_imported_rows(
        &self,
        rows: &[(String, Option<LeadId>)],
        at: Timestamp,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        intake::record_imported_rows(&mut tx, rows, at).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn open_work(&self, lead: LeadId) -> Result<OpenWork> {
        let tasks = sqlx::query_as(
            "SELECT id, owner_id, kind FROM tasks WHERE lead_id = $1 AND status = 'open' ORDER BY id",
        )
        .bind(lead.0)
        .fetch_all(&self.pool)
        .await?;
        let escalations = sqlx::query_as(
            "SELECT id, assignee_id FROM escalations
             WHERE lead_id = $1 AND status IN ('open', 'breached') ORDER BY id",
        )
        .bind(lead.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(OpenWork { tasks, escalations })
    }

    async fn create_staff_token(&self, token: &NewStaffToken) -> Result<StaffTokenRow> {
        let row = sqlx::query(
            "INSERT INTO staff_tokens (staff_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)
             RETURNING id, staff_id, name, created_at, revoked_at",
        )
        .bind(&token.staff_id)
        .bind(&token.name)
        .bind(&token.token_hash)
        .bind(ms(token.created_at))
        .fetch_one(&self.pool)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                StoreError::Conflict("a token with this digest exists already".into())
            }
            e => e.into(),
        })?;
        token_row(&row)
    }

    async fn revoke_staff_token(&self, id: i64, at: Timestamp) -> Result<Option<StaffTokenRow>> {
        sqlx::query("UPDATE staff_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(ms(at))
            .bind(id)
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "SELECT id, staff_id, name, created_at, revoked_at FROM staff_tokens WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(token_row)
        .transpose()
    }

    async fn active_staff_token(&self, token_hash: &str) -> Result<Option<StaffTokenRow>> {
        sqlx::query(
            "SELECT id, staff_id, name, created_at, revoked_at FROM staff_tokens
             WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(token_row)
        .transpose()
    }

    async fn revocations_in_force(&self, contact: &str) -> Result<Vec<RevocationInForce>> {
        let rows: Vec<(String, String, i64, String, String)> = sqlx::query_as(
            "SELECT contact, channel, revoked_at, words, via FROM consent_ledger
             WHERE contact = $1 AND restored_at IS NULL ORDER BY revoked_at, id",
        )
        .bind(contact)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(contact, channel, revoked_at, words, via)| {
                Ok(RevocationInForce {
                    contact,
                    channel,
                    revoked_at: ts(revoked_at)?,
                    words,
                    via,
                })
            })
            .collect()
    }
}

#[async_trait]
impl WorkQueue for PgStore {
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
        if phones.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(String, i64)> = sqlx::query_as(claims::PHONE_SENDS)
            .bind(phones)
            .bind(since.as_millisecond())
            .fetch_all(&self.pool)
            .await?;
        crate::sqlite::sends_by_phone(rows)
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
        let mut tx = self.begin().await?;
        write::finish_touches(&mut tx, worker, outcomes).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn next_due_at(&self) -> Result<Option<Timestamp>> {
        claims::next_at(self).await
    }

    async fn due_escalations(&self, now: Timestamp) -> Result<Vec<EscalationRow>> {
        escalations::due(self, now).await
    }

    async fn next_escalation_at(&self) -> Result<Option<Timestamp>> {
        escalations::next_deadline(self).await
    }

    async fn claim_due_timers(
        &self,
        now: Timestamp,
        worker: &str,
        lease_until: Timestamp,
    ) -> Result<Vec<TimerRow>> {
        claims::claim_timers(self, now, worker, lease_until).await
    }

    async fn finish_timer(&self, id: i64, at: Timestamp) -> Result<()> {
        sqlx::query("UPDATE follow_up_timers SET fired_at = $1 WHERE id = $2 AND fired_at IS NULL")
            .bind(ms(at))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn next_timer_at(&self) -> Result<Option<Timestamp>> {
        claims::next_timer_at(self).await
    }

    async fn claim_report_delivery(
        &self,
        dealership: &str,
        week: &str,
        recipient: &str,
        at: Timestamp,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO report_deliveries (dealership, week, recipient, claimed_at, status)
             VALUES ($1, $2, $3, $4, 'sending') ON CONFLICT DO NOTHING",
        )
        .bind(dealership)
        .bind(week)
        .bind(recipient)
        .bind(ms(at))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn finish_report_delivery(
        &self,
        dealership: &str,
        week: &str,
        recipient: &str,
        status: &str,
        detail: Option<&str>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE report_deliveries SET status = $4, detail = $5
             WHERE dealership = $1 AND week = $2 AND recipient = $3",
        )
        .bind(dealership)
        .bind(week)
        .bind(recipient)
        .bind(status)
        .bind(detail)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn report_recipients(&self, dealership: &str, week: &str) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT recipient FROM report_deliveries WHERE dealership = $1 AND week = $2
             ORDER BY recipient",
        )
        .bind(dealership)
        .bind(week)
        .fetch_all(&self.pool)
        .await?)
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
        outbound::next_at(self).await
    }

    async fn agenda(&self) -> Result<Agenda> {
        claims::agenda(self).await
    }
}

#[async_trait]
impl ReadModel for PgStore {
    async fn queue_stats(&self, now: Timestamp) -> Result<QueueStats> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM touches WHERE state = 'scheduled' AND due_at <= $1) AS due,
                    (SELECT MIN(due_at) FROM touches WHERE state = 'scheduled' AND due_at <= $1)
                        AS oldest,
                    (SELECT COUNT(*) FROM outbound_messages WHERE state = 'queued' AND due_at <= $1)
                        AS outbound,
                    (SELECT COUNT(*) FROM escalations WHERE status = 'open') AS open,
                    (SELECT COUNT(*) FROM escalations WHERE status = 'breached') AS breached",
        )
        .bind(ms(now))
        .fetch_one(&self.pool)
        .await?;
        Ok(QueueStats {
            touches_due: row.int("due")?,
            oldest_due_at: row.opt_instant("oldest")?,
            outbound_due: row.int("outbound")?,
            escalations_open: row.int("open")?,
            escalations_breached: row.int("breached")?,
        })
    }

    async fn cadence_versions(&self, name: &str) -> Result<Vec<CadenceVersionRow>> {
        sqlx::query(
            "SELECT v.version, v.label, v.snapshot, v.created_at,
                    MIN(e.started_at) AS first_enrolled, MAX(e.started_at) AS last_enrolled,
                    COUNT(e.id) AS enrollments
             FROM cadence_versions v
             LEFT JOIN enrollments e ON e.cadence_name = v.name AND e.cadence_version = v.version
             WHERE v.name = $1
             GROUP BY v.version, v.label, v.snapshot, v.created_at
             ORDER BY COALESCE(MIN(e.started_at), v.created_at), v.created_at",
        )
        .bind(name)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(cadence_version_row)
        .collect()
    }

    async fn cadence_version(&self, name: &str, version: &str) -> Result<Option<String>> {
        let snapshot: Option<Json<serde_json::Value>> = sqlx::query_scalar(
            "SELECT snapshot FROM cadence_versions WHERE name = $1 AND version = $2",
        )
        .bind(name)
        .bind(version)
        .fetch_optional(&self.pool)
        .await?;
        Ok(snapshot.map(|Json(s)| s.to_string()))
    }

    async fn show_lead(&self, id: LeadId) -> Result<Option<LeadView>> {
        let Some(lead) = read::fetch_leads(&self.pool, &[id.0]).await?.pop() else {
            return Ok(None);
        };
        let appointment = self.latest_appointment(id).await?;
        Ok(Some(LeadView::from(lead).with_appointment(appointment)))
    }

    async fn list_leads(&self, filter: &LeadFilter) -> Result<Vec<LeadView>> {
        let mut q = QueryBuilder::<Postgres>::new("SELECT id FROM leads WHERE true");
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
        let ids: Vec<i64> = q.build_query_scalar().fetch_all(&self.pool).await?;
        let mut leads = read::fetch_leads(&self.pool, &ids).await?;
        leads.sort_by_key(|l| std::cmp::Reverse(l.id));
        Ok(leads.into_iter().map(LeadView::from).collect())
    }

    async fn timeline(&self, id: LeadId) -> Result<Vec<TimelineEntry>> {
        sqlx::query("SELECT id, lead_id, at, kind, data FROM events WHERE lead_id = $1 ORDER BY id")
            .bind(id.0)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                let Json(data): Json<serde_json::Value> = r.try_get("data")?;
                Ok(TimelineEntry {
                    id: r.try_get("id")?,
                    lead_id: LeadId(r.try_get("lead_id")?),
                    at: ts(r.try_get("at")?)?,
                    event: TimelineEvent::from_stored(r.try_get("kind")?, data),
                })
            })
            .collect()
    }

    async fn document(&self, id: i64) -> Result<Option<(DocumentRow, Vec<u8>)>> {
        intake::document(&self.pool, id).await
    }

    async fn documents(&self, status: Option<&str>, page: &Page) -> Result<Vec<DocumentRow>> {
        intake::documents(&self.pool, status, page).await
    }

    async fn tasks_page(&self, owner: Option<&str>, page: &Page) -> Result<Vec<TaskView>> {
        // Keyset paging on (done, due, id), the list's order: rows added meanwhile never shift a page.
        let (done, due, id) = match page.after.as_deref() {
            Some([done, due, id]) => (*done != 0, *due, *id),
            _ => (false, i64::MIN, 0),
        };
        sqlx::query(
            "SELECT * FROM tasks WHERE ($1::text IS NULL OR owner_id = $1)
               AND ((status = 'done', due_at, id) > ($2, $3, $4))
             ORDER BY status = 'done', due_at, id LIMIT $5",
        )
        .bind(owner)
        .bind(done)
        .bind(due)
        .bind(id)
        .bind(i64::from(page.limit.max(1)))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(task_row)
        .collect()
    }

    async fn show_task(&self, id: i64) -> Result<Option<TaskView>> {
        self.task(id).await
    }

    async fn escalations_page(
        &self,
        status: Option<EscalationStatus>,
        page: &Page,
    ) -> Result<Vec<EscalationView>> {
        let status = status.map(EscalationStatus::as_str);
        escalations::page(self, status, page).await
    }

    async fn show_escalation(&self, id: i64) -> Result<Option<EscalationView>> {
        escalations::one(self, id).await
    }

    async fn appointments(&self, filter: &AppointmentFilter) -> Result<Vec<AppointmentView>> {
        outcomes::appointments(&self.pool, filter).await
    }

    async fn report_leads(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<keepwarm_domain::report::ReportLead>> {
        report::report_leads(&self.pool, from, to).await
    }

    async fn report_tallies(
        &self,
        from: Timestamp,
        to: Timestamp,
        dealership: Option<&str>,
        by: &[keepwarm_domain::report::GroupBy],
    ) -> Result<Vec<Vec<keepwarm_domain::report::GroupTally>>> {
        report::report_tallies(&self.pool, from, to, dealership, by).await
    }

    async fn audit_activity(
        &self,
        dealership: &str,
        from: Timestamp,
        week_start: Timestamp,
        to: Timestamp,
    ) -> Result<AuditActivity> {
        report::audit_activity(&self.pool, dealership, from, week_start, to).await
    }

    async fn outbound_messages(&self, lead: Option<LeadId>) -> Result<Vec<OutboundView>> {
        let rows = outbound::list(self, lead).await?;
        rows.into_iter().map(OutboundView::try_from).collect()
    }

    async fn recent_conversation(
        &self,
        lead: LeadId,
        limit: u32,
    ) -> Result<Vec<ConversationEntry>> {
        conversation::recent_conversation(&self.pool, lead, limit).await
    }

    async fn staff_tokens(&self, staff: Option<&str>) -> Result<Vec<StaffTokenRow>> {
        sqlx::query(
            "SELECT id, staff_id, name, created_at, revoked_at FROM staff_tokens
             WHERE $1::text IS NULL OR staff_id = $1 ORDER BY id",
        )
        .bind(staff)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(token_row)
        .collect()
    }

    async fn conversation(
        &self,
        lead: LeadId,
    ) -> Result<Vec<keepwarm_domain::thread::ThreadEntry>> {
        conversation::thread(&self.pool, lead).await
    }

    async fn waiting(
        &self,
        owner: Option<&str>,
        lead: Option<LeadId>,
    ) -> Result<Vec<keepwarm_domain::thread::Waiting>> {
        conversation::waiting(&self.pool, owner, lead).await
    }

    async fn lead_of_message(&self, provider_id: &str) -> Result<Option<LeadId>> {
        conversation::lead_of_message(&self.pool, provider_id).await
    }
}
