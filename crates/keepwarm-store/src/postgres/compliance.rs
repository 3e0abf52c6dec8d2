//! The kill switch and the do-not-call list on PostgreSQL ([`ComplianceStore`]).

use std::collections::HashSet;

use async_trait::async_trait;
use keepwarm_domain::timeline::TouchNote;
use keepwarm_domain::{LeadId, TimelineEvent};
use sqlx::postgres::PgRow;
use sqlx::{Postgres, QueryBuilder, Row};

use super::{insert_events, PgStore};
use crate::compliance::NewKillSwitch;
use crate::compliance::{dnc_key, ComplianceStore, DncImportRow, KillSwitchRow, NewDncImport};
use crate::records::NewEvent;
use crate::sqlite::{ms, ts};
use crate::{Result, StoreError};

fn kill_switch_row(r: &PgRow) -> Result<KillSwitchRow> {
    Ok(KillSwitchRow {
        id: r.try_get("id")?,
        scope: r.try_get("scope")?,
        engaged: r.try_get::<bool, _>("engaged")?,
        reason: r.try_get("reason")?,
        by: r.try_get("actor")?,
        at: ts(r.try_get("at")?)?,
    })
}

#[async_trait]
impl ComplianceStore for PgStore {
    async fn set_kill_switch(
        &self,
        change: &NewKillSwitch,
        release: &[String],
        note: &str,
    ) -> Result<u64> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO kill_switch_changes (scope, engaged, reason, actor, at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&change.scope)
        .bind(change.engaged)
        .bind(&change.reason)
        .bind(&change.by)
        .bind(ms(change.at))
        .execute(&mut *tx)
        .await?;
        let mut released = 0;
        if !change.engaged && !release.is_empty() {
            let mut q = QueryBuilder::<Postgres>::new(
                "UPDATE touches SET state = 'scheduled' WHERE state = 'held' AND lead_id IN \
                 (SELECT id FROM leads WHERE status = 'active' AND dealership IN (",
            );
            let mut list = q.separated(", ");
            for d in release {
                list.push_bind(d);
            }
            q.push(")) RETURNING id, lead_id");
            let rows = q.build().fetch_all(&mut *tx).await?;
            let events: Vec<(LeadId, NewEvent)> = rows
                .iter()
                .map(|r| {
                    Ok((
                        LeadId(r.try_get("lead_id")?),
                        NewEvent::new(
                            change.at,
                            TimelineEvent::TouchReleased(TouchNote {
                                touch_id: r.try_get("id")?,
                                reason: note.to_owned(),
                            }),
                        ),
                    ))
                })
                .collect::<Result<_>>()?;
            let refs: Vec<(LeadId, &NewEvent)> = events.iter().map(|(l, e)| (*l, e)).collect();
            insert_events(&mut tx, &refs).await?;
            released = events.len() as u64;
        }
        tx.commit().await?;
        Ok(released)
    }

    async fn kill_switches(&self) -> Result<Vec<KillSwitchRow>> {
        sqlx::query(
            "SELECT * FROM kill_switch_changes k WHERE id = \
             (SELECT MAX(id) FROM kill_switch_changes WHERE scope = k.scope) ORDER BY scope",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(kill_switch_row)
        .collect()
    }

    async fn kill_switch_history(
        &self,
        scope: Option<&str>,
        limit: u32,
    ) -> Result<Vec<KillSwitchRow>> {
        sqlx::query(
            "SELECT * FROM kill_switch_changes WHERE $1::text IS NULL OR scope = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(scope)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(kill_switch_row)
        .collect()
    }

    async fn start_dnc_import(&self, import: &NewDncImport) -> Result<i64> {
        Ok(sqlx::query(
            "INSERT INTO dnc_imports (registry_date, source, at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(import.registry_date.to_string())
        .bind(&import.source)
        .bind(ms(import.at))
        .fetch_one(&self.pool)
        .await?
        .try_get("id")?)
    }

    async fn add_dnc_numbers(&self, import: i64, numbers: &[i64]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for chunk in numbers.chunks(10_000) {
            let mut q =
                QueryBuilder::<Postgres>::new("INSERT INTO dnc_numbers (import_id, number) ");
            q.push_values(chunk, |mut b, n| {
                b.push_bind(import).push_bind(n);
            });
            q.push(" ON CONFLICT DO NOTHING");
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn finish_dnc_import(&self, import: i64) -> Result<i64> {
        let mut tx = self.pool.begin().await?;
        let count: i64 = sqlx::query("SELECT COUNT(*) AS n FROM dnc_numbers WHERE import_id = $1")
            .bind(import)
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
        let updated = sqlx::query(
            "UPDATE dnc_imports SET finished = true, numbers = $1 WHERE id = $2 AND NOT finished",
        )
        .bind(count)
        .bind(import)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!(
                "unfinished do-not-call import {import}"
            )));
        }
        sqlx::query("DELETE FROM dnc_numbers WHERE import_id <> $1")
            .bind(import)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM dnc_imports WHERE id <> $1 AND finished")
            .bind(import)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(count)
    }

    async fn abandon_dnc_import(&self, import: i64) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM dnc_numbers WHERE import_id = $1")
            .bind(import)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM dnc_imports WHERE id = $1 AND NOT finished")
            .bind(import)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn dnc_listed(&self, numbers: &[String]) -> Result<HashSet<String>> {
        let keys: Vec<(i64, &String)> = numbers
            .iter()
            .filter_map(|n| dnc_key(n).map(|k| (k, n)))
            .collect();
        let mut out = HashSet::new();
        for chunk in keys.chunks(500) {
            let mut q = QueryBuilder::<Postgres>::new(
                "SELECT number FROM dnc_numbers WHERE import_id = \
                 (SELECT MAX(id) FROM dnc_imports WHERE finished) AND number IN (",
            );
            let mut list = q.separated(", ");
            for (k, _) in chunk {
                list.push_bind(k);
            }
            q.push(")");
            let found: HashSet<i64> = q
                .build()
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| r.try_get("number"))
                .collect::<std::result::Result<_, _>>()?;
            out.extend(
                chunk
                    .iter()
                    .filter(|(k, _)| found.contains(k))
                    .map(|(_, n)| (*n).clone()),
            );
        }
        Ok(out)
    }

    async fn compliance_events(
        &self,
        dealership: &str,
        from: jiff::Timestamp,
        to: jiff::Timestamp,
    ) -> Result<Vec<crate::compliance::ComplianceEvent>> {
        let sql = format!(
            "SELECT e.lead_id, e.at, e.kind, e.data FROM events e JOIN leads l ON l.id = e.lead_id \
             WHERE l.dealership = $1 AND e.at >= $2 AND e.at < $3 \
               AND (e.kind IN ({kinds}) OR (e.kind = 'touch_sent' AND (e.lead_id IN \
                    (SELECT lead_id FROM events WHERE kind IN ('channel_revoked', 'follow_up_stopped')) \
                    OR e.data -> 'consent' ->> 'basis' <> e.data -> 'consent' ->> 'required'))) \
             ORDER BY e.at, e.id",
            kinds = crate::compliance::REPORT_KINDS
        );
        sqlx::query(&sql)
            .bind(dealership)
            .bind(ms(from))
            .bind(ms(to))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(crate::compliance::ComplianceEvent {
                    lead: r.try_get("lead_id")?,
                    at: ts(r.try_get("at")?)?,
                    kind: r.try_get("kind")?,
                    data: r
                        .try_get::<sqlx::types::Json<serde_json::Value>, _>("data")?
                        .0,
                })
            })
            .collect()
    }

    async fn dnc_import(&self) -> Result<Option<DncImportRow>> {
        let row = sqlx::query("SELECT * FROM dnc_imports WHERE finished ORDER BY id DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            let date: String = r.try_get("registry_date")?;
            Ok(DncImportRow {
                registry_date: date
                    .parse()
                    .map_err(|_| StoreError::Corrupt(format!("dnc registry date `{date}`")))?,
                source: r.try_get("source")?,
                at: ts(r.try_get("at")?)?,
                numbers: r.try_get("numbers")?,
            })
        })
        .transpose()
    }
}
