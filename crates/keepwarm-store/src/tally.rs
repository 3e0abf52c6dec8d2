//! The funnel report's counts, aggregated in the database on both backends: one query per request
//! that folds the leads received in a period into [`GroupTally`]s per group, so the Reports page
//! reads a few rows per group instead of every lead's facts and events ([`crate::report`] reads
//! those, for the fold [`keepwarm_domain::report::tally`] this must agree with).
//!
//! The query is written once here; [`Dialect`] holds what the two SQL dialects spell differently.
//! Each lead's facts come from correlated reads of its own rows: its first `segmented` event, first
//! enrollment, stage changes, first touch and first acknowledgement, all through the partial index
//! `events_report` (`lead_id, kind, at` over the four kinds it reads), so nothing walks the
//! timeline. Percentiles are nearest-rank, `ceil(n × p)`, in integers
//! ([`keepwarm_domain::report::median_rank`]), by a window over the period's values.

use std::collections::HashMap;

use jiff::SignedDuration;
use keepwarm_domain::report::{GroupBy, GroupTally, Spread};
use keepwarm_domain::{Stage, TimelineEvent};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::{Result, StoreError};

/// The timeline kinds the report reads, in the order the partial index `events_report` names them
/// (SQLite uses a partial index only for a query that repeats its `WHERE` term as written).
pub(crate) const REPORT_KINDS: [&str; 4] = [
    TimelineEvent::ESCALATION_ACKNOWLEDGED,
    TimelineEvent::SEGMENTED,
    TimelineEvent::STAGE_CHANGED,
    TimelineEvent::TOUCH_SENT,
];

/// Who records a stage without being a person (a customer's reply, an import, keepwarm itself);
/// the same list as `crate::report`'s fold.
const NOT_A_PERSON: &str = "'customer reply', 'import', 'keepwarm', 'intake'";

/// What the two backends spell differently.
pub(crate) struct Dialect {
    /// A text field of a JSON column: `(column, key)`.
    pub field: fn(&str, &str) -> String,
    /// The larger of two values (`MAX` in SQLite, `GREATEST` in PostgreSQL).
    pub greatest: &'static str,
    /// The `n`th parameter (1-based).
    pub param: fn(usize) -> String,
    /// The JSON object constructor.
    pub object: &'static str,
    /// Rows of one JSON object each, aggregated into one JSON array as text.
    pub array: fn(&str) -> String,
}

/// SQLite's spelling.
pub(crate) const SQLITE: Dialect = Dialect {
    field: |column, key| format!("json_extract({column}, '$.{key}')"),
    greatest: "MAX",
    param: |n| format!("?{n}"),
    object: "json_object",
    array: |object| format!("json_group_array({object})"),
};

/// PostgreSQL's spelling.
pub(crate) const POSTGRES: Dialect = Dialect {
    field: |column, key| format!("({column} ->> '{key}')"),
    greatest: "GREATEST",
    param: |n| format!("${n}"),
    object: "json_build_object",
    array: |object| format!("json_agg({object})::text"),
};

/// A stage's place in the funnel (`new` 0 … `sold` 4); NULL for `lost`, which is counted apart.
fn stage_rank(expr: &str) -> String {
    let whens: String = Stage::ALL
        .iter()
        .filter(|s| **s != Stage::Lost)
        .enumerate()
        .map(|(rank, s)| format!(" WHEN '{}' THEN {rank}", s.as_str()))
        .collect();
    format!("(CASE {expr}{whens} END)")
}

/// The groupings asked for, each once, in the order first asked.
fn distinct(by: &[GroupBy]) -> Vec<GroupBy> {
    let mut out: Vec<GroupBy> = Vec::new();
    for b in by {
        if !out.contains(b) {
            out.push(*b);
        }
    }
    out
}

fn column(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Segment => "segment",
        GroupBy::Cadence => "cadence",
        GroupBy::Source => "source",
        GroupBy::Owner => "owner",
    }
}

