//! The weekly audit's and the funnel report's facts on PostgreSQL: each query aggregates its rows
//! into one JSON array with the fields the shared assembly reads (`crate::audit`, `crate::report`),
//! the same arrays the SQLite backend reads.

use jiff::Timestamp;
use keepwarm_domain::report::{GroupBy, GroupTally, ReportLead};
use keepwarm_domain::TimelineEvent;
use sqlx::postgres::PgArguments;
use sqlx::query::QueryScalar;
use sqlx::{PgPool, Postgres};

use crate::audit::{assemble, AuditRows};
use crate::records::AuditActivity;
use crate::sqlite::ms;
use crate::Result;

/// The one column of a query that aggregates into a JSON array (NULL for no rows), as text.
async fn json(
    pool: &PgPool,
    query: QueryScalar<'_, Postgres, Option<String>, PgArguments>,
) -> Result<String> {
    Ok(query.fetch_one(pool).await?.unwrap_or_else(|| "[]".into()))
}

/// Leads of dealership $1 active in [$2, $3): a timeline event in the range, or a touch due in it
/// that is still waiting (a stopped worker leaves no events, and must not hide its leads).
const ACTIVE: &str = "SELECT e.lead_id FROM events e JOIN leads l ON l.id = e.lead_id
         WHERE l.dealership = $1 AND e.at >= $2 AND e.at < $3
     UNION SELECT t.lead_id FROM touches t JOIN leads l ON l.id = t.lead_id
         WHERE l.dealership = $1 AND t.state IN ('scheduled', 'sending') AND t.due_at >= $2 AND t.due_at < $3";

/// The facts of leads active in `[from, to)`; touches and escalations of `[week_start, to)`.
pub(super) async fn audit_activity(
    pool: &PgPool,
    dealership: &str,
    from: Timestamp,
    week_start: Timestamp,
    to: Timestamp,
) -> Result<AuditActivity> {
    let leads_sql = format!(
        "SELECT json_agg(json_build_object('id', id, 'segment', segment, 'owner_id', owner_id,
             'display_name', display_name, 'payload', payload::text))::text
         FROM leads WHERE id IN ({ACTIVE})"
    );
    let leads = json(
        pool,
        sqlx::query_scalar(&leads_sql)
            .bind(dealership)
            .bind(ms(from))
            .bind(ms(to)),
    )
    .await?;
    let events_sql = format!(
        "SELECT json_agg(json_build_object('lead_id', lead_id, 'at', at, 'kind', kind,
             'to', data ->> 'to'))::text
         FROM (SELECT lead_id, at, kind, data FROM events
               UNION ALL SELECT lead_id, due_at, 'touch_waiting', '{{}}'::jsonb FROM touches
               WHERE state IN ('scheduled', 'sending')) AS e
         WHERE lead_id IN ({ACTIVE}) AND ((at >= $2 AND at < $3) OR kind = $4)"
    );
    let events = json(
        pool,
        sqlx::query_scalar(&events_sql)
            .bind(dealership)
            .bind(ms(from))
            .bind(ms(to))
            .bind(TimelineEvent::STAGE_CHANGED),
    )
    .await?;
    // The week's touches of the leads active in the week ([$2, $3) is the week here).
    let touches_sql = format!(
        "SELECT json_agg(json_build_object('id', t.id, 'lead_id', t.lead_id,
             'step_index', t.step_index, 'channel', t.channel, 'block', t.block,
             'target_at', t.target_at, 'due_at', t.due_at, 'state', t.state,
             'finished_at', t.finished_at, 'body', t.body,
             'first_sms', (t.channel = 'sms' AND t.step_index =
                 (SELECT MIN(f.step_index) FROM touches f
                  WHERE f.enrollment_id = t.enrollment_id AND f.channel = 'sms'))))::text
         FROM touches t WHERE t.lead_id IN ({ACTIVE})
           AND ((t.due_at >= $2 AND t.due_at < $3) OR (t.finished_at >= $2 AND t.finished_at < $3))"
    );
    let touches = json(
        pool,
        sqlx::query_scalar(&touches_sql)
            .bind(dealership)
            .bind(ms(week_start))
            .bind(ms(to)),
    )
    .await?;
    let escalations = json(
        pool,
        sqlx::query_scalar(
            "SELECT json_agg(json_build_object('id', e.id, 'lead_id', e.lead_id,
                 'segment', l.segment, 'assignee_id', e.assignee_id, 'notified', e.notified::text,
                 'created_at', e.created_at, 'acknowledged_at', e.acknowledged_at,
                 'acknowledged_by', e.acknowledged_by))::text
             FROM escalations e JOIN leads l ON l.id = e.lead_id
             WHERE l.dealership = $1 AND e.created_at >= $2 AND e.created_at < $3",
        )
        .bind(dealership)
        .bind(ms(week_start))
        .bind(ms(to)),
    )
    .await?;
    assemble(
        AuditRows {
            leads,
            events,
            touches,
            escalations,
        },
        from,
        to,
    )
}

