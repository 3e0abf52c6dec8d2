//! The workspace's sign-in and screen reads on PostgreSQL (see [`crate::Workspace`]). The search's
//! conditions are built by `crate::workspace::push_search`, as on SQLite.

use async_trait::async_trait;
use jiff::Timestamp;
use keepwarm_domain::{LeadId, TimelineEvent};
use sqlx::{Postgres, QueryBuilder};

use super::{read, PgStore};
use crate::rows::{session_row, task_row, Columns};
use crate::sqlite::ms;
use crate::{
    ConsentCoverage, FirstTouch, LeadRow, LeadSearch, NewWebSession, OwnerLoad, Result,
    SignInFailures, TaskRow, TimelineEntry, WebSessionRow, Workspace,
};

/// What counts as something sent to the customer (see the SQLite backend): `$sent` stands for the
/// parameter holding `[staff_message_sent, call_logged]`, `$touch` for `touch_sent`.
fn sent_to_customer(sent: u8, touch: u8) -> String {
    format!("(e.kind = ANY(${sent}) OR (e.kind = ${touch} AND e.data ->> 'mode' IS NULL))")
}

const SENT_KINDS: [&str; 2] = [
    TimelineEvent::STAFF_MESSAGE_SENT,
    TimelineEvent::CALL_LOGGED,
];