/// The query: parameters are the period's bounds (milliseconds, `[from, to)`) and the dealership
/// (NULL for every one); it answers two JSON arrays, the counts per `(dim, group)` and the spreads
/// per `(dim, group, series)`, where `dim` is the grouping's place in [`distinct`]`(by)` and -1 the
/// row of every lead.
pub(crate) fn tally_sql(d: &Dialect, by: &[GroupBy]) -> String {
    let dims = distinct(by);
    let (from, to, dealership) = ((d.param)(1), (d.param)(2), (d.param)(3));
    let kinds = REPORT_KINDS
        .iter()
        .map(|k| format!("'{k}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let of_lead = |alias: &str, kind: &str| {
        format!("{alias}.lead_id = l.id AND {alias}.kind IN ({kinds}) AND {alias}.kind = '{kind}'")
    };
    let greatest = d.greatest;
    let to_rank = stage_rank(&(d.field)("g.data", "to"));
    let from_rank = stage_rank(&(d.field)("g.data", "from"));
    let values: String = dims
        .iter()
        .enumerate()
        .map(|(i, _)| format!("(CAST({i} AS BIGINT)), "))
        .collect::<String>()
        + "(CAST(-1 AS BIGINT))";
    let group_of: String = dims
        .iter()
        .enumerate()
        .map(|(i, b)| format!(" WHEN {i} THEN {}", column(*b)))
        .collect();
    // Each row once per grouping (and once for every lead), with that grouping's value as `grp`.
    let fan_out = |from: &str, alias: &str| {
        format!("SELECT d.dim, CASE d.dim{group_of} ELSE 'all' END AS grp, {alias}.* FROM {from} CROSS JOIN dims d")
    };
    let segment = (d.field)("s.data", "segment");
    let lost_to = (d.field)("g.data", "to");
    let by_whom = (d.field)("h.data", "by");
    let counts = (d.array)(&format!(
        "{}('dim', c.dim, 'group', c.grp, 'leads', c.leads, 'contacted', c.contacted,
             'appointment_set', c.appointment_set, 'showed', c.showed, 'sold', c.sold, 'lost', c.lost,
             'escalations', xc.escalations, 'within', xc.within)",
        d.object
    ));
    let spreads = (d.array)(&format!(
        "{}('dim', p.dim, 'group', p.grp, 'series', p.series, 'n', p.n, 'median', p.median, 'p90', p.p90)",
        d.object
    ));
    format!(
        "WITH dims(dim) AS (VALUES {values}),
         f AS MATERIALIZED (
           SELECT l.id,
             COALESCE((SELECT {segment} FROM events s WHERE s.id =
                         (SELECT MIN(m.id + 0) FROM events m WHERE {seg_of})), l.segment) AS segment,
             COALESCE((SELECT n.cadence_name || '@' || n.cadence_version FROM enrollments n
                       WHERE n.lead_id = l.id ORDER BY n.id LIMIT 1), 'none') AS cadence,
             CASE WHEN l.provider IS NULL THEN l.source_kind ELSE l.source_kind || '/' || l.provider END AS source,
             l.owner_id AS owner,
             {greatest}(COALESCE({current}, 0),
                 COALESCE((SELECT MAX({greatest}(COALESCE({to_rank}, 0), COALESCE({from_rank}, 0)))
                           FROM events g WHERE {stage_of}), 0)) AS furthest,
             CASE WHEN l.stage = 'lost' OR EXISTS (SELECT 1 FROM events g WHERE {stage_of} AND {lost_to} = 'lost')
                  THEN 1 ELSE 0 END AS lost,
             (SELECT MIN(t.at) FROM events t WHERE {touch_of}) - l.created_at AS touch,
             (SELECT MIN(h.at) FROM events h
              WHERE h.lead_id = l.id AND h.kind IN ({kinds})
                AND (h.kind = '{acknowledged}' OR (h.kind = '{stage_changed}' AND {by_whom} NOT IN ({NOT_A_PERSON}))))
               - l.created_at AS human
           FROM leads l
           WHERE l.received_at >= {from} AND l.received_at < {to} AND ({dealership} IS NULL OR l.dealership = {dealership})),
         k AS MATERIALIZED ({fan_lead}),
         x AS MATERIALIZED ({fan_escalation}),
         c AS (SELECT dim, grp, COUNT(*) AS leads,
                 COUNT(*) FILTER (WHERE furthest >= 1) AS contacted,
                 COUNT(*) FILTER (WHERE furthest >= 2) AS appointment_set,
                 COUNT(*) FILTER (WHERE furthest >= 3) AS showed,
                 COUNT(*) FILTER (WHERE furthest >= 4) AS sold,
                 COUNT(*) FILTER (WHERE lost = 1) AS lost
               FROM k GROUP BY dim, grp),
         xc AS (SELECT dim, grp, COUNT(*) AS escalations,
                  COUNT(*) FILTER (WHERE acknowledged_at <= sla_due_at) AS within
                FROM x GROUP BY dim, grp),
         v AS (SELECT dim, grp, 0 AS series, touch AS ms FROM k WHERE touch IS NOT NULL
               UNION ALL SELECT dim, grp, 1, human FROM k WHERE human IS NOT NULL
               UNION ALL SELECT dim, grp, 2, acknowledged_at - created_at FROM x WHERE acknowledged_at IS NOT NULL),
         r AS (SELECT dim, grp, series, ms,
                 ROW_NUMBER() OVER (PARTITION BY dim, grp, series ORDER BY ms) AS rn,
                 COUNT(*) OVER (PARTITION BY dim, grp, series) AS n
               FROM v),
         p AS (SELECT dim, grp, series, MAX(n) AS n,
                 MAX(CASE WHEN rn = (n + 1) / 2 THEN ms END) AS median,
                 MAX(CASE WHEN rn = (9 * n + 9) / 10 THEN ms END) AS p90
               FROM r GROUP BY dim, grp, series)
         SELECT (SELECT {counts} FROM c LEFT JOIN xc ON xc.dim = c.dim AND xc.grp = c.grp),
                (SELECT {spreads} FROM p)",
        seg_of = of_lead("m", TimelineEvent::SEGMENTED),
        stage_of = of_lead("g", TimelineEvent::STAGE_CHANGED),
        touch_of = of_lead("t", TimelineEvent::TOUCH_SENT),
        current = stage_rank("l.stage"),
        acknowledged = TimelineEvent::ESCALATION_ACKNOWLEDGED,
        stage_changed = TimelineEvent::STAGE_CHANGED,
        fan_lead = fan_out("f", "f"),
        fan_escalation = fan_out(
            "(SELECT f.segment, f.cadence, f.source, f.owner, e.created_at, e.sla_due_at, e.acknowledged_at
              FROM f CROSS JOIN escalations e WHERE e.lead_id = f.id) AS ef",
            "ef"
        ),
    )
}