const IN_RANGE: &str = "SELECT id FROM leads WHERE received_at >= $1 AND received_at < $2";

/// Facts for every lead received in `[from, to)`.
pub(super) async fn report_leads(
    pool: &PgPool,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<ReportLead>> {
    let kinds = [
        TimelineEvent::STAGE_CHANGED,
        TimelineEvent::TOUCH_SENT,
        TimelineEvent::ESCALATION_ACKNOWLEDGED,
    ];
    let leads_sql = format!(
        "SELECT json_agg(json_build_object('id', l.id, 'dealership', l.dealership,
             'segment', COALESCE((SELECT s.data ->> 'segment' FROM events s
                                  WHERE s.lead_id = l.id AND s.kind = $3 ORDER BY s.id LIMIT 1),
                                 l.segment),
             'source_kind', l.source_kind, 'provider', l.provider, 'owner_id', l.owner_id,
             'stage', l.stage, 'received_at', l.received_at, 'created_at', l.created_at,
             'cadence', (SELECT e.cadence_name || '@' || e.cadence_version FROM enrollments e
                         WHERE e.lead_id = l.id ORDER BY e.id LIMIT 1)))::text
         FROM leads l WHERE l.id IN ({IN_RANGE})"
    );
    let leads = json(
        pool,
        sqlx::query_scalar(&leads_sql)
            .bind(ms(from))
            .bind(ms(to))
            .bind(TimelineEvent::SEGMENTED),
    )
    .await?;
    let events_sql = format!(
        "SELECT json_agg(json_build_object('lead_id', lead_id, 'at', at, 'kind', kind,
             'to', data ->> 'to', 'from', data ->> 'from', 'by', data ->> 'by'))::text
         FROM events WHERE lead_id IN ({IN_RANGE}) AND kind = ANY($3)"
    );
    let events = json(
        pool,
        sqlx::query_scalar(&events_sql)
            .bind(ms(from))
            .bind(ms(to))
            .bind(kinds),
    )
    .await?;
    let escalations_sql = format!(
        "SELECT json_agg(json_build_object('lead_id', lead_id, 'created_at', created_at,
             'sla_due_at', sla_due_at, 'acknowledged_at', acknowledged_at))::text
         FROM escalations WHERE lead_id IN ({IN_RANGE})"
    );
    let escalations = json(
        pool,
        sqlx::query_scalar(&escalations_sql)
            .bind(ms(from))
            .bind(ms(to)),
    )
    .await?;
    crate::report::assemble(&leads, &events, &escalations)
}

/// The funnel's counts of the leads received in `[from, to)`, aggregated in SQL
/// ([`crate::tally`]).
pub(super) async fn report_tallies(
    pool: &PgPool,
    from: Timestamp,
    to: Timestamp,
    dealership: Option<&str>,
    by: &[GroupBy],
) -> Result<Vec<Vec<GroupTally>>> {
    let (counts, spreads): (Option<String>, Option<String>) =
        sqlx::query_as(&crate::tally::tally_sql(&crate::tally::POSTGRES, by))
            .bind(ms(from))
            .bind(ms(to))
            .bind(dealership)
            .fetch_one(pool)
            .await?;
    crate::tally::assemble(counts.as_deref(), spreads.as_deref(), by)
}
