//! The workspace's sign-in and screen reads on SQLite (see [`crate::Workspace`]).

use crate::rows::{session_row, task_row};
use async_trait::async_trait;
use jiff::Timestamp;
use keepwarm_domain::{LeadId, TimelineEvent};
use sqlx::{QueryBuilder, Row, Sqlite};

use super::kinds::kind_list;
use super::{ms, opt_ts, read, ts, SqliteStore};
use crate::{
    ConsentCoverage, FirstTouch, LeadRow, LeadSearch, NewWebSession, OwnerLoad, Result,
    SignInFailures, TaskRow, TimelineEntry, WebSessionRow, Workspace,
};

/// What counts as something sent to the customer, for "first touch" and "untouched": an automated
/// text or e-mail (a call step that became a person's task is not), a person's message, a logged
/// call. The partial index `events_sent_to_customer` has this condition, as written (SQLite uses
/// it only then), so a lead's check is one search instead of a walk over its whole timeline.
fn sent_to_customer() -> String {
    format!(
        "(e.kind IN ({}) OR (e.kind IN ({}) AND json_extract(e.data, '$.mode') IS NULL))",
        kind_list(&[
            TimelineEvent::STAFF_MESSAGE_SENT,
            TimelineEvent::CALL_LOGGED
        ]),
        kind_list(&[TimelineEvent::TOUCH_SENT]),
    )
}

/// Today's "new leads with no first touch": active leads stored since ?1 (of owner ?2) nothing was
/// sent to, oldest first, at most ?3.
pub(super) fn untouched_sql() -> String {
    format!(
        "SELECT l.id FROM leads l WHERE l.created_at >= ?1 AND l.status = 'active'
         AND (?2 IS NULL OR l.owner_id = ?2)
         AND NOT EXISTS (SELECT 1 FROM events e WHERE e.lead_id = l.id AND {})
         ORDER BY l.created_at, l.id LIMIT ?3",
        sent_to_customer()
    )
}

/// The leads stored in `[?1, ?2)` and when something was first sent to each (speed to lead).
pub(super) fn first_touches_sql() -> String {
    format!(
        "SELECT l.id, l.created_at,
            (SELECT MIN(e.at) FROM events e WHERE e.lead_id = l.id AND {})
                AS first_touch_at
         FROM leads l WHERE l.created_at >= ?1 AND l.created_at < ?2 ORDER BY l.id",
        sent_to_customer()
    )
}

/// Active leads and open tasks per owner. The active leads are counted from the index
/// `leads_active_owner` alone, never from the leads' rows.
pub(super) const OWNER_LOADS: &str = "SELECT owner, SUM(leads) AS leads, SUM(tasks) AS tasks FROM (
         SELECT owner_id AS owner, COUNT(*) AS leads, 0 AS tasks FROM leads
             WHERE status = 'active' GROUP BY owner_id
         UNION ALL
         SELECT owner_id, 0, COUNT(*) FROM tasks WHERE status = 'open' GROUP BY owner_id)
     GROUP BY owner ORDER BY leads + tasks DESC, owner";

#[async_trait]
impl Workspace for SqliteStore {
    async fn set_staff_password(&self, staff: &str, hash: &str, at: Timestamp) -> Result<()> {
        sqlx::query(
            "INSERT INTO staff_passwords (staff_id, hash, set_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (staff_id) DO UPDATE SET hash = ?2, set_at = ?3",
        )
        .bind(staff)
        .bind(hash)
        .bind(ms(at))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn staff_password(&self, staff: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT hash FROM staff_passwords WHERE staff_id = ?")
                .bind(staff)
                .fetch_optional(&self.writer)
                .await?,
        )
    }