#[derive(Deserialize)]
struct CountJson {
    dim: i64,
    group: String,
    leads: usize,
    contacted: usize,
    appointment_set: usize,
    showed: usize,
    sold: usize,
    lost: usize,
    escalations: Option<usize>,
    within: Option<usize>,
}

#[derive(Deserialize)]
struct SpreadJson {
    dim: i64,
    group: String,
    series: u8,
    n: usize,
    median: Option<i64>,
    p90: Option<i64>,
}

fn rows<T: DeserializeOwned>(text: Option<&str>) -> Result<Vec<T>> {
    serde_json::from_str(text.unwrap_or("[]"))
        .map_err(|e| StoreError::Corrupt(format!("report tallies: {e}")))
}

/// The tallies of each grouping in `by` (sorted by group, the `all` tally last) from the two
/// arrays [`tally_sql`] answers.
pub(crate) fn assemble(
    counts: Option<&str>,
    spreads: Option<&str>,
    by: &[GroupBy],
) -> Result<Vec<Vec<GroupTally>>> {
    let mut tallies: HashMap<(i64, String), GroupTally> = HashMap::new();
    for c in rows::<CountJson>(counts)? {
        tallies.insert(
            (c.dim, c.group.clone()),
            GroupTally {
                group: c.group,
                leads: c.leads,
                contacted: c.contacted,
                appointment_set: c.appointment_set,
                showed: c.showed,
                sold: c.sold,
                lost: c.lost,
                escalations: c.escalations.unwrap_or(0),
                acknowledged_within_sla: c.within.unwrap_or(0),
                ..GroupTally::default()
            },
        );
    }
    for s in rows::<SpreadJson>(spreads)? {
        let Some(t) = tallies.get_mut(&(s.dim, s.group.clone())) else {
            return Err(StoreError::Corrupt(format!(
                "report tallies: a spread of `{}` with no counts",
                s.group
            )));
        };
        let spread = Spread {
            count: s.n,
            median: s.median.map(SignedDuration::from_millis),
            p90: s.p90.map(SignedDuration::from_millis),
        };
        match s.series {
            0 => t.to_first_touch = spread,
            1 => t.to_human = spread,
            _ => t.to_acknowledge = spread,
        }
    }
    let all = tallies
        .get(&(-1, "all".to_owned()))
        .cloned()
        .unwrap_or_else(|| GroupTally {
            group: "all".into(),
            ..GroupTally::default()
        });
    let dims = distinct(by);
    Ok(by
        .iter()
        .map(|b| {
            let dim = dims.iter().position(|d| d == b).unwrap_or_default() as i64;
            let mut groups: Vec<GroupTally> = tallies
                .iter()
                .filter(|((d, _), _)| *d == dim)
                .map(|(_, t)| t.clone())
                .collect();
            // Sorted here, not in SQL: PostgreSQL's collation would order text otherwise than
            // the fold's byte order.
            groups.sort_by(|a, b| a.group.cmp(&b.group));
            groups.push(all.clone());
            groups
        })
        .collect())
}