#[async_trait]
impl Workspace for PgStore {
    async fn set_staff_password(&self, staff: &str, hash: &str, at: Timestamp) -> Result<()> {
        sqlx::query(
            "INSERT INTO staff_passwords (staff_id, hash, set_at) VALUES ($1, $2, $3)
             ON CONFLICT (staff_id) DO UPDATE SET hash = $2, set_at = $3",
        )
        .bind(staff)
        .bind(hash)
        .bind(ms(at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn staff_password(&self, staff: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT hash FROM staff_passwords WHERE staff_id = $1")
                .bind(staff)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn create_web_session(&self, s: &NewWebSession) -> Result<WebSessionRow> {
        let row = sqlx::query(
            "INSERT INTO web_sessions (token_hash, staff_id, csrf_token, created_at, last_seen_at)
             VALUES ($1, $2, $3, $4, $4) RETURNING *",
        )
        .bind(&s.token_hash)
        .bind(&s.staff_id)
        .bind(&s.csrf_token)
        .bind(ms(s.created_at))
        .fetch_one(&self.pool)
        .await?;
        session_row(&row)
    }

    async fn web_session(&self, token_hash: &str) -> Result<Option<WebSessionRow>> {
        sqlx::query("SELECT * FROM web_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(session_row)
            .transpose()
    }

    async fn touch_web_session(&self, id: i64, at: Timestamp) -> Result<()> {
        sqlx::query(
            "UPDATE web_sessions SET last_seen_at = GREATEST(last_seen_at, $1) WHERE id = $2",
        )
        .bind(ms(at))
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn end_web_session(&self, id: i64, at: Timestamp) -> Result<()> {
        sqlx::query("UPDATE web_sessions SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL")
            .bind(ms(at))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn end_staff_sessions(&self, staff: &str, at: Timestamp) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE web_sessions SET ended_at = $1 WHERE staff_id = $2 AND ended_at IS NULL",
        )
        .bind(ms(at))
        .bind(staff)
        .execute(&self.pool)
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
             WHERE key = ANY($1) AND at > $2 GROUP BY key",
        )
        .bind(keys)
        .bind(ms(since))
        .fetch_all(&self.pool)
        .await?;
        SignInFailures::from_counts(rows)
    }

    async fn record_sign_in_failure(
        &self,
        keys: &[String],
        at: Timestamp,
        forget_before: Timestamp,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM sign_in_failures WHERE at <= $1")
            .bind(ms(forget_before))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sign_in_failures (key, at) SELECT k, $2 FROM unnest($1::text[]) AS k",
        )
        .bind(keys)
        .bind(ms(at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn clear_sign_in_failures(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM sign_in_failures WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn leads_by_ids(&self, ids: &[LeadId]) -> Result<Vec<LeadRow>> {
        let ids: Vec<i64> = ids.iter().map(|l| l.0).collect();
        read::fetch_leads(&self.pool, &ids).await
    }

    async fn search_leads(&self, search: &LeadSearch) -> Result<Vec<LeadRow>> {
        let mut q = QueryBuilder::<Postgres>::new("SELECT l.id FROM leads l WHERE true");
        crate::workspace::push_search(&mut q, search);
        q.push(" ORDER BY l.id DESC LIMIT ")
            .push_bind(i64::from(search.limit.min(1001)));
        let ids: Vec<i64> = q.build_query_scalar().fetch_all(&self.pool).await?;
        let mut leads = read::fetch_leads(&self.pool, &ids).await?;
        leads.sort_by_key(|l| std::cmp::Reverse(l.id));
        Ok(leads)
    }

    async fn latest_event_id(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COALESCE(MAX(id), 0)::bigint FROM events")
                .fetch_one(&self.pool)
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
            "SELECT * FROM tasks WHERE status = 'open' AND due_at < $1
             AND ($2::text IS NULL OR owner_id = $2) ORDER BY due_at, id LIMIT $3",
        )
        .bind(ms(now))
        .bind(owner)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
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
        let sql = format!(
            "SELECT l.id FROM leads l WHERE l.created_at >= $1 AND l.status = 'active'
             AND ($2::text IS NULL OR l.owner_id = $2)
             AND NOT EXISTS (SELECT 1 FROM events e WHERE e.lead_id = l.id AND {})
             ORDER BY l.created_at, l.id LIMIT $3",
            sent_to_customer(4, 5)
        );
        let ids: Vec<i64> = sqlx::query_scalar(&sql)
            .bind(ms(since))
            .bind(owner)
            .bind(i64::from(limit))
            .bind(SENT_KINDS)
            .bind(TimelineEvent::TOUCH_SENT)
            .fetch_all(&self.pool)
            .await?;
        let mut leads = read::fetch_leads(&self.pool, &ids).await?;
        leads.sort_by_key(|l| (l.created_at, l.id));
        Ok(leads)
    }

    async fn first_touches(&self, from: Timestamp, to: Timestamp) -> Result<Vec<FirstTouch>> {
        let sql = format!(
            "SELECT l.id, l.created_at,
                (SELECT MIN(e.at) FROM events e WHERE e.lead_id = l.id AND {}) AS first_touch_at
             FROM leads l WHERE l.created_at >= $1 AND l.created_at < $2 ORDER BY l.id",
            sent_to_customer(3, 4)
        );
        sqlx::query(&sql)
            .bind(ms(from))
            .bind(ms(to))
            .bind(SENT_KINDS)
            .bind(TimelineEvent::TOUCH_SENT)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(FirstTouch {
                    lead_id: LeadId(r.int("id")?),
                    created_at: r.instant("created_at")?,
                    first_touch_at: r.opt_instant("first_touch_at")?,
                })
            })
            .collect()
    }

    async fn owner_loads(&self) -> Result<Vec<OwnerLoad>> {
        sqlx::query(
            "SELECT owner, SUM(leads)::bigint AS leads, SUM(tasks)::bigint AS tasks FROM (
                 SELECT owner_id AS owner, COUNT(*) AS leads, 0 AS tasks FROM leads
                     WHERE status = 'active' GROUP BY owner_id
                 UNION ALL
                 SELECT owner_id, 0, COUNT(*) FROM tasks WHERE status = 'open' GROUP BY owner_id)
                 AS loads
             GROUP BY owner ORDER BY SUM(leads) + SUM(tasks) DESC, owner",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(OwnerLoad {
                owner: r.text("owner")?,
                active_leads: r.int("leads")?,
                open_tasks: r.int("tasks")?,
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
        use sqlx::Row as _;
        sqlx::query(
            "SELECT id, lead_id, at, kind, data FROM events
             WHERE kind = ANY($1) AND at >= $2 AND at < $3 ORDER BY id DESC LIMIT $4",
        )
        .bind(kinds)
        .bind(ms(from))
        .bind(ms(to))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let sqlx::types::Json(data): sqlx::types::Json<serde_json::Value> =
                r.try_get("data")?;
            Ok(TimelineEntry {
                id: r.try_get("id")?,
                lead_id: LeadId(r.try_get("lead_id")?),
                at: crate::sqlite::ts(r.try_get("at")?)?,
                event: TimelineEvent::from_stored(r.try_get("kind")?, data),
            })
        })
        .collect()
    }

    async fn consent_coverage(&self, dealership: Option<&str>) -> Result<ConsentCoverage> {
        use sqlx::Row as _;
        // As on SQLite: a revocation in force for `all` or the channel's own word.
        let has = |kind: &str| {
            format!(
                "EXISTS (SELECT 1 FROM lead_contacts c WHERE c.lead_id = l.id AND c.kind = '{kind}'
                 AND c.usable)"
            )
        };
        let reachable = |kind: &str, channel: &str| {
            format!(
                "EXISTS (SELECT 1 FROM lead_contacts c WHERE c.lead_id = l.id AND c.kind = '{kind}'
                 AND c.usable AND NOT EXISTS (SELECT 1 FROM consent_ledger r
                     WHERE r.contact = lower(c.value) AND r.restored_at IS NULL AND r.channel IN ('all', '{channel}')))"
            )
        };
        let sql = format!(
            "SELECT COUNT(*) AS active,
                 COUNT(*) FILTER (WHERE {}) AS with_phone, COUNT(*) FILTER (WHERE {}) AS textable,
                 COUNT(*) FILTER (WHERE {}) AS with_email, COUNT(*) FILTER (WHERE {}) AS emailable,
                 COUNT(*) FILTER (WHERE l.opted_out) AS opted_out
             FROM leads l WHERE l.status = 'active' AND ($1::text IS NULL OR l.dealership = $1)",
            has("phone"),
            reachable("phone", "sms"),
            has("email"),
            reachable("email", "email"),
        );
        let r = sqlx::query(&sql)
            .bind(dealership)
            .fetch_one(&self.pool)
            .await?;
        Ok(ConsentCoverage {
            active: r.try_get("active")?,
            with_phone: r.try_get("with_phone")?,
            textable: r.try_get("textable")?,
            with_email: r.try_get("with_email")?,
            emailable: r.try_get("emailable")?,
            opted_out: r.try_get("opted_out")?,
        })
    }
}
