//! The weekly audit's facts and the weekly report deliveries, in SQLite.

use jiff::Timestamp;
use keepwarm_domain::TimelineEvent;
use sqlx::sqlite::SqlitePool;

use super::{kinds, ms};
use crate::records::AuditActivity;
use crate::Result;

/// One JSON array of rows, as text.
async fn json(pool: &SqlitePool, sql: &str, binds: (&str, i64, i64, i64)) -> Result<String> {
    Ok(sqlx::query_scalar(sql)
        .bind(binds.0)
        .bind(binds.1)
        .bind(binds.2)
        .bind(binds.3)
        .fetch_one(pool)
        .await?)
}

/// Leads of dealership ?1 active in [?2, ?4): a timeline event in the range, or a touch due in it
/// that is still waiting (a stopped worker leaves no events, and must not hide its leads).
const ACTIVE: &str = "SELECT e.lead_id FROM events e JOIN leads l ON l.id = e.lead_id
         WHERE l.dealership = ?1 AND e.at >= ?2 AND e.at < ?4
     UNION SELECT t.lead_id FROM touches t JOIN leads l ON l.id = t.lead_id
         WHERE l.dealership = ?1 AND t.state IN ('scheduled', 'sending') AND t.due_at >= ?2 AND t.due_at < ?4";
/// The same for the audited week [?3, ?4).
const ACTIVE_IN_WEEK: &str = "SELECT e.lead_id FROM events e JOIN leads l ON l.id = e.lead_id
         WHERE l.dealership = ?1 AND e.at >= ?3 AND e.at < ?4
     UNION SELECT t.lead_id FROM touches t JOIN leads l ON l.id = t.lead_id
         WHERE l.dealership = ?1 AND t.state IN ('scheduled', 'sending') AND t.due_at >= ?3 AND t.due_at < ?4";

/// The facts of leads active in `[from, to)`; touches and escalations of `[week_start, to)`.
pub(super) async fn audit_activity(
    pool: &SqlitePool,
    dealership: &str,
    from: Timestamp,
    week_start: Timestamp,
    to: Timestamp,
) -> Result<AuditActivity> {
    let binds = (dealership, ms(from), ms(week_start), ms(to));
    let leads = json(
        pool,
        &format!(
            "SELECT json_group_array(json_object('id', id, 'segment', segment, 'owner_id', owner_id,
                 'display_name', display_name, 'payload', payload))
             FROM leads WHERE id IN ({ACTIVE})"
        ),
        binds,
    )
    .await?;
    let events = json(
        pool,
        &format!(
            "SELECT json_group_array(json_object('lead_id', lead_id, 'at', at, 'kind', kind,
                 'to', json_extract(data, '$.to')))
             FROM (SELECT lead_id, at, kind, data FROM events
                   UNION ALL SELECT lead_id, due_at, 'touch_waiting', '{{}}' FROM touches
                   WHERE state IN ('scheduled', 'sending'))
             WHERE lead_id IN ({ACTIVE})
               AND ((at >= ?2 AND at < ?4) OR kind IN ({}))",
            kinds::kind_list(&[TimelineEvent::STAGE_CHANGED])
        ),
        binds,
    )
    .await?;
    let touches = json(
        pool,
        &format!(
            "SELECT json_group_array(json_object('id', t.id, 'lead_id', t.lead_id, 'step_index', t.step_index,
                 'channel', t.channel, 'block', t.block, 'target_at', t.target_at, 'due_at', t.due_at,
                 'state', t.state, 'finished_at', t.finished_at, 'body', t.body,
                 'first_sms', json(CASE WHEN t.channel = 'sms' AND t.step_index =
                     (SELECT MIN(f.step_index) FROM touches f WHERE f.enrollment_id = t.enrollment_id AND f.channel = 'sms')
                     THEN 'true' ELSE 'false' END)))
             FROM touches t WHERE t.lead_id IN ({ACTIVE_IN_WEEK})
               AND ((t.due_at >= ?3 AND t.due_at < ?4) OR (t.finished_at >= ?3 AND t.finished_at < ?4))"
        ),
        binds,
    )
    .await?;
    let escalations = json(
        pool,
        "SELECT json_group_array(json_object('id', e.id, 'lead_id', e.lead_id, 'segment', l.segment,
             'assignee_id', e.assignee_id, 'notified', e.notified, 'created_at', e.created_at,
             'acknowledged_at', e.acknowledged_at, 'acknowledged_by', e.acknowledged_by))
         FROM escalations e JOIN leads l ON l.id = e.lead_id
         WHERE l.dealership = ?1 AND e.created_at >= ?3 AND e.created_at < ?4 AND ?2 IS NOT NULL",
        binds,
    )
    .await?;
    crate::audit::assemble(
        crate::audit::AuditRows {
            leads,
            events,
            touches,
            escalations,
        },
        from,
        to,
    )
}

/// Claims a week's report for a recipient; `false` when it was claimed before.
pub(super) async fn claim_report_delivery(
    pool: &SqlitePool,
    dealership: &str,
    week: &str,
    recipient: &str,
    at: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO report_deliveries (dealership, week, recipient, claimed_at, status)
         VALUES (?1, ?2, ?3, ?4, 'sending') ON CONFLICT DO NOTHING",
    )
    .bind(dealership)
    .bind(week)
    .bind(recipient)
    .bind(ms(at))
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records how a claimed delivery went.
pub(super) async fn finish_report_delivery(
    pool: &SqlitePool,
    dealership: &str,
    week: &str,
    recipient: &str,
    status: &str,
    detail: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "UPDATE report_deliveries SET status = ?4, detail = ?5
         WHERE dealership = ?1 AND week = ?2 AND recipient = ?3",
    )
    .bind(dealership)
    .bind(week)
    .bind(recipient)
    .bind(status)
    .bind(detail)
    .execute(pool)
    .await?;
    Ok(())
}

/// Recipients already claimed for a week's report.
pub(super) async fn report_recipients(
    pool: &SqlitePool,
    dealership: &str,
    week: &str,
) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT recipient FROM report_deliveries WHERE dealership = ?1 AND week = ?2 ORDER BY recipient",
    )
    .bind(dealership)
    .bind(week)
    .fetch_all(pool)
    .await?)
}