    async fn create_web_session(&self, s: &NewWebSession) -> Result<WebSessionRow> {
        let row = sqlx::query(
            "INSERT INTO web_sessions (token_hash, staff_id, csrf_token, created_at, last_seen_at)
             VALUES (?1, ?2, ?3, ?4, ?4) RETURNING *",
        )
        .bind(&s.token_hash)
        .bind(&s.staff_id)
        .bind(&s.csrf_token)
        .bind(ms(s.created_at))
        .fetch_one(&self.writer)
        .await?;
        session_row(&row)
    }

    async fn web_session(&self, token_hash: &str) -> Result<Option<WebSessionRow>> {
        // The writer: a session made or ended a moment ago must be seen as it is now.
        sqlx::query("SELECT * FROM web_sessions WHERE token_hash = ?")
            .bind(token_hash)
            .fetch_optional(&self.writer)
            .await?
            .as_ref()
            .map(session_row)
            .transpose()
    }

    async fn touch_web_session(&self, id: i64, at: Timestamp) -> Result<()> {
        sqlx::query("UPDATE web_sessions SET last_seen_at = max(last_seen_at, ?) WHERE id = ?")
            .bind(ms(at))
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn end_web_session(&self, id: i64, at: Timestamp) -> Result<()> {
        sqlx::query("UPDATE web_sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL")
            .bind(ms(at))
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn end_staff_sessions(&self, staff: &str, at: Timestamp) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE web_sessions SET ended_at = ? WHERE staff_id = ? AND ended_at IS NULL",
        )
        .bind(ms(at))
        .bind(staff)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected())
    }

    async fn sign_in_failures(
        &self,
        keys: &[String],
        since: Timestamp,
    ) -> Result<Vec<SignInFailures>> {
        // The writer: a failure recorded a moment ago (by any process) must count at once.
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT key, COUNT(*) AS n, MIN(at) AS oldest FROM sign_in_failures
             WHERE key IN (SELECT value FROM json_each(?1)) AND at > ?2 GROUP BY key",
        )
        .bind(serde_json::to_string(keys).unwrap_or_else(|_| "[]".into()))
        .bind(ms(since))
        .fetch_all(&self.writer)
        .await?;
        SignInFailures::from_counts(rows)
    }

    async fn record_sign_in_failure(
        &self,
        keys: &[String],
        at: Timestamp,
        forget_before: Timestamp,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM sign_in_failures WHERE at <= ?")
            .bind(ms(forget_before))
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO sign_in_failures (key, at) SELECT value, ?2 FROM json_each(?1)")
            .bind(serde_json::to_string(keys).unwrap_or_else(|_| "[]".into()))
            .bind(ms(at))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn clear_sign_in_failures(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM sign_in_failures WHERE key = ?")
            .bind(key)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn leads_by_ids(&self, ids: &[LeadId]) -> Result<Vec<LeadRow>> {
        let ids: Vec<i64> = ids.iter().map(|l| l.0).collect();
        read::fetch_leads(&self.reader, &ids).await
    }

    async fn search_leads(&self, search: &LeadSearch) -> Result<Vec<LeadRow>> {
        let mut q = QueryBuilder::<Sqlite>::new("SELECT l.id FROM leads l WHERE 1 = 1");
        crate::workspace::push_search(&mut q, search);
        q.push(" ORDER BY l.id DESC LIMIT ")
            .push_bind(i64::from(search.limit.min(1001)));
        let ids: Vec<i64> = q.build_query_scalar().fetch_all(&self.reader).await?;
        let mut leads = read::fetch_leads(&self.reader, &ids).await?;
        leads.sort_by_key(|l| std::cmp::Reverse(l.id));
        Ok(leads)
    }

    async fn latest_event_id(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM events")
                .fetch_one(&self.reader)
                .await?,
        )
    }

    async fn overdue_tasks(
        &self,
        now: Timestamp,
        owner: Option<&str>,
        limit: u32,
    ) -> Result<Vec<TaskRow>> {
        sqlx::query(
            "SELECT * FROM tasks WHERE status = 'open' AND due_at < ?1
             AND (?2 IS NULL OR owner_id = ?2) ORDER BY due_at, id LIMIT ?3",
        )
        .bind(ms(now))
        .bind(owner)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(task_row)
        .collect()
    }

    async fn untouched_leads(
        &self,
        since: Timestamp,
        owner: Option<&str>,
        limit: u32,
    ) -> Result<Vec<LeadRow>> {
        let ids: Vec<i64> = sqlx::query_scalar(&untouched_sql())
            .bind(ms(since))
            .bind(owner)
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await?;
        let mut leads = read::fetch_leads(&self.reader, &ids).await?;
        leads.sort_by_key(|l| (l.created_at, l.id));
        Ok(leads)
    }

    async fn first_touches(&self, from: Timestamp, to: Timestamp) -> Result<Vec<FirstTouch>> {
        sqlx::query(&first_touches_sql())
            .bind(ms(from))
            .bind(ms(to))
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|r| {
                Ok(FirstTouch {
                    lead_id: LeadId(r.get("id")),
                    created_at: ts(r.get("created_at"))?,
                    first_touch_at: opt_ts(r.get("first_touch_at"))?,
                })
            })
            .collect()
    }

    async fn owner_loads(&self) -> Result<Vec<OwnerLoad>> {
        sqlx::query(OWNER_LOADS)
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|r| {
                Ok(OwnerLoad {
                    owner: r.get("owner"),
                    active_leads: r.get("leads"),
                    open_tasks: r.get("tasks"),
                })
            })
            .collect()
    }

    async fn events_of_kinds(
        &self,
        kinds: &[&str],
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> Result<Vec<TimelineEntry>> {
        if kinds.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Sqlite>::new("SELECT * FROM events WHERE kind IN (");
        let mut list = q.separated(", ");
        for kind in kinds {
            list.push_bind(*kind);
        }
        q.push(") AND at >= ")
            .push_bind(ms(from))
            .push(" AND at < ")
            .push_bind(ms(to))
            .push(" ORDER BY id DESC LIMIT ")
            .push_bind(i64::from(limit));
        q.build()
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
                        serde_json::from_str(&data).unwrap_or(serde_json::Value::String(data)),
                    ),
                })
            })
            .collect()
    }

    async fn consent_coverage(&self, dealership: Option<&str>) -> Result<ConsentCoverage> {
        // A revocation in force for a channel: `all` or the channel's own word.
        let reachable = |kind: &str, channel: &str| {
            format!(
                "EXISTS (SELECT 1 FROM lead_contacts c WHERE c.lead_id = l.id AND c.kind = '{kind}'
                 AND c.usable = 1 AND NOT EXISTS (SELECT 1 FROM consent_ledger r
                     WHERE r.contact = lower(c.value) AND r.restored_at IS NULL AND r.channel IN ('all', '{channel}')))"
            )
        };
        let has = |kind: &str| {
            format!(
                "EXISTS (SELECT 1 FROM lead_contacts c WHERE c.lead_id = l.id AND c.kind = '{kind}'
                 AND c.usable = 1)"
            )
        };
        let sql = format!(
            "SELECT COUNT(*) AS active, COALESCE(SUM({}), 0) AS with_phone, COALESCE(SUM({}), 0) AS textable,
                 COALESCE(SUM({}), 0) AS with_email, COALESCE(SUM({}), 0) AS emailable,
                 COALESCE(SUM(l.opted_out), 0) AS opted_out
             FROM leads l WHERE l.status = 'active' AND (?1 IS NULL OR l.dealership = ?1)",
            has("phone"),
            reachable("phone", "sms"),
            has("email"),
            reachable("email", "email"),
        );
        let r = sqlx::query(&sql)
            .bind(dealership)
            .fetch_one(&self.reader)
            .await?;
        Ok(ConsentCoverage {
            active: r.get("active"),
            with_phone: r.get("with_phone"),
            textable: r.get("textable"),
            with_email: r.get("with_email"),
            emailable: r.get("emailable"),
            opted_out: r.get("opted_out"),
        })
    }
}
