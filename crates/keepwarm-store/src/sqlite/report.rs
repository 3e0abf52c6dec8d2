//! The facts the funnel report aggregates, read from leads, the timeline and escalations.

use jiff::Timestamp;
use keepwarm_domain::report::{GroupBy, GroupTally, ReportLead};
use keepwarm_domain::TimelineEvent;
use sqlx::sqlite::SqlitePool;

use super::{kinds, ms};
use crate::Result;

/// One JSON array of rows, as text.
async fn json(pool: &SqlitePool, sql: &str, from: i64, to: i64) -> Result<String> {
    Ok(sqlx::query_scalar(sql)
        .bind(from)
        .bind(to)
        .fetch_one(pool)
        .await?)
}

const IN_RANGE: &str = "SELECT id FROM leads WHERE received_at >= ?1 AND received_at < ?2";

/// Facts for every lead received in `[from, to)`.
pub(super) async fn report_leads(
    pool: &SqlitePool,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<ReportLead>> {
    let (from, to) = (ms(from), ms(to));
    let leads = json(
        pool,
        &format!(
            "SELECT json_group_array(json_object('id', l.id, 'dealership', l.dealership,
                 'segment', COALESCE((SELECT json_extract(s.data, '$.segment') FROM events s
                                      WHERE s.lead_id = l.id AND s.kind IN ({segmented}) ORDER BY s.id LIMIT 1),
                                     l.segment),
                 'source_kind', l.source_kind, 'provider', l.provider, 'owner_id', l.owner_id, 'stage', l.stage,
                 'received_at', l.received_at, 'created_at', l.created_at,
                 'cadence', (SELECT e.cadence_name || '@' || e.cadence_version FROM enrollments e
                             WHERE e.lead_id = l.id ORDER BY e.id LIMIT 1)))
             FROM leads l WHERE l.id IN ({IN_RANGE})",
            segmented = kinds::kind_list(&[TimelineEvent::SEGMENTED])
        ),
        from,
        to,
    )
    .await?;
    let events = json(
        pool,
        &format!(
            "SELECT json_group_array(json_object('lead_id', lead_id, 'at', at, 'kind', kind,
                 'to', json_extract(data, '$.to'), 'from', json_extract(data, '$.from'), 'by', json_extract(data, '$.by')))
             FROM events WHERE lead_id IN ({IN_RANGE})
               AND kind IN ({})",
            kinds::kind_list(&[
                TimelineEvent::STAGE_CHANGED,
                TimelineEvent::TOUCH_SENT,
                TimelineEvent::ESCALATION_ACKNOWLEDGED,
            ])
        ),
        from,
        to,
    )
    .await?;
    let escalations = json(
        pool,
        &format!(
            "SELECT json_group_array(json_object('lead_id', lead_id, 'created_at', created_at,
                 'sla_due_at', sla_due_at, 'acknowledged_at', acknowledged_at))
             FROM escalations WHERE lead_id IN ({IN_RANGE})"
        ),
        from,
        to,
    )
    .await?;
    crate::report::assemble(&leads, &events, &escalations)
}

/// The funnel's counts of the leads received in `[from, to)`, aggregated in SQL
/// ([`crate::tally`]).
pub(super) async fn report_tallies(
    pool: &SqlitePool,
    from: Timestamp,
    to: Timestamp,
    dealership: Option<&str>,
    by: &[GroupBy],
) -> Result<Vec<Vec<GroupTally>>> {
    let (counts, spreads): (Option<String>, Option<String>) =
        sqlx::query_as(&crate::tally::tally_sql(&crate::tally::SQLITE, by))
            .bind(ms(from))
            .bind(ms(to))
            .bind(dealership)
            .fetch_one(pool)
            .await?;
    crate::tally::assemble(counts.as_deref(), spreads.as_deref(), by)
}
